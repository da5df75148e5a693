#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The spillway authors
"""The man pages and the code name the same settings and commands.

Settings come from the real loader, not from reading its source: every
group answers a misspelt key with the keys it knows ("unknown setting
(known here: a, b)"), so the test writes a probe key into each group
`spillway --check` accepts, top down, and learns which known keys are
groups, lists of groups or groups of named groups (sets.NAME) by
probing them the same way. Commands come from the running binary's
`help`, which prints the one command table the dispatcher reads.

The man pages: spillway.conf(5) names settings as *group.key* headwords
(rule fields in "Rule fields", which every rule list and group takes);
spillway(8) names commands as headwords in "CLI COMMANDS". A setting or
command in one and not the other fails the test, either way round."""

import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from pylib import NULL_PORTS, TOP, Spillway, check, finish, tmpdir  # noqa: E402

PROBE = "zz_probe"
MAN5 = os.path.join(TOP, "doc", "man", "spillway.conf.5.scd")
MAN8 = os.path.join(TOP, "doc", "man", "spillway.8.scd")
# Lists whose elements are rules: their fields are "Rule fields".
RULE_LISTS = re.compile(r"^rules\.(notrack|policy|fallback|groups\.NAME)\[\]$")


class Loader:
    def __init__(self, binary, work):
        self.binary = binary
        self.conf = os.path.join(work, "probe.conf")
        self.runs = 0

    def known(self, path):
        """The keys of the group at path, or None if it is not one."""
        text = PROBE + " = 1;"
        for part in reversed(path):
            if part == "[]":
                # Two elements: a port list needs two to be read.
                text = "( { %s }, { %s } )" % (text, text)
                continue
            if part == "NAME":
                # A named member: a list as it is, members in a group.
                text = "{ n1 = %s; }" % (text if text.startswith("(") else "{ %s }" % text)
                continue
            text = "%s = %s;" % (part, text if text.startswith("(") or
                                 text.startswith("{") else "{ %s }" % text)
        with open(self.conf, "w") as f:
            f.write(text + "\n")
        self.runs += 1
        p = subprocess.run([self.binary, "--check", "-c", self.conf],
                           capture_output=True, text=True, timeout=30)
        where = ""
        for part in path:
            where += ("[0]" if part == "[]" else
                      (".n1" if part == "NAME" else ("." if where else "") + part))
        want = re.escape((where + "." if where else "") + PROBE)
        m = re.search(want + r": unknown setting \(known here: ([^)]*)\)", p.stderr)
        if m is None:
            return None
        return [k.strip() for k in m.group(1).split(",") if k.strip()]


def name(path):
    s = ""
    for part in path:
        s += "[]" if part == "[]" else ("." if s else "") + part
    return s


def code_settings(loader):
    """Every leaf setting's path, and every group's, from the loader."""
    leaves, groups = set(), set()

    def walk(path):
        keys = loader.known(path)
        if keys is None:
            return False
        groups.add(name(path))
        for k in keys:
            sub = path + [k]
            if walk(sub) or walk(sub + ["[]"]) or walk(sub + ["NAME"]):
                groups.add(name(sub))
                continue
            # A group of named lists (rules.groups.NAME = ( rules )).
            if walk(sub + ["NAME", "[]"]):
                groups.update((name(sub), name(sub + ["NAME"])))
                continue
            leaves.add(name(sub))
        return True

    walk([])
    return leaves, groups


def normal(setting):
    """One spelling for both sides: a rule list's field is rules.RULE.x."""
    for lst in ("notrack", "policy", "fallback"):
        setting = setting.replace("rules.%s[]." % lst, "rules.RULE.")
    return setting.replace("rules.groups.NAME[].", "rules.RULE.")


def man_settings():
    """Headwords of spillway.conf(5): lines that start with *word*."""
    out, section = set(), ""
    with open(MAN5) as f:
        for line in f:
            if line.startswith("#"):
                section = line.strip("# \n")
                continue
            if not line.startswith("*") or section in ("SEE ALSO", "FILES"):
                continue
            head = line.split(" = ")[0]
            for word in re.findall(r"\*([a-z_][a-z0-9_.\[\]A-Z]*)\*", head):
                word = word.replace("\\_", "_")
                out.add("rules.RULE." + word if section == "Rule fields" else word)
    return out


def man_commands():
    out, inside = set(), False
    with open(MAN8) as f:
        for line in f:
            if line.startswith("#"):
                inside = line.strip("# \n") == "CLI COMMANDS"
                continue
            if inside and line.startswith("*"):
                # Every command a headword line names ("*set add* ...,
                # *set del* ...").
                out.update(w.strip() for w in re.findall(r"\*([a-z ]+?)\*", line))
    return out


def code_commands(binary, work):
    sw = Spillway(binary, work, NULL_PORTS, tag="ref").start()
    check(sw.wait_running(), "spillway runs on net_null ports")
    text = sw.cmd("help")
    sw.stop()
    cmds = set()
    for line in text.splitlines():
        m = re.match(r"([a-z]+(?: [a-z]+)*)(?=\s|$)", line)
        if m:
            cmds.add(m.group(1))
    return cmds


def main():
    binary = sys.argv[1]
    work = tmpdir("sw-ref-")
    leaves, groups = code_settings(Loader(binary, work))
    check(len(leaves) > 60 and "flowtable.timeouts.tcp_established" in leaves and
          "rules.policy[].dport" in leaves and "sets.NAME.file" in leaves,
          "the loader's settings found by probing (%d settings, %d groups)"
          % (len(leaves), len(groups)))
    code = {normal(s) for s in leaves}
    code_groups = {normal(s) for s in groups}
    man = man_settings()
    missing = sorted(code - man)
    extra = sorted(m for m in man if m not in code and m not in code_groups)
    check(not missing, "every setting the loader takes is in spillway.conf(5)%s"
          % (": missing " + ", ".join(missing) if missing else ""))
    check(not extra, "every setting spillway.conf(5) names is taken by the loader%s"
          % (": not in the code " + ", ".join(extra) if extra else ""))

    cmds = code_commands(binary, work)
    man = man_commands()
    check(len(cmds) > 10 and "show stats" in cmds and "flush flows" in cmds,
          "the commands of help (%d)" % len(cmds))
    missing = sorted(cmds - man)
    extra = sorted(man - cmds)
    check(not missing, "every command of help is in spillway(8)%s"
          % (": missing " + ", ".join(missing) if missing else ""))
    check(not extra, "every command spillway(8) names is in help%s"
          % (": not in the code " + ", ".join(extra) if extra else ""))
    return finish("reference")


if __name__ == "__main__":
    sys.exit(main())
