#!/usr/bin/env python3
# flatpak-check.py: the Flatpak manifest (build-aux/org.lodge.Lodge.json)
#
# Copyright 2026 The Lodge authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# With flatpak-builder installed, its own parser reads the manifest
# (--show-manifest). Always: the keys flatpak-builder documents
# (flatpak-manifest(5)) are the only ones used, with their types; the
# application is Lodge's, built last from this source tree, and every
# other module's source is pinned (a tag or a commit).
import json
import os
import shutil
import subprocess
import sys

TOP = {'id': str, 'app-id': str, 'runtime': str, 'runtime-version': str, 'sdk': str,
       'command': str, 'finish-args': list, 'cleanup': list, 'modules': list,
       'build-options': dict, 'add-extensions': dict, 'sdk-extensions': list,
       'cleanup-commands': list, 'rename-desktop-file': str, 'rename-icon': str,
       'tags': list, 'branch': str}
MODULE = {'name': str, 'buildsystem': str, 'config-opts': list, 'sources': list,
          'build-commands': list, 'make-args': list, 'make-install-args': list,
          'cleanup': list, 'build-options': dict, 'post-install': list, 'modules': list,
          'builddir': bool, 'subdir': str, 'disabled': bool, 'no-autogen': bool}
BUILDSYSTEMS = {'autotools', 'cmake', 'cmake-ninja', 'meson', 'simple', 'qmake'}
SOURCE_TYPES = {'archive', 'git', 'bzr', 'svn', 'dir', 'file', 'script', 'shell', 'patch',
                'extra-data'}


def fail(message):
    print(f'flatpak-check: {message}', file=sys.stderr)
    sys.exit(1)


def check_keys(what, obj, allowed):
    for key, value in obj.items():
        if key not in allowed:
            fail(f'{what}: unknown key {key!r}')
        if not isinstance(value, allowed[key]):
            fail(f'{what}: {key!r} should be a {allowed[key].__name__}')


def main(path, srcdir):
    with open(path) as f:
        manifest = json.load(f)
    check_keys('manifest', manifest, TOP)
    for key in ('id', 'runtime', 'runtime-version', 'sdk', 'command', 'modules'):
        if key not in manifest:
            fail(f'manifest: {key!r} is missing')
    if manifest['id'] != 'org.lodge.Lodge':
        fail(f"the application id is {manifest['id']!r}, not org.lodge.Lodge")
    if not all(isinstance(a, str) and a.startswith('--') for a in manifest.get('finish-args', [])):
        fail('every finish-arg is an option string')

    modules = manifest['modules']
    for module in modules:
        name = module.get('name')
        if not name:
            fail('a module has no name')
        check_keys(f'module {name}', module, MODULE)
        if module.get('buildsystem', 'autotools') not in BUILDSYSTEMS:
            fail(f"module {name}: unknown buildsystem {module['buildsystem']!r}")
        if module.get('buildsystem') == 'simple' and not module.get('build-commands'):
            fail(f'module {name}: a simple build needs build-commands')
        for source in module.get('sources', []):
            kind = source.get('type')
            if kind not in SOURCE_TYPES:
                fail(f'module {name}: unknown source type {kind!r}')
            if kind == 'git' and not ('tag' in source or 'commit' in source):
                fail(f'module {name}: a git source must be pinned by a tag or a commit')
            if kind == 'archive' and 'sha256' not in source:
                fail(f'module {name}: an archive needs its sha256')

    last = modules[-1]
    if last.get('name') != 'lodge' or last.get('buildsystem') != 'meson':
        fail('the last module builds Lodge with meson')
    dirs = [s for s in last.get('sources', []) if s.get('type') == 'dir']
    if not dirs:
        fail('Lodge is built from this source tree (a dir source)')
    tree = os.path.normpath(os.path.join(os.path.dirname(path), dirs[0]['path']))
    if not os.path.isfile(os.path.join(tree, 'meson.build')) or \
            os.path.realpath(tree) != os.path.realpath(srcdir):
        fail(f'the dir source {dirs[0]["path"]!r} is not this source tree')

    builder = shutil.which('flatpak-builder')
    if builder:
        result = subprocess.run([builder, '--show-manifest', path], capture_output=True, text=True)
        if result.returncode != 0:
            fail(f'flatpak-builder --show-manifest: {result.stderr.strip()}')
        print('flatpak-builder reads it')
    else:
        print('flatpak-builder is not installed: checked against the documented keys only')
    print(f"{len(modules)} modules, runtime {manifest['runtime']}//{manifest['runtime-version']}")


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2])
