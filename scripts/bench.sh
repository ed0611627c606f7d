#!/usr/bin/env bash
# End-to-end benchmark on a generated corpus (throughput only; its facts are meaningless).
# Usage: scripts/bench.sh [DOCS] [RUNS]     (defaults: 20000 documents, 3 runs; medians are printed)
set -euo pipefail
cd "$(dirname "$0")/.."
docs=${1:-20000}
runs=${2:-3}
cargo build --release --quiet
bin=$PWD/target/release/newskg
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 ../shared/tools/gen_corpus.py --seeds corpus --docs "$docs" --out "$work/corpus" > /dev/null
bytes=$(find "$work/corpus" -type f -printf '%s\n' | awk '{n += $1} END {print n}')
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
secs() { /usr/bin/time -f "%e %M" "$@" 2> "$work/time" > /dev/null || true; tail -n 1 "$work/time"; }
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
printf '| build, fresh store (median of %s) | %s s (%s quads, %.0f quads/s), peak RSS %.0f MB |\n' "$runs" "$bu" "$quads" "$(echo "$quads / $bu" | bc -l)" "$(echo "$rss / 1024" | bc -l)"
printf '| rebuild, nothing changed (median of %s) | %s s (%.1f%% of a fresh build) |\n' "$runs" "$no" "$(echo "100 * $no / $bu" | bc -l)"
if command -v oxigraph > /dev/null; then
  "$bin" extract "$work/corpus" > "$work/all.nq"
  : > "$work/ox"; : > "$work/oxrss"
  for i in $(seq "$runs"); do
    rm -rf "$work/oxstore"
    r=$(secs oxigraph load --location "$work/oxstore" --file "$work/all.nq")
    echo "$r" | awk '{print $1}' >> "$work/ox"; echo "$r" | awk '{print $2}' >> "$work/oxrss"
  done
  ox=$(median < "$work/ox"); oxrss=$(median < "$work/oxrss")
  printf '| oxigraph load of the same N-Quads (median of %s) | %s s, peak RSS %.0f MB |\n' "$runs" "$ox" "$(echo "$oxrss / 1024" | bc -l)"
  printf '| build / (extract + oxigraph load) | %.2f (target <= 1.25) |\n' "$(echo "$bu / ($ex + $ox)" | bc -l)"
else
  echo "(oxigraph CLI not installed: cargo install oxigraph-cli --locked, for the bulk-load comparison)"
fi
