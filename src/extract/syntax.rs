//! The sentence skeleton every relation rule reads: which stretches of a
//! sentence stand aside from its main clause, so that a verb meets its
//! subject and its object over them.
//!
//! Set aside are parentheses, incises between dashes, incises between commas
//! that a noun phrase carries (relative clauses, participial clauses,
//! appositions, "selon X") when the main clause resumes after them, and a
//! fronted adverbial ("Lors de la visite de X, Y a condamné Z"). The main
//! clause is what is left: relation rules run on it as if the asides were not
//! written, while a trigger inside an aside reads the whole sentence (its
//! antecedent, the clause it hangs on).
//!
//! Verb groups are read here too: a finite verb, an auxiliary, a clitic or a
//! negation opening a chain is `verb_like`, which the relation rules use to
//! find clause limits.

use super::{DocEntities, MKind, SentenceView};
use crate::gazetteer::Class;
use crate::lexicon::{FormKind, Lexicon};

/// Why a stretch of the sentence stands aside.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AsideKind {
    /// "(d'origine arménienne)"
    Parenthesis,
    /// "– classé terroriste par Ankara –"
    Dashes,
    /// ", qui a déployé des forces dans la région,"
    Relative,
    /// ", accusé de crimes de guerre,"
    Participial,
    /// ", le président du Conseil européen,", ", de son côté,", ", selon Bakou,"
    Incise,
    /// "Lors de la visite de X," at the start of the sentence.
    Adverbial,
    /// A quotation mark between a subject and its verb: `X « a dénoncé… »`.
    Quote,
    /// ", selon elle," anywhere: the clause goes on after it, verb or not.
    Attribution,
}

/// A stretch `[start, end)` of tokens set aside from the main clause.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Aside {
    pub start: usize,
    pub end: usize,
    pub kind: AsideKind,
}

/// The skeleton of one sentence.
#[derive(Debug, Clone, Default)]
pub struct Skeleton {
    /// Sorted by start, never overlapping.
    pub asides: Vec<Aside>,
}

/// Auxiliaries of the compound tenses and of the passive, folded.
pub const AUXILIARIES: &[&str] = &[
    "a", "ont", "avait", "avaient", "aura", "auront", "aurait", "auraient", "est", "sont", "etait", "etaient", "sera", "seront", "serait", "seraient", "fut", "furent",
];

/// A token that is certainly a finite verb or opens a verb chain: an
/// auxiliary, a negation, a reflexive or object clitic before a verb, a
/// finite trigger or speech verb, a denial, a modal.
pub fn verb_like(lex: &Lexicon, sv: &SentenceView, k: usize) -> bool {
    let (norms, toks) = (sv.norms, sv.toks);
    let w = norms[k];
    if AUXILIARIES.contains(&w) {
        return true;
    }
    if after_determiner(norms, k) {
        return false;
    }
    let raw = sv.raw(k);
    lex.cues.denials.has(&toks[k])
        || lex.speech_form(&toks[k]).is_some_and(|f| form_as_written(f, raw) != FormKind::Participle)
        || lex.rules.triggers_at(toks, k).any(|t| !t.nominal && form_as_written(t.form, raw) != FormKind::Participle && t.tokens.len() == 1)
}

/// Folding merges "reproche" and "reproché" (an -er verb's present and its
/// participle): the accent as written decides which one the word is.
pub fn form_as_written(form: FormKind, raw: &str) -> FormKind {
    // The last three letters, lower-cased, last first: no allocation on this hot path.
    let mut tail = ['\0'; 3];
    for (slot, ch) in tail.iter_mut().zip(raw.chars().rev()) {
        *slot = ch.to_lowercase().next().unwrap_or(ch);
    }
    let accented = tail[0] == 'é' || (matches!(tail[0], 'e' | 's') && tail[1] == 'é') || (tail[0] == 's' && tail[1] == 'e' && tail[2] == 'é');
    // Only the third person: "-es" is far likelier a plural noun ("des frappes") than "tu frappes".
    let plain = tail[0] == 'e';
    match form {
        FormKind::Participle if plain && !accented => FormKind::Finite,
        FormKind::Finite if accented => FormKind::Participle,
        f => f,
    }
}

/// Where a verb chain may start: `verb_like`, or a negation, a clitic or a
/// modal in front of one ("n'a pas", "s'est", "l'a", "pourrait").
fn opens_chain(lex: &Lexicon, sv: &SentenceView, k: usize) -> bool {
    let c = &lex.cues;
    let (norms, toks) = (sv.norms, sv.toks);
    let n = norms.len();
    if verb_like(lex, sv, k) || c.possible.has(&toks[k]) || c.intended.has(&toks[k]) {
        return true;
    }
    // "ne", "n'", "s'", "se", "l'", "lui", "leur", "y", "en" then a verb within two tokens.
    let clitic = c.negation_open.has(&toks[k]) || matches!(norms[k], "s'" | "se" | "l'" | "lui" | "leur" | "y" | "en" | "les" | "nous" | "vous");
    clitic && (k + 1..(k + 3).min(n)).any(|j| verb_like(lex, sv, j) || c.possible.has(&toks[j]) || c.intended.has(&toks[j]))
}

/// "une attaque", "la demande": a verb form right after a determiner is a noun.
pub fn after_determiner(norms: &[&str], k: usize) -> bool {
    // Scare quotes sit between the article and its noun: "les « attaques »".
    let k = if k > 1 && matches!(norms[k - 1], "«" | "\"" | "“") { k - 1 } else { k };
    k > 0 && matches!(norms[k - 1], "un" | "une" | "le" | "la" | "l'" | "les" | "des" | "du" | "au" | "aux" | "son" | "sa" | "ses" | "leur" | "leurs" | "cette" | "ces")
}

/// Whether the main clause resumes at `k`: a verb chain, possibly after adverbs.
fn resumes(lex: &Lexicon, sv: &SentenceView, mut k: usize) -> bool {
    let n = sv.norms.len();
    for _ in 0..3 {
        if k >= n {
            return false;
        }
        match lex.cues.adverbs.match_at(sv.toks, k) {
            Some(l) => k += l,
            None => break,
        }
    }
    // A present participle ("…, ajoutant que") is no main clause.
    k < n && opens_chain(lex, sv, k) && !gerund(sv, k)
}

/// A present participle or gerund form ("accusant", "appelant").
pub fn gerund(sv: &SentenceView, k: usize) -> bool {
    let w = sv.norms[k];
    w.len() > 4 && w.ends_with("ant") && !sv.toks[k].cap
}

impl Skeleton {
    /// Reads the skeleton of a sentence whose mentions are found.
    pub fn new(lex: &Lexicon, ents: &DocEntities, sv: &SentenceView) -> Skeleton {
        let norms = sv.norms;
        let n = norms.len();
        // A sentence with no comma, parenthesis, dash or quotation mark has no aside.
        if !norms.iter().any(|w| matches!(*w, "," | "(" | "–" | "—" | "-" | "«" | "\"" | "“")) {
            return Skeleton::default();
        }
        let mut asides: Vec<Aside> = Vec::new();
        // Tokens no aside may cut: inside a name ("Zouaves Paris (ZVP)").
        let in_name = |k: usize| sv.mentions.iter().any(|m| m.start < k && k < m.end);
        // 1. Parentheses, nested ones inside the outer.
        let mut k = 0;
        while k < n {
            if norms[k] == "(" && !in_name(k) {
                let mut depth = 0;
                let mut j = k;
                while j < n {
                    match norms[j] {
                        "(" => depth += 1,
                        ")" => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    j += 1;
                }
                let end = (j + 1).min(n);
                asides.push(Aside { start: k, end, kind: AsideKind::Parenthesis });
                k = end;
                continue;
            }
            k += 1;
        }
        let free = |asides: &[Aside], k: usize| !asides.iter().any(|a| a.start <= k && k < a.end);
        // 2. Dashes: "– … –", or one dash to the end of the sentence.
        let is_dash = |k: usize| matches!(norms[k], "–" | "—") || (norms[k] == "-" && !sv.toks[k].glued && k + 1 < n && !sv.toks[k + 1].glued);
        let mut k = 1;
        while k < n {
            if is_dash(k) && free(&asides, k) {
                let close = (k + 1..n).find(|&j| is_dash(j) && free(&asides, j));
                let end = match close {
                    Some(j) => j + 1,
                    // A final "."/"!"/"?" stays in the main clause.
                    None => n - usize::from(matches!(norms[n - 1], "." | "!" | "?")),
                };
                if end > k + 1 {
                    asides.push(Aside { start: k, end, kind: AsideKind::Dashes });
                }
                k = end;
                continue;
            }
            k += 1;
        }
        // Scare quotes around a few words (« attaques », "terroristes"): the marks stand aside, the words stay.
        let mut k = 0;
        while k < n {
            if matches!(norms[k], "«" | "\"" | "“") {
                let close = (k + 1..(k + 6).min(n)).find(|&j| matches!(norms[j], "»" | "\"" | "”"));
                if let Some(j) = close.filter(|&j| j > k + 1 && !(k + 1..j).any(|q| verb_like(lex, sv, q) || matches!(norms[q], "," | "." | ";" | ":"))) {
                    asides.push(Aside { start: k, end: k + 1, kind: AsideKind::Quote });
                    asides.push(Aside { start: j, end: j + 1, kind: AsideKind::Quote });
                    k = j + 1;
                    continue;
                }
            }
            k += 1;
        }
        asides.sort_by_key(|a| a.start);
        // A quotation mark opening a quote right after its subject: `X « a été en contact avec Y »`.
        for k in 1..n.saturating_sub(1) {
            if matches!(norms[k], "«" | "\"" | "“") && free(&asides, k) && sv.mentions.iter().any(|m| m.end == k) && opens_chain(lex, sv, k + 1) {
                asides.push(Aside { start: k, end: k + 1, kind: AsideKind::Quote });
            }
        }
        asides.sort_by_key(|a| a.start);
        // 3. A fronted adverbial up to its comma, when a clause follows it.
        if let Some(a) = fronted_adverbial(lex, ents, sv, &asides) {
            asides.push(a);
        }
        asides.sort_by_key(|a| a.start);
        // 4. Incises between commas after a noun phrase, when the main clause resumes after them.
        let mut k = 1;
        while k + 2 < n {
            if norms[k] != "," || !free(&asides, k) {
                k += 1;
                continue;
            }
            let Some(kind) = incise_kind(lex, sv, k) else {
                k += 1;
                continue;
            };
            // The closing comma: the first one, outside other asides, after which a verb chain
            // comes (an attribution closes at its own comma, whatever follows).
            let close = (k + 2..n - 1).take_while(|&j| !matches!(norms[j], "." | ";" | ":" | "?" | "!")).find(|&j| norms[j] == "," && free(&asides, j) && (kind == AsideKind::Attribution || resumes(lex, sv, j + 1)));
            // "X, le chancelier allemand, Y, et …": a person named inside after a person is the
            // next item of a list, not an apposition to the first.
            let listed = kind == AsideKind::Incise
                && close.is_some_and(|j| {
                    let person = |m: &&super::Mention| ents.get(m.entity).class == Class::Person;
                    sv.mentions.iter().filter(person).any(|m| m.end == k) && sv.mentions.iter().filter(person).any(|m| m.start > k && m.end <= j)
                });
            match close.filter(|_| !listed) {
                Some(j) => {
                    asides.push(Aside { start: k, end: j + 1, kind });
                    asides.sort_by_key(|a| a.start);
                    k = j + 1;
                }
                None => k += 1,
            }
        }
        Skeleton { asides }
    }

    /// The aside holding token `k`, if any.
    pub fn aside_at(&self, k: usize) -> Option<&Aside> {
        self.asides.iter().find(|a| a.start <= k && k < a.end)
    }

    /// The tokens of the main clause, in order.
    pub fn main_tokens(&self, n: usize) -> Vec<usize> {
        let mut keep = Vec::with_capacity(n);
        let mut next = self.asides.iter().peekable();
        let mut k = 0;
        while k < n {
            if let Some(a) = next.peek() {
                if a.start == k {
                    k = a.end.max(k + 1);
                    next.next();
                    continue;
                }
            }
            keep.push(k);
            k += 1;
        }
        keep
    }
}

/// The kind of incise a comma at `k` may open: after a mention (or a title
/// holder), a relative pronoun, a participle, a determiner or a title, an
/// adverbial phrase.
fn incise_kind(lex: &Lexicon, sv: &SentenceView, k: usize) -> Option<AsideKind> {
    let (norms, toks) = (sv.norms, sv.toks);
    let c = &lex.cues;
    // ", selon X," stands aside wherever it falls.
    if c.according_to.match_at(toks, k + 1).is_some() {
        return Some(AsideKind::Attribution);
    }
    let after_np = sv.mentions.iter().any(|m| m.end == k && m.kind != MKind::Demonym) || sv.titles.iter().any(|t| t.of_end == k);
    // "X a, selon Y, condamné Z", "qui bénéficie, pour sa part, de l'appui de Y": after a verb too.
    let after_aux = AUXILIARIES.contains(&norms[k - 1]) || verb_like(lex, sv, k - 1);
    if !after_np && !after_aux {
        return None;
    }
    let next = k + 1;
    if c.relatives.has(&toks[next]) {
        return after_np.then_some(AsideKind::Relative);
    }
    if c.according_to.match_at(toks, next).is_some() || c.incise_openers.match_at(toks, next).is_some() || c.adverbs.match_at(toks, next).is_some() {
        return Some(AsideKind::Incise);
    }
    if !after_np {
        return None;
    }
    if participle(lex, sv, next) {
        return Some(AsideKind::Participial);
    }
    // An apposition: "X, le président du Conseil européen, a…", "X, ancien ministre, …";
    // not the next item of an enumeration ("X, la Finlande et la Suède").
    let mut d = next;
    while d < sv.norms.len() && c.determiners.has(&toks[d]) {
        d += 1;
    }
    if sv.mentions.iter().any(|m| m.start == d) {
        return None;
    }
    let np_opener = c.determiners.has(&toks[next]) || lex.titles.match_at(toks, next).is_some() || c.person_nouns.has(&toks[next]);
    let person_or_org = sv.mentions.iter().find(|m| m.end == k).is_none_or(|m| !matches!(m.kind, MKind::Demonym));
    (np_opener && person_or_org).then_some(AsideKind::Incise)
}

/// "Lors de …,", "Après la prise de X par Y,", "Dans un communiqué,", "En
/// réponse à …,": a sentence that opens with an adverbial phrase and a
/// comma, then a clause with its subject and verb.
fn fronted_adverbial(lex: &Lexicon, ents: &DocEntities, sv: &SentenceView, asides: &[Aside]) -> Option<Aside> {
    let (norms, toks) = (sv.norms, sv.toks);
    let n = norms.len();
    let c = &lex.cues;
    // After an opening quote or dash, the sentence proper starts.
    let mut s = 0;
    while s < n && matches!(norms[s], "«" | "\"" | "“" | "–" | "—" | "-") {
        s += 1;
    }
    if s >= n || c.fronted_openers.match_at(toks, s).is_none() {
        return None;
    }
    // "Dans le Haut-Karabakh, les soldats russes patrouillent": a place opening the sentence is its complement.
    let mut d = s + c.fronted_openers.match_at(toks, s).unwrap_or(1);
    while d < n && c.determiners.has(&toks[d]) {
        d += 1;
    }
    let locative = matches!(norms[s], "dans" | "a" | "à" | "au" | "aux" | "en" | "sur" | "pres" | "près");
    if locative && sv.mentions.iter().any(|m| m.start == d && matches!(ents.get(m.entity).class, Class::Place | Class::Country)) {
        return None;
    }
    let free = |j: usize| !asides.iter().any(|a| a.start <= j && j < a.end);
    // The clause starts after the last comma before its verb, an apposition
    // on the adverbial's last noun staying in the adverbial ("Sous la
    // pression de la France, grand partenaire du Tchad, N'Djamena a…"); a verb
    // in a relative clause is not the clause's.
    let stop = (s + 1..n).find(|&j| matches!(norms[j], "." | ";" | ":" | "?" | "!")).unwrap_or(n);
    let verb = (s + 1..stop).find(|&j| free(j) && verb_like(lex, sv, j) && !gerund(sv, j))?;
    let mut commas = Vec::new();
    for j in s + 1..verb {
        if !free(j) {
            continue;
        }
        if norms[j] == "," {
            commas.push(j);
        } else if c.relatives.has(&toks[j]) {
            // The comma before "qui" opens the relative clause, not the main one.
            if commas.last() == Some(&(j - 1)) {
                commas.pop();
            }
            break;
        }
    }
    // The first comma ends the adverbial, unless an apposition follows it ("…, grand partenaire du
    // Tchad,"): a lower-case word that is no determiner, no title. A determiner or a name after a
    // comma opens the subject ("Mardi, le président français, X, et…").
    let mut ci = 0;
    while ci + 1 < commas.len() {
        let next = commas[ci] + 1;
        let t = &toks[next];
        let apposition = t.kind == crate::text::TokKind::Word && !t.cap && !c.determiners.has(t) && lex.titles.match_at(toks, next).is_none() && !sv.mentions.iter().any(|m| m.start == next);
        if !apposition {
            break;
        }
        ci += 1;
    }
    let comma = *commas.get(ci)?;
    if comma + 1 >= verb && !matches!(norms[verb], "a" | "ont" | "est" | "sont") {
        // Nothing between the comma and the verb: no subject of its own.
        return None;
    }
    // Something with a verb must follow, within the sentence.
    let rest = comma + 1..n;
    if rest.len() < 2 || !rest.clone().any(|j| verb_like(lex, sv, j)) {
        return None;
    }
    // A verb before the comma makes it a subordinate clause of its own
    // ("Après que X a attaqué Y, …"): those are clause openers, read elsewhere.
    if (s..comma).any(|j| AUXILIARIES.contains(&norms[j])) {
        return None;
    }
    Some(Aside { start: s, end: comma + 1, kind: AsideKind::Adverbial })
}

/// A past participle: a trigger's or a speech verb's, one of the lexicon's
/// `participial_openers`, or a word written with a participle's ending.
pub fn participle(lex: &Lexicon, sv: &SentenceView, k: usize) -> bool {
    let t = &sv.toks[k];
    if t.cap || lex.cues.determiners.has(t) {
        return false;
    }
    let raw = sv.raw(k);
    if lex.rules.triggers_at(sv.toks, k).any(|tr| form_as_written(tr.form, raw) == FormKind::Participle) || lex.speech_form(t).map(|f| form_as_written(f, raw)) == Some(FormKind::Participle) || lex.cues.participial_openers.has(t) {
        return true;
    }
    raw.chars().count() > 3 && (raw.ends_with('é') || raw.ends_with("ée") || raw.ends_with("és") || raw.ends_with("ées"))
}

#[cfg(test)]
mod tests {
    use super::Skeleton;
    use crate::extract::{mentions, norms_of, DocEntities, SentenceView};
    use crate::lexicon::tests::shared;
    use crate::text::clean;

    /// The main clause of the first sentence of `text`, its tokens joined by spaces.
    fn main_clause(text: &str) -> String {
        let lex = shared();
        let c = clean(text, &lex.cues, &lex.translit);
        let s = &c.sentences[0];
        let norms = norms_of(&s.tokens);
        let mut ents = DocEntities::default();
        let mut sv = SentenceView::new(0, &s.tokens, &norms, &text[s.start..s.end]);
        mentions::find(lex, &mut ents, &mut sv, None);
        let sk = Skeleton::new(lex, &ents, &sv);
        let mut out = String::new();
        for k in sk.main_tokens(s.tokens.len()) {
            if !out.is_empty() && !(s.tokens[k].glued || out.ends_with('\'') || out.ends_with('-')) {
                out.push(' ');
            }
            out.push_str(sv.raw(k));
        }
        out
    }

    fn check(text: &str, main: &str) {
        assert_eq!(main_clause(text), main, "skeleton of {text:?}");
    }

    #[test]
    fn parentheses_and_dashes_stand_aside() {
        check("Le ministre Sergueï Lavrov (en poste depuis 2004) a accusé Kiev.", "Le ministre Sergueï Lavrov a accusé Kiev.");
        check("La Turquie – membre de l'OTAN depuis 1952 – a critiqué la Suède.", "La Turquie a critiqué la Suède.");
        check("La Turquie a critiqué la Suède – sans la nommer.", "La Turquie a critiqué la Suède.");
        // An acronym after its name too: the name stays.
        check("Les Zouaves Paris (ZVP) ont défilé.", "Les Zouaves Paris ont défilé.");
    }

    #[test]
    fn incises_after_a_noun_stand_aside_when_the_clause_resumes() {
        check("Le Hezbollah, qui a perdu plusieurs commandants, a attaqué Israël.", "Le Hezbollah a attaqué Israël.");
        check("Israël, soutenu par les États-Unis, a bombardé le Liban.", "Israël a bombardé le Liban.");
        check("Antonio Guterres, le secrétaire général de l'ONU, a condamné l'attaque.", "Antonio Guterres a condamné l'attaque.");
        check("La Russie, de son côté, a démenti.", "La Russie a démenti.");
        // An enumeration is no apposition.
        check("La Turquie, la Finlande et la Suède ont signé un accord.", "La Turquie, la Finlande et la Suède ont signé un accord.");
        // Scare quotes: the marks go, the words stay.
        check("Kamala Harris a qualifié les « frappes » de la Russie d'illégales.", "Kamala Harris a qualifié les frappes de la Russie d'illégales.");
        // …also when the quoted noun is written like a verb ("attaques", "attaqués").
        check("Le Japon a qualifié les « attaques » de la Chine d'inacceptables.", "Le Japon a qualifié les attaques de la Chine d'inacceptables.");
        // A quotation mark between the subject and its verb.
        check("Josep Borrell « a été en contact avec l'Inde » avant l'accord.", "Josep Borrell a été en contact avec l'Inde » avant l'accord.");
        // No verb after the second comma: nothing to set aside.
        check("Il a rencontré Xi Jinping, le président chinois, puis Narendra Modi.", "Il a rencontré Xi Jinping, le président chinois, puis Narendra Modi.");
    }

    #[test]
    fn the_accent_tells_a_present_from_a_participle() {
        use super::form_as_written;
        use crate::lexicon::FormKind::*;
        // Folded, "reproche" and "reproché" are one word; as written they are not.
        assert_eq!(form_as_written(Participle, "reproche"), Finite);
        assert_eq!(form_as_written(Participle, "reproché"), Participle);
        assert_eq!(form_as_written(Participle, "attaquées"), Participle);
        // "attaques" is left as folding found it: a plural noun, not "tu attaques".
        assert_eq!(form_as_written(Participle, "attaques"), Participle);
        assert_eq!(form_as_written(Finite, "déclaré"), Participle);
        // Participles with no -é ending have no twin.
        assert_eq!(form_as_written(Participle, "pris"), Participle);
        assert_eq!(form_as_written(Finite, "soutient"), Finite);
    }

    #[test]
    fn a_fronted_adverbial_stands_aside() {
        check("Lors de la visite du chancelier allemand à Pékin, la Chine a condamné les sanctions.", "la Chine a condamné les sanctions.");
        check("Selon la Turquie, la Grèce a attaqué un navire.", "la Grèce a attaqué un navire.");
        // An apposition on the adverbial's last noun stays in it.
        check("Sous la pression de la France, grande alliée du Maroc, le Sénégal a cédé.", "le Sénégal a cédé.");
        // A place opening the sentence is its complement.
        check("Dans le Haut-Karabakh, les forces azerbaïdjanaises ont attaqué Stepanakert.", "Dans le Haut-Karabakh, les forces azerbaïdjanaises ont attaqué Stepanakert.");
        // A verb in a relative clause is not the main clause's.
        check("Après la rencontre avec Joe Biden, Emmanuel Macron, qui était à Washington, a parlé.", "Emmanuel Macron a parlé.");
    }
}
