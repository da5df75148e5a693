#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The spillway authors
#
# One interactive session as a person has it: tmux runs spillway --cli
# on the control socket, keys are typed, the screen is read back.
#
# usage: test_cli_tmux.sh SPILLWAY_BINARY
set -euo pipefail
bin=$1
work=$(mktemp -d /tmp/sw-tmux.XXXXXX)
sock=sw-tmux-$$
pid=
cleanup() {
	tmux -L "$sock" kill-server 2>/dev/null || true
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$work" "/var/run/dpdk/swt-tmux-$$"
	return 0
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; tmux -L "$sock" capture-pane -p -t s 2>/dev/null; exit 1; }

cat >"$work/sw.conf" <<CONF
eal = ["-l", "0-1", "--no-huge", "-m", "256", "--no-telemetry",
       "--file-prefix", "swt-tmux-$$"];
ports = ( { name = "outside"; dev = "net_null0"; },
          { name = "inside";  dev = "net_null1"; } );
control = { socket = "$work/ctl.sock"; };
flowtable = { max_flows = 1024; };
CONF
"$bin" -c "$work/sw.conf" >"$work/log" 2>&1 &
pid=$!
for _ in $(seq 100); do
	grep -q "control: socket" "$work/log" && break
	sleep 0.1
done
grep -q "control: socket $work/ctl.sock" "$work/log" ||
	{ cat "$work/log"; fail "no control socket"; }

screen() { tmux -L "$sock" capture-pane -p -t s -S -200; }
wait_screen() {	# wait_screen REGEX: until the screen shows it (5 s)
	for _ in $(seq 50); do
		screen | grep -q -- "$1" && return 0
		sleep 0.1
	done
	fail "screen never showed '$1'"
}
type_line() { tmux -L "$sock" send-keys -t s "$1" Enter; }

tmux -L "$sock" new-session -d -s s -x 160 -y 60 \
	"$bin --cli --socket $work/ctl.sock"
# Keep the screen readable after the session ends with quit.
tmux -L "$sock" set-option -t s remain-on-exit on >/dev/null
wait_screen "'help' lists the commands"
echo "ok: spillway --cli connected, banner shown"
type_line "help"
wait_screen "set timeout NAME SECONDS"
echo "ok: help"
type_line "show stats"
wait_screen "l2_passthrough  *[0-9]"
echo "ok: show stats"
type_line "set timeout udp 12"
wait_screen "udp = 12"
type_line "show timeouts"
wait_screen "udp  *12"
echo "ok: set timeout, show timeouts"
type_line "show flowtable"
wait_screen "max_flows 1024"
echo "ok: show flowtable"
type_line "no such thing"
wait_screen "error: unknown command 'no'"
echo "ok: an error line"
type_line "quit"
wait_screen "^bye"
echo "ok: quit"
screen | tail -5
kill -TERM "$pid"
wait "$pid" || fail "spillway exited with $?"
pid=
grep -q "spillway: totals" "$work/log" || fail "no totals"
echo "cli tmux: all checks passed"
