//! SPARQL over the store: queries run on the union of all graphs by default,
//! results are streamed in the requested format, a timeout cancels runaway
//! queries; updates run in one transaction.

use crate::error::QueryError;
use crate::store::KgStore;
use oxigraph::io::{JsonLdProfileSet, RdfFormat, RdfSerializer};
use oxigraph::model::Term;
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsSerializer};
use oxigraph::sparql::{CancellationToken, QueryEvaluationError, QueryResults, SparqlEvaluator};
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Output formats of `newskg query` (results) and `export` (graphs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Aligned text table (default on a terminal)
    Table,
    Csv,
    Tsv,
    Json,
    Xml,
    Turtle,
    Ntriples,
    Nquads,
    Trig,
    Rdfxml,
    Jsonld,
}

impl Format {
    pub fn results(self) -> Option<QueryResultsFormat> {
        Some(match self {
            Format::Csv => QueryResultsFormat::Csv,
            Format::Tsv => QueryResultsFormat::Tsv,
            Format::Json => QueryResultsFormat::Json,
            Format::Xml => QueryResultsFormat::Xml,
            _ => return None,
        })
    }
    pub fn rdf(self) -> Option<RdfFormat> {
        Some(match self {
            Format::Turtle => RdfFormat::Turtle,
            Format::Ntriples => RdfFormat::NTriples,
            Format::Nquads => RdfFormat::NQuads,
            Format::Trig => RdfFormat::TriG,
            Format::Rdfxml => RdfFormat::RdfXml,
            Format::Jsonld => RdfFormat::JsonLd { profile: JsonLdProfileSet::empty() },
            _ => return None,
        })
    }
}

/// Common prefixes for graph output.
pub fn with_prefixes(s: RdfSerializer) -> RdfSerializer {
    let mut s = s;
    for (p, iri) in [
        ("nkg", crate::rdf::NKG),
        ("id", crate::rdf::ID),
        ("doc", crate::rdf::DOC),
        ("stmt", crate::rdf::STMT),
        ("rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"),
        ("rdfs", "http://www.w3.org/2000/01/rdf-schema#"),
        ("skos", crate::rdf::SKOS),
        ("prov", crate::rdf::PROV),
        ("dcterms", crate::rdf::DCTERMS),
        ("xsd", "http://www.w3.org/2001/XMLSchema#"),
        ("owl", "http://www.w3.org/2002/07/owl#"),
    ] {
        s = match s.clone().with_prefix(p, iri) {
            Ok(x) => x,
            Err(_) => s,
        };
    }
    s
}

fn map_eval(e: QueryEvaluationError, timed_out: &AtomicBool, secs: u64) -> QueryError {
    if timed_out.load(Ordering::SeqCst) || matches!(e, QueryEvaluationError::Cancelled) {
        QueryError::Timeout(secs)
    } else {
        QueryError::Evaluation(e.to_string())
    }
}

/// Cancels a query's token once `timeout` has passed, unless dropped first
/// (a thread polling a flag, so a finished query leaves no sleeper behind).
pub struct Watchdog {
    done: Arc<AtomicBool>,
    /// Set when the watchdog fired.
    pub timed_out: Arc<AtomicBool>,
}

impl Watchdog {
    pub fn start(token: CancellationToken, timeout: Option<Duration>) -> Watchdog {
        let w = Watchdog { done: Arc::new(AtomicBool::new(false)), timed_out: Arc::new(AtomicBool::new(false)) };
        if let Some(t) = timeout {
            let (flag, done) = (w.timed_out.clone(), w.done.clone());
            std::thread::spawn(move || {
                let step = Duration::from_millis(20);
                let mut waited = Duration::ZERO;
                while waited < t {
                    if done.load(Ordering::SeqCst) {
                        return;
                    }
                    std::thread::sleep(step);
                    waited += step;
                }
                flag.store(true, Ordering::SeqCst);
                token.cancel();
            });
        }
        w
    }

    pub fn fired(&self) -> bool {
        self.timed_out.load(Ordering::SeqCst)
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        self.done.store(true, Ordering::SeqCst);
    }
}

/// Runs a query and writes its results to `out`.
pub fn run(store: &KgStore, query: &str, format: Format, timeout: Option<Duration>, out: &mut dyn Write) -> Result<(), QueryError> {
    let token = CancellationToken::new();
    let mut prepared = SparqlEvaluator::new()
        .with_cancellation_token(token.clone())
        .parse_query(query)
        .map_err(|e| QueryError::Syntax(e.to_string()))?;
    if prepared.dataset().is_default_dataset() {
        prepared.dataset_mut().set_default_graph_as_union();
    }
    let secs = timeout.map(|t| t.as_secs()).unwrap_or(0);
    let watchdog = Watchdog::start(token.clone(), timeout);
    let timed_out = watchdog.timed_out.clone();
    let res = prepared.on_store(&store.store).execute().map_err(|e| map_eval(e, &timed_out, secs));
    let result = (|| -> Result<(), QueryError> {
        match res? {
            QueryResults::Solutions(solutions) => {
                let vars = solutions.variables().to_vec();
                match format {
                    Format::Table => {
                        let mut rows = Vec::new();
                        for s in solutions {
                            let s = s.map_err(|e| map_eval(e, &timed_out, secs))?;
                            rows.push(vars.iter().map(|v| s.get(v).map(term_text).unwrap_or_default()).collect::<Vec<_>>());
                        }
                        write_table(out, &vars.iter().map(|v| v.as_str().to_string()).collect::<Vec<_>>(), &rows)?;
                    }
                    f => {
                        let rf = f.results().ok_or_else(|| QueryError::Format(format!("a SELECT gives solutions: use table, csv, tsv, json or xml, not {f:?}")))?;
                        let mut w = QueryResultsSerializer::from_format(rf).serialize_solutions_to_writer(&mut *out, vars)?;
                        for s in solutions {
                            let s = s.map_err(|e| map_eval(e, &timed_out, secs))?;
                            w.serialize(&s)?;
                        }
                        w.finish()?;
                    }
                }
            }
            QueryResults::Boolean(b) => match format.results() {
                Some(rf) => {
                    QueryResultsSerializer::from_format(rf).serialize_boolean_to_writer(&mut *out, b)?;
                }
                None => writeln!(out, "{b}")?,
            },
            QueryResults::Graph(triples) => {
                let rf = match format {
                    Format::Table => RdfFormat::Turtle,
                    f => f.rdf().ok_or_else(|| QueryError::Format(format!("a CONSTRUCT or DESCRIBE gives a graph: use turtle, ntriples, nquads, trig, rdfxml or jsonld, not {f:?}")))?,
                };
                let mut w = with_prefixes(RdfSerializer::from_format(rf)).for_writer(&mut *out);
                for t in triples {
                    let t = t.map_err(|e| map_eval(e, &timed_out, secs))?;
                    w.serialize_triple(&t)?;
                }
                w.finish()?;
            }
        }
        Ok(())
    })();
    drop(watchdog);
    result
}

/// Runs a SPARQL update (in one transaction).
pub fn update(store: &KgStore, update: &str) -> Result<(), QueryError> {
    let prepared = SparqlEvaluator::new().parse_update(update).map_err(|e| QueryError::Syntax(e.to_string()))?;
    prepared.on_store(&store.store).execute().map_err(|e| QueryError::Evaluation(e.to_string()))
}

/// A term as a person reads it: IRIs shortened with known prefixes, literals bare.
pub fn term_text(t: &Term) -> String {
    match t {
        Term::NamedNode(n) => {
            let s = n.as_str();
            for (p, iri) in [("nkg:", crate::rdf::NKG), ("id:", crate::rdf::ID), ("doc:", crate::rdf::DOC), ("stmt:", crate::rdf::STMT)] {
                if let Some(rest) = s.strip_prefix(iri) {
                    return format!("{p}{rest}");
                }
            }
            format!("<{s}>")
        }
        Term::BlankNode(b) => format!("_:{}", b.as_str()),
        Term::Literal(l) => l.value().to_string(),
        #[allow(unreachable_patterns)]
        other => other.to_string(),
    }
}

fn write_table(out: &mut dyn Write, head: &[String], rows: &[Vec<String>]) -> std::io::Result<()> {
    let clip = |s: &str| -> String {
        let one: String = s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
        if one.chars().count() > 80 {
            one.chars().take(77).collect::<String>() + "..."
        } else {
            one
        }
    };
    let rows: Vec<Vec<String>> = rows.iter().map(|r| r.iter().map(|c| clip(c)).collect()).collect();
    let mut w: Vec<usize> = head.iter().map(|h| h.chars().count()).collect();
    for r in &rows {
        for (i, c) in r.iter().enumerate() {
            w[i] = w[i].max(c.chars().count());
        }
    }
    let line = |cells: &[String]| -> String {
        cells.iter().enumerate().map(|(i, c)| format!("{c}{}", " ".repeat(w[i] - c.chars().count()))).collect::<Vec<_>>().join(" | ")
    };
    writeln!(out, "{}", line(head).trim_end())?;
    writeln!(out, "{}", w.iter().map(|n| "-".repeat(*n)).collect::<Vec<_>>().join("-+-"))?;
    for r in &rows {
        writeln!(out, "{}", line(r).trim_end())?;
    }
    writeln!(out, "({} row{})", rows.len(), if rows.len() == 1 { "" } else { "s" })?;
    Ok(())
}
