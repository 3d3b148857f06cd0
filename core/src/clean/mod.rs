//! Corpus cleaning: raw text (a PDF extraction, a web page's text, markdown, HTML)
//! in, a [`Document`] out.

use std::collections::HashMap;

use crate::document::{BlockKind, Document, DocumentBuilder, Meta, Piece};

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
}

impl Lexicon {
    pub fn from_texts<'a>(texts: impl IntoIterator<Item = &'a str>) -> Self {
        let mut counts = HashMap::new();
        for t in texts {
            for w in t.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()) {
                *counts.entry(w.to_lowercase()).or_insert(0) += 1;
            }
        }
        Self { counts }
    }

    pub fn count(&self, word: &str) -> u32 {
        self.counts.get(&word.to_lowercase()).copied().unwrap_or(0)
    }
}

/// Cleans a raw text into a document.
pub fn clean(raw: &str, _format: InputFormat, meta: Meta, _lexicon: &Lexicon) -> Document {
    let mut b = DocumentBuilder::new();
    for para in raw.split("\n\n") {
        let text = para.split_whitespace().collect::<Vec<_>>().join(" ");
        b.push(BlockKind::Paragraph { number: None }, &[Piece::Text(text)]);
    }
    b.finish(meta)
}
