use super::*;
use crate::document::{BlockKind, DocumentBuilder, Meta, Piece};
use crate::export::{DocAnnotations, ExportMeta, ExportOptions, Scope, Source, export};

const T0: &str = "2026-01-01T00:00:00Z";
const NOW: &str = "2026-11-22T12:00:00Z";

fn docs() -> Vec<Document> {
    let mut b = DocumentBuilder::new();
    b.push(BlockKind::Heading { level: 1 }, &[Piece::Text("I. Intro".into())]);
    b.push(BlockKind::Paragraph { number: Some(1) }, &[Piece::Text("ISIL 😀 funds =SUM(A1) checkpoints near 𝔸.".into())]);
    b.push(BlockKind::Paragraph { number: Some(2) }, &[Piece::Text("Returnees, cafe\u{301} \"families\", camps.".into())]);
    let report = b.finish(Meta { id: "S/2019/103".into(), symbol: Some("S/2019/103".into()), ordinal: Some(8), date: Some("2019-02-01".into()), title: "T".into() });
    let mut b = DocumentBuilder::new();
    b.push(BlockKind::Paragraph { number: None }, &[Piece::Text("My own notes on funds.".into())]);
    let mine = b.finish(Meta { id: "mine".into(), title: "Mine".into(), ..Meta::default() });
    vec![report, mine]
}

fn ann(doc: &Document, id: &str, s: usize, e: usize, tags: &[&str], memo: &str) -> Annotation {
    let mut a = Annotation::new(doc, s, e, tags[0], "ana", id.into(), T0, false).unwrap();
    a.tags = tags.iter().map(|t| t.to_string()).collect();
    a.memo = memo.into();
    a
}

fn coding(docs: &[Document]) -> Coding {
    let mut c = Coding::new(Codebook::default());
    c.add(ann(&docs[0], "a1", 10, 18, &["finance"], "=cmd|' /C calc'!A0"));
    c.add(ann(&docs[0], "a2", 16, 27, &["threat", "finance"], "two,\ttags\r\nand \"quotes\""));
    c.add(ann(&docs[0], "a3", 30, 60, &["repatriation"], ""));
    c.add(ann(&docs[1], "b1", 3, 12, &["prosecution"], "mine"));
    c
}

fn meta() -> ExportMeta {
    ExportMeta::new("0.1.0", NOW)
}

fn exported(format: Format, docs: &[Document], c: &Coding) -> Vec<u8> {
    let source = Source { documents: docs, coding: c, texts: &[], coder: "ana" };
    export(format, &source, &Scope::all(), &ExportOptions::default(), &meta()).unwrap().bytes
}

fn brat_entries(docs: &[Document], c: &Coding) -> Vec<(String, Vec<u8>)> {
    let sel = Scope::all().select(docs, c);
    crate::export::brat_files(&sel.doc_annotations(), &c.codebook, &meta())
}

fn live(c: &Coding) -> Vec<Annotation> {
    let mut v: Vec<Annotation> = c.all_live().cloned().collect();
    v.sort_by(|a, b| a.id.cmp(&b.id));
    v
}

/// Every format back into an empty coding gives the same annotations; a second
/// import of the same file changes nothing.
#[test]
fn every_format_comes_back_and_a_second_import_adds_nothing() {
    let docs = docs();
    let c = coding(&docs);
    let files: Vec<(&str, Imported)> = vec![
        ("backup", import(Format::Backup, "b.json", &exported(Format::Backup, &docs, &c)).unwrap()),
        ("csv", import(Format::SegmentsCsv, "s.csv", &exported(Format::SegmentsCsv, &docs, &c)).unwrap()),
        ("doccano", import(Format::Doccano, "d.jsonl", &exported(Format::Doccano, &docs, &c)).unwrap()),
        ("spacy", import(Format::Spacy, "s.jsonl", &exported(Format::Spacy, &docs, &c)).unwrap()),
        ("labelstudio", import(Format::LabelStudio, "l.json", &exported(Format::LabelStudio, &docs, &c)).unwrap()),
        ("w3c", import(Format::W3c, "w.jsonld", &exported(Format::W3c, &docs, &c)).unwrap()),
        ("brat", read_brat(&brat_entries(&docs, &c)).unwrap()),
    ];
    for (name, imported) in files {
        assert!(imported.warnings.is_empty(), "{name}: {:?}", imported.warnings);
        let empty = Coding::new(Codebook::default());
        let plan = plan_import(&empty, &docs, &imported, NOW);
        assert_eq!(plan.added.len(), 4, "{name}: {}", plan.summary());
        assert!(plan.detached.is_empty() && plan.reanchored.is_empty() && plan.new_tags.is_empty(), "{name}: {}", plan.summary());
        let mut applied = empty.clone();
        applied.restore(plan.codebook.clone(), plan.writes.clone());
        assert_eq!(live(&applied), live(&c), "{name}");
        let again = plan_import(&applied, &docs, &imported, NOW);
        assert!(again.is_empty(), "{name}: {}", again.summary());
        assert_eq!(again.unchanged, 4, "{name}");
    }
}

#[test]
fn offsets_that_disagree_with_their_quote_are_not_trusted() {
    let docs = docs();
    let c = coding(&docs);
    let csv = String::from_utf8(exported(Format::SegmentsCsv, &docs, &c)).unwrap();
    let mut r = csv::Reader::from_reader(csv.as_bytes());
    let headers = r.headers().unwrap().clone();
    let col = |n: &str| headers.iter().position(|h| h == n).unwrap();
    let mut rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    // Same text, but one row's offsets shifted and another's text not in the report.
    let mut v: Vec<String> = rows[0].iter().map(str::to_string).collect();
    for c in [col("start"), col("end")] {
        v[c] = (v[c].parse::<usize>().unwrap() + 2).to_string();
    }
    rows[0] = csv::StringRecord::from(v);
    let mut v: Vec<String> = rows[1].iter().map(str::to_string).collect();
    v[col("text")] = "words that are in no report".into();
    rows[1] = csv::StringRecord::from(v);
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(&headers).unwrap();
    for row in &rows {
        w.write_record(row).unwrap();
    }
    let imported = import(Format::SegmentsCsv, "s.csv", &w.into_inner().unwrap()).unwrap();
    let plan = plan_import(&Coding::new(Codebook::default()), &docs, &imported, NOW);
    let first = &rows[0][col("annotation_id")];
    let second = &rows[1][col("annotation_id")];
    assert!(plan.reanchored.iter().any(|m| m.id == first), "placed by its quote: {}", plan.summary());
    let a = plan.writes.iter().find(|a| a.id == first).unwrap();
    assert_eq!(a.quote, rows[0][col("text")].trim_start_matches('\''));
    assert!(a.anchored_in(&docs[0]));
    assert!(plan.detached.iter().any(|u| u.id == second), "its text is nowhere: {}", plan.summary());
}

#[test]
fn a_changed_text_places_annotations_by_their_quotes() {
    let docs = docs();
    let c = coding(&docs);
    let csv = exported(Format::SegmentsCsv, &docs, &c);
    // The report's text gains words before the annotations, and loses one quoted passage.
    let mut changed = docs.clone();
    let mut b = DocumentBuilder::new();
    b.push(BlockKind::Heading { level: 1 }, &[Piece::Text("I. Introduction, revised".into())]);
    b.push(BlockKind::Paragraph { number: Some(1) }, &[Piece::Text("ISIL 😀 funds =SUM(A1) checkpoints.".into())]);
    b.push(BlockKind::Paragraph { number: Some(2) }, &[Piece::Text("Something else entirely.".into())]);
    changed[0] = b.finish(docs[0].meta.clone());
    let imported = import(Format::SegmentsCsv, "s.csv", &csv).unwrap();
    let plan = plan_import(&Coding::new(Codebook::default()), &changed, &imported, NOW);
    assert_eq!(plan.reanchored.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), ["a1", "a2"], "{}", plan.summary());
    assert_eq!(plan.detached.len(), 1);
    assert_eq!(plan.detached[0].id, "a3");
    assert!(plan.detached[0].reason.contains("not in the document"));
    assert!(!plan.documents[0].same_text);
    let a1 = plan.writes.iter().find(|a| a.id == "a1").unwrap();
    assert!(a1.anchored_in(&changed[0]));
    assert!(plan.summary().contains("2 re-anchored, 1 not placed"));
    // The one not placed is not dropped: it comes in detached, with its own quote and
    // offsets inside today's text, so it is listed beside the report and a backup keeps it.
    assert!(plan.detached[0].kept);
    assert!(plan.summary().contains("(kept as detached)"));
    let a3 = plan.writes.iter().find(|a| a.id == "a3").expect("kept");
    let original = imported.annotations.iter().find(|a| a.id == "a3").unwrap();
    assert_eq!(a3.quote, original.quote);
    let len = changed[0].text.chars().count();
    assert!(a3.start < a3.end && a3.end <= len);
    assert!(!a3.anchored_in(&changed[0]), "drawn nowhere: it is detached");
    // Importing the same file again changes nothing.
    let mut after = Coding::new(Codebook::default());
    after.restore(plan.codebook.clone(), plan.writes.clone());
    let again = plan_import(&after, &changed, &imported, NOW);
    assert!(again.writes.is_empty(), "{}", again.summary());
}

#[test]
fn files_without_ids_get_the_same_ids_every_time() {
    let docs = docs();
    // A doccano file from elsewhere: numbered ids, two labels on one span, a tag by name.
    let line = serde_json::json!({"id": 7, "text": docs[0].text, "label": [[10, 18, "finance"], [10, 18, "Threat"], [30, 40, "gender"]]});
    let file = format!("{line}\n");
    let imported = read_doccano(&file).unwrap();
    assert_eq!(imported.annotations.len(), 2, "grouped by span");
    assert!(imported.annotations.iter().all(|a| a.id.is_empty()));
    let c = Coding::new(Codebook::default());
    let plan = plan_import(&c, &docs, &imported, NOW);
    assert_eq!(plan.documents[0].by, Some(MatchBy::Text), "the document is found by its text");
    assert_eq!(plan.added.len(), 2);
    assert_eq!(plan.new_tags.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(), ["gender"]);
    let first = plan.writes.iter().find(|a| a.start == 10).unwrap();
    assert_eq!(first.tags, ["finance", "threat"], "a name maps to our tag");
    assert!(first.id.starts_with("imported-"));
    assert_eq!((first.created.as_str(), first.updated.as_str()), (NOW, NOW));
    let mut applied = c.clone();
    applied.restore(plan.codebook.clone(), plan.writes.clone());
    assert!(applied.codebook.validate().is_ok());
    let again = plan_import(&applied, &docs, &imported, "2026-11-23T00:00:00Z");
    assert!(again.is_empty(), "{}", again.summary());
    // A label on a span we already coded takes our annotation's id.
    let mut ours = Coding::new(Codebook::default());
    ours.add(ann(&docs[0], "x1", 10, 18, &["finance", "threat"], ""));
    let plan = plan_import(&ours, &docs, &imported, NOW);
    assert_eq!((plan.unchanged, plan.added.len()), (1, 1));
}

#[test]
fn a_files_texts_not_here_can_be_added_and_their_annotations_placed_on_them() {
    let docs = docs();
    let text = "Interview one.\nThe money came by hawala.\n\nA second paragraph.";
    let line = serde_json::json!({"text": text, "label": [[15, 40, "finance"]]});
    let imported = read_doccano(&format!("{line}\n")).unwrap();
    let c = Coding::new(Codebook::default());
    let plan = plan_import(&c, &docs, &imported, NOW);
    assert_eq!(plan.unknown_documents, [("line-1".to_string(), 1)]);
    assert!(plan.is_empty(), "nothing to import while its text is not here");
    let unknown: Vec<String> = plan.unknown_documents.iter().map(|(d, _)| d.clone()).collect();
    let (texts, moved) = with_own_texts(&imported, &unknown, NOW, &|id| id == "Interview-one");
    assert_eq!(texts.len(), 1);
    // Named by its first line (the file's "line-1" says nothing), under a free id; the file's text.
    assert_eq!((texts[0].id.as_str(), texts[0].title.as_str(), texts[0].raw.as_str()), ("Interview-one-2", "Interview one (2)", text));
    assert!(moved.annotations.iter().all(|a| a.doc == "Interview-one-2"));
    // With the text added, its annotation is placed on it, on the same words.
    let mut all = docs.clone();
    all.push(texts[0].document(&crate::clean::Lexicon::default()));
    let plan = plan_import(&c, &all, &moved, NOW);
    assert!(plan.unknown_documents.is_empty());
    assert_eq!(plan.added.len(), 1);
    let a = &plan.writes[0];
    let doc = all.last().unwrap();
    assert_eq!(crate::offsets::slice_chars(&doc.text, a.start, a.end), "The money came by hawala.");
    // A document the file gives no text for stays unknown.
    let mut bare = imported.clone();
    bare.documents[0].text = None;
    assert!(with_own_texts(&bare, &unknown, NOW, &|_| false).0.is_empty());
}

#[test]
fn a_prodigy_line_names_its_annotator() {
    let docs = docs();
    let line = serde_json::json!({"text": docs[0].text, "spans": [{"start": 10, "end": 18, "label": "finance"}], "_annotator_id": "isil_ner-alex", "_session_id": "isil_ner-alex"});
    let imported = read_spacy(&format!("{line}\n")).unwrap();
    assert_eq!(imported.annotations.len(), 1);
    assert_eq!(imported.annotations[0].coder, "isil_ner-alex");
    // Without one, no name is made up.
    let line = serde_json::json!({"text": docs[0].text, "spans": [{"start": 10, "end": 18, "label": "finance"}]});
    assert_eq!(read_spacy(&format!("{line}\n")).unwrap().annotations[0].coder, "");
}

#[test]
fn newer_edits_here_are_kept_and_older_ones_updated() {
    let docs = docs();
    let c = coding(&docs);
    let file = import(Format::Spacy, "s.jsonl", &exported(Format::Spacy, &docs, &c)).unwrap();
    let mut here = c.clone();
    here.update("a1", "2026-12-01T00:00:00Z", |a| a.memo = "changed here later".into());
    here.update("a3", "2025-01-01T00:00:00Z", |a| a.memo = "changed here, but before".into());
    here.delete("b1", "2026-12-01T00:00:00Z");
    let plan = plan_import(&here, &docs, &file, NOW);
    assert_eq!(plan.kept, ["a1", "b1"], "{}", plan.summary());
    assert_eq!(plan.updated, ["a3"]);
    assert_eq!(plan.writes[0].updated, NOW);
    assert_eq!(plan.unchanged, 1);
}

#[test]
fn a_backup_brings_deletions_texts_and_its_codebook() {
    let docs = docs();
    let mut c = coding(&docs);
    let mut book = c.codebook.clone();
    book.add("Gender").unwrap();
    c.set_codebook(book, None, T0);
    let mut later = c.clone();
    later.delete("a2", "2026-06-01T00:00:00Z");
    let text = UserText { id: "mine".into(), title: "Mine".into(), format: "text".into(), raw: "My own notes on funds.".into(), added: T0.into() };
    let source = Source { documents: &docs, coding: &later, texts: std::slice::from_ref(&text), coder: "ana" };
    let file = export(Format::Backup, &source, &Scope::all(), &ExportOptions::default(), &meta()).unwrap();
    let imported = import(Format::Backup, &file.name, &file.bytes).unwrap();
    assert_eq!(imported.texts, [text]);
    let plan = plan_import(&c, &docs, &imported, NOW);
    assert_eq!(plan.removed, ["a2"]);
    assert_eq!(plan.unchanged, 3);
    assert!(plan.new_tags.is_empty(), "the codebook already has Gender");
    let plan = plan_import(&Coding::new(Codebook::default()), &docs, &imported, NOW);
    assert_eq!(plan.new_tags.iter().map(|t| t.id.as_str()).collect::<Vec<_>>(), ["gender"]);
    assert_eq!(plan.added.len(), 3, "a tombstone of an annotation not here adds nothing");
}

#[test]
fn label_studio_offsets_are_utf16_and_tag_names_map_to_ids() {
    let docs = docs();
    let c = coding(&docs);
    let mut book = c.codebook.clone();
    book.rename("finance", "Money").unwrap();
    let mut renamed = c.clone();
    renamed.set_codebook(book, None, T0);
    let file = exported(Format::LabelStudio, &docs, &renamed);
    let imported = read_label_studio(std::str::from_utf8(&file).unwrap()).unwrap();
    let a1 = imported.annotations.iter().find(|a| a.id == "a1").unwrap();
    assert_eq!((a1.start, a1.end), (10, 18), "code points, not UTF-16 units");
    assert_eq!(a1.tags, ["finance"], "the record's tag id behind the name");
    assert_eq!(a1.memo, "=cmd|' /C calc'!A0");
    // Labels from elsewhere: names only, a memo in a per-region text area.
    let task = serde_json::json!([{"data": {"text": "Funds 😀 and more funds."}, "annotations": [{"result": [
        {"id": "r1", "type": "labels", "from_name": "label", "to_name": "text", "value": {"start": 9, "end": 17, "labels": ["Money"]}},
        {"id": "r1", "type": "textarea", "from_name": "memo", "to_name": "text", "value": {"text": ["a", "b"]}},
        {"id": "r2", "type": "labels", "value": {"start": 90, "end": 95, "labels": ["Money"]}},
        {"id": "r3", "type": "labels", "value": {"start": 999999, "end": 5, "labels": ["Money"]}}
    ]}]}]);
    let imported = read_label_studio(&task.to_string()).unwrap();
    assert_eq!(imported.annotations.len(), 1);
    assert_eq!(imported.annotations[0].quote, "and more", "UTF-16 9..17 after the emoji");
    assert_eq!(imported.annotations[0].memo, "a\nb");
    assert!(imported.warnings[0].contains("outside the text"), "{:?}", imported.warnings);
    // Named with the file's own offsets, not clamped ones.
    assert!(imported.warnings[1].contains("999999–5 (UTF-16) lies outside the text"), "{:?}", imported.warnings);
}

#[test]
fn brat_notes_edited_in_brat_win_and_plain_brat_reads() {
    let docs = docs();
    let c = coding(&docs);
    let mut entries = brat_entries(&docs, &c);
    let ann = entries.iter_mut().find(|(n, _)| n == "S-2019-103.ann").unwrap();
    let text = String::from_utf8(ann.1.clone()).unwrap();
    let edited = text.replacen("AnnotatorNotes T1\t=cmd|' /C calc'!A0", "AnnotatorNotes T1\tedited in brat", 1);
    assert_ne!(edited, text);
    ann.1 = edited.into_bytes();
    let imported = read_brat(&entries).unwrap();
    assert_eq!(imported.annotations.iter().find(|a| a.id == "a1").unwrap().memo, "edited in brat");
    let a2 = imported.annotations.iter().find(|a| a.id == "a2").unwrap();
    assert_eq!(a2.memo, "two,\ttags\r\nand \"quotes\"", "the exact memo from the record");
    // brat's own files: no records, a discontinuous span, a relation.
    let plain = vec![
        ("doc.txt".to_string(), "One two\nthree four.".as_bytes().to_vec()),
        ("doc.ann".to_string(), "T1\tThreat 0 3;8 13\tOne three\n#1\tAnnotatorNotes T1\ta note\nR1\tRel Arg1:T1 Arg2:T1\nT2\tX 5 3\tbad\n".as_bytes().to_vec()),
    ];
    let imported = read_brat(&plain).unwrap();
    assert_eq!(imported.annotations.len(), 1);
    let a = &imported.annotations[0];
    assert_eq!((a.start, a.end, a.quote.as_str(), a.memo.as_str(), a.id.as_str()), (0, 13, "One two\nthree", "a note", ""));
    let w = imported.warnings.join("\n");
    assert!(w.contains("not contiguous") && w.contains("reversed") && w.contains("relations"), "{w}");
    assert!(read_brat(&[("x.txt".into(), b"text".to_vec())]).unwrap_err().0.contains(".ann"));
}

#[test]
fn w3c_single_annotations_lists_and_quote_only_targets() {
    let docs = docs();
    let one = serde_json::json!({
        "id": "http://example.org/anno/1", "type": "Annotation",
        "body": [{"type": "TextualBody", "purpose": "tagging", "value": "finance"}, {"type": "TextualBody", "value": "why"}],
        "target": {"source": "urn:marginalia:document:S/2019/103", "selector": {"type": "TextQuoteSelector", "exact": "checkpoints"}}
    });
    let imported = read_w3c(&one.to_string()).unwrap();
    assert_eq!(imported.annotations[0].id, "http://example.org/anno/1");
    let plan = plan_import(&Coding::new(Codebook::default()), &docs, &imported, NOW);
    assert_eq!(plan.added.len(), 1, "{}", plan.summary());
    let a = &plan.writes[0];
    assert_eq!((a.quote.as_str(), a.memo.as_str(), a.tags.as_slice()), ("checkpoints", "why", &["finance".to_string()][..]));
    assert!(a.anchored_in(&docs[0]));
    let list = serde_json::json!([one]);
    assert_eq!(read_w3c(&list.to_string()).unwrap().annotations.len(), 1);
    assert!(read_w3c("{\"type\": \"Thing\"}").unwrap_err().0.contains("not a W3C"));
}

#[test]
fn hostile_files_are_refused_with_reasons_or_read_with_warnings() {
    let big = vec![b'x'; MAX_IMPORT_BYTES + 1];
    assert!(import(Format::Doccano, "big.jsonl", &big).unwrap_err().0.contains("MB"));
    assert!(import(Format::Doccano, "bad.jsonl", b"{\"text\": \"caf\xe9\"}").unwrap_err().0.contains("not UTF-8"));
    let docs = docs();
    let c = coding(&docs);
    for f in [Format::Backup, Format::Doccano, Format::Spacy, Format::LabelStudio, Format::W3c] {
        let full = exported(f, &docs, &c);
        let cut = &full[..full.len() / 2];
        let cut = &cut[..(0..=cut.len()).rev().find(|&i| std::str::from_utf8(&cut[..i]).is_ok()).unwrap()];
        let err = import(f, "cut", cut).unwrap_err();
        assert!(!err.0.is_empty(), "{f:?}");
    }
    let err = import(Format::W3c, "cut", b"{\"type\": \"AnnotationCollection\", \"first\": {").unwrap_err();
    assert!(err.0.contains("cut off"), "{err}");
    let line = serde_json::json!({"text": "short", "label": [[3, 1, "t"], [0, 99, "t"], [0, 2, "t"], ["a", 1, "t"], [-1, 2, "t"]]});
    let imported = read_doccano(&line.to_string()).unwrap();
    assert_eq!(imported.annotations.len(), 1);
    assert_eq!(imported.warnings.len(), 3, "{:?}", imported.warnings);
    // A CSV with rows that are not numbers, offsets beyond any text.
    let csv = "document,start,end,tag,text\nS/2019/103,x,2,t,a\nS/2019/103,5000,5009,finance,nowhere\n";
    let imported = read_segments_csv(csv).unwrap();
    assert_eq!(imported.warnings.len(), 1);
    let plan = plan_import(&Coding::new(Codebook::default()), &docs, &imported, NOW);
    assert_eq!(plan.detached.len(), 1);
    assert!(read_segments_csv("a,b\n1,2\n").unwrap_err().0.contains("not a Marginalia segments export"));
    // Many bad labels: the warnings stop at a hundred.
    let many: Vec<_> = (0..500).map(|_| serde_json::json!([9, 1, "t"])).collect();
    let imported = read_doccano(&serde_json::json!({"text": "short text here", "label": many}).to_string()).unwrap();
    assert_eq!(imported.warnings.len(), MAX_WARNINGS + 1);
    assert!(imported.warnings.last().unwrap().contains("400 more"));
}

#[test]
fn a_ten_megabyte_line_is_read_in_one_pass() {
    let text = "word 😀 ".repeat(1_200_000);
    let line = serde_json::json!({"text": text, "label": [[0, 4, "t"]]}).to_string();
    assert!(line.len() > 10_000_000);
    let t = std::time::Instant::now();
    let imported = read_doccano(&line).unwrap();
    assert_eq!(imported.annotations[0].quote, "word");
    assert!(t.elapsed().as_secs() < 20, "{:?}", t.elapsed());
    assert_eq!(detect("x.jsonl", line.as_bytes()), Some(Format::Doccano));
}

#[test]
fn formats_are_detected() {
    let docs = docs();
    let c = coding(&docs);
    for f in [Format::Backup, Format::SegmentsCsv, Format::Matrix, Format::Doccano, Format::Spacy, Format::LabelStudio, Format::W3c, Format::CodebookJson] {
        let source = Source { documents: &docs, coding: &c, texts: &[], coder: "" };
        let file = export(f, &source, &Scope::all(), &ExportOptions { bom: true, presence: false }, &meta()).unwrap();
        assert_eq!(detect(&file.name, &file.bytes), Some(f), "{}", file.name);
        assert_eq!(detect("no-extension", &file.bytes), Some(f), "{f:?} by content");
    }
    assert_eq!(detect("x.ann", b"T1\tx 0 1\ta"), Some(Format::Brat));
    assert_eq!(detect("x.zip", b"PK\x03\x04rest"), Some(Format::Brat));
    assert_eq!(detect("x.qdpx", b"PK\x03\x04rest"), Some(Format::Qdpx));
    assert_eq!(detect("notes.txt", b"Just some text."), None);
    assert_eq!(detect("x.bin", &[0xff, 0xfe, 0]), None);
    assert!(import(Format::Matrix, "m.csv", b"document\n").unwrap_err().0.contains("cannot be imported"));
    assert!(!import(Format::Brat, "b.zip", b"PK\x03\x04").unwrap_err().0.is_empty(), "a truncated zip is refused");
    assert!(import(Format::Doccano, "d.zip", &crate::archive::write_zip(&[("a.txt".into(), b"x".to_vec())])).unwrap_err().0.contains("is a zip file"));
}

#[test]
fn unknown_documents_are_listed_not_imported() {
    let docs = docs();
    let line = serde_json::json!({"document": "elsewhere", "text": "Not a text we have.", "label": [[0, 3, "finance"]]});
    let imported = read_doccano(&line.to_string()).unwrap();
    let plan = plan_import(&Coding::new(Codebook::default()), &docs, &imported, NOW);
    assert_eq!(plan.unknown_documents, [("elsewhere".to_string(), 1)]);
    assert!(plan.writes.is_empty());
    assert!(plan.summary().contains("elsewhere (1 annotations)"));
}

#[test]
fn an_unrecognised_file_is_explained() {
    let why = |name: &str, bytes: &[u8]| crate::import::why_unrecognised(name, bytes);
    assert!(why("bad.json", b"{\"a\": [1, 2,\n}").unwrap().starts_with("it is not valid JSON (expected value at line 2 column 1)"), "{:?}", why("bad.json", b"{\"a\": [1, 2,\n}"));
    assert_eq!(
        why("marginalia-backup-Ana.json", b"{\"schema\": 1, \"annotations\": [{\"id\": \"a\"").as_deref(),
        Some("it is cut off: it ends before its data does (the download or copy was not finished). Save or send it again")
    );
    assert!(why("other.json", b"{\"a\": 1}").unwrap().starts_with("it is JSON, but none of the kinds"));
    assert!(why("x.bin", &[0xff, 0xfe, 0x00]).unwrap().contains("neither text in UTF-8 nor a zip"));
    assert_eq!(why("notes.csv", b"a,b\n1,2\n"), None, "nothing more precise to say");
    // A Word file handed in for a backup (renamed or not) is said to be one, not taken for brat.
    let docx = crate::archive::write_zip(&[("[Content_Types].xml".into(), b"<Types/>".to_vec()), ("word/document.xml".into(), b"<w:document/>".to_vec())]);
    for name in ["marginalia-backup-Eve-2026-12-03.json", "Eve-answers.docx"] {
        assert_eq!(crate::import::detect(name, &docx), None);
        assert!(why(name, &docx).unwrap().starts_with("it is a Word document. To code its text, save it as .txt"), "{:?}", why(name, &docx));
    }
    // A damaged one (its parts unreadable) is told by its name, not taken for a broken brat zip.
    let damaged = &docx[..docx.len() / 2];
    assert_eq!(crate::import::detect("Eve-answers.docx", damaged), None);
    assert!(why("Eve-answers.docx", damaged).unwrap().starts_with("it is a Word document."));
    assert_eq!(crate::import::office_document("essay.ODT", b"anything"), Some("an OpenDocument file"));
    let brat = crate::archive::write_zip(&[("a.txt".into(), b"x".to_vec()), ("a.ann".into(), b"".to_vec())]);
    assert_eq!(crate::import::detect("brat.zip", &brat), Some(Format::Brat), "a zip of another kind is still read");
}

#[test]
fn selections_feed_exports_as_doc_annotations() {
    // The exporters take DocAnnotations built by hand too (REFI-QDA and tests do).
    let docs = docs();
    let c = coding(&docs);
    let list: Vec<&Annotation> = c.live("mine").collect();
    let d = [DocAnnotations::new(&docs[1], list)];
    let text = crate::export::doccano_jsonl(&d, &c.codebook, &meta());
    assert_eq!(read_doccano(&text).unwrap().annotations.len(), 1);
}

/// A code tree comes back as a tree: sub-codes the codebook lacks are added
/// under their parents, in the file's order (REFI-QDA, and a backup imported).
#[test]
fn sub_codes_brought_in_sit_under_their_parents() {
    let docs = docs();
    let mut book = Codebook::default();
    let ff = book.add("foreign fighters").unwrap();
    let ret = book.add("returnees").unwrap();
    let oil = book.add("oil").unwrap();
    book.set_parent(&ff, Some("threat")).unwrap();
    book.set_parent(&ret, Some(&ff)).unwrap();
    book.set_parent(&oil, Some("finance")).unwrap();
    let mut c = Coding::new(book.clone());
    c.add(ann(&docs[0], "a1", 10, 18, &[ret.as_str()], ""));
    c.add(ann(&docs[0], "a2", 16, 27, &[oil.as_str(), ff.as_str()], ""));
    let shape = |b: &Codebook| b.tags.iter().map(|t| format!("{}{}", "-".repeat(b.depth(&t.id)), t.name)).collect::<Vec<_>>();
    let want = ["threat", "-foreign fighters", "--returnees", "finance", "-oil", "repatriation", "prosecution"];
    assert_eq!(shape(&book), want);
    for format in [Format::Qdpx, Format::Backup] {
        let imported = import(format, "file", &exported(format, &docs, &c)).unwrap();
        let plan = plan_import(&Coding::new(Codebook::default()), &docs, &imported, NOW);
        assert_eq!(shape(&plan.codebook), want, "{format:?}");
        assert_eq!(plan.new_tags.len(), 3, "{format:?}");
    }
}

/// A tag the file names otherwise (renamed in the file, or here) keeps its name
/// here, and the preview says so.
#[test]
fn a_tag_the_file_names_otherwise_is_said() {
    let docs = docs();
    let mut c = coding(&docs);
    c.codebook.rename("finance", "terror financing").unwrap();
    let imported = import(Format::Qdpx, "p.qdpx", &exported(Format::Qdpx, &docs, &c)).unwrap();
    let plan = plan_import(&coding(&docs), &docs, &imported, NOW);
    assert_eq!(plan.codebook.get("finance").unwrap().name, "finance", "ours kept");
    assert!(plan.warnings.iter().any(|w| w.contains("names the tag finance \"terror financing\"")), "{:?}", plan.warnings);
    assert!(plan.summary().contains("terror financing"));
}

#[test]
fn files_picked_together_are_summed_up_in_one_line() {
    let o = |k: &str, n: &str| match k {
        "in" => Outcome::In(n.into()),
        "empty" => Outcome::Empty(n.into()),
        "bad" => Outcome::Bad(n.into()),
        "same" => Outcome::Same(n.into()),
        _ => Outcome::Out(n.into()),
    };
    let all = [o("in", "Amira"), o("in", "Eva"), o("bad", "oops.json"), o("in", "Eva"), o("empty", "Farah"), o("out", "Ben's backup")];
    assert_eq!(
        batch_summary(8, &all, &[], "Key"),
        "Of the 8 files picked together: 3 brought in (Amira, Eva ×2); 1 brought in with no annotations in it (Farah); \
         1 could not be read (oops.json); 1 left out (Ben's backup); 2 are texts to add, with a preview of their own."
    );
    assert_eq!(batch_summary(2, &[o("in", "A"), o("in", "B")], &[], "Key"), "Of the 2 files picked together: 2 brought in (A, B).");
    // The same files picked again: nothing new, said so.
    assert_eq!(
        batch_summary(3, &[o("same", "A"), o("same", "A"), o("in", "B")], &[], "Key"),
        "Of the 3 files picked together: 1 brought in (B); 2 here already, nothing new in them (A ×2)."
    );
    assert_eq!(
        batch_summary(1, &[o("in", "Key (2)")], &[("Key".into(), "Key (2)".into())], "Key"),
        "Of the 1 files picked together: 1 brought in (Key (2)). A file's work was under your own name, Key: it came in as Key (2), apart from yours \
         (rename Key (2) on the Agreement page to the name of whoever handed it in)."
    );
    assert!(matches!(Outcome::merged("A".into(), false, false), Outcome::Same(_)));
    assert!(matches!(Outcome::merged("A".into(), true, false), Outcome::Empty(_)), "an empty hand-in is said as one");
    assert!(matches!(Outcome::merged("A".into(), false, true), Outcome::In(_)));
    assert_eq!(
        batch_summary(2, &[o("in", "Dan"), o("in", "Dan (2)")], &[("Dan".into(), "Dan (2)".into())], "Key"),
        "Of the 2 files picked together: 2 brought in (Dan, Dan (2)). Two people gave the name Dan: the second file's work came in as Dan (2) \
         (if they are one person, rename Dan (2) to Dan on the Agreement page)."
    );
}
