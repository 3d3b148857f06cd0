//! Re-anchoring: annotations keep their quote and context, so when a document's
//! text changes (a better cleaner, a re-imported file) they can find their
//! place again. What cannot be found is kept and flagged, never dropped or
//! silently moved.
//!
//! In order, for each annotation:
//! 1. the quote is still at its offsets → [`Anchoring::Kept`];
//! 2. the quote occurs elsewhere → [`Anchoring::Moved`] to the occurrence whose
//!    prefix and suffix match best, then the nearest to the old place;
//! 3. a text close to the quote (edit distance at most a fifth of its length,
//!    for quotes of 5 characters or more) lies near the old place →
//!    [`Anchoring::Fuzzy`]: moved, its quote updated to the new text, and
//!    reported (with the old quote) so the shell can flag it for a look;
//! 4. otherwise → [`Anchoring::Detached`]: offsets and quote untouched.

use crate::annotation::{Annotation, trim};
use crate::document::Document;

/// What happened to an annotation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Anchoring {
    /// Its text is where it was.
    Kept,
    /// Its quote was found elsewhere; offsets were updated.
    Moved { from: (usize, usize), to: (usize, usize) },
    /// Only a near match was found near its old place: offsets and quote were
    /// updated; `old_quote` is what it quoted before, `distance` the edits between.
    Fuzzy { from: (usize, usize), to: (usize, usize), distance: usize, old_quote: String },
    /// It had no quote (an old layout): the quote was taken from the text at its offsets.
    Filled,
    /// Its quote is not in the text: kept as it is, shown as detached.
    Detached,
}

impl Anchoring {
    /// Whether the annotation changed (and must be saved).
    pub fn changed(&self) -> bool {
        matches!(self, Anchoring::Moved { .. } | Anchoring::Fuzzy { .. } | Anchoring::Filled)
    }
}

/// How far around its old place (in characters, beyond the quote's own length)
/// a near match is looked for.
pub const FUZZY_WINDOW: usize = 256;

/// Quotes longer than this are only re-anchored exactly (the near match costs
/// quote length × window).
pub const FUZZY_MAX_QUOTE: usize = 4000;

/// Re-anchors `a` in a text given as characters.
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
    let from = (a.start, a.end);
    if let Some(s) = exact(chars, a, &quote) {
        a.start = s;
        a.end = s + quote.len();
        a.fill_quote(chars);
        return Anchoring::Moved { from, to: (a.start, a.end) };
    }
    if let Some((s, e, distance)) = fuzzy(chars, a.start, &quote) {
        let (s, e) = trim(chars, s, e);
        if s < e {
            let old_quote = std::mem::take(&mut a.quote);
            a.start = s;
            a.end = e;
            a.fill_quote(chars);
            return Anchoring::Fuzzy { from, to: (s, e), distance, old_quote };
        }
    }
    Anchoring::Detached
}

/// Every exact occurrence of the quote; the one whose context matches best,
/// then the nearest to the old place.
fn exact(chars: &[char], a: &Annotation, quote: &[char]) -> Option<usize> {
    let len = chars.len();
    if quote.len() > len {
        return None;
    }
    let prefix: Vec<char> = a.prefix.chars().collect();
    let suffix: Vec<char> = a.suffix.chars().collect();
    let mut best: Option<(usize, usize, usize)> = None; // (score, distance, start)
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
    best.map(|(_, _, s)| s)
}

/// The stretch near `old_start` closest to `quote` by edit distance (at most a
/// fifth of the quote's length): `(start, end, distance)`. Sellers' algorithm
/// (edit distance with a free start and end in the text), with a cut-off once
/// every cell of a row exceeds the bound.
fn fuzzy(chars: &[char], old_start: usize, quote: &[char]) -> Option<(usize, usize, usize)> {
    let m = quote.len();
    let k = m / 5;
    if k == 0 || m > FUZZY_MAX_QUOTE {
        return None;
    }
    let w0 = old_start.saturating_sub(FUZZY_WINDOW).min(chars.len());
    let w1 = (old_start + m + FUZZY_WINDOW).min(chars.len());
    let t = &chars[w0..w1];
    let n = t.len();
    // prev[j]: distance of quote[..i] to a text stretch ending at j; from[j]: where it starts.
    let mut prev: Vec<usize> = vec![0; n + 1];
    let mut prev_from: Vec<usize> = (0..=n).collect();
    let mut cur = vec![0; n + 1];
    let mut cur_from = vec![0; n + 1];
    for (i, &q) in quote.iter().enumerate() {
        cur[0] = i + 1;
        cur_from[0] = 0;
        let mut row_min = cur[0];
        for j in 1..=n {
            let sub = prev[j - 1] + usize::from(t[j - 1] != q);
            let skip_quote = prev[j] + 1;
            let skip_text = cur[j - 1] + 1;
            (cur[j], cur_from[j]) = if sub <= skip_quote && sub <= skip_text {
                (sub, prev_from[j - 1])
            } else if skip_quote <= skip_text {
                (skip_quote, prev_from[j])
            } else {
                (skip_text, cur_from[j - 1])
            };
            row_min = row_min.min(cur[j]);
        }
        if row_min > k {
            return None;
        }
        std::mem::swap(&mut prev, &mut cur);
        std::mem::swap(&mut prev_from, &mut cur_from);
    }
    let mut best: Option<(usize, usize, usize, usize)> = None; // (distance, nearness, start, end)
    for j in 1..=n {
        let d = prev[j];
        let s = prev_from[j];
        if d > k || s >= j {
            continue;
        }
        let key = (d, (w0 + s).abs_diff(old_start), w0 + s, w0 + j);
        if best.is_none_or(|b| (key.0, key.1, key.3 - key.2) < (b.0, b.1, b.3 - b.2)) {
            best = Some(key);
        }
    }
    best.map(|(d, _, s, e)| (s, e, d))
}

fn common_suffix(a: &[char], b: &[char]) -> usize {
    a.iter().rev().zip(b.iter().rev()).take_while(|(x, y)| x == y).count()
}

fn common_prefix(a: &[char], b: &[char]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

/// What happened to each live annotation of `list` in `doc` (tombstones are
/// left alone), in the order of `list`.
pub fn reanchor_report(doc: &Document, list: &mut [Annotation]) -> Vec<(String, Anchoring)> {
    let chars: Vec<char> = doc.text.chars().collect();
    list.iter_mut().filter(|a| !a.deleted).map(|a| (a.id.clone(), reanchor(&chars, a))).collect()
}

/// Re-anchors every annotation of `doc` in `list`; returns the ids that moved or
/// were filled (to save) and those detached (to flag).
pub fn reanchor_all(doc: &Document, list: &mut [Annotation]) -> (Vec<String>, Vec<String>) {
    let (mut changed, mut detached) = (Vec::new(), Vec::new());
    for (id, outcome) in reanchor_report(doc, list) {
        if outcome == Anchoring::Detached {
            detached.push(id);
        } else if outcome.changed() {
            changed.push(id);
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

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    #[test]
    fn near_matches_move_and_are_reported() {
        let old = "Intro. The group obtained funds through extortion and the control of checkpoints. End.";
        let s = old.find("extortion").unwrap();
        let a = ann(old, s, s + "extortion and the control of checkpoints".len());
        // A cleaner fix inside the quote (a stray space removed), and text inserted before.
        let new = "Intro, revised. The group obtained funds through extortion and the con trol of checkpoints. End.";
        let mut b = a.clone();
        let got = reanchor(&chars(new), &mut b);
        let Anchoring::Fuzzy { distance, old_quote, to, .. } = got else { panic!("{got:?}") };
        assert_eq!(distance, 1);
        assert_eq!(old_quote, "extortion and the control of checkpoints");
        assert_eq!(b.quote, "extortion and the con trol of checkpoints");
        assert_eq!(to, (b.start, b.end));
        assert_eq!(chars(new)[b.start..b.end].iter().collect::<String>(), b.quote);
        // Now it is where it says: the next time it is kept.
        assert_eq!(reanchor(&chars(new), &mut b.clone()), Anchoring::Kept);

        // Too different: detached, untouched.
        let rewritten = "Intro. The group lives on taxes raised at roadblocks and on trade. End.";
        let mut c = a.clone();
        assert_eq!(reanchor(&chars(rewritten), &mut c), Anchoring::Detached);
        assert_eq!(c, a);

        // Short quotes are only ever matched exactly.
        let mut short = ann("ISIL and ISIS", 0, 4);
        assert_eq!(reanchor(&chars("ISIS and more"), &mut short), Anchoring::Detached);

        // Far from the old place, a near match is not looked for.
        let far = format!("{}{}", "x ".repeat(400), new);
        let mut d = a.clone();
        assert_eq!(reanchor(&chars(&far), &mut d), Anchoring::Detached);
    }

    #[test]
    fn a_hyphen_rejoined_by_a_better_cleaner() {
        let old = "Returnees 😀 and their fami- lies remain in camps.";
        let s = old.chars().position(|c| c == 'a').unwrap();
        let e = old.chars().count() - " remain in camps.".chars().count();
        let a = ann(old, s, e);
        assert_eq!(a.quote, "and their fami- lies");
        let new = "Returnees 😀 and their families remain in camps.";
        let mut b = a.clone();
        assert!(matches!(reanchor(&chars(new), &mut b), Anchoring::Fuzzy { distance: 2, .. }));
        assert_eq!(b.quote, "and their families");
    }

    #[test]
    fn a_report_per_annotation() {
        use crate::document::{BlockKind, DocumentBuilder, Meta, Piece};
        let text = "Funds flow through checkpoints near the border.";
        let mut kept = ann(text, 0, 10);
        kept.id = "kept".into();
        let mut moved = ann(text, 19, 30);
        moved.id = "moved".into();
        let mut gone = ann(text, 40, 46);
        gone.id = "gone".into();
        let mut tomb = ann(text, 0, 5);
        tomb.id = "tomb".into();
        tomb.deleted = true;
        let mut b = DocumentBuilder::new();
        b.push(BlockKind::Paragraph { number: Some(1) }, &[Piece::Text("Funds flow, via checkpoints, near the frontier.".into())]);
        let doc = b.finish(Meta::default());
        let mut list = vec![kept, moved, gone, tomb];
        let report = reanchor_report(&doc, &mut list.clone());
        let kinds: Vec<_> = report.iter().map(|(id, o)| (id.as_str(), std::mem::discriminant(o))).collect();
        assert_eq!(kinds, [
            ("kept", std::mem::discriminant(&Anchoring::Kept)),
            ("moved", std::mem::discriminant(&Anchoring::Moved { from: (0, 0), to: (0, 0) })),
            ("gone", std::mem::discriminant(&Anchoring::Detached)),
        ]);
        let (changed, detached) = reanchor_all(&doc, &mut list);
        assert_eq!((changed, detached), (vec!["moved".to_string()], vec!["gone".to_string()]));
        assert_eq!(list[3].start, 0, "tombstones are left alone");
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
