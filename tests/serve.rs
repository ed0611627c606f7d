//! `newskg serve` answered by independent clients (curl, Python's rdflib),
//! and `newskg push` into a real Oxigraph server (`oxigraph serve`, from the
//! oxigraph-cli crate, which `.ci/run` installs).

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_newskg"))
}

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")
}

fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("command runs")
}

fn built_store(dir: &Path, inputs: &Path) -> PathBuf {
    let store = dir.join("store");
    let o = run(bin().args(["build", "-q", "--no-dump", "--store", store.to_str().unwrap(), inputs.to_str().unwrap()]));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    store
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A child process killed when the test ends, passed or not.
struct Guard(Child);
impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn wait_for_port(port: u16, child: &mut Child) {
    let t = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(child.try_wait().unwrap().is_none(), "the server exited before listening");
        assert!(t.elapsed() < Duration::from_secs(30), "the server did not listen on {port}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn newskg_serve(store: &Path, extra: &[&str]) -> (Guard, String) {
    let port = free_port();
    let mut child = bin().args(["serve", "--store", store.to_str().unwrap(), "--bind", &format!("127.0.0.1:{port}")]).args(extra).stderr(Stdio::null()).spawn().unwrap();
    wait_for_port(port, &mut child);
    (Guard(child), format!("http://127.0.0.1:{port}"))
}

fn oxigraph_bin() -> PathBuf {
    let candidates = [which("oxigraph"), std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo/bin/oxigraph"))];
    candidates.into_iter().flatten().find(|p| p.is_file()).expect("the Oxigraph server is needed: scripts/setup.sh test installs it (pip install oxigraph)")
}

fn which(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| std::env::split_paths(&paths).map(|p| p.join(name)).find(|p| p.is_file()))
}

fn oxigraph_serve(location: &Path, port: u16) -> Guard {
    let mut child = Command::new(oxigraph_bin()).args(["serve", "--location", location.to_str().unwrap(), "--bind", &format!("127.0.0.1:{port}")]).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    wait_for_port(port, &mut child);
    Guard(child)
}

/// An HTTP exchange through curl: (status, content type, body, response headers).
struct Answer {
    status: u16,
    content_type: String,
    body: String,
    headers: String,
}

fn curl(method: &str, url: &str, headers: &[&str], body: Option<&str>) -> Answer {
    let dir = tempfile::tempdir().unwrap();
    let head = dir.path().join("h");
    let mut c = Command::new("curl");
    c.args(["-s", "-S", "-X", method, "-D", head.to_str().unwrap(), "-o", "-", "-w", "\n%{http_code} %{content_type}", url]);
    if method == "HEAD" {
        c.arg("-I");
    }
    for h in headers {
        c.args(["-H", h]);
    }
    if body.is_some() {
        c.args(["--data-binary", "@-"]);
    }
    let mut child = c.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("curl is installed");
    if let Some(b) = body {
        child.stdin.take().unwrap().write_all(b.as_bytes()).unwrap();
    } else {
        drop(child.stdin.take());
    }
    let o = child.wait_with_output().unwrap();
    let out = String::from_utf8_lossy(&o.stdout).to_string();
    let (body, last) = out.rsplit_once('\n').unwrap_or(("", &out));
    let (code, ct) = last.split_once(' ').unwrap_or((last, ""));
    Answer { status: code.parse().unwrap_or(0), content_type: ct.to_string(), body: body.to_string(), headers: std::fs::read_to_string(&head).unwrap_or_default() }
}

fn enc(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

/// A count from the command line, the yardstick for the servers.
fn local_count(store: &Path, q: &str) -> usize {
    let o = run(bin().args(["query", "--store", store.to_str().unwrap(), "--format", "tsv", "-e", q]));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).lines().nth(1).unwrap().split('^').next().unwrap().trim_matches('"').parse().unwrap()
}

fn json_count(body: &str) -> usize {
    let v: serde_json::Value = serde_json::from_str(body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"));
    v["results"]["bindings"][0]["n"]["value"].as_str().unwrap().parse().unwrap()
}

fn python(script: &str, args: &[&str]) -> String {
    let o = run(Command::new("python3").arg("-c").arg(script).args(args));
    assert!(o.status.success(), "python: {}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).trim().to_string()
}

const COUNT_ALL: &str = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }";
const TYPES: &str = "CONSTRUCT { ?s a ?c } WHERE { GRAPH ?g { ?s a ?c } }";

#[test]
fn serve_answers_curl_and_rdflib_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let store = built_store(dir.path(), &corpus());
    let expected = local_count(&store, COUNT_ALL);
    let typed = local_count(&store, "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?c WHERE { GRAPH ?g { ?s a ?c } } }");
    let (_server, base) = newskg_serve(&store, &["--max-results", "1500"]);
    let q = format!("{base}/query?query={}", enc(COUNT_ALL));

    // SELECT: JSON by default, then each results format by Accept.
    let a = curl("GET", &q, &[], None);
    assert_eq!((a.status, a.content_type.as_str()), (200, "application/sparql-results+json"), "{}", a.body);
    assert_eq!(json_count(&a.body), expected);
    assert!(a.headers.to_ascii_lowercase().contains("access-control-allow-origin: *"), "{}", a.headers);
    let a = curl("GET", &q, &["Accept: application/sparql-results+xml"], None);
    assert!(a.content_type.starts_with("application/sparql-results+xml") && a.body.contains(&format!(">{expected}</literal>")), "{}", a.body);
    let a = curl("GET", &q, &["Accept: text/csv"], None);
    assert!(a.content_type.starts_with("text/csv") && a.body.lines().nth(1) == Some(&expected.to_string()), "{}", a.body);
    let a = curl("GET", &q, &["Accept: text/tab-separated-values"], None);
    assert!(a.content_type.starts_with("text/tab-separated-values") && a.body.contains(&expected.to_string()), "{}", a.body);
    // POST, both ways the protocol allows.
    let a = curl("POST", &format!("{base}/query"), &["Content-Type: application/sparql-query"], Some(COUNT_ALL));
    assert_eq!(json_count(&a.body), expected);
    let a = curl("POST", &format!("{base}/query"), &["Content-Type: application/x-www-form-urlencoded"], Some(&format!("query={}", enc(COUNT_ALL))));
    assert_eq!(json_count(&a.body), expected);

    // CONSTRUCT in each graph format, parsed by rdflib.
    for (accept, rdflib_format) in [("text/turtle", "turtle"), ("application/n-triples", "nt"), ("application/rdf+xml", "xml"), ("application/ld+json", "json-ld")] {
        let a = curl("GET", &format!("{base}/query?query={}", enc(TYPES)), &[&format!("Accept: {accept}")], None);
        assert_eq!(a.status, 200, "{accept}: {}", a.body);
        assert!(a.content_type.starts_with(accept), "{accept}: got {}", a.content_type);
        let f = dir.path().join("g");
        std::fs::write(&f, &a.body).unwrap();
        let n = python("import rdflib,sys; g=rdflib.Graph(); g.parse(sys.argv[1], format=sys.argv[2]); print(len(g))", &[f.to_str().unwrap(), rdflib_format]);
        assert_eq!(n.parse::<usize>().unwrap(), typed, "{accept}");
    }

    // ASK in JSON and XML.
    let ask = enc("ASK { GRAPH ?g { ?s a <https://newskg.org/ontology#Person> } }");
    let a = curl("GET", &format!("{base}/query?query={ask}"), &[], None);
    assert!(a.body.contains("\"boolean\":true"), "{}", a.body);
    let a = curl("GET", &format!("{base}/query?query={ask}"), &["Accept: application/sparql-results+xml"], None);
    assert!(a.body.contains("<boolean>true</boolean>"), "{}", a.body);

    // rdflib's SPARQL store: a client that speaks the protocol on its own.
    let script = r#"
import sys
from rdflib import Graph
from rdflib.plugins.stores.sparqlstore import SPARQLStore
g = Graph(store=SPARQLStore(sys.argv[1]))
n = list(g.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"))[0][0]
ask = g.query("ASK { GRAPH ?g { ?s a <https://newskg.org/ontology#Country> } }").askAnswer
c = len(g.query("CONSTRUCT { ?s a ?c } WHERE { GRAPH ?g { ?s a ?c } }").graph)
print(int(n), ask, c)
"#;
    assert_eq!(python(script, &[&format!("{base}/query")]), format!("{expected} True {typed}"));

    // Graph Store Protocol: a document's graph, and the whole dataset.
    let graph = "https://newskg.org/graph/001_aa93a49af91dcb56.txt";
    let in_graph = local_count(&store, &format!("SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"));
    let a = curl("GET", &format!("{base}/store?graph={}", enc(graph)), &["Accept: application/n-triples"], None);
    assert_eq!(a.status, 200);
    assert_eq!(a.body.lines().filter(|l| !l.is_empty()).count(), in_graph);
    let a = curl("HEAD", &format!("{base}/store?graph={}", enc(graph)), &[], None);
    assert_eq!(a.status, 200);
    assert_eq!(curl("GET", &format!("{base}/store?graph={}", enc("https://newskg.org/graph/none")), &[], None).status, 404);

    // Refusals: updates on a read-only server, bad queries, unknown formats, oversized answers.
    let a = curl("POST", &format!("{base}/update"), &["Content-Type: application/sparql-update"], Some("INSERT DATA { <http://x> <http://y> <http://z> }"));
    assert_eq!(a.status, 403, "{}", a.body);
    assert!(a.body.contains("read-only"));
    let a = curl("PUT", &format!("{base}/store?graph=http%3A%2F%2Fx"), &["Content-Type: application/n-triples"], Some("<http://x> <http://y> <http://z> .\n"));
    assert_eq!(a.status, 403);
    assert_eq!(local_count(&store, COUNT_ALL), expected, "a refused write changed the store");
    let a = curl("GET", &format!("{base}/query?query={}", enc("SELECT WHERE {")), &[], None);
    assert_eq!(a.status, 400);
    assert!(a.body.contains("SPARQL syntax error"), "{}", a.body);
    assert_eq!(curl("GET", &q, &["Accept: image/png"], None).status, 406);
    let a = curl("GET", &format!("{base}/query?query={}", enc("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }")), &[], None);
    assert_eq!(a.status, 400);
    assert!(a.body.contains("LIMIT"), "{}", a.body);

    // CORS preflight, and the page with the query box.
    let a = curl("OPTIONS", &format!("{base}/query"), &["Origin: http://example.org", "Access-Control-Request-Method: POST"], None);
    assert_eq!(a.status, 204);
    // oxhttp drops Access-Control-Allow-Methods; browsers then allow the simple methods
    // (GET, HEAD, POST), which is all a SPARQL client needs, given Content-Type is allowed.
    let h = a.headers.to_ascii_lowercase();
    assert!(h.contains("access-control-allow-origin: *") && h.contains("access-control-allow-headers: accept, authorization, content-type"), "{}", a.headers);
    let a = curl("GET", &format!("{base}/"), &[], None);
    assert!(a.content_type.starts_with("text/html") && a.body.contains("<textarea"));
}

#[test]
fn a_slow_query_times_out_and_the_server_lives_on() {
    let dir = tempfile::tempdir().unwrap();
    let store = built_store(dir.path(), &corpus());
    let (_server, base) = newskg_serve(&store, &["--timeout", "1"]);
    let t = Instant::now();
    let slow = enc("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }");
    let a = curl("GET", &format!("{base}/query?query={slow}"), &[], None);
    assert_eq!(a.status, 503, "{}", a.body);
    assert!(a.body.contains("timed out"));
    assert!(t.elapsed() < Duration::from_secs(20));
    assert_eq!(curl("GET", &format!("{base}/query?query={}", enc("ASK {}")), &[], None).status, 200);
}

#[test]
fn a_query_past_the_memory_limit_gets_503_and_the_server_lives_on() {
    let dir = tempfile::tempdir().unwrap();
    let store = built_store(dir.path(), &corpus());
    let (_server, base) = newskg_serve(&store, &["--max-memory", "300M"]);
    // A cross product sorted in memory: millions of rows on the corpus.
    let big = enc("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f");
    let a = curl("GET", &format!("{base}/query?query={big}"), &[], None);
    assert_eq!(a.status, 503, "{}", a.body);
    assert!(a.body.contains("memory limit") && a.body.contains("300 MB"), "{}", a.body);
    // The memory is given back: the next queries run.
    let a = curl("GET", &format!("{base}/query?query={}", enc(COUNT_ALL)), &[], None);
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(json_count(&a.body), local_count(&store, COUNT_ALL));
}

#[test]
fn a_writable_server_takes_updates_and_keeps_builds_out() {
    let dir = tempfile::tempdir().unwrap();
    let store = built_store(dir.path(), &corpus());
    let (server, base) = newskg_serve(&store, &["--writable"]);
    let a = curl("POST", &format!("{base}/update"), &["Content-Type: application/sparql-update"], Some("INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/a> <http://example.org/b> \"c\" } }"));
    assert_eq!(a.status, 204, "{}", a.body);
    let a = curl("PUT", &format!("{base}/store?graph={}", enc("http://example.org/h")), &["Content-Type: text/turtle"], Some("<http://example.org/a> <http://example.org/b> 1, 2 ."));
    assert_eq!(a.status, 201, "{}", a.body);
    let a = curl("GET", &format!("{base}/query?query={}", enc("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { <http://example.org/a> ?p ?o } }")), &[], None);
    assert_eq!(json_count(&a.body), 3);
    // The server holds the write lock: a build is told the store is busy.
    let o = run(bin().args(["build", "--store", store.to_str().unwrap(), corpus().to_str().unwrap()]));
    assert_eq!(o.status.code(), Some(3), "{}", String::from_utf8_lossy(&o.stderr));
    // A command-line reader meanwhile sees the server's writes (its snapshot).
    assert_eq!(local_count(&store, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { <http://example.org/a> ?p ?o } }"), 3);
    drop(server);
    assert_eq!(local_count(&store, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { <http://example.org/a> ?p ?o } }"), 3);
}

/// Triples in newskg's graphs on a SPARQL endpoint.
fn remote_count(endpoint: &str, graph_filter: &str) -> usize {
    let q = format!("SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER({graph_filter}) }}");
    let a = curl("GET", &format!("{endpoint}?query={}", enc(&q)), &["Accept: application/sparql-results+json"], None);
    assert_eq!(a.status, 200, "{}", a.body);
    json_count(&a.body)
}

const OURS: &str = "STRSTARTS(STR(?g), \"https://newskg.org/graph/\")";

fn push(store: &Path, endpoint: &str, extra: &[&str]) -> Output {
    run(bin().args(["push", "--store", store.to_str().unwrap(), "--endpoint", endpoint]).args(extra))
}

#[test]
fn push_to_an_oxigraph_server_twice_gives_the_same_counts() {
    let dir = tempfile::tempdir().unwrap();
    let store = built_store(dir.path(), &corpus());
    let local = local_count(&store, COUNT_ALL);
    let port = free_port();
    let _ox = oxigraph_serve(&dir.path().join("remote"), port);
    let endpoint = format!("http://127.0.0.1:{port}/query");
    for round in 0..2 {
        let o = push(&store, &endpoint, &[]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(o.status.success(), "round {round}: {err}");
        assert!(err.contains("pushed 7 graphs"), "round {round}: {err}");
        assert_eq!(remote_count(&endpoint, OURS), local, "round {round}");
    }
    // The entities graph arrives as the store holds it: each entity's classes
    // and labels once (and the fingerprint of the gazetteer it was made from).
    let entities = remote_count(&endpoint, "?g = <https://newskg.org/graph/entities>");
    assert_eq!(entities, local_count(&store, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://newskg.org/graph/entities> { ?s ?p ?o } }"));
    let distinct = local_count(&store, "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o FILTER(STRSTARTS(STR(?s), \"https://newskg.org/id/\") && ?p IN (<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>, <http://www.w3.org/2000/01/rdf-schema#label>, <http://www.w3.org/2004/02/skos/core#altLabel>, <https://newskg.org/ontology#standsFor>)) } } }");
    assert_eq!(entities, distinct + 1);
    // Credentials come from the environment only; a missing variable is a clear error.
    let o = push(&store, &endpoint, &["--auth-env", "NEWSKG_TEST_NO_SUCH_VAR"]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("NEWSKG_TEST_NO_SUCH_VAR is not set"));
}

#[test]
fn a_push_cut_off_by_a_dying_server_fails_clearly_and_a_rerun_completes() {
    let dir = tempfile::tempdir().unwrap();
    // Enough documents that the push is still running when the server dies.
    let input = dir.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    let seeds: Vec<String> = std::fs::read_dir(corpus()).unwrap().map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap()).collect();
    for i in 0..400 {
        std::fs::write(input.join(format!("d{i:04}.txt")), format!("Dépêche {i}.\n{}", seeds[i % seeds.len()])).unwrap();
    }
    let store = built_store(dir.path(), &input);
    let local = local_count(&store, COUNT_ALL);
    let port = free_port();
    let remote = dir.path().join("remote");
    let server = oxigraph_serve(&remote, port);
    let endpoint = format!("http://127.0.0.1:{port}/query");
    let mut pusher = bin().args(["-v", "push", "--store", store.to_str().unwrap(), "--endpoint", &endpoint, "--retries", "2", "--backoff-ms", "100"]).stderr(Stdio::piped()).spawn().unwrap();
    let mut lines = BufReader::new(pusher.stderr.take().unwrap()).lines();
    let mut log = String::new();
    for l in lines.by_ref() {
        let l = l.unwrap();
        log.push_str(&l);
        log.push('\n');
        if l.contains("pushing 100:") {
            break;
        }
    }
    drop(server); // kills the Oxigraph server in the middle of the push
    for l in lines {
        log.push_str(&l.unwrap());
        log.push('\n');
    }
    let status = pusher.wait().unwrap();
    assert!(!status.success(), "the push did not notice the server died:\n{log}");
    assert!(log.contains("gave up after 3 attempts"), "{log}");
    // The server comes back on the same data; pushing again completes.
    let _server = oxigraph_serve(&remote, port);
    let o = push(&store, &endpoint, &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(remote_count(&endpoint, OURS), local);
}
