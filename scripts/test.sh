#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs what the build and the
# tests need when it is missing (scripts/setup.sh: a C++ compiler, libclang,
# Graphviz, rapper, Python's rdflib, curl, the Oxigraph server), then runs
# `cargo test --release`. `.ci/run` runs this.
# Usage: scripts/test.sh [cargo test arguments…]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh
newskg_setup test
cargo test --release "$@"
