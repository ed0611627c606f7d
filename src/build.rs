//! The main job: inputs → documents → extraction → quads → store. Extraction
//! runs in parallel (rayon) on batches; graphs are written in input order, so
//! the store's content does not depend on thread timing.
//!
//! Two ways to write (see BENCHMARKS.md for the measurements behind them):
//! - transactions: one per document; readers see each document appear whole,
//!   and a killed build keeps every document it had committed;
//! - bulk: Oxigraph's bulk loader writes sorted table files and ingests them
//!   in one atomic step at the end; several times faster on large builds, and
//!   a killed build leaves the store exactly as it was. Documents whose graph
//!   already exists (changed content) still go through a transaction, since
//!   the bulk loader only adds.
//!
//! The entities graph (`entities.rs`) follows: a new document's entities are
//! added with it (same transaction, or same bulk load), which only adds; a
//! changed document or a changed gazetteer first marks the graph out of
//! date, and the build ends by rebuilding it from the store.

use crate::entities::{self, Entities, EntityUse};
use crate::error::{IngestError, StoreError};
use crate::extract::extract;
use crate::ingest::{self, Document};
use crate::lexicon::Lexicon;
use crate::rdf::{doc_iri, document_graph, graph_iri, DocGraph};
use crate::store::KgStore;
use crate::text::clean;
use oxigraph::model::Quad;
use rayon::prelude::*;
use std::path::PathBuf;
use std::time::Instant;

/// Documents extracted together before their graphs are written.
const BATCH: usize = 256;

/// From this many input documents on, `LoadMode::Auto` uses the bulk loader.
pub const BULK_FROM: usize = 500;

/// Memory target handed to Oxigraph's bulk loader (it defaults to 2 GB per
/// thread, which with extraction alongside would exceed our 2 GB budget).
/// It sets the batch size, hence how many table files RocksDB ingests at the
/// commit: at 600 MB a 20,000-document build cost 31 % more per document
/// than a 2,000-document one; at 1200 MB (and with the compaction below),
/// 16 % less, at 1.35 GB peak RSS (BENCHMARKS.md).
const BULK_MEMORY_MB: usize = 1200;

/// What one document gave.
pub struct Mapped {
    pub doc: Document,
    pub graph: DocGraph,
    /// The entities it uses, with what it adds to the gazetteer about them.
    pub uses: Vec<EntityUse>,
    pub sentences: usize,
    pub entities: usize,
    pub facts: usize,
}

/// Extracts one document into quads (pure: no store involved).
pub fn map_document(lex: &Lexicon, doc: Document) -> Mapped {
    let c = clean(&doc.body, &lex.cues, &lex.translit);
    let ex = extract(lex, &doc.body, &c);
    let uses = entities::uses(lex, &ex);
    let graph = document_graph(&doc, &c, &ex, &uses);
    Mapped { sentences: c.sentences.len(), entities: ex.mentioned.len(), facts: ex.facts.len(), graph, uses, doc }
}

/// How graphs are written to the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum LoadMode {
    /// Bulk for large builds (at least `BULK_FROM` inputs), transactions otherwise.
    #[default]
    Auto,
    Bulk,
    Transactions,
}

/// Build settings.
pub struct BuildOptions {
    pub store: PathBuf,
    pub inputs: Vec<PathBuf>,
    /// Rebuild documents whose content hash is unchanged too.
    pub force: bool,
    pub progress: bool,
    pub load: LoadMode,
}

/// The summary printed at the end of a build.
#[derive(Debug, Default)]
pub struct BuildReport {
    pub documents: usize,
    pub unchanged: usize,
    pub failed: Vec<String>,
    pub warnings: Vec<String>,
    pub sentences: usize,
    pub entities: usize,
    pub relations: usize,
    pub triples: usize,
    pub seconds: f64,
    /// Whether the bulk loader wrote the new graphs.
    pub bulk: bool,
}

/// What to do with one input.
enum Step {
    Unchanged,
    /// No graph of that name yet.
    New(Mapped),
    /// A graph exists and must be replaced.
    Changed(Mapped),
}

fn step(lex: &Lexicon, store: &KgStore, force: bool, path: &std::path::Path, name: &str) -> Result<Step, IngestError> {
    let doc = ingest::read(path, name)?;
    let recorded = recorded(store, &doc);
    if !force && recorded == Recorded::Current {
        return Ok(Step::Unchanged);
    }
    let m = map_document(lex, doc);
    Ok(if recorded == Recorded::Absent { Step::New(m) } else { Step::Changed(m) })
}

/// What the store holds of a document's graph.
#[derive(PartialEq, Eq)]
enum Recorded {
    /// No graph (or its hash could not be read: the document is rebuilt).
    Absent,
    /// A graph of this very content.
    Current,
    /// A graph of other content.
    Stale,
}

fn recorded(store: &KgStore, doc: &Document) -> Recorded {
    match store.recorded_hash(&graph_iri(&doc.name), &doc_iri(&doc.name)) {
        Ok(Some(h)) if h == doc.hash_tag() => Recorded::Current,
        Ok(Some(_)) => Recorded::Stale,
        _ => Recorded::Absent,
    }
}

/// When no input is new or changed: the inputs that could not be read (in
/// input order), as `step` would report them. Stops at the first change.
fn all_unchanged(store: &KgStore, files: &[(PathBuf, String)]) -> Option<Vec<String>> {
    let failed = std::sync::Mutex::new(Vec::new());
    let changed = files.par_iter().enumerate().any(|(i, (p, n))| match ingest::read(p, n) {
        Ok(doc) => recorded(store, &doc) != Recorded::Current,
        Err(e) => {
            if let Ok(mut f) = failed.lock() {
                f.push((i, e.to_string()));
            }
            false
        }
    });
    if changed {
        return None;
    }
    let mut failed = failed.into_inner().ok()?;
    failed.sort();
    Some(failed.into_iter().map(|(_, e)| e).collect())
}

/// Runs a build. Bad inputs are reported in `failed` and skipped; store
/// problems abort with an error, leaving every committed graph whole.
pub fn build(lex: &Lexicon, opts: &BuildOptions) -> Result<BuildReport, StoreError> {
    let t0 = Instant::now();
    let mut report = BuildReport::default();
    let (files, errs) = ingest::collect(&opts.inputs);
    report.failed.extend(errs.iter().map(|e| e.to_string()));
    let ontology = std::fs::read_to_string(lex.dir.join("newskg.ttl")).map_err(StoreError::Io)?;
    let fingerprint = entities::fingerprint(lex);
    // Find out whether there is anything to write before opening RocksDB for
    // writing: that open starts the compactions a bulk load left pending,
    // and a rebuild with nothing to do would wait for them (BENCHMARKS.md).
    let store = match KgStore::open_write_check(&opts.store)? {
        Some(ro) => {
            if !opts.force && ro.ontology_is(&ontology)? && entities::recorded_fingerprint(&ro)?.as_deref() == Some(fingerprint.as_str()) {
                if let Some(failed) = all_unchanged(&ro, &files) {
                    report.unchanged = files.len() - failed.len();
                    report.failed.extend(failed);
                    report.triples = ro.len()?;
                    report.seconds = t0.elapsed().as_secs_f64();
                    return Ok(report);
                }
            }
            ro.reopen_write()?
        }
        None => KgStore::open_write(&opts.store)?,
    };
    let was_empty = store.is_empty()?;
    // Every completed build leaves an entities graph (its fingerprint at
    // least); a store with documents and none was written by a newskg that
    // described entities in every document graph: rebuild those graphs.
    let legacy = !was_empty && !store.store.contains_named_graph(&entities::entities_graph())?;
    if legacy {
        report.warnings.push(format!("{}: written by an older newskg (entities described in every document graph); rebuilding every document", opts.store.display()));
    }
    let force = opts.force || legacy;
    // Whether the entities graph may lack something or hold too much: new
    // documents only add to it, anything else ends with a rebuild.
    let mut entities_stale = !was_empty && entities::recorded_fingerprint(&store)?.as_deref() != Some(fingerprint.as_str());
    store.load_ontology(&ontology)?;
    // Readers that come while we write read this (see store.rs).
    store.publish_snapshot()?;
    let mut published = Instant::now();
    let bar = if opts.progress {
        let b = indicatif::ProgressBar::new(files.len() as u64);
        b.set_style(indicatif::ProgressStyle::with_template("{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} {msg}").unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()));
        Some(b)
    } else {
        None
    };
    report.bulk = match opts.load {
        LoadMode::Bulk => true,
        LoadMode::Transactions => false,
        LoadMode::Auto => files.len() >= BULK_FROM,
    };
    let mut batches = files.chunks(BATCH);
    // Yields the quads of new documents (for the bulk loader), or writes them
    // itself in transaction mode; changed documents are always replaced here.
    // The entities of new documents for the loader come last.
    let mut pending: std::vec::IntoIter<Quad> = Vec::new().into_iter();
    let mut new_entities = Some(Entities::default());
    let bulk = report.bulk;
    let rep = &mut report;
    let store_ref = &store;
    let stale = &mut entities_stale;
    let quads = std::iter::from_fn(|| loop {
        if let Some(q) = pending.next() {
            return Some(Ok(q));
        }
        let Some(batch) = batches.next() else {
            // Once: the new documents' entities, then the end.
            pending = new_entities.take()?.quads(None).into_iter();
            continue;
        };
        let steps: Vec<Result<Step, IngestError>> = batch.par_iter().map(|(p, n)| step(lex, store_ref, force, p, n)).collect();
        let mut for_loader = Vec::new();
        for s in steps {
            if let Some(b) = &bar {
                b.inc(1);
            }
            let m = match s {
                Ok(Step::Unchanged) => {
                    rep.unchanged += 1;
                    continue;
                }
                Err(e) => {
                    rep.failed.push(e.to_string());
                    continue;
                }
                Ok(Step::New(m)) if bulk => {
                    for_loader.extend(m.graph.quads());
                    if let Some(e) = &mut new_entities {
                        e.add_uses(lex, &m.uses);
                    }
                    m
                }
                Ok(step) => {
                    let (m, changed) = match step {
                        Step::Changed(m) => (m, true),
                        Step::New(m) => (m, false),
                        Step::Unchanged => unreachable!("handled above"),
                    };
                    if changed && !*stale {
                        // The old graph may have been the only one to use an entity or a name.
                        if let Err(e) = entities::mark_stale(store_ref) {
                            return Some(Err(e));
                        }
                        *stale = true;
                    }
                    let ents = Entities::from_uses(lex, &m.uses).quads(None);
                    if let Err(e) = store_ref.replace_document(&graph_iri(&m.doc.name), &m.graph.quads(), &ents) {
                        return Some(Err(e));
                    }
                    m
                }
            };
            if m.doc.truncated {
                rep.warnings.push(format!("{}: longer than {} MiB, only the start was read", m.doc.path.display(), ingest::MAX_DOC_BYTES / (1024 * 1024)));
            }
            rep.documents += 1;
            rep.sentences += m.sentences;
            rep.entities += m.entities;
            rep.relations += m.facts;
        }
        pending = for_loader.into_iter();
        if !bulk && published.elapsed().as_secs() >= 2 {
            if let Err(e) = store_ref.publish_snapshot() {
                return Some(Err(e));
            }
            published = Instant::now();
        }
    });
     if bulk {
        let mut loader = store.store.bulk_loader().with_max_memory_size_in_megabytes(BULK_MEMORY_MB);
        loader.load_ok_quads::<StoreError, StoreError>(quads)?;
        loader.commit()?;
        // The loader leaves a table file per batch and index: lookups would
        // read through all of them, and the next writable open would start
        // compacting them (a no-op rebuild of 20,000 documents took 3.6 to
        // 4.5 s instead of 2). Compacting is part of the build.
        store.store.optimize()?;
    } else {
        for q in quads {
            q?;
        }
    }
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    if entities_stale {
        entities::refresh(&store, lex)?;
    } else if entities::recorded_fingerprint(&store)?.as_deref() != Some(fingerprint.as_str()) {
        // A new store: what its documents added is the whole graph.
        store.store.insert(&Entities::default().quads(Some(&fingerprint))[0])?;
    }
    store.store.flush()?;
    // Once we release the lock, readers read the live store: snapshots would
    // only go stale (one a reader still holds stays until it is done).
    store.prune_snapshots(None)?;
    report.triples = store.len()?;
    report.seconds = t0.elapsed().as_secs_f64();
    Ok(report)
}
