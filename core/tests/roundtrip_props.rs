//! Round trips through every format that can be read back: random documents
//! (astral characters, combining marks, CR LF, tabs, quotes), random overlapping
//! multi-tag annotations with random memos → export → import → plan → apply
//! gives the same annotations, field for field, and exporting again gives the
//! same bytes. Every format here carries every field: the JSON formats and brat
//! through their records, REFI-QDA through its note of identifiers, the CSV
//! through its columns (its quote and context come back from the text, which it
//! names by hash).
//!
//! And every reader, fed random bytes, cut-off files and random JSON, returns a
//! value or a reason, never panics; planning what it read never panics either.

use marginalia_core::annotation::{Annotation, Draft};
use marginalia_core::codebook::{Codebook, Tag};
use marginalia_core::coding::Coding;
use marginalia_core::document::{BlockKind, Document, DocumentBuilder, Meta, Piece};
use marginalia_core::export::{ExportMeta, ExportOptions, Format, Scope, Source, brat_files, export};
use marginalia_core::import::{Imported, detect, import, plan_import, read_brat};
use proptest::prelude::*;

const NOW: &str = "2026-11-22T12:00:00Z";

fn meta() -> ExportMeta {
    ExportMeta::new("0.1.0", NOW)
}

/// The default codebook and a tag whose id brat and URLs must escape, a sub-code of threat.
fn codebook() -> Codebook {
    let mut b = Codebook::default();
    b.tags.push(Tag {
        id: "g/a 1".into(),
        name: "Gender & age, \"mixed\"".into(),
        colour: "#123456".into(),
        key: Some('5'),
        description: "<b>not markup</b>".into(),
        style: None,
        // A sub-code: the tree goes through every format that keeps one.
        parent: Some("threat".into()),
    });
    b.tidy();
    b
}

fn piece() -> impl Strategy<Value = &'static str> {
    prop_oneof![
        Just("a"), Just("b"), Just("word"), Just(" "), Just(" "), Just("😀"), Just("𝔸"), Just("e\u{301}"),
        Just("\r\n"), Just("字"), Just("="), Just("'"), Just("\""), Just(","), Just("\t"), Just("-"), Just(";"),
        Just("<i>"), Just("\u{200d}"),
    ]
}

fn paragraph() -> impl Strategy<Value = String> {
    proptest::collection::vec(piece(), 1..30).prop_map(|v| format!("P{}", v.concat()))
}

fn documents() -> impl Strategy<Value = Vec<Document>> {
    proptest::collection::vec(proptest::collection::vec(paragraph(), 1..4), 1..3).prop_map(|docs| {
        docs.into_iter()
            .enumerate()
            .map(|(i, paras)| {
                let mut b = DocumentBuilder::new();
                for (n, p) in paras.into_iter().enumerate() {
                    b.push(BlockKind::Paragraph { number: Some(n as u32 + 1) }, &[Piece::Text(p)]);
                }
                let meta = if i == 0 {
                    Meta { id: "S/2019/103".into(), symbol: Some("S/2019/103".into()), ordinal: Some(8), date: Some("2019-02-01".into()), title: "R".into() }
                } else {
                    Meta { id: format!("mine-{i}"), title: "Mine".into(), ..Meta::default() }
                };
                b.finish(meta)
            })
            .collect()
    })
}

/// A random annotation: a span (trimmed, as the app makes them), 1–3 tags, a memo, a coder, times.
type Raw = (usize, usize, usize, Vec<usize>, Vec<&'static str>, usize, usize);

fn raw() -> impl Strategy<Value = Raw> {
    (
        0usize..2,
        0usize..200,
        1usize..60,
        proptest::collection::vec(0usize..5, 1..4),
        proptest::collection::vec(prop_oneof![piece(), Just("\n"), Just("\r"), Just("+1"), Just("@x")], 0..8),
        0usize..3,
        0usize..3,
    )
}

fn coding(docs: &[Document], raws: &[Raw]) -> Coding {
    let book = codebook();
    let mut c = Coding::new(book.clone());
    for (n, (d, s, len, tags, memo, coder, time)) in raws.iter().enumerate() {
        let doc = &docs[d % docs.len()];
        let chars: Vec<char> = doc.text.chars().collect();
        let s = s % chars.len();
        let mut tag_ids: Vec<String> = Vec::new();
        for t in tags {
            let id = book.tags[t % book.tags.len()].id.clone();
            if !tag_ids.contains(&id) {
                tag_ids.push(id);
            }
        }
        let times = ["2026-01-01T00:00:00Z", "2026-03-04T05:06:07.890Z", "2025-12-31T23:59:59+02:00"];
        let draft = Draft { doc_id: &doc.meta.id, tags: tag_ids, coder: ["ana", "bo", ""][*coder], id: format!("a{n}"), now: times[*time], snap: false };
        if let Some(mut a) = Annotation::from_chars(&chars, s, (s + len).min(chars.len()), draft) {
            a.memo = memo.concat();
            c.add(a);
        }
    }
    c
}

fn live(c: &Coding) -> Vec<Annotation> {
    let mut v: Vec<Annotation> = c.all_live().cloned().collect();
    v.sort_by(|a, b| a.id.cmp(&b.id));
    v
}

/// The formats read back, as files: (name, bytes) entries (one, or brat's several).
/// `None` stands for brat as a folder of entries; `Some(Format::Brat)` is its zip.
const READABLE: [Option<Format>; 9] = [
    Some(Format::Backup),
    Some(Format::SegmentsCsv),
    Some(Format::Doccano),
    Some(Format::Spacy),
    Some(Format::LabelStudio),
    Some(Format::W3c),
    Some(Format::Brat),
    Some(Format::Qdpx),
    None,
];

fn files(format: Option<Format>, docs: &[Document], c: &Coding) -> Vec<(String, Vec<u8>)> {
    let Some(format) = format else {
        let sel = Scope::all().select(docs, c);
        return brat_files(&sel.doc_annotations(), &c.codebook, &meta());
    };
    let source = Source { documents: docs, coding: c, texts: &[], coder: "ana" };
    let f = export(format, &source, &Scope::all(), &ExportOptions::default(), &meta()).unwrap();
    vec![(f.name, f.bytes)]
}

fn read(format: Option<Format>, files: &[(String, Vec<u8>)]) -> Result<Imported, String> {
    let got = match format {
        Some(f) => import(f, &files[0].0, &files[0].1),
        None => read_brat(files),
    };
    got.map_err(|e| e.0)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn export_import_gives_the_same_annotations_and_the_same_bytes(docs in documents(), raws in proptest::collection::vec(raw(), 0..12)) {
        let original = coding(&docs, &raws);
        for format in READABLE {
            let first = files(format, &docs, &original);
            // Training files leave out texts no one coded: with none coded, the file is
            // empty, and reading it back may say so.
            let none_coded = original.all_live().next().is_none();
            if none_coded && matches!(format, Some(Format::Doccano | Format::Spacy | Format::LabelStudio)) && read(format, &first).is_err() {
                continue;
            }
            let imported = read(format, &first).map_err(|e| TestCaseError::fail(format!("{format:?}: {e}")))?;
            prop_assert!(imported.warnings.is_empty(), "{:?}: {:?}", format, imported.warnings);
            let empty = Coding::new(codebook());
            let plan = plan_import(&empty, &docs, &imported, NOW);
            prop_assert!(plan.detached.is_empty() && plan.reanchored.is_empty() && plan.new_tags.is_empty(), "{:?}: {}", format, plan.summary());
            let mut applied = empty.clone();
            applied.restore(plan.codebook.clone(), plan.writes.clone());
            prop_assert_eq!(live(&applied), live(&original), "{:?}", format);
            prop_assert_eq!(&files(format, &docs, &applied), &first, "{:?}: the same bytes again", format);
            let again = plan_import(&applied, &docs, &imported, NOW);
            prop_assert!(again.is_empty(), "{:?}: {}", format, again.summary());
        }
    }

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400), name in "[a-z]{1,6}\\.(json|jsonl|csv|ann|txt|zip)") {
        let docs = vec![{
            let mut b = DocumentBuilder::new();
            b.push(BlockKind::Paragraph { number: Some(1) }, &[Piece::Text("Some 😀 text.".into())]);
            b.finish(Meta { id: "S/2019/103".into(), ..Meta::default() })
        }];
        let _ = detect(&name, &bytes);
        for format in READABLE {
            let entries = vec![(name.clone(), bytes.clone()), ("x.txt".to_string(), bytes.clone())];
            if let Ok(imported) = read(format, &entries) {
                let _ = plan_import(&Coding::new(codebook()), &docs, &imported, NOW).summary();
            }
        }
    }

    #[test]
    fn cut_and_damaged_files_never_panic(docs in documents(), raws in proptest::collection::vec(raw(), 0..6), cut in 0.0f64..1.0, flips in proptest::collection::vec((0.0f64..1.0, any::<u8>()), 0..4)) {
        let c = coding(&docs, &raws);
        for format in READABLE {
            let mut entries = files(format, &docs, &c);
            for (_, bytes) in entries.iter_mut() {
                let at = (bytes.len() as f64 * cut) as usize;
                bytes.truncate(at);
                for (where_, b) in &flips {
                    if !bytes.is_empty() {
                        let i = ((bytes.len() - 1) as f64 * where_) as usize;
                        bytes[i] = *b;
                    }
                }
            }
            if let Ok(imported) = read(format, &entries) {
                let _ = plan_import(&c, &docs, &imported, NOW).summary();
            }
            let _ = detect(&entries[0].0, &entries[0].1);
        }
    }

    #[test]
    fn random_json_never_panics(v in json()) {
        let docs = vec![{
            let mut b = DocumentBuilder::new();
            b.push(BlockKind::Paragraph { number: Some(1) }, &[Piece::Text("Some 😀 text, and more text.".into())]);
            b.finish(Meta { id: "S/2019/103".into(), ..Meta::default() })
        }];
        let text = v.to_string();
        for format in [Format::Backup, Format::Doccano, Format::Spacy, Format::LabelStudio, Format::W3c] {
            if let Ok(imported) = import(format, "x", text.as_bytes()) {
                let _ = plan_import(&Coding::new(codebook()), &docs, &imported, NOW).summary();
            }
        }
        let _ = detect("x.json", text.as_bytes());
    }
}

/// JSON built from the keys the readers look for, with awkward values.
fn json() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::Value;
    let key = prop_oneof![
        Just("text"), Just("label"), Just("labels"), Just("entities"), Just("spans"), Just("start"), Just("end"),
        Just("start_offset"), Just("end_offset"), Just("data"), Just("annotations"), Just("result"), Just("value"),
        Just("type"), Just("id"), Just("target"), Just("selector"), Just("body"), Just("first"), Just("items"),
        Just("marginalia"), Just("meta"), Just("source"), Just("exact"), Just("purpose"), Just("tags"), Just("format"),
        Just("version"), Just("codebook"), Just("documents"), Just("doc"), Just("quote"), Just("created"), Just("updated"),
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        prop_oneof![Just(0u64), Just(1), Just(3), Just(5), Just(12), Just(u64::MAX), Just(1 << 40)].prop_map(Value::from),
        prop_oneof![Just(-1i64), Just(-7)].prop_map(Value::from),
        Just(Value::from(2.5)),
        prop_oneof![
            Just("Some 😀 text"), Just("text"), Just("labels"), Just("textarea"), Just("Annotation"), Just("AnnotationCollection"),
            Just("AnnotationPage"), Just("TextPositionSelector"), Just("TextQuoteSelector"), Just("tagging"), Just("marginalia-backup"),
            Just("urn:marginalia:document:S/2019/103"), Just("urn:marginalia:tag:x"), Just("S/2019/103"), Just(""), Just("2026-01-01T00:00:00Z"),
        ]
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(5, 64, 6, move |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::vec((key.clone(), inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect())),
        ]
    })
}
