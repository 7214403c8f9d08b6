#!/usr/bin/env bash
# Smoke test of a built one-folder app: every step runs the frozen `liaison` program, in a
# temporary HOME and XDG folders, with Qt offscreen, and stops the script at the first failure
# with a message naming the step.
#
#   packaging/smoke.sh [FOLDER]        FOLDER: the built app, dist/liaison by default
#
# Needs bash and coreutils (timeout); pdffonts/pdftotext (poppler-utils) are used when present.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
dist="${1:-dist/liaison}"
exe="$dist/liaison"
[ -f "$exe" ] || exe="$dist/liaison.exe"
if [ ! -f "$exe" ]; then
  echo "smoke: FAILED: no program at $dist/liaison: build it first (see README.md, "Install")" >&2
  exit 1
fi
exe="$(cd "$(dirname "$exe")" && pwd)/$(basename "$exe")"

T="$(mktemp -d "${TMPDIR:-/tmp}/liaison-smoke.XXXXXX")"
cleanup() { [ -n "${KEEP_SMOKE_DIR:-}" ] || rm -rf "$T"; }
trap cleanup EXIT
mkdir -p "$T/home" "$T/data" "$T/state" "$T/config" "$T/cache" "$T/run"
chmod 700 "$T/run"
export HOME="$T/home" XDG_DATA_HOME="$T/data" XDG_STATE_HOME="$T/state"
export XDG_CONFIG_HOME="$T/config" XDG_CACHE_HOME="$T/cache" XDG_RUNTIME_DIR="$T/run"
export QT_QPA_PLATFORM=offscreen
unset LIAISON_DB LIAISON_QUIT_AFTER_MS LIAISON_FROZEN_TEST_THREAD
log_file="$XDG_STATE_HOME/LiaisonCalendar/log/liaison.log"
STEP_TIMEOUT="${STEP_TIMEOUT:-300}"

fail() {
  echo "smoke: FAILED: $step: $*" >&2
  for f in "$T/out" "$T/err"; do
    if [ -s "$f" ]; then
      echo "--- $(basename "$f") (last lines) ---" >&2
      tail -n 25 "$f" >&2
    fi
  done
  if [ -s "$log_file" ]; then
    echo "--- $log_file (last lines) ---" >&2
    tail -n 25 "$log_file" >&2
  fi
  exit 1
}

# liaison ARGS...: run the frozen program for the current $step; stdout to $T/out, stderr to
# $T/err; a non-zero exit or a time-out fails the smoke test.
within() {
  local secs="$1"
  shift
  if command -v timeout >/dev/null; then
    timeout --kill-after=10 "$secs" "$@"
  else
    "$@"
  fi
}

liaison() {
  local rc=0
  within "$STEP_TIMEOUT" "$exe" "$@" >"$T/out" 2>"$T/err" || rc=$?
  if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
    fail "'liaison $*' did not finish within ${STEP_TIMEOUT} s"
  elif [ "$rc" != 0 ]; then
    fail "'liaison $*' exited with $rc"
  fi
}

steps=0
begin() { step="$1"; steps=$((steps + 1)); echo "smoke: $step"; }
contains() { grep -q -- "$2" "$1" || fail "${3:-$(basename "$1") does not contain '$2'}"; }

# events N FILE: an iCalendar file of N one-hour meetings, one a day from 2030-01-01.
events() {
  local n="$1" i day
  {
    printf 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Liaison smoke test//EN\r\n'
    for ((i = 0; i < n; i++)); do
      day="$(printf '2030%02d%02d' $((i / 28 % 12 + 1)) $((i % 28 + 1)))"
      printf 'BEGIN:VEVENT\r\nUID:smoke-%d@example.invalid\r\nDTSTAMP:20300101T000000Z\r\n' "$i"
      printf 'DTSTART;TZID=Europe/Brussels:%sT%02d0000\r\n' "$day" $((8 + i / 336 % 10))
      printf 'DURATION:PT1H\r\nSUMMARY:Smoke meeting %d\r\nLOCATION:Brussels\r\n' "$i"
      printf 'CATEGORIES:Cyber\r\nEND:VEVENT\r\n'
    done
    printf 'END:VCALENDAR\r\n'
  } >"$2"
}

db="$T/cal.db"
version="$(sed -n 's/^version *= *"\(.*\)"/\1/p' "$here/../pyproject.toml" 2>/dev/null | head -n 1)"

begin "version"
liaison --version
contains "$T/out" "^liaison ${version:-[0-9]}" "'liaison --version' said '$(cat "$T/out")', not 'liaison ${version:-X.Y.Z}'"

begin "help"
liaison --help
contains "$T/out" "usage: liaison"
contains "$T/out" "import"

begin "demo calendar"
liaison --db "$db" demo
[ -s "$db" ] || fail "no database at $db"

begin "export"
liaison --db "$db" export -o "$T/all.ics"
contains "$T/all.ics" "BEGIN:VCALENDAR"
contains "$T/all.ics" "BEGIN:VEVENT"
contains "$T/all.ics" "BEGIN:VTIMEZONE" "the export has no VTIMEZONE (tzdata files missing?)"
echo "smoke:   $(grep -c '^BEGIN:VEVENT' "$T/all.ics") events exported"

begin "list --json"
liaison --db "$db" list --json
head -n 5 "$T/out" | grep -q '"uid"' || fail "the first lines of 'list --json' have no uid"
echo "smoke:   $(grep -c '"uid"' "$T/out") occurrences listed"

begin "agenda PDF"
liaison --db "$db" agenda 1 -o "$T/a.pdf"
[ "$(head -c 4 "$T/a.pdf" 2>/dev/null)" = "%PDF" ] || fail "$T/a.pdf is not a PDF"
if command -v pdffonts >/dev/null; then
  [ "$(pdffonts "$T/a.pdf" | wc -l)" -gt 2 ] || fail "the PDF has no font: text was not drawn"
fi
if command -v pdftotext >/dev/null; then
  pdftotext "$T/a.pdf" "$T/a.txt"
  grep -qi "agenda" "$T/a.txt" || fail "the PDF's text has no 'agenda'"
fi

begin "import --dry-run"
liaison --db "$db" import "$T/all.ics" --dry-run
contains "$T/out" "unchanged"

begin "import 1,000 events (a forked parsing process)"
events 1000 "$T/big.ics"
liaison --db "$T/big.db" import "$T/big.ics" --json
grep -Eq '"added": 1000\b' "$T/out" || fail "the import did not add 1000 events"
liaison --db "$T/big.db" import "$T/big.ics" --dry-run --json
grep -Eq '"unchanged": 1000\b' "$T/out" || fail "a second import did not find 1000 unchanged"

begin "import 5,000 events (a spawned parsing process, as in the desktop app)"
events 5000 "$T/huge.ics"
LIAISON_FROZEN_TEST_THREAD=1 liaison --db "$T/huge.db" import "$T/huge.ics" --json
grep -Eq '"added": 5000\b' "$T/out" || fail "the import did not add 5000 events"

begin "sync reaches the network code"
# No server listens on port 9: the frozen CalDAV client, its HTTP library and the keyring
# must load and answer in one line (exit 2), not with a traceback.
rc=0
LIAISON_SYNC_PASSWORD=x within 60 "$exe" --db "$db" sync add-account team \
  --url http://127.0.0.1:9/ --user u >"$T/out" 2>"$T/err" || rc=$?
[ "$rc" = 2 ] || fail "'sync add-account' to a closed port exited with $rc: $(cat "$T/err")"
grep -q "Cannot reach" "$T/err" || fail "'sync add-account' said: $(cat "$T/err")"
grep -q "Traceback" "$T/err" && fail "'sync add-account' printed a traceback"
liaison --db "$db" sync status

begin "window opens and closes"
rc=0
LIAISON_QUIT_AFTER_MS=1500 within 60 "$exe" --db "$db" >"$T/out" 2>"$T/err" || rc=$?
if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
  fail "the window was still open after 60 s (does this build close by LIAISON_QUIT_AFTER_MS?)"
elif [ "$rc" != 0 ]; then
  fail "the desktop app exited with $rc"
fi
if grep -Eq "Traceback|Could not load the Qt platform plugin|Could not find the Qt platform" \
  "$T/err"; then
  fail "the desktop app printed an error"
fi

begin "log"
if [ -s "$log_file" ] && grep -Eq " (ERROR|CRITICAL) |Traceback" "$log_file"; then
  fail "the log has errors"
fi

echo "smoke: every step passed with $exe"
echo "smoke: $steps passed, 0 failed"
