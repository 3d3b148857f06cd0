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

/// W3C Web Annotation: an `AnnotationCollection` (JSON-LD) whose annotations
/// carry a tagging `TextualBody` per tag, a commenting body for the memo, and a
/// target with a `TextQuoteSelector` and a `TextPositionSelector` (code points).
pub fn w3c_collection(docs: &[DocAnnotations<'_>], book: &Codebook, app_version: &str, now: &str) -> String {
    use serde_json::{Value, json};
    let mut items: Vec<Value> = Vec::new();
    for d in docs {
        let source = format!("urn:marginalia:document:{}", d.doc.meta.id);
        for a in &d.annotations {
            let mut body: Vec<Value> = a
                .tags
                .iter()
                .map(|t| json!({"type": "TextualBody", "purpose": "tagging", "value": book.get(t).map(|x| x.name.as_str()).unwrap_or(t), "id": format!("urn:marginalia:tag:{t}")}))
                .collect();
            if !a.memo.is_empty() {
                body.push(json!({"type": "TextualBody", "purpose": "commenting", "value": a.memo, "format": "text/plain"}));
            }
            items.push(json!({
                "id": format!("urn:marginalia:annotation:{}", a.id),
                "type": "Annotation",
                "motivation": "classifying",
                "created": a.created,
                "modified": a.updated,
                "creator": {"type": "Person", "name": a.coder},
                "body": body,
                "target": {
                    "source": source,
                    "selector": [
                        {"type": "TextQuoteSelector", "exact": a.quote, "prefix": a.prefix, "suffix": a.suffix},
                        {"type": "TextPositionSelector", "start": a.start, "end": a.end}
                    ],
                    "marginalia:text_sha256": d.doc.text_sha256()
                }
            }));
        }
    }
    let collection = json!({
        "@context": ["http://www.w3.org/ns/anno.jsonld", {"marginalia": "urn:marginalia:"}],
        "id": format!("urn:marginalia:export:{now}"),
        "type": "AnnotationCollection",
        "label": "Marginalia annotations",
        "generator": {"type": "Software", "name": format!("Marginalia {app_version}")},
        "generated": now,
        "total": items.len(),
        "first": {"type": "AnnotationPage", "startIndex": 0, "items": items}
    });
    serde_json::to_string_pretty(&collection).unwrap_or_default()
}

/// brat standoff for one document: the `.ann` text (`T` lines, `#` AnnotatorNotes
/// for memos). Offsets are code points; brat's own `.txt` is the document text.
/// A span that crosses lines is written as fragments, as brat requires.
pub fn brat_ann(d: &DocAnnotations<'_>) -> String {
    let chars: Vec<char> = d.doc.text.chars().collect();
    let mut out = String::new();
    let (mut t, mut n) = (0, 0);
    for a in &d.annotations {
        // Fragments at line breaks.
        let mut frags = Vec::new();
        let mut s = a.start;
        let end = a.end.min(chars.len());
        for (i, c) in chars.iter().enumerate().take(end).skip(a.start) {
            if *c == '\n' {
                if s < i {
                    frags.push((s, i));
                }
                s = i + 1;
            }
        }
        if s < a.end {
            frags.push((s, a.end));
        }
        let offsets = frags.iter().map(|(s, e)| format!("{s} {e}")).collect::<Vec<_>>().join(";");
        let text = frags.iter().map(|(s, e)| chars[*s..*e].iter().collect::<String>()).collect::<Vec<_>>().join(" ");
        for tag in &a.tags {
            t += 1;
            out.push_str(&format!("T{t}\t{} {offsets}\t{text}\n", brat_label(tag)));
            if !a.memo.is_empty() {
                n += 1;
                out.push_str(&format!("#{n}\tAnnotatorNotes T{t}\t{}\n", a.memo.replace(['\n', '\r', '\t'], " ")));
            }
        }
    }
    out
}

/// A tag id as a brat type (letters, digits, `-` and `_`).
pub fn brat_label(tag: &str) -> String {
    tag.chars().map(|c| if c.is_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect()
}

/// brat's `annotation.conf` listing the codebook's tags.
pub fn brat_conf(book: &Codebook) -> String {
    let mut s = String::from("[entities]\n");
    for t in &book.tags {
        s.push_str(&brat_label(&t.id));
        s.push('\n');
    }
    s.push_str("\n[relations]\n\n[events]\n\n[attributes]\n");
    s
}

/// Label Studio tasks JSON. `start`/`end` are in UTF-16 code units, as Label
/// Studio's text editor counts them in the browser.
pub fn label_studio_tasks(docs: &[DocAnnotations<'_>], book: &Codebook) -> String {
    use serde_json::json;
    let tasks: Vec<_> = docs
        .iter()
        .map(|d| {
            let index = OffsetIndex::new(&d.doc.text);
            let result: Vec<_> = d
                .annotations
                .iter()
                .map(|a| {
                    json!({
                        "id": a.id,
                        "from_name": "label",
                        "to_name": "text",
                        "type": "labels",
                        "value": {
                            "start": index.cp_to_utf16(a.start),
                            "end": index.cp_to_utf16(a.end),
                            "text": a.quote,
                            "labels": a.tags.iter().map(|t| book.get(t).map(|x| x.name.clone()).unwrap_or_else(|| t.clone())).collect::<Vec<_>>()
                        }
                    })
                })
                .collect();
            json!({
                "data": {"text": d.doc.text, "id": d.doc.meta.id, "symbol": d.doc.meta.symbol, "text_sha256": d.doc.text_sha256()},
                "annotations": [{"result": result}]
            })
        })
        .collect();
    serde_json::to_string_pretty(&tasks).unwrap_or_default()
}

#[cfg(test)]
mod more_format_tests {
    use super::*;
    use crate::document::{DocumentBuilder, Meta, Piece};

    fn doc() -> (Document, Vec<Annotation>) {
        let mut b = DocumentBuilder::new();
        b.push(BlockKind::Paragraph { number: Some(1) }, &[Piece::Text("ISIL 😀 funds checkpoints.".into())]);
        b.push(BlockKind::Paragraph { number: Some(2) }, &[Piece::Text("Returnees 𝔸 camps.".into())]);
        let d = b.finish(Meta { id: "S/2019/103".into(), symbol: Some("S/2019/103".into()), ..Meta::default() });
        let mut a = Annotation::new(&d, 5, 13, "finance", "ana", "a1".into(), "2026-01-01T00:00:00Z", false).unwrap();
        a.memo = "a note".into();
        let across = Annotation::new(&d, 20, 38, "repatriation", "ana", "a2".into(), "2026-01-01T00:00:00Z", false).unwrap();
        (d, vec![a, across])
    }

    #[test]
    fn w3c_has_the_required_parts() {
        let (d, anns) = doc();
        let da = [DocAnnotations { doc: &d, annotations: anns.iter().collect() }];
        let v: serde_json::Value = serde_json::from_str(&w3c_collection(&da, &Codebook::default(), "0.1.0", "2026-11-23T00:00:00Z")).unwrap();
        assert_eq!(v["type"], "AnnotationCollection");
        let items = v["first"]["items"].as_array().unwrap();
        assert_eq!(items.len(), 2);
        let a = &items[0];
        assert_eq!(a["type"], "Annotation");
        assert_eq!(a["body"][0]["purpose"], "tagging");
        assert_eq!(a["body"][1]["value"], "a note");
        let sel = a["target"]["selector"].as_array().unwrap();
        assert_eq!(sel[0]["exact"], anns[0].quote.as_str());
        assert_eq!(sel[1]["start"], 5);
    }

    #[test]
    fn brat_offsets_slice_the_text_and_fragments_skip_line_breaks() {
        let (d, anns) = doc();
        let da = DocAnnotations { doc: &d, annotations: anns.iter().collect() };
        let ann = brat_ann(&da);
        let chars: Vec<char> = d.text.chars().collect();
        for line in ann.lines().filter(|l| l.starts_with('T')) {
            let parts: Vec<&str> = line.split('\t').collect();
            let spans = parts[1].split_once(' ').unwrap().1;
            let texts: Vec<String> = spans
                .split(';')
                .map(|f| {
                    let (s, e) = f.split_once(' ').unwrap();
                    chars[s.parse::<usize>().unwrap()..e.parse::<usize>().unwrap()].iter().collect()
                })
                .collect();
            assert_eq!(texts.join(" "), parts[2]);
            assert!(!parts[2].contains('\n'));
        }
        assert!(ann.contains("#1\tAnnotatorNotes T1\ta note"));
        assert!(ann.lines().nth(2).unwrap().contains(';'), "the span across paragraphs has two fragments");
        assert!(brat_conf(&Codebook::default()).starts_with("[entities]\nthreat\nfinance"));
    }

    #[test]
    fn label_studio_counts_utf16() {
        let (d, anns) = doc();
        let da = [DocAnnotations { doc: &d, annotations: anns.iter().collect() }];
        let v: serde_json::Value = serde_json::from_str(&label_studio_tasks(&da, &Codebook::default())).unwrap();
        let r = &v[0]["annotations"][0]["result"][0]["value"];
        // "ISIL 😀 " is 7 code points but 8 UTF-16 units before "funds"... the span starts at 5 (the emoji).
        let utf16: Vec<u16> = d.text.encode_utf16().collect();
        let (s, e) = (r["start"].as_u64().unwrap() as usize, r["end"].as_u64().unwrap() as usize);
        assert_eq!(String::from_utf16(&utf16[s..e]).unwrap(), anns[0].quote);
        assert_eq!(e - s, anns[0].quote.encode_utf16().count());
        assert_eq!(r["labels"][0], "finance");
    }
}
