//! REFI-QDA exports checked against the published schemas (QDA-XML 1.0,
//! `tests/schemas/refi-qda/` at the project root) with xmllint, for a real
//! report and a document full of edge cases. xmllint is required: without it
//! these tests fail (Debian: `apt-get install libxml2-utils`).

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use marginalia_core::annotation::Annotation;
use marginalia_core::archive::read_zip;
use marginalia_core::codebook::Codebook;
use marginalia_core::corpus;
use marginalia_core::document::{BlockKind, Document, DocumentBuilder, Meta, Piece};
use marginalia_core::export::DocAnnotations;
use marginalia_core::refi;

fn schema(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/schemas/refi-qda").join(name)
}

/// Runs `xmllint --noout --schema <schema> -` on `xml`: `Ok` when valid, else
/// xmllint's complaint. Panics when xmllint cannot be run.
fn xmllint(schema_file: &str, xml: &str) -> Result<(), String> {
    let mut child = Command::new("xmllint")
        .args(["--noout", "--nonet", "--schema"])
        .arg(schema(schema_file))
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("xmllint could not be run ({e}): install it with `apt-get install libxml2-utils`"));
    child.stdin.take().unwrap().write_all(xml.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    if out.status.success() { Ok(()) } else { Err(String::from_utf8_lossy(&out.stderr).into_owned()) }
}

const NOW: &str = "2026-11-23T10:00:00.123Z";

/// The first built-in report with annotations on its first paragraphs, and a
/// document of edge cases (astral characters, memos XML cannot hold as they
/// are, times that are not `xsd:dateTime`s, a tag the codebook lacks).
fn fixture() -> (Vec<Document>, Vec<Vec<Annotation>>, Codebook) {
    let manifest = corpus::manifest();
    let report = corpus::clean_entry(&manifest[0], &corpus::lexicon());
    let mut anns = Vec::new();
    for (i, (_, block)) in report.paragraphs().take(6).enumerate() {
        let tag = ["threat", "finance", "repatriation", "prosecution"][i % 4];
        let mut a = Annotation::new(&report, block.start, block.end.min(block.start + 80), tag, "ana", format!("r{i}"), "2026-01-01T00:00:00Z", false).unwrap();
        if i % 2 == 0 {
            a.tags.push("finance".into());
            a.tags.dedup();
            a.memo = format!("memo {i} <&\"'>");
        }
        anns.push(a);
    }
    let mut b = DocumentBuilder::new();
    b.push(BlockKind::Heading { level: 1 }, &[Piece::Text("I. 𝔸 heading 😀".into())]);
    b.push(BlockKind::Paragraph { number: Some(1) }, &[Piece::Text("Text with\ttab, 👩‍💻 and <markup> & \"quotes\".".into())]);
    let edge = b.finish(Meta { id: "mine-1".into(), title: "Mine".into(), ..Meta::default() });
    let mut e1 = Annotation::new(&edge, 3, 30, "threat", "", "e1".into(), "yesterday", false).unwrap();
    e1.tags.push("not-in-book".into());
    e1.memo = "control \u{1}\u{b} and \u{fffe}\r\n".into();
    e1.updated = String::new();
    let mut e2 = Annotation::new(&edge, 0, 40, "finance", "bo <b>", "e2".into(), "2024-02-29T23:59:59+14:00", false).unwrap();
    e2.tags.push("threat".into());
    let mut book = Codebook::default();
    let gender = book.add("Gender & <age>").unwrap();
    // A code tree: a sub-code with a description (Description before the nested Code),
    // and one under it.
    book.set_parent(&gender, Some("threat")).unwrap();
    let victims = book.add("victims").unwrap();
    book.set_parent(&victims, Some(&gender)).unwrap();
    (vec![report, edge], vec![anns, vec![e1, e2]], book)
}

#[test]
fn qdpx_project_is_valid_against_project_xsd() {
    let (docs, anns, book) = fixture();
    let da: Vec<DocAnnotations> = docs.iter().zip(&anns).map(|(d, a)| DocAnnotations::new(d, a.iter().collect())).collect();
    let zip = refi::qdpx(&da, &book, "0.1.0", NOW);
    let files = read_zip(&zip).unwrap();
    let qde = String::from_utf8(files.iter().find(|(n, _)| n == "project.qde").expect("project.qde").1.clone()).unwrap();
    if let Err(e) = xmllint("Project.xsd", &qde) {
        panic!("project.qde is not valid against Project.xsd:\n{e}\n{qde}");
    }
    assert_eq!(files.len(), 3, "project.qde and two texts");
    // And it reads back to the same data.
    let back = refi::import_qdpx(&zip).unwrap();
    assert!(back.warnings.is_empty(), "{:?}", back.warnings);
    assert_eq!(back.annotations, anns.concat());
}

#[test]
fn qdc_codebook_is_valid_against_codebook_xsd() {
    let (_, _, book) = fixture();
    let qdc = refi::qdc(&book, "0.1.0", NOW);
    if let Err(e) = xmllint("Codebook.xsd", &qdc) {
        panic!("the .qdc is not valid against Codebook.xsd:\n{e}\n{qdc}");
    }
    assert_eq!(refi::import_qdc(&qdc).unwrap(), book);
    assert!(qdc.contains("<Code guid="), "{qdc}");
    assert_eq!(refi::import_qdc(&qdc).unwrap().path("victims"), "threat › Gender & <age> › victims");
}

#[test]
fn the_check_is_not_vacuous() {
    // A GUID that does not match the schema's pattern must be caught.
    let (_, _, book) = fixture();
    let qdc = refi::qdc(&book, "0.1.0", NOW);
    let first = qdc.find("guid=\"").unwrap() + 6;
    let broken = format!("{}not-a-guid{}", &qdc[..first], &qdc[first + 36..]);
    assert!(xmllint("Codebook.xsd", &broken).is_err());
    assert!(xmllint("Project.xsd", &qdc).is_err(), "a codebook is not a project");
}
