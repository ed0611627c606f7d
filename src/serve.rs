//! `newskg serve`: the store behind the SPARQL 1.1 Protocol and the Graph
//! Store Protocol, over HTTP (oxhttp, the server library Oxigraph's own
//! server uses).
//!
//! - `GET|POST /query` (also `/sparql`): queries; results negotiated from the
//!   `Accept` header or a `format` parameter.
//! - `POST /update`: updates, only with `--writable`.
//! - `GET|HEAD /store?graph=IRI`, `?default`, or nothing (the whole dataset):
//!   graphs; `PUT|POST|DELETE` only with `--writable`.
//! - `GET /`: a page with a query box.
//!
//! Read-only servers open the store per request (see `KgStore::open_read`),
//! so `newskg build` can run beside them; a writable server holds the write
//! lock for its whole life.

use crate::error::{QueryError, StoreError};
use crate::lexicon::Lexicon;
use crate::query::{Fired, Limits, Watchdog};
use crate::store::KgStore;
use oxhttp::model::header::{ACCEPT, CONTENT_TYPE};
use oxhttp::model::{Body, Method, Request, Response, StatusCode};
use oxigraph::io::{RdfFormat, RdfParser, RdfSerializer};
use oxigraph::model::{GraphName, GraphNameRef, NamedNode, NamedOrBlankNode, Quad};
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsSerializer};
use oxigraph::sparql::{CancellationToken, QueryResults, SparqlEvaluator};
use std::io::Read;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Server settings.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub store: PathBuf,
    pub bind: SocketAddr,
    pub writable: bool,
    /// Longest a query may run before the server answers 503.
    pub timeout: Duration,
    /// Most solutions (or triples) one answer may carry.
    pub max_results: usize,
    /// Resident memory of the server past which running queries are stopped (bytes).
    pub max_memory: Option<u64>,
}

/// Largest request body read for queries and updates.
const MAX_QUERY_BODY: u64 = 16 << 20;
/// Largest graph a client may PUT or POST (writable servers only).
const MAX_GRAPH_BODY: u64 = 1 << 30;

enum Access {
    /// Opened per request, shared lock; builds may run meanwhile.
    ReadOnly(PathBuf),
    /// Held for the server's life, exclusive lock; the lexicon rebuilds the
    /// entities graph after each write.
    Writable(KgStore, &'static Lexicon),
}

impl Access {
    fn with<T>(&self, f: impl FnOnce(&KgStore) -> Result<T, Reply>) -> Result<T, Reply> {
        match self {
            Access::Writable(s, _) => f(s),
            Access::ReadOnly(p) => f(&open_read(p)?),
        }
    }
}

/// A read-only open for one request; a store busy without a snapshot is 503.
fn open_read(path: &std::path::Path) -> Result<KgStore, Reply> {
    KgStore::open_read(path).map_err(|e| match e {
        StoreError::Locked(_) => Reply::error(StatusCode::SERVICE_UNAVAILABLE, &e.to_string()),
        e => Reply::error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    })
}

/// A finished answer (bodies are built in memory, so the result cap and the
/// timeout can still turn them into errors before anything is sent).
struct Reply {
    status: StatusCode,
    content_type: String,
    body: Vec<u8>,
}

impl Reply {
    fn ok(content_type: &str, body: Vec<u8>) -> Self {
        Reply { status: StatusCode::OK, content_type: content_type.to_string(), body }
    }
    fn error(status: StatusCode, message: &str) -> Self {
        Reply { status, content_type: "text/plain; charset=utf-8".into(), body: format!("{message}\n").into_bytes() }
    }
    fn empty(status: StatusCode) -> Self {
        Reply { status, content_type: String::new(), body: Vec::new() }
    }
}

/// Starts the server and blocks. Prints the address it listens on. A
/// writable server needs the lexicon (`lex`), to keep the entities graph right.
pub fn serve(opts: ServeOptions, lex: Option<&'static Lexicon>) -> Result<(), StoreError> {
    let access = if opts.writable {
        let lex = lex.ok_or_else(|| StoreError::Read("a writable server needs the lexicon".into()))?;
        // Command-line readers beside a writable server read its snapshots.
        let s = KgStore::open_existing_write(&opts.store)?;
        s.publish_snapshot()?;
        Access::Writable(s, lex)
    } else {
        // Fail now, not at the first request, when there is no store.
        drop(KgStore::open_read(&opts.store)?);
        Access::ReadOnly(opts.store.clone())
    };
    let state = Arc::new((access, opts.clone()));
    let server = oxhttp::Server::new(move |req| {
        let (access, opts) = &*state;
        let reply = handle(access, opts, req).unwrap_or_else(|r| r);
        respond(reply)
    })
    .bind(opts.bind)
    .with_global_timeout(opts.timeout + Duration::from_secs(30))
    .with_max_concurrent_connections(64);
    let listening = server.spawn().map_err(StoreError::Io)?;
    eprintln!(
        "newskg: serving {} on http://{}/ ({}; SPARQL at /query, graphs at /store)",
        opts.store.display(),
        opts.bind,
        if opts.writable { "writable" } else { "read-only" }
    );
    listening.join().map_err(StoreError::Io)
}

fn respond(r: Reply) -> Response<Body> {
    let mut b = Response::builder()
        .status(r.status)
        .header("Access-Control-Allow-Origin", "*")
        // oxhttp 0.3 filters this one out of responses; without it browsers
        // still allow GET, HEAD and POST, which is what SPARQL clients use.
        .header("Access-Control-Allow-Methods", "GET, HEAD, POST, PUT, DELETE, OPTIONS")
        .header("Access-Control-Allow-Headers", "Accept, Authorization, Content-Type")
        .header("Access-Control-Expose-Headers", "Content-Type")
        .header("Vary", "Accept");
    if !r.content_type.is_empty() {
        b = b.header(CONTENT_TYPE, r.content_type);
    }
    b.body(Body::from(r.body)).unwrap_or_else(|_| Response::new(Body::from("response error")))
}

/// Decoded `application/x-www-form-urlencoded` pairs.
fn form(s: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(s.as_bytes()).into_owned().collect()
}

fn body_text(req: &mut Request<Body>, limit: u64) -> Result<String, Reply> {
    let mut buf = Vec::new();
    req.body_mut().take(limit + 1).read_to_end(&mut buf).map_err(|e| Reply::error(StatusCode::BAD_REQUEST, &format!("reading the request body: {e}")))?;
    if buf.len() as u64 > limit {
        return Err(Reply::error(StatusCode::PAYLOAD_TOO_LARGE, &format!("request body larger than {limit} bytes")));
    }
    String::from_utf8(buf).map_err(|_| Reply::error(StatusCode::BAD_REQUEST, "the request body is not UTF-8"))
}

fn content_type(req: &Request<Body>) -> String {
    req.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").split(';').next().unwrap_or("").trim().to_ascii_lowercase()
}

fn handle(access: &Access, opts: &ServeOptions, req: &mut Request<Body>) -> Result<Reply, Reply> {
    let path = req.uri().path().to_string();
    let params = form(req.uri().query().unwrap_or(""));
    let method = req.method().clone();
    if method == Method::OPTIONS {
        return Ok(Reply::empty(StatusCode::NO_CONTENT));
    }
    match (path.as_str(), &method) {
        ("/", &Method::GET) => Ok(Reply::ok("text/html; charset=utf-8", PAGE.as_bytes().to_vec())),
        ("/query" | "/sparql", &Method::GET) => {
            let q = param(&params, "query").ok_or_else(|| Reply::error(StatusCode::BAD_REQUEST, "missing query parameter"))?;
            query(access, opts, req, &q, &params)
        }
        ("/query" | "/sparql", &Method::POST) => {
            let ct = content_type(req);
            let body = body_text(req, MAX_QUERY_BODY)?;
            match ct.as_str() {
                "application/sparql-query" => query(access, opts, req, &body, &params),
                "application/x-www-form-urlencoded" => {
                    let mut all = form(&body);
                    let q = param(&all, "query").ok_or_else(|| Reply::error(StatusCode::BAD_REQUEST, "missing query parameter"))?;
                    all.extend(params);
                    query(access, opts, req, &q, &all)
                }
                other => Err(Reply::error(StatusCode::UNSUPPORTED_MEDIA_TYPE, &format!("POST a query as application/sparql-query or a form, not {other:?}"))),
            }
        }
        ("/update", &Method::POST) => {
            read_only_guard(opts)?;
            let ct = content_type(req);
            let body = body_text(req, MAX_QUERY_BODY)?;
            let u = match ct.as_str() {
                "application/sparql-update" => body,
                "application/x-www-form-urlencoded" => param(&form(&body), "update").ok_or_else(|| Reply::error(StatusCode::BAD_REQUEST, "missing update parameter"))?,
                other => return Err(Reply::error(StatusCode::UNSUPPORTED_MEDIA_TYPE, &format!("POST an update as application/sparql-update or a form, not {other:?}"))),
            };
            let Access::Writable(s, lex) = access else { return Err(Reply::error(StatusCode::FORBIDDEN, "read-only")) };
            // `update` keeps the entities graph right itself.
            crate::query::update(s, &u, lex).map_err(|e| match e {
                QueryError::Syntax(m) => Reply::error(StatusCode::BAD_REQUEST, &format!("SPARQL syntax error: {m}")),
                e => Reply::error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
            })?;
            republish(s);
            Ok(Reply::empty(StatusCode::NO_CONTENT))
        }
        ("/query" | "/sparql" | "/update", _) => Err(Reply::error(StatusCode::METHOD_NOT_ALLOWED, "use GET or POST")),
        ("/store", &Method::GET | &Method::HEAD) => {
            let target = graph_target(&params)?;
            let mut r = graph_get(access, opts, req, target, &params)?;
            if method == Method::HEAD {
                r.body.clear();
            }
            Ok(r)
        }
        ("/store", &Method::PUT | &Method::POST | &Method::DELETE) => {
            read_only_guard(opts)?;
            let target = graph_target(&params)?.ok_or_else(|| Reply::error(StatusCode::BAD_REQUEST, "name a graph: ?graph=IRI or ?default"))?;
            graph_write(access, req, &method, target)
        }
        ("/store", _) => Err(Reply::error(StatusCode::METHOD_NOT_ALLOWED, "use GET, HEAD, PUT, POST or DELETE")),
        _ => Err(Reply::error(StatusCode::NOT_FOUND, "not found: try /, /query, /update or /store")),
    }
}

fn read_only_guard(opts: &ServeOptions) -> Result<(), Reply> {
    if opts.writable {
        Ok(())
    } else {
        Err(Reply::error(StatusCode::FORBIDDEN, "this server is read-only (start it with --writable to allow updates)"))
    }
}

fn param(params: &[(String, String)], name: &str) -> Option<String> {
    params.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
}

/// The graph a Graph Store request names: `Some(graph)`, or `None` for the
/// whole dataset.
fn graph_target(params: &[(String, String)]) -> Result<Option<GraphName>, Reply> {
    if params.iter().any(|(k, _)| k == "default") {
        return Ok(Some(GraphName::DefaultGraph));
    }
    match param(params, "graph") {
        Some(g) => NamedNode::new(g.clone()).map(|n| Some(GraphName::NamedNode(n))).map_err(|e| Reply::error(StatusCode::BAD_REQUEST, &format!("bad graph IRI {g:?}: {e}"))),
        None => Ok(None),
    }
}

/// One entry of an Accept header.
struct Range {
    media: String,
    q: f32,
}

fn accept_ranges(req: &Request<Body>) -> Vec<Range> {
    let raw = req.headers().get(ACCEPT).and_then(|v| v.to_str().ok()).unwrap_or("*/*");
    let mut out: Vec<Range> = raw
        .split(',')
        .filter_map(|part| {
            let mut it = part.split(';');
            let media = it.next()?.trim().to_ascii_lowercase();
            if media.is_empty() {
                return None;
            }
            let q = it.filter_map(|p| p.trim().strip_prefix("q=").and_then(|v| v.parse::<f32>().ok())).next().unwrap_or(1.0);
            Some(Range { media, q })
        })
        .collect();
    // Highest q first; ties keep the client's order.
    out.sort_by(|a, b| b.q.partial_cmp(&a.q).unwrap_or(std::cmp::Ordering::Equal));
    out
}

/// Picks the first of `offered` (media types, server preference first) the
/// client accepts; a `format` parameter (name or media type) wins over Accept.
fn negotiate<'a>(req: &Request<Body>, params: &[(String, String)], offered: &[(&'a str, &'a str)]) -> Result<&'a str, Reply> {
    if let Some(f) = param(params, "format").or_else(|| param(params, "output")) {
        let f = f.to_ascii_lowercase();
        return offered.iter().find(|(name, media)| *name == f || *media == f).map(|(_, m)| *m).ok_or_else(|| {
            Reply::error(StatusCode::NOT_ACCEPTABLE, &format!("format {f:?} not available here; choose one of {}", offered.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")))
        });
    }
    for r in accept_ranges(req) {
        if r.q <= 0.0 {
            continue;
        }
        if r.media == "*/*" {
            return Ok(offered[0].1);
        }
        if let Some(prefix) = r.media.strip_suffix("/*") {
            if let Some((_, m)) = offered.iter().find(|(_, m)| m.starts_with(&format!("{prefix}/"))) {
                return Ok(m);
            }
            continue;
        }
        // Browsers ask for text/html first; they get the JSON results.
        if let Some((_, m)) = offered.iter().find(|(_, m)| *m == r.media) {
            return Ok(m);
        }
    }
    if accept_ranges(req).iter().any(|r| r.media == "text/html" || r.media == "application/xhtml+xml") {
        return Ok(offered[0].1);
    }
    Err(Reply::error(StatusCode::NOT_ACCEPTABLE, &format!("none of the accepted types is available; offered: {}", offered.iter().map(|(_, m)| *m).collect::<Vec<_>>().join(", "))))
}

const RESULTS: &[(&str, &str)] = &[
    ("json", "application/sparql-results+json"),
    ("xml", "application/sparql-results+xml"),
    ("csv", "text/csv"),
    ("tsv", "text/tab-separated-values"),
    ("json", "application/json"),
];

const GRAPHS: &[(&str, &str)] = &[
    ("turtle", "text/turtle"),
    ("ntriples", "application/n-triples"),
    ("rdfxml", "application/rdf+xml"),
    ("jsonld", "application/ld+json"),
    ("nquads", "application/n-quads"),
    ("trig", "application/trig"),
    ("ntriples", "text/plain"),
];

const DATASETS: &[(&str, &str)] = &[("trig", "application/trig"), ("nquads", "application/n-quads"), ("jsonld", "application/ld+json")];

fn results_format(media: &str) -> QueryResultsFormat {
    match media {
        "application/sparql-results+xml" => QueryResultsFormat::Xml,
        "text/csv" => QueryResultsFormat::Csv,
        "text/tab-separated-values" => QueryResultsFormat::Tsv,
        _ => QueryResultsFormat::Json,
    }
}

fn rdf_format(media: &str) -> RdfFormat {
    if media == "text/plain" {
        return RdfFormat::NTriples;
    }
    RdfFormat::from_media_type(media).unwrap_or(RdfFormat::Turtle)
}

fn too_many(opts: &ServeOptions) -> Reply {
    Reply::error(StatusCode::BAD_REQUEST, &format!("the answer has more than {} results (the server's cap, --max-results): add a LIMIT", opts.max_results))
}

/// Runs `work` on its own thread and waits at most the server's timeout.
/// A query Oxigraph does not cancel in time keeps its thread until it ends,
/// but the client gets its 503 on time.
fn with_timeout<T: Send + 'static>(opts: &ServeOptions, token: CancellationToken, work: impl FnOnce() -> Result<T, Reply> + Send + 'static) -> Result<T, Reply> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(work());
    });
    match rx.recv_timeout(opts.timeout) {
        Ok(r) => r,
        Err(_) => {
            token.cancel();
            Err(Reply::error(StatusCode::SERVICE_UNAVAILABLE, &format!("query timed out after {} s (the server's --timeout)", opts.timeout.as_secs_f64())))
        }
    }
}

fn query(access: &Access, opts: &ServeOptions, req: &Request<Body>, q: &str, params: &[(String, String)]) -> Result<Reply, Reply> {
    let token = CancellationToken::new();
    let mut prepared = SparqlEvaluator::new()
        .with_cancellation_token(token.clone())
        .parse_query(q)
        .map_err(|e| Reply::error(StatusCode::BAD_REQUEST, &format!("SPARQL syntax error: {e}")))?;
    // The protocol's dataset parameters; without them, as on the command
    // line, the default graph is the union of all graphs.
    let named = |k: &str| -> Result<Vec<NamedNode>, Reply> {
        params.iter().filter(|(n, _)| n == k).map(|(_, v)| NamedNode::new(v.clone()).map_err(|e| Reply::error(StatusCode::BAD_REQUEST, &format!("bad {k} {v:?}: {e}")))).collect()
    };
    let (default, named_graphs) = (named("default-graph-uri")?, named("named-graph-uri")?);
    if !default.is_empty() || !named_graphs.is_empty() {
        prepared.dataset_mut().set_default_graph(default.into_iter().map(GraphName::NamedNode).collect());
        prepared.dataset_mut().set_available_named_graphs(named_graphs.into_iter().map(NamedOrBlankNode::NamedNode).collect());
    } else if prepared.dataset().is_default_dataset() {
        prepared.dataset_mut().set_default_graph_as_union();
    }
    // The kind of answer is known from the query text: negotiate before running.
    let kind = query_kind(q);
    let media = negotiate(req, params, if kind == Kind::Graph { GRAPHS } else { RESULTS })?;
    let media = media.to_string();
    let cap = opts.max_results;
    let o = opts.clone();
    let wtoken = token.clone();
    let run = move |store: &KgStore| -> Result<Reply, Reply> {
        // The time limit on the worker's side too (a writable server has no
        // other), and the memory limit: the process's, shared by all queries.
        let watchdog = Watchdog::start(wtoken, Limits::new(Some(o.timeout), o.max_memory));
        let eval = |e: oxigraph::sparql::QueryEvaluationError| match watchdog.fired() {
            Some(Fired::Timeout) => Reply::error(StatusCode::SERVICE_UNAVAILABLE, &format!("query timed out after {} s (the server's --timeout)", o.timeout.as_secs_f64())),
            Some(Fired::Memory) => Reply::error(
                StatusCode::SERVICE_UNAVAILABLE,
                &format!("query stopped: the server reached its memory limit ({} MB, --max-memory) while it ran; narrow it (FILTER, LIMIT, a smaller GROUP BY)", o.max_memory.unwrap_or(0) >> 20),
            ),
            None => Reply::error(StatusCode::INTERNAL_SERVER_ERROR, &format!("query failed: {e}")),
        };
        // Oxigraph's sort can panic once a query is cancelled (see `query::guarded`).
        let answer = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| -> Result<Reply, Reply> {
            let mut body = Vec::new();
            let ct = match prepared.on_store(&store.store).execute().map_err(eval)? {
                QueryResults::Solutions(solutions) => {
                    let f = results_format(&media);
                    let mut w = QueryResultsSerializer::from_format(f).serialize_solutions_to_writer(&mut body, solutions.variables().to_vec()).map_err(io)?;
                    for (n, s) in solutions.enumerate() {
                        if n >= cap {
                            return Err(too_many(&o));
                        }
                        w.serialize(&s.map_err(eval)?).map_err(io)?;
                    }
                    w.finish().map_err(io)?;
                    media.clone()
                }
                QueryResults::Boolean(b) => {
                    // CSV and TSV have no boolean form: answer JSON then.
                    let f = match results_format(&media) {
                        QueryResultsFormat::Csv | QueryResultsFormat::Tsv => QueryResultsFormat::Json,
                        f => f,
                    };
                    QueryResultsSerializer::from_format(f).serialize_boolean_to_writer(&mut body, b).map_err(io)?;
                    f.media_type().to_string()
                }
                QueryResults::Graph(triples) => {
                    let f = rdf_format(&media);
                    let mut w = crate::query::with_prefixes(RdfSerializer::from_format(f)).for_writer(&mut body);
                    for (n, t) in triples.enumerate() {
                        if n >= cap {
                            return Err(too_many(&o));
                        }
                        w.serialize_triple(&t.map_err(eval)?).map_err(io)?;
                    }
                    w.finish().map_err(io)?;
                    f.media_type().to_string()
                }
            };
            Ok(Reply::ok(&ct, body))
        }));
        match answer {
            Ok(r) => r,
            Err(panic) if watchdog.fired().is_some() => {
                drop(panic);
                Err(eval(oxigraph::sparql::QueryEvaluationError::Cancelled))
            }
            Err(panic) => std::panic::resume_unwind(panic),
        }
    };
    match access {
        Access::ReadOnly(path) => {
            let path = path.clone();
            with_timeout(opts, token, move || run(&open_read(&path)?))
        }
        // A writable server's store is borrowed, not owned by the worker: run
        // here, with Oxigraph's cancellation (by the watchdog) as the only limit.
        Access::Writable(s, _) => run(s),
    }
}

fn io(e: std::io::Error) -> Reply {
    Reply::error(StatusCode::INTERNAL_SERVER_ERROR, &format!("writing the answer: {e}"))
}

#[derive(Debug, PartialEq, Eq, Clone, Copy)]
enum Kind {
    Results,
    Graph,
}

/// SELECT/ASK give results, CONSTRUCT/DESCRIBE graphs: the first of those
/// keywords after the prologue (PREFIX/BASE, comments, IRIs) decides.
fn query_kind(q: &str) -> Kind {
    let mut rest = q;
    loop {
        rest = rest.trim_start();
        if rest.starts_with('#') {
            rest = rest.split_once('\n').map_or("", |x| x.1);
            continue;
        }
        let word: String = rest.chars().take_while(|c| c.is_ascii_alphabetic()).collect::<String>().to_ascii_uppercase();
        match word.as_str() {
            "CONSTRUCT" | "DESCRIBE" => return Kind::Graph,
            "SELECT" | "ASK" | "" => return Kind::Results,
            // PREFIX p: <iri> / BASE <iri>: skip to after the IRI.
            _ => match rest.find('>') {
                Some(i) => rest = &rest[i + 1..],
                None => return Kind::Results,
            },
        }
    }
}

fn graph_get(access: &Access, opts: &ServeOptions, req: &Request<Body>, target: Option<GraphName>, params: &[(String, String)]) -> Result<Reply, Reply> {
    let media = match &target {
        Some(_) => negotiate(req, params, GRAPHS)?,
        None => negotiate(req, params, DATASETS)?,
    };
    let f = rdf_format(media);
    access.with(|s| {
        let mut body = Vec::new();
        let mut w = crate::query::with_prefixes(RdfSerializer::from_format(f)).for_writer(&mut body);
        let graph_ref = target.as_ref().map(|g| g.as_ref());
        if let Some(GraphNameRef::NamedNode(n)) = graph_ref {
            if !s.store.contains_named_graph(n).map_err(|e| Reply::error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()))? {
                return Err(Reply::error(StatusCode::NOT_FOUND, &format!("no graph <{}> in this store", n.as_str())));
            }
        }
        for (n, q) in s.store.quads_for_pattern(None, None, None, graph_ref).enumerate() {
            if n >= opts.max_results.max(1) && target.is_none() {
                return Err(too_many(opts));
            }
            let q = q.map_err(|e| Reply::error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()))?;
            if target.is_some() {
                w.serialize_triple(q.as_ref()).map_err(io)?;
            } else {
                w.serialize_quad(&q).map_err(io)?;
            }
        }
        w.finish().map_err(io)?;
        Ok(Reply::ok(f.media_type(), body))
    })
}

fn graph_write(access: &Access, req: &mut Request<Body>, method: &Method, target: GraphName) -> Result<Reply, Reply> {
    let Access::Writable(s, lex) = access else { return Err(Reply::error(StatusCode::FORBIDDEN, "read-only")) };
    before_write(s)?;
    let r = graph_write_in(s, req, method, target);
    after_write(s, lex)?;
    r
}

/// Marks the entities graph stale before a write that may take something
/// from it (see `entities.rs`).
fn before_write(s: &KgStore) -> Result<(), Reply> {
    crate::entities::mark_stale(s).map_err(|e| Reply::error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()))
}

/// After a write: the entities graph rebuilt, and a snapshot for command-line readers.
fn after_write(s: &KgStore, lex: &Lexicon) -> Result<(), Reply> {
    crate::entities::refresh(s, lex).map_err(|e| Reply::error(StatusCode::INTERNAL_SERVER_ERROR, &format!("the write went through, but the entities graph could not be rebuilt: {e}")))?;
    republish(s);
    Ok(())
}

fn graph_write_in(s: &KgStore, req: &mut Request<Body>, method: &Method, target: GraphName) -> Result<Reply, Reply> {
    let existed = match &target {
        GraphName::NamedNode(n) => s.store.contains_named_graph(n).unwrap_or(false),
        _ => true,
    };
    if *method == Method::DELETE {
        let r = match &target {
            GraphName::NamedNode(n) => s.store.remove_named_graph(n),
            g => s.store.clear_graph(g.as_ref()),
        };
        r.map_err(|e| Reply::error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()))?;
        return Ok(Reply::empty(if existed { StatusCode::NO_CONTENT } else { StatusCode::NOT_FOUND }));
    }
    let ct = content_type(req);
    let format = RdfFormat::from_media_type(&ct).ok_or_else(|| Reply::error(StatusCode::UNSUPPORTED_MEDIA_TYPE, &format!("unknown RDF media type {ct:?}")))?;
    let body = body_text(req, MAX_GRAPH_BODY)?;
    let mut quads = Vec::new();
    for t in RdfParser::from_format(format).for_slice(body.as_bytes()) {
        let t = t.map_err(|e| Reply::error(StatusCode::BAD_REQUEST, &format!("parsing the graph: {e}")))?;
        quads.push(Quad::new(t.subject, t.predicate, t.object, target.clone()));
    }
    let mut tx = s.store.start_transaction().map_err(|e| Reply::error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()))?;
    if *method == Method::PUT {
        tx.clear_graph(target.as_ref()).map_err(|e| Reply::error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()))?;
    }
    for q in &quads {
        tx.insert(q);
    }
    tx.commit().map_err(|e| Reply::error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()))?;
    Ok(Reply::empty(if existed { StatusCode::NO_CONTENT } else { StatusCode::CREATED }))
}

/// After a write, command-line readers should see it: refresh the snapshot
/// they read while this server holds the lock. A failure only leaves them
/// the previous snapshot, so it is reported, not returned.
fn republish(s: &KgStore) {
    if let Err(e) = s.publish_snapshot() {
        eprintln!("newskg: warning: snapshot for readers not refreshed: {e}");
    }
}

const PAGE: &str = include_str!("serve_page.html");

#[cfg(test)]
mod tests {
    use super::*;

    fn req(accept: &str) -> Request<Body> {
        Request::builder().header(ACCEPT, accept).body(Body::empty()).unwrap()
    }

    #[test]
    fn content_negotiation_follows_q_values_and_wildcards() {
        assert_eq!(negotiate(&req("*/*"), &[], RESULTS).ok(), Some("application/sparql-results+json"));
        assert_eq!(negotiate(&req("text/csv;q=0.5, application/sparql-results+xml"), &[], RESULTS).ok(), Some("application/sparql-results+xml"));
        assert_eq!(negotiate(&req("application/n-triples;q=0.9, text/turtle;q=0.1"), &[], GRAPHS).ok(), Some("application/n-triples"));
        assert_eq!(negotiate(&req("text/*"), &[], RESULTS).ok(), Some("text/csv"));
        assert_eq!(negotiate(&req("text/html,application/xhtml+xml,*/*;q=0.8"), &[], RESULTS).ok(), Some("application/sparql-results+json"));
        assert!(negotiate(&req("image/png"), &[], RESULTS).is_err());
        let p = vec![("format".to_string(), "tsv".to_string())];
        assert_eq!(negotiate(&req("application/sparql-results+xml"), &p, RESULTS).ok(), Some("text/tab-separated-values"));
    }

    #[test]
    fn query_kinds_skip_the_prologue() {
        assert_eq!(query_kind("PREFIX a: <http://x/#> # c\nCONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"), Kind::Graph);
        assert_eq!(query_kind("# SELECT in a comment\nDESCRIBE <http://x>"), Kind::Graph);
        assert_eq!(query_kind("base <http://x/> prefix : <y> select * {}"), Kind::Results);
        assert_eq!(query_kind("ASK {}"), Kind::Results);
    }

    #[test]
    fn graph_targets() {
        assert!(matches!(graph_target(&[("default".into(), "".into())]), Ok(Some(GraphName::DefaultGraph))));
        assert!(matches!(graph_target(&[]), Ok(None)));
        assert!(graph_target(&[("graph".into(), "not an iri".into())]).is_err());
    }
}
