//! Property tests of annotations over texts with astral characters, combining
//! marks and CRLF: a span tags exactly its characters, and survives the storage
//! round trip (what a reload reads back) unchanged; edits outside a quote never
//! detach it; segments match brute force; every change of the coding state
//! undoes and redoes to what the coder saw; two tabs' concurrent edits merge
//! without loss.

use marginalia_core::annotation::Annotation;
use marginalia_core::codebook::Codebook;
use marginalia_core::coding::Coding;
use marginalia_core::document::{BlockKind, DocumentBuilder, Meta, Piece};
use marginalia_core::offsets::{Round, cp_to_utf16, slice_chars, utf16_to_cp};
use marginalia_core::store;
use proptest::prelude::*;

fn text() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![Just("a"), Just("😀"), Just("👩‍💻"), Just("é"), Just("e\u{301}"), Just("\r\n"), Just("字"), Just(" "), Just("𝔸")],
        1..60,
    )
    .prop_map(|v| format!("x{}", v.concat()))
}

proptest! {
    #[test]
    fn spans_quote_exactly_and_survive_storage(t in text(), a in 0usize..80, b in 0usize..80) {
        let mut builder = DocumentBuilder::new();
        builder.push(BlockKind::Paragraph { number: Some(1) }, &[Piece::Text(t.clone())]);
        let doc = builder.finish(Meta { id: "mine".into(), ..Meta::default() });
        let n = doc.text.chars().count();
        let (s, e) = (a.min(b).min(n), a.max(b).min(n));
        // As the DOM would give it: UTF-16 offsets, converted back to code points.
        let (u0, u1) = (cp_to_utf16(&doc.text, s), cp_to_utf16(&doc.text, e));
        let (s2, e2) = (utf16_to_cp(&doc.text, u0, Round::Down), utf16_to_cp(&doc.text, u1, Round::Up));
        prop_assert_eq!((s2, e2), (s, e));
        if let Some(ann) = Annotation::new(&doc, s, e, "threat", "ana", "id1".into(), "t", false) {
            prop_assert_eq!(ann.quote.as_str(), slice_chars(&doc.text, ann.start, ann.end));
            prop_assert_eq!(ann.quote.trim(), ann.quote.as_str());
            prop_assert!(ann.anchored_in(&doc));
            // Saved and read back as a reload does.
            let mut c = Coding::new(Codebook::default());
            c.add(ann.clone());
            let mut entries = std::collections::BTreeMap::new();
            entries.insert(store::doc_key("mine"), store::encode_annotations(c.stored("mine")));
            let loaded = store::load(&entries, "t", || "x".into());
            let back: Vec<_> = loaded.coding.live("mine").cloned().collect();
            prop_assert_eq!(back, vec![ann]);
        }
    }
}

/// An annotation over `text` at `start..end` (quote and context filled).
fn ann_at(text: &str, id: &str, start: usize, end: usize) -> Option<Annotation> {
    use marginalia_core::annotation::Draft;
    let draft = Draft { doc_id: "D", tags: vec!["threat".into()], coder: "ana", id: id.into(), now: "2026-01-01T00:00:00Z", snap: false };
    Annotation::from_text(text, start, end, draft)
}

fn words() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![Just("ISIL"), Just("funds"), Just("😀"), Just("camps"), Just("e\u{301}tat"), Just("Da’esh"), Just("\r\n"), Just("al-Qaida"), Just("字")],
        4..30,
    )
    .prop_map(|v| v.join(" "))
}

proptest! {
    /// Text inserted before or after a quote, or far away, never detaches it: it is
    /// kept or moved to exactly where its quote now is.
    #[test]
    fn edits_outside_the_quote_reanchor_exactly(
        t in words(), a in 0usize..200, len in 1usize..30, at in 0usize..200, ins in "[a-z😀 ]{1,12}",
    ) {
        use marginalia_core::anchor::{Anchoring, reanchor};
        let chars: Vec<char> = t.chars().collect();
        let n = chars.len();
        let s = a % n;
        let e = (s + len).min(n);
        let Some(ann) = ann_at(&t, "a", s, e) else { return Ok(()) };
        // Insert outside the annotated span.
        let at = at % (n + 1);
        prop_assume!(at <= ann.start || at >= ann.end);
        let mut new: Vec<char> = chars.clone();
        new.splice(at..at, ins.chars());
        let mut moved = ann.clone();
        let outcome = reanchor(&new, &mut moved);
        prop_assert!(matches!(outcome, Anchoring::Kept | Anchoring::Moved { .. }), "{:?}", outcome);
        prop_assert_eq!(&moved.quote, &ann.quote);
        prop_assert_eq!(new[moved.start..moved.end].iter().collect::<String>(), ann.quote.clone());
    }

    /// Segments of a paragraph under random annotations tile it, and each carries
    /// exactly the annotations covering it.
    #[test]
    fn segments_of_a_paragraph_match_brute_force(t in words(), spans in proptest::collection::vec((0usize..200, 0usize..200), 0..8)) {
        use marginalia_core::segments::annotation_segments;
        let n = t.chars().count();
        let anns: Vec<Annotation> = spans.iter().enumerate()
            .filter_map(|(i, (a, b))| ann_at(&t, &format!("a{i}"), a.min(b) % (n + 1), a.max(b) % (n + 1)))
            .collect();
        let segs = annotation_segments(0, n, &anns);
        let mut at = 0;
        for s in &segs {
            prop_assert_eq!(s.start, at);
            at = s.end;
            let mid = s.start;
            let cover: Vec<String> = anns.iter().filter(|a| a.start <= mid && mid < a.end).map(|a| a.id.clone()).collect();
            prop_assert_eq!(&s.ids, &cover);
        }
        prop_assert_eq!(at, n);
    }
}

#[derive(Debug, Clone)]
enum Op {
    Add(usize, usize),
    Memo(usize, u8),
    Delete(usize),
    MergeTag,
    Undo,
    Redo,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0usize..40, 1usize..10).prop_map(|(s, l)| Op::Add(s, l)),
        (0usize..6, 0u8..3).prop_map(|(i, m)| Op::Memo(i, m)),
        (0usize..6).prop_map(Op::Delete),
        Just(Op::MergeTag),
        Just(Op::Undo),
        Just(Op::Redo),
    ]
}

/// An annotation as the coder sees it: id, span, tags, memo.
type Seen = (String, usize, usize, Vec<String>, String);

/// What the coder sees: live annotations (without times) and the codebook.
fn view(c: &Coding) -> (Vec<Seen>, Vec<String>) {
    let anns = c.live("D").map(|a| (a.id.clone(), a.start, a.end, a.tags.clone(), a.memo.clone())).collect();
    (anns, c.codebook.tags.iter().map(|t| t.id.clone()).collect())
}

proptest! {
    /// The coding state's undo and redo (what Ctrl+Z and Ctrl+Shift+Z do in the
    /// app), checked against a timeline of what the coder saw after each change.
    #[test]
    fn every_change_is_undoable_and_redoable(ops in proptest::collection::vec(op(), 0..25)) {
        let text = "ISIL 😀 funds flow through checkpoints; returnees wait in camps; courts try them.";
        let mut c = Coding::new(Codebook::default());
        let mut timeline = vec![view(&c)];
        let mut at = 0usize;
        let mut ids: Vec<String> = Vec::new();
        for (step, o) in ops.into_iter().enumerate() {
            let now = format!("2026-01-01T00:00:{:02}Z", step);
            let before = view(&c);
            let touched = match o {
                Op::Add(s, l) => match ann_at(text, &format!("a{step}"), s, s + l) {
                    Some(a) => { ids.push(a.id.clone()); c.add(a) }
                    None => continue,
                },
                Op::Memo(i, m) => match ids.get(i) {
                    Some(id) if c.live("D").any(|a| &a.id == id) => c.update(id, &now, |a| a.memo = format!("m{m}")),
                    _ => continue,
                },
                Op::Delete(i) => match ids.get(i) {
                    Some(id) if c.live("D").any(|a| &a.id == id) => c.delete(id, &now),
                    _ => continue,
                },
                Op::MergeTag => {
                    let mut book = c.codebook.clone();
                    if book.get("threat").is_none() { continue; }
                    book.remove("threat");
                    c.set_codebook(book, Some(("threat", Some("finance"))), &now)
                }
                Op::Undo => {
                    prop_assert_eq!(c.can_undo(), at > 0);
                    c.undo(&now);
                    at = at.saturating_sub(1);
                    prop_assert_eq!(view(&c), timeline[at].clone());
                    continue;
                }
                Op::Redo => {
                    prop_assert_eq!(c.can_redo(), at + 1 < timeline.len());
                    c.redo(&now);
                    at = (at + 1).min(timeline.len() - 1);
                    prop_assert_eq!(view(&c), timeline[at].clone());
                    continue;
                }
            };
            if touched.is_empty() {
                prop_assert_eq!(view(&c), before);
                continue;
            }
            timeline.truncate(at + 1);
            timeline.push(view(&c));
            at += 1;
            prop_assert!(!c.can_redo(), "a new change clears redo");
        }
        while c.can_undo() { c.undo("2026-01-02T00:00:00Z"); }
        prop_assert_eq!(view(&c), timeline[0].clone());
        while c.can_redo() { c.redo("2026-01-02T00:00:01Z"); }
        prop_assert_eq!(view(&c), timeline.last().unwrap().clone());
    }

    /// Two tabs start from the same saved state and change it independently; the
    /// merge (either way round) holds every annotation of both, and each one as the
    /// tab that touched it last left it, deletions included.
    #[test]
    fn two_tabs_lose_nothing(ops_a in proptest::collection::vec(op(), 0..12), ops_b in proptest::collection::vec(op(), 0..12)) {
        let text = "ISIL 😀 funds flow through checkpoints; returnees wait in camps; courts try them.";
        let mut base = Coding::new(Codebook::default());
        for i in 0..4 {
            base.add(ann_at(text, &format!("base{i}"), i * 10, i * 10 + 5).unwrap());
        }
        let run = |ops: &[Op], tab: &str, second: u32| {
            let mut c = base.clone();
            let mut ids: Vec<String> = (0..4).map(|i| format!("base{i}")).collect();
            for (step, o) in ops.iter().enumerate() {
                // Tab b's clock is later, so its edits of the same annotation win.
                let now = format!("2026-01-01T00:{second:02}:{step:02}Z");
                match o {
                    Op::Add(s, l) => if let Some(a) = ann_at(text, &format!("{tab}{step}"), *s, s + l) { ids.push(a.id.clone()); c.add(a); },
                    Op::Memo(i, m) => if let Some(id) = ids.get(*i) { c.update(id, &now, |a| a.memo = format!("{tab}{m}")); },
                    Op::Delete(i) => if let Some(id) = ids.get(*i) { c.delete(id, &now); },
                    _ => {}
                }
            }
            c.stored("D").to_vec()
        };
        let (a, b) = (run(&ops_a, "a", 1), run(&ops_b, "b", 2));
        let m = store::merge(&a, &b);
        prop_assert_eq!(&m, &store::merge(&b, &a));
        for x in a.iter().chain(&b) {
            let got = m.iter().find(|y| y.id == x.id);
            prop_assert!(got.is_some(), "{} lost", x.id);
        }
        for y in &m {
            let in_b = b.iter().find(|x| x.id == y.id);
            let in_a = a.iter().find(|x| x.id == y.id);
            let expect = match (in_a, in_b) {
                (Some(x), Some(z)) if x.updated > z.updated => x,
                (_, Some(z)) => z,
                (Some(x), None) => x,
                (None, None) => unreachable!(),
            };
            prop_assert_eq!(y, expect);
        }
    }
}
