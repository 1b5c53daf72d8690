#!/usr/bin/env bash
# Renders a serlab HTML report in headless Chromium to a PNG, and fails when the page logs anything
# to the console: the report has no script and a Content-Security-Policy that forbids every fetch,
# so any console message (a script error, a blocked network request) is a defect.
#
#   tools/render_report.sh <report.html> <screenshot.png> [width=1280] [height=4000]
#
# Needs Debian's `chromium` package (apt-get install -y chromium). Exit status: 0 rendered cleanly,
# 1 console messages or no screenshot, 2 usage, 3 Chromium missing.
set -euo pipefail
if [ $# -lt 2 ]; then
  echo "usage: $0 <report.html> <screenshot.png> [width] [height]" >&2
  exit 2
fi
report="$1"; screenshot="$2"; width="${3:-1280}"; height="${4:-4000}"
if [ ! -f "$report" ]; then echo "render_report: $report: no such file" >&2; exit 2; fi
browser="$(command -v chromium || command -v chromium-browser || true)"
if [ -z "$browser" ]; then
  echo "render_report: chromium not found; install it with: apt-get install -y chromium" >&2
  exit 3
fi
report_url="file://$(cd "$(dirname "$report")" && pwd)/$(basename "$report")"
profile="$(mktemp -d)"
log="$(mktemp)"
trap 'rm -rf "$profile" "$log"' EXIT
rm -f "$screenshot"
status=0
timeout 180 "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run --disable-extensions \
  --user-data-dir="$profile" --enable-logging=stderr --v=0 \
  --window-size="$width,$height" --screenshot="$screenshot" "$report_url" >"$log" 2>&1 || status=$?
if [ "$status" -ne 0 ]; then
  echo "render_report: chromium exited with status $status" >&2
  grep -v -E 'dbus|UPower|ScreenSaver|vaapi|sandbox_linux' "$log" >&2 || true
  exit 1
fi
if grep -q ':CONSOLE' "$log"; then
  echo "render_report: the page logged to the console (each is a defect):" >&2
  grep ':CONSOLE' "$log" >&2
  exit 1
fi
if [ ! -s "$screenshot" ]; then
  echo "render_report: chromium wrote no screenshot to $screenshot" >&2
  exit 1
fi
echo "render_report: $report -> $screenshot (${width}x${height}), no console messages"
