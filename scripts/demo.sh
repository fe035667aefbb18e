#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make demo: export an RBD image as an iSCSI LUN through bs_rbd.so in the
# stock tgtd, then write and read it back with real initiators.
#
# Everything runs on 127.0.0.1 under DEMO_DIR (default: a new /tmp dir):
# a throwaway one-mon one-osd Ceph cluster, a private tgtd, the initiators.
#   DEMO_KEEP=1   leave the cluster and tgtd running afterwards
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
dir=${DEMO_DIR:-$(mktemp -d /tmp/bs_rbd-demo.XXXXXX)}
iqn=iqn.2026-11.org.bs-rbd:demo
image=rbd/demo

if [ -t 1 ]; then bold='\033[1m' plain='\033[0m'; else bold='' plain=''; fi
step() { printf '\n%b== %s%b\n' "$bold" "$*" "$plain"; }

# run CMD...: show the command as one could paste it, then its output
run()
{
	local a line='$'
	for a in "$@"; do
		case $a in
		*[[:space:]\;\'\|]*) line="$line '$a'" ;;
		*) line="$line $a" ;;
		esac
	done
	printf '%s\n' "$line"
	"$@" 2>&1 | sed 's/^/    /'
	return "${PIPESTATUS[0]}"
}

cleanup()
{
	local rc=$?
	if [ "${DEMO_KEEP:-0}" = 1 ] && [ $rc -eq 0 ]; then
		step "Left running (DEMO_KEEP=1); stop with:"
		echo "    scripts/tgtd.sh stop $dir/tgtd"
		echo "    scripts/cluster.sh stop $dir/ceph"
		return
	fi
	step "Cleaning up"
	scripts/tgtd.sh stop "$dir/tgtd" >/dev/null 2>&1 || true
	scripts/cluster.sh stop "$dir/ceph" >/dev/null 2>&1 || true
	[ -n "${DEMO_DIR:-}" ] || rm -rf "$dir"
	echo "    stopped tgtd and the cluster"
	[ $rc -eq 0 ] || echo "demo FAILED (exit $rc)" >&2
}
trap cleanup EXIT

step "1. A throwaway Ceph cluster on 127.0.0.1 (one mon, one memstore osd)"
run scripts/cluster.sh start "$dir/ceph"
# shellcheck source=/dev/null
. "$dir/ceph/env"
export CEPH_CONF

step "2. An RBD image of 1 GiB"
run rbd create --size 1G "$image"
run rbd info "$image"

step "3. The stock tgtd, loading our bs_rbd.so"
mkdir -p "$dir/modules"
cp usr/bs_rbd.so "$dir/modules/"
run scripts/tgtd.sh start "$dir/tgtd" "$dir/modules"
# shellcheck source=/dev/null
. "$dir/tgtd/tgtd.env"
t="tgtadm -C $TGT_CTRL --lld iscsi"
run sh -c "$t --mode system --op show | sed -n '/Backing stores:/,/Device types:/p'"

step "4. Export the image as LUN 1 (as cephx client 'tgt')"
bsopts="conf=$dir/ceph/ceph.conf;id=tgt;keyring=$dir/ceph/ceph.client.tgt.keyring"
run $t --mode target --op new --tid 1 --targetname $iqn
run $t --mode logicalunit --op new --tid 1 --lun 1 --bstype rbd \
	--backing-store $image --bsopts "$bsopts"
run $t --mode target --op bind --tid 1 -I ALL
url=iscsi://127.0.0.1:$TGT_PORT/$iqn/1

step "5. An iSCSI initiator (libiscsi) looks at the LUN"
run iscsi-inq "$url"
run iscsi-readcapacity16 "$url"

step "6. Write a pattern through iSCSI and read it back verified (qemu-io)"
run qemu-io -f raw -c 'write -P 0xa5 1M 4M' -c 'read -P 0xa5 1M 4M' \
	-c 'write -P 0x5a 1020M 4M' -c 'read -P 0x5a 1020M 4M' "$url"

step "7. The data is in the RBD image: read it with librbd directly"
run qemu-io -r -f raw -c 'read -P 0xa5 1M 4M' -c 'read -P 0x5a 1020M 4M' \
	"rbd:$image:conf=$dir/ceph/ceph.conf"
run rbd du "$image"

step "Done: the image served as an iSCSI LUN, data verified both ways"
cat <<EOF
    To do this by hand on your own cluster:
      make && sudo make install && sudo systemctl restart tgt
      tgtadm --lld iscsi --mode target --op new --tid 1 --targetname $iqn
      tgtadm --lld iscsi --mode logicalunit --op new --tid 1 --lun 1 \\
          --bstype rbd --backing-store $image \\
          --bsopts 'conf=/etc/ceph/ceph.conf;id=tgt;keyring=/etc/ceph/ceph.client.tgt.keyring'
      tgtadm --lld iscsi --mode target --op bind --tid 1 -I ALL
      iscsi-readcapacity16 iscsi://127.0.0.1/$iqn/1
    See README.rbd for every option.
EOF
