#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make bench-cost: what one I/O costs tgtd, in instructions, counted by
# valgrind's callgrind (noise-free: the same count whatever else the machine
# does).  For our module (usr/bs_rbd.so) and Debian's tgt-rbd module (never
# installed), one stock tgtd each under `valgrind --tool=callgrind
# --separate-threads=yes`, one LUN each, driven by qemu-img bench over
# iscsi:// (libiscsi, a real initiator).
#
# Per workload: a run of BASE I/Os, then one of BASE+N, each in its own
# qemu-img session and each closed by a callgrind dump (callgrind_control
# -d PID).  The difference of the two dumps, divided by N, is the cost of
# one I/O in steady state: connect, login, logout and ramp-up cancel out.
# It is split by thread (tgtd's main thread; tgt's bs_thread workers, which
# Debian's module uses; librbd/librados's threads), by object (tgtd,
# bs_rbd.so, librbd, librados, libceph-common, libc, ...), and by function
# of the module; the top inclusive costs on the main thread; and calls of
# the allocator (malloc, calloc, realloc, posix_memalign, operator new) per
# I/O, by caller object, with those made by the module's own functions.
#
# callgrind counts user-space instructions only: the kernel's side (TCP on
# loopback, epoll, eventfd) is not in these numbers.  Under valgrind the
# threads of tgtd run one at a time, so how many completions one wake-up of
# the main loop finds is not what it is natively.
#
# tgtd is stripped.  If build/distro holds a rebuild of Debian's tgt with
# its -dbgsym package (make distro-deb) and that tgtd's code (.text) is
# byte-identical to /usr/sbin/tgtd, its symbols name tgtd's functions;
# otherwise they show as addresses.
#
# Everything runs on 127.0.0.1 under COST_DIR (default: a new /tmp dir); the
# report goes to COST_DIR/cost.txt, the callgrind files of each measured
# interval to COST_DIR/callgrind-MODULE/ (callgrind_annotate reads them);
# the rest is removed.
# Env: COST_DIR, COST_N (2000: I/Os of a 4 KiB workload; a 1 MiB one does
# N/10), COST_BASE (200; N/10 at 1 MiB), COST_WORKLOADS ("r4k w4k r1m w1m"),
# COST_DEBIAN=0 (ours only), COST_SO (our module; default usr/bs_rbd.so),
# COST_ISCSI ("Name=value ...": iSCSI target parameters set with tgtadm
# --op update on both targets before any login, e.g.
# "MaxRecvDataSegmentLength=262144 FirstBurstLength=262144"), COST_CLIENT
# ("key = value; ...": librbd/librados settings added to the [client]
# section both tgtds use, e.g. "rbd cache policy = writeback"; bs_rbd
# overrides rbd_disable_zero_copy_writes).
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
PROG=bench-cost
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
need_root

N=${COST_N:-2000}
BASE=${COST_BASE:-200}
WORKLOADS=${COST_WORKLOADS:-r4k w4k r1m w1m}
ISCSI=${COST_ISCSI:-}
CLIENT=${COST_CLIENT:-}
SIZE_MB=256
RUN_TIMEOUT=600
ours_path=${COST_SO:-usr/bs_rbd.so}
[ -f "$ours_path" ] || die "no $ours_path (make it first)"
work=${COST_DIR:-$(mktemp -d /tmp/bs_rbd-cost.XXXXXX)}
work=$(abs_dir "$work")
case $work in *[[:space:]]*) die "COST_DIR must not contain spaces" ;; esac
mkdir -p "$work"
results=$work/cost.txt
t_start=$(date +%s)

case $N$BASE in *[!0-9]*) die "COST_N, COST_BASE: whole numbers" ;; esac
if [ "$BASE" -lt 10 ] || [ "$N" -lt "$BASE" ] || [ "$N" -gt 100000 ]; then
	die "need 10 <= COST_BASE <= COST_N <= 100000"
fi
for c in valgrind callgrind_control perl qemu-img objcopy nm; do
	command -v "$c" >/dev/null || die "$c missing"
done
for p in $ISCSI; do
	case $p in [A-Z]*=[0-9A-Za-z]*) ;; *) die "COST_ISCSI: Name=value, not '$p'" ;; esac
done

declare -A W_NAME W_SIZE W_DEPTH W_STEP W_WRITE W_N W_BASE
W_NAME[r4k]="4 KiB rand read QD32" W_SIZE[r4k]=4096 W_DEPTH[r4k]=32 W_STEP[r4k]=$((4096 * 20011)) W_WRITE[r4k]=0
W_NAME[w4k]="4 KiB rand write QD32" W_SIZE[w4k]=4096 W_DEPTH[w4k]=32 W_STEP[w4k]=$((4096 * 20011)) W_WRITE[w4k]=1
W_NAME[r1m]="1 MiB rand read QD8" W_SIZE[r1m]=1048576 W_DEPTH[r1m]=8 W_STEP[r1m]=$((1048576 * 37)) W_WRITE[r1m]=0
W_NAME[w1m]="1 MiB rand write QD8" W_SIZE[w1m]=1048576 W_DEPTH[w1m]=8 W_STEP[w1m]=$((1048576 * 37)) W_WRITE[w1m]=1
for w in $WORKLOADS; do
	[ -n "${W_NAME[$w]:-}" ] || die "COST_WORKLOADS: r4k, w4k, r1m, w1m; not '$w'"
	if [ "${W_SIZE[$w]}" -ge 1048576 ]; then
		W_N[$w]=$((N / 10)) W_BASE[$w]=$((BASE / 10))
	else
		W_N[$w]=$N W_BASE[$w]=$BASE
	fi
done

MODS="ours debian"
declare -A NA MODDIR SUMMARY
[ "${COST_DEBIAN:-1}" = 0 ] && NA[debian]="skipped (COST_DEBIAN=0)"

# ---- clean-up -------------------------------------------------------------

child=
finished=0
cleanup() { bench_cleanup $? cost.txt 'callgrind-*'; }
trap cleanup EXIT
trap 'exit 130' INT HUP
trap 'exit 143' TERM

# ---- tgtd's symbols ---------------------------------------------------------

# TGTD_SYMS: "hexaddr name" of tgtd's functions, from build/distro's rebuild
# of Debian's tgt if its code is byte-identical to the installed tgtd.
TGTD_SYMS='' SYMS_NOTE=''
tgtd_symbols()
{
	local d=$work/syms deb dbg id
	deb=$(find build/distro -maxdepth 1 -name 'tgt_*.deb' 2>/dev/null | head -n 1)
	dbg=$(find build/distro -maxdepth 1 -name 'tgt-dbgsym_*.deb' 2>/dev/null | head -n 1)
	if [ -z "$deb" ] || [ -z "$dbg" ]; then
		SYMS_NOTE="addresses (no build/distro/tgt-dbgsym_*.deb; make distro-deb names them)"
		return 0
	fi
	mkdir -p "$d"
	dpkg-deb -x "$deb" "$d"
	dpkg-deb -x "$dbg" "$d"
	objcopy -O binary --only-section=.text /usr/sbin/tgtd "$d/text.installed"
	objcopy -O binary --only-section=.text "$d/usr/sbin/tgtd" "$d/text.rebuilt"
	if ! cmp -s "$d/text.installed" "$d/text.rebuilt"; then
		SYMS_NOTE="addresses ($(basename "$deb")'s tgtd has other code than /usr/sbin/tgtd)"
		return 0
	fi
	id=$(readelf -n "$d/usr/sbin/tgtd" | sed -n 's/.*Build ID: *//p')
	nm "$d/usr/lib/debug/.build-id/${id:0:2}/${id:2}.debug" |
		awk '$2 ~ /^[tTwW]$/ { print $1, $3 }' >"$work/tgtd.syms"
	TGTD_SYMS=$work/tgtd.syms
	SYMS_NOTE="from $(basename "$dbg") (its tgtd's .text is byte-identical to /usr/sbin/tgtd)"
}

# ---- the test bed ---------------------------------------------------------

bench_cluster "$work"
conf=$work/bench.conf
[ -z "$CLIENT" ] || printf '%s\n' "$CLIENT" | tr ';' '\n' | sed 's/^ *//' >>"$conf"
bsopts="conf=$conf;id=tgt"

log "two images of $SIZE_MB MiB, prefilled"
for m in $MODS; do
	timeout 60 rbd create --size "${SIZE_MB}M" "rbd/cost-$m"
	timeout 300 rbd bench --io-type write --io-size 4M --io-threads 8 \
		--io-total "${SIZE_MB}M" --io-pattern seq "rbd/cost-$m" >/dev/null
done

mkdir -p "$work/mod-ours"
cp "$ours_path" "$work/mod-ours/bs_rbd.so"
MODDIR[ours]=$work/mod-ours
ours_so=$(sha256sum "$work/mod-ours/bs_rbd.so" | cut -c1-12)
ours_rev=$(module_rev COST_SO)

deb_ver=""
if [ -z "${NA[debian]:-}" ]; then
	log "Debian's module: apt-get download tgt-rbd (not installed)"
	if fetch_debian_module "$work/debian"; then
		deb_ver=$DEB_VER
		MODDIR[debian]=$DEB_MODDIR
	else
		NA[debian]=$DEB_ERR
		log "debian: n/a: ${NA[debian]}"
	fi
fi

tgtd_symbols
log "tgtd's function names: $SYMS_NOTE"

# ---- measuring --------------------------------------------------------------

PART=0
# dump M: callgrind writes the counts since the last dump (one file per
# thread, NAME.PART-TT) and starts again from zero; sets PART.
dump()
{
	local m=$1 pid
	pid=$(sed -n 's/^TGT_PID=//p' "$work/tgtd-$m/tgtd.env")
	timeout 120 callgrind_control -d "$pid" >/dev/null ||
		die "$m: callgrind_control -d $pid failed"
	PART=$((PART + 1))
	wait_for 60 test -s "$work/callgrind-$m/callgrind.out.$pid.$PART-01" ||
		die "$m: no callgrind dump $PART"
	CG_FILES=$(find "$work/callgrind-$m" -name "callgrind.out.$pid.$PART-*" | sort)
}

# run M W COUNT: one qemu-img bench session on M's LUN
run()
{
	local m=$1 w=$2 rc=0 args
	args=(-f raw -t none -d "${W_DEPTH[$w]}" -s "${W_SIZE[$w]}" -S "${W_STEP[$w]}" -c "$3")
	[ "${W_WRITE[$w]}" = 1 ] && args+=(-w)
	timeout -k 5 "$RUN_TIMEOUT" qemu-img bench "${args[@]}" "$URL" \
		>"$work/run.out" 2>&1 </dev/null &
	child=$!
	wait "$child" || rc=$?
	child=
	grep -q '^Run completed in' "$work/run.out" && [ "$rc" = 0 ] && return 0
	show_tail "$work/run.out" "$work/tgtd-$m/tgtd.log"
	die "$m: ${W_NAME[$w]}: qemu-img bench exit $rc"
}

# measure M: M's tgtd under callgrind, every workload
measure()
{
	local m=$1 d=$work/tgtd-$1 ctrl port p w base_files iqn=iqn.2026-11.org.bs-rbd.cost:$1
	mkdir -p "$work/callgrind-$m"
	PART=0
	log "$m: tgtd under callgrind"
	TGT_CTRL='' TGT_PORT='' TGTD_START_TIMEOUT=120 \
		TGTD_WRAPPER="valgrind --tool=callgrind --separate-threads=yes --callgrind-out-file=$work/callgrind-$m/callgrind.out.%p" \
		scripts/tgtd.sh start "$d" "${MODDIR[$m]}" ||
		die "$m: tgtd under callgrind did not start"
	ctrl=$(sed -n 's/^TGT_CTRL=//p' "$d/tgtd.env")
	port=$(sed -n 's/^TGT_PORT=//p' "$d/tgtd.env")
	timeout 60 tgtadm -C "$ctrl" --lld iscsi --mode target --op new --tid 1 --targetname "$iqn"
	for p in $ISCSI; do
		timeout 60 tgtadm -C "$ctrl" --lld iscsi --mode target --op update --tid 1 \
			--name "${p%%=*}" --value "${p#*=}"
	done
	timeout 300 tgtadm -C "$ctrl" --lld iscsi --mode logicalunit --op new --tid 1 --lun 1 \
		--bstype rbd --backing-store "rbd/cost-$m" --bsopts "$bsopts" ||
		die "$m: LUN creation failed (see $d/tgtd.log)"
	timeout 60 tgtadm -C "$ctrl" --lld iscsi --mode target --op bind --tid 1 -I ALL
	URL=iscsi://127.0.0.1:$port/$iqn/1

	log "$m: warm-up"
	run "$m" r4k "$BASE"
	dump "$m"
	for w in $WORKLOADS; do
		log "$m: ${W_NAME[$w]}: ${W_BASE[$w]} I/Os, then ${W_BASE[$w]}+${W_N[$w]}"
		run "$m" "$w" "${W_BASE[$w]}"
		dump "$m"
		base_files=$CG_FILES
		run "$m" "$w" $((W_BASE[$w] + W_N[$w]))
		dump "$m"
		# shellcheck disable=SC2086
		CG_MODULE=bs_rbd.so CG_SYMS=$TGTD_SYMS perl -e "$CGSUM" "${W_N[$w]}" \
			$base_files -- $CG_FILES >"$work/$m-$w.txt"
		SUMMARY[$m,$w]=$(sed -n 's/^SUMMARY\t//p' "$work/$m-$w.txt")
		sed -i '/^SUMMARY\t/d' "$work/$m-$w.txt"
		log "$m: ${W_NAME[$w]}: $(head -n 1 "$work/$m-$w.txt")"
	done
	scripts/tgtd.sh stop "$d"
}

# The analysis (perl, like callgrind_annotate): cgsum N BASE_FILES -- RUN_FILES
read -r -d '' CGSUM <<'EOF' || true
use strict;
use warnings;

my @CLS = qw(main workers ceph);
my (%syms, @saddr);
if ($ENV{CG_SYMS} && open(my $s, '<', $ENV{CG_SYMS})) {
	while (<$s>) {
		my ($a, $n) = split;
		$syms{hex($a)} = $n;
	}
	close($s);
	@saddr = sort { $a <=> $b } keys %syms;
}

# callgrind names a function of a stripped object by its address
sub symname {
	my ($h) = @_;
	my $a = hex($h);
	my ($lo, $hi) = (0, $#saddr);
	return $h if $hi < 0 || $a < $saddr[0];
	while ($lo < $hi) {
		my $mid = int(($lo + $hi + 1) / 2);
		if ($saddr[$mid] <= $a) { $lo = $mid; } else { $hi = $mid - 1; }
	}
	my $off = $a - $saddr[$lo];
	return $syms{$saddr[$lo]} . ($off ? sprintf("+0x%x", $off) : '');
}

sub fname {
	my ($obj, $name) = @_;
	$name =~ s/'\d+$//;
	return symname($name) if $obj eq 'tgtd' && $name =~ /^0x[0-9a-f]+$/;
	return $name;
}

# one file: {self}{"obj\tfn"}, {calls}{caller}{callee}{n, incl}, {total}
sub parse {
	my ($file) = @_;
	my (%t, %obn, %fln, %fnn);
	my ($ob, $fn, $cob, $cfn) = ('?', '?', undef, '?');
	my $incall = 0;
	open(my $fh, '<', $file) or die "$file: $!";
	while (my $l = <$fh>) {
		chomp $l;
		if ($l =~ /^[0-9+*-]/) {
			my @f = split / /, $l;
			my $c = $f[1] // 0;
			if ($incall) {
				$t{calls}{"$ob\t$fn"}{"$cob\t$cfn"}{incl} += $c
				    if "$ob\t$fn" ne "$cob\t$cfn";
				$incall = 0;
				$cob = undef;
			} else {
				$t{self}{"$ob\t$fn"} += $c;
				$t{total} += $c;
			}
		} elsif ($l =~ /^(c?ob|c?fn|fl|fi|fe|cfi|cfl)=(?:\((\d+)\))? ?(.*)$/) {
			my ($k, $id, $name) = ($1, $2, $3);
			my $tab = $k =~ /ob$/ ? \%obn : $k =~ /fn$/ ? \%fnn : \%fln;
			if (defined $id) {
				if ($name ne '') { $tab->{$id} = $name; }
				else { $name = $tab->{$id} // '?'; }
			}
			if ($k eq 'ob') {
				($ob = $name) =~ s{.*/}{};
			} elsif ($k eq 'cob') {
				($cob = $name) =~ s{.*/}{};
			} elsif ($k eq 'fn') {
				$fn = fname($ob, $name);
				$cob = undef;
			} elsif ($k eq 'cfn') {
				$cfn = fname($cob // $ob, $name);
			}
		} elsif ($l =~ /^calls=(\d+)/) {
			$cob //= $ob;
			$t{calls}{"$ob\t$fn"}{"$cob\t$cfn"}{n} += $1
			    if "$ob\t$fn" ne "$cob\t$cfn";
			$incall = 1;
		}
	}
	close($fh);
	return \%t;
}

# tgtd's main thread (01), other threads running tgtd's code (tgt's
# bs_thread workers), or threads of librbd/librados only
sub class {
	my ($file, $t) = @_;
	return 'main' if $file =~ /-0*1$/;
	for (keys %{$t->{self}}) {
		return 'workers' if /^tgtd\t/;
	}
	return 'ceph';
}

my (%acc, %nthreads);
sub add {
	my ($file, $sign) = @_;
	my $t = parse($file);
	my $c = class($file, $t);
	$nthreads{$c}++ if $sign > 0 && $t->{total};
	$acc{total}{$c} += $sign * ($t->{total} // 0);
	$acc{self}{$c}{$_} += $sign * $t->{self}{$_} for keys %{$t->{self}};
	for my $k (keys %{$t->{calls}}) {
		for my $e (keys %{$t->{calls}{$k}}) {
			my $v = $t->{calls}{$k}{$e};
			$acc{calls}{$c}{$k}{$e}{n} += $sign * ($v->{n} // 0);
			$acc{calls}{$c}{$k}{$e}{incl} += $sign * ($v->{incl} // 0);
		}
	}
}

my $n = shift;
my $sign = -1;
for (@ARGV) {
	if ($_ eq '--') { $sign = 1; next; }
	add($_, $sign);
}
die "no I/Os\n" unless $n > 0;

my %incl;
for my $c (@CLS) {
	$incl{$c}{$_} += $acc{self}{$c}{$_} for keys %{$acc{self}{$c}};
	for my $k (keys %{$acc{calls}{$c}}) {
		$incl{$c}{$k} += $_->{incl} for values %{$acc{calls}{$c}{$k}};
	}
}

my $mod = $ENV{CG_MODULE} // 'bs_rbd.so';
my %tot = map { $_ => ($acc{total}{$_} // 0) / $n } @CLS;
my $all = $tot{main} + $tot{workers} + $tot{ceph};
sub row { my $s = 0; $s += $_ // 0 for @_; return $s; }

printf "%.0f instructions per I/O in tgtd: main thread %.0f, tgt worker threads %.0f (%d), librbd/librados threads %.0f (%d)\n",
    $all, $tot{main}, $tot{workers}, $nthreads{workers} // 0, $tot{ceph}, $nthreads{ceph} // 0;

my %obj;
for my $c (@CLS) {
	for my $k (keys %{$acc{self}{$c}}) {
		my ($o) = split /\t/, $k;
		$obj{$o}{$c} += $acc{self}{$c}{$k} / $n;
	}
}
print "\nexclusive per I/O, by object  main thread   workers  librbd/rados threads\n";
for my $o (sort { row(values %{$obj{$b}}) <=> row(values %{$obj{$a}}) } keys %obj) {
	next if abs(row(values %{$obj{$o}})) < 20;
	printf "  %-28s %11.0f %9.0f %9.0f\n", $o, map { $obj{$o}{$_} // 0 } @CLS;
}

my (%mf, %callsin);
for my $c (@CLS) {
	for my $k (keys %{$acc{calls}{$c}}) {
		$callsin{$_} += $acc{calls}{$c}{$k}{$_}{n} for keys %{$acc{calls}{$c}{$k}};
	}
	for (keys %{$incl{$c}}) { $mf{$_} = 1 if /^\Q$mod\E\t/; }
}
print "\n$mod per I/O, inclusive/exclusive: main thread     workers   librbd/rados  calls\n";
for my $k (sort { row(map { $incl{$_}{$b} } @CLS) <=> row(map { $incl{$_}{$a} } @CLS) } keys %mf) {
	my ($o, $f) = split /\t/, $k;
	my @v = map { (($incl{$_}{$k} // 0) / $n, ($acc{self}{$_}{$k} // 0) / $n) } @CLS;
	next if abs($v[0]) + abs($v[2]) + abs($v[4]) < 1;
	printf "  %-32s %7.0f/%5.0f %7.0f/%5.0f %7.0f/%5.0f %6.2f\n", substr($f, 0, 32), @v,
	    ($callsin{$k} // 0) / $n;
}

print "\ntop 10 inclusive on the main thread, per I/O (main() and the event loop left out):\n";
my $i = 0;
for my $k (sort { ($incl{main}{$b} // 0) <=> ($incl{main}{$a} // 0) } keys %{$incl{main}}) {
	my ($o, $f) = split /\t/, $k;
	my $v = $incl{main}{$k} / $n;
	next if $v >= 0.99 * $tot{main};
	printf "  %8.0f %5.1f%%  %s [%s]\n", $v, 100 * $v / ($tot{main} || 1), $f, $o;
	last if ++$i >= 10;
}

print "\ntop 10 exclusive on the main thread, per I/O:\n";
$i = 0;
for my $k (sort { $acc{self}{main}{$b} <=> $acc{self}{main}{$a} } keys %{$acc{self}{main}}) {
	my ($o, $f) = split /\t/, $k;
	my $v = $acc{self}{main}{$k} / $n;
	printf "  %8.0f %5.1f%%  %s [%s]\n", $v, 100 * $v / ($tot{main} || 1), $f, $o;
	last if ++$i >= 10;
}

# allocator entry points called from outside the allocator's libraries
my $afn = qr/^(malloc|calloc|realloc|posix_memalign|aligned_alloc|memalign|valloc|operator new(\[\])?\(.*)$/;
my $aobj = qr/^(libc\.so|libstdc\+\+)/;
my (%byobj, %bymod);
for my $c (@CLS) {
	for my $k (keys %{$acc{calls}{$c}}) {
		my ($co, $cf) = split /\t/, $k;
		next if $co =~ $aobj;
		for my $e (keys %{$acc{calls}{$c}{$k}}) {
			my ($eo, $ef) = split /\t/, $e;
			next unless $eo =~ $aobj && $ef =~ $afn;
			my $v = $acc{calls}{$c}{$k}{$e}{n} / $n;
			$byobj{$co}{$c} += $v;
			$bymod{"$cf -> $ef"}{$c} += $v if $co eq $mod;
		}
	}
}
print "\nallocations per I/O (malloc, calloc, realloc, posix_memalign, operator new)\n";
print "  called from                main thread   workers  librbd/rados threads\n";
for my $o (sort { row(values %{$byobj{$b}}) <=> row(values %{$byobj{$a}}) } keys %byobj) {
	next if abs(row(values %{$byobj{$o}})) < 0.01;
	printf "  %-28s %11.2f %9.2f %9.2f\n", $o, map { $byobj{$o}{$_} // 0 } @CLS;
}
my @mk = grep { abs(row(values %{$bymod{$_}})) >= 0.01 } sort keys %bymod;
print "  by $mod functions:" . (@mk ? "\n" : " none\n");
for my $k (@mk) {
	printf "    %-40s %8.2f %9.2f %9.2f\n", $k, map { $bymod{$k}{$_} // 0 } @CLS;
}

my $modx = 0;
for my $k (keys %mf) { $modx += ($acc{self}{$_}{$k} // 0) / $n for @CLS; }
printf "SUMMARY\t%.0f\t%.0f\t%.0f\t%.0f\t%.0f\t%.2f\t%.2f\n", $all, $tot{main}, $tot{workers},
    $tot{ceph}, $modx, row(map { $byobj{$_}{main} } keys %byobj),
    row(map { row(values %{$bymod{$_}}) } keys %bymod);
EOF

for m in $MODS; do
	[ -z "${NA[$m]:-}" ] || continue
	measure "$m"
done

# ---- the report -------------------------------------------------------------

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
elapsed=$(($(date +%s) - t_start))
iscsi_desc="tgtd's defaults" iscsi_env=''
[ -z "$ISCSI" ] || iscsi_desc=$ISCSI iscsi_env=" COST_ISCSI=\"$ISCSI\""
[ -z "$CLIENT" ] || iscsi_env="$iscsi_env COST_CLIENT=\"$CLIENT\""
report()
{
	local w m s
	echo "bs_rbd cost per I/O: instructions in tgtd (valgrind --tool=callgrind), our module vs Debian's"
	echo
	echo "date:     $(date -u '+%Y-%m-%d %H:%M:%S UTC') (took ${elapsed} s)"
	echo "command:  make bench-cost  (scripts/bench-cost.sh; COST_N=$N COST_BASE=$BASE COST_WORKLOADS=\"$WORKLOADS\"$iscsi_env)"
	echo "machine:  $(nproc) CPUs, $cpu, Linux $(uname -r)"
	echo "versions: ceph $(ceph --version | awk '{ print $3 }'), tgt $(dpkg-query -W -f='${Version}' tgt), $(qemu-img --version | head -n 1), $(valgrind --version)"
	echo "ours:     $ours_path sha256 $ours_so..., $ours_rev"
	echo "debian:   ${deb_ver:+tgt-rbd $deb_ver}${NA[debian]:+ n/a: ${NA[debian]}}"
	echo "iSCSI:    $iscsi_desc (target parameters, both tgtds)"
	echo "librbd:   [client] rbd cache = false${CLIENT:+; $CLIENT}"
	echo "tgtd:     /usr/sbin/tgtd under valgrind --tool=callgrind --separate-threads=yes; function names: $SYMS_NOTE"
	echo "method:   per workload, qemu-img bench -f raw -t none over iscsi:// with BASE I/Os, then BASE+N,"
	echo "          each ended by callgrind_control -d; per I/O = (second dump - first) / N, all threads;"
	echo "          user-space instructions only (no kernel); images $SIZE_MB MiB, prefilled, rbd cache = false"
	echo
	printf '| %-21s | %-6s | %9s | %11s | %11s | %12s | %10s | %11s | %11s |\n' workload module \
		"all thr." "main thread" "tgt workers" "librbd thr." "module own" "allocs main" "by module"
	printf '|%s|%s|%s|%s|%s|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..23})" "--------" \
		"-----------" "-------------" "-------------" "--------------" "------------" \
		"-------------" "-------------"
	for w in $WORKLOADS; do
		for m in $MODS; do
			s=${SUMMARY[$m,$w]:-}
			[ -n "$s" ] || continue
			# shellcheck disable=SC2086
			set -- $s
			printf '| %-21s | %-6s | %9s | %11s | %11s | %12s | %10s | %11s | %11s |\n' \
				"${W_NAME[$w]}" "$m" "$1" "$2" "$3" "$4" "$5" "$6" "$7"
		done
	done
	echo
	echo "columns: instructions per I/O in all of tgtd, its main thread, tgt's bs_thread workers,"
	echo "librbd/librados threads, bs_rbd.so's own (exclusive) code in any thread; allocator calls"
	echo "per I/O on the main thread, and made by bs_rbd.so's functions themselves."
	for w in $WORKLOADS; do
		for m in $MODS; do
			[ -f "$work/$m-$w.txt" ] || continue
			echo
			echo "---- $m, ${W_NAME[$w]}: N=${W_N[$w]} (BASE ${W_BASE[$w]})"
			cat "$work/$m-$w.txt"
		done
	done
	for m in $MODS; do
		[ -n "${NA[$m]:-}" ] && echo "n/a: $m: ${NA[$m]}"
	done
	return 0
}
report >"$results"
cat "$results"
echo
echo "results: $results; callgrind files: $work/callgrind-*/ (callgrind_annotate --inclusive=yes FILE)"
finished=1
