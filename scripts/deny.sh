#!/usr/bin/env bash
# The dependency tree against deny.toml: licences, banned and duplicated crates, sources — and
# RustSec's advisories where its database is at hand. cargo-deny fetches that database from
# GitHub, which this project's machines and CI cannot reach; a copy placed where cargo-deny keeps
# it (ADVISORY_DB, default ~/.cargo/advisory-dbs/advisory-db-3157b0e258782691, a git clone of
# rustsec/advisory-db) is checked offline. Every accepted advisory is listed in deny.toml with why.
set -euo pipefail
cd "$(dirname "$0")/.."

db=${ADVISORY_DB:-${CARGO_HOME:-$HOME/.cargo}/advisory-dbs/advisory-db-3157b0e258782691}
checks=(licenses bans sources)
if [ -d "$db/.git" ] || [ -f "$db/.git" ]; then
  checks+=(advisories)
  echo "  advisories: RustSec database of $(git -C "$db" show -s --format=%cs HEAD)"
else
  echo "  advisories: not checked (no RustSec database at $db; see this script)"
fi
# cargo-deny reads the whole graph, every target's crates included (the Windows-only ones of the
# passkey client too), which a Linux build never downloads: fetch them first (crates.io is reachable).
cargo fetch --locked --quiet
# Duplicate versions are reported as warnings: shown in full only when asked.
cargo deny --offline --log-level "${DENY_LOG:-error}" check "${checks[@]}"
