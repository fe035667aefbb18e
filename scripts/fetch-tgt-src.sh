#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Fetch the Debian source package of exactly the installed tgt version into
# BUILD_DIR and print the path of the unpacked tree.  tgt's headers are not
# packaged, and a backing-store module must be compiled against the headers
# of the tgtd that loads it.
#
# A private apt state (lists, cache, deb-src sources derived from the
# system's own "deb" entries) lives under BUILD_DIR/apt; the system's apt
# configuration is never modified.
#
# usage: scripts/fetch-tgt-src.sh BUILD_DIR
set -eu

me=${0##*/}
die() { echo "$me: $*" >&2; exit 1; }

[ $# -eq 1 ] || die "usage: $me BUILD_DIR"
mkdir -p "$1"
build=$(cd "$1" && pwd)

pkgver=$(dpkg-query -W -f '${Version}' tgt 2>/dev/null) ||
	die "tgt is not installed (apt-get install tgt), or pass TGT_SRC=/path/to/tgt"
[ -n "$pkgver" ] || die "tgt is not installed"
upver=${pkgver#*:}
upver=${upver%-*}

out=$build/tgt-src/${pkgver//:/_}
tree=$out/tgt-$upver
if [ -f "$tree/usr/tgtd.h" ]; then
	echo "$tree"
	exit 0
fi

command -v dpkg-source >/dev/null || die "dpkg-source missing (apt-get install dpkg-dev)"

apt=$build/apt
rm -rf "$apt"
mkdir -p "$apt/state/lists/partial" "$apt/cache/archives/partial" \
	"$apt/sources.list.d" "$apt/preferences.d"

# Turn every "deb" source of the system into a "deb-src" one.
for f in /etc/apt/sources.list.d/*.sources; do
	[ -f "$f" ] || continue
	sed -n 's/^Types:.*\bdeb\b.*/Types: deb-src/p; /^Types:/!p' "$f" \
		>"$apt/sources.list.d/${f##*/}"
done
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
	[ -f "$f" ] || continue
	sed -n 's/^[[:space:]]*deb[[:space:]]/deb-src /p' "$f" \
		>>"$apt/sources.list.d/system-src.list"
done

opts=(-o "Dir::State=$apt/state" -o "Dir::Cache=$apt/cache"
	-o "Dir::Etc::SourceList=/dev/null"
	-o "Dir::Etc::SourceParts=$apt/sources.list.d"
	-o "Dir::Etc::PreferencesParts=$apt/preferences.d"
	-o "APT::Sandbox::User=root" -q)

echo "$me: fetching Debian source of tgt $pkgver" >&2
apt-get "${opts[@]}" update >"$apt/update.log" 2>&1 ||
	{ tail -5 "$apt/update.log" >&2; die "apt-get update (private state) failed"; }
rm -rf "$out"
mkdir -p "$out"
(cd "$out" && apt-get "${opts[@]}" source "tgt=$pkgver") >"$apt/source.log" 2>&1 ||
	{ tail -5 "$apt/source.log" >&2; die "apt-get source tgt=$pkgver failed"; }
[ -f "$tree/usr/tgtd.h" ] || die "unexpected source layout under $out"
echo "$tree"
