# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# Runs last: after every other test, tgtd's log must not hold a key.

# No secret of the cluster's keyrings (client.tgt, client.admin) reaches
# tgtd's log or tgtadm's listing.  45-bad-input.sh checks its own wrong
# keys and its tgtadm output row by row.
t_key_not_logged()
{
	local kr key n=0 show
	show=$(tgtadm_ --mode target --op show 2>&1)
	for kr in "$CEPH_DIR"/ceph.client.*.keyring; do
		key=$(sed -n 's/^[[:space:]]*key[[:space:]]*=[[:space:]]*//p' "$kr")
		[ -n "$key" ] || { failed "no key in $kr"; continue; }
		n=$((n + 1))
		grep -qF -- "$key" "$TGT_LOG" && failed "key of $(basename "$kr") in tgtd's log"
		case "$show" in *"$key"*) failed "key of $(basename "$kr") in tgtadm's show" ;; esac
	done
	[ "$n" -ge 2 ] || failed "found $n keyrings to check, want client.tgt and client.admin"
}
