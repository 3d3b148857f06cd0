//! Property tests of the REFI-QDA exchange: random documents (astral
//! characters, CRLF, tabs, markup characters) with random overlapping,
//! multi-tag annotations go out as `.qdpx` and come back exactly, and go out
//! again byte for byte; random codebooks do the same through `.qdc`; and
//! garbage, truncated or damaged files are refused or read, never a panic.

use marginalia_core::annotation::{Annotation, Draft};
use marginalia_core::archive::read_zip;
use marginalia_core::codebook::{Codebook, Underline};
use marginalia_core::document::{Document, Meta};
use marginalia_core::export::DocAnnotations;
use marginalia_core::refi;
use proptest::prelude::*;

const NOW: &str = "2026-11-23T10:00:00Z";

fn piece() -> impl Strategy<Value = &'static str> {
    prop_oneof![
        Just("a"), Just("word "), Just("😀"), Just("👩‍💻"), Just("𝔸"), Just("e\u{301}"), Just("\r\n"), Just("\n\n"),
        Just("\t"), Just("<"), Just("&amp;"), Just("\""), Just("'"), Just("]]>"), Just("字"), Just(" "),
    ]
}

fn text() -> impl Strategy<Value = String> {
    proptest::collection::vec(piece(), 1..40).prop_map(|v| format!("x{}", v.concat()))
}

fn memo() -> impl Strategy<Value = String> {
    proptest::collection::vec(prop_oneof![piece(), Just("\u{1}"), Just("\u{fffe}"), Just("\r")], 0..6).prop_map(|v| v.concat())
}

const TAGS: [&str; 5] = ["threat", "finance", "repatriation", "prosecution", "unlisted <tag>"];
const CODERS: [&str; 4] = ["", "ana", "bo \"b\" <&>", "😀 coder"];
const TIMES: [&str; 5] = ["2026-01-01T00:00:00Z", "2026-03-04T05:06:07.890+02:00", "", "t0", "2024-02-30T00:00:00Z"];

/// A span, tags, memo, coder and times for one annotation.
type Spec = (usize, usize, Vec<usize>, String, usize, usize, usize);

fn spec() -> impl Strategy<Value = Spec> {
    (0usize..80, 0usize..80, proptest::collection::vec(0usize..TAGS.len(), 1..4), memo(), 0..CODERS.len(), 0..TIMES.len(), 0..TIMES.len())
}

fn documents() -> impl Strategy<Value = Vec<(String, Vec<Spec>)>> {
    proptest::collection::vec((text(), proptest::collection::vec(spec(), 0..8)), 1..4)
}

/// `bytes` with the bytes at the given fractions of its length XORed.
fn damage(bytes: &[u8], flips: &[(f64, u8)]) -> Vec<u8> {
    let mut out = bytes.to_vec();
    let last = out.len().saturating_sub(1);
    for (at, byte) in flips {
        if let Some(b) = out.get_mut(((at * bytes.len() as f64) as usize).min(last)) {
            *b ^= byte;
        }
    }
    out
}

fn build(input: &[(String, Vec<Spec>)]) -> (Vec<Document>, Vec<Vec<Annotation>>) {
    let mut docs = Vec::new();
    let mut anns = Vec::new();
    for (i, (text, specs)) in input.iter().enumerate() {
        let meta = Meta { id: format!("doc {i} <{i}>"), symbol: (i % 2 == 0).then(|| format!("S/2019/{i}")), ..Meta::default() };
        let doc = Document::new(meta, text.clone(), vec![], vec![]);
        let mut list = Vec::new();
        for (k, (a, b, tags, memo, coder, created, updated)) in specs.iter().enumerate() {
            let mut unique: Vec<String> = Vec::new();
            for t in tags {
                if !unique.iter().any(|u| u == TAGS[*t]) {
                    unique.push(TAGS[*t].to_string());
                }
            }
            let draft = Draft { doc_id: &doc.meta.id, tags: unique, coder: CODERS[*coder], id: format!("a{i}-{k} \"x\""), now: TIMES[*created], snap: false };
            if let Some(mut ann) = Annotation::from_text(&doc.text, *a, *b, draft) {
                ann.memo = memo.clone();
                ann.updated = TIMES[*updated].to_string();
                list.push(ann);
            }
        }
        docs.push(doc);
        anns.push(list);
    }
    (docs, anns)
}

fn export(docs: &[Document], anns: &[Vec<Annotation>], book: &Codebook) -> Vec<u8> {
    let da: Vec<DocAnnotations> = docs.iter().zip(anns).map(|(d, a)| DocAnnotations::new(d, a.iter().collect())).collect();
    refi::qdpx(&da, book, "0.1.0", NOW)
}

fn name() -> impl Strategy<Value = String> {
    proptest::collection::vec(prop_oneof![Just("a"), Just("Zz"), Just("𝔸"), Just("😀"), Just("&"), Just("<"), Just("\""), Just(" ")], 1..8)
        .prop_map(|v| v.concat())
}

fn codebook() -> impl Strategy<Value = Codebook> {
    proptest::collection::vec((name(), memo(), proptest::option::of(0usize..5), proptest::option::of(1u32..10)), 0..8).prop_map(|tags| {
        let mut book = Codebook::default();
        for (name, description, style, key) in tags {
            if let Ok(id) = book.add(&name) {
                book.set_description(&id, &description);
                if let Some(s) = style {
                    book.set_style(&id, Underline::ALL[s]);
                }
                book.set_key(&id, key.and_then(|k| char::from_digit(k, 10)));
            }
        }
        book
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn qdpx_round_trips_exactly_and_byte_for_byte(input in documents(), book in codebook()) {
        let (docs, anns) = build(&input);
        let first = export(&docs, &anns, &book);
        let im = refi::import_qdpx(&first).unwrap();
        prop_assert!(im.warnings.is_empty(), "{:?}", im.warnings);
        prop_assert_eq!(im.documents.len(), docs.len());
        for (d, back) in docs.iter().zip(&im.documents) {
            prop_assert_eq!(&back.id, &d.meta.id);
            prop_assert_eq!(&back.symbol, &d.meta.symbol);
            prop_assert_eq!(back.text.as_deref(), Some(d.text.as_str()));
        }
        prop_assert_eq!(&im.annotations, &anns.concat());
        for a in &im.annotations {
            let text = &docs.iter().find(|d| d.meta.id == a.doc).unwrap().text;
            prop_assert_eq!(marginalia_core::offsets::slice_chars(text, a.start, a.end), a.quote.as_str());
        }
        // The codebook comes back, and the tags it lacked after it.
        let back = im.codebook.clone().unwrap_or(Codebook { tags: vec![] });
        prop_assert_eq!(&back.tags[..book.tags.len()], &book.tags[..]);
        // Rebuilt from what was read, the export is the same bytes.
        let docs2: Vec<Document> = im.documents.iter().map(|d| Document::new(Meta { id: d.id.clone(), symbol: d.symbol.clone(), ..Meta::default() }, d.text.clone().unwrap(), vec![], vec![])).collect();
        let anns2: Vec<Vec<Annotation>> = docs2.iter().map(|d| im.annotations.iter().filter(|a| a.doc == d.meta.id).cloned().collect()).collect();
        prop_assert!(export(&docs2, &anns2, &back) == first, "re-export differs");
    }

    #[test]
    fn qdc_round_trips_exactly_and_byte_for_byte(book in codebook()) {
        let text = refi::qdc(&book, "0.1.0", NOW);
        let back = refi::import_qdc(&text).unwrap();
        prop_assert_eq!(&back, &book);
        prop_assert_eq!(refi::qdc(&back, "0.1.0", NOW), text);
    }

    #[test]
    fn garbage_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..600), text in ".{0,300}") {
        let _ = refi::import_qdpx(&bytes);
        let _ = read_zip(&bytes);
        let _ = refi::import_qdc(&text);
        let _ = refi::import_qdpx(text.as_bytes());
        let mut zipped = b"PK\x03\x04".to_vec();
        zipped.extend(&bytes);
        let _ = refi::import_qdpx(&zipped);
    }

    #[test]
    fn truncated_or_damaged_files_never_panic(input in documents(), cut in 0.0f64..1.0, flips in proptest::collection::vec((0.0f64..1.0, any::<u8>()), 0..4)) {
        let (docs, anns) = build(&input);
        let zip = export(&docs, &anns, &Codebook::default());
        let at = (cut * zip.len() as f64) as usize;
        let _ = refi::import_qdpx(&zip[..at]);
        let _ = read_zip(&zip[..at]);
        let _ = refi::import_qdpx(&damage(&zip, &flips));
        // The XML alone, cut and damaged the same way.
        let files = read_zip(&zip).unwrap();
        let qde = files.iter().find(|(n, _)| n == "project.qde").unwrap().1.clone();
        let at = (cut * qde.len() as f64) as usize;
        let _ = refi::import_qdpx(&qde[..at]);
        let _ = refi::import_qdpx(&damage(&qde, &flips));
        let qdc = refi::qdc(&Codebook::default(), "0.1.0", NOW);
        let mut at = (cut * qdc.len() as f64) as usize;
        while !qdc.is_char_boundary(at) {
            at -= 1;
        }
        let _ = refi::import_qdc(&qdc[..at]);
    }
}
