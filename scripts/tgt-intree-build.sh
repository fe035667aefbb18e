#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Build bs_rbd.so the way a distribution package of tgt does: inside a copy
# of tgt's source tree, with tgt's own Makefile and `make CEPH_RBD=1`, our
# usr/bs_rbd*.[ch] in place of upstream's bs_rbd.c.
#
# usage: scripts/tgt-intree-build.sh TGT_SRC OUT_DIR
#   TGT_SRC  a tgt source tree (e.g. the one `make` fetched under build/)
#   OUT_DIR  receives the copy; OUT_DIR/usr/bs_rbd.so is the result
set -eu

me=${0##*/}
die() { echo "$me: $*" >&2; exit 1; }
[ $# -eq 2 ] || die "usage: $me TGT_SRC OUT_DIR"
src=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")/.." && pwd)
[ -f "$src/usr/Makefile" ] || die "$src is not a tgt source tree"

rm -rf "$2"
cp -r "$src" "$2"
rm -f "$2"/usr/bs_rbd.c
cp "$here"/usr/bs_rbd*.c "$here"/usr/bs_rbd*.h "$2/usr/"

# tgt's rule compiles bs_rbd.c alone; make it compile all of ours.
sed -i 's/^bs_rbd\.so: bs_rbd\.c$/bs_rbd.so: $(wildcard bs_rbd*.c)/;
	s/-fPIC $(LIBCFLAGS) bs_rbd\.c -o bs_rbd\.so/-fPIC $(LIBCFLAGS) $(wildcard bs_rbd*.c) -o bs_rbd.so/' \
	"$2/usr/Makefile"
grep -q 'wildcard bs_rbd\*\.c) -o bs_rbd\.so' "$2/usr/Makefile" ||
	die "tgt's usr/Makefile has no bs_rbd.so rule this script knows"
make -C "$2/usr" CEPH_RBD=1 bs_rbd.so
