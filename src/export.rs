//! Streams the store out as standard RDF. Quad formats (N-Quads, TriG) keep
//! the named graphs; triple formats get the union of all graphs, each triple
//! once.

use crate::error::{QueryError, StoreError};
use crate::query::{with_prefixes, Format};
use crate::store::KgStore;
use oxigraph::io::{RdfFormat, RdfSerializer};
use oxigraph::model::{Literal, Quad, Term};
use std::collections::HashSet;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::Write;

/// Writes the whole store to `out`; returns the number of statements written.
pub fn export(store: &KgStore, format: Format, out: &mut dyn Write) -> Result<u64, QueryError> {
    let rf = format.rdf().ok_or_else(|| QueryError::Format(format!("export writes RDF: turtle, ntriples, nquads, trig, rdfxml or jsonld, not {format:?}")))?;
    let mut w = with_prefixes(RdfSerializer::from_format(rf)).for_writer(&mut *out);
    let mut n = 0u64;
    let xml = rf == RdfFormat::RdfXml;
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
            let q = if xml { xml_safe(q) } else { q };
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

/// XML 1.0 cannot carry C0 control characters, even escaped: in RDF/XML they
/// become U+FFFD so the file stays well-formed (other formats keep them, escaped).
fn xml_safe(q: Quad) -> Quad {
    let bad = |c: char| (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') || matches!(c as u32, 0xFFFE | 0xFFFF);
    match &q.object {
        Term::Literal(l) if l.value().chars().any(bad) => {
            let v: String = l.value().chars().map(|c| if bad(c) { '\u{FFFD}' } else { c }).collect();
            let lit = match l.language() {
                Some(lang) => Literal::new_language_tagged_literal_unchecked(v, lang),
                None => Literal::new_typed_literal(v, l.datatype().into_owned()),
            };
            Quad::new(q.subject, q.predicate, lit, q.graph_name)
        }
        _ => q,
    }
}
