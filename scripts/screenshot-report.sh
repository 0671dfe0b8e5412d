#!/usr/bin/env bash
# Takes a headless Chromium screenshot of an audit report: scripts/screenshot-report.sh REPORT.html OUT.png [WIDTH HEIGHT]
# Needs Debian's chromium package (/usr/bin/chromium, or CHROMIUM=path). Exit code 3 when Chromium is absent.
set -euo pipefail
if [ $# -lt 2 ]; then
  echo "usage: $0 REPORT.html OUT.png [WIDTH HEIGHT]" >&2
  exit 1
fi
report=$(realpath "$1")
out=$(realpath -m "$2")
width=${3:-1280}
height=${4:-2000}
chromium=${CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$chromium" ]; then
  echo "chromium not found at $chromium (install Debian's chromium package)" >&2
  exit 3
fi
[ -f "$report" ] || { echo "no report at $report" >&2; exit 1; }
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
"$chromium" --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$profile" \
  --window-size="$width,$height" --screenshot="$out" "file://$report" >/dev/null 2>&1
[ -s "$out" ] || { echo "chromium wrote no screenshot to $out" >&2; exit 1; }
echo "$out"
