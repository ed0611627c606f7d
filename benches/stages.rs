//! Criterion benchmarks of the hot stages, on the five bundled articles:
//! `cargo bench --bench stages` (numbers in BENCHMARKS.md). Thresholds never
//! go into `cargo test`; these only measure.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use newskg::lexicon::Lexicon;
use std::hint::black_box;
use std::path::Path;

fn corpus() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let mut docs: Vec<(String, String)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read_to_string(&p).unwrap())
        })
        .collect();
    docs.sort();
    docs
}

fn stages(c: &mut Criterion) {
    let lex = Lexicon::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("ontology")).unwrap();
    let docs = corpus();
    let bytes: u64 = docs.iter().map(|d| d.1.len() as u64).sum();
    let cleaned: Vec<_> = docs.iter().map(|(_, b)| newskg::text::clean(b, &lex.cues, &lex.translit)).collect();

    let mut g = c.benchmark_group("stages");
    g.throughput(Throughput::Bytes(bytes));
    // Boilerplate and language filtering, sentence splitting and tokenising.
    g.bench_function("sentence_splitting", |b| {
        b.iter(|| {
            for (_, body) in &docs {
                black_box(newskg::text::clean(body, &lex.cues, &lex.translit));
            }
        })
    });
    // The gazetteer's key trie over every sentence's tokens.
    g.bench_function("gazetteer_matching", |b| {
        b.iter(|| {
            for c in &cleaned {
                for s in &c.sentences {
                    black_box(lex.gazetteer.find(&s.tokens));
                }
            }
        })
    });
    // Mentions, names, coreference, reported speech and the relation rules.
    g.bench_function("entities_and_relation_rules", |b| {
        b.iter(|| {
            for ((_, body), c) in docs.iter().zip(&cleaned) {
                black_box(newskg::extract::extract(&lex, body, c));
            }
        })
    });
    // The whole mapper for one document: read, clean, extract, quads, N-Quads.
    g.bench_function("document_to_nquads", |b| {
        b.iter(|| {
            for (name, body) in &docs {
                let doc = newskg::ingest::Document::from_text(name, body);
                let m = newskg::build::map_document(&lex, doc);
                let mut out = Vec::new();
                m.graph.write_nquads(&mut out);
                black_box(out);
            }
        })
    });
    g.finish();
}

criterion_group!(benches, stages);
criterion_main!(benches);
