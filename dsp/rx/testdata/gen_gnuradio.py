#!/usr/bin/python3
"""Generate GSM bursts with GNU Radio's GMSK modulators, for dsp/rx tests.

This is gsmbox's own script (not copied from anywhere). It builds normal
bursts (TS 45.002 5.2.3, all eight training sequences) and access bursts
(5.2.7, training sequence TS0) with random payload bits, modulates them with
two modulators that share no code with gsmbox:

  gmsk_mod   gnuradio.digital.gmsk_mod(samples_per_symbol=4, bt=0.3): NRZ
             bits -> Gaussian filter -> FM. It has no differential encoder,
             so the GSM one of TS 45.004 2.5 is done here: the modulating
             symbol is alpha(i) = 1 - 2*(d(i) XOR d(i-1)), and gmsk_mod maps
             bit 1 to +1 (phase +pi/2), so it is fed 1 - (d(i) XOR d(i-1)).
  gmskmod_bc gnuradio.digital.gmskmod_bc(4, 4, 0.3), GNU Radio's CPM
             modulator, fed the alpha symbols as signed chars (the chain
             gr-gsm's gsm_gmsk_mod uses: diff_decoder_bb(2) and the map
             0 -> +1, 1 -> -1, done here in Python).

The dummy bits before and after a burst are 1 (TS 45.004 2.4). Each burst is
placed in a 640-sample window at 4 samples per symbol, gsmbox's slot
layout: bit 0 of an on-time burst starts at sample 10 (dsp/gmsk Lead), plus
the burst's delay. Outside the burst (and 2 symbols of ramp each side) the
window is zero.

Output (in OUTDIR): gnuradio_bursts.cf32 (complex64 little-endian, one
640-sample window per burst, in order) and gnuradio_bursts.json (for each
burst: modulator, kind, tsc, delay in samples, the 148 burst bits).

usage: gen_gnuradio.py OUTDIR [SEED]
"""
import json
import math
import random
import sys

import numpy
from gnuradio import blocks, digital, gr

SPS = 4
WINDOW = 640
LEAD = 10

TSC = [0x0970897, 0x0B778B7, 0x10EE90E, 0x11ED11E,
       0x06B906B, 0x13AC13A, 0x29F629F, 0x3BC4BBC]
ACCESS_SYNC = 0x096FF335478  # 41 bits, TS0
EXT_TAIL = [0, 0, 1, 1, 1, 0, 1, 0]


def bits(v, n):
    return [(v >> (n - 1 - i)) & 1 for i in range(n)]


def normal_burst(rng, tsc):
    data = [rng.getrandbits(1) for _ in range(116)]
    return [0, 0, 0] + data[:58] + bits(TSC[tsc], 26) + data[58:] + [0, 0, 0]


def access_burst(rng):
    data = [rng.getrandbits(1) for _ in range(36)]
    return EXT_TAIL + bits(ACCESS_SYNC, 41) + data + [0, 0, 0]


def run(src_block, mod, items):
    tb = gr.top_block()
    src = src_block(items, False)
    sink = blocks.vector_sink_c()
    tb.connect(src, mod, sink)
    tb.run()
    return numpy.array(sink.data(), dtype=numpy.complex64)


PAD = 8  # dummy bits each side


def modulate(kind, burst):
    d = [1] * PAD + burst + [1] * PAD
    alpha = [1 - 2 * (d[i] ^ (d[i - 1] if i else 1)) for i in range(len(d))]
    if kind == "gmsk_mod":
        mod = digital.gmsk_mod(samples_per_symbol=SPS, bt=0.3, do_unpack=False)
        out = run(blocks.vector_source_b, mod, [(a + 1) // 2 for a in alpha])
        # Gaussian*rect filter of 5*SPS-1 taps: symbol i's frequency pulse is
        # centred on output sample i*SPS + (5*SPS-2)/2; gsmbox puts it at
        # (i+1/2)*SPS after bit 0's start.
        centre = (5 * SPS - 2) // 2
    else:
        mod = digital.gmskmod_bc(SPS, 4, 0.3)
        out = run(blocks.vector_source_b, mod, [a & 0xFF for a in alpha])
        # The CPM frequency pulse of symbol i spans L=4 symbols from i*SPS.
        centre = 4 * SPS // 2
    start = PAD * SPS + centre - SPS // 2  # output sample of burst bit 0
    return out, start


def place(out, start, nbits, delay):
    w = numpy.zeros(WINDOW, dtype=numpy.complex64)
    ramp = 2 * SPS
    for n in range(WINDOW):
        m = start + (n - LEAD - delay)
        t = n - LEAD - delay  # samples from bit 0's start
        if m < 0 or m >= len(out) or t < -ramp or t >= nbits * SPS + ramp:
            continue
        g = 1.0
        if t < 0:
            g = 0.5 - 0.5 * math.cos(math.pi * (t + ramp) / ramp)
        elif t >= nbits * SPS:
            g = 0.5 + 0.5 * math.cos(math.pi * (t - nbits * SPS) / ramp)
        w[n] = out[m] * g
    return w


def main():
    outdir = sys.argv[1]
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    rng = random.Random(seed)
    meta, windows = [], []
    for kind in ("gmsk_mod", "gmskmod_bc"):
        for tsc in range(8):
            b = normal_burst(rng, tsc)
            delay = rng.randrange(0, 12)  # up to 3 symbols late
            out, start = modulate(kind, b)
            windows.append(place(out, start, 148, delay))
            meta.append({"modulator": kind, "kind": "normal", "tsc": tsc,
                         "delay": delay, "bits": "".join(map(str, b))})
        for delay in (0, 41, 162, 252):  # 0, 10.25, 40.5, 63 symbols
            b = access_burst(rng)
            out, start = modulate(kind, b)
            windows.append(place(out, start, 88, delay))
            meta.append({"modulator": kind, "kind": "access", "tsc": 0,
                         "delay": delay, "bits": "".join(map(str, b + [0] * 60))})
    numpy.concatenate(windows).astype("<c8").tofile(outdir + "/gnuradio_bursts.cf32")
    with open(outdir + "/gnuradio_bursts.json", "w") as f:
        json.dump({"sps": SPS, "window": WINDOW, "lead": LEAD, "seed": seed,
                   "bursts": meta}, f, indent=1)


if __name__ == "__main__":
    main()
