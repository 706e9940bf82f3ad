#!/usr/bin/python3
# Runs Debian's unmodified /usr/bin/grgsm_decode with fixes applied at run
# time, without editing anything under /usr:
#   - GNU Radio 3.10 moved socket_pdu from gnuradio.pdu to gnuradio.network;
#     the script still looks for it in gnuradio.pdu and crashes at start.
#   - The script binds a UDP server on 127.0.0.1:4729 and sends its GSMTAP
#     there; we send to the port given as the first argument instead (the
#     test's own listener) and skip the server socket.
#   - Its -p burst printer prints only the 114 payload bits of each burst;
#     we print all 148, so the SCH's data bits can be read.
# Usage: grgsm_decode_gsmtap.py PORT [grgsm_decode arguments...]
import runpy
import sys

from gnuradio import blocks, gsm, network, pdu

port = sys.argv[1]


def socket_pdu(kind, host, _port, mtu=10000, *rest):
    if kind == "UDP_SERVER":
        return blocks.message_debug()
    return network.socket_pdu("UDP_CLIENT", "127.0.0.1", port, mtu)


_printer = gsm.bursts_printer


def bursts_printer(prefix, fnr, frame_count, payload_only, ignore_dummy):
    return _printer(prefix, fnr, frame_count, False, ignore_dummy)


pdu.socket_pdu = socket_pdu
gsm.bursts_printer = bursts_printer
sys.argv = ["grgsm_decode"] + sys.argv[2:]
runpy.run_path("/usr/bin/grgsm_decode", run_name="__main__")
