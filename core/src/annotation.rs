//! Annotations: a span of a document's text (code points), its quote and
//! context, its tags, a memo, who coded it and when.

use serde::{Deserialize, Serialize};

use crate::document::{BlockKind, Document};
use crate::offsets::slice_chars;

/// Characters of context kept on each side of a quote.
pub const CONTEXT: usize = 32;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Annotation {
    pub id: String,
    /// The document's id (the symbol of a built-in report).
    pub doc: String,
    /// Code points into the document's text, half-open.
    pub start: usize,
    pub end: usize,
    /// The exact text of `start..end`, and up to [`CONTEXT`] characters around it.
    pub quote: String,
    #[serde(default)]
    pub prefix: String,
    #[serde(default)]
    pub suffix: String,
    /// Tag ids; one span may carry several.
    pub tags: Vec<String>,
    #[serde(default)]
    pub memo: String,
    #[serde(default)]
    pub coder: String,
    /// RFC 3339 times.
    pub created: String,
    pub updated: String,
    /// A deleted annotation stays as a tombstone so that deletions merge.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deleted: bool,
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '\'' || c == '’' || c == '-'
}

/// Shrinks `start..end` (code points of `chars`) to exclude surrounding whitespace.
pub fn trim(chars: &[char], start: usize, end: usize) -> (usize, usize) {
    let (mut s, mut e) = (start.min(chars.len()), end.min(chars.len()));
    while s < e && chars[s].is_whitespace() {
        s += 1;
    }
    while e > s && chars[e - 1].is_whitespace() {
        e -= 1;
    }
    (s, e)
}

/// Widens `start..end` to whole words (then trims).
pub fn snap_to_words(chars: &[char], start: usize, end: usize) -> (usize, usize) {
    let (mut s, mut e) = trim(chars, start, end);
    if s == e {
        return (s, e);
    }
    while s > 0 && is_word_char(chars[s - 1]) && is_word_char(chars[s]) {
        s -= 1;
    }
    while e < chars.len() && is_word_char(chars[e]) && is_word_char(chars[e - 1]) {
        e += 1;
    }
    (s, e)
}

impl Annotation {
    /// A new annotation of `doc` over `start..end` (trimmed of whitespace), or
    /// `None` when nothing but whitespace is selected.
    #[allow(clippy::too_many_arguments)]
    pub fn new(doc: &Document, start: usize, end: usize, tag: &str, coder: &str, id: String, now: &str, snap: bool) -> Option<Annotation> {
        let chars: Vec<char> = doc.text.chars().collect();
        let (s, e) = if snap { snap_to_words(&chars, start, end) } else { trim(&chars, start, end) };
        if s >= e {
            return None;
        }
        let mut a = Annotation {
            id,
            doc: doc.meta.id.clone(),
            start: s,
            end: e,
            quote: String::new(),
            prefix: String::new(),
            suffix: String::new(),
            tags: vec![tag.to_string()],
            memo: String::new(),
            coder: coder.to_string(),
            created: now.to_string(),
            updated: now.to_string(),
            deleted: false,
        };
        a.fill_quote(&chars);
        Some(a)
    }

    /// Sets quote, prefix and suffix from the document's characters.
    pub fn fill_quote(&mut self, chars: &[char]) {
        let (s, e) = (self.start.min(chars.len()), self.end.min(chars.len()));
        self.quote = chars[s..e].iter().collect();
        self.prefix = chars[s.saturating_sub(CONTEXT)..s].iter().collect();
        self.suffix = chars[e..(e + CONTEXT).min(chars.len())].iter().collect();
    }

    /// Whether the stored quote still matches the document's text.
    pub fn anchored_in(&self, doc: &Document) -> bool {
        slice_chars(&doc.text, self.start, self.end) == self.quote
    }

    /// The citation: "S/2019/103 ¶12", "S/2019/103 ¶12–13", or by section for
    /// text outside numbered paragraphs ("S/2019/103, II. Threat assessment"),
    /// "S/2019/103 n. 3" in a footnote.
    pub fn cite(&self, doc: &Document) -> String {
        let who = doc.meta.symbol.as_deref().unwrap_or(&doc.meta.id);
        let mut first = None;
        let mut last = None;
        let mut note = None;
        let mut heading = None;
        for b in &doc.blocks {
            if b.end <= self.start || b.start >= self.end.max(self.start + 1) {
                continue;
            }
            match b.kind {
                BlockKind::Paragraph { number: Some(n) } => {
                    first.get_or_insert(n);
                    last = Some(n);
                }
                BlockKind::Footnote { number } => {
                    note.get_or_insert(number);
                }
                BlockKind::Heading { .. } => {
                    heading.get_or_insert(doc.block_text(b));
                }
                BlockKind::Paragraph { number: None } => {}
            }
        }
        match (first, last, note, heading) {
            (Some(a), Some(b), _, _) if a != b => format!("{who} ¶{a}–{b}"),
            (Some(a), _, _, _) => format!("{who} ¶{a}"),
            (None, _, Some(n), _) => format!("{who} n. {n}"),
            (None, _, None, Some(h)) => format!("{who}, {h}"),
            _ => who.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::{DocumentBuilder, Meta, Piece};

    fn doc() -> Document {
        let mut b = DocumentBuilder::new();
        b.push(BlockKind::Heading { level: 1 }, &[Piece::Text("I. Intro".into())]);
        b.push(BlockKind::Paragraph { number: Some(1) }, &[Piece::Text("ISIL 😀 funds checkpoints.".into())]);
        b.push(BlockKind::Paragraph { number: Some(2) }, &[Piece::Text("Returnees and their families.".into())]);
        b.push(BlockKind::Footnote { number: 1 }, &[Piece::Text("A note.".into())]);
        b.finish(Meta { id: "S/2019/103".into(), symbol: Some("S/2019/103".into()), ..Meta::default() })
    }

    #[test]
    fn new_trims_and_quotes_by_code_points() {
        let d = doc();
        // "I. Intro\n\n" is 10 code points; "ISIL 😀 funds" starts at 10.
        let a = Annotation::new(&d, 9, 18, "finance", "ana", "a1".into(), "2026-01-01T00:00:00Z", false).unwrap();
        assert_eq!((a.start, a.end), (10, 18));
        assert_eq!(a.quote, "ISIL 😀 f");
        assert_eq!(a.prefix, "I. Intro\n\n");
        assert!(a.suffix.starts_with("unds checkpoints."));
        assert!(a.anchored_in(&d));
        let snapped = Annotation::new(&d, 11, 18, "finance", "ana", "a2".into(), "t", true).unwrap();
        assert_eq!(snapped.quote, "ISIL 😀 funds");
        assert!(Annotation::new(&d, 8, 10, "x", "", "a3".into(), "t", false).is_none(), "only whitespace");
    }

    #[test]
    fn citations() {
        let d = doc();
        let p1 = Annotation::new(&d, 10, 14, "t", "", "1".into(), "t", false).unwrap();
        assert_eq!(p1.cite(&d), "S/2019/103 ¶1");
        let both = Annotation::new(&d, 12, 40, "t", "", "2".into(), "t", false).unwrap();
        assert_eq!(both.cite(&d), "S/2019/103 ¶1–2");
        let head = Annotation::new(&d, 0, 4, "t", "", "3".into(), "t", false).unwrap();
        assert_eq!(head.cite(&d), "S/2019/103, I. Intro");
        let fn_start = d.blocks[3].start;
        let note = Annotation::new(&d, fn_start, fn_start + 3, "t", "", "4".into(), "t", false).unwrap();
        assert_eq!(note.cite(&d), "S/2019/103 n. 1");
    }
}
