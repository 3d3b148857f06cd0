//! Segments: a range of text (a paragraph, a block) cut at annotation
//! boundaries, each piece carrying the annotations that cover it. Overlapping
//! and nested spans are allowed; uncovered stretches are segments with no ids.
//!
//! One sweep over the sorted span boundaries: O(n log n) for n spans, plus the
//! size of the output (each segment lists the spans covering it).

use std::collections::BTreeSet;

use crate::annotation::Annotation;
use crate::document::Document;

/// Retrieved segments as text to paste into a draft: for each, its quotation
/// with its citation ("“…” (S/2019/103 ¶12)"), its tags, and its memo on
/// lines of its own when it has one (its line breaks kept); a blank line
/// between segments.
pub fn as_text<'a>(segments: impl IntoIterator<Item = (&'a str, &'a str, &'a str)>) -> String {
    segments
        .into_iter()
        .map(|(quotation, tags, memo)| {
            // Its lines kept (a memo's points), each tidied; no blank line, which parts segments.
            let memo = memo
                .lines()
                .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>()
                .join("\n");
            let tags = if tags.is_empty() { String::new() } else { format!(" · {tags}") };
            if memo.is_empty() { format!("{quotation}{tags}") } else { format!("{quotation}{tags}\nMemo: {memo}") }
        })
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// A piece of the range `[start, end)` (code points) and the keys covering all of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment<K> {
    pub start: usize,
    pub end: usize,
    /// The keys of the spans covering the segment, in the order the spans were given.
    pub ids: Vec<K>,
}

/// Co-occurrence as QDA tools count it: of `anns` (one document's, sorted by
/// start), those that carry a tag of one of `groups` and overlap, for every
/// group, an annotation of the same coder with a tag of that group (itself
/// included). A group is a chosen tag alone, or with its sub-codes
/// ([`crate::route::SegmentsQuery::groups`]). With fewer than two groups,
/// every annotation with a tag of the group.
pub fn overlapping<'a>(anns: &[&'a Annotation], groups: &[Vec<String>]) -> Vec<&'a Annotation> {
    let in_group = |a: &Annotation, g: &Vec<String>| a.tags.iter().any(|t| g.contains(t));
    let with: Vec<&Annotation> = anns.iter().copied().filter(|a| groups.iter().any(|g| in_group(a, g))).collect();
    with.iter()
        .copied()
        .filter(|a| {
            groups.iter().all(|g| {
                // Sorted by start: only those starting before `a` ends can overlap it.
                with.iter()
                    .take_while(|b| b.start < a.end)
                    .any(|b| b.coder == a.coder && b.end > a.start && in_group(b, g))
            })
        })
        .collect()
}

/// Code co-occurrence, as ATLAS.ti's co-occurrence table and NVivo's matrix of
/// codes by codes count it: `counts[i][j]` is how many annotations with `tags[i]`
/// overlap an annotation of the same coder with `tags[j]`. An annotation with
/// both tags counts too, so the diagonal is the number of annotations with each
/// tag. `docs`: each document's annotations, sorted by start.
pub fn cooccurrence(docs: &[Vec<&Annotation>], tags: &[String]) -> Vec<Vec<usize>> {
    let mut counts = vec![vec![0; tags.len()]; tags.len()];
    for anns in docs {
        for a in anns.iter().filter(|a| a.start < a.end && a.tags.iter().any(|t| tags.contains(t))) {
            let mut met = vec![false; tags.len()];
            // Sorted by start: only those starting before `a` ends can overlap it (itself included).
            // (An empty annotation covers no text: it meets nothing, as it counts as no row.)
            for b in anns.iter().take_while(|b| b.start < a.end).filter(|b| b.coder == a.coder && b.end > a.start && b.start < b.end) {
                for (j, t) in tags.iter().enumerate() {
                    met[j] |= b.tags.contains(t);
                }
            }
            for i in (0..tags.len()).filter(|&i| a.tags.contains(&tags[i])) {
                for (j, m) in met.iter().enumerate() {
                    counts[i][j] += usize::from(*m);
                }
            }
        }
    }
    counts
}

/// The co-occurrence table as HTML (names escaped): a row and a column per tag.
pub fn cooccurrence_html(names: &[String], counts: &[Vec<usize>]) -> String {
    use crate::html::escape;
    let mut h = String::from("<div class=\"table-wrap\"><table class=\"agreement cooc\"><thead><tr><th scope=\"col\">Annotations with</th>");
    for n in names {
        h.push_str(&format!("<th scope=\"col\" title=\"…that overlap one with {0}\">{0}</th>", escape(n)));
    }
    h.push_str("</tr></thead><tbody>");
    for (n, row) in names.iter().zip(counts) {
        h.push_str(&format!("<tr><th scope=\"row\">{}</th>", escape(n)));
        for (j, c) in row.iter().enumerate() {
            let same = names.get(j) == Some(n);
            h.push_str(&format!("<td{}>{c}</td>", if same { " class=\"diag\"" } else { "" }));
        }
        h.push_str("</tr>");
    }
    h.push_str("</tbody></table></div>");
    h
}

/// The co-occurrence table as CSV (for R, pandas or a spreadsheet): a row per tag,
/// its annotations overlapping one with each column's tag.
pub fn cooccurrence_csv(names: &[String], counts: &[Vec<usize>]) -> String {
    let mut w = crate::export::CsvOut::new();
    w.row(std::iter::once("tag").chain(names.iter().map(String::as_str)));
    for (n, row) in names.iter().zip(counts) {
        w.row_with_numbers([n.as_str()], row.iter().map(usize::to_string));
    }
    w.finish(false)
}

/// Cuts `[start, end)` at the boundaries of `spans` (`(start, end, key)`, any order;
/// clipped to the range; empty spans ignored). The segments are sorted, non-empty
/// and tile the range exactly; an empty range gives no segments.
pub fn segments<K: Clone>(start: usize, end: usize, spans: &[(usize, usize, K)]) -> Vec<Segment<K>> {
    if start >= end {
        return Vec::new();
    }
    // Boundary events: (position, is_start, span index). Ends sort before starts at
    // the same position, but since every cut closes a segment it does not matter.
    let mut events: Vec<(usize, bool, usize)> = Vec::with_capacity(spans.len() * 2);
    for (i, (s, e, _)) in spans.iter().enumerate() {
        let (s, e) = ((*s).max(start), (*e).min(end));
        if s < e {
            events.push((s, true, i));
            events.push((e, false, i));
        }
    }
    events.sort_unstable();
    let mut out = Vec::with_capacity(events.len() + 1);
    let mut active: BTreeSet<usize> = BTreeSet::new();
    let mut at = start;
    let mut k = 0;
    while at < end {
        while k < events.len() && events[k].0 == at {
            let (_, open, i) = events[k];
            if open {
                active.insert(i);
            } else {
                active.remove(&i);
            }
            k += 1;
        }
        let next = events.get(k).map_or(end, |e| e.0.min(end));
        out.push(Segment { start: at, end: next, ids: active.iter().map(|&i| spans[i].2.clone()).collect() });
        at = next;
    }
    out
}

/// The segments of `[start, end)` under the live annotations of `annotations`
/// (tombstones are skipped), keyed by annotation id.
pub fn annotation_segments(start: usize, end: usize, annotations: &[Annotation]) -> Vec<Segment<String>> {
    let spans: Vec<(usize, usize, String)> =
        annotations.iter().filter(|a| !a.deleted).map(|a| (a.start, a.end, a.id.clone())).collect();
    segments(start, end, &spans)
}

/// Retrieval by code: for each `(tag, group)` of `groups` (the codebook's
/// order), the items that carry a tag of its group (the tag alone, or with
/// its sub-codes), in their given order; an item with several tags is listed
/// under each. Tags with no item are left out.
pub fn by_tag<'a, T>(items: &'a [T], tags_of: impl Fn(&T) -> &[String], groups: &[(String, Vec<String>)]) -> Vec<(String, Vec<&'a T>)> {
    groups
        .iter()
        .map(|(t, g)| (t.clone(), items.iter().filter(|i| tags_of(i).iter().any(|x| g.contains(x))).collect::<Vec<_>>()))
        .filter(|(_, list)| !list.is_empty())
        .collect()
}

/// The text around a span, for reading it in a list: up to about `width`
/// characters on each side, within the block that holds each end (never
/// across a paragraph break), cut only between words.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Context {
    pub before: String,
    pub after: String,
    /// Whether the block goes on before `before` (a list shows "…").
    pub cut_before: bool,
    /// Whether the block goes on after `after`.
    pub cut_after: bool,
}

/// The [`Context`] of `start..end` (code points) in `doc`.
pub fn context(doc: &Document, start: usize, end: usize, width: usize) -> Context {
    let mut out = Context::default();
    // The block holding the start (the first that ends after it), and the one holding the end.
    let i = doc.blocks.partition_point(|b| b.end <= start);
    if let Some(b) = doc.blocks.get(i).filter(|b| b.start < start) {
        let chars: Vec<char> = doc.block_text(b).chars().take(start - b.start).collect();
        let mut from = chars.len().saturating_sub(width);
        if from > 0 {
            // Skip the partial word: start after the first space in the window
            // (none: the window is all one word, and shows nothing).
            from = chars[from..].iter().position(|c| c.is_whitespace()).map_or(chars.len(), |k| from + k + 1);
            out.cut_before = true;
        }
        out.before = chars[from..].iter().collect();
    }
    let j = doc.blocks.partition_point(|b| b.end < end);
    if let Some(b) = doc.blocks.get(j).filter(|b| b.start <= end && end < b.end) {
        let chars: Vec<char> = doc.block_text(b).chars().skip(end - b.start).collect();
        let mut to = chars.len().min(width);
        if to < chars.len() {
            // End before the partial word: at the last space in the window.
            to = chars[..to].iter().rposition(|c| c.is_whitespace()).unwrap_or(0);
            out.cut_after = true;
        }
        out.after = chars[..to].iter().collect();
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn segments_copy_as_text_for_a_draft() {
        let text = super::as_text([
            ("“cash” (S/2019/103 ¶13)", "finance", ""),
            ("“ransom” (S/2019/103 ¶14)", "finance, threat", "Kidnapping:\n\n  a source of  funds."),
        ]);
        assert_eq!(text, "“cash” (S/2019/103 ¶13) · finance\n\n“ransom” (S/2019/103 ¶14) · finance, threat\nMemo: Kidnapping:\na source of funds.");
        assert_eq!(super::as_text([]), "");
    }

    use super::*;
    use proptest::prelude::*;

    #[test]
    fn codings_that_overlap_co_occur() {
        let ann = |id: &str, s: usize, e: usize, tags: &[&str], coder: &str| Annotation {
            id: id.into(), doc: "D".into(), start: s, end: e, quote: String::new(), prefix: String::new(), suffix: String::new(),
            tags: tags.iter().map(|t| t.to_string()).collect(), memo: String::new(), coder: coder.into(),
            created: "t".into(), updated: "t".into(), deleted: false,
        };
        let anns = [
            ann("threat", 0, 100, &["threat"], "ana"),
            ann("inside", 10, 20, &["prosecution"], "ana"),
            ann("both", 30, 40, &["threat", "prosecution"], "ana"),
            ann("bo", 50, 60, &["prosecution"], "bo"),
            ann("other", 70, 80, &["finance"], "ana"),
            ann("apart", 200, 210, &["prosecution"], "ana"),
        ];
        let refs: Vec<&Annotation> = anns.iter().collect();
        let groups = vec![vec!["threat".to_string()], vec!["prosecution".to_string()]];
        let ids: Vec<&str> = overlapping(&refs, &groups).iter().map(|a| a.id.as_str()).collect();
        // Bo's coding overlaps Ana's threat, but another coder's codings do not co-occur with hers.
        assert_eq!(ids, ["threat", "inside", "both"]);
        let one = vec![vec!["prosecution".to_string()]];
        assert_eq!(overlapping(&refs, &one).len(), 4, "one tag: every annotation with it");
        // finance as a sub-code of threat: with threat's group, "other" overlaps prosecution? No:
        // it overlaps only "threat"; it has a tag of threat's group and meets prosecution's through nothing.
        let with_sub = vec![vec!["threat".to_string(), "finance".to_string()], vec!["prosecution".to_string()]];
        let ids: Vec<&str> = overlapping(&refs, &with_sub).iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids, ["threat", "inside", "both"], "finance at 70..80 meets no prosecution");
        let with_sub = vec![vec!["prosecution".to_string()], vec!["threat".to_string(), "finance".to_string()]];
        let later_fin = [ann("p", 0, 10, &["prosecution"], "ana"), ann("f", 5, 15, &["finance"], "ana")];
        let refs2: Vec<&Annotation> = later_fin.iter().collect();
        assert_eq!(overlapping(&refs2, &with_sub).len(), 2, "a sub-code's coding stands for its parent");
        assert!(overlapping(&refs2, &groups).is_empty(), "without the sub-code, finance is not threat");

        // The co-occurrence table over the same codings (and a second document).
        let later = [ann("x", 0, 5, &["threat"], "ana"), ann("y", 4, 9, &["finance"], "ana"), ann("z", 9, 12, &["prosecution"], "ana")];
        let docs = vec![refs.clone(), later.iter().collect()];
        let three = vec!["threat".to_string(), "prosecution".to_string(), "finance".to_string()];
        let t = cooccurrence(&docs, &three);
        // threat: 3 annotations (threat, both, x); with prosecution: threat (inside, both) and
        // both (itself); with finance: threat (other) and x (y; z only touches y's end).
        assert_eq!(t[0], [3, 2, 2]);
        // prosecution: inside and both meet threat; Bo's is his alone; apart meets nothing; z
        // starts where y ends.
        assert_eq!(t[1], [2, 5, 0]);
        assert_eq!(t[2], [2, 0, 2]);
        assert_eq!(t, cooccurrence(&[later.iter().collect(), refs.clone()], &three), "the order of documents does not matter");
        // As CSV and HTML: names escaped, a formula is no formula.
        let names = vec!["threat".to_string(), "=pros".to_string(), "<fin>".to_string()];
        let csv = cooccurrence_csv(&names, &t);
        let rows: Vec<Vec<String>> = csv::Reader::from_reader(csv.as_bytes()).records().map(|r| r.unwrap().iter().map(String::from).collect()).collect();
        assert!(csv.starts_with("tag,threat,'=pros,<fin>"), "{csv}");
        assert_eq!(rows[0], ["threat", "3", "2", "2"]);
        assert_eq!(rows[1][0], "'=pros");
        let html = cooccurrence_html(&names, &t);
        assert!(html.contains("&lt;fin&gt;") && !html.contains("<fin>"), "{html}");
        assert_eq!(html.matches("class=\"diag\">").count(), 3);
        assert_eq!(html.matches("<tr>").count(), 4);
    }

    fn show(segs: &[Segment<char>]) -> Vec<String> {
        segs.iter().map(|s| format!("{}-{}:{}", s.start, s.end, s.ids.iter().collect::<String>())).collect()
    }

    #[test]
    fn overlap_nesting_and_uncovered_stretches() {
        // a: [2,8), b nested in a: [3,5), c overlaps a's end: [6,12) clipped to 10.
        let spans = [(2, 8, 'a'), (3, 5, 'b'), (6, 12, 'c')];
        let s = segments(0, 10, &spans);
        assert_eq!(show(&s), ["0-2:", "2-3:a", "3-5:ab", "5-6:a", "6-8:ac", "8-10:c"]);
        // Same boundaries twice, spans outside, empty spans, an empty range.
        let s = segments(0, 4, &[(1, 3, 'x'), (1, 3, 'y'), (5, 9, 'z'), (2, 2, 'w')]);
        assert_eq!(show(&s), ["0-1:", "1-3:xy", "3-4:"]);
        assert!(segments::<char>(4, 4, &[]).is_empty());
        assert_eq!(show(&segments::<char>(0, 3, &[])), ["0-3:"]);
        // Order of ids follows the order of the spans given, not their positions.
        let s = segments(0, 3, &[(1, 3, 'q'), (0, 3, 'p')]);
        assert_eq!(show(&s), ["0-1:p", "1-3:qp"]);
    }

    #[test]
    fn annotations_by_id_without_tombstones() {
        let mk = |id: &str, start, end, deleted| Annotation {
            id: id.into(), doc: "D".into(), start, end, quote: String::new(), prefix: String::new(),
            suffix: String::new(), tags: vec!["threat".into()], memo: String::new(), coder: String::new(),
            created: "t".into(), updated: "t".into(), deleted,
        };
        let s = annotation_segments(10, 20, &[mk("a", 12, 15, false), mk("gone", 11, 19, true)]);
        let ids: Vec<_> = s.iter().map(|s| (s.start, s.end, s.ids.join(","))).collect();
        assert_eq!(ids, [(10, 12, String::new()), (12, 15, "a".into()), (15, 20, String::new())]);
    }

    fn doc(paragraphs: &[&str]) -> Document {
        let mut b = crate::document::DocumentBuilder::new();
        for (i, p) in paragraphs.iter().enumerate() {
            b.push(crate::BlockKind::Paragraph { number: Some(i as u32 + 1) }, &[crate::document::Piece::Text((*p).into())]);
        }
        b.finish(crate::Meta::default())
    }

    #[test]
    fn retrieval_by_code_lists_an_item_under_each_of_its_tags() {
        let items: Vec<(u32, Vec<String>)> = vec![
            (1, vec!["b".into()]),
            (2, vec!["a".into(), "b".into()]),
            (3, vec!["c".into()]),
        ];
        let alone = |t: &[&str]| t.iter().map(|t| (t.to_string(), vec![t.to_string()])).collect::<Vec<_>>();
        let show = |g: Vec<(String, Vec<&(u32, Vec<String>)>)>| {
            g.into_iter().map(|(t, l)| format!("{t}:{}", l.iter().map(|i| i.0.to_string()).collect::<String>())).collect::<Vec<_>>()
        };
        assert_eq!(show(by_tag(&items, |i| &i.1, &alone(&["a", "b", "c", "d"]))), ["a:2", "b:12", "c:3"], "codebook order; d has none");
        assert_eq!(show(by_tag(&items, |i| &i.1, &alone(&["b", "c"]))), ["b:12", "c:3"]);
        // c under a: a's group takes in c's items (once each), c keeps its own.
        let tree = vec![("a".to_string(), vec!["a".to_string(), "c".to_string()]), ("c".to_string(), vec!["c".to_string()])];
        assert_eq!(show(by_tag(&items, |i| &i.1, &tree)), ["a:23", "c:3"]);
    }

    #[test]
    fn context_stops_at_words_and_paragraph_breaks() {
        let d = doc(&["Alpha beta gamma delta epsilon.", "Zeta eta theta iota kappa."]);
        let at = |s: &str| d.text.find(s).map(|b| d.text[..b].chars().count()).unwrap();
        // "delta" with 8 characters each side: "gamma " fits, "beta" is cut whole.
        let (s, e) = (at("delta"), at("delta") + 5);
        let c = context(&d, s, e, 8);
        assert_eq!((c.before.as_str(), c.after.as_str()), ("gamma ", ""));
        assert!(c.cut_before && c.cut_after);
        // A wide window takes the whole paragraph and stops at its end.
        let c = context(&d, s, e, 100);
        assert_eq!((c.before.as_str(), c.after.as_str()), ("Alpha beta gamma ", " epsilon."));
        assert!(!c.cut_before && !c.cut_after);
        // A span at a paragraph's start and another's end: nothing from the neighbours.
        let c = context(&d, at("Zeta"), at("Zeta") + 4, 100);
        assert_eq!((c.before.as_str(), c.after.as_str()), ("", " eta theta iota kappa."));
        let c = context(&d, at("epsilon."), at("epsilon.") + 8, 100);
        assert_eq!(c.after, "");
        // A span across the break takes context from both of its paragraphs.
        let c = context(&d, at("epsilon"), at(" eta ") + 4, 100);
        assert_eq!((c.before.as_str(), c.after.as_str()), ("Alpha beta gamma delta ", " theta iota kappa."));
    }

    proptest! {
        #[test]
        fn context_is_the_text_around_the_span_in_whole_words(
            words in proptest::collection::vec("[a-zé]{1,7}", 1..30),
            cut in 0usize..3,
            a in 0usize..300, b in 0usize..300, width in 0usize..40,
        ) {
            let paragraphs: Vec<String> = words.chunks(words.len().div_ceil(cut + 1)).map(|w| w.join(" ")).collect();
            let d = doc(&paragraphs.iter().map(String::as_str).collect::<Vec<_>>());
            let chars: Vec<char> = d.text.chars().collect();
            let (s, e) = (a.min(b).min(chars.len()), a.max(b).min(chars.len()));
            let c = context(&d, s, e, width);
            let before: Vec<char> = c.before.chars().collect();
            let after: Vec<char> = c.after.chars().collect();
            prop_assert!(before.len() <= width && after.len() <= width);
            prop_assert_eq!(&chars[s - before.len()..s], &before[..]);
            prop_assert_eq!(&chars[e..e + after.len()], &after[..]);
            prop_assert!(!c.before.contains('\n') && !c.after.contains('\n'));
            // Cut only between words: what precedes `before` (when cut) is a space.
            if c.cut_before && !before.is_empty() {
                prop_assert!(chars[s - before.len() - 1].is_whitespace());
            }
            if c.cut_after && !after.is_empty() {
                prop_assert!(chars[e + after.len()].is_whitespace());
            }
        }
    }

    proptest! {
        #[test]
        fn co_occurrence_is_bounded_by_the_diagonal_and_mutual(
            spans in proptest::collection::vec((0usize..50, 0usize..15, 0usize..8, any::<bool>()), 0..25),
        ) {
            let tags: Vec<String> = ["a", "b", "c"].map(String::from).to_vec();
            let mut anns: Vec<Annotation> = spans.iter().enumerate().map(|(k, &(s, l, mask, who))| Annotation {
                id: k.to_string(), doc: "D".into(), start: s, end: s + l, quote: String::new(), prefix: String::new(), suffix: String::new(),
                tags: tags.iter().enumerate().filter(|(i, _)| mask & (1 << i) != 0).map(|(_, t)| t.clone()).collect(),
                memo: String::new(), coder: if who { "ana" } else { "bo" }.into(), created: "t".into(), updated: "t".into(), deleted: false,
            }).collect();
            anns.sort_by_key(|a| a.start);
            let refs: Vec<&Annotation> = anns.iter().collect();
            let t = cooccurrence(&[refs], &tags);
            for i in 0..3 {
                let with = anns.iter().filter(|a| a.start < a.end && a.tags.contains(&tags[i])).count();
                prop_assert_eq!(t[i][i], with);
                for j in 0..3 {
                    prop_assert!(t[i][j] <= t[i][i]);
                    // Overlap is mutual: some i meets some j exactly when some j meets some i.
                    prop_assert_eq!(t[i][j] > 0, t[j][i] > 0);
                }
            }
        }
    }

    proptest! {
        #[test]
        fn segments_tile_the_range_and_covers_match_brute_force(
            start in 0usize..20,
            len in 0usize..40,
            spans in proptest::collection::vec((0usize..70, 0usize..70), 0..12),
        ) {
            let end = start + len;
            let spans: Vec<(usize, usize, usize)> =
                spans.iter().enumerate().map(|(i, (a, b))| ((*a).min(*b), (*a).max(*b), i)).collect();
            let segs = segments(start, end, &spans);
            let mut at = start;
            for s in &segs {
                prop_assert_eq!(s.start, at, "contiguous");
                prop_assert!(s.end > s.start, "non-empty");
                at = s.end;
                // Every point of the segment has the same cover, equal to the brute force.
                for p in s.start..s.end {
                    let cover: Vec<usize> = spans.iter().filter(|(a, b, _)| *a <= p && p < *b).map(|x| x.2).collect();
                    prop_assert_eq!(&s.ids, &cover);
                }
            }
            prop_assert_eq!(at, if len == 0 { start } else { end });
            // Cuts only where the cover changes or at a span boundary.
            for w in segs.windows(2) {
                let cut = w[0].end;
                prop_assert!(spans.iter().any(|(a, b, _)| *a == cut || *b == cut));
            }
        }
    }
}
