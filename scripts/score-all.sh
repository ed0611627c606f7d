#!/usr/bin/env bash
# Scores the extractor on the seeds corpus and on the three sets of real
# development pages (../shared/dev/{a,b,c}), one line each.
# Usage: scripts/score-all.sh [-v]    (-v: every miss and false hit, recall by predicate)
# The binary is target/release/newskg (built if missing); BIN=... overrides it.
set -euo pipefail
cd "$(dirname "$0")/.."
shared=../shared
bin=${BIN:-target/release/newskg}
[ -x "$bin" ] || cargo build --release --quiet
verbose=()
[ "${1:-}" = "-v" ] && verbose=(-v)
run() { # name gold docs
  local out
  out=$(python3 "$shared/tools/score.py" --gold "$2" --docs "$3" --bin "$bin" "${verbose[@]}")
  if [ ${#verbose[@]} -gt 0 ]; then printf '== %s\n%s\n' "$1" "$out"; fi
  printf '%-6s %s | %s\n' "$1" "$(echo "$out" | tail -n 2 | head -n 1)" "$(echo "$out" | tail -n 1)"
}
run seeds "$shared/gold/seeds.json" corpus
for x in a b c; do
  run "dev/$x" "$shared/dev/$x/gold.json" "$shared/dev/$x/docs"
done
