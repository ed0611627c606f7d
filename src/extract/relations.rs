//! Relation rules applied to a sentence: triggers (verbs, nouns, phrases) find
//! their subject and object among the mentions, with French syntax that
//! matters here: clause boundaries, prepositional phrases, coordination,
//! passives, appositions, negation and modality.

use super::syntax::{after_determiner, form_as_written, verb_like, Skeleton, AUXILIARIES};
use super::{DocEntities, Fact, MKind, Mention, Modality, SentenceView};
use crate::gazetteer::Class;
use crate::lexicon::{FormKind, Lexicon};
use crate::rules::{Kind, Rule, Trigger};
use crate::text::{TokKind, Token};

/// How far (in tokens) an object may lie from its trigger.
const OBJECT_WINDOW: usize = 16;

/// The entity a mention stands for in a relation (a capital or a demonym acts as its state).
fn arg(m: &Mention) -> usize {
    m.acting.unwrap_or(m.entity)
}

/// As `arg`, but a capital stays a place where the rule wants a place ("Bakou, capitale de…").
fn arg_for(ents: &DocEntities, m: &Mention, classes: &[Class]) -> usize {
    match m.acting {
        Some(_) if !classes.is_empty() && class_ok(ents, m.entity, classes) => m.entity,
        Some(a) => a,
        None => m.entity,
    }
}

fn is_opener(lex: &Lexicon, toks: &[Token], k: usize) -> bool {
    lex.cues.clause_openers.match_ending_at(toks, k).is_some() || matches!(toks[k].norm.as_str(), "." | "!" | "?")
}

/// True when the mention is the object of a preposition ("le droit de Bakou"),
/// unless it heads a member phrase ("des terroristes du PKK").
fn governed(lex: &Lexicon, sv: &SentenceView, m: &Mention) -> bool {
    let norms = sv.norms;
    let toks = sv.toks;
    let c = &lex.cues;
    let mut p = m.start;
    while p > 0 && matches!(norms[p - 1], "le" | "la" | "les" | "l'" | "un" | "une" | "ce" | "cette" | "ces") {
        p -= 1;
    }
    if p == 0 {
        return false;
    }
    let prev = norms[p - 1];
    // A later conjunct shares the first one's preposition: "entre l'Azerbaïdjan et l'Arménie".
    if matches!(prev, "et" | "ou" | "/") {
        if let Some(first) = sv.mentions.iter().rfind(|x| x.end < p && x.end + 2 >= p) {
            return governed(lex, sv, first);
        }
        return false;
    }
    if matches!(prev, "des" | "du" | "de" | "d'") {
        // "la ville de Soumy a été…", "des villes du Karabakh ont été…": a place word and
        // the place that names or holds it are one phrase.
        if p >= 3 && c.place_words.has(&toks[p - 2]) && c.determiners.has(&toks[p - 3]) {
            let q = p - 3;
            return q > 0 && c.prepositions.has(&toks[q - 1]);
        }
        // "la guérilla marxiste des FARC": one adjective may stand between the member noun and "du".
        let adjective = p >= 3 && toks[p - 2].kind == TokKind::Word && !toks[p - 2].cap && !c.determiners.has(&toks[p - 2]) && !c.prepositions.has(&toks[p - 2]) && c.member_nouns.has(&toks[p - 3]);
        if (p >= 2 && c.member_nouns.has(&toks[p - 2])) || adjective {
            // The member noun itself must not be governed ("la présence de terroristes du PKK").
            let mut q = if adjective { p - 3 } else { p - 2 };
            while q > 0 && c.determiners.has(&toks[q - 1]) && !matches!(norms[q - 1], "de" | "d'" | "des" | "du") {
                q -= 1;
            }
            return q > 0 && c.prepositions.has(&toks[q - 1]) && !matches!(norms[q - 1], "des" | "du");
        }
        if matches!(prev, "des" | "du") {
            // An article at the clause start ("Des soldats russes ont…") rather than a preposition.
            return p >= 2 && toks[p - 2].kind == TokKind::Word && !c.auxiliaries.has(&toks[p - 2]) && !is_opener(lex, toks, p - 2);
        }
        return true;
    }
    c.prepositions.has(&toks[p - 1]) || (p >= 2 && c.prepositions.match_ending_at(toks, p - 1).is_some_and(|l| l > 1))
}

/// The coordinated group around mention `mi`: "la Turquie, les États-Unis et l'UE".
fn group(sv: &SentenceView, mi: usize) -> Vec<usize> {
    let norms = sv.norms;
    let ms = &sv.mentions;
    // A title before a name is part of the conjunct: "le Premier ministre arménien Nikol Pachinian et
    // le président azerbaïdjanais Ilham Aliev".
    let in_title = |k: usize| sv.titles.iter().any(|t| t.start <= k && k < t.of_end);
    let joiner = |a: usize, b: usize| -> bool {
        // Tokens between two mentions: only commas, "et", "ainsi que", "ou", "/", articles.
        let plain = (a..b).filter(|&k| !in_title(k)).count();
        b > a && plain <= 4 && (a..b).all(|k| in_title(k) || matches!(norms[k], "," | "et" | "ou" | "/" | "ainsi" | "que" | "le" | "la" | "les" | "l'" | "des" | "de" | "du" | "d'"))
            && (a..b).any(|k| matches!(norms[k], "," | "et" | "ou" | "/" | "ainsi"))
            // ", et" opens a new clause; French lists put no comma before their last "et",
            // unless their items carry titles ("X, le chancelier allemand, Y, et le Premier ministre Z").
            && ((a..b).any(in_title) || !(a + 1..b).any(|k| norms[k - 1] == "," && norms[k] == "et"))
    };
    // "les deux parties": one phrase, two mentions side by side.
    let pair = |a: usize, b: usize| ms[a].kind == MKind::Pair && ms[b].kind == MKind::Pair && ms[a].end == ms[b].start;
    // "à la Norvège et au Danemark": the preposition repeated on each conjunct.
    let dative = |w: &str| matches!(w, "à" | "au" | "aux");
    let article = |w: &str| matches!(w, "le" | "la" | "les" | "l'");
    let repeated_prep = |a: usize, b: usize| {
        let q = article_start(norms, ms[a].start, 0);
        if ms[a].end > ms[b].start {
            return false;
        }
        let between = &norms[ms[a].end..ms[b].start];
        q > 0 && dative(norms[q - 1]) && (2..=3).contains(&between.len()) && matches!(between[0], "et" | "ou") && dative(between[1]) && between[2..].iter().all(|w| article(w))
    };
    // A list ends at its "et": "entre A et B, C a annoncé" holds A and B only.
    let conjoins = |a: usize, b: usize| (a..b).any(|k| matches!(norms[k], "et" | "ou" | "/" | "ainsi"));
    let comma_only = |a: usize, b: usize| !conjoins(a, b) && !(a..b).any(in_title);
    let mut lo = mi;
    let mut comma_seen = false;
    while lo > 0 && (joiner(ms[lo - 1].end, ms[lo].start) || pair(lo - 1, lo) || repeated_prep(lo - 1, lo)) {
        let (a, b) = (ms[lo - 1].end, ms[lo].start);
        if comma_seen && conjoins(a, b) && !pair(lo - 1, lo) {
            break;
        }
        comma_seen |= comma_only(a, b) && !pair(lo - 1, lo);
        lo -= 1;
    }
    let mut hi = mi;
    let mut conj_seen = (lo..mi).any(|i| conjoins(ms[i].end, ms[i + 1].start));
    while hi + 1 < ms.len() && (joiner(ms[hi].end, ms[hi + 1].start) || pair(hi, hi + 1) || repeated_prep(hi, hi + 1)) {
        let (a, b) = (ms[hi].end, ms[hi + 1].start);
        if conj_seen && comma_only(a, b) && !pair(hi, hi + 1) {
            break;
        }
        conj_seen |= conjoins(a, b);
        hi += 1;
    }
    // "X, Y" alone is an apposition or a dislocation; a list ends with "et", "ou"…
    // A list may end with an item that names no entity: "Ottawa, le Japon et plusieurs pays".
    let tail = ms[hi].end < norms.len() && matches!(norms[ms[hi].end], "et" | "ou") && (hi + 1 >= ms.len() || ms[hi + 1].start > ms[hi].end + 2);
    let conj = (hi > lo && tail) || (lo..hi).any(|i| pair(i, i + 1) || (ms[i].end..ms[i + 1].start).any(|k| matches!(norms[k], "et" | "ou" | "/" | "ainsi")));
    if !conj {
        return vec![mi];
    }
    // A state or body inside a conjunct's title is not a conjunct ("le président finlandais, X").
    let titled = |m: &Mention| sv.titles.iter().any(|t| t.start <= m.start && m.end <= t.of_end && t.person.is_some_and(|p| p != m.entity));
    (lo..=hi).filter(|&i| i == mi || !titled(&ms[i])).collect()
}

/// Where the noun phrase of a word at `k` starts, its definite article included,
/// not before `floor`.
fn article_start(norms: &[&str], mut k: usize, floor: usize) -> usize {
    while k > floor && matches!(norms[k - 1], "le" | "la" | "les" | "l'") {
        k -= 1;
    }
    k
}

/// `skip_chain_back`, stopping after a mention the chain would swallow ("« Nous appelons »").
fn chain_start(lex: &Lexicon, sv: &SentenceView, k: usize) -> usize {
    let toks = sv.toks;
    let start = skip_chain_back(lex, toks, k);
    sv.mentions.iter().filter(|m| m.start >= start && m.end <= k).map(|m| m.end).max().unwrap_or(start)
}

fn skip_chain_back(lex: &Lexicon, toks: &[Token], mut k: usize) -> usize {
    let c = &lex.cues;
    while k > 0 {
        let p = &toks[k - 1];
        if c.auxiliaries.has(p) || c.negation_open.has(p) || c.negation_close.has(p) || c.possible.has(p) || c.intended.has(p) || matches!(p.norm.as_str(), "-" | "t" | "à" | "de" | "d'") {
            k -= 1;
        } else if let Some(l) = c.adverbs.match_ending_at(toks, k - 1) {
            k -= l;
        } else {
            break;
        }
    }
    k
}

/// For a gerund chain at `k` ("en les appelant", "tout en s'accusant"), the main
/// verb before it in the sentence (its auxiliary or finite form).
fn gerund_main_verb(lex: &Lexicon, sv: &SentenceView, k: usize) -> Option<usize> {
    let norms = sv.norms;
    // "en accusant", or a detached participle ", accusant X": both take the main clause's subject.
    let detached = k > 0 && norms[k - 1] == "," && k < norms.len() && norms[k] != "en";
    if norms.get(k) != Some(&"en") && !detached {
        return None;
    }
    let first = if detached { k } else { k + 1 };
    let verb = (first..(first + 3).min(norms.len())).find(|&j| !matches!(norms[j], "les" | "l'" | "lui" | "leur" | "se" | "s'" | "y" | "ne" | "n'" | "nous" | "vous"))?;
    if !norms[verb].ends_with("ant") || sv.toks[verb].cap {
        return None;
    }
    let stop = (0..k).rev().find(|&j| matches!(norms[j], "." | ";" | ":" | "?" | "!")).map_or(0, |j| j + 1);
    let main = (stop..k).rev().find(|&j| verb_like(lex, sv, j))?;
    // "a accusé Y de recourir à … en attaquant": the gerund hangs on the infinitive, whose
    // subject the object control rules give; leave it to the nearest name.
    let infinitive = (main + 1..k).any(|j| matches!(norms[j], "de" | "d'" | "à") && norms.get(j + 1).is_some_and(|w| infinitive_shape(w)));
    (!infinitive).then_some(main)
}

/// The subject of a verb whose chain starts at `pos`: the nearest mention
/// before it, in the same clause, not inside a prepositional phrase.
pub fn subject_before(lex: &Lexicon, ents: &DocEntities, sv: &SentenceView, pos: usize) -> Option<Vec<usize>> {
    subject_for(lex, ents, sv, pos, &[])
}

/// As `subject_before`, a capital staying a place where `classes` want one.
fn subject_for(lex: &Lexicon, ents: &DocEntities, sv: &SentenceView, pos: usize, classes: &[Class]) -> Option<Vec<usize>> {
    let norms = sv.norms;
    let toks = sv.toks;
    let c = &lex.cues;
    let mut k = skip_chain_back(lex, toks, pos);
    // "X a reçu Y et Z en les appelant à…": a gerund's subject is its main clause's, not
    // the nearest name.
    if let Some(main) = gerund_main_verb(lex, sv, k) {
        return subject_for(lex, ents, sv, chain_start(lex, sv, main), classes);
    }
    // "X est accusé par Y de soutenir Z": a passive control verb gives the infinitive its
    // own subject, not the agent.
    if k <= pos && k < norms.len() && matches!(norms[k], "de" | "d'" | "à") {
        let from = k.saturating_sub(25);
        let stop = (from..k).rev().find(|&j| matches!(norms[j], "." | ";" | "que" | "qu'" | "qui")).map_or(from, |j| j + 1);
        let passive = (stop + 1..k).rev().find(|&p| c.object_control.has(&toks[p]) && matches!(norms[p - 1], "est" | "sont" | "ete" | "etait" | "etaient" | "sera" | "seront" | "etre"));
        if let Some(p) = passive {
            return subject_for(lex, ents, sv, chain_start(lex, sv, p), classes);
        }
    }
    // "avec le Hamas lançant des drones": a present participle's subject right before it,
    // even inside a preposition's phrase.
    if k == pos && pos < norms.len() && super::syntax::gerund(sv, pos) {
        if let Some(m) = sv.mentions.iter().rfind(|m| m.end == pos && m.kind != MKind::Demonym) {
            return Some(vec![arg_for(ents, m, classes)]);
        }
    }
    // "« Nous appelons… »": the chain skipped a "nous" that stands for the speaker's state.
    if let Some(m) = sv.mentions.iter().find(|m| m.kind == MKind::Pronoun && m.start >= k && m.end <= pos) {
        return Some(vec![arg(m)]);
    }
    if k > 0 && c.subject_pronouns.has(&toks[k - 1]) {
        let pron = norms[k - 1];
        if let Some(m) = sv.mentions.iter().find(|m| m.start == k - 1) {
            return Some(vec![arg(m)]);
        }
        return match pron {
            // "elle": the last woman named, when the text showed one; "il": not her.
            "elle" => ents.last_subject_person.filter(|&p| ents.get(p).feminine != Some(false)).or(ents.last_feminine).or(ents.last_person).or(ents.next_person).map(|p| vec![p]),
            "il" => ents.last_subject_person.filter(|&p| ents.get(p).feminine != Some(true)).or(ents.last_masculine).or(ents.last_person).or(ents.next_person).map(|p| vec![p]),
            // "ils se sont combattus": the pair the document last named together.
            _ => ents.last_pair.map(|(a, b)| vec![a, b]),
        };
    }
    // Apposition between commas: "X, un soldat qui …, a avoué".
    if k > 0 && norms[k - 1] == "," {
        if let Some(p2) = (k.saturating_sub(40)..k - 1).rev().find(|&j| norms[j] == ",") {
            let inner: Vec<&Mention> = sv.mentions.iter().filter(|m| m.start > p2 && m.end < k).collect();
            if inner.len() == 1 && inner[0].start == p2 + 1 && inner[0].end == k - 1 && ents.get(inner[0].entity).class == Class::Person {
                // The last of a list of titled names is the whole list's ("X, le …, Y, et le …, Z, se sont rencontrés").
                let mi = sv.mentions.iter().position(|m| m.start == inner[0].start && m.end == inner[0].end).unwrap_or(0);
                return Some(group(sv, mi).into_iter().map(|i| arg_for(ents, &sv.mentions[i], classes)).collect());
            }
            k = p2;
        }
    }
    let mut stop = 0;
    for j in (0..k).rev() {
        if is_opener(lex, toks, j) {
            stop = j + 1;
            break;
        }
    }
    // "…, qui …": the antecedent is the subject.
    if stop > 0 && matches!(norms[stop - 1], "qui") {
        // A cleft, "C'est la radio de ces miliciens qui a…": the subject is the focus
        // right after "c'est", or none that we can name.
        let q = stop - 1;
        if let Some(c) = (0..q).rev().take(25).find(|&j| j + 1 < q && matches!((norms[j], norms[j + 1]), ("c'", "est" | "etait" | "sont" | "etaient") | ("ce", "sont" | "etaient" | "fut"))) {
            if !(c + 2..q).any(|j| is_opener(lex, toks, j)) {
                let mut f = c + 2;
                while f < q && matches!(norms[f], "le" | "la" | "les" | "l'") {
                    f += 1;
                }
                return sv.mentions.iter().position(|m| m.start == f).map(|mi| group(sv, mi).into_iter().map(|i| arg_for(ents, &sv.mentions[i], classes)).collect());
            }
        }
        let before = stop - 1;
        let before = if before > 0 && norms[before - 1] == "," { before - 1 } else { before };
        if let Some(mi) = sv.mentions.iter().rposition(|m| m.end == before) {
            // "les drones fournis par Téhéran qui ont frappé…": the relative may hang on
            // the participle's head as well as on its agent; neither is safe.
            let q = article_start(norms, sv.mentions[mi].start, 0);
            if q > 0 && norms[q - 1] == "par" {
                return None;
            }
            return Some(group(sv, mi).into_iter().map(|i| arg_for(ents, &sv.mentions[i], classes)).collect());
        }
        return None;
    }
    // "Alors que …, la Turquie a soutenu": a subordinate clause opening the sentence ends at its comma.
    if stop > 0 && stop <= 3 && !norms[..stop].contains(&",") {
        if let Some(cm) = (stop..k).find(|&j| norms[j] == ",") {
            stop = cm + 1;
        }
    }
    // Mentions after the nearest verb before us are that verb's objects ("la Turquie soutient
    // l'offensive azerbaïdjanaise tout en appelant…"): the subject comes before that verb,
    // unless a mention stands right before our verb ("…, l'Arménie a attaqué").
    let adjacent = sv.mentions.iter().rposition(|m| m.end == k && m.start >= stop && m.kind != MKind::Demonym && !governed(lex, sv, m));
    if let Some(mi) = adjacent {
        return Some(group(sv, mi).into_iter().filter(|&i| i == mi || !governed(lex, sv, &sv.mentions[i])).map(|i| arg_for(ents, &sv.mentions[i], classes)).collect());
    }
    let limit = (stop..k).rev().find(|&j| verb_like(lex, sv, j)).unwrap_or(k);
    // A verb that controls its infinitive through its object: "accuse Ankara de soutenir…",
    // "a appelé les deux parties à cesser…", "reproche à l'Algérie de soutenir…".
    let controlled = limit < k && (k..(k + 2).min(norms.len())).any(|j| matches!(norms[j], "de" | "d'" | "a" | "à")) && lex.cues.object_control.has(&toks[limit]);
    if controlled {
        if let Some(mi) = sv.mentions.iter().position(|m| m.start > limit && m.end < k && m.kind != MKind::Demonym) {
            return Some(group(sv, mi).into_iter().map(|i| arg_for(ents, &sv.mentions[i], classes)).collect());
        }
    }
    for mi in (0..sv.mentions.len()).rev() {
        let m = &sv.mentions[mi];
        if m.end > limit || m.start < stop {
            continue;
        }
        // An adjective ("le groupe français") is no subject; "la diplomatie arménienne" is.
        let headed = m.start > 0 && (lex.cues.member_nouns.has(&toks[m.start - 1]) || lex.cues.state_heads.has(&toks[m.start - 1]));
        if (m.kind == MKind::Demonym && !headed) || governed(lex, sv, m) {
            continue;
        }
        return Some(group(sv, mi).into_iter().filter(|&i| i == mi || !governed(lex, sv, &sv.mentions[i])).map(|i| arg_for(ents, &sv.mentions[i], classes)).collect());
    }
    // No subject of our own ("il a rejoint… pour combattre…", "… et a exigé"): the previous verb's,
    // or its object when that verb controls the infinitive ("accuse Ankara de soutenir…",
    // "a appelé les deux parties à cesser…", "a demandé à la Russie de retirer…").
    if limit < k {
        return subject_for(lex, ents, sv, limit, classes);
    }
    None
}

fn class_ok(ents: &DocEntities, e: usize, classes: &[Class]) -> bool {
    classes.is_empty() || classes.contains(&ents.get(e).class)
}

/// Where the object phrase of a trigger ending at `pos` starts, after adverbs and one of `preps`.
fn object_start(lex: &Lexicon, sv: &SentenceView, k: usize, preps: &[Vec<String>]) -> Option<usize> {
    object_start_reach(lex, sv, k, preps, false)
}

/// The object an object clitic stands for, before the verb at `k`: "pour les
/// exhorter", "en les appelant", "l'a exhorté", "lui demander". "les"/"leur"
/// take the last coordinated group named before them, "l'"/"lui" the last single
/// mention; never the clause's subjects.
fn clitic_object(ents: &DocEntities, sv: &SentenceView, k: usize, classes: &[Class], subjects: &[usize]) -> Option<Vec<usize>> {
    let norms = sv.norms;
    let opens = |j: usize| j == 0 || matches!(norms[j - 1], "pour" | "en" | "de" | "d'" | "à" | "ne" | "n'" | "il" | "elle" | "ils" | "elles" | "qui" | "et" | "afin" | ",");
    let at = if k >= 1 && matches!(norms[k - 1], "lui" | "leur") || (k >= 1 && matches!(norms[k - 1], "les" | "l'") && opens(k - 1)) {
        k - 1
    } else if k >= 2 && matches!(norms[k - 2], "les" | "l'" | "lui" | "leur") && AUXILIARIES.contains(&norms[k - 1]) {
        k - 2
    } else {
        return None;
    };
    if subjects.is_empty() {
        return None;
    }
    let plural = matches!(norms[at], "les" | "leur");
    for mi in (0..sv.mentions.len()).rev() {
        let m = &sv.mentions[mi];
        if m.end > at || m.kind == MKind::Demonym {
            continue;
        }
        let e = arg_for(ents, m, classes);
        if subjects.contains(&e) || !class_ok(ents, e, classes) {
            continue;
        }
        let g: Vec<usize> = group(sv, mi).into_iter().map(|i| arg_for(ents, &sv.mentions[i], classes)).filter(|&x| class_ok(ents, x, classes) && !subjects.contains(&x)).collect();
        return match (plural, g.len()) {
            (true, 2..) => Some(g),
            (false, 1) => Some(g),
            _ => None,
        };
    }
    None
}

/// A place complement "à Berlin", "en Californie" that the rule does not take as its
/// object, followed by more of the clause: where it ends.
fn place_complement(sv: &SentenceView, k: usize, preps: &[Vec<String>]) -> Option<usize> {
    let norms = sv.norms;
    let n = norms.len();
    if !matches!(norms[k], "à" | "en") || k + 2 >= n || !sv.toks[k + 1].cap || preps.iter().any(|p| p.len() == 1 && p[0] == norms[k]) {
        return None;
    }
    let m = sv.mentions.iter().find(|m| m.start == k + 1 && matches!(m.kind, MKind::Name | MKind::Capital))?;
    // More must follow: a name, a determiner or a title, not the end of the clause.
    let next = norms.get(m.end)?;
    let more = sv.mentions.iter().any(|x| x.start == m.end) || matches!(*next, "le" | "la" | "les" | "l'" | "son" | "sa" | "ses" | "m." | "mme");
    more.then_some(m.end)
}

/// `reach`: the preposition may follow the verb's own complement (verbs only).
fn object_start_reach(lex: &Lexicon, sv: &SentenceView, mut k: usize, preps: &[Vec<String>], reach: bool) -> Option<usize> {
    let norms = sv.norms;
    let toks = sv.toks;
    let c = &lex.cues;
    let n = norms.len();
    loop {
        if k >= n {
            return None;
        }
        if let Some(l) = c.adverbs.match_at(toks, k) {
            k += l;
        } else if c.negation_close.has(&toks[k]) && !matches!(norms[k], "aucun" | "aucune") {
            k += 1;
        } else if norms[k] == "le" && k + 2 < n && norms[k + 1].chars().all(|ch| ch.is_ascii_digit()) {
            k += 3; // "le 17 avril"
        } else if toks[k].kind == TokKind::Number && norms[k].len() == 4 && (norms[k].starts_with("19") || norms[k].starts_with("20")) {
            k += 1; // a year: "à l'automne 2020"
        } else if norms[k] == "en" && k + 1 < n && (super::MONTHS_FOLDED.contains(&norms[k + 1]) || (toks[k + 1].kind == TokKind::Number && norms[k + 1].len() == 4)) {
            k += 2; // "en octobre", "en 2020"
        } else if let Some(e) = place_complement(sv, k, preps) {
            k = e; // "a rencontré à Berlin M. X": where, before whom
        } else {
            break;
        }
    }
    if preps.is_empty() {
        return Some(k);
    }
    let mut direct = false;
    for p in preps {
        if p.is_empty() {
            direct = true;
            continue;
        }
        if k + p.len() <= n && p.iter().zip(&norms[k..]).all(|(a, b)| a == b) {
            // "a demandé à rejoindre l'OTAN": a preposition before an infinitive opens no object.
            if k + p.len() < n && matches!(p.last().map(String::as_str), Some("a" | "à" | "de" | "d'")) && infinitive(lex, sv, k + p.len()) {
                return None;
            }
            return Some(k + p.len());
        }
    }
    // A direct object must not open with a preposition (other than a partitive "des"/"du";
    // "de la", "de l'" open a complement: "discuter de la candidature de X").
    let de_article = matches!(norms[k], "de" | "d'") && k + 1 < n && matches!(norms[k + 1], "la" | "l'" | "le" | "les");
    if direct && !de_article && !(lex.cues.prepositions.has(&toks[k]) && !matches!(norms[k], "des" | "du" | "de" | "d'")) {
        return Some(k);
    }
    // "a reçu à la Maison Blanche le Premier ministre…": a place complement before the object.
    if direct && matches!(norms[k], "à" | "au" | "aux" | "dans" | "en" | "chez" | "depuis" | "sur") {
        let mut d = k + 1;
        while d < n && matches!(norms[d], "le" | "la" | "les" | "l'") {
            d += 1;
        }
        if let Some(m) = sv.mentions.iter().find(|m| m.start == d) {
            let mut after = m.end;
            while after < n && (norms[after] == "," || lex.cues.adverbs.match_at(toks, after).is_some()) {
                after += lex.cues.adverbs.match_at(toks, after).unwrap_or(1);
            }
            if after < n && !lex.cues.prepositions.has(&toks[after]) {
                return Some(after);
            }
        }
    }
    if !reach || preps.iter().all(|p| p.is_empty()) {
        return None;
    }
    // The preposition may come after the verb's own complement: "a livré des drones
    // Bayraktar TB2 à l'armée", "a signé un accord de coopération militaire avec l'Arménie".
    // "retirer ses forces de maintien de la paix de la région": past the direct object, "de" is the verb's.
    if let Some(obj) = sv.mentions.iter().filter(|x| x.start >= k && x.start <= k + 1).max_by_key(|x| x.end) {
        let m = obj.end;
        for p in preps.iter().filter(|p| !p.is_empty()) {
            if m + p.len() <= n && p.iter().zip(&norms[m..]).all(|(a, b)| a == b) {
                return Some(m + p.len());
            }
        }
    }
    let stop = |m: usize| matches!(norms[m], "," | "." | ";" | ":" | "«" | "»" | "(" | "qui" | "que" | "qu'" | "dont" | "et" | "mais") || sv.mentions.iter().any(|x| x.start == m && x.kind == MKind::Name);
    for m in k + 1..(k + 7).min(n) {
        if stop(m - 1) {
            break;
        }
        // Not "de": it opens every noun complement ("dans le cadre d'un accord").
        for p in preps.iter().filter(|p| !p.is_empty() && !matches!(p[0].as_str(), "de" | "d'" | "du" | "des")) {
            if m + p.len() <= n && p.iter().zip(&norms[m..]).all(|(a, b)| a == b) {
                return Some(m + p.len());
            }
        }
    }
    None
}

/// A verb form ending like an infinitive ("rejoindre", "retirer", "se retirer").
/// A word shaped like an infinitive (-er, -ir, -re), whatever it is.
fn infinitive_shape(w: &str) -> bool {
    w.ends_with("er") || w.ends_with("ir") || w.ends_with("re")
}

/// A `requires` entry at `j`: a word, words in a row ("pour avoir"), or "de+inf",
/// "de"/"d'" opening an infinitive ("reprocher à X **de tolérer**", not "…à X
/// l'absence de dialogue").
fn requirement_at(sv: &SentenceView, j: usize, r: &str) -> bool {
    let norms = sv.norms;
    if r.contains(' ') {
        return r.split(' ').enumerate().all(|(i, w)| norms.get(j + i) == Some(&w));
    }
    if r != "de+inf" {
        return norms[j] == r;
    }
    if !matches!(norms[j], "de" | "d'") {
        return false;
    }
    let mut q = j + 1;
    while q < norms.len() && matches!(norms[q], "ne" | "n'" | "pas" | "plus" | "jamais" | "le" | "la" | "les" | "l'" | "lui" | "leur" | "se" | "s'" | "y" | "en") && q < j + 4 {
        q += 1;
    }
    q < norms.len() && !sv.toks[q].cap && (infinitive_shape(norms[q]) || matches!(norms[q], "avoir" | "etre"))
}

fn infinitive(lex: &Lexicon, sv: &SentenceView, k: usize) -> bool {
    let k = if matches!(sv.norms[k], "se" | "s'") && k + 1 < sv.norms.len() { k + 1 } else { k };
    let w = sv.norms[k];
    infinitive_shape(w) && !sv.toks[k].cap && (lex.rules.starts_trigger(&sv.toks[k]) || lex.speech_form(&sv.toks[k]).is_some())
}

/// The end of the clause that starts at `k`.
fn clause_end(lex: &Lexicon, sv: &SentenceView, k: usize) -> usize {
    let norms = sv.norms;
    let toks = sv.toks;
    let n = norms.len();
    let mut j = k;
    while j < n && j < k + OBJECT_WINDOW {
        let w = norms[j];
        if matches!(w, "." | ";" | ":" | "«" | "»" | "(" | "qui" | "que" | "qu'" | "dont" | "mais" | "lorsque" | "lorsqu'" | "car" | "tandis" | "alors" | "si" | "afin" | "pour" | "?" | "!") {
            break;
        }
        // "a ordonné à ses troupes de marcher sur la ville": an infinitive opens its own clause.
        if j > k && matches!(w, "de" | "d'" | "à") && j + 2 < n && {
            let v = norms[j + 1];
            infinitive_shape(v) && !toks[j + 1].cap
                && (infinitive(lex, sv, j + 1) || lex.cues.prepositions.has(&toks[j + 2]) || lex.cues.determiners.has(&toks[j + 2]))
        } {
            break;
        }
        // "à son voisin, le Japon, …": an apposition after a comma, with its article.
        let after_comma = |m: &Mention| m.start == j + 1 || (m.start == j + 2 && matches!(norms[j + 1], "le" | "la" | "les" | "l'"));
        if w == "," && !sv.mentions.iter().any(after_comma) {
            break;
        }
        // "Erevan dénonce un blocus, Bakou rejette…": a comma, a subject and its verb open a new clause.
        if w == "," {
            if let Some(m) = sv.mentions.iter().filter(|m| after_comma(m)).max_by_key(|m| m.end) {
                if m.end < n && verb_like(lex, sv, m.end) {
                    break;
                }
            }
        }
        if w == "et" && j + 1 < n && (lex.cues.auxiliaries.has(&toks[j + 1]) || lex.rules.starts_trigger(&toks[j + 1])) && !sv.mentions.iter().any(|m| m.start == j + 1) {
            break;
        }
        // "… et Josep Borrell a exhorté": a new subject with its verb opens a new clause.
        if w == "et" {
            if let Some(m) = sv.mentions.iter().filter(|m| m.start == j + 1 || (m.start == j + 2 && matches!(norms[j + 1], "le" | "la" | "les" | "l'"))).max_by_key(|m| m.end) {
                if m.end < n && verb_like(lex, sv, m.end) {
                    break;
                }
            }
        }
        j += 1;
    }
    j
}

/// The first mention of an accepted class in `[k, end)`, with its coordination group.
fn first_mention(ents: &DocEntities, sv: &SentenceView, k: usize, end: usize, classes: &[Class]) -> Option<Vec<usize>> {
    first_mention_skipping(ents, sv, k, end, classes, &[])
}

/// As `first_mention`, passing over the mentions flagged in `skip`.
fn first_mention_skipping(ents: &DocEntities, sv: &SentenceView, k: usize, end: usize, classes: &[Class], skip: &[bool]) -> Option<Vec<usize>> {
    for (mi, m) in sv.mentions.iter().enumerate() {
        if m.start < k || m.start >= end || skip.get(mi).copied().unwrap_or(false) {
            continue;
        }
        // "la ville syrienne de X": the demonym places the named place; X is the object.
        if m.kind == MKind::Demonym && m.end + 1 < sv.norms.len() && matches!(sv.norms[m.end], "de" | "d'" | "du") && sv.mentions.iter().any(|x| x.start == m.end + 1 && ents.get(x.entity).class == Class::Place) {
            continue;
        }
        // A demonym past a nested complement qualifies a noun of its own ("l'accord sur le
        // nucléaire iranien", "à respecter l'accord nucléaire iranien"), not the phrase.
        if m.kind == MKind::Demonym && (k..m.start).any(|j| matches!(sv.norms[j], "sur" | "à" | "au" | "aux" | "contre" | "avec" | "pour" | "dans" | "en" | "entre" | "vers")) {
            continue;
        }
        // "a rencontré le secrétaire général de l'ONU, Antonio Guterres": the holder, not the "of".
        let in_title_of = sv.titles.iter().any(|t| t.end <= m.start && m.end <= t.of_end && t.person.is_some_and(|p| p != m.entity && sv.mentions.iter().any(|x| x.entity == p && x.start >= t.of_end)));
        if in_title_of && classes.contains(&Class::Person) {
            continue;
        }
        if class_ok(ents, arg_for(ents, m, classes), classes) {
            let mut g = group(sv, mi);
            // "les dirigeants du G20, dont A et B", "plusieurs pays dont le Japon": the named members too.
            let last = g.iter().map(|&i| sv.mentions[i].end).max().unwrap_or(m.end);
            if let Some(d) = (last..(last + 8).min(sv.norms.len())).take_while(|&j| !matches!(sv.norms[j], "." | ";" | ":" | "a" | "ont" | "est" | "sont" | "qui" | "que")).find(|&j| sv.norms[j] == "dont") {
                let mut a = d + 1;
                while a < sv.norms.len() && matches!(sv.norms[a], "le" | "la" | "les" | "l'") {
                    a += 1;
                }
                if let Some(di) = sv.mentions.iter().position(|x| x.start == a || sv.titles.iter().any(|t| t.start == a && t.person == Some(x.entity) && x.start >= t.of_end && x.start <= t.of_end + 1)) {
                    g.extend(group(sv, di));
                }
            }
            return Some(g.into_iter().filter(|&i| sv.mentions[i].start < end + 8 || sv.norms[..sv.mentions[i].start].contains(&"dont")).map(|i| arg_for(ents, &sv.mentions[i], classes)).filter(|&e| class_ok(ents, e, classes)).collect());
        }
    }
    None
}

/// Is the mention starting at `start` governed by a locative preposition the rule does not take?
fn locative(norms: &[&str], from: usize, start: usize, preps: &[Vec<String>]) -> bool {
    let mut p = start;
    while p > 0 && matches!(norms[p - 1], "le" | "la" | "les" | "l'" | "un" | "une" | "des") {
        p -= 1;
    }
    // A preposition that belongs to the trigger ("s'en prendre à") is no locative.
    if p == 0 || p <= from {
        return false;
    }
    let w = norms[p - 1];
    let allowed = preps.iter().any(|x| x.len() == 1 && x[0] == w);
    let loc = matches!(w, "dans" | "à" | "au" | "aux" | "en" | "vers" | "sur" | "depuis" | "devant" | "chez" | "pres" | "proche")
        || (matches!(w, "de" | "d'" | "du") && p >= 2 && matches!(norms[p - 2], "pres" | "proche" | "autour" | "lors" | "long" | "loin"));
    loc && !allowed
}

/// Mentions made at relation time: "ses forces", "une force de maintien de la paix"
/// for the subject's state, and "la région" for the last place.
fn add_implicit<'l>(lex: &'l Lexicon, ents: &mut DocEntities<'l>, sv: &mut SentenceView, subject_state: Option<usize>, from: usize) -> Vec<(usize, usize)> {
    let c = &lex.cues;
    // The words outlive `sv`'s borrow: mentions may be added while we read them.
    let norms = sv.norms;
    let toks = sv.toks;
    let n = norms.len();
    let mut made = Vec::new();
    let end = (from + OBJECT_WINDOW).min(n);
    let mut k = from;
    while k < end {
        if sv.mentions.iter().any(|m| m.start <= k && k < m.end) {
            k += 1;
            continue;
        }
        let det = k > 0 && matches!(norms[k - 1], "ses" | "son" | "sa" | "leur" | "leurs" | "une" | "un" | "des");
        let possessive = k > 0 && c.possessives.has(&toks[k - 1]);
        if det {
            if let Some(state) = subject_state {
                let pk = c.peacekeeping_nouns.match_at(toks, k);
                let fk = if pk.is_none() && possessive { c.force_nouns.match_at(toks, k) } else { None };
                if let (Some(len), key) = match (pk, fk) {
                    (Some(l), _) => (Some(l), "peacekeepers"),
                    (None, Some(l)) => (Some(l), "armed_forces"),
                    _ => (None, ""),
                } {
                    // Only when no demonym follows (that would name another state's force).
                    let next_demonym = k + len < n && lex.gazetteer.demonym(&toks[k + len]).is_some();
                    if !next_demonym {
                        if let Some(g) = ents.get(state).known.and_then(|gs| lex.gazetteer.template_of(key, gs)) {
                            let e = ents.known(lex, g);
                            sv.mentions.push(Mention { start: k, end: k + len, entity: e, kind: MKind::ImplicitForce, acting: None, locative: false });
                            // "ses forces", "leurs forces de maintien de la paix", and the
                            // peacekeepers a state deploys: the text ties the force to it.
                            if possessive || key == "peacekeepers" {
                                made.push((e, state));
                            }
                            k += len;
                            continue;
                        }
                    }
                }
            }
        }
        // "cette opération militaire", "cette offensive": the agent of the last attack stated.
        if k > 0 && matches!(norms[k - 1], "cette" | "cet" | "ces") && matches!(norms[k], "operation" | "offensive" | "attaque" | "attaques" | "agression" | "intervention" | "invasion" | "incursion" | "operations") {
            if let Some(a) = ents.last_attacker {
                sv.mentions.push(Mention { start: k, end: k + 1, entity: a, kind: MKind::Anaphor, acting: None, locative: false });
                k += 1;
                continue;
            }
        }
        let definite = k > 0 && matches!(norms[k - 1], "la" | "l'" | "cette" | "le");
        if definite && c.place_anaphors.has(&toks[k]) {
            let followed = k + 1 < n && matches!(norms[k + 1], "de" | "du" | "d'" | "des");
            let adj_demonym = k + 1 < n && lex.gazetteer.demonym(&toks[k + 1]).is_some();
            if !followed && !adj_demonym {
                if let Some(p) = ents.last_place {
                    sv.mentions.push(Mention { start: k, end: k + 1, entity: p, kind: MKind::Anaphor, acting: None, locative: false });
                }
            }
        }
        k += 1;
    }
    sv.mentions.sort_by_key(|m| (m.start, m.end));
    made
}

/// Negation, denial and modality of a trigger at `t..te`.
/// `first_denial`: where the sentence's first denial starts, if any
/// (computed once per sentence, not once per trigger).
fn polarity(lex: &Lexicon, sv: &SentenceView, first_denial: Option<usize>, t: usize, te: usize, nominal: bool, form: FormKind) -> Option<Modality> {
    let (norms, toks) = (sv.norms, sv.toks);
    let c = &lex.cues;
    let lo = t.saturating_sub(6);
    // Denials anywhere before the trigger in the sentence: "Bakou dément avoir attaqué";
    // not past a coordination opening a verb of its own ("Moscou dément et accuse en retour X").
    if let Some(d) = first_denial.filter(|&d| d < t) {
        let coordinated = (d + 1..t).any(|j| matches!(norms[j], "et" | "mais" | ";")) && form != FormKind::Participle && !matches!(norms[t - 1], "de" | "d'" | "a" | "à" | "avoir")
            // "Kiev dément et assure que…": a finite verb right after the conjunction opens its own clause.
            || (d + 1..t.saturating_sub(1)).any(|j| matches!(norms[j], "et" | "mais") && verb_like(lex, sv, j + 1) && !AUXILIARIES.contains(&norms[j + 1]));
        if !coordinated {
            return None;
        }
    }
    let window = &norms[lo..t];
    let opened = toks[lo..t].iter().any(|w| c.negation_open.has(w)) || window.contains(&"sans");
    let closed = toks[lo..(te + 2).min(toks.len())].iter().any(|w| c.negation_close.has(w));
    if (opened && closed) || window.last().is_some_and(|w| *w == "sans") {
        return None;
    }
    if nominal && t > 0 && matches!(norms[t - 1], "aucun" | "aucune" | "nul" | "nulle") {
        return None;
    }
    let near = &toks[t.saturating_sub(4)..t];
    if form == FormKind::Conditional || near.iter().any(|w| c.possible.has(w)) {
        return Some(Modality::Possible);
    }
    if near.iter().any(|w| c.intended.has(w)) {
        return Some(Modality::Intended);
    }
    Some(Modality::Asserted)
}

struct Ctx<'l> {
    lex: &'l Lexicon,
    /// Token positions of verb triggers in the sentence.
    verbs: Vec<usize>,
}

/// `NEWSKG_DEBUG` set: triggers and mentions are traced to stderr. Read
/// once: looking the variable up per trigger showed in the profile.
fn debug_enabled() -> bool {
    static DEBUG: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *DEBUG.get_or_init(|| std::env::var_os("NEWSKG_DEBUG").is_some())
}

/// All facts of a sentence, title facts included. The skeleton decides what
/// each trigger reads: one in the main clause reads the sentence without its
/// asides; one inside an aside reads the whole sentence.
pub fn find<'l>(lex: &'l Lexicon, ents: &mut DocEntities<'l>, sv: &mut SentenceView) -> Vec<Fact> {
    let mut out = Vec::new();
    for tf in sv.title_facts.clone() {
        push(lex, &mut out, sv, tf.start, tf.person, &tf.predicate, tf.of, tf.rule, 0.75, Modality::Asserted);
    }
    for (place, predicate, state, rule) in located(lex, ents, sv) {
        push(lex, &mut out, sv, 0, place, predicate, state, rule, 0.7, Modality::Asserted);
    }
    // "l'armée de Tachkent", "les forces armées de l'Ukraine": a state organ whose name names
    // its state states its tie (a demonym alone, "l'armée russe", does not).
    for m in &sv.mentions {
        let Some(g) = ents.get(m.entity).known else { continue };
        let Some(pred) = lex.gazetteer.entities[g].relation_to_state.as_deref() else { continue };
        let names = (m.start..m.end.saturating_sub(1)).any(|j| matches!(sv.norms[j], "de" | "d'" | "du") && (sv.toks[j + 1].cap || (j + 2 < m.end && matches!(sv.norms[j + 1], "la" | "l'" | "le") && sv.toks[j + 2].cap)));
        // "retirer ses troupes de Géorgie": after a possessive, "de X" is where from.
        let owned = m.start > 0 && lex.cues.possessives.has(&sv.toks[m.start - 1]);
        if let (true, false, Some(state)) = (names, owned, ents.state_of(m.entity)) {
            push(lex, &mut out, sv, m.start, m.entity, pred, state, "armedForceOf.named", 0.75, Modality::Asserted);
        }
    }
    let sk = Skeleton::new(lex, ents, sv);
    if sk.asides.is_empty() {
        out.extend(find_triggers(lex, ents, sv, None));
        return out;
    }
    if debug_enabled() {
        eprintln!("skeleton: {:?}", sk.asides);
    }
    out.extend(find_triggers(lex, ents, sv, Some(&|k| sk.aside_at(k).is_some())));
    let keep = sk.main_tokens(sv.toks.len());
    let toks: Vec<Token> = keep.iter().map(|&k| sv.toks[k].clone()).collect();
    let norms = super::norms_of(&toks);
    let mut main = sv.restrict(&keep, &toks, &norms);
    out.extend(find_triggers(lex, ents, &mut main, None));
    out
}

/// Where the text places a place in a state by its noun phrase alone:
/// "la ville syrienne de Qousseir" (a place word, a demonym, the name),
/// "Riga, en Lettonie", "Mossoul en Irak" (a place, then "en"/"au" and a
/// state closing the phrase). Forces placed so are stationed there: "les soldats
/// russes en Syrie" (not in their own state).
fn located(lex: &Lexicon, ents: &DocEntities, sv: &SentenceView) -> Vec<(usize, &'static str, usize, &'static str)> {
    let (norms, toks) = (sv.norms, sv.toks);
    let n = norms.len();
    let mut out = Vec::new();
    let is_place = |e: usize| ents.get(e).class == Class::Place;
    for m in &sv.mentions {
        let force = ents.get(m.entity).class == Class::ArmedForce;
        if force {
            let k = m.end;
            if k + 1 < n && matches!(norms[k], "en" | "au" | "aux") {
                if let Some(c) = sv.mentions.iter().find(|x| x.start == k + 1 && x.kind == MKind::Name && ents.get(x.entity).class == Class::Country) {
                    let closes = c.end >= n || !matches!(norms[c.end], "de" | "d'" | "du" | "des") && !toks[c.end].cap;
                    if closes && ents.state_of(m.entity).is_some_and(|s| s != c.entity) {
                        out.push((m.entity, "deployedIn", c.entity, "deployedIn.en"));
                    }
                }
            }
            continue;
        }
        if !is_place(m.entity) || !matches!(m.kind, MKind::Name | MKind::Capital) {
            continue;
        }
        // "la ville ukrainienne de X", "la région azerbaïdjanaise du Haut-Karabakh".
        if m.start >= 3 && matches!(norms[m.start - 1], "de" | "d'" | "du") {
            let dm = m.start - 2;
            if let Some(d) = sv.mentions.iter().find(|x| x.start == dm && x.end == dm + 1 && x.kind == MKind::Demonym) {
                if lex.cues.place_words.has(&toks[dm - 1]) {
                    out.push((m.entity, "locatedIn", arg(d), "locatedIn.demonym"));
                    continue;
                }
            }
        }
        // "l'aéroport international X d'Erevan", "le port Y de Lattaquié": a place word
        // (and its adjectives) names X, and the place after "de" holds it.
        let mut w = m.start;
        while w > 0 && m.start - w < 2 && toks[w - 1].kind == TokKind::Word && !toks[w - 1].cap && !lex.cues.place_words.has(&toks[w - 1]) && !lex.cues.determiners.has(&toks[w - 1]) {
            w -= 1;
        }
        if w > 0 && lex.cues.place_words.has(&toks[w - 1]) && m.end + 1 < n && matches!(norms[m.end], "de" | "d'" | "du") {
            let article = usize::from(matches!(norms[m.end + 1], "la" | "l'") && norms[m.end] == "de");
            let holder = sv.mentions.iter().find(|x| x.start == m.end + 1 + article && matches!(x.kind, MKind::Name | MKind::Capital) && matches!(ents.get(x.entity).class, Class::Place | Class::Country));
            if let Some(x) = holder {
                let closes = x.end >= n || !matches!(norms[x.end], "de" | "d'" | "du" | "des") && !toks[x.end].cap;
                if closes && x.entity != m.entity {
                    out.push((m.entity, "locatedIn", x.entity, "locatedIn.named"));
                    continue;
                }
            }
        }
        // "Riga, en Lettonie", "Mossoul en Irak": the state closes the phrase. "de X en Y"
        // is a route unless a place word heads it ("la ville de X en Y").
        let route = m.start >= 1 && matches!(norms[m.start - 1], "de" | "d'" | "depuis") && (m.start < 2 || !lex.cues.place_words.has(&toks[m.start - 2]));
        if route {
            continue;
        }
        let mut k = m.end;
        if k < n && norms[k] == "," {
            k += 1;
        }
        if k + 1 < n && matches!(norms[k], "en" | "au" | "aux") {
            if let Some(c) = sv.mentions.iter().find(|x| x.start == k + 1 && x.kind == MKind::Name && ents.get(x.entity).class == Class::Country) {
                let closes = c.end >= n || !matches!(norms[c.end], "de" | "d'" | "du" | "des") && !toks[c.end].cap;
                if closes {
                    out.push((m.entity, "locatedIn", c.entity, "locatedIn.en"));
                }
            }
        }
    }
    out
}

/// The facts of the triggers of `sv` (those at the positions `only` accepts, if given).
fn find_triggers<'l>(lex: &'l Lexicon, ents: &mut DocEntities<'l>, sv: &mut SentenceView, only: Option<&dyn Fn(usize) -> bool>) -> Vec<Fact> {
    let mut ctx = Ctx { lex, verbs: Vec::new() };
    let mut out = Vec::new();
    // Generated entities state their own relation ("l'armée arménienne" is Armenia's).
    // The words outlive `sv`'s borrow: mentions may be added while we read them.
    let norms = sv.norms;
    let toks = sv.toks;
    // Triggers are matched with quotation marks left out: "une « opération antiterroriste » contre".
    // Most sentences have none, and then the words are the sentence's own.
    let is_quote = |w: &str| matches!(w, "«" | "»" | "\"" | "“" | "”");
    let (keep, ftoks): (Vec<usize>, Vec<&Token>) =
        if norms.iter().any(|w| is_quote(w)) { (0..norms.len()).filter(|&i| !is_quote(norms[i])).map(|i| (i, &toks[i])).unzip() } else { (Vec::new(), Vec::new()) };
    let at = |i: usize| if keep.is_empty() { i } else { keep[i] };
    let flen = if keep.is_empty() { toks.len() } else { ftoks.len() };
    // (start, trigger, end) in sentence positions.
    let mut triggers: Vec<(usize, &Trigger, usize)> = Vec::new();
    let mut fk = 0;
    while fk < flen {
        let k = at(fk);
        // Empty (no allocation) at nearly every position.
        let found: Vec<&Trigger> = if keep.is_empty() { lex.rules.triggers_at(toks, fk).collect() } else { lex.rules.triggers_at(&ftoks, fk).collect() };
        let Some(longest) = found.first().map(|t| t.tokens.len()) else {
            fk += 1;
            continue;
        };
        if sv.mentions.iter().any(|m| m.start <= k && k < m.end && matches!(m.kind, MKind::Name | MKind::Pair)) {
            fk += 1;
            continue;
        }
        let end = at(fk + longest - 1) + 1;
        for t in found.into_iter().filter(|t| t.tokens.len() == longest) {
            triggers.push((k, t, end));
        }
        fk += longest;
    }
    // "les accusant", "pour les exhorter": an object clitic before a participle or an
    // infinitive, not an article.
    let clitic_before = |k: usize| {
        k >= 2 && matches!(norms[k - 1], "les" | "l'" | "leur") && (norms[k].ends_with("ant") || infinitive_shape(norms[k])) && matches!(norms[k - 2], "," | "en" | "pour" | "de" | "d'" | "à" | "afin" | "sans")
    };
    // "trois jours de combats": after "de" a verb is an infinitive or no verb at all.
    let after_de = |k: usize| k > 0 && matches!(norms[k - 1], "de" | "d'") && !infinitive_shape(norms[k]);
    triggers.retain(|(k, t, _)| {
        t.nominal || lex.rules.rules[t.rule].kind != Kind::Verb || ((!after_determiner(norms, *k) || clitic_before(*k)) && !(after_de(*k) && t.form == FormKind::Finite))
    });
    ctx.verbs = triggers.iter().filter(|(_, t, _)| !t.nominal && lex.rules.rules[t.rule].kind == Kind::Verb).map(|(k, _, _)| *k).collect();
    // An appeal or demand opens a wish: what follows in its clause is not asserted.
    let appeal_positions: Vec<usize> = triggers.iter().filter(|(_, t, _)| matches!(lex.rules.rules[t.rule].predicate.as_str(), "callsOn" | "demands" | "requestsHelpFrom")).map(|(k, _, _)| *k).collect();
    // Facts of rules with `requires` (the specific reading of a trigger), by position.
    let mut specific: Vec<(usize, usize, usize)> = Vec::new();
    // Where a light rule read its noun: the plain noun rule's reading there is dropped.
    let mut light_at: Vec<(usize, &str)> = Vec::new();
    let mut positions: Vec<(usize, usize, usize)> = Vec::new(); // (fact index, trigger position, rule)
    let mut first_denial: Option<Option<usize>> = None;
    let debug = debug_enabled();
    for (k, trig, te) in triggers {
        if only.is_some_and(|f| !f(k)) {
            continue;
        }
        let rule = &lex.rules.rules[trig.rule];
        let mut form = trig.form;
        if trig.reflexive {
            let lo = k.saturating_sub(4);
            if !norms[lo..k].iter().any(|w| matches!(*w, "se" | "s'" | "me" | "m'" | "nous" | "vous" | "te" | "t'")) {
                continue;
            }
        }
        if let Some(sf) = &trig.surface {
            if sv.raw(k).to_lowercase() != *sf {
                form = FormKind::Finite;
            }
        }
        let first_denial = *first_denial.get_or_insert_with(|| (0..norms.len()).find(|&d| lex.cues.denials.match_at(toks, d).is_some()));
        let Some(modality) = polarity(lex, sv, first_denial, k, te, trig.nominal, form) else { continue };
        if !matches!(rule.predicate.as_str(), "callsOn" | "demands" | "requestsHelpFrom")
            && appeal_positions.iter().any(|&a| a < k && k - a <= 12 && !(a..k).any(|j| matches!(norms[j], "." | ";")))
        {
            continue;
        }
        if !lex.rules.requires[trig.rule].is_empty() {
            // Within the verb's own complement: not past a comma or a purpose clause
            // ("a appelé X dimanche pour évoquer la situation à Gaza" asks nothing of X).
            let end = (te..(te + 10).min(norms.len())).find(|&j| matches!(norms[j], "," | "." | ";" | ":" | "pour" | "afin" | "qui" | "que" | "qu'" | "dont" | "lors" | "apres" | "avant")).unwrap_or((te + 10).min(norms.len()));
            // A phrase may open with the word that ends the complement: "pour avoir".
            let upto = (end + 1).min(norms.len());
            if !(te..upto).any(|j| lex.rules.requires[trig.rule].iter().any(|r| (j < end || r.contains(' ')) && requirement_at(sv, j, r))) {
                continue;
            }
        }
        if debug {
            eprintln!("trigger {} at {k} ({:?}) modality {:?}", rule.id, trig.tokens, modality);
            for m in &sv.mentions {
                eprintln!("   mention {}..{} {} {:?}", m.start, m.end, ents.get(m.entity).id, m.kind);
            }
        }
        // An inverse verb rule reads its grammatical subject and object with the classes swapped.
        let swapped;
        let read = if rule.inverse && rule.kind == Kind::Verb {
            swapped = Rule { subject: rule.object.clone(), object: rule.subject.clone(), ..rule.clone() };
            &swapped
        } else {
            rule
        };
        let mut pairs = match rule.kind {
            Kind::Verb => ctx.verb(ents, sv, read, trig.rule, k, te, trig, form),
            Kind::Noun => ctx.noun(ents, sv, rule, trig.rule, k, te),
            Kind::Copula => ctx.copula(ents, sv, rule, trig.rule, k, te),
            Kind::Between => ctx.between(ents, sv, rule, te),
            Kind::Light => ctx.light(ents, sv, rule, trig.rule, k, te),
        };
        if rule.inverse && rule.kind == Kind::Verb {
            pairs.facts.iter_mut().for_each(|f| std::mem::swap(&mut f.0, &mut f.1));
        }
        let factor = match modality {
            Modality::Asserted => 1.0,
            Modality::Possible => lex.cues.factor_possible,
            Modality::Intended => lex.cues.factor_intended,
        };
        if !lex.rules.requires[trig.rule].is_empty() {
            specific.extend(pairs.facts.iter().map(|&(s, o, _)| (k, s, o)));
        }
        if rule.kind == Kind::Light && !pairs.facts.is_empty() {
            light_at.push((k, rule.predicate.as_str()));
        }
        for (s, o, extra) in pairs.facts {
            // An interview given to an outlet ("un entretien avec TRT") is no diplomacy.
            if rule.predicate == "talksWith" && [s, o].iter().any(|&e| ents.get(e).known.is_some_and(|g| lex.gazetteer.entities[g].media)) {
                continue;
            }
            let before = out.len();
            push(lex, &mut out, sv, k, s, &rule.predicate, o, &rule.id, rule.confidence * factor * extra, modality);
            if out.len() > before {
                positions.push((before, k, trig.rule));
            }
        }
        for (force, state) in pairs.forces {
            push(lex, &mut out, sv, k, force, "armedForceOf", state, "implicit.force", 0.7, Modality::Asserted);
        }
    }
    // "a demandé à la Russie de l'aider": requestsHelpFrom, not also demands.
    let drop: std::collections::BTreeSet<usize> = positions
        .iter()
        .filter(|&&(fi, k, ri)| {
            let f = &out[fi];
            (lex.rules.requires[ri].is_empty() && specific.iter().any(|&(sk, s, o)| sk == k && ((s, o) == (f.subject, f.object) || (o, s) == (f.subject, f.object))))
                || (lex.rules.rules[ri].kind == Kind::Noun && light_at.iter().any(|&(lk, lp)| lk == k && lp == f.predicate))
        })
        .map(|&(fi, _, _)| fi)
        .collect();
    out.into_iter().enumerate().filter(|(i, _)| !drop.contains(i)).map(|(_, f)| f).collect()
}

#[allow(clippy::too_many_arguments)]
fn push(lex: &Lexicon, out: &mut Vec<Fact>, sv: &SentenceView, at: usize, s: usize, p: &str, o: usize, rule: &str, conf: f64, modality: Modality) {
    if s == o {
        return;
    }
    let attributed_to = sv.said_by.get(at).copied().flatten().filter(|&w| w != s);
    let reported_by = sv.reported_by.get(at).copied().flatten();
    let conf = if attributed_to.is_some() { conf * lex.cues.factor_attributed } else { conf };
    let (s, o) = if crate::rules::is_symmetric(p) && o < s { (o, s) } else { (s, o) };
    out.push(Fact {
        subject: s,
        predicate: p.to_string(),
        object: o,
        sentence: sv.index,
        rule: rule.to_string(),
        confidence: (conf * 1000.0).round() / 1000.0,
        modality,
        attributed_to,
        reported_by,
        date: None,
    });
}

#[derive(Default)]
struct Found {
    /// (subject, object, confidence factor)
    facts: Vec<(usize, usize, f64)>,
    /// Forces named by a possessive: (force, state).
    forces: Vec<(usize, usize)>,
}

fn cross(subjects: &[usize], objects: &[usize], f: f64) -> Vec<(usize, usize, f64)> {
    let mut v = Vec::new();
    for &s in subjects {
        for &o in objects {
            if s != o {
                v.push((s, o, f));
            }
        }
    }
    v
}

impl<'l> Ctx<'l> {
    #[allow(clippy::too_many_arguments)]
    /// `form` is the trigger's, unless the word as written says otherwise.
    fn verb(&self, ents: &mut DocEntities<'l>, sv: &mut SentenceView, rule: &Rule, ri: usize, k: usize, te: usize, trig: &Trigger, form: FormKind) -> Found {
        let lex = self.lex;
        let norms = sv.norms;
        let mut found = Found::default();
        // Passive: "est soutenu par X", participial "– classé comme … par X, Y et Z –".
        if form == FormKind::Participle {
            let chain_start = chain_start(lex, sv, k);
            let chain = &norms[chain_start..k];
            // Norms are folded: "été" is "ete", "être" is "etre".
            let reflexive = chain.iter().any(|w| matches!(*w, "s'" | "se" | "me" | "m'" | "nous" | "vous"));
            let etre = !reflexive && chain.iter().any(|w| matches!(*w, "est" | "sont" | "ete" | "etait" | "etaient" | "sera" | "seront" | "fut" | "furent" | "soit" | "serait" | "seraient" | "etre" | "etant"));
            let avoir = chain.iter().any(|w| matches!(*w, "a" | "ont" | "avait" | "avaient" | "aura" | "auront" | "aurait" | "auraient" | "avoir" | "ayant"));
            if reflexive {
                // "s'est emparée de", "s'est rangée du côté de": active.
            } else if !avoir || etre {
                let end = clause_end(lex, sv, te);
                let par = (te..end.max(te)).find(|&j| norms[j] == "par");
                if let Some(par) = par {
                    let agents = first_mention(ents, sv, par + 1, (par + 5).min(norms.len()), &rule.subject);
                    let patients = if etre {
                        subject_for(lex, ents, sv, chain_start, &rule.object)
                    } else {
                        // The noun the participle qualifies: the nearest mention before it.
                        let mut p = chain_start;
                        let mut detached = false;
                        while p > 0 && matches!(norms[p - 1], "," | "–" | "—" | "-" | "(") {
                            p -= 1;
                            detached = true;
                        }
                        // …unless, detached by a comma, it sits in a complement ("un accord
                        // entre X et Y, négocié par Moscou"); right after its noun it qualifies
                        // that noun ("sa participation à l'OTSC dirigée par Moscou").
                        // A singular participle cannot qualify a plural head: "des émissaires du
                        // G7, formé par…" qualifies the G7 after all.
                        let head_disagrees = |m: &Mention| {
                            let q = article_start(norms, m.start, 0);
                            q >= 3 && matches!(norms[q - 1], "de" | "d'" | "du" | "des") && matches!(norms[q - 3], "les" | "des" | "ces" | "leurs" | "ses" | "nos" | "vos" | "aux") && !norms[k].ends_with('s')
                        };
                        let right_before = sv.mentions.iter().rposition(|m| (m.end == p || m.end + 1 == p) && (!detached || !governed(lex, sv, m) || head_disagrees(m)));
                        // "les houthis, des rebelles soutenus par l'Iran": the noun is in apposition to a name.
                        let toks = sv.toks;
                        let apposed = || {
                            let mut q = p;
                            while q > 0 && toks[q - 1].kind == TokKind::Word && !toks[q - 1].cap && !lex.cues.determiners.has(&toks[q - 1]) && p - q < 3 {
                                q -= 1;
                            }
                            (q > 1 && q < p && lex.cues.determiners.has(&toks[q - 1]) && norms[q.saturating_sub(2)] == ",").then(|| sv.mentions.iter().rposition(|m| m.end + 2 == q)).flatten()
                        };
                        right_before.or_else(apposed).map(|mi| group(sv, mi).into_iter().map(|i| arg(&sv.mentions[i])).collect())
                    };
                    if let (Some(a), Some(p)) = (agents, patients) {
                        let p: Vec<usize> = p.into_iter().filter(|&e| class_ok(ents, e, &rule.object)).collect();
                        found.facts = cross(&a, &p, 1.0);
                    }
                    return found;
                }
                // "les YPG affiliées au PKK": the participle states the fact of its noun.
                // With "être", the clause subject: "les YPG sont affiliées au PKK".
                if rule.attributive && !avoir {
                    let mut p = chain_start;
                    while p > 0 && matches!(norms[p - 1], "," | "–" | "—") {
                        p -= 1;
                    }
                    let heads = if etre {
                        subject_for(lex, ents, sv, chain_start, &rule.subject)
                    } else {
                        sv.mentions.iter().rposition(|m| m.end == p).map(|mi| group(sv, mi).into_iter().map(|i| arg_for(ents, &sv.mentions[i], &rule.subject)).collect::<Vec<_>>())
                    };
                    let heads = heads.map(|h| h.into_iter().filter(|&e| class_ok(ents, e, &rule.subject)).collect::<Vec<_>>());
                    if let (Some(heads), Some(o0)) = (heads, object_start(lex, sv, te, &lex.rules.object_preps[ri]).filter(|&o| o > te)) {
                        if let Some(objects) = first_mention(ents, sv, o0, clause_end(lex, sv, o0), &rule.object) {
                            found.facts = cross(&heads, &objects, 1.0);
                        }
                    }
                    return found;
                }
                // "est parvenu à", "est sorti de": a compound tense with être, not a passive.
                let motion = k + 1 < norms.len() && matches!(norms[k + 1], "à" | "au" | "aux" | "de" | "du" | "d'" | "des" | "en");
                if etre && !motion {
                    return found;
                }
            }
        }
        let chain_start = chain_start(lex, sv, k);
        // "comme le lui demandait Kiev": a comparison clause with its subject after
        // the verb; no reading of its clitics is safe.
        let before = |j: usize| chain_start >= j && norms[chain_start - j] == "comme";
        if chain_start < k && (before(1) || (before(2) && matches!(norms[chain_start - 1], "le" | "la" | "les"))) {
            return found;
        }
        // "la guerre qui a opposé les deux pays", "un conflit opposant X à Y": the object
        // names both parties; the grammatical subject is the event.
        if rule.subject_from.as_deref() == Some("pair") {
            if norms[chain_start..k].iter().any(|w| matches!(*w, "se" | "s'")) {
                return found;
            }
            let Some(o0) = object_start(lex, sv, te, &[Vec::new()]) else { return found };
            let end = clause_end(lex, sv, o0).min(o0 + 12);
            let Some(first) = first_mention(ents, sv, o0, (o0 + 4).min(end), &rule.object) else { return found };
            if first.len() >= 2 {
                found.facts = pairs(&first);
            } else if let Some(last) = sv.mentions.iter().filter(|m| m.start >= o0 && m.start < end && first.contains(&arg_for(ents, m, &rule.object))).map(|m| m.end).max() {
                if last < end && matches!(norms[last], "à" | "au" | "aux") {
                    if let Some(second) = first_mention(ents, sv, last + 1, (last + 4).min(end), &rule.object) {
                        found.facts = cross(&first, &second, 1.0);
                    }
                }
            }
            return found;
        }
        let clause_subjects = subject_for(lex, ents, sv, chain_start, &rule.subject).unwrap_or_default();
        let subjects: Vec<usize> = clause_subjects.iter().copied().filter(|&e| class_ok(ents, e, &rule.subject)).collect();
        // The state whose forces "ses forces" / "une force de maintien de la paix" are.
        let state = match clause_subjects.as_slice() {
            [s] => ents.state_commanded(lex, *s, None),
            _ => None,
        };
        found.forces = add_implicit(lex, ents, sv, state, te);
        let preps = &lex.rules.object_preps[ri];
        if rule.subject_from.as_deref() == Some("object") {
            // "X a déployé une force … dans la région": the force is the subject.
            let Some(s0) = object_start(lex, sv, te, &[Vec::new()]) else { return found };
            let end = clause_end(lex, sv, s0);
            let Some(movers) = first_mention(ents, sv, s0, end, &rule.subject) else { return found };
            let after = sv.mentions.iter().filter(|m| m.start >= s0 && movers.contains(&arg(m))).map(|m| m.end).max().unwrap_or(s0);
            for j in after..end.min(norms.len()) {
                if let Some(o0) = object_start(lex, sv, j, preps).filter(|&o| o > j) {
                    if let Some(places) = first_mention(ents, sv, o0, (o0 + 6).min(norms.len()), &rule.object) {
                        found.facts = cross(&movers, &places, 1.0);
                        break;
                    }
                }
            }
            return found;
        }
        // "l'Arménie et l'Azerbaïdjan s'accusent mutuellement", "se sont rencontrés": each of the
        // group does it to each other. A reflexive clitic with a reciprocal adverb marks any rule so.
        let clitic = norms[chain_start..k].iter().any(|w| matches!(*w, "se" | "s'"));
        let marked = clitic && (te..(te + 3).min(norms.len())).any(|j| lex.cues.reciprocal_markers.match_at(sv.toks, j).is_some());
        // A rule marked `reciprocal` reads a group with no object so: with a clitic
        // ("les deux parties s'accusent de…"), or alone for a symmetric predicate ("ont discuté").
        let reciprocal = rule.reciprocal && (clitic || crate::rules::is_symmetric(&rule.predicate));
        if marked && subjects.len() >= 2 {
            found.facts = pairs(&subjects);
            return found;
        }
        if let Some(m) = sv.mentions.iter().find(|m| m.start == te && m.kind == MKind::Demonym) {
            // "a rejoint les rangs arméniens": the adjective after the phrase's noun is its complement.
            if trig.tokens.len() > 1 && class_ok(ents, arg(m), &rule.object) {
                found.facts = cross(&subjects, &[arg(m)], 1.0);
                return found;
            }
        }
        let Some(o0) = object_start_reach(lex, sv, te, preps, true) else {
            if reciprocal && subjects.len() >= 2 {
                found.facts = pairs(&subjects);
            } else if let Some(objects) = clitic_object(ents, sv, k, &rule.object, &subjects) {
                found.facts = cross(&subjects, &objects, 1.0);
            }
            return found;
        };
        let end = clause_end(lex, sv, o0);
        // A direct object is no place named by a locative ("bombardé ses positions près de Latchine",
        // "a reçu à la Maison Blanche le Premier ministre…"): such mentions are passed over.
        let direct = o0 == object_start(lex, sv, te, &[Vec::new()]).unwrap_or(usize::MAX);
        // Nor is an agent inside the object phrase: "a financé les milices soutenues par Ankara".
        let agent = |m: &Mention| {
            let q = article_start(norms, m.start, o0);
            // The agent of a participle only: "condamne l'usage de la force par X" names X.
            // ("la prise par X": a noun after its article).
            q > o0 + 1 && norms[q - 1] == "par" && super::syntax::participle(lex, sv, q - 2) && !after_determiner(norms, q - 2)
        };
        let skip: Vec<bool> = sv.mentions.iter().map(|m| (direct && locative(norms, o0, m.start, preps)) || agent(m)).collect();
        match first_mention_skipping(ents, sv, o0, end, &rule.object, &skip) {
            Some(objects) => found.facts = cross(&subjects, &objects, 1.0),
            None if reciprocal && subjects.len() >= 2 => found.facts = pairs(&subjects),
            None => {
                if let Some(objects) = clitic_object(ents, sv, k, &rule.object, &subjects) {
                    found.facts = cross(&subjects, &objects, 1.0);
                }
            }
        }
        found
    }

    fn noun(&self, ents: &mut DocEntities<'l>, sv: &mut SentenceView, rule: &Rule, ri: usize, k: usize, te: usize) -> Found {
        let lex = self.lex;
        let norms = sv.norms;
        let toks = sv.toks;
        let n = norms.len();
        let mut found = Found::default();
        // Skip adjectives after the noun ("l'opération militaire azerbaïdjanaise" keeps the demonym).
        let mut j = te;
        while j < n && j < te + 2 && toks[j].kind == TokKind::Word && !toks[j].cap && !lex.cues.prepositions.has(&toks[j]) && !sv.mentions.iter().any(|m| m.start == j && m.kind != MKind::Demonym) && !matches!(norms[j], "et" | "ou" | "qui" | "que") {
            j += 1;
        }
        // "l'attaque perpétrée par X contre Y", "la prise de Y par X", "la prise par X de Y".
        if let Some(f) = self.noun_agent(ents, sv, rule, ri, j) {
            return f;
        }
        // Subject: "le soutien DE la Turquie", else the clause subject ("a apporté son soutien").
        let mut subjects = None;
        let spreps = &lex.rules.subject_preps[ri];
        let mut after_subject = j;
        if let Some(s0) = object_start(lex, sv, j, spreps).filter(|&s| s > j) {
            let mut s1 = s0;
            // "des terroristes du PKK"
            while s1 < n && (lex.cues.member_nouns.has(&toks[s1]) || matches!(norms[s1], "de" | "du" | "des" | "d'" | "la" | "le" | "les" | "l'")) && s1 < s0 + 3 {
                s1 += 1;
            }
            if let Some(mi) = sv.mentions.iter().position(|m| m.start == s0 || m.start == s1) {
                let e = arg(&sv.mentions[mi]);
                if class_ok(ents, e, &rule.subject) {
                    subjects = Some(group(sv, mi).into_iter().map(|i| arg(&sv.mentions[i])).filter(|&e| class_ok(ents, e, &rule.subject)).collect::<Vec<_>>());
                    after_subject = sv.mentions[mi].end;
                }
            }
        }
        let possessive = k > 0 && lex.cues.possessives.has(&toks[k - 1]);
        let mut factor = 1.0;
        // "a repoussé une attaque azerbaïdjanaise": the noun belongs to another verb's object.
        if subjects.is_none() && self.verbs.iter().any(|&v| v < k && k - v <= 4 && !(v..k).any(|j| is_opener(lex, toks, j))) {
            return found;
        }
        if subjects.is_none() {
            // The clause subject, when the noun is an object ("a lancé des attaques", "son soutien").
            let s = subject_before(lex, ents, sv, k.saturating_sub(1)).map(|v| v.into_iter().filter(|&e| class_ok(ents, e, &rule.subject)).collect::<Vec<_>>());
            if !possessive {
                factor = 0.9;
            }
            subjects = s.filter(|v| !v.is_empty());
            // "Au cours de sa campagne … contre la Turquie, le PKK …": the possessive points forward.
            if subjects.is_none() && possessive {
                if let Some(cm) = (te..n).find(|&j| norms[j] == ",") {
                    subjects = sv.mentions.iter().find(|m| m.start > cm && m.start <= cm + 3 && !governed(lex, sv, m)).map(|m| vec![arg(m)]).filter(|v| class_ok(ents, v[0], &rule.subject));
                }
            }
        }
        let Some(subjects) = subjects else { return found };
        let state = subjects.first().and_then(|&s| ents.state_commanded(lex, s, None)).filter(|_| subjects.len() == 1);
        found.forces = add_implicit(lex, ents, sv, state, te);
        let opreps = &lex.rules.object_preps[ri];
        // "sa campagne terroriste de plus de 30 ans contre la Turquie": past a short complement too.
        let Some(o0) = object_start_reach(lex, sv, after_subject, opreps, true) else {
            // "l'offensive azerbaïdjanaise": a demonym right after the noun is no object.
            return found;
        };
        let end = clause_end(lex, sv, o0);
        // "la guerre de la Russie en Ukraine" names whom; "les attaques de X au Haut-Karabakh" only where.
        let locative = o0 > 0 && matches!(norms[o0 - 1], "en" | "au" | "aux" | "dans");
        if let Some(objects) = first_mention(ents, sv, o0, end, &rule.object) {
            let objects: Vec<usize> = objects.into_iter().filter(|&o| !locative || class_ok(ents, o, &rule.locative_object)).collect();
            found.facts = cross(&subjects, &objects, factor);
        }
        found
    }

    fn copula(&self, ents: &mut DocEntities<'l>, sv: &mut SentenceView, rule: &Rule, ri: usize, k: usize, te: usize) -> Found {
        let lex = self.lex;
        let norms = sv.norms;
        let toks = sv.toks;
        let n = norms.len();
        let mut found = Found::default();
        // Back over determiner and adjectives to the copula or the apposition comma.
        let mut p = k;
        // A "de" phrase is no apposition: "X, rivales de l'armée de Y" stops at "de".
        let pp = |p: usize| norms[p - 1] == "du" || (matches!(norms[p - 1], "de" | "d'") && p < k && matches!(norms[p], "la" | "l'" | "le" | "les"));
        while p > 0 && !pp(p) && (lex.cues.determiners.has(&toks[p - 1]) || (toks[p - 1].kind == TokKind::Word && !toks[p - 1].cap && !is_copula(norms[p - 1]) && p + 3 > k && !lex.cues.prepositions.has(&toks[p - 1]) && !matches!(norms[p - 1], "et" | "ou" | "mais") && !lex.cues.clause_openers.has(&toks[p - 1]) && !verb_like(lex, sv, p - 1)
                && !(norms[p - 1].ends_with("ant") && !(p >= 2 && lex.cues.determiners.has(&toks[p - 2]))))) {
            p -= 1;
        }
        // "X, le président de Y Jean Dupont": the title heads the name after it, not an apposition to X.
        let heads_a_name = sv.titles.iter().any(|t| t.start <= k && k < t.end.max(t.of_end) && t.person.is_some_and(|h| sv.mentions.iter().any(|m| m.entity == h && m.start >= t.of_end && m.start <= t.of_end + 1)));
        let subjects = if p > 0 && is_copula(norms[p - 1]) {
            subject_for(lex, ents, sv, p - 1, &rule.subject)
        } else if p > 0 && norms[p - 1] == "," && !heads_a_name {
            // "A et B, des alliés de Y,": a plural apposition holds for the whole list.
            let plural = (p..k).any(|q| matches!(norms[q], "des" | "les" | "deux" | "trois")) && norms[k].ends_with(['s', 'x']);
            sv.mentions.iter().rposition(|m| m.end + 1 == p).map(|mi| if plural { group(sv, mi).into_iter().map(|i| arg_for(ents, &sv.mentions[i], &rule.subject)).collect() } else { vec![arg_for(ents, &sv.mentions[mi], &rule.subject)] })
        } else {
            None
        };
        let Some(subjects) = subjects else { return found };
        let subjects: Vec<usize> = subjects.into_iter().filter(|&e| class_ok(ents, e, &rule.subject)).collect();
        // Adjectives after the noun, then the preposition and the object; a superlative
        // too ("l'allié le plus puissant de X").
        let mut j = te;
        let limit = if te + 1 < n && matches!(norms[te], "le" | "la" | "les") && matches!(norms[te + 1], "plus" | "moins") { te + 4 } else { te + 2 };
        while j < n && j < limit && toks[j].kind == TokKind::Word && !toks[j].cap && !lex.cues.prepositions.has(&toks[j]) && !sv.mentions.iter().any(|m| m.start == j) {
            j += 1;
        }
        // A demonym right after the noun is the object ("territoire azerbaïdjanais") when the
        // rule takes a direct object; otherwise it is an adjective ("la branche syrienne du PKK").
        // ("capitale mongole" may be read as one state-head mention that starts at the noun.)
        if let Some(m) = sv.mentions.iter().find(|m| m.start <= te && m.end == te + 1 && m.kind == MKind::Demonym) {
            if rule.object_preps.iter().any(|p| p.is_empty()) && rule.object.contains(&Class::Country) {
                found.facts = cross(&subjects, &[arg(m)], 1.0);
                return found;
            }
            j = j.max(te + 1);
        }
        let Some(o0) = object_start(lex, sv, j, &lex.rules.object_preps[ri]) else { return found };
        let end = clause_end(lex, sv, o0);
        if let Some(objects) = first_mention(ents, sv, o0, end.min(o0 + 6), &rule.object) {
            found.facts = cross(&subjects, &objects, 1.0);
        }
        found
    }

    /// A nominalisation with its agent after "par" (from `j`, past the noun and
    /// its adjectives): the object is the "de" phrase before the agent ("la
    /// prise de Y par X") or the rule's complement after it ("l'attaque menée
    /// le 12 septembre par X contre Y", "la prise par X de Y").
    fn noun_agent(&self, ents: &mut DocEntities<'l>, sv: &mut SentenceView, rule: &Rule, ri: usize, j: usize) -> Option<Found> {
        let lex = self.lex;
        let (norms, toks) = (sv.norms, sv.toks);
        let n = norms.len();
        let stop = clause_end(lex, sv, j).min(j + 10).min(n);
        let par = (j..stop).find(|&p| norms[p] == "par")?;
        // Only the noun's own modifiers come before "par": no finite verb.
        if (j..par).any(|q| matches!(norms[q], "a" | "ont" | "est" | "sont" | "avait" | "avaient" | "etait" | "etaient") || (verb_like(lex, sv, q) && !lex.rules.triggers_at(toks, q).any(|t| form_as_written(t.form, sv.raw(q)) == FormKind::Participle))) {
            return None;
        }
        let mut a = par + 1;
        while a < n && matches!(norms[a], "le" | "la" | "les" | "l'") {
            a += 1;
        }
        let ai = sv.mentions.iter().position(|m| m.start == a)?;
        let agents: Vec<usize> = group(sv, ai).into_iter().map(|i| arg_for(ents, &sv.mentions[i], &rule.subject)).filter(|&e| class_ok(ents, e, &rule.subject)).collect();
        if agents.is_empty() {
            return None;
        }
        // "la prise de Choucha par Bakou": the one name right after the noun's "de".
        let named_before = (j < par && matches!(norms[j], "de" | "d'" | "du" | "des")).then(|| {
            let mut b = j + 1;
            while b < par && matches!(norms[b], "le" | "la" | "les" | "l'") {
                b += 1;
            }
            sv.mentions.iter().position(|m| m.start == b && m.end <= par)
        });
        let objects = match named_before.flatten() {
            Some(oi) => group(sv, oi).into_iter().map(|i| arg_for(ents, &sv.mentions[i], &rule.object)).collect::<Vec<_>>(),
            None => {
                let agent_end = group(sv, ai).into_iter().map(|i| sv.mentions[i].end).max().unwrap_or(a);
                let o0 = object_start(lex, sv, agent_end, &lex.rules.object_preps[ri]).filter(|&o| o > agent_end)?;
                first_mention(ents, sv, o0, clause_end(lex, sv, o0), &rule.object)?
            }
        };
        let objects: Vec<usize> = objects.into_iter().filter(|&e| class_ok(ents, e, &rule.object)).collect();
        Some(Found { facts: cross(&agents, &objects, 1.0), forces: Vec::new() })
    }

    /// "X a apporté son soutien total à Y", "X a eu un entretien téléphonique avec Y",
    /// "X bénéficie du soutien de Y" (`inverse`).
    fn light(&self, ents: &mut DocEntities<'l>, sv: &mut SentenceView, rule: &Rule, ri: usize, k: usize, te: usize) -> Found {
        let lex = self.lex;
        let (norms, toks) = (sv.norms, sv.toks);
        let n = norms.len();
        let mut found = Found::default();
        // The light verb: a few words before the noun, over determiners, possessives, adjectives, adverbs.
        let mut verb = None;
        let mut v = k;
        let mut skipped = 0;
        while v > 0 && k - v < 7 + skipped {
            v -= 1;
            if lex.rules.light_verbs[ri].contains(norms[v]) {
                verb = Some(v);
                break;
            }
            // "qui bénéficie, pour sa part, de l'appui de Y": over an adverbial incise.
            if norms[v] == "," && v > 2 {
                if let Some(l) = lex.cues.adverbs.match_ending_at(toks, v - 1) {
                    if v > l + 1 && norms[v - l - 1] == "," {
                        v -= l + 1;
                        skipped += l + 2;
                        continue;
                    }
                }
            }
            let t = &toks[v];
            // "assurer Kiev de son soutien": the verb's own object before "de" and a possessive.
            // "compter le Mali parmi ses membres": right before the noun.
            // "fournir à l'Ukraine ses premiers missiles": before the noun's own determiner.
            let object_before = (v + 2 < n && matches!(norms[v + 1], "de" | "d'") && lex.cues.possessives.has(&toks[v + 2])) || v + 1 == k || (v + 1 < k && lex.cues.possessives.has(&toks[v + 1]));
            let named = sv.mentions.iter().any(|m| m.start <= v && v < m.end) && !object_before;
            // Words, an adverbial phrase ("depuis des années"), not another verb or clause.
            let word = t.kind == TokKind::Word && (!t.cap || object_before) && !matches!(norms[v], "et" | "ou" | "qui" | "que" | "qu'" | "mais") && !verb_like(lex, sv, v);
            // "plus de 200 drones": a quantity.
            let quantity = t.kind == TokKind::Number || (matches!(norms[v], "de" | "d'") && v > 0 && matches!(norms[v - 1], "plus" | "moins" | "pres" | "autour" | "centaines" | "dizaines" | "milliers"));
            let quote = matches!(norms[v], "«" | "»" | "\"" | "“" | "”");
            if named || !(lex.cues.determiners.has(t) || lex.cues.adverbs.has(t) || word || quantity || quote) {
                break;
            }
        }
        let Some(v) = verb else { return found };
        let (own, other) = if rule.inverse { (&rule.object, &rule.subject) } else { (&rule.subject, &rule.object) };
        let mut clause = subject_for(lex, ents, sv, chain_start(lex, sv, v), own).unwrap_or_default();
        // "Avec le soutien de Y, X a repris la ville": a fronted licence, the subject after its comma.
        let licence = rule.licensed_by.iter().any(|w| crate::normalize::fold(w) == norms[v]);
        if licence && clause.is_empty() {
            if let Some(c) = (te..n).take_while(|&j| !matches!(norms[j], "." | ";" | ":")).find(|&j| norms[j] == ",") {
                let mut a = c + 1;
                while a < n && matches!(norms[a], "le" | "la" | "les" | "l'") {
                    a += 1;
                }
                if let Some(mi) = sv.mentions.iter().position(|m| m.start == a || sv.titles.iter().any(|t| t.start == a && t.person == Some(m.entity) && m.start >= t.of_end && m.start <= t.of_end + 1)) {
                    clause = group(sv, mi).into_iter().map(|i| arg_for(ents, &sv.mentions[i], own)).collect();
                }
            }
        }
        // The complement, past adjectives and incises ("son soutien total, sans faille, à Y").
        let preps = &lex.rules.object_preps[ri];
        let mut o0 = None;
        let mut j = te;
        while j < (te + 10).min(n) {
            if let Some(s0) = object_start(lex, sv, j, preps).filter(|&s| s > j) {
                o0 = Some(s0);
                break;
            }
            // Adjectives and incises only: another preposition opens another complement ("face à").
            // ("obus d'artillerie", "missiles de longue portée": a "de" before a common noun stays in the phrase.)
            let noun_de = matches!(norms[j], "de" | "d'") && j + 1 < n && !sv.mentions.iter().any(|m| m.start <= j + 2 && j + 1 <= m.start) && toks[j + 1].kind == TokKind::Word && !toks[j + 1].cap;
            if matches!(norms[j], "." | ";" | ":" | "qui" | "que" | "qu'" | "mais") || verb_like(lex, sv, j) || sv.mentions.iter().any(|m| m.start == j && m.kind != MKind::Demonym) || (lex.cues.prepositions.has(&toks[j]) && norms[j] != "sans" && !noun_de) {
                break;
            }
            j += 1;
        }
        // "X a assuré Kiev de son soutien": the light verb's own object.
        let named = match o0 {
            Some(o0) => first_mention(ents, sv, o0, clause_end(lex, sv, o0), other),
            // "la CEDEAO compte le Mali parmi ses membres" (inverse): the member.
            None => first_mention(ents, sv, v + 1, k, other),
        };
        let Some(named) = named else {
            // "les autorités russes et arméniennes ont entamé des contacts": a symmetric act within the group.
            if crate::rules::is_symmetric(&rule.predicate) && clause.len() >= 2 {
                found.facts = pairs(&clause);
            }
            return found;
        };
        let (subjects, objects) = if rule.inverse { (named, clause) } else { (clause, named) };
        let subjects: Vec<usize> = subjects.into_iter().filter(|&e| class_ok(ents, e, &rule.subject)).collect();
        let objects: Vec<usize> = objects.into_iter().filter(|&e| class_ok(ents, e, &rule.object)).collect();
        found.facts = cross(&subjects, &objects, 1.0);
        found
    }

    fn between(&self, ents: &mut DocEntities<'l>, sv: &mut SentenceView, rule: &Rule, te: usize) -> Found {
        let norms = sv.norms;
        let n = norms.len();
        let mut found = Found::default();
        // "l'alliance américano-britannique", "le conflit israélo-palestinien".
        let mut d = te;
        while d < n && d < te + 2 && sv.toks[d].kind == TokKind::Word && !sv.toks[d].cap && !sv.mentions.iter().any(|m| m.start == d) {
            d += 1;
        }
        if let (Some(a), Some(b)) = (sv.mentions.iter().find(|m| m.start == d && m.kind == MKind::Demonym), sv.mentions.iter().find(|m| m.start == d + 2 && m.kind == MKind::Demonym)) {
            if d + 1 < n && norms[d + 1] == "-" {
                let g: Vec<usize> = [arg(a), arg(b)].into_iter().filter(|&x| class_ok(ents, x, &rule.subject)).collect();
                if g.len() == 2 {
                    found.facts = pairs(&g);
                }
                return found;
            }
        }
        let Some(e) = (te..(te + 8).min(n)).find(|&j| norms[j] == "entre") else { return found };
        if (te..e).any(|j| matches!(norms[j], "." | ";" | ":" | "," | "qui" | "que")) {
            return found;
        }
        let Some(mi) = sv.mentions.iter().position(|m| m.start > e && m.start <= e + 3) else { return found };
        let g: Vec<usize> = group(sv, mi).into_iter().map(|i| arg(&sv.mentions[i])).filter(|&x| class_ok(ents, x, &rule.subject)).collect();
        if g.len() >= 2 {
            found.facts = pairs(&g);
        }
        found
    }
}

fn is_copula(w: &str) -> bool {
    matches!(
        w,
        "est" | "sont" | "était" | "étaient" | "etait" | "etaient" | "reste" | "restent" | "demeure" | "devient" | "deviennent" | "devenu" | "devenue" | "sera" | "seront" | "fut"
            | "constitue" | "constituent" | "serait" | "demeurent" | "comme" | "deviendra" | "deviendront" | "deviendrait" | "devenait" | "restera" | "resteront" | "restait" | "demeurait"
    )
}

/// Every ordered pair of a group: each does it to each other (a symmetric
/// predicate keeps one of the two directions when stored).
fn pairs(g: &[usize]) -> Vec<(usize, usize, f64)> {
    let mut v = Vec::new();
    for &a in g {
        for &b in g {
            if a != b {
                v.push((a, b, 1.0));
            }
        }
    }
    v
}
