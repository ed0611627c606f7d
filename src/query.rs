//! SPARQL over the store: queries run on the union of all graphs by default,
//! results are streamed in the requested format; a watchdog cancels a query
//! that runs too long or makes the process outgrow the memory it is allowed;
//! updates run in one transaction.

use crate::error::QueryError;
use crate::store::KgStore;
use oxigraph::io::{JsonLdProfileSet, RdfFormat, RdfSerializer};
use oxigraph::model::{Term, Triple};
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsSerializer};
use oxigraph::sparql::{CancellationToken, QueryEvaluationError, QueryResults, SparqlEvaluator, Variable};
use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

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

/// What a query may use before it is stopped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Limits {
    pub timeout: Option<Duration>,
    /// Resident memory of the whole process, in bytes.
    pub max_memory: Option<u64>,
}

impl Limits {
    pub fn new(timeout: Option<Duration>, max_memory: Option<u64>) -> Limits {
        Limits { timeout, max_memory }
    }
}

/// The process's resident memory in bytes (`VmRSS` of `/proc/self/status`),
/// `None` where there is no such file.
pub fn resident_memory() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// The memory limit when the user gives none: half of what the machine (or
/// the control group the process runs in) has, so a runaway query stops with
/// an error long before the kernel kills the process.
pub fn default_max_memory() -> Option<u64> {
    let total = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| m.lines().find(|l| l.starts_with("MemTotal:")).and_then(|l| l.split_whitespace().nth(1)).and_then(|n| n.parse::<u64>().ok()))
        .map(|kb| kb * 1024);
    let cgroup = std::fs::read_to_string("/sys/fs/cgroup/memory.max").ok().and_then(|s| s.trim().parse::<u64>().ok());
    let available = match (total, cgroup) {
        (Some(t), Some(c)) => Some(t.min(c)),
        (t, c) => t.or(c),
    }?;
    Some(available / 2)
}

/// Reads a memory size: a number of megabytes, or a number with a unit
/// (`K`, `M`, `G`, `T`, powers of 1024, an optional `B`/`iB`): `800`, `512M`, `1.5G`.
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num.parse().map_err(|_| format!("{s:?} is not a size (examples: 800, 512M, 2G)"))?;
    let unit = unit.trim().to_ascii_uppercase();
    let mult: f64 = match unit.trim_end_matches("IB").trim_end_matches('B') {
        "" | "M" => (1u64 << 20) as f64,
        "K" => 1024.0,
        "G" => (1u64 << 30) as f64,
        "T" => (1u64 << 40) as f64,
        _ => return Err(format!("{s:?}: unknown unit {unit:?} (use K, M, G or T)")),
    };
    let bytes = n * mult;
    if !(bytes >= (1u64 << 20) as f64) {
        return Err(format!("{s:?}: at least 1M"));
    }
    Ok(bytes as u64)
}

/// Set once a watchdog has stopped a query in this process: the panic hook
/// of the binary stays quiet then (see `guarded`).
static STOPPING: AtomicBool = AtomicBool::new(false);

/// Whether a watchdog has stopped a query in this process.
pub fn stopping() -> bool {
    STOPPING.load(Ordering::SeqCst)
}

/// Runs `f`, turning a panic that follows a cancellation into the limit's
/// error: Oxigraph 0.5's ORDER BY sorts with a comparator that fails once the
/// query is cancelled, and the standard sort then panics ("does not correctly
/// implement a total order"). Any other panic goes on unwinding.
fn guarded<T>(watchdog: &Watchdog, limits: &Limits, f: impl FnOnce() -> Result<T, QueryError>) -> Result<T, QueryError> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(panic) => match watchdog.fired() {
            Some(_) => Err(watchdog.error(QueryEvaluationError::Cancelled, limits)),
            None => std::panic::resume_unwind(panic),
        },
    }
}

/// Why a watchdog stopped a query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fired {
    Timeout,
    Memory,
}

/// Cancels a query's token once its time is up or the process's resident
/// memory passes the limit, unless dropped first (a thread polling every
/// 10 ms, so a finished query leaves no sleeper behind and a query that
/// allocates fast overshoots by what it allocates in 10 ms).
pub struct Watchdog {
    done: Arc<AtomicBool>,
    /// 0: not fired; 1: timeout; 2: memory.
    fired: Arc<AtomicU8>,
}

impl Watchdog {
    pub fn start(token: CancellationToken, limits: Limits) -> Watchdog {
        let w = Watchdog { done: Arc::new(AtomicBool::new(false)), fired: Arc::new(AtomicU8::new(0)) };
        if limits.timeout.is_none() && limits.max_memory.is_none() {
            return w;
        }
        // A stopped query's memory, freed but kept by the allocator (mimalloc reuses it
        // before it asks for more), would stop the next query at once: the bar is the
        // limit or where the process stands when the query starts, whichever is higher.
        let bar = limits.max_memory.map(|m| m.max(resident_memory().unwrap_or(0)));
        let (fired, done) = (w.fired.clone(), w.done.clone());
        let t0 = Instant::now();
        std::thread::spawn(move || loop {
            if done.load(Ordering::SeqCst) {
                return;
            }
            let why = if limits.timeout.is_some_and(|t| t0.elapsed() >= t) {
                1
            } else if bar.is_some_and(|m| resident_memory().is_some_and(|r| r > m)) {
                2
            } else {
                0
            };
            if why != 0 {
                fired.store(why, Ordering::SeqCst);
                STOPPING.store(true, Ordering::SeqCst);
                token.cancel();
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        });
        w
    }

    pub fn fired(&self) -> Option<Fired> {
        match self.fired.load(Ordering::SeqCst) {
            1 => Some(Fired::Timeout),
            2 => Some(Fired::Memory),
            _ => None,
        }
    }

    /// The error to report for a failed query: the limit that stopped it, if one did.
    pub fn error(&self, e: QueryEvaluationError, limits: &Limits) -> QueryError {
        match self.fired() {
            Some(Fired::Timeout) => QueryError::Timeout(limits.timeout.map(|t| t.as_secs()).unwrap_or(0)),
            Some(Fired::Memory) => QueryError::MemoryLimit(limits.max_memory.unwrap_or(0) >> 20),
            None if matches!(e, QueryEvaluationError::Cancelled) => QueryError::Timeout(limits.timeout.map(|t| t.as_secs()).unwrap_or(0)),
            None => QueryError::Evaluation(e.to_string()),
        }
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        self.done.store(true, Ordering::SeqCst);
    }
}

/// Parses a query for the store: the default graph is the union of all
/// graphs unless the query names its dataset.
fn prepare(query: &str, token: &CancellationToken) -> Result<oxigraph::sparql::PreparedSparqlQuery, QueryError> {
    let mut prepared = SparqlEvaluator::new().with_cancellation_token(token.clone()).parse_query(query).map_err(|e| QueryError::Syntax(e.to_string()))?;
    if prepared.dataset().is_default_dataset() {
        prepared.dataset_mut().set_default_graph_as_union();
    }
    Ok(prepared)
}

/// A SELECT's variables and rows, within `limits` (for the library's own
/// queries: diagram, stats).
pub fn solutions(store: &KgStore, query: &str, limits: &Limits) -> Result<(Vec<Variable>, Vec<Vec<Option<Term>>>), QueryError> {
    let token = CancellationToken::new();
    let prepared = prepare(query, &token)?;
    let watchdog = Watchdog::start(token, *limits);
    guarded(&watchdog, limits, || {
        let res = prepared.on_store(&store.store).execute().map_err(|e| watchdog.error(e, limits))?;
        let QueryResults::Solutions(sols) = res else { return Err(QueryError::Format("a SELECT query was expected".into())) };
        let vars = sols.variables().to_vec();
        let mut rows = Vec::new();
        for s in sols {
            let s = s.map_err(|e| watchdog.error(e, limits))?;
            rows.push(vars.iter().map(|v| s.get(v).cloned()).collect());
        }
        Ok((vars, rows))
    })
}

/// A CONSTRUCT's triples, within `limits`.
pub fn triples(store: &KgStore, query: &str, limits: &Limits) -> Result<Vec<Triple>, QueryError> {
    let token = CancellationToken::new();
    let prepared = prepare(query, &token)?;
    let watchdog = Watchdog::start(token, *limits);
    guarded(&watchdog, limits, || {
        let res = prepared.on_store(&store.store).execute().map_err(|e| watchdog.error(e, limits))?;
        let QueryResults::Graph(ts) = res else { return Err(QueryError::Format("a CONSTRUCT query was expected".into())) };
        ts.map(|t| t.map_err(|e| watchdog.error(e, limits))).collect()
    })
}

/// Runs a query and writes its results to `out`.
pub fn run(store: &KgStore, query: &str, format: Format, limits: &Limits, out: &mut dyn Write) -> Result<(), QueryError> {
    let token = CancellationToken::new();
    let prepared = prepare(query, &token)?;
    let watchdog = Watchdog::start(token, *limits);
    guarded(&watchdog, limits, || write_results(store, prepared, format, &watchdog, limits, out))
}

fn write_results(store: &KgStore, prepared: oxigraph::sparql::PreparedSparqlQuery, format: Format, watchdog: &Watchdog, limits: &Limits, out: &mut dyn Write) -> Result<(), QueryError> {
    let err = |e| watchdog.error(e, limits);
    let res = prepared.on_store(&store.store).execute().map_err(err);
    match res? {
        QueryResults::Solutions(solutions) => {
            let vars = solutions.variables().to_vec();
            match format {
                Format::Table => {
                    let mut rows = Vec::new();
                    for s in solutions {
                        let s = s.map_err(err)?;
                        rows.push(vars.iter().map(|v| s.get(v).map(term_text).unwrap_or_default()).collect::<Vec<_>>());
                    }
                    write_table(out, &vars.iter().map(|v| v.as_str().to_string()).collect::<Vec<_>>(), &rows)?;
                }
                f => {
                    let rf = f.results().ok_or_else(|| QueryError::Format(format!("a SELECT gives solutions: use table, csv, tsv, json or xml, not {f:?}")))?;
                    let mut w = QueryResultsSerializer::from_format(rf).serialize_solutions_to_writer(&mut *out, vars)?;
                    for s in solutions {
                        let s = s.map_err(err)?;
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
                let t = t.map_err(err)?;
                w.serialize_triple(&t)?;
            }
            w.finish()?;
        }
    }
    Ok(())
}

/// Runs a SPARQL update (in one transaction).
///
/// An update may drop a document or change what it names, so the entities
/// graph is marked stale before it runs and rebuilt after it (a process
/// killed in between leaves the mark missing, which the next build acts on).
/// A syntax error changes nothing.
pub fn update(store: &KgStore, update: &str, lex: &crate::lexicon::Lexicon) -> Result<(), QueryError> {
    let prepared = SparqlEvaluator::new().parse_update(update).map_err(|e| QueryError::Syntax(e.to_string()))?;
    crate::entities::mark_stale(store)?;
    let done = prepared.on_store(&store.store).execute().map_err(|e| QueryError::Evaluation(e.to_string()));
    crate::entities::refresh(store, lex)?;
    done
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
