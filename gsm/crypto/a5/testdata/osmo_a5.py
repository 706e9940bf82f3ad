#!/usr/bin/python3
# Reference A5 keystreams from Debian's libosmogsm (osmo_a5), for the live
# test in a5_live_test.go. Reads lines "N KC_HEX FN" on stdin and prints
# "DL_HEX UL_HEX" (114 bits each, packed MSB first into 15 octets).
import ctypes, ctypes.util, sys

name = ctypes.util.find_library("osmogsm") or "libosmogsm.so.18"
lib = ctypes.CDLL(name)
lib.osmo_a5.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_uint32,
                        ctypes.c_void_p, ctypes.c_void_p]
lib.osmo_a5.restype = ctypes.c_int

def pack(bits):
    v = int("".join(str(b) for b in bits) + "000000", 2)
    return "%030x" % v

for line in sys.stdin:
    f = line.split()
    if not f:
        continue
    n, kc, fn = int(f[0]), bytes.fromhex(f[1]), int(f[2])
    dl = (ctypes.c_uint8 * 114)()
    ul = (ctypes.c_uint8 * 114)()
    rc = lib.osmo_a5(n, kc, fn, dl, ul)
    if rc != 0:
        print("error", rc)
    else:
        print(pack(dl), pack(ul))
    sys.stdout.flush()
