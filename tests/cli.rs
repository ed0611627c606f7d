//! End-to-end tests of the `newskg` binary on the bundled corpus and on bad
//! inputs. Independent RDF parsers (rdflib, rapper) check every export format;
//! `.ci/run` installs them.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_newskg"));
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c.env_remove("NEWSKG_ONTOLOGY");
    c
}

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("newskg runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// One store built from the corpus, shared by the read-only tests.
fn corpus_store() -> &'static Path {
    static STORE: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, p) = STORE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("store");
        let o = run(&["build", "-q", "--store", store.to_str().unwrap(), corpus().to_str().unwrap()]);
        assert!(o.status.success(), "build failed: {}", stderr(&o));
        (dir, store)
    });
    p
}

fn query(store: &Path, q: &str) -> Vec<Vec<String>> {
    let o = run(&["query", "--store", store.to_str().unwrap(), "--format", "tsv", "-e", q]);
    assert!(o.status.success(), "query failed: {}", stderr(&o));
    stdout(&o).lines().skip(1).map(|l| l.split('\t').map(unquote).collect()).collect()
}

fn unquote(s: &str) -> String {
    let s = s.trim();
    if let Some(rest) = s.strip_prefix('"') {
        let end = rest.rfind('"').unwrap_or(rest.len());
        rest[..end].replace("\\\"", "\"").replace("\\n", "\n").replace("\\\\", "\\")
    } else {
        s.to_string()
    }
}

fn count(store: &Path) -> usize {
    query(store, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")[0][0].split('^').next().unwrap().trim_matches('"').parse().unwrap()
}

/// The database's table, log and manifest files with their sizes.
fn db_files(store: &Path) -> Vec<(String, u64)> {
    let mut v: Vec<(String, u64)> = std::fs::read_dir(store)
        .unwrap()
        .flatten()
        .map(|e| (e.file_name().to_string_lossy().into_owned(), e.metadata().unwrap().len()))
        .filter(|(n, _)| n.ends_with(".sst") || n.ends_with(".log") || n.starts_with("MANIFEST") || n == "CURRENT")
        .collect();
    v.sort();
    assert!(v.iter().any(|(n, _)| n == "CURRENT"), "{v:?}");
    v
}

#[test]
fn building_twice_gives_the_same_triples() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let s = store.to_str().unwrap();
    let o = run(&["build", "--store", s, corpus().to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("5 documents built"), "{}", stderr(&o));
    let first = count(&store);
    assert!(first > 200, "only {first} quads");
    // Unchanged documents are skipped, and the database is not written at
    // all (no RocksDB file added, removed or grown); forced rebuilds replace each graph.
    let files = db_files(&store);
    let o = run(&["build", "--store", s, corpus().to_str().unwrap()]);
    assert!(stderr(&o).contains("5 unchanged"), "{}", stderr(&o));
    assert_eq!(db_files(&store), files);
    assert_eq!(count(&store), first);
    let o = run(&["build", "--force", "--store", s, corpus().to_str().unwrap()]);
    assert!(o.status.success());
    assert_eq!(count(&store), first);
    // The main job also writes graph.trig next to the store.
    assert!(dir.path().join("graph.trig").metadata().unwrap().len() > 1000);
}

#[test]
fn the_total_count_query_of_the_readme_answers() {
    let rows = query(corpus_store(), "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }");
    assert_eq!(rows.len(), 1);
}

#[test]
fn evidence_offsets_slice_the_source_file() {
    let rows = query(
        corpus_store(),
        "PREFIX nkg: <https://newskg.org/ontology#> PREFIX prov: <http://www.w3.org/ns/prov#>
         SELECT ?file ?ev ?b ?e WHERE { ?st nkg:evidence ?ev ; nkg:startOffset ?b ; nkg:endOffset ?e ; prov:wasDerivedFrom ?d . ?d nkg:sourceFile ?file }",
    );
    assert!(rows.len() > 20, "{} statements", rows.len());
    for r in rows {
        let text = std::fs::read_to_string(corpus().join(&r[0])).unwrap();
        let num = |s: &str| s.split('^').next().unwrap().trim_matches('"').parse::<usize>().unwrap();
        let (b, e) = (num(&r[2]), num(&r[3]));
        let slice: String = text.chars().skip(b).take(e - b).collect();
        assert_eq!(slice, r[1], "offsets {b}..{e} in {}", r[0]);
    }
}

#[test]
fn every_fact_has_a_statement_with_provenance() {
    let rows = query(
        corpus_store(),
        "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> PREFIX nkg: <https://newskg.org/ontology#> PREFIX prov: <http://www.w3.org/ns/prov#>
         SELECT ?st WHERE { ?st a rdf:Statement . FILTER NOT EXISTS { ?st rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; prov:wasDerivedFrom ?d ; nkg:evidence ?e ; nkg:confidence ?c } }",
    );
    assert!(rows.is_empty(), "{rows:?}");
    let direct = query(
        corpus_store(),
        "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
         SELECT ?st WHERE { GRAPH ?g { ?st rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o . FILTER NOT EXISTS { ?s ?p ?o } } }",
    );
    assert!(direct.is_empty(), "statements without their direct triple in the same graph: {direct:?}");
}

/// Runs a canned query file and returns its rows as text.
fn canned(name: &str) -> String {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("queries").join(name);
    let o = run(&["query", "--store", corpus_store().to_str().unwrap(), "--format", "csv", file.to_str().unwrap()]);
    assert!(o.status.success(), "{name}: {}", stderr(&o));
    stdout(&o)
}

#[test]
fn canned_queries_answer_on_the_corpus() {
    let has = |name: &str, needles: &[&str]| {
        let out = canned(name);
        for n in needles {
            assert!(out.contains(n), "{name} lacks {n:?}:\n{out}");
        }
    };
    has("01_who_supports_whom.rq", &["Turquie", "Azerbaïdjan"]);
    has("02_condemnations_and_accusations.rq", &["Emmanuel Macron", "condemns"]);
    has("03_facts_about_entity.rq", &["Azerbaïdjan"]);
    has("04_leaders.rq", &["Ilham Aliyev", "Azerbaïdjan", "Nikol Pashinyan", "Arménie"]);
    has("05_claims_by_speaker.rq", &["Ilham Aliyev"]);
    has("07_co_mentions.rq", &["Arménie", "Azerbaïdjan"]);
    has("10_documents.rq", &["001_aa93a49af91dcb56.txt"]);
    has("06_confirmed_facts.rq", &["Turquie,supports,Azerbaïdjan,2", "Haut-Karabakh,locatedIn,Azerbaïdjan,3"]);
    has("09_conflict_facts.rq", &["forces armées arméniennes,occupies,Haut-Karabakh"]);
    has("11_facts_per_predicate.rq", &["leaderOf", "supports"]);
    has("13_facts_by_outlet.rq", &["RT", "withdrawsFrom"]);
    has("14_entity_spellings.rq", &["Karabagh", "Artsakh"]);
    // No canned query repeats a row (the union of graphs repeats shared triples).
    for name in ["01_who_supports_whom.rq", "04_leaders.rq", "06_confirmed_facts.rq", "14_entity_spellings.rq"] {
        let out = canned(name);
        let rows: Vec<&str> = out.lines().collect();
        let unique: std::collections::BTreeSet<&&str> = rows.iter().collect();
        assert_eq!(rows.len(), unique.len(), "{name} repeats rows");
    }
    let graph = canned_turtle("08_relationship_graph.rq");
    assert!(graph.contains("supports"), "{graph}");
    // Every canned query at least runs.
    for e in std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("queries")).unwrap() {
        let p = e.unwrap().path();
        let o = run(&["query", "--store", corpus_store().to_str().unwrap(), "--format", "json", p.to_str().unwrap()]);
        let o2 = if o.status.success() { o } else { run(&["query", "--store", corpus_store().to_str().unwrap(), "--format", "turtle", p.to_str().unwrap()]) };
        assert!(o2.status.success(), "{}: {}", p.display(), stderr(&o2));
    }
}

fn canned_turtle(name: &str) -> String {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("queries").join(name);
    let o = run(&["query", "--store", corpus_store().to_str().unwrap(), "--format", "turtle", file.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    stdout(&o)
}

fn rdflib_count(path: &Path, format: &str) -> usize {
    let script = format!(
        "import rdflib,sys\nf='{format}'\nif f in ('nquads','trig','json-ld'):\n    g=rdflib.Dataset(); g.parse(sys.argv[1], format=f); print(len(list(g.quads((None,None,None,None)))))\nelse:\n    g=rdflib.Graph(); g.parse(sys.argv[1], format=f); print(len(g))\n"
    );
    let o = Command::new("python3").arg("-c").arg(script).arg(path).output().expect("python3 with rdflib (installed by .ci/run)");
    assert!(o.status.success(), "rdflib could not parse {}: {}", path.display(), stderr(&o));
    stdout(&o).trim().parse().unwrap()
}

fn rapper_count(path: &Path, syntax: &str) -> usize {
    let o = Command::new("rapper").args(["-c", "-i", syntax]).arg(path).output().expect("rapper (raptor2-utils, installed by .ci/run)");
    assert!(o.status.success(), "rapper could not parse {}: {}", path.display(), stderr(&o));
    let msg = stderr(&o);
    msg.split_whitespace().skip_while(|w| *w != "returned").nth(1).and_then(|n| n.parse().ok()).unwrap_or_else(|| panic!("rapper said {msg}"))
}

#[test]
fn every_export_format_is_read_back_by_independent_parsers() {
    let dir = tempfile::tempdir().unwrap();
    let store = corpus_store().to_str().unwrap().to_string();
    let quads = count(corpus_store());
    let distinct_triples: usize = query(corpus_store(), "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }")[0][0]
        .split('^')
        .next()
        .unwrap()
        .trim_matches('"')
        .parse()
        .unwrap();
    for (fmt, ext, rdflib, rapper, n) in [
        ("nquads", "nq", "nquads", Some("nquads"), quads),
        ("trig", "trig", "trig", Some("trig"), quads),
        ("turtle", "ttl", "turtle", Some("turtle"), distinct_triples),
        ("ntriples", "nt", "nt", Some("ntriples"), distinct_triples),
        ("rdfxml", "rdf", "xml", Some("rdfxml"), distinct_triples),
        // JSON-LD keeps the named graphs, like N-Quads.
        ("jsonld", "jsonld", "json-ld", None, quads),
    ] {
        let out = dir.path().join(format!("export.{ext}"));
        let o = run(&["export", "--store", &store, "--format", fmt, "-o", out.to_str().unwrap()]);
        assert!(o.status.success(), "{fmt}: {}", stderr(&o));
        assert_eq!(rdflib_count(&out, rdflib), n, "rdflib count for {fmt}");
        if let Some(syntax) = rapper {
            assert_eq!(rapper_count(&out, syntax), n, "rapper count for {fmt}");
        }
    }
}

#[test]
fn bad_inputs_are_reported_and_the_rest_is_built() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = dir.path().join("in");
    std::fs::create_dir(&inputs).unwrap();
    std::fs::copy(corpus().join("001_aa93a49af91dcb56.txt"), inputs.join("good.txt")).unwrap();
    std::fs::write(inputs.join("empty.txt"), "").unwrap();
    std::fs::write(inputs.join("binary.txt"), b"%PDF-1.4\n\x00\x01\x02binary").unwrap();
    let mut bad = "La Turquie soutient l'Azerbaïdjan.\n".as_bytes().to_vec();
    bad.extend([0xFF, 0xFE, 0x41]);
    bad.extend("\nLa France condamne.\n".as_bytes());
    std::fs::write(inputs.join("badutf8.txt"), bad).unwrap();
    let store = dir.path().join("store");
    let o = run(&["build", "--store", store.to_str().unwrap(), inputs.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("empty.txt: empty file"), "{err}");
    assert!(err.contains("binary.txt: binary file (PDF)"), "{err}");
    assert!(err.contains("badutf8.txt: invalid UTF-8 at byte"), "{err}");
    assert!(err.contains("1 documents built"), "{err}");
    let files = query(&store, "PREFIX nkg: <https://newskg.org/ontology#> SELECT ?f WHERE { ?d nkg:sourceFile ?f }");
    assert_eq!(files, vec![vec!["good.txt".to_string()]]);
}

#[test]
fn html_goes_through_the_html_parser() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("page.html");
    std::fs::write(
        &page,
        "<html><head><title>Bakou et Ankara</title><script>var Poutine = 1;</script></head><body><nav>Accueil Russie</nav>\
         <p>La Turquie soutient l'Azerbaïdjan depuis le début du conflit.</p><footer>Vladimir Poutine</footer></body></html>",
    )
    .unwrap();
    let store = dir.path().join("store");
    let o = run(&["build", "--store", store.to_str().unwrap(), page.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let rows = query(&store, "PREFIX nkg: <https://newskg.org/ontology#> SELECT ?s ?o WHERE { ?s nkg:supports ?o }");
    assert_eq!(rows, vec![vec!["https://newskg.org/id/turkey".to_string(), "https://newskg.org/id/azerbaijan".to_string()]].into_iter().map(|r| r.into_iter().map(|x| format!("<{x}>")).collect::<Vec<_>>()).collect::<Vec<_>>());
    let people = query(&store, "PREFIX nkg: <https://newskg.org/ontology#> SELECT ?e WHERE { ?d nkg:mentions ?e . ?e a nkg:Person }");
    assert!(people.is_empty(), "script and footer text became mentions: {people:?}");
}

#[test]
fn store_errors_have_clear_messages_and_codes() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope");
    let o = run(&["query", "--store", missing.to_str().unwrap(), "-e", "ASK {}"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("no store at"), "{}", stderr(&o));
    let not_store = dir.path().join("notstore");
    std::fs::create_dir(&not_store).unwrap();
    std::fs::write(not_store.join("x.txt"), "hello").unwrap();
    let o = run(&["build", "--store", not_store.to_str().unwrap(), corpus().join("001_aa93a49af91dcb56.txt").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("is not a newskg store"), "{}", stderr(&o));
    // Bad SPARQL: usage error with the position.
    let o = run(&["query", "--store", corpus_store().to_str().unwrap(), "-e", "SELECT ?x WHERE { ?x ?y }"]);
    assert_eq!(o.status.code(), Some(64));
    assert!(stderr(&o).contains("SPARQL syntax error"), "{}", stderr(&o));
    assert!(stderr(&o).contains("line 1") || stderr(&o).contains("1:"), "no position in: {}", stderr(&o));
}

#[test]
fn a_locked_store_says_busy() {
    use fs2::FileExt;
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let o = run(&["build", "-q", "--store", store.to_str().unwrap(), corpus().join("003_5875ad0ffb18f87c.txt").to_str().unwrap()]);
    assert!(o.status.success());
    let before = count(&store);
    let lock = std::fs::File::options().write(true).open(store.join("newskg.lock")).unwrap();
    lock.lock_exclusive().unwrap();
    let o = run(&["build", "--store", store.to_str().unwrap(), corpus().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(stderr(&o).contains("busy"), "{}", stderr(&o));
    // The store is as it was. (Readers during a real build read the snapshot
    // that build publishes: tests/robustness.rs; this lock holder publishes none.)
    drop(lock);
    assert_eq!(count(&store), before);
}

#[test]
fn extract_is_deterministic_and_matches_build_iris() {
    let a = run(&["extract", corpus().to_str().unwrap()]);
    let b = run(&["extract", corpus().to_str().unwrap()]);
    assert!(a.status.success(), "{}", stderr(&a));
    assert_eq!(a.stdout, b.stdout);
    // One thread or many: the same bytes.
    let one = bin().env("RAYON_NUM_THREADS", "1").args(["extract", corpus().to_str().unwrap()]).output().unwrap();
    let four = bin().env("RAYON_NUM_THREADS", "4").args(["extract", corpus().to_str().unwrap()]).output().unwrap();
    assert_eq!(one.stdout, a.stdout);
    assert_eq!(four.stdout, a.stdout);
    let nq = stdout(&a);
    assert!(nq.contains("<https://newskg.org/id/azerbaijan>"));
    assert!(nq.contains("<https://newskg.org/graph/001_aa93a49af91dcb56.txt>"));
}

#[test]
fn stats_and_help() {
    let o = run(&["stats", "--store", corpus_store().to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let s = stdout(&o);
    assert!(s.contains("Country") && s.contains("supports") && s.contains("004_056a48af5de0a991.txt"), "{s}");
    for cmd in ["build", "query", "update", "export", "stats", "extract", "serve", "push"] {
        let o = run(&[cmd, "--help"]);
        assert!(o.status.success());
        assert!(stdout(&o).contains("Example"), "{cmd} --help has no example");
    }
    assert!(stdout(&run(&["--version"])).starts_with("newskg "));
}

/// A store built from one corpus document, in its own temporary directory.
fn one_document_store() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let o = run(&["build", "-q", "--store", store.to_str().unwrap(), corpus().join("001_aa93a49af91dcb56.txt").to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    (dir, store)
}

#[test]
fn update_deletes_a_fact() {
    let (_dir, store) = one_document_store();
    let s = store.to_str().unwrap();
    let ask = "PREFIX nkg: <https://newskg.org/ontology#> ASK { <https://newskg.org/id/turkey> nkg:supports ?o }";
    assert_eq!(stdout(&run(&["query", "--store", s, "--format", "csv", "-e", ask])).trim(), "true");
    let o = run(&["update", "--store", s, "-e", "PREFIX nkg: <https://newskg.org/ontology#> DELETE WHERE { GRAPH ?g { <https://newskg.org/id/turkey> nkg:supports ?o } }"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&run(&["query", "--store", s, "--format", "csv", "-e", ask])).trim(), "false");
}

fn svg_check(svg: &Path, needles: &[&str]) {
    let script = "import sys, xml.etree.ElementTree as ET\nt = ET.parse(sys.argv[1])\nprint('\\n'.join(e.text or '' for e in t.iter()) + '\\n' + '\\n'.join(v for e in t.iter() for k, v in e.attrib.items() if k.endswith('title')))";
    let o = Command::new("python3").arg("-c").arg(script).arg(svg).output().expect("python3");
    assert!(o.status.success(), "SVG is not valid XML: {}", stderr(&o));
    let text = stdout(&o);
    for n in needles {
        assert!(text.contains(n), "SVG lacks {n:?}");
    }
}

#[test]
fn diagrams_parse_render_and_are_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let store = corpus_store().to_str().unwrap().to_string();
    let a = run(&["diagram", "--store", &store, "--format", "dot"]);
    assert!(a.status.success(), "{}", stderr(&a));
    let b = run(&["diagram", "--store", &store, "--format", "dot"]);
    assert_eq!(a.stdout, b.stdout, "DOT output differs between runs");
    let dot = stdout(&a);
    graphviz_rust::parse(&dot).unwrap_or_else(|e| panic!("DOT does not parse back: {e}"));
    assert!(dot.contains("Turquie") && dot.contains("soutient"), "{dot}");
    // Rendered by Graphviz: SVG (valid XML with labels and tooltips) and PNG.
    let svg = dir.path().join("g.svg");
    let o = run(&["diagram", "--store", &store, "--format", "svg", "-o", svg.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    svg_check(&svg, &["Ilham Aliyev", "Azerbaïdjan", "soutient"]);
    let svg_text = std::fs::read_to_string(&svg).unwrap();
    assert!(svg_text.contains("001_aa93a49af91dcb56.txt"), "edge tooltips carry their sources");
    let png = dir.path().join("g.png");
    let o = run(&["diagram", "--store", &store, "--format", "png", "-o", png.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(std::fs::read(&png).unwrap().starts_with(b"\x89PNG"));
    // Focus: the ego network of Aliyev holds Azerbaijan and not unrelated Libération.
    let o = run(&["diagram", "--store", &store, "--format", "dot", "--focus", "Aliyev", "--depth", "1"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let f = stdout(&o);
    assert!(f.contains("Ilham Aliyev") && f.contains("Azerbaïdjan") && !f.contains("Zouaves"), "{f}");
    let o = run(&["diagram", "--store", &store, "--focus", "Nobody Known"]);
    assert_eq!(o.status.code(), Some(64));
    // A CONSTRUCT query as the diagram's source; document, min-docs and cluster filters.
    let q = dir.path().join("q.rq");
    std::fs::write(&q, "PREFIX nkg: <https://newskg.org/ontology#> CONSTRUCT { ?s nkg:leaderOf ?o } WHERE { ?s nkg:leaderOf ?o }").unwrap();
    let o = run(&["diagram", "--store", &store, "--format", "dot", "--query", q.to_str().unwrap()]);
    let s = stdout(&o);
    assert!(o.status.success() && s.contains("dirige") && !s.contains("soutient"), "{s}");
    let o = run(&["diagram", "--store", &store, "--format", "dot", "--min-docs", "2"]);
    let s = stdout(&o);
    assert!(s.contains("Turquie") && !s.contains("Zouaves"), "{s}");
    let o = run(&["diagram", "--store", &store, "--format", "dot", "--doc", "003_5875ad0ffb18f87c.txt", "--cluster"]);
    let s = stdout(&o);
    assert!(s.contains("Dmitri Peskov") && !s.contains("Zouaves") && s.contains("subgraph cluster_"), "{s}");
    graphviz_rust::parse(&s).unwrap();
    // Predicate filter and English labels.
    let o = run(&["diagram", "--store", &store, "--format", "dot", "--predicates", "supports", "--lang", "en"]);
    let s = stdout(&o);
    assert!(s.contains("supports") && !s.contains("condemns"), "{s}");
}

#[test]
fn hostile_labels_survive_every_format() {
    let (dir, store) = one_document_store();
    let s = store.to_str().unwrap();
    let hostile = r#"Q\"uote \\ back\nline <b>{x}</b> #@ \u0001 \u202Ertl\u200F Ильхам"#;
    let upd = format!(
        "PREFIX nkg: <https://newskg.org/ontology#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
         INSERT DATA {{ GRAPH <https://newskg.org/graph/hostile> {{
           <https://newskg.org/id/hostile> a nkg:Person ; rdfs:label \"{hostile}\"@fr .
           <https://newskg.org/id/hostile> nkg:supports <https://newskg.org/id/azerbaijan> .
           <https://newskg.org/stmt/hostile> a <http://www.w3.org/1999/02/22-rdf-syntax-ns#Statement> ;
             <http://www.w3.org/1999/02/22-rdf-syntax-ns#subject> <https://newskg.org/id/hostile> ;
             <http://www.w3.org/1999/02/22-rdf-syntax-ns#predicate> nkg:supports ;
             <http://www.w3.org/1999/02/22-rdf-syntax-ns#object> <https://newskg.org/id/azerbaijan> ;
             <http://www.w3.org/ns/prov#wasDerivedFrom> <https://newskg.org/doc/001_aa93a49af91dcb56.txt> ;
             nkg:confidence 0.5 ; nkg:evidence \"{hostile}\"@fr .
         }} }}"
    );
    let o = run(&["update", "--store", s, "-e", &upd]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(&["diagram", "--store", s, "--format", "dot"]);
    assert!(o.status.success(), "{}", stderr(&o));
    graphviz_rust::parse(&stdout(&o)).unwrap_or_else(|e| panic!("hostile DOT does not parse: {e}"));
    let svg = dir.path().join("h.svg");
    let o = run(&["diagram", "--store", s, "--format", "svg", "-o", svg.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    svg_check(&svg, &["Ильхам"]);
    for (fmt, ext, rdflib) in [("turtle", "ttl", "turtle"), ("ntriples", "nt", "nt"), ("nquads", "nq", "nquads"), ("trig", "trig", "trig"), ("rdfxml", "rdf", "xml"), ("jsonld", "jsonld", "json-ld")] {
        let out = dir.path().join(format!("h.{ext}"));
        let o = run(&["export", "--store", s, "--format", fmt, "-o", out.to_str().unwrap()]);
        assert!(o.status.success(), "{fmt}: {}", stderr(&o));
        assert!(rdflib_count(&out, rdflib) > 0);
    }
    let o = run(&["query", "--store", s, "--format", "csv", "-e", "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> SELECT ?l WHERE { <https://newskg.org/id/hostile> rdfs:label ?l }"]);
    let parsed = Command::new("python3").arg("-c").arg("import csv,sys; rows=list(csv.reader(sys.stdin)); assert len(rows)==2, rows; print(rows[1][0])").stdin(std::process::Stdio::piped()).stdout(std::process::Stdio::piped()).spawn().and_then(|mut c| {
        use std::io::Write;
        c.stdin.take().unwrap().write_all(&o.stdout)?;
        c.wait_with_output()
    }).unwrap();
    assert!(parsed.status.success(), "CSV does not parse: {}", String::from_utf8_lossy(&parsed.stderr));
    assert!(String::from_utf8_lossy(&parsed.stdout).contains("Ильхам"));
}

/// The entities graph of a store, as sorted rows of text.
fn entities_graph(store: &Path) -> Vec<Vec<String>> {
    let mut rows = query(store, "SELECT ?s ?p ?o WHERE { GRAPH <https://newskg.org/graph/entities> { ?s ?p ?o } }");
    rows.sort();
    rows
}

fn build_quiet(store: &Path, inputs: &[&Path]) {
    let mut args = vec!["build".to_string(), "-q".into(), "--no-dump".into(), "--store".into(), store.to_str().unwrap().into()];
    args.extend(inputs.iter().map(|p| p.to_str().unwrap().to_string()));
    let o = bin().args(&args).output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn the_union_of_graphs_holds_each_entity_description_once() {
    // Two documents that name the same entities (and state the same fact).
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    build_quiet(&store, &[&corpus().join("000_ec95f3fd493056f2.txt"), &corpus().join("001_aa93a49af91dcb56.txt")]);
    let both = query(&store, "PREFIX nkg: <https://newskg.org/ontology#> SELECT (COUNT(*) AS ?n) WHERE { ?a nkg:mentions <https://newskg.org/id/azerbaijan> }");
    assert_eq!(both[0][0].split('^').next().unwrap().trim_matches('"'), "2", "both documents name Azerbaijan");
    // Oxigraph 0.5 answers the union default graph once per graph holding a
    // triple: each altLabel must be held by one graph only to come back once.
    let alts = query(&store, "SELECT ?l WHERE { <https://newskg.org/id/azerbaijan> <http://www.w3.org/2004/02/skos/core#altLabel> ?l }");
    let distinct: std::collections::BTreeSet<&Vec<String>> = alts.iter().collect();
    assert!(alts.len() >= 2, "{alts:?}");
    assert_eq!(alts.len(), distinct.len(), "altLabels repeated: {alts:?}");
    // The same for every triple but the direct facts, which each document
    // states in its own graph (queries count documents by them).
    let n = |q: &str| query(&store, q)[0][0].split('^').next().unwrap().trim_matches('"').parse::<usize>().unwrap();
    let not_a_fact = "FILTER NOT EXISTS { ?p <https://newskg.org/ontology#family> ?f }";
    let all = n(&format!("SELECT (COUNT(*) AS ?n) WHERE {{ ?s ?p ?o {not_a_fact} }}"));
    let once = n(&format!("SELECT (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT ?s ?p ?o WHERE {{ ?s ?p ?o {not_a_fact} }} }}"));
    assert_eq!(all, once, "some triple other than a direct fact is held by two graphs");
}

#[test]
fn removing_or_changing_a_document_keeps_the_entities_graph_right() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (corpus().join("001_aa93a49af91dcb56.txt"), corpus().join("003_5875ad0ffb18f87c.txt"));
    let only_a = dir.path().join("only_a");
    build_quiet(&only_a, &[&a]);
    let store = dir.path().join("store");
    build_quiet(&store, &[&a, &b]);
    assert!(entities_graph(&store).len() > entities_graph(&only_a).len(), "the second document adds entities");
    // A bad update changes nothing, not even the entities graph's up-to-date mark.
    let marked = "SELECT ?f WHERE { GRAPH <https://newskg.org/graph/entities> { <https://newskg.org/graph/entities> <https://newskg.org/ontology#gazetteerFingerprint> ?f } }";
    let before = query(&store, marked);
    assert_eq!(before.len(), 1, "{before:?}");
    let o = run(&["update", "--store", store.to_str().unwrap(), "-e", "DROP GRAPH"]);
    assert_eq!(o.status.code(), Some(64), "{}", stderr(&o));
    assert_eq!(query(&store, marked), before);
    // Removed by an update: the entities only it used go with it.
    let o = run(&["update", "--store", store.to_str().unwrap(), "-e", "DROP GRAPH <https://newskg.org/graph/003_5875ad0ffb18f87c.txt>"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(entities_graph(&store), entities_graph(&only_a));
    // Changed on disk: rebuilt, the entities graph follows the new content.
    let file = dir.path().join("doc.txt");
    std::fs::copy(&b, &file).unwrap();
    let changing = dir.path().join("changing");
    build_quiet(&changing, &[&file]);
    std::fs::copy(&a, &file).unwrap();
    build_quiet(&changing, &[&file]);
    let fresh = dir.path().join("fresh");
    build_quiet(&fresh, &[&file]);
    assert_eq!(entities_graph(&changing), entities_graph(&fresh));
}

#[test]
fn extract_writes_the_entities_graph_build_writes() {
    let o = run(&["extract", corpus().to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut from_extract: Vec<String> = stdout(&o).lines().filter(|l| l.ends_with("<https://newskg.org/graph/entities> .")).map(str::to_string).collect();
    from_extract.sort();
    let dir = tempfile::tempdir().unwrap();
    let nq = dir.path().join("kg.nq");
    let o = run(&["export", "--store", corpus_store().to_str().unwrap(), "--format", "nquads", "-o", nq.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut from_build: Vec<String> = std::fs::read_to_string(&nq).unwrap().lines().filter(|l| l.ends_with("<https://newskg.org/graph/entities> .")).map(str::to_string).collect();
    from_build.sort();
    assert!(from_build.len() > 100, "{} quads", from_build.len());
    assert_eq!(from_extract, from_build);
}

#[test]
fn the_default_build_of_a_few_hundred_generated_documents_draws_a_bounded_diagram() {
    // The build as a new user runs it (dump and diagram on), on the generator
    // the issue reproduced the blow-up with; the memory limit turns a query
    // that would grow without end into a failure here, instead of a kill.
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("corpus");
    let gen = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/tools/gen_corpus.py");
    let o = Command::new("python3").arg(&gen).args(["--seeds", corpus().to_str().unwrap(), "--docs", "300", "--out", docs.to_str().unwrap()]).output().expect("python3");
    assert!(o.status.success(), "{}: {}", gen.display(), stderr(&o));
    let store = dir.path().join("out").join("store");
    let o = run(&["build", "--max-memory", "1G", "--store", store.to_str().unwrap(), docs.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("300 documents built"), "{}", stderr(&o));
    let svg = dir.path().join("out").join("graph.svg");
    assert!(stderr(&o).contains("wrote") && svg.exists(), "no diagram (is Graphviz installed?): {}", stderr(&o));
    assert!(dir.path().join("out").join("graph.trig").metadata().unwrap().len() > 100_000);
    svg_check(&svg, &["Azerbaïdjan", "strongest of"]);
    let edges = std::fs::read_to_string(&svg).unwrap().matches("class=\"edge\"").count();
    assert!((1..=newskg::diagram::MAX_EDGES).contains(&edges), "{edges} edges drawn");
}

#[test]
fn a_query_past_the_memory_limit_stops_with_a_clear_error() {
    // A cross product sorted in memory: millions of rows on the corpus.
    let q = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f";
    let o = run(&["query", "--store", corpus_store().to_str().unwrap(), "--max-memory", "200M", "--format", "csv", "-e", q]);
    assert_eq!(o.status.code(), Some(5), "{}", stderr(&o));
    assert!(stderr(&o).contains("200 MB") && stderr(&o).contains("--max-memory"), "{}", stderr(&o));
    // A bad size is refused before anything runs.
    let o = run(&["query", "--store", corpus_store().to_str().unwrap(), "--max-memory", "lots", "-e", "ASK {}"]);
    assert!(!o.status.success() && stderr(&o).contains("not a size"), "{}", stderr(&o));
}
