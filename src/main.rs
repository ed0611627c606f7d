//! The `newskg` command line: parses arguments and calls the library.
//! Exit codes: 0 success, 1 error (store, query, I/O), 2 some inputs failed
//! but the others were built, 3 store busy (locked by another build),
//! 4 query timed out, 5 query stopped at the memory limit, 64 usage error
//! (bad SPARQL, bad option).

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use newskg::error::{QueryError, StoreError};
use newskg::lexicon::Lexicon;
use newskg::query::Format;
use newskg::store::KgStore;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Parser)]
#[command(name = "newskg", version, about = "Builds an RDF knowledge graph from French news articles (Oxigraph store, SPARQL, RDF export).")]
struct Cli {
    /// Only errors on stderr.
    #[arg(short, long, global = true)]
    quiet: bool,
    /// More detail on stderr (skipped files, warnings).
    #[arg(short, long, global = true)]
    verbose: bool,
    /// Directory of the ontology and lexicons (default: ./ontology, else the one built in).
    #[arg(long, global = true, env = "NEWSKG_ONTOLOGY")]
    ontology: Option<PathBuf>,
    /// Memory a query may make the process use (query, stats, diagram, serve): past it the
    /// query stops with an error. A size in MB, or with a unit: 800, 512M, 2G. Default: half
    /// of the machine's memory (or of the control group's limit).
    #[arg(long, global = true, value_parser = newskg::query::parse_size, value_name = "SIZE")]
    max_memory: Option<u64>,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Extract entities and relations from articles and load them into the store.
    ///
    /// Example: newskg build corpus
    Build {
        /// Store directory (created if missing).
        #[arg(long, default_value = "out/store")]
        store: PathBuf,
        /// Rebuild documents even when their content hash is unchanged.
        #[arg(long)]
        force: bool,
        /// Do not write <store>/../graph.trig after the build.
        #[arg(long)]
        no_dump: bool,
        /// How new graphs are written: `bulk` (Oxigraph's bulk loader, one atomic
        /// commit at the end), `transactions` (one per document, each visible at
        /// once), or `auto` (bulk from 500 input documents on).
        #[arg(long, value_enum, default_value = "auto")]
        load: newskg::build::LoadMode,
        /// Files or directories (.txt, .md, .html, .htm; directories recursively).
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
    },
    /// Run a SPARQL query over the union of all graphs.
    ///
    /// Example: newskg query queries/01_who_supports_whom.rq
    ///          newskg query -e 'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }'
    Query {
        #[arg(long, default_value = "out/store")]
        store: PathBuf,
        /// Output format (default: table on a terminal, csv otherwise; turtle for graphs).
        #[arg(long, value_enum)]
        format: Option<Format>,
        /// The query text instead of a file.
        #[arg(short = 'e', long = "expr")]
        expr: Option<String>,
        /// Cancel the query after this many seconds.
        #[arg(long)]
        timeout: Option<u64>,
        /// A .rq file (or - for stdin).
        file: Option<PathBuf>,
    },
    /// Run a SPARQL update (e.g. delete a wrong fact).
    ///
    /// Example: newskg update -e 'DELETE WHERE { GRAPH ?g { ?s <https://newskg.org/ontology#supports> ?o } }'
    Update {
        #[arg(long, default_value = "out/store")]
        store: PathBuf,
        #[arg(short = 'e', long = "expr")]
        expr: Option<String>,
        file: Option<PathBuf>,
    },
    /// Export the whole store as RDF.
    ///
    /// Example: newskg export --format turtle -o out/graph.ttl
    Export {
        #[arg(long, default_value = "out/store")]
        store: PathBuf,
        #[arg(long, value_enum, default_value = "trig")]
        format: Format,
        /// Output file (default: stdout).
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Counts by class, by predicate and by document.
    ///
    /// Example: newskg stats
    Stats {
        #[arg(long, default_value = "out/store")]
        store: PathBuf,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// Draw the relationship graph (Graphviz).
    ///
    /// Example: newskg diagram --format svg -o out/graph.svg
    ///          newskg diagram --focus Aliyev --depth 1 --format svg -o aliyev.svg
    Diagram {
        #[arg(long, default_value = "out/store")]
        store: PathBuf,
        /// Output file (default: stdout).
        #[arg(short, long)]
        output: Option<PathBuf>,
        #[arg(long, value_enum, default_value = "svg")]
        format: newskg::diagram::DiagramFormat,
        /// Only the neighbourhood of this entity (label, alias or IRI).
        #[arg(long)]
        focus: Option<String>,
        /// Hops around --focus.
        #[arg(long, default_value_t = 1)]
        depth: usize,
        /// Only these predicates (comma-separated local names).
        #[arg(long, value_delimiter = ',')]
        predicates: Vec<String>,
        /// Only facts from this document (file name).
        #[arg(long)]
        doc: Option<String>,
        /// Only facts stated by at least N documents.
        #[arg(long, default_value_t = 1)]
        min_docs: usize,
        /// Only statements with at least this confidence.
        #[arg(long, default_value_t = 0.0)]
        min_confidence: f64,
        /// Draw what a CONSTRUCT query returns.
        #[arg(long)]
        query: Option<PathBuf>,
        /// Leave out reported speech (only the reporters' own statements).
        #[arg(long)]
        no_attributed: bool,
        /// Label language.
        #[arg(long, value_enum, default_value = "fr")]
        lang: newskg::diagram::Lang,
        /// Group entities by the state they belong to.
        #[arg(long)]
        cluster: bool,
        /// Most relations drawn: the strongest (most documents, then highest confidence);
        /// the title says how many were left out. 0 draws them all.
        #[arg(long, default_value_t = newskg::diagram::MAX_EDGES)]
        max_edges: usize,
    },
    /// Serve the store over HTTP: SPARQL 1.1 Protocol at /query, Graph Store Protocol at /store.
    ///
    /// Read-only unless --writable; listens on loopback unless --bind says otherwise.
    /// Example: newskg serve --store out/store
    Serve {
        #[arg(long, default_value = "out/store")]
        store: PathBuf,
        /// Address and port to listen on.
        #[arg(long, default_value = "127.0.0.1:7878")]
        bind: std::net::SocketAddr,
        /// Accept SPARQL updates and Graph Store PUT/POST/DELETE (holds the write lock).
        #[arg(long)]
        writable: bool,
        /// Seconds a query may run before the server answers 503.
        #[arg(long, default_value_t = 30)]
        timeout: u64,
        /// Most solutions or triples one answer may carry (larger answers get a 400 asking for a LIMIT).
        #[arg(long, default_value_t = 100_000)]
        max_results: usize,
    },
    /// Send every graph to a SPARQL 1.1 Graph Store Protocol endpoint (PUT per graph: idempotent).
    ///
    /// Example: newskg push --endpoint http://localhost:7878/query
    Push {
        #[arg(long, default_value = "out/store")]
        store: PathBuf,
        /// The SPARQL query endpoint (used to check what arrived).
        #[arg(long)]
        endpoint: String,
        /// The Graph Store Protocol URL (default: /query → /store, /sparql → /data, else the endpoint).
        #[arg(long)]
        graph_store: Option<String>,
        /// Environment variable holding credentials: a token, `user:password`, or a full
        /// Authorization value. Never put credentials on the command line.
        #[arg(long)]
        auth_env: Option<String>,
        /// Retries per request on connection errors and 5xx answers.
        #[arg(long, default_value_t = 5)]
        retries: u32,
        /// First wait between retries, in milliseconds (doubled each time).
        #[arg(long, default_value_t = 500)]
        backoff_ms: u64,
        /// Seconds before one request is abandoned.
        #[arg(long, default_value_t = 120)]
        timeout: u64,
    },
    /// Write the RDF of documents to stdout without a store (same IRIs as build).
    ///
    /// Example: newskg extract corpus/001_aa93a49af91dcb56.txt > doc.nq
    Extract {
        #[arg(long, value_enum, default_value = "nquads")]
        format: Format,
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
    },
}

/// Exit codes; documented in the README.
mod code {
    pub const ERROR: i32 = 1;
    pub const PARTIAL: i32 = 2;
    pub const BUSY: i32 = 3;
    pub const TIMEOUT: i32 = 4;
    pub const MEMORY: i32 = 5;
    pub const USAGE: i32 = 64;
}

// Extraction allocates many small strings; mimalloc halves the time glibc malloc took
// in the profile (see BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    // A query stopped at a limit can make Oxigraph's sort panic (see
    // `query::guarded`, which turns that into the limit's error): no backtrace then.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !newskg::query::stopping() {
            default_hook(info)
        }
    }));
    let cli = Cli::parse();
    let quiet = cli.quiet;
    match run(cli) {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            // A closed pipe (`newskg export | head`) is not an error.
            if e.chain().any(|c| c.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)) {
                std::process::exit(0);
            }
            let _ = quiet;
            eprintln!("newskg: error: {e:#}");
            std::process::exit(exit_code(&e));
        }
    }
}

fn exit_code(e: &anyhow::Error) -> i32 {
    for c in e.chain() {
        if let Some(s) = c.downcast_ref::<StoreError>() {
            return if matches!(s, StoreError::Locked(_)) { code::BUSY } else { code::ERROR };
        }
        if let Some(q) = c.downcast_ref::<QueryError>() {
            return match q {
                QueryError::Syntax(_) | QueryError::Format(_) => code::USAGE,
                QueryError::Timeout(_) => code::TIMEOUT,
                QueryError::MemoryLimit(_) => code::MEMORY,
                QueryError::Store(StoreError::Locked(_)) => code::BUSY,
                _ => code::ERROR,
            };
        }
    }
    code::ERROR
}

/// The lexicon of this run, leaked: it lives until the process exits, and
/// freeing its hundreds of thousands of allocations on the way out was about
/// a tenth of a short run's time.
fn load_lexicon(dir: Option<PathBuf>) -> Result<&'static Lexicon> {
    let dir = dir.unwrap_or_else(Lexicon::default_dir);
    let lex = Lexicon::load(&dir).with_context(|| format!("loading the ontology data in {}", dir.display()))?;
    Ok(Box::leak(Box::new(lex)))
}

fn read_query(expr: Option<String>, file: Option<PathBuf>) -> Result<String> {
    match (expr, file) {
        (Some(e), None) => Ok(e),
        (None, Some(f)) if f == Path::new("-") => {
            let mut s = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin(), &mut s).context("reading the query from stdin")?;
            Ok(s)
        }
        (None, Some(f)) => std::fs::read_to_string(&f).with_context(|| format!("reading {}", f.display())),
        (Some(_), Some(_)) => Err(anyhow::Error::new(QueryError::Format("give either -e QUERY or a FILE, not both".into()))),
        (None, None) => Err(anyhow::Error::new(QueryError::Format("give a query: -e QUERY or a FILE.rq".into()))),
    }
}

fn output(path: &Option<PathBuf>) -> Result<Box<dyn Write>> {
    Ok(match path {
        Some(p) => {
            if let Some(dir) = p.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
            }
            Box::new(std::io::BufWriter::new(std::fs::File::create(p).with_context(|| format!("creating {}", p.display()))?))
        }
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    })
}

/// The last resort behind the library's watchdog, which cancels a query:
/// Oxigraph checks cancellation as it reads the store, so an operator that
/// works on what it already read (a large sort, a cross product) runs on.
/// Past the time limit, or a quarter past the memory limit, the process
/// itself ends, with the same message and exit code the library would give.
fn guard_process(limits: newskg::query::Limits) {
    if let Some(t) = limits.timeout {
        std::thread::spawn(move || {
            std::thread::sleep(t + Duration::from_millis(500));
            eprintln!("newskg: error: query timed out after {} s", t.as_secs());
            std::process::exit(code::TIMEOUT);
        });
    }
    if let Some(m) = limits.max_memory {
        std::thread::spawn(move || loop {
            if newskg::query::resident_memory().is_some_and(|r| r > m + m / 4) {
                eprintln!("newskg: error: {}", QueryError::MemoryLimit(m >> 20));
                std::process::exit(code::MEMORY);
            }
            std::thread::sleep(Duration::from_millis(10));
        });
    }
}

fn run(cli: Cli) -> Result<i32> {
    let quiet = cli.quiet;
    let verbose = cli.verbose;
    let max_memory = cli.max_memory.or_else(newskg::query::default_max_memory);
    match cli.cmd {
        Cmd::Build { store, force, no_dump, load, inputs } => {
            let lex = load_lexicon(cli.ontology)?;
            let opts = newskg::build::BuildOptions { store: store.clone(), inputs, force, progress: !quiet && std::io::stderr().is_terminal(), load };
            let r = newskg::build::build(&lex, &opts).with_context(|| format!("building into {}", store.display()))?;
            for f in &r.failed {
                eprintln!("newskg: skipped: {f}");
            }
            if verbose || !quiet {
                for w in &r.warnings {
                    eprintln!("newskg: warning: {w}");
                }
            }
            if !no_dump {
                let dump = store.parent().unwrap_or(Path::new(".")).join("graph.trig");
                let s = KgStore::open_read(&store)?;
                let mut out = output(&Some(dump.clone()))?;
                newskg::export::export(&s, Format::Trig, &mut out).with_context(|| format!("writing {}", dump.display()))?;
                out.flush()?;
                if !quiet {
                    eprintln!("newskg: wrote {}", dump.display());
                }
                // The diagram too, when Graphviz is installed.
                let svg = dump.with_file_name("graph.svg");
                let dot = newskg::diagram::dot(&s, &newskg::diagram::DiagramOptions::default(), &newskg::query::Limits::new(None, max_memory))?;
                let mut bytes = Vec::new();
                match newskg::diagram::render(&dot, newskg::diagram::DiagramFormat::Svg, &mut bytes) {
                    Ok(()) => {
                        std::fs::write(&svg, bytes).with_context(|| format!("writing {}", svg.display()))?;
                        if !quiet {
                            eprintln!("newskg: wrote {}", svg.display());
                        }
                    }
                    Err(e) if verbose => eprintln!("newskg: no diagram: {e}"),
                    Err(_) => {}
                }
            }
            if !quiet {
                eprintln!(
                    "newskg: {} documents built ({} unchanged, {} failed), {} sentences, {} entities, {} relations, {} triples in {}, {:.2} s",
                    r.documents,
                    r.unchanged,
                    r.failed.len(),
                    r.sentences,
                    r.entities,
                    r.relations,
                    r.triples,
                    store.display(),
                    r.seconds
                );
            }
            Ok(if r.failed.is_empty() { 0 } else { code::PARTIAL })
        }
        Cmd::Query { store, format, expr, timeout, file } => {
            let q = read_query(expr, file)?;
            let s = KgStore::open_read(&store)?;
            let limits = newskg::query::Limits::new(timeout.map(Duration::from_secs), max_memory);
            guard_process(limits);
            let format = format.unwrap_or(if std::io::stdout().is_terminal() { Format::Table } else { Format::Csv });
            let mut out = output(&None)?;
            newskg::query::run(&s, &q, format, &limits, &mut out)?;
            out.flush()?;
            Ok(0)
        }
        Cmd::Update { store, expr, file } => {
            let u = read_query(expr, file)?;
            let lex = load_lexicon(cli.ontology)?;
            let s = KgStore::open_existing_write(&store)?;
            s.publish_snapshot()?;
            // The lexicon rebuilds the entities graph after the update.
            newskg::query::update(&s, &u, lex)?;
            s.prune_snapshots(None)?;
            if !quiet {
                eprintln!("newskg: update applied; {} quads in store", s.len()?);
            }
            Ok(0)
        }
        Cmd::Export { store, format, output: o } => {
            let s = KgStore::open_read(&store)?;
            let mut out = output(&o)?;
            let n = newskg::export::export(&s, format, &mut out)?;
            out.flush()?;
            if !quiet && o.is_some() {
                eprintln!("newskg: exported {n} statements");
            }
            Ok(0)
        }
        Cmd::Stats { store, format } => {
            let s = KgStore::open_read(&store)?;
            let limits = newskg::query::Limits::new(None, max_memory);
            guard_process(limits);
            let mut out = output(&None)?;
            newskg::stats::print(&s, format, &limits, &mut out)?;
            out.flush()?;
            Ok(0)
        }
        Cmd::Diagram { store, output: o, format, focus, depth, predicates, doc, min_docs, min_confidence, query, no_attributed, lang, cluster, max_edges } => {
            let query = match query {
                Some(p) => Some(std::fs::read_to_string(&p).with_context(|| format!("reading {}", p.display()))?),
                None => None,
            };
            let s = KgStore::open_read(&store)?;
            let opts = newskg::diagram::DiagramOptions { focus, depth, predicates, doc, min_docs, min_confidence, query, no_attributed, lang, cluster, max_edges };
            let limits = newskg::query::Limits::new(None, max_memory);
            guard_process(limits);
            let dot = newskg::diagram::dot(&s, &opts, &limits)?;
            let mut out = output(&o)?;
            newskg::diagram::render(&dot, format, &mut out)?;
            out.flush()?;
            Ok(0)
        }
        Cmd::Serve { store, bind, writable, timeout, max_results } => {
            if !bind.ip().is_loopback() {
                eprintln!("newskg: warning: listening on {bind}, beyond this machine; there is no authentication{}", if writable { ", and anyone who reaches it may change the store" } else { "" });
            }
            let opts = newskg::serve::ServeOptions { store: store.clone(), bind, writable, timeout: Duration::from_secs(timeout.max(1)), max_results, max_memory };
            // Only a writable server rebuilds the entities graph, which takes the gazetteer.
            let lex = if writable { Some(load_lexicon(cli.ontology)?) } else { None };
            newskg::serve::serve(opts, lex).with_context(|| format!("serving {}", store.display()))?;
            Ok(0)
        }
        Cmd::Push { store, endpoint, graph_store, auth_env, retries, backoff_ms, timeout } => {
            let authorization = match auth_env {
                Some(var) => Some(newskg::push::authorization_from_env(&var)?),
                None => None,
            };
            let opts = newskg::push::PushOptions { store, endpoint: endpoint.clone(), graph_store, authorization, retries, backoff: Duration::from_millis(backoff_ms), timeout: Duration::from_secs(timeout.max(1)) };
            let mut n = 0usize;
            let r = newskg::push::push(&opts, |g| {
                n += 1;
                if verbose {
                    eprintln!("newskg: pushing {n}: <{g}>");
                }
            })
            .with_context(|| format!("pushing to {endpoint}"))?;
            for f in &r.refused {
                eprintln!("newskg: refused: {f}");
            }
            if !quiet {
                eprintln!(
                    "newskg: pushed {} graphs ({} triples, {:.1} MB) to {} in {:.2} s; {} refused, {} needed a retry{}",
                    r.graphs,
                    r.triples,
                    r.bytes as f64 / 1e6,
                    r.graph_store,
                    r.seconds,
                    r.refused.len(),
                    r.retried,
                    r.remote_triples.map(|t| format!("; the endpoint now holds {t} triples in newskg graphs")).unwrap_or_default()
                );
            }
            Ok(if r.refused.is_empty() { 0 } else { code::PARTIAL })
        }
        Cmd::Extract { format, inputs } => {
            let rf = format.rdf().filter(|f| f.supports_datasets()).ok_or_else(|| anyhow::Error::new(QueryError::Format("extract writes quads: nquads or trig".into())))?;
            // Listing a large corpus is file-system work: overlap it with compiling the lexicon.
            let (lex, (files, errs)) = rayon::join(|| load_lexicon(cli.ontology), || newskg::ingest::collect(&inputs));
            let lex = lex?;
            let mut failed = errs.len();
            for e in errs {
                eprintln!("newskg: skipped: {e}");
            }
            let mut out = output(&None)?;
            let r = if rf == oxigraph::io::RdfFormat::NQuads { newskg::mapper::write_nquads(&lex, &files, &mut out)? } else { newskg::mapper::write_trig(&lex, &files, &mut out)? };
            out.flush()?;
            failed += r.failed.len();
            for e in r.failed {
                eprintln!("newskg: skipped: {e}");
            }
            Ok(if failed == 0 { 0 } else { code::PARTIAL })
        }
    }
}
