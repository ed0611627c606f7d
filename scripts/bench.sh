#!/usr/bin/env bash
# End-to-end benchmark on a generated corpus (throughput only; its facts are meaningless).
# Usage: scripts/bench.sh [DOCS] [RUNS]     (defaults: 20000 documents, 3 runs; medians are printed)
# Builds with cargo into $CARGO_TARGET_DIR (default ./target) and times that binary.
#
# Two tables: the build side (extract, a fresh build without dump, a rebuild with nothing
# to do, Oxigraph's own loader when installed), then what a user runs on the built store:
# the default build (graph.trig and graph.svg written), every canned query, the diagram
# and stats, each with its peak RSS, against the targets of BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
docs=${1:-20000}
runs=${2:-3}
cargo build --release --quiet
bin=${CARGO_TARGET_DIR:-$PWD/target}/release/newskg
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 ../shared/tools/gen_corpus.py --seeds corpus --docs "$docs" --out "$work/corpus" > /dev/null
bytes=$(find "$work/corpus" -type f -printf '%s\n' | awk '{n += $1} END {print n}')
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
maximum() { sort -n | tail -n 1; }
# Wall seconds and peak RSS (KB) of a command; a failure is reported, not hidden.
secs() {
  if ! /usr/bin/time -f "%e %M" "$@" 2> "$work/time" > /dev/null; then
    echo "bench.sh: failed: $*" >&2
    tail -n 5 "$work/time" >&2
  fi
  tail -n 1 "$work/time"
}
: > "$work/extract"; : > "$work/build"; : > "$work/noop"; : > "$work/rss"
for i in $(seq "$runs"); do
  secs "$bin" extract "$work/corpus" | awk '{print $1}' >> "$work/extract"
  rm -rf "$work/store"
  r=$(secs "$bin" build -q --no-dump --store "$work/store" "$work/corpus")
  echo "$r" | awk '{print $1}' >> "$work/build"
  echo "$r" | awk '{print $2}' >> "$work/rss"
  secs "$bin" build -q --no-dump --store "$work/store" "$work/corpus" | awk '{print $1}' >> "$work/noop"
done
ex=$(median < "$work/extract"); bu=$(median < "$work/build"); no=$(median < "$work/noop"); rss=$(median < "$work/rss")
quads=$("$bin" query --store "$work/store" --format tsv -e 'SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }' | tail -n 1 | cut -d'"' -f2)
printf '| measure | value |\n|---|---|\n'
printf '| corpus | %s documents, %.1f MB |\n' "$docs" "$(echo "$bytes / 1000000" | bc -l)"
printf '| extract (median of %s) | %s s, %.2f MB/s |\n' "$runs" "$ex" "$(echo "$bytes / 1000000 / $ex" | bc -l)"
printf '| build, fresh store, no dump (median of %s) | %s s (%s quads, %.0f quads/s), peak RSS %.0f MB |\n' "$runs" "$bu" "$quads" "$(echo "$quads / $bu" | bc -l)" "$(echo "$rss / 1024" | bc -l)"
printf '| rebuild, nothing changed (median of %s) | %s s (%.1f%% of a fresh build) |\n' "$runs" "$no" "$(echo "100 * $no / $bu" | bc -l)"
if command -v oxigraph > /dev/null; then
  "$bin" extract "$work/corpus" > "$work/all.nq"
  : > "$work/ox"; : > "$work/oxrss"
  for i in $(seq "$runs"); do
    rm -rf "$work/oxstore"
    r=$(secs oxigraph load --location "$work/oxstore" --file "$work/all.nq")
    echo "$r" | awk '{print $1}' >> "$work/ox"; echo "$r" | awk '{print $2}' >> "$work/oxrss"
  done
  rm -rf "$work/oxstore" "$work/all.nq"
  ox=$(median < "$work/ox"); oxrss=$(median < "$work/oxrss")
  printf '| oxigraph load of the same N-Quads (median of %s) | %s s, peak RSS %.0f MB |\n' "$runs" "$ox" "$(echo "$oxrss / 1024" | bc -l)"
  printf '| build / (extract + oxigraph load) | %.2f (target <= 1.25) |\n' "$(echo "$bu / ($ex + $ox)" | bc -l)"
else
  echo "(oxigraph CLI not installed: pip install oxigraph, or cargo install oxigraph-cli --locked, for the bulk-load comparison)"
fi

# What a user runs. Wall time: median of the runs; peak RSS: the largest of the runs.
# verdict MEASURE SECONDS KB MAX_SECONDS MAX_MB: one table row ("-" for no time target).
verdict() {
  local ok target
  if [ "$4" = - ]; then
    ok=$(echo "$3 / 1024 <= $5" | bc -l); target="<= $5 MB"
  else
    ok=$(echo "$2 <= $4 && $3 / 1024 <= $5" | bc -l); target="<= $4 s, <= $5 MB"
  fi
  printf '| %s | %s s | %.0f MB | %s: %s |\n' "$1" "$2" "$(echo "$3 / 1024" | bc -l)" "$target" "$([ "$ok" = 1 ] && echo met || echo NOT MET)"
}
# timed NAME MAX_SECONDS MAX_MB COMMAND...: runs the command RUNS times, prints its row.
timed() {
  local name=$1 max_s=$2 max_mb=$3
  shift 3
  : > "$work/t"; : > "$work/m"
  for i in $(seq "$runs"); do
    r=$(secs "$@")
    echo "$r" | awk '{print $1}' >> "$work/t"; echo "$r" | awk '{print $2}' >> "$work/m"
  done
  verdict "$name" "$(median < "$work/t")" "$(maximum < "$work/m")" "$max_s" "$max_mb"
}
echo
printf '| on the %s-document store | wall (median of %s) | peak RSS (max of %s) | target |\n|---|---|---|---|\n' "$docs" "$runs" "$runs"
: > "$work/t"; : > "$work/m"
for i in $(seq "$runs"); do
  rm -rf "$work/default"
  r=$(secs "$bin" build -q --store "$work/default/store" "$work/corpus")
  echo "$r" | awk '{print $1}' >> "$work/t"; echo "$r" | awk '{print $2}' >> "$work/m"
done
[ -s "$work/default/graph.svg" ] || echo "bench.sh: the default build wrote no graph.svg (is Graphviz installed?)" >&2
verdict "build, default (graph.trig and graph.svg written)" "$(median < "$work/t")" "$(maximum < "$work/m")" - 2048
rm -rf "$work/default"
for q in queries/*.rq; do
  case $q in *08_*) f=turtle ;; *) f=csv ;; esac
  timed "query \`$(basename "$q")\`" 2 1024 "$bin" query --store "$work/store" --format "$f" "$q"
done
timed "diagram (SVG)" 2 1024 "$bin" diagram --store "$work/store" --format svg -o "$work/graph.svg"
timed "stats" 2 1024 "$bin" stats --store "$work/store"
