//! Re-anchoring: annotations keep their quote and context, so when a document's
//! text changes (a better cleaner, a re-imported file) they can find their
//! place again. What cannot be found is kept and flagged, never dropped or
//! silently moved.

use crate::annotation::Annotation;
use crate::document::Document;

/// What happened to an annotation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Anchoring {
    /// Its text is where it was.
    Kept,
    /// Its quote was found elsewhere; offsets were updated.
    Moved { from: (usize, usize), to: (usize, usize) },
    /// It had no quote (an old layout): the quote was taken from the text at its offsets.
    Filled,
    /// Its quote is not in the text: kept as it is, shown as detached.
    Detached,
}

/// Re-anchors `a` in `doc` (using `chars`, the document's text as characters).
pub fn reanchor(chars: &[char], a: &mut Annotation) -> Anchoring {
    let len = chars.len();
    let quote: Vec<char> = a.quote.chars().collect();
    if quote.is_empty() {
        if a.start < a.end && a.end <= len {
            a.fill_quote(chars);
            return Anchoring::Filled;
        }
        return Anchoring::Detached;
    }
    if a.end <= len && a.start < a.end && chars[a.start..a.end] == quote[..] {
        return Anchoring::Kept;
    }
    // Every exact occurrence of the quote; choose the one whose context matches
    // best, then the nearest to the old place.
    let prefix: Vec<char> = a.prefix.chars().collect();
    let suffix: Vec<char> = a.suffix.chars().collect();
    let mut best: Option<(usize, usize, usize)> = None; // (score, distance, start)
    if quote.len() <= len {
        for s in 0..=len - quote.len() {
            if chars[s] != quote[0] || chars[s..s + quote.len()] != quote[..] {
                continue;
            }
            let before = common_suffix(&chars[s.saturating_sub(prefix.len())..s], &prefix);
            let e = s + quote.len();
            let after = common_prefix(&chars[e..(e + suffix.len()).min(len)], &suffix);
            let score = before + after;
            let distance = s.abs_diff(a.start);
            let better = match best {
                None => true,
                Some((bs, bd, _)) => score > bs || (score == bs && distance < bd),
            };
            if better {
                best = Some((score, distance, s));
            }
        }
    }
    match best {
        Some((_, _, s)) => {
            let from = (a.start, a.end);
            a.start = s;
            a.end = s + quote.len();
            a.fill_quote(chars);
            Anchoring::Moved { from, to: (a.start, a.end) }
        }
        None => Anchoring::Detached,
    }
}

fn common_suffix(a: &[char], b: &[char]) -> usize {
    a.iter().rev().zip(b.iter().rev()).take_while(|(x, y)| x == y).count()
}

fn common_prefix(a: &[char], b: &[char]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

/// Re-anchors every annotation of `doc` in `list`; returns the ids that moved or
/// were filled (to save) and those detached (to flag).
pub fn reanchor_all(doc: &Document, list: &mut [Annotation]) -> (Vec<String>, Vec<String>) {
    let chars: Vec<char> = doc.text.chars().collect();
    let (mut changed, mut detached) = (Vec::new(), Vec::new());
    for a in list.iter_mut().filter(|a| !a.deleted) {
        match reanchor(&chars, a) {
            Anchoring::Kept => {}
            Anchoring::Moved { .. } | Anchoring::Filled => changed.push(a.id.clone()),
            Anchoring::Detached => detached.push(a.id.clone()),
        }
    }
    (changed, detached)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ann(text: &str, start: usize, end: usize) -> Annotation {
        let chars: Vec<char> = text.chars().collect();
        let mut a = Annotation {
            id: "a".into(), doc: "D".into(), start, end, quote: String::new(), prefix: String::new(),
            suffix: String::new(), tags: vec!["t".into()], memo: String::new(), coder: String::new(),
            created: "t".into(), updated: "t".into(), deleted: false,
        };
        a.fill_quote(&chars);
        a
    }

    #[test]
    fn kept_moved_detached() {
        let old = "ISIL 😀 funds flow through checkpoints. Funds flow elsewhere.";
        let a = ann(old, 7, 17); // "funds flow"
        assert_eq!(a.quote, "funds flow");
        let chars = |s: &str| s.chars().collect::<Vec<_>>();

        let mut same = a.clone();
        assert_eq!(reanchor(&chars(old), &mut same), Anchoring::Kept);

        // Text inserted before: the quote moves with its context.
        let new = "Reports say ISIL 😀 funds flow through checkpoints. Funds flow elsewhere.";
        let mut moved = a.clone();
        assert_eq!(reanchor(&chars(new), &mut moved), Anchoring::Moved { from: (7, 17), to: (19, 29) });
        assert_eq!(moved.quote, "funds flow");

        // Two occurrences: context picks the right one even if the other is nearer.
        let b = ann(old, 39, 49); // "Funds flow" (capital F) — distinct; make a lowercase twin
        assert_eq!(b.quote, "Funds flow");
        let twin = "funds flow elsewhere. ISIL 😀 funds flow through checkpoints.";
        let mut picked = a.clone();
        assert!(matches!(reanchor(&chars(twin), &mut picked), Anchoring::Moved { to: (29, 39), .. }));

        // Gone: kept, flagged, offsets untouched.
        let gone = "Nothing of the kind here.";
        let mut lost = a.clone();
        assert_eq!(reanchor(&chars(gone), &mut lost), Anchoring::Detached);
        assert_eq!((lost.start, lost.end, lost.quote.as_str()), (7, 17, "funds flow"));
    }

    #[test]
    fn old_layout_without_quote_is_filled() {
        let text = "abc def";
        let mut a = ann(text, 4, 7);
        a.quote.clear();
        assert_eq!(reanchor(&text.chars().collect::<Vec<_>>(), &mut a), Anchoring::Filled);
        assert_eq!(a.quote, "def");
    }
}
