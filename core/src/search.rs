//! Finding text: case-insensitive matches in code point offsets.

use crate::document::{BlockKind, Document};

fn fold(c: char) -> char {
    // One character in, one out, so offsets stay offsets: enough for the
    // scripts of this corpus (a lowercase that expands keeps its first char).
    let c = match c {
        '’' | '‘' => '\'',
        '“' | '”' => '"',
        '–' | '—' => '-',
        _ => c,
    };
    c.to_lowercase().next().unwrap_or(c)
}

/// Every non-overlapping match of `query` in `text`, ignoring case and the kind of
/// quote or dash, as code point ranges. An empty query matches nothing.
pub fn find(text: &str, query: &str) -> Vec<(usize, usize)> {
    let q: Vec<char> = query.trim().chars().map(fold).collect();
    if q.is_empty() {
        return Vec::new();
    }
    let t: Vec<char> = text.chars().map(fold).collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i + q.len() <= t.len() {
        if t[i] == q[0] && t[i..i + q.len()] == q[..] {
            out.push((i, i + q.len()));
            i += q.len();
        } else {
            i += 1;
        }
    }
    out
}

/// A match in a document, with where it is and a little context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub start: usize,
    pub end: usize,
    /// The numbered paragraph it is in, if any.
    pub paragraph: Option<u32>,
    /// The footnote it is in, if any.
    pub note: Option<u32>,
    pub text: String,
    /// The text around it, in whole words, within its block.
    pub context: crate::segments::Context,
}

/// Matches of `query` in a document's blocks (not across block breaks), with context.
pub fn hits(doc: &Document, query: &str, context: usize, limit: usize) -> Vec<Hit> {
    let chars: Vec<char> = doc.text.chars().collect();
    let mut out = Vec::new();
    for (s, e) in find(&doc.text, query) {
        if out.len() >= limit {
            break;
        }
        let block = doc.blocks.iter().find(|b| b.start <= s && e <= b.end);
        let Some(block) = block else { continue };
        let (paragraph, note) = match block.kind {
            BlockKind::Paragraph { number } => (number, None),
            BlockKind::Footnote { number } => (None, Some(number)),
            BlockKind::Heading { .. } => (None, None),
        };
        out.push(Hit {
            start: s,
            end: e,
            paragraph,
            note,
            text: chars[s..e].iter().collect(),
            context: crate::segments::context(doc, s, e, context),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::builtin;

    #[test]
    fn case_quotes_and_code_points() {
        assert_eq!(find("ISIL 😀 isil Isil", "isil"), vec![(0, 4), (7, 11), (12, 16)]);
        assert_eq!(find("Da’esh and Da'esh", "da'esh"), vec![(0, 6), (11, 17)]);
        assert_eq!(find("aaaa", "aa"), vec![(0, 2), (2, 4)]);
        assert!(find("abc", "  ").is_empty());
    }

    #[test]
    fn hits_in_the_corpus_carry_paragraphs() {
        let d = builtin().into_iter().find(|d| d.meta.id == "S/2019/103").unwrap();
        let h = hits(&d, "bitcoin", 20, 10);
        assert!(!h.is_empty());
        assert!(h.iter().all(|h| h.text.eq_ignore_ascii_case("bitcoin")));
        assert_eq!(h[0].note, Some(9), "the first mention is in footnote 9");
        // Context in whole words: what precedes it (when cut) is a space in the text.
        let chars: Vec<char> = d.text.chars().collect();
        let before = h[0].context.before.chars().count();
        assert!(h[0].context.cut_before && chars[h[0].start - before - 1].is_whitespace(), "{:?}", h[0].context);
        assert_eq!(d.note_paragraph(9), Some(16));
        let in_para: Vec<_> = hits(&d, "financial reserves", 10, 10);
        assert_eq!(in_para[0].paragraph, Some(12));
    }
}
