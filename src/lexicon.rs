//! Loads the data under `ontology/`: cues, titles, conjugation models,
//! transliteration rules, the gazetteer and the relation rules. Code holds the
//! mechanism; every word list lives in those files.

use crate::error::LexiconError;
use crate::gazetteer::Gazetteer;
use crate::normalize::{fold, Transliteration};
use crate::rules::RuleSet;
use regex::{Regex, RegexBuilder};
use serde::Deserialize;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use crate::text::Token;
use crate::wordmap::{ClassBit, ClassesBuilder, WordClasses, WordMap, WordSetExact};
use std::path::{Path, PathBuf};
use std::collections::BTreeSet;
use std::sync::OnceLock;

#[derive(Debug, Clone, Deserialize)]
pub struct SentenceCues {
    pub abbreviations: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct BoilerplateCues {
    pub line: Vec<String>,
    pub tail: Vec<String>,
    pub min_words_for_language: usize,
}

#[derive(Debug, Clone, Deserialize)]
pub struct LanguageCues {
    pub french: Vec<String>,
    pub english: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct GrammarCues {
    pub determiners: Vec<String>,
    pub possessives: Vec<String>,
    pub prepositions: Vec<String>,
    pub auxiliaries: Vec<String>,
    pub adverbs: Vec<String>,
    pub clause_openers: Vec<String>,
    pub member_nouns: Vec<String>,
    pub subject_pronouns: Vec<String>,
    pub place_anaphors: Vec<String>,
    #[serde(default)]
    pub organization_anaphors: Vec<String>,
    pub force_nouns: Vec<String>,
    pub peacekeeping_nouns: Vec<String>,
    pub state_heads: Vec<String>,
    pub acting_state_heads: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SpeechCues {
    pub verbs: Vec<String>,
    pub according_to: Vec<String>,
    pub denial_forms: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct PolarityCues {
    pub negation_open: Vec<String>,
    pub negation_close: Vec<String>,
    pub possible: Vec<String>,
    pub intended: Vec<String>,
    pub factor_possible: f64,
    pub factor_intended: f64,
    pub factor_attributed: f64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct NameCues {
    pub not_names: Vec<String>,
    pub particles: Vec<String>,
    pub person_cues: Vec<String>,
    pub person_nouns: Vec<String>,
    pub organization_words: Vec<String>,
    pub force_words: Vec<String>,
    pub place_words: Vec<String>,
    pub person_suffixes: Vec<String>,
}

/// Words the sentence skeleton (`extract/syntax.rs`) and the title reader
/// work with; see the `[syntax]` section of `lexicon/cues.toml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct SyntaxCues {
    pub title_adjectives: Vec<String>,
    pub relatives: Vec<String>,
    pub incise_openers: Vec<String>,
    pub participial_openers: Vec<String>,
    pub fronted_openers: Vec<String>,
    pub reciprocal_markers: Vec<String>,
    pub pair_phrases: Vec<String>,
    pub pair_person_phrases: Vec<String>,
    pub object_control: Vec<String>,
    /// "américano=américain": the first part of a compound demonym
    /// ("américano-britannique") and a demonym of the same state.
    pub combining_forms: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
struct CuesFile {
    #[serde(default)]
    syntax: SyntaxCues,
    sentence: SentenceCues,
    boilerplate: BoilerplateCues,
    language: LanguageCues,
    grammar: GrammarCues,
    speech: SpeechCues,
    polarity: PolarityCues,
    names: NameCues,
}

/// A set of folded words or multi-word phrases (as token sequences).
#[derive(Debug, Clone, Default)]
pub struct WordSet {
    words: WordSetExact,
    /// Multi-word entries by first word, longest first.
    by_first: WordMap<Vec<Vec<String>>>,
    /// Multi-word entries by last word, longest first.
    by_last: WordMap<Vec<Vec<String>>>,
    /// Bits in the tokens' word classes: is a one-word entry, starts a
    /// longer entry, ends one (`ClassBit::NONE`: ask the tables).
    bit_word: ClassBit,
    bit_first: ClassBit,
    bit_last: ClassBit,
}

impl WordSet {
    pub fn new<'a>(items: impl IntoIterator<Item = &'a String>) -> Self {
        let mut words = HashSet::default();
        let mut by_first: HashMap<String, Vec<Vec<String>>> = HashMap::default();
        let mut by_last: HashMap<String, Vec<Vec<String>>> = HashMap::default();
        for it in items {
            let toks = phrase_tokens(it);
            match toks.len() {
                0 => {}
                1 => {
                    words.insert(toks[0].clone());
                }
                _ => {
                    by_first.entry(toks[0].clone()).or_default().push(toks.clone());
                    by_last.entry(toks[toks.len() - 1].clone()).or_default().push(toks);
                }
            }
        }
        for v in by_first.values_mut().chain(by_last.values_mut()) {
            v.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
        }
        WordSet { words: words.into_iter().collect(), by_first: by_first.into(), by_last: by_last.into(), ..Default::default() }
    }

    /// Gives this set its bits in the word classes `b` builds; a set of no
    /// longer entries needs no bit for them.
    pub fn register(&mut self, b: &mut ClassesBuilder) {
        self.bit_word = b.register(self.words.iter().map(|(w, _)| w.as_str()));
        if !self.by_first.is_empty() {
            self.bit_first = b.register(self.by_first.iter().map(|(w, _)| w.as_str()));
            self.bit_last = b.register(self.by_last.iter().map(|(w, _)| w.as_str()));
        }
    }

    pub fn contains(&self, folded: &str) -> bool {
        self.words.contains(folded)
    }

    /// `contains` for a token, by its class bit when it has one.
    #[inline]
    pub fn has(&self, t: &Token) -> bool {
        self.bit_word.test(t.classes).unwrap_or_else(|| self.words.contains(&t.norm))
    }

    /// Whether token `t` may start (`by_first`) or end a longer entry: no when
    /// its bit says so or there are none. Inlined: the extractor asks this of
    /// nearly every token, and nearly always hears no.
    #[inline]
    fn may_bound(bit: ClassBit, by: &WordMap<Vec<Vec<String>>>, t: &Token) -> bool {
        bit.test(t.classes) != Some(false) && !by.is_empty()
    }

    /// Length in tokens of the longest entry starting at `toks[i]`, if any.
    #[inline]
    pub fn match_at(&self, toks: &[Token], i: usize) -> Option<usize> {
        let t = toks.get(i)?;
        if Self::may_bound(self.bit_first, &self.by_first, t) {
            if let Some(l) = self.phrase_at(toks, i) {
                return Some(l);
            }
        }
        self.has(t).then_some(1)
    }

    /// The longest entry of two or more words starting at `toks[i]`.
    fn phrase_at(&self, toks: &[Token], i: usize) -> Option<usize> {
        let list = self.by_first.get(&toks[i].norm)?;
        list.iter().find(|p| i + p.len() <= toks.len() && p.iter().zip(&toks[i..]).all(|(a, b)| *a == b.norm)).map(Vec::len)
    }

    /// Length of the longest entry ending at `toks[i]` (inclusive).
    #[inline]
    pub fn match_ending_at(&self, toks: &[Token], i: usize) -> Option<usize> {
        let t = toks.get(i)?;
        if Self::may_bound(self.bit_last, &self.by_last, t) {
            if let Some(l) = self.phrase_ending_at(toks, i) {
                return Some(l);
            }
        }
        self.has(t).then_some(1)
    }

    /// The longest entry of two or more words ending at `toks[i]`.
    fn phrase_ending_at(&self, toks: &[Token], i: usize) -> Option<usize> {
        let list = self.by_last.get(&toks[i].norm)?;
        list.iter().find(|p| i + 1 >= p.len() && p.iter().zip(&toks[i + 1 - p.len()..=i]).all(|(a, b)| *a == b.norm)).map(Vec::len)
    }
}

/// A short ASCII word (up to 8 bytes) as one integer, lower-cased: its bytes
/// from the lowest. `None` for a longer or non-ASCII word. Words hold no NUL,
/// so words of different lengths never meet.
#[inline]
pub fn pack_short(w: &[u8]) -> Option<u64> {
    if w.len() > 8 || !w.is_ascii() {
        return None;
    }
    Some(w.iter().rev().fold(0u64, |acc, &b| acc << 8 | b.to_ascii_lowercase() as u64))
}

/// The transliteration keys of a name's words, particles left out ("Marc de La Tour" → marc, tur).
pub fn name_words(cues: &Cues, tr: &Transliteration, name: &str) -> Vec<String> {
    crate::text::tokenize_classified(name, 0, tr, &cues.classes).into_iter().filter(|t| t.kind == crate::text::TokKind::Word && !cues.particles.contains(t.norm.as_str())).map(|t| t.key.into()).collect()
}

/// Folded tokens of a phrase as the tokenizer would give them ("l'aide" → ["l'", "aide"]).
pub fn phrase_tokens(s: &str) -> Vec<String> {
    crate::text::tokenize(s, 0, &Transliteration::default()).into_iter().map(|t| t.norm.into()).collect()
}

/// Context words, compiled for lookup.
#[derive(Debug, Clone)]
pub struct Cues {
    pub sentence: SentenceCues,
    pub boilerplate: BoilerplateCues,
    pub boilerplate_re: LinePatterns,
    pub tail_re: LinePatterns,
    pub french_words: WordSetExact,
    pub english_words: WordSetExact,
    /// `english_words` packed by `pack_short`, sorted, when all of them are
    /// short enough (ASCII, up to 8 bytes): the language check looks up every
    /// short word of every line.
    pub english_packed: Option<Vec<u64>>,
    pub determiners: WordSet,
    pub possessives: WordSet,
    pub prepositions: WordSet,
    pub auxiliaries: WordSet,
    pub adverbs: WordSet,
    pub clause_openers: WordSet,
    pub member_nouns: WordSet,
    pub subject_pronouns: WordSet,
    pub place_anaphors: WordSet,
    pub organization_anaphors: WordSet,
    pub force_nouns: WordSet,
    pub peacekeeping_nouns: WordSet,
    pub state_heads: WordSet,
    pub acting_state_heads: WordSet,
    pub speech_verbs: WordSet,
    pub according_to: WordSet,
    pub denials: WordSet,
    pub negation_open: WordSet,
    pub negation_close: WordSet,
    pub possible: WordSet,
    pub intended: WordSet,
    pub factor_possible: f64,
    pub factor_intended: f64,
    pub factor_attributed: f64,
    /// Capitalised words that are no names (kept with their case folded).
    pub not_names: WordSetExact,
    pub particles: WordSet,
    pub person_cues: WordSet,
    pub person_nouns: WordSet,
    pub organization_words: WordSet,
    pub force_words: WordSet,
    pub place_words: WordSet,
    pub person_suffixes: Vec<String>,
    /// "le dirigeant actuel X": words between a title and its holder's name.
    pub title_adjectives: WordSet,
    /// The sentence skeleton's words (`extract/syntax.rs`): relative
    /// pronouns, words opening an incise or a participial clause after a
    /// noun, words opening a fronted adverbial.
    pub relatives: WordSet,
    pub incise_openers: WordSet,
    pub participial_openers: WordSet,
    pub fronted_openers: WordSet,
    /// "mutuellement", "l'un l'autre": with a reflexive clitic, the group acts on itself.
    pub reciprocal_markers: WordSet,
    /// "les deux parties", "les deux pays" (the document's last pair of
    /// states); "les deux dirigeants" (its last pair of persons, else states).
    pub pair_phrases: WordSet,
    pub pair_person_phrases: WordSet,
    /// Every form of the object-control verbs: "accuser X de", "appeler X à",
    /// "demander à X de" + infinitive: X is the infinitive's subject.
    pub object_control: WordSet,
    /// Compound demonyms: the transliteration key of a combining form
    /// ("americano") → the key of a demonym of its state ("americain").
    pub combining_forms: HashMap<String, String>,
    /// One-word "according to" cues as written (lower case, accents kept).
    pub according_raw: WordSetExact,
    /// Given names (folded), from `lexicon/first_names.txt`.
    pub first_names: WordSetExact,
    /// The bits of the word sets above, which `text::clean` gives each token.
    pub classes: WordClasses,
    not_names_bit: ClassBit,
    first_names_bit: ClassBit,
}

impl Cues {
    /// Every `WordSet` of the cues, to give them their class bits (a set
    /// left out of this list still answers right, by its tables, only slower).
    fn word_sets_mut(&mut self) -> [&mut WordSet; 27] {
        [
            &mut self.determiners,
            &mut self.possessives,
            &mut self.prepositions,
            &mut self.auxiliaries,
            &mut self.adverbs,
            &mut self.clause_openers,
            &mut self.member_nouns,
            &mut self.subject_pronouns,
            &mut self.place_anaphors,
            &mut self.organization_anaphors,
            &mut self.force_nouns,
            &mut self.peacekeeping_nouns,
            &mut self.state_heads,
            &mut self.acting_state_heads,
            &mut self.speech_verbs,
            &mut self.according_to,
            &mut self.denials,
            &mut self.negation_open,
            &mut self.negation_close,
            &mut self.possible,
            &mut self.intended,
            &mut self.particles,
            &mut self.person_cues,
            &mut self.person_nouns,
            &mut self.organization_words,
            &mut self.force_words,
            &mut self.place_words,
        ]
    }

    /// Gives every word list of the cues read per token its class bits.
    fn register_classes(&mut self, b: &mut ClassesBuilder) {
        for s in self.word_sets_mut() {
            s.register(b);
        }
        self.not_names_bit = b.register(self.not_names.iter().map(|(w, _)| w.as_str()));
        self.first_names_bit = b.register(self.first_names.iter().map(|(w, _)| w.as_str()));
    }

    /// `not_names.contains` for a token, by its class bit.
    #[inline]
    pub fn not_name(&self, t: &Token) -> bool {
        self.not_names_bit.test(t.classes).unwrap_or_else(|| self.not_names.contains(&t.norm))
    }

    /// `first_names.contains` for a token, by its class bit.
    #[inline]
    pub fn first_name(&self, t: &Token) -> bool {
        self.first_names_bit.test(t.classes).unwrap_or_else(|| self.first_names.contains(&t.norm))
    }

    /// Folded name endings typical of surnames.
    pub fn person_suffixes(&self) -> impl Iterator<Item = &str> {
        self.person_suffixes.iter().map(|s| s.as_str())
    }
}

/// A list of line patterns (case-insensitive regexes), matched as one
/// alternation. Those anchored at the line's start and the others go in two
/// regexes: one alternation of them all scanned every byte of every line
/// for the sake of the few unanchored ones, where apart the anchored ones
/// fail within a few bytes and only the others scan the line.
#[derive(Debug, Clone)]
pub struct LinePatterns {
    anchored: Option<Regex>,
    floating: Option<Regex>,
}

impl LinePatterns {
    pub fn is_match(&self, line: &str) -> bool {
        self.anchored.as_ref().is_some_and(|r| r.is_match(line)) || self.floating.as_ref().is_some_and(|r| r.is_match(line))
    }
}

fn alternation(path: &Path, list: &[String]) -> Result<LinePatterns, LexiconError> {
    // ASCII word boundaries keep the regex on its fast DFA path over French text
    // (a Unicode \b makes it fall back to the slow PikeVM on every accented line).
    let build = |ps: Vec<&String>| -> Result<Option<Regex>, LexiconError> {
        if ps.is_empty() {
            return Ok(None);
        }
        let joined = ps.iter().map(|p| format!("(?:{})", p.replace("\\b", "(?-u:\\b)"))).collect::<Vec<_>>().join("|");
        RegexBuilder::new(&joined)
            .case_insensitive(true)
            .build()
            .map(Some)
            .map_err(|e| LexiconError::Invalid { path: path.to_path_buf(), message: e.to_string() })
    };
    // Which side a pattern goes to changes speed only: an alternation matches
    // where one of its members does, whichever regex holds it.
    let (anchored, floating): (Vec<&String>, Vec<&String>) = list.iter().partition(|p| p.starts_with('^'));
    Ok(LinePatterns { anchored: build(anchored)?, floating: build(floating)? })
}

/// A title of `lexicon/titles.toml`.
#[derive(Debug, Clone, Deserialize)]
pub struct Title {
    pub words: Vec<String>,
    pub role: String,
    #[serde(default)]
    pub relation: String,
    #[serde(default)]
    pub of_person: bool,
    #[serde(default)]
    pub default_of: Option<String>,
    /// Gazetteer role keys a named holder may have: with no "of" in the
    /// text, the one such role the person holds at the document's date
    /// gives it ("le président Vladimir Poutine" → Russia). Empty: `role`.
    #[serde(default)]
    pub holder_roles: Vec<String>,
    /// A peer of another head named in the sentence ("son homologue
    /// ukrainien X"): the relation holds only when that head leads a state.
    #[serde(default)]
    pub counterpart: bool,
}

#[derive(Debug, Clone, Deserialize)]
struct TitlesFile {
    title: Vec<Title>,
    #[serde(default)]
    state_head_roles: Vec<String>,
}

/// Titles indexed by their folded token sequences, longest first.
#[derive(Debug, Clone, Default)]
pub struct Titles {
    pub titles: Vec<Title>,
    /// (tokens, index into `titles`), longest first.
    pub phrases: Vec<(Vec<String>, usize)>,
    /// First word → indices into `phrases`, longest first.
    by_first: WordMap<Vec<usize>>,
    /// The tokens' class bit for "starts a title".
    bit_first: ClassBit,
    /// Gazetteer role keys that head a state (`state_head_roles`).
    pub state_head_roles: Vec<String>,
}

impl Titles {
    /// The longest title starting at `toks[i]`: (length, index into `titles`).
    pub fn match_index(&self, toks: &[Token], i: usize) -> Option<(usize, usize)> {
        self.match_index_within(toks, i, usize::MAX)
    }

    /// As `match_index`, for titles of at most `max` tokens: a title must not
    /// run into a name ("la présidente de la Commission européenne").
    pub fn match_index_within(&self, toks: &[Token], i: usize, max: usize) -> Option<(usize, usize)> {
        let t = toks.get(i)?;
        if self.bit_first.test(t.classes) == Some(false) {
            return None;
        }
        let list = self.by_first.get(&t.norm)?;
        list.iter().map(|&pi| &self.phrases[pi]).find(|(p, _)| p.len() <= max && i + p.len() <= toks.len() && p.iter().zip(&toks[i..]).all(|(a, b)| *a == b.norm)).map(|(p, t)| (p.len(), *t))
    }

    /// Whether gazetteer role key `r` heads a state.
    pub fn leads_state(&self, r: &str) -> bool {
        self.state_head_roles.iter().any(|x| x == r)
    }

    /// The longest title starting at `toks[i]`: (length, title).
    pub fn match_at(&self, toks: &[Token], i: usize) -> Option<(usize, &Title)> {
        self.match_index(toks, i).map(|(l, t)| (l, &self.titles[t]))
    }
}

/// A conjugation model of `lexicon/conjugation.toml`.
#[derive(Debug, Clone, Deserialize)]
pub struct ConjModel {
    pub name: String,
    pub ending: String,
    #[serde(default)]
    pub explicit: bool,
    pub forms: Vec<String>,
    pub participles: Vec<String>,
    pub conditional: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
struct ConjFile {
    model: Vec<ConjModel>,
}

/// How a verb form is used: drives passives and modality.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FormKind {
    Finite,
    Participle,
    Conditional,
}

/// Conjugates lemmas by model.
#[derive(Debug, Clone, Default)]
pub struct Conjugator {
    pub models: Vec<ConjModel>,
}

impl Conjugator {
    /// Every folded form of `lemma` ("appeler@eler2" forces a model).
    pub fn forms(&self, lemma: &str) -> Result<Vec<(String, FormKind)>, String> {
        Ok(self.raw_forms(lemma)?.into_iter().map(|(f, k)| (fold(&f), k)).collect())
    }

    /// Every form as written (lower case, with accents): "condamné" stays apart from "condamne".
    pub fn raw_forms(&self, lemma: &str) -> Result<Vec<(String, FormKind)>, String> {
        let (lemma, forced) = match lemma.split_once('@') {
            Some((l, m)) => (l.trim(), Some(m.trim())),
            None => (lemma.trim(), None),
        };
        let lemma = lemma.strip_prefix("se ").or_else(|| lemma.strip_prefix("s'")).unwrap_or(lemma);
        let model = match forced {
            Some(name) => self.models.iter().find(|m| m.name == name).ok_or_else(|| format!("unknown conjugation model {name}"))?,
            None => self
                .models
                .iter()
                .filter(|m| !m.explicit && lemma.ends_with(m.ending.as_str()))
                .max_by_key(|m| m.ending.len())
                .ok_or_else(|| format!("no conjugation model for {lemma}"))?,
        };
        if !lemma.ends_with(model.ending.as_str()) {
            return Err(format!("{lemma} does not end in {}", model.ending));
        }
        let stem = &lemma[..lemma.len() - model.ending.len()];
        let mut out = Vec::new();
        for (list, kind) in [(&model.forms, FormKind::Finite), (&model.participles, FormKind::Participle), (&model.conditional, FormKind::Conditional)] {
            for f in list {
                out.push((format!("{stem}{f}").to_lowercase(), kind));
            }
        }
        Ok(out)
    }
}

/// Everything under `ontology/`, loaded and compiled.
#[derive(Debug)]
pub struct Lexicon {
    pub dir: PathBuf,
    pub cues: Cues,
    pub titles: Titles,
    pub translit: Transliteration,
    pub conj: Conjugator,
    pub gazetteer: Gazetteer,
    pub rules: RuleSet,
    /// Folded speech-verb forms → true for participles.
    pub speech_forms: WordMap<FormKind>,
    /// The tokens' class bit for "is a speech-verb form".
    speech_form_bit: ClassBit,
    /// For each gazetteer entity, the transliteration keys of each of its
    /// names, word by word, and its other names, sorted. Made on first use:
    /// a document meets a few dozen of the thousands of entities, and making
    /// them all was a sixth of the startup.
    name_keys: Vec<OnceLock<Vec<Vec<String>>>>,
    known_aliases: Vec<OnceLock<BTreeSet<String>>>,
}

pub(crate) fn read_toml<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<T, LexiconError> {
    let text = std::fs::read_to_string(path).map_err(|e| LexiconError::Io { path: path.to_path_buf(), source: e })?;
    toml::from_str(&text).map_err(|e| LexiconError::Invalid { path: path.to_path_buf(), message: e.to_string() })
}

impl Lexicon {
    /// The speech-verb form a token is, if any.
    #[inline]
    pub fn speech_form(&self, t: &Token) -> Option<FormKind> {
        if self.speech_form_bit.test(t.classes) == Some(false) {
            return None;
        }
        self.speech_forms.get(&t.norm).copied()
    }

    /// The ontology directory: `$NEWSKG_ONTOLOGY`, else `./ontology`, else the
    /// one this binary was built from.
    pub fn default_dir() -> PathBuf {
        if let Some(d) = std::env::var_os("NEWSKG_ONTOLOGY") {
            return PathBuf::from(d);
        }
        let local = PathBuf::from("ontology");
        if local.join("lexicon/cues.toml").is_file() {
            return local;
        }
        PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/ontology"))
    }

    pub fn load(dir: &Path) -> Result<Lexicon, LexiconError> {
        let lex_dir = dir.join("lexicon");
        let cues_path = lex_dir.join("cues.toml");
        let cf: CuesFile = read_toml(&cues_path)?;
        let set = |v: &Vec<String>| WordSet::new(v.iter());
        let fold_set = |v: &Vec<String>| v.iter().map(|w| fold(w)).collect::<WordSetExact>();
        let translit: Transliteration = read_toml(&lex_dir.join("transliteration.toml"))?;
        let conj = Conjugator { models: read_toml::<ConjFile>(&lex_dir.join("conjugation.toml"))?.model };
        let mut speech_forms: HashMap<String, FormKind> = HashMap::default();
        for v in &cf.speech.verbs {
            for (f, k) in conj.forms(v).map_err(|m| LexiconError::Invalid { path: cues_path.clone(), message: m })? {
                speech_forms.insert(f, k);
            }
        }
        let mut control_forms: HashMap<String, FormKind> = HashMap::default();
        for v in &cf.syntax.object_control {
            for (f, k) in conj.forms(v).map_err(|m| LexiconError::Invalid { path: cues_path.clone(), message: m })? {
                control_forms.insert(f, k);
            }
        }
        let mut cues = Cues {
            boilerplate_re: alternation(&cues_path, &cf.boilerplate.line)?,
            tail_re: alternation(&cues_path, &cf.boilerplate.tail)?,
            french_words: fold_set(&cf.language.french),
            english_words: fold_set(&cf.language.english),
            english_packed: {
                let packed: Option<Vec<u64>> = cf.language.english.iter().map(|w| pack_short(fold(w).as_bytes())).collect();
                packed.map(|mut p| {
                    p.sort_unstable();
                    p
                })
            },
            determiners: set(&cf.grammar.determiners),
            possessives: set(&cf.grammar.possessives),
            prepositions: set(&cf.grammar.prepositions),
            auxiliaries: set(&cf.grammar.auxiliaries),
            adverbs: set(&cf.grammar.adverbs),
            clause_openers: set(&cf.grammar.clause_openers),
            member_nouns: set(&cf.grammar.member_nouns),
            subject_pronouns: set(&cf.grammar.subject_pronouns),
            place_anaphors: set(&cf.grammar.place_anaphors),
            organization_anaphors: set(&cf.grammar.organization_anaphors),
            force_nouns: set(&cf.grammar.force_nouns),
            peacekeeping_nouns: set(&cf.grammar.peacekeeping_nouns),
            state_heads: set(&cf.grammar.state_heads),
            acting_state_heads: set(&cf.grammar.acting_state_heads),
            speech_verbs: WordSet::new(speech_forms.keys()),
            according_to: set(&cf.speech.according_to),
            according_raw: cf.speech.according_to.iter().map(|w| w.to_lowercase()).collect(),
            denials: set(&cf.speech.denial_forms),
            negation_open: set(&cf.polarity.negation_open),
            negation_close: set(&cf.polarity.negation_close),
            possible: set(&cf.polarity.possible),
            intended: set(&cf.polarity.intended),
            factor_possible: cf.polarity.factor_possible,
            factor_intended: cf.polarity.factor_intended,
            factor_attributed: cf.polarity.factor_attributed,
            not_names: fold_set(&cf.names.not_names),
            particles: set(&cf.names.particles),
            person_cues: set(&cf.names.person_cues),
            person_nouns: set(&cf.names.person_nouns),
            organization_words: set(&cf.names.organization_words),
            force_words: set(&cf.names.force_words),
            place_words: set(&cf.names.place_words),
            person_suffixes: cf.names.person_suffixes.iter().map(|w| fold(w)).collect(),
            title_adjectives: set(&cf.syntax.title_adjectives),
            relatives: set(&cf.syntax.relatives),
            incise_openers: set(&cf.syntax.incise_openers),
            participial_openers: set(&cf.syntax.participial_openers),
            fronted_openers: set(&cf.syntax.fronted_openers),
            reciprocal_markers: set(&cf.syntax.reciprocal_markers),
            pair_phrases: set(&cf.syntax.pair_phrases),
            pair_person_phrases: set(&cf.syntax.pair_person_phrases),
            object_control: WordSet::new(control_forms.keys()),
            combining_forms: {
                let mut m = HashMap::default();
                for entry in &cf.syntax.combining_forms {
                    let (form, demonym) = entry.split_once('=').ok_or_else(|| LexiconError::Invalid { path: cues_path.clone(), message: format!("combining_forms: {entry:?} is not form=demonym") })?;
                    m.insert(translit.key(&fold(form.trim())), translit.key(&fold(demonym.trim())));
                }
                m
            },
            first_names: {
                let path = lex_dir.join("first_names.txt");
                let text = std::fs::read_to_string(&path).map_err(|e| LexiconError::Io { path: path.clone(), source: e })?;
                text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).map(fold).collect()
            },
            sentence: cf.sentence,
            boilerplate: cf.boilerplate,
            classes: WordClasses::default(),
            not_names_bit: ClassBit::NONE,
            first_names_bit: ClassBit::NONE,
        };
        let tf: TitlesFile = read_toml(&lex_dir.join("titles.toml"))?;
        let mut phrases = Vec::new();
        for (i, t) in tf.title.iter().enumerate() {
            for w in &t.words {
                phrases.push((phrase_tokens(w), i));
            }
        }
        phrases.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(&b.0)));
        let mut by_first: HashMap<String, Vec<usize>> = HashMap::default();
        for (pi, (p, _)) in phrases.iter().enumerate() {
            by_first.entry(p[0].clone()).or_default().push(pi);
        }
        let mut titles = Titles { titles: tf.title, phrases, by_first: by_first.into(), bit_first: ClassBit::NONE, state_head_roles: tf.state_head_roles };
        let mut gazetteer = Gazetteer::load(&dir.join("gazetteer"), &translit)?;
        let mut rules = RuleSet::load(&dir.join("relations"), &conj)?;
        let speech_forms: WordMap<FormKind> = speech_forms.into();
        // The word classes, before anything tokenizes with them (the names' keys below).
        let mut classes = ClassesBuilder::new();
        cues.register_classes(&mut classes);
        titles.bit_first = classes.register(titles.by_first.iter().map(|(w, _)| w.as_str()));
        rules.register(&mut classes);
        gazetteer.register(&mut classes);
        let speech_form_bit = classes.register(speech_forms.iter().map(|(w, _)| w.as_str()));
        cues.classes = classes.finish();
        let name_keys = (0..gazetteer.entities.len()).map(|_| OnceLock::new()).collect();
        let known_aliases = (0..gazetteer.entities.len()).map(|_| OnceLock::new()).collect();
        Ok(Lexicon { dir: dir.to_path_buf(), cues, titles, translit, conj, gazetteer, rules, speech_forms, speech_form_bit, name_keys, known_aliases })
    }

    /// The transliteration keys of each name of gazetteer entity `g`, word by word.
    pub fn name_keys(&self, g: usize) -> &[Vec<String>] {
        self.name_keys[g].get_or_init(|| self.gazetteer.names(g).map(|n| name_words(&self.cues, &self.translit, n)).collect())
    }

    /// The other names of gazetteer entity `g`, sorted.
    pub fn known_aliases(&self, g: usize) -> &BTreeSet<String> {
        self.known_aliases[g].get_or_init(|| self.gazetteer.entities[g].aliases.iter().cloned().collect())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::sync::OnceLock;

    #[test]
    fn line_patterns_match_as_one_alternation() {
        let list: Vec<String> = ["^lire aussi\\b", "tous droits réservés", "^\\d+$"].iter().map(|s| s.to_string()).collect();
        let p = alternation(Path::new("cues.toml"), &list).unwrap();
        assert!(p.anchored.is_some() && p.floating.is_some());
        assert!(p.is_match("Lire aussi : la suite"));
        assert!(p.is_match("© 2024 Le Journal, TOUS DROITS RÉSERVÉS."));
        assert!(p.is_match("42"));
        // Anchored ones stay anchored; no pattern, no match.
        assert!(!p.is_match("Il faut lire aussi ceci."));
        assert!(!p.is_match("42 soldats"));
        assert!(!alternation(Path::new("cues.toml"), &[]).unwrap().is_match("tout"));
    }

    /// The repository's own ontology, loaded once per test binary.
    pub(crate) fn shared() -> &'static Lexicon {
        static LEX: OnceLock<Lexicon> = OnceLock::new();
        LEX.get_or_init(|| Lexicon::load(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/ontology"))).expect("ontology loads"))
    }

    #[test]
    fn conjugates_regular_and_irregular_verbs() {
        let c = &shared().conj;
        let forms = |l: &str| c.forms(l).unwrap().into_iter().map(|(f, _)| f).collect::<Vec<_>>();
        let s = forms("soutenir");
        for f in ["soutient", "soutiennent", "soutenu", "soutenait", "soutiendra", "soutiendraient"] {
            assert!(s.contains(&f.to_string()), "{f}");
        }
        assert!(forms("appeler@eler2").contains(&"appelle".to_string()));
        assert!(forms("dénoncer").contains(&"denoncons".to_string()));
        assert!(forms("exiger").contains(&"exigeait".to_string()));
        assert!(forms("déployer").contains(&"deploie".to_string()));
        assert!(forms("rejoindre").contains(&"rejoint".to_string()));
        assert!(c.forms("appeler@nope").is_err());
    }

    #[test]
    fn class_bits_agree_with_the_word_tables() {
        let lex = shared();
        let c = &lex.cues;
        let text = "Selon le ministère, les soldats de la paix russes n'ont pas encore quitté la région ; \
                    Ilham Aliyev, président de l'Azerbaïdjan, a déclaré qu'il pourrait soutenir M. Macron, de son côté, \
                    et a dénoncé l'attaque « terroriste » du PKK contre la ville, aux côtés de l'OTSC. Jean Dupont a dit non.";
        let with = crate::text::tokenize_classified(text, 0, &lex.translit, &c.classes);
        let without = crate::text::tokenize(text, 0, &lex.translit);
        assert!(with.iter().all(|t| t.classes.of == c.classes.id()) && without.iter().all(|t| t.classes.of == 0));
        // The bundled lists all fit in the 64 bits (if they no longer do, widen the bits).
        assert_eq!(c.classes.refused(), 0);
        let mut copy = c.clone();
        let sets: Vec<WordSet> = copy.word_sets_mut().into_iter().map(|s| s.clone()).collect();
        let mut hits = 0;
        for i in 0..with.len() {
            for s in &sets {
                // The bit path (tokens with classes) and the table path (tokens without) agree.
                assert_eq!(s.has(&with[i]), s.contains(&with[i].norm), "{}", with[i].norm);
                assert_eq!(s.has(&with[i]), s.has(&without[i]));
                assert_eq!(s.match_at(&with, i), s.match_at(&without, i), "{i}");
                assert_eq!(s.match_ending_at(&with, i), s.match_ending_at(&without, i), "{i}");
                hits += s.has(&with[i]) as usize;
            }
            assert_eq!(c.not_name(&with[i]), c.not_names.contains(&with[i].norm));
            assert_eq!(c.first_name(&with[i]), c.first_names.contains(&with[i].norm));
            assert_eq!(lex.titles.match_index(&with, i), lex.titles.match_index(&without, i));
            assert_eq!(lex.speech_form(&with[i]), lex.speech_forms.get(&with[i].norm).copied());
            assert_eq!(lex.rules.starts_trigger(&with[i]), lex.rules.index.contains_key(&with[i].norm));
            let trig = |ts: &[Token]| lex.rules.triggers_at(ts, i).map(|t| (t.rule, t.tokens.clone())).collect::<Vec<_>>();
            assert_eq!(trig(&with), trig(&without));
            assert_eq!(lex.gazetteer.demonym(&with[i]), lex.gazetteer.demonym(&without[i]));
        }
        assert_eq!(lex.gazetteer.find(&with), lex.gazetteer.find(&without));
        assert!(lex.gazetteer.find(&with).len() >= 5 && with.iter().any(|t| lex.gazetteer.demonym(t).is_some()));
        // The sentence does exercise the sets, the phrases and the triggers.
        assert!(hits > 20, "{hits}");
        assert!((0..with.len()).any(|i| c.according_to.match_at(&with, i) == Some(1)));
        assert!((0..with.len()).any(|i| c.adverbs.match_at(&with, i).is_some_and(|l| l > 1)));
        assert!((0..with.len()).any(|i| lex.rules.starts_trigger(&with[i])));
        assert!((0..with.len()).any(|i| lex.titles.match_index(&with, i).is_some()));
    }

    #[test]
    fn word_sets_match_phrases() {
        let ws = WordSet::new(["de son côté".to_string(), "mardi".to_string()].iter());
        let toks = crate::text::tokenize("de son côté mardi", 0, &Transliteration::default());
        assert_eq!(ws.match_at(&toks, 0), Some(3));
        assert_eq!(ws.match_at(&toks, 3), Some(1));
        assert_eq!(ws.match_ending_at(&toks, 2), Some(3));
        assert_eq!(ws.match_at(&toks, 1), None);
    }
}
