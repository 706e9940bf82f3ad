#!/usr/bin/python3
"""Feed bursts to gr-gsm's channel decoders and print what they decode.

gsmbox's own harness around gr-gsm (gr-gsm 1.0.0~20220727, GNU Radio 3.10,
Debian package gr-gsm); run it with /usr/bin/python3.

Usage: grgsm_bursts.py MODE < bursts
  MODE  xcch  -> gr-gsm control_channels_decoder (BCCH/CCCH/SDCCH/SACCH)
        tchf  -> gr-gsm tch_f_chans_demapper (timeslot 0) and tch_f_decoder
                 in TCH/FS mode (speech and FACCH/F); FNs must follow the
                 26-multiframe (traffic where FN mod 13 != 12)
Input lines: "FN TN BITS", BITS being the 148 bits of a normal burst
(tail, data, hl, TSC, hu, data, tail) as 0/1 characters.
Output lines, one per decoded block, in the order gr-gsm emits them:
  "msg FN HEX"    a 23-octet L2 frame (xCCH or FACCH)
  "voice -1 HEX"  a 33-octet GSM 06.10 frame in RTP format (TCH/FS; gr-gsm
                  gives no frame number with it)
The GSMTAP header gr-gsm puts in front of each message is parsed for FN
and stripped. gr-gsm's message_sink also echoes every message to stdout;
callers keep only the lines starting "msg " or "voice ". Exit status 3 means gr-gsm is not importable.
"""
import struct
import sys

try:
    import pmt
    from gnuradio import gr
    from gnuradio import gsm
except Exception as e:  # noqa: BLE001
    print("gr-gsm (python3 module gnuradio.gsm) not importable: %s" % e, file=sys.stderr)
    sys.exit(3)


def main():
    mode = sys.argv[1]
    fns, tns, bursts = [], [], []
    for line in sys.stdin:
        f = line.split()
        if len(f) != 3:
            continue
        fns.append(int(f[0]))
        tns.append(int(f[1]))
        bursts.append(f[2])
    tb = gr.top_block()
    src = gsm.burst_source(fns, tns, bursts)
    msgs = gsm.message_sink()
    voice = gsm.message_sink()
    if mode == "xcch":
        dec = gsm.control_channels_decoder()
        tb.msg_connect(src, "out", dec, "bursts")
        tb.msg_connect(dec, "msgs", msgs, "in")
    elif mode == "tchf":
        # gr-gsm's TCH/F demapper picks the traffic bursts of the
        # 26-multiframe by frame number and hands the decoder the eight
        # bursts of each block (so every burst is sent twice).
        demap = gsm.tch_f_chans_demapper(0)
        dec = gsm.tch_f_decoder(gsm.TCH_FS, False)
        tb.msg_connect(src, "out", demap, "bursts")
        tb.msg_connect(demap, "tch_bursts", dec, "bursts")
        tb.msg_connect(dec, "msgs", msgs, "in")
        tb.msg_connect(dec, "voice", voice, "in")
    else:
        print("unknown mode", mode, file=sys.stderr)
        sys.exit(2)
    tb.start()
    tb.wait()
    out = []
    for kind, sink in (("msg", msgs), ("voice", voice)):
        for m in sink.get_messages():
            # message_sink hands back each PDU's payload as "xx xx ..." hex.
            blob = bytes.fromhex(m) if isinstance(m, str) else bytes(pmt.u8vector_elements(pmt.cdr(m)))
            # GSMTAP header: version, hdr_len (32-bit words), type, timeslot,
            # arfcn(2), signal_dbm, snr_db, frame_number(4), ...
            if kind == "voice":
                # tch_f_decoder sends the bare codec frame, no GSMTAP header.
                out.append((kind, -1, blob.hex()))
                continue
            hlen = blob[1] * 4
            fn = struct.unpack(">I", blob[8:12])[0]
            out.append((kind, fn, blob[hlen:].hex()))
    for kind, fn, h in out:
        print(kind, fn, h)


main()
