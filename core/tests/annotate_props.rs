//! Property tests of annotations over texts with astral characters, combining
//! marks and CRLF: a span tags exactly its characters, and survives the storage
//! round trip (what a reload reads back) unchanged.

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
