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
    assert_eq!(&p12[5], "II. Threat assessment › A. Overview of threat");
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
    // As the app has them: titled by their own title, paragraphs numbered in order (cited "My notes ¶1").
    assert_eq!(docs[0]["title"], "My notes");
    assert_eq!(docs[1]["title"], "page", "a second-level heading is not a title: the file's name is");
    assert_eq!((b["kind"].as_str(), b["number"].as_u64()), (Some("paragraph"), Some(1)));
    assert_eq!(docs[1]["blocks"][1]["number"], 1);
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
    let out = marginalia(&["export", "--from", path.to_str().unwrap(), "--format", "spacy", "--documents", "S/2019/103"]);
    let line: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(line["spans"][0]["label"], "threat");
    assert_eq!(line["spans"][0]["id"], "a1");
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

/// The binary with a fixed clock (so file names and stamps are known).
fn at_fixed_time(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_marginalia"))
        .args(args)
        .env("SOURCE_DATE_EPOCH", "1795343400") // 2026-11-22T10:30:00Z
        .output()
        .expect("the binary runs")
}

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A backup with two annotations in two reports by two coders, in a fresh folder.
fn backup_fixture(name: &str) -> (std::path::PathBuf, std::path::PathBuf) {
    let docs = marginalia(&["corpus", "--format", "jsonl"]);
    let lines: Vec<serde_json::Value> = String::from_utf8(docs.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let doc = |id: &str| lines.iter().find(|d| d["id"] == id).unwrap().clone();
    let (a, b) = (doc("S/2019/103"), doc("S/2018/80"));
    let backup = serde_json::json!({
        "format": "marginalia-backup", "version": 1, "app_version": "0.1.0", "exported_at": "2026-11-01T00:00:00Z",
        "coder": "ana", "codebook": {"tags": [
            {"id": "threat", "name": "threat", "colour": "#d55e00", "key": "1", "description": "Threats <b>posed</b>."},
            {"id": "finance", "name": "Finance", "colour": "#0072b2", "key": "2", "description": ""}]},
        "documents": [{"id": "S/2019/103", "text_sha256": a["text_sha256"]}, {"id": "S/2018/80", "text_sha256": b["text_sha256"]}],
        "annotations": [
            {"id": "a1", "doc": "S/2019/103", "start": 17, "end": 40, "quote": slice(a["text"].as_str().unwrap(), 17, 40),
             "tags": ["threat", "finance"], "memo": "-2 and\nmore", "coder": "ana", "created": "2026-01-01T00:00:00Z", "updated": "2026-01-01T00:00:00Z"},
            {"id": "b1", "doc": "S/2018/80", "start": 100, "end": 130, "quote": slice(b["text"].as_str().unwrap(), 100, 130),
             "tags": ["finance"], "memo": "", "coder": "bo", "created": "2026-01-02T00:00:00Z", "updated": "2026-01-02T00:00:00Z"}]
    });
    let dir = std::env::temp_dir().join(format!("marginalia-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("backup.json");
    std::fs::write(&path, backup.to_string()).unwrap();
    (dir, path)
}

#[test]
fn export_every_format_under_its_name_with_a_scope() {
    let (dir, backup) = backup_fixture("formats");
    let b = backup.to_str().unwrap();
    let out_dir = dir.join("out");
    std::fs::create_dir_all(&out_dir).unwrap();
    let o = out_dir.to_str().unwrap();
    let named = [
        ("csv", "marginalia-corpus-segments-2026-11-22.csv"),
        ("matrix", "marginalia-corpus-matrix-2026-11-22.csv"),
        ("doccano", "marginalia-corpus-doccano-2026-11-22.jsonl"),
        ("spacy", "marginalia-corpus-spacy-2026-11-22.jsonl"),
        ("labelstudio", "marginalia-corpus-labelstudio-2026-11-22.json"),
        ("w3c", "marginalia-corpus-w3c-2026-11-22.jsonld"),
        ("codebook-md", "marginalia-handout-2026-11-22.md"),
        ("codebook-html", "marginalia-handout-2026-11-22.html"),
        ("codebook-json", "marginalia-codebook-2026-11-22.json"),
        ("backup", "marginalia-backup-ana-2026-11-22.json"),
    ];
    for (format, name) in named {
        let out = at_fixed_time(&["export", "--from", b, "--format", format, "--out", o]);
        assert!(out.status.success(), "{format}: {}", stderr(&out));
        let path = out_dir.join(name);
        assert!(path.exists(), "{format}: {}", stdout(&out));
        assert_eq!(stdout(&out).trim(), path.to_str().unwrap());
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(env!("CARGO_PKG_VERSION")), "{format}: the app version");
        assert!(text.contains("2026-11-22T10:30:00Z"), "{format}: the export time");
    }
    let html = std::fs::read_to_string(out_dir.join("marginalia-handout-2026-11-22.html")).unwrap();
    assert!(html.contains("Threats &lt;b&gt;posed&lt;/b&gt;."));
    assert_eq!(html.matches("<script").count(), 1, "only the codebook's data block, never run");
    let out = at_fixed_time(&["export", "--from", b, "--format", "codebook-md", "--task", "Code ¶5–18 of S/2019/103."]);
    assert!(stdout(&out).contains("## Your task\n\nCode ¶5–18 of S/2019/103.\n"), "{}", stdout(&out));
    assert!(html.contains("<script type=\"application/json\" id=\"marginalia-codebook\">"));
    // One report, by its symbol: the file is named after it.
    let out = at_fixed_time(&["export", "--from", b, "--format", "csv", "--out", o, "--documents", "S/2019/103", "--bom"]);
    assert!(out.status.success(), "{}", stderr(&out));
    // Its annotations are all ana's: the name says so.
    let csv_text = std::fs::read_to_string(out_dir.join("marginalia-S-2019-103-segments-ana-2026-11-22.csv")).unwrap();
    assert!(csv_text.starts_with('\u{feff}'));
    let rows: Vec<csv::StringRecord> = csv::Reader::from_reader(csv_text.trim_start_matches('\u{feff}').as_bytes()).records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 2, "one annotation, two tags");
    assert_eq!(&rows[0][15], "'-2 and\nmore", "the memo, neutralised");
    // Chosen tags (by name, any case) and one coder.
    let out = at_fixed_time(&["export", "--from", b, "--format", "csv", "--tags", "FINANCE", "--coder", "bo"]);
    let rows: Vec<csv::StringRecord> = csv::Reader::from_reader(out.stdout.as_slice()).records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.iter().map(|r| r[0].to_string()).collect::<Vec<_>>(), ["b1"]);
    // Co-occurrence: only annotations with every tag named.
    let ids = |args: &[&str]| -> Vec<String> {
        let out = at_fixed_time(args);
        assert!(out.status.success(), "{}", stderr(&out));
        let mut ids: Vec<String> = csv::Reader::from_reader(out.stdout.as_slice()).records().map(|r| r.unwrap()[0].to_string()).collect();
        ids.dedup();
        ids
    };
    assert_eq!(ids(&["export", "--from", b, "--format", "csv", "--tags", "threat,finance"]), ["b1", "a1"], "in date order of the reports");
    assert_eq!(ids(&["export", "--from", b, "--format", "csv", "--tags", "threat,finance", "--all-tags"]), ["a1"]);
    let out = at_fixed_time(&["export", "--from", b, "--format", "matrix", "--presence", "--documents", "S-2018-80"]);
    let text = stdout(&out);
    let header = text.lines().next().unwrap();
    assert!(header.ends_with(",threat,Finance"), "{header}");
    let ones = text.lines().skip(1).filter(|l| l.ends_with(",0,1")).count();
    assert!(ones >= 1 && text.lines().skip(1).all(|l| l.ends_with(",0,0") || l.ends_with(",0,1")), "{text}");
    // What cannot be done says why.
    let out = at_fixed_time(&["export", "--from", b, "--format", "csv", "--documents", "S/1999/1"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("no document \"S/1999/1\""), "{}", stderr(&out));
    let out = at_fixed_time(&["export", "--from", b, "--format", "csv", "--tags", "gender"]);
    assert!(stderr(&out).contains("no tag \"gender\""));
    // Zips and REFI-QDA files.
    for (format, name, magic) in [
        ("qdpx", "marginalia-corpus-refi-2026-11-22.qdpx", &b"PK"[..]),
        ("brat", "brat.zip", &b"PK"[..]),
        ("qdc", "marginalia-codebook-2026-11-22.qdc", &b"<?xml"[..]),
    ] {
        let target = if format == "brat" { out_dir.join(name) } else { out_dir.clone() };
        let out = at_fixed_time(&["export", "--from", b, "--format", format, "--out", target.to_str().unwrap()]);
        assert!(out.status.success(), "{format}: {}", stderr(&out));
        assert!(std::fs::read(out_dir.join(name)).unwrap().starts_with(magic), "{format}");
    }
    let out = at_fixed_time(&["export", "--from", b, "--format", "qdpx"]);
    assert_eq!(out.status.code(), Some(2), "a zip needs --out");
    let out = at_fixed_time(&["export", "--from", b, "--format", "xml"]);
    assert_eq!(out.status.code(), Some(2));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn import_merges_into_a_backup_and_a_second_import_adds_nothing() {
    let (dir, backup) = backup_fixture("import");
    let b = backup.to_str().unwrap();
    for format in ["doccano", "csv", "w3c", "labelstudio", "spacy", "backup", "qdpx", "brat"] {
        let file = dir.join(if format == "brat" { "export.zip".to_string() } else { format!("export.{format}") });
        let out = at_fixed_time(&["export", "--from", b, "--format", format, "--out", file.to_str().unwrap()]);
        assert!(out.status.success(), "{}", stderr(&out));
        // Into a backup that does not exist yet: a new one.
        let fresh = dir.join(format!("fresh-{format}.json"));
        let out = at_fixed_time(&["import", file.to_str().unwrap(), "--into", fresh.to_str().unwrap()]);
        assert!(out.status.success(), "{format}: {}", stderr(&out));
        assert!(stdout(&out).starts_with("2 added, 0 updated, 0 unchanged"), "{format}: {}", stdout(&out));
        let written = std::fs::read(&fresh).unwrap();
        let again = at_fixed_time(&["import", file.to_str().unwrap(), "--into", fresh.to_str().unwrap()]);
        assert!(again.status.success());
        assert!(stdout(&again).starts_with("0 added, 0 updated, 2 unchanged"), "{format}: {}", stdout(&again));
        assert!(stdout(&again).contains("Nothing to change"));
        assert_eq!(std::fs::read(&fresh).unwrap(), written, "{format}: left as it is");
        // The new backup has the annotations the old one has (its codebook is its own).
        let annotations = |p: &std::path::Path| {
            let v: serde_json::Value = serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap();
            let mut list: Vec<Vec<serde_json::Value>> = v["annotations"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| ["id", "doc", "start", "end", "quote", "tags", "memo", "coder", "created", "updated"].map(|k| a[k].clone()).to_vec())
                .collect();
            list.sort_by_key(|a| a[0].to_string());
            list
        };
        assert_eq!(annotations(&fresh), annotations(&backup), "{format}");
    }
    // A brat folder comes back too.
    let brat = dir.join("brat");
    assert!(at_fixed_time(&["export", "--from", b, "--format", "brat", "--out", brat.to_str().unwrap()]).status.success());
    let out = at_fixed_time(&["import", brat.to_str().unwrap(), "--into", b, "--format", "brat"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).starts_with("0 added, 0 updated, 2 unchanged"), "{}", stdout(&out));
    // A dry run changes nothing.
    let fresh = dir.join("dry.json");
    let out = at_fixed_time(&["import", brat.to_str().unwrap(), "--into", fresh.to_str().unwrap(), "--dry-run"]);
    assert!(stdout(&out).starts_with("2 added"), "{}", stdout(&out));
    assert!(!fresh.exists());
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_refused_import_leaves_the_backup_untouched() {
    let (dir, backup) = backup_fixture("refused");
    let b = backup.to_str().unwrap();
    let before = std::fs::read(&backup).unwrap();
    let file = dir.join("export.jsonl");
    at_fixed_time(&["export", "--from", b, "--format", "doccano", "--out", file.to_str().unwrap()]);
    let full = std::fs::read(&file).unwrap();
    std::fs::write(&file, &full[..full.len() / 3]).unwrap();
    let out = at_fixed_time(&["import", file.to_str().unwrap(), "--into", b, "--format", "doccano"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("export.jsonl") && stderr(&out).contains("JSON"), "{}", stderr(&out));
    let notes = dir.join("notes.txt");
    std::fs::write(&notes, "Just some notes.").unwrap();
    let out = at_fixed_time(&["import", notes.to_str().unwrap(), "--into", b]);
    assert!(stderr(&out).contains("cannot tell which format"), "{}", stderr(&out));
    let big = dir.join("big.jsonl");
    std::fs::File::create(&big).unwrap().set_len(65 * 1024 * 1024).unwrap();
    let out = at_fixed_time(&["import", big.to_str().unwrap(), "--into", b]);
    assert!(stderr(&out).contains("MB"), "{}", stderr(&out));
    let out = at_fixed_time(&["import", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "--into is needed");
    assert_eq!(std::fs::read(&backup).unwrap(), before);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn agreement_of_two_coders_as_csv() {
    let (dir, backup) = backup_fixture("agreement");
    let b = backup.to_str().unwrap();
    // The backup has two coders: they are compared without being named.
    let out = marginalia(&["agreement", "--from", b]);
    assert!(out.status.success(), "{}", stderr(&out));
    let mut r = csv::Reader::from_reader(out.stdout.as_slice());
    assert_eq!(r.headers().unwrap().iter().take(3).collect::<Vec<_>>(), ["coder_a", "coder_b", "tag"]);
    let rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
    assert_eq!(rows.iter().map(|r| r[2].to_string()).collect::<Vec<_>>(), ["threat", "Finance", "(all tags)"]);
    // ana coded one unit of S/2019/103 with both tags, bo one of S/2018/80 with finance: no unit in common.
    assert_eq!((&rows[0][0], &rows[0][1], &rows[0][4], &rows[0][5], &rows[0][6]), ("ana", "bo", "0", "1", "0"));
    assert_eq!((&rows[1][4], &rows[1][5], &rows[1][6]), ("0", "1", "1"));
    assert_eq!(&rows[1][13], "0.000", "F1 of no agreement");
    let alpha: f64 = rows[1][10].parse().expect("alpha is a number, negative ones too");
    assert!((-0.01..0.0).contains(&alpha), "alpha of no agreement: a little below chance: {alpha}");
    let units: usize = rows[0][3].parse().unwrap();
    assert!((100..400).contains(&units), "the paragraphs and notes of the two reports coded, not all five: {units}");
    // One report and one tag; coders named (and one who coded nothing there).
    let out = marginalia(&["agreement", "--from", b, "--coders", "bo,ana", "--documents", "S/2018/80", "--tags", "finance"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let rows: Vec<csv::StringRecord> = csv::Reader::from_reader(out.stdout.as_slice()).records().map(|x| x.unwrap()).collect();
    assert_eq!((&rows[0][0], &rows[0][2], &rows[0][5], &rows[0][6]), ("bo", "Finance", "1", "0"));
    let out = marginalia(&["agreement", "--from", b, "--coders", "ana,zed"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("no annotations by \"zed\""), "{}", stderr(&out));
    let out = marginalia(&["agreement", "--from", b, "--coders", "ana"]);
    assert_eq!(out.status.code(), Some(2));
    // Three coders: a third who coded what ana coded, with the same tags.
    let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(&backup).unwrap()).unwrap();
    let anns = v["annotations"].as_array_mut().unwrap();
    let mut third: Vec<serde_json::Value> = anns.iter().filter(|a| a["coder"] == "ana").cloned().collect();
    for (i, a) in third.iter_mut().enumerate() {
        a["coder"] = "cy".into();
        a["id"] = format!("cy{i}").into();
    }
    anns.extend(third);
    std::fs::write(&backup, serde_json::to_string(&v).unwrap()).unwrap();
    let out = marginalia(&["agreement", "--from", b, "--coders", "ana,bo,cy", "--tags", "threat"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let rows: Vec<csv::StringRecord> = csv::Reader::from_reader(out.stdout.as_slice()).records().map(|x| x.unwrap()).collect();
    assert_eq!(rows.len(), 2, "threat and all tags");
    assert_eq!((&rows[0][0], &rows[0][1]), ("ana; bo; cy", "threat"));
    // One unit given the tag by two of the three: n = 3u values, 2 of them the tag, one
    // coincidence of differing values: alpha = 1 − (3u − 1)·1 ÷ (2·(3u − 2)).
    let u: f64 = rows[0][2].parse().unwrap();
    let expect = 1.0 - (3.0 * u - 1.0) / (2.0 * (3.0 * u - 2.0));
    assert!((rows[0][3].parse::<f64>().unwrap() - expect).abs() < 0.001, "{:?} against {expect}", &rows[0]);
    let out = marginalia(&["agreement", "--from", b, "--coders", "ana,bo,zed"]);
    assert!(stderr(&out).contains("no annotations by \"zed\""), "{}", stderr(&out));

    // An exercise's passage: paragraphs 1 to 3 of S/2019/103, where ana and cy coded the same unit.
    let rows_of = |args: &[&str]| -> Vec<csv::StringRecord> {
        let out = marginalia(args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        csv::Reader::from_reader(out.stdout.as_slice()).records().map(|x| x.unwrap()).collect()
    };
    let rows = rows_of(&["agreement", "--from", b, "--coders", "ana,cy", "--documents", "S/2019/103", "--paragraphs", "1-3", "--tags", "threat"]);
    assert_eq!((&rows[0][3], &rows[0][4], &rows[0][5], &rows[0][6]), ("3", "1", "0", "0"), "three paragraphs, one coded alike");
    // Only the texts each coded: ana and bo coded no text in common; ana and cy one.
    let rows = rows_of(&["agreement", "--from", b, "--coders", "ana,bo", "--each-coded"]);
    assert_eq!(&rows[0][3], "0", "no unit: no text both coded");
    // cy codes S/2018/80 too, which ana did not code.
    let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(&backup).unwrap()).unwrap();
    let anns = v["annotations"].as_array_mut().unwrap();
    let mut more = anns.iter().find(|a| a["coder"] == "bo").cloned().unwrap();
    (more["coder"], more["id"]) = ("cy".into(), "cy-more".into());
    anns.push(more);
    std::fs::write(&backup, serde_json::to_string(&v).unwrap()).unwrap();
    let all: usize = rows_of(&["agreement", "--from", b, "--coders", "ana,cy", "--tags", "threat"])[0][3].parse().unwrap();
    let each: usize = rows_of(&["agreement", "--from", b, "--coders", "ana,cy", "--tags", "threat", "--each-coded"])[0][3].parse().unwrap();
    let one: usize = rows_of(&["agreement", "--from", b, "--coders", "ana,cy", "--tags", "threat", "--documents", "S/2019/103"])[0][3].parse().unwrap();
    assert!(each < all && each == one, "each coded: S/2019/103 alone ({each} units, of {all})");
    // A passage needs its one text, and a range; no such paragraphs is said.
    for (args, code, says) in [
        (vec!["--paragraphs", "1-3"], 2, "--documents"),
        (vec!["--paragraphs", "x", "--documents", "S/2019/103"], 2, "5-18"),
        (vec!["--paragraphs", "900-901", "--documents", "S/2019/103"], 1, "S/2019/103 ¶900–901"),
        (vec!["--paragraphs", "1", "--documents", "S/2019/103", "--each-coded"], 2, "do not go together"),
    ] {
        let out = marginalia(&[&["agreement", "--from", b, "--coders", "ana,cy"][..], &args[..]].concat());
        assert_eq!(out.status.code(), Some(code), "{args:?}");
        assert!(stderr(&out).contains(says), "{args:?}: {}", stderr(&out));
    }
    // Finance as a sub-code of threat: with --with-sub-codes, bo's finance counts as threat too.
    let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(&backup).unwrap()).unwrap();
    v["codebook"]["tags"][1]["parent"] = "threat".into();
    std::fs::write(&backup, serde_json::to_string(&v).unwrap()).unwrap();
    let threat = |extra: &[&str]| rows_of(&[&["agreement", "--from", b, "--coders", "ana,bo", "--tags", "threat"][..], extra].concat())[0].clone();
    let (alone, rolled) = (threat(&[]), threat(&["--with-sub-codes"]));
    assert_eq!((&alone[5], &alone[6]), ("1", "0"), "threat alone: only ana");
    assert_eq!((&rolled[5], &rolled[6]), ("1", "1"), "with sub-codes: bo's finance is threat too");
    std::fs::remove_dir_all(&dir).ok();
}
