#!/bin/sh
# start-libvirtd.sh: make sure a libvirt daemon answers on qemu:///system
#
# Copyright 2026 The Lodge authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: start-libvirtd.sh [start|stop|restart-libvirtd|status]
#   start             (default) reuse a daemon that answers; otherwise start
#                     virtlogd and libvirtd (as root, without systemd) and
#                     record the pids of what this script started
#   stop              stop only what this script started, by pid
#   restart-libvirtd  kill the running libvirtd by its pid and start it
#                     again (the daemon restart test); a daemon this script
#                     did not start stays "not ours" after the restart
#   kill-libvirtd     the first half of that: kill it by pid (a later
#                     start brings it back, with the same ownership)
#   status            print whether a daemon answers, and what was started
# Idempotent: running start twice starts nothing the second time.
# LODGE_LIBVIRTD_STATE (default /run/lodge-libvirtd) keeps the records.
set -eu

uri=qemu:///system
state=${LODGE_LIBVIRTD_STATE:-/run/lodge-libvirtd}
record="$state/started-pids"

answers () {
  timeout 10 virsh -c "$uri" uri >/dev/null 2>&1
}

pid_alive () {
  [ -n "$1" ] && kill -0 "$1" 2>/dev/null
}

# $1: pid, $2: expected command name
pid_is () {
  pid_alive "$1" && [ "$(cat "/proc/$1/comm" 2>/dev/null)" = "$2" ]
}

pidfile_pid () {
  cat "$1" 2>/dev/null || true
}

wait_answers () {
  i=0
  while ! answers; do
    i=$((i + 1))
    if [ $i -gt 100 ]; then
      echo "start-libvirtd: libvirtd does not answer on $uri" >&2
      return 1
    fi
    sleep 0.1
  done
}

need_root () {
  if [ "$(id -u)" != 0 ]; then
    echo "start-libvirtd: starting libvirtd needs root" >&2
    exit 2
  fi
  for program in virtlogd libvirtd virsh; do
    if ! command -v "$program" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$program" ]; then
      echo "start-libvirtd: $program is missing (apt-get install libvirt-daemon-system)" >&2
      exit 2
    fi
  done
  export PATH="$PATH:/usr/sbin:/sbin"
}

record_pid () {
  mkdir -p "$state"
  echo "$1 $2" >> "$record"
}

is_recorded () {
  [ -f "$record" ] && grep -q "^$1 $2\$" "$record"
}

unrecord_pid () {
  if [ -f "$record" ]; then
    grep -v "^$1 " "$record" > "$record.tmp" || true
    mv "$record.tmp" "$record"
  fi
}

start_virtlogd () {
  pid=$(pidfile_pid /run/virtlogd.pid)
  if pid_is "$pid" virtlogd; then
    return
  fi
  virtlogd -d
  i=0
  while ! pid_is "$(pidfile_pid /run/virtlogd.pid)" virtlogd; do
    i=$((i + 1))
    [ $i -le 50 ] || { echo "start-libvirtd: virtlogd did not start" >&2; exit 1; }
    sleep 0.1
  done
  record_pid "$(pidfile_pid /run/virtlogd.pid)" virtlogd
  echo "start-libvirtd: started virtlogd" >&2
}

start_libvirtd () {
  pid=$(pidfile_pid /run/libvirtd.pid)
  if ! pid_is "$pid" libvirtd; then
    libvirtd -d
    i=0
    while ! pid_is "$(pidfile_pid /run/libvirtd.pid)" libvirtd; do
      i=$((i + 1))
      [ $i -le 50 ] || { echo "start-libvirtd: libvirtd did not start" >&2; exit 1; }
      sleep 0.1
    done
    if [ "${1:-record}" = record ] && [ ! -f "$state/libvirtd-not-ours" ]; then
      record_pid "$(pidfile_pid /run/libvirtd.pid)" libvirtd
    fi
    rm -f "$state/libvirtd-not-ours"
    echo "start-libvirtd: started libvirtd" >&2
  fi
  wait_answers
}

do_start () {
  if answers; then
    echo "start-libvirtd: a daemon answers on $uri" >&2
    return
  fi
  need_root
  mkdir -p /run/libvirt /var/log/libvirt
  start_virtlogd
  start_libvirtd record
}

stop_pid () {
  # $1 pid, $2 name
  if pid_is "$1" "$2"; then
    kill "$1"
    i=0
    while pid_alive "$1"; do
      i=$((i + 1))
      if [ $i -gt 100 ]; then
        kill -9 "$1" 2>/dev/null || true
        break
      fi
      sleep 0.1
    done
    echo "start-libvirtd: stopped $2 ($1)" >&2
  fi
}

do_stop () {
  [ -f "$record" ] || { echo "start-libvirtd: nothing was started here"; return; }
  # libvirtd first: it uses virtlogd.
  for name in libvirtd virtlogd; do
    while read -r pid comm; do
      [ "$comm" = "$name" ] && stop_pid "$pid" "$comm"
    done < "$record"
  done
  rm -f "$record"
}

do_kill_libvirtd () {
  need_root
  pid=$(pidfile_pid /run/libvirtd.pid)
  if pid_is "$pid" libvirtd; then
    if is_recorded "$pid" libvirtd; then
      unrecord_pid "$pid"
    else
      mkdir -p "$state"
      touch "$state/libvirtd-not-ours"
    fi
    stop_pid "$pid" libvirtd
  else
    echo "start-libvirtd: no libvirtd to kill" >&2
    exit 1
  fi
}

do_restart_libvirtd () {
  do_kill_libvirtd
  mkdir -p /run/libvirt /var/log/libvirt
  start_virtlogd
  start_libvirtd record
}

case ${1:-start} in
  start) do_start ;;
  stop) do_stop ;;
  restart-libvirtd) do_restart_libvirtd ;;
  kill-libvirtd) do_kill_libvirtd ;;
  status)
    if answers; then echo "answers: yes"; else echo "answers: no"; fi
    [ -f "$record" ] && sed 's/^/started: /' "$record"
    ;;
  *)
    echo "usage: $0 [start|stop|restart-libvirtd|kill-libvirtd|status]" >&2
    exit 2
    ;;
esac
