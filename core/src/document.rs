//! The document model: one canonical text and blocks over it.
//!
//! Every offset in this module is a count of Unicode code points (Rust `char`s)
//! into [`Document::text`], the unit Python's `text[start:end]` and the W3C Web
//! Annotation model use.

use serde::{Deserialize, Serialize};

/// What a block of the canonical text is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum BlockKind {
    /// A section heading, its label included ("II. Threat assessment").
    /// Level 1 = roman-numbered chapter, 2 = lettered section, 3 = numbered sub-section.
    Heading { level: u8 },
    /// A paragraph of prose. `number` is the UN paragraph number (the unit of
    /// citation); it is not part of the text. `None` for unnumbered paragraphs.
    Paragraph {
        #[serde(skip_serializing_if = "Option::is_none", default)]
        number: Option<u32>,
    },
    /// A footnote's text (its number is not part of the text).
    Footnote { number: u32 },
}

/// A block: a kind and a half-open range `[start, end)` of code points.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Block {
    #[serde(flatten)]
    pub kind: BlockKind,
    pub start: usize,
    pub end: usize,
    /// How a user's own Markdown set the block out (a list item, a quote, a
    /// table row, a line of code): shown so, never part of the text. A report's
    /// blocks have none.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub form: Option<Form>,
}

/// How a paragraph was set out in a user's own Markdown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Form {
    /// An item of a bulleted list.
    Item,
    /// An item of a numbered list (its number is in its text).
    Numbered,
    /// A block quote.
    Quote,
    /// A table's first row (its cells as "a | b").
    Head,
    /// A table's row.
    Row,
    /// A line of a fenced code block.
    Code,
}

impl Form {
    /// Its name, as in the class it is shown with (`form-item`) and in exports.
    pub fn name(self) -> &'static str {
        match self {
            Form::Item => "item",
            Form::Numbered => "numbered",
            Form::Quote => "quote",
            Form::Head => "head",
            Form::Row => "row",
            Form::Code => "code",
        }
    }
}

/// A footnote marker in the prose: a zero-width anchor at code point `at`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoteRef {
    pub number: u32,
    pub at: usize,
}

/// Metadata of a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Meta {
    /// Stable id: the symbol for built-in reports ("S/2019/103"), else a slug of the file name.
    pub id: String,
    pub symbol: Option<String>,
    pub ordinal: Option<u32>,
    /// ISO date, `YYYY-MM-DD`.
    pub date: Option<String>,
    pub title: String,
}

/// A cleaned document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "RawDocument")]
pub struct Document {
    pub meta: Meta,
    /// The canonical text: blocks separated by a blank line ("\n\n").
    pub text: String,
    /// Blocks in text order, non-overlapping.
    pub blocks: Vec<Block>,
    /// Footnote markers in text order.
    pub notes: Vec<NoteRef>,
    /// The byte range of each block in `text`, so that a block's text is found
    /// without counting characters from the start (see [`Document::block_text`]).
    /// Derived from the rest; never serialised.
    #[serde(skip)]
    block_bytes: Vec<(usize, usize)>,
}

/// A document as serialised: everything but what is derived.
#[derive(Deserialize)]
struct RawDocument {
    meta: Meta,
    text: String,
    blocks: Vec<Block>,
    notes: Vec<NoteRef>,
}

impl From<RawDocument> for Document {
    fn from(r: RawDocument) -> Self {
        Document::new(r.meta, r.text, r.blocks, r.notes)
    }
}

/// Builds a [`Document`] block by block, keeping code point offsets right.
#[derive(Debug, Default)]
pub struct DocumentBuilder {
    text: String,
    chars: usize,
    blocks: Vec<Block>,
    notes: Vec<NoteRef>,
}

impl DocumentBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends a block. `segments` alternate text and footnote markers: each
    /// `Piece::Text` is appended, each `Piece::Note(n)` becomes a zero-width anchor.
    /// Empty blocks (after trimming) are skipped.
    pub fn push(&mut self, kind: BlockKind, pieces: &[Piece]) {
        self.push_as(kind, None, pieces);
    }

    /// [`push`](Self::push), set out as `form` (a user's list item, quote…).
    pub fn push_as(&mut self, kind: BlockKind, form: Option<Form>, pieces: &[Piece]) {
        let has_text = pieces
            .iter()
            .any(|p| matches!(p, Piece::Text(t) if !t.trim().is_empty()));
        if !has_text {
            return;
        }
        if !self.blocks.is_empty() {
            self.text.push_str("\n\n");
            self.chars += 2;
        }
        let start = self.chars;
        for p in pieces {
            match p {
                Piece::Text(t) => {
                    self.text.push_str(t);
                    self.chars += t.chars().count();
                }
                Piece::Note(n) => self.notes.push(NoteRef { number: *n, at: self.chars }),
            }
        }
        self.blocks.push(Block { kind, start, end: self.chars, form });
    }

    pub fn finish(self, meta: Meta) -> Document {
        Document::new(meta, self.text, self.blocks, self.notes)
    }
}

/// A piece of a block's content while building.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Text(String),
    Note(u32),
}

/// SHA-256 of a text (UTF-8), lowercase hex: how every export names the text
/// its offsets were made against.
pub fn sha256_hex(text: &str) -> String {
    use sha2::{Digest, Sha256};
    use std::fmt::Write;
    let digest = Sha256::digest(text.as_bytes());
    let mut out = String::with_capacity(64);
    for b in digest.iter() {
        let _ = write!(out, "{b:02x}");
    }
    out
}

impl Document {
    /// SHA-256 of the canonical text (UTF-8), lowercase hex.
    pub fn text_sha256(&self) -> String {
        sha256_hex(&self.text)
    }

    /// A document from its parts (the byte range of every block is found here,
    /// in one pass over the text).
    pub fn new(meta: Meta, text: String, blocks: Vec<Block>, notes: Vec<NoteRef>) -> Document {
        let mut cuts: Vec<usize> = blocks.iter().flat_map(|b| [b.start, b.end]).collect();
        cuts.sort_unstable();
        cuts.dedup();
        let mut at = std::collections::HashMap::with_capacity(cuts.len());
        let mut chars = text.char_indices().map(|(b, _)| b).chain(std::iter::once(text.len())).enumerate();
        for c in cuts {
            if let Some((_, byte)) = chars.by_ref().find(|(i, _)| *i == c) {
                at.insert(c, byte);
            }
        }
        let block_bytes = blocks
            .iter()
            .map(|b| match (at.get(&b.start), at.get(&b.end)) {
                (Some(&s), Some(&e)) if s <= e => (s, e),
                _ => (text.len(), text.len()),
            })
            .collect();
        Document { meta, text, blocks, notes, block_bytes }
    }

    /// The text of a block (its code point range `start..end`). For a block of
    /// this document this is a lookup; any other range is sliced by counting.
    /// The same document with only the blocks `keep` keeps (the text, the
    /// notes and the offsets unchanged): a passage's units, for measuring
    /// agreement over part of a text.
    pub fn with_blocks(&self, keep: impl Fn(&Block) -> bool) -> Document {
        let (blocks, block_bytes) =
            self.blocks.iter().zip(&self.block_bytes).filter(|(b, _)| keep(b)).map(|(b, x)| (b.clone(), *x)).unzip();
        Document { meta: self.meta.clone(), text: self.text.clone(), blocks, notes: self.notes.clone(), block_bytes }
    }

    pub fn block_text(&self, block: &Block) -> &str {
        let i = self.blocks.partition_point(|b| b.start < block.start);
        match (self.blocks.get(i), self.block_bytes.get(i)) {
            (Some(b), Some(&(s, e))) if b.start == block.start && b.end == block.end && e <= self.text.len() => &self.text[s..e],
            _ => crate::offsets::slice_chars(&self.text, block.start, block.end),
        }
    }

    /// The text of footnote `number`, if the document has it.
    pub fn footnote_text(&self, number: u32) -> Option<&str> {
        self.blocks
            .iter()
            .find(|b| b.kind == BlockKind::Footnote { number })
            .map(|b| self.block_text(b))
    }

    /// Numbered paragraphs in order.
    pub fn paragraphs(&self) -> impl Iterator<Item = (u32, &Block)> {
        self.blocks.iter().filter_map(|b| match b.kind {
            BlockKind::Paragraph { number: Some(n) } => Some((n, b)),
            _ => None,
        })
    }

    /// The numbered paragraph whose text holds the marker of footnote `number`.
    pub fn note_paragraph(&self, number: u32) -> Option<u32> {
        let at = self.notes.iter().find(|n| n.number == number)?.at;
        self.paragraphs().find(|(_, b)| b.start <= at && at <= b.end).map(|(n, _)| n)
    }

    /// Number of numbered paragraphs.
    pub fn paragraph_count(&self) -> usize {
        self.paragraphs().count()
    }

    /// The paragraphs a reader counts: the numbered ones, or, in a text with no
    /// numbering (a user's own), every paragraph.
    pub fn paragraphs_to_count(&self) -> usize {
        match self.paragraph_count() {
            0 => self.blocks.iter().filter(|b| matches!(b.kind, BlockKind::Paragraph { .. })).count(),
            n => n,
        }
    }

    /// Footnote markers inside `[start, end]`.
    pub fn notes_in(&self, start: usize, end: usize) -> impl Iterator<Item = &NoteRef> {
        self.notes.iter().filter(move |n| n.at >= start && n.at <= end)
    }

    /// The heading path (outermost first) in force at block index `i`.
    pub fn section_path(&self, i: usize) -> Vec<&str> {
        let mut path: Vec<(u8, &str)> = Vec::new();
        for b in &self.blocks[..i.min(self.blocks.len())] {
            if let BlockKind::Heading { level } = b.kind {
                path.retain(|(l, _)| *l < level);
                path.push((level, self.block_text(b)));
            }
        }
        path.into_iter().map(|(_, t)| t).collect()
    }

    /// What a citation names: the report's symbol, or an own text's title (its
    /// id when it has none).
    pub fn who(&self) -> &str {
        match (&self.meta.symbol, self.meta.title.trim()) {
            (Some(s), _) => s,
            (None, "") => &self.meta.id,
            (None, _) => &self.meta.title,
        }
    }

    /// Citation of a paragraph, e.g. "S/2019/103 ¶12".
    pub fn cite(&self, number: u32) -> String {
        format!("{} ¶{number}", self.who())
    }

    /// Citation of a footnote, e.g. "S/2019/103 n. 9".
    pub fn cite_note(&self, number: u32) -> String {
        format!("{} n. {number}", self.who())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_text_is_a_lookup_that_agrees_with_counting_and_survives_serde() {
        let mut b = DocumentBuilder::new();
        b.push(BlockKind::Heading { level: 1 }, &[Piece::Text("Ünïcode 😀".into())]);
        b.push(BlockKind::Paragraph { number: Some(1) }, &[Piece::Text("𝔸 e\u{301} ".into()), Piece::Note(1), Piece::Text("end".into())]);
        b.push(BlockKind::Paragraph { number: Some(2) }, &[Piece::Text("".into())]);
        b.push(BlockKind::Footnote { number: 1 }, &[Piece::Text("note 🙂".into())]);
        let d = b.finish(Meta::default());
        let back: Document = serde_json::from_str(&serde_json::to_string(&d).unwrap()).unwrap();
        assert_eq!(back, d);
        for doc in [&d, &back] {
            for block in &doc.blocks {
                assert_eq!(doc.block_text(block), crate::offsets::slice_chars(&doc.text, block.start, block.end));
            }
            // A range that is not one of the blocks is counted, not looked up.
            let other = Block { kind: BlockKind::Paragraph { number: None }, start: 1, end: 4, form: None };
            assert_eq!(doc.block_text(&other), crate::offsets::slice_chars(&doc.text, 1, 4));
        }
        assert!(!serde_json::to_string(&d).unwrap().contains("block_bytes"));
    }

    #[test]
    fn builder_counts_code_points_and_pieces_split_at_notes() {
        let mut b = DocumentBuilder::new();
        b.push(BlockKind::Heading { level: 1 }, &[Piece::Text("I. Intro".into())]);
        b.push(
            BlockKind::Paragraph { number: Some(1) },
            &[Piece::Text("Da’esh 😀".into()), Piece::Note(1), Piece::Text(" and more".into()), Piece::Note(2)],
        );
        b.push(BlockKind::Paragraph { number: None }, &[Piece::Text("  ".into())]);
        b.push(BlockKind::Footnote { number: 1 }, &[Piece::Text("A note.".into())]);
        let d = b.finish(Meta { id: "x".into(), ..Meta::default() });
        assert_eq!(d.blocks.len(), 3);
        assert_eq!(d.blocks[1].start, 10);
        assert_eq!(d.block_text(&d.blocks[1]), "Da’esh 😀 and more");
        assert_eq!(d.notes, vec![NoteRef { number: 1, at: 18 }, NoteRef { number: 2, at: 27 }]);
        let runs = crate::layout::runs::<()>(&d, &d.blocks[1], &[]);
        let shown: Vec<String> = runs
            .iter()
            .map(|r| match r {
                crate::layout::Run::Text { text, .. } => text.clone(),
                crate::layout::Run::Note(n) => format!("[{n}]"),
            })
            .collect();
        assert_eq!(shown, ["Da’esh 😀", "[1]", " and more", "[2]"]);
        assert_eq!(d.footnote_text(1), Some("A note."));
        assert_eq!(d.footnote_text(2), None);
        assert_eq!(d.section_path(2), vec!["I. Intro"]);
        assert_eq!(d.text_sha256().len(), 64);
    }
}
