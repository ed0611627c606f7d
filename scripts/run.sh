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
row() { printf '  %-8s %-*s %s\n' "$1" "$w" "$2" "$3"; }
w=$(( ${#dir} + 12 ))
[ ${#store} -lt $w ] || w=$(( ${#store} + 1 ))
echo
echo "Done. The knowledge graph:"
row store "$store" "Oxigraph on disk: query it with newskg (below)"
if [ -n "$dump" ] && [ -f "$dir/graph.trig" ]; then
  row TriG "$dir/graph.trig" "every triple, one named graph per document, for any RDF tool (rdflib, Jena, oxigraph load)"
fi
if [ -n "$dump" ] && [ -f "$dir/graph.svg" ]; then
  row diagram "$dir/graph.svg" "who does what to whom: open it in a browser"
fi
echo "Query it (SPARQL; each file in queries/ says what it answers):"
echo "  $bin query$s queries/01_who_supports_whom.rq"
echo "  $bin query$s -e 'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }'"
echo "  $bin serve$s    (a SPARQL endpoint, with a query page at http://127.0.0.1:7878/)"
