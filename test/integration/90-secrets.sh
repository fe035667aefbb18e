# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# Runs last: after every other test, tgtd's log must not hold the key.

# The keyring's secret never reaches tgtd's log.
t_key_not_logged()
{
	local key
	key=$(sed -n 's/^[[:space:]]*key[[:space:]]*=[[:space:]]*//p' "$CEPH_DIR/ceph.client.tgt.keyring")
	[ -n "$key" ] || { failed "no key in the test keyring"; return 1; }
	check "key absent from tgtd's log" sh -c "! grep -qF -- '$key' '$TGT_LOG'"
}
