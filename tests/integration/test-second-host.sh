#!/bin/sh
# test-second-host.sh: tests/common/lodge-second-host.sh gives a second
# libvirt host that is really another host: reached over SSH, with its own
# hostname, host UUID and guests, and nothing of it left after 'stop'.
#
# Arguments: the harness script. Environment: LODGE_START_LIBVIRTD (the
# first host's daemon, started when none answers), LODGE_HOST2_* settings
# (defaults: lodge-host2 on 127.0.0.2:2222).
#
# Copyright 2026 The Lodge authors
# SPDX-License-Identifier: GPL-3.0-or-later
set -u

HOST2=$1
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PATH

skip_all () {
  if [ "${LODGE_TEST_NO_SKIP:-}" = 1 ]; then
    echo "precondition missing and skipping is not allowed here: $1" >&2
    exit 1
  fi
  echo "1..0 # SKIP $1"
  exit 77
}

[ "$(id -u)" = 0 ] || skip_all "not root"
[ -x /usr/sbin/sshd ] || skip_all "no sshd (apt-get install openssh-server)"
for program in ssh unshare nsenter libvirtd virsh; do
  command -v "$program" >/dev/null 2>&1 || skip_all "no $program"
done
if [ -n "${LODGE_START_LIBVIRTD:-}" ]; then
  sh "$LODGE_START_LIBVIRTD" start >/dev/null 2>&1 || skip_all "no libvirt daemon answers on qemu:///system"
fi
timeout 30 virsh -q -c qemu:///system uri >/dev/null 2>&1 || skip_all "no libvirt daemon answers on qemu:///system"

# A password for root inside the second host only: the libssh password URI
# is checked too.
LODGE_HOST2_PASSWORD=lodge-test-secret
export LODGE_HOST2_PASSWORD
NAME=${LODGE_HOST2_NAME:-lodge-host2}
GUEST=lodge-test-$$-host2-only

n=0
failed=0
ok () { n=$((n + 1)); echo "ok $n - $1"; }
not_ok () { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }
diag () { echo "# $*"; }

cleanup () {
  sh "$HOST2" stop >/dev/null 2>&1 || true
}
trap cleanup EXIT INT TERM

# Processes of the second host, seen from here: every process in its
# cgroups (zombies included, until they are reaped).
host2_processes () {
  grep -lE "/$NAME(/|\$)" /proc/[0-9]*/cgroup 2>/dev/null | cut -d/ -f3 || true
}

host2_cgroups () {
  find /sys/fs/cgroup -maxdepth 5 -type d -name "$NAME" 2>/dev/null || true
}

# Mounts of the second host in any process's mount namespace.
host2_mounts () {
  # (not the other instances': /var/tmp/lodge-host2-other...)
  grep -lF -e "$STATE/" -e "$STATE " /proc/[0-9]*/mountinfo 2>/dev/null | cut -d/ -f3 || true
}

# wait_for SECONDS COMMAND...: until the command succeeds
wait_for () {
  limit=$(($1 * 10))
  shift
  i=0
  until "$@"; do
    i=$((i + 1))
    [ $i -le $limit ] || return 1
    sleep 0.1
  done
}

no_processes () { [ -z "$(host2_processes)" ]; }

check_gone () {
  what=$1
  if ! wait_for 30 no_processes; then
    not_ok "$what: processes left: $(host2_processes | tr '\n' ' ')"
  else
    ok "$what: no process left"
  fi
  mounts=$(host2_mounts)
  if [ -n "$mounts" ]; then
    not_ok "$what: processes that still see mounts of $STATE: $(echo $mounts)"
  else
    ok "$what: no mount left"
  fi
  left=$(host2_cgroups)
  if [ -n "$left" ]; then
    not_ok "$what: cgroups left: $left"
  else
    ok "$what: no cgroup left"
  fi
  if timeout 10 virsh -q -c "$LODGE_HOST2_URI" uri >/dev/null 2>&1; then
    not_ok "$what: it still answers over SSH"
  else
    ok "$what: no longer answers"
  fi
}

# ---------------------------------------------------------------- start --

sh "$HOST2" stop >/dev/null 2>&1 || true
if out=$(sh "$HOST2" start 2>&1); then
  ok "start"
else
  not_ok "start: $out"
  echo "1..$n"
  exit 1
fi
eval "$(sh "$HOST2" env)"
STATE=$LODGE_HOST2_STATE

if out=$(sh "$HOST2" start 2>&1) && echo "$out" | grep -q "already running"; then
  ok "start again: reuses the running instance"
else
  not_ok "start again: $out"
fi

# virsh uri prints the URI it connected with
uri=$(timeout 60 virsh -q -c "$LODGE_HOST2_URI" uri 2>&1)
if [ "$uri" = "$LODGE_HOST2_URI" ]; then
  ok "qemu+ssh: its libvirtd answers over SSH"
else
  not_ok "qemu+ssh: virsh uri said '$uri'"
fi
uri=$(timeout 60 virsh -q -c "$LODGE_HOST2_URI_LIBSSH" uri 2>&1)
if [ "$uri" = "$LODGE_HOST2_URI_LIBSSH" ]; then
  ok "qemu+libssh with the key answers"
else
  not_ok "qemu+libssh: virsh uri said '$uri'"
fi
# virsh's own callback reads the host-key answer and the password on stdin.
said=$(printf 'y\n%s\n' "$LODGE_HOST2_PASSWORD" | timeout 60 virsh -q -c "$LODGE_HOST2_URI_LIBSSH_PASSWORD" hostname 2>&1)
if echo "$said" | grep -q "Accept SSH host key" && [ "${said%"$NAME"}" != "$said" ]; then
  ok "qemu+libssh with a password: host key asked, then logged in"
else
  not_ok "qemu+libssh with a password: $said"
fi

# ---------------------------------------------------- another host --

host_name=$(virsh -q -c qemu:///system hostname 2>&1)
remote_name=$(virsh -q -c "$LODGE_HOST2_URI" hostname 2>&1)
if [ "$remote_name" = "$NAME" ] && [ "$remote_name" != "$host_name" ]; then
  ok "hostname: $remote_name, not $host_name"
else
  not_ok "hostname: the second host says '$remote_name', the first '$host_name'"
fi
inside=$(sh "$HOST2" exec hostname 2>&1)
if [ "$inside" = "$NAME" ]; then
  ok "exec runs inside the second host"
else
  not_ok "exec: hostname inside is '$inside'"
fi

host_uuid () { virsh -q -c "$1" capabilities 2>/dev/null | sed -n 's,^ *<uuid>\(.*\)</uuid>.*,\1,p' | head -n 1; }
first=$(host_uuid qemu:///system)
second=$(host_uuid "$LODGE_HOST2_URI")
if [ -n "$first" ] && [ -n "$second" ] && [ "$first" != "$second" ]; then
  ok "host UUID: $second, not $first"
else
  not_ok "host UUID: first '$first', second '$second'"
fi

cat > "$STATE/$GUEST.xml" <<EOF
<domain type='qemu'>
  <name>$GUEST</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
</domain>
EOF
if out=$(virsh -q -c "$LODGE_HOST2_URI" define "$STATE/$GUEST.xml" 2>&1) &&
   virsh -q -c "$LODGE_HOST2_URI" dominfo "$GUEST" >/dev/null 2>&1; then
  if virsh -q -c qemu:///system dominfo "$GUEST" >/dev/null 2>&1; then
    not_ok "a guest defined on the second host is on the first host too"
    virsh -q -c qemu:///system undefine "$GUEST" >/dev/null 2>&1
  else
    ok "a guest defined on the second host is not on the first host"
  fi
else
  not_ok "define on the second host: $out"
fi
rm -f "$STATE/$GUEST.xml"

pool=$(virsh -q -c "$LODGE_HOST2_URI" pool-info default 2>&1 | awk '$1 == "State:" { print $2 }')
if [ "$pool" = running ]; then
  ok "its default pool runs"
else
  not_ok "its default pool: '$pool'"
fi

# ---------------------------------------------------------------- stop --

if out=$(sh "$HOST2" stop 2>&1); then
  ok "stop"
else
  not_ok "stop: $out"
fi
check_gone "after stop"
if out=$(sh "$HOST2" stop 2>&1); then
  ok "stop again does nothing"
else
  not_ok "stop again: $out"
fi
if sh "$HOST2" status >/dev/null 2>&1; then
  not_ok "status says it runs after stop"
else
  ok "status: not running"
fi

# ------------------------------------------------------- start again --

if out=$(sh "$HOST2" start 2>&1); then
  ok "start after stop"
else
  not_ok "start after stop: $out"
fi
if [ "$(timeout 60 virsh -q -c "$LODGE_HOST2_URI" uri 2>&1)" = "$LODGE_HOST2_URI" ]; then
  ok "it answers again"
else
  not_ok "it does not answer after the new start"
fi
if virsh -q -c "$LODGE_HOST2_URI" dominfo "$GUEST" >/dev/null 2>&1; then
  not_ok "the guest of the last run is still defined"
else
  ok "it starts without the guests of the last run"
fi
if [ "$(host_uuid "$LODGE_HOST2_URI")" = "$second" ]; then
  ok "its host UUID is kept across restarts"
else
  not_ok "its host UUID changed"
fi
sh "$HOST2" stop >/dev/null 2>&1
check_gone "after the last stop"

echo "1..$n"
[ $failed -eq 0 ]
