//! Counts an analyst asks first: entities by class, facts by predicate,
//! mentions and facts by document.

use crate::error::QueryError;
use crate::query::{run, Format};
use crate::store::KgStore;
use std::io::Write;

const QUERIES: &[(&str, &str)] = &[
    (
        "entities by class",
        "PREFIX nkg: <https://newskg.org/ontology#>
SELECT ?class (COUNT(DISTINCT ?e) AS ?entities) WHERE {
  ?e a ?c . FILTER(?c IN (nkg:Person, nkg:Country, nkg:Organization, nkg:ArmedForce, nkg:Place))
  BIND(STRAFTER(STR(?c), \"#\") AS ?class)
} GROUP BY ?class ORDER BY DESC(?entities) ?class",
    ),
    (
        "facts by predicate",
        "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
SELECT ?predicate (COUNT(DISTINCT ?st) AS ?statements) (COUNT(DISTINCT CONCAT(STR(?s), STR(?p), STR(?o))) AS ?distinct_facts) WHERE {
  ?st a rdf:Statement ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o .
  BIND(STRAFTER(STR(?p), \"#\") AS ?predicate)
} GROUP BY ?predicate ORDER BY DESC(?statements) ?predicate",
    ),
    (
        "documents",
        "PREFIX nkg: <https://newskg.org/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT ?file (COUNT(DISTINCT ?e) AS ?mentions) (COUNT(DISTINCT ?st) AS ?statements) WHERE {
  ?d a nkg:Document ; nkg:sourceFile ?file .
  OPTIONAL { ?d nkg:mentions ?e }
  OPTIONAL { ?st prov:wasDerivedFrom ?d }
} GROUP BY ?file ORDER BY ?file",
    ),
];

/// Prints the three tables and the total number of quads.
pub fn print(store: &KgStore, format: Format, out: &mut dyn Write) -> Result<(), QueryError> {
    for (title, q) in QUERIES {
        if format == Format::Table {
            writeln!(out, "== {title}")?;
        }
        run(store, q, format, None, out)?;
        if format == Format::Table {
            writeln!(out)?;
        }
    }
    if format == Format::Table {
        writeln!(out, "quads in store: {}", store.len()?)?;
    }
    Ok(())
}
