#!/usr/bin/env python3
# layer-check.py: only src/model/ calls libvirt.
#
# Copyright 2026 The Lodge authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# usage: layer-check.py SRCDIR      checks SRCDIR/src
#        layer-check.py --self-test checks the checker on made-up files
#
# Meson cannot enforce this layering: /usr/include/libvirt is on the default
# include path, and the model's dependency brings libvirt to every layer's
# link. So this test reads the C files of src/ outside src/model/ and fails
# on a libvirt call (an identifier vir[A-Z]… followed by "(") or an
# #include <libvirt/…>, outside comments and string literals.

import os
import re
import sys
import tempfile

CALL = re.compile(r'\bvir[A-Z]\w*\s*\(')
INCLUDE = re.compile(r'<libvirt/')

# Files allowed to break the rule: none. (A new exception needs a reason
# here and a plan to remove it.)
EXCEPTIONS = set()


def strip_comments_and_strings(text):
    """The text with comments and string/char literals blanked (newlines
    kept, so that line numbers stay right)."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        nxt = text[i + 1] if i + 1 < n else ''
        if c == '/' and nxt == '*':
            end = text.find('*/', i + 2)
            end = n if end < 0 else end + 2
            out.append(re.sub(r'[^\n]', ' ', text[i:end]))
            i = end
        elif c == '/' and nxt == '/':
            end = text.find('\n', i)
            end = n if end < 0 else end
            out.append(' ' * (end - i))
            i = end
        elif c in '"\'':
            j = i + 1
            while j < n and text[j] != c and text[j] != '\n':
                j += 2 if text[j] == '\\' else 1
            end = min(j + 1, n)
            # An #include <…> is no string; "…" includes are kept as is.
            out.append(c + re.sub(r'[^\n]', ' ', text[i + 1:end - 1]) + text[end - 1:end])
            i = end
        else:
            out.append(c)
            i += 1
    return ''.join(out)


def check(root, exceptions=EXCEPTIONS):
    """Violations under root/src as (path, line, text), and the exceptions
    that no longer need to be."""
    violations = []
    clean_exceptions = set(exceptions)
    src = os.path.join(root, 'src')
    for dirpath, dirnames, filenames in os.walk(src):
        dirnames.sort()
        rel_dir = os.path.relpath(dirpath, root)
        if rel_dir == os.path.join('src', 'model') or rel_dir.startswith(os.path.join('src', 'model') + os.sep):
            continue
        for name in sorted(filenames):
            if not name.endswith(('.c', '.h')):
                continue
            rel = os.path.join(rel_dir, name)
            with open(os.path.join(dirpath, name), encoding='utf-8', errors='replace') as f:
                original = f.read()
            code = strip_comments_and_strings(original)
            lines = original.split('\n')
            found = []
            # On the whole text: a call may break its line before "(".
            for match in sorted(list(CALL.finditer(code)) + list(INCLUDE.finditer(code)),
                                key=lambda m: m.start()):
                number = code.count('\n', 0, match.start()) + 1
                found.append((rel, number, lines[number - 1].strip()))
            if rel in exceptions:
                if found:
                    clean_exceptions.discard(rel)
                continue
            violations.extend(found)
    return violations, sorted(clean_exceptions)


def self_test():
    cases = {
        'src/ui/call.c': ('int f (void) { return virDomainCreate (d); }\n', True),
        'src/ui/spaced.c': ('x = virConnectOpen\n  ("qemu:///system");\n', True),
        'src/create/include.c': ('#include <libvirt/libvirt.h>\n', True),
        'src/console/comment.h': ('/* fd = virDomainOpenGraphicsFD (dom, 0, 0);\n'
                                  ' * #include <libvirt/libvirt.h> */\n'
                                  '// virStreamSend (s)\n', False),
        'src/ui/string.c': ('g_print ("virDomainCreate (d) failed");\n', False),
        'src/ui/name.c': ('int virtual_size (void); int vir (int); void virtio (void);\n', False),
        'src/model/model.c': ('#include <libvirt/libvirt.h>\nvirDomainCreate (d);\n', False),
        'src/ui/excepted.c': ('virDomainFree (d);\n', False),
    }
    ok = True
    with tempfile.TemporaryDirectory() as root:
        for rel, (text, _) in cases.items():
            path = os.path.join(root, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, 'w') as f:
                f.write(text)
        violations, clean = check(root, {'src/ui/excepted.c', 'src/ui/gone.c'})
        flagged = {v[0] for v in violations}
        for rel, (_, expected) in cases.items():
            if (rel in flagged) != expected:
                print(f'self-test: {rel}: expected {"a" if expected else "no"} violation')
                ok = False
        if clean != ['src/ui/gone.c']:
            print(f'self-test: exceptions without calls: {clean}')
            ok = False
    return ok


def main():
    if len(sys.argv) == 2 and sys.argv[1] == '--self-test':
        return 0 if self_test() else 1
    if len(sys.argv) != 2:
        print('usage: layer-check.py SRCDIR | --self-test', file=sys.stderr)
        return 2
    violations, clean = check(sys.argv[1])
    for path, line, text in violations:
        print(f'{path}:{line}: libvirt outside src/model/: {text}')
    for path in clean:
        # Not a failure: an exception that has nothing left to excuse.
        print(f'note: {path} makes no libvirt call now: its exception can go')
    if violations:
        print(f'{len(violations)} libvirt use(s) outside src/model/: ask the model instead')
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
