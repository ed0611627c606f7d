//! Reported speech: who says what in a sentence («…», a déclaré X; X affirme
//! que…; selon X; rapporte Reuters), and the first-person "nous" of a quote
//! resolved to the speaker's state.

use super::{DocEntities, MKind, Mention, SentenceView};
use crate::gazetteer::Class;
use crate::lexicon::Lexicon;

fn mention_at(sv: &SentenceView, k: usize) -> Option<Mention> {
    sv.mentions.iter().find(|m| m.start == k).cloned()
}

fn speaker_class(ents: &DocEntities, e: usize) -> bool {
    matches!(ents.get(e).class, Class::Person | Class::Organization | Class::Country | Class::ArmedForce)
}

/// Fills `said_by` and `reported_by` for the tokens of a sentence.
pub fn attribute<'l>(lex: &'l Lexicon, ents: &mut DocEntities<'l>, sv: &mut SentenceView) {
    let c = &lex.cues;
    let n = sv.toks.len();
    let norms = sv.norms;
    let toks = sv.toks;
    // Quote spans.
    let mut quotes: Vec<(usize, usize)> = Vec::new();
    let mut open = None;
    for (k, t) in sv.toks.iter().enumerate() {
        match t.norm.as_str() {
            "«" | "“" => open = Some(k),
            "»" | "”" => {
                if let Some(o) = open.take() {
                    quotes.push((o, k));
                }
            }
            _ => {}
        }
    }
    let set = |from: usize, to: usize, who: Option<usize>, outlet: Option<usize>, sv: &mut SentenceView| {
        for k in from..to.min(n) {
            if who.is_some() && sv.said_by[k].is_none() {
                sv.said_by[k] = who;
            }
            if outlet.is_some() && sv.reported_by[k].is_none() {
                sv.reported_by[k] = outlet;
            }
        }
    };
    // Speech verbs.
    for k in 0..n {
        if lex.speech_form(&toks[k]).is_none() {
            continue;
        }
        // After a closing quote: «…», a déclaré X / a-t-il dit.
        let before_quote = quotes.iter().find(|&&(_, q)| q < k && (q + 1..k).all(|j| matches!(norms[j], "," | "a" | "ont" | "avait" | "-" | "t" | "il" | "elle")));
        let mut speaker = None;
        // Inverted subject: "a déclaré lundi le président azerbaïdjanais Ilham Aliyev", "a-t-il dit".
        let mut j = k + 1;
        while j < n && (c.adverbs.has(&toks[j]) || matches!(norms[j], "-" | "t" | "le" | "la" | "l'" | "," | "son" | "sa" | "leur")) {
            j += 1;
        }
        if j < n && matches!(norms[j], "il" | "elle") && k + 1 < n && norms[k + 1] == "-" {
            speaker = ents.last_speaker.or(ents.last_person);
        } else if k + 2 < n && norms[k + 1] == "-" && norms[k + 2] == "t" {
            speaker = ents.last_speaker.or(ents.last_person);
        } else if before_quote.is_some() || (k > 0 && matches!(norms[k - 1], "," | "a" | "ont") && !norms[k].ends_with("ant")) {
            // (", accusant le Hamas": a participle has no inverted subject; the name is its object.)
            // Title then name ("le président azerbaïdjanais Ilham Aliyev"): take the person.
            let mut cand = None;
            let mut m_at = j;
            for _ in 0..3 {
                match mention_at(sv, m_at) {
                    Some(m) if speaker_class(ents, m.entity) => {
                        cand = Some(m.entity);
                        if ents.get(m.entity).class == Class::Person {
                            break;
                        }
                        m_at = m.end;
                        if m_at < n && norms[m_at] == "," {
                            m_at += 1;
                        }
                    }
                    _ => break,
                }
            }
            if cand.is_none() {
                if let Some(t) = sv.titles.iter().find(|t| t.start == j && t.person.is_some()) {
                    cand = t.person;
                }
            }
            speaker = cand;
        }
        let verb_start = (0..k).rev().take_while(|&p| matches!(norms[p], "a" | "ont" | "avait" | "avaient" | "aurait" | "est")).last().unwrap_or(k);
        if let Some((qo, qc)) = before_quote {
            if speaker.is_some() {
                set(*qo, *qc + 1, speaker, None, sv);
            }
        } else if speaker.is_some() {
            // "Le Kremlin a appelé…, a indiqué son porte-parole": what comes before is said.
            set(0, verb_start, speaker, None, sv);
        } else {
            // Canonical order: X a déclaré que … / X affirme : « … »
            if let Some(subj) = super::relations::subject_before(lex, ents, sv, verb_start) {
                if let Some(&s) = subj.first() {
                    if speaker_class(ents, s) {
                        speaker = Some(s);
                    }
                }
            }
            if speaker.is_some() {
                let mut from = k + 1;
                while from < n && !matches!(norms[from], "que" | "qu'" | ":" | "«") && from < k + 6 {
                    from += 1;
                }
                if from < n && matches!(norms[from], "que" | "qu'" | ":" | "«") {
                    set(from, n, speaker, None, sv);
                }
            }
        }
        if let Some(s) = speaker {
            if ents.get(s).class == Class::Person {
                ents.last_speaker = Some(s);
            }
            if lex.gazetteer.entities.get(ents.get(s).known.unwrap_or(usize::MAX)).is_some_and(|g| g.media) {
                // "rapporte Reuters": an outlet reporting, not a speaker.
                for k2 in 0..n {
                    if sv.said_by[k2] == Some(s) {
                        sv.said_by[k2] = None;
                        sv.reported_by[k2] = Some(s);
                    }
                }
            }
        }
    }
    // "selon X", "cité par l'agence Tass", "rapportent les agences Interfax et Reuters".
    for k in 0..n {
        let Some(len) = c.according_to.match_at(toks, k) else { continue };
        // Folding makes "rapporté" look like "rapporte": a one-word cue must match as written.
        if len == 1 {
            let raw = sv.raw(k).to_lowercase();
            if !c.according_raw.contains(&raw) {
                continue;
            }
        }
        let mut j = k + len;
        // Skip "l'agence de presse", "le quotidien", determiners.
        let mut skipped = 0;
        while j < n && skipped < 5 && mention_at(sv, j).is_none() && !matches!(norms[j], "," | "." | "«") {
            j += 1;
            skipped += 1;
        }
        let mut who = Vec::new();
        // "selon lui", "selon elle": the last speaker, else the last person who was a subject.
        if j < n && matches!(norms[j], "lui" | "elle" | "eux") {
            if let Some(p) = ents.last_speaker.or(ents.last_subject_person).or(ents.last_person) {
                who.push(p);
                j += 1;
            }
        }
        while let Some(m) = mention_at(sv, j) {
            who.push(m.entity);
            j = m.end;
            if j < n && matches!(norms[j], "et" | ",") && mention_at(sv, j + 1).is_some() {
                j += 1;
            } else {
                break;
            }
        }
        for w in who {
            let media = ents.get(w).known.is_some_and(|g| lex.gazetteer.entities[g].media);
            if media {
                set(0, k, None, Some(w), sv);
                set(j, n, None, Some(w), sv);
            } else if speaker_class(ents, w) {
                set(0, k, Some(w), None, sv);
                set(j, n, Some(w), None, sv);
            }
        }
    }
    // "nous", "notre", "nos" inside a quote: the speaker's state.
    for &(qo, qc) in &quotes {
        let Some(sp) = sv.said_by.get(qo + 1).copied().flatten() else { continue };
        let Some(state) = ents.state_of(sp) else { continue };
        for k in qo + 1..qc {
            if matches!(norms[k], "nous" | "notre" | "nos") && !sv.mentions.iter().any(|m| m.start <= k && k < m.end) {
                sv.mentions.push(Mention { start: k, end: k + 1, entity: state, kind: MKind::Pronoun, acting: Some(state), locative: false });
            }
        }
    }
    sv.mentions.sort_by_key(|m| (m.start, m.end));
}
