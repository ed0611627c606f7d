//! The main job: inputs → documents → extraction → quads → store. Extraction
//! runs in parallel (rayon) on batches; graphs are written in input order, one
//! transaction per document, so output does not depend on thread timing.

use crate::error::{IngestError, StoreError};
use crate::extract::extract;
use crate::ingest::{self, Document};
use crate::lexicon::Lexicon;
use crate::rdf::{doc_iri, document_quads, graph_iri};
use crate::store::KgStore;
use crate::text::clean;
use oxigraph::model::Quad;
use rayon::prelude::*;
use std::path::PathBuf;
use std::time::Instant;

/// Documents extracted together before their graphs are written.
const BATCH: usize = 64;

/// What one document gave.
pub struct Mapped {
    pub doc: Document,
    pub quads: Vec<Quad>,
    pub sentences: usize,
    pub entities: usize,
    pub facts: usize,
}

/// Extracts one document into quads (pure: no store involved).
pub fn map_document(lex: &Lexicon, doc: Document) -> Mapped {
    let c = clean(&doc.body, &lex.cues, &lex.translit);
    let ex = extract(lex, &doc.body, &c);
    let quads = document_quads(&doc, &c, &ex);
    Mapped { sentences: c.sentences.len(), entities: ex.mentioned.len(), facts: ex.facts.len(), quads, doc }
}

/// Build settings.
pub struct BuildOptions {
    pub store: PathBuf,
    pub inputs: Vec<PathBuf>,
    /// Rebuild documents whose content hash is unchanged too.
    pub force: bool,
    pub progress: bool,
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
}

/// Runs a build. Bad inputs are reported in `failed` and skipped; store
/// problems abort with an error, leaving every committed graph whole.
pub fn build(lex: &Lexicon, opts: &BuildOptions) -> Result<BuildReport, StoreError> {
    let t0 = Instant::now();
    let mut report = BuildReport::default();
    let (files, errs) = ingest::collect(&opts.inputs);
    report.failed.extend(errs.iter().map(|e| e.to_string()));
    let store = KgStore::open_write(&opts.store)?;
    let ontology = std::fs::read_to_string(lex.dir.join("newskg.ttl")).map_err(StoreError::Io)?;
    store.load_ontology(&ontology)?;
    let bar = if opts.progress {
        let b = indicatif::ProgressBar::new(files.len() as u64);
        b.set_style(indicatif::ProgressStyle::with_template("{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} {msg}").unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()));
        Some(b)
    } else {
        None
    };
    for batch in files.chunks(BATCH) {
        let results: Vec<Result<Option<Mapped>, IngestError>> = batch
            .par_iter()
            .map(|(path, name)| {
                let doc = ingest::read(path, name)?;
                if !opts.force {
                    let recorded = store.recorded_hash(&graph_iri(name), &doc_iri(name)).ok().flatten();
                    if recorded.as_deref() == Some(&format!("sha256:{}", doc.hash)) {
                        return Ok(None);
                    }
                }
                Ok(Some(map_document(lex, doc)))
            })
            .collect();
        for r in results {
            match r {
                Ok(None) => report.unchanged += 1,
                Ok(Some(m)) => {
                    if m.doc.truncated {
                        report.warnings.push(format!("{}: longer than {} MiB, only the start was read", m.doc.path.display(), ingest::MAX_DOC_BYTES / (1024 * 1024)));
                    }
                    store.replace_graph(&graph_iri(&m.doc.name), &m.quads)?;
                    report.documents += 1;
                    report.sentences += m.sentences;
                    report.entities += m.entities;
                    report.relations += m.facts;
                }
                Err(e) => report.failed.push(e.to_string()),
            }
            if let Some(b) = &bar {
                b.inc(1);
            }
        }
    }
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    store.store.flush()?;
    report.triples = store.len()?;
    report.seconds = t0.elapsed().as_secs_f64();
    Ok(report)
}
