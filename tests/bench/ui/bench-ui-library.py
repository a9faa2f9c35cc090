#!/usr/bin/python3
# bench-ui-library.py: first populated frame, peak memory and idle CPU of the
# library window, Lodge against virt-manager on the same test-driver files
#
# Copyright 2026 The Lodge authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: bench-ui-library.py LODGE GEN_MACHINES_PY [--runs N] [--idle-seconds S]
#                            [--sizes 500,2000] [--no-virt-manager]
#
# Runs under the display and session bus it is given (the lead's bench
# command wraps it in xvfb-run + dbus-run-session). Prints figures; asserts
# nothing.
#
# First populated frame, measured from the moment the process is spawned:
#  - "frame": Lodge itself reports when the frame clock has painted the first
#    frame whose library holds machines (LODGE_BENCH_EXIT_AFTER_FIRST_FRAME=1);
#  - "a11y": for both programs, polling the accessibility tree until the
#    machine list has rows (GTK 4 exposes its grid/list items, GTK 3's
#    GtkTreeView its cells). This is the same yardstick for both; it reads
#    a little later than the paint itself.
# Peak RSS: the child's ru_maxrss (wait4) after it has shown the list and
# then idled for a second. Idle CPU: utime+stime from /proc/PID/stat over
# --idle-seconds with 100 running machines, once the list is shown.

import argparse
import os
import resource
import select
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

TIMEOUT_S = 120


def log(*args):
    print(*args, flush=True)


def generate(gen, count, path, running=None):
    cmd = [sys.executable, gen, str(count), path]
    if running is not None:
        cmd += ['--running-fraction', str(running), '--paused-fraction', '0']
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return 'test://' + os.path.abspath(path)


def wait_child(proc, timeout=30):
    """Reaps proc (never through Popen, which would lose its rusage) and
    returns its peak RSS in MiB, or None if it is still running."""
    end = time.monotonic() + timeout
    while True:
        pid, _, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid == proc.pid:
            proc.returncode = 0
            return usage.ru_maxrss / 1024.0
        if time.monotonic() > end:
            return None
        time.sleep(0.02)


def stop(proc):
    os.kill(proc.pid, signal.SIGTERM)
    rss = wait_child(proc, 10)
    if rss is None:
        os.kill(proc.pid, signal.SIGKILL)
        rss = wait_child(proc, 10)
    return rss if rss is not None else float('nan')


# --- Lodge's own first-frame report -------------------------------------

def lodge_env():
    env = dict(os.environ)
    env.setdefault('GSETTINGS_BACKEND', 'memory')
    return env


def lodge_frame_run(lodge, uri):
    env = lodge_env()
    env['LODGE_BENCH_EXIT_AFTER_FIRST_FRAME'] = '1'
    t0 = time.monotonic()
    proc = subprocess.Popen([lodge, '--connect', uri], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = ''
    end = t0 + TIMEOUT_S
    while time.monotonic() < end:
        r, _, _ = select.select([proc.stdout], [], [], 1.0)
        if r:
            line = proc.stdout.readline()
            if line.startswith('lodge-first-populated-frame:') or line == '':
                break
    t1 = time.monotonic()
    # "lodge-first-populated-frame: 812.3 ms (monotonic 1234.567890 s, 2000 machines)"
    own_ms = float('nan')
    cpu_ms = float('nan')
    painted_at = None
    try:
        own_ms = float(line.split()[1])
        painted_at = float(line.split('monotonic ')[1].split()[0])
        cpu_ms = float(line.split('cpu ')[1].split()[0])
    except (IndexError, ValueError):
        pass
    rss = wait_child(proc, 30)
    if rss is None:
        rss = stop(proc)
    # Both clocks are CLOCK_MONOTONIC: the paint time seen from the spawn.
    spawn_ms = (painted_at - t0) * 1000 if painted_at else (t1 - t0) * 1000
    return spawn_ms, own_ms, rss, cpu_ms


# --- the accessibility tree, for both programs --------------------------

def atspi():
    import pyatspi
    return pyatspi


def find_app(pid):
    pyatspi = atspi()
    desktop = pyatspi.Registry.getDesktop(0)
    for i in range(desktop.childCount):
        try:
            app = desktop.getChildAtIndex(i)
            if app is not None and app.get_process_id() == pid:
                return app
        except Exception:
            continue
    return None


def find_rows(node, roles, depth=0):
    """Number of rows of the first list-like node below node, else 0."""
    if node is None or depth > 40:
        return 0
    try:
        role = node.getRole()
        if role in roles:
            n = node.childCount
            if n > 0:
                return n
        for i in range(node.childCount):
            n = find_rows(node.getChildAtIndex(i), roles, depth + 1)
            if n > 0:
                return n
    except Exception:
        return 0
    return 0


def a11y_run(cmd, env, settle=1.0, keep=False):
    """Spawns cmd, polls its accessibility tree until a list has rows.
    Returns (ms to rows, proc) or (ms, peak RSS MiB) when not keep."""
    pyatspi = atspi()
    roles = (pyatspi.ROLE_TABLE, pyatspi.ROLE_TREE_TABLE, pyatspi.ROLE_LIST,
             pyatspi.ROLE_TREE)
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    app = None
    found_ms = float('nan')
    end = t0 + TIMEOUT_S
    while time.monotonic() < end:
        if app is None:
            app = find_app(proc.pid)
        if app is not None and find_rows(app, roles) > 0:
            found_ms = (time.monotonic() - t0) * 1000
            break
        time.sleep(0.02)
    if keep:
        return found_ms, proc
    time.sleep(settle)
    return found_ms, stop(proc)


def virt_manager_cmd(uri):
    return ['virt-manager', '--no-fork', '--connect', uri]


def lodge_cmd(lodge, uri):
    return [lodge, '--connect', uri]


def cpu_ticks(pid):
    with open('/proc/%d/stat' % pid) as f:
        fields = f.read().rsplit(')', 1)[1].split()
    # after ")" the fields start at 3 (state); utime is 14, stime 15
    return int(fields[11]) + int(fields[12])


def idle_cpu(cmd, env, seconds):
    found_ms, proc = a11y_run(cmd, env, keep=True)
    time.sleep(2)  # let start-up work finish
    hz = os.sysconf('SC_CLK_TCK')
    a = cpu_ticks(proc.pid)
    t = time.monotonic()
    time.sleep(seconds)
    b = cpu_ticks(proc.pid)
    dt = time.monotonic() - t
    stop(proc)
    return 100.0 * (b - a) / hz / dt, found_ms


def median(values):
    values = [v for v in values if v == v]
    return statistics.median(values) if values else float('nan')


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('lodge')
    parser.add_argument('gen')
    parser.add_argument('--runs', type=int, default=5)
    parser.add_argument('--vm-runs', type=int, default=3)
    parser.add_argument('--idle-seconds', type=float, default=20)
    parser.add_argument('--sizes', default='500,2000')
    parser.add_argument('--no-virt-manager', action='store_true')
    args = parser.parse_args()

    if not os.environ.get('DISPLAY') and not os.environ.get('WAYLAND_DISPLAY'):
        log('bench-ui-library: no display; run under xvfb-run')
        return 0

    have_vm = not args.no_virt_manager and shutil.which('virt-manager') is not None
    try:
        atspi()
        have_atspi = bool(os.environ.get('DBUS_SESSION_BUS_ADDRESS'))
    except ImportError:
        have_atspi = False

    tmp = tempfile.mkdtemp(prefix='lodge-bench-ui-')
    vm_env = dict(os.environ)
    vm_env['GSETTINGS_BACKEND'] = 'memory'  # no saved virt-manager state between runs
    results = []
    for size in [int(s) for s in args.sizes.split(',')]:
        uri = generate(args.gen, size, os.path.join(tmp, 'machines-%d.xml' % size))
        # one unmeasured run each to warm the page cache
        lodge_frame_run(args.lodge, uri)

        frame, own, rss, cpu = [], [], [], []
        for _ in range(args.runs):
            f, o, r, c = lodge_frame_run(args.lodge, uri)
            frame.append(f)
            own.append(o)
            rss.append(r)
            cpu.append(c)
        row = {'size': size, 'lodge_frame_ms': median(frame), 'lodge_own_ms': median(own),
               'lodge_rss': max(rss), 'lodge_frame_all': frame}
        log('lodge %5d machines: first populated frame %.0f ms from spawn (median of %d: %s); '
            'own report %.0f ms since process start; CPU time used by then %.0f ms; '
            'peak RSS %.1f MiB; load average %.1f'
            % (size, row['lodge_frame_ms'], args.runs,
               ', '.join('%.0f' % v for v in frame), row['lodge_own_ms'], median(cpu),
               row['lodge_rss'], os.getloadavg()[0]))

        if have_atspi:
            a11y, a11y_rss = [], []
            for _ in range(args.vm_runs):
                ms, r = a11y_run(lodge_cmd(args.lodge, uri), lodge_env())
                a11y.append(ms)
                a11y_rss.append(r)
            row['lodge_a11y_ms'] = median(a11y)
            row['lodge_a11y_rss'] = max(a11y_rss)
            log('lodge %5d machines: rows in the accessibility tree after %.0f ms (median of %d: %s); '
                'peak RSS %.1f MiB'
                % (size, row['lodge_a11y_ms'], args.vm_runs,
                   ', '.join('%.0f' % v for v in a11y), row['lodge_a11y_rss']))

        if have_vm and have_atspi:
            vm, vm_rss = [], []
            for _ in range(args.vm_runs):
                ms, r = a11y_run(virt_manager_cmd(uri), vm_env, settle=2.0)
                vm.append(ms)
                vm_rss.append(r)
            row['vm_a11y_ms'] = median(vm)
            row['vm_rss'] = max(vm_rss)
            log('virt-manager %5d machines: rows in the accessibility tree after %.0f ms '
                '(median of %d: %s); peak RSS %.1f MiB'
                % (size, row['vm_a11y_ms'], args.vm_runs,
                   ', '.join('%.0f' % v for v in vm), row['vm_rss']))
            log('ratio %5d machines: virt-manager / lodge = %.1f× (a11y rows), %.1f× (vs lodge\'s painted frame); '
                'memory %.1f×'
                % (size, row['vm_a11y_ms'] / row['lodge_a11y_ms'],
                   row['vm_a11y_ms'] / row['lodge_frame_ms'], row['vm_rss'] / row['lodge_rss']))
        results.append(row)

    if have_atspi and args.idle_seconds > 0:
        uri = generate(args.gen, 100, os.path.join(tmp, 'running-100.xml'), running=1.0)
        cpu, _ = idle_cpu(lodge_cmd(args.lodge, uri), lodge_env(), args.idle_seconds)
        log('lodge idle CPU, 100 running machines, %.0f s: %.2f %% of a core' % (args.idle_seconds, cpu))
        if have_vm:
            vcpu, _ = idle_cpu(virt_manager_cmd(uri), vm_env, args.idle_seconds)
            log('virt-manager idle CPU, 100 running machines, %.0f s: %.2f %% of a core'
                % (args.idle_seconds, vcpu))

    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
