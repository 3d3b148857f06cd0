//! What the fuzz targets share: the properties every decoded value must have.

use std::sync::OnceLock;

use marginalia_core::clean::{InputFormat, Lexicon, clean};
use marginalia_core::codebook::Codebook;
use marginalia_core::coding::Coding;
use marginalia_core::export::Format;
use marginalia_core::import::{ImportError, Imported, MAX_IMPORT_BYTES, detect, import, plan_import};
use marginalia_core::{Document, Meta};

/// A cleaned document keeps the invariants the app relies on: blocks in order,
/// inside the text, not overlapping; footnote anchors inside the text.
pub fn check_document(doc: &Document) {
    let len = doc.text.chars().count();
    let mut at = 0;
    for b in &doc.blocks {
        assert!(at <= b.start && b.start <= b.end && b.end <= len, "block {}..{} after {at} in {len}", b.start, b.end);
        at = b.end;
    }
    for n in &doc.notes {
        assert!(n.at <= len, "footnote anchor {} outside a text of {len}", n.at);
    }
    assert_eq!(doc.text_sha256().len(), 64);
}

/// The properties every importer must have: a file over [`MAX_IMPORT_BYTES`]
/// is refused; what it reads is consistent: every annotation names a document
/// the file listed, its span is not reversed, and where the file carries the
/// document's text, a non-empty span lies inside it and quotes it exactly (an
/// empty one at 0 stands for "place by the quote").
pub fn check_import(input_len: usize, result: &Result<Imported, ImportError>) {
    let Ok(imported) = result else {
        return;
    };
    assert!(input_len <= MAX_IMPORT_BYTES, "a file over the size limit was read");
    for a in &imported.annotations {
        let doc = imported.documents.iter().find(|d| d.id == a.doc);
        let doc = doc.unwrap_or_else(|| panic!("annotation {:?} names document {:?}, which the import does not list", a.id, a.doc));
        assert!(a.start <= a.end, "annotation {:?} has a reversed span {}..{}", a.id, a.start, a.end);
        if let Some(text) = &doc.text
            && a.start < a.end
        {
            assert!(a.end <= text.chars().count(), "annotation {:?} ends past its text", a.id);
            let quote: String = text.chars().skip(a.start).take(a.end - a.start).collect();
            assert_eq!(quote, a.quote, "annotation {:?}: the quote is not the text at its span", a.id);
        }
    }
}

/// A small corpus to plan imports against: a report's id with a short text,
/// and a user text.
fn corpus() -> &'static [Document] {
    static DOCS: OnceLock<Vec<Document>> = OnceLock::new();
    DOCS.get_or_init(|| {
        let lexicon = Lexicon::default();
        let report = Meta { id: "S/2019/103".into(), symbol: Some("S/2019/103".into()), ..Meta::default() };
        let notes = Meta { id: "notes".into(), ..Meta::default() };
        vec![
            clean("I. Introduction\n\n1. ISIL 😀 continues to obtain funds through extortion.\n\n2. Returnees and camps.", InputFormat::Text, report, &lexicon),
            clean("# Notes 😀\n\n1. First *point* on ISIL funds, e\u{301} and 𝔸.", InputFormat::Markdown, notes, &lexicon),
        ]
    })
}

/// [`check_import`], then, for what was read, the import plan (mapping
/// documents, anchoring, the preview's summary) against [`corpus`].
pub fn check_and_plan(input_len: usize, result: &Result<Imported, ImportError>) {
    check_import(input_len, result);
    if let Ok(imported) = result {
        let plan = plan_import(&Coding::new(Codebook::default()), corpus(), imported, "2026-01-01T00:00:00Z");
        let _ = plan.summary();
    }
}

/// One importer target: format detection on the bytes, then
/// `import(format, name, data)` through [`check_and_plan`].
pub fn import_target(format: Format, name: &str, data: &[u8]) {
    let _ = detect(name, data);
    check_and_plan(data.len(), &import(format, name, data));
}
