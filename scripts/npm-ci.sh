#!/usr/bin/env bash
# `npm ci` in one folder (ui, e2e, or . for Tauri's CLI), only when its node_modules is missing or older than
# its package-lock.json. A stamp file inside node_modules records the last good install.
set -euo pipefail
cd "$(dirname "$0")/.."

dir=${1:?usage: $0 DIR}
stamp=$dir/node_modules/.userdesk-npm-ci
if [ ! -f "$dir/package.json" ]; then
  printf '  npm: %s has no package.json yet; skipped\n' "$dir"
  exit 0
fi
if [ ! -f "$dir/package-lock.json" ]; then
  echo "$dir/package-lock.json is missing: run 'npm install' in $dir and commit the lock file" >&2
  exit 1
fi
if [ -f "$stamp" ] && [ ! "$dir/package-lock.json" -nt "$stamp" ] && [ ! "$dir/package.json" -nt "$stamp" ]; then
  printf '  npm: %s/node_modules up to date\n' "$dir"
  exit 0
fi
printf '  npm: npm ci in %s\n' "$dir"
(cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
touch "$stamp"
