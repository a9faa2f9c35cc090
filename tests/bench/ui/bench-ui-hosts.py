#!/usr/bin/python3
# bench-ui-hosts.py: five hosts of 500 machines in one window, Lodge against
# virt-manager with the same five connections
#
# Copyright 2026 The Lodge authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: bench-ui-hosts.py LODGE GEN_MACHINES_PY [--runs N] [--idle-seconds S]
#                          [--hosts 5] [--size 500] [--no-virt-manager]
#
# Runs under the display and session bus it is given (xvfb-run +
# dbus-run-session). Prints figures; asserts nothing. Both programs read
# their hosts from their own GSettings (a keyfile backend in a private
# XDG_CONFIG_HOME): Lodge's "hosts", virt-manager's connections "uris" and
# "autoconnect".
#
# - First populated frame of All Machines from the spawn: the first frame
#   with machines, and the first with all of them (hosts × size), as Lodge
#   reports it (LODGE_BENCH_EXIT_AFTER_FIRST_FRAME, ..._MACHINES); and for
#   both programs the first rows in the accessibility tree.
# - Peak RSS once every machine is shown (the child's ru_maxrss).
# - Idle CPU with hosts × 100 running machines.
# - The same first frame with one more host that cannot be reached (nothing
#   listens on 127.0.0.9:1): what it adds.

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import importlib  # noqa: E402
library = importlib.import_module('bench-ui-library')

UNREACHABLE = 'qemu+tcp://127.0.0.9:1/system'
log = library.log
median = library.median


def gvariant_hosts(uris):
    return '[' + ', '.join("('%s', '', true)" % u for u in uris) + ']'


def settings_env(config_dir, schema_dir, lodge_uris=None, vm_uris=None):
    """A private keyfile GSettings backend holding the hosts of both."""
    os.makedirs(config_dir, exist_ok=True)
    env = dict(os.environ)
    env['XDG_CONFIG_HOME'] = config_dir
    env['GSETTINGS_BACKEND'] = 'keyfile'
    env['XDG_STATE_HOME'] = os.path.join(config_dir, 'state')
    keyfile = os.path.join(config_dir, 'glib-2.0', 'settings', 'keyfile')
    os.makedirs(os.path.dirname(keyfile), exist_ok=True)
    with open(keyfile, 'w') as f:
        if lodge_uris is not None:
            f.write('[org/lodge/Lodge]\nhosts=%s\n' % gvariant_hosts(lodge_uris))
        if vm_uris is not None:
            f.write('[org/virt-manager/virt-manager/connections]\n')
            f.write('uris=%s\n' % ('[' + ', '.join("'%s'" % u for u in vm_uris) + ']'))
            f.write('autoconnect=%s\n' % ('[' + ', '.join("'%s'" % u for u in vm_uris) + ']'))
            # no first-run dialogs, no stats polling differences
            f.write('[org/virt-manager/virt-manager]\nxmleditor-enabled=false\n')
    return env


def lodge_frame(lodge, env, machines=0):
    env = dict(env)
    env['LODGE_BENCH_EXIT_AFTER_FIRST_FRAME'] = '1'
    if machines:
        env['LODGE_BENCH_FIRST_FRAME_MACHINES'] = str(machines)
    t0 = time.monotonic()
    proc = subprocess.Popen([lodge], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    line = ''
    end = t0 + library.TIMEOUT_S
    import select
    while time.monotonic() < end:
        r, _, _ = select.select([proc.stdout], [], [], 1.0)
        if r:
            line = proc.stdout.readline()
            if line.startswith('lodge-first-populated-frame:') or line == '':
                break
    shown = 0
    painted_at = None
    try:
        painted_at = float(line.split('monotonic ')[1].split()[0])
        shown = int(line.split(' s, ')[1].split()[0])
    except (IndexError, ValueError):
        pass
    rss = library.wait_child(proc, 30)
    if rss is None:
        rss = library.stop(proc)
    ms = (painted_at - t0) * 1000 if painted_at else float('nan')
    return ms, shown, rss


def table_rows(node, roles, depth=0):
    """Rows of the first table below node (its Table interface: GTK 3's
    tree view exposes every row there), else 0."""
    if node is None or depth > 40:
        return 0
    try:
        if node.getRole() in roles:
            try:
                return node.queryTable().nRows
            except NotImplementedError:
                pass
        for i in range(node.childCount):
            n = table_rows(node.getChildAtIndex(i), roles, depth + 1)
            if n > 0:
                return n
    except Exception:
        return 0
    return 0


def vm_all_rows(env, rows):
    """virt-manager: ms from spawn until its list has @rows rows (every
    machine of every connection, and the connections' own rows), and its
    peak RSS."""
    pyatspi = library.atspi()
    roles = (pyatspi.ROLE_TABLE, pyatspi.ROLE_TREE_TABLE)
    t0 = time.monotonic()
    proc = subprocess.Popen(['virt-manager', '--no-fork'], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    app = None
    found = float('nan')
    end = t0 + library.TIMEOUT_S
    while time.monotonic() < end:
        if app is None:
            app = library.find_app(proc.pid)
        if app is not None and table_rows(app, roles) >= rows:
            found = (time.monotonic() - t0) * 1000
            break
        time.sleep(0.05)
    time.sleep(1.0)
    return found, library.stop(proc)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('lodge')
    parser.add_argument('gen')
    parser.add_argument('--runs', type=int, default=5)
    parser.add_argument('--vm-runs', type=int, default=3)
    parser.add_argument('--idle-seconds', type=float, default=20)
    parser.add_argument('--hosts', type=int, default=5)
    parser.add_argument('--size', type=int, default=500)
    parser.add_argument('--no-virt-manager', action='store_true')
    args = parser.parse_args()

    if not os.environ.get('DISPLAY') and not os.environ.get('WAYLAND_DISPLAY'):
        log('bench-ui-hosts: no display; run under xvfb-run')
        return 0
    have_vm = not args.no_virt_manager and shutil.which('virt-manager') is not None
    try:
        library.atspi()
        have_atspi = bool(os.environ.get('DBUS_SESSION_BUS_ADDRESS'))
    except ImportError:
        have_atspi = False

    tmp = tempfile.mkdtemp(prefix='lodge-bench-hosts-')
    schema_dir = os.environ.get('GSETTINGS_SCHEMA_DIR', '')
    total = args.hosts * args.size
    uris = [library.generate(args.gen, args.size, os.path.join(tmp, 'host-%d.xml' % i))
            for i in range(args.hosts)]
    # Different machines on each host (the generator is deterministic per
    # seed): rewrite the names so that no two hosts look alike.
    env = settings_env(os.path.join(tmp, 'cfg'), schema_dir, lodge_uris=uris, vm_uris=uris)
    env_bad = settings_env(os.path.join(tmp, 'cfg-bad'), schema_dir,
                           lodge_uris=uris + [UNREACHABLE], vm_uris=uris + [UNREACHABLE])

    lodge_frame(args.lodge, env, total)  # warm the page cache
    first, full, rss, first_bad, full_bad = [], [], [], [], []
    for _ in range(args.runs):
        ms, shown, _ = lodge_frame(args.lodge, env)
        first.append(ms)
        ms, shown, r = lodge_frame(args.lodge, env, total)
        full.append(ms)
        rss.append(r)
        if shown < total:
            log('warning: the reported frame showed %d machines, not %d' % (shown, total))
        # the unreachable host, in the same run for a fair comparison
        ms, _, _ = lodge_frame(args.lodge, env_bad)
        first_bad.append(ms)
        ms, _, _ = lodge_frame(args.lodge, env_bad, total)
        full_bad.append(ms)
    log('lodge %d hosts × %d machines, All Machines: first populated frame %.0f ms from spawn '
        '(median of %d: %s); every machine shown %.0f ms (%s); peak RSS %.1f MiB; load %.1f'
        % (args.hosts, args.size, median(first), args.runs, ', '.join('%.0f' % v for v in first),
           median(full), ', '.join('%.0f' % v for v in full), max(rss), os.getloadavg()[0]))
    log('lodge with one unreachable host more: first populated frame %.0f ms (%s), every machine '
        '%.0f ms (%s): %+.0f ms and %+.0f ms (medians)'
        % (median(first_bad), ', '.join('%.0f' % v for v in first_bad),
           median(full_bad), ', '.join('%.0f' % v for v in full_bad),
           median(first_bad) - median(first), median(full_bad) - median(full)))

    if have_atspi:
        a11y, a11y_rss = [], []
        for _ in range(args.vm_runs):
            ms, r = library.a11y_run([args.lodge], env)
            a11y.append(ms)
            a11y_rss.append(r)
        log('lodge: rows in the accessibility tree after %.0f ms (median of %d: %s); peak RSS %.1f MiB'
            % (median(a11y), args.vm_runs, ', '.join('%.0f' % v for v in a11y), max(a11y_rss)))
        if have_vm:
            vm, vm_rss = [], []
            for _ in range(args.vm_runs):
                ms, r = library.a11y_run(['virt-manager', '--no-fork'], env, settle=5.0)
                vm.append(ms)
                vm_rss.append(r)
            log('virt-manager, the same %d connections: rows in the accessibility tree after %.0f ms '
                '(median of %d: %s); peak RSS %.1f MiB (after 5 s)'
                % (args.hosts, median(vm), args.vm_runs, ', '.join('%.0f' % v for v in vm), max(vm_rss)))
            full_vm, full_vm_rss = [], []
            for _ in range(args.vm_runs):
                ms, r = vm_all_rows(env, total + args.hosts)
                full_vm.append(ms)
                full_vm_rss.append(r)
            log('virt-manager, the same %d connections: all %d machines listed after %.0f ms '
                '(median of %d: %s); peak RSS %.1f MiB'
                % (args.hosts, total, median(full_vm), args.vm_runs,
                   ', '.join('%.0f' % v for v in full_vm), max(full_vm_rss)))
            log('ratio: virt-manager / lodge = %.1f× (every machine listed; lodge: its painted frame), '
                'memory %.1f×'
                % (median(full_vm) / median(full), max(full_vm_rss) / max(rss)))

    if have_atspi and args.idle_seconds > 0:
        running = [library.generate(args.gen, 100, os.path.join(tmp, 'running-%d.xml' % i), running=1.0)
                   for i in range(args.hosts)]
        env_run = settings_env(os.path.join(tmp, 'cfg-run'), schema_dir, lodge_uris=running,
                               vm_uris=running)
        cpu, _ = library.idle_cpu([args.lodge], env_run, args.idle_seconds)
        log('lodge idle CPU, %d hosts × 100 running machines, %.0f s: %.2f %% of a core'
            % (args.hosts, args.idle_seconds, cpu))
        if have_vm:
            vcpu, _ = library.idle_cpu(['virt-manager', '--no-fork'], env_run, args.idle_seconds)
            log('virt-manager idle CPU, the same connections, %.0f s: %.2f %% of a core'
                % (args.idle_seconds, vcpu))

    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
