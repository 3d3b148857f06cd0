//! Layout of a block for display: its text cut into runs at annotation
//! boundaries, with footnote markers in place. Pure: the web shell only turns
//! runs into elements.

use crate::document::{Block, Document};

/// One piece of a block as displayed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Run<K> {
    /// Text from `start` to `end` (code points into the document text), covered by `keys`
    /// (empty for uncovered text).
    Text { start: usize, end: usize, text: String, keys: Vec<K> },
    /// A footnote marker.
    Note(u32),
}

/// Cuts `block` into runs. `spans` are `(start, end, key)` in code points (any order,
/// may overlap, may reach outside the block: they are clipped). Each run of text
/// carries the keys of the spans covering all of it, in the order of `spans`.
pub fn runs<K: Clone>(doc: &Document, block: &Block, spans: &[(usize, usize, K)]) -> Vec<Run<K>> {
    let (b0, b1) = (block.start, block.end);
    let clipped: Vec<(usize, usize, &K)> = spans
        .iter()
        .filter_map(|(s, e, k)| {
            let (s, e) = ((*s).max(b0), (*e).min(b1));
            (s < e).then_some((s, e, k))
        })
        .collect();
    let notes: Vec<(usize, u32)> = doc.notes_in(b0, b1).map(|n| (n.at, n.number)).collect();
    // Every place a run may start or end.
    let mut cuts: Vec<usize> = vec![b0, b1];
    for (s, e, _) in &clipped {
        cuts.push(*s);
        cuts.push(*e);
    }
    cuts.extend(notes.iter().map(|(at, _)| *at));
    cuts.sort_unstable();
    cuts.dedup();

    let text = doc.block_text(block);
    // Byte offset of every cut, found in one pass over the block's text.
    let mut bytes = Vec::with_capacity(cuts.len());
    let mut ci = text.char_indices().map(|(b, _)| b).chain(std::iter::once(text.len()));
    let mut cp = b0;
    let mut byte = ci.next().unwrap_or(0);
    for &c in &cuts {
        while cp < c {
            byte = ci.next().unwrap_or(text.len());
            cp += 1;
        }
        bytes.push(byte);
    }

    let mut out = Vec::new();
    let mut note_i = 0;
    for w in 0..cuts.len() {
        while note_i < notes.len() && notes[note_i].0 == cuts[w] {
            out.push(Run::Note(notes[note_i].1));
            note_i += 1;
        }
        if w + 1 < cuts.len() {
            let (s, e) = (cuts[w], cuts[w + 1]);
            let keys = clipped
                .iter()
                .filter(|(as_, ae, _)| *as_ <= s && *ae >= e)
                .map(|(_, _, k)| (*k).clone())
                .collect();
            out.push(Run::Text { start: s, end: e, text: text[bytes[w]..bytes[w + 1]].to_string(), keys });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::{BlockKind, DocumentBuilder, Meta, Piece};
    use proptest::prelude::*;

    fn doc(text: &str, notes: &[(usize, u32)]) -> Document {
        // Build a one-paragraph document with notes at the given code points.
        let chars: Vec<char> = text.chars().collect();
        let mut pieces = Vec::new();
        let mut last = 0;
        let mut notes = notes.to_vec();
        notes.sort();
        for (at, n) in notes {
            pieces.push(Piece::Text(chars[last..at].iter().collect()));
            pieces.push(Piece::Note(n));
            last = at;
        }
        pieces.push(Piece::Text(chars[last..].iter().collect()));
        let mut b = DocumentBuilder::new();
        b.push(BlockKind::Paragraph { number: Some(1) }, &pieces);
        b.finish(Meta::default())
    }

    #[test]
    fn overlapping_spans_and_notes() {
        let d = doc("ab😀cdef", &[(3, 1)]);
        let r = runs(&d, &d.blocks[0], &[(1, 4, 'x'), (2, 6, 'y')]);
        let shown: Vec<String> = r
            .iter()
            .map(|r| match r {
                Run::Text { text, keys, .. } => format!("{text}:{}", keys.iter().collect::<String>()),
                Run::Note(n) => format!("[{n}]"),
            })
            .collect();
        assert_eq!(shown, ["a:", "b:x", "😀:xy", "[1]", "c:xy", "de:y", "f:"]);
    }

    proptest! {
        #[test]
        fn runs_tile_the_block_and_keys_match_brute_force(
            text in "x[a-c😀é\u{301} ]{0,30}",
            spans in proptest::collection::vec((0usize..32, 0usize..32), 0..6),
            note_at in proptest::option::of(0usize..32),
        ) {
            let n = text.chars().count();
            let notes: Vec<(usize, u32)> = note_at.filter(|a| *a <= n).map(|a| (a, 7)).into_iter().collect();
            let d = doc(&text, &notes);
            let spans: Vec<(usize, usize, usize)> = spans.iter().enumerate()
                .map(|(i, (a, b))| ((*a).min(*b), (*a).max(*b), i)).collect();
            let r = runs(&d, &d.blocks[0], &spans);
            let mut pos = 0;
            let mut joined = String::new();
            let mut note_count = 0;
            for run in &r {
                match run {
                    Run::Text { start, end, text: t, keys } => {
                        prop_assert_eq!(*start, pos);
                        prop_assert!(end > start);
                        pos = *end;
                        joined.push_str(t);
                        let expect: Vec<usize> = spans.iter()
                            .filter(|(s, e, _)| *s <= *start && *e >= *end && s < e)
                            .map(|(_, _, k)| *k).collect();
                        prop_assert_eq!(keys, &expect);
                    }
                    Run::Note(_) => note_count += 1,
                }
            }
            prop_assert_eq!(pos, n);
            prop_assert_eq!(joined, text);
            prop_assert_eq!(note_count, notes.len());
        }
    }
}

/// Groups spans `(start, end, _)` by the blocks they overlap (a span crossing
/// blocks is in each): index `i` of the result belongs to `blocks[i]`. Blocks must
/// be in text order and not overlap, as a document's are. O((n + b) log b).
pub fn by_block<'a, T>(blocks: &[Block], spans: impl IntoIterator<Item = (usize, usize, &'a T)>) -> Vec<Vec<&'a T>> {
    let mut out: Vec<Vec<&T>> = (0..blocks.len()).map(|_| Vec::new()).collect();
    for (start, end, item) in spans {
        let first = blocks.partition_point(|b| b.end <= start);
        for (i, b) in blocks.iter().enumerate().skip(first) {
            if b.start >= end.max(start + 1) {
                break;
            }
            out[i].push(item);
        }
    }
    out
}

#[cfg(test)]
mod by_block_tests {
    use super::*;
    use crate::document::BlockKind;

    #[test]
    fn spans_land_in_every_block_they_touch() {
        let b = |start, end| Block { kind: BlockKind::Paragraph { number: None }, start, end, form: None };
        let blocks = [b(0, 10), b(12, 20), b(22, 30)];
        let items = ["a", "b", "c", "d"];
        let spans = [(2, 5, &items[0]), (8, 25, &items[1]), (10, 12, &items[2]), (29, 30, &items[3])];
        let g = by_block(&blocks, spans);
        assert_eq!(g[0], vec![&"a", &"b"]);
        assert_eq!(g[1], vec![&"b"]);
        assert_eq!(g[2], vec![&"b", &"d"]);
    }
}
