#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Build the Debian binary package tgt-bs-rbd from usr/bs_rbd.so, with
# dpkg-deb: the module, compiled with Debian's build flags (dpkg-buildflags,
# hardening=+all as tgt's own package), in the directory the installed tgtd
# loads modules from (the Makefile's BSDIR, `make install DESTDIR=`), README.rbd
# and the copyright under /usr/share/doc/tgt-bs-rbd.  It replaces Debian's
# tgt-rbd (Provides, Conflicts, Replaces: tgt-rbd), so installing it removes
# that package, and it depends on the tgt release whose headers it was
# built against (a module uses tgtd's internal structures): the installed
# tgt's upstream version, any Debian revision.  The librbd/librados
# dependencies come from dpkg-shlibdeps.  Prints the path of the .deb.
#
# usage: scripts/deb.sh [OUT_DIR]        (default: build)
#   BSDIR=DIR        module directory (default: the Makefile's)
#   DEB_VERSION=V    package version (default: packaging/version, the
#                    commit and the tgt version, see pkg_version)
#   SOURCE_DATE_EPOCH  file dates in the package (default: the commit's)
#   DEB_BUILD_MAINT_OPTIONS, DEB_CFLAGS_APPEND, ...  as for dpkg-buildflags
set -eu
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

PKG=tgt-bs-rbd
root=$(cd "$(dirname "$0")/.." && pwd)
out=$(abs_dir "${1:-$root/build}")
build=$root/${BUILD:-build}

for c in dpkg-deb dpkg-shlibdeps dpkg-buildflags dpkg-query strip md5sum; do
	command -v "$c" >/dev/null || die "$c missing (apt-get install dpkg-dev binutils)"
done

# The tgt this module is bound to: the installed one, and the headers the
# module was compiled against must be of that same release.
tgt_version() {
	local hdr_dir hdr_ver
	TGT_PKGVER=$(dpkg-query -W -f '${Version}' tgt 2>/dev/null) ||
		die "tgt is not installed; the package must depend on the tgt it was built for"
	[ -n "$TGT_PKGVER" ] || die "tgt is not installed"
	TGT_EPOCH=
	case $TGT_PKGVER in *:*) TGT_EPOCH=${TGT_PKGVER%%:*}: ;; esac
	TGT_UPVER=${TGT_PKGVER#*:}
	TGT_UPVER=${TGT_UPVER%-*}
	hdr_dir=$(cat "$build/tgt-inc") || die "no $build/tgt-inc: run make first"
	hdr_ver=$(sed -n 's/^VERSION[[:space:]]*?*=[[:space:]]*//p' \
		"$hdr_dir/../Makefile" | head -n 1)
	[ "$hdr_ver" = "$TGT_UPVER" ] ||
		die "the module was built against tgt $hdr_ver headers ($hdr_dir) but tgt $TGT_PKGVER is installed; rebuild with its headers"
}

# 1.0.85 -> 1.0.86: the first release the module may not work with.
next_release() {
	local last=${1##*.}
	case $last in '' | *[!0-9]*) return 1 ;; esac
	if [ "$last" = "$1" ]; then
		echo $((10#$last + 1))
	else
		echo "${1%.*}.$((10#$last + 1))"
	fi
}

tgt_depends() {
	local next
	if next=$(next_release "$TGT_UPVER"); then
		echo "tgt (>= $TGT_EPOCH$TGT_UPVER), tgt (<< $TGT_EPOCH$next~)"
	else
		echo "tgt (= $TGT_PKGVER)"
	fi
}

# 0.1~git20261123.25381f6+tgt1.0.85: packaging/version, before any release
# of it; the commit (".dirty" if usr/ or the Makefile differ from it); the
# tgt it is built for.
pkg_version() {
	local base sha day dirty=
	if [ -n "${DEB_VERSION:-}" ]; then
		echo "$DEB_VERSION"
		return
	fi
	base=$(cat "$root/packaging/version")
	if sha=$(git -C "$root" rev-parse --short=7 HEAD 2>/dev/null); then
		day=$(git -C "$root" log -1 --format=%cd --date=format:%Y%m%d)
		git -C "$root" diff --quiet HEAD -- usr Makefile || dirty=.dirty
		echo "$base~git$day.$sha$dirty+tgt$TGT_UPVER"
	else
		echo "$base+tgt$TGT_UPVER"
	fi
}

# shlibs:Depends of the staged module (dpkg-shlibdeps wants a debian/control
# and the binary under debian/PACKAGE/).
shlib_depends() {
	local so=$1 deps
	printf 'Source: %s\n\nPackage: %s\nArchitecture: any\n' "$PKG" "$PKG" \
		>"$work/debian/control"
	deps=$(cd "$work" && dpkg-shlibdeps -O -e"${so#"$work"/}" 2>"$work/shlibdeps.log") ||
		{ cat "$work/shlibdeps.log" >&2; die "dpkg-shlibdeps failed"; }
	deps=${deps#shlibs:Depends=}
	case $deps in *librbd1*librados2* | *librados2*librbd1*) ;;
	*) die "dpkg-shlibdeps found no librbd1/librados2 dependency: '$deps'" ;;
	esac
	echo "$deps"
}

arch=$(dpkg --print-architecture)
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git -C "$root" log -1 --format=%ct 2>/dev/null || date +%s)}
export DEB_BUILD_MAINT_OPTIONS=${DEB_BUILD_MAINT_OPTIONS-hardening=+all}

mkdir -p "$out"
work=$(mktemp -d "$out/deb.XXXXXX")
trap 'rm -rf "$work"' EXIT
stage=$work/debian/$PKG
umask 022

# the module, built with Debian's flags apart from usr/bs_rbd.so, and
# installed where `make install` puts it
mkdir -p "$work/build"
(cd "$root" && make --no-print-directory install DESTDIR="$stage" \
	SO="$work/build/bs_rbd.so" \
	CFLAGS="$(dpkg-buildflags --get CFLAGS) $(dpkg-buildflags --get CPPFLAGS)" \
	LDFLAGS="$(dpkg-buildflags --get LDFLAGS)" ${BSDIR:+BSDIR="$BSDIR"}) >&2
tgt_version
version=$(pkg_version)
so=$(find "$stage" -name bs_rbd.so -type f)
[ "$(printf '%s\n' "$so" | grep -c .)" = 1 ] || die "make install staged no single bs_rbd.so"
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$so"
chmod 644 "$so"

doc=$stage/usr/share/doc/$PKG
install -d -m 755 "$doc"
install -m 644 "$root/README.rbd" "$root/packaging/copyright" "$doc/"
{
	printf '%s (%s) unstable; urgency=medium\n\n' "$PKG" "$version"
	printf '  * Built from %s for tgt %s.\n\n' \
		"$(git -C "$root" log -1 --format='commit %h' 2>/dev/null || echo 'a source tree')" \
		"$TGT_UPVER"
	printf ' -- %s  %s\n' \
		"$(sed -n 's/^Maintainer: //p' "$root/packaging/control.in")" \
		"$(date -u -R -d "@$SOURCE_DATE_EPOCH")"
} | gzip -9n >"$doc/changelog.gz"
chmod 644 "$doc/changelog.gz"

depends="$(tgt_depends), $(shlib_depends "$so")"
install -d -m 755 "$stage/DEBIAN"
(cd "$stage" && find usr -type f | LC_ALL=C sort | xargs md5sum) >"$stage/DEBIAN/md5sums"
size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
sed -e "s/@PACKAGE@/$PKG/; s/@VERSION@/$version/; s/@ARCH@/$arch/" \
	-e "s/@SIZE@/$size/; s/@DEPENDS@/$depends/" \
	"$root/packaging/control.in" >"$stage/DEBIAN/control"
chmod 644 "$stage/DEBIAN/control" "$stage/DEBIAN/md5sums"

deb=$out/${PKG}_${version}_$arch.deb
find "$out" -maxdepth 1 -name "${PKG}_*.deb" ! -name "${deb##*/}" -delete
dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >&2
log "$(dpkg-deb -f "$deb" Package Version Depends | tr '\n' ' ')"
echo "$deb"
