# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The spillway authors
"""The one harness of the integration and end-to-end tests (Python).

A script finds it from its own place in the tree, whatever the working
directory (the tests run under /usr/bin/python3, Debian's, with scapy):

    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from pylib import check, finish, Spillway, ...

  harness   check / finish (the exit status), on_exit (cleanup however
            the script ends), tmpdir, sh, bg, wait_for / settle,
            private_run (a /run of the script's own)
  spillway  Spillway (the binary on a generated config: the one EAL
            line, its control socket, counters, stop and totals), Cli,
            run_pcap (two net_pcap ports), Box / run_seq (frame by frame
            over veth pairs)
  netns     Topology (tools/netns.sh's namespaces, named after the run,
            removed at exit), HaPair (two firewalls side by side, a sync
            link between them), roles in namespaces, Wire, in_ns,
            private_netns / VethPorts
  packets   the packet builder (scapy) and reader; imported on its own
"""

from .harness import (attempt, bg, check, checks, failures, finish, groups, kill,  # noqa: F401
                      need_root, on_exit, private_run, settle, sh, skip, sleep_until, tmpdir,
                      wait_for)
from .spillway import (NULL_PORTS, PCAP_PORTS, SEQ_PORTS, Box, Cli, PcapRun, Spillway,  # noqa: F401
                       delta, eal_args, parse_stats, pcap_conf, ports_conf, rule_hits,
                       run_pcap, run_seq, stat, unique_prefix)
from .netns import (PY, TOP, HaPair, Topology, VethPorts, Wire, in_ns,  # noqa: F401
                    kernel_counter, private_netns, readline, ready, result, role,
                    role_bg)

__all__ = ["attempt", "bg", "check", "checks", "failures", "finish", "groups", "kill",
           "need_root", "on_exit", "private_run", "settle", "sh", "skip", "sleep_until", "tmpdir",
           "wait_for", "NULL_PORTS", "PCAP_PORTS", "SEQ_PORTS", "Box", "Cli", "PcapRun",
           "Spillway", "delta", "eal_args", "parse_stats", "pcap_conf", "ports_conf",
           "rule_hits", "run_pcap", "run_seq", "stat", "unique_prefix", "PY", "TOP", "HaPair",
           "kernel_counter",
           "Topology", "VethPorts", "Wire", "in_ns", "private_netns", "readline", "ready",
           "result", "role", "role_bg"]
