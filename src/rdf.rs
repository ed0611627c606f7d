//! Maps one document's extraction to RDF quads, all in the document's named
//! graph, as `../shared/VOCABULARY.md` says: the document resource with its
//! mentions, a naming node for each entity the document names beyond what
//! the gazetteer knows, and per fact the direct triple plus an
//! `rdf:Statement` with provenance. Entities' classes and labels are not
//! here but in the entities graph (`entities.rs`), once for the whole store.
//! IRIs are derived from content only.

use crate::entities::EntityUse;
use crate::extract::Extraction;
use crate::gazetteer::Class;
use crate::ingest::{hex, Document};
use crate::text::CleanText;
use oxigraph::model::vocab::{rdf, xsd};
use oxigraph::model::{GraphName, Literal, NamedNode, Quad, Term};
use sha2::{Digest, Sha256};

pub const NKG: &str = "https://newskg.org/ontology#";
pub const ID: &str = "https://newskg.org/id/";
pub const DOC: &str = "https://newskg.org/doc/";
pub const GRAPH: &str = "https://newskg.org/graph/";
pub const STMT: &str = "https://newskg.org/stmt/";
pub const ONTOLOGY_GRAPH: &str = "https://newskg.org/graph/ontology";
pub const SKOS: &str = "http://www.w3.org/2004/02/skos/core#";
pub const PROV: &str = "http://www.w3.org/ns/prov#";
pub const DCTERMS: &str = "http://purl.org/dc/terms/";

fn nn(iri: String) -> NamedNode {
    NamedNode::new_unchecked(iri)
}

/// `a` then `b`, sized once (`format!` showed in the mapper's profile).
fn join(a: &str, b: &str) -> String {
    let mut s = String::with_capacity(a.len() + b.len());
    s.push_str(a);
    s.push_str(b);
    s
}

pub fn nkg(local: &str) -> NamedNode {
    nn(join(NKG, local))
}

pub fn entity_iri(id: &str) -> NamedNode {
    nn(join(ID, id))
}

/// Percent-encodes a document name so it is safe in an IRI path segment.
pub fn encode_name(name: &str) -> String {
    let mut s = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            s.push(b as char);
        } else {
            s.push_str(&format!("%{b:02X}"));
        }
    }
    s
}

pub fn doc_iri(name: &str) -> NamedNode {
    nn(join(DOC, &encode_name(name)))
}

pub fn graph_iri(name: &str) -> NamedNode {
    nn(join(GRAPH, &encode_name(name)))
}

fn hash_hex(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0u8]);
    }
    hex(&h.finalize()[..10])
}

/// Literals must not carry control characters Turtle or XML writers reject.
pub(crate) fn clean_literal(s: &str) -> String {
    // C0 controls and DEL are single bytes; C1 controls are C2 80..C2 9F.
    let b = s.as_bytes();
    // A branch-free first look (vectorised) clears almost every string;
    // only those with a low byte, DEL or a C2 lead byte ("«", "»", no-break
    // space) are looked at byte by byte.
    let maybe = b.iter().fold(false, |acc, &c| acc | (c < 0x20) | (c == 0x7F) | (c == 0xC2));
    let suspect = maybe && b.iter().enumerate().any(|(i, &c)| (c < 0x20 && c != b'\n' && c != b'\t') || c == 0x7F || (c == 0xC2 && b.get(i + 1).is_some_and(|n| *n <= 0x9F)));
    if !suspect {
        return s.to_owned();
    }
    s.chars().map(|c| if c.is_control() && c != '\n' && c != '\t' { ' ' } else { c }).collect()
}

/// `format!("{x:.3}")` for the confidences (0 to 1, already rounded to three
/// places), by integer formatting: float formatting showed in the profile.
/// Other values take the float formatter.
fn decimal3(x: f64) -> String {
    if !(0.0..1000.0).contains(&x) {
        return format!("{x:.3}");
    }
    let m = (x * 1000.0).round() as u64;
    let mut s = (m / 1000).to_string();
    let frac = m % 1000;
    s.push('.');
    s.push(char::from(b'0' + (frac / 100) as u8));
    s.push(char::from(b'0' + (frac / 10 % 10) as u8));
    s.push(char::from(b'0' + (frac % 10) as u8));
    s
}

/// Character offsets (Unicode scalar values) of byte positions in `body`.
pub struct CharIndex<'a> {
    body: &'a str,
    /// (byte, char) checkpoints every 4 KiB, for speed on long documents.
    marks: Vec<(usize, usize)>,
    /// The last (byte, char) answered: facts come in text order, so the next
    /// question is counted from there, not again from a checkpoint.
    last: std::cell::Cell<(usize, usize)>,
}

impl<'a> CharIndex<'a> {
    pub fn new(body: &'a str) -> Self {
        // Blocks of about 4 KiB, cut at char boundaries and counted with
        // `chars().count()` (which counts bytes, not decodes chars).
        let mut marks = vec![(0, 0)];
        let (mut b, mut chars) = (0, 0);
        while body.len() - b > 4096 {
            let mut e = b + 4096;
            while !body.is_char_boundary(e) {
                e += 1;
            }
            chars += body[b..e].chars().count();
            b = e;
            marks.push((b, chars));
        }
        CharIndex { body, marks, last: std::cell::Cell::new((0, 0)) }
    }
    pub fn char_at(&self, byte: usize) -> usize {
        let i = match self.marks.binary_search_by_key(&byte, |m| m.0) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let (mut b0, mut c0) = self.marks[i];
        let (lb, lc) = self.last.get();
        if (b0..=byte).contains(&lb) {
            (b0, c0) = (lb, lc);
        }
        let c = c0 + self.body[b0..byte].chars().count();
        self.last.set((byte, c));
        c
    }
}

/// One document's graph as a term table and triples of term indices. Each
/// term is built once (an entity's IRI serves all its quads), repeats are
/// dropped on integer triples, and the two outputs, oxrdf quads for the store
/// and N-Quads bytes for the mapper, come from the same table. The profile
/// of the mapper had a quarter of its time in cloning, hashing and writing
/// per-quad copies of the same few strings.
#[derive(Debug, Clone)]
pub struct DocGraph {
    pub graph: NamedNode,
    terms: Vec<Term>,
    triples: Vec<[u32; 3]>,
}

impl DocGraph {
    pub fn len(&self) -> usize {
        self.triples.len()
    }

    pub fn is_empty(&self) -> bool {
        self.triples.is_empty()
    }

    /// The quads, in their deterministic order.
    pub fn quads(&self) -> Vec<Quad> {
        let g = GraphName::NamedNode(self.graph.clone());
        self.triples
            .iter()
            .map(|&[s, p, o]| {
                let Term::NamedNode(s) = &self.terms[s as usize] else { unreachable!("subjects are IRIs") };
                let Term::NamedNode(p) = &self.terms[p as usize] else { unreachable!("predicates are IRIs") };
                Quad::new(s.clone(), p.clone(), self.terms[o as usize].clone(), g.clone())
            })
            .collect()
    }

    /// Appends the graph as N-Quads, byte-identical to Oxigraph's serialiser
    /// on `quads()` (tests check it): each term is serialised once.
    pub fn write_nquads(&self, out: &mut Vec<u8>) {
        thread_local! {
            /// The serialised terms and their spans, kept between documents:
            /// fresh buffers per document cost allocations and page faults.
            static SCRATCH: std::cell::RefCell<(Vec<u8>, Vec<std::ops::Range<usize>>)> = Default::default();
        }
        SCRATCH.with(|s| {
            let mut s = s.borrow_mut();
            let (text, spans) = &mut *s;
            text.clear();
            spans.clear();
            self.write_nquads_with(text, spans, out);
        })
    }

    fn write_nquads_with(&self, text: &mut Vec<u8>, spans: &mut Vec<std::ops::Range<usize>>, out: &mut Vec<u8>) {
        for t in &self.terms {
            let a = text.len();
            write_term(t, text);
            spans.push(a..text.len());
        }
        let mut graph = Vec::with_capacity(self.graph.as_str().len() + 6);
        graph.push(b' ');
        iri(self.graph.as_str(), &mut graph);
        graph.extend_from_slice(b" .\n");
        let len = |i: u32| spans[i as usize].len();
        let need: usize = self.triples.iter().map(|&[s, p, o]| len(s) + len(p) + len(o) + 2 + graph.len()).sum();
        if out.is_empty() && out.capacity() < need {
            // A recycled buffer too small: a fresh one, where growing would copy the old capacity's bytes.
            *out = Vec::with_capacity(need);
        } else {
            out.reserve(need);
        }
        for &[s, p, o] in &self.triples {
            out.extend_from_slice(&text[spans[s as usize].clone()]);
            out.push(b' ');
            out.extend_from_slice(&text[spans[p as usize].clone()]);
            out.push(b' ');
            out.extend_from_slice(&text[spans[o as usize].clone()]);
            out.extend_from_slice(&graph);
        }
    }
}

/// Builds a `DocGraph`: terms interned by value, triples kept in first-seen order.
struct GraphBuilder {
    terms: indexmap::IndexSet<Term, rustc_hash::FxBuildHasher>,
    triples: indexmap::IndexSet<[u32; 3], rustc_hash::FxBuildHasher>,
}

impl GraphBuilder {
    fn term(&mut self, t: impl Into<Term>) -> u32 {
        self.terms.insert_full(t.into()).0 as u32
    }
    fn add(&mut self, s: u32, p: u32, o: u32) {
        self.triples.insert([s, p, o]);
    }
}

/// The IRI of the naming node of entity `id` in document `name`: how that
/// document names it (`nkg:Naming`).
pub fn naming_iri(name: &str, id: &str) -> NamedNode {
    let d = doc_iri(name);
    let mut s = String::with_capacity(d.as_str().len() + id.len() + 1);
    s.push_str(d.as_str());
    s.push('#');
    s.push_str(id);
    nn(s)
}

/// The graph of one document, in a deterministic order: the document
/// resource and its mentions, the naming nodes of `uses` (by entity id),
/// then per fact (text order) the direct triple and its `rdf:Statement`.
/// `uses` are the document's entity uses (`entities::uses`).
pub fn document_graph(doc: &Document, clean: &CleanText, ex: &Extraction, uses: &[EntityUse]) -> DocGraph {
    let ents = &ex.entities;
    let mut b = GraphBuilder { terms: Default::default(), triples: Default::default() };
    // Sized for a fact's statement: growing the tables showed in the profile.
    b.terms.reserve(64 + ex.facts.len() * 8 + uses.len());
    b.triples.reserve(64 + ex.facts.len() * 14 + ex.mentioned.len());
    let mut entity = vec![u32::MAX; ents.list.len()];
    let mut entity_term = |b: &mut GraphBuilder, e: usize| {
        if entity[e] == u32::MAX {
            entity[e] = b.term(entity_iri(&ents.get(e).id));
        }
        entity[e]
    };
    let ty = b.term(rdf::TYPE);
    let d = b.term(doc_iri(&doc.name));
    let v = b.term(nkg("Document"));
    b.add(d, ty, v);
    let (p, o) = (b.term(nkg("sourceFile")), b.term(Literal::new_simple_literal(clean_literal(&doc.name))));
    b.add(d, p, o);
    let (p, o) = (b.term(nkg("contentHash")), b.term(Literal::new_simple_literal(doc.hash_tag())));
    b.add(d, p, o);
    if let Some(t) = &clean.title {
        let (p, o) = (b.term(nn(format!("{DCTERMS}title"))), b.term(Literal::new_language_tagged_literal_unchecked(clean_literal(t), "fr")));
        b.add(d, p, o);
    }
    let mentions = b.term(nkg("mentions"));
    for &e in &ex.mentioned {
        let o = entity_term(&mut b, e);
        b.add(d, mentions, o);
    }
    // What the document says about names beyond the gazetteer; the
    // entities graph is rebuilt from these and the mentions.
    if uses.iter().any(EntityUse::needs_naming) {
        let [naming, refers_to, surface_form, context_class, context_label] = ["Naming", "refersTo", "surfaceForm", "contextClass", "contextLabel"].map(|l| b.term(nkg(l)));
        for u in uses.iter().filter(|u| u.needs_naming()) {
            let n = b.term(naming_iri(&doc.name, &u.id));
            b.add(n, ty, naming);
            let e = b.term(entity_iri(&u.id));
            b.add(n, refers_to, e);
            if let Some((class, label)) = &u.context {
                let c = b.term(nkg(class_name(*class)));
                b.add(n, context_class, c);
                let l = b.term(Literal::new_language_tagged_literal_unchecked(label.clone(), "fr"));
                b.add(n, context_label, l);
            }
            for f in &u.forms {
                let l = b.term(Literal::new_simple_literal(f.clone()));
                b.add(n, surface_form, l);
            }
        }
    }
    let idx = CharIndex::new(&doc.body);
    let [statement, subject, predicate, object] = [rdf::STATEMENT, rdf::SUBJECT, rdf::PREDICATE, rdf::OBJECT].map(|t| b.term(t));
    let derived = b.term(nn(format!("{PROV}wasDerivedFrom")));
    let [evidence, start_offset, end_offset, confidence, modality, extracted_by, attributed_to, stated_on, reported_by] =
        ["evidence", "startOffset", "endOffset", "confidence", "modality", "extractedBy", "attributedTo", "statedOn", "reportedBy"].map(|l| b.term(nkg(l)));
    let mut evidence_of = vec![u32::MAX; clean.sentences.len()];
    let mut offsets_of: Vec<Option<(usize, usize)>> = vec![None; clean.sentences.len()];
    // Predicate terms by name: a document uses a handful.
    let mut predicates: Vec<(&str, u32)> = Vec::new();
    for f in &ex.facts {
        let sent = &clean.sentences[f.sentence];
        let s = entity_term(&mut b, f.subject);
        let o = entity_term(&mut b, f.object);
        let p = match predicates.iter().find(|(name, _)| *name == f.predicate) {
            Some(&(_, t)) => t,
            None => {
                let t = b.term(nkg(&f.predicate));
                predicates.push((&f.predicate, t));
                t
            }
        };
        b.add(s, p, o);
        // Facts of one sentence share its offsets: counted once, in text order.
        let (begin, end) = *offsets_of[f.sentence].get_or_insert_with(|| (idx.char_at(sent.start), idx.char_at(sent.end)));
        let st = {
            let iri = |i: u32| match &b.terms[i as usize] {
                Term::NamedNode(n) => n.as_str(),
                _ => unreachable!("entity and predicate terms are IRIs"),
            };
            nn(join(STMT, &hash_hex(&[&doc.name, iri(s), iri(p), iri(o), &begin.to_string(), &f.rule])))
        };
        let st = b.term(st);
        b.add(st, ty, statement);
        b.add(st, subject, s);
        b.add(st, predicate, p);
        b.add(st, object, o);
        b.add(st, derived, d);
        // Facts of one sentence share its evidence literal: build and intern it once.
        if evidence_of[f.sentence] == u32::MAX {
            evidence_of[f.sentence] = b.term(Literal::new_language_tagged_literal_unchecked(clean_literal(&doc.body[sent.start..sent.end]), "fr"));
        }
        b.add(st, evidence, evidence_of[f.sentence]);
        let l = b.term(Literal::new_typed_literal(begin.to_string(), xsd::INTEGER));
        b.add(st, start_offset, l);
        let l = b.term(Literal::new_typed_literal(end.to_string(), xsd::INTEGER));
        b.add(st, end_offset, l);
        let l = b.term(Literal::new_typed_literal(decimal3(f.confidence), xsd::DECIMAL));
        b.add(st, confidence, l);
        let l = b.term(Literal::new_simple_literal(f.modality.name()));
        b.add(st, modality, l);
        let l = b.term(Literal::new_simple_literal(f.rule.clone()));
        b.add(st, extracted_by, l);
        if let Some(a) = f.attributed_to {
            let o = entity_term(&mut b, a);
            b.add(st, attributed_to, o);
        }
        if let Some((date, dt)) = &f.date {
            let l = b.term(Literal::new_typed_literal(date.clone(), nn(format!("http://www.w3.org/2001/XMLSchema#{dt}"))));
            b.add(st, stated_on, l);
        }
        if let Some(r) = f.reported_by {
            let o = entity_term(&mut b, r);
            b.add(st, reported_by, o);
        }
    }
    DocGraph { graph: graph_iri(&doc.name), terms: b.terms.into_iter().collect(), triples: b.triples.into_iter().collect() }
}

fn iri(s: &str, out: &mut Vec<u8>) {
    out.push(b'<');
    out.extend_from_slice(s.as_bytes());
    out.push(b'>');
}

/// One term as N-Triples/N-Quads writes it.
fn write_term(t: &Term, out: &mut Vec<u8>) {
    match t {
        Term::NamedNode(n) => iri(n.as_str(), out),
        Term::Literal(l) => {
            quoted(l.value(), out);
            if let Some(lang) = l.language() {
                out.push(b'@');
                out.extend_from_slice(lang.as_bytes());
            } else if l.datatype() != xsd::STRING {
                out.extend_from_slice(b"^^");
                iri(l.datatype().as_str(), out);
            }
        }
        other => out.extend_from_slice(other.to_string().as_bytes()),
    }
}

/// An N-Triples string literal: the escapes of `oxrdf::print_quoted_str`.
fn quoted(s: &str, out: &mut Vec<u8>) {
    out.push(b'"');
    let b = s.as_bytes();
    // Bytes that may need an escape: controls, quote, backslash, DEL, and
    // 0xEF (the lead byte of U+FFFE/U+FFFF). Plain runs are skipped by table.
    const SPECIAL: [bool; 256] = {
        let mut t = [false; 256];
        let mut i = 0;
        while i < 0x20 {
            t[i] = true;
            i += 1;
        }
        t[b'"' as usize] = true;
        t[b'\\' as usize] = true;
        t[0x7F] = true;
        t[0xEF] = true;
        t
    };
    let mut run = 0;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if !SPECIAL[c as usize] {
            i += 1;
            continue;
        }
        let esc: Option<&[u8]> = match c {
            0x08 => Some(b"\\b"),
            b'\t' => Some(b"\\t"),
            b'\n' => Some(b"\\n"),
            0x0C => Some(b"\\f"),
            b'\r' => Some(b"\\r"),
            b'"' => Some(b"\\\""),
            b'\\' => Some(b"\\\\"),
            _ => None,
        };
        // U+FFFE and U+FFFF are EF BF BE / EF BF BF.
        let nonchar = c == 0xEF && b.get(i + 1) == Some(&0xBF) && matches!(b.get(i + 2), Some(0xBE | 0xBF));
        if esc.is_some() || c < 0x20 || c == 0x7F || nonchar {
            out.extend_from_slice(&b[run..i]);
            match esc {
                Some(e) => out.extend_from_slice(e),
                None if nonchar => out.extend_from_slice(if b[i + 2] == 0xBE { b"\\uFFFE" } else { b"\\uFFFF" }),
                None => out.extend_from_slice(format!("\\u{:04X}", c).as_bytes()),
            }
            i += if nonchar { 3 } else { 1 };
            run = i;
        } else {
            i += 1;
        }
    }
    out.extend_from_slice(&b[run..]);
    out.push(b'"');
}

pub fn class_name(c: Class) -> &'static str {
    c.name()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal3_is_the_float_formatter() {
        for m in 0..=1_000_000u64 {
            let x = ((m as f64 / 1000.0) * 1000.0).round() / 1000.0;
            assert_eq!(decimal3(x), format!("{x:.3}"), "{m}");
        }
        for x in [0.7 * 0.9, 0.85 * 0.75 * 0.9, 1.0, 0.0005, 999.9996, 1234.5, -0.25, f64::NAN] {
            assert_eq!(decimal3(x), format!("{x:.3}"), "{x}");
        }
    }

    #[test]
    fn char_index_counts_chars_across_blocks() {
        let body: String = (0..9000).map(|i| ["é", "a", "€", "𝄞", " "][i % 5]).collect();
        let idx = CharIndex::new(&body);
        assert!(idx.marks.len() > 2);
        for (b, _) in body.char_indices().step_by(7).chain([(body.len(), ' ')]) {
            assert_eq!(idx.char_at(b), body[..b].chars().count(), "{b}");
        }
        // Backwards and across blocks too: the last answer is a shortcut, never a wrong start.
        let bounds: Vec<usize> = body.char_indices().map(|(b, _)| b).collect();
        for k in [8000, 3, 4100, 4099, 4100, 0, 8999, 5, 5, 6000, 2] {
            let b = bounds[k];
            assert_eq!(idx.char_at(b), k, "{b}");
        }
    }

    #[test]
    fn char_offsets_count_scalars() {
        let body = "é".repeat(5000) + "abc";
        let idx = CharIndex::new(&body);
        assert_eq!(idx.char_at(0), 0);
        assert_eq!(idx.char_at(10), 5);
        assert_eq!(idx.char_at(10000), 5000);
        assert_eq!(idx.char_at(10002), 5002);
    }

    #[test]
    fn names_are_encoded_for_iris() {
        assert_eq!(encode_name("a b/é.txt"), "a%20b%2F%C3%A9.txt");
        assert!(NamedNode::new(format!("{DOC}{}", encode_name("<x>\"{}"))).is_ok());
    }

    #[test]
    fn nquads_match_oxigraphs_serialiser() {
        let objects: Vec<Term> = vec![
            entity_iri("y").into(),
            Literal::new_simple_literal("plain \"quoted\" back\\slash\ttab\nline\r\u{8}\u{c}\u{0}\u{1f}\u{7f}\u{fffe}\u{ffff}é\u{202e}Ж").into(),
            Literal::new_language_tagged_literal_unchecked("L'Arménie", "fr").into(),
            Literal::new_typed_literal("12", xsd::INTEGER).into(),
            Literal::new_simple_literal("").into(),
        ];
        let mut terms: Vec<Term> = vec![entity_iri("x").into(), nkg("evidence").into()];
        terms.extend(objects);
        // Every object twice, and a repeated subject, as a real graph has.
        let triples = (2..terms.len() as u32).chain(2..terms.len() as u32).map(|o| [0, 1, o]).collect();
        let g = DocGraph { graph: graph_iri("d é"), terms, triples };
        let mut ours = Vec::new();
        g.write_nquads(&mut ours);
        let mut w = oxigraph::io::RdfSerializer::from_format(oxigraph::io::RdfFormat::NQuads).for_writer(Vec::new());
        for q in g.quads() {
            w.serialize_quad(&q).unwrap();
        }
        assert_eq!(String::from_utf8(ours).unwrap(), String::from_utf8(w.finish().unwrap()).unwrap());
    }

    #[test]
    fn literals_lose_control_characters() {
        assert_eq!(clean_literal("a\u{0}b\u{7}c\nd"), "a b c\nd");
        assert_eq!(clean_literal("« a\u{a0}b »\u{85}\u{9f}\u{7f}\té"), "« a\u{a0}b »   \té");
        assert_eq!(hash_hex(&["a"]), "ffe9aaeaa2a2d5048174");
    }
}
