#!/usr/bin/python3
"""Reference encoder harness: libosmocoding (libosmocore 1.7.0, Debian package
libosmocoding0) called through ctypes, as an independent judge of gsmbox's
gsm/coding. This file is gsmbox's own code; it only calls the library's public
API (osmocom/coding/gsm0503_coding.h).

Reads commands from stdin, one per line, and answers each with one line:

  xcch HEX46            -> 464 bits: 4 bursts x 116 payload bits (0/1)
  sch HEX8              -> 78 bits (SCH info: 4 octets per TS 44.018 9.1.30)
  rach RA BSIC          -> 36 bits (8-bit RA)
  rach11 RA BSIC        -> 36 bits (11-bit RA)
  tchfr HEX66           -> 928 bits: 8 bursts x 116, one TCH/FS block (RTP
                           format, net_order=1) interleaved into zeroed bursts
  facch HEX46           -> 928 bits, as tchfr for a FACCH/F block
  rachdec BSIC S1..S36  -> "RA ok nerr" decoding soft bits (+ = 0)
  xcchdec S1..S464      -> "HEX46 ok nerr"

Exit status 3 means the library is missing.
"""
import ctypes
import sys

try:
    lib = ctypes.CDLL("libosmocoding.so.0")
except OSError as e:
    print("libosmocoding.so.0 not loadable: %s" % e, file=sys.stderr)
    sys.exit(3)

U = ctypes.c_uint8
S = ctypes.c_int8


def bits(buf, n):
    return "".join("1" if buf[i] else "0" for i in range(n))


def main():
    for line in sys.stdin:
        f = line.split()
        if not f:
            continue
        cmd = f[0]
        if cmd == "ping":
            print("pong")
        elif cmd == "xcch":
            data = (U * 23)(*bytes.fromhex(f[1]))
            out = (U * 464)()
            lib.gsm0503_xcch_encode(out, data)
            print(bits(out, 464))
        elif cmd == "sch":
            data = (U * 4)(*bytes.fromhex(f[1]))
            out = (U * 78)()
            lib.gsm0503_sch_encode(out, data)
            print(bits(out, 78))
        elif cmd == "rach":
            ra = (U * 1)(int(f[1]))
            out = (U * 36)()
            lib.gsm0503_rach_encode(out, ra, U(int(f[2])))
            print(bits(out, 36))
        elif cmd == "rach11":
            out = (U * 36)()
            lib.gsm0503_rach_ext_encode(out, ctypes.c_uint16(int(f[1])), U(int(f[2])), ctypes.c_bool(True))
            print(bits(out, 36))
        elif cmd in ("tchfr", "facch"):
            raw = bytes.fromhex(f[1])
            data = (U * len(raw))(*raw)
            out = (U * 928)()
            lib.gsm0503_tch_fr_encode(out, data, ctypes.c_int(len(raw)), ctypes.c_int(1))
            print(bits(out, 928))
        elif cmd == "rachdec":
            soft = (S * 36)(*[int(x) for x in f[2:38]])
            ra = (U * 1)()
            ne, nt = ctypes.c_int(), ctypes.c_int()
            rc = lib.gsm0503_rach_decode_ber(ra, soft, U(int(f[1])), ctypes.byref(ne), ctypes.byref(nt))
            print(ra[0], 1 if rc == 0 else 0, ne.value)
        elif cmd == "xcchdec":
            soft = (S * 464)(*[int(x) for x in f[1:465]])
            data = (U * 23)()
            ne, nt = ctypes.c_int(), ctypes.c_int()
            rc = lib.gsm0503_xcch_decode(data, soft, ctypes.byref(ne), ctypes.byref(nt))
            print(bytes(data).hex(), 1 if rc == 0 else 0, ne.value)
        else:
            print("error unknown command", cmd)
        sys.stdout.flush()


main()
