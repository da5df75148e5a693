#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The spillway authors
"""What a markdown style linter (mdl) does not see: a document that
renders wrong.

Parses every markdown file the way GitHub does (markdown-it, CommonMark
plus tables) and fails on what a reader would find broken:

  - a table row outside a table (a blank line or a bad delimiter row
    turned the rest of the table into a paragraph of raw pipes);
  - a table row with more or fewer cells than its header;
  - a heading run into the text before it ("...first.## The CLI");
  - a relative link to a file that does not exist, or to an anchor
    that no heading of the target makes.

Usage: check-markdown.py ROOT [FILE.md...]   (default: every tracked
*.md under ROOT).  Exit 1 with "file:line: what" lines on a problem.
"""

import os
import re
import subprocess
import sys

from markdown_it import MarkdownIt

MD = MarkdownIt('commonmark').enable('table')

RUN_ON_HEADING = re.compile(r'[^\s#\\`(\[][#]{2,6} [A-Za-z0-9`]')


def slug(text):
    """GitHub's anchor for a heading's text."""
    s = re.sub(r'[^\w\- ]', '', text.strip().lower())
    return s.replace(' ', '-')


def cells(line):
    """Cells of a table line, as GitHub splits them."""
    s = line.strip()
    if s.startswith('|'):
        s = s[1:]
    if s.endswith('|') and not s.endswith('\\|'):
        s = s[:-1]
    # An escaped pipe is text; GitHub splits on one in a code span.
    return s.replace('\\|', 'x').count('|') + 1


def anchors(tokens):
    """Every anchor a document's headings make, GitHub's way."""
    seen = {}
    out = set()
    for i, t in enumerate(tokens):
        if t.type != 'heading_open':
            continue
        base = slug(tokens[i + 1].content)
        n = seen.get(base, 0)
        seen[base] = n + 1
        out.add(base if n == 0 else f'{base}-{n}')
    return out


def parse(path):
    with open(path, encoding='utf-8') as f:
        text = f.read()
    return text, MD.parse(text)


def check_file(root, path, cache, errs):
    text, toks = cache.setdefault(path, parse(path))
    lines = text.split('\n')
    rel = os.path.relpath(path, root)

    def err(line0, what):
        errs.append(f'{rel}:{line0 + 1}: {what}')

    for i, t in enumerate(toks):
        if t.type == 'table_open' and t.map:
            lo, hi = t.map
            want = cells(lines[lo])
            for n in range(lo, hi):
                if n == lo + 1:
                    continue        # the delimiter row
                got = cells(lines[n])
                if got != want:
                    err(n, f'table row has {got} cells, its header '
                        f'{want}')
        if t.type == 'paragraph_open' and t.map:
            lo, hi = t.map
            for n in range(lo, hi):
                s = lines[n].lstrip()
                if s.startswith('|') and s.rstrip().endswith('|'):
                    err(n, 'table row outside a table (a blank line or '
                        'a bad delimiter row above it?)')
                    break
            for n in range(lo, hi):
                if RUN_ON_HEADING.search(lines[n]):
                    err(n, 'a heading run into the text before it')
        if t.type == 'inline':
            for c in t.children or []:
                if c.type != 'link_open':
                    continue
                href = c.attrs.get('href', '')
                line0 = t.map[0] if t.map else 0
                check_link(root, path, href, line0, cache, err)


def check_link(root, path, href, line0, cache, err):
    if re.match(r'^[a-z][a-z0-9+.-]*:', href) or href.startswith('//'):
        return                      # a URL, mailto: and the like
    target, _, frag = href.partition('#')
    if target:
        dest = os.path.normpath(os.path.join(os.path.dirname(path),
                                             target))
        if not os.path.exists(dest):
            err(line0, f'link to a missing file: {href}')
            return
    else:
        dest = path
    if frag and dest.endswith('.md'):
        _, toks = cache.setdefault(dest, parse(dest))
        if frag not in anchors(toks):
            err(line0, f'link to a missing anchor: {href}')


def tracked_md(root):
    out = subprocess.run(['git', '-C', root, 'ls-files', '--cached',
                          '--others', '--exclude-standard', '*.md'],
                         capture_output=True, text=True, check=True)
    return [os.path.join(root, p) for p in out.stdout.split()
            if not p.startswith('subprojects/')]


def main():
    root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else '.')
    files = ([os.path.abspath(p) for p in sys.argv[2:]]
             or tracked_md(root))
    errs = []
    cache = {}
    for p in sorted(files):
        check_file(root, p, cache, errs)
    for e in errs:
        print(e)
    print(f'check-markdown: {len(files)} files, {len(errs)} problems')
    return 1 if errs else 0


if __name__ == '__main__':
    sys.exit(main())
