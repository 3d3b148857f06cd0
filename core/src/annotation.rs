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

/// Combining marks (accents typed as separate code points, "e\u{301}") belong
/// to the word of the letter they follow.
fn is_mark(c: char) -> bool {
    matches!(c, '\u{300}'..='\u{36f}' | '\u{1ab0}'..='\u{1aff}' | '\u{1dc0}'..='\u{1dff}' | '\u{20d0}'..='\u{20ff}' | '\u{fe20}'..='\u{fe2f}')
}

/// Joiners that belong to a word only between two letters or digits: the
/// apostrophe in "Da’esh" or "group's", the hyphen in "al-Shabaab". Elsewhere
/// (quotation marks, dashes) they are not part of a word.
fn is_joiner(c: char) -> bool {
    matches!(c, '\'' | '’' | '-' | '\u{2010}' | '\u{2011}')
}

fn is_letter(c: char) -> bool {
    c.is_alphanumeric() || is_mark(c)
}

/// Whether `chars[i]` belongs to a word (simple and Unicode-aware: letters,
/// digits and marks, and an apostrophe or hyphen between two of them).
pub fn is_word_at(chars: &[char], i: usize) -> bool {
    let Some(&c) = chars.get(i) else { return false };
    if is_letter(c) {
        return true;
    }
    is_joiner(c) && i > 0 && is_letter(chars[i - 1]) && chars.get(i + 1).is_some_and(|&n| is_letter(n))
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

/// Widens `start..end` to whole words (after trimming): a selection that
/// starts or ends inside a word takes the whole word. Punctuation at either end
/// is left as selected.
pub fn snap_to_words(chars: &[char], start: usize, end: usize) -> (usize, usize) {
    let (mut s, mut e) = trim(chars, start, end);
    if s == e {
        return (s, e);
    }
    while s > 0 && is_word_at(chars, s - 1) && is_word_at(chars, s) {
        s -= 1;
    }
    while e < chars.len() && is_word_at(chars, e) && is_word_at(chars, e - 1) {
        e += 1;
    }
    (s, e)
}

/// `start..end` with one edge moved by a word (`at_end`: the end, else the
/// start; `later`: towards the end of the text): a span grows by the next
/// word before or after it, or gives up its first or last word (with the
/// punctuation and spaces around it), so that it always starts at a word's
/// start and ends at a word's end. A move that would leave the span
/// empty leaves it as it is.
pub fn step_word(chars: &[char], (start, end): (usize, usize), at_end: bool, later: bool) -> (usize, usize) {
    let n = chars.len();
    let word = |i: usize| is_word_at(chars, i);
    let (mut s, mut e) = (start.min(n), end.min(n));
    match (at_end, later) {
        (false, true) => {
            while s < n && !word(s) {
                s += 1;
            }
            while s < n && word(s) {
                s += 1;
            }
            while s < n && !word(s) {
                s += 1;
            }
        }
        (false, false) => {
            while s > 0 && !word(s - 1) {
                s -= 1;
            }
            while s > 0 && word(s - 1) {
                s -= 1;
            }
        }
        (true, false) => {
            while e > 0 && !word(e - 1) {
                e -= 1;
            }
            while e > 0 && word(e - 1) {
                e -= 1;
            }
            while e > 0 && !word(e - 1) {
                e -= 1;
            }
        }
        (true, true) => {
            while e < n && !word(e) {
                e += 1;
            }
            while e < n && word(e) {
                e += 1;
            }
        }
    }
    if s < e { (s, e) } else { (start, end) }
}

/// The span a selection of `start..end` codes: trimmed of whitespace, snapped
/// to whole words when `snap`; `None` when nothing but whitespace is selected.
pub fn select(chars: &[char], start: usize, end: usize, snap: bool) -> Option<(usize, usize)> {
    let (start, end) = (start.min(end), start.max(end));
    let (s, e) = if snap { snap_to_words(chars, start, end) } else { trim(chars, start, end) };
    (s < e).then_some((s, e))
}

/// Who, when and what for a new annotation (everything but the span).
#[derive(Debug, Clone)]
pub struct Draft<'a> {
    pub doc_id: &'a str,
    pub tags: Vec<String>,
    pub coder: &'a str,
    /// A fresh id (the core makes none: the shell supplies randomness).
    pub id: String,
    /// RFC 3339.
    pub now: &'a str,
    /// Snap the selection to whole words.
    pub snap: bool,
}

impl Annotation {
    /// A new annotation of `doc` over `start..end` (trimmed of whitespace), or
    /// `None` when nothing but whitespace is selected.
    #[allow(clippy::too_many_arguments)]
    pub fn new(doc: &Document, start: usize, end: usize, tag: &str, coder: &str, id: String, now: &str, snap: bool) -> Option<Annotation> {
        let chars: Vec<char> = doc.text.chars().collect();
        let draft = Draft { doc_id: &doc.meta.id, tags: vec![tag.to_string()], coder, id, now, snap };
        Annotation::from_chars(&chars, start, end, draft)
    }

    /// A new annotation of a text given as characters (see [`select`]).
    pub fn from_chars(chars: &[char], start: usize, end: usize, draft: Draft<'_>) -> Option<Annotation> {
        let (s, e) = select(chars, start, end, draft.snap)?;
        let mut a = Annotation {
            id: draft.id,
            doc: draft.doc_id.to_string(),
            start: s,
            end: e,
            quote: String::new(),
            prefix: String::new(),
            suffix: String::new(),
            tags: draft.tags,
            memo: String::new(),
            coder: draft.coder.to_string(),
            created: draft.now.to_string(),
            updated: draft.now.to_string(),
            deleted: false,
        };
        a.fill_quote(chars);
        Some(a)
    }

    /// A new annotation of a text (see [`select`]).
    pub fn from_text(text: &str, start: usize, end: usize, draft: Draft<'_>) -> Option<Annotation> {
        Annotation::from_chars(&text.chars().collect::<Vec<_>>(), start, end, draft)
    }

    /// Moves the span to `start..end` (trimmed), refreshing quote and context.
    /// Refuses (returns `false`, changing nothing) a span that would be empty.
    pub fn set_range(&mut self, chars: &[char], start: usize, end: usize) -> bool {
        match select(chars, start, end, false) {
            Some((s, e)) => {
                self.start = s;
                self.end = e;
                self.fill_quote(chars);
                true
            }
            None => false,
        }
    }

    /// Whether the annotation carries `tag`.
    pub fn has_tag(&self, tag: &str) -> bool {
        self.tags.iter().any(|t| t == tag)
    }

    /// Adds `tag` if missing, removes it if present (a span keeps at least one
    /// tag: removing the last returns `false` and changes nothing).
    pub fn toggle_tag(&mut self, tag: &str) -> bool {
        if self.has_tag(tag) {
            if self.tags.len() == 1 {
                return false;
            }
            self.tags.retain(|t| t != tag);
        } else {
            self.tags.push(tag.to_string());
        }
        true
    }

    /// Whether the span overlaps `start..end` (half-open; an empty range at a
    /// point inside the span counts).
    pub fn overlaps(&self, start: usize, end: usize) -> bool {
        self.start < end.max(start + 1) && start < self.end
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

    /// The citation, by the document's symbol (or id) and the UN paragraph
    /// numbers, the unit of citation:
    /// - a span in numbered paragraphs: "S/2019/103 ¶12", or "S/2019/103 ¶12–13"
    ///   across paragraphs (headings or footnotes in between do not matter);
    /// - else a span in a footnote: "S/2019/103 n. 3" (the note's own number:
    ///   a footnote is cited as a note, not by the paragraph that calls it);
    /// - else (a heading, an unnumbered paragraph): by the innermost heading in
    ///   force, "S/2019/103, II. Threat assessment";
    /// - else the symbol alone.
    /// Where a link to the annotation opens its report: at its first numbered
    /// paragraph, else at the footnote it is in, else at the top.
    pub fn place(&self, doc: &Document) -> crate::route::Route {
        let over = |b: &&crate::document::Block| b.start < self.end.max(self.start + 1) && b.end > self.start;
        if let Some((n, _)) = doc.paragraphs().find(|(_, b)| over(b)) {
            return crate::route::Route::report(&doc.meta.id, Some(n));
        }
        match doc.blocks.iter().find(over).map(|b| &b.kind) {
            Some(BlockKind::Footnote { number }) => crate::route::Route::note(&doc.meta.id, *number),
            // A heading, an unnumbered paragraph: the numbered paragraph after it.
            _ => crate::route::Route::report(&doc.meta.id, doc.paragraphs().find(|(_, b)| b.end > self.start).map(|(n, _)| n)),
        }
    }

    pub fn cite(&self, doc: &Document) -> String {
        let who = doc.who();
        let mut first = None;
        let mut last = None;
        let mut note = None;
        let mut last_note = None;
        let mut block = None;
        for (i, b) in doc.blocks.iter().enumerate() {
            if b.end <= self.start || b.start >= self.end.max(self.start + 1) {
                continue;
            }
            block.get_or_insert(i);
            match b.kind {
                BlockKind::Paragraph { number: Some(n) } => {
                    first.get_or_insert(n);
                    last = Some(n);
                }
                BlockKind::Footnote { number } => {
                    note.get_or_insert(number);
                    last_note = Some(number);
                }
                BlockKind::Heading { .. } | BlockKind::Paragraph { number: None } => {}
            }
        }
        match (first, last, note) {
            (Some(a), Some(b), _) if a != b => format!("{who} ¶{a}–{b}"),
            (Some(a), _, _) => doc.cite(a),
            (None, _, Some(n)) => match last_note {
                Some(m) if m != n => format!("{who} nn. {n}–{m}"),
                _ => doc.cite_note(n),
            },
            _ => match block.and_then(|i| doc.section_path(i + 1).pop()) {
                Some(h) => format!("{who}, {h}"),
                None => who.to_string(),
            },
        }
    }

    /// The quote with its citation, to paste into a paper or notes:
    /// `“…” (S/2019/103 ¶12)`, line breaks and runs of spaces made single spaces.
    pub fn quotation(&self, doc: &Document) -> String {
        let quote = self.quote.split_whitespace().collect::<Vec<_>>().join(" ");
        format!("“{quote}” ({})", self.cite(doc))
    }
}

/// A memo typed here while another tab changed the same memo: `base` is the
/// memo this tab's typing started from, `mine` what was typed, `theirs` the
/// memo as the other tab left it. Neither edit is lost: when both changed it
/// (differently), the memo keeps both, this tab's first, and `true` says so;
/// a memo emptied in one tab and written in the other keeps the text.
pub fn merge_memo(base: &str, mine: &str, theirs: &str) -> (String, bool) {
    if theirs == base || theirs == mine {
        (mine.to_string(), false)
    } else if mine == base || mine.is_empty() || theirs.contains(mine) {
        // Only the other tab changed it, or this one emptied it (no text is dropped
        // for a deletion), or the other's memo already holds what was typed here.
        (theirs.to_string(), false)
    } else if theirs.is_empty() || mine.contains(theirs) {
        (mine.to_string(), false)
    } else {
        (format!("{mine}\n\n{MEMO_FROM_ANOTHER_TAB}\n{theirs}"), true)
    }
}

/// The line that separates another tab's version of a memo, kept beside this one's.
pub const MEMO_FROM_ANOTHER_TAB: &str = "Written at the same time in another tab:";

#[cfg(test)]
mod tests {
    use super::*;


    #[test]
    fn a_memo_changed_in_two_tabs_keeps_both() {
        // Only one side changed it: that side's memo.
        assert_eq!(merge_memo("a", "ab", "a"), ("ab".into(), false));
        assert_eq!(merge_memo("a", "a", "ac"), ("ac".into(), false));
        assert_eq!(merge_memo("a", "ab", "ab"), ("ab".into(), false));
        // Both: one already holds the other, or both are kept, this tab's first.
        assert_eq!(merge_memo("a", "ab", "abc"), ("abc".into(), false));
        assert_eq!(merge_memo("", "Returnees.", "Finance"), (format!("Returnees.\n\n{MEMO_FROM_ANOTHER_TAB}\nFinance"), true));
        // This tab emptied the memo while the other wrote to it: the other's text stays.
        assert_eq!(merge_memo("old", "", "new"), ("new".into(), false));
        // The other tab emptied it while this one typed: what was typed stays.
        assert_eq!(merge_memo("old", "older", ""), ("older".into(), false));
    }
    use crate::document::{DocumentBuilder, Meta, Piece};
    use proptest::prelude::*;

    #[test]
    fn a_span_moves_by_words() {
        let chars: Vec<char> = "“Frustrated travellers”, as they are called, return.".chars().collect();
        let text = |(s, e): (usize, usize)| chars[s..e].iter().collect::<String>();
        let all = (0, chars.len());
        let mut span = all;
        span = step_word(&chars, span, false, true);
        assert_eq!(text(span), "travellers”, as they are called, return.");
        span = step_word(&chars, span, true, false);
        assert_eq!(text(span), "travellers”, as they are called");
        span = step_word(&chars, span, true, false);
        assert_eq!(text(span), "travellers”, as they are");
        span = step_word(&chars, span, false, true);
        assert_eq!(text(span), "as they are");
        span = step_word(&chars, span, true, true);
        assert_eq!(text(span), "as they are called");
        span = step_word(&chars, span, false, false);
        assert_eq!(text(span), "travellers”, as they are called");
        // Never empty: a one-word span does not lose its word.
        let one = (1, 11);
        assert_eq!(text(one), "Frustrated");
        assert_eq!(step_word(&chars, one, true, false), one);
        assert_eq!(step_word(&chars, one, false, true), one);
        // At the edges of the text it stays.
        assert_eq!(step_word(&chars, all, true, true), all);
        assert_eq!(step_word(&chars, (0, 5), false, false), (0, 5));
    }

    proptest! {
        #[test]
        fn a_memo_merge_keeps_every_text_changed(base in "[ab\n]{0,4}", mine in "[ab\n]{0,4}", theirs in "[ab\n]{0,4}") {
            let (memo, _) = merge_memo(&base, &mine, &theirs);
            if mine != base && !mine.is_empty() {
                prop_assert!(memo.contains(&mine), "{memo:?} lost {mine:?}");
            }
            if theirs != base && !theirs.is_empty() {
                prop_assert!(memo.contains(&theirs), "{memo:?} lost {theirs:?}");
            }
        }
    }

    proptest! {
        #[test]
        fn a_word_step_stays_in_the_text_and_is_never_empty(
            words in proptest::collection::vec("[a-zé]{1,6}|[ ,.;“”-]{1,3}", 1..20),
            a in 0usize..200, b in 0usize..200, at_end: bool, later: bool,
        ) {
            let chars: Vec<char> = words.concat().chars().collect();
            let n = chars.len();
            let (s, e) = (a % (n + 1), b % (n + 1));
            prop_assume!(s < e);
            let (s2, e2) = step_word(&chars, (s, e), at_end, later);
            prop_assert!(s2 < e2 && e2 <= n);
            // Only the edge asked moves, and in the direction asked.
            if at_end { prop_assert_eq!(s2, s) } else { prop_assert_eq!(e2, e) }
            let (from, to) = if at_end { (e, e2) } else { (s, s2) };
            let forward = if later { to >= from } else { to <= from };
            prop_assert!(forward, "moved the wrong way: {} to {}", from, to);
        }
    }

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
        let mut q = both.clone();
        q.quote = "checkpoints.\n\nReturnees  and".into();
        assert_eq!(q.quotation(&d), "“checkpoints. Returnees and” (S/2019/103 ¶1–2)");
        let head = Annotation::new(&d, 0, 4, "t", "", "3".into(), "t", false).unwrap();
        assert_eq!(head.cite(&d), "S/2019/103, I. Intro");
        let fn_start = d.blocks[3].start;
        let note = Annotation::new(&d, fn_start, fn_start + 3, "t", "", "4".into(), "t", false).unwrap();
        assert_eq!(note.cite(&d), "S/2019/103 n. 1");
        let para_and_note = Annotation::new(&d, 45, fn_start + 3, "t", "", "5".into(), "t", false).unwrap();
        assert_eq!(para_and_note.cite(&d), "S/2019/103 ¶2", "a paragraph wins over a note");
        // Links open the report where the annotation is: its paragraph, or its note.
        assert_eq!(both.place(&d).to_hash(), "#/report/S-2019-103/p1");
        assert_eq!(note.place(&d).to_hash(), "#/report/S-2019-103/n1");
        assert_eq!(head.place(&d).to_hash(), "#/report/S-2019-103/p1", "a heading: the paragraph after it");
    }

    #[test]
    fn a_span_across_notes_cites_both() {
        let mut b = DocumentBuilder::new();
        b.push(BlockKind::Paragraph { number: Some(1) }, &[Piece::Text("Some words.".into())]);
        b.push(BlockKind::Footnote { number: 10 }, &[Piece::Text("A note.".into())]);
        b.push(BlockKind::Footnote { number: 11 }, &[Piece::Text("Another note.".into())]);
        let d = b.finish(Meta { id: "S/2019/103".into(), symbol: Some("S/2019/103".into()), ..Meta::default() });
        let a = Annotation::new(&d, d.blocks[1].start + 2, d.blocks[2].start + 3, "t", "", "1".into(), "t", false).unwrap();
        assert_eq!(a.cite(&d), "S/2019/103 nn. 10–11");
        assert_eq!(a.place(&d).to_hash(), "#/report/S-2019-103/n10");
    }

    #[test]
    fn unnumbered_text_cites_the_heading_in_force() {
        let mut b = DocumentBuilder::new();
        b.push(BlockKind::Heading { level: 1 }, &[Piece::Text("II. Threat".into())]);
        b.push(BlockKind::Heading { level: 2 }, &[Piece::Text("A. Africa".into())]);
        b.push(BlockKind::Paragraph { number: None }, &[Piece::Text("Unnumbered words.".into())]);
        let d = b.finish(Meta { id: "mine".into(), ..Meta::default() });
        let start = d.blocks[2].start;
        let a = Annotation::new(&d, start, start + 5, "t", "", "1".into(), "t", false).unwrap();
        assert_eq!(a.cite(&d), "mine, A. Africa");
        let h = Annotation::new(&d, 0, 3, "t", "", "2".into(), "t", false).unwrap();
        assert_eq!(h.cite(&d), "mine, II. Threat");
        // An own text is cited by its title (by its id only when it has none).
        let titled = Document::new(Meta { title: "My notes".into(), ..d.meta.clone() }, d.text.clone(), d.blocks.clone(), d.notes.clone());
        assert_eq!(a.cite(&titled), "My notes, A. Africa");
    }

    fn snapped(text: &str, start: usize, end: usize) -> String {
        let chars: Vec<char> = text.chars().collect();
        let (s, e) = select(&chars, start, end, true).unwrap();
        chars[s..e].iter().collect()
    }

    #[test]
    fn snapping_keeps_inner_apostrophes_and_hyphens_not_quotes_or_dashes() {
        // "Da’esh" and "al-Shabaab" are words; the quotation marks around 'ISIL' are not.
        assert_eq!(snapped("of Da’esh today", 5, 7), "Da’esh");
        assert_eq!(snapped("the al-Shabaab group", 9, 10), "al-Shabaab");
        assert_eq!(snapped("called 'ISIL' here", 9, 10), "ISIL");
        assert_eq!(snapped("a -- b", 2, 3), "-");
        assert_eq!(snapped("ISIL-K, then", 1, 2), "ISIL-K");
        assert_eq!(snapped("the group's funds", 5, 6), "group's");
        // A combining accent belongs to its letter's word.
        assert_eq!(snapped("cafe\u{301} noir", 1, 2), "cafe\u{301}");
        assert_eq!(snapped("x cafe\u{301}", 2, 4), "cafe\u{301}");
        assert_eq!(snapped("  (funds)  ", 0, 11), "(funds)", "punctuation at the ends stays as selected");
        assert_eq!(snapped("😀 ab", 3, 4), "ab");
        let chars: Vec<char> = " \n ".chars().collect();
        assert_eq!(select(&chars, 0, 3, true), None);
        assert_eq!(select(&"ab".chars().collect::<Vec<_>>(), 2, 0, false), Some((0, 2)), "a backwards selection");
    }

    #[test]
    fn from_text_set_range_and_tags() {
        let text = "One 😀 two three";
        let draft = Draft { doc_id: "mine", tags: vec!["threat".into(), "finance".into()], coder: "ana", id: "x".into(), now: "2026-01-01T00:00:00Z", snap: true };
        let mut a = Annotation::from_text(text, 5, 8, draft).unwrap();
        assert_eq!((a.start, a.end, a.quote.as_str(), a.prefix.as_str(), a.suffix.as_str()), (6, 9, "two", "One 😀 ", " three"));
        assert_eq!(a.tags, ["threat", "finance"]);
        let chars: Vec<char> = text.chars().collect();
        assert!(a.set_range(&chars, 4, 9));
        assert_eq!(a.quote, "😀 two");
        assert!(!a.set_range(&chars, 5, 6), "only a space: refused");
        assert_eq!(a.quote, "😀 two", "unchanged");
        assert!(a.toggle_tag("finance") && !a.has_tag("finance"));
        assert!(!a.toggle_tag("threat"), "the last tag stays");
        assert!(a.toggle_tag("repatriation") && a.has_tag("repatriation"));
        assert!(a.overlaps(0, 5) && !a.overlaps(0, 4) && a.overlaps(8, 8) && !a.overlaps(9, 9) && !a.overlaps(10, 12));
    }
}
