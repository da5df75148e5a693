#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The spillway authors
#
# The appliance boot files: the systemd unit verifies, and
# spillway-setup's dry run binds exactly the config's PCI ports and
# reserves hugepages (of the size asked for) only when the config wants
# them. Without systemd-analyze the unit cannot be checked: that is a
# skip (exit 77), which the runner counts as a failure as root;
# tools/install-deps.sh installs systemd.
#
# usage: test_boot.sh SPILLWAY_BINARY
set -euo pipefail
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
top=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d /tmp/sw-boot.XXXXXX)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

command -v systemd-analyze >/dev/null ||
	{ echo "skip: no systemd-analyze (apt-get install systemd)"; exit 77; }
sed -e "s|/usr/local/bin/spillway|$bin|g" \
	-e "s|/usr/local/sbin/spillway-setup|$top/tools/spillway-setup|g" \
	"$top/config/spillway.service" >"$work/spillway.service"
systemd-analyze verify --man=no "$work/spillway.service" 2>"$work/verify" ||
	{ cat "$work/verify"; fail "systemd-analyze verify"; }
[ -s "$work/verify" ] && { cat "$work/verify"; fail "verify warned"; }
echo "ok: systemd-analyze verify config/spillway.service"
# Reload waits for the result: a refused file fails systemctl reload.
grep -q '^ExecReload=/usr/local/bin/spillway --reload -c ' "$top/config/spillway.service" &&
	grep -q '^Restart=on-failure' "$top/config/spillway.service" ||
	fail "unit lacks reload or restart"
echo "ok: reload waits for the result (spillway --reload), restart on failure"
grep -q '^ExecStartPre=.*spillway-setup .*--hugepages \${SPILLWAY_HUGEPAGES}' \
	"$top/config/spillway.service" || fail "the unit ignores SPILLWAY_HUGEPAGES"
echo "ok: the unit passes SPILLWAY_HUGEPAGES to spillway-setup --hugepages"
# Confined (issue 13): the landed unit ran as root unconfined (9.6).
for d in NoNewPrivileges=yes ProtectSystem=strict ProtectHome=yes \
	PrivateTmp=yes LockPersonality=yes RestrictNamespaces=yes \
	SystemCallArchitectures=native CapabilityBoundingSet=CAP_IPC_LOCK \
	RuntimeDirectory=spillway ReadWritePaths=-/run/dpdk \
	Type=notify NotifyAccess=main StateDirectory=spillway \
	ReadWritePaths=-/etc/spillway/sets; do
	grep -qx "$d" "$top/config/spillway.service" || fail "unit lacks $d"
done
echo "ok: confinement directives present; Type=notify; where sets may be saved"
grep -q '^WatchdogSec=' "$top/config/spillway.service" || fail "no watchdog"
grep -q '^ExecStartPre=.*spillway-setup .*--spillway /usr/local/bin/spillway' \
	"$top/config/spillway.service" || fail "spillway-setup not told which spillway"
for m in $(sed -n 's/^Documentation=//p' "$top/config/spillway.service" | tr ' ' '\n' |
	sed -n 's/^man:\([^(]*\)(\([0-9]\))$/\1.\2/p'); do
	[ -f "$top/doc/man/$m.scd" ] || fail "the unit names man:$m, which has no page"
done
echo "ok: a watchdog; every man page the unit names has its source in doc/man"
score=$(systemd-analyze security --offline=true "$work/spillway.service" 2>&1 |
	sed -n 's/.*Overall exposure level for spillway.service: \([0-9.]*\).*/\1/p')
[ -n "$score" ] || fail "no systemd-analyze security score"
awk -v s="$score" 'BEGIN { exit !(s <= 2.0) }' ||
	fail "systemd-analyze security: exposure $score, more than 2.0"
echo "ok: systemd-analyze security: exposure $score (2.0 at most)"

"$bin" --check -c "$top/config/spillway-nic.conf" >/dev/null ||
	fail "the NIC example config does not validate"
echo "ok: config/spillway-nic.conf validates"
# The edge example: sets (its feed file read next to it), lists,
# negation, return, the derived fallback.
out=$("$bin" --check -c "$top/config/edge.conf") ||
	fail "the edge example config does not validate"
echo "ok: config/edge.conf validates ($out)"

# spillway-setup reads the config through spillway --print-ports, and
# this machine's /sys and /proc through made-up copies: no hugepage
# free, none mounted, PCI devices with no kernel interface.
setup() { "$top/tools/spillway-setup" --spillway "$bin" --dry-run "$@"; }
mkdir -p "$work/sys/bus/pci/devices" "$work/proc"
export SW_SETUP_SYSFS=$work/sys SW_SETUP_MEMINFO=$work/proc/meminfo \
	SW_SETUP_MOUNTS=$work/proc/mounts
printf 'HugePages_Total:       0\nHugePages_Free:        0\nHugepagesize:       2048 kB\n' \
	>"$work/proc/meminfo"
: >"$work/proc/mounts"
out=$(setup -c "$top/config/spillway-nic.conf")
echo "$out"
echo "$out" | grep -qx "would run: dpdk-hugepages.py --reserve 2097152K" ||
	fail "no hugepage reservation"
echo "$out" | grep -qx "would run: dpdk-hugepages.py --mount" || fail "no mount"
echo "$out" | grep -qx "would run: modprobe vfio-pci" || fail "no vfio-pci"
echo "$out" | grep -qx "would run: dpdk-devbind.py --bind=vfio-pci 0000:01:00.0 0000:01:00.1" ||
	fail "wrong devbind line"
echo "$out" | grep -q -- "--setup\|--clear\|--unmount" && fail "hugepages cleared or remounted"
echo "ok: dry run binds the two PCI ports, adds 2G of hugepages and mounts them"

out=$(setup -c "$top/config/spillway-nic.conf" --hugepages 6G)
echo "$out" | grep -qx "would run: dpdk-hugepages.py --reserve 6291456K" ||
	fail "--hugepages 6G not passed on: $out"
echo "ok: --hugepages 6G reserves 6G"

# Enough free already, and mounted: nothing reserved, nothing mounted.
printf 'HugePages_Total:    1536\nHugePages_Free:     1200\nHugepagesize:       2048 kB\n' \
	>"$work/proc/meminfo"
echo "nodev /dev/hugepages hugetlbfs rw,relatime,pagesize=2M 0 0" >"$work/proc/mounts"
out=$(setup -c "$top/config/spillway-nic.conf")
echo "$out" | grep -q "hugepages: 2048 MiB needed, 2400 MiB free: none reserved" &&
	! echo "$out" | grep -q "dpdk-hugepages" || fail "hugepages reserved though enough: $out"
# Short by 100 pages: the pool grows by those, from its 1536.
printf 'HugePages_Total:    1536\nHugePages_Free:      924\nHugepagesize:       2048 kB\n' \
	>"$work/proc/meminfo"
out=$(setup -c "$top/config/spillway-nic.conf")
echo "$out" | grep -qx "would run: dpdk-hugepages.py --reserve $(( (1536 + 100) * 2048 ))K" ||
	fail "not the missing pages only: $out"
echo "ok: hugepages only added when short, never cleared or remounted"

cat >"$work/mixed.conf" <<'CONF'
eal = ["-l", "0-1", "--no-huge"];
ports = ( { name = "a"; dev = "net_af_packet0,iface=eth1"; },
          { name = "b"; dev = "03:00.1,rxq_cqe_comp_en=0"; } );
CONF
out=$(setup -c "$work/mixed.conf" --driver uio_pci_generic)
echo "$out"
echo "$out" | grep -q "no hugepages reserved" || fail "hugepages with --no-huge"
echo "$out" | grep -qx "would run: dpdk-devbind.py --bind=uio_pci_generic 0000:03:00.1" ||
	fail "vdev bound or devargs kept"
echo "$out" | grep -q modprobe && fail "modprobe vfio-pci for another driver"
echo "ok: vdevs are left alone, devargs stripped, --no-huge respected"

# Issue 24: a NIC commented out, a NIC and --no-huge on continuation
# lines. The old grep bound the commented NIC (the management port: a
# remote lockout) and missed --no-huge.
cat >"$work/edge-nics.conf" <<'CONF'
eal = ["-l", "0-1",
       "--no-huge", "-m", "512"];
ports = ( { name = "outside"; dev = "0000:01:00.0"; },
          { name = "inside";
            dev =
              "0000:01:00.1"; }
          # , { name = "mgmt"; dev = "0000:00:19.0"; }
        );
/* { name = "old"; dev = "0000:00:1f.6"; } */
CONF
out=$(setup -c "$work/edge-nics.conf")
echo "$out"
echo "$out" | grep -qx "would run: dpdk-devbind.py --bind=vfio-pci 0000:01:00.0 0000:01:00.1" ||
	fail "not exactly the uncommented NICs"
echo "$out" | grep -q "00:19.0\|00:1f.6" && fail "a commented-out NIC named"
echo "$out" | grep -q "no hugepages reserved" || fail "--no-huge on a continuation line missed"
echo "$out" | grep -q "dpdk-hugepages" && fail "hugepages reserved with --no-huge"
echo "ok: exactly the uncommented NICs, no hugepages (--no-huge on its own line)"

# A broken config binds nothing: spillway's error, exit 1.
echo 'ports = ( { name = "a"; dev = "0000:01:00.0" } ' >"$work/broken.conf"
if out=$(setup -c "$work/broken.conf" 2>&1); then fail "a broken config passed: $out"; fi
echo "$out" | grep -q "broken.conf:.*syntax error" && ! echo "$out" | grep -q devbind ||
	fail "no loader error or something bound: $out"
echo "ok: a config spillway cannot parse binds nothing (exit 1)"

# A NIC whose kernel interface is in use is refused, and then nothing
# is bound. In a network namespace of our own: interfaces that stand
# for the NICs' (a veth end with an address, one in a bridge, one
# unused), under made-up PCI addresses.
cat >"$work/inuse.sh" <<SH
set -e
ip link add swset0 type veth peer name swset0p
ip link add swset1 type veth peer name swset1p
ip link add swset2 type veth peer name swset2p
ip link add swsetbr type bridge
ip addr add 192.0.2.7/24 dev swset0
ip link set swset1 master swsetbr
for i in swset0 swset1 swset2 swsetbr; do ip link set \$i up; done
"$top/tools/spillway-setup" --spillway "$bin" --dry-run -c "\$1"
SH
for a in 0000:01:00.0:swset0 0000:01:00.1:swset1 0000:02:00.0:swset2; do
	mkdir -p "$work/sys/bus/pci/devices/${a%:*}/net/${a##*:}"
done
cat >"$work/inuse.conf" <<'CONF'
eal = ["--no-huge"];
ports = ( { name = "a"; dev = "0000:01:00.0"; }, { name = "b"; dev = "0000:02:00.0"; },
          { name = "c"; dev = "0000:01:00.1"; }, { name = "d"; dev = "net_null0"; } );
CONF
if out=$(unshare -n bash "$work/inuse.sh" "$work/inuse.conf" 2>&1); then
	fail "devices in use were not refused: $out"
fi
echo "$out"
echo "$out" | grep -q "refusing 0000:01:00.0: swset0 has 192.0.2.7/24" ||
	fail "the device with an address was not refused"
echo "$out" | grep -q "refusing 0000:01:00.1: swset1 is a port of swsetbr" ||
	fail "the bridge port was not refused"
echo "$out" | grep -q "refusing 0000:02:00.0" && fail "the unused device was refused"
echo "$out" | grep -q "devbind" && fail "something was bound"
echo "ok: devices in use refused (an address, a bridge port), nothing bound, exit 1"
cat >"$work/free.conf" <<'CONF'
eal = ["--no-huge"];
ports = ( { name = "a"; dev = "0000:02:00.0"; }, { name = "b"; dev = "net_null0"; } );
CONF
out=$(unshare -n bash "$work/inuse.sh" "$work/free.conf" 2>&1) ||
	fail "an unused device was refused: $out"
echo "$out" | grep -qx "would run: dpdk-devbind.py --bind=vfio-pci 0000:02:00.0" ||
	fail "the unused device not bound: $out"
echo "ok: a device whose interface is unused is bound"
echo "boot files: all checks passed"
