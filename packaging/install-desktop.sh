#!/usr/bin/env bash
# Put a built Liaison Calendar into the desktop menu of the current user (Linux, freedesktop):
# the .desktop file (its Exec= and TryExec= pointing at the built program), the icons, the
# AppStream metadata, and the app as the default for .ics files.
#
#   packaging/install-desktop.sh [--no-default] [--link-bin] [FOLDER]
#   packaging/install-desktop.sh --uninstall
#
# FOLDER is the built app (dist/liaison by default); it stays where it is, so keep it there or
# move it first (to ~/.local/opt/liaison, say) and install from the new place.
#   --no-default  do not make Liaison Calendar the default application for text/calendar
#   --link-bin    also link ~/.local/bin/liaison to the program, for the command line
#   --uninstall   remove what an install put in place (the built folder is left alone)
# Files go under ${XDG_DATA_HOME:-~/.local/share}; nothing needs root.
set -euo pipefail

APP_ID="eu.liaison.LiaisonCalendar"
here="$(cd "$(dirname "$0")" && pwd)"
data="${XDG_DATA_HOME:-$HOME/.local/share}"
bin_link="$HOME/.local/bin/liaison"
set_default=1
link_bin=0
uninstall=0
dist=""
for arg in "$@"; do
  case "$arg" in
    --no-default) set_default=0 ;;
    --link-bin) link_bin=1 ;;
    --uninstall) uninstall=1 ;;
    -h | --help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "install-desktop: unknown option $arg (see --help)" >&2; exit 2 ;;
    *) dist="$arg" ;;
  esac
done

refresh() {
  if command -v update-desktop-database >/dev/null; then
    update-desktop-database -q "$data/applications" || true
  fi
  if command -v gtk-update-icon-cache >/dev/null && [ -f "$data/icons/hicolor/index.theme" ]; then
    gtk-update-icon-cache -q -t -f "$data/icons/hicolor" || true
  fi
}

if [ "$uninstall" = 1 ]; then
  rm -f "$data/applications/$APP_ID.desktop" "$data/metainfo/$APP_ID.metainfo.xml"
  find "$data/icons/hicolor" -path "*/apps/$APP_ID.*" -delete 2>/dev/null || true
  if [ -L "$bin_link" ]; then rm -f "$bin_link"; fi
  refresh
  echo "install-desktop: removed Liaison Calendar from the menu (the built folder and your"
  echo "calendar in ${XDG_DATA_HOME:-~/.local/share}/LiaisonCalendar are untouched)"
  exit 0
fi

dist="${dist:-dist/liaison}"
if [ ! -x "$dist/liaison" ]; then
  echo "install-desktop: no program at $dist/liaison: build it first (see README.md, "Install")" >&2
  exit 1
fi
exe="$(cd "$dist" && pwd)/liaison"

# The desktop file and icons: the copies inside the built folder, or the source tree's.
res="$dist/_internal/resources"
[ -f "$res/$APP_ID.desktop" ] || res="$here/../resources"
if [ ! -f "$res/$APP_ID.desktop" ]; then
  echo "install-desktop: $APP_ID.desktop is neither in $dist nor in resources/" >&2
  exit 1
fi

# Exec= takes a quoted path when it has characters the Desktop Entry spec reserves; inside
# the quotes, " ` $ and \ are escaped, and every backslash is doubled once more by the
# file's own string escaping.
if [[ "$exe" =~ ^[A-Za-z0-9/._+-]+$ ]]; then
  exec_path="$exe"
else
  quoted="${exe//\\/\\\\}"
  quoted="${quoted//\"/\\\"}"
  quoted="${quoted//\`/\\\`}"
  quoted="${quoted//\$/\\\$}"
  exec_path="\"${quoted//\\/\\\\}\""
fi

mkdir -p "$data/applications" "$data/metainfo" "$data/icons/hicolor"
tmp="$(mktemp "$data/applications/.$APP_ID.XXXXXX")"
EXEC_PATH="$exec_path" TRY_EXEC="$exe" awk '
  /^\[/ { main = ($0 == "[Desktop Entry]") }
  main && /^Exec=/ { sub(/^Exec=[^ ]*/, ""); print "Exec=" ENVIRON["EXEC_PATH"] $0; next }
  main && /^TryExec=/ { print "TryExec=" ENVIRON["TRY_EXEC"]; next }
  { print }
' "$res/$APP_ID.desktop" >"$tmp"
chmod 644 "$tmp"
mv -f "$tmp" "$data/applications/$APP_ID.desktop"

if [ -d "$res/icons/hicolor" ]; then
  cp -R "$res/icons/hicolor/." "$data/icons/hicolor/"
fi
if [ -f "$res/icons/$APP_ID.svg" ]; then
  mkdir -p "$data/icons/hicolor/scalable/apps"
  cp "$res/icons/$APP_ID.svg" "$data/icons/hicolor/scalable/apps/"
fi
if [ -f "$res/$APP_ID.metainfo.xml" ]; then
  cp "$res/$APP_ID.metainfo.xml" "$data/metainfo/"
fi
if [ "$link_bin" = 1 ]; then
  mkdir -p "$(dirname "$bin_link")"
  ln -sfn "$exe" "$bin_link"
fi

refresh
if [ "$set_default" = 1 ] && command -v xdg-mime >/dev/null; then
  xdg-mime default "$APP_ID.desktop" text/calendar || true
fi

echo "install-desktop: Liaison Calendar is in the menu, running $exe"
if [ "$link_bin" = 1 ]; then echo "install-desktop: $bin_link -> $exe"; fi
