//! Exports of coded data: segments CSV (pandas, R, spreadsheets), doccano JSONL
//! and spaCy/Prodigy JSONL. Offsets are Unicode code points unless a column
//! says otherwise.

use serde::Serialize;

use crate::annotation::Annotation;
use crate::codebook::Codebook;
use crate::document::{BlockKind, Document};
use crate::offsets::OffsetIndex;

/// A document and the annotations to export from it.
pub struct DocAnnotations<'a> {
    pub doc: &'a Document,
    pub annotations: Vec<&'a Annotation>,
}

/// Neutralises a cell a spreadsheet would run as a formula (OWASP): a cell
/// starting with `=`, `+`, `-`, `@`, a tab, CR or LF gets a leading `'`.
/// Every other cell is written as it is, so ordinary text reads back unchanged.
pub fn safe_cell(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r', '\n']) { format!("'{s}") } else { s.to_string() }
}

/// Paragraph numbers covered by `start..end` ("12" or "12-13"), and the section path.
fn place(doc: &Document, start: usize, end: usize) -> (String, String) {
    let mut first = None;
    let mut last = None;
    let mut index = 0;
    for (i, b) in doc.blocks.iter().enumerate() {
        if b.end <= start || b.start >= end.max(start + 1) {
            continue;
        }
        if index == 0 {
            index = i;
        }
        if let BlockKind::Paragraph { number: Some(n) } = b.kind {
            first.get_or_insert(n);
            last = Some(n);
        }
    }
    let paragraphs = match (first, last) {
        (Some(a), Some(b)) if a != b => format!("{a}-{b}"),
        (Some(a), _) => a.to_string(),
        _ => String::new(),
    };
    (paragraphs, doc.section_path(index).join(" > "))
}

pub const SEGMENT_COLUMNS: [&str; 21] = [
    "annotation_id", "document", "symbol", "ordinal", "date", "section", "paragraphs", "start", "end",
    "start_utf16", "end_utf16", "start_utf8", "end_utf8", "tag", "text", "memo", "coder", "created",
    "updated", "text_sha256", "tag_name",
];

/// Segments CSV: one row per annotation and tag, RFC 4180, UTF-8 (with a BOM when
/// `bom`, for Excel), formula-safe cells (see [`safe_cell`]).
pub fn segments_csv(docs: &[DocAnnotations<'_>], book: &Codebook, bom: bool) -> String {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    let _ = w.write_record(SEGMENT_COLUMNS);
    for d in docs {
        let index = OffsetIndex::new(&d.doc.text);
        let sha = d.doc.text_sha256();
        for a in &d.annotations {
            let (paragraphs, section) = place(d.doc, a.start, a.end);
            for tag in &a.tags {
                let name = book.get(tag).map(|t| t.name.as_str()).unwrap_or(tag);
                let row = [
                    a.id.clone(),
                    d.doc.meta.id.clone(),
                    d.doc.meta.symbol.clone().unwrap_or_default(),
                    d.doc.meta.ordinal.map(|n| n.to_string()).unwrap_or_default(),
                    d.doc.meta.date.clone().unwrap_or_default(),
                    section.clone(),
                    paragraphs.clone(),
                    a.start.to_string(),
                    a.end.to_string(),
                    index.cp_to_utf16(a.start).to_string(),
                    index.cp_to_utf16(a.end).to_string(),
                    index.cp_to_utf8(a.start).to_string(),
                    index.cp_to_utf8(a.end).to_string(),
                    tag.clone(),
                    a.quote.clone(),
                    a.memo.clone(),
                    a.coder.clone(),
                    a.created.clone(),
                    a.updated.clone(),
                    sha.clone(),
                    name.to_string(),
                ];
                let _ = w.write_record(row.iter().map(|c| safe_cell(c)));
            }
        }
    }
    let body = String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default();
    if bom { format!("\u{feff}{body}") } else { body }
}

#[derive(Serialize)]
struct Doccano<'a> {
    id: &'a str,
    text: &'a str,
    label: Vec<(usize, usize, &'a str)>,
    symbol: Option<&'a str>,
    date: Option<&'a str>,
    text_sha256: String,
}

/// doccano JSONL: one line per document with `[start, end, tag]` labels.
pub fn doccano_jsonl(docs: &[DocAnnotations<'_>]) -> String {
    let mut out = String::new();
    for d in docs {
        let mut label = Vec::new();
        for a in &d.annotations {
            for t in &a.tags {
                label.push((a.start, a.end, t.as_str()));
            }
        }
        let line = Doccano {
            id: &d.doc.meta.id,
            text: &d.doc.text,
            label,
            symbol: d.doc.meta.symbol.as_deref(),
            date: d.doc.meta.date.as_deref(),
            text_sha256: d.doc.text_sha256(),
        };
        out.push_str(&serde_json::to_string(&line).unwrap_or_default());
        out.push('\n');
    }
    out
}

#[derive(Serialize)]
struct SpacySpan<'a> {
    start: usize,
    end: usize,
    label: &'a str,
}

#[derive(Serialize)]
struct SpacyMeta<'a> {
    id: &'a str,
    symbol: Option<&'a str>,
    text_sha256: String,
}

#[derive(Serialize)]
struct Spacy<'a> {
    text: &'a str,
    meta: SpacyMeta<'a>,
    spans: Vec<SpacySpan<'a>>,
}

/// spaCy / Prodigy JSONL: `{"text", "meta", "spans": [{"start", "end", "label"}]}`;
/// overlapping spans are kept (read them into `doc.spans["sc"]`).
pub fn spacy_jsonl(docs: &[DocAnnotations<'_>]) -> String {
    let mut out = String::new();
    for d in docs {
        let spans = d
            .annotations
            .iter()
            .flat_map(|a| a.tags.iter().map(move |t| SpacySpan { start: a.start, end: a.end, label: t }))
            .collect();
        let line = Spacy {
            text: &d.doc.text,
            meta: SpacyMeta { id: &d.doc.meta.id, symbol: d.doc.meta.symbol.as_deref(), text_sha256: d.doc.text_sha256() },
            spans,
        };
        out.push_str(&serde_json::to_string(&line).unwrap_or_default());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::{DocumentBuilder, Meta, Piece};
    use crate::offsets::slice_chars;

    fn fixture() -> (Document, Vec<Annotation>) {
        let mut b = DocumentBuilder::new();
        b.push(BlockKind::Heading { level: 1 }, &[Piece::Text("I. Intro".into())]);
        b.push(BlockKind::Paragraph { number: Some(1) }, &[Piece::Text("ISIL 😀 funds =SUM(A1) checkpoints.".into())]);
        b.push(BlockKind::Paragraph { number: Some(2) }, &[Piece::Text("Returnees, \"families\", camps.".into())]);
        let doc = b.finish(Meta { id: "S/2019/103".into(), symbol: Some("S/2019/103".into()), ordinal: Some(8), date: Some("2019-02-01".into()), title: "T".into() });
        let mk = |id: &str, s: usize, e: usize, tags: &[&str], memo: &str| {
            let mut a = Annotation::new(&doc, s, e, tags[0], "ana", id.into(), "2026-01-01T00:00:00Z", false).unwrap();
            a.tags = tags.iter().map(|t| t.to_string()).collect();
            a.memo = memo.into();
            a
        };
        let anns = vec![
            mk("a1", 10, 18, &["finance"], "=cmd|' /C calc'!A0"),
            mk("a2", 18, 27, &["threat", "finance"], "two, tags"),
            mk("a3", 30, 60, &["repatriation"], "line\nbreak"),
        ];
        (doc, anns)
    }

    #[test]
    fn segments_csv_reads_back_with_exact_offsets() {
        let (doc, anns) = fixture();
        let d = [DocAnnotations { doc: &doc, annotations: anns.iter().collect() }];
        let csv_text = segments_csv(&d, &Codebook::default(), false);
        let mut r = csv::Reader::from_reader(csv_text.as_bytes());
        assert_eq!(r.headers().unwrap().iter().collect::<Vec<_>>(), SEGMENT_COLUMNS);
        let rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
        assert_eq!(rows.len(), 4, "one row per annotation and tag");
        let utf16: Vec<u16> = doc.text.encode_utf16().collect();
        for row in &rows {
            let (s, e): (usize, usize) = (row[7].parse().unwrap(), row[8].parse().unwrap());
            let text = row[14].trim_start_matches('\'');
            assert_eq!(slice_chars(&doc.text, s, e), text);
            let (u0, u1): (usize, usize) = (row[9].parse().unwrap(), row[10].parse().unwrap());
            assert_eq!(String::from_utf16(&utf16[u0..u1]).unwrap(), text);
            let (b0, b1): (usize, usize) = (row[11].parse().unwrap(), row[12].parse().unwrap());
            assert_eq!(&doc.text[b0..b1], text);
            assert_eq!(&row[19], doc.text_sha256());
        }
        assert_eq!(&rows[0][15], "'=cmd|' /C calc'!A0", "formula neutralised");
        assert_eq!(&rows[0][6], "1");
        assert_eq!(&rows[0][5], "I. Intro");
        assert_eq!(&rows[3][6], "1-2", "across paragraphs");
        assert_eq!(&rows[3][15], "line\nbreak");
        assert!(segments_csv(&d, &Codebook::default(), true).starts_with('\u{feff}'));
    }

    #[test]
    fn jsonl_formats_slice_by_code_points() {
        let (doc, anns) = fixture();
        let d = [DocAnnotations { doc: &doc, annotations: anns.iter().collect() }];
        let chars: Vec<char> = doc.text.chars().collect();
        let line: serde_json::Value = serde_json::from_str(doccano_jsonl(&d).lines().next().unwrap()).unwrap();
        assert_eq!(line["label"].as_array().unwrap().len(), 4);
        for l in line["label"].as_array().unwrap() {
            let (s, e) = (l[0].as_u64().unwrap() as usize, l[1].as_u64().unwrap() as usize);
            assert!(anns.iter().any(|a| a.quote == chars[s..e].iter().collect::<String>()));
        }
        let sp: serde_json::Value = serde_json::from_str(spacy_jsonl(&d).lines().next().unwrap()).unwrap();
        assert_eq!(sp["spans"].as_array().unwrap().len(), 4);
        assert_eq!(sp["meta"]["symbol"], "S/2019/103");
        assert_eq!(sp["text"], doc.text.as_str());
    }
}
