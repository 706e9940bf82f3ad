#!/usr/bin/python3
"""Decode EFR frames with an independent AMR decoder, as a judge of
gsm/codec/ecu's EFR substitution. gsmbox's own harness; it only calls the
public APIs of Debian's libopencore-amrnb0 (0.1.6, Decoder_Interface_init /
Decoder_Interface_Decode) and reads the AMR 12.2 bit order table that
libosmocodec0 (1.7.0) exports as gsm690_12_2_bitorder.

The AMR 12.2 kbit/s mode is the EFR codec's bit stream (TS 26.071): an EFR
frame in the RTP format (0xC nibble, 244 bits in TS 46.060 parameter order)
becomes an AMR storage frame (header 0x3C, the bits in TS 26.101 Table B.8
order) with that table.

Input: one EFR frame per line as hex. Output: one line per frame, the RMS
of the 160 decoded samples. Exit status 3 if a library is missing.
"""
import ctypes
import math
import sys

try:
    amr = ctypes.CDLL("libopencore-amrnb.so.0")
    codec = ctypes.CDLL("libosmocodec.so.0")
    order = list((ctypes.c_uint16 * 244).in_dll(codec, "gsm690_12_2_bitorder"))
except (OSError, ValueError) as e:
    print("judge not loadable: %s" % e, file=sys.stderr)
    sys.exit(3)

amr.Decoder_Interface_init.restype = ctypes.c_void_p
amr.Decoder_Interface_Decode.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_short), ctypes.c_int]


def efr_to_amr(efr):
    out = bytearray(32)
    out[0] = 0x3C
    for k in range(244):
        i = 4 + order[k]
        v = (efr[i // 8] >> (7 - i % 8)) & 1
        b = 8 + k
        out[b // 8] |= v << (7 - b % 8)
    return bytes(out)


def main():
    st = amr.Decoder_Interface_init()
    pcm = (ctypes.c_short * 160)()
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        amr.Decoder_Interface_Decode(st, efr_to_amr(bytes.fromhex(line)), pcm, 0)
        print("%.2f" % math.sqrt(sum(x * x for x in pcm) / 160.0))
        sys.stdout.flush()


main()
