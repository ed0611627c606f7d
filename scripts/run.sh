#!/usr/bin/env bash
# The main job on a fresh machine: installs what the build needs when it is
# missing (scripts/setup.sh: a C++ compiler, libclang, Graphviz), builds the
# knowledge graph of the bundled corpus (`cargo run --release -- build
# corpus`), then says where the store, the TriG dump and the diagram are and
# how to query them.
# Usage: scripts/run.sh [BUILD OPTIONS] [INPUT…]   (`newskg build`'s arguments; default: corpus)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh
newskg_setup build
[ $# -gt 0 ] || set -- corpus
cargo run --release -- build "$@"

# Where things are (as `newskg build` puts them: the dump and the diagram
# beside the store).
store=out/store dump=1
while [ $# -gt 0 ]; do
  case $1 in
    --store) store=$2; shift ;;
    --store=*) store=${1#--store=} ;;
    --no-dump) dump="" ;;
  esac
  shift
done
dir=$(dirname "$store")
bin=${CARGO_TARGET_DIR:-target}/release/newskg
[ -x "$bin" ] || bin="cargo run --release -q --"
if [ "$store" = out/store ]; then s=""; else s=" --store $store"; fi
echo
echo "The knowledge graph:"
echo "  store    $store   (Oxigraph, on disk)"
if [ -n "$dump" ] && [ -f "$dir/graph.trig" ]; then
  echo "  TriG     $dir/graph.trig   (every triple, one named graph per document: any RDF tool reads it)"
fi
if [ -n "$dump" ] && [ -f "$dir/graph.svg" ]; then
  echo "  diagram  $dir/graph.svg   (who does what to whom: open it in a browser)"
fi
echo "Query it (SPARQL; the canned queries in queries/ say what each answers):"
echo "  $bin query$s queries/01_who_supports_whom.rq"
echo "  $bin query$s -e 'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }'"
echo "  $bin serve$s     (a SPARQL endpoint with a query page at http://127.0.0.1:7878/)"
