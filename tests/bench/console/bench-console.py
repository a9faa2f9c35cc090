#!/usr/bin/env python3
# bench-console.py: Lodge's console against remote-viewer, same SPICE server,
# same workloads
#
# Copyright 2026 The Lodge authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Prints, per client (medians of --runs runs):
#   full   : frames/s on screen and client CPU ms per frame, 1920x1080 full
#            updates as fast as the server can hand them out
#   full@30: the same full frames at 30 Hz (every client here shows them all,
#            so no frame is received and never shown)
#   area   : the same for a 64x64 area changing at 60 Hz
#   X ms   : the X server's CPU ms per frame meanwhile (work a client leaves
#            to the server is not free; shown, not part of the goals)
#   key    : key press (XTest) to scancode at the server, median ms
#   rss    : resident memory with the 1080p console open, MiB
# Lodge runs as Lodge does (lodge_console_prepare_process(): on a machine
# without a GPU render node that is the cairo renderer with GL off), and
# with GTK's GL renderer forced (GSK_RENDERER=gl: what a GPU machine runs;
# here llvmpipe); then the ratios Lodge / remote-viewer. Frames are counted
# the same way for every client: XDamage bursts on the root window
# (lodge-bench-x).
#
# Needs an X display; without one it runs itself under xvfb-run.

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time

SCREEN = '-screen 0 2400x1400x24'


def free_port():
  with socket.socket() as s:
    s.bind(('127.0.0.1', 0))
    return s.getsockname()[1]


def cpu_seconds(pid):
  with open('/proc/%d/stat' % pid) as f:
    fields = f.read().rsplit(')', 1)[1].split()
  ticks = os.sysconf('SC_CLK_TCK')
  return (int(fields[11]) + int(fields[12])) / ticks


def x_server_pid():
  """The pid of the X server of $DISPLAY (Xvfb here), or None."""
  display = os.environ.get('DISPLAY', '')
  for entry in os.listdir('/proc'):
    if not entry.isdigit():
      continue
    try:
      with open('/proc/%s/cmdline' % entry, 'rb') as f:
        argv = f.read().split(b'\0')
    except OSError:
      continue
    if argv and os.path.basename(argv[0]).startswith((b'Xvfb', b'Xorg', b'X')) and \
       display.encode() in argv:
      return int(entry)
  return None


def rss_mib(pid):
  with open('/proc/%d/status' % pid) as f:
    for line in f:
      if line.startswith('VmRSS:'):
        return int(line.split()[1]) / 1024
  return float('nan')


class Server:
  def __init__(self, path):
    self.port = free_port()
    self.lines = []
    self.lock = threading.Lock()
    self.proc = subprocess.Popen([path, '--port', str(self.port), '--width', '1920',
                                  '--height', '1080', '--no-agent'],
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                 stderr=subprocess.DEVNULL, text=True, bufsize=1)
    self.thread = threading.Thread(target=self._read, daemon=True)
    self.thread.start()
    self.wait('listening')

  def _read(self):
    for line in self.proc.stdout:
      now = time.monotonic()
      with self.lock:
        self.lines.append((now, line.strip()))

  def wait(self, prefix, timeout=20):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
      with self.lock:
        for t, line in self.lines:
          if line.startswith(prefix):
            return t, line
      time.sleep(0.01)
    raise RuntimeError('server never said ' + prefix)

  def since(self, t0, prefix):
    with self.lock:
      return [(t, l) for t, l in self.lines if t >= t0 and l.startswith(prefix)]

  def send(self, command):
    self.proc.stdin.write(command + '\n')
    self.proc.stdin.flush()

  def stop(self):
    try:
      self.send('quit')
      self.proc.wait(timeout=5)
    except Exception:
      self.proc.kill()
      self.proc.wait()


def measure(xtool, server, proc, seconds, xpid):
  time.sleep(1.0)                      # let the stream reach its pace
  c0 = cpu_seconds(proc.pid)
  x0 = cpu_seconds(xpid) if xpid else 0
  t0 = time.monotonic()
  out = subprocess.run([xtool, 'frames', str(seconds)], capture_output=True, text=True,
                       check=True).stdout
  elapsed = time.monotonic() - t0
  c1 = cpu_seconds(proc.pid)
  x1 = cpu_seconds(xpid) if xpid else float('nan')
  frames = int(out.split()[1])
  return (frames / elapsed, (c1 - c0) * 1000 / max(frames, 1),
          (x1 - x0) * 1000 / max(frames, 1))


def run_client(name, command, env, args):
  server = Server(args.server)
  proc = subprocess.Popen([c.replace('PORT', str(server.port)) for c in command],
                          env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
  try:
    server.wait('client connected')
    subprocess.run([args.x, 'wait-window'], check=True)
    time.sleep(2.0)
    result = {}

    xpid = x_server_pid()
    server.send('stream-full 0')
    result['full_fps'], result['full_cpu'], result['full_x'] = \
      measure(args.x, server, proc, args.seconds, xpid)
    result['rss'] = rss_mib(proc.pid)
    server.send('stop')
    time.sleep(0.5)

    # The same full frames at 30 Hz, a rate every client here can show in
    # full: CPU per frame without frames that arrive but are never shown.
    server.send('stream-full 30')
    result['full30_fps'], result['full30_cpu'], result['full30_x'] = \
      measure(args.x, server, proc, args.seconds, xpid)
    server.send('stop')
    time.sleep(0.5)

    server.send('stream-area 500 500 64 64 60')
    result['area_fps'], result['area_cpu'], result['area_x'] = \
      measure(args.x, server, proc, args.seconds, xpid)
    server.send('stop')
    time.sleep(0.5)

    t0 = time.monotonic()
    out = subprocess.run([args.x, 'keys', str(args.keys), '38'], capture_output=True,
                         text=True, check=True).stdout
    time.sleep(0.5)
    presses = [int(l.split()[1]) / 1e6 for l in out.splitlines() if l.startswith('press ')]
    arrivals = [t for t, _ in server.since(t0, 'kbd 1e')]
    latencies = []
    for p in presses:
      later = [a for a in arrivals if a >= p]
      if later:
        latencies.append((later[0] - p) * 1000)
    result['key_ms'] = statistics.median(latencies) if latencies else float('nan')
    result['keys_seen'] = len(latencies)
    return result
  finally:
    proc.terminate()
    try:
      proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
      proc.kill()
    server.stop()


def run_floor(args):
  """The small-area workload's floor: a bare GTK 4 window, no SPICE."""
  proc = subprocess.Popen([args.floor], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
  try:
    subprocess.run([args.x, 'wait-window'], check=True)
    time.sleep(2.0)
    nan = float('nan')
    result = {'full_fps': nan, 'full_cpu': nan, 'full_x': nan,
              'full30_fps': nan, 'full30_cpu': nan, 'full30_x': nan,
              'key_ms': nan, 'keys_seen': 0, 'rss': rss_mib(proc.pid)}
    result['area_fps'], result['area_cpu'], result['area_x'] = \
      measure(args.x, None, proc, args.seconds, x_server_pid())
    return result
  finally:
    proc.terminate()
    try:
      proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
      proc.kill()


def main():
  parser = argparse.ArgumentParser()
  parser.add_argument('--server', required=True)
  parser.add_argument('--viewer', required=True)
  parser.add_argument('--x', required=True)
  parser.add_argument('--floor', help='lodge-bench-gtk-floor: a bare GTK 4 window for comparison')
  parser.add_argument('--runs', type=int, default=3)
  parser.add_argument('--seconds', type=float, default=6)
  parser.add_argument('--keys', type=int, default=20)
  parser.add_argument('--clients', default='lodge,lodge-gl,remote-viewer,gtk4-floor',
                      help='comma-separated subset of the clients to run')
  args = parser.parse_args()

  # A screen of its own, larger than the guest's 1920x1080: on a smaller
  # one (lodge-dev's Xvfb is 1600x1000) the windows are scaled to fit,
  # and the figures would be those of scaling, not of a 1:1 console.
  if os.environ.get('LODGE_BENCH_CONSOLE_SCREEN') != SCREEN:
    env = dict(os.environ, LODGE_BENCH_CONSOLE_SCREEN=SCREEN)
    os.execvpe('xvfb-run', ['xvfb-run', '-a', '-s', SCREEN, 'dbus-run-session', '--',
                            sys.executable] + sys.argv, env)

  clients = [
    # As Lodge runs: the viewer calls lodge_console_prepare_process().
    ('lodge', [args.viewer, '--size', '1920x1080', 'spice://127.0.0.1:PORT'], {}),
    # GTK's GL renderer, as on a machine with a GPU (llvmpipe here).
    ('lodge-gl', [args.viewer, '--size', '1920x1080', 'spice://127.0.0.1:PORT'],
     {'GSK_RENDERER': 'gl'}),
    # The cairo renderer with GL loaded (GSK_RENDERER=cairo alone).
    ('lodge-cairo', [args.viewer, '--size', '1920x1080', 'spice://127.0.0.1:PORT'],
     {'GSK_RENDERER': 'cairo'}),
  ]
  if shutil.which('remote-viewer'):
    clients.append(('remote-viewer', ['remote-viewer', '--auto-resize=never',
                                      'spice://127.0.0.1:PORT'], {}))
  else:
    print('remote-viewer not installed (Debian virt-viewer): no comparison')
  if args.floor:
    clients.append(('gtk4-floor', None, {}))

  wanted = args.clients.split(',')
  clients = [c for c in clients if c[0] in wanted]
  results = {name: [] for name, _, _ in clients}
  for run in range(args.runs):
    for name, command, extra in clients:
      env = dict(os.environ, **extra)
      r = run_floor(args) if command is None else run_client(name, command, env, args)
      print('run %d %-13s full %5.1f fps %6.2f ms/frame (X %5.2f) | full@30 %4.1f fps %5.2f '
            'ms/frame | area %5.1f fps %5.2f ms/frame (X %4.2f) | key %5.2f ms (%d) | '
            'rss %5.1f MiB' %
            (run + 1, name, r['full_fps'], r['full_cpu'], r['full_x'], r['full30_fps'],
             r['full30_cpu'], r['area_fps'], r['area_cpu'], r['area_x'], r['key_ms'],
             r['keys_seen'], r['rss']), flush=True)
      results[name].append(r)

  med = {name: {k: statistics.median(r[k] for r in rs) for k in rs[0]}
         for name, rs in results.items()}
  print()
  print('medians of %d runs (%.0f s each workload):' % (args.runs, args.seconds))
  print('%-13s %9s %11s %6s %10s %9s %11s %6s %7s %8s' %
        ('client', 'full fps', 'full ms/fr', 'X ms', 'full@30 ms', 'area fps', 'area ms/fr',
         'X ms', 'key ms', 'rss MiB'))
  for name, m in med.items():
    print('%-13s %9.1f %11.2f %6.2f %10.2f %9.1f %11.2f %6.2f %7.2f %8.1f' %
          (name, m['full_fps'], m['full_cpu'], m['full_x'], m['full30_cpu'], m['area_fps'],
           m['area_cpu'], m['area_x'], m['key_ms'], m['rss']))
  if 'remote-viewer' in med:
    rv = med['remote-viewer']
    for name in med:
      if name in ('remote-viewer', 'gtk4-floor'):
        continue
      m = med[name]
      print('%s / remote-viewer: full CPU/frame %.2f (goal <= 0.7; at 30 Hz %.2f), area '
            'CPU/frame %.2f (goal <= 0.5), key latency %.2f ms (goal < 2), RSS %.2f (goal <= 1)' %
            (name, m['full_cpu'] / rv['full_cpu'], m['full30_cpu'] / rv['full30_cpu'],
             m['area_cpu'] / rv['area_cpu'], m['key_ms'], m['rss'] / rv['rss']))


if __name__ == '__main__':
  main()
