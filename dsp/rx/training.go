package rx

import (
	"math"

	"github.com/gsmbox/gsmbox/dsp/gmsk"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// chanTaps is the length of the channel impulse response the equaliser
// models at one sample per symbol: GMSK's own ISI after the matched filter
// spans about 3 symbols, which leaves room for about 2 symbols (7 µs) of
// multipath spread.
const chanTaps = 5

// training is everything known in advance about one burst format: which
// bits are known, the reference waveform that finds it, and the least-
// squares solver for the channel estimate.
type training struct {
	nbits      int
	known      [tdma.BurstBits]int8 // −1 unknown, else the bit
	start, end int                  // the known run used for timing and channel estimate

	ref       []complex64 // matched-filtered modulated known run, interior part
	refOff    int         // sample offset of ref[0] from bit 0's start
	refEnergy float64

	// Least squares: observation z[n] = Σ_l h_l·b(n−l) for n in
	// obs0 … obs0+nobs−1, all symbols known; h = (BᵀB)⁻¹·Bᵀz with B's
	// rows sym.
	obs0, nobs int
	sym        [][chanTaps]float32 // b(n−l) per observation
	ataInv     [chanTaps][chanTaps]float32
}

func normalKnown(tsc uint8) (k [tdma.BurstBits]int8) {
	for i := range k {
		k[i] = -1
	}
	for i := 0; i < tdma.TailBits; i++ {
		k[i], k[tdma.BurstBits-1-i] = 0, 0
	}
	for i, b := range tdma.TSC[tsc&7] {
		k[tdma.NormalTSCStart+i] = int8(b)
	}
	return k
}

func schKnown() (k [tdma.BurstBits]int8) {
	for i := range k {
		k[i] = -1
	}
	for i := 0; i < tdma.TailBits; i++ {
		k[i], k[tdma.BurstBits-1-i] = 0, 0
	}
	for i, b := range tdma.SCHSync {
		k[tdma.SCHSyncStart+i] = int8(b)
	}
	return k
}

// accessKnown: extended tail, synchronisation sequence TS0, three tail bits
// (TS 45.002 §5.2.7). Positions after bit 87 are guard time.
func accessKnown() (k [tdma.BurstBits]int8) {
	for i := range k {
		k[i] = -1
	}
	var b tdma.Burst
	var data [tdma.AccessDataBits]byte
	tdma.Access(&b, &data)
	for i := 0; i < tdma.AccessDataStart; i++ {
		k[i] = int8(b[i])
	}
	for i := tdma.AccessDataStart + tdma.AccessDataBits; i < tdma.AccessBurstBits; i++ {
		k[i] = int8(b[i])
	}
	return k
}

// newTraining prepares a burst format whose bits start … end−1 are known.
func (d *Demodulator) newTraining(mod *gmsk.Modulator, known [tdma.BurstBits]int8, nbits, start, end int) *training {
	tr := &training{nbits: nbits, known: known, start: start, end: end}
	sps := d.sps

	// Reference waveform: the known run modulated on its own is the real
	// burst's waveform (up to a constant phase) away from its edges, where
	// the unknown neighbours' frequency pulses (±1.5 symbols) and then the
	// matched filter (±mfHalf samples) reach in.
	bits := make([]byte, end-start)
	for i := range bits {
		bits[i] = byte(known[start+i])
	}
	raw := make([]complex64, len(bits)*sps)
	mod.ModulateBits(raw, bits)
	filt := make([]complex64, len(raw))
	d.filter(filt, raw, 0)
	margin := refMargin(d.mfHalf, sps)
	lo, hi := margin*sps, (len(bits)-margin)*sps
	tr.ref = filt[lo:hi:hi]
	tr.refOff = start*sps + lo
	for _, v := range tr.ref {
		tr.refEnergy += float64(real(v))*float64(real(v)) + float64(imag(v))*float64(imag(v))
	}

	// Least squares over the observations that see only known symbols.
	tr.obs0 = start + chanTaps - 1
	tr.nobs = end - tr.obs0
	tr.sym = make([][chanTaps]float32, tr.nobs)
	var ata [chanTaps][chanTaps]float64
	for i := range tr.sym {
		for l := 0; l < chanTaps; l++ {
			tr.sym[i][l] = float32(1 - 2*int(known[tr.obs0+i-l]))
		}
		for a := 0; a < chanTaps; a++ {
			for b := 0; b < chanTaps; b++ {
				ata[a][b] += float64(tr.sym[i][a] * tr.sym[i][b])
			}
		}
	}
	inv := invert(ata)
	for a := range inv {
		for b := range inv[a] {
			tr.ataInv[a][b] = float32(inv[a][b])
		}
	}
	return tr
}

// invert inverts a small symmetric positive-definite matrix by Gauss-Jordan
// elimination with partial pivoting. The training sequences of TS 45.002
// are chosen for good autocorrelation, so AᵀA is well conditioned.
func invert(a [chanTaps][chanTaps]float64) (inv [chanTaps][chanTaps]float64) {
	for i := range inv {
		inv[i][i] = 1
	}
	for c := 0; c < chanTaps; c++ {
		p := c
		for r := c + 1; r < chanTaps; r++ {
			if math.Abs(a[r][c]) > math.Abs(a[p][c]) {
				p = r
			}
		}
		a[c], a[p] = a[p], a[c]
		inv[c], inv[p] = inv[p], inv[c]
		piv := 1 / a[c][c] // one division per column, not ten
		for k := 0; k < chanTaps; k++ {
			a[c][k] *= piv
			inv[c][k] *= piv
		}
		for r := 0; r < chanTaps; r++ {
			if r == c {
				continue
			}
			f := a[r][c]
			for k := 0; k < chanTaps; k++ {
				a[r][k] -= f * a[c][k]
				inv[r][k] -= f * inv[c][k]
			}
		}
	}
	return inv
}

// refMargin is how many symbols at each end of a known run the reference
// waveform leaves out: 2 for the unknown neighbours' frequency pulses, and
// the matched filter's half-length.
func refMargin(mfHalf, sps int) int {
	return 2 + (mfHalf+sps-1)/sps
}
