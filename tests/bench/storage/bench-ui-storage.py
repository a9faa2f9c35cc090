#!/usr/bin/python3
# bench-ui-storage.py: a pool of 5,000 volumes in Lodge's Storage window and
# in virt-manager's storage tab, in the same run (issue 11, "Speed")
#
# Copyright 2026 The Lodge authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: bench-ui-storage.py BENCH_UI_STORAGE GEN_STORAGE_POOL_PY
#                            [--volumes 5000] [--runs 5] [--no-virt-manager]
#
# Runs under the display and session bus it is given (xvfb-run +
# dbus-run-session). Prints figures; asserts nothing. Generates the
# test-driver file (one running dir pool, a mix of thin qcow2 and raw
# volumes) in a temporary directory, then:
#
# - Lodge, in process (bench-ui-storage.c): from the win.host-storage
#   action on a connected host to the first painted frame whose volume
#   column view shows rows (the page lists the pools on a worker and selects
#   the only one itself: no click), to the model holding every volume, and
#   the longest main-loop stall meanwhile (a 4 ms timeout's longest gap).
# - virt-manager, through AT-SPI (its GTK 3 tree views expose every row in
#   their Table interface): started with the file as its only connection
#   (GSettings "uris" and "autoconnect", as bench-ui-hosts.py does) and
#   --show-host-summary. It reads every pool's volumes when it connects and
#   fills the storage tab's "vol-list" even while the tab is hidden, so it
#   is measured twice: from the spawn to "pool-list" and "vol-list" having
#   rows (all of them), and, once loaded, from selecting the "Storage" page
#   tab (the notebook's AT-SPI Selection) to "vol-list" showing with every
#   row (virt-manager clears and refills it on that switch, in one go on
#   its main loop). Its responsiveness: the longest AT-SPI round trip to it
#   while it loads (a blocked main loop answers late).
# - The ratio virt-manager / Lodge: the tab switch against Lodge's action to
#   its first frame with rows (virt-manager's volumes already read then,
#   Lodge's not), and its spawn to all volumes listed against Lodge's action
#   to all of them in a frame.
# virt-manager needs minutes for 5,000 volumes (it reads them on its main
# loop, in a time growing with their square): its medians are taken at
# --vm-volumes (500), where Lodge is measured too, and at --volumes it runs
# once, capped at --vm-full-timeout (300 s): past it, the ratio is a bound.

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'ui'))
import importlib  # noqa: E402
library = importlib.import_module('bench-ui-library')
hosts = importlib.import_module('bench-ui-hosts')

log = library.log
median = library.median
TIMEOUT_S = 180


def fmt(values):
    return ', '.join('%.0f' % v for v in values)


def lodge_runs(bench, uri, volumes, runs):
    env = dict(os.environ)
    env['GSETTINGS_BACKEND'] = 'memory'
    out = subprocess.run([bench, uri, str(volumes), str(runs)], env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, text=True, timeout=TIMEOUT_S * (runs + 1)).stdout
    first, rows = None, []
    for line in out.splitlines():
        if not line.startswith('lodge-storage-run: '):
            continue
        words = line.split()
        values = {}
        for w in words[2:]:
            if '=' in w:
                k, v = w.split('=', 1)
                values[k] = float(v)
        if 'first-rows' not in values:
            log('lodge: ' + line)
            continue
        if words[1] == 'first-in-process':
            first = values
        else:
            rows.append(values)
    return first, rows


def find_named(node, role, name, depth=0):
    """The first node below node with this role and name (tables' rows are
    not walked)."""
    if node is None or depth > 40:
        return None
    try:
        if node.getRole() == role and node.name == name:
            return node
        pyatspi = library.atspi()
        if node.getRole() in (pyatspi.ROLE_TABLE, pyatspi.ROLE_TREE_TABLE):
            return None
        for i in range(node.childCount):
            found = find_named(node.getChildAtIndex(i), role, name, depth + 1)
            if found is not None:
                return found
    except Exception:
        return None
    return None


def n_rows(table):
    try:
        return table.queryTable().nRows
    except Exception:
        return -1


def vm_run(env, uri, volumes, timeout=TIMEOUT_S):
    """One virt-manager run: ms from the spawn to pool-list rows, vol-list
    rows and all of them; the longest AT-SPI round trip meanwhile; ms from
    selecting the Storage tab to vol-list showing every row."""
    pyatspi = library.atspi()
    res = {'pools': float('nan'), 'vol-first': float('nan'), 'vol-all': float('nan'),
           'ping': float('nan'), 'tab': float('nan'), 'tab-rows': 0}
    t0 = time.monotonic()
    proc = subprocess.Popen(['virt-manager', '--no-fork', '--connect', uri, '--show-host-summary'],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    end = t0 + timeout
    app = pool_list = vol_list = None
    max_ping = 0.0
    last_reply = None
    try:
        while time.monotonic() < end:
            if app is None:
                app = library.find_app(proc.pid)
                if app is None:
                    time.sleep(0.02)
                    continue
                # On the bus: from now on it should answer.
                last_reply = time.monotonic()
            # A call its blocked main loop cannot answer times out (AT-SPI
            # gives up after a second or so): the longest time between two
            # answers is how long it did not respond.
            replied = app.childCount >= 0
            now = time.monotonic()
            if replied:
                if last_reply is not None:
                    max_ping = max(max_ping, (now - last_reply) * 1000)
                last_reply = now
            if pool_list is None:
                pool_list = find_named(app, pyatspi.ROLE_TABLE, 'pool-list')
            if vol_list is None:
                vol_list = find_named(app, pyatspi.ROLE_TABLE, 'vol-list')
            p = n_rows(pool_list) if pool_list is not None else 0
            v = n_rows(vol_list) if vol_list is not None else 0
            ms = (time.monotonic() - t0) * 1000
            if p > 0 and res['pools'] != res['pools']:
                res['pools'] = ms
            if v > 0 and res['vol-first'] != res['vol-first']:
                res['vol-first'] = ms
            if v >= volumes:
                res['vol-all'] = ms
                if res['pools'] != res['pools']:
                    res['pools'] = ms  # both came after the same block
                break
            time.sleep(0.02)
        if last_reply is not None:
            # Still not answering when it stopped being waited for.
            max_ping = max(max_ping, (time.monotonic() - last_reply) * 1000)
        res['ping'] = max_ping
        if res['vol-all'] != res['vol-all']:
            return res
        time.sleep(1.0)

        # The Storage tab, all loaded: its page tab in the window's notebook.
        frame = app.getChildAtIndex(0) if app is not None else None
        tab = find_named(frame, pyatspi.ROLE_PAGE_TAB, 'Storage')
        if tab is not None and vol_list is not None:
            tabs = tab.parent
            index = tab.getIndexInParent()
            t1 = time.monotonic()
            try:
                tabs.querySelection().selectChild(index)
            except Exception:
                pass  # its reply came too late for AT-SPI: the tab switched
            while time.monotonic() < t1 + TIMEOUT_S:
                try:
                    showing = vol_list.getState().contains(pyatspi.STATE_SHOWING)
                except Exception:
                    showing = False
                rows = n_rows(vol_list)
                if showing and rows >= volumes:
                    res['tab'] = (time.monotonic() - t1) * 1000
                    res['tab-rows'] = rows
                    break
                time.sleep(0.01)
    finally:
        library.stop(proc)
    return res


def lodge_report(bench, gen, tmp, volumes, runs):
    path = os.path.join(tmp, 'pool-%d.xml' % volumes)
    subprocess.run([sys.executable, gen, str(volumes), path], check=True, stdout=subprocess.DEVNULL)
    uri = 'test://' + path
    first, rows = lodge_runs(bench, uri, volumes, runs)
    if not rows:
        log('lodge %d volumes: no figures (see above)' % volumes)
        return uri, None
    col = {k: [r[k] for r in rows] for k in rows[0]}
    if first is not None:
        log('lodge %d volumes, first opening in the process (not counted): first frame with rows %.0f ms, '
            'longest stall %.0f ms' % (volumes, first['first-rows'], first['stall']))
    log('lodge %d volumes: win.host-storage action to the first frame with volume rows: %.0f ms '
        '(median of %d: %s); %.0f volumes in the model then'
        % (volumes, median(col['first-rows']), len(rows), fmt(col['first-rows']), median(col['rows-at-first'])))
    log('lodge %d volumes: action to all of them in the model: %.0f ms (median: %s); first frame after: '
        '%.0f ms (%s)' % (volumes, median(col['model-all']), fmt(col['model-all']),
                          median(col['all-frame']), fmt(col['all-frame'])))
    log('lodge %d volumes: longest main-loop stall from the action to that frame: %.0f ms (median: %s); '
        'the action itself (window made and presented) %.0f ms (%s); main-thread CPU to first rows '
        '%.0f ms (%s)'
        % (volumes, median(col['stall']), fmt(col['stall']), median(col['construct']), fmt(col['construct']),
           median(col['cpu']), fmt(col['cpu'])))
    return uri, {k: median(v) for k, v in col.items()}


def vm_report(tmp, uri, volumes, runs, timeout):
    env = hosts.settings_env(os.path.join(tmp, 'cfg-%d' % volumes),
                             os.environ.get('GSETTINGS_SCHEMA_DIR', ''), vm_uris=[uri])
    vm = [vm_run(env, uri, volumes, timeout) for _ in range(runs)]
    vcol = {k: [r[k] for r in vm] for k in vm[0]}
    runs_s = 'median of %d: ' % runs if runs > 1 else 'one run'
    if runs == 1:
        def show(k):
            return ''
    else:
        def show(k):
            return fmt(vcol[k])
    log('virt-manager %d volumes: spawn (--show-host-summary) to its pool list having a row: %.0f ms (%s%s)'
        % (volumes, median(vcol['pools']), runs_s, show('pools')))
    log('virt-manager %d volumes: spawn to the (hidden) volume table having rows: %.0f ms (%s%s); '
        'all of them: %.0f ms (%s%s)%s'
        % (volumes, median(vcol['vol-first']), runs_s, show('vol-first'), median(vcol['vol-all']), runs_s,
           show('vol-all'), '' if vcol['vol-all'][0] == vcol['vol-all'][0]
           else ' — not within %.0f s' % timeout))
    log('virt-manager %d volumes: longest time it did not answer AT-SPI while loading: %.0f ms (%s%s)'
        % (volumes, median(vcol['ping']), runs_s, show('ping')))
    log('virt-manager %d volumes: Storage tab selected (volumes already read) to its volume table showing '
        'all rows: %.0f ms (%s%s)' % (volumes, median(vcol['tab']), runs_s, show('tab')))
    return {k: median(v) for k, v in vcol.items()}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('bench')
    parser.add_argument('gen')
    parser.add_argument('--volumes', type=int, default=5000)
    parser.add_argument('--runs', type=int, default=5)
    # virt-manager reads and lists the volumes on its main loop in a time
    # that grows with their square (0.7 s at 100, 5 s at 300, 35 s at 1,000
    # here; over 4 minutes at 5,000): medians of --runs at --vm-volumes
    # (Lodge too, for a ratio at the same size), and one run at --volumes
    # capped at --vm-full-timeout seconds.
    parser.add_argument('--vm-volumes', type=int, default=500)
    parser.add_argument('--vm-full-timeout', type=float, default=300)
    parser.add_argument('--no-virt-manager', action='store_true')
    args = parser.parse_args()

    if not os.environ.get('DISPLAY') and not os.environ.get('WAYLAND_DISPLAY'):
        log('bench-ui-storage: no display; run under xvfb-run')
        return 0
    have_vm = not args.no_virt_manager and shutil.which('virt-manager') is not None
    try:
        library.atspi()
        have_atspi = bool(os.environ.get('DBUS_SESSION_BUS_ADDRESS'))
    except ImportError:
        have_atspi = False

    tmp = tempfile.mkdtemp(prefix='lodge-bench-storage-')
    log('test-driver files: one dir pool of thin qcow2, raw and iso volumes (gen-storage-pool.py)')
    uri, lodge = lodge_report(args.bench, args.gen, tmp, args.volumes, args.runs)
    small_uri, lodge_small = lodge_report(args.bench, args.gen, tmp, args.vm_volumes, args.runs)

    if have_vm and have_atspi:
        vm_small = vm_report(tmp, small_uri, args.vm_volumes, args.runs, TIMEOUT_S)
        if lodge_small is not None:
            log('ratio virt-manager / lodge, %d volumes: %.1f× (its Storage tab switch, volumes already '
                'read / lodge action to first rows); %.1f× (its spawn to all volumes listed / lodge action '
                'to all in a frame)'
                % (args.vm_volumes, vm_small['tab'] / lodge_small['first-rows'],
                   vm_small['vol-all'] / lodge_small['all-frame']))
        vm_full = vm_report(tmp, uri, args.volumes, 1, args.vm_full_timeout)
        if lodge is not None:
            log('ratio virt-manager / lodge, %d volumes (one virt-manager run): %.1f× (tab switch / '
                'action to first rows); %.1f× (spawn to all listed / action to all in a frame)%s'
                % (args.volumes, vm_full['tab'] / lodge['first-rows'],
                   vm_full['vol-all'] / lodge['all-frame'],
                   '' if vm_full['vol-all'] == vm_full['vol-all']
                   else '; virt-manager did not list them within %.0f s: more than %.0f×'
                   % (args.vm_full_timeout, args.vm_full_timeout * 1000 / lodge['all-frame'])))
    else:
        log('virt-manager: not measured (%s)' % ('no AT-SPI' if have_vm else 'not installed'))

    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
