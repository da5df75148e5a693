#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The spillway authors
"""The house's rules, checked on the code's own includes
(doc/design/house.md):

  - lib/ never includes app/;
  - app/dataplane/ never includes app/control/;
  - no include circle between modules (a module is a name: x.c, x.h and
    x_private.h, wherever they live; x.c including y.h is an arrow
    x -> y), nor between rooms (the folders the modules live in).

Prints the rooms (folders) and the arrows between them with --map;
exits 1 with every broken rule named, else 0.

  check-includes.py [--map] [ROOT]"""

import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
TREES = ("include", "lib", "app", "bench")


def scan(root):
    """{module: room}, {module: set(modules it includes)}; headers found
    anywhere in the trees, so an include names a module by file name."""
    room, where = {}, {}
    for tree in TREES:
        for d, _, files in os.walk(os.path.join(root, tree)):
            for f in files:
                if f.endswith((".c", ".h")):
                    mod = f[:-2]
                    # x_private.h is x's own (its layouts, for x.c).
                    if mod.endswith("_private"):
                        mod = mod[:-len("_private")]
                    rel = os.path.relpath(d, root)
                    room.setdefault(mod, rel)
                    where.setdefault(mod, []).append(os.path.join(d, f))
    arrows = {m: set() for m in room}
    for mod, paths in where.items():
        for p in paths:
            with open(p, encoding="utf-8") as fh:
                for inc in INCLUDE.findall(fh.read()):
                    other = os.path.basename(inc)[:-2]
                    if other.endswith("_private"):
                        other = other[:-len("_private")]
                    if other in room and other != mod:
                        arrows[mod].add(other)
    return room, arrows


def cycles(arrows):
    """Every module on a circle, with one circle it is on."""
    found, state, stack = [], {}, []

    def visit(m):
        state[m] = 1
        stack.append(m)
        for n in sorted(arrows[m]):
            if state.get(n) == 1:
                found.append(stack[stack.index(n):] + [n])
            elif n not in state:
                visit(n)
        stack.pop()
        state[m] = 2

    for m in sorted(arrows):
        if m not in state:
            visit(m)
    return found


def main():
    args = [a for a in sys.argv[1:] if a != "--map"]
    root = args[0] if args else os.path.dirname(os.path.dirname(
        os.path.abspath(__file__)))
    room, arrows = scan(root)
    bad = []
    for m, outs in sorted(arrows.items()):
        for n in sorted(outs):
            a, b = room[m], room[n]
            if a.startswith("lib") and b.startswith("app"):
                bad.append("lib includes app: %s (%s) -> %s (%s)"
                           % (m, a, n, b))
            if a == "app/dataplane" and b == "app/control":
                bad.append("dataplane includes control: %s -> %s" % (m, n))
    for c in cycles(arrows):
        bad.append("include circle: " + " -> ".join(c))
    # Rooms (folders) too: the house has floors, no arrow runs back up.
    rooms = {}
    for m, outs in arrows.items():
        for n in outs:
            if room[m] != room[n]:
                rooms.setdefault(room[m], set()).add(room[n])
    for r in set(room.values()):
        rooms.setdefault(r, set())
    for c in cycles(rooms):
        bad.append("room circle: " + " -> ".join(c))
    if "--map" in sys.argv:
        edges = {}
        for m, outs in arrows.items():
            for n in outs:
                if room[m] != room[n]:
                    edges.setdefault((room[m], room[n]), set()).add(
                        "%s->%s" % (m, n))
        print("rooms:", " ".join(sorted(set(room.values()))))
        for (a, b), e in sorted(edges.items()):
            print("%-16s -> %-16s %s" % (a, b, " ".join(sorted(e))))
    for b in bad:
        print("check-includes: " + b)
    print("check-includes: %d modules, %d arrows, %s"
          % (len(room), sum(len(v) for v in arrows.values()),
             "%d broken" % len(bad) if bad else "the house holds"))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
