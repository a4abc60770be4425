#!/usr/bin/env python3
"""Checks the size rules of CONTRIBUTING.md: no C++ source file in harness/, reports/, tests/ or
bench/ and no C file in drivers/ (the driver runtime and the channel library) over 500 lines, no
function in harness/ over 80 lines. A function is a definition whose signature ends a
line with '{' at namespace level (no indentation) or as a class member (two spaces), and runs to
its matching '}'; string and character literals and comments are skipped when counting braces.
Usage: ci/check_sizes.py [--list]  (--list prints every function over 60 lines, without failing)"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
MAX_FILE, MAX_FUNCTION = 500, 80
SIGNATURE = re.compile(r'^( {0,2})[A-Za-z_~].*\)\s*(const\s*)?(override\s*)?(noexcept\s*)?(->\s*[^{]+)?\{\s*$')
NOT_FUNCTIONS = re.compile(r'^\s*(if|for|while|switch|catch|else|do|return|namespace|struct|class|enum|union)\b')


def strip(line, state):
    """The line without literals and comments; state carries an open block comment."""
    out, i = [], 0
    while i < len(line):
        if state['comment']:
            end = line.find('*/', i)
            if end < 0:
                return ''.join(out)
            state['comment'], i = False, end + 2
            continue
        c = line[i]
        if line.startswith('//', i):
            break
        if line.startswith('/*', i):
            state['comment'], i = True, i + 2
            continue
        if line.startswith('R"', i):
            m = re.match(r'R"([^(]*)\(', line[i:])
            if m:
                close = ')' + m.group(1) + '"'
                end = line.find(close, i + m.end())
                if end < 0:
                    state['raw'] = close
                    return ''.join(out)
                i = end + len(close)
                continue
        if c in '"\'':
            j = i + 1
            while j < len(line) and line[j] != c:
                j += 2 if line[j] == '\\' else 1
            i = j + 1
            continue
        out.append(c)
        i += 1
    return ''.join(out)


def functions(path):
    lines = path.read_text(errors='replace').split('\n')
    state = {'comment': False, 'raw': None}
    clean = []
    for line in lines:
        if state['raw']:
            end = line.find(state['raw'])
            if end < 0:
                clean.append('')
                continue
            line = line[end + len(state['raw']):]
            state['raw'] = None
        clean.append(strip(line, state))
    i = 0
    while i < len(clean):
        m = SIGNATURE.match(clean[i])
        if not m or NOT_FUNCTIONS.match(clean[i]) or '=' in clean[i].split('(')[0]:
            i += 1
            continue
        depth, j = 0, i
        while j < len(clean):
            depth += clean[j].count('{') - clean[j].count('}')
            if depth <= 0 and j > i or (depth == 0 and j == i and '}' in clean[j]):
                break
            j += 1
        name = re.sub(r'\s+', ' ', clean[i].strip())[:90]
        yield i + 1, j - i + 1, name
        i = j + 1 if m.group(1) == '' else i + 1


def main():
    listing = '--list' in sys.argv
    problems = []
    sources = [p for pattern in ('harness/**/*.[ch]pp', 'reports/*.[ch]pp', 'tests/**/*.[ch]pp', 'bench/*.[ch]pp',
                                 'drivers/*.[ch]')
               for p in ROOT.glob(pattern) if '/out/' not in str(p) and 'node_modules' not in str(p)]
    for path in sorted(sources):
        rel = path.relative_to(ROOT)
        n = len(path.read_text(errors='replace').rstrip('\n').split('\n'))
        if n > MAX_FILE:
            problems.append(f'{rel}: {n} lines (at most {MAX_FILE})')
        if not str(rel).startswith('harness/') or rel.name.endswith('_test.cpp'):
            continue
        for line, length, name in functions(path):
            if length > MAX_FUNCTION or (listing and length > 60):
                problems.append(f'{rel}:{line}: function of {length} lines (at most {MAX_FUNCTION}): {name}')
    for p in problems:
        print(p, file=sys.stderr)
    if listing:
        return 0
    if not problems:
        print('sizes ok')
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
