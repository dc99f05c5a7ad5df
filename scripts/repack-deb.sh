#!/usr/bin/env bash
# Recompresses a .deb's archives with xz, as Debian's own packages are: the same files, modes and
# control data, owned by root. Tauri's bundler writes gzip and has no setting for it (tauri-cli
# 2.12); xz makes the download about a quarter smaller, and every dpkg since Debian 6 reads it.
#
#   scripts/repack-deb.sh IN.deb [OUT.deb]     (OUT defaults to IN, replaced)
#   LEVEL=1 scripts/repack-deb.sh …            xz's level (default 9; the tests' debug .deb uses 1)
set -euo pipefail
in=${1:?usage: scripts/repack-deb.sh IN.deb [OUT.deb]}
out=${2:-$in}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dpkg-deb --raw-extract "$in" "$work/package"
dpkg-deb --root-owner-group -Zxz -z"${LEVEL:-9}" --build "$work/package" "$work/repacked.deb" >/dev/null
# What went in must come out: the same paths, sizes and modes (dpkg-deb names them "./usr/…").
listing() {
  dpkg-deb --contents "$1" | awk '{sub(/^\.\//, "", $6); sub(/\/$/, "", $6); if ($6 != "" && $6 != ".") print $1, $3, $6}' | sort
}
if ! diff <(listing "$in") <(listing "$work/repacked.deb") >&2; then
  echo "repack-deb: the repacked $in lists other files than the original" >&2
  exit 1
fi
mv "$work/repacked.deb" "$out"
