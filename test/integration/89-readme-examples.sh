# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# Every example of README.rbd is true: its fenced blocks (see
# scripts/readme-examples.sh) are well formed, its targets.conf block is
# examples/targets.conf.rbd, and its ```sh blocks run, in the order of the
# file, against the test bed.
#
# Each ```sh block runs in its own `bash -e -o pipefail`, from the top of
# the tree, with the operator's names mapped to the test bed by sed
# (rm_subst) and two shell functions:
#   TARGET_HOST              -> 127.0.0.1:$TGT_PORT
#   /etc/ceph/, /etc/tgt/    -> $WORK/readme/etc/ceph/, .../etc/tgt/; its
#                               ceph.conf is the test cluster's, its
#                               targets.conf includes conf.d/*.conf as
#                               Debian's does
#   client.tgt, id=tgt       -> client.readme, id=readme: a client made
#                               by README's own `ceph auth` example, so its
#                               caps are the ones README recommends
#   pool vms                 -> rbd2
#   192.168.10.0/24          -> 127.0.0.0/8
#   tgtadm                   -> tgtadm -C $TGT_CTRL
#   tgt-admin                -> tgt-admin -C $TGT_CTRL -c .../targets.conf,
#                               after the same sed on .../conf.d/*.conf
# What the examples create (targets, accounts, images, cephx clients) is
# removed afterwards: whatever exists then and did not before.  A block
# opened with ```sh check=NAME is then checked by rm_check_NAME BLOCK OUTPUT
# (its text after the sed, and what it printed): the example must also
# have had its effect.

RM=$WORK/readme

rm_subst()
{
	cat <<EOF
s|TARGET_HOST|127.0.0.1:$TGT_PORT|g
s|/etc/ceph/|$RM/etc/ceph/|g
s|/etc/tgt/|$RM/etc/tgt/|g
s|client\\.tgt\\b|client.readme|g
s|id=tgt\\b|id=readme|g
s|\\bvms/|rbd2/|g
s|pool=vms\\b|pool=rbd2|g
s|192\\.168\\.10\\.0/24|127.0.0.0/8|g
s|/var/run/tgtd/bs_rbd\\.0\\.stats|/var/run/tgtd/bs_rbd.$TGT_CTRL.stats|g
EOF
}

rm_prologue()
{
	cat <<EOF
export CEPH_CONF='$RM/etc/ceph/ceph.conf'
tgtadm() { command tgtadm -C '$TGT_CTRL' "\$@"; }
tgt-admin()
{
	local f
	for f in '$RM'/etc/tgt/conf.d/*.conf; do
		[ -f "\$f" ] && sed -i -f '$RM/subst.sed' "\$f"
	done
	command tgt-admin -C '$TGT_CTRL' -c '$RM/etc/tgt/targets.conf' "\$@"
}
EOF
}

rm_prepare()
{
	rm -rf "$RM"
	mkdir -p "$RM/etc/ceph" "$RM/etc/tgt/conf.d" &&
		cp "$CEPH_CONF" "$RM/etc/ceph/ceph.conf" &&
		echo "include $RM/etc/tgt/conf.d/*.conf" >"$RM/etc/tgt/targets.conf" &&
		rm_subst >"$RM/subst.sed" && rm_prologue >"$RM/prologue.sh"
}

# What examples can leave behind, one line per thing.
rm_state()
{
	tgtadm_ --mode target --op show | sed -n 's/^Target \([0-9]*\):.*/tid \1/p'
	tgtadm_ --mode account --op show | sed -n 's/^    \(.*\)/account \1/p'
	rbd_ ls rbd | sed 's|^|image rbd/|'
	rbd_ ls rbd2 | sed 's|^|image rbd2/|'
	ceph -c "$CEPH_CONF" auth ls 2>/dev/null | sed -n 's/^\(client\..*\)/auth \1/p'
}

# rm_cleanup BEFORE: remove what exists now and is not in BEFORE; targets
# first (they hold the images), clients last
rm_cleanup()
{
	local kind name
	while read -r kind name; do
		case $kind in
		tid) target_del "$name" ;;
		account) tgtadm_ --mode account --op delete --user "$name" >/dev/null 2>&1 ;;
		image)
			rbd_ snap purge "$name" >/dev/null 2>&1
			rbd_ rm "$name" >/dev/null 2>&1 || note "could not remove image $name"
			;;
		auth) ceph -c "$CEPH_CONF" auth rm "$name" >/dev/null 2>&1 ;;
		esac
	done < <(comm -13 <(sort <<<"$1") <(rm_state | sort) |
		sort -s -k1,1 -t ' ' | awk '{ print index("tid account image auth", $1), $0 }' |
		sort -s -n -k1,1 | cut -d' ' -f2-)
	rm -rf "$RM"
}

# rm_check_qos_iops BLOCK OUTPUT: the block set rbd_qos_iops_limit L on
# the image of a LUN and read N blocks through the LUN with qemu-img bench.
# At L IOPS they take (N - L) / L s at least, even if librbd let one
# second's worth (L) through at once; a limit can only slow I/O down, so
# only a lower bound is checked, with room for timer granularity: 3/4 of
# it.  Without the limit the reads take a few hundredths of a second.
rm_check_qos_iops()
{
	local text l n s
	text=$(sed -e ':a' -e '/\\$/N; s/\\\n//; ta' <<<"$1")
	l=$(sed -n 's/.*rbd_qos_iops_limit \([0-9][0-9]*\).*/\1/p' <<<"$text" | head -n 1)
	n=$(sed -n 's/.*qemu-img bench .*-c \([0-9][0-9]*\) .*/\1/p' <<<"$text" | head -n 1)
	s=$(sed -n 's/^Run completed in \([0-9.]*\) seconds\.$/\1/p' <<<"$2")
	if [ -z "$l" ] || [ -z "$n" ] || [ "${l:-0}" -lt 1 ] || [ "$n" -lt $((3 * l)) ]; then
		failed "qos_iops: the example needs rbd_qos_iops_limit L > 0 and" \
			"qemu-img bench -c N with N >= 3 L (found L='$l' N='$n')"
		return 1
	fi
	[ -n "$s" ] || { failed "qos_iops: no 'Run completed in' from qemu-img bench"; return 1; }
	if awk -v s="$s" -v n="$n" -v l="$l" 'BEGIN { exit !(s >= (n - l) / l * 0.75) }'; then
		note "qos_iops: $n reads at rbd_qos_iops_limit $l took $s s"
	else
		failed "qos_iops: $n reads at rbd_qos_iops_limit $l took $s s," \
			"less than $(awk -v n="$n" -v l="$l" 'BEGIN { print (n - l) / l * 0.75 }') s:" \
			"the limit did not hold the LUN"
	fi
}

t_readme_examples_lint()
{
	local out
	if ! out=$(scripts/readme-examples.sh lint README.rbd 2>&1); then
		failed "README.rbd's examples:"
		sed 's/^/      /' <<<"$out"
	fi
}

t_readme_examples_run()
{
	local before line info ran=0 out mark check
	rm_prepare || { failed "preparing $RM"; return 1; }
	before=$(rm_state)
	# the examples use tid 1, and tgt-admin --update ALL deletes every
	# target that targets.conf does not name
	if out=$(grep '^tid ' <<<"$before"); then
		failed "targets left by earlier cases: $out"
		return 1
	fi
	while IFS=$'\t' read -r line info; do
		check=''
		case $info in
		sh) ;;
		"sh check="*)
			check=rm_check_${info#sh check=}
			if ! declare -F "$check" >/dev/null; then
				failed "README.rbd:$line: no function $check for '$info'"
				break
			fi
			;;
		"sh norun: "*) note "not run: README.rbd:$line (${info#sh norun: })"; continue ;;
		*) continue ;;
		esac
		{
			echo ". '$RM/prologue.sh'"
			scripts/readme-examples.sh body README.rbd "$line" | sed -f "$RM/subst.sed"
		} >"$RM/block.sh"
		mark=$(log_mark)
		if ! out=$(timeout 120 bash -e -o pipefail "$RM/block.sh" 2>&1); then
			failed "README.rbd:$line: the example failed:"
			sed 's/^/      | /' "$RM/block.sh" | tail -n +2
			sed 's/^/      > /' <<<"$out" | tail -n 15
			log_since "$mark" | tail -n 5 | sed 's/^/      log: /'
			break
		fi
		ran=$((ran + 1))
		if [ -n "$check" ] && ! "$check" "$(tail -n +2 "$RM/block.sh")" "$out"; then
			note "README.rbd:$line: the example ran, its effect is missing"
			break
		fi
	done < <(scripts/readme-examples.sh list README.rbd)
	note "$ran examples run"
	[ "$ran" -gt 0 ] || failed "no example run"
	rm_cleanup "$before"
}
