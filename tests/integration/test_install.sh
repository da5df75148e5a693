#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The spillway authors
#
# meson install puts what the README's service set-up needs in place:
# spillway, spillway-setup, the systemd unit (its paths this prefix's),
# the example configurations (the edge one with its feed file), the
# man pages the unit names and the importer (spillway import); nothing
# of the tests or benchmarks.
#
# usage: test_install.sh BUILD_DIR
set -euo pipefail
build=$1
dest=$(mktemp -d /tmp/sw-install.XXXXXX)
trap 'rm -rf "$dest"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

meson install -C "$build" --no-rebuild --destdir "$dest" >"$dest.log" 2>&1 ||
	{ cat "$dest.log"; rm -f "$dest.log"; fail "meson install"; }
rm -f "$dest.log"
prefix=$(meson introspect "$build" --buildoptions |
	/usr/bin/python3 -c 'import json,sys; print([o["value"] for o in json.load(sys.stdin) if o["name"] == "prefix"][0])')
root=$dest$prefix
libexec=$(meson introspect "$build" --buildoptions |
	/usr/bin/python3 -c 'import json,sys; print([o["value"] for o in json.load(sys.stdin) if o["name"] == "libexecdir"][0])')
mandir=$(meson introspect "$build" --buildoptions |
	/usr/bin/python3 -c 'import json,sys; print([o["value"] for o in json.load(sys.stdin) if o["name"] == "mandir"][0])')
files="bin/spillway sbin/spillway-setup lib/systemd/system/spillway.service
	share/spillway/examples/spillway.conf share/spillway/examples/spillway-nic.conf
	share/spillway/examples/edge.conf share/spillway/examples/edge-feed.txt
	share/spillway/examples/keepalived.conf
	$mandir/man8/spillway.8 $mandir/man8/spillway-setup.8 $mandir/man5/spillway.conf.5
	$libexec/spillway/spillway-import $libexec/spillway/spillway-keepalived-notify"
for f in $files; do
	[ -f "$root/$f" ] || fail "$prefix/$f not installed"
	echo "ok: $prefix/$f"
done
# Every man page the unit names is installed.
for m in $(sed -n 's/^Documentation=//p' "$root/lib/systemd/system/spillway.service" |
	tr ' ' '\n' | sed -n 's/^man:\([^(]*\)(\([0-9]\))$/\1.\2/p'); do
	[ -f "$root/$mandir/man${m##*.}/$m" ] || fail "the unit names man:$m, not installed"
	echo "ok: the unit's man:$m is installed"
done
# The edge example runs as installed: its feed file is next to it.
"$root/bin/spillway" --check -c "$root/share/spillway/examples/edge.conf" >/dev/null ||
	fail "the installed edge example does not validate"
echo "ok: the installed edge example validates"
[ -x "$root/bin/spillway" ] && [ -x "$root/sbin/spillway-setup" ] &&
	[ -x "$root/$libexec/spillway/spillway-import" ] ||
	fail "programs not executable"
"$root/$libexec/spillway/spillway-import" --help | grep -q 'spillway import' ||
	fail "spillway-import --help"
"$root/bin/spillway" --version | grep -q '^spillway ' || fail "spillway --version"
grep -q "^ExecStart=$prefix/bin/spillway " "$root/lib/systemd/system/spillway.service" ||
	fail "the unit does not run $prefix/bin/spillway"
grep -q "$prefix/sbin/spillway-setup" "$root/lib/systemd/system/spillway.service" ||
	fail "the unit does not run $prefix/sbin/spillway-setup"
echo "ok: the unit runs this prefix's programs"
[ -x "$root/$libexec/spillway/spillway-keepalived-notify" ] ||
	fail "spillway-keepalived-notify not executable"
rc=0
"$root/$libexec/spillway/spillway-keepalived-notify" 2>"$dest.log" || rc=$?
[ $rc -eq 2 ] && grep -q '^usage: spillway-keepalived-notify' "$dest.log" ||
	fail "spillway-keepalived-notify without a FIFO: exit $rc, not its usage"
ka=$root/share/spillway/examples/keepalived.conf
grep -q "vrrp_notify_fifo_script \"$prefix/$libexec/spillway/spillway-keepalived-notify -b $prefix/bin/spillway " "$ka" &&
	grep -q "script \"$prefix/bin/spillway ctl " "$ka" ||
	fail "the keepalived example does not run this prefix's programs"
echo "ok: the keepalived example runs this prefix's programs"
n=$(find "$dest" -type f | wc -l)
want=$(echo $files | wc -w)
[ "$n" -eq "$want" ] || { find "$dest" -type f; fail "$n files installed, want $want"; }
echo "ok: nothing else installed"
