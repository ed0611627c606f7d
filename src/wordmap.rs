//! Word-keyed maps and sets for the lexicon, with a filter in front.
//!
//! The extractor asks dozens of lexicon questions per token ("is this a
//! determiner? an adverb? the first word of a trigger?"), and nearly every
//! answer is no. Hashing the word and probing a table for each of those
//! misses was about a tenth of the mapper's time. A `WordMap` first looks at a
//! small bitmap indexed by a fingerprint of the word (its length and its two
//! first and two last bytes): a clear bit is a certain no, without hashing the
//! word or touching the table. A set bit falls through to the table, so
//! answers are exactly those of the plain map.

use rustc_hash::FxHashMap as HashMap;

/// A map from words to values with a one-probe negative filter.
#[derive(Debug, Clone)]
pub struct WordMap<V> {
    map: HashMap<String, V>,
    filter: Vec<u64>,
    /// Right shift that turns a 64-bit fingerprint hash into a bit index.
    shift: u32,
}

/// A set of words with the same filter.
pub type WordSetExact = WordMap<()>;

impl<V> Default for WordMap<V> {
    fn default() -> Self {
        WordMap::from(HashMap::default())
    }
}

/// A hash of what is cheap to read in a word: its length, and its two first and
/// two last bytes.
#[inline]
fn fingerprint(w: &[u8]) -> u64 {
    let n = w.len();
    let x = match n {
        0 => 0,
        1 => 1 | (w[0] as u64) << 8,
        _ => n as u64 | (w[0] as u64) << 8 | (w[1] as u64) << 16 | (w[n - 2] as u64) << 24 | (w[n - 1] as u64) << 32,
    };
    // A multiply alone keeps the lattice structure of such keys (words that
    // differ only in their first bytes landed on each other's bits); the
    // splitmix64 finaliser mixes them apart.
    let mut z = x.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z ^ (z >> 31)
}

impl<V> From<HashMap<String, V>> for WordMap<V> {
    fn from(map: HashMap<String, V>) -> Self {
        // About 16 bits per word: a miss passes the filter about one time in sixteen.
        let bits = (map.len() * 16).next_power_of_two().max(512);
        let mut m = WordMap { map, filter: vec![0; bits / 64], shift: 64 - bits.trailing_zeros() };
        let slots: Vec<usize> = m.map.keys().map(|k| m.slot(k)).collect();
        for s in slots {
            m.filter[s >> 6] |= 1 << (s & 63);
        }
        m
    }
}

impl<V> WordMap<V> {
    #[inline]
    fn slot(&self, w: &str) -> usize {
        (fingerprint(w.as_bytes()) >> self.shift) as usize
    }

    /// False when `w` is certainly not a key.
    #[inline]
    fn may_contain(&self, w: &str) -> bool {
        let s = self.slot(w);
        self.filter[s >> 6] & (1 << (s & 63)) != 0
    }

    #[inline]
    pub fn get(&self, w: &str) -> Option<&V> {
        if self.may_contain(w) { self.map.get(w) } else { None }
    }

    #[inline]
    pub fn contains_key(&self, w: &str) -> bool {
        self.may_contain(w) && self.map.contains_key(w)
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Values can change in place; keys cannot, so the filter stays true.
    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut V> {
        self.map.values_mut()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&String, &V)> {
        self.map.iter()
    }
}

impl WordMap<()> {
    #[inline]
    pub fn contains(&self, w: &str) -> bool {
        self.contains_key(w)
    }
}

impl FromIterator<String> for WordMap<()> {
    fn from_iter<I: IntoIterator<Item = String>>(it: I) -> Self {
        WordMap::from(it.into_iter().map(|w| (w, ())).collect::<HashMap<_, _>>())
    }
}

/// Which of the lexicon's word lists a word belongs to, as bits.
///
/// The extractor asks about a dozen membership questions per token. Each list
/// registered in a `ClassesBuilder` gets a bit, and the tokenizer reads a
/// word's bits once per distinct word (its memo), so those questions become
/// bit tests on the token. A list registered after all 64 bits are taken gets
/// none and goes on answering by its table: the answers never change, only
/// their cost. Bits can only be read once registration is over (`finish`).
#[derive(Debug, Clone, Default)]
pub struct WordClasses {
    /// Unique per builder; 0 for no classes at all.
    id: u32,
    /// By folded form, and by transliteration key (the gazetteer matches keys).
    bits: HashMap<String, u64>,
    key_bits: HashMap<String, u64>,
    /// Lists that asked for a bit when all 64 were taken.
    refused: usize,
}

/// Hands out the bits of a `WordClasses`.
#[derive(Debug)]
pub struct ClassesBuilder {
    id: u32,
    next: u8,
    bits: HashMap<String, u64>,
    key_bits: HashMap<String, u64>,
    refused: usize,
}

/// A token's bits and the id of the `WordClasses` they were read from (0: none).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Classes {
    pub bits: u64,
    pub of: u32,
}

/// One list's bit in a `WordClasses`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClassBit {
    /// The classes' id; `u32::MAX` for none, which no token carries (tokens
    /// without classes carry 0), so that `test` is one compare.
    of: u32,
    mask: u64,
}

impl Default for ClassBit {
    fn default() -> Self {
        ClassBit::NONE
    }
}

impl ClassBit {
    /// No bit: the list answers by its table.
    pub const NONE: ClassBit = ClassBit { of: u32::MAX, mask: 0 };

    /// The answer the bits give for a token, `None` when they cannot give it
    /// (the list has no bit, or the token's bits come from other classes).
    #[inline]
    pub fn test(self, c: Classes) -> Option<bool> {
        (self.of == c.of).then_some(c.bits & self.mask != 0)
    }
}

impl ClassesBuilder {
    pub fn new() -> Self {
        use std::sync::atomic::{AtomicU32, Ordering};
        static NEXT: AtomicU32 = AtomicU32::new(1);
        ClassesBuilder { id: NEXT.fetch_add(1, Ordering::Relaxed), next: 0, bits: HashMap::default(), key_bits: HashMap::default(), refused: 0 }
    }

    /// A bit for the list `words` (folded words, as tokens carry them).
    pub fn register<'a>(&mut self, words: impl IntoIterator<Item = &'a str>) -> ClassBit {
        let b = Self::add(self.id, &mut self.next, &mut self.bits, words);
        self.refused += (b == ClassBit::NONE) as usize;
        b
    }

    /// A bit for the list `keys` (transliteration keys, as tokens carry them).
    pub fn register_keys<'a>(&mut self, keys: impl IntoIterator<Item = &'a str>) -> ClassBit {
        let b = Self::add(self.id, &mut self.next, &mut self.key_bits, keys);
        self.refused += (b == ClassBit::NONE) as usize;
        b
    }

    fn add<'a>(id: u32, next: &mut u8, map: &mut HashMap<String, u64>, words: impl IntoIterator<Item = &'a str>) -> ClassBit {
        if *next == 64 {
            return ClassBit::NONE;
        }
        let bit = *next;
        *next += 1;
        for w in words {
            *map.entry(w.to_string()).or_default() |= 1 << bit;
        }
        ClassBit { of: id, mask: 1 << bit }
    }

    pub fn finish(self) -> WordClasses {
        WordClasses { id: self.id, bits: self.bits, key_bits: self.key_bits, refused: self.refused }
    }
}

impl Default for ClassesBuilder {
    fn default() -> Self {
        ClassesBuilder::new()
    }
}

impl WordClasses {
    /// No classes: every token reads none.
    pub const EMPTY: WordClasses = WordClasses { id: 0, bits: HashMap::with_hasher(rustc_hash::FxBuildHasher), key_bits: HashMap::with_hasher(rustc_hash::FxBuildHasher), refused: 0 };

    /// How many lists got no bit (they answer by their tables: right, slower).
    pub fn refused(&self) -> usize {
        self.refused
    }

    /// Names these classes for the tokenizer's memo; 0 for none.
    pub fn id(&self) -> u32 {
        self.id
    }

    /// The bits of one token, by its folded form and its transliteration key.
    pub fn of(&self, norm: &str, key: &str) -> Classes {
        if self.id == 0 {
            return Classes::default();
        }
        let by = |m: &HashMap<String, u64>, w: &str| m.get(w).copied().unwrap_or(0);
        Classes { bits: by(&self.bits, norm) | by(&self.key_bits, key), of: self.id }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_exactly_as_the_plain_set() {
        let words = ["le", "la", "les", "l'", "de", "d'", "soutient", "soutenu", "a", "", "é", "azerbaidjan"];
        let set: WordSetExact = words.iter().map(|w| w.to_string()).collect();
        for w in words {
            assert!(set.contains(w), "{w}");
        }
        // Same length and ends as members, or no byte in common: all must be refused by the table.
        for w in ["lo", "li", "lee", "du", "soutenir", "soutent", "b", "azerbaidjn", "x", "le ", " le"] {
            assert!(!set.contains(w), "{w}");
        }
        assert_eq!(set.len(), words.len());
    }

    #[test]
    fn filter_rejects_most_misses() {
        let set: WordSetExact = (0..200).map(|i| format!("mot{i}")).collect();
        let passed = (0..10_000).filter(|i| set.may_contain(&format!("autre{i}"))).count();
        // One pass in sixteen on average (a bare multiplicative hash let 69 % through here).
        assert!(passed < 1_500, "{passed} of 10000 misses passed the filter");
    }

    #[test]
    fn class_bits_answer_for_their_own_classes_only() {
        let mut b = ClassesBuilder::new();
        let det = b.register(["le", "la"]);
        let prep = b.register(["de", "la"]);
        let wc = b.finish();
        assert_eq!(det.test(wc.of("la", "la")), Some(true));
        assert_eq!(prep.test(wc.of("la", "la")), Some(true));
        assert_eq!(det.test(wc.of("de", "de")), Some(false));
        assert_eq!(prep.test(wc.of("mot", "mot")), Some(false));
        // Bits read from other classes, or from none, give no answer: the caller asks its table.
        let other = ClassesBuilder::new().finish();
        assert_eq!(det.test(other.of("le", "le")), None);
        assert_eq!(det.test(WordClasses::EMPTY.of("le", "le")), None);
        assert_eq!(ClassBit::NONE.test(wc.of("le", "le")), None);
        // Keys have their own lists: a folded form is not read as a key, nor the reverse.
        let mut b = ClassesBuilder::new();
        let word = b.register(["karabagh"]);
        let key = b.register_keys(["karabak"]);
        let wc = b.finish();
        assert_eq!((word.test(wc.of("karabagh", "karabak")), key.test(wc.of("karabagh", "karabak"))), (Some(true), Some(true)));
        assert_eq!((word.test(wc.of("karabak", "x")), key.test(wc.of("karabak", "x"))), (Some(false), Some(false)));
    }

    #[test]
    fn lists_past_the_64th_get_no_bit() {
        let mut b = ClassesBuilder::new();
        let bits: Vec<ClassBit> = (0..70).map(|i| b.register([format!("w{i}").as_str()])).collect();
        let wc = b.finish();
        assert_eq!(bits[63].test(wc.of("w63", "")), Some(true));
        assert_eq!(bits[63].test(wc.of("w62", "")), Some(false));
        assert!(bits[64..].iter().all(|&x| x == ClassBit::NONE));
        assert_eq!(wc.refused(), 6);
    }

    #[test]
    fn maps_keep_their_values() {
        let mut m: HashMap<String, Vec<usize>> = HashMap::default();
        m.entry("appelle".into()).or_default().push(3);
        let mut wm = WordMap::from(m);
        wm.values_mut().for_each(|v| v.push(4));
        assert_eq!(wm.get("appelle"), Some(&vec![3, 4]));
        assert_eq!(wm.get("appelles"), None);
        assert!(WordMap::<()>::default().get("x").is_none());
    }
}
