#!/usr/bin/python3
# Modulate NRZ symbols with GNU Radio's digital.gmsk_mod (an independent
# GMSK implementation) and write complex64 samples.
#
#   /usr/bin/python3 gnuradio_gmsk.py SYMBOLS_FILE OUT.cfile [SPS] [BT]
#
# SYMBOLS_FILE holds one character per symbol: '1' for +1 (a positive
# frequency step, alpha = +1 in TS 45.004), '0' for -1; other characters
# are ignored. gmsk_mod is used with do_unpack=False, so each input byte
# is one symbol and chunks_to_symbols maps 0 -> -1 and 1 -> +1.
import sys

from gnuradio import blocks, digital, gr


def main():
    src, out = sys.argv[1], sys.argv[2]
    sps = int(sys.argv[3]) if len(sys.argv) > 3 else 4
    bt = float(sys.argv[4]) if len(sys.argv) > 4 else 0.3
    with open(src) as f:
        syms = [1 if c == '1' else 0 for c in f.read() if c in '01']
    tb = gr.top_block()
    s = blocks.vector_source_b(syms, False)
    mod = digital.gmsk_mod(samples_per_symbol=sps, bt=bt, verbose=False, log=False, do_unpack=False)
    sink = blocks.file_sink(gr.sizeof_gr_complex, out)
    sink.set_unbuffered(False)
    tb.connect(s, mod, sink)
    tb.run()
    sink.close()


if __name__ == '__main__':
    main()
