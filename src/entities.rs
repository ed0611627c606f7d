//! The entities graph, `<https://newskg.org/graph/entities>`: each entity's
//! identity (classes, labels, alternative labels, the state it stands for)
//! once, for the whole store.
//!
//! Why a graph of its own: Oxigraph 0.5 answers a pattern on the union
//! default graph once per graph that holds the triple. When every document
//! graph repeated its entities' labels, `id:azerbaijan skos:altLabel ?l` gave
//! four rows per document, and any join on a label or a class multiplied by
//! the number of documents (a canned query ran out of memory on 2,000
//! documents). Here each triple lives in one graph only, so the union is an
//! RDF merge whatever the engine does with repeats.
//!
//! The graph is derived, never edited by hand: it is a function of the
//! gazetteer and of what the document graphs record about the entities they
//! use, namely `nkg:mentions`, and a `nkg:Naming` node (`<doc#id>`) where a
//! document says more than the gazetteer does: names the gazetteer does not
//! list (`nkg:surfaceForm`), and for an entity the gazetteer does not know,
//! the class and label its context gave (`nkg:contextClass`,
//! `nkg:contextLabel`). New documents add their entities as they are written;
//! whatever can take something away (a changed document, a SPARQL update, a
//! Graph Store write, a changed gazetteer) ends with `refresh`, which rebuilds
//! the graph from the store. A fingerprint of the gazetteer and of this
//! model, kept in the graph, tells a later build whether it is still right.

use crate::error::StoreError;
use crate::extract::Extraction;
use crate::gazetteer::Class;
use crate::lexicon::Lexicon;
use crate::rdf::{clean_literal, entity_iri, nkg, ID, SKOS};
use crate::store::KgStore;
use oxigraph::model::vocab::{rdf, rdfs};
use oxigraph::model::{GraphName, GraphNameRef, Literal, NamedNode, NamedNodeRef, Quad, Term};
use oxigraph::sparql::{QueryResults, SparqlEvaluator};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};

/// The graph every entity is described in.
pub const ENTITIES_GRAPH: &str = "https://newskg.org/graph/entities";

/// Bumped when the description of an entity changes shape, so that stores
/// written by an older newskg get their entities graph rebuilt.
const MODEL: &str = "newskg entities graph 1";

pub fn entities_graph() -> NamedNode {
    NamedNode::new_unchecked(ENTITIES_GRAPH)
}

/// What one document records about one entity it uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntityUse {
    /// The entity's id (its IRI is `https://newskg.org/id/{id}`).
    pub id: String,
    /// Whether the document mentions it (`nkg:mentions`); an entity may also
    /// come in only as a speaker or an outlet.
    pub mentioned: bool,
    /// For an entity the gazetteer does not know: the class and the French
    /// label the document's context gave it.
    pub context: Option<(Class, String)>,
    /// Names the document used for it beyond its labels and the gazetteer's aliases.
    pub forms: Vec<String>,
}

impl EntityUse {
    /// Whether the document graph needs a naming node for this use: the
    /// mention alone says everything about a gazetteer entity named by its
    /// known names.
    pub fn needs_naming(&self) -> bool {
        !self.mentioned || self.context.is_some() || !self.forms.is_empty()
    }
}

/// The entities a document uses (mentioned, or subject, object, speaker or
/// outlet of a fact), sorted by id, with what the document adds to the
/// gazetteer about each. Literals are cleaned here, as the document graph
/// writes them, so a description rebuilt from the store is the same as one
/// made in memory.
pub fn uses(lex: &Lexicon, ex: &Extraction) -> Vec<EntityUse> {
    let ents = &ex.entities;
    let mut used: BTreeSet<usize> = ex.mentioned.clone();
    for f in &ex.facts {
        used.insert(f.subject);
        used.insert(f.object);
        used.extend(f.attributed_to);
        used.extend(f.reported_by);
    }
    let mut out: Vec<EntityUse> = used
        .into_iter()
        .map(|e| {
            let ent = ents.get(e);
            let (context, forms) = match ent.known {
                Some(g) => {
                    let known = lex.known_aliases(g);
                    (None, ent.aliases().into_iter().filter(|a| !known.contains(*a)).map(clean_literal).collect())
                }
                None => (Some((ent.class, clean_literal(&ent.label_fr))), ent.aliases().into_iter().map(clean_literal).collect()),
            };
            EntityUse { id: ent.id.clone(), mentioned: ex.mentioned.contains(&e), context, forms }
        })
        .collect();
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

/// One entity's description, as the union of the gazetteer's and of what
/// every document using it recorded.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Description {
    classes: BTreeSet<&'static str>,
    labels_fr: BTreeSet<String>,
    labels_en: BTreeSet<String>,
    alt: BTreeSet<String>,
    stands_for: Option<String>,
}

/// Entity descriptions by id, gathered from documents' uses.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Entities {
    map: BTreeMap<String, Description>,
}

impl Entities {
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// The entry of `id`, made from the gazetteer on first sight.
    fn touch(&mut self, lex: &Lexicon, id: &str) -> &mut Description {
        self.map.entry(id.to_string()).or_insert_with(|| {
            let mut d = Description::default();
            if let Some(g) = lex.gazetteer.get(id) {
                let ge = &lex.gazetteer.entities[g];
                d.classes.insert(ge.class.name());
                d.labels_fr.insert(clean_literal(&ge.label_fr));
                d.labels_en.extend(ge.label_en.as_deref().map(clean_literal));
                d.alt.extend(lex.known_aliases(g).iter().map(|a| clean_literal(a)));
                d.stands_for = ge.stands_for.map(|s| lex.gazetteer.entities[s].id.clone());
            }
            d
        })
    }

    /// Adds one document's uses.
    pub fn add_uses(&mut self, lex: &Lexicon, uses: &[EntityUse]) {
        for u in uses {
            let d = self.touch(lex, &u.id);
            if let Some((class, label)) = &u.context {
                d.classes.insert(class.name());
                d.labels_fr.insert(label.clone());
            }
            d.alt.extend(u.forms.iter().cloned());
        }
    }

    pub fn from_uses(lex: &Lexicon, uses: &[EntityUse]) -> Entities {
        let mut e = Entities::default();
        e.add_uses(lex, uses);
        e
    }

    /// The descriptions of every entity the store's graphs use, read from
    /// their mentions and naming nodes. SPARQL rather than `quads_for_pattern`:
    /// the evaluator keeps terms encoded until the few distinct answers come
    /// out, where the quad iterator would look up every IRI's text (four reads
    /// per quad, seconds on 20,000 documents).
    pub fn from_store(store: &KgStore, lex: &Lexicon) -> Result<Entities, StoreError> {
        let mut ents = Entities::default();
        let mentioned = rows(store, &format!("SELECT DISTINCT ?e WHERE {{ ?d <{}> ?e }}", nkg("mentions").as_str()))?;
        for r in mentioned {
            if let Some(id) = r[0].as_ref().and_then(entity_id) {
                ents.touch(lex, &id);
            }
        }
        let namings = rows(
            store,
            &format!(
                "PREFIX nkg: <{}> SELECT DISTINCT ?e ?c ?l ?f WHERE {{ ?n nkg:refersTo ?e OPTIONAL {{ ?n nkg:contextClass ?c }} OPTIONAL {{ ?n nkg:contextLabel ?l }} OPTIONAL {{ ?n nkg:surfaceForm ?f }} }}",
                crate::rdf::NKG
            ),
        )?;
        for r in namings {
            let Some(id) = r[0].as_ref().and_then(entity_id) else { continue };
            let d = ents.touch(lex, &id);
            if let Some(Term::NamedNode(c)) = &r[1] {
                if let Some(class) = c.as_str().strip_prefix(crate::rdf::NKG).and_then(Class::parse) {
                    d.classes.insert(class.name());
                }
            }
            if let Some(Term::Literal(l)) = &r[2] {
                d.labels_fr.insert(l.value().to_string());
            }
            if let Some(Term::Literal(l)) = &r[3] {
                d.alt.insert(l.value().to_string());
            }
        }
        Ok(ents)
    }

    /// The graph's quads in a fixed order (entities by id), with the
    /// fingerprint of the gazetteer they were made from when given.
    pub fn quads(&self, fingerprint: Option<&str>) -> Vec<Quad> {
        let g = GraphName::NamedNode(entities_graph());
        let alt = NamedNode::new_unchecked(format!("{SKOS}altLabel"));
        let stands_for = nkg("standsFor");
        let mut out = Vec::new();
        for (id, d) in &self.map {
            let s = entity_iri(id);
            let mut add = |p: NamedNodeRef<'_>, o: Term| out.push(Quad::new(s.clone(), p, o, g.clone()));
            for c in &d.classes {
                add(rdf::TYPE, nkg(c).into());
            }
            for l in &d.labels_fr {
                add(rdfs::LABEL, Literal::new_language_tagged_literal_unchecked(l.clone(), "fr").into());
            }
            for l in &d.labels_en {
                add(rdfs::LABEL, Literal::new_language_tagged_literal_unchecked(l.clone(), "en").into());
            }
            for a in &d.alt {
                add(alt.as_ref(), Literal::new_simple_literal(a.clone()).into());
            }
            if let Some(sf) = &d.stands_for {
                add(stands_for.as_ref(), entity_iri(sf).into());
            }
        }
        if let Some(f) = fingerprint {
            out.push(Quad::new(entities_graph(), nkg("gazetteerFingerprint"), Literal::new_simple_literal(f), g));
        }
        out
    }
}

/// The id of an entity IRI (`https://newskg.org/id/{id}`).
fn entity_id(t: &Term) -> Option<String> {
    match t {
        Term::NamedNode(n) => n.as_str().strip_prefix(ID).filter(|id| !id.is_empty()).map(str::to_string),
        _ => None,
    }
}

/// A SELECT's rows over the union of the store's graphs, each variable in order.
fn rows(store: &KgStore, q: &str) -> Result<Vec<Vec<Option<Term>>>, StoreError> {
    let err = |e: String| StoreError::Read(e);
    let mut p = SparqlEvaluator::new().parse_query(q).map_err(|e| err(e.to_string()))?;
    p.dataset_mut().set_default_graph_as_union();
    let mut out = Vec::new();
    if let QueryResults::Solutions(sols) = p.on_store(&store.store).execute().map_err(|e| err(e.to_string()))? {
        let vars = sols.variables().to_vec();
        for s in sols {
            let s = s.map_err(|e| err(e.to_string()))?;
            out.push(vars.iter().map(|v| s.get(v).cloned()).collect());
        }
    }
    Ok(out)
}

/// A digest of everything an entity's description takes from the gazetteer
/// (and of this model's version): when it changes, the entities graph of an
/// existing store is out of date even if no document changed.
pub fn fingerprint(lex: &Lexicon) -> String {
    let mut h = Sha256::new();
    let mut put = |s: &str| {
        h.update(s.as_bytes());
        h.update([0u8]);
    };
    put(MODEL);
    for (g, e) in lex.gazetteer.entities.iter().enumerate() {
        put(&e.id);
        put(e.class.name());
        put(&e.label_fr);
        put(e.label_en.as_deref().unwrap_or(""));
        for a in lex.known_aliases(g) {
            put(a);
        }
        put("\u{1}");
        put(e.stands_for.map(|s| lex.gazetteer.entities[s].id.as_str()).unwrap_or(""));
    }
    crate::ingest::hex(&h.finalize()[..16])
}

/// The fingerprint the store's entities graph was made with, if it is marked as up to date.
pub fn recorded_fingerprint(store: &KgStore) -> Result<Option<String>, StoreError> {
    let g = entities_graph();
    let p = nkg("gazetteerFingerprint");
    for q in store.store.quads_for_pattern(Some(g.as_ref().into()), Some(p.as_ref()), None, Some(GraphNameRef::NamedNode(g.as_ref()))) {
        if let Term::Literal(l) = q?.object {
            return Ok(Some(l.value().to_string()));
        }
    }
    Ok(None)
}

/// Marks the entities graph as out of date, before a write that may take
/// something away from it: if the process dies before `refresh`, the next
/// build sees the mark missing and rebuilds the graph.
pub fn mark_stale(store: &KgStore) -> Result<(), StoreError> {
    let g = entities_graph();
    let p = nkg("gazetteerFingerprint");
    let marks: Vec<Quad> = store.store.quads_for_pattern(Some(g.as_ref().into()), Some(p.as_ref()), None, Some(GraphNameRef::NamedNode(g.as_ref()))).collect::<Result<_, _>>()?;
    for q in &marks {
        store.store.remove(q)?;
    }
    Ok(())
}

/// Rebuilds the entities graph from the gazetteer and the document graphs,
/// in one transaction, and marks it up to date. Writes nothing when the
/// graph is already right. Returns whether it wrote.
pub fn refresh(store: &KgStore, lex: &Lexicon) -> Result<bool, StoreError> {
    let quads = Entities::from_store(store, lex)?.quads(Some(&fingerprint(lex)));
    let g = entities_graph();
    let held: std::collections::HashSet<Quad> = store.store.quads_for_pattern(None, None, None, Some(GraphNameRef::NamedNode(g.as_ref()))).collect::<Result<_, _>>()?;
    if held.len() == quads.len() && quads.iter().all(|q| held.contains(q)) {
        return Ok(false);
    }
    store.replace_graph(&g, &quads)?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn naming_is_needed_only_beyond_the_gazetteer() {
        let known = EntityUse { id: "turkey".into(), mentioned: true, context: None, forms: vec![] };
        assert!(!known.needs_naming());
        assert!(EntityUse { mentioned: false, ..known.clone() }.needs_naming());
        assert!(EntityUse { forms: vec!["Turkiye".into()], ..known.clone() }.needs_naming());
        assert!(EntityUse { context: Some((Class::Person, "Jean Dupont".into())), ..known }.needs_naming());
    }

    #[test]
    fn entity_ids_come_from_entity_iris_only() {
        assert_eq!(entity_id(&entity_iri("a_b").into()), Some("a_b".to_string()));
        assert_eq!(entity_id(&NamedNode::new_unchecked("http://example.org/x").into()), None);
        assert_eq!(entity_id(&Literal::new_simple_literal(ID).into()), None);
    }
}
