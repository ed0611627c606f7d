//! Relationship diagrams: facts are read from the store with SPARQL, selected
//! and merged in a petgraph graph, turned into a DOT model with graphviz-rust
//! (never by string concatenation of user text), and rendered by Graphviz's
//! `dot` for SVG/PNG/PDF. Same store and options → same DOT bytes.

use crate::error::QueryError;
use crate::query::term_text;
use crate::store::KgStore;
use graphviz_rust::dot_structures::{Attribute, Edge, EdgeTy, Graph, GraphAttributes, Id, Node, NodeId, Stmt, Subgraph, Vertex};
use graphviz_rust::printer::{DotPrinter, PrinterContext};
use oxigraph::model::Term;
use oxigraph::sparql::{QueryResults, SparqlEvaluator};
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

/// Output of `newskg diagram`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DiagramFormat {
    Dot,
    Svg,
    Png,
    Pdf,
}

/// Label language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Lang {
    Fr,
    En,
}

/// What to draw.
#[derive(Debug, Clone)]
pub struct DiagramOptions {
    pub focus: Option<String>,
    pub depth: usize,
    pub predicates: Vec<String>,
    pub doc: Option<String>,
    pub min_docs: usize,
    pub min_confidence: f64,
    pub query: Option<String>,
    pub no_attributed: bool,
    pub lang: Lang,
    pub cluster: bool,
}

impl Default for DiagramOptions {
    fn default() -> Self {
        DiagramOptions { focus: None, depth: 1, predicates: Vec::new(), doc: None, min_docs: 1, min_confidence: 0.0, query: None, no_attributed: false, lang: Lang::Fr, cluster: false }
    }
}

#[derive(Debug, Clone, Default)]
struct NodeInfo {
    iri: String,
    label: String,
    labels: BTreeSet<String>,
    class: String,
    country: Option<String>,
}

#[derive(Debug, Clone, Default)]
struct EdgeInfo {
    predicate: String,
    docs: BTreeSet<String>,
    evidence: BTreeSet<String>,
    confidence: f64,
}

const PRED_FAMILY: &[(&str, &str)] = &[
    ("leaderOf", "structure"), ("spokespersonOf", "structure"), ("advisorOf", "structure"), ("memberOf", "structure"),
    ("branchOf", "structure"), ("armedForceOf", "structure"), ("locatedIn", "structure"), ("capitalOf", "structure"),
    ("allyOf", "cooperation"), ("supports", "cooperation"), ("callsOn", "cooperation"), ("requestsHelpFrom", "cooperation"),
    ("fightsAlongside", "cooperation"), ("signsAgreementWith", "cooperation"), ("talksWith", "cooperation"),
    ("designatesAsTerrorist", "conflict"), ("condemns", "conflict"), ("accuses", "conflict"), ("demands", "conflict"),
    ("attacks", "conflict"), ("fightsAgainst", "conflict"), ("occupies", "conflict"), ("deployedIn", "conflict"),
    ("withdrawsFrom", "conflict"), ("suspendsParticipationIn", "conflict"),
];

fn family(p: &str) -> &'static str {
    PRED_FAMILY.iter().find(|(n, _)| *n == p).map(|x| x.1).unwrap_or("structure")
}

fn family_color(f: &str) -> &'static str {
    match f {
        "cooperation" => "#2e8b57",
        "conflict" => "#c0392b",
        _ => "#7f8c8d",
    }
}

fn class_style(c: &str) -> (&'static str, &'static str) {
    match c {
        "Person" => ("ellipse", "#fdebd0"),
        "Country" => ("box", "#d6eaf8"),
        "Organization" => ("hexagon", "#e8daef"),
        "ArmedForce" => ("octagon", "#f5b7b1"),
        "Place" => ("house", "#d5f5e3"),
        _ => ("ellipse", "#eeeeee"),
    }
}

/// A DOT string literal: quotes, backslashes and newlines escaped, control
/// characters and bidi marks dropped, so no label can break the DOT or the SVG.
pub fn quote(s: &str) -> Id {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' | '\t' => out.push(' '),
            c if c.is_control() => {}
            '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => {}
            c => out.push(c),
        }
    }
    out.push('"');
    Id::Escaped(out)
}

fn attr(k: &str, v: &str) -> Attribute {
    Attribute(Id::Plain(k.to_string()), quote(v))
}

fn select(store: &KgStore, q: &str) -> Result<Vec<HashMap<String, Term>>, QueryError> {
    let mut p = SparqlEvaluator::new().parse_query(q).map_err(|e| QueryError::Syntax(e.to_string()))?;
    p.dataset_mut().set_default_graph_as_union();
    let mut rows = Vec::new();
    if let QueryResults::Solutions(sols) = p.on_store(&store.store).execute().map_err(|e| QueryError::Evaluation(e.to_string()))? {
        for s in sols {
            let s = s.map_err(|e| QueryError::Evaluation(e.to_string()))?;
            rows.push(s.iter().map(|(v, t)| (v.as_str().to_string(), t.clone())).collect());
        }
    }
    Ok(rows)
}

fn lit(t: Option<&Term>) -> String {
    t.map(term_text).unwrap_or_default()
}

fn iri(t: Option<&Term>) -> String {
    match t {
        Some(Term::NamedNode(n)) => n.as_str().to_string(),
        Some(other) => other.to_string(),
        None => String::new(),
    }
}

/// Builds the DOT text of the diagram.
pub fn dot(store: &KgStore, opts: &DiagramOptions) -> Result<String, QueryError> {
    let lang = match opts.lang {
        Lang::Fr => "fr",
        Lang::En => "en",
    };
    let mut g: DiGraph<NodeInfo, EdgeInfo> = DiGraph::new();
    let mut index: BTreeMap<String, NodeIndex> = BTreeMap::new();
    // Facts: from statements (with provenance), or from a user's CONSTRUCT.
    let facts: Vec<(String, String, String, String, String, f64)> = if let Some(q) = &opts.query {
        let mut p = SparqlEvaluator::new().parse_query(q).map_err(|e| QueryError::Syntax(e.to_string()))?;
        p.dataset_mut().set_default_graph_as_union();
        let mut v = Vec::new();
        match p.on_store(&store.store).execute().map_err(|e| QueryError::Evaluation(e.to_string()))? {
            QueryResults::Graph(ts) => {
                for t in ts {
                    let t = t.map_err(|e| QueryError::Evaluation(e.to_string()))?;
                    if let (oxigraph::model::NamedOrBlankNode::NamedNode(s), Term::NamedNode(o)) = (&t.subject, &t.object) {
                        let p = t.predicate.as_str();
                        if let Some(local) = p.strip_prefix(crate::rdf::NKG) {
                            if PRED_FAMILY.iter().any(|(n, _)| *n == local) {
                                v.push((s.as_str().to_string(), local.to_string(), o.as_str().to_string(), String::new(), String::new(), 1.0));
                            }
                        }
                    }
                }
            }
            _ => return Err(QueryError::Format("--query needs a CONSTRUCT query".into())),
        }
        v
    } else {
        let rows = select(
            store,
            "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> PREFIX nkg: <https://newskg.org/ontology#> PREFIX prov: <http://www.w3.org/ns/prov#>
             SELECT ?s ?p ?o ?file ?ev ?c ?who WHERE {
               ?st a rdf:Statement ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; prov:wasDerivedFrom ?d ; nkg:confidence ?c .
               ?d nkg:sourceFile ?file .
               OPTIONAL { ?st nkg:evidence ?ev } OPTIONAL { ?st nkg:attributedTo ?who }
             }",
        )?;
        let mut v = Vec::new();
        for r in rows {
            if opts.no_attributed && r.contains_key("who") {
                continue;
            }
            let c: f64 = lit(r.get("c")).parse().unwrap_or(0.0);
            let file = lit(r.get("file"));
            if opts.doc.as_ref().is_some_and(|d| !(file == *d || Path::new(d).file_name().is_some_and(|n| n.to_string_lossy() == file))) {
                continue;
            }
            if c < opts.min_confidence {
                continue;
            }
            let p = iri(r.get("p"));
            let Some(local) = p.strip_prefix(crate::rdf::NKG) else { continue };
            v.push((iri(r.get("s")), local.to_string(), iri(r.get("o")), file, lit(r.get("ev")), c));
        }
        v
    };
    // Predicate labels and families from the ontology graph (the built-in table is the fallback).
    let mut vocab: BTreeMap<String, (String, String)> = BTreeMap::new();
    let rows = select(
        store,
        &format!(
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> PREFIX owl: <http://www.w3.org/2002/07/owl#> PREFIX nkg: <https://newskg.org/ontology#>
             SELECT ?p ?l ?f WHERE {{ ?p a owl:ObjectProperty . OPTIONAL {{ ?p rdfs:label ?l FILTER(lang(?l) = \"{lang}\") }} OPTIONAL {{ ?p nkg:family ?f }} }}"
        ),
    )?;
    for r in rows {
        let p = iri(r.get("p"));
        let Some(local) = p.strip_prefix(crate::rdf::NKG) else { continue };
        let label = match r.get("l") {
            Some(Term::Literal(l)) => l.value().to_string(),
            _ => predicate_label(local, opts.lang),
        };
        let fam = iri(r.get("f")).rsplit('#').next().unwrap_or("").to_lowercase();
        let fam = if fam.is_empty() { family(local).to_string() } else { fam };
        vocab.insert(local.to_string(), (label, fam));
    }
    // Node facts: labels, classes, the state they stand for (for clusters).
    let info_rows = select(
        store,
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> PREFIX nkg: <https://newskg.org/ontology#>
         SELECT ?e ?l ?alt ?c ?sf WHERE { ?e a ?c . FILTER(STRSTARTS(STR(?c), STR(nkg:)) && ?c != nkg:Document)
           OPTIONAL { ?e rdfs:label ?l } OPTIONAL { ?e skos:altLabel ?alt } OPTIONAL { ?e nkg:standsFor ?sf } }",
    )?;
    let mut infos: BTreeMap<String, NodeInfo> = BTreeMap::new();
    for r in info_rows {
        let e = iri(r.get("e"));
        let ni = infos.entry(e.clone()).or_insert_with(|| NodeInfo { iri: e.clone(), ..Default::default() });
        ni.class = iri(r.get("c")).rsplit('#').next().unwrap_or("").to_string();
        if let Some(Term::Literal(l)) = r.get("l") {
            if l.language() == Some(lang) {
                ni.label = l.value().to_string();
            }
            ni.labels.insert(l.value().to_string());
        }
        if let Some(Term::Literal(l)) = r.get("alt") {
            ni.labels.insert(l.value().to_string());
        }
        if r.get("sf").is_some() {
            ni.country = Some(iri(r.get("sf")));
        }
    }
    let mut edges: BTreeMap<(String, String, String), EdgeInfo> = BTreeMap::new();
    for (s, p, o, file, ev, c) in facts {
        if !opts.predicates.is_empty() && !opts.predicates.contains(&p) {
            continue;
        }
        let (s, o) = if crate::rules::is_symmetric(&p) && o < s { (o, s) } else { (s, o) };
        let e = edges.entry((s, p.clone(), o)).or_insert_with(|| EdgeInfo { predicate: p, ..Default::default() });
        if !file.is_empty() {
            e.docs.insert(file.clone());
        }
        if !ev.is_empty() {
            e.evidence.insert(format!("{ev} ({file})"));
        }
        e.confidence = e.confidence.max(c);
    }
    for ((s, _, o), e) in edges {
        if e.docs.len() < opts.min_docs && opts.query.is_none() {
            continue;
        }
        let mut node = |x: &str, g: &mut DiGraph<NodeInfo, EdgeInfo>| -> NodeIndex {
            *index.entry(x.to_string()).or_insert_with(|| {
                let mut ni = infos.get(x).cloned().unwrap_or_else(|| NodeInfo { iri: x.to_string(), ..Default::default() });
                if ni.label.is_empty() {
                    ni.label = ni.labels.iter().next().cloned().unwrap_or_else(|| x.rsplit('/').next().unwrap_or(x).to_string());
                }
                g.add_node(ni)
            })
        };
        let a = node(&s, &mut g);
        let b = node(&o, &mut g);
        g.add_edge(a, b, e);
    }
    // Ego network around the focus.
    let keep: Option<BTreeSet<NodeIndex>> = match &opts.focus {
        None => None,
        Some(f) => {
            let ff = crate::normalize::fold(f);
            let start: Vec<NodeIndex> = g
                .node_indices()
                .filter(|&i| g[i].iri == *f || crate::normalize::fold(&g[i].label) == ff || g[i].labels.iter().any(|l| crate::normalize::fold(l) == ff))
                .collect();
            if start.is_empty() {
                return Err(QueryError::Format(format!("--focus {f:?}: no entity with that label, alias or IRI has facts in the store")));
            }
            let mut seen: BTreeSet<NodeIndex> = start.iter().copied().collect();
            let mut queue: VecDeque<(NodeIndex, usize)> = start.into_iter().map(|s| (s, 0)).collect();
            while let Some((n, d)) = queue.pop_front() {
                if d >= opts.depth {
                    continue;
                }
                for nb in g.neighbors_undirected(n) {
                    if seen.insert(nb) {
                        queue.push_back((nb, d + 1));
                    }
                }
            }
            Some(seen)
        }
    };
    Ok(to_dot(&g, keep.as_ref(), opts, &vocab))
}

fn to_dot(g: &DiGraph<NodeInfo, EdgeInfo>, keep: Option<&BTreeSet<NodeIndex>>, opts: &DiagramOptions, vocab: &BTreeMap<String, (String, String)>) -> String {
    let shown = |i: NodeIndex| keep.is_none_or(|k| k.contains(&i));
    let mut nodes: Vec<NodeIndex> = g.node_indices().filter(|&i| shown(i)).collect();
    nodes.sort_by(|a, b| g[*a].iri.cmp(&g[*b].iri));
    let id_of: BTreeMap<NodeIndex, String> = nodes.iter().enumerate().map(|(k, &i)| (i, format!("n{k}"))).collect();
    let mut stmts = vec![
        Stmt::GAttribute(GraphAttributes::Graph(vec![
            attr("rankdir", "LR"),
            attr("overlap", "false"),
            attr("splines", "true"),
            attr("nodesep", "0.4"),
            attr("ranksep", "1.1"),
            attr("fontname", "Helvetica"),
            attr("label", &match &opts.focus {
                Some(f) => format!("newskg — relations around {f} (depth {}; edge width = number of documents)", opts.depth),
                None => "newskg — relations extracted from the store (edge width = number of documents)".to_string(),
            }),
            attr("labelloc", "t"),
        ])),
        Stmt::GAttribute(GraphAttributes::Node(vec![attr("style", "filled"), attr("fontname", "Helvetica"), attr("fontsize", "11")])),
        Stmt::GAttribute(GraphAttributes::Edge(vec![attr("fontname", "Helvetica"), attr("fontsize", "9")])),
    ];
    let node_stmt = |i: NodeIndex| {
        let n = &g[i];
        let (shape, fill) = class_style(&n.class);
        let tip = format!("{} [{}]\n{}\n{}", n.label, n.class, n.labels.iter().cloned().collect::<Vec<_>>().join(" · "), n.iri);
        Stmt::Node(Node::new(NodeId(Id::Plain(id_of[&i].clone()), None), vec![attr("label", &n.label), attr("shape", shape), attr("fillcolor", fill), attr("tooltip", &tip)]))
    };
    if opts.cluster {
        let mut groups: BTreeMap<String, Vec<NodeIndex>> = BTreeMap::new();
        for &i in &nodes {
            let key = match (&g[i].class[..], &g[i].country) {
                ("Country", _) => g[i].iri.clone(),
                (_, Some(c)) => c.clone(),
                _ => String::new(),
            };
            groups.entry(key).or_default().push(i);
        }
        for (k, (key, members)) in groups.into_iter().enumerate() {
            if key.is_empty() || members.len() < 2 {
                stmts.extend(members.into_iter().map(node_stmt));
                continue;
            }
            let mut sub = vec![Stmt::Attribute(attr("style", "dashed")), Stmt::Attribute(attr("color", "#95a5a6"))];
            sub.extend(members.into_iter().map(node_stmt));
            stmts.push(Stmt::Subgraph(Subgraph { id: Id::Plain(format!("cluster_{k}")), stmts: sub }));
        }
    } else {
        stmts.extend(nodes.iter().map(|&i| node_stmt(i)));
    }
    let mut es: Vec<_> = g.edge_references().filter(|e| shown(e.source()) && shown(e.target())).collect();
    es.sort_by(|a, b| (&id_of[&a.source()], &a.weight().predicate, &id_of[&a.target()]).cmp(&(&id_of[&b.source()], &b.weight().predicate, &id_of[&b.target()])));
    for e in es {
        let w = e.weight();
        let (label, fam) = match vocab.get(&w.predicate) {
            Some((l, f)) => (l.clone(), f.as_str()),
            None => (predicate_label(&w.predicate, opts.lang), family(&w.predicate)),
        };
        let width = 1.0 + (w.docs.len().max(1) as f64 - 1.0) * 1.5;
        let mut tip = format!("{} — {} document(s), confidence ≤ {:.2}", label, w.docs.len(), w.confidence);
        for ev in w.evidence.iter().take(5) {
            tip.push_str("\n• ");
            tip.push_str(ev);
        }
        let mut attrs = vec![attr("label", &label), attr("color", family_color(fam)), attr("fontcolor", family_color(fam)), attr("penwidth", &format!("{width:.1}")), attr("tooltip", &tip), attr("labeltooltip", &tip)];
        if crate::rules::is_symmetric(&w.predicate) {
            attrs.push(attr("dir", "none"));
            attrs.push(attr("style", "dashed"));
        }
        stmts.push(Stmt::Edge(Edge { ty: EdgeTy::Pair(Vertex::N(NodeId(Id::Plain(id_of[&e.source()].clone()), None)), Vertex::N(NodeId(Id::Plain(id_of[&e.target()].clone()), None))), attributes: attrs }));
    }
    // Legend: one compact table node (fixed text only, so an HTML label is safe here).
    let mut rows = String::from("<TABLE BORDER=\"0\" CELLBORDER=\"1\" CELLSPACING=\"0\" CELLPADDING=\"3\"><TR><TD COLSPAN=\"2\"><B>Legend</B></TD></TR>");
    for c in ["Person", "Country", "Organization", "ArmedForce", "Place"] {
        let (shape, fill) = class_style(c);
        rows.push_str(&format!("<TR><TD BGCOLOR=\"{fill}\">{c}</TD><TD>{shape}</TD></TR>"));
    }
    for f in ["cooperation", "conflict", "structure"] {
        rows.push_str(&format!("<TR><TD COLSPAN=\"2\"><FONT COLOR=\"{}\">&#8212;&#8212; {f}</FONT></TD></TR>", family_color(f)));
    }
    rows.push_str("<TR><TD COLSPAN=\"2\">dashed, no arrow: symmetric</TD></TR></TABLE>");
    stmts.push(Stmt::Node(Node::new(
        NodeId(Id::Plain("legend".into()), None),
        vec![Attribute(Id::Plain("label".into()), Id::Html(format!("<{rows}>"))), attr("shape", "plaintext"), attr("style", ""), attr("fontsize", "9")],
    )));
    let graph = Graph::DiGraph { id: Id::Plain("newskg".into()), strict: false, stmts };
    let mut ctx = PrinterContext::default();
    graph.print(&mut ctx)
}

/// The predicate's label when the store holds no ontology, in the chosen language.
pub fn predicate_label(p: &str, lang: Lang) -> String {
    const FR: &[(&str, &str)] = &[
        ("leaderOf", "dirige"), ("spokespersonOf", "porte-parole de"), ("advisorOf", "conseiller de"), ("memberOf", "membre de"),
        ("branchOf", "branche de"), ("armedForceOf", "force armée de"), ("locatedIn", "situé dans"), ("capitalOf", "capitale de"),
        ("designatesAsTerrorist", "qualifie de terroriste"), ("allyOf", "allié de"), ("supports", "soutient"), ("condemns", "condamne"),
        ("accuses", "accuse"), ("callsOn", "appelle"), ("demands", "exige de"), ("requestsHelpFrom", "demande l'aide de"),
        ("attacks", "attaque"), ("fightsAgainst", "combat"), ("fightsAlongside", "combat aux côtés de"), ("occupies", "occupe"),
        ("deployedIn", "déployé dans"), ("withdrawsFrom", "se retire de"), ("suspendsParticipationIn", "suspend sa participation à"),
        ("signsAgreementWith", "accord avec"), ("talksWith", "s'entretient avec"),
    ];
    match lang {
        Lang::Fr => FR.iter().find(|(n, _)| *n == p).map(|x| x.1.to_string()).unwrap_or_else(|| p.to_string()),
        Lang::En => {
            // camelCase → words: "requestsHelpFrom" → "requests help from".
            let mut s = String::new();
            for c in p.chars() {
                if c.is_uppercase() {
                    s.push(' ');
                    s.extend(c.to_lowercase());
                } else {
                    s.push(c);
                }
            }
            s
        }
    }
}

/// Renders DOT with Graphviz's `dot`; a clear error when it is not installed.
pub fn render(dot_text: &str, format: DiagramFormat, out: &mut dyn Write) -> Result<(), QueryError> {
    let fmt = match format {
        DiagramFormat::Dot => {
            out.write_all(dot_text.as_bytes())?;
            return Ok(());
        }
        DiagramFormat::Svg => "-Tsvg",
        DiagramFormat::Png => "-Tpng",
        DiagramFormat::Pdf => "-Tpdf",
    };
    let mut child = Command::new("dot").arg(fmt).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            QueryError::Format("Graphviz's `dot` is not installed: install it (Debian/Ubuntu: apt-get install graphviz; macOS: brew install graphviz) or use --format dot".into())
        } else {
            QueryError::Io(e)
        }
    })?;
    let mut stdin = child.stdin.take().expect("piped");
    let text = dot_text.to_string();
    let writer = std::thread::spawn(move || stdin.write_all(text.as_bytes()));
    let output = child.wait_with_output()?;
    let _ = writer.join();
    if !output.status.success() {
        return Err(QueryError::Evaluation(format!("dot failed: {}", String::from_utf8_lossy(&output.stderr))));
    }
    out.write_all(&output.stdout)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_labels_are_escaped() {
        for s in ["a\"b", "back\\slash", "new\nline", "<b>{x}</b>", "\u{202E}rtl\u{200F}", "ctrl\u{0007}", "Ильхам Алиев", "\\N\\G"] {
            let Id::Escaped(q) = quote(s) else { panic!() };
            let graph = format!("digraph g {{ a [label={q}] }}");
            graphviz_rust::parse(&graph).unwrap_or_else(|e| panic!("{s:?} → {q}: {e}"));
            assert!(!q.contains('\u{202E}') && !q.contains('\u{7}'));
        }
    }

    #[test]
    fn predicate_labels_in_both_languages() {
        assert_eq!(predicate_label("requestsHelpFrom", Lang::En), "requests help from");
        assert_eq!(predicate_label("supports", Lang::Fr), "soutient");
    }
}
