//! Hostile input, crashes and concurrent use, on the real binary. Each test is
//! one row of the bad-input table in the README.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_newskg"));
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c.env_remove("NEWSKG_ONTOLOGY");
    c
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("newskg runs")
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")
}

fn count(store: &Path, q: &str) -> usize {
    let o = run(&["query", "--store", store.to_str().unwrap(), "--format", "tsv", "-e", q]);
    assert!(o.status.success(), "{}", err(&o));
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    out.lines().nth(1).unwrap().split('^').next().unwrap().trim_matches('"').parse().unwrap()
}

/// A corpus of `n` documents made from the seeds, with distinct names and contents.
fn make_corpus(dir: &Path, n: usize, nested: bool) -> PathBuf {
    let seeds: Vec<String> = std::fs::read_dir(corpus()).unwrap().map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap()).collect();
    let root = dir.join("in");
    for i in 0..n {
        let sub = if nested { root.join(format!("{:02}/{:02}", i % 37, i % 11)) } else { root.clone() };
        std::fs::create_dir_all(&sub).unwrap();
        std::fs::write(sub.join(format!("doc{i:05}.txt")), format!("Dépêche numéro {i}.\n{}", seeds[i % seeds.len()])).unwrap();
    }
    root
}

#[test]
fn utf16_with_bom_and_windows_line_endings_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(corpus().join("001_aa93a49af91dcb56.txt")).unwrap();
    let mut utf16 = vec![0xFF, 0xFE];
    for u in text.encode_utf16() {
        utf16.extend(u.to_le_bytes());
    }
    std::fs::write(dir.path().join("utf16.txt"), utf16).unwrap();
    let crlf = text.replace('\n', "\r\n");
    std::fs::write(dir.path().join("crlf.txt"), &crlf).unwrap();
    let store = dir.path().join("store");
    let o = run(&["build", "--store", store.to_str().unwrap(), dir.path().join("utf16.txt").to_str().unwrap(), dir.path().join("crlf.txt").to_str().unwrap()]);
    assert!(o.status.success(), "{}", err(&o));
    assert!(err(&o).contains("2 documents built"), "{}", err(&o));
    // Offsets in the CRLF file still slice out the evidence.
    let o = run(&[
        "query", "--store", store.to_str().unwrap(), "--format", "tsv", "-e",
        "PREFIX nkg: <https://newskg.org/ontology#> PREFIX prov: <http://www.w3.org/ns/prov#>
         SELECT ?ev ?b ?e WHERE { ?st nkg:evidence ?ev ; nkg:startOffset ?b ; nkg:endOffset ?e ; prov:wasDerivedFrom ?d . ?d nkg:sourceFile \"crlf.txt\" }",
    ]);
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    let mut n = 0;
    for line in out.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        let num = |s: &str| s.split('^').next().unwrap().trim_matches('"').parse::<usize>().unwrap();
        let ev = cols[0].rsplit_once('@').unwrap().0.trim_matches('"').replace("\\\"", "\"");
        let slice: String = crlf.chars().skip(num(cols[1])).take(num(cols[2]) - num(cols[1])).collect();
        assert_eq!(slice, ev);
        n += 1;
    }
    assert!(n > 5);
}

#[test]
fn binary_files_of_every_kind_are_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = dir.path().join("in");
    std::fs::create_dir(&inputs).unwrap();
    std::fs::write(inputs.join("a.txt"), b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap();
    let random: Vec<u8> = (0..4096u32).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8).collect();
    std::fs::write(inputs.join("b.txt"), random).unwrap();
    std::fs::copy(corpus().join("003_5875ad0ffb18f87c.txt"), inputs.join("c.txt")).unwrap();
    let store = dir.path().join("store");
    let o = run(&["build", "--store", store.to_str().unwrap(), inputs.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(err(&o).contains("a.txt: binary file (PNG)"), "{}", err(&o));
    assert!(err(&o).contains("b.txt: binary file") || err(&o).contains("b.txt: invalid UTF-8"), "{}", err(&o));
    assert!(err(&o).contains("1 documents built"));
}

#[test]
fn a_huge_single_line_file_is_capped_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.txt");
    let line = "La Turquie soutient l'Azerbaïdjan selon Ankara et la France condamne ";
    let mut s = String::with_capacity(101 * 1024 * 1024);
    while s.len() < 100 * 1024 * 1024 {
        s.push_str(line);
    }
    std::fs::write(&big, s).unwrap();
    let store = dir.path().join("store");
    let t = Instant::now();
    let o = run(&["build", "--store", store.to_str().unwrap(), big.to_str().unwrap()]);
    assert!(o.status.success(), "{}", err(&o));
    assert!(err(&o).contains("only the start was read"), "{}", err(&o));
    eprintln!("100 MB single-line file built in {:.1} s", t.elapsed().as_secs_f64());
}

#[test]
fn ten_thousand_small_files_in_nested_folders() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("in");
    for i in 0..10_000 {
        let sub = root.join(format!("{:02}/{:02}", i % 50, i % 7));
        std::fs::create_dir_all(&sub).unwrap();
        std::fs::write(sub.join(format!("n{i}.txt")), format!("Dépêche {i}. La Turquie soutient l'Azerbaïdjan.\n")).unwrap();
    }
    let store = dir.path().join("store");
    let o = run(&["build", "--no-dump", "--store", store.to_str().unwrap(), root.to_str().unwrap()]);
    assert!(o.status.success(), "{}", err(&o));
    assert!(err(&o).contains("10000 documents built"), "{}", err(&o));
    assert_eq!(count(&store, "PREFIX nkg: <https://newskg.org/ontology#> SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d nkg:sourceFile ?f }"), 10_000);
}

#[cfg(unix)]
#[test]
fn symlink_loops_and_unreadable_entries_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("in");
    std::fs::create_dir_all(root.join("sub")).unwrap();
    std::os::unix::fs::symlink(&root, root.join("sub/loop")).unwrap();
    std::fs::copy(corpus().join("004_056a48af5de0a991.txt"), root.join("sub/ok.txt")).unwrap();
    // A directory named like an article cannot be read as one (permissions do not stop root).
    std::fs::create_dir(root.join("fake.txt")).unwrap();
    let dangling = root.join("gone.txt");
    std::os::unix::fs::symlink(dir.path().join("nowhere"), &dangling).unwrap();
    let store = dir.path().join("store");
    let o = run(&["build", "--store", store.to_str().unwrap(), root.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(err(&o).contains("directory loop"), "{}", err(&o));
    assert!(err(&o).contains("gone.txt"), "{}", err(&o));
    assert!(err(&o).contains("1 documents built"), "{}", err(&o));
}

#[test]
fn a_query_that_would_run_for_ever_times_out() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    assert!(run(&["build", "-q", "--store", store.to_str().unwrap(), corpus().to_str().unwrap()]).status.success());
    let t = Instant::now();
    let o = run(&["query", "--store", store.to_str().unwrap(), "--timeout", "1", "-e", "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"]);
    assert_eq!(o.status.code(), Some(4), "{}", err(&o));
    assert!(err(&o).contains("timed out after 1 s"), "{}", err(&o));
    assert!(t.elapsed() < Duration::from_secs(60));
}

/// The graph that describes the entities of every document (`src/entities.rs`), as TSV writes it.
const ENTITIES: &str = "<https://newskg.org/graph/entities>";

/// Per-graph quad counts of a store.
fn per_graph(store: &Path) -> std::collections::BTreeMap<String, usize> {
    let o = run(&["query", "--store", store.to_str().unwrap(), "--format", "tsv", "-e", "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"]);
    assert!(o.status.success(), "reading {} failed: {}", store.display(), err(&o));
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .skip(1)
        .map(|l| {
            let (g, n) = l.split_once('\t').unwrap();
            (g.to_string(), n.split('^').next().unwrap().trim_matches('"').parse().unwrap())
        })
        .collect()
}

/// Per-graph counts of an uninterrupted build of `root`, the yardstick for interrupted ones.
fn reference_counts(dir: &Path, root: &Path) -> std::collections::BTreeMap<String, usize> {
    let reference = dir.join("reference");
    assert!(run(&["build", "-q", "--no-dump", "--store", reference.to_str().unwrap(), root.to_str().unwrap()]).status.success());
    per_graph(&reference)
}

#[test]
fn killed_builds_leave_whole_documents_and_the_next_build_completes() {
    let dir = tempfile::tempdir().unwrap();
    let root = make_corpus(dir.path(), 400, false);
    let expected = reference_counts(dir.path(), &root);
    let store = dir.path().join("store");
    let mut seed = 12345u64;
    for round in 0..6 {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let delay = Duration::from_millis(50 + (seed >> 33) % 700);
        let mut child = bin().args(["build", "-q", "--no-dump", "--force", "--load", "transactions", "--store", store.to_str().unwrap(), root.to_str().unwrap()]).stderr(Stdio::null()).spawn().unwrap();
        std::thread::sleep(delay);
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        if !store.join("CURRENT").exists() {
            continue; // killed before the store was created
        }
        // The store opens and every document graph in it is whole. (The
        // entities graph grows with the documents written; the last build
        // below checks it whole.)
        for (g, n) in per_graph(&store) {
            if g != ENTITIES {
                assert_eq!(Some(&n), expected.get(&g), "round {round} (killed after {delay:?}): graph {g} is partial");
            }
        }
    }
    let o = run(&["build", "-q", "--no-dump", "--store", store.to_str().unwrap(), root.to_str().unwrap()]);
    assert!(o.status.success(), "{}", err(&o));
    assert_eq!(per_graph(&store), expected);
}

#[test]
fn a_killed_bulk_build_leaves_the_store_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let root = make_corpus(dir.path(), 600, false);
    let expected = reference_counts(dir.path(), &root);
    let mut seed = 777u64;
    let mut interrupted = 0;
    for round in 0..5 {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let delay = Duration::from_millis(100 + (seed >> 33) % 1500);
        let store = dir.path().join(format!("bulk{round}"));
        // A store holding one document already: the bulk build must add to it or leave it alone.
        let first = corpus().join("001_aa93a49af91dcb56.txt");
        assert!(run(&["build", "-q", "--no-dump", "--store", store.to_str().unwrap(), first.to_str().unwrap()]).status.success());
        let before = per_graph(&store);
        let mut child = bin().args(["build", "-q", "--no-dump", "--load", "bulk", "--store", store.to_str().unwrap(), root.to_str().unwrap()]).stderr(Stdio::null()).spawn().unwrap();
        std::thread::sleep(delay);
        let finished = child.try_wait().unwrap().is_some();
        child.kill().ok();
        child.wait().unwrap();
        let after = per_graph(&store);
        if finished || after.len() > before.len() {
            // Committed: every document, whole.
            for (g, n) in &after {
                // The entities graph also describes the first document's entities.
                if !g.contains("001_aa93a49af91dcb56") && g != ENTITIES {
                    assert_eq!(Some(n), expected.get(g), "round {round}: graph {g} is partial");
                }
            }
            assert_eq!(after.len(), expected.len() + 1, "round {round}: a committed bulk build holds every document");
        } else {
            interrupted += 1;
            assert_eq!(after, before, "round {round} (killed after {delay:?}): the store changed");
        }
        let o = run(&["build", "-q", "--no-dump", "--load", "bulk", "--store", store.to_str().unwrap(), root.to_str().unwrap()]);
        assert!(o.status.success(), "{}", err(&o));
        assert_eq!(per_graph(&store).len(), expected.len() + 1);
    }
    assert!(interrupted > 0, "no round interrupted a bulk build: the test proved nothing");
}

#[test]
fn readers_see_whole_documents_while_a_build_writes_and_a_second_build_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let root = make_corpus(dir.path(), 1500, true);
    let expected = reference_counts(dir.path(), &root);
    let store = dir.path().join("store");
    // A first small build creates the store, so readers have something to open.
    assert!(run(&["build", "-q", "--no-dump", "--store", store.to_str().unwrap(), corpus().join("001_aa93a49af91dcb56.txt").to_str().unwrap()]).status.success());
    let before = per_graph(&store).len();
    // Transactions: each document becomes visible on its own (a bulk build shows all at the end).
    let mut writer = bin().args(["build", "-q", "--no-dump", "--load", "transactions", "--store", store.to_str().unwrap(), root.to_str().unwrap()]).stderr(Stdio::piped()).spawn().unwrap();
    // Wait until the writer has committed a first document: it then holds the lock for sure.
    let t = Instant::now();
    while per_graph(&store).len() <= before && t.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(50));
    }
    let second = run(&["build", "--store", store.to_str().unwrap(), corpus().to_str().unwrap()]);
    assert_eq!(second.status.code(), Some(3), "second build: {}", err(&second));
    assert!(err(&second).contains("busy"));
    let mut reads = 0;
    while writer.try_wait().unwrap().is_none() && reads < 20 {
        for (g, n) in per_graph(&store) {
            if g.contains("001_aa93a49af91dcb56") || g == ENTITIES {
                continue;
            }
            assert_eq!(Some(&n), expected.get(&g), "a reader saw a partial graph {g}");
        }
        let o = run(&["export", "--store", store.to_str().unwrap(), "--format", "nquads", "-o", dir.path().join("x.nq").to_str().unwrap()]);
        assert!(o.status.success(), "export during a build: {}", err(&o));
        reads += 1;
    }
    assert!(writer.wait().unwrap().success());
    assert!(reads > 0, "the build ended before any read");
}

#[test]
fn html_with_ten_thousand_nested_elements() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("deep.html");
    let html = format!("<html><body>{}<p>La Turquie soutient l'Azerbaïdjan.</p>{}</body></html>", "<div>".repeat(10_000), "</div>".repeat(10_000));
    std::fs::write(&page, html).unwrap();
    let store = dir.path().join("store");
    let o = run(&["build", "--store", store.to_str().unwrap(), page.to_str().unwrap()]);
    assert!(o.status.success(), "{}", err(&o));
    assert_eq!(count(&store, "PREFIX nkg: <https://newskg.org/ontology#> SELECT (COUNT(*) AS ?n) WHERE { <https://newskg.org/id/turkey> nkg:supports ?o }"), 1);
}
