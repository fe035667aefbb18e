#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Build bs_rbd.so the way a distribution package of tgt does: inside a copy
# of tgt's source tree, with tgt's own Makefile and `make CEPH_RBD=1`, our
# usr/bs_rbd*.[ch] in place of upstream's bs_rbd.c.
#
# None of tgt's lines in usr/Makefile is changed: our rule (--rule prints
# it) is appended.  Its recipe replaces tgt's for bs_rbd.so whatever that
# says (GNU make keeps a target's last recipe and warns "overriding recipe
# for target 'bs_rbd.so'"), and compiles every bs_rbd*.c there.  It names
# nothing but bs_rbd.so, so tgtd and the other modules build as tgt says.
#
# usage: scripts/tgt-intree-build.sh [--all] TGT_SRC OUT_DIR
#        scripts/tgt-intree-build.sh --rule  (print the rule, for a package:
#                                   `... --rule >>TGT_SRC/usr/Makefile`)
#   TGT_SRC  a tgt source tree (e.g. the one `make` fetched under build/)
#   OUT_DIR  receives the copy; OUT_DIR/usr/bs_rbd.so is the result
#   --all    build tgt's programs too, as a package does (`make CEPH_RBD=1
#            programs` at the top: tgtd, tgtadm, tgtimg, bs_rbd.so), and
#            check that each symbol bs_rbd.so needs is in that tgtd or in
#            a library of the two; default: only bs_rbd.so
set -eu

me=${0##*/}
die() { echo "$me: $*" >&2; exit 1; }

# tgt's CFLAGS less -fPIE/-pie (as Debian's LIBCFLAGS), our symbols hidden
# as in our own Makefile, LDFLAGS before the libraries (for --as-needed).
rule() {
	cat <<'EOF'

# bs_rbd: all of bs_rbd*.c make bs_rbd.so; this recipe replaces the one
# above (added by bs_rbd's scripts/tgt-intree-build.sh --rule)
BS_RBD_SRCS = $(sort $(wildcard bs_rbd*.c))
bs_rbd.so: $(BS_RBD_SRCS) $(wildcard bs_rbd*.h)
	$(CC) $(CPPFLAGS) -shared -fPIC -fvisibility=hidden \
		$(filter-out -fPIE -pie,$(CFLAGS)) $(BS_RBD_SRCS) -o $@ \
		$(filter-out -fPIE -pie,$(LDFLAGS)) -lrbd -lrados -lpthread
EOF
}

# unresolved SO EXE: the undefined symbols of SO that neither EXE nor a
# library of SO or EXE defines.
unresolved() {
	local f libs
	libs=$( (ldd "$1" && ldd "$2") |
		awk '$2 == "=>" && $3 ~ /^\// {print $3}' | sort -u)
	# shellcheck disable=SC2086
	comm -23 \
		<(nm -D --undefined-only "$1" | awk '$1 == "U" {print $2}' |
			sed 's/@.*//' | sort -u) \
		<(for f in "$2" $libs; do nm -D --defined-only "$f"; done |
			awk '{print $NF}' | sed 's/@.*//' | sort -u)
}

all=0
case ${1:-} in
--rule)
	rule
	exit 0
	;;
--all)
	all=1
	shift
	;;
esac
[ $# -eq 2 ] || die "usage: $me [--all] TGT_SRC OUT_DIR | --rule"
src=$(cd "$1" && pwd)
out=$2
here=$(cd "$(dirname "$0")/.." && pwd)
[ -f "$src/usr/Makefile" ] || die "$src is not a tgt source tree"
[ -f "$here/usr/bs_rbd.c" ] || die "no usr/bs_rbd.c (tgt's rule names it)"

# tgt's own make, without the variables of a make that runs this script
unset MAKEFLAGS MFLAGS MAKELEVEL
rm -rf "$out"
cp -r "$src" "$out"
rm -f "$out"/usr/bs_rbd*.[ch] "$out"/usr/*.[od] "$out"/usr/*.so
cp "$here"/usr/bs_rbd*.c "$here"/usr/bs_rbd*.h "$out/usr/"
rule >>"$out/usr/Makefile"

if [ "$all" = 1 ]; then
	make -C "$out" CEPH_RBD=1 programs
else
	make -C "$out/usr" CEPH_RBD=1 bs_rbd.so
fi
so=$out/usr/bs_rbd.so
srcs=("$out"/usr/bs_rbd*.c)
for f in "${srcs[@]}"; do
	readelf -sW "$so" | grep -q " FILE .* ${f##*/}$" ||
		die "bs_rbd.so was not compiled from ${f##*/}"
done
if [ "$all" = 1 ]; then
	missing=$(unresolved "$so" "$out/usr/tgtd" | tr '\n' ' ')
	[ -z "$missing" ] || die "bs_rbd.so needs what tgtd lacks: $missing"
	echo "$me: bs_rbd.so, from ${#srcs[@]} files, resolves in this tgtd"
fi
