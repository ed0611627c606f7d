//! Relationship diagrams: facts are counted in the store with SPARQL (one
//! row per fact, so the work is bounded by the number of facts, not of
//! documents), the strongest are kept (`max_edges`; the title says how many
//! were left out), their evidence and their nodes' labels are looked up one
//! by one, and the result goes through a petgraph graph to a DOT model with
//! graphviz-rust (never by string concatenation of user text), rendered by
//! Graphviz's `dot` for SVG/PNG/PDF. Same store and options → same DOT bytes.

use crate::error::{QueryError, StoreError};
use crate::query::{solutions, term_text, triples, Limits};
use crate::rdf::{graph_iri, nkg, NKG, PROV, SKOS};
use crate::store::KgStore;
use graphviz_rust::dot_structures::{Attribute, Edge, EdgeTy, Graph, GraphAttributes, Id, Node, NodeId, Stmt, Subgraph, Vertex};
use graphviz_rust::printer::{DotPrinter, PrinterContext};
use oxigraph::model::vocab::{rdf, rdfs};
use oxigraph::model::{GraphNameRef, NamedNode, NamedNodeRef, NamedOrBlankNodeRef, Term};
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

/// Most relations a diagram draws by default: beyond a hundred or so, `dot`
/// makes a hairball and takes minutes.
pub const MAX_EDGES: usize = 100;

/// Evidence sentences in an edge's tooltip.
const EVIDENCE_PER_EDGE: usize = 5;

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
    /// Most relations drawn (those in the most documents); 0 for no bound.
    pub max_edges: usize,
}

impl Default for DiagramOptions {
    fn default() -> Self {
        DiagramOptions {
            focus: None,
            depth: 1,
            predicates: Vec::new(),
            doc: None,
            min_docs: 1,
            min_confidence: 0.0,
            query: None,
            no_attributed: false,
            lang: Lang::Fr,
            cluster: false,
            max_edges: MAX_EDGES,
        }
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
    /// Documents that state the fact (0 for facts from a CONSTRUCT).
    docs: usize,
    evidence: BTreeSet<String>,
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

fn iri(t: Option<&Term>) -> String {
    match t {
        Some(Term::NamedNode(n)) => n.as_str().to_string(),
        Some(other) => other.to_string(),
        None => String::new(),
    }
}

fn number(t: Option<&Term>) -> f64 {
    t.map(term_text).and_then(|s| s.parse().ok()).unwrap_or(0.0)
}

/// A fact to draw: subject, predicate (local name), object.
type Fact = (String, String, String);

/// The store's facts, one per (subject, predicate, object), with the number
/// of documents that state them, after the filters. Without a statement
/// filter (confidence, reported speech) the documents are the graphs that
/// hold the direct triple: one pass over the relations' triples. With one,
/// the statements themselves, their properties joined by hash, one pass
/// each (a lookup per statement costs about twenty times a scanned quad).
fn counted_facts(store: &KgStore, opts: &DiagramOptions, limits: &Limits) -> Result<BTreeMap<Fact, EdgeInfo>, QueryError> {
    let mut restrict = String::new();
    if let Some(d) = &opts.doc {
        let graphs: BTreeSet<String> = doc_graphs(d).into_iter().collect();
        restrict.push_str(&format!("VALUES ?g {{ {} }}\n", graphs.iter().map(|g| format!("<{g}>")).collect::<Vec<_>>().join(" ")));
    }
    let predicates: Vec<&str> = if opts.predicates.is_empty() { PRED_FAMILY.iter().map(|(p, _)| *p).collect() } else { opts.predicates.iter().map(String::as_str).collect() };
    let predicates: Vec<String> = predicates.iter().filter(|p| PRED_FAMILY.iter().any(|(n, _)| n == *p)).map(|p| format!("<{NKG}{p}>")).collect();
    if predicates.is_empty() {
        return Ok(BTreeMap::new());
    }
    restrict.push_str(&format!("VALUES ?p {{ {} }}\n", predicates.join(" ")));
    let q = if opts.min_confidence <= 0.0 && !opts.no_attributed {
        format!("SELECT ?s ?p ?o (COUNT(?g) AS ?docs) WHERE {{ {restrict} GRAPH ?g {{ ?s ?p ?o }} }} GROUP BY ?s ?p ?o")
    } else {
        let mut filters = String::new();
        if opts.min_confidence > 0.0 {
            filters.push_str(&format!("{{ SELECT ?st ?c WHERE {{ ?st nkg:confidence ?c }} }}\nFILTER(?c >= {})\n", opts.min_confidence));
        }
        if opts.no_attributed {
            filters.push_str("OPTIONAL { SELECT ?st ?who WHERE { ?st nkg:attributedTo ?who } }\nFILTER(!BOUND(?who))\n");
        }
        format!(
            "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> PREFIX nkg: <{NKG}>
             SELECT ?s ?p ?o (COUNT(DISTINCT ?g) AS ?docs) WHERE {{
               {restrict}
               GRAPH ?g {{ ?st rdf:predicate ?p }}
               {{ SELECT ?st ?s WHERE {{ ?st rdf:subject ?s }} }}
               {{ SELECT ?st ?o WHERE {{ ?st rdf:object ?o }} }}
               {filters}
             }} GROUP BY ?s ?p ?o"
        )
    };
    let (_, rows) = solutions(store, &q, limits)?;
    let mut facts: BTreeMap<Fact, EdgeInfo> = BTreeMap::new();
    for r in rows {
        let (Some(Term::NamedNode(s)), Some(Term::NamedNode(p)), Some(Term::NamedNode(o))) = (&r[0], &r[1], &r[2]) else { continue };
        let Some(local) = p.as_str().strip_prefix(NKG) else { continue };
        let (s, o) = (s.as_str().to_string(), o.as_str().to_string());
        // newskg writes symmetric facts in one direction (subject IRI first);
        // the other direction only comes from data added by hand, counted together.
        let (s, o) = if crate::rules::is_symmetric(local) && o < s { (o, s) } else { (s, o) };
        let e = facts.entry((s, local.to_string(), o)).or_insert_with(|| EdgeInfo { predicate: local.to_string(), ..Default::default() });
        e.docs += number(r[3].as_ref()) as usize;
    }
    Ok(facts)
}

/// The graphs of a document named on the command line: as given, or by its file name alone.
fn doc_graphs(d: &str) -> Vec<String> {
    let mut g = vec![graph_iri(d).as_str().to_string()];
    g.extend(Path::new(d).file_name().map(|n| graph_iri(&n.to_string_lossy()).as_str().to_string()));
    g
}

/// The facts a user's CONSTRUCT query returns (relation predicates between IRIs).
fn constructed_facts(store: &KgStore, q: &str, limits: &Limits) -> Result<BTreeMap<Fact, EdgeInfo>, QueryError> {
    let mut facts = BTreeMap::new();
    for t in triples(store, q, limits)? {
        if let (oxigraph::model::NamedOrBlankNode::NamedNode(s), Term::NamedNode(o)) = (&t.subject, &t.object) {
            if let Some(local) = t.predicate.as_str().strip_prefix(NKG) {
                if PRED_FAMILY.iter().any(|(n, _)| *n == local) {
                    let (s, o) = (s.as_str().to_string(), o.as_str().to_string());
                    let (s, o) = if crate::rules::is_symmetric(local) && o < s { (o, s) } else { (s, o) };
                    facts.insert((s, local.to_string(), o), EdgeInfo { predicate: local.to_string(), ..Default::default() });
                }
            }
        }
    }
    Ok(facts)
}

fn store_err(e: oxigraph::store::StorageError) -> QueryError {
    QueryError::Store(StoreError::Storage(e))
}

/// Up to `EVIDENCE_PER_EDGE` sentences stating a fact ("sentence (file, confidence)"),
/// from the first documents that hold its direct triple (in index order),
/// through the statements of each document (a handful of index lookups per document,
/// where a query would read every statement of the fact's subject).
fn evidence(store: &KgStore, (s, p, o): &Fact, opts: &DiagramOptions, out: &mut BTreeSet<String>) -> Result<(), QueryError> {
    let st = &store.store;
    let (p_iri, mut directions) = (nkg(p), vec![(s.as_str(), o.as_str())]);
    if crate::rules::is_symmetric(p) {
        directions.push((o.as_str(), s.as_str()));
    }
    let [subject, predicate, object] = [rdf::SUBJECT, rdf::PREDICATE, rdf::OBJECT];
    let (evidence_p, confidence_p, attributed_p) = (nkg("evidence"), nkg("confidence"), nkg("attributedTo"));
    let derived_p = NamedNode::new_unchecked(format!("{PROV}wasDerivedFrom"));
    let file_p = nkg("sourceFile");
    let docs: Option<BTreeSet<String>> = opts.doc.as_deref().map(|d| doc_graphs(d).into_iter().collect());
    for (a, b) in directions {
        let (a, b) = (NamedNodeRef::new_unchecked(a), NamedNodeRef::new_unchecked(b));
        for q in st.quads_for_pattern(Some(a.into()), Some(p_iri.as_ref()), Some(b.into()), None) {
            if out.len() >= EVIDENCE_PER_EDGE {
                return Ok(());
            }
            let q = q.map_err(store_err)?;
            let GraphNameRef::NamedNode(g) = q.graph_name.as_ref() else { continue };
            if docs.as_ref().is_some_and(|d| !d.contains(g.as_str())) {
                continue;
            }
            let g = GraphNameRef::NamedNode(g);
            for sq in st.quads_for_pattern(None, Some(subject), Some(a.into()), Some(g)) {
                let sq = sq.map_err(store_err)?;
                let NamedOrBlankNodeRef::NamedNode(stmt) = sq.subject.as_ref() else { continue };
                let has = |pred: NamedNodeRef<'_>, obj: NamedNodeRef<'_>| st.contains(oxigraph::model::QuadRef::new(stmt, pred, obj, g));
                if !has(predicate, p_iri.as_ref()).map_err(store_err)? || !has(object, b).map_err(store_err)? {
                    continue;
                }
                let value = |pred: NamedNodeRef<'_>| -> Result<Option<Term>, QueryError> {
                    Ok(st.quads_for_pattern(Some(stmt.into()), Some(pred), None, Some(g)).next().transpose().map_err(store_err)?.map(|q| q.object))
                };
                let confidence = number(value(confidence_p.as_ref())?.as_ref());
                if confidence < opts.min_confidence {
                    continue;
                }
                if opts.no_attributed && value(attributed_p.as_ref())?.is_some() {
                    continue;
                }
                let Some(Term::Literal(ev)) = value(evidence_p.as_ref())? else { continue };
                let file = match value(derived_p.as_ref())? {
                    // Over every graph: a statement added by hand may point to a document described elsewhere.
                    Some(Term::NamedNode(d)) => st.quads_for_pattern(Some(d.as_ref().into()), Some(file_p.as_ref()), None, None).next().transpose().map_err(store_err)?.map(|q| term_text(&q.object)),
                    _ => None,
                };
                out.insert(format!("{} ({}, confidence {confidence:.2})", ev.value(), file.unwrap_or_default()));
                if out.len() >= EVIDENCE_PER_EDGE {
                    return Ok(());
                }
            }
        }
    }
    Ok(())
}

/// Labels, class and state of the entities drawn, looked up one by one.
fn node_info(store: &KgStore, entity: &str, lang: &str) -> Result<NodeInfo, QueryError> {
    let st = &store.store;
    let e = NamedNodeRef::new_unchecked(entity);
    let mut ni = NodeInfo { iri: entity.to_string(), ..Default::default() };
    let objects = |p: NamedNodeRef<'_>| -> Result<Vec<Term>, QueryError> { st.quads_for_pattern(Some(e.into()), Some(p), None, None).map(|q| q.map(|q| q.object).map_err(store_err)).collect() };
    let mut classes = BTreeSet::new();
    for t in objects(rdf::TYPE)? {
        if let Some(c) = iri(Some(&t)).strip_prefix(NKG) {
            if ["Person", "Country", "Organization", "ArmedForce", "Place"].contains(&c) {
                classes.insert(c.to_string());
            }
        }
    }
    ni.class = classes.into_iter().next().unwrap_or_default();
    let mut own = BTreeSet::new();
    for t in objects(rdfs::LABEL)? {
        if let Term::Literal(l) = &t {
            if l.language() == Some(lang) {
                own.insert(l.value().to_string());
            }
            ni.labels.insert(l.value().to_string());
        }
    }
    ni.label = own.into_iter().next().unwrap_or_default();
    for t in objects(NamedNode::new_unchecked(format!("{SKOS}altLabel")).as_ref())? {
        if let Term::Literal(l) = &t {
            ni.labels.insert(l.value().to_string());
        }
    }
    ni.country = objects(nkg("standsFor").as_ref())?.first().map(|t| iri(Some(t)));
    if ni.label.is_empty() {
        ni.label = ni.labels.iter().next().cloned().unwrap_or_else(|| entity.rsplit('/').next().unwrap_or(entity).to_string());
    }
    Ok(ni)
}

/// Builds the DOT text of the diagram.
pub fn dot(store: &KgStore, opts: &DiagramOptions, limits: &Limits) -> Result<String, QueryError> {
    let lang = match opts.lang {
        Lang::Fr => "fr",
        Lang::En => "en",
    };
    let mut facts = match &opts.query {
        Some(q) => constructed_facts(store, q, limits)?,
        None => counted_facts(store, opts, limits)?,
    };
    if opts.query.is_none() {
        facts.retain(|_, e| e.docs >= opts.min_docs);
    }
    // Ego network around the focus, on every fact (before the bound).
    if let Some(f) = &opts.focus {
        let ff = crate::normalize::fold(f);
        let mut names: BTreeMap<String, NodeInfo> = BTreeMap::new();
        for (s, _, o) in facts.keys() {
            for x in [s, o] {
                if !names.contains_key(x) {
                    names.insert(x.clone(), node_info(store, x, lang)?);
                }
            }
        }
        let start: BTreeSet<&String> = names.iter().filter(|(x, n)| **x == *f || crate::normalize::fold(&n.label) == ff || n.labels.iter().any(|l| crate::normalize::fold(l) == ff)).map(|(x, _)| x).collect();
        if start.is_empty() {
            return Err(QueryError::Format(format!("--focus {f:?}: no entity with that label, alias or IRI has facts in the store")));
        }
        let mut near: BTreeMap<&String, Vec<&String>> = BTreeMap::new();
        for (s, _, o) in facts.keys() {
            near.entry(s).or_default().push(o);
            near.entry(o).or_default().push(s);
        }
        let mut seen: BTreeSet<&String> = start.iter().copied().collect();
        let mut queue: VecDeque<(&String, usize)> = start.into_iter().map(|s| (s, 0)).collect();
        while let Some((n, d)) = queue.pop_front() {
            if d >= opts.depth {
                continue;
            }
            for nb in near.get(n).into_iter().flatten() {
                if seen.insert(nb) {
                    queue.push_back((nb, d + 1));
                }
            }
        }
        let keep: BTreeSet<String> = seen.into_iter().cloned().collect();
        facts.retain(|(s, _, o), _| keep.contains(s) && keep.contains(o));
    }
    // The strongest facts: most documents, then by IRI.
    let total = facts.len();
    let mut ranked: Vec<(Fact, EdgeInfo)> = facts.into_iter().collect();
    ranked.sort_by(|(a, x), (b, y)| y.docs.cmp(&x.docs).then_with(|| a.cmp(b)));
    if opts.max_edges > 0 {
        ranked.truncate(opts.max_edges);
    }
    let note = (ranked.len() < total).then(|| {
        let weakest = ranked.last().map(|(_, e)| e.docs).unwrap_or(0);
        format!("the {} strongest of {total} relations (at least {weakest} document{}); {} left out: see --max-edges, --min-docs, --focus, --predicates", ranked.len(), if weakest == 1 { "" } else { "s" }, total - ranked.len())
    });
    if opts.query.is_none() {
        for (f, e) in ranked.iter_mut() {
            evidence(store, f, opts, &mut e.evidence)?;
        }
    }
    // Predicate labels and families from the ontology graph (the built-in table is the fallback).
    let mut vocab: BTreeMap<String, (String, String)> = BTreeMap::new();
    let (_, rows) = solutions(
        store,
        &format!(
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> PREFIX owl: <http://www.w3.org/2002/07/owl#> PREFIX nkg: <https://newskg.org/ontology#>
             SELECT ?p ?l ?f WHERE {{ ?p a owl:ObjectProperty . OPTIONAL {{ ?p rdfs:label ?l FILTER(lang(?l) = \"{lang}\") }} OPTIONAL {{ ?p nkg:family ?f }} }}"
        ),
        limits,
    )?;
    for r in rows {
        let p = iri(r[0].as_ref());
        let Some(local) = p.strip_prefix(NKG) else { continue };
        let label = match &r[1] {
            Some(Term::Literal(l)) => l.value().to_string(),
            _ => predicate_label(local, opts.lang),
        };
        let fam = iri(r[2].as_ref()).rsplit('#').next().unwrap_or("").to_lowercase();
        let fam = if fam.is_empty() { family(local).to_string() } else { fam };
        vocab.insert(local.to_string(), (label, fam));
    }
    let mut g: DiGraph<NodeInfo, EdgeInfo> = DiGraph::new();
    let mut index: BTreeMap<String, NodeIndex> = BTreeMap::new();
    ranked.sort_by(|(a, _), (b, _)| a.cmp(b));
    for ((s, _, o), e) in ranked {
        let mut node = |x: &str, g: &mut DiGraph<NodeInfo, EdgeInfo>| -> Result<NodeIndex, QueryError> {
            if let Some(&i) = index.get(x) {
                return Ok(i);
            }
            let i = g.add_node(node_info(store, x, lang)?);
            index.insert(x.to_string(), i);
            Ok(i)
        };
        let a = node(&s, &mut g)?;
        let b = node(&o, &mut g)?;
        g.add_edge(a, b, e);
    }
    Ok(to_dot(&g, opts, &vocab, note.as_deref()))
}

fn to_dot(g: &DiGraph<NodeInfo, EdgeInfo>, opts: &DiagramOptions, vocab: &BTreeMap<String, (String, String)>, note: Option<&str>) -> String {
    let mut nodes: Vec<NodeIndex> = g.node_indices().collect();
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
            attr("label", &{
                let mut title = match &opts.focus {
                    Some(f) => format!("newskg — relations around {f} (depth {}; edge width = number of documents)", opts.depth),
                    None => "newskg — relations extracted from the store (edge width = number of documents)".to_string(),
                };
                if let Some(n) = note {
                    title.push('\n');
                    title.push_str(n);
                }
                title
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
    let mut es: Vec<_> = g.edge_references().collect();
    es.sort_by(|a, b| (&id_of[&a.source()], &a.weight().predicate, &id_of[&a.target()]).cmp(&(&id_of[&b.source()], &b.weight().predicate, &id_of[&b.target()])));
    for e in es {
        let w = e.weight();
        let (label, fam) = match vocab.get(&w.predicate) {
            Some((l, f)) => (l.clone(), f.as_str()),
            None => (predicate_label(&w.predicate, opts.lang), family(&w.predicate)),
        };
        // Width grows with the logarithm of the documents, and stops at 8, so a fact
        // in thousands of documents does not hide the others.
        let width = (1.0 + 1.5 * (w.docs.max(1) as f64).log2()).min(8.0);
        let mut tip = format!("{} — {} document(s)", label, w.docs);
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
