//! Maps one document's extraction to RDF quads, all in the document's named
//! graph, as `../shared/VOCABULARY.md` says: the document resource, its
//! entities with labels and classes, and per fact the direct triple plus an
//! `rdf:Statement` with provenance. IRIs are derived from content only.

use crate::extract::Extraction;
use crate::gazetteer::Class;
use crate::ingest::Document;
use crate::text::CleanText;
use oxigraph::model::vocab::{rdf, rdfs, xsd};
use oxigraph::model::{GraphName, Literal, NamedNode, Quad, NamedOrBlankNode, Term};
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

pub fn nkg(local: &str) -> NamedNode {
    nn(format!("{NKG}{local}"))
}

pub fn entity_iri(id: &str) -> NamedNode {
    nn(format!("{ID}{id}"))
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
    nn(format!("{DOC}{}", encode_name(name)))
}

pub fn graph_iri(name: &str) -> NamedNode {
    nn(format!("{GRAPH}{}", encode_name(name)))
}

fn hash_hex(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0u8]);
    }
    h.finalize().iter().take(10).map(|b| format!("{b:02x}")).collect()
}

/// Literals must not carry control characters Turtle or XML writers reject.
fn clean_literal(s: &str) -> String {
    s.chars().map(|c| if c.is_control() && c != '\n' && c != '\t' { ' ' } else { c }).collect()
}

/// Character offsets (Unicode scalar values) of byte positions in `body`.
pub struct CharIndex<'a> {
    body: &'a str,
    /// (byte, char) checkpoints every 4 KiB, for speed on long documents.
    marks: Vec<(usize, usize)>,
}

impl<'a> CharIndex<'a> {
    pub fn new(body: &'a str) -> Self {
        let mut marks = vec![(0, 0)];
        let mut chars = 0;
        let mut next = 4096;
        for (b, _) in body.char_indices() {
            if b >= next {
                marks.push((b, chars));
                next = b + 4096;
            }
            chars += 1;
        }
        CharIndex { body, marks }
    }
    pub fn char_at(&self, byte: usize) -> usize {
        let i = match self.marks.binary_search_by_key(&byte, |m| m.0) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let (b0, c0) = self.marks[i];
        c0 + self.body[b0..byte].chars().count()
    }
}

/// The quads of one document, in its graph, in a deterministic order.
pub fn document_quads(doc: &Document, clean: &CleanText, ex: &Extraction) -> Vec<Quad> {
    let g = GraphName::NamedNode(graph_iri(&doc.name));
    let d = doc_iri(&doc.name);
    let mut q = Vec::new();
    let mut add = |s: NamedOrBlankNode, p: NamedNode, o: Term| q.push(Quad::new(s, p, o, g.clone()));
    let ds: NamedOrBlankNode = d.clone().into();
    add(ds.clone(), rdf::TYPE.into_owned(), nkg("Document").into());
    add(ds.clone(), nkg("sourceFile"), Literal::new_simple_literal(clean_literal(&doc.name)).into());
    add(ds.clone(), nkg("contentHash"), Literal::new_simple_literal(format!("sha256:{}", doc.hash)).into());
    if let Some(t) = &clean.title {
        add(ds.clone(), nn(format!("{DCTERMS}title")), Literal::new_language_tagged_literal_unchecked(clean_literal(t), "fr").into());
    }
    let ents = &ex.entities;
    // Entities: those mentioned and those in facts.
    let mut used: std::collections::BTreeSet<usize> = ex.mentioned.clone();
    for f in &ex.facts {
        used.insert(f.subject);
        used.insert(f.object);
        used.extend(f.attributed_to);
        used.extend(f.reported_by);
    }
    for &e in &ex.mentioned {
        add(ds.clone(), nkg("mentions"), entity_iri(&ents.get(e).id).into());
    }
    let mut ordered: Vec<usize> = used.into_iter().collect();
    ordered.sort_by(|a, b| ents.get(*a).id.cmp(&ents.get(*b).id));
    for e in ordered {
        let ent = ents.get(e);
        let s: NamedOrBlankNode = entity_iri(&ent.id).into();
        add(s.clone(), rdf::TYPE.into_owned(), nkg(class_name(ent.class)).into());
        add(s.clone(), rdfs::LABEL.into_owned(), Literal::new_language_tagged_literal_unchecked(clean_literal(&ent.label_fr), "fr").into());
        if let Some(en) = &ent.label_en {
            add(s.clone(), rdfs::LABEL.into_owned(), Literal::new_language_tagged_literal_unchecked(clean_literal(en), "en").into());
        }
        for a in &ent.aliases {
            add(s.clone(), nn(format!("{SKOS}altLabel")), Literal::new_simple_literal(clean_literal(a)).into());
        }
        if let Some(sf) = ent.stands_for {
            add(s.clone(), nkg("standsFor"), entity_iri(&ents.get(sf).id).into());
        }
    }
    let idx = CharIndex::new(&doc.body);
    for f in &ex.facts {
        let sent = &clean.sentences[f.sentence];
        let s = entity_iri(&ents.get(f.subject).id);
        let o = entity_iri(&ents.get(f.object).id);
        let p = nkg(&f.predicate);
        add(s.clone().into(), p.clone(), o.clone().into());
        let begin = idx.char_at(sent.start);
        let end = idx.char_at(sent.end);
        let st: NamedOrBlankNode = nn(format!("{STMT}{}", hash_hex(&[&doc.name, s.as_str(), p.as_str(), o.as_str(), &begin.to_string(), &f.rule]))).into();
        add(st.clone(), rdf::TYPE.into_owned(), rdf::STATEMENT.into_owned().into());
        add(st.clone(), rdf::SUBJECT.into_owned(), s.into());
        add(st.clone(), rdf::PREDICATE.into_owned(), p.into());
        add(st.clone(), rdf::OBJECT.into_owned(), o.into());
        add(st.clone(), nn(format!("{PROV}wasDerivedFrom")), d.clone().into());
        add(st.clone(), nkg("evidence"), Literal::new_language_tagged_literal_unchecked(clean_literal(&doc.body[sent.start..sent.end]), "fr").into());
        add(st.clone(), nkg("startOffset"), Literal::new_typed_literal(begin.to_string(), xsd::INTEGER).into());
        add(st.clone(), nkg("endOffset"), Literal::new_typed_literal(end.to_string(), xsd::INTEGER).into());
        add(st.clone(), nkg("confidence"), Literal::new_typed_literal(format!("{:.3}", f.confidence), xsd::DECIMAL).into());
        add(st.clone(), nkg("modality"), Literal::new_simple_literal(f.modality.name()).into());
        add(st.clone(), nkg("extractedBy"), Literal::new_simple_literal(f.rule.clone()).into());
        if let Some(a) = f.attributed_to {
            add(st.clone(), nkg("attributedTo"), entity_iri(&ents.get(a).id).into());
        }
        if let Some((d, dt)) = &f.date {
            add(st.clone(), nkg("statedOn"), Literal::new_typed_literal(d.clone(), nn(format!("http://www.w3.org/2001/XMLSchema#{dt}"))).into());
        }
        if let Some(r) = f.reported_by {
            add(st.clone(), nkg("reportedBy"), entity_iri(&ents.get(r).id).into());
        }
    }
    // The order above is already deterministic (entities by IRI, facts in
    // text order): drop repeats keeping first occurrences, which costs a hash
    // per quad instead of formatting every quad for a sort.
    let keep: Vec<bool> = {
        let mut seen = rustc_hash::FxHashSet::default();
        seen.reserve(q.len());
        q.iter().map(|x| seen.insert(x)).collect()
    };
    q.into_iter().zip(keep).filter_map(|(x, k)| k.then_some(x)).collect()
}

/// Appends `q` as one N-Quads line, byte-identical to Oxigraph's serialiser
/// (a unit test checks it). The mapper's profile had a third of its time in
/// `fmt` writing quads a character at a time; this copies runs of bytes.
pub fn write_nquad(q: &Quad, out: &mut Vec<u8>) {
    fn subject(s: &NamedOrBlankNode, out: &mut Vec<u8>) {
        match s {
            NamedOrBlankNode::NamedNode(n) => iri(n.as_str(), out),
            other => out.extend_from_slice(other.to_string().as_bytes()),
        }
    }
    fn iri(s: &str, out: &mut Vec<u8>) {
        out.push(b'<');
        out.extend_from_slice(s.as_bytes());
        out.push(b'>');
    }
    subject(&q.subject, out);
    out.push(b' ');
    iri(q.predicate.as_str(), out);
    out.push(b' ');
    match &q.object {
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
    match &q.graph_name {
        GraphName::NamedNode(n) => {
            out.push(b' ');
            iri(n.as_str(), out);
        }
        GraphName::DefaultGraph => {}
        other => {
            out.push(b' ');
            out.extend_from_slice(other.to_string().as_bytes());
        }
    }
    out.extend_from_slice(b" .\n");
}

/// An N-Triples string literal: the escapes of `oxrdf::print_quoted_str`.
fn quoted(s: &str, out: &mut Vec<u8>) {
    out.push(b'"');
    let b = s.as_bytes();
    let mut run = 0;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
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
    fn nquads_lines_match_oxigraphs_serialiser() {
        let g = GraphName::NamedNode(graph_iri("d"));
        let s: NamedOrBlankNode = entity_iri("x").into();
        let p = nkg("evidence");
        let objects: Vec<Term> = vec![
            entity_iri("y").into(),
            Literal::new_simple_literal("plain \"quoted\" back\\slash\ttab\nline\r\u{8}\u{c}\u{0}\u{1f}\u{7f}\u{fffe}\u{ffff}é\u{202e}Ж").into(),
            Literal::new_language_tagged_literal_unchecked("L'Arménie", "fr").into(),
            Literal::new_typed_literal("12", xsd::INTEGER).into(),
            Literal::new_simple_literal("").into(),
        ];
        for o in objects {
            for graph in [g.clone(), GraphName::DefaultGraph] {
                let q = Quad::new(s.clone(), p.clone(), o.clone(), graph);
                let mut ours = Vec::new();
                write_nquad(&q, &mut ours);
                let mut w = oxigraph::io::RdfSerializer::from_format(oxigraph::io::RdfFormat::NQuads).for_writer(Vec::new());
                w.serialize_quad(&q).unwrap();
                assert_eq!(String::from_utf8(ours).unwrap(), String::from_utf8(w.finish().unwrap()).unwrap());
            }
        }
    }

    #[test]
    fn literals_lose_control_characters() {
        assert_eq!(clean_literal("a\u{0}b\u{7}c\nd"), "a b c\nd");
    }
}
