//! Corpus cleaning: raw text (a PDF extraction, a web page's text, markdown,
//! HTML) in, a [`Document`] out.
//!
//! The pipeline, line by line:
//! 1. inline markup ([`markup`]): footnote markers (`<sup>n</sup>`, superscript
//!    digits, `|n|`) become sentinels; markdown links, emphasis and escapes go;
//!    HTML becomes text first;
//! 2. furniture is dropped: page footers ("16/18", "18-01399", a repeated symbol),
//!    `undocs.org` link lists, rules, web-site chrome before the body and after
//!    the notes;
//! 3. structure ([`structure`]): headings by their label (I. → 1, A. → 2, 1. → 3,
//!    unlabelled → 4), numbered paragraphs 1..N (a number is a paragraph only if it
//!    is the next in sequence, so "1. Africa" is a heading), footnote blocks, and
//!    text cut off by a page break or a footnote block joined back to its paragraph;
//! 4. repairs ([`repair`]): hard wraps and line-end hyphens, words split by stray
//!    spaces (only where the corpus attests the joined word and a part is no word),
//!    bare footnote numbers of PDF extractions (which run 1, 2, 3…).

mod markup;
mod repair;
mod structure;

use std::collections::HashMap;

use crate::document::{Document, Meta};

pub use markup::{html_to_text, html_title};

/// The syntax of a raw input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputFormat {
    Text,
    Markdown,
    Html,
}

impl InputFormat {
    /// Guess from a file name's extension.
    pub fn from_file_name(name: &str) -> Self {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".md") || lower.ends_with(".markdown") {
            Self::Markdown
        } else if lower.ends_with(".html") || lower.ends_with(".htm") {
            Self::Html
        } else {
            Self::Text
        }
    }
}

/// A fast hasher for short string keys (the Fx hash of rustc): the lexicon is
/// built and queried on every start-up, where SipHash's cost shows.
#[derive(Default, Clone, Copy)]
pub struct FxHasher(u64);

impl std::hash::Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let v = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
            self.0 = (self.0.rotate_left(5) ^ v).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

type FxMap = HashMap<String, u32, std::hash::BuildHasherDefault<FxHasher>>;

/// Word frequencies: the evidence for repairing split words.
#[derive(Debug, Clone, Default)]
pub struct Lexicon {
    counts: FxMap,
    hyphenated: FxMap,
}

fn bump(map: &mut FxMap, word: &str) {
    let lower;
    let key = if word.bytes().any(|b| b.is_ascii_uppercase() || b >= 0x80) {
        lower = word.to_lowercase();
        lower.as_str()
    } else {
        word
    };
    match map.get_mut(key) {
        Some(c) => *c += 1,
        None => {
            map.insert(key.to_string(), 1);
        }
    }
}

fn lookup(map: &FxMap, word: &str) -> u32 {
    let b = word.as_bytes();
    if b.iter().all(|c| !c.is_ascii_uppercase() && c.is_ascii()) {
        return map.get(word).copied().unwrap_or(0);
    }
    if b.len() <= 32 && b.is_ascii() {
        // Lowercase ASCII on the stack: no allocation on this hot path.
        let mut buf = [0u8; 32];
        for (d, s) in buf.iter_mut().zip(b) {
            *d = s.to_ascii_lowercase();
        }
        let lower = std::str::from_utf8(&buf[..b.len()]).unwrap_or(word);
        return map.get(lower).copied().unwrap_or(0);
    }
    map.get(word.to_lowercase().as_str()).copied().unwrap_or(0)
}

impl Lexicon {
    pub fn from_texts<'a>(texts: impl IntoIterator<Item = &'a str>) -> Self {
        let mut counts = FxMap::default();
        let mut hyphenated = FxMap::default();
        let mut word = String::new();
        let mut token = String::new();
        let mut token_has_hyphen = false;
        let flush_word = |word: &mut String, counts: &mut FxMap| {
            if !word.is_empty() {
                bump(counts, word);
                word.clear();
            }
        };
        for t in texts {
            for c in t.chars().chain(std::iter::once(' ')) {
                if c.is_alphanumeric() {
                    if c.is_ascii() {
                        word.push(c.to_ascii_lowercase());
                        token.push(c.to_ascii_lowercase());
                    } else {
                        word.extend(c.to_lowercase());
                        token.extend(c.to_lowercase());
                    }
                    continue;
                }
                flush_word(&mut word, &mut counts);
                if c.is_whitespace() {
                    let trimmed = token.trim_matches(|c: char| !c.is_alphanumeric());
                    if token_has_hyphen && trimmed.contains('-') {
                        bump(&mut hyphenated, trimmed);
                    }
                    token.clear();
                    token_has_hyphen = false;
                } else {
                    token_has_hyphen |= c == '-';
                    token.push(c);
                }
            }
        }
        Self { counts, hyphenated }
    }

    /// How often `word` occurs as a word (case-insensitive).
    pub fn count(&self, word: &str) -> u32 {
        lookup(&self.counts, word)
    }

    /// How often the hyphenated form `a-b` occurs (case-insensitive).
    pub fn count_hyphenated(&self, word: &str) -> u32 {
        lookup(&self.hyphenated, word)
    }
}

/// Cleans a raw text into a document. Never panics; text it cannot place in a
/// structure becomes plain paragraphs.
pub fn clean(raw: &str, format: InputFormat, meta: Meta, lexicon: &Lexicon) -> Document {
    let (text, markdown) = match format {
        InputFormat::Html => (html_to_text(raw), true),
        InputFormat::Markdown => (raw.to_string(), true),
        InputFormat::Text => (raw.to_string(), false),
    };
    structure::build(&text, markdown, meta, lexicon)
}
