//! Extraction: from a cleaned document to its entities, mentions and facts.
//! No I/O happens here; the stage is a pure function of the text and the
//! lexicon, so `build` and `extract` give the same output for the same input.

pub mod mentions;
pub mod relations;
pub mod speech;
pub mod syntax;

use crate::gazetteer::Class;
use crate::lexicon::Lexicon;
use crate::normalize::slug;
use crate::text::{CleanText, Token};
use mentions::TitleUse;
use rustc_hash::FxHashMap as HashMap;
use std::collections::BTreeSet;

/// An entity as this document knows it: a gazetteer entry or a new name.
#[derive(Debug, Clone)]
pub struct DocEntity<'l> {
    pub id: String,
    pub class: Class,
    pub label_fr: String,
    pub label_en: Option<String>,
    /// Other names: the gazetteer's, borrowed from the lexicon (copying them
    /// for every entity of every document showed in the mapper's profile),
    /// and those this document adds.
    known_aliases: Option<&'l BTreeSet<String>>,
    own_aliases: BTreeSet<String>,
    /// Gazetteer index, for known entities.
    pub known: Option<usize>,
    /// The state it acts for (doc entity), if any.
    pub stands_for: Option<usize>,
    /// The state a person serves (doc entity), if known.
    pub country: Option<usize>,
    /// Roles seen in this document: (role key, of).
    pub roles: Vec<(String, Option<usize>)>,
    /// Grammatical gender when the text shows it ("Mme", "la présidente"): Some(true) feminine.
    pub feminine: Option<bool>,
    /// Transliteration keys of each name, word by word: the gazetteer's and this document's.
    known_keys: &'l [Vec<String>],
    own_keys: Vec<Vec<String>>,
}

impl DocEntity<'_> {
    /// The other names (not the labels), sorted, without repeats.
    pub fn aliases(&self) -> Vec<&str> {
        let known = self.known_aliases.into_iter().flatten().map(String::as_str);
        if self.own_aliases.is_empty() {
            return known.collect();
        }
        known.chain(self.own_aliases.iter().map(String::as_str)).collect::<BTreeSet<&str>>().into_iter().collect()
    }

    fn has_alias(&self, a: &str) -> bool {
        self.known_aliases.is_some_and(|k| k.contains(a)) || self.own_aliases.contains(a)
    }

    fn name_keys(&self) -> impl Iterator<Item = &Vec<String>> {
        self.known_keys.iter().chain(&self.own_keys)
    }
}

/// The entity table of one document.
#[derive(Debug, Default)]
pub struct DocEntities<'l> {
    pub list: Vec<DocEntity<'l>>,
    /// New (non-gazetteer) entities by id; gazetteer ones are found by `by_known`.
    by_id: HashMap<String, usize>,
    /// Gazetteer entry → its doc entity: `known` is asked per mention, and
    /// hashing an index beats hashing the entry's id (gazetteer ids are
    /// unique, and `new_entity` never takes one).
    by_known: HashMap<usize, usize>,
    /// Order in which persons were last mentioned (for pronouns and bare titles).
    pub last_person: Option<usize>,
    pub last_place: Option<usize>,
    pub last_speaker: Option<usize>,
    /// The last person who was a sentence's subject: "il" refers to it before any other person.
    pub last_subject_person: Option<usize>,
    /// The first person the document names, for a pronoun that comes before any name
    /// ("Le chef d'un groupe… dit qu'il a rejoint…", then "Marc de Cacqueray-Valmenier, chef…").
    pub next_person: Option<usize>,
    /// The agent of the last attack stated, for "cette opération", "cette offensive".
    pub last_attacker: Option<usize>,
    /// The last person known to be a woman, and the last one not known to be.
    pub last_feminine: Option<usize>,
    pub last_masculine: Option<usize>,
    /// The last two states (or leaders) named together ("l'Arménie et
    /// l'Azerbaïdjan", "entre Kiev et Moscou"), for "les deux parties", "ils".
    pub last_pair: Option<(usize, usize)>,
    pub last_pair_persons: Option<(usize, usize)>,
    /// Organisations and forces by name, most recent last, for "le ministère", "le parti".
    pub recent_organizations: Vec<usize>,
}

fn key_words(lex: &Lexicon, name: &str) -> Vec<String> {
    crate::lexicon::name_words(&lex.cues, &lex.translit, name)
}

impl<'l> DocEntities<'l> {
    pub fn get(&self, e: usize) -> &DocEntity<'l> {
        &self.list[e]
    }

    /// The doc entity of gazetteer entry `g`, added on first use.
    pub fn known(&mut self, lex: &'l Lexicon, g: usize) -> usize {
        if let Some(&e) = self.by_known.get(&g) {
            return e;
        }
        let ge = &lex.gazetteer.entities[g];
        let stands_for = ge.stands_for.map(|s| self.known(lex, s));
        let country = ge.country.map(|c| self.known(lex, c));
        let e = self.list.len();
        self.list.push(DocEntity {
            id: ge.id.clone(),
            class: ge.class,
            label_fr: ge.label_fr.clone(),
            label_en: ge.label_en.clone(),
            known_aliases: Some(lex.known_aliases(g)),
            own_aliases: BTreeSet::new(),
            known: Some(g),
            stands_for,
            country,
            roles: Vec::new(),
            feminine: None,
            known_keys: lex.name_keys(g),
            own_keys: Vec::new(),
        });
        self.by_known.insert(g, e);
        e
    }

    /// A new entity named `label` (deterministic id from the label).
    pub fn new_entity(&mut self, lex: &Lexicon, label: &str, class: Class) -> usize {
        let base = slug(label);
        let id = if lex.gazetteer.get(&base).is_some() { format!("new_{base}") } else { base };
        // The id may be a gazetteer entry's already in this document (one
        // whose own id begins with "new_"), or a new entity's.
        if let Some(&e) = lex.gazetteer.get(&id).and_then(|g| self.by_known.get(&g)).or_else(|| self.by_id.get(&id)) {
            return e;
        }
        let e = self.list.len();
        self.list.push(DocEntity {
            id: id.clone(),
            class,
            label_fr: label.to_string(),
            label_en: None,
            known_aliases: None,
            own_aliases: BTreeSet::new(),
            known: None,
            stands_for: None,
            country: None,
            roles: Vec::new(),
            feminine: None,
            known_keys: &[],
            own_keys: vec![key_words(lex, label)],
        });
        self.by_id.insert(id, e);
        e
    }

    pub fn add_alias(&mut self, lex: &Lexicon, e: usize, alias: &str) {
        let ent = &mut self.list[e];
        if alias != ent.label_fr && ent.label_en.as_deref() != Some(alias) && !ent.has_alias(alias) {
            ent.own_aliases.insert(alias.to_string());
        }
        let k = key_words(lex, alias);
        if !ent.name_keys().any(|n| *n == k) {
            ent.own_keys.push(k);
        }
    }

    /// A person or organisation already in this document whose name ends with
    /// these words (surname), or whose acronym they are.
    pub fn find_by_tail(&self, key: &[String]) -> Option<usize> {
        if key.is_empty() {
            return None;
        }
        let mut found = None;
        for (i, e) in self.list.iter().enumerate().rev() {
            if !matches!(e.class, Class::Person | Class::Organization | Class::ArmedForce) {
                continue;
            }
            for nk in e.name_keys() {
                let tail = nk.len() >= key.len() && nk[nk.len() - key.len()..] == *key;
                let same = *nk == key;
                if same || (tail && e.class == Class::Person) {
                    if found.is_some_and(|f| f != i) {
                        return None;
                    }
                    found = Some(i);
                }
            }
        }
        found
    }

    pub fn find_by_alias(&self, label: &str) -> Option<usize> {
        self.list.iter().position(|e| e.label_fr == label || e.has_alias(label))
    }

    /// True when two entities share a name word (a first name with a full name).
    pub fn shares_name(&self, a: usize, b: usize) -> bool {
        a == b || self.list[a].name_keys().flatten().any(|w| self.name_word_of(b, w))
    }

    pub fn name_word_of(&self, e: usize, key: &str) -> bool {
        self.list[e].name_keys().any(|nk| nk.iter().any(|w| w == key))
    }

    /// The holder of a role of `of`: this document's own first, then the gazetteer's.
    pub fn holder_for(&mut self, lex: &'l Lexicon, role: &str, of: Option<usize>, year: Option<i32>) -> Option<usize> {
        let of = of?;
        if let Some(p) = self.list.iter().rposition(|e| e.roles.iter().any(|(r, o)| r == role && *o == Some(of))) {
            return Some(p);
        }
        let g_of = self.list[of].known?;
        let g = lex.gazetteer.holder(role, g_of, year)?;
        Some(self.known(lex, g))
    }

    pub fn last_with_role(&self, role: &str) -> Option<usize> {
        self.list.iter().rposition(|e| e.roles.iter().any(|(r, _)| r == role))
    }

    pub fn set_role(&mut self, p: usize, role: &str, of: Option<usize>) {
        let r = (role.to_string(), of);
        if !self.list[p].roles.contains(&r) {
            self.list[p].roles.push(r);
        }
        if self.list[p].country.is_none() {
            if let Some(o) = of {
                let c = if self.list[o].class == Class::Country { Some(o) } else { self.list[o].stands_for };
                self.list[p].country = c;
            }
        }
    }

    /// The state an entity speaks for: itself for a state, its `stands_for`, a person's country.
    pub fn state_of(&self, e: usize) -> Option<usize> {
        let ent = &self.list[e];
        match ent.class {
            Class::Country => Some(e),
            _ => ent.stands_for.or(ent.country),
        }
    }

    /// The state whose forces an entity commands: a state, an organ acting for one, or a person
    /// heading one ("le président X a ordonné à ses forces"); a warlord's forces are not his
    /// country's army.
    pub fn state_commanded(&self, lex: &Lexicon, e: usize, year: Option<i32>) -> Option<usize> {
        let ent = &self.list[e];
        if ent.class != Class::Person {
            return self.state_of(e);
        }
        let leads = ent.roles.iter().any(|(r, of)| lex.titles.leads_state(r) && *of == ent.country)
            || ent.known.is_some_and(|g| {
                {
                let ge = &lex.gazetteer.entities[g];
                // Heading the state itself: "leader" of an armed group is no head of its country.
                ge.roles.iter().any(|(r, of, from, to)| lex.titles.leads_state(r) && Some(*of) == ge.country && year.is_none_or(|y| from.is_none_or(|f| f <= y) && to.is_none_or(|t| y <= t)))
            }
            });
        if leads { ent.country } else { None }
    }
}

/// How a mention names its entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MKind {
    /// A name (gazetteer or unknown).
    Name,
    /// A capital city; `acting` is its state.
    Capital,
    /// A lower-case demonym adjective ("l'offensive azerbaïdjanaise").
    Demonym,
    /// A people noun ("les Azerbaïdjanais").
    People,
    /// A state metonym ("la diplomatie arménienne").
    StateHead,
    /// A title standing for its holder.
    Title,
    /// A pronoun resolved by coreference ("nous" in a quote, "il").
    Pronoun,
    /// A definite description of a place ("la région").
    Anaphor,
    /// "ses forces", "une force de maintien de la paix": the force of the clause's state.
    ImplicitForce,
    /// "les deux parties": one of the two mentions of the pair last named together.
    Pair,
}

/// A mention: token range in its sentence and entity.
#[derive(Debug, Clone)]
pub struct Mention {
    pub start: usize,
    pub end: usize,
    pub entity: usize,
    pub kind: MKind,
    /// The state this mention acts as in a relation (capitals, demonyms).
    pub acting: Option<usize>,
    /// A capital named as a location ("à Bakou"), not as a government.
    pub locative: bool,
}

/// A sentence under analysis.
pub struct SentenceView<'a> {
    pub index: usize,
    pub toks: &'a [Token],
    /// The tokens' folded forms, made once per sentence: every stage reads
    /// them, and each used to collect its own copy.
    pub norms: &'a [&'a str],
    /// The sentence's text; `base` is its first byte in the document.
    pub text: &'a str,
    pub base: usize,
    pub mentions: Vec<Mention>,
    pub titles: Vec<TitleUse>,
    /// Facts stated by titles.
    pub title_facts: Vec<mentions::TitleFact>,
    pub pending_of_person: Vec<(usize, usize)>,
    /// Entities named inside another name ("de l'OSCE" in "Groupe de Minsk de l'OSCE").
    pub extra_mentions: Vec<usize>,
    /// Per token: who said it (reported speech) and which outlet reports it.
    pub said_by: Vec<Option<usize>>,
    pub reported_by: Vec<Option<usize>>,
}

/// The folded forms of `toks`, for `SentenceView::norms`.
pub fn norms_of(toks: &[Token]) -> Vec<&str> {
    toks.iter().map(|t| t.norm.as_str()).collect()
}

impl<'a> SentenceView<'a> {
    pub fn new(index: usize, toks: &'a [Token], norms: &'a [&'a str], text: &'a str) -> Self {
        SentenceView {
            index,
            toks,
            norms,
            text,
            base: toks.first().map_or(0, |t| t.start),
            mentions: Vec::new(),
            titles: Vec::new(),
            title_facts: Vec::new(),
            pending_of_person: Vec::new(),
            extra_mentions: Vec::new(),
            said_by: vec![None; toks.len()],
            reported_by: vec![None; toks.len()],
        }
    }
}

impl SentenceView<'_> {
    /// The raw text of token `k`.
    pub fn raw(&self, k: usize) -> &str {
        let t = &self.toks[k];
        &self.text[t.start - self.base..t.end - self.base]
    }

    /// The sentence reduced to the tokens `keep` (sorted indices), whose
    /// copies are `toks` and their folded forms `norms`: the main clause of
    /// the skeleton. Mentions, titles and speech marks follow their tokens;
    /// those cut by the reduction are left out.
    pub fn restrict<'b>(&self, keep: &[usize], toks: &'b [Token], norms: &'b [&'b str]) -> SentenceView<'b>
    where
        Self: 'b,
    {
        let n = self.toks.len();
        let mut pos = vec![usize::MAX; n];
        for (i, &k) in keep.iter().enumerate() {
            pos[k] = i;
        }
        let span = |s: usize, e: usize| -> Option<(usize, usize)> { (s < e && (s..e).all(|k| pos[k] != usize::MAX)).then(|| (pos[s], pos[e - 1] + 1)) };
        let mentions = self.mentions.iter().filter_map(|m| span(m.start, m.end).map(|(s, e)| Mention { start: s, end: e, ..m.clone() })).collect();
        let titles = self
            .titles
            .iter()
            .filter_map(|t| {
                let (s, e) = span(t.start, t.end)?;
                let of_end = if t.of_end > t.end { span(t.end, t.of_end)?.1 } else { e };
                Some(mentions::TitleUse { start: s, end: e, of_end, of_more: Vec::new(), ..t.clone() })
            })
            .collect();
        SentenceView {
            index: self.index,
            toks,
            norms,
            text: self.text,
            base: self.base,
            mentions,
            titles,
            title_facts: Vec::new(),
            pending_of_person: Vec::new(),
            extra_mentions: Vec::new(),
            said_by: keep.iter().map(|&k| self.said_by[k]).collect(),
            reported_by: keep.iter().map(|&k| self.reported_by[k]).collect(),
        }
    }
}

/// How sure the text is of a fact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Modality {
    Asserted,
    Possible,
    Intended,
}

impl Modality {
    pub fn name(self) -> &'static str {
        match self {
            Modality::Asserted => "asserted",
            Modality::Possible => "possible",
            Modality::Intended => "intended",
        }
    }
}

/// One extracted relation with its provenance.
#[derive(Debug, Clone, PartialEq)]
pub struct Fact {
    pub subject: usize,
    pub predicate: String,
    pub object: usize,
    pub sentence: usize,
    pub rule: String,
    pub confidence: f64,
    pub modality: Modality,
    pub attributed_to: Option<usize>,
    pub reported_by: Option<usize>,
    /// The date the sentence gives, as an XSD lexical form and its datatype's local name.
    pub date: Option<(String, &'static str)>,
}

/// Everything extracted from one document.
#[derive(Debug, Default)]
pub struct Extraction<'l> {
    pub entities: DocEntities<'l>,
    /// Doc entities the document mentions.
    pub mentioned: BTreeSet<usize>,
    pub facts: Vec<Fact>,
    /// Mentions per sentence (for diagnostics and tests).
    pub sentence_mentions: Vec<Vec<Mention>>,
}

/// Two states (or two persons) coordinated in the sentence ("X et Y") become the document's pair.
pub fn remember_pair(ents: &mut DocEntities, sv: &SentenceView) {
    // Most sentences coordinate nothing: no "et", no pair.
    if sv.mentions.len() < 2 || !sv.norms.contains(&"et") {
        return;
    }
    // Title words between two names are part of the second conjunct: "X et le Premier ministre du Monténégro Y".
    let in_title = |k: usize| sv.titles.iter().any(|t| t.start <= k && k < t.of_end);
    let ms: Vec<&Mention> = sv.mentions.iter().filter(|m| !(in_title(m.start) && in_title(m.end - 1))).collect();
    for w in ms.windows(2) {
        if w[0].end > w[1].start {
            continue;
        }
        let mut gap = (w[0].end..w[1].start).filter(|&k| !in_title(k) || sv.norms[k] == "et").map(|k| sv.norms[k]);
        let joined = gap.next() == Some("et") && {
            let rest: [Option<&str>; 3] = [gap.next(), gap.next(), gap.next()];
            matches!(rest, [None, None, None] | [Some("le" | "la" | "les" | "l'" | "de" | "du" | "d'"), None, None] | [Some("de"), Some("la" | "l'"), None])
        };
        let first_alone = !ms.iter().any(|m| m.end + 1 == w[0].start && sv.norms[m.end] == ",");
        if !joined || !first_alone || w[0].kind == MKind::Pair {
            continue;
        }
        let (a, b) = (w[0].acting.unwrap_or(w[0].entity), w[1].acting.unwrap_or(w[1].entity));
        if a == b {
            continue;
        }
        match (ents.get(a).class, ents.get(b).class) {
            (Class::Country, Class::Country) => ents.last_pair = Some((a, b)),
            (Class::Person, Class::Person) => ents.last_pair_persons = Some((a, b)),
            _ => {}
        }
    }
}

/// Month names as the tokens' norms spell them (folded).
pub const MONTHS_FOLDED: [&str; 12] = ["janvier", "fevrier", "mars", "avril", "mai", "juin", "juillet", "aout", "septembre", "octobre", "novembre", "decembre"];
const MONTHS: [&str; 12] = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"];

fn month_number(m: &str) -> Option<u32> {
    let f = crate::normalize::fold(m);
    MONTHS.iter().position(|x| crate::normalize::fold(x) == f).map(|i| i as u32 + 1)
}

/// The date written in the document's first lines ("17/04/2024", "17 avril 2024"): (year, month, day).
pub fn document_date(body: &str) -> Option<(i32, u32, u32)> {
    static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let re = RE.get_or_init(|| regex::Regex::new(r"(?i)(?:^|\D)(?:(\d{1,2})[/.-](\d{1,2})[/.-]((?:19|20)\d{2})|(\d{1,2})(?:er)? (janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|septembre|octobre|novembre|décembre|decembre) ((?:19|20)\d{2}))(?:\D|$)").expect("date pattern"));
    let head = crate::text::first_chars(body, 3000);
    // Both forms end with a year 19xx or 20xx: without one, no regex search
    // (most of a document's bytes are no date, and the search scanned them all).
    let year_at = head.as_bytes().windows(4).position(|w| matches!(&w[..2], b"19" | b"20") && w[2].is_ascii_digit() && w[3].is_ascii_digit())?;
    // No match starts more than its own length (under 32 bytes) before the
    // first year it could end with: the search starts there, the anchors
    // still reading the whole head.
    let mut from = year_at.saturating_sub(32);
    while !head.is_char_boundary(from) {
        from -= 1;
    }
    let c = re.captures_at(head, from)?;
    if let (Some(d), Some(m), Some(y)) = (c.get(1), c.get(2), c.get(3)) {
        return Some((y.as_str().parse().ok()?, m.as_str().parse().ok()?, d.as_str().parse().ok()?));
    }
    Some((c.get(6)?.as_str().parse().ok()?, month_number(c.get(5)?.as_str())?, c.get(4)?.as_str().parse().ok()?))
}

pub fn document_year(body: &str) -> Option<i32> {
    document_date(body).map(|d| d.0)
}

/// A date a sentence gives its fact ("le 17 avril", "en septembre 2023", "le 10 novembre 2020"),
/// completed with the document's year: ("2024-04-17", "date") or ("2023-09", "gYearMonth").
pub fn sentence_date(text: &str, doc: Option<(i32, u32, u32)>) -> Option<(String, &'static str)> {
    static FULL: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    static MONTH: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    // Both patterns need a digit; most sentences have none, and a Unicode \b
    // would push the regex off its DFA on accented text (hence the ASCII \b).
    if !text.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    let full = FULL.get_or_init(|| regex::Regex::new(r"(?i)(?-u:\b)(?:le |du |au )?(\d{1,2})(?:er)? (janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|septembre|octobre|novembre|décembre|decembre)(?: ((?:19|20)\d{2}))?").expect("date pattern"));
    if let Some(c) = full.captures(text) {
        let d: u32 = c.get(1)?.as_str().parse().ok()?;
        let m = month_number(c.get(2)?.as_str())?;
        let y: i32 = match c.get(3) {
            Some(y) => y.as_str().parse().ok()?,
            // "le 17 avril" in an article of April 2024: this year's, or last year's if later than the article.
            None => {
                let (dy, dm, dd) = doc?;
                if (m, d) > (dm, dd) { dy - 1 } else { dy }
            }
        };
        if (1..=31).contains(&d) {
            return Some((format!("{y:04}-{m:02}-{d:02}"), "date"));
        }
    }
    let month = MONTH.get_or_init(|| regex::Regex::new(r"(?i)(?-u:\b)en (janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|septembre|octobre|novembre|décembre|decembre) ((?:19|20)\d{2})").expect("date pattern"));
    if let Some(c) = month.captures(text) {
        let m = month_number(c.get(1)?.as_str())?;
        return Some((format!("{}-{m:02}", c.get(2)?.as_str()), "gYearMonth"));
    }
    None
}

/// Extracts entities and facts from a cleaned document.
pub fn extract<'l>(lex: &'l Lexicon, body: &str, clean: &CleanText) -> Extraction<'l> {
    let doc_date = document_date(body);
    let year = doc_date.map(|d| d.0);
    let mut ents = DocEntities::default();
    let mut facts = Vec::new();
    let mut mentioned = BTreeSet::new();
    let mut all_mentions = Vec::new();
    // Cataphora: look ahead a few sentences for the first person named.
    {
        let mut scratch = DocEntities::default();
        'look: for s in clean.sentences.iter().take(6) {
            let norms = norms_of(&s.tokens);
            let mut sv = SentenceView::new(0, &s.tokens, &norms, &body[s.start..s.end]);
            mentions::find(lex, &mut scratch, &mut sv, year);
            for m in &sv.mentions {
                let e = scratch.get(m.entity);
                if e.class == Class::Person && m.kind == MKind::Name {
                    ents.next_person = Some(match e.known {
                        Some(g) => ents.known(lex, g),
                        None => {
                            let label = e.label_fr.clone();
                            ents.new_entity(lex, &label, Class::Person)
                        }
                    });
                    break 'look;
                }
            }
        }
    }
    for (si, s) in clean.sentences.iter().enumerate() {
        let text = &body[s.start..s.end];
        let norms = norms_of(&s.tokens);
        let mut sv = SentenceView::new(si, &s.tokens, &norms, text);
        mentions::find(lex, &mut ents, &mut sv, year);
        speech::attribute(lex, &mut ents, &mut sv);
        let mut fs = relations::find(lex, &mut ents, &mut sv);
        if !fs.is_empty() {
            let date = sentence_date(text, doc_date);
            for f in &mut fs {
                f.date = date.clone();
            }
        }
        // The subject of this sentence, if a person opens it ("Erdogan a reçu Aliyev. Il a…" → Erdogan).
        let opener = sv.mentions.iter().filter(|m| m.start <= 3).find(|m| ents.get(m.entity).class == Class::Person && matches!(m.kind, MKind::Name | MKind::Title | MKind::Pronoun)).map(|m| m.entity);
        let fact_subject = fs.iter().find(|f| ents.get(f.subject).class == Class::Person && f.rule != "title").map(|f| f.subject);
        if let Some(p) = fact_subject.or(opener) {
            ents.last_subject_person = Some(p);
        }
        for m in &sv.mentions {
            match m.kind {
                MKind::Name | MKind::Title | MKind::StateHead | MKind::People => {
                    mentioned.insert(m.entity);
                }
                MKind::Capital => {
                    mentioned.insert(m.entity);
                    if !m.locative {
                        mentioned.extend(m.acting);
                    }
                }
                _ => {}
            }
            let e = m.entity;
            match ents.get(e).class {
                Class::Person if matches!(m.kind, MKind::Name | MKind::Title) => {
                    ents.last_person = Some(e);
                    if ents.get(e).feminine == Some(true) {
                        ents.last_feminine = Some(e);
                    } else {
                        ents.last_masculine = Some(e);
                    }
                }
                Class::Place if m.kind == MKind::Name => ents.last_place = Some(e),
                Class::Organization | Class::ArmedForce if m.kind == MKind::Name => {
                    ents.recent_organizations.retain(|&x| x != e);
                    ents.recent_organizations.push(e);
                }
                _ => {}
            }
        }
        mentioned.extend(sv.extra_mentions.iter().copied());
        remember_pair(&mut ents, &sv);
        if let Some(f) = fs.iter().rev().find(|f| f.predicate == "attacks") {
            ents.last_attacker = Some(f.subject);
        }
        for f in &fs {
            mentioned.insert(f.subject);
            // A state only the gazetteer gave a title ("le président Vladimir
            // Poutine") counts when the document names it (checked below).
            if f.rule != "title.known" {
                mentioned.insert(f.object);
            }
            mentioned.extend(f.attributed_to);
            mentioned.extend(f.reported_by);
        }
        facts.append(&mut fs);
        all_mentions.push(sv.mentions);
    }
    facts.retain(|f| f.rule != "title.known" || mentioned.contains(&f.object) || all_mentions.iter().flatten().any(|m| m.kind == MKind::Demonym && m.acting == Some(f.object)));
    // "les troupes russes" in an article about the Russian peacekeepers are those peacekeepers:
    // a state's generic armed forces merge into its one more specific force named in the document.
    let mut remap: Vec<(usize, usize)> = Vec::new();
    for (e, ent) in ents.list.iter().enumerate() {
        let Some(g) = ent.known else { continue };
        let Some(state) = lex.gazetteer.entities[g].country else { continue };
        if lex.gazetteer.template_of("armed_forces", state) != Some(g) || !mentioned.contains(&e) {
            continue;
        }
        let specific: Vec<usize> = ents
            .list
            .iter()
            .enumerate()
            .filter(|(o, x)| *o != e && mentioned.contains(o) && x.class == Class::ArmedForce && x.known.is_some_and(|xg| lex.gazetteer.entities[xg].stands_for == Some(state)))
            .map(|(o, _)| o)
            .collect();
        if let [one] = specific.as_slice() {
            remap.push((e, *one));
        }
    }
    for (from, to) in remap {
        mentioned.remove(&from);
        for f in &mut facts {
            if f.subject == from {
                f.subject = to;
            }
            if f.object == from {
                f.object = to;
            }
        }
        facts.retain(|f| f.subject != f.object);
        for ms in &mut all_mentions {
            for m in ms.iter_mut() {
                if m.entity == from {
                    m.entity = to;
                }
            }
        }
    }
    // One statement per (subject, predicate, object, sentence): the surest reading wins.
    facts.sort_by(|a, b| {
        (a.sentence, a.subject, &a.predicate, a.object)
            .cmp(&(b.sentence, b.subject, &b.predicate, b.object))
            .then(b.confidence.partial_cmp(&a.confidence).unwrap_or(std::cmp::Ordering::Equal))
    });
    facts.dedup_by(|a, b| a.sentence == b.sentence && a.subject == b.subject && a.predicate == b.predicate && a.object == b.object);
    Extraction { entities: ents, mentioned, facts, sentence_mentions: all_mentions }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_document_year() {
        assert_eq!(document_year("Báo Thanh niên17/04/2024\nLe texte"), Some(2024));
        assert_eq!(document_year("Publié le 3 mars 2021 à 10h"), Some(2021));
        assert_eq!(document_year("rien ici 12345"), None);
    }

    #[test]
    fn a_date_is_found_wherever_the_first_year_is() {
        // The match starts before the year it ends with; one year earlier in the text is not a date.
        let pad = "Un texte sans date. ".repeat(30);
        assert_eq!(document_date(&format!("{pad}Le 3 décembre 2021 à Bakou")), Some((2021, 12, 3)));
        assert_eq!(document_date(&format!("En 1994, un cessez-le-feu. {pad}17/04/2024")), Some((2024, 4, 17)));
        assert_eq!(document_date("17/04/2024 en tête"), Some((2024, 4, 17)));
        assert_eq!(document_date(&format!("{}1er septembre 2023", "é".repeat(2990))), None);
        assert_eq!(document_date(&format!("{}1er septembre 2023", "é".repeat(2970))), Some((2023, 9, 1)));
    }

    #[test]
    fn dates_of_sentences() {
        let doc = Some((2024, 4, 20));
        assert_eq!(sentence_date("a confirmé le 17 avril que", doc), Some(("2024-04-17".into(), "date")));
        assert_eq!(sentence_date("le 10 novembre 2020", None), Some(("2020-11-10".into(), "date")));
        assert_eq!(sentence_date("a confirmé le 30 décembre que", doc), Some(("2023-12-30".into(), "date")));
        assert_eq!(sentence_date("En septembre 2023, l'Azerbaïdjan", None), Some(("2023-09".into(), "gYearMonth")));
        assert_eq!(sentence_date("le 17 avril", None), None);
        assert_eq!(sentence_date("sans date", doc), None);
    }
}
