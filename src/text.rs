//! From a document's text to clean sentences and tokens: web boilerplate and
//! lines in other languages are dropped by line, sentences are split with
//! their byte offsets in the original text, and words are tokenised with their
//! folded form and transliteration key.

use crate::lexicon::{pack_short, Cues};
use crate::normalize::{fold, fold_compact, Transliteration};
use crate::wordmap::{Classes, WordClasses};
use compact_str::CompactString;
use std::ops::Range;

/// Sentences longer than this (in bytes) are cut at a word boundary: a 100 MB
/// single-line file must not become one sentence the extractor walks forever.
pub const MAX_SENTENCE_BYTES: usize = 2000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokKind {
    Word,
    Number,
    Punct,
}

/// One token, with byte offsets into the document body.
#[derive(Debug, Clone)]
pub struct Token {
    pub start: usize,
    pub end: usize,
    /// Lower-cased, accent-free form (`l'`, `azerbaidjan`, `-`).
    pub norm: CompactString,
    /// Transliteration key used for name matching.
    pub key: CompactString,
    pub kind: TokKind,
    /// First letter is upper case.
    pub cap: bool,
    /// Two or more letters, all upper case (acronyms).
    pub upper: bool,
    /// Directly attached to the previous token (no space): "Haut" "-" "Karabakh".
    pub glued: bool,
    /// The lexicon lists its folded form belongs to (see `WordClasses`).
    pub classes: Classes,
}

/// A sentence: its byte range in the body and its tokens.
#[derive(Debug, Clone)]
pub struct Sentence {
    pub start: usize,
    pub end: usize,
    pub tokens: Vec<Token>,
    /// Index of the paragraph (kept line) it belongs to.
    pub paragraph: usize,
}

/// The result of cleaning one document.
#[derive(Debug, Clone, Default)]
pub struct CleanText {
    pub sentences: Vec<Sentence>,
    pub title: Option<String>,
    /// Lines dropped as boilerplate or another language (byte ranges), for diagnostics.
    pub dropped: Vec<Range<usize>>,
}

const ELISIONS: &[&str] = &["l", "d", "n", "s", "j", "c", "m", "t", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu", "presqu"];

/// What a token's raw text alone decides: its folded form, its transliteration
/// key, its case flags (first letter upper; two or more letters, all upper)
/// and its lexicon classes. Numbers and punctuation have no letters, hence
/// no case, and are their own key.
fn word_facts(raw: &str, kind: TokKind, tr: &Transliteration, wc: &WordClasses) -> WordFacts {
    let norm = fold_compact(raw);
    if kind != TokKind::Word {
        let classes = wc.of(&norm, &norm);
        return (norm.clone(), norm, false, false, classes);
    }
    let key = if tr.rules.is_empty() { norm.clone() } else { CompactString::from(tr.key(&norm)) };
    let classes = wc.of(&norm, &key);
    let (mut first, mut letters, mut all_upper) = (None, 0usize, true);
    for ch in raw.chars() {
        if is_alpha(ch) {
            let up = ch.is_uppercase();
            first.get_or_insert(up);
            letters += 1;
            all_upper &= up;
        }
    }
    let cap = first == Some(true);
    (norm, key, cap, cap && letters >= 2 && all_upper, classes)
}

type WordFacts = (CompactString, CompactString, bool, bool, Classes);

thread_local! {
    /// `word_facts` memoised per thread, keyed by the raw token, for the
    /// transliteration and the word classes whose ids are the first field.
    static WORDS: std::cell::RefCell<((u64, u32), rustc_hash::FxHashMap<CompactString, WordFacts>)> = Default::default();
}

/// A lookup of `word_facts` for one transliteration, memoised per thread and
/// keyed by the raw word: news text repeats its words, and one lookup
/// replaces folding, transliterating and reading the case of each
/// occurrence again. The memo is borrowed once per sentence, not per word:
/// entering the thread-local per word was a quarter of the tokenizer's time.
struct WordInfo<'a> {
    tr: &'a Transliteration,
    classes: &'a WordClasses,
    memo: Option<&'a mut rustc_hash::FxHashMap<CompactString, WordFacts>>,
}

impl WordInfo<'_> {
    /// The facts of a raw token (its kind follows from its text, so the raw
    /// text alone keys the memo).
    fn get(&mut self, raw: &str, kind: TokKind) -> WordFacts {
        let Some(map) = self.memo.as_deref_mut() else { return word_facts(raw, kind, self.tr, self.classes) };
        if let Some(w) = map.get(raw) {
            return w.clone();
        }
        // Bounded: a corpus of unusually many distinct words starts it afresh.
        if map.len() > 200_000 {
            map.clear();
        }
        let w = word_facts(raw, kind, self.tr, self.classes);
        map.insert(raw.into(), w.clone());
        w
    }
}

/// Runs `f` with the calling thread's `WordInfo` for `tr` and `classes` (an
/// unmemoised one for a transliteration without id).
fn with_word_info<R>(tr: &Transliteration, classes: &WordClasses, f: impl FnOnce(&mut WordInfo) -> R) -> R {
    if tr.id == 0 {
        return f(&mut WordInfo { tr, classes, memo: None });
    }
    WORDS.with(|c| {
        let mut c = c.borrow_mut();
        let memo = &mut *c;
        // Another rule set or other classes: another memo.
        let key = (tr.id, classes.id());
        if memo.0 != key {
            memo.0 = key;
            memo.1.clear();
        }
        f(&mut WordInfo { tr, classes, memo: Some(&mut memo.1) })
    })
}

/// What the Unicode tables answer for `c` (is it alphabetic; is it
/// alphanumeric) in the blocks French text draws on: ASCII, Latin-1, Latin
/// Extended-A, and General Punctuation (’ – — … “ ”), answered without the
/// tables, whose search showed in the profile on accented text and on
/// typographic punctuation; `None` elsewhere.
#[inline]
fn latin_class(c: char) -> Option<(bool, bool)> {
    match c as u32 {
        0..=0x7F => Some((c.is_ascii_alphabetic(), c.is_ascii_alphanumeric())),
        // Latin-1 punctuation and signs (« » ° €…), but for three letters and six numbers.
        0x80..=0xBF => {
            let letter = matches!(c, 'ª' | 'µ' | 'º');
            Some((letter, letter || matches!(c, '²' | '³' | '¹' | '¼' | '½' | '¾')))
        }
        0xC0..=0x17F => {
            let letter = c != '×' && c != '÷';
            Some((letter, letter))
        }
        0x2000..=0x206F => Some((false, false)),
        _ => None,
    }
}

/// `char::is_alphabetic`, French text's blocks answered directly.
#[inline]
fn is_alpha(c: char) -> bool {
    latin_class(c).map_or_else(|| c.is_alphabetic(), |(a, _)| a)
}

/// `char::is_alphanumeric`, French text's blocks answered directly.
#[inline]
fn is_alnum(c: char) -> bool {
    latin_class(c).map_or_else(|| c.is_alphanumeric(), |(_, an)| an)
}

/// The char at byte `i` of `s` (a char boundary), decoded only past 0x7F:
/// most of French text is ASCII.
#[inline]
fn char_at(s: &str, i: usize) -> Option<char> {
    let b = *s.as_bytes().get(i)?;
    if b < 0x80 { Some(b as char) } else { s[i..].chars().next() }
}

/// Splits `text` into tokens; offsets are shifted by `base`. The tokens carry
/// no word classes (see `tokenize_classified`).
pub fn tokenize(text: &str, base: usize, tr: &Transliteration) -> Vec<Token> {
    static NONE: WordClasses = WordClasses::EMPTY;
    tokenize_classified(text, base, tr, &NONE)
}

/// `tokenize`, each token carrying its word classes in `classes`.
pub fn tokenize_classified(text: &str, base: usize, tr: &Transliteration, classes: &WordClasses) -> Vec<Token> {
    with_word_info(tr, classes, |word_info| tokenize_with(text, base, word_info))
}

/// Which ASCII bytes are alphanumeric, or `also`: a byte class as one table load.
const fn ascii_alnum_and(also: Option<u8>) -> [bool; 128] {
    let mut t = [false; 128];
    let mut b = 0;
    while b < 128 {
        t[b] = (b as u8).is_ascii_alphanumeric() || matches!(also, Some(a) if a as usize == b);
        b += 1;
    }
    t
}

/// `u8::is_ascii_alphanumeric` (the tokenizer's word bytes).
const ASCII_ALNUM: [bool; 128] = ascii_alnum_and(None);

/// The language check's word bytes: alphanumerics and the apostrophe.
const ASCII_WORD: [bool; 128] = ascii_alnum_and(Some(b'\''));

fn tokenize_with(text: &str, base: usize, words: &mut WordInfo) -> Vec<Token> {
    let next_char = |i: usize| char_at(text, i).unwrap_or(' ');
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(text.len() / 5);
    let mut i = 0;
    let mut prev_end = usize::MAX;
    while i < text.len() {
        // ASCII spaces, most of the whitespace, without decoding (`char::is_whitespace` on ASCII).
        if matches!(bytes[i], b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r') {
            i += 1;
            continue;
        }
        let c = next_char(i);
        let clen = c.len_utf8();
        if c.is_whitespace() {
            i += clen;
            continue;
        }
        let start = i;
        let kind;
        if is_alnum(c) {
            let mut j = i;
            let mut all_digit = true;
            while j < text.len() {
                // A run of ASCII letters and digits byte by byte (what `is_alnum` answers for ASCII).
                let b = bytes[j];
                if b < 0x80 && ASCII_ALNUM[b as usize] {
                    all_digit &= b.is_ascii_digit();
                    j += 1;
                    continue;
                }
                let d = next_char(j);
                if is_alnum(d) || is_mark(d) {
                    if !d.is_ascii_digit() {
                        all_digit = false;
                    }
                    j += d.len_utf8();
                } else {
                    break;
                }
            }
            // Elision: "l'", "qu'" keep their apostrophe.
            if j < text.len() {
                let d = next_char(j);
                if matches!(d, '\'' | '\u{2019}' | '\u{02BC}') && j - i <= 7 && is_elision(&text[i..j]) {
                    j += d.len_utf8();
                }
            }
            // "M. Dupont", "MM. Dupont et Durand": the honorific keeps its full stop, which
            // would otherwise read as the end of a clause.
            if j < text.len() && bytes[j] == b'.' && matches!(&text[i..j], "M" | "MM") {
                j += 1;
            }
            i = j;
            kind = if all_digit { TokKind::Number } else { TokKind::Word };
        } else {
            i += clen;
            kind = TokKind::Punct;
        }
        let (norm, key, cap, upper, classes) = words.get(&text[start..i], kind);
        out.push(Token {
            start: base + start,
            end: base + i,
            norm,
            key,
            kind,
            cap,
            upper,
            glued: prev_end == start,
            classes,
        });
        prev_end = i;
    }
    out
}

/// Whether a word before an apostrophe is an elided one ("l", "Qu"). ASCII
/// words are compared without folding (and its allocation): they are nearly
/// all of them, and folding ASCII only lower-cases it.
fn is_elision(w: &str) -> bool {
    if w.is_ascii() {
        return ELISIONS.iter().any(|e| e.eq_ignore_ascii_case(w));
    }
    ELISIONS.contains(&fold(w).as_str())
}

fn is_mark(c: char) -> bool {
    matches!(c as u32, 0x0300..=0x036F)
}

/// Why a line was dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineVerdict {
    Keep,
    Boilerplate,
    Tail,
    OtherLanguage,
    Fragment,
}

/// Classifies one trimmed line.
pub fn classify_line(line: &str, cues: &Cues) -> LineVerdict {
    let t = line.trim();
    if t.is_empty() {
        return LineVerdict::Fragment;
    }
    if cues.tail_re.is_match(t) {
        return LineVerdict::Tail;
    }
    if cues.boilerplate_re.is_match(t) {
        return LineVerdict::Boilerplate;
    }
    if other_language(t, cues) {
        return LineVerdict::OtherLanguage;
    }
    // Only whether there are more than two words matters: no need to count them all.
    let few_words = t.split_whitespace().nth(2).is_none();
    let ends_sentence = t.ends_with(['.', '!', '?', '»', '"', '…', ':']);
    if few_words && !ends_sentence {
        return LineVerdict::Fragment;
    }
    LineVerdict::Keep
}

/// A non-ASCII letter of French spelling, either case: answered by one
/// `match`, where lower-casing and searching a string per accented letter
/// showed in the line verdict's profile.
#[inline]
fn french_letter(c: char) -> bool {
    matches!(
        c,
        'à' | 'â' | 'ä' | 'ç' | 'é' | 'è' | 'ê' | 'ë' | 'î' | 'ï' | 'ô' | 'ö' | 'ù' | 'û' | 'ü' | 'ÿ' | 'œ' | 'æ' | 'À' | 'Â' | 'Ä' | 'Ç' | 'É' | 'È' | 'Ê' | 'Ë' | 'Î' | 'Ï' | 'Ô' | 'Ö' | 'Ù' | 'Û' | 'Ü' | 'Ÿ' | 'Œ' | 'Æ'
    )
}

/// Decides by the line's own words and letters, not by a list of phrases.
fn other_language(line: &str, cues: &Cues) -> bool {
    // One pass over the bytes counts foreign letters, words and English
    // function words; a char is decoded only past 0x7F. Words are runs of
    // alphanumerics and apostrophes; English ones are ASCII. Every letter
    // is inside a word, so the separators between words are skipped whole,
    // and the letters are counted only when the foreign ones may matter.
    let bytes = line.as_bytes();
    let (mut foreign, mut n, mut en) = (0usize, 0usize, 0usize);
    let ascii_word = |b: u8| b < 0x80 && ASCII_WORD[b as usize];
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let c = if b < 0x80 { b as char } else { line[i..].chars().next().unwrap_or(' ') };
        if !(ascii_word(b) || (b >= 0x80 && (is_alnum(c) || c == '\u{2019}'))) {
            i += c.len_utf8();
            continue;
        }
        let from = i;
        let mut ascii = true;
        while i < bytes.len() {
            let b = bytes[i];
            if b < 0x80 {
                if !ascii_word(b) {
                    break;
                }
                i += 1;
                continue;
            }
            let c = line[i..].chars().next().unwrap_or(' ');
            if !(is_alnum(c) || c == '\u{2019}') {
                break;
            }
            if is_alpha(c) && !french_letter(c) {
                // Rare: a letter French does not write, or one folding to ASCII ("İ").
                let l = c.to_lowercase().next().unwrap_or(c);
                if !(l.is_ascii_lowercase() || french_letter(l)) {
                    foreign += 1;
                }
            }
            ascii = false;
            i += c.len_utf8();
        }
        n += 1;
        if !ascii {
            continue;
        }
        let w = &bytes[from..i];
        if let Some(packed) = &cues.english_packed {
            // Every English word is short: a longer word is none of them.
            if pack_short(w).is_some_and(|p| packed.binary_search(&p).is_ok()) {
                en += 1;
            }
        } else if w.len() <= 16 && std::str::from_utf8(w).is_ok_and(|x| cues.english_words.contains(&x.to_ascii_lowercase())) {
            en += 1;
        }
    }
    if foreign >= 2 && foreign * 20 >= line.chars().filter(|&c| is_alpha(c)).count() {
        return true;
    }
    if n < cues.boilerplate.min_words_for_language || en < 2 || en * 5 < n {
        return false;
    }
    let fr = line.split(|c: char| !c.is_alphanumeric() && c != '\'' && c != '\u{2019}').filter(|w| !w.is_empty() && cues.french_words.contains(fold(w).trim_end_matches('\''))).count();
    en > fr && en * 5 >= n
}

/// Cleans a document body into sentences.
pub fn clean(body: &str, cues: &Cues, tr: &Transliteration) -> CleanText {
    let mut out = CleanText::default();
    let mut pos = 0;
    let mut paragraph = 0;
    let mut in_tail = false;
    for raw_line in body.split_inclusive('\n') {
        let line_start = pos;
        pos += raw_line.len();
        let line = raw_line.trim_end_matches(['\n', '\r']);
        if line.trim().is_empty() {
            continue;
        }
        if in_tail {
            out.dropped.push(line_start..line_start + line.len());
            continue;
        }
        match classify_line(line, cues) {
            LineVerdict::Keep => {}
            LineVerdict::Tail => {
                // Only once the article has started: a page may open with a menu.
                if !out.sentences.is_empty() {
                    in_tail = true;
                }
                out.dropped.push(line_start..line_start + line.len());
                continue;
            }
            _ => {
                out.dropped.push(line_start..line_start + line.len());
                continue;
            }
        }
        let lead = line.len() - line.trim_start().len();
        let content = line.trim();
        let cstart = line_start + lead;
        let spans = split_sentences(content, cues);
        if out.title.is_none() {
            let t = if content.len() <= 200 { content } else { &content[spans[0].clone()] };
            out.title = Some(first_chars(t, 200).to_string());
        }
        for r in spans {
            let s = &content[r.clone()];
            let tokens = tokenize_classified(s, cstart + r.start, tr, &cues.classes);
            if tokens.is_empty() {
                continue;
            }
            out.sentences.push(Sentence { start: cstart + r.start, end: cstart + r.end, tokens, paragraph });
        }
        paragraph += 1;
    }
    out
}

/// The first `n` characters of `s`, as a slice of it.
pub fn first_chars(s: &str, n: usize) -> &str {
    if s.len() <= n {
        return s;
    }
    // `n` bytes hold at most `n` chars: count those at once, then walk the rest.
    let mut end = n;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    let short = n - s[..end].chars().count();
    &s[..s[end..].char_indices().nth(short).map_or(s.len(), |(i, _)| end + i)]
}

/// Whether terminal punctuation ends a sentence, given the next non-space
/// char after it and whether a space follows at once: at the paragraph's
/// end, or before a space and a capital, an opening quote, a dash or a digit.
fn ends_sentence(next: Option<char>, spaced: bool) -> bool {
    match next {
        None => true,
        Some(n) => spaced && (n.is_uppercase() || matches!(n, '«' | '"' | '“' | '-' | '–' | '—') || n.is_ascii_digit()),
    }
}

/// Sentence spans (byte ranges) inside one paragraph. A full stop ends a
/// sentence when followed by a space and a capital, a quote or a dash, unless
/// it closes an abbreviation or an initial; nothing inside «…» splits.
pub fn split_sentences(p: &str, cues: &Cues) -> Vec<Range<usize>> {
    // Walks the bytes (a paragraph is mostly ASCII, its terminal marks few).
    let char_at = |i: usize| char_at(p, i);
    let mut spans = Vec::new();
    let opens = p.matches('«').count();
    let closes = p.matches('»').count();
    let track_quotes = opens == closes;
    let mut depth = 0i32;
    let mut start = 0usize;
    let mut bi = 0;
    let bytes = p.as_bytes();
    loop {
        // Under the length cap only '.', '!', '?' and the lead bytes of '«',
        // '»' and '…' can change anything: skip to the next of those bytes
        // (never a continuation byte, so the skip ends on a char boundary,
        // unless it ends at the cap, inside a char that does not matter).
        let under_cap = (start + MAX_SENTENCE_BYTES + 1).min(p.len());
        bi = next_mark(bytes, bi, under_cap);
        while !p.is_char_boundary(bi) {
            bi += 1;
        }
        let Some(c) = char_at(bi) else { break };
        match c {
            '«' if track_quotes => depth += 1,
            '»' if track_quotes => depth = (depth - 1).max(0),
            '.' | '!' | '?' | '…' if depth == 0 => {
                // Swallow runs like "?!" or "...".
                let mut e = bi + c.len_utf8();
                while let Some(d @ ('.' | '!' | '?' | '…')) = char_at(e) {
                    e += d.len_utf8();
                }
                // Closing quotes/parentheses stay with the sentence.
                while let Some(d @ ('"' | '”' | ')' | '»')) = char_at(e) {
                    e += d.len_utf8();
                }
                let next = p[e..].chars().find(|c| !c.is_whitespace());
                let spaced = char_at(e).is_some_and(char::is_whitespace);
                if ends_sentence(next, spaced) && !(c == '.' && is_abbreviation(&p[start..bi], cues)) {
                    push_span(&mut spans, p, start, e);
                    start = e;
                }
                bi = e;
                continue;
            }
            _ => {}
        }
        if bi - start > MAX_SENTENCE_BYTES && c.is_whitespace() {
            push_span(&mut spans, p, start, bi);
            start = bi;
        }
        bi += c.len_utf8();
    }
    push_span(&mut spans, p, start, p.len());
    if spans.is_empty() {
        spans.push(0..p.len());
    }
    spans
}

/// Whether a byte may end a sentence or open a quote: '.', '!', '?', or the
/// lead byte of '«', '»' (0xC2) and '…' (0xE2).
#[inline]
fn is_mark_byte(b: u8) -> bool {
    MARK_BYTES.contains(&b)
}

const MARK_BYTES: [u8; 5] = [b'.', b'!', b'?', 0xC2, 0xE2];

/// The first index in `i..to` whose byte `is_mark_byte`, else `to`. Eight
/// bytes at a time: a word has a zero byte where it equals a mark, and
/// `(y - 0x01…) & !y & 0x80…` is non-zero exactly when `y` has a zero byte.
fn next_mark(bytes: &[u8], mut i: usize, to: usize) -> usize {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let zero_byte = |y: u64| y.wrapping_sub(LO) & !y & HI;
    while i + 8 <= to {
        let mut w = [0u8; 8];
        w.copy_from_slice(&bytes[i..i + 8]);
        let x = u64::from_le_bytes(w);
        if MARK_BYTES.iter().fold(0, |acc, &m| acc | zero_byte(x ^ (LO * m as u64))) != 0 {
            break;
        }
        i += 8;
    }
    while i < to && !is_mark_byte(bytes[i]) {
        i += 1;
    }
    i
}

fn push_span(spans: &mut Vec<Range<usize>>, p: &str, start: usize, end: usize) {
    let s = &p[start..end];
    let lead = s.len() - s.trim_start().len();
    let trail = s.len() - s.trim_end().len();
    if lead + trail < s.len() {
        spans.push(start + lead..end - trail);
    }
}

fn is_abbreviation(before: &str, cues: &Cues) -> bool {
    let start = before.char_indices().rev().take_while(|(_, c)| c.is_alphanumeric() || *c == '.' || *c == '-').last().map_or(before.len(), |(i, _)| i);
    let word = &before[start..];
    if word.is_empty() {
        return false;
    }
    // An initial ("J. Smith") or a listed abbreviation ("M.", "Mme.").
    let mut letters = word.chars().filter(|c| c.is_alphabetic());
    if let (Some(first), None) = (letters.next(), letters.next()) {
        if first.is_uppercase() {
            return true;
        }
    }
    cues.sentence.abbreviations.iter().any(|a| a == word)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexicon::Lexicon;

    #[test]
    fn letter_shortcuts_agree_with_unicode() {
        // Every char of the blocks answered directly, and beyond.
        for c in (0..0x3000u32).filter_map(char::from_u32) {
            assert_eq!(is_alnum(c), c.is_alphanumeric(), "{c:?}");
            assert_eq!(is_alpha(c), c.is_alphabetic(), "{c:?}");
        }
    }

    fn lex() -> &'static Lexicon {
        crate::lexicon::tests::shared()
    }

    fn sentences(p: &str) -> Vec<&str> {
        split_sentences(p, &lex().cues).into_iter().map(|r| &p[r]).collect()
    }

    #[test]
    fn splits_on_full_stops_but_not_abbreviations() {
        assert_eq!(
            sentences("M. Dupont est arrivé. Mme Durand aussi. Le 17 avril, J. Smith a parlé."),
            vec!["M. Dupont est arrivé.", "Mme Durand aussi.", "Le 17 avril, J. Smith a parlé."]
        );
    }

    #[test]
    fn an_honorific_keeps_its_full_stop() {
        let toks = tokenize("M. Dupont et MM. Durand. Le M", 0, &Transliteration::default());
        let words: Vec<&str> = toks.iter().map(|t| t.norm.as_str()).collect();
        assert_eq!(words, ["m.", "dupont", "et", "mm.", "durand", ".", "le", "m"]);
    }

    #[test]
    fn keeps_a_quotation_whole() {
        let s = sentences("« Nous avançons. Ils reculent », a-t-il déclaré. Puis il est parti.");
        assert_eq!(s, vec!["« Nous avançons. Ils reculent », a-t-il déclaré.", "Puis il est parti."]);
    }

    #[test]
    fn no_split_inside_numbers_or_lowercase_continuations() {
        assert_eq!(sentences("Il y a 2.000 soldats. ok."), vec!["Il y a 2.000 soldats. ok."]);
        assert_eq!(sentences("Quoi ? Rien."), vec!["Quoi ?", "Rien."]);
    }

    #[test]
    fn long_lines_are_cut() {
        let p = "mot ".repeat(2000);
        let spans = split_sentences(&p, &lex().cues);
        assert!(spans.len() > 1);
        assert!(spans.iter().all(|r| r.len() <= MAX_SENTENCE_BYTES + 10));
    }

    #[test]
    fn tokens_keep_offsets_and_elisions() {
        let text = "l’Azerbaïdjan et le Haut-Karabakh";
        let toks = tokenize(text, 10, &lex().translit);
        let norms: Vec<&str> = toks.iter().map(|t| t.norm.as_str()).collect();
        assert_eq!(norms, vec!["l'", "azerbaidjan", "et", "le", "haut", "-", "karabakh"]);
        assert_eq!(&text[toks[1].start - 10..toks[1].end - 10], "Azerbaïdjan");
        assert!(toks[5].glued && toks[6].glued);
        assert!(toks[1].cap && !toks[1].upper);
    }

    #[test]
    fn boilerplate_and_other_languages_are_dropped() {
        let c = &lex().cues;
        for (line, v) in [
            ("Lire aussi : Poutine reçoit Erdogan à Sotchi", LineVerdict::Boilerplate),
            ("Laisser un commentaire", LineVerdict::Tail),
            ("Nga rút lực lượng gìn giữ hòa bình khỏi Nagorno-Karabakh- Ảnh 1.", LineVerdict::OtherLanguage),
            ("Russia withdraws its peacekeepers from Karabakh, says the Kremlin", LineVerdict::OtherLanguage),
            ("34", LineVerdict::Boilerplate),
            ("La Turquie soutient l'Azerbaïdjan.", LineVerdict::Keep),
            ("La Russie s'implique dans le conflit", LineVerdict::Keep),
        ] {
            assert_eq!(classify_line(line, c), v, "{line}");
        }
    }

    /// The definition the one-pass `other_language` must agree with: letters
    /// by char, words by `str::split`, each counted separately.
    fn other_language_by_definition(line: &str, cues: &Cues) -> bool {
        let letters = line.chars().filter(|c| c.is_alphabetic()).count();
        let foreign = line.chars().filter(|c| c.is_alphabetic() && !c.is_ascii()).map(|c| c.to_lowercase().next().unwrap_or(c)).filter(|l| !(l.is_ascii_lowercase() || "àâäçéèêëîïôöùûüÿœæ".contains(*l))).count();
        if foreign >= 2 && foreign * 20 >= letters {
            return true;
        }
        let words: Vec<&str> = line.split(|c: char| !c.is_alphanumeric() && c != '\'' && c != '\u{2019}').filter(|w| !w.is_empty()).collect();
        let en = words.iter().filter(|w| w.is_ascii() && w.len() <= 16 && cues.english_words.contains(&w.to_ascii_lowercase())).count();
        if words.len() < cues.boilerplate.min_words_for_language || en < 2 || en * 5 < words.len() {
            return false;
        }
        let fr = words.iter().filter(|w| cues.french_words.contains(fold(w).trim_end_matches('\''))).count();
        en > fr && en * 5 >= words.len()
    }

    /// The splitter as first written, over a table of all chars: the byte
    /// walk must give the same spans.
    fn split_sentences_by_char_table(p: &str, cues: &Cues) -> Vec<Range<usize>> {
        let mut spans = Vec::new();
        let chars: Vec<(usize, char)> = p.char_indices().collect();
        let opens = p.matches('«').count();
        let closes = p.matches('»').count();
        let track_quotes = opens == closes;
        let mut depth = 0i32;
        let mut start = 0usize;
        let mut k = 0;
        while k < chars.len() {
            let (bi, c) = chars[k];
            match c {
                '«' if track_quotes => depth += 1,
                '»' if track_quotes => depth = (depth - 1).max(0),
                '.' | '!' | '?' | '…' if depth == 0 => {
                    // Swallow runs like "?!" or "...".
                    let mut e = k + 1;
                    while e < chars.len() && matches!(chars[e].1, '.' | '!' | '?' | '…') {
                        e += 1;
                    }
                    // Closing quotes/parentheses stay with the sentence.
                    while e < chars.len() && matches!(chars[e].1, '"' | '”' | ')' | '»') {
                        e += 1;
                    }
                    let end_byte = if e < chars.len() { chars[e].0 } else { p.len() };
                    let next = chars[e..].iter().find(|(_, c)| !c.is_whitespace()).map(|&(_, c)| c);
                    let spaced = e < chars.len() && chars[e].1.is_whitespace();
                    if ends_sentence(next, spaced) && !(c == '.' && is_abbreviation(&p[start..bi], cues)) {
                        push_span(&mut spans, p, start, end_byte);
                        start = end_byte;
                    }
                    k = e;
                    continue;
                }
                _ => {}
            }
            if bi - start > MAX_SENTENCE_BYTES && c.is_whitespace() {
                push_span(&mut spans, p, start, bi);
                start = bi;
            }
            k += 1;
        }
        push_span(&mut spans, p, start, p.len());
        if spans.is_empty() {
            spans.push(0..p.len());
        }
        spans
    }

    proptest::proptest! {
        #[test]
        fn byte_walk_splits_as_the_char_table(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "Il", "est", "M", "Mme", "J", "2023", "É", "à", "l’Arménie", ".", "!", "?", "…", "...", "?!", "«", "»",
                "\"", "”", ")", "(", "-", "—", " ", "  ", "\n", "ok", "Ảnh", "a", "mot mot mot mot mot mot mot mot mot mot",
                // Long runs, so that sentences reach the length cap inside multi-byte chars too.
                &*Box::leak("é".repeat(333).into_boxed_str()), &*Box::leak("x".repeat(401).into_boxed_str()), "€…\u{a0}",
            ]), 0..60),
        ) {
            let p: String = parts.concat();
            let c = &lex().cues;
            proptest::prop_assert_eq!(split_sentences(&p, c), split_sentences_by_char_table(&p, c), "{:?}", p);
        }
    }

    /// The tokenizer's spans and kinds as first written, char by char with
    /// the Unicode tables: the byte shortcuts must give the same.
    fn token_spans_by_chars(text: &str) -> Vec<(usize, usize, TokKind)> {
        let chars: Vec<(usize, char)> = text.char_indices().collect();
        let at = |k: usize| chars.get(k).map_or(text.len(), |x| x.0);
        let mut out = Vec::new();
        let mut k = 0;
        while k < chars.len() {
            let c = chars[k].1;
            if c.is_whitespace() {
                k += 1;
                continue;
            }
            let start = k;
            if c.is_alphanumeric() {
                let mut all_digit = true;
                while k < chars.len() && (chars[k].1.is_alphanumeric() || matches!(chars[k].1 as u32, 0x0300..=0x036F)) {
                    all_digit &= chars[k].1.is_ascii_digit();
                    k += 1;
                }
                if k < chars.len() && matches!(chars[k].1, '\'' | '\u{2019}' | '\u{02BC}') && at(k) - at(start) <= 7 && ELISIONS.contains(&fold(&text[at(start)..at(k)]).as_str()) {
                    k += 1;
                }
                if k < chars.len() && chars[k].1 == '.' && matches!(&text[at(start)..at(k)], "M" | "MM") {
                    k += 1;
                }
                out.push((at(start), at(k), if all_digit { TokKind::Number } else { TokKind::Word }));
            } else {
                k += 1;
                out.push((at(start), at(k), TokKind::Punct));
            }
        }
        out
    }

    proptest::proptest! {
        #[test]
        fn byte_shortcuts_tokenize_as_the_char_tables(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "L", "l", "qu", "Qu", "'", "’", "ʼ", "Arménie", "e\u{301}", "2023", "17h30", " ", "\u{b}", "\u{c}", "\t", "\n",
                "\u{a0}", "\u{2009}", "«", "»", "-", "…", "²", "ª", "Ảnh", "Россия", "x", "-t-il", ".", "\u{85}", "M", "MM",
            ]), 0..40),
        ) {
            let text: String = parts.concat();
            let got: Vec<(usize, usize, TokKind)> = tokenize(&text, 0, &Transliteration::default()).into_iter().map(|t| (t.start, t.end, t.kind)).collect();
            proptest::prop_assert_eq!(got, token_spans_by_chars(&text), "{:?}", text);
        }
    }

    proptest::proptest! {
        #[test]
        fn one_pass_language_check_agrees_with_its_definition(
            words in proptest::collection::vec(proptest::sample::select(vec![
                "the", "The", "of", "and", "is", "to", "with", "says", "la", "le", "de", "et", "Karabakh",
                "Arménie", "l'", "l’", "Ảnh", "hòa", "Россия", "мир", "É", "2023", "it's", "x", "œuvre",
                "İzmir", "ÉTAT", "Œil", "Straße", "ŸVES", "Đà", "Çà",
            ]), 0..24),
            seps in proptest::collection::vec(proptest::sample::select(vec![" ", ", ", "-", " « ", ". ", "’", "\u{301} "]), 24),
        ) {
            let line: String = words.iter().zip(&seps).map(|(w, s)| format!("{w}{s}")).collect();
            let c = &lex().cues;
            proptest::prop_assert_eq!(other_language(&line, c), other_language_by_definition(&line, c), "{}", line);
        }
    }

    #[test]
    fn first_chars_counts_chars_not_bytes() {
        assert_eq!(first_chars("abc", 5), "abc");
        assert_eq!(first_chars("abcdef", 3), "abc");
        assert_eq!(first_chars("ééééé", 3), "ééé");
        assert_eq!(first_chars("aéb€cd", 4), "aéb€");
        for s in ["Arménie, «  Bakou » – 2024", "x".repeat(50).as_str(), &"é".repeat(40)] {
            for n in 0..45 {
                assert_eq!(first_chars(s, n), s.chars().take(n).collect::<String>(), "{s} {n}");
            }
        }
    }

    #[test]
    fn marks_are_found_eight_bytes_at_a_time_as_one_by_one() {
        let text = "Il a dit « non » à l’armée… puis? Oui! Fin. 2023 — x".repeat(3);
        let b = text.as_bytes();
        for from in 0..b.len() {
            for to in [from, (from + 5).min(b.len()), (from + 17).min(b.len()), b.len()] {
                let slow = (from..to).find(|&i| is_mark_byte(b[i])).unwrap_or(to);
                assert_eq!(next_mark(b, from, to), slow, "{from}..{to}");
            }
        }
        // Bytes next to a mark's value in the word arithmetic are no marks.
        let near = [b'-', b'/', b' ', b'>', b'@', 0xC1, 0xC3, 0xE1, 0xE3, 0x80, 0xFF, 0x00, b'a', b'.'];
        assert_eq!(next_mark(&near, 0, near.len()), 13);
    }

    #[test]
    fn elisions_keep_their_apostrophe_whatever_the_case() {
        let norms = |t: &str| tokenize(t, 0, &Transliteration::default()).into_iter().map(|t| t.norm.to_string()).collect::<Vec<_>>();
        assert_eq!(norms("L'armée QU’il d'Erevan"), ["l'", "armee", "qu'", "il", "d'", "erevan"]);
        // Not an elision: the apostrophe stands alone; and a folded non-ASCII word is compared folded.
        assert_eq!(norms("Abc'def"), ["abc", "'", "def"]);
        assert!(is_elision("Jusqu") && is_elision("l") && !is_elision("la") && !is_elision("é"));
    }

    #[test]
    fn tail_markers_end_the_article() {
        let body = "Titre de l'article\nLa Turquie soutient l'Azerbaïdjan.\nLaisser un commentaire\nMacron en Tunisie samedi et dimanche pour parler.\n";
        let c = clean(body, &lex().cues, &lex().translit);
        assert_eq!(c.title.as_deref(), Some("Titre de l'article"));
        assert_eq!(c.sentences.len(), 2);
        assert_eq!(&body[c.sentences[1].start..c.sentences[1].end], "La Turquie soutient l'Azerbaïdjan.");
    }
}
