# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# A LU's SCSI identity (VPD 0x80 serial, VPD 0x83 designators) comes from
# its image: the same image at any tid/lun of any gateway is one device,
# which multipath merges; another image, or a snapshot, never is.  tgt
# derives both from tid/lun, so two gateways exporting different images
# at the same tid/lun looked like one device (multipath would mix their
# data) and one image at two tid/luns like two.

ID_TID=48

# id_vpd URL PAGE: the page's body (after its 4-byte header), in hex
id_vpd()
{
	local f=$WORK/id.vpd r
	r=$("$SCSI_CMD" -r 255 -o "$f" "$1" "1201${2}00ff00") || return 1
	case "$r" in status=0x00*) ;; *) return 1 ;; esac
	od -An -tx1 -v "$f" | tr -d ' \n' | cut -c9-
}

# id_lu_desigs HEX: the designators of page 0x83 about the LU itself
# (association 0), not those about the port the page came through
id_lu_desigs()
{
	python3 -c 'import sys
d, out, i = bytes.fromhex(sys.argv[1]), "", 0
while i + 4 <= len(d):
    n = 4 + d[i + 3]
    if not d[i + 1] & 0x30:
        out += d[i:i + n].hex()
    i += n
print(out)' "$1"
}

# id_of URL: "serial page83" of the LU, one line
id_of() { echo "$(id_vpd "$1" 80) $(id_lu_desigs "$(id_vpd "$1" 83)")"; }

# id_lun TID LUN SPEC [EXTRA_BSOPTS]
id_lun() { tgtadm_ --mode logicalunit --op new --tid "$1" --lun "$2" \
	--bstype rbd --backing-store "$3" --bsopts "$BSOPTS${4:+;$4}"; }

t_identity_from_the_image()
{
	local a1 a2 b s d
	rbd_ create --size 8M rbd/id-a && rbd_ create --size 8M rbd/id-b &&
		rbd_ snap create rbd/id-a@s >/dev/null || return 1
	target_new $ID_TID && target_new $((ID_TID + 1)) || return 1
	id_lun $ID_TID 1 rbd/id-a && id_lun $((ID_TID + 1)) 2 rbd/id-a &&
		id_lun $ID_TID 2 rbd/id-b && id_lun $((ID_TID + 1)) 1 rbd/id-a@s ||
		{ failed "LUNs"; return 1; }
	a1=$(id_of "$(lun_url $ID_TID 1)")
	a2=$(id_of "$(lun_url $((ID_TID + 1)) 2)")
	b=$(id_of "$(lun_url $ID_TID 2)")
	s=$(id_of "$(lun_url $((ID_TID + 1)) 1)")
	note "rbd/id-a: $a1"
	[ -n "${a1% *}" ] && [ -n "${a1#* }" ] || failed "no identity read"
	[ "$a1" = "$a2" ] || failed "one image at two tid/luns: '$a1' vs '$a2'"
	[ "${a1% *}" != "${b% *}" ] || failed "two images, one serial"
	[ "${a1#* }" != "${b#* }" ] || failed "two images, one page 0x83"
	[ "${a1#* }" != "${s#* }" ] || failed "an image and its snapshot, one page 0x83"
	# the first designator: binary, NAA (SPC-4 7.8.6), 8 bytes, NAA 3
	d=${a1#* }
	[ "${d:0:8}" = 01030008 ] && [ "${d:8:1}" = 3 ] ||
		failed "page 0x83 does not start with an NAA designator: $d"
	target_del $ID_TID
	target_del $((ID_TID + 1))
	rbd_ snap purge rbd/id-a >/dev/null 2>&1
	image_drop rbd/id-a
	image_drop rbd/id-b
}

# The identity follows the image through a rename and a new LUN; an
# administrator's scsi_id and scsi_sn replace it.
t_identity_rename_and_override()
{
	local before after mine
	rbd_ create --size 8M rbd/id-c || return 1
	target_new $ID_TID || return 1
	id_lun $ID_TID 1 rbd/id-c || { failed "LUN"; return 1; }
	before=$(id_of "$(lun_url $ID_TID 1)")
	lun_del $ID_TID 1 && rbd_ mv rbd/id-c rbd/id-c2 &&
		id_lun $ID_TID 3 rbd/id-c2 || { failed "rename and new LUN"; return 1; }
	after=$(id_of "$(lun_url $ID_TID 3)")
	[ -n "${before% *}" ] && [ "$before" = "$after" ] ||
		failed "renamed image: '$before' vs '$after'"
	tgtadm_ --mode logicalunit --op update --tid $ID_TID --lun 3 \
		--params scsi_sn=ADMINSN1,scsi_id=admin-id-1 || failed "tgtadm update"
	mine=$(id_of "$(lun_url $ID_TID 3)")
	[ "${mine% *}" != "${after% *}" ] && [[ ${mine% *} == *41444d494e534e31 ]] ||
		failed "scsi_sn= not in page 0x80: ${mine% *}"
	[[ ${mine#* } == *61646d696e2d69642d31* ]] && [ "${mine#* }" != "${after#* }" ] ||
		failed "scsi_id= not in page 0x83: ${mine#* }"
	target_del $ID_TID
	image_drop rbd/id-c2
}

# Two gateways (tgtds on 127.0.0.1 and 127.0.0.2): one image is one device
# across them, and libiscsi's MultipathIO.Simple (write on one path, read
# on the other) passes on it; a different image at the same tid/lun on the
# other gateway is another device.  COMPARE AND WRITE stays atomic across
# the gateways (librbd's compare-and-write on the objects), and a LUN
# reset through one gateway is a unit attention on the other's nexuses.
t_identity_two_gateways_multipath()
{
	local d=$WORK/gw2 env2 port2 ctrl2 u1 u2 ub out t
	rbd_ create --size 64M rbd/id-mp && rbd_ create --size 8M rbd/id-other ||
		return 1
	TGT_ADDR=127.0.0.2 TGT_CTRL='' TGT_PORT='' \
		scripts/tgtd.sh start "$d" "$WORK/modules" >/dev/null 2>&1 ||
		{ failed "second gateway"; return 1; }
	env2=$(cat "$d/tgtd.env")
	ctrl2=$(sed -n 's/^TGT_CTRL=//p' <<<"$env2")
	port2=$(sed -n 's/^TGT_PORT=//p' <<<"$env2")
	target_new $ID_TID && id_lun $ID_TID 1 rbd/id-mp "gateway=gw1" ||
		{ failed "gateway 1"; return 1; }
	TGT_CTRL=$ctrl2 target_new 7 &&
		TGT_CTRL=$ctrl2 id_lun 7 2 rbd/id-mp "gateway=gw2" &&
		TGT_CTRL=$ctrl2 target_new $ID_TID &&
		TGT_CTRL=$ctrl2 id_lun $ID_TID 1 rbd/id-other ||
		{ failed "gateway 2"; scripts/tgtd.sh stop "$d" >/dev/null 2>&1; return 1; }
	u1=$(lun_url $ID_TID 1)
	u2="iscsi://127.0.0.2:$port2/$(iqn t7)/2"
	ub="iscsi://127.0.0.2:$port2/$(iqn t$ID_TID)/1"
	[ "$(id_of "$u1")" = "$(id_of "$u2")" ] ||
		failed "one image on two gateways: two identities"
	[ "$(id_of "$u1")" != "$(id_of "$ub")" ] ||
		failed "two images at the same tid/lun of two gateways: one identity"
	# libiscsi's MultipathIO on one path per gateway (a fresh image: its
	# CompareAndWrite tests leave LBA 256 changed); Reset resets the LU
	# through each gateway and wants the unit attention on both
	for t in Simple CompareAndWrite CompareAndWriteAsync Reset; do
		out=$(timeout 120 iscsi-test-cu -d -n -t "ALL.MultipathIO.$t" \
			"$u1" "$u2" 2>&1)
		# a write through the other path moves the image's lock, and
		# the gateways may say so (2A/06) at any command, which the
		# test takes for a failure: once more, on the blocks zeroed
		if grep -q "ASCQ (null)(0x2a06)" <<<"$out"; then
			note "MultipathIO.$t met ASYMMETRIC ACCESS STATE CHANGED: again"
			qemu-io -f raw -c "write -z 0 1M" "$u1" >/dev/null
			out=$(timeout 120 iscsi-test-cu -d -n -t \
				"ALL.MultipathIO.$t" "$u1" "$u2" 2>&1)
		fi
		# CUnit's summary: tests Total Ran Passed Failed
		[ "$(awk '$1 == "tests" { print $3, $4, $5 }' <<<"$out")" = "1 1 0" ] ||
			failed "MultipathIO.$t: $(grep -E 'match|FAIL|tests ' <<<"$out" | head -n 3)"
	done
	scripts/tgtd.sh stop "$d" >/dev/null 2>&1 || failed "stopping gateway 2"
	target_del $ID_TID
	image_drop rbd/id-mp
	image_drop rbd/id-other
}
