#!/bin/sh
# make-guest.sh: builds a tiny bootable guest (kernel + busybox initrd)
#
# Copyright 2026 The Lodge authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: make-guest.sh OUTDIR [--framebuffer]
#
# Writes OUTDIR/vmlinuz and OUTDIR/initrd.img for direct kernel boot
# (<kernel>, <initrd>, <cmdline> in the domain XML), from Debian packages:
#   default        the kernel of linux-image-cloud-amd64 (text console only,
#                  boots in ~4 s under TCG)
#   --framebuffer  the debian-installer netboot kernel (has a VESA
#                  framebuffer: add vga=788 to the command line for 800x600)
# The initrd's /init mounts proc/sys/dev, prints a banner to tty0 and the
# serial port ("LODGE-GUEST-READY" on the serial line), powers off when the
# ACPI power button is pressed, and then does what lodge.mode= on the kernel
# command line says:
#   lodge.mode=still   (default) stays still
#   lodge.mode=scroll  scrolls text on tty0 without end
#   lodge.mode=frames  writes whole frames to /dev/fb0 in a loop
#   lodge.mode=busy    keeps the vCPU busy (for CPU statistics)
#   lodge.mode=net     (default flavour only) loads virtio-net, gives eth0
#                      lodge.ip=A.B.C.D/N, prints LODGE-NET-READY, then for
#                      each address of lodge.ping=X,Y,... tries ping (1 s
#                      each, up to lodge.tries= times, default 20) and prints
#                      "LODGE-PING X ok" or "LODGE-PING X fail"; lodge.route=
#                      NET/N@GW adds a route first; a trailing "LODGE-PINGS-DONE"
#   lodge.mode=echo    answers every line read on ttyS0 with "echo: LINE"
#                      (a serial console's input reaches the guest)
#   lodge.mode=flood   after lodge.flood=N (default 10485760) bytes of
#                      text on ttyS0 as fast as it can, prints
#                      "LODGE-FLOOD-DONE" and stays still
# Suggested command line: console=ttyS0 console=tty0 quiet lodge.mode=still
#
# Output is cached: when OUTDIR already holds a complete build from this
# version of the script, nothing is done. Downloads go through apt-get
# download (the Debian mirror) and need no root; nothing is installed.
set -eu

usage () {
  echo "usage: $0 OUTDIR [--framebuffer]" >&2
  exit 2
}

[ $# -ge 1 ] || usage
outdir=$1
shift
flavour=text
while [ $# -gt 0 ]; do
  case $1 in
    --framebuffer) flavour=framebuffer ;;
    *) usage ;;
  esac
  shift
done

mkdir -p "$outdir"
# Several test programs may build the same directory at once.
if command -v flock >/dev/null 2>&1; then
  exec 9>"$outdir/.lock"
  flock 9
fi

script_sum=$(sha256sum "$0" | cut -c1-16)
stamp="$outdir/.complete-$flavour-$script_sum"
if [ -f "$stamp" ] && [ -s "$outdir/vmlinuz" ] && [ -s "$outdir/initrd.img" ]; then
  echo "make-guest: $outdir is up to date" >&2
  exit 0
fi

mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/lodge-guest-XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

# Packages are fetched into a cache shared by every build directory.
cache=${LODGE_GUEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/lodge-guest}
mkdir -p "$cache"

fetch_deb () {
  # $1: package name; prints the path of its .deb in the cache
  pkg=$1
  found=$(ls "$cache/${pkg}"_*.deb 2>/dev/null | head -n 1 || true)
  if [ -z "$found" ]; then
    (cd "$cache" && apt-get download "$pkg" >&2)
    found=$(ls "$cache/${pkg}"_*.deb | head -n 1)
  fi
  echo "$found"
}

# The kernel
rm -f "$outdir/vmlinuz" "$outdir/initrd.img" "$outdir"/.complete-*
if [ "$flavour" = text ]; then
  kpkg=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null |
         sed -n 's/^ *Depends: \(linux-image-[0-9].*\)$/\1/p' | head -n 1)
  [ -n "$kpkg" ] || { echo "make-guest: cannot find the cloud kernel package" >&2; exit 1; }
  deb=$(fetch_deb "$kpkg")
  mkdir -p "$work/kernel"
  # The power button and its input events are modules in this kernel.
  dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$work/kernel" --wildcards './boot/vmlinuz-*' \
    './lib/modules/*/kernel/drivers/acpi/button.ko' \
    './lib/modules/*/kernel/drivers/input/evdev.ko'
  cp "$work"/kernel/boot/vmlinuz-* "$outdir/vmlinuz"
  # virtio-net and what it needs, loaded in this order by lodge.mode=net only.
  mkdir -p "$work/netkernel"
  dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$work/netkernel" --wildcards \
    './lib/modules/*/kernel/net/core/failover.ko' \
    './lib/modules/*/kernel/drivers/net/net_failover.ko' \
    './lib/modules/*/kernel/drivers/virtio/virtio.ko' \
    './lib/modules/*/kernel/drivers/virtio/virtio_ring.ko' \
    './lib/modules/*/kernel/drivers/virtio/virtio_pci_modern_dev.ko' \
    './lib/modules/*/kernel/drivers/virtio/virtio_pci_legacy_dev.ko' \
    './lib/modules/*/kernel/drivers/virtio/virtio_pci.ko' \
    './lib/modules/*/kernel/drivers/net/virtio_net.ko'
else
  di=/usr/lib/debian-installer/images/12/amd64/text/debian-installer/amd64/linux
  if [ ! -f "$di" ]; then
    deb=$(fetch_deb debian-installer-12-netboot-amd64)
    mkdir -p "$work/di"
    dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$work/di" ".$di"
    di="$work/di$di"
  fi
  cp "$di" "$outdir/vmlinuz"
fi

# The initrd
root="$work/root"
mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev" "$root/tmp"
busybox=/bin/busybox
# Only a static busybox works alone in an initrd (ldd fails on those).
if [ ! -x "$busybox" ] || ldd "$busybox" >/dev/null 2>&1; then
  deb=$(fetch_deb busybox-static)
  mkdir -p "$work/bb"
  dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$work/bb" ./bin/busybox
  busybox="$work/bb/bin/busybox"
fi
cp "$busybox" "$root/bin/busybox"
if [ -d "$work/kernel/lib/modules" ]; then
  mkdir -p "$root/modules"
  find "$work/kernel/lib/modules" -name '*.ko' -exec cp {} "$root/modules/" \;
fi
if [ -d "$work/netkernel/lib/modules" ]; then
  mkdir -p "$root/netmodules"
  find "$work/netkernel/lib/modules" -name '*.ko' -exec cp {} "$root/netmodules/" \;
fi

cat > "$root/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
for module in /modules/*.ko; do
  [ -f "$module" ] && insmod "$module" 2>/dev/null
done

mode=still
ip_address=
ping_list=
route=
tries=20
flood=10485760
for arg in $(cat /proc/cmdline); do
  case $arg in
    lodge.mode=*) mode=${arg#lodge.mode=} ;;
    lodge.ip=*) ip_address=${arg#lodge.ip=} ;;
    lodge.ping=*) ping_list=${arg#lodge.ping=} ;;
    lodge.route=*) route=${arg#lodge.route=} ;;
    lodge.tries=*) tries=${arg#lodge.tries=} ;;
    lodge.flood=*) flood=${arg#lodge.flood=} ;;
  esac
done

say () {
  echo "$*" > /dev/tty0 2>/dev/null
  echo "$*" > /dev/ttyS0 2>/dev/null
}

# The ACPI power button powers off (virDomainShutdown).
power_button () {
  for i in 1 2 3 4 5 6 7 8 9 10; do
    ev=$(awk '/^N: Name="Power Button"/ { found = 1 }
              found && /^H: Handlers=/ { for (i = 1; i <= NF; i++) if ($i ~ /^event/) { print $i; exit } }' \
             /proc/bus/input/devices)
    [ -n "$ev" ] && break
    sleep 1
  done
  [ -n "$ev" ] || return
  dd if=/dev/input/$ev bs=24 count=1 of=/dev/null 2>/dev/null
  say "Lodge test guest: power button, powering off"
  sync
  poweroff -f
}
power_button &

clear > /dev/tty0 2>/dev/null
say ""
say "  Lodge test guest"
say "  kernel $(uname -r), mode $mode"
say ""
say "LODGE-GUEST-READY"

case $mode in
  scroll)
    i=0
    while :; do
      say "line $i: the quick brown fox jumps over the lazy dog"
      i=$((i + 1))
    done
    ;;
  frames)
    size=$(cat /sys/class/graphics/fb0/virtual_size 2>/dev/null)
    bpp=$(cat /sys/class/graphics/fb0/bits_per_pixel 2>/dev/null)
    if [ -z "$size" ] || [ -z "$bpp" ]; then
      say "no framebuffer"
      while :; do sleep 3600; done
    fi
    w=${size%,*}
    h=${size#*,}
    bytes=$((w * h * bpp / 8))
    while :; do
      for c in 00 55 aa ff; do
        head -c "$bytes" /dev/zero | tr '\0' "\\$(printf '%03o' 0x$c)" > /dev/fb0
      done
      dd if=/dev/urandom of=/dev/fb0 bs="$bytes" count=1 2>/dev/null
    done
    ;;
  busy)
    while :; do :; done
    ;;
  net)
    for module in failover net_failover virtio_ring virtio virtio_pci_modern_dev \
                  virtio_pci_legacy_dev virtio_pci virtio_net; do
      insmod /netmodules/$module.ko 2>/dev/null
    done
    for i in 1 2 3 4 5 6 7 8 9 10; do
      [ -e /sys/class/net/eth0 ] && break
      sleep 1
    done
    ip link set lo up
    ip link set eth0 up
    [ -n "$ip_address" ] && ip addr add "$ip_address" dev eth0
    [ -n "$route" ] && ip route add "${route%@*}" via "${route#*@}"
    say "LODGE-NET-READY $(ip -4 addr show eth0 | awk '/inet / { print $2 }')"
    for target in $(echo "$ping_list" | tr ',' ' '); do
      result=fail
      i=0
      while [ $i -lt "$tries" ]; do
        if ping -c 1 -W 1 "$target" >/dev/null 2>&1; then
          result=ok
          break
        fi
        i=$((i + 1))
        sleep 1
      done
      say "LODGE-PING $target $result"
    done
    say "LODGE-PINGS-DONE"
    while :; do sleep 3600; done
    ;;
  echo)
    # The line discipline must not echo what it reads itself: only the
    # answer shows that the line arrived.
    stty -F /dev/ttyS0 -echo 2>/dev/null
    while read -r line; do
      echo "echo: $line"
    done < /dev/ttyS0 > /dev/ttyS0
    while :; do sleep 3600; done
    ;;
  flood)
    # 64-byte lines of text; head counts the bytes.
    yes "lodge flood 0123456789 abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKL" |
      head -c "$flood" > /dev/ttyS0
    echo "" > /dev/ttyS0
    echo "LODGE-FLOOD-DONE" > /dev/ttyS0
    while :; do sleep 3600; done
    ;;
  *)
    while :; do sleep 3600; done
    ;;
esac
INIT
chmod 755 "$root/init"

(cd "$root" && find . | cpio -o -H newc --quiet | gzip -9) > "$outdir/initrd.img"

touch "$stamp"
echo "make-guest: built $outdir ($flavour)" >&2
