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

pub use markup::html_to_text;

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

/// Word frequencies: the evidence for repairing split words.
#[derive(Debug, Clone, Default)]
pub struct Lexicon {
    counts: HashMap<String, u32>,
    hyphenated: HashMap<String, u32>,
}

impl Lexicon {
    pub fn from_texts<'a>(texts: impl IntoIterator<Item = &'a str>) -> Self {
        let mut counts = HashMap::new();
        let mut hyphenated = HashMap::new();
        for t in texts {
            for token in t.split_whitespace() {
                let token = token.trim_matches(|c: char| !c.is_alphanumeric());
                if token.contains('-') {
                    *hyphenated.entry(token.to_lowercase()).or_insert(0) += 1;
                }
                for w in token.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()) {
                    *counts.entry(w.to_lowercase()).or_insert(0) += 1;
                }
            }
        }
        Self { counts, hyphenated }
    }

    /// How often `word` occurs as a word (case-insensitive).
    pub fn count(&self, word: &str) -> u32 {
        self.counts.get(&word.to_lowercase()).copied().unwrap_or(0)
    }

    /// How often the hyphenated form `a-b` occurs (case-insensitive).
    pub fn count_hyphenated(&self, word: &str) -> u32 {
        self.hyphenated.get(&word.to_lowercase()).copied().unwrap_or(0)
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
