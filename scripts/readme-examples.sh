#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The examples of a plain-text document (README.rbd), for the test that
# runs them (test/integration/89-readme-examples.sh).  An example is a
# fenced block, indented like the text around it:
#
#     ```sh                   a shell example: the test runs it
#     ```sh check=NAME        the same, and the test then checks its effect
#                             with its function rm_check_NAME (a-z, 0-9, _)
#     ```sh norun: REASON     shown, not run; REASON says why (required)
#     ```conf file=PATH       a verbatim copy of PATH (from the top of the
#                             tree); any word may stand in for "conf"
#     ```                     closes the block
#
# usage: scripts/readme-examples.sh list FILE
#            one line per block: LINE<TAB>INFO, LINE of its opening fence
#        scripts/readme-examples.sh body FILE LINE
#            the block opened at LINE, without the fence's indentation
#        scripts/readme-examples.sh lint FILE
#            FILE:LINE: message for each of: an unclosed fence, an info
#            string none of the above, a body line indented less than its
#            fence, a file= block that differs from PATH, and a command
#            outside any block (an indented line that starts with a command
#            name these documents use: tgtadm, rbd, qemu-io, ...); exit 1
#            if there is any
set -eu

me=${0##*/}
die() { echo "$me: $*" >&2; exit 2; }
root=$(cd "$(dirname "$0")/.." && pwd)

# Commands that, indented outside a block, are an example nobody runs.
CMDS='tgtadm|tgt-admin|rbd|ceph|ceph-authtool|make|sudo|systemctl|apt|apt-get|'
CMDS+='iscsiadm|iscsi-[a-z0-9]+|qemu-[a-z0-9_-]+|chmod|cp|install|scripts/[^ ]+'

# parse FILE: records "B LINE INDENT INFO" (block), "L LINE TEXT" (body
# line, indentation removed), "E LINE MESSAGE" (error)
parse()
{
	awk -v cmds="^(sudo )?($CMDS)( |\$)" '
	function err(msg) { printf "E %d %s\n", NR, msg }
	{
		sub(/\r$/, "")
	}
	!inb && match($0, /^ *```/) {
		ind = RLENGTH - 3
		info = substr($0, RLENGTH + 1)
		if (info == "") {
			err("closing fence without an opening one")
			next
		}
		inb = 1
		start = NR
		printf "B %d %d %s\n", NR, ind, info
		next
	}
	inb && $0 ~ /^ *```$/ {
		if (index($0, "```") - 1 != ind)
			err("closing fence indented unlike its opening (line " start ")")
		inb = 0
		next
	}
	inb {
		if ($0 ~ /^ *$/) {
			printf "L %d \n", NR
			next
		}
		if (substr($0, 1, ind) !~ /^ *$/ || length($0) <= ind) {
			err("line indented less than its fence (line " start ")")
			next
		}
		printf "L %d %s\n", NR, substr($0, ind + 1)
		next
	}
	/^(    |\t)/ {
		line = $0
		sub(/^[ \t]+/, "", line)
		if (line ~ cmds)
			err("command outside a fenced block: " line)
	}
	END {
		if (inb)
			err("fence opened at line " start " is never closed")
	}' "$1"
}

# body FILE LINE: the body of the block opened at LINE
body()
{
	parse "$1" | awk -v l="$2" '
		$1 == "B" { on = ($2 == l) ; next }
		$1 == "L" && on { sub(/^L [0-9]+ /, ""); print }
		$1 == "E" { on = 0 }'
}

cmd_list()
{
	parse "$1" | awk '$1 == "B" { l = $2; sub(/^B [0-9]+ [0-9]+ /, ""); print l "\t" $0 }'
}

cmd_lint()
{
	local f=$1 bad=0 line info path
	while read -r tag line rest; do
		[ "$tag" = E ] || continue
		echo "$f:$line: $rest"
		bad=1
	done < <(parse "$f")
	while IFS=$'\t' read -r line info; do
		case $info in
		sh) ;;
		"sh check="*)
			if ! [[ ${info#sh check=} =~ ^[a-z0-9_]+$ ]]; then
				echo "$f:$line: bad check name in '$info' (a-z, 0-9, _)"
				bad=1
			fi
			;;
		"sh norun: "?*) ;;
		[a-z]*" file="?*)
			path=${info#* file=}
			if [ ! -f "$root/$path" ]; then
				echo "$f:$line: no file $path"
				bad=1
			elif ! body "$f" "$line" | cmp -s - "$root/$path"; then
				echo "$f:$line: block differs from $path:"
				body "$f" "$line" | diff "$root/$path" - | sed 's/^/    /'
				bad=1
			fi
			;;
		*)
			echo "$f:$line: unknown fence info '$info'" \
				"(sh, sh check=NAME, sh norun: REASON, WORD file=PATH)"
			bad=1
			;;
		esac
	done < <(cmd_list "$f")
	return $bad
}

[ $# -ge 2 ] || die "usage: $me list|lint FILE | body FILE LINE"
[ -f "$2" ] || die "no file $2"
case $1 in
list) [ $# = 2 ] || die "usage: $me list FILE"; cmd_list "$2" ;;
lint) [ $# = 2 ] || die "usage: $me lint FILE"; cmd_lint "$2" ;;
body) [ $# = 3 ] || die "usage: $me body FILE LINE"; body "$2" "$3" ;;
*) die "unknown command $1" ;;
esac
