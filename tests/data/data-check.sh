#!/bin/bash
# data-check.sh: checks of Lodge's data files, one per meson test.
#
# Copyright 2026 The Lodge authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# usage: data-check.sh CHECK ARGS...
# Exits 0 on success, 1 on failure, 77 (skip) only when the checking tool is
# missing and LODGE_TEST_NO_SKIP is not 1.
set -u

need () {
  if ! command -v "$1" >/dev/null 2>&1; then
    if [ "${LODGE_TEST_NO_SKIP:-}" = 1 ]; then
      echo "precondition missing and skipping is not allowed here: $1 not installed" >&2
      exit 1
    fi
    echo "SKIP: $1 not installed"
    exit 77
  fi
}

check=$1
shift

case "$check" in
  desktop)
    need desktop-file-validate
    desktop-file-validate "$@"
    ;;

  metainfo)
    need appstreamcli
    # --no-net: CI has no internet; --pedantic would only flag the
    # reverse-DNS id's upper-case letters, which GNOME ids have by design.
    appstreamcli validate --no-net --explain "$@"
    ;;

  mime)
    # shared-mime-info reads it: a database made from it alone knows .vv
    # files, by name and by their first line.
    need update-mime-database
    db=$(mktemp -d)
    trap 'rm -rf "$db"' EXIT
    mkdir -p "$db/packages"
    cp "$1" "$db/packages/"
    update-mime-database "$db" || exit 1
    grep -q '^50:application/x-virt-viewer:\*\.vv$' "$db/globs2" || { echo "no *.vv glob"; exit 1; }
    grep -q 'application/x-virt-viewer' "$db/magic" || { echo "no [virt-viewer] magic"; exit 1; }
    [ -f "$db/application/x-virt-viewer.xml" ] || { echo "the type is not in the database"; exit 1; }
    ;;

  schema)
    need glib-compile-schemas
    glib-compile-schemas --strict --dry-run "$1"
    ;;

  help)
    need yelp-check
    out=$(yelp-check validate "$@" 2>&1)
    rc=$?
    [ -n "$out" ] && echo "$out"
    # yelp-check reports some problems on stdout and still exits 0.
    [ $rc -eq 0 ] && [ -z "$out" ]
    ;;

  icon)
    # A full-color icon on a 128×128 canvas and a symbolic one on 16×16 with
    # fills of #2e3436 only (GTK recolors fills; strokes or other colors
    # would stay as drawn), both rendered without error.
    need rsvg-convert
    full=$1 symbolic=$2 rc=0
    grep -q 'viewBox="0 0 128 128"' "$full" || { echo "$full: not a 128×128 canvas"; rc=1; }
    grep -q 'viewBox="0 0 16 16"' "$symbolic" || { echo "$symbolic: not a 16×16 canvas"; rc=1; }
    if grep -q 'stroke=' "$symbolic"; then echo "$symbolic: uses strokes"; rc=1; fi
    colors=$(grep -o '#[0-9a-fA-F]\{6\}' "$symbolic" | sort -u | tr '\n' ' ')
    [ "$colors" = '#2e3436 ' ] || { echo "$symbolic: colors other than #2e3436: $colors"; rc=1; }
    for f in "$full" "$symbolic"; do
      for size in 16 32 128; do
        bytes=$(rsvg-convert -w $size -h $size "$f" | wc -c)
        [ "$bytes" -gt 100 ] || { echo "$f: does not render at $size"; rc=1; }
      done
    done
    exit $rc
    ;;

  potfiles)
    # Every source or template with a translatable string is listed in
    # po/POTFILES.in, and every listed file exists.
    srcdir=$1 rc=0
    listed=$(grep -v '^#' "$srcdir/po/POTFILES.in" | sed '/^[[:space:]]*$/d')
    for f in $listed; do
      [ -f "$srcdir/$f" ] || { echo "po/POTFILES.in lists $f, which does not exist"; rc=1; }
    done
    cd "$srcdir" || exit 1
    found=$( { grep -rlE '(^|[^A-Za-z0-9_])(N?_|C_|g_dngettext|ngettext)[[:space:]]*\([[:space:]]*"' \
                 --include='*.c' src 2>/dev/null
               grep -rl 'translatable="yes"' --include='*.ui' --include='*.blp' ui src 2>/dev/null
             } | sort -u)
    for f in $found; do
      if ! grep -qxF "$f" <<<"$listed"; then
        echo "$f has translatable strings but is missing from po/POTFILES.in"
        rc=1
      fi
    done
    exit $rc
    ;;

  *)
    echo "unknown check: $check" >&2
    exit 2
    ;;
esac
