#!/usr/bin/env bash
# Regenerates the diagrams shown in the README from the bundled corpus.
# Usage: scripts/diagrams.sh   (needs Graphviz's `dot`)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=target/release/newskg
store=$(mktemp -d)/store
"$bin" build -q --no-dump --store "$store" corpus
"$bin" diagram --store "$store" --format svg -o docs/corpus.svg
"$bin" diagram --store "$store" --format png -o docs/corpus.png
"$bin" diagram --store "$store" --focus Aliyev --depth 1 --format svg -o docs/focus-aliyev.svg
"$bin" diagram --store "$store" --focus Russie --depth 1 --format svg -o docs/focus-russie.svg
"$bin" diagram --store "$store" --focus Russie --depth 1 --format png -o docs/focus-russie.png
rm -rf "$(dirname "$store")"
echo "wrote docs/corpus.svg docs/corpus.png docs/focus-aliyev.svg docs/focus-russie.svg docs/focus-russie.png"
