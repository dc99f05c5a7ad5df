#!/usr/bin/env bash
# Builds what the end-to-end tests run: the UI (the app embeds ui/dist; rebuilt when older than
# its sources), the app's debug build, and userdesk-server (a flow that outlives the app needs an
# account server outside it).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f ui/dist/index.html ] || [ -n "$(find ui/src ui/index.html ui/package-lock.json \
    -newer ui/dist/index.html -print -quit 2>/dev/null)" ]; then
  echo "build-app: building the UI (ui/dist is missing or older than its sources)"
  scripts/npm-ci.sh ui
  (cd ui && npm run --silent build)
fi
echo "build-app: cargo build -p userdesk -p userdesk-server"
cargo build -p userdesk -p userdesk-server
