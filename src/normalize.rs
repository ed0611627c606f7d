//! Word normalisation shared by the gazetteer and the text: case and accent
//! folding, and the transliteration key that lets unseen spellings of a name
//! meet (Pashinyan / Pachinian / Pasjinian).

use compact_str::CompactString;
use serde::Deserialize;
use unicode_normalization::UnicodeNormalization;

/// Lower-cases, strips diacritics and maps letters French keyboards lack
/// (ə, ı, ß, œ…) to their usual Latin transcription. Apostrophes become `'`.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    fold_with(s, |c| out.push(c));
    out
}

/// `fold` into an inline string: tokens are short enough to need no heap
/// allocation of their own.
pub fn fold_compact(s: &str) -> CompactString {
    if s.bytes().all(|b| b.is_ascii_lowercase()) {
        return CompactString::from(s);
    }
    let mut out = CompactString::with_capacity(s.len());
    fold_with(s, |c| out.push(c));
    out
}

fn fold_with(s: &str, mut push: impl FnMut(char)) {
    for c in s.chars() {
        match c {
            '\u{2019}' | '\u{2018}' | '\u{02BC}' | '`' | '\u{00B4}' => push('\''),
            'ə' | 'Ə' => push('a'),
            // "à" (preposition) must stay apart from "a" (has): the grammar reads them differently.
            'à' | 'À' => push('à'),
            'ı' | 'İ' => push('i'),
            'ß' => "ss".chars().for_each(&mut push),
            'œ' | 'Œ' => "oe".chars().for_each(&mut push),
            'æ' | 'Æ' => "ae".chars().for_each(&mut push),
            'ł' | 'Ł' => push('l'),
            'ø' | 'Ø' => push('o'),
            'đ' | 'Đ' => push('d'),
            c if c.is_ascii() => push(c.to_ascii_lowercase()),
            c => {
                for d in c.to_lowercase().nfd() {
                    if !is_combining(d) {
                        push(d);
                    }
                }
            }
        }
    }
}

fn is_combining(c: char) -> bool {
    matches!(c as u32, 0x0300..=0x036F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F)
}

/// Where a transliteration rule applies in a word.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum At {
    Any,
    End,
    Start,
}

/// One spelling rule of `ontology/lexicon/transliteration.toml`.
#[derive(Debug, Clone, Deserialize)]
pub struct Rule {
    pub from: String,
    pub to: String,
    pub at: At,
    #[serde(default)]
    pub min_len: usize,
}

/// The transliteration rules, applied in order to folded words.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Transliteration {
    pub rules: Vec<Rule>,
    /// Names this rule set for per-thread caches (`text::tokenize`): unique per
    /// load, so a cache never answers for another lexicon. 0: not loaded from
    /// a file (no cache). A loaded value's `rules` are read, never changed.
    #[serde(skip, default = "fresh_id")]
    pub(crate) id: u64,
}

fn fresh_id() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

impl Transliteration {
    /// The matching key of one folded word.
    pub fn key(&self, folded: &str) -> String {
        let mut w = folded.to_string();
        let mut len = w.chars().count();
        for r in &self.rules {
            if len < r.min_len {
                continue;
            }
            let before = w.len();
            match r.at {
                At::Any => {
                    if w.contains(r.from.as_str()) {
                        w = w.replace(r.from.as_str(), &r.to);
                    }
                }
                At::End => {
                    if w.ends_with(r.from.as_str()) {
                        w.truncate(w.len() - r.from.len());
                        w.push_str(&r.to);
                    }
                }
                At::Start => {
                    if w.starts_with(r.from.as_str()) {
                        w = format!("{}{}", r.to, &w[r.from.len()..]);
                    }
                }
            }
            if w.len() != before {
                len = w.chars().count();
            }
        }
        w
    }
}

/// A stable ASCII identifier made from a label: `Albert Mikaelyan` → `albert_mikaelyan`.
pub fn slug(label: &str) -> String {
    let mut out = String::new();
    let mut sep = false;
    for c in fold(label).chars() {
        if c.is_ascii_alphanumeric() {
            if sep && !out.is_empty() {
                out.push('_');
            }
            out.push(c);
            sep = false;
        } else {
            sep = true;
        }
    }
    if out.is_empty() {
        out.push('x');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> Transliteration {
        let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/ontology/lexicon/transliteration.toml")).unwrap();
        toml::from_str(&text).unwrap()
    }

    #[test]
    fn folds_case_accents_and_special_letters() {
        assert_eq!(fold("Azerbaïdjan"), "azerbaidjan");
        assert_eq!(fold("İlham Əliyev"), "ilham aliyev");
        assert_eq!(fold("l’Arménie"), "l'armenie");
        assert_eq!(fold("Œuvre"), "oeuvre");
        assert_eq!(fold("Erdoğan"), "erdogan");
        assert_eq!(fold("À Bakou, il a dit"), "à bakou, il a dit");
    }

    #[test]
    fn spelling_variants_share_a_key() {
        let t = rules();
        let k = |w: &str| t.key(&fold(w));
        for group in [
            &["Pashinyan", "Pachinian", "Pasjinian", "Pachinyan"][..],
            &["Aliyev", "Aliev", "Əliyev"],
            &["Hajiyev", "Hadjiev"],
            &["Choïgou", "Shoigu"],
            &["Poutine", "Putin"],
            &["Karabakh", "Karabagh"],
            &["Mirzoyan", "Mirzoïan"],
            &["Grigoryan", "Grigorian"],
            &["Kelbajar", "Kelbadjar"],
            &["Latchine", "Lachin"],
        ] {
            let first = k(group[0]);
            for w in &group[1..] {
                assert_eq!(k(w), first, "{w} vs {}", group[0]);
            }
        }
        assert_ne!(k("Arménie"), k("Albanie"));
    }

    #[test]
    fn slugs_are_ascii_and_stable() {
        assert_eq!(slug("Albert Mikaelyan"), "albert_mikaelyan");
        assert_eq!(slug("Marc de Cacqueray-Valmenier"), "marc_de_cacqueray_valmenier");
        assert_eq!(slug("  "), "x");
    }
}
