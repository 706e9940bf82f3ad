# Decodes a gr-gsm burst file with gr-gsm's own control channel chain, the
# one grgsm_decode builds: dummy_burst_filter -> burst_timeslot_filter ->
# the mode's demapper -> control_channels_decoder -> message_printer.
#
# grgsm_decode -b cannot be used on Debian 12: its burst_file_source reads
# files with GNU Radio 3.10's stream pmt::deserialize, which fails on
# uniform vectors (it cannot even read what gr-gsm's burst_file_sink
# wrote), so this script deserializes each record with pmt.deserialize_str
# and posts it into the chain itself. It also skips grgsm_decode's GSMTAP
# UDP sockets (127.0.0.1:4729).
#
# Usage: /usr/bin/python3 grgsm_decode_bursts.py FILE MODE:TN [MODE:TN ...]
#   MODE: BCCH, BCCH_SDCCH4 or SDCCH8 (as grgsm_decode -m), TN: timeslot
# Output: message_printer lines, "FN A5-count: hex octets", each prefixed
# with "MODE:TN " (one chain per argument, all fed the same bursts).
# GRGSM_RUN_SECONDS (default 2) is how long the flowgraph runs.
import os
import sys
import time

import pmt
from gnuradio import gr, gsm

RECORD = 2 + 1 + 1 + 4 + 2 + 16 + 148  # pair, nil, uvec, type, len, npad+pad, vector


def main():
    path = sys.argv[1]
    demappers = {
        "BCCH": gsm.gsm_bcch_ccch_demapper,
        "BCCH_SDCCH4": gsm.gsm_bcch_ccch_sdcch4_demapper,
        "SDCCH8": gsm.gsm_sdcch8_demapper,
    }
    tb = gr.top_block()
    inputs = []
    for spec in sys.argv[2:]:
        mode, tn = spec.split(":")
        dummy = gsm.dummy_burst_filter()
        tsf = gsm.burst_timeslot_filter(int(tn))
        demap = demappers[mode](int(tn))
        dec = gsm.control_channels_decoder()
        printer = gsm.message_printer(pmt.intern(spec + " "), True, True, True)
        tb.msg_connect(dummy, "out", tsf, "in")
        tb.msg_connect(tsf, "out", demap, "bursts")
        tb.msg_connect(demap, "bursts", dec, "bursts")
        tb.msg_connect(dec, "msgs", printer, "msgs")
        inputs.append(dummy)
    tb.start()
    data = open(path, "rb").read()
    port = pmt.intern("in")
    for off in range(0, len(data) - RECORD + 1, RECORD):
        msg = pmt.deserialize_str(data[off:off + RECORD])
        for dummy in inputs:
            dummy.to_basic_block()._post(port, msg)
    time.sleep(float(os.environ.get("GRGSM_RUN_SECONDS", "2")))
    tb.stop()
    tb.wait()
    sys.stdout.flush()


if __name__ == "__main__":
    main()
