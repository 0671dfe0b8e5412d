#!/usr/bin/env bash
# Takes a headless Chromium screenshot of an audit report:
#   scripts/screenshot-report.sh REPORT.html OUT.png [WIDTH HEIGHT [LAYOUT.html]]
# With LAYOUT.html, also writes the page's DOM as laid out in a window of WIDTH×HEIGHT: <body data-page-height="…">
# (the whole page's height in CSS pixels) and data-bottom="…" on every element with an id (where it ends, from the
# top of the page), so that a test can check what the first screen holds. The report itself is not changed.
# Needs Debian's chromium package (/usr/bin/chromium, or CHROMIUM=path). Exit code 3 when Chromium is absent.
set -euo pipefail
if [ $# -lt 2 ]; then
  echo "usage: $0 REPORT.html OUT.png [WIDTH HEIGHT [LAYOUT.html]]" >&2
  exit 1
fi
report=$(realpath "$1")
out=$(realpath -m "$2")
width=${3:-1280}
height=${4:-2000}
layout=${5:-}
chromium=${CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$chromium" ]; then
  echo "chromium not found at $chromium (install Debian's chromium package)" >&2
  exit 3
fi
[ -f "$report" ] || { echo "no report at $report" >&2; exit 1; }
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
flags=(--headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$profile" --window-size="$width,$height")
"$chromium" "${flags[@]}" --screenshot="$out" "file://$report" >/dev/null 2>&1
[ -s "$out" ] || { echo "chromium wrote no screenshot to $out" >&2; exit 1; }
if [ -n "$layout" ]; then
  measured="$profile/measured.html"
  script='<script>for (const e of document.querySelectorAll("[id]")) e.setAttribute("data-bottom", Math.ceil(e.getBoundingClientRect().bottom + scrollY)); document.body.setAttribute("data-page-height", document.documentElement.scrollHeight);</script>'
  sed "s#</body>#${script}</body>#" "$report" > "$measured"
  "$chromium" "${flags[@]}" --dump-dom "file://$measured" > "$layout" 2>/dev/null
  grep -q 'data-page-height=' "$layout" || { echo "chromium wrote no layout to $layout" >&2; exit 1; }
fi
echo "$out"
