#!/bin/sh
# lodge-second-host.sh: a second libvirt host on this machine, for tests of
# remote hosts and live migration
#
# Copyright 2026 The Lodge authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: lodge-second-host.sh start|stop|status|env|exec CMD...
#   start   (idempotent) run a libvirtd, a virtlogd and an sshd in mount,
#           UTS, PID and cgroup namespaces of their own (the network is
#           shared), with private /run, /etc/libvirt (the host's *.conf
#           only), /var/lib/libvirt, /var/cache/libvirt, /var/log/libvirt,
#           their own host UUID and hostname; SSH and incoming migrations on
#           a loopback address. Defines a "default" dir pool on
#           /var/lib/libvirt/images (this host's local storage). Prints what
#           'env' prints.
#   stop    (idempotent) destroy and undefine every guest of the SECOND
#           daemon, stop its processes, end its namespaces, remove its
#           cgroups and local storage. Nothing of the first host is touched.
#   status  exit 0 when it runs and answers over SSH, 3 when not running
#   env     shell assignments (LODGE_HOST2_URI=...) for a test to eval
#   exec    CMD...: run a command inside the second host
#
# Settings (environment):
#   LODGE_HOST2_NAME       hostname, cgroup name      (lodge-host2)
#   LODGE_HOST2_ADDR       loopback address           (127.0.0.2)
#   LODGE_HOST2_SSH_PORT   sshd port                  (2222)
#   LODGE_HOST2_STATE      state folder               (/var/tmp/$NAME)
#   LODGE_HOST2_MIG_PORTS  incoming migration ports   (64 ports per address:
#                          49216 + 64 * (last byte of the address - 2) ...)
#   LODGE_HOST2_PASSWORD   when set: root has this password inside the second
#                          host only (a private /etc/shadow) and its sshd
#                          accepts passwords, for authentication tests
#   LODGE_HOST2_OWNER      a process id: when that process ends (a test that
#                          crashed before it could stop us), this host stops
#   LODGE_HOST2_CGROUPS    ns: a cgroup namespace and hierarchies of its own
#                          (default with cgroup v1 hierarchies); none: its
#                          libvirt uses no cgroups (default on a pure cgroup
#                          v2 machine, where a group of our own below the
#                          caller's could get no controllers)
# Several instances run side by side with different names, addresses, ports.
#
# Needs root, util-linux (unshare, nsenter, flock, setsid), libvirt's
# daemons, openssh-server (its sshd binary only: no service is enabled or
# started) and openssh-client. Nothing is written to /root/.ssh or /etc/ssh:
# keys, known_hosts and an ssh wrapper for libvirt's ?command= live in the
# state folder.
set -eu

PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PATH

NAME=${LODGE_HOST2_NAME:-lodge-host2}
ADDR=${LODGE_HOST2_ADDR:-127.0.0.2}
SSH_PORT=${LODGE_HOST2_SSH_PORT:-2222}
STATE=${LODGE_HOST2_STATE:-/var/tmp/$NAME}
PASSWORD=${LODGE_HOST2_PASSWORD:-}
if [ -n "${LODGE_HOST2_CGROUPS:-}" ]; then
  CGROUPS=$LODGE_HOST2_CGROUPS
elif grep -q ' /sys/fs/cgroup/[^ ]* .* - cgroup ' /proc/self/mountinfo; then
  CGROUPS=ns
else
  CGROUPS=none
fi

# One port range per address, so that instances do not compete for ports
# (libvirt tests a port by binding it on every address).
last_byte=${ADDR##*.}
MIG_PORTS=${LODGE_HOST2_MIG_PORTS:-$((49216 + 64 * (last_byte - 2)))-$((49216 + 64 * (last_byte - 2) + 63))}

CLIENT=$STATE/client      # what the first host uses to reach the second
SERVER=$STATE/server      # the second host's sshd
ROOT=$STATE/root          # the second host's private folders
HOST_RUN=/run/lodge-host-libvirt   # the first host's /run/libvirt, seen from the second

SELF=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")

say () { echo "lodge-second-host[$NAME]: $*" >&2; }
die () { say "error: $*"; exit 1; }

# ---------------------------------------------------------------- URIs --

uri_ssh () {
  # OpenSSH through a wrapper: private key and known_hosts, no prompts. The
  # source daemon runs the same wrapper for peer-to-peer migrations.
  echo "qemu+ssh://root@$ADDR:$SSH_PORT/system?command=$CLIENT/ssh&no_tty=1"
}

uri_libssh () {
  echo "qemu+libssh://root@$ADDR:$SSH_PORT/system?keyfile=$CLIENT/id_ed25519&known_hosts=$CLIENT/known_hosts&sshauth=privkey"
}

uri_libssh_password () {
  # known_hosts-unknown lacks the host key: libvirt asks about it.
  echo "qemu+libssh://root@$ADDR:$SSH_PORT/system?known_hosts=$CLIENT/known_hosts-unknown&sshauth=password"
}

print_env () {
  cat <<EOF
LODGE_HOST2_NAME='$NAME'
LODGE_HOST2_ADDR='$ADDR'
LODGE_HOST2_SSH_PORT='$SSH_PORT'
LODGE_HOST2_STATE='$STATE'
LODGE_HOST2_URI='$(uri_ssh)'
LODGE_HOST2_URI_LIBSSH='$(uri_libssh)'
LODGE_HOST2_URI_LIBSSH_PASSWORD='$(uri_libssh_password)'
LODGE_HOST2_KEYFILE='$CLIENT/id_ed25519'
LODGE_HOST2_KNOWN_HOSTS='$CLIENT/known_hosts'
LODGE_HOST2_KNOWN_HOSTS_UNKNOWN='$CLIENT/known_hosts-unknown'
LODGE_HOST2_SSH_COMMAND='$CLIENT/ssh'
LODGE_HOST2_HOST_URI_FROM_REMOTE='qemu+unix:///system?socket=$HOST_RUN/libvirt-sock'
LODGE_HOST2_MIGRATE_URI='tcp://$ADDR'
LODGE_HOST2_IMAGES='$ROOT/var-lib-libvirt/images'
LODGE_HOST2_LOGS='$ROOT/var-log-libvirt'
LODGE_HOST2_INIT_PID='$(init_pid || true)'
EOF
}

# --------------------------------------------------------- the namespace --

# The pid (as seen here) of the namespace's init, when it runs and is ours:
# its environment carries the state folder.
init_pid () {
  pid=$(cat "$STATE/init.pid" 2>/dev/null) || return 1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' '\n' < "/proc/$pid/environ" 2>/dev/null | grep -qxF "LODGE_HOST2_INIT=$STATE" || return 1
  echo "$pid"
}

in_host2 () {
  pid=$(init_pid) || { say "not running"; return 1; }
  nsenter -t "$pid" -m -u -p -C --root --wd=/ -- "$@"
}

answers () {
  timeout 30 virsh -q -c "$(uri_ssh)" uri >/dev/null 2>&1
}

# ------------------------------------------------------------- the state --

# Removes the settings KEY = ... (also lists over several lines) from a
# libvirt configuration file: libvirt reads the FIRST occurrence of a key, so
# a value appended below an existing one would be ignored.
conf_unset () {
  file=$1
  shift
  awk -v keys=" $* " '
    in_list { if (index($0, "]")) in_list = 0; next }
    /^[ \t]*[A-Za-z_][A-Za-z0-9_]*[ \t]*=/ {
      key = $0
      sub(/^[ \t]*/, "", key)
      sub(/[ \t]*=.*/, "", key)
      if (index(keys, " " key " ")) {
        if (index($0, "[") && !index($0, "]")) in_list = 1
        next
      }
    }
    { print }
  ' "$file" > "$file.new"
  mv "$file.new" "$file"
}

prepare_client () {
  mkdir -p "$CLIENT"
  chmod 700 "$CLIENT"
  [ -f "$CLIENT/id_ed25519" ] ||
    ssh-keygen -q -t ed25519 -N '' -C "lodge-tests@$NAME" -f "$CLIENT/id_ed25519"
  cat > "$CLIENT/ssh_config" <<EOF
# ssh settings for libvirt's qemu+ssh://...?command=$CLIENT/ssh
Host *
  User root
  IdentityFile $CLIENT/id_ed25519
  IdentitiesOnly yes
  UserKnownHostsFile $CLIENT/known_hosts
  GlobalKnownHostsFile /dev/null
  StrictHostKeyChecking yes
  BatchMode yes
  ConnectTimeout 20
  ServerAliveInterval 5
  LogLevel ERROR
EOF
  # "ssh" from PATH: in Lodge's tests that is Lodge's own wrapper
  # (lodge-askpass-server.h), as for any user's qemu+ssh:// host.
  cat > "$CLIENT/ssh.new" <<EOF
#!/bin/sh
exec ssh -F $CLIENT/ssh_config "\$@"
EOF
  chmod 755 "$CLIENT/ssh.new"
  mv "$CLIENT/ssh.new" "$CLIENT/ssh"
}

prepare_server () {
  mkdir -p "$SERVER"
  chmod 700 "$SERVER"
  # Kept across restarts, so that known_hosts files stay valid.
  [ -f "$SERVER/ssh_host_ed25519_key" ] ||
    ssh-keygen -q -t ed25519 -N '' -C "$NAME" -f "$SERVER/ssh_host_ed25519_key"
  cp "$CLIENT/id_ed25519.pub" "$SERVER/authorized_keys"

  if [ -n "$PASSWORD" ]; then
    password_auth=yes
    root_login=yes
  else
    password_auth=no
    root_login=prohibit-password
  fi
  cat > "$SERVER/sshd_config" <<EOF
# sshd of the second host $NAME (its /run is private)
ListenAddress $ADDR:$SSH_PORT
HostKey $SERVER/ssh_host_ed25519_key
PidFile /run/sshd.pid
AuthorizedKeysFile $SERVER/authorized_keys
PermitRootLogin $root_login
PubkeyAuthentication yes
PasswordAuthentication $password_auth
KbdInteractiveAuthentication no
UsePAM no
UseDNS no
PrintMotd no
# The state folder is below world-writable /var/tmp.
StrictModes no
LogLevel VERBOSE
EOF

  host_key="[$ADDR]:$SSH_PORT $(cut -d' ' -f1-2 "$SERVER/ssh_host_ed25519_key.pub")"
  echo "$host_key" > "$CLIENT/known_hosts"
  # For the host-key question of password tests: a file without the key.
  : > "$CLIENT/known_hosts-unknown"
}

prepare_root () {
  mkdir -p "$ROOT"
  [ -s "$STATE/host_uuid" ] || cat /proc/sys/kernel/random/uuid > "$STATE/host_uuid"
  uuid=$(cat "$STATE/host_uuid")

  # /etc/libvirt: the host's *.conf files and nothing else (its domains,
  # networks and pools would be autostarted here).
  rm -rf "$ROOT/etc-libvirt"
  mkdir -p "$ROOT/etc-libvirt/qemu/networks/autostart" "$ROOT/etc-libvirt/storage/autostart" \
           "$ROOT/etc-libvirt/nwfilter" "$ROOT/etc-libvirt/hooks" "$ROOT/etc-libvirt/secrets"
  chmod 700 "$ROOT/etc-libvirt/secrets"
  cp /etc/libvirt/*.conf "$ROOT/etc-libvirt/"

  # Two daemons with one host UUID refuse to migrate between each other
  # ("Attempt to migrate guest to the same host"); with DMI both would read
  # the same one, without it the first host makes a random one.
  conf_unset "$ROOT/etc-libvirt/libvirtd.conf" host_uuid host_uuid_source log_outputs
  cat >> "$ROOT/etc-libvirt/libvirtd.conf" <<EOF

# second host $NAME (tests/common/lodge-second-host.sh)
host_uuid = "$uuid"
log_outputs = "3:file:/var/log/libvirt/libvirtd.log"
EOF
  # Incoming migrations listen on, and are announced as, our address: the
  # hostname would be looked up on the source, off this machine.
  conf_unset "$ROOT/etc-libvirt/qemu.conf" migration_address migration_host \
             migration_port_min migration_port_max
  cat >> "$ROOT/etc-libvirt/qemu.conf" <<EOF

# second host $NAME (tests/common/lodge-second-host.sh)
migration_address = "$ADDR"
migration_host = "$ADDR"
migration_port_min = ${MIG_PORTS%-*}
migration_port_max = ${MIG_PORTS#*-}
EOF
  if [ "$CGROUPS" = none ]; then
    # Without groups of its own its guests would share the first host's
    # /machine groups (domain ids restart at 1 in each daemon): none at all.
    conf_unset "$ROOT/etc-libvirt/qemu.conf" cgroup_controllers
    echo 'cgroup_controllers = [ ]' >> "$ROOT/etc-libvirt/qemu.conf"
  fi

  # /var/lib/libvirt is new at every start: its images/ is the second
  # host's local storage.
  rm -rf "$ROOT/var-lib-libvirt"
  mkdir -p "$ROOT/var-lib-libvirt/images" "$ROOT/var-lib-libvirt/boot" \
           "$ROOT/var-lib-libvirt/qemu" "$ROOT/var-lib-libvirt/swtpm" \
           "$ROOT/var-cache-libvirt/qemu" "$ROOT/var-log-libvirt/qemu"
  chmod 711 "$ROOT/var-lib-libvirt/images" "$ROOT/var-lib-libvirt/boot" \
            "$ROOT/var-lib-libvirt/swtpm" "$ROOT/var-cache-libvirt" "$ROOT/var-cache-libvirt/qemu"
  chown libvirt-qemu:libvirt-qemu "$ROOT/var-lib-libvirt/qemu"
  chmod 750 "$ROOT/var-lib-libvirt/qemu"
  # Same QEMU binaries: the first host's capabilities cache saves a probe
  # of seconds (libvirt probes again when it is stale).
  if [ -d /var/cache/libvirt/qemu/capabilities ] && [ ! -d "$ROOT/var-cache-libvirt/qemu/capabilities" ]; then
    cp -a /var/cache/libvirt/qemu/capabilities "$ROOT/var-cache-libvirt/qemu/" 2>/dev/null || true
  fi

  # The name resolves here, without asking a DNS server.
  { grep -v "[[:space:]]$NAME\$" /etc/hosts || true; echo "$ADDR $NAME"; } > "$ROOT/etc-hosts"
  echo "$NAME" > "$ROOT/etc-hostname"

  rm -f "$ROOT/etc-shadow"
  if [ -n "$PASSWORD" ]; then
    hash=$(printf '%s\n' "$PASSWORD" | openssl passwd -6 -stdin)
    (umask 077 && echo "root:$hash:19000:0:99999:7:::" > "$ROOT/etc-shadow")
  fi
}

# ------------------------------------------------------------- cgroups --

# The hierarchies mounted below /sys/fs/cgroup and this process's group in
# each: "MOUNTPOINT GROUP TYPE OPTIONS" per line (OPTIONS: the controllers of
# a v1 hierarchy, "-" for cgroup2).
cgroup_hierarchies () {
  awk '
    FNR == NR {
      # /proc/self/cgroup: ID:CONTROLLERS:PATH (PATH may hold colons)
      i = index($0, ":"); rest = substr($0, i + 1)
      j = index(rest, ":"); ctrl = substr(rest, 1, j - 1); group[ctrl] = substr(rest, j + 1)
      next
    }
    {
      # /proc/self/mountinfo: ... ROOT MOUNTPOINT ... - TYPE SOURCE SUPEROPTIONS
      for (sep = 7; $sep != "-"; sep++) ;
      type = $(sep + 1); opts = $(sep + 3)
      if ($4 != "/" || $5 !~ "^/sys/fs/cgroup(/|$)") next
      if (type == "cgroup2") { if ("" in group) print $5, group[""], type, "-"; next }
      if (type != "cgroup") next
      for (ctrl in group) {
        if (ctrl == "") continue
        n = split(ctrl, want, ","); ok = 1
        for (k = 1; k <= n; k++) if (index("," opts ",", "," want[k] ",") == 0) ok = 0
        if (ok) { sub(/^rw,/, "", opts); print $5, group[ctrl], type, opts; break }
      }
    }' /proc/self/cgroup /proc/self/mountinfo
}

# Makes $NAME below our group in every hierarchy; records the folders and
# how the init mounts each hierarchy again inside the cgroup namespace.
prepare_cgroups () {
  : > "$STATE/cgroup-dirs"
  : > "$STATE/cgroup-mounts"
  [ "$CGROUPS" = ns ] || return 0
  cgroup_hierarchies | while read -r mnt group type opts; do
    dir=${mnt}${group%/}/$NAME
    mkdir -p "$dir"
    # cpuset v1 starts empty, and an empty group takes no process.
    if [ -f "$dir/cpuset.cpus" ] && [ -z "$(cat "$dir/cpuset.cpus")" ]; then
      cat "${mnt}${group%/}/cpuset.cpus" > "$dir/cpuset.cpus"
      cat "${mnt}${group%/}/cpuset.mems" > "$dir/cpuset.mems"
    fi
    echo "$dir" >> "$STATE/cgroup-dirs"
    echo "$mnt $type $opts" >> "$STATE/cgroup-mounts"
  done
}

remove_cgroups () {
  [ -f "$STATE/cgroup-dirs" ] || return 0
  while read -r dir; do
    [ -d "$dir" ] || continue
    # libvirt's machine/qemu-... groups below ours first
    find "$dir" -depth -type d -exec rmdir {} \; 2>/dev/null || true
    [ -d "$dir" ] && say "warning: cgroup $dir is still there"
  done < "$STATE/cgroup-dirs"
  rm -f "$STATE/cgroup-dirs"
}

# ------------------------------------------------------------ the init --

# PID 1 of the second host, in its new namespaces. Never returns.
run_init () {
  exec > "$STATE/init.log" 2>&1
  echo "init: host $NAME, $(date +%T)"
  hostname "$NAME"
  mount -t proc -o nosuid,nodev,noexec proc /proc

  # Inside the cgroup namespace our group is the root: mounting the
  # hierarchies again makes libvirt's /machine partition .../$NAME/machine,
  # apart from the first host's /machine (domain ids restart at 1 in each
  # daemon, so the same guest on both sides would share a group).
  if [ -s "$STATE/cgroup-mounts" ]; then
    if grep -q '^/sys/fs/cgroup cgroup2 ' "$STATE/cgroup-mounts"; then
      mount -t cgroup2 -o nosuid,nodev,noexec cgroup2 /sys/fs/cgroup
    else
      mount -t tmpfs -o mode=755,nosuid,nodev,noexec lodge-cgroup /sys/fs/cgroup
      while read -r mnt type opts; do
        mkdir -p "$mnt"
        if [ "$type" = cgroup2 ]; then
          mount -t cgroup2 -o nosuid,nodev,noexec cgroup2 "$mnt"
        else
          mount -t cgroup -o "nosuid,nodev,noexec,$opts" cgroup "$mnt"
        fi
      done < "$STATE/cgroup-mounts"
    fi
  fi

  # A /run of our own (pid files, sockets, /run/sshd), with the first host's
  # /run/libvirt kept at $HOST_RUN for peer-to-peer migrations back.
  mkdir -p "$STATE/host-run"
  mount --bind /run/libvirt "$STATE/host-run"
  mount -t tmpfs -o mode=755,nosuid,nodev lodge-run /run
  mkdir -p /run/libvirt /run/lock /run/sshd /run/user "$HOST_RUN"
  chmod 1777 /run/lock
  ln -s /dev/shm /run/shm
  mount --move "$STATE/host-run" "$HOST_RUN"

  mount --bind "$ROOT/etc-libvirt" /etc/libvirt
  mount --bind "$ROOT/var-lib-libvirt" /var/lib/libvirt
  mount --bind "$ROOT/var-cache-libvirt" /var/cache/libvirt
  mount --bind "$ROOT/var-log-libvirt" /var/log/libvirt
  mount --bind "$ROOT/etc-hosts" /etc/hosts
  mount --bind "$ROOT/etc-hostname" /etc/hostname
  if [ -f "$ROOT/etc-shadow" ]; then
    mount --bind "$ROOT/etc-shadow" /etc/shadow
  fi

  virtlogd -d
  libvirtd -d
  /usr/sbin/sshd -f "$SERVER/sshd_config" -E "$SERVER/sshd.log"
  echo "init: daemons started $(date +%T)"
  touch "$STATE/ready"

  # Daemonized processes (QEMU too) become our children: PID 1 must reap
  # them, or libvirt waits for every destroyed QEMU. wait reaps any child.
  trap 'echo "init: end $(date +%T)"; exit 0' TERM INT
  while :; do
    sleep 3600 &
    wait $! || true
  done
}

# ------------------------------------------------------------- start --

do_start () {
  [ "$(id -u)" = 0 ] || die "needs root"
  for program in unshare nsenter flock setsid virsh libvirtd virtlogd ssh ssh-keygen /usr/sbin/sshd; do
    command -v "$program" >/dev/null 2>&1 ||
      die "$program is missing (apt-get install openssh-server openssh-client libvirt-daemon-system util-linux)"
  done
  if [ -n "$PASSWORD" ]; then
    command -v openssl >/dev/null 2>&1 || die "openssl is missing (apt-get install openssl)"
  fi
  # Its mounts are private to its namespace, which needs / to be a mount
  # point (it is on any normal system; in a chroot, bind-mount the chroot's
  # folder onto itself first).
  mountpoint -q / ||
    die "/ is not a mount point (a chroot?): the second host's mounts could not be kept private"
  case $ADDR in
    127.*) ;;
    *) die "LODGE_HOST2_ADDR must be a loopback address (127.0.0.0/8), not $ADDR" ;;
  esac

  # What the running instance was started with: another password or
  # address needs a restart.
  settings="$ADDR $SSH_PORT $MIG_PORTS $CGROUPS $(printf '%s' "$PASSWORD" | sha256sum | cut -c1-16)"
  if pid=$(init_pid); then
    if [ "$(cat "$STATE/settings" 2>/dev/null)" != "$settings" ]; then
      say "running (init $pid) with other settings: restarting"
      do_stop
    elif answers; then
      say "already running (init $pid)"
      print_env
      return 0
    else
      say "running (init $pid) but not answering over SSH: restarting"
      do_stop
    fi
  fi

  mkdir -p "$STATE"
  rm -f "$STATE/ready" "$STATE/init.pid" "$STATE/launcher.pid"
  echo "$settings" > "$STATE/settings"
  prepare_client
  prepare_server
  prepare_root
  prepare_cgroups
  # The host daemon may start later: its socket folder must exist now.
  mkdir -p /run/libvirt

  # The launcher joins our cgroups, then becomes unshare, whose only child
  # is the init. Fd 9 (our lock) must not reach the daemons.
  LODGE_HOST2_INIT=$STATE setsid sh -c '
    while read -r dir; do echo $$ > "$dir/cgroup.procs"; done < "$1/cgroup-dirs"
    if [ -s "$1/cgroup-dirs" ]; then cgroup=--cgroup; else cgroup=; fi
    exec unshare --mount --uts --pid $cgroup --fork --propagation private sh "$2" __init
  ' lodge-host2-launcher "$STATE" "$SELF" < /dev/null > "$STATE/launcher.log" 2>&1 9>&- &
  launcher=$!
  echo "$launcher" > "$STATE/launcher.pid"

  i=0
  while :; do
    child=$(cat "/proc/$launcher/task/$launcher/children" 2>/dev/null | awk '{ print $1 }')
    [ -n "$child" ] && break
    kill -0 "$launcher" 2>/dev/null || die "unshare failed: $(cat "$STATE/launcher.log")"
    i=$((i + 1))
    [ $i -le 400 ] || die "unshare did not start (see $STATE/launcher.log)"
    sleep 0.05
  done
  echo "$child" > "$STATE/init.pid"

  i=0
  while [ ! -f "$STATE/ready" ]; do
    kill -0 "$child" 2>/dev/null || die "the init ended: $(cat "$STATE/init.log" 2>/dev/null)"
    i=$((i + 1))
    [ $i -le 1200 ] || die "the second host did not get ready (see $STATE/init.log)"
    sleep 0.05
  done
  i=0
  until answers; do
    i=$((i + 1))
    [ $i -le 120 ] ||
      die "its libvirtd does not answer over SSH (see $STATE/init.log, $SERVER/sshd.log, $ROOT/var-log-libvirt/libvirtd.log)"
    sleep 0.5
  done

  in_host2 virsh -q -c qemu:///system pool-define-as default dir --target /var/lib/libvirt/images >/dev/null
  in_host2 virsh -q -c qemu:///system pool-autostart default >/dev/null
  in_host2 virsh -q -c qemu:///system pool-start default >/dev/null
  say "started: init $child, $ADDR:$SSH_PORT, host UUID $(cat "$STATE/host_uuid")"
  watch_owner "$child"
  print_env
}

# A test that crashes cannot stop its host: a watcher outside the
# namespaces stops this one (this init only: not a later start's) when the
# owner is gone.
watch_owner () {
  [ -n "${LODGE_HOST2_OWNER:-}" ] || return 0
  setsid sh -c '
    while kill -0 "$1" 2>/dev/null; do sleep 1; done
    exec sh "$2" __stop-if "$3"
  ' lodge-host2-watch "$LODGE_HOST2_OWNER" "$SELF" "$1" < /dev/null > /dev/null 2>&1 9>&- &
}

# -------------------------------------------------------------- stop --

do_stop () {
  if pid=$(init_pid); then
    # Every guest of the second daemon is a test's (the daemon is private).
    for dom in $(in_host2 virsh -q -c qemu:///system list --all --name 2>/dev/null || true); do
      in_host2 virsh -q -c qemu:///system destroy "$dom" >/dev/null 2>&1 || true
      in_host2 virsh -q -c qemu:///system undefine --nvram --managed-save "$dom" >/dev/null 2>&1 ||
        in_host2 virsh -q -c qemu:///system undefine "$dom" >/dev/null 2>&1 || true
    done
    for pidfile in /run/libvirtd.pid /run/sshd.pid /run/virtlogd.pid; do
      in_host2 sh -c 'p=$(cat "$1" 2>/dev/null) || exit 0
        kill "$p" 2>/dev/null || exit 0
        i=0
        while kill -0 "$p" 2>/dev/null; do
          i=$((i + 1)); [ $i -le 100 ] || { kill -9 "$p"; exit 0; }
          sleep 0.1
        done' sh "$pidfile" 2>/dev/null || true
    done
    # When the init ends the kernel kills what is left of its namespace.
    kill "$pid" 2>/dev/null || true
    i=0
    while kill -0 "$pid" 2>/dev/null; do
      i=$((i + 1))
      [ $i -ne 100 ] || kill -9 "$pid" 2>/dev/null || true
      [ $i -le 300 ] || die "the init $pid does not end"
      sleep 0.1
    done
    say "stopped (init $pid)"
  fi
  launcher=$(cat "$STATE/launcher.pid" 2>/dev/null || true)
  if [ -n "$launcher" ] && grep -q unshare "/proc/$launcher/cmdline" 2>/dev/null; then
    i=0
    while kill -0 "$launcher" 2>/dev/null && [ $i -lt 100 ]; do
      sleep 0.1
      i=$((i + 1))
    done
  fi
  rm -f "$STATE/init.pid" "$STATE/launcher.pid" "$STATE/ready"
  remove_cgroups
  # Its local storage goes with it (start makes a new one).
  rm -rf "$ROOT/var-lib-libvirt"
}

do_status () {
  if pid=$(init_pid); then
    if answers; then
      echo "$NAME: running (init $pid), answers on $(uri_ssh)"
    else
      echo "$NAME: running (init $pid), NOT answering over SSH"
      return 1
    fi
  else
    echo "$NAME: not running"
    return 3
  fi
}

lock () {
  mkdir -p "$(dirname "$STATE")"
  exec 9> "$STATE.lock"
  flock 9
}

case ${1:-} in
  start) lock; do_start ;;
  stop) lock; do_stop ;;
  __stop-if) lock; if [ "$(init_pid || true)" = "${2:-}" ]; then do_stop; fi ;;
  status) do_status ;;
  env) print_env ;;
  exec) shift; in_host2 "$@" ;;
  __init) run_init ;;
  *) echo "usage: $0 start|stop|status|env|exec CMD..." >&2; exit 2 ;;
esac
