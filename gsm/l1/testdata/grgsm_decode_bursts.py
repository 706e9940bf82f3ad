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
# Usage: /usr/bin/python3 grgsm_decode_bursts.py FILE MODE:TN[:A5:KC] ...
#   MODE: BCCH, BCCH_SDCCH4, SDCCH8 or TCHF (as grgsm_decode -m), TN:
#   timeslot. With A5 (1 or 3) and KC (16 hex digits), the chain deciphers
#   the demapper's bursts with gr-gsm's own decryption block before
#   decoding, where grgsm_decode -e A5 -k KC puts it (uplink bursts with
#   the uplink keystream, per the GSMTAP uplink flag). TCHF decodes
#   SACCH/TF with control_channels_decoder and the traffic with
#   tch_f_decoder (full-rate speech): FACCH/F blocks are printed like
#   the control channel blocks, speech frames as
#   "MODE:TN voice <33-octet RTP payload in hex>".
# Output: message_printer lines, "FN A5-count: GSMTAP header and payload
# octets in hex", each prefixed with "MODE:TN " (one chain per argument,
# all fed the same bursts).
# The script posts one burst at a time and waits for every queue of the
# chains to drain before the next, and for a quiet spell at the end, so
# the run is deterministic. Run one TCHF chain per process: two of gr-gsm's
# tch_f_decoder in one flowgraph disturb each other (a few speech frames
# lost per run, never the same ones).
import os
import sys
import time

import pmt
from gnuradio import gr, gsm

class _VoicePrinter(gr.basic_block):
    def __init__(self, prefix):
        gr.basic_block.__init__(self, "voice_printer", None, None)
        self.prefix = prefix
        self.message_port_register_in(pmt.intern("in"))
        self.set_msg_handler(pmt.intern("in"), self.handle)

    def handle(self, msg):
        data = bytes(pmt.u8vector_elements(pmt.cdr(msg)))
        print(self.prefix + "voice " + data.hex(), flush=True)


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
    keep = []
    watch = []
    for spec in sys.argv[2:]:
        parts = spec.split(":")
        mode, tn = parts[0], parts[1]
        decrypt = None
        if len(parts) == 4:
            decrypt = lambda: gsm.decryption(list(bytes.fromhex(parts[3])), int(parts[2]))
        dummy = gsm.dummy_burst_filter()
        tsf = gsm.burst_timeslot_filter(int(tn))
        dec = gsm.control_channels_decoder()
        printer = gsm.message_printer(pmt.intern(spec + " "), True, True, True)
        tb.msg_connect(dummy, "out", tsf, "in")
        tb.msg_connect(dec, "msgs", printer, "msgs")
        if mode == "TCHF":
            demap = gsm.tch_f_chans_demapper(int(tn))
            tch = gsm.tch_f_decoder(gsm.TCH_FS, False)
            voice = _VoicePrinter(spec + " ")
            keep.append(voice)
            tb.msg_connect(tsf, "out", demap, "bursts")
            if decrypt is not None:
                d_acch, d_tch = decrypt(), decrypt()
                tb.msg_connect(demap, "acch_bursts", d_acch, "bursts")
                tb.msg_connect(d_acch, "bursts", dec, "bursts")
                tb.msg_connect(demap, "tch_bursts", d_tch, "bursts")
                tb.msg_connect(d_tch, "bursts", tch, "bursts")
                watch.extend([d_acch, d_tch])
            else:
                tb.msg_connect(demap, "acch_bursts", dec, "bursts")
                tb.msg_connect(demap, "tch_bursts", tch, "bursts")
            tb.msg_connect(tch, "msgs", printer, "msgs")
            tb.msg_connect(tch, "voice", voice, "in")
        else:
            demap = demappers[mode](int(tn))
            tb.msg_connect(tsf, "out", demap, "bursts")
            if decrypt is not None:
                d = decrypt()
                tb.msg_connect(demap, "bursts", d, "bursts")
                tb.msg_connect(d, "bursts", dec, "bursts")
                watch.append(d)
            else:
                tb.msg_connect(demap, "bursts", dec, "bursts")
        inputs.append(dummy)
        watch.extend([dummy, tsf, dec, printer])
        inner = getattr(demap, "gsm_universal_ctrl_chans_demapper_0", None)
        if inner is not None:
            watch.append(inner)
        if mode == "TCHF":
            watch.extend([demap, tch])
    tb.start()
    data = open(path, "rb").read()
    port = pmt.intern("in")
    for off in range(0, len(data) - RECORD + 1, RECORD):
        msg = pmt.deserialize_str(data[off:off + RECORD])
        for dummy in inputs:
            dummy.to_basic_block()._post(port, msg)
        while any(not b.to_basic_block().empty_p() for b in watch):
            time.sleep(0.0002)
    quiet, deadline = 0, time.time() + 60
    while quiet < 10 and time.time() < deadline:
        time.sleep(0.02)
        busy = any(not b.to_basic_block().empty_p() for b in watch)
        quiet = 0 if busy else quiet + 1
    tb.stop()
    tb.wait()
    sys.stdout.flush()


if __name__ == "__main__":
    main()
