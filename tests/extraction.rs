//! Data-driven extraction tests: the entity cases of `tests/data/entities.toml`
//! and the example sentences carried by every relation rule in
//! `ontology/relations/*.toml`. Each failing case is listed with what was
//! found, then the test fails.

use newskg::extract::{extract, Extraction};
use newskg::gazetteer::Class;
use newskg::lexicon::Lexicon;
use newskg::normalize::{fold, slug};
use newskg::text::clean;
use serde::Deserialize;
use std::path::Path;
use std::sync::OnceLock;

fn lex() -> &'static Lexicon {
    static L: OnceLock<Lexicon> = OnceLock::new();
    L.get_or_init(|| Lexicon::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("ontology")).expect("ontology loads"))
}

fn run(text: &str) -> (Extraction<'_>, usize) {
    let c = clean(text, &lex().cues, &lex().translit);
    let n = c.sentences.len();
    (extract(lex(), text, &c), n)
}

/// The entity id a test label names: a gazetteer entry, or a new name's slug.
fn id_of(label: &str) -> String {
    match lex().gazetteer.lookup(label, &lex().translit) {
        Some(g) => lex().gazetteer.entities[g].id.clone(),
        None => slug(label),
    }
}

fn names(ex: &Extraction, e: usize) -> Vec<String> {
    let ent = ex.entities.get(e);
    std::iter::once(ent.label_fr.clone()).chain(ent.label_en.clone()).chain(ent.aliases().into_iter().map(String::from)).collect()
}

fn describe(ex: &Extraction) -> String {
    ex.mentioned.iter().map(|&e| format!("{} [{}]", ex.entities.get(e).label_fr, ex.entities.get(e).class.name())).collect::<Vec<_>>().join(", ")
}

#[derive(Deserialize)]
struct Case {
    text: String,
    #[serde(default)]
    entities: Vec<(String, String)>,
    #[serde(default)]
    not: Vec<String>,
    #[serde(default)]
    boilerplate: bool,
    #[serde(default)]
    note: Option<String>,
}

#[derive(Deserialize)]
struct Cases {
    case: Vec<Case>,
}

#[test]
fn entity_cases() {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/entities.toml")).unwrap();
    let cases: Cases = toml::from_str(&text).unwrap();
    assert!(cases.case.len() >= 60);
    let mut failures = Vec::new();
    for c in &cases.case {
        let (ex, _) = run(&c.text);
        if c.boilerplate && !ex.mentioned.is_empty() {
            failures.push(format!("boilerplate gave entities: {:?} → {}", c.text, describe(&ex)));
            continue;
        }
        for (label, class) in &c.entities {
            let want_class = Class::parse(class).unwrap_or_else(|| panic!("bad class {class}"));
            let want_id = id_of(label);
            let found = ex.mentioned.iter().any(|&e| {
                let ent = ex.entities.get(e);
                ent.class == want_class && (ent.id == want_id || names(&ex, e).iter().any(|n| fold(n) == fold(label)))
            });
            if !found {
                failures.push(format!("missing {label} [{class}] in {:?}\n    found: {}\n    note: {}", c.text, describe(&ex), c.note.as_deref().unwrap_or("")));
            }
        }
        for bad in &c.not {
            if ex.mentioned.iter().any(|&e| names(&ex, e).iter().any(|n| fold(n) == fold(bad))) {
                failures.push(format!("unwanted {bad:?} in {:?}\n    found: {}", c.text, describe(&ex)));
            }
        }
    }
    let total = cases.case.len();
    assert!(failures.is_empty(), "{} failures in {total} cases:\n{}", failures.len(), failures.join("\n"));
}

#[derive(Deserialize)]
struct Example {
    text: String,
    #[serde(default)]
    facts: Vec<[String; 3]>,
    #[serde(default)]
    not: Vec<[String; 3]>,
}

#[derive(Deserialize)]
struct RuleEx {
    id: String,
    predicate: String,
    #[serde(default)]
    example: Vec<Example>,
}

#[derive(Deserialize)]
struct RuleFile {
    #[serde(default)]
    rule: Vec<RuleEx>,
}

fn norm_fact(s: &str, p: &str, o: &str) -> (String, String, String) {
    if newskg::rules::is_symmetric(p) && o < s {
        (o.to_string(), p.to_string(), s.to_string())
    } else {
        (s.to_string(), p.to_string(), o.to_string())
    }
}

#[test]
fn relation_rule_examples() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("ontology/relations");
    let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|x| x == "toml")).collect();
    files.sort();
    let mut failures = Vec::new();
    let mut total = 0;
    for f in files {
        let rf: RuleFile = toml::from_str(&std::fs::read_to_string(&f).unwrap()).unwrap();
        let preds: std::collections::BTreeSet<String> = rf.rule.iter().map(|r| r.predicate.clone()).collect();
        for r in &rf.rule {
            for ex in &r.example {
                total += 1;
                let (x, _) = run(&ex.text);
                let got: std::collections::BTreeSet<(String, String, String)> = x
                    .facts
                    .iter()
                    .filter(|fa| preds.contains(&fa.predicate))
                    .map(|fa| norm_fact(&x.entities.get(fa.subject).id, &fa.predicate, &x.entities.get(fa.object).id))
                    .collect();
                let want: std::collections::BTreeSet<(String, String, String)> = ex.facts.iter().map(|[s, p, o]| norm_fact(&id_of(s), p, &id_of(o))).collect();
                let not: Vec<(String, String, String)> = ex.not.iter().map(|[s, p, o]| norm_fact(&id_of(s), p, &id_of(o))).collect();
                let bad_not: Vec<_> = not.iter().filter(|t| got.contains(t)).collect();
                if got != want || !bad_not.is_empty() {
                    failures.push(format!(
                        "{} ({}): {:?}\n    want {:?}\n    got  {:?}",
                        r.id,
                        f.file_name().unwrap().to_string_lossy(),
                        ex.text,
                        want,
                        got
                    ));
                }
            }
        }
    }
    assert!(total >= 100, "only {total} examples");
    assert!(failures.is_empty(), "{} failures in {total} examples:\n{}", failures.len(), failures.join("\n"));
}
