//! `newskg push`: copies the store's graphs to any SPARQL 1.1 Graph Store
//! Protocol endpoint (Fuseki, GraphDB, Virtuoso, Oxigraph server, …), one
//! `PUT` per graph so that pushing again replaces rather than duplicates.
//! Sent: the ontology graph, the entities graph (every entity's classes and
//! labels, once: `entities.rs`), and each document's graph, as the store
//! holds them.

use crate::error::StoreError;
use crate::rdf::{GRAPH, ONTOLOGY_GRAPH};
use crate::store::KgStore;
use oxhttp::model::header::{AUTHORIZATION, CONTENT_TYPE};
use oxhttp::model::{Body, Method, Request, StatusCode};
use oxigraph::io::{RdfFormat, RdfSerializer};
use oxigraph::model::{GraphNameRef, NamedNode, NamedOrBlankNode, Triple};
use std::collections::BTreeSet;
use std::io::Read;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use thiserror::Error;

pub use crate::entities::ENTITIES_GRAPH;

#[derive(Debug, Error)]
pub enum PushError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("bad URL {0:?}: {1}")]
    Url(String, String),
    #[error("{url}: gave up after {attempts} attempts: {last}")]
    Unreachable { url: String, attempts: u32, last: String },
    #[error("environment variable {0} is not set (it should hold the credentials: a token, or user:password)")]
    MissingCredentials(String),
}

/// Push settings.
#[derive(Debug, Clone)]
pub struct PushOptions {
    pub store: PathBuf,
    /// The SPARQL query endpoint, used to check what arrived.
    pub endpoint: String,
    /// The Graph Store Protocol endpoint; derived from `endpoint` when absent.
    pub graph_store: Option<String>,
    /// The value of the Authorization header, if any.
    pub authorization: Option<String>,
    /// Attempts per request after the first, on connection errors and 5xx.
    pub retries: u32,
    /// First wait between attempts; doubled each time.
    pub backoff: Duration,
    pub timeout: Duration,
}

/// What a push did.
#[derive(Debug, Default)]
pub struct PushReport {
    pub graph_store: String,
    pub graphs: usize,
    pub triples: usize,
    pub bytes: usize,
    /// Requests that succeeded only after a retry.
    pub retried: usize,
    /// Graphs the endpoint refused (4xx), with its answer.
    pub refused: Vec<String>,
    /// Triples in newskg's graphs on the endpoint afterwards, when it answered.
    pub remote_triples: Option<usize>,
    pub seconds: f64,
}

/// The Authorization header for an environment variable's value: a full
/// header value ("Bearer …", "Basic …") as is, "user:password" as Basic, and
/// anything else as a bearer token.
pub fn authorization_from(value: &str) -> String {
    let v = value.trim();
    let lower = v.to_ascii_lowercase();
    if lower.starts_with("bearer ") || lower.starts_with("basic ") {
        v.to_string()
    } else if v.contains(':') && !v.contains(' ') {
        use base64::Engine;
        format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(v))
    } else {
        format!("Bearer {v}")
    }
}

/// Reads credentials from the environment variable `var`.
pub fn authorization_from_env(var: &str) -> Result<String, PushError> {
    std::env::var(var).map(|v| authorization_from(&v)).map_err(|_| PushError::MissingCredentials(var.to_string()))
}

/// The Graph Store URL for a SPARQL endpoint: Oxigraph's `/query` and
/// Fuseki's `/sparql` or `/query` sit beside `/store` and `/data`; any other
/// endpoint is taken to accept the Graph Store Protocol itself.
pub fn derive_graph_store(endpoint: &str) -> String {
    if let Some(base) = endpoint.strip_suffix("/query") {
        return format!("{base}/store");
    }
    if let Some(base) = endpoint.strip_suffix("/sparql") {
        return format!("{base}/data");
    }
    endpoint.to_string()
}

fn graph_url(gsp: &str, graph: &str) -> String {
    let enc: String = url::form_urlencoded::byte_serialize(graph.as_bytes()).collect();
    format!("{gsp}{}graph={enc}", if gsp.contains('?') { '&' } else { '?' })
}

struct Http<'a> {
    client: oxhttp::Client,
    opts: &'a PushOptions,
    retried: usize,
}

impl Http<'_> {
    /// Sends a request, retrying connection errors, 5xx and 429 with
    /// exponential backoff. Returns the final status and body.
    fn send(&mut self, method: Method, url: &str, content_type: &str, body: &[u8]) -> Result<(StatusCode, String), PushError> {
        let mut wait = self.opts.backoff;
        let mut last = String::new();
        for attempt in 0..=self.opts.retries {
            if attempt > 0 {
                std::thread::sleep(wait);
                wait = wait.saturating_mul(2);
            }
            let mut b = Request::builder().method(method.clone()).uri(url);
            if !content_type.is_empty() {
                b = b.header(CONTENT_TYPE, content_type);
            }
            if let Some(a) = &self.opts.authorization {
                b = b.header(AUTHORIZATION, a.as_str());
            }
            let req = b.body(Body::from(body.to_vec())).map_err(|e| PushError::Url(url.to_string(), e.to_string()))?;
            match self.client.request(req) {
                Ok(mut resp) => {
                    let status = resp.status();
                    let mut text = String::new();
                    let _ = resp.body_mut().take(64 * 1024).read_to_string(&mut text);
                    if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
                        last = format!("HTTP {status}: {}", text.trim());
                        continue;
                    }
                    if attempt > 0 {
                        self.retried += 1;
                    }
                    return Ok((status, text));
                }
                Err(e) => last = e.to_string(),
            }
        }
        Err(PushError::Unreachable { url: url.to_string(), attempts: self.opts.retries + 1, last })
    }
}

/// The graphs to send, in a stable order: ontology, entities, documents.
fn graph_names(store: &KgStore) -> Result<Vec<NamedNode>, StoreError> {
    let mut docs = BTreeSet::new();
    for g in store.store.named_graphs() {
        if let NamedOrBlankNode::NamedNode(n) = g? {
            if n.as_str() != ONTOLOGY_GRAPH && n.as_str() != ENTITIES_GRAPH && n.as_str().starts_with(GRAPH) {
                docs.insert(n);
            }
        }
    }
    let mut out = vec![NamedNode::new_unchecked(ONTOLOGY_GRAPH), NamedNode::new_unchecked(ENTITIES_GRAPH)];
    out.extend(docs);
    Ok(out)
}

fn ntriples(triples: impl Iterator<Item = Triple>) -> (Vec<u8>, usize) {
    let mut w = RdfSerializer::from_format(RdfFormat::NTriples).for_writer(Vec::new());
    let mut n = 0;
    for t in triples {
        // Writing to a Vec cannot fail.
        let _ = w.serialize_triple(&t);
        n += 1;
    }
    (w.finish().unwrap_or_default(), n)
}

/// One graph of the store as N-Triples.
fn graph_body(store: &KgStore, g: &NamedNode) -> Result<(Vec<u8>, usize), StoreError> {
    let triples = store.store.quads_for_pattern(None, None, None, Some(GraphNameRef::NamedNode(g.as_ref()))).map(|q| q.map(Triple::from)).collect::<Result<Vec<_>, _>>()?;
    Ok(ntriples(triples.into_iter()))
}

/// Pushes every graph. Refusals (4xx) are reported per graph and the push
/// goes on; an endpoint that stays unreachable stops it with an error.
pub fn push(opts: &PushOptions, mut progress: impl FnMut(&str)) -> Result<PushReport, PushError> {
    let t0 = Instant::now();
    let gsp = opts.graph_store.clone().unwrap_or_else(|| derive_graph_store(&opts.endpoint));
    for u in [&gsp, &opts.endpoint] {
        if !(u.starts_with("http://") || u.starts_with("https://")) {
            return Err(PushError::Url(u.clone(), "only http:// and https:// URLs".into()));
        }
    }
    let store = KgStore::open_read(&opts.store)?;
    let mut http = Http { client: oxhttp::Client::new().with_global_timeout(opts.timeout), opts, retried: 0 };
    let mut report = PushReport { graph_store: gsp.clone(), ..Default::default() };
    let send = |http: &mut Http<'_>, report: &mut PushReport, name: &str, (body, n): (Vec<u8>, usize)| -> Result<(), PushError> {
        let (status, text) = http.send(Method::PUT, &graph_url(&gsp, name), "application/n-triples", &body)?;
        if status.is_success() {
            report.graphs += 1;
            report.triples += n;
            report.bytes += body.len();
        } else {
            report.refused.push(format!("<{name}>: HTTP {status}: {}", text.trim()));
        }
        Ok(())
    };
    // The ontology first, then the entities, then the documents (the order
    // of a reader who wants classes before instances).
    for g in graph_names(&store)? {
        progress(g.as_str());
        send(&mut http, &mut report, g.as_str(), graph_body(&store, &g)?)?;
    }
    report.retried = http.retried;
    report.remote_triples = remote_count(&mut http, &opts.endpoint);
    report.seconds = t0.elapsed().as_secs_f64();
    Ok(report)
}

/// Asks the endpoint how many triples its newskg graphs hold (None when it
/// does not answer a SPARQL query with JSON results).
fn remote_count(http: &mut Http<'_>, endpoint: &str) -> Option<usize> {
    let q = format!("SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), \"{GRAPH}\")) }}");
    let body: String = url::form_urlencoded::Serializer::new(String::new()).append_pair("query", &q).finish();
    let mut b = Request::builder().method(Method::POST).uri(endpoint).header(CONTENT_TYPE, "application/x-www-form-urlencoded").header("Accept", "application/sparql-results+json");
    if let Some(a) = &http.opts.authorization {
        b = b.header(AUTHORIZATION, a.as_str());
    }
    let mut resp = http.client.request(b.body(Body::from(body)).ok()?).ok()?;
    if !resp.status().is_success() {
        return None;
    }
    let mut text = String::new();
    resp.body_mut().read_to_string(&mut text).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    v["results"]["bindings"][0]["n"]["value"].as_str()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_become_authorization_headers() {
        assert_eq!(authorization_from("alice:s3cret"), "Basic YWxpY2U6czNjcmV0");
        assert_eq!(authorization_from("abc.def.ghi"), "Bearer abc.def.ghi");
        assert_eq!(authorization_from("Bearer xyz"), "Bearer xyz");
        assert_eq!(authorization_from("Basic Zm9vOmJhcg==\n"), "Basic Zm9vOmJhcg==");
    }

    #[test]
    fn graph_store_urls() {
        assert_eq!(derive_graph_store("http://localhost:7878/query"), "http://localhost:7878/store");
        assert_eq!(derive_graph_store("http://localhost:3030/ds/sparql"), "http://localhost:3030/ds/data");
        assert_eq!(derive_graph_store("http://h/repositories/news/statements"), "http://h/repositories/news/statements");
        assert_eq!(graph_url("http://h/store", "https://newskg.org/graph/a b"), "http://h/store?graph=https%3A%2F%2Fnewskg.org%2Fgraph%2Fa+b");
        assert_eq!(graph_url("http://h/x?ds=1", "g"), "http://h/x?ds=1&graph=g");
    }
}
