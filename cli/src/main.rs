//! `marginalia`: Marginalia's core on the command line, for scripted pipelines.
//!
//! ```text
//! marginalia corpus [--format jsonl|csv]
//! marginalia clean FILE... [--format jsonl|csv]
//! ```

use std::io::{self, Write};
use std::path::Path;
use std::process::ExitCode;

use marginalia_core::clean::{InputFormat, clean};
use marginalia_core::corpus;
use marginalia_core::{BlockKind, Document, Meta};
use serde::Serialize;

/// One document as a JSON line, fields in this order.
#[derive(Serialize)]
struct JsonDoc<'a> {
    id: &'a str,
    symbol: Option<&'a str>,
    ordinal: Option<u32>,
    date: Option<&'a str>,
    title: &'a str,
    text_sha256: String,
    text: &'a str,
    blocks: &'a [marginalia_core::Block],
    notes: &'a [marginalia_core::NoteRef],
}

const USAGE: &str = "\
usage:
  marginalia corpus [--format jsonl|csv]        the five built-in reports, cleaned, in date order
  marginalia clean FILE... [--format jsonl|csv] your own .txt, .md or .html files, cleaned
  marginalia export --from BACKUP.json --format csv|doccano|spacy|w3c|labelstudio|brat [--out PATH]
                                                coded segments from a backup file (the app's
                                                'Download backup'); brat writes a folder (--out DIR)

JSONL: one document per line: id, symbol, ordinal, date, title, text_sha256, text,
blocks (kind, level/number, start, end in Unicode code points into text), notes.
CSV: one row per block: symbol, ordinal, date, kind, number, section, text.";

#[derive(Clone, Copy)]
enum Format {
    Jsonl,
    Csv,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(msg)) => {
            eprintln!("marginalia: {msg}\n\n{USAGE}");
            ExitCode::from(2)
        }
        Err(Failure::Input(msg)) => {
            eprintln!("marginalia: {msg}");
            ExitCode::FAILURE
        }
    }
}

enum Failure {
    Usage(String),
    Input(String),
}

fn run(args: &[String]) -> Result<(), Failure> {
    if args.iter().any(|a| a == "--help" || a == "-h") {
        println!("{USAGE}");
        return Ok(());
    }
    if args.first().map(String::as_str) == Some("export") {
        return export(&args[1..]);
    }
    let mut format = Format::Jsonl;
    let mut rest = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--format" | "-f" => {
                format = match it.next().map(String::as_str) {
                    Some("jsonl") => Format::Jsonl,
                    Some("csv") => Format::Csv,
                    Some(other) => return Err(Failure::Usage(format!("unknown format {other:?} (jsonl or csv)"))),
                    None => return Err(Failure::Usage("--format needs a value (jsonl or csv)".into())),
                }
            }
            s if s.starts_with("--format=") => {
                format = match &s[9..] {
                    "jsonl" => Format::Jsonl,
                    "csv" => Format::Csv,
                    other => return Err(Failure::Usage(format!("unknown format {other:?} (jsonl or csv)"))),
                }
            }
            s if s.starts_with('-') && s.len() > 1 => return Err(Failure::Usage(format!("unknown option {s}"))),
            _ => rest.push(a.clone()),
        }
    }
    let (command, files) = match rest.split_first() {
        Some((c, f)) => (c.as_str(), f),
        None => return Err(Failure::Usage("no command given".into())),
    };
    let docs = match command {
        "corpus" if files.is_empty() => corpus::builtin(),
        "corpus" => return Err(Failure::Usage("corpus takes no files".into())),
        "clean" if files.is_empty() => return Err(Failure::Usage("clean needs at least one file".into())),
        "clean" => {
            let lexicon = corpus::lexicon();
            let mut docs = Vec::new();
            for f in files {
                docs.push(clean_file(Path::new(f), &lexicon)?);
            }
            docs
        }
        other => return Err(Failure::Usage(format!("unknown command {other:?}"))),
    };
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let written = match format {
        Format::Jsonl => write_jsonl(&mut out, &docs),
        Format::Csv => write_csv(&mut out, &docs),
    };
    written.and_then(|()| out.flush()).or_else(|e| {
        // A closed pipe (`| head`) is not an error.
        if e.kind() == io::ErrorKind::BrokenPipe { Ok(()) } else { Err(Failure::Input(format!("cannot write output: {e}"))) }
    })
}

fn clean_file(path: &Path, lexicon: &marginalia_core::clean::Lexicon) -> Result<Document, Failure> {
    let shown = path.display();
    let bytes = std::fs::read(path).map_err(|e| Failure::Input(format!("{shown}: cannot read: {}", reason(&e))))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        Failure::Input(format!("{shown}: not UTF-8 text (invalid byte at offset {})", e.utf8_error().valid_up_to()))
    })?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let id = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| name.clone());
    // The cleaner takes the title from the text where it has one; else the file stem.
    let meta = Meta { id: id.clone(), ..Meta::default() };
    let mut doc = clean(&text, InputFormat::from_file_name(&name), meta, lexicon);
    if doc.meta.title.is_empty() {
        doc.meta.title = id;
    }
    Ok(doc)
}

fn reason(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::NotFound => "no such file".into(),
        io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ if e.raw_os_error() == Some(21) => "is a directory".into(),
        _ => e.to_string(),
    }
}

fn kind_name(kind: &BlockKind) -> &'static str {
    match kind {
        BlockKind::Heading { .. } => "heading",
        BlockKind::Paragraph { .. } => "paragraph",
        BlockKind::Footnote { .. } => "footnote",
    }
}

fn write_jsonl(out: &mut impl Write, docs: &[Document]) -> io::Result<()> {
    for d in docs {
        let line = JsonDoc {
            id: &d.meta.id,
            symbol: d.meta.symbol.as_deref(),
            ordinal: d.meta.ordinal,
            date: d.meta.date.as_deref(),
            title: &d.meta.title,
            text_sha256: d.text_sha256(),
            text: &d.text,
            blocks: &d.blocks,
            notes: &d.notes,
        };
        serde_json::to_writer(&mut *out, &line)?;
        writeln!(out)?;
    }
    Ok(())
}

fn write_csv(out: &mut impl Write, docs: &[Document]) -> io::Result<()> {
    write_csv_records(out, docs).map_err(|e| match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    })
}

fn write_csv_records(out: &mut impl Write, docs: &[Document]) -> csv::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(["symbol", "ordinal", "date", "kind", "number", "section", "text"])?;
    for d in docs {
        for (i, b) in d.blocks.iter().enumerate() {
            let number = match b.kind {
                BlockKind::Heading { level } => format!("{level}"),
                BlockKind::Paragraph { number } => number.map(|n| n.to_string()).unwrap_or_default(),
                BlockKind::Footnote { number } => number.to_string(),
            };
            let section = d.section_path(i).join(" > ");
            w.write_record([
                d.meta.symbol.as_deref().unwrap_or(&d.meta.id),
                &d.meta.ordinal.map(|n| n.to_string()).unwrap_or_default(),
                d.meta.date.as_deref().unwrap_or(""),
                kind_name(&b.kind),
                &number,
                &section,
                d.block_text(b),
            ])?;
        }
    }
    w.flush()?;
    Ok(())
}

/// `marginalia export --from BACKUP.json --format csv|doccano|spacy [--out PATH]`
fn export(args: &[String]) -> Result<(), Failure> {
    use marginalia_core::export::{
        DocAnnotations, brat_ann, brat_conf, doccano_jsonl, label_studio_tasks, segments_csv, spacy_jsonl, w3c_collection,
    };
    use marginalia_core::store::Backup;
    let (mut from, mut format, mut out) = (None, None, None);
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let value = || it.clone().next().cloned();
        match a.as_str() {
            "--from" => from = value(),
            "--format" => format = value(),
            "--out" => out = value(),
            other => return Err(Failure::Usage(format!("unknown argument {other:?} for export"))),
        }
        it.next();
    }
    let from = from.ok_or_else(|| Failure::Usage("export needs --from BACKUP.json".into()))?;
    let format = format.ok_or_else(|| Failure::Usage("export needs --format csv|doccano|spacy".into()))?;
    let text = std::fs::read(&from)
        .map_err(|e| Failure::Input(format!("{from}: cannot read: {}", reason(&e))))
        .and_then(|b| String::from_utf8(b).map_err(|_| Failure::Input(format!("{from}: not UTF-8 text"))))?;
    // The built-in reports and the user's own texts the backup carries.
    let lexicon = corpus::lexicon();
    let mut docs = corpus::builtin();
    docs.extend(marginalia_core::store::backup_texts(&text).iter().map(|t| t.document(&lexicon)));
    let len = |id: &str| docs.iter().find(|d| d.meta.id == id).map(|d| d.text.chars().count());
    let backup = Backup::from_json(&text, &len).map_err(|e| Failure::Input(format!("{from}: {e}")))?;
    let per_doc: Vec<DocAnnotations<'_>> = docs
        .iter()
        .map(|d| DocAnnotations {
            doc: d,
            annotations: backup.annotations.iter().filter(|a| a.doc == d.meta.id && !a.deleted).collect(),
        })
        .filter(|d| !d.annotations.is_empty())
        .collect();
    let meta = marginalia_core::export::ExportMeta::new(env!("CARGO_PKG_VERSION"), &backup.exported_at);
    let body = match format.as_str() {
        "csv" => segments_csv(&per_doc, &backup.codebook, false, &meta),
        "doccano" => doccano_jsonl(&per_doc, &meta),
        "spacy" => spacy_jsonl(&per_doc, &meta),
        "w3c" => w3c_collection(&per_doc, &backup.codebook, &meta),
        "labelstudio" => label_studio_tasks(&per_doc, &backup.codebook, &meta),
        "brat" => {
            let dir = out.ok_or_else(|| Failure::Usage("brat writes a folder: give --out DIR".into()))?;
            let dir = std::path::PathBuf::from(dir);
            let fail = |e: io::Error| Failure::Input(format!("{}: cannot write: {e}", dir.display()));
            std::fs::create_dir_all(&dir).map_err(fail)?;
            std::fs::write(dir.join("annotation.conf"), brat_conf(&backup.codebook, &meta)).map_err(fail)?;
            for d in &per_doc {
                let stem = marginalia_core::route::slug(&d.doc.meta.id);
                std::fs::write(dir.join(format!("{stem}.txt")), &d.doc.text).map_err(fail)?;
                std::fs::write(dir.join(format!("{stem}.ann")), brat_ann(d)).map_err(fail)?;
            }
            return Ok(());
        }
        other => return Err(Failure::Usage(format!("unknown export format {other:?} (csv, doccano, spacy, w3c, labelstudio or brat)"))),
    };
    match out {
        Some(path) => std::fs::write(&path, body).map_err(|e| Failure::Input(format!("{path}: cannot write: {e}"))),
        None => io::stdout().write_all(body.as_bytes()).map_err(|e| Failure::Input(format!("cannot write output: {e}"))),
    }
}
