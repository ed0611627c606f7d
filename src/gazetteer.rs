//! The gazetteer: known entities from `ontology/gazetteer/*.toml`, the
//! per-state entities generated from `templates.toml`, and a matcher over
//! token keys (transliteration keys, articles and hyphens left out) that finds
//! their names in a sentence.

use crate::error::LexiconError;
use crate::lexicon::read_toml;
use crate::normalize::{fold, Transliteration};
use crate::text::{tokenize, TokKind, Token};
use serde::Deserialize;
use rustc_hash::FxHashMap as HashMap;
use crate::wordmap::{ClassBit, ClassesBuilder, WordMap};
use std::path::Path;

/// The five entity classes of the vocabulary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
pub enum Class {
    Person,
    Country,
    Organization,
    ArmedForce,
    Place,
}

impl Class {
    pub fn name(self) -> &'static str {
        match self {
            Class::Person => "Person",
            Class::Country => "Country",
            Class::Organization => "Organization",
            Class::ArmedForce => "ArmedForce",
            Class::Place => "Place",
        }
    }
    pub fn parse(s: &str) -> Option<Class> {
        Some(match s {
            "Person" => Class::Person,
            "Country" => Class::Country,
            "Organization" => Class::Organization,
            "ArmedForce" => Class::ArmedForce,
            "Place" => Class::Place,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct Role {
    pub role: String,
    pub of: String,
    #[serde(default)]
    pub from: Option<i32>,
    #[serde(default)]
    pub to: Option<i32>,
}

/// One gazetteer entry as written in the TOML files.
#[derive(Debug, Clone, Deserialize)]
pub struct Entry {
    pub id: String,
    pub class: Class,
    pub label_fr: String,
    #[serde(default)]
    pub label_en: Option<String>,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub demonyms: Vec<String>,
    #[serde(default)]
    pub demonyms_alt: Vec<String>,
    #[serde(default)]
    pub capital: Option<String>,
    #[serde(default)]
    pub capital_of: Option<String>,
    #[serde(default)]
    pub located_in: Option<String>,
    #[serde(default)]
    pub part_of: Option<String>,
    #[serde(default)]
    pub stands_for: Option<String>,
    #[serde(default)]
    pub country: Option<String>,
    #[serde(default)]
    pub ambiguous: bool,
    #[serde(default)]
    pub roles: Vec<Role>,
}

#[derive(Debug, Deserialize)]
struct EntryFile {
    #[serde(default)]
    entity: Vec<Entry>,
}

#[derive(Debug, Clone, Deserialize)]
struct Template {
    key: String,
    id: String,
    class: Class,
    label_fr: String,
    label_en: String,
    aliases: Vec<String>,
    #[serde(default)]
    stands_for: bool,
    #[serde(default)]
    relation: Option<String>,
}

#[derive(Debug, Deserialize)]
struct TemplateFile {
    template: Vec<Template>,
}

/// A known entity, after templates and merges.
#[derive(Debug, Clone)]
pub struct Entity {
    pub id: String,
    pub class: Class,
    pub label_fr: String,
    pub label_en: Option<String>,
    pub aliases: Vec<String>,
    pub capital_of: Option<usize>,
    pub located_in: Option<usize>,
    pub part_of: Option<usize>,
    pub stands_for: Option<usize>,
    pub country: Option<usize>,
    pub roles: Vec<(String, usize, Option<i32>, Option<i32>)>,
    /// From media.toml: a news outlet ("selon l'AFP" → reportedBy).
    pub media: bool,
    /// For generated entities: the predicate to their state (armedForceOf).
    pub relation_to_state: Option<String>,
    pub ambiguous: bool,
}

/// How the case of a name in the text must look for an alias to match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CaseRule {
    Any,
    /// First word capitalised (single-word names: "Paris" not "paris").
    Capitalized,
    /// Every letter upper case (acronyms: "PKK", "UE").
    Upper,
}

#[derive(Debug, Clone)]
struct Pattern {
    entity: usize,
    case: CaseRule,
    ambiguous: bool,
}

/// A gazetteer hit in a sentence: token range and entity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub start: usize,
    pub end: usize,
    pub entity: usize,
}

#[derive(Debug)]
pub struct Gazetteer {
    pub entities: Vec<Entity>,
    pub by_id: HashMap<String, usize>,
    /// Demonym key → country.
    pub demonyms: WordMap<usize>,
    /// (template key, country) → entity (after merges).
    pub by_template: HashMap<(String, usize), usize>,
    /// Organisation or state → the entities holding a role of it, in entity order.
    role_holders: HashMap<usize, Vec<usize>>,
    patterns: Vec<Pattern>,
    /// The patterns' key tokens as a trie. Its first level is a `WordMap`: a
    /// sentence's words are nearly all in no name, and its filter turns them
    /// away before any hashing.
    by_first_key: WordMap<KeyTrie>,
    /// The tokens' class bits for "its key starts a name", "its key is a
    /// demonym's", "matching skips it" and "it is a contraction".
    bit_first_key: ClassBit,
    bit_demonym: ClassBit,
    bit_skipped: ClassBit,
    bit_contraction: ClassBit,
    /// Patterns as added (" k1 k2 … "), until `build` indexes them.
    keys: Vec<String>,
}

/// A node of the pattern trie: the pattern whose keys end here, and the next keys.
#[derive(Debug, Default)]
struct KeyTrie {
    pattern: Option<usize>,
    next: HashMap<String, KeyTrie>,
}

/// Tokens that matching skips: hyphens, apostrophes and articles, so that
/// "forces armées de l'Azerbaïdjan" and "Haut Karabakh" match their aliases.
fn transparent(t: &Token) -> bool {
    t.kind == TokKind::Punct && SKIPPED_PUNCT.contains(&t.norm.as_str()) || SKIPPED_ARTICLES.contains(&t.norm.as_str())
}

const SKIPPED_PUNCT: [&str; 5] = ["-", "'", "\u{2010}", "\u{2011}", "."];
const SKIPPED_ARTICLES: [&str; 4] = ["le", "la", "les", "l'"];

/// The matching key of one token: contractions folded onto their preposition.
fn token_key(t: &Token) -> &str {
    contraction(t).unwrap_or(&t.key)
}

/// The preposition a contraction stands for in matching ("du" → "de").
fn contraction(t: &Token) -> Option<&'static str> {
    CONTRACTIONS.iter().find(|(c, _)| *c == t.norm).map(|&(_, p)| p)
}

const CONTRACTIONS: [(&str, &str); 5] = [("du", "de"), ("des", "de"), ("d'", "de"), ("au", "a"), ("aux", "a")];

/// The key string of a name: " k1 k2 … " with single spaces, transparent
/// tokens left out.
fn key_string(toks: &[Token]) -> String {
    let mut s = String::from(" ");
    for t in toks.iter().filter(|t| !transparent(t)) {
        s.push_str(token_key(t));
        s.push(' ');
    }
    s
}

impl Gazetteer {
    pub fn load(dir: &Path, tr: &Transliteration) -> Result<Gazetteer, LexiconError> {
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .map_err(|e| LexiconError::Io { path: dir.to_path_buf(), source: e })?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml") && p.file_name().is_some_and(|n| n != "templates.toml"))
            .collect();
        files.sort();
        let mut entries: Vec<(Entry, bool)> = Vec::new();
        for f in &files {
            let media = f.file_stem().is_some_and(|s| s == "media");
            let ef: EntryFile = read_toml(f)?;
            entries.extend(ef.entity.into_iter().map(|e| (e, media)));
        }
        let templates: TemplateFile = read_toml(&dir.join("templates.toml"))?;
        Self::build(entries, templates.template, tr).map_err(|m| LexiconError::Invalid { path: dir.to_path_buf(), message: m })
    }

    fn build(entries: Vec<(Entry, bool)>, templates: Vec<Template>, tr: &Transliteration) -> Result<Gazetteer, String> {
        let mut by_id = HashMap::default();
        for (i, (e, _)) in entries.iter().enumerate() {
            if by_id.insert(e.id.clone(), i).is_some() {
                return Err(format!("duplicate id {}", e.id));
            }
        }
        let mut entities = Vec::new();
        for (e, media) in &entries {
            entities.push(Entity {
                id: e.id.clone(),
                class: e.class,
                label_fr: e.label_fr.clone(),
                label_en: e.label_en.clone(),
                aliases: e.aliases.clone(),
                capital_of: None,
                located_in: None,
                part_of: None,
                stands_for: None,
                country: None,
                roles: Vec::new(),
                media: *media,
                relation_to_state: None,
                ambiguous: e.ambiguous,
            });
        }
        let mut g = Gazetteer {
            entities,
            by_id,
            demonyms: WordMap::default(),
            by_template: HashMap::default(),
            role_holders: HashMap::default(),
            patterns: Vec::new(),
            by_first_key: WordMap::default(),
            bit_first_key: ClassBit::NONE,
            bit_demonym: ClassBit::NONE,
            bit_skipped: ClassBit::NONE,
            bit_contraction: ClassBit::NONE,
            keys: Vec::new(),
        };
        // Alias key → pattern index, first writer wins (explicit entries come first).
        let mut seen: HashMap<String, usize> = HashMap::default();
        let n_explicit = g.entities.len();
        for i in 0..n_explicit {
            let names: Vec<String> = std::iter::once(g.entities[i].label_fr.clone())
                .chain(g.entities[i].label_en.clone())
                .chain(g.entities[i].aliases.clone())
                .collect();
            for n in names {
                g.add_pattern(&mut seen, &n, i, tr);
            }
        }
        // Demonyms and templates.
        let mut demonyms: HashMap<String, usize> = HashMap::default();
        for (ci, (e, _)) in entries.iter().enumerate() {
            if e.class != Class::Country {
                continue;
            }
            let sets: Vec<&Vec<String>> = [&e.demonyms, &e.demonyms_alt].into_iter().filter(|d| d.len() == 4).collect();
            if !e.demonyms.is_empty() && e.demonyms.len() != 4 {
                return Err(format!("{}: demonyms needs 4 forms (ms, fs, mp, fp)", e.id));
            }
            for d in &sets {
                for form in d.iter() {
                    demonyms.entry(tr.key(&fold(form))).or_insert(ci);
                }
            }
            if sets.is_empty() {
                continue;
            }
            // "l'armée de Tachkent": a template may name the state by its capital.
            let capital = entries.iter().find(|(x, _)| x.capital_of.as_deref() == Some(e.id.as_str())).map(|(x, _)| x.label_fr.as_str());
            for t in &templates {
                let fill = |s: &str, d: &[String]| -> String {
                    let en = e.label_en.as_deref().unwrap_or(&e.label_fr);
                    fill_template(s, &[("id", &e.id), ("name", &e.label_fr), ("en", en), ("ms", &d[0]), ("fs", &d[1]), ("mp", &d[2]), ("fp", &d[3]), ("capital", capital.unwrap_or(""))])
                };
                let mut aliases = Vec::new();
                for d in &sets {
                    for a in t.aliases.iter().filter(|a| capital.is_some() || !a.contains("{capital}")) {
                        let s = fill(a, d);
                        if !aliases.contains(&s) {
                            aliases.push(s);
                        }
                    }
                }
                // Each alias is keyed once, for the owner search and for its pattern
                // (thousands of template aliases: keying each twice cost a tenth of the startup).
                let keyed: Vec<(String, String)> = aliases.into_iter().map(|a| (alias_key(&a, tr), a)).collect();
                // Merge into an explicit entry that already owns one of these names.
                let owner = keyed.iter().find_map(|(k, _)| seen.get(k).map(|&p| g.patterns[p].entity).filter(|&ent| ent < n_explicit));
                let target = match owner {
                    Some(ent) => ent,
                    None => {
                        g.entities.push(Entity {
                            id: fill(&t.id, sets[0]),
                            class: t.class,
                            label_fr: fill(&t.label_fr, sets[0]),
                            label_en: Some(fill(&t.label_en, sets[0])),
                            aliases: Vec::new(),
                            capital_of: None,
                            located_in: None,
                            part_of: None,
                            stands_for: t.stands_for.then_some(ci),
                            country: Some(ci),
                            roles: Vec::new(),
                            media: false,
                            relation_to_state: t.relation.clone(),
                            ambiguous: false,
                        });
                        g.entities.len() - 1
                    }
                };
                g.by_template.insert((t.key.clone(), ci), target);
                for (k, a) in keyed {
                    g.add_keyed_pattern(&mut seen, k, &a, target);
                    if (target >= n_explicit || !g.entities[target].aliases.contains(&a)) && a != g.entities[target].label_fr {
                        g.entities[target].aliases.push(a);
                    }
                }
            }
        }
        for (i, e) in g.entities.iter().enumerate() {
            g.by_id.entry(e.id.clone()).or_insert(i);
        }
        // References may name generated entities ("armenia_security_council"), so they resolve last.
        for (i, (e, _)) in entries.iter().enumerate() {
            let by_id = &g.by_id;
            let resolve = |id: &Option<String>, what: &str| -> Result<Option<usize>, String> {
                match id {
                    None => Ok(None),
                    Some(x) => by_id.get(x).copied().map(Some).ok_or_else(|| format!("{}: {what} refers to unknown id {x}", e.id)),
                }
            };
            let capital_of = resolve(&e.capital_of, "capital_of")?;
            let located_in = resolve(&e.located_in, "located_in")?;
            let part_of = resolve(&e.part_of, "part_of")?;
            let stands_for = resolve(&e.stands_for, "stands_for")?;
            let country = resolve(&e.country, "country")?;
            resolve(&e.capital, "capital")?;
            let mut roles = Vec::new();
            for r in &e.roles {
                let of = by_id.get(&r.of).copied().ok_or_else(|| format!("{}: role of unknown id {}", e.id, r.of))?;
                roles.push((r.role.clone(), of, r.from, r.to));
            }
            let ent = &mut g.entities[i];
            ent.capital_of = capital_of;
            ent.located_in = located_in;
            ent.part_of = part_of;
            ent.stands_for = stands_for;
            ent.country = country;
            ent.roles = roles;
        }
        for (i, e) in g.entities.iter().enumerate() {
            for (_, of, _, _) in &e.roles {
                let h = g.role_holders.entry(*of).or_default();
                if h.last() != Some(&i) {
                    h.push(i);
                }
            }
        }
        g.demonyms = demonyms.into();
        let mut by_first_key: HashMap<String, KeyTrie> = HashMap::default();
        for (p, key) in std::mem::take(&mut g.keys).into_iter().enumerate() {
            // " k1 k2 … kn ": the keys of the name's tokens between single spaces.
            let mut words = key[1..key.len() - 1].split(' ');
            let mut node = by_first_key.entry(words.next().unwrap_or_default().to_string()).or_default();
            for w in words {
                node = node.next.entry(w.to_string()).or_default();
            }
            node.pattern = Some(p);
        }
        g.by_first_key = by_first_key.into();
        Ok(g)
    }

    fn add_pattern(&mut self, seen: &mut HashMap<String, usize>, name: &str, entity: usize, tr: &Transliteration) {
        self.add_keyed_pattern(seen, alias_key(name, tr), name, entity);
    }

    /// `add_pattern` for a name whose `alias_key` is known.
    fn add_keyed_pattern(&mut self, seen: &mut HashMap<String, usize>, key: String, name: &str, entity: usize) {
        if key.trim().is_empty() {
            return;
        }
        let mut letters = name.chars().filter(|c| c.is_alphabetic());
        let first_upper = letters.next().is_some_and(char::is_uppercase);
        let (more, all_upper) = letters.fold((0, first_upper), |(n, up), c| (n + 1, up && c.is_uppercase()));
        // Words that count are those left in the key ("Le Monde" is one word: "monde").
        let words = key.split_whitespace().count();
        let case = if more >= 1 && all_upper {
            CaseRule::Upper
        } else if words == 1 && first_upper {
            CaseRule::Capitalized
        } else {
            CaseRule::Any
        };
        if let Some(&p) = seen.get(&key) {
            // The same name written more loosely ("Tass" beside "TASS") relaxes the case rule.
            let looser = |a: CaseRule, b: CaseRule| matches!((a, b), (CaseRule::Upper, CaseRule::Capitalized | CaseRule::Any) | (CaseRule::Capitalized, CaseRule::Any));
            if self.patterns[p].entity == entity && looser(self.patterns[p].case, case) {
                self.patterns[p].case = case;
            }
            return;
        }
        seen.insert(key.clone(), self.patterns.len());
        self.keys.push(key);
        self.patterns.push(Pattern { entity, case, ambiguous: self.entities[entity].ambiguous && words == 1 });
    }

    /// Gives "starts a name", "is a demonym", "is skipped" and "is a
    /// contraction" their bits in the word classes `b` builds.
    pub fn register(&mut self, b: &mut ClassesBuilder) {
        self.bit_first_key = b.register_keys(self.by_first_key.iter().map(|(k, _)| k.as_str()));
        self.bit_demonym = b.register_keys(self.demonyms.iter().map(|(k, _)| k.as_str()));
        self.bit_skipped = b.register(SKIPPED_PUNCT.iter().chain(&SKIPPED_ARTICLES).copied());
        self.bit_contraction = b.register(CONTRACTIONS.iter().map(|&(c, _)| c));
    }

    /// `transparent`, a clear bit answering no at once.
    #[inline]
    fn skips(&self, t: &Token) -> bool {
        self.bit_skipped.test(t.classes) != Some(false) && transparent(t)
    }

    /// `contraction`, a clear bit answering no at once.
    #[inline]
    fn contracted(&self, t: &Token) -> Option<&'static str> {
        if self.bit_contraction.test(t.classes) == Some(false) { None } else { contraction(t) }
    }

    pub fn get(&self, id: &str) -> Option<usize> {
        self.by_id.get(id).copied()
    }

    /// Whether tokens `a..b` are written as pattern `pi` requires.
    fn case_fits(&self, toks: &[Token], a: usize, b: usize, pi: usize) -> bool {
        let p = &self.patterns[pi];
        match p.case {
            CaseRule::Any => true,
            CaseRule::Capitalized => toks[a].cap && !(p.ambiguous && a == 0),
            // French press also writes long acronyms as words after an article: "l'Otan", "l'Onu".
            CaseRule::Upper => {
                toks[a..b].iter().filter(|t| t.kind == TokKind::Word).all(|t| t.upper)
                    || (b == a + 1 && toks[a].cap && toks[a].norm.chars().count() >= 3 && a > 0 && matches!(toks[a - 1].norm.as_str(), "l'" | "le" | "la" | "du" | "au" | "de"))
            }
        }
    }

    /// Longest non-overlapping hits in a sentence's tokens, left to right.
    pub fn find(&self, toks: &[Token]) -> Vec<Hit> {
        // The key tokens of the sentence and, for each, its index in `toks`.
        let mut keys: Vec<&str> = Vec::with_capacity(toks.len());
        let mut idx: Vec<usize> = Vec::with_capacity(toks.len());
        for (i, t) in toks.iter().enumerate() {
            if !self.skips(t) {
                keys.push(self.contracted(t).unwrap_or(&t.key));
                idx.push(i);
            }
        }
        let mut cands: Vec<(usize, usize, usize)> = Vec::new(); // (start tok, end tok, pattern)
        // Every occurrence of every pattern, overlaps included: the choice among them is made below.
        for first in 0..keys.len() {
            let t = &toks[idx[first]];
            // A contraction is matched as its preposition, which its own bits do not tell.
            if self.contracted(t).is_none() && self.bit_first_key.test(t.classes) == Some(false) {
                continue;
            }
            let mut node = self.by_first_key.get(keys[first]);
            let mut end = first + 1; // one past the last key token on the path to `node`
            while let Some(at) = node {
                if let Some(pi) = at.pattern {
                    let (a, b) = (idx[first], idx[end - 1] + 1);
                    if self.case_fits(toks, a, b, pi) {
                        cands.push((a, b, pi));
                    }
                }
                node = keys.get(end).and_then(|k| at.next.get(*k));
                end += 1;
            }
        }
        cands.sort_by(|x, y| x.0.cmp(&y.0).then((y.1 - y.0).cmp(&(x.1 - x.0))).then(x.2.cmp(&y.2)));
        let mut out: Vec<Hit> = Vec::new();
        let mut taken = vec![false; toks.len()];
        // Longest first overall, so a long name is never cut by a short one starting earlier.
        let mut order: Vec<usize> = (0..cands.len()).collect();
        order.sort_by(|&i, &j| (cands[j].1 - cands[j].0).cmp(&(cands[i].1 - cands[i].0)).then(cands[i].0.cmp(&cands[j].0)));
        for i in order {
            let (a, b, p) = cands[i];
            if taken[a..b].iter().any(|&t| t) {
                continue;
            }
            taken[a..b].iter_mut().for_each(|t| *t = true);
            out.push(Hit { start: a, end: b, entity: self.patterns[p].entity });
        }
        out.sort_by_key(|h| h.start);
        out
    }

    /// The country a demonym form names ("azerbaïdjanaise" → Azerbaïdjan).
    #[inline]
    pub fn demonym(&self, tok: &Token) -> Option<usize> {
        if tok.kind != TokKind::Word || self.bit_demonym.test(tok.classes) == Some(false) {
            return None;
        }
        self.demonyms.get(tok.key.as_str()).copied()
    }

    /// The state of a demonym, by its transliteration key.
    pub fn demonym_by_key(&self, key: &str) -> Option<usize> {
        self.demonyms.get(key).copied()
    }

    /// The armed force (or other template entity) of a state.
    pub fn template_of(&self, key: &str, country: usize) -> Option<usize> {
        self.by_template.get(&(key.to_string(), country)).copied()
    }

    /// The holder of `role` of `of` in `year` (the current one when no year is known).
    pub fn holder(&self, role: &str, of: usize, year: Option<i32>) -> Option<usize> {
        let mut found = None;
        for &i in self.role_holders.get(&of).into_iter().flatten() {
            for (r, o, from, to) in &self.entities[i].roles {
                if r != role || *o != of {
                    continue;
                }
                let fits = match year {
                    Some(y) => from.is_none_or(|f| f <= y) && to.is_none_or(|t| y <= t),
                    None => to.is_none(),
                };
                if fits {
                    if found.is_some() {
                        return None;
                    }
                    found = Some(i);
                }
            }
        }
        found
    }

    /// Every name of an entity: labels then aliases.
    pub fn names(&self, e: usize) -> impl Iterator<Item = &str> {
        let en = &self.entities[e];
        std::iter::once(en.label_fr.as_str()).chain(en.label_en.as_deref()).chain(en.aliases.iter().map(|s| s.as_str()))
    }

    /// The entity a label or alias names, if any (used by tests and `--focus`).
    pub fn lookup(&self, name: &str, tr: &Transliteration) -> Option<usize> {
        let toks = tokenize(name, 0, tr);
        let hits = self.find(&toks);
        match hits.as_slice() {
            [h] if h.start == toks.iter().position(|t| !transparent(t)).unwrap_or(0) && h.end == toks.len() => Some(h.entity),
            _ => None,
        }
    }
}

/// `template` with each `{name}` whose name `vars` lists replaced by its
/// value, in one pass; other braces stay as they are.
fn fill_template(template: &str, vars: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value = after.find('}').and_then(|close| vars.iter().find(|(k, _)| *k == &after[..close]).map(|(_, v)| (close, *v)));
        match value {
            Some((close, v)) => {
                out.push_str(v);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// " k1 k2 … " for an alias, with the text's tokenizer and keys.
fn alias_key(name: &str, tr: &Transliteration) -> String {
    let toks = tokenize(name, 0, tr);
    key_string(&toks)
}

#[cfg(test)]
mod tests {
    use crate::lexicon::tests::shared;
    use crate::text::tokenize;

    fn ids(text: &str) -> Vec<String> {
        let lex = shared();
        let toks = tokenize(text, 0, &lex.translit);
        lex.gazetteer.find(&toks).into_iter().map(|h| lex.gazetteer.entities[h.entity].id.clone()).collect()
    }

    #[test]
    fn templates_fill_in_one_pass() {
        let vars = [("name", "Arménie"), ("ms", "arménien"), ("fp", "{name}")];
        assert_eq!(super::fill_template("l'armée {ms} de {name}", &vars), "l'armée arménien de Arménie");
        // A value is not read again, and unknown or open braces stay.
        assert_eq!(super::fill_template("{fp}|{x}|{ms", &vars), "{name}|{x}|{ms");
        assert_eq!(super::fill_template("{{ms}}", &vars), "{arménien}");
        assert_eq!(super::fill_template("", &vars), "");
    }

    #[test]
    fn finds_names_whatever_the_spelling() {
        assert_eq!(ids("Nikol Pachinian et Ilham Aliev"), vec!["nikol_pashinyan", "ilham_aliyev"]);
        assert_eq!(ids("le Nagorny-Karabakh"), ids("le Haut-Karabagh"));
        assert_eq!(ids("l'OTSC"), ids("la CSTO"));
    }

    #[test]
    fn longest_name_wins_and_case_rules_hold() {
        assert_eq!(ids("le Conseil de sécurité des Nations unies"), vec!["unsc"]);
        assert_eq!(ids("les forces armées de l'Azerbaïdjan"), vec!["azerbaijan_armed_forces"]);
        // "ue" in lower case is not the European Union.
        assert!(ids("il a tué").is_empty());
    }

    #[test]
    fn templates_make_state_organs() {
        assert_eq!(ids("le ministère azerbaïdjanais de la Défense"), vec!["azerbaijan_defence_ministry"]);
        assert_eq!(ids("l'armée arménienne"), vec!["armenia_armed_forces"]);
        assert_eq!(ids("les casques bleus russes"), vec!["russian_peacekeepers"]);
    }
}
