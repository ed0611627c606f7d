//! Entity mentions of one document: gazetteer names, demonyms and state
//! metonyms, titles and their holders, unknown names typed by context, and
//! the document-level coreference that merges a surname or an acronym with
//! the full name seen before.

use super::{DocEntities, MKind, Mention, SentenceView};
use crate::gazetteer::Class;
use crate::lexicon::Lexicon;
use crate::text::{TokKind, Token};

/// A title found in a sentence ("le président azerbaïdjanais", "porte-parole du Kremlin").
#[derive(Debug, Clone)]
pub struct TitleUse {
    pub start: usize,
    pub end: usize,
    pub title: usize,
    /// What the title is of (doc entity), when said.
    pub of: Option<usize>,
    /// The person holding it, once resolved.
    pub person: Option<usize>,
    /// Token index where the complement ends.
    pub of_end: usize,
    /// Further states of a coordinated title ("ses homologues azerbaïdjanais et arménien"):
    /// (doc entity, token of its demonym).
    pub of_more: Vec<(usize, usize)>,
}

fn is_word(t: &Token) -> bool {
    t.kind == TokKind::Word
}

/// Finds all mentions of a sentence. `year` is the document's year, if known.
pub fn find<'l>(lex: &'l Lexicon, ents: &mut DocEntities<'l>, sv: &mut SentenceView, year: Option<i32>) {
    let g = &lex.gazetteer;
    let c = &lex.cues;
    let toks = sv.toks;
    let n = toks.len();
    let mut covered = vec![false; n];
    // 1. Gazetteer names.
    let hits = g.find(toks);
    let cap_word = |k: usize| k < n && is_word(&toks[k]) && toks[k].cap && !toks[k].norm.ends_with('\'') && !c.not_name(&toks[k]) && !c.person_cues.has(&toks[k]) && lex.titles.match_at(std::slice::from_ref(&toks[k]), 0).is_none();
    let covered_by_hit = |k: usize| hits.iter().any(|h| h.start <= k && k < h.end);
    for h in hits.iter().cloned() {
        let single = h.end - h.start == 1 && !toks[h.start].upper;
        // "Rachid Aliev" is not Ilham Aliyev; "Jordan Bardella" is not Jordan; "Arménie Libre" is a name of its own.
        if single && ((h.start > 0 && cap_word(h.start - 1) && !covered_by_hit(h.start - 1) && !c.particles.has(&toks[h.start - 1]))
            || (cap_word(h.end) && !covered_by_hit(h.end) && !toks[h.end].upper))
        {
            continue;
        }
        let e = ents.known(lex, h.entity);
        let acting = g.entities[h.entity].capital_of.map(|c| ents.known(lex, c));
        covered[h.start..h.end].iter_mut().for_each(|x| *x = true);
        // "à Bakou" names the city; "Bakou dément", "selon Bakou" name the government.
        let mut p = h.start;
        while p > 0 && matches!(toks[p - 1].norm.as_str(), "le" | "la" | "les" | "l'") {
            p -= 1;
        }
        let locative = p > 0 && matches!(toks[p - 1].norm.as_str(), "a" | "à" | "au" | "depuis" | "vers" | "pres" | "près" | "dans" | "en" | "jusqu'a" | "jusqu'à" | "via" | "sur");
        sv.mentions.push(Mention { start: h.start, end: h.end, entity: e, kind: if acting.is_some() { MKind::Capital } else { MKind::Name }, acting, locative });
        if let Some(parent) = g.entities[h.entity].part_of {
            let inner = g.find(&toks[h.start + 1..h.end]);
            if inner.iter().any(|x| x.entity == parent) {
                let pe = ents.known(lex, parent);
                sv.extra_mentions.push(pe);
            }
        }
    }
    // 2. Titles (before unknown names: they type them).
    let norms = sv.norms;
    let mut i = 0;
    while i < n {
        if covered[i] {
            i += 1;
            continue;
        }
        // A title must not run into a name ("la présidente de la Commission européenne").
        let room = 1 + (i + 1..n).take_while(|&k| !covered[k]).count();
        let Some((len, ti)) = lex.titles.match_index_within(toks, i, room) else {
            i += 1;
            continue;
        };
        // "Premier" alone capitalised at a sentence start is still a title; a title inside a name is not.
        let mut j = i + len;
        let mut of = None;
        let mut of_more = Vec::new();
        // Demonym right after: "président azerbaïdjanais"; "ses homologues azerbaïdjanais et arménien".
        if j < n && !covered[j] {
            if let Some(country) = g.demonym(&toks[j]) {
                of = Some(ents.known(lex, country));
                j += 1;
                while j + 1 < n && matches!(norms[j], "et" | ",") && !covered[j + 1] {
                    let Some(more) = g.demonym(&toks[j + 1]) else { break };
                    of_more.push((ents.known(lex, more), j + 1));
                    j += 2;
                }
            }
        }
        // "du Kremlin", "de la Russie", "du président azerbaïdjanais Ilham Aliyev", "en politique étrangère du président".
        if of.is_none() {
            let mut k = j;
            // Skip a short qualifier ("en politique étrangère", "adjoint").
            let mut skipped = 0;
            while k < n && skipped < 4 && !matches!(norms[k], "de" | "du" | "des" | "d'") && is_word(&toks[k]) && !toks[k].cap && !covered[k] {
                k += 1;
                skipped += 1;
            }
            if k < n && matches!(norms[k], "de" | "du" | "des" | "d'") {
                let mut m = k + 1;
                while m < n && matches!(norms[m], "la" | "l'" | "le" | "les") {
                    m += 1;
                }
                if let Some(mi) = sv.mentions.iter().position(|x| x.start == m) {
                    of = Some(sv.mentions[mi].acting.unwrap_or(sv.mentions[mi].entity));
                    j = sv.mentions[mi].end;
                } else if m + 1 < n && c.state_heads.has(&toks[m]) && g.demonym(&toks[m + 1]).is_some() {
                    // "le porte-parole de la diplomatie azerbaïdjanaise"
                    of = g.demonym(&toks[m + 1]).map(|country| ents.known(lex, country));
                    j = m + 2;
                } else if lex.titles.match_at(toks, m).is_some() {
                    // "conseiller du président …": of a person, resolved below once that title is read.
                    j = k;
                }
            }
        }
        // "a indiqué son porte-parole Dmitri Peskov": the possessive points back at the institution named before.
        if of.is_none() && i > 0 && c.possessives.has(&toks[i - 1]) {
            // A spokesperson or an adviser may be a person's ("Zelensky…, a indiqué son porte-parole X").
            let person_ok = !lex.titles.titles[ti].relation.is_empty() && lex.titles.titles[ti].relation != "leaderOf";
            let fits = |m: &&Mention| m.end < i && (matches!(ents.get(m.entity).class, Class::Organization | Class::Country) || (person_ok && ents.get(m.entity).class == Class::Person));
            // A name governed by a preposition is a complement ("ne s'unira pas à la Roumanie, a
            // répété sa présidente"): the possessive points at a subject first.
            let governed = |m: &Mention| {
                let mut q = m.start;
                while q > 0 && matches!(norms[q - 1], "le" | "la" | "les" | "l'") {
                    q -= 1;
                }
                q > 0 && c.prepositions.has(&toks[q - 1])
            };
            let pick = sv.mentions.iter().rev().filter(fits).find(|m| !governed(m)).or_else(|| sv.mentions.iter().rev().find(fits));
            of = pick.map(|m| m.acting.unwrap_or(m.entity));
        }
        // "le président de la République" is France's by convention, unless a
        // lower-case word qualifies it ("de la République islamique…").
        let qualified = j < n && is_word(&toks[j]) && !toks[j].cap && !c.auxiliaries.has(&toks[j]) && !c.adverbs.has(&toks[j]) && !c.clause_openers.has(&toks[j]) && !c.negation_open.has(&toks[j]) && !c.speech_verbs.has(&toks[j]);
        if of.is_none() && !qualified {
            if let Some(d) = lex.titles.titles[ti].default_of.as_deref().and_then(|d| g.get(d)) {
                of = Some(ents.known(lex, d));
            }
        }
        // "le dirigeant actuel Ibrahim X": the adjective belongs to the title.
        while j < n && !covered[j] && c.title_adjectives.match_at(toks, j).is_some() {
            j += c.title_adjectives.match_at(toks, j).unwrap_or(1);
        }
        sv.titles.push(TitleUse { start: i, end: i + len, title: ti, of, person: None, of_end: j, of_more });
        i += len;
    }
    // 3. Demonyms and state metonyms ("la diplomatie arménienne", "les Azerbaïdjanais").
    for k in 0..n {
        if covered[k] || sv.titles.iter().any(|t| k >= t.start && k < t.of_end) {
            continue;
        }
        // "américano-britannique", "israélo-palestinien": one demonym mention per state.
        if k + 2 < n && toks[k + 1].norm == "-" && toks[k + 1].glued && toks[k + 2].glued && !covered[k + 2] {
            if let Some(first) = lex.cues.combining_forms.get(toks[k].key.as_str()).and_then(|d| g.demonym_by_key(d)) {
                let second = g.demonym(&toks[k + 2]).or_else(|| lex.cues.combining_forms.get(toks[k + 2].key.as_str()).and_then(|d| g.demonym_by_key(d)));
                if let Some(second) = second.filter(|&s| s != first) {
                    let (a, b) = (ents.known(lex, first), ents.known(lex, second));
                    sv.mentions.push(Mention { start: k, end: k + 1, entity: a, kind: MKind::Demonym, acting: Some(a), locative: false });
                    sv.mentions.push(Mention { start: k + 2, end: k + 3, entity: b, kind: MKind::Demonym, acting: Some(b), locative: false });
                    covered[k..k + 3].iter_mut().for_each(|x| *x = true);
                    continue;
                }
            }
        }
        let Some(country) = g.demonym(&toks[k]) else { continue };
        let ce = ents.known(lex, country);
        if toks[k].cap && k > 0 && matches!(norms[k - 1], "les" | "des" | "aux" | "de" | "d'") {
            sv.mentions.push(Mention { start: k, end: k + 1, entity: ce, kind: MKind::People, acting: Some(ce), locative: false });
            covered[k] = true;
            continue;
        }
        if k > 0 && c.state_heads.has(&toks[k - 1]) && !covered[k - 1] {
            let kind = if c.acting_state_heads.has(&toks[k - 1]) { MKind::StateHead } else { MKind::Demonym };
            sv.mentions.push(Mention { start: k - 1, end: k + 1, entity: ce, kind, acting: Some(ce), locative: false });
            covered[k - 1] = true;
            covered[k] = true;
            continue;
        }
        sv.mentions.push(Mention { start: k, end: k + 1, entity: ce, kind: MKind::Demonym, acting: Some(ce), locative: false });
        covered[k] = true;
    }
    // 4. Unknown names.
    names(lex, ents, sv, &mut covered, year);
    // 5. "les deux parties", "les deux dirigeants": the pair the document last named together,
    // this sentence's own included ("X et Y ont signé…, mais les deux pays…").
    let stand_in = norms.contains(&"deux");
    if stand_in {
        sv.mentions.sort_by_key(|m| (m.start, m.end));
        super::remember_pair(ents, sv);
    }
    for k in (1..n).filter(|_| stand_in) {
        if covered[k] || !matches!(norms[k - 1], "les" | "des" | "aux" | "ces" | "leurs") {
            continue;
        }
        let persons = c.pair_person_phrases.match_at(toks, k);
        let Some(len) = persons.or_else(|| c.pair_phrases.match_at(toks, k)) else { continue };
        let pair = if persons.is_some() { ents.last_pair_persons.or(ents.last_pair) } else { ents.last_pair };
        if let Some((a, b)) = pair {
            sv.mentions.push(Mention { start: k, end: k + 1, entity: a, kind: MKind::Pair, acting: None, locative: false });
            sv.mentions.push(Mention { start: k + 1, end: k + len, entity: b, kind: MKind::Pair, acting: None, locative: false });
            covered[k..k + len].iter_mut().for_each(|x| *x = true);
        }
    }
    // "la région", "l'enclave": the last place named before this sentence.
    if let Some(place) = ents.last_place {
        for k in 1..n {
            if covered[k] || !matches!(norms[k - 1], "la" | "l'" | "cette" | "le") || !c.place_anaphors.has(&toks[k]) {
                continue;
            }
            let followed = k + 1 < n && (matches!(norms[k + 1], "de" | "du" | "d'" | "des") || g.demonym(&toks[k + 1]).is_some() || toks[k + 1].cap);
            if !followed {
                sv.mentions.push(Mention { start: k, end: k + 1, entity: place, kind: MKind::Anaphor, acting: None, locative: false });
                covered[k] = true;
            }
        }
    }
    // "le ministère", "le parti": the last organisation named before whose label opens with
    // that noun ("le ministère chinois des Affaires étrangères").
    if !ents.recent_organizations.is_empty() {
        for k in 1..n {
            if covered[k] || !matches!(norms[k - 1], "la" | "l'" | "le" | "cette" | "ce" | "cet") || !c.organization_anaphors.has(&toks[k]) {
                continue;
            }
            let followed = k + 1 < n && (matches!(norms[k + 1], "de" | "du" | "d'" | "des") || g.demonym(&toks[k + 1]).is_some() || toks[k + 1].cap);
            if followed || sv.mentions.iter().any(|m| m.start <= k && k < m.end) {
                continue;
            }
            let head = |e: usize| crate::normalize::fold(ents.get(e).label_fr.split_whitespace().next().unwrap_or("")) == norms[k];
            if let Some(&org) = ents.recent_organizations.iter().rev().find(|&&e| head(e)) {
                sv.mentions.push(Mention { start: k, end: k + 1, entity: org, kind: MKind::Anaphor, acting: None, locative: false });
                covered[k] = true;
            }
        }
    }
    sv.mentions.sort_by_key(|m| (m.start, m.end));
    // 5. Titles: holders and the facts they state.
    resolve_titles(lex, ents, sv, year);
    // Gender, where the text shows it: "Mme X", "la présidente X" / "M. X", "le président X".
    for m in &sv.mentions {
        if ents.get(m.entity).class != Class::Person || m.start == 0 {
            continue;
        }
        let cue = norms[m.start - 1];
        let mut fem = match cue {
            "mme" | "madame" | "mlle" | "mmes" => Some(true),
            "m." | "m" | "monsieur" | "mm." => Some(false),
            _ => None,
        };
        if fem.is_none() {
            if let Some(t) = sv.titles.iter().find(|t| t.person == Some(m.entity) && t.of_end <= m.start && m.start <= t.of_end + 1 && t.start > 0) {
                fem = match norms[t.start - 1] {
                    "la" | "une" => Some(true),
                    "le" | "un" | "du" | "au" => Some(false),
                    _ => None,
                };
            }
        }
        if let Some(f) = fem {
            ents.list[m.entity].feminine = Some(f);
        }
    }
    sv.mentions.sort_by_key(|m| (m.start, m.end));
}

/// Capitalised runs the gazetteer did not know, typed by their context.
fn names<'l>(lex: &'l Lexicon, ents: &mut DocEntities<'l>, sv: &mut SentenceView, covered: &mut [bool], year: Option<i32>) {
    let c = &lex.cues;
    let toks = sv.toks;
    let n = toks.len();

    let mut i = 0;
    while i < n {
        let t = &toks[i];
        let starts_run = !covered[i]
            && is_word(t)
            && !c.person_cues.has(t)
            && t.cap
            && (!c.not_name(t) || (i > 0 && c.particles.has(t) && i + 1 < n && toks[i + 1].cap && is_word(&toks[i + 1])))
            && !(c.organization_words.has(t) && !t.cap);
        if !starts_run {
            i += 1;
            continue;
        }
        // Extend: capitalised words, particles followed by a capitalised word, glued hyphens.
        let org_head = c.organization_words.has(t);
        let mut j = i + 1;
        loop {
            if j >= n {
                break;
            }
            let tj = &toks[j];
            if tj.norm == "-" && tj.glued && j + 1 < n && toks[j + 1].glued && toks[j + 1].cap {
                j += 2;
                continue;
            }
            if is_word(tj) && tj.cap && (!covered[j] || org_head) && !c.not_name(tj) {
                j += 1;
                continue;
            }
            // "al-Baghdadi", "ben-Ali"
            if c.particles.has(tj) && j + 2 < n && toks[j + 1].norm == "-" && toks[j + 1].glued && toks[j + 2].glued && toks[j + 2].cap {
                j += 3;
                continue;
            }
            // "de La Tour", "van der Leyen"
            if c.particles.has(tj) && j + 2 < n && c.particles.has(&toks[j + 1]) && toks[j + 1].cap && is_word(&toks[j + 2]) && toks[j + 2].cap {
                j += 3;
                continue;
            }
            if (c.particles.has(tj) || (org_head && matches!(tj.norm.as_str(), "de" | "des" | "du" | "d'" | "pour" | "et" | "la" | "l'" | "le" | "les")))
                && j + 1 < n
                && is_word(&toks[j + 1])
                && toks[j + 1].cap
                && !c.not_name(&toks[j + 1])
                // "l'aéroport X d'Erevan": a known name after the particle is a name of its own.
                && (!covered[j + 1] || org_head)
            {
                j += 1;
                continue;
            }
            break;
        }
        // A name defined by the acronym in parentheses that follows it: take everything up to "(".
        let mut j = j;
        if let Some(par) = (j..(i + 12).min(n)).find(|&k| toks[k].norm == "(") {
            let clean_between = (j..par).all(|k| is_word(&toks[k]) || matches!(toks[k].norm.as_str(), "-" | "'"));
            if clean_between && par + 2 < n && toks[par + 1].upper && toks[par + 2].norm == ")" {
                let acr = &toks[par + 1].norm;
                if acr.starts_with(&t.norm[..t.norm.chars().next().map(|ch| ch.len_utf8()).unwrap_or(1)]) {
                    j = par;
                }
            }
        }
        // "le ministère des Situations d'urgence": an organisation word before the name is part of it.
        let mut a = i;
        if i >= 2 && matches!(toks[i - 1].norm.as_str(), "de" | "des" | "du" | "d'") && c.organization_words.has(&toks[i - 2]) && !covered[i - 2] {
            a = i - 2;
            if j + 1 < n && matches!(toks[j].norm.as_str(), "de" | "d'") && is_word(&toks[j + 1]) && !toks[j + 1].cap {
                j += 2;
            }
        }
        let (a, b) = (a, j);
        i = j;
        let words = toks[a..b].iter().filter(|t| is_word(t)).count();
        let upper_run = toks[a..b].iter().filter(|t| is_word(t)).all(|t| t.upper);
        let label = surface(sv.text, toks, a, b);
        // Acronym in parentheses right after: "Zouaves Paris (ZVP)".
        let acronym = (b + 2 < n && toks[b].norm == "(" && toks[b + 1].upper && toks[b + 2].norm == ")").then(|| surface(sv.text, toks, b + 1, b + 2));
        let mut class = type_name(lex, sv, a, b, words, acronym.is_some(), upper_run);
        // "les provinces de Kandahar, Helmand, Zaboul et Kunar": an item of a list of places is a place
        // (the list goes on after it, or it closes the list with "et").
        if class.is_none() && a > 0 && matches!(toks[a - 1].norm.as_str(), "," | "et") && !(b == a + 1 && c.not_name(&toks[a])) {
            let listed = toks[a - 1].norm == "et" || (b < n && matches!(toks[b].norm.as_str(), "," | "et"));
            let after_place = sv.mentions.iter().rfind(|m| m.end + 1 == a).is_some_and(|m| ents.get(m.entity).class == Class::Place && matches!(m.kind, MKind::Name | MKind::Capital));
            if listed && after_place {
                class = Some(Class::Place);
            }
        }
        // Document coreference first: a surname, a first-name-less spelling or an acronym seen before.
        let key: Vec<String> = toks[a..b].iter().filter(|t| is_word(t) && !c.particles.has(t)).map(|t| t.key.to_string()).collect();
        let mut existing = ents.find_by_tail(&key).or_else(|| ents.find_by_alias(&label));
        // "le président français Emmanuel": a name word of the title's holder is the holder.
        if existing.is_none() && class == Some(Class::Person) {
            let title = sv.titles.iter().find(|t| t.of_end == a || (t.of_end + 1 == a && toks[t.of_end].norm == ",")).cloned();
            if let Some(t) = title {
                let role = lex.titles.titles[t.title].role.clone();
                if let Some(h) = ents.holder_for(lex, &role, t.of, year) {
                    if key.iter().all(|w| ents.name_word_of(h, w)) {
                        existing = Some(h);
                    }
                }
            }
        }
        let e = match (existing, class) {
            (Some(e), _) => e,
            (None, Some(cl)) => {
                // A single capitalised word at the sentence start is too weak alone.
                if words == 1 && a == 0 && acronym.is_none() && !upper_run && !preceded_by_cue(lex, sv, a) {
                    continue;
                }
                ents.new_entity(lex, &label, cl)
            }
            (None, None) => continue,
        };
        if let Some(acr) = &acronym {
            ents.add_alias(lex, e, acr);
            covered[b..b + 3].iter_mut().for_each(|x| *x = true);
            sv.mentions.retain(|m| !(m.start >= b && m.end <= b + 3));
        }
        if label != ents.get(e).label_fr {
            ents.add_alias(lex, e, &label);
        }
        // An organisation head swallows what the gazetteer found inside ("Fédération des Arméniens de France").
        sv.mentions.retain(|m| !(m.start >= a && m.end <= b));
        covered[a..b].iter_mut().for_each(|x| *x = true);
        sv.mentions.push(Mention { start: a, end: b, entity: e, kind: MKind::Name, acting: None, locative: false });
    }
}

fn preceded_by_cue(lex: &Lexicon, sv: &SentenceView, a: usize) -> bool {
    a > 0 && lex.cues.person_cues.has(&sv.toks[a - 1])
}

/// The class of an unknown capitalised run from its context, or `None` to skip it.
fn type_name(lex: &Lexicon, sv: &SentenceView, a: usize, b: usize, words: usize, has_acronym: bool, upper_run: bool) -> Option<Class> {
    let c = &lex.cues;
    let toks = sv.toks;
    let norms = sv.norms;
    let n = toks.len();
    let head = &toks[a];
    // Inside: the run starts with an organisation word ("Fédération des Arméniens de France").
    if words >= 2 && c.organization_words.has(head) {
        return Some(if c.force_words.has(head) { Class::ArmedForce } else { Class::Organization });
    }
    // Before: person cues and titles, organisation and place words.
    if a > 0 {
        let p = a - 1;
        if c.person_cues.has(&toks[p]) || (norms[p] == "." && p > 0 && c.person_cues.has(&toks[p - 1])) {
            return Some(Class::Person);
        }
        if sv.titles.iter().any(|t| t.end == a || t.of_end == a || (t.of_end + 1 == a && norms[t.of_end] == ",")) {
            return Some(Class::Person);
        }
        let mut q = p;
        // "la ville de Martouni", "le district de Fizouli"
        if matches!(norms[q], "de" | "d'" | "du") && q > 0 {
            q -= 1;
            if c.place_words.has(&toks[q]) {
                return Some(Class::Place);
            }
            // "la ville syrienne de X", "la ville portuaire de X": an adjective between.
            if q > 0 && is_word(&toks[q]) && !toks[q].cap && c.place_words.has(&toks[q - 1]) {
                return Some(Class::Place);
            }
        }
        if c.organization_words.has(&toks[p]) || (p > 0 && c.organization_words.has(&toks[p - 1]) && is_word(&toks[p]) && !toks[p].cap) {
            let w = if c.organization_words.has(&toks[p]) { &toks[p] } else { &toks[p - 1] };
            return Some(if c.force_words.has(w) { Class::ArmedForce } else { Class::Organization });
        }
        if c.place_words.has(&toks[p]) {
            return Some(Class::Place);
        }
        // "l'aéroport international X", "le port pétrolier X": an adjective after the place word.
        if p > 0 && is_word(&toks[p]) && !toks[p].cap && c.place_words.has(&toks[p - 1]) && !matches!(norms[p], "de" | "d'" | "du" | "des") {
            return Some(Class::Place);
        }
    }
    // After: ", un soldat", ", porte-parole de …", reporting verbs.
    if b + 1 < n && norms[b] == "," {
        let mut k = b + 1;
        if matches!(norms[k], "un" | "une" | "le" | "la" | "l'" | "notre" | "ancien" | "ancienne") && k + 1 < n {
            k += 1;
        }
        if c.person_nouns.has(&toks[k]) || lex.titles.match_at(toks, k).is_some() {
            return Some(Class::Person);
        }
    }
    if has_acronym {
        return Some(Class::Organization);
    }
    if words >= 2 && !upper_run && c.first_name(&toks[a]) {
        return Some(Class::Person);
    }
    if words >= 2 && !upper_run {
        let last = &toks[b - 1].norm;
        if c.person_suffixes().any(|s| last.ends_with(s)) {
            return Some(Class::Person);
        }
        if b < n && (lex.speech_form(&toks[b]).is_some() || (b + 1 < n && matches!(norms[b], "a" | "avait") && lex.speech_form(&toks[b + 1]).is_some())) {
            return Some(Class::Person);
        }
    }
    None
}

/// The original text of tokens `a..b`.
pub fn surface(text: &str, toks: &[Token], a: usize, b: usize) -> String {
    let base = toks[0].start;
    let s = &text[toks[a].start - base..toks[b - 1].end - base];
    s.replace('\u{2019}', "'").split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Links titles to their holders and records the role facts they state.
fn resolve_titles<'l>(lex: &'l Lexicon, ents: &mut DocEntities<'l>, sv: &mut SentenceView, year: Option<i32>) {
    let norms = sv.norms;
    let toks = sv.toks;
    for ti in 0..sv.titles.len() {
        // "la présidente de la Banque X": an unknown name found after the titles may be the "of".
        if sv.titles[ti].of.is_none() && !lex.titles.titles[sv.titles[ti].title].of_person {
            let mut k = sv.titles[ti].of_end;
            if k < norms.len() && matches!(norms[k], "de" | "du" | "des" | "d'") {
                k += 1;
                while k < norms.len() && matches!(norms[k], "la" | "l'" | "le" | "les") {
                    k += 1;
                }
                if let Some(m) = sv.mentions.iter().find(|m| m.start == k && m.kind == MKind::Name && ents.get(m.entity).class != Class::Person) {
                    sv.titles[ti].of = Some(m.acting.unwrap_or(m.entity));
                    sv.titles[ti].of_end = m.end;
                }
            }
        }
        let tu = sv.titles[ti].clone();
        let title = &lex.titles.titles[tu.title];
        // The named person: right after the title (", " allowed), or before it in apposition.
        if let Some(of) = tu.of {
            sv.extra_mentions.push(of);
        }
        let mut after = tu.of_end;
        if after < norms.len() && norms[after] == "," {
            after += 1;
        }
        // "le chef de l'État azerbaïdjanais, M. Aliyev"
        while after < norms.len() && (lex.cues.person_cues.has(&toks[after]) || (norms[after] == "." && after > tu.of_end)) {
            after += 1;
        }
        let person_after = sv.mentions.iter().find(|m| m.start == after && ents.get(m.entity).class == Class::Person).map(|m| m.entity);
        let person_before = (tu.start >= 2).then(|| {
            let mut p = tu.start;
            // "X, un conseiller" / "X, conseiller"
            while p > 0 && matches!(norms[p - 1], "un" | "une" | "le" | "la" | "l'" | "ancien" | "ancienne") {
                p -= 1;
            }
            if p > 0 && norms[p - 1] == "," {
                sv.mentions.iter().rev().find(|m| m.end + 1 == p && ents.get(m.entity).class == Class::Person).map(|m| m.entity)
            } else {
                None
            }
        }).flatten();
        let mut person = person_after.or(person_before);
        // A first name alone after the title ("le président français Emmanuel") is the holder's.
        if person.is_none() {
            // A counterpart's office is not said ("son homologue arménien": president or prime minister?).
            // …unless the peer's is: "le président azerbaïdjanais… Son homologue turc" is the Turkish president.
            let peer_role = title.counterpart.then(|| peer_office(lex, ents, year)).flatten().filter(|_| tu.of.is_some());
            let holder = ents
                .holder_for(lex, &title.role, tu.of, year)
                .or_else(|| title.holder_roles.iter().filter(|_| !title.counterpart).find_map(|r| ents.holder_for(lex, r, tu.of, year)))
                .or_else(|| peer_role.and_then(|r| ents.holder_for(lex, &r, tu.of, year)));
            if let Some(h) = holder {
                let first_word_after = sv.mentions.iter().find(|m| m.start == after).map(|m| m.entity);
                match first_word_after {
                    Some(e) if ents.get(e).class == Class::Person && ents.shares_name(e, h) => person = Some(h),
                    Some(_) => {}
                    None => {
                        let named = after < toks.len() && toks[after].cap && is_word(&toks[after]) && !lex.cues.not_name(&toks[after]);
                        if named && ents.name_word_of(h, &toks[after].key) {
                            sv.mentions.push(Mention { start: after, end: after + 1, entity: h, kind: MKind::Name, acting: None, locative: false });
                            person = Some(h);
                        } else if !named && (tu.of.is_some() || title.role != "official") {
                            // "le Premier ministre arménien déclare": the title stands for its holder.
                            sv.mentions.push(Mention { start: tu.start, end: tu.of_end, entity: h, kind: MKind::Title, acting: None, locative: false });
                            person = Some(h);
                        }
                    }
                }
            } else if tu.of.is_none() {
                // A bare title ("le président a ajouté"): the last person given that role here.
                if let Some(h) = ents.last_with_role(&title.role) {
                    let named = after < toks.len() && toks[after].cap;
                    if !named {
                        sv.mentions.push(Mention { start: tu.start, end: tu.of_end, entity: h, kind: MKind::Title, acting: None, locative: false });
                        person = Some(h);
                    }
                }
            }
        }
        sv.titles[ti].person = person;
        // "ses homologues arménien et azerbaïdjanais", "le haut fonctionnaire russe": an official
        // nobody names stands for the state.
        if person.is_none() && title.role == "official" {
            if let Some(of) = tu.of.filter(|&o| ents.get(o).class == Class::Country) {
                if !sv.mentions.iter().any(|m| m.start < tu.of_end && tu.start < m.end) {
                    // One mention per state, so that a coordination reads as one ("et").
                    let first_end = tu.of_more.first().map_or(tu.of_end, |&(_, k)| k - 1);
                    sv.mentions.push(Mention { start: tu.start, end: first_end, entity: of, kind: MKind::StateHead, acting: Some(of), locative: false });
                    for &(o, k) in &tu.of_more {
                        sv.mentions.push(Mention { start: k, end: k + 1, entity: o, kind: MKind::StateHead, acting: Some(o), locative: false });
                    }
                }
            }
        }
        if let Some(p) = person {
            // "ses homologues azerbaïdjanais et arménien, Ilham Aliyev et Nikol Pachinian": in order.
            let mut holders = vec![(p, tu.of)];
            if !tu.of_more.is_empty() {
                if let Some(first) = sv.mentions.iter().position(|m| m.entity == p && m.start >= tu.of_end) {
                    let more: Vec<usize> = coordinated(sv, first).into_iter().skip(1).map(|i| sv.mentions[i].entity).filter(|&e| ents.get(e).class == Class::Person).collect();
                    if more.len() == tu.of_more.len() {
                        holders.extend(more.into_iter().zip(tu.of_more.iter().map(|&(o, _)| Some(o))));
                    }
                }
            }
            for (p, of) in holders {
                let (of, rule) = match of {
                    Some(o) => (Some(o), "title"),
                    // "le président Vladimir Poutine": the state the gazetteer says he heads.
                    None if !title.of_person && !title.relation.is_empty() => (known_role_of(lex, ents, p, title, year), "title.known"),
                    None => (None, "title"),
                };
                ents.set_role(p, &title.role, of);
                let Some(of) = of else { continue };
                if title.relation.is_empty() || p == of {
                    continue;
                }
                if title.of_person && ents.get(of).class != Class::Person {
                    continue;
                }
                // "son homologue ukrainien X" is the Ukrainian leader when the peer is one.
                if title.counterpart && !(holds_role(lex, ents, p, title, of, year) || peer_leads(lex, ents, sv, p, year)) {
                    continue;
                }
                sv.title_facts.push(TitleFact { person: p, predicate: title.relation.clone(), of, start: tu.start, end: tu.of_end, rule });
            }
        }
        // "conseiller du président azerbaïdjanais Ilham Aliyev": of = the next title's holder.
        if title.of_person && tu.of.is_none() {
            if let Some(next) = sv.titles.get(ti + 1).cloned() {
                if next.start <= tu.of_end + 3 {
                    sv.titles[ti].of = None;
                    sv.pending_of_person.push((ti, ti + 1));
                }
            }
        }
    }
    for (a, b) in std::mem::take(&mut sv.pending_of_person) {
        if let (Some(pa), Some(pb)) = (sv.titles[a].person, sv.titles[b].person) {
            let rel = lex.titles.titles[sv.titles[a].title].relation.clone();
            if !rel.is_empty() && pa != pb {
                sv.title_facts.push(TitleFact { person: pa, predicate: rel, of: pb, start: sv.titles[a].start, end: sv.titles[b].of_end, rule: "title" });
            }
        }
    }
}

/// A fact a title states: "le président azerbaïdjanais Ilham Aliyev" → Aliyev leaderOf Azerbaïdjan.
#[derive(Debug, Clone)]
pub struct TitleFact {
    pub person: usize,
    pub predicate: String,
    pub of: usize,
    /// Token range of the title and its complement.
    pub start: usize,
    pub end: usize,
    /// "title", or "title.known" when `of` comes from the gazetteer, not the text.
    pub rule: &'static str,
}

/// The mentions coordinated with mention `mi` ("A, B et C"), in order, `mi` first.
fn coordinated(sv: &SentenceView, mi: usize) -> Vec<usize> {
    let ms = &sv.mentions;
    let mut out = vec![mi];
    let mut k = mi;
    while k + 1 < ms.len() {
        let gap = &sv.norms[ms[k].end..ms[k + 1].start];
        if gap.is_empty() || gap.len() > 2 || !gap.iter().all(|w| matches!(*w, "," | "et" | "ainsi" | "que")) {
            break;
        }
        k += 1;
        out.push(k);
    }
    out
}

/// Whether gazetteer role `r` answers a title (its own role, or one of its `holder_roles`).
fn role_answers(title: &crate::lexicon::Title, r: &str) -> bool {
    if title.holder_roles.is_empty() { r == title.role } else { title.holder_roles.iter().any(|h| h == r) }
}

fn in_office(from: Option<i32>, to: Option<i32>, year: Option<i32>) -> bool {
    match year {
        Some(y) => from.is_none_or(|f| f <= y) && to.is_none_or(|t| y <= t),
        None => to.is_none(),
    }
}

/// The one entity a known person holds a role answering `title` of, at the document's date.
fn known_role_of<'l>(lex: &'l Lexicon, ents: &mut DocEntities<'l>, p: usize, title: &crate::lexicon::Title, year: Option<i32>) -> Option<usize> {
    let g = ents.get(p).known?;
    let roles = &lex.gazetteer.entities[g].roles;
    let one = |dated: bool| -> Option<Option<usize>> {
        let mut found = None;
        for (r, of, from, to) in roles {
            if role_answers(title, r) && (!dated || in_office(*from, *to, year)) {
                if found.is_some_and(|f| f != *of) {
                    return None;
                }
                found = Some(*of);
            }
        }
        Some(found)
    };
    // Undated documents: a role held now, else the one such role ever held.
    let of = match one(true)? {
        Some(of) => of,
        None if year.is_none() => one(false)??,
        None => return None,
    };
    Some(ents.known(lex, of))
}

/// Whether known person `p` holds a role answering `title` of doc entity `of` at the date.
fn holds_role(lex: &Lexicon, ents: &DocEntities, p: usize, title: &crate::lexicon::Title, of: usize, year: Option<i32>) -> bool {
    let (Some(g), Some(go)) = (ents.get(p).known, ents.get(of).known) else { return false };
    lex.gazetteer.entities[g].roles.iter().any(|(r, o, from, to)| *o == go && in_office(*from, *to, year) && (role_answers(title, r) || lex.titles.leads_state(r)))
}

/// Whether another person of the sentence leads a state (the peer of "son homologue").
/// The state-heading office of the last person the document named, when it has one.
fn peer_office(lex: &Lexicon, ents: &DocEntities, year: Option<i32>) -> Option<String> {
    let e = ents.get(ents.last_person?);
    e.roles
        .iter()
        .find(|(r, of)| lex.titles.leads_state(r) && of.is_some_and(|o| ents.get(o).class == Class::Country))
        .map(|(r, _)| r.clone())
        .or_else(|| e.known.and_then(|g| lex.gazetteer.entities[g].roles.iter().find(|(r, o, from, to)| lex.titles.leads_state(r) && in_office(*from, *to, year) && lex.gazetteer.entities[*o].class == Class::Country).map(|(r, ..)| r.clone())))
}

fn peer_leads(lex: &Lexicon, ents: &DocEntities, sv: &SentenceView, p: usize, year: Option<i32>) -> bool {
    sv.mentions.iter().filter(|m| m.entity != p && ents.get(m.entity).class == Class::Person).any(|m| {
        let e = ents.get(m.entity);
        e.roles.iter().any(|(r, of)| lex.titles.leads_state(r) && of.is_some_and(|o| ents.get(o).class == Class::Country))
            || e.known.is_some_and(|g| lex.gazetteer.entities[g].roles.iter().any(|(r, o, from, to)| lex.titles.leads_state(r) && in_office(*from, *to, year) && lex.gazetteer.entities[*o].class == Class::Country))
    })
}
