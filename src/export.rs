//! Streams the store out as standard RDF. Quad formats (N-Quads, TriG) keep
//! the named graphs; triple formats get the union of all graphs, each triple
//! once.

use crate::error::{QueryError, StoreError};
use crate::query::{with_prefixes, Format};
use crate::store::KgStore;
use oxigraph::io::RdfSerializer;
use std::collections::HashSet;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::Write;

/// Writes the whole store to `out`; returns the number of statements written.
pub fn export(store: &KgStore, format: Format, out: &mut dyn Write) -> Result<u64, QueryError> {
    let rf = format.rdf().ok_or_else(|| QueryError::Format(format!("export writes RDF: turtle, ntriples, nquads, trig, rdfxml or jsonld, not {format:?}")))?;
    let mut w = with_prefixes(RdfSerializer::from_format(rf)).for_writer(&mut *out);
    let mut n = 0u64;
    if rf.supports_datasets() {
        for q in store.store.iter() {
            let q = q.map_err(StoreError::from)?;
            w.serialize_quad(&q)?;
            n += 1;
        }
    } else {
        // 64-bit hashes keep memory small; a collision would drop one triple in 2^64.
        let mut seen = HashSet::new();
        for q in store.store.iter() {
            let q = q.map_err(StoreError::from)?;
            let t = oxigraph::model::TripleRef::new(q.subject.as_ref(), q.predicate.as_ref(), q.object.as_ref());
            let mut h = DefaultHasher::new();
            t.hash(&mut h);
            if seen.insert(h.finish()) {
                w.serialize_triple(t)?;
                n += 1;
            }
        }
    }
    w.finish()?;
    Ok(n)
}
