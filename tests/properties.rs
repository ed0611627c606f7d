//! Property tests (the fuzzing of this project, since `cargo fuzz` needs a
//! nightly toolchain): ingest + extraction + RDF mapping on arbitrary text, and
//! the escaping of labels in DOT and RDF. Longer runs:
//! `PROPTEST_CASES=200000 cargo test --release --test properties`.

use newskg::build::map_document;
use newskg::ingest::Document;
use newskg::lexicon::Lexicon;
use oxigraph::io::{RdfFormat, RdfParser, RdfSerializer};
use proptest::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

fn lex() -> &'static Lexicon {
    static L: OnceLock<Lexicon> = OnceLock::new();
    L.get_or_init(|| Lexicon::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("ontology")).unwrap())
}

fn doc(body: String) -> Document {
    Document { path: PathBuf::from("p.txt"), name: "p <\"x\">.txt".into(), body, hash: "0".into(), html: false, truncated: false }
}

/// Text that looks like news with hostile characters mixed in.
fn newsish() -> impl Strategy<Value = String> {
    let words = prop::sample::select(vec![
        "La", "Turquie", "soutient", "l'Azerbaïdjan", "«", "»", ",", ".", "a", "déclaré", "Ilham", "Aliyev", "M.", "le", "président",
        "arménien", "n'a", "pas", "condamné", "Moscou", "selon", "l'AFP", "entre", "et", "l'Arménie", "\"", "\\", "<b>", "{", "}", "#", "@",
        "\u{202E}", "\u{200F}", "\u{0}", "\u{7}", "\n", "\r\n", "Ильхам", "Zouaves", "Paris", "(ZVP)", "qui", "par", "-", "Haut-Karabakh",
    ]);
    prop::collection::vec(words, 0..80).prop_map(|w| w.join(" "))
}

/// Serialises the graph with Oxigraph, checks the mapper's own N-Quads
/// writer gives the same bytes, and parses them back: the number of quads.
fn roundtrip_nquads(graph: &newskg::rdf::DocGraph) -> usize {
    let mut w = RdfSerializer::from_format(RdfFormat::NQuads).for_writer(Vec::new());
    for q in graph.quads() {
        w.serialize_quad(&q).unwrap();
    }
    let bytes = w.finish().unwrap();
    let mut ours = Vec::new();
    graph.write_nquads(&mut ours);
    assert_eq!(String::from_utf8_lossy(&ours), String::from_utf8_lossy(&bytes), "the mapper's N-Quads differ from Oxigraph's");
    RdfParser::from_format(RdfFormat::NQuads).for_slice(&bytes).map(|q| q.expect("N-Quads parse back")).count()
}

proptest! {
    #[test]
    fn extraction_never_panics_and_its_rdf_parses_back(text in "\\PC{0,400}") {
        let m = map_document(lex(), doc(text));
        prop_assert_eq!(roundtrip_nquads(&m.graph), m.graph.len());
    }

    #[test]
    fn newsish_text_gives_valid_rdf_and_offsets_in_range(text in newsish()) {
        let len = text.chars().count();
        let m = map_document(lex(), doc(text));
        prop_assert_eq!(roundtrip_nquads(&m.graph), m.graph.len());
        for q in m.graph.quads() {
            if q.predicate.as_str().ends_with("Offset") {
                if let oxigraph::model::Term::Literal(l) = &q.object {
                    let n: usize = l.value().parse().unwrap();
                    prop_assert!(n <= len);
                }
            }
        }
    }

    #[test]
    fn any_label_is_valid_dot(label in "\\PC{0,60}|[\"\\\\{}<>#@\\n\\r\\t\u{202E}\u{0}-\u{1F}]{0,20}") {
        let graphviz_rust::dot_structures::Id::Escaped(q) = newskg::diagram::quote(&label) else { panic!() };
        let g = format!("digraph g {{ a [label={q}, tooltip={q}] }}");
        prop_assert!(graphviz_rust::parse(&g).is_ok(), "{:?} → {}", label, q);
    }

    #[test]
    fn arbitrary_bytes_are_read_or_refused_cleanly(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f.txt");
        std::fs::write(&p, &bytes).unwrap();
        if let Ok(d) = newskg::ingest::read(&p, "f.txt") {
            let m = map_document(lex(), d);
            prop_assert_eq!(roundtrip_nquads(&m.graph), m.graph.len());
        }
    }
}
