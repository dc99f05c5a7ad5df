#!/usr/bin/env bash
# The size of the app's release .deb beside the cheapest Tauri 2 app's (bench/minimal-window,
# built from its template with the same release profile), and of the binaries inside them
# (stripped). Prints the figures and the ratio to the minimal one; the budget (issue 13) is
# ≤ 8 MiB for the app's .deb. Both are measured as shipped (`make deb`: packed with xz by
# scripts/repack-deb.sh), and as Tauri's bundler writes them (gzip). No figure fails anything.
#
#   scripts/bench-deb.sh            # builds both with Tauri's CLI (npx tauri build --bundles deb)
#   BUILD=0 scripts/bench-deb.sh    # measures the .debs already in target/release/bundle/deb
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$root/target}
tauri=$root/node_modules/.bin/tauri
debs=$CARGO_TARGET_DIR/release/bundle/deb

if [ "${BUILD:-1}" != 0 ]; then
  [ -x "$tauri" ] || scripts/npm-ci.sh .
  echo "== building the app's .deb (npx tauri build --bundles deb)"
  "$tauri" build --bundles deb >"$CARGO_TARGET_DIR/bench-deb-app.log" 2>&1 ||
    { tail -20 "$CARGO_TARGET_DIR/bench-deb-app.log"; exit 1; }
  echo "== building the minimal window's .deb"
  [ -f bench/minimal-window/Cargo.lock ] || cp Cargo.lock bench/minimal-window/Cargo.lock
  (cd bench/minimal-window && "$tauri" build --bundles deb) >"$CARGO_TARGET_DIR/bench-deb-minimal.log" 2>&1 ||
    { tail -20 "$CARGO_TARGET_DIR/bench-deb-minimal.log"; exit 1; }
fi

newest() { ls -t "$debs"/$1_*_amd64.deb 2>/dev/null | head -1; }
app_deb=$(newest Userdesk); minimal_deb=$(newest minimal-window)
[ -n "$app_deb" ] && [ -n "$minimal_deb" ] ||
  { echo "bench-deb: no .deb in $debs (run without BUILD=0)" >&2; exit 2; }

mib() { echo "scale=2; $1 / 1048576" | bc; }
# The size of the one file usr/bin/NAME inside a .deb's data archive.
binary_in() {
  dpkg-deb --fsys-tarfile "$1" | tar -tvf - | awk -v f="usr/bin/$2" '$6 ~ "(^|/)" f "$" {print $3}'
}
# Measured on xz copies (a .deb already packed with xz is left as it is).
packed=$(mktemp -d)
trap 'rm -rf "$packed"' EXIT
xz_copy() {
  if ar t "$1" | grep -q '^data\.tar\.xz$'; then cp "$1" "$packed/$2.deb"; else scripts/repack-deb.sh "$1" "$packed/$2.deb"; fi
  stat -c %s "$packed/$2.deb"
}
a=$(xz_copy "$app_deb" app); m=$(xz_copy "$minimal_deb" minimal)
# As Tauri's bundler wrote it, where it still is.
gzip_mib() { if ar t "$1" | grep -q '^data\.tar\.gz$'; then mib "$(stat -c %s "$1")"; else echo -; fi; }
ab=$(binary_in "$app_deb" userdesk); mb=$(binary_in "$minimal_deb" minimal-window)
printf '%-16s %10s %14s %12s\n' "" ".deb MiB" "binary MiB" "(gzip MiB)"
printf '%-16s %10s %14s %12s\n' "minimal window" "$(mib "$m")" "$(mib "$mb")" "($(gzip_mib "$minimal_deb"))"
printf '%-16s %10s %14s %12s\n' "Userdesk" "$(mib "$a")" "$(mib "$ab")" "($(gzip_mib "$app_deb"))"
printf 'Userdesk: .deb %.2f× the minimal window'"'"'s (budget ≤ 8 MiB: %s), binary %.2f×\n' \
  "$(echo "$a / $m" | bc -l)" "$(if [ "$a" -le $((8 * 1048576)) ]; then echo within; else echo over; fi)" \
  "$(echo "$ab / $mb" | bc -l)"
echo "($(basename "$app_deb"), $(basename "$minimal_deb"); $(nproc) cores, $(date -u +%Y-%m-%d))"
