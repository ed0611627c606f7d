//! The stateless mapper behind `newskg extract`: documents in, RDF out, no
//! store. Each worker serialises its own document to N-Quads, so the only
//! serial step left is copying finished bytes to the output in input order;
//! the output is therefore identical whatever the number of threads.
//!
//! After the documents comes the entities graph of the documents mapped
//! (`entities.rs`), the same as `build` makes for them. The mapper's parts
//! can be loaded one after the other: a store keeps each quad once, so the
//! parts' entities graphs merge into the whole corpus's.

use crate::build::map_document;
use crate::entities::{self, Entities, EntityUse};
use crate::error::IngestError;
use crate::ingest;
use crate::lexicon::Lexicon;
use oxigraph::io::{RdfFormat, RdfSerializer};

use rayon::prelude::*;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Mutex;

/// Documents handed to the thread pool at a time: large enough that the
/// pool rarely waits at the end of a chunk, small enough to bound memory.
pub const CHUNK: usize = 256;

/// What a mapping run did.
#[derive(Debug, Default)]
pub struct MapReport {
    pub documents: usize,
    pub quads: usize,
    pub failed: Vec<IngestError>,
}

/// One document as N-Quads bytes, how many quads they hold, and the
/// entities it uses. The bytes go into a recycled buffer: the output is
/// about twenty times the input, and fresh buffers cost a page fault per
/// 4 KiB written.
fn nquads_of(lex: &Lexicon, pool: &Mutex<Vec<Vec<u8>>>, path: &std::path::Path, name: &str) -> Result<(Vec<u8>, usize, Vec<EntityUse>), IngestError> {
    let m = map_document(lex, ingest::read(path, name)?);
    let mut bytes = pool.lock().map(|mut p| p.pop()).ok().flatten().unwrap_or_default();
    m.graph.write_nquads(&mut bytes);
    Ok((bytes, m.graph.len(), m.uses))
}

/// The entities graph of what was mapped, marked with the gazetteer's fingerprint.
fn entity_quads(lex: &Lexicon, ents: &Entities) -> Vec<oxigraph::model::Quad> {
    ents.quads(Some(&entities::fingerprint(lex)))
}

/// Maps `files` in parallel, chunk by chunk, and hands the results to
/// `sink` in input order; unreadable documents go to the report.
fn in_order<T: Send>(
    files: &[(PathBuf, String)],
    map: impl Fn(&std::path::Path, &str) -> Result<T, IngestError> + Sync,
    mut sink: impl FnMut(T, &mut MapReport) -> std::io::Result<()>,
) -> std::io::Result<MapReport> {
    let mut report = MapReport::default();
    for chunk in files.chunks(CHUNK) {
        let done: Vec<_> = chunk.par_iter().map(|(p, n)| map(p, n)).collect();
        for d in done {
            match d {
                Ok(t) => {
                    sink(t, &mut report)?;
                    report.documents += 1;
                }
                Err(e) => report.failed.push(e),
            }
        }
    }
    Ok(report)
}

/// Writes the N-Quads of `files` to `out`, in input order. Unreadable
/// documents are reported and skipped; only write errors abort.
pub fn write_nquads(lex: &Lexicon, files: &[(PathBuf, String)], out: &mut dyn Write) -> std::io::Result<MapReport> {
    let pool = Mutex::new(Vec::new());
    let mut ents = Entities::default();
    let mut report = in_order(files, |p, n| nquads_of(lex, &pool, p, n), |(mut bytes, n, uses), r| {
        r.quads += n;
        ents.add_uses(lex, &uses);
        out.write_all(&bytes)?;
        bytes.clear();
        if let Ok(mut p) = pool.lock() {
            p.push(bytes);
        }
        Ok(())
    })?;
    if report.documents > 0 {
        let quads = entity_quads(lex, &ents);
        let mut w = RdfSerializer::from_format(RdfFormat::NQuads).for_writer(&mut *out);
        for q in &quads {
            w.serialize_quad(q)?;
        }
        w.finish()?;
        report.quads += quads.len();
    }
    Ok(report)
}

/// Writes `files` as one TriG document (prefixes shared, so serial).
pub fn write_trig(lex: &Lexicon, files: &[(PathBuf, String)], out: &mut dyn Write) -> std::io::Result<MapReport> {
    let mut w = crate::query::with_prefixes(RdfSerializer::from_format(RdfFormat::TriG)).for_writer(out);
    let mut ents = Entities::default();
    let mut report = in_order(files, |p, n| ingest::read(p, n).map(|d| map_document(lex, d)), |m, r| {
        r.quads += m.graph.len();
        ents.add_uses(lex, &m.uses);
        m.graph.quads().iter().try_for_each(|q| w.serialize_quad(q))
    })?;
    if report.documents > 0 {
        let quads = entity_quads(lex, &ents);
        quads.iter().try_for_each(|q| w.serialize_quad(q))?;
        report.quads += quads.len();
    }
    w.finish()?;
    Ok(report)
}
