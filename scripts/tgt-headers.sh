#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Print the include directory of tgt's headers to build bs_rbd.so against,
# after checking that they belong to the same tgt version as the installed
# tgtd (a module built against other headers may not match its structs).
#
# usage: scripts/tgt-headers.sh BUILD_DIR [TGT_SRC]
#   TGT_SRC             a tgt source tree to use instead of fetching
#   TGT_VERSION_CHECK=0 skip the version check (e.g. a build-only check
#                       against another tgt release)
set -eu

me=${0##*/}
die() { echo "$me: $*" >&2; exit 1; }

build=$1
src=${2:-}
here=$(cd "$(dirname "$0")" && pwd)

if [ -z "$src" ]; then
	src=$("$here/fetch-tgt-src.sh" "$build")
fi
[ -f "$src/usr/tgtd.h" ] || die "$src is not a tgt source tree (no usr/tgtd.h)"

hdr_ver=$(sed -n 's/^VERSION[[:space:]]*?*=[[:space:]]*//p' "$src/Makefile" | head -n 1)
[ -n "$hdr_ver" ] || die "cannot read VERSION from $src/Makefile"

if [ "${TGT_VERSION_CHECK:-1}" != 0 ]; then
	tgtd=${TGTD:-/usr/sbin/tgtd}
	[ -x "$tgtd" ] || die "no tgtd at $tgtd: install tgt, or set TGT_VERSION_CHECK=0 for a build-only check"
	run_ver=$("$tgtd" --version 2>/dev/null | head -n 1 | tr -d '[:space:]')
	if [ "$run_ver" != "$hdr_ver" ]; then
		die "tgt headers in $src are version $hdr_ver but the installed tgtd is $run_ver; a module must be built against the headers of the tgtd that loads it (set TGT_VERSION_CHECK=0 to build anyway, e.g. for a compile check)"
	fi
fi
echo "$src/usr"
