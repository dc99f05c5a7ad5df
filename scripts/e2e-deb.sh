#!/usr/bin/env bash
# End-to-end test of the installed package (issue #4: the URL scheme through the .deb's desktop
# entry and xdg-open). Builds the app as scripts/e2e.sh does, bundles that debug build into a .deb
# with Tauri's CLI (the root's node_modules, no compile of its own), installs it, runs
# e2e/tests/deb-install.test.mjs against /usr/bin/userdesk through scripts/e2e.sh, and removes
# the package again, whatever the outcome.
# Needs root (CI) or sudo. Stops when a userdesk package is installed already: it would replace
# that one and then remove it.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
target=${CARGO_TARGET_DIR:-$root/target}
stage=$target/e2e-deb

if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null; then
  sudo=(sudo)
else
  echo "e2e-deb: installing the package needs root or sudo" >&2
  exit 1
fi
if [ "$(dpkg-query -W -f='${Status}' userdesk 2>/dev/null || true)" = "install ok installed" ]; then
  echo "e2e-deb: a userdesk package is installed on this machine; remove it first (dpkg -r userdesk)" >&2
  exit 1
fi

# --- build: the same UI and binaries as scripts/e2e.sh ----------------------------------------
scripts/build-app.sh
scripts/npm-ci.sh e2e
scripts/npm-ci.sh .

# --- bundle ---------------------------------------------------------------------------------
# `tauri bundle` packs the binary in $CARGO_TARGET_DIR/debug and first patches it in place (the
# bundle type): it gets a copy, so the binary the other end-to-end tests run stays as built.
rm -rf "$stage"
mkdir -p "$stage/debug"
cp "$target/debug/userdesk" "$stage/debug/userdesk"
echo "e2e-deb: tauri bundle --debug --bundles deb"
CARGO_TARGET_DIR=$stage node_modules/.bin/tauri bundle --debug --bundles deb --ci
debs=("$stage"/debug/bundle/deb/*.deb)
if [ ${#debs[@]} -ne 1 ] || [ ! -f "${debs[0]}" ]; then
  echo "e2e-deb: expected one .deb in $stage/debug/bundle/deb" >&2
  exit 1
fi
# Packed as the release .deb is (`make deb`), at xz's fastest level: the debug binary is large.
echo "e2e-deb: scripts/repack-deb.sh (xz)"
LEVEL=1 scripts/repack-deb.sh "${debs[0]}"

# --- install, test, remove ------------------------------------------------------------------
remove() {
  echo "e2e-deb: dpkg --purge userdesk"
  "${sudo[@]}" dpkg --purge userdesk >/dev/null
}
echo "e2e-deb: dpkg -i ${debs[0]#"$root"/}"
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive dpkg -i "${debs[0]}" >/dev/null
trap remove EXIT
# desktop-file-utils' dpkg trigger has refreshed the MIME cache; a machine without it needs this.
"${sudo[@]}" update-desktop-database -q /usr/share/applications

E2E_APP=/usr/bin/userdesk E2E_SERVER=$target/debug/userdesk-server scripts/e2e.sh deb-install
