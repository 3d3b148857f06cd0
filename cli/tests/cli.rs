//! The `marginalia` binary, run as a user would.

use std::process::Command;

fn marginalia(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_marginalia")).args(args).output().expect("the binary runs")
}

fn slice(text: &str, start: u64, end: u64) -> String {
    text.chars().skip(start as usize).take((end - start) as usize).collect()
}

#[test]
fn corpus_as_jsonl() {
    let out = marginalia(&["corpus", "--format", "jsonl"]);
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    let docs: Vec<serde_json::Value> = stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(docs.len(), 5);
    let ids: Vec<&str> = docs.iter().map(|d| d["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["S/2017/97", "S/2018/80", "S/2018/770", "S/2019/103", "S/2019/612"]);
    let dates: Vec<&str> = docs.iter().map(|d| d["date"].as_str().unwrap()).collect();
    let mut sorted = dates.clone();
    sorted.sort();
    assert_eq!(dates, sorted);
    // Keys in the documented order.
    let first_line = stdout.lines().next().unwrap();
    let order: Vec<usize> = ["\"id\"", "\"symbol\"", "\"ordinal\"", "\"date\"", "\"title\"", "\"text_sha256\"", "\"text\"", "\"blocks\""]
        .iter()
        .map(|k| first_line.find(k).unwrap())
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]));
    for d in &docs {
        let text = d["text"].as_str().unwrap();
        assert_eq!(d["text_sha256"].as_str().unwrap().len(), 64);
        let blocks = d["blocks"].as_array().unwrap();
        let first = &blocks[0];
        assert_eq!(first["kind"], "heading");
        assert_eq!(first["level"], 1);
        assert_eq!(slice(text, first["start"].as_u64().unwrap(), first["end"].as_u64().unwrap()), "I. Introduction");
        let p1 = blocks.iter().find(|b| b["kind"] == "paragraph").unwrap();
        assert_eq!(p1["number"], 1);
        let p1_text = slice(text, p1["start"].as_u64().unwrap(), p1["end"].as_u64().unwrap());
        assert!(p1_text.starts_with("In adopting its resolution 2253 (2015)"), "{p1_text}");
        // Code points, not bytes: the last block ends at the text's length in chars.
        let last = blocks.last().unwrap();
        assert_eq!(last["end"].as_u64().unwrap() as usize, text.chars().count());
        for n in d["notes"].as_array().unwrap() {
            assert!(n["at"].as_u64().unwrap() as usize <= text.chars().count());
        }
    }
    // Footnotes are blocks at the end; their markers are anchors in the prose.
    let d = &docs[4];
    let text = d["text"].as_str().unwrap();
    let f1 = d["blocks"].as_array().unwrap().iter().find(|b| b["kind"] == "footnote" && b["number"] == 1).unwrap();
    assert_eq!(slice(text, f1["start"].as_u64().unwrap(), f1["end"].as_u64().unwrap()), "Listed as Al-Qaida in Iraq (QDe.115).");
    let at = d["notes"][0]["at"].as_u64().unwrap();
    assert_eq!(d["notes"][0]["number"], 1);
    assert_eq!(slice(text, at - 6, at), "Levant");
}

#[test]
fn corpus_as_csv() {
    let out = marginalia(&["corpus", "--format", "csv"]);
    assert!(out.status.success());
    let mut r = csv::Reader::from_reader(out.stdout.as_slice());
    assert_eq!(r.headers().unwrap().iter().collect::<Vec<_>>(), ["symbol", "ordinal", "date", "kind", "number", "section", "text"]);
    let rows: Vec<csv::StringRecord> = r.records().map(|r| r.unwrap()).collect();
    let p12 = rows.iter().find(|r| &r[0] == "S/2019/103" && &r[3] == "paragraph" && &r[4] == "12").unwrap();
    assert_eq!(&p12[5], "II. Threat assessment > A. Overview of threat");
    assert!(p12[6].starts_with("ISIL"));
    let paragraphs = rows.iter().filter(|r| &r[0] == "S/2019/103" && &r[3] == "paragraph").count();
    assert_eq!(paragraphs, 100);
    let f35 = rows.iter().find(|r| &r[0] == "S/2019/103" && &r[3] == "footnote" && &r[4] == "35").unwrap();
    assert!(f35[6].starts_with("https://"));
    assert!(rows.iter().all(|r| !r[6].contains('\n')));
}

#[test]
fn clean_a_users_files() {
    let dir = std::env::temp_dir().join(format!("marginalia-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let md = dir.join("notes.md");
    std::fs::write(&md, "# My notes\n\nA paragraph with an emoji 😀 and **bold**.\n").unwrap();
    let html = dir.join("page.html");
    std::fs::write(&html, "<h2>Title</h2><p>One &amp; two<script>x()</script></p>").unwrap();
    let out = marginalia(&["clean", md.to_str().unwrap(), html.to_str().unwrap(), "--format", "jsonl"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let docs: Vec<serde_json::Value> =
        String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(docs.len(), 2);
    assert_eq!(docs[0]["id"], "notes");
    assert_eq!(docs[0]["text"], "My notes\n\nA paragraph with an emoji 😀 and bold.");
    let b = &docs[0]["blocks"][1];
    assert_eq!(slice(docs[0]["text"].as_str().unwrap(), b["start"].as_u64().unwrap(), b["end"].as_u64().unwrap()),
        "A paragraph with an emoji 😀 and bold.");
    assert_eq!(docs[1]["text"], "Title\n\nOne & two");
    let csv_out = marginalia(&["clean", md.to_str().unwrap(), "--format", "csv"]);
    assert!(csv_out.status.success());
    assert!(String::from_utf8(csv_out.stdout).unwrap().contains("notes"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn bad_input_gets_a_one_line_error_naming_the_file() {
    let dir = std::env::temp_dir().join(format!("marginalia-cli-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bin = dir.join("latin1.txt");
    std::fs::write(&bin, b"caf\xe9 au lait").unwrap();
    let out = marginalia(&["clean", bin.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("latin1.txt") && err.contains("not UTF-8"), "{err}");
    assert!(out.stdout.is_empty());

    let missing = dir.join("missing.txt");
    let out = marginalia(&["clean", missing.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("missing.txt") && err.contains("no such file"), "{err}");
    assert_eq!(err.trim().lines().count(), 1);

    let out = marginalia(&["corpus", "--format", "xml"]);
    assert_eq!(out.status.code(), Some(2));
    let out = marginalia(&["frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
    let out = marginalia(&["--help"]);
    assert!(out.status.success());
    assert!(String::from_utf8(out.stdout).unwrap().contains("marginalia corpus"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn export_from_a_backup() {
    let docs = marginalia(&["corpus", "--format", "jsonl"]);
    let first: serde_json::Value = serde_json::from_str(String::from_utf8(docs.stdout).unwrap().lines().nth(3).unwrap()).unwrap();
    assert_eq!(first["id"], "S/2019/103");
    let text = first["text"].as_str().unwrap();
    let quote = slice(text, 17, 40);
    let backup = serde_json::json!({
        "format": "marginalia-backup", "version": 1, "app_version": "0.1.0", "exported_at": "2026-11-23T00:00:00Z",
        "coder": "ana",
        "codebook": {"tags": [{"id": "threat", "name": "threat", "colour": "#d55e00", "key": "1", "description": ""}]},
        "documents": [{"id": "S/2019/103", "text_sha256": first["text_sha256"]}],
        "annotations": [{"id": "a1", "doc": "S/2019/103", "start": 17, "end": 40, "quote": quote, "tags": ["threat"],
                         "memo": "=1+1", "coder": "ana", "created": "t", "updated": "t"}]
    });
    let dir = std::env::temp_dir().join(format!("marginalia-cli-export-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("backup.json");
    std::fs::write(&path, backup.to_string()).unwrap();
    let out = marginalia(&["export", "--from", path.to_str().unwrap(), "--format", "csv"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut r = csv::Reader::from_reader(out.stdout.as_slice());
    let rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
    assert_eq!(rows.len(), 1);
    assert_eq!(&rows[0][2], "S/2019/103");
    assert_eq!(&rows[0][14], quote);
    assert_eq!(&rows[0][15], "'=1+1");
    let out = marginalia(&["export", "--from", path.to_str().unwrap(), "--format", "spacy"]);
    let line: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(line["spans"][0]["label"], "threat");
    let out = marginalia(&["export", "--from", path.to_str().unwrap(), "--format", "w3c"]);
    let w3c: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(w3c["first"]["items"][0]["target"]["selector"][1]["start"], 17);
    let brat_dir = dir.join("brat");
    let out = marginalia(&["export", "--from", path.to_str().unwrap(), "--format", "brat", "--out", brat_dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let ann = std::fs::read_to_string(brat_dir.join("S-2019-103.ann")).unwrap();
    let txt = std::fs::read_to_string(brat_dir.join("S-2019-103.txt")).unwrap();
    assert_eq!(txt, text);
    assert!(ann.starts_with("T1\tthreat 17 40\t"), "{ann}");
    assert!(std::fs::read_to_string(brat_dir.join("annotation.conf")).unwrap().contains("threat"));
    // A backup pointing outside the text is refused with the reason.
    let mut bad = backup.clone();
    bad["annotations"][0]["end"] = serde_json::json!(10_000_000);
    std::fs::write(&path, bad.to_string()).unwrap();
    let out = marginalia(&["export", "--from", path.to_str().unwrap(), "--format", "csv"]);
    assert!(!out.status.success());
    assert!(String::from_utf8(out.stderr).unwrap().contains("outside the text"));
    std::fs::remove_dir_all(&dir).ok();
}
