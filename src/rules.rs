//! Relation rules from `ontology/relations/*.toml`, compiled into a trigger
//! index: every conjugated verb form, noun (singular and plural) and fixed
//! phrase points at the rules it may fire.

use crate::error::LexiconError;
use crate::gazetteer::Class;
use crate::lexicon::{phrase_tokens, read_toml, Conjugator, FormKind};
use crate::normalize::fold;
use serde::Deserialize;
use rustc_hash::FxHashMap as HashMap;
use crate::text::Token;
use std::borrow::Borrow;
use crate::wordmap::{ClassBit, ClassesBuilder, WordMap};
use std::path::{Path, PathBuf};

/// The 25 predicates of the vocabulary; the symmetric ones are flagged.
pub const PREDICATES: &[(&str, bool)] = &[
    ("leaderOf", false),
    ("spokespersonOf", false),
    ("advisorOf", false),
    ("memberOf", false),
    ("branchOf", false),
    ("armedForceOf", false),
    ("locatedIn", false),
    ("capitalOf", false),
    ("designatesAsTerrorist", false),
    ("allyOf", true),
    ("supports", false),
    ("condemns", false),
    ("accuses", false),
    ("callsOn", false),
    ("demands", false),
    ("requestsHelpFrom", false),
    ("attacks", false),
    ("fightsAgainst", true),
    ("fightsAlongside", false),
    ("occupies", false),
    ("deployedIn", false),
    ("withdrawsFrom", false),
    ("suspendsParticipationIn", false),
    ("signsAgreementWith", true),
    ("talksWith", true),
];

pub fn is_symmetric(p: &str) -> bool {
    PREDICATES.iter().any(|(n, s)| *n == p && *s)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Verb,
    Noun,
    Copula,
    Between,
    /// A light verb with a predicate noun: "apporter son soutien à X",
    /// "avoir un entretien téléphonique avec X". The noun triggers; one of
    /// the rule's `verbs` must govern it (a few words before, over
    /// determiners, possessives, adjectives and adverbs); the verb's clause
    /// subject is the fact's subject.
    Light,
}

/// An example sentence carried by a rule.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    pub text: String,
    #[serde(default)]
    pub facts: Vec<[String; 3]>,
    #[serde(default)]
    pub not: Vec<[String; 3]>,
    #[serde(default)]
    pub note: Option<String>,
}

/// One rule as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub id: String,
    pub predicate: String,
    pub kind: Kind,
    #[serde(default)]
    pub verbs: Vec<String>,
    #[serde(default)]
    pub phrases: Vec<String>,
    #[serde(default)]
    pub nouns: Vec<String>,
    #[serde(default)]
    pub subject: Vec<Class>,
    #[serde(default)]
    pub object: Vec<Class>,
    #[serde(default)]
    pub object_preps: Vec<String>,
    #[serde(default)]
    pub subject_preps: Vec<String>,
    #[serde(default = "default_confidence")]
    pub confidence: f64,
    #[serde(default)]
    pub reciprocal: bool,
    /// "object": the verb's direct object is the fact's subject and the
    /// fact's object follows one of `object_preps` ("la Russie a déployé une
    /// force … dans la région" → force deployedIn région). "pair": the
    /// direct object names both parties ("la guerre qui a opposé X et Y",
    /// "opposant X à Y"); the grammatical subject is the event.
    #[serde(default)]
    pub subject_from: Option<String>,
    /// The grammatical subject is the fact's object and the complement its
    /// subject: light rules ("X bénéficie du soutien de Y" → Y supports X),
    /// verbs ("le groupe comprend X, Y et Z" → X memberOf groupe).
    #[serde(default)]
    pub inverse: bool,
    /// A past participle right after a noun, with no auxiliary and no "par",
    /// states the fact of that noun: "les YPG affiliées au PKK".
    #[serde(default)]
    pub attributive: bool,
    /// Noun rules: the classes an object after a locative preposition
    /// ("en", "au", "aux", "dans") may have; empty: any of `object`. "la
    /// guerre de la Russie en Ukraine" names whom it is waged on; "les
    /// attaques de X au Haut-Karabakh" only where.
    #[serde(default)]
    pub locative_object: Vec<Class>,
    /// Light rules: words other than verbs that license the noun for the
    /// clause's subject, as written ("avec": "X, avec le soutien de Y, a
    /// pris la ville"; fronted, the subject after the comma).
    #[serde(default)]
    pub licensed_by: Vec<String>,
    /// Words one of which must follow the trigger within the clause
    /// ("demander à X de l'aider" → requestsHelpFrom).
    #[serde(default)]
    pub requires: Vec<String>,
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub example: Vec<Example>,
}

fn default_confidence() -> f64 {
    0.8
}

#[derive(Debug, Deserialize)]
struct RuleFile {
    #[serde(default)]
    rule: Vec<Rule>,
}

/// A trigger: a token sequence that fires a rule.
#[derive(Debug, Clone)]
pub struct Trigger {
    pub tokens: Vec<String>,
    /// For participles: the first word as written ("classé"), to tell it from "classe".
    pub surface: Option<String>,
    pub rule: usize,
    pub form: FormKind,
    /// Noun triggers (nominalisations and copula nouns).
    pub nominal: bool,
    /// The lemma was written reflexive ("s'entretenir"): a clitic "se" must precede.
    pub reflexive: bool,
}

#[derive(Debug, Default)]
pub struct RuleSet {
    pub rules: Vec<Rule>,
    /// The file each rule came from.
    pub files: Vec<PathBuf>,
    /// First token → triggers starting with it, longest first.
    pub index: WordMap<Vec<Trigger>>,
    /// The tokens' class bit for "starts a trigger".
    bit_first: ClassBit,
    /// Folded `object_preps` / `subject_preps` / `requires` per rule.
    pub object_preps: Vec<Vec<Vec<String>>>,
    pub subject_preps: Vec<Vec<Vec<String>>>,
    pub requires: Vec<Vec<String>>,
    /// Light rules: every folded form of their light verbs, per rule (empty for other kinds).
    pub light_verbs: Vec<rustc_hash::FxHashSet<String>>,
}

/// Plural of a French noun, for nominal triggers.
fn plural(w: &str) -> Vec<String> {
    let mut out = vec![w.to_string()];
    if w.ends_with('s') || w.ends_with('x') || w.ends_with('z') {
        return out;
    }
    if let Some(stem) = w.strip_suffix("al") {
        out.push(format!("{stem}aux"));
    }
    if w.ends_with("eau") || w.ends_with("au") || w.ends_with("eu") {
        out.push(format!("{w}x"));
    } else {
        out.push(format!("{w}s"));
    }
    out
}

impl RuleSet {
    pub fn load(dir: &Path, conj: &Conjugator) -> Result<RuleSet, LexiconError> {
        let mut set = RuleSet::default();
        let mut index: HashMap<String, Vec<Trigger>> = HashMap::default();
        let Ok(rd) = std::fs::read_dir(dir) else {
            return Ok(set);
        };
        let mut files: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|x| x == "toml")).collect();
        files.sort();
        for f in files {
            let rf: RuleFile = read_toml(&f)?;
            for r in rf.rule {
                let err = |m: String| LexiconError::Invalid { path: f.clone(), message: format!("rule {}: {m}", r.id) };
                if !PREDICATES.iter().any(|(p, _)| *p == r.predicate) {
                    return Err(err(format!("unknown predicate {}", r.predicate)));
                }
                let ri = set.rules.len();
                let mut add = |tokens: Vec<String>, form: FormKind, nominal: bool, surface: Option<String>, reflexive: bool| {
                    if tokens.is_empty() {
                        return;
                    }
                    index.entry(tokens[0].clone()).or_default().push(Trigger { tokens, surface, rule: ri, form, nominal, reflexive });
                };
                let mut light = rustc_hash::FxHashSet::default();
                if r.kind == Kind::Light {
                    // The verbs license the noun; they trigger nothing by themselves.
                    for v in &r.verbs {
                        for (raw, _) in conj.raw_forms(v).map_err(&err)? {
                            light.insert(fold(&raw));
                        }
                    }
                    light.extend(r.licensed_by.iter().map(|w| fold(w)));
                }
                for v in r.verbs.iter().filter(|_| r.kind != Kind::Light) {
                    let reflexive = v.starts_with("se ") || v.starts_with("s'") || v.starts_with("s\u{2019}");
                    for (raw, k) in conj.raw_forms(v).map_err(&err)? {
                        let surface = (k == FormKind::Participle).then(|| raw.clone());
                        add(vec![fold(&raw)], k, false, surface, reflexive);
                    }
                }
                for p in &r.phrases {
                    let words = phrase_tokens(p.split('@').next().unwrap_or(p));
                    let model = p.split_once('@').map(|(_, m)| m);
                    let head = p.split_whitespace().next().unwrap_or("");
                    let lemma = match model {
                        Some(m) => format!("{}@{m}", head.split('@').next().unwrap_or(head)),
                        None => head.to_string(),
                    };
                    let rest: Vec<String> = words.iter().skip(1).cloned().collect();
                    match conj.raw_forms(&lemma) {
                        Ok(forms) => {
                            for (raw, k) in forms {
                                let surface = (k == FormKind::Participle).then(|| raw.clone());
                                let mut t = vec![fold(&raw)];
                                t.extend(rest.iter().cloned());
                                add(t, k, false, surface, false);
                            }
                        }
                        // A phrase that does not start with a verb is matched as written.
                        Err(_) => add(words.clone(), FormKind::Finite, true, None, false),
                    }
                }
                for n in &r.nouns {
                    let words = phrase_tokens(n);
                    let Some((last, init)) = words.split_last() else { continue };
                    // Plural on the head (first word): "forces d'occupation"; single words get both.
                    if init.is_empty() {
                        for p in plural(last) {
                            add(vec![p], FormKind::Finite, true, None, false);
                        }
                    } else {
                        // "conversation téléphonique" → "conversations téléphoniques"; "échange de tirs" →
                        // "échanges de tirs": adjectives agree, complements after "de" do not.
                        let agree = words[1..].iter().take_while(|w| !matches!(w.as_str(), "de" | "d'" | "du" | "des" | "à" | "au" | "aux" | "en")).count();
                        for p in plural(&words[0]) {
                            let mut t = vec![p.clone()];
                            t.extend(words[1..].iter().cloned());
                            add(t.clone(), FormKind::Finite, true, None, false);
                            if p != words[0] && agree > 0 {
                                for w in t.iter_mut().skip(1).take(agree) {
                                    *w = plural(w).pop().unwrap_or_else(|| w.clone());
                                }
                                add(t, FormKind::Finite, true, None, false);
                            }
                        }
                    }
                }
                let preps = |v: &Vec<String>| v.iter().map(|p| if p.is_empty() { Vec::new() } else { phrase_tokens(p) }).collect::<Vec<_>>();
                set.object_preps.push(preps(&r.object_preps));
                set.subject_preps.push(preps(&r.subject_preps));
                set.requires.push(r.requires.iter().map(|w| fold(w)).collect());
                if r.kind == Kind::Light && (light.is_empty() || r.nouns.is_empty()) {
                    return Err(err("a light rule needs verbs and nouns".into()));
                }
                set.light_verbs.push(light);
                set.files.push(f.clone());
                set.rules.push(r);
            }
        }
        for v in index.values_mut() {
            // Folding merges "classe" and "classé": keep the participle reading, which
            // falls back to the active one when no passive is in sight.
            let rank = |f: FormKind| match f {
                FormKind::Participle => 0,
                FormKind::Conditional => 1,
                FormKind::Finite => 2,
            };
            // A plain lemma beside its reflexive twin ("retirer", "se retirer") needs no clitic.
            v.sort_by(|a, b| b.tokens.len().cmp(&a.tokens.len()).then(a.rule.cmp(&b.rule)).then(a.tokens.cmp(&b.tokens)).then(a.reflexive.cmp(&b.reflexive)).then(rank(a.form).cmp(&rank(b.form))));
            v.dedup_by(|a, b| a.tokens == b.tokens && a.rule == b.rule);
        }
        set.index = WordMap::from(index);
        Ok(set)
    }

    /// Gives "starts a trigger" its bit in the word classes `b` builds.
    pub fn register(&mut self, b: &mut ClassesBuilder) {
        self.bit_first = b.register(self.index.iter().map(|(w, _)| w.as_str()));
    }

    /// Whether a trigger starts with this word.
    pub fn starts_trigger(&self, t: &Token) -> bool {
        self.bit_first.test(t.classes).unwrap_or_else(|| self.index.contains_key(&t.norm))
    }

    /// Triggers starting at `words[i]` (longest first). `words` are a
    /// sentence's tokens or references to them (a view without quotes).
    pub fn triggers_at<'a, 'n, W: Borrow<Token>>(&'a self, words: &'n [W], i: usize) -> impl Iterator<Item = &'a Trigger> + use<'a, 'n, W> {
        let first: &Token = words[i].borrow();
        let list = if self.bit_first.test(first.classes) == Some(false) { None } else { self.index.get(&first.norm) };
        let window = &words[i..];
        list.map_or(&[][..], |v| v.as_slice()).iter().filter(move |t| t.tokens.len() <= window.len() && t.tokens.iter().zip(window).all(|(a, b)| *a == b.borrow().norm))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plurals() {
        assert_eq!(plural("soutien"), vec!["soutien", "soutiens"]);
        assert_eq!(plural("appel"), vec!["appel", "appels"]);
        assert_eq!(plural("tribunal"), vec!["tribunal", "tribunaux", "tribunals"]);
        assert_eq!(plural("accords"), vec!["accords"]);
    }

    #[test]
    fn symmetric_predicates() {
        assert!(is_symmetric("talksWith"));
        assert!(!is_symmetric("supports"));
        assert_eq!(PREDICATES.len(), 25);
    }
}
