#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Installs what spillway's build, demo and tests need on Debian 12, and
# only what is missing (apt-get update runs only when something is).
set -euo pipefail

pkgs=(
	build-essential meson ninja-build pkg-config
	libdpdk-dev dpdk libconfig-dev libcmocka-dev libpcap-dev
	libedit-dev		# spillway ctl's prompt: history, completion
	libsodium-dev		# the HA sync link's MAC, the state file's digest
	libunistring-dev	# UTF-8: the config's strings, the outputs
	libsystemd-dev		# sd_notify: readiness, status, watchdog
	scdoc			# the man pages the unit names
	dpdk-dev		# dpdk-dumpcap: capture on spillway's ports
	python3 python3-scapy
	python3-markdown-it ruby-mdl	# the docs' linters
	iproute2 ethtool iputils-ping curl procps tmux netcat-openbsd hping3
	netbase			# /etc/services: service names in ports
	iptables ipset		# the import test's reference: Linux itself
	systemd
	keepalived		# the HA failover test (config/keepalived.conf)
	prometheus		# promtool: the metrics endpoint's linter
	tshark			# reads what dpdk-dumpcap captured
	clang libclang-rt-14-dev
)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing ${missing[*]}; run as root to install" >&2
	exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# tshark's package asks whether non-root users may capture: no.
echo "wireshark-common wireshark-common/install-setuid boolean false" |
	debconf-set-selections
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
