# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# The Debian package (make deb, scripts/deb.sh): what it declares, and that
# dpkg -i puts the module where the stock tgtd loads it from, a stock tgtd
# that loads the real module directory serves I/O with it, and dpkg -r takes
# it away.  This changes the machine's packages for a few seconds (root
# only); a tgt-rbd or an unpackaged bs_rbd.so that was there before is put
# back.  The test bed's tgtd runs on its own copy of the module and is not
# touched.

PKG_NAME=tgt-bs-rbd
PKG_LOCK=/run/lock/bs_rbd-package.lock
PKG_DEB=

# tgtd's module directory, found as the Makefile finds it
pkg_bsdir() { grep -ao '/[[:alnum:]/._-]*/backing-store' /usr/sbin/tgtd | head -n 1; }

pkg_status() { dpkg-query -W -f '${db:Status-Status}' "$1" 2>/dev/null; }

# pkg_deb: build the package once per run into $WORK/deb; sets PKG_DEB
pkg_deb()
{
	[ -n "$PKG_DEB" ] && [ -f "$PKG_DEB" ] && return 0
	PKG_DEB=$(scripts/deb.sh "$WORK/deb" 2>"$WORK/deb.log") && [ -f "$PKG_DEB" ] && return 0
	failed "scripts/deb.sh (see $WORK/deb.log)"
	tail -n 5 "$WORK/deb.log" | sed 's/^/      /'
	return 1
}

# dpkg_ ARGS...: dpkg, waiting up to 60 s for a concurrent apt/dpkg's lock
dpkg_()
{
	local out
	for _ in $(seq 60); do
		out=$(dpkg "$@" 2>&1) && return 0
		grep -q 'lock' <<<"$out" || break
		sleep 1
	done
	printf '%s\n' "$out" | tail -n 3 | sed 's/^/      dpkg: /'
	return 1
}

# inode of the bs_rbd.so process PID has mapped (field 5 of its maps; the
# path shown is relative to the bind mount of a private namespace)
mapped_inode() { awk '$6 ~ /\/bs_rbd\.so$/ { print $5; exit }' "/proc/$1/maps"; }

t_package_metadata()
{
	local f dep lo hi tv bsdir x
	pkg_deb || return 1
	bsdir=$(pkg_bsdir)
	for f in Provides Conflicts Replaces; do
		check "$f: tgt-rbd" test "$(dpkg-deb -f "$PKG_DEB" "$f")" = tgt-rbd
	done
	dep=$(dpkg-deb -f "$PKG_DEB" Depends)
	note "Depends: $dep"
	check "depends on librbd1" grep -q 'librbd1 (>= ' <<<"$dep"
	check "depends on librados2" grep -q 'librados2 (>= ' <<<"$dep"
	# bound to the installed tgt's release: any Debian revision of it
	lo=$(sed -n 's/.*tgt (>= \([^)]*\)).*/\1/p' <<<"$dep")
	hi=$(sed -n 's/.*tgt (<< \([^)]*\)).*/\1/p' <<<"$dep")
	tv=$(dpkg-query -W -f '${Version}' tgt)
	if [ -z "$lo" ] || [ -z "$hi" ]; then
		failed "no tgt (>= X), tgt (<< Y) range in Depends"
	else
		x=${tv#*:}
		check "lower bound is the installed tgt's release" \
			test "${lo#*:}" = "${x%-*}"
		check "installed tgt $tv satisfies the range" sh -c \
			"dpkg --compare-versions '$tv' ge '$lo' && dpkg --compare-versions '$tv' lt '$hi'"
		check "another revision of it does too" \
			dpkg --compare-versions "$lo-99" lt "$hi"
		for x in "${tv%%:*}:0.1-1" "${tv%%:*}:99-1"; do
			check "tgt $x is excluded" sh -c \
				"dpkg --compare-versions '$x' lt '$lo' || dpkg --compare-versions '$x' ge '$hi'"
		done
	fi
	f=$(dpkg-deb -c "$PKG_DEB" | awk '$1 ~ /^-/ { print $6 }' | sort | tr '\n' ' ')
	check "files: module in tgtd's BSDIR $bsdir, README.rbd, copyright, changelog" test \
		"$f" = "./usr/lib/tgt/backing-store/bs_rbd.so ./usr/share/doc/$PKG_NAME/README.rbd ./usr/share/doc/$PKG_NAME/changelog.gz ./usr/share/doc/$PKG_NAME/copyright "
	check "tgtd's BSDIR is /usr/lib/tgt/backing-store" test "$bsdir" = /usr/lib/tgt/backing-store
	rm -rf "$WORK/deb-x"
	dpkg-deb -x "$PKG_DEB" "$WORK/deb-x"
	x=$WORK/deb-x$bsdir/bs_rbd.so
	check "packaged module is ours (bsopts parser strings)" \
		grep -q 'known: conf, id, cluster, keyring, connect_timeout' "$x"
	check "packaged module needs librbd.so.1" sh -c "readelf -d '$x' | grep -q 'NEEDED.*librbd.so.1'"
	check "packaged module is stripped" sh -c "! readelf -S '$x' | grep -q '\.debug_info'"
	check "packaged module has Debian's hardening (BIND_NOW)" \
		sh -c "readelf -d '$x' | grep -q 'FLAGS.*BIND_NOW'"
	check "copyright says GPL-2" grep -q '^License: GPL-2$' "$WORK/deb-x/usr/share/doc/$PKG_NAME/copyright"
	rm -rf "$WORK/deb-x"
}

# State before the install case, put back after it.
pkg_save_state()
{
	local bsdir=$1
	PKG_OLD_RBD=$(pkg_status tgt-rbd | grep -qx installed && dpkg-query -W -f '${Version}' tgt-rbd)
	PKG_OLD_SO=
	if [ -f "$bsdir/bs_rbd.so" ] && ! dpkg -S "$bsdir/bs_rbd.so" >/dev/null 2>&1; then
		PKG_OLD_SO=$WORK/unpackaged-bs_rbd.so
		cp -p "$bsdir/bs_rbd.so" "$PKG_OLD_SO"
		note "saved an unpackaged $bsdir/bs_rbd.so (make install?)"
	fi
	[ -n "$PKG_OLD_RBD" ] && note "Debian's tgt-rbd $PKG_OLD_RBD is installed; it will be replaced, then put back"
	return 0
}

pkg_restore_state()
{
	local bsdir=$1 deb
	if [ -n "$PKG_OLD_RBD" ]; then
		deb=$(find /var/cache/apt/archives -name "tgt-rbd_${PKG_OLD_RBD//:/%3a}_*.deb" | head -n 1)
		if [ -n "$deb" ]; then
			dpkg_ -i "$deb" >/dev/null
		else
			DEBIAN_FRONTEND=noninteractive timeout 120 apt-get install -y -q \
				-o DPkg::Lock::Timeout=60 "tgt-rbd=$PKG_OLD_RBD" >/dev/null 2>&1
		fi
		check "Debian's tgt-rbd $PKG_OLD_RBD reinstalled" sh -c "dpkg-query -W -f '\${db:Status-Status} \${Version}' tgt-rbd | grep -qx 'installed $PKG_OLD_RBD'"
	fi
	if [ -n "$PKG_OLD_SO" ]; then
		cp -p "$PKG_OLD_SO" "$bsdir/bs_rbd.so"
		check "unpackaged bs_rbd.so put back" cmp -s "$PKG_OLD_SO" "$bsdir/bs_rbd.so"
	fi
}

# A stock tgtd on the real module directory (DIR bound over itself), LUN
# 1 of target 95 on a fresh image, data written and read back.
pkg_serve_io()
{
	local bsdir=$1 d=$WORK/pkg-tgtd ino img=$WORK/pkg-export
	TGT_CTRL='' TGT_PORT='' scripts/tgtd.sh start "$d" "$bsdir" >"$WORK/pkg-tgtd.log" 2>&1 8>&- ||
		{ failed "stock tgtd on $bsdir (see $WORK/pkg-tgtd.log)"; return 1; }
	(
		eval "$(cat "$d/tgtd.env")"
		export TGT_CTRL TGT_PORT
		check "tgtd on $bsdir lists the rbd backing store" sh -c \
			"tgtadm -C $TGT_CTRL --lld iscsi --mode system --op show |
				sed -n '/Backing stores:/,/Device types:/p' | grep -qw rbd"
		ino=$(mapped_inode "$TGT_PID")
		check "tgtd mapped the packaged file" test "$ino" = "$(stat -c %i "$bsdir/bs_rbd.so")"
		rbd_ create --size 16M rbd/pkg || { failed "rbd create"; exit 1; }
		target_new 95 && lun_new 95 1 rbd/pkg || { failed "LUN on the installed module"; exit 1; }
		check "qemu-io writes 0x95 through the LUN" \
			qemu-io -f raw -c 'write -P 0x95 0 1M' "$(lun_url 95 1)"
		check "a new session reads 0x95 back, zeros after it" \
			qemu-io -f raw -c 'read -P 0x95 0 1M' -c 'read -P 0 1M 1M' "$(lun_url 95 1)"
		target_del 95
		rbd_ export --no-progress rbd/pkg "$img" >/dev/null 2>&1
		check "the image holds the data (rbd export)" sh -c \
			"test \$(stat -c %s '$img') = 16777216 && test \$(head -c 1048576 '$img' | tr -d '\\225' | wc -c) = 0 &&
				test \$(head -c 1048576 '$img' | wc -c) = 1048576"
		exit "$case_failed"
	) || case_failed=1
	scripts/tgtd.sh stop "$d" >/dev/null 2>&1
	rm -f "$img"
	image_drop rbd/pkg
	return 0
}

t_package_install_serves_io_and_removes()
{
	local bsdir owner keep
	[ "$(id -u)" = 0 ] || { failed "dpkg -i needs root: run make check as root"; return 1; }
	bsdir=$(pkg_bsdir)
	pkg_deb || return 1
	# one package test at a time on this machine
	exec 8>"$PKG_LOCK"
	flock -w 120 8 || { failed "$PKG_LOCK is held"; exec 8>&-; return 1; }
	if [ "$(pkg_status "$PKG_NAME")" = installed ]; then
		failed "$PKG_NAME is installed already; this test would remove it (dpkg -r $PKG_NAME first)"
		exec 8>&-
		return 1
	fi
	pkg_save_state "$bsdir"
	# dpkg -r would remove the directory with the module (tgt does not own
	# it), under the feet of a concurrent scripts/tgtd.sh about to bind a
	# module directory over it; a dot file (tgtd skips those) keeps it.
	keep=
	if [ -d "$bsdir" ]; then
		keep=$bsdir/.$PKG_NAME-test
		touch "$keep"
	fi

	if dpkg_ -i "$PKG_DEB" >/dev/null; then
		check "$PKG_NAME installed" test "$(pkg_status "$PKG_NAME")" = installed
		owner=$(dpkg -S "$bsdir/bs_rbd.so" 2>/dev/null)
		check "dpkg -S: $bsdir/bs_rbd.so belongs to $PKG_NAME" \
			test "$owner" = "$PKG_NAME: $bsdir/bs_rbd.so"
		check "tgt-rbd is not installed next to it" \
			test "$(pkg_status tgt-rbd)" != installed
		check "README.rbd installed" test -f "/usr/share/doc/$PKG_NAME/README.rbd"
		pkg_serve_io "$bsdir"
	else
		failed "dpkg -i $PKG_DEB"
	fi

	# removal, whatever happened before
	dpkg_ -r "$PKG_NAME" >/dev/null || failed "dpkg -r $PKG_NAME"
	check "$PKG_NAME is not installed after dpkg -r" \
		test "$(pkg_status "$PKG_NAME")" != installed
	check "$bsdir/bs_rbd.so is gone" test ! -e "$bsdir/bs_rbd.so"
	check "its doc directory is gone" test ! -e "/usr/share/doc/$PKG_NAME"
	dpkg_ -P "$PKG_NAME" >/dev/null 2>&1
	[ -n "$keep" ] && rm -f "$keep"
	pkg_restore_state "$bsdir"
	exec 8>&-

	# the test bed's tgtd still runs on its own copy of the module
	check "test bed's tgtd still maps its own module" test \
		"$(mapped_inode "$TGT_PID")" = \
		"$(stat -c %i "$WORK/modules/bs_rbd.so")"
	return 0
}
