//! What the fuzz targets share: the properties every decoded value must have.

use marginalia_core::Document;
use marginalia_core::import::{ImportError, Imported, MAX_IMPORT_BYTES};

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

/// The properties every importer (`core::import`) must have, for one target per
/// importer (`import_csv`, `import_doccano`, …): it never panics (the target
/// calls it), refuses a file over [`MAX_IMPORT_BYTES`], and what it reads is
/// consistent: every annotation names a document the file named, has a
/// non-empty span, and where the file carries the text, lies inside it and
/// quotes it exactly.
pub fn check_imported(input: &str, result: &Result<Imported, ImportError>) {
    let Ok(imported) = result else {
        return;
    };
    assert!(input.len() <= MAX_IMPORT_BYTES, "a file over the size limit was read");
    for a in &imported.annotations {
        let doc = imported.documents.iter().find(|d| d.id == a.doc);
        let doc = doc.unwrap_or_else(|| panic!("annotation {} names document {:?}, which the import does not list", a.id, a.doc));
        assert!(a.start < a.end, "annotation {} has an empty or reversed span {}..{}", a.id, a.start, a.end);
        if let Some(text) = &doc.text {
            let quote: String = text.chars().skip(a.start).take(a.end - a.start).collect();
            assert!(a.end <= text.chars().count(), "annotation {} ends past its text", a.id);
            assert_eq!(quote, a.quote, "annotation {}: the quote is not the text at its span", a.id);
        }
    }
}
