#!/bin/bash
# Install the Debian packages needed to build and test bs_rbd.so.
# Usage: scripts/deps.sh [EXTRA_PACKAGE...]
# Idempotent: runs apt-get only when something is missing.
# SPDX-License-Identifier: GPL-2.0-only
set -eu
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

PKGS="build-essential pkg-config dpkg-dev tgt librbd-dev librados-dev
ceph-mon ceph-osd ceph-mgr ceph-common libiscsi-bin qemu-utils qemu-block-extra
xz-utils procps iproute2 util-linux libiscsi-dev python3-minimal"

installed() {
	dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null | grep -qx installed
}

missing=
for p in $PKGS "$@"; do
	installed "$p" || missing="$missing $p"
done

if [ -z "$missing" ]; then
	log "all packages present"
	exit 0
fi
[ "$(id -u)" = 0 ] || die "missing packages:$missing (run as root to install)"

log "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
log "done"
