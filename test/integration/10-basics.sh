# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# The module loads into the stock tgtd, and an image becomes a LUN.

t_backing_store_listed()
{
	check "tgtadm lists the rbd backing store" \
		sh -c "tgtadm -C $TGT_CTRL --lld iscsi --mode system --op show |
			sed -n '/Backing stores:/,/Device types:/p' | grep -qw rbd"
}

t_lun_size_and_geometry()
{
	local out
	rbd_ create --size 100M rbd/geo || return 1
	target_new 10 && lun_new 10 1 rbd/geo || failed "LUN creation"
	out=$(iscsi-readcapacity16 "$(lun_url 10 1)") || failed "readcapacity16"
	# 100 MiB in 512-byte blocks: last LBA 204799
	check "capacity is the image size" grep -q "RETURNED LOGICAL BLOCK ADDRESS:204799" <<<"$out"
	check "512-byte logical blocks" grep -q "LOGICAL BLOCK LENGTH IN BYTES:512" <<<"$out"
	# 4 KiB physical blocks (2^3 logical), not the 4 MiB object size
	check "4 KiB physical block" grep -q "LOGICAL BLOCKS PER PHYSICAL BLOCK EXPONENT:3" <<<"$out"
	out=$(iscsi-inq "$(lun_url 10 1)") || failed "inquiry"
	check "inquiry answers a disk" grep -q "Peripheral Device Type:DIRECT_ACCESS" <<<"$out"
	target_del 10
	image_drop rbd/geo
}

t_lun_show()
{
	local out
	rbd_ create --size 16M rbd/show || return 1
	target_new 11 && lun_new 11 1 rbd/show || failed "LUN creation"
	out=$(target_show 11)
	check "show names the backing store type" grep -q "Backing store type: rbd" <<<"$out"
	check "show names the image" grep -q "Backing store path: rbd/show" <<<"$out"
	target_del 11
	image_drop rbd/show
}

# The module also builds inside tgt's own tree with tgt's Makefile
# (CEPH_RBD=1), as a distribution package would build it, and that build
# serves I/O in a second stock tgtd.
t_builds_and_runs_in_tgt_tree()
{
	local out=$WORK/intree d=$WORK/intree-tgtd env
	if ! scripts/tgt-intree-build.sh "$(dirname "$(cat build/tgt-inc)")" "$out" >"$WORK/intree.log" 2>&1; then
		failed "in-tree build (see $WORK/intree.log)"
		tail -n 5 "$WORK/intree.log"
		return 1
	fi
	mkdir -p "$out/mod"
	cp "$out/usr/bs_rbd.so" "$out/mod/"
	TGT_CTRL='' TGT_PORT='' scripts/tgtd.sh start "$d" "$out/mod" >/dev/null 2>&1 ||
		{ failed "second tgtd with the in-tree module"; return 1; }
	env=$(cat "$d/tgtd.env")
	(
		eval "$env"
		export TGT_CTRL TGT_PORT
		rbd_ create --size 8M rbd/intree &&
			target_new 12 && lun_new 12 1 rbd/intree &&
			qemu-io -f raw -c 'write -P 0x21 0 1M' -c 'read -P 0x21 0 1M' \
				"$(lun_url 12 1)" >/dev/null
	) || failed "I/O through the in-tree build"
	scripts/tgtd.sh stop "$d" >/dev/null 2>&1
	image_drop rbd/intree
}

# make install honours DESTDIR and finds tgtd's module directory itself.
t_make_install_destdir()
{
	local dest=$WORK/destdir
	make --no-print-directory install DESTDIR="$dest" >/dev/null 2>&1 ||
		{ failed "make install DESTDIR=$dest"; return 1; }
	check "installed into tgtd's BSDIR under DESTDIR" \
		cmp -s usr/bs_rbd.so "$dest/usr/lib/tgt/backing-store/bs_rbd.so"
	check "nothing else installed" \
		test "$(find "$dest" -type f | wc -l)" -eq 1
}
