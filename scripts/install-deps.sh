#!/usr/bin/env bash
# Installs what building, running and testing Userdesk needs, and skips whatever is already there:
#   scripts/install-deps.sh run    Debian packages to build and run the app, ui/ node_modules
#   scripts/install-deps.sh test   all of the above, plus the test packages, the node_modules of
#                                  e2e/, of the root (Tauri's CLI) and of clerk-js/ (Clerk's SDK
#                                  against the server), and tauri-driver (the default)
# Non-interactive; works as root (CI) and uses sudo only when not root.
set -euo pipefail
cd "$(dirname "$0")/.."

what=${1:-test}
case "$what" in
  run | test) ;;
  *) echo "usage: $0 [run|test]" >&2; exit 2 ;;
esac

build_packages=(libwebkit2gtk-4.1-dev build-essential libxdo-dev libssl-dev libdbus-1-dev
  libayatana-appindicator3-dev librsvg2-dev pkg-config)
# Passkeys on USB security keys: the HID transport links libudev and generates its bindings to the
# kernel's hidraw headers with bindgen, which needs libclang.
build_packages+=(libudev-dev libclang-dev)
# To run: a session bus and a virtual display for machines without a display; xdg-open (the
# app opens the browser with it, and the end-to-end tests rely on that); update-desktop-database,
# with which a development build registers its URL scheme; colour emoji for the UI.
runtime_packages=(xvfb dbus dbus-x11 desktop-file-utils xdg-utils fonts-noto-color-emoji)
# xclip: a picture on the clipboard for the paste test; python3-gi and GTK's bindings:
# e2e/tools/drag-source.py, the file manager a drag-and-drop test plays.
test_packages=(webkit2gtk-driver xdotool xclip imagemagick python3-gi gir1.2-gtk-3.0)

packages=("${build_packages[@]}" "${runtime_packages[@]}")
[ "$what" = test ] && packages+=("${test_packages[@]}")

say() { printf '  %s\n' "$*"; }

# --- Debian packages -------------------------------------------------------------------------
missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  say "apt: all ${#packages[@]} packages installed"
else
  if [ "$(id -u)" -eq 0 ]; then
    sudo=()
  elif command -v sudo >/dev/null; then
    sudo=(sudo)
  else
    echo "missing Debian packages and no sudo to install them; as root run:" >&2
    echo "  apt-get install ${missing[*]}" >&2
    exit 1
  fi
  say "apt: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Wait for another apt run (unattended upgrades, a parallel install) instead of failing.
  apt_opts=(-o DPkg::Lock::Timeout=600 -o Dpkg::Use-Pty=0)
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" install -y -qq \
    "${missing[@]}" </dev/null
fi

# --- Toolchains that no package manager here can fetch ---------------------------------------
for tool in cargo node npm; do
  command -v "$tool" >/dev/null || { echo "$tool is not on PATH; install it first" >&2; exit 1; }
done
# Vite 8 needs Node.js 20.19 or newer.
node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)' ||
  { echo "Node.js $(node --version) is too old: Vite needs 20.19 or newer" >&2; exit 1; }
cargo fmt --version >/dev/null 2>&1 || { echo "rustfmt is missing: rustup component add rustfmt" >&2; exit 1; }
cargo clippy --version >/dev/null 2>&1 || { echo "clippy is missing: rustup component add clippy" >&2; exit 1; }

# --- Node packages ---------------------------------------------------------------------------
scripts/npm-ci.sh ui
[ "$what" = test ] && scripts/npm-ci.sh e2e && scripts/npm-ci.sh . && scripts/npm-ci.sh clerk-js

# --- Cargo tools -----------------------------------------------------------------------------
if [ "$what" = test ]; then
  cargo_bin=${CARGO_HOME:-$HOME/.cargo}/bin
  if command -v tauri-driver >/dev/null || [ -x "$cargo_bin/tauri-driver" ]; then
    say "tauri-driver: installed"
  else
    say "tauri-driver: cargo install tauri-driver --locked (compiles; a few minutes)"
    cargo install tauri-driver --locked --quiet
  fi
  # The dependency check of `make test` (deny.toml); the version pinned so its checks stay put.
  if command -v cargo-deny >/dev/null || [ -x "$cargo_bin/cargo-deny" ]; then
    say "cargo-deny: installed"
  else
    say "cargo-deny: cargo install cargo-deny@0.20.2 --locked (compiles; a few minutes)"
    cargo install cargo-deny@0.20.2 --locked --quiet
  fi
fi
