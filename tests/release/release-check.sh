#!/bin/bash
# release-check.sh: what a release makes installs and runs
#
# Copyright 2026 The Lodge authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: release-check.sh install BUILDDIR
#          `meson install` into a DESTDIR: every kind of file is there, and
#          the installed Lodge starts from there and paints its window
#        release-check.sh dist-deb BUILDDIR SRCDIR
#          `meson dist` makes a tarball; from it alone (with build-aux/debian
#          as its debian/) `dpkg-buildpackage -us -uc -b` builds the package,
#          which runs the unit suite on the fresh build; the .deb's
#          dependencies resolve on this Debian (apt-get --simulate), and the
#          Lodge inside it starts
# Needs a display (the run); the package build needs debhelper.
set -euo pipefail

mode=$1
builddir=$(cd "$2" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/lodge-release-XXXXXX")
trap 'rm -rf "$work"' EXIT

fail () {
  echo "release-check: $*" >&2
  exit 1
}

# $1: a root holding usr/…: the Lodge there starts with its own schema,
# data and help, shows the test driver's machine and quits.
run_installed () {
  local root=$1 prefix=$2
  local bin=$root$prefix/bin/lodge share=$root$prefix/share out
  [ -x "$bin" ] || fail "no program at $bin"
  glib-compile-schemas --strict "$share/glib-2.0/schemas" || fail "the installed schema does not compile"
  "$bin" --version | grep -qi "^lodge " || fail "$bin --version: $("$bin" --version 2>&1)"
  out=$(env GSETTINGS_SCHEMA_DIR="$share/glib-2.0/schemas" GSETTINGS_BACKEND=memory \
          XDG_DATA_DIRS="$share:/usr/share" LODGE_BENCH_EXIT_AFTER_FIRST_FRAME=1 \
          timeout 120 dbus-run-session -- "$bin" --connect test:///default 2>"$work/run.err") ||
    { cat "$work/run.err" >&2; fail "the installed Lodge did not start and quit by itself"; }
  echo "$out" | grep -q "^lodge-first-populated-frame: .* 1 machines" ||
    { echo "$out"; cat "$work/run.err" >&2; fail "the installed Lodge did not show the test machine"; }
  echo "started from $bin: ${out#lodge-first-populated-frame: }"
}

check_files () {
  local root=$1 prefix=$2
  local share=$root$prefix/share
  for f in "$prefix/bin/lodge" "$prefix/libexec/lodge-askpass" \
           "$prefix/share/applications/org.lodge.Lodge.desktop" \
           "$prefix/share/metainfo/org.lodge.Lodge.metainfo.xml" \
           "$prefix/share/mime/packages/org.lodge.Lodge.xml" \
           "$prefix/share/glib-2.0/schemas/org.lodge.Lodge.gschema.xml" \
           "$prefix/share/icons/hicolor/scalable/apps/org.lodge.Lodge.svg" \
           "$prefix/share/icons/hicolor/symbolic/apps/org.lodge.Lodge-symbolic.svg" \
           "$prefix/share/help/C/lodge/index.page"; do
    [ -e "$root$f" ] || fail "$f is not installed"
  done
  # One .mo per language of po/LINGUAS.
  for lang in $(sed -e 's/#.*//' "$srcdir/po/LINGUAS"); do
    [ -f "$share/locale/$lang/LC_MESSAGES/lodge.mo" ] || fail "the $lang translation is not installed"
  done
  echo "$(find "$root" -type f | wc -l) files installed under $prefix"
}

case $mode in
  install)
    srcdir=$(cd "$(dirname "$0")/../.." && pwd)
    prefix=$(meson introspect --buildoptions "$builddir" |
             python3 -c 'import json,sys; print([o["value"] for o in json.load(sys.stdin) if o["name"]=="prefix"][0])')
    meson install -C "$builddir" --destdir "$work/root" --no-rebuild --quiet >/dev/null ||
      fail "meson install failed"
    check_files "$work/root" "$prefix"
    run_installed "$work/root" "$prefix"
    ;;
  dist-deb)
    srcdir=$(cd "$3" && pwd)
    command -v dpkg-buildpackage >/dev/null && command -v dh >/dev/null ||
      fail "dpkg-buildpackage or debhelper is missing (build-aux/debian-packages.txt)"
    # Uncommitted work would be left out of the tarball: say so, go on.
    if [ -n "$(git -C "$srcdir" status --porcelain --untracked-files=no 2>/dev/null)" ]; then
      echo "note: uncommitted changes are not in the tarball"
    fi
    meson dist -C "$builddir" --no-tests --allow-dirty --formats xztar >"$work/dist.log" 2>&1 ||
      { cat "$work/dist.log" >&2; fail "meson dist failed"; }
    tarball=$(ls "$builddir"/meson-dist/lodge-*.tar.xz | head -n 1)
    echo "tarball: $(basename "$tarball") ($(du -k "$tarball" | cut -f1) KiB)"
    tar -C "$work" -xf "$tarball"
    tree=$(ls -d "$work"/lodge-*/)
    [ -d "$tree/build-aux/debian" ] || fail "the tarball has no build-aux/debian"
    cp -r "$tree/build-aux/debian" "$tree/debian"
    (cd "$tree" && DEB_BUILD_OPTIONS="parallel=$(nproc)" dpkg-buildpackage -us -uc -b >"$work/deb.log" 2>&1) ||
      { tail -n 80 "$work/deb.log" >&2; fail "dpkg-buildpackage failed"; }
    grep -E "^ *[0-9]+/[0-9]+ .*(OK|FAIL|ERROR)" "$work/deb.log" | tail -n 3 || true
    deb=$(ls "$work"/lodge_*.deb | head -n 1)
    [ -f "$deb" ] || fail "no .deb was made"
    echo "package: $(basename "$deb") ($(du -k "$deb" | cut -f1) KiB)"
    apt-get install --simulate -q "$deb" >"$work/apt.log" 2>&1 ||
      { cat "$work/apt.log" >&2; fail "the package's dependencies do not resolve here"; }
    dpkg-deb -x "$deb" "$work/deb-root"
    check_files "$work/deb-root" /usr
    run_installed "$work/deb-root" /usr
    ;;
  *)
    fail "unknown mode $mode"
    ;;
esac
