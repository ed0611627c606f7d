//! Counts an analyst asks first: entities by class, facts by predicate,
//! mentions and facts by document.
//!
//! Each query makes one pass over what it counts (the scale notes in
//! `queries/` say why: per-statement lookups cost far more than scans in
//! Oxigraph 0.5), and in the terminal the documents table stops after
//! `TABLE_DOCUMENTS` rows, so a large store's stats stay a screenful. The
//! total number of quads is left out: Oxigraph counts them by reading every
//! one (half the time of these stats on 20,000 documents); `newskg build`
//! prints it, and `SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }` gives it.

use crate::error::QueryError;
use crate::query::{run, Format, Limits};
use crate::store::KgStore;
use std::io::Write;

/// Documents listed in the terminal table; other formats list all.
const TABLE_DOCUMENTS: usize = 50;

const ENTITIES: &str = "PREFIX nkg: <https://newskg.org/ontology#>
SELECT ?class (COUNT(DISTINCT ?e) AS ?entities) WHERE {
  VALUES ?c { nkg:Person nkg:Country nkg:Organization nkg:ArmedForce nkg:Place }
  ?e a ?c .
  BIND(STRAFTER(STR(?c), \"#\") AS ?class)
} GROUP BY ?class ORDER BY DESC(?entities) ?class";

/// Statements per predicate in one pass over `rdf:predicate`; distinct
/// facts from the direct triples, grouped (each fact once per document graph).
const FACTS: &str = "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
SELECT ?predicate ?statements ?distinct_facts WHERE {
  { SELECT ?p (COUNT(*) AS ?statements) WHERE { ?st rdf:predicate ?p } GROUP BY ?p }
  OPTIONAL { SELECT ?p (COUNT(*) AS ?distinct_facts) WHERE { { SELECT ?s ?p ?o WHERE { { SELECT DISTINCT ?p WHERE { ?st rdf:predicate ?p } } ?s ?p ?o } GROUP BY ?s ?p ?o } } GROUP BY ?p }
  BIND(STRAFTER(STR(?p), \"#\") AS ?predicate)
} ORDER BY DESC(?statements) ?predicate";

/// Mentions and statements per document, each counted in one pass.
const DOCUMENTS: &str = "PREFIX nkg: <https://newskg.org/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT ?file ?mentions ?statements WHERE {
  { SELECT ?d ?file WHERE { ?d nkg:sourceFile ?file } }
  OPTIONAL { SELECT ?d (COUNT(*) AS ?m) WHERE { ?d nkg:mentions ?e } GROUP BY ?d }
  OPTIONAL { SELECT ?d (COUNT(*) AS ?n) WHERE { ?st prov:wasDerivedFrom ?d } GROUP BY ?d }
  BIND(COALESCE(?m, 0) AS ?mentions)
  BIND(COALESCE(?n, 0) AS ?statements)
} ORDER BY ?file";

const DOCUMENT_COUNT: &str = "PREFIX nkg: <https://newskg.org/ontology#> SELECT (COUNT(*) AS ?n) WHERE { ?d nkg:sourceFile ?f }";

/// Prints the three tables, and in the terminal the number of documents.
pub fn print(store: &KgStore, format: Format, limits: &Limits, out: &mut dyn Write) -> Result<(), QueryError> {
    let table = format == Format::Table;
    let documents = if table { count(store, DOCUMENT_COUNT, limits)? } else { 0 };
    let clipped = table && documents > TABLE_DOCUMENTS;
    let docs_query = if clipped { format!("{DOCUMENTS} LIMIT {TABLE_DOCUMENTS}") } else { DOCUMENTS.to_string() };
    for (title, q) in [("entities by class", ENTITIES), ("facts by predicate", FACTS), ("documents", docs_query.as_str())] {
        if table {
            writeln!(out, "== {title}")?;
        }
        run(store, q, format, limits, out)?;
        if table {
            writeln!(out)?;
        }
    }
    if clipped {
        writeln!(out, "(the first {TABLE_DOCUMENTS} of {documents} documents by file name; `--format csv` or queries/10_documents.rq lists them all)\n")?;
    }
    if table {
        writeln!(out, "documents in store: {documents}")?;
    }
    Ok(())
}

/// The single number a `SELECT (COUNT(*) AS ?n)` answers.
fn count(store: &KgStore, q: &str, limits: &Limits) -> Result<usize, QueryError> {
    let mut csv = Vec::new();
    run(store, q, Format::Csv, limits, &mut csv)?;
    Ok(String::from_utf8_lossy(&csv).lines().nth(1).and_then(|l| l.trim().parse().ok()).unwrap_or(0))
}
