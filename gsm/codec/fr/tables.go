package fr

// Tables of 3GPP TS 46.010 §5.4, in Q15 or the scaling
// the fixed-point algorithm gives them.

// Quantisation of the log-area ratios: A(i) and B(i) scaled as
// in §5.2.7, the smallest (MIC) and largest (MAC) coded values, and 1/A(i)
// (INVA) for the decoding of §5.2.8.
var (
	larA    = [8]int16{20480, 20480, 20480, 20480, 13964, 15360, 8534, 9036}
	larB    = [8]int16{0, 0, 2048, -2560, 94, -1792, -341, -1144}
	larMIC  = [8]int16{-32, -32, -16, -16, -8, -8, -4, -4}
	larMAC  = [8]int16{31, 31, 15, 15, 7, 7, 3, 3}
	larINVA = [8]int16{13107, 13107, 13107, 13107, 19223, 17476, 31454, 29708}
)

// Long-term prediction (§5.2.11–5.2.12): decision levels (DLB) and
// quantised gains (QLB) of the LTP gain bc.
var (
	ltpDLB = [4]int16{6554, 16384, 26214, 32767}
	ltpQLB = [4]int16{3277, 11469, 21299, 32767}
)

// rpeH is the impulse response of the RPE weighting filter (§5.2.13).
var rpeH = [11]int16{-134, -374, 0, 2054, 5741, 8192, 5741, 2054, 0, -374, -134}

// Normalised inverse mantissa (NRFAC) used in the quantisation
// of the RPE samples (§5.2.15), and normalised direct mantissa (FAC) used
// in their inverse quantisation.
var (
	rpeNRFAC = [8]int16{29128, 26215, 23832, 21846, 20165, 18725, 17476, 16384}
	rpeFAC   = [8]int16{18431, 20479, 22527, 24575, 26623, 28671, 30719, 32767}
)
