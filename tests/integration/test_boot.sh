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
	RuntimeDirectory=spillway ReadWritePaths=-/run/dpdk; do
	grep -qx "$d" "$top/config/spillway.service" || fail "unit lacks $d"
done
echo "ok: confinement directives present"
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

out=$("$top/tools/spillway-setup" --dry-run -c "$top/config/spillway-nic.conf")
echo "$out"
echo "$out" | grep -qx "would run: dpdk-hugepages.py -p 2M --setup 2G" ||
	fail "no hugepage reservation"
echo "$out" | grep -qx "would run: modprobe vfio-pci" || fail "no vfio-pci"
echo "$out" | grep -qx "would run: dpdk-devbind.py --bind=vfio-pci 0000:01:00.0 0000:01:00.1" ||
	fail "wrong devbind line"
echo "ok: dry run binds the two PCI ports and reserves hugepages"

out=$("$top/tools/spillway-setup" --dry-run -c "$top/config/spillway-nic.conf" --hugepages 6G)
echo "$out" | grep -qx "would run: dpdk-hugepages.py -p 2M --setup 6G" ||
	fail "--hugepages 6G not passed on: $out"
echo "ok: --hugepages 6G reserves 6G"

cat >"$work/mixed.conf" <<'CONF'
eal = ["-l", "0-1", "--no-huge"];
ports = ( { name = "a"; dev = "net_af_packet0,iface=eth1"; },
          { name = "b"; dev = "03:00.1,rxq_cqe_comp_en=0"; } );
CONF
out=$("$top/tools/spillway-setup" --dry-run -c "$work/mixed.conf" --driver uio_pci_generic)
echo "$out"
echo "$out" | grep -q "no hugepages reserved" || fail "hugepages with --no-huge"
echo "$out" | grep -qx "would run: dpdk-devbind.py --bind=uio_pci_generic 03:00.1" ||
	fail "vdev bound or devargs kept"
echo "$out" | grep -q modprobe && fail "modprobe vfio-pci for another driver"
echo "ok: vdevs are left alone, devargs stripped, --no-huge respected"
echo "boot files: all checks passed"
