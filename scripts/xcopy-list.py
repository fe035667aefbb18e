#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Write an EXTENDED COPY (LID1) parameter list, for tests and benchmarks.

  xcopy-list.py OUT LIST_ID USAGE BLOCK_LEN VPD83_FILE... -- SEG...

One identification CSCD descriptor (0xE4) per VPD page 0x83 file (as
INQUIRY returned it: the first designator, the NAA one, and BLOCK_LEN as
the disk block length), one block to block segment descriptor (0x02) per
SEG "SRC_INDEX:DST_INDEX:BLOCKS:SRC_LBA:DST_LBA".  USAGE is LIST ID USAGE
(0 hold, 2 no hold, 3 no list id).
"""
import struct
import sys


def cscd(page, block_len):
    d = page[4:]
    n = d[3]
    return (bytes([0xe4, 0, 0, 0, d[0] & 15, d[1] & 0x3f, 0, n]) +
            d[4:4 + n] + bytes(20 - n) + struct.pack(">I", block_len))


def segment(text):
    si, di, nb, sl, dl = (int(x) for x in text.split(":"))
    return struct.pack(">BBHHHHHQQ", 2, 0, 0x18, si, di, 0, nb, sl, dl)


def main(argv):
    out, list_id, usage, block_len = argv[0], int(argv[1]), int(argv[2]), \
        int(argv[3])
    rest = argv[4:]
    pages, segs = rest[:rest.index("--")], rest[rest.index("--") + 1:]
    tds = b"".join(cscd(open(p, "rb").read(), block_len) for p in pages)
    sds = b"".join(segment(s) for s in segs)
    hdr = struct.pack(">BBHIII", list_id, usage << 3, len(tds), 0, len(sds), 0)
    with open(out, "wb") as f:
        f.write(hdr + tds + sds)


if __name__ == "__main__":
    main(sys.argv[1:])
