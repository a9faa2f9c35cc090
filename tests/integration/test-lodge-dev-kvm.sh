#!/bin/sh
# test-lodge-dev-kvm.sh: build-aux/lodge-dev's `kvm` step lets libvirt's QEMU
# user open the KVM node whatever group the node happens to carry, says what
# it changed, and never gives more than udev's 0660 (group kvm).
#
# Works on a node of its own (mknod in a temporary folder, pointed to with
# LODGE_KVM_NODE), so /dev/kvm is not touched. Needs root, setpriv and the
# QEMU user of Debian's libvirt-daemon-system (libvirt-qemu, group kvm).
#
# Copyright 2026 The Lodge authors
# SPDX-License-Identifier: GPL-3.0-or-later
set -u

LODGE_DEV=$1

skip_all () {
  if [ "${LODGE_TEST_NO_SKIP:-}" = 1 ]; then
    echo "precondition missing and skipping is not allowed here: $1" >&2
    exit 1
  fi
  echo "1..0 # SKIP $1"
  exit 77
}

[ "$(id -u)" = 0 ] || skip_all "not root"
id libvirt-qemu >/dev/null 2>&1 || skip_all "no libvirt-qemu user (Debian libvirt-daemon-system)"
getent group kvm >/dev/null || skip_all "no kvm group"
command -v setpriv >/dev/null || skip_all "no setpriv (util-linux)"

dir=$(mktemp -d /var/tmp/lodge-kvm-test.XXXXXX)
trap 'rm -rf "$dir"' EXIT
chmod 755 "$dir"
node=$dir/kvm
# A group that libvirt-qemu is not in, as 'pulse' was on a fresh machine.
other=$(getent group nogroup >/dev/null && echo nogroup || echo root)

n=0
failed=0
ok () { n=$((n + 1)); echo "ok $n - $1"; }
not_ok () { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }

can_open () {
  setpriv --reuid=libvirt-qemu --regid="$(id -g libvirt-qemu)" --init-groups \
    sh -c 'test -r "$1" && test -w "$1"' sh "$node" 2>/dev/null
}

# case MODE GROUP EXPECTED-MODE EXPECTED-GROUP SAYS(yes|no) NAME
check () {
  rm -f "$node"
  mknod "$node" c 10 232
  chgrp "$2" "$node"
  chmod "$1" "$node"
  out=$(LODGE_KVM_NODE=$node "$LODGE_DEV" kvm 2>&1)
  rc=$?
  got="$(stat -c '%a %G' "$node")"
  if [ $rc -ne 0 ]; then
    not_ok "$6: lodge-dev kvm failed ($rc): $out"
  elif [ "$got" != "$3 $4" ]; then
    not_ok "$6: the node is '$got', expected '$3 $4'"
  elif ! can_open; then
    not_ok "$6: libvirt-qemu cannot open the node ($got)"
  elif [ "$5" = yes ] && ! printf '%s' "$out" | grep -q "was $1 root:$2, which libvirt-qemu could not open: now 660 root:kvm"; then
    not_ok "$6: it did not say what it changed: '$out'"
  elif [ "$5" = no ] && [ -n "$out" ]; then
    not_ok "$6: it said something though nothing changed: '$out'"
  else
    ok "$6"
  fi
}

echo "1..5"
check 600 root 660 kvm yes "a root-only node gets group kvm, 0660"
check 660 "$other" 660 kvm yes "a node of another group (a fresh machine's 'pulse') gets group kvm"
check 640 kvm 660 kvm yes "a node that group kvm may only read becomes 0660"
check 660 kvm 660 kvm no "udev's node is left alone, silently"
check 666 "$other" 666 "$other" no "a node anyone may open is left alone (never changed, never loosened)"
[ $failed -eq 0 ]
