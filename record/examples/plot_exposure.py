#!/usr/bin/python3
"""Plot the net USD exposure per asset in a hedgebus recording, before and
after hedging, to a PNG.

    /usr/bin/python3 record/examples/plot_exposure.py [--out FILE.png]
                     [--verify-crc] RECORDING_DIR

Reads the segments that hb-record wrote (no bus and no zmq needed), takes
the aggregator's pos.<asset> exposure messages (type 9) and plots net_usd
per asset against the receive time. The first fill of an order that
hb-hedger sent (or, without one, the first risk.hedge request) splits the
run into "before" and "after" hedging: a vertical line on the plot, and
one line per asset on stdout,

    BTC before 651234.50 after -1234.25

with the last net_usd before that moment and the last one in the recording.

Needs Debian's python3-msgpack and python3-matplotlib (run it with
/usr/bin/python3: a python3 from pyenv or a venv does not see them).

Formats (see record/hb_recording.h, common/hb_journal.h, docs/PROTOCOL.md):
  segment  DIR/seg-<first recv_ts>-<n>.hbr: "HBJ1", u32 version 1, then
           records [u32 length][u32 CRC-32C of the length bytes + payload]
           [payload], little-endian
  record   i64 recv_ts (ns) | u8 topic length | topic | bus payload
  payload  msgpack [version, type, publisher, epoch, seq,
                    ts_venue, ts_recv, ts_pub, body]
Checking the CRC is optional (--verify-crc; pure Python, slower): without
it a damaged record is still caught when its length runs past the end of
the file or its msgpack does not decode. Like hb-tap --in, a segment is read
up to its first bad record, with a warning, and reading goes on with the
next segment.
"""
import argparse
import glob
import os
import struct
import sys

import matplotlib
matplotlib.use("Agg")                   # no display needed
import matplotlib.pyplot as plt
import msgpack

MAGIC = b"HBJ1"
MAX_RECORD = 1 << 20                    # HB_JOURNAL_MAX_RECORD
TYPE_ORDER, TYPE_FILL, TYPE_EXPOSURE, TYPE_RISK_HEDGE = 3, 6, 9, 13


def _crc32c_table():
    table = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


CRC_TABLE = _crc32c_table()


def crc32c(data, crc=0):
    """CRC-32C (Castagnoli), chainable like hb_crc32c ()."""
    crc ^= 0xFFFFFFFF
    for byte in data:
        crc = CRC_TABLE[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def read_segment(path, verify_crc=False):
    """Yields (recv_ts, topic, payload bytes) for each record of a segment,
    stopping with a warning at the first bad one."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != MAGIC or struct.unpack_from("<I", data, 4)[0] != 1:
        print(f"{path}: not a version 1 hedgebus journal, skipped", file=sys.stderr)
        return
    offset = 8
    while offset < len(data):
        reason = None
        if len(data) - offset < 8:
            reason = "torn record header"
        else:
            length, crc = struct.unpack_from("<II", data, offset)
            record = data[offset + 8:offset + 8 + length]
            if length > MAX_RECORD or len(record) < length:
                reason = f"length {length} past the end of the file"
            elif verify_crc and crc32c(record, crc32c(data[offset:offset + 4])) != crc:
                reason = "CRC mismatch"
            elif length < 9 or 9 + record[8] > length:
                reason = "record too short"
        if reason:
            print(f"{path}: offset {offset}: {reason}; {len(data) - offset} bytes skipped",
                  file=sys.stderr)
            return
        recv_ts = struct.unpack_from("<q", record, 0)[0]
        topic = record[9:9 + record[8]].decode("ascii", "replace")
        yield recv_ts, topic, record[9 + record[8]:]
        offset += 8 + length


def read_messages(directory, verify_crc=False):
    """Yields (recv_ts, topic, type, publisher, body) for every bus message in
    the recording directory, in recording order; rec.* records and payloads
    that are not a well-formed message are left out."""
    for path in sorted(glob.glob(os.path.join(directory, "seg-*.hbr"))):
        for recv_ts, topic, payload in read_segment(path, verify_crc):
            if topic.startswith("rec."):
                continue                # the recorder's own gap / restart notes
            try:
                msg = msgpack.unpackb(payload, raw=False)
            except Exception as exc:    # damaged payload: skip just this one
                print(f"{path}: {topic}: bad msgpack ({exc})", file=sys.stderr)
                continue
            if isinstance(msg, list) and len(msg) == 9 and isinstance(msg[8], list):
                yield recv_ts, topic, msg[1], msg[2], msg[8]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("recording", help="directory written by hb-record")
    parser.add_argument("--out", default="exposure.png", help="PNG to write")
    parser.add_argument("--verify-crc", action="store_true",
                        help="check each record's CRC-32C (slower)")
    args = parser.parse_args()

    series = {}                         # asset -> ([t], [net_usd])
    hedger_orders = set()               # client ids of hb-hedger's orders
    fills = []                          # (recv_ts, client_id)
    first_request = None                # recv_ts of the first risk.hedge
    start = None
    for ts, topic, mtype, publisher, body in read_messages(args.recording, args.verify_crc):
        start = ts if start is None else start
        if mtype == TYPE_EXPOSURE and topic == "pos." + body[0]:
            times, values = series.setdefault(body[0], ([], []))
            times.append(ts)
            values.append(body[4])      # net_usd
        elif mtype == TYPE_ORDER and publisher == "hedger":
            hedger_orders.add(body[2])
        elif mtype == TYPE_FILL:
            fills.append((ts, body[2]))
        elif mtype == TYPE_RISK_HEDGE and first_request is None:
            first_request = ts
    if not series:
        sys.exit(f"{args.recording}: no pos.<asset> exposure message recorded")
    # matched after the loop: the fill and its order arrive on different
    # connections, so the fill may be recorded first
    hedge_ts = min((ts for ts, cid in fills if cid in hedger_orders), default=None)
    hedge_what = "first hedge fill"
    if hedge_ts is None:
        hedge_ts, hedge_what = first_request, "first risk.hedge"

    fig, ax = plt.subplots(figsize=(10, 5))
    for asset, (times, values) in sorted(series.items()):
        seconds = [(t - start) / 1e9 for t in times]
        ax.step(seconds, values, where="post", label=asset)
        if hedge_ts is None:
            print(f"{asset} no hedge; last {values[-1]:.2f}")
            continue
        before = [v for t, v in zip(times, values) if t < hedge_ts]
        print(f"{asset} before {before[-1] if before else float('nan'):.2f}"
              f" after {values[-1]:.2f}")
    if hedge_ts is not None:
        x = (hedge_ts - start) / 1e9
        ax.axvline(x, color="grey", linestyle="--", label=hedge_what)
        ax.text(x, 0.5, "before hedging  ", transform=ax.get_xaxis_transform(),
                ha="right", va="center")
        ax.text(x, 0.5, "  after hedging", transform=ax.get_xaxis_transform(),
                ha="left", va="center")
    ax.axhline(0, color="black", linewidth=0.5)
    ax.set_xlabel("seconds since the start of the recording (recv_ts)")
    ax.set_ylabel("net exposure, USD")
    ax.set_title(f"Net exposure per asset: {os.path.basename(os.path.abspath(args.recording))}")
    ax.legend(loc="center right")
    ax.grid(True, alpha=0.3)
    fig.tight_layout()
    fig.savefig(args.out, dpi=100)
    print(f"wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
