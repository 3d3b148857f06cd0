//! `marginalia`: Marginalia's core on the command line, for scripted pipelines.
//!
//! ```text
//! marginalia corpus [--format jsonl|csv]
//! marginalia clean FILE... [--format jsonl|csv]
//! marginalia export --from BACKUP.json --format FORMAT [--out PATH] [--documents ...] [--tags ...] [--all-tags] [--coder NAME] [--bom] [--presence] [--task TEXT]
//! marginalia import FILE [--format auto|...] --into BACKUP.json [--dry-run]
//! marginalia agreement --from BACKUP.json [--coders A,B] [--documents ...] [--tags ...] [--paragraphs 5-18 | --each-coded] [--with-sub-codes]
//! ```

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use marginalia_core::annotation::Annotation;
use marginalia_core::clean::InputFormat;
use marginalia_core::codebook::Codebook;
use marginalia_core::coding::Coding;
use marginalia_core::export::{self, ExportMeta, ExportOptions, Scope, Source, brat_files};
use marginalia_core::import;
use marginalia_core::store::{self, Backup, UserText};
use marginalia_core::{BlockKind, Document, corpus};
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
  marginalia export --from BACKUP.json --format FORMAT [--out PATH]
          [--documents S/2019/103,...] [--tags threat,...] [--all-tags] [--coder NAME] [--bom] [--presence]
          [--task TEXT]
                                                coded data from a backup file (the app's 'Download
                                                backup'), as the app exports it. FORMAT: csv (coded
                                                segments), matrix (paragraph × tag counts, a row per
                                                coder; --presence for 0/1), doccano, spacy,
                                                labelstudio, w3c, brat, qdpx, qdc, codebook-md,
                                                codebook-html, codebook-json, backup. --all-tags:
                                                only annotations with every tag of --tags. --task:
                                                the coders' task atop a codebook handout (codebook-md,
                                                codebook-html). --bom: CSV for Excel. --out DIR writes the
                                                file under its usual name (marginalia-corpus-doccano-
                                                2026-11-22.jsonl); without --out, text goes to standard
                                                output; brat with --out DIR writes the folder of .txt
                                                and .ann files, with --out NAME.zip a zip
  marginalia agreement --from BACKUP.json [--coders A,B] [--documents ...] [--tags ...]
          [--paragraphs FROM-TO | --each-coded] [--with-sub-codes]
                                                intercoder agreement of two coders in a backup (or a
                                                coder and an answer key), as CSV: per tag and for all
                                                tags, units (paragraphs; notes where one coded a
                                                note) both, only A, only B, neither; percent
                                                agreement, Cohen's kappa, Krippendorff's alpha,
                                                precision, recall and F1 of B against A, character
                                                overlap. --coders A,B,C (three or more): Krippendorff's
                                                alpha of them all, per tag and for all tags.
                                                --paragraphs 5-18: over those paragraphs of the one
                                                text of --documents (an exercise's passage; spans
                                                cut to it). --each-coded: over only the texts every
                                                coder compared coded (coders who shared out texts).
                                                --with-sub-codes: each tag counts its sub-codes' coding
  marginalia import FILE --into BACKUP.json [--format auto|backup|csv|doccano|spacy|labelstudio|w3c|brat|qdpx]
          [--dry-run]                           reads an export (a brat folder too) into a backup file:
                                                prints what changes (added, updated, re-anchored, not
                                                placed, new tags), then writes the merged backup (a new
                                                one if it does not exist). A file that cannot be read
                                                exits non-zero with the reason and leaves BACKUP.json
                                                untouched. SOURCE_DATE_EPOCH fixes the time stamps.

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
    match args.first().map(String::as_str) {
        Some("export") => return export(&args[1..]),
        Some("import") => return import(&args[1..]),
        Some("agreement") => return agreement(&args[1..]),
        _ => {}
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
    // As the app reads it: titled by its own title, else the file stem; paragraphs numbered in order.
    let format = InputFormat::from_file_name(&name);
    let title = store::title_in(&text, format).unwrap_or_else(|| id.clone());
    Ok(store::own_document(&id, &title, &text, format, lexicon))
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
            let section = d.section_path(i).join(" › ");
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

/// Options of a subcommand: `--name value` (or `--name=value`) and switches.
struct Flags {
    values: HashMap<String, String>,
    switches: HashSet<String>,
    positional: Vec<String>,
}

impl Flags {
    fn parse(command: &str, args: &[String], valued: &[&str], switches: &[&str]) -> Result<Flags, Failure> {
        let mut f = Flags { values: HashMap::new(), switches: HashSet::new(), positional: Vec::new() };
        let mut it = args.iter();
        while let Some(a) = it.next() {
            let (name, inline) = match a.split_once('=') {
                Some((n, v)) if n.starts_with("--") => (n, Some(v.to_string())),
                _ => (a.as_str(), None),
            };
            if valued.contains(&name) {
                let value = inline.or_else(|| it.next().cloned()).ok_or_else(|| Failure::Usage(format!("{name} needs a value")))?;
                f.values.insert(name.to_string(), value);
            } else if switches.contains(&name) && inline.is_none() {
                f.switches.insert(name.to_string());
            } else if a.starts_with('-') && a.len() > 1 {
                return Err(Failure::Usage(format!("unknown option {a} for {command}")));
            } else {
                f.positional.push(a.clone());
            }
        }
        Ok(f)
    }

    fn value(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    fn list(&self, name: &str) -> Option<Vec<String>> {
        self.value(name).map(|v| v.split(',').map(|x| x.trim().to_string()).filter(|x| !x.is_empty()).collect())
    }
}

/// A backup file read with the documents it refers to: the built-in reports and
/// the user's texts it carries.
struct State {
    backup: Backup,
    docs: Vec<Document>,
    coding: Coding,
}

fn read_text(path: &str) -> Result<String, Failure> {
    let bytes = std::fs::read(path).map_err(|e| Failure::Input(format!("{path}: cannot read: {}", reason(&e))))?;
    String::from_utf8(bytes).map_err(|_| Failure::Input(format!("{path}: not UTF-8 text")))
}

fn documents(texts: &[UserText]) -> Vec<Document> {
    let lexicon = corpus::lexicon();
    let mut docs = corpus::builtin();
    docs.extend(texts.iter().map(|t| t.document(&lexicon)));
    docs
}

fn load(path: &str) -> Result<State, Failure> {
    let text = read_text(path)?;
    let docs = documents(&store::backup_texts(&text));
    let len = |id: &str| docs.iter().find(|d| d.meta.id == id).map(|d| d.text.chars().count());
    let backup = Backup::from_json(&text, &len).map_err(|e| Failure::Input(format!("{path}: {e}")))?;
    let mut coding = Coding::new(backup.codebook.clone());
    let mut by_doc: BTreeMap<&str, Vec<Annotation>> = BTreeMap::new();
    for a in &backup.annotations {
        by_doc.entry(a.doc.as_str()).or_default().push(a.clone());
    }
    for (doc, list) in by_doc {
        coding.set_doc(doc, list);
    }
    Ok(State { backup, docs, coding })
}

/// An empty state, for importing into a backup file that does not exist yet.
fn empty_state(now: &str) -> State {
    let coding = Coding::new(Codebook::default());
    let backup = store::backup(&coding, &store::Meta::default(), &|_| None, Vec::new(), VERSION, now);
    State { backup, docs: documents(&[]), coding }
}

const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Now, RFC 3339 in UTC (or `SOURCE_DATE_EPOCH`, for reproducible files).
fn now() -> String {
    let secs = std::env::var("SOURCE_DATE_EPOCH").ok().and_then(|s| s.trim().parse::<i64>().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
    });
    // Civil date from days since 1970 (Howard Hinnant's algorithm).
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    std::fs::write(path, bytes).map_err(|e| Failure::Input(format!("{}: cannot write: {}", path.display(), reason(&e))))
}

/// Which of `docs` each name means (an id, a symbol, or its URL form).
fn resolve_documents(names: Vec<String>, docs: &[Document]) -> Result<Vec<String>, Failure> {
    names
        .into_iter()
        .map(|n| {
            docs.iter()
                .find(|d| d.meta.id == n || d.meta.symbol.as_deref() == Some(&n) || marginalia_core::route::slug(&d.meta.id) == n)
                .map(|d| d.meta.id.clone())
                .ok_or_else(|| {
                    let known: Vec<&str> = docs.iter().map(|d| d.meta.id.as_str()).collect();
                    Failure::Input(format!("no document {n:?} (there are: {})", known.join(", ")))
                })
        })
        .collect()
}

/// Which tags each name means (an id or a name, any case).
fn resolve_tags(names: Vec<String>, book: &Codebook) -> Result<Vec<String>, Failure> {
    names
        .into_iter()
        .map(|n| {
            book.tags
                .iter()
                .find(|t| t.id == n || t.name.to_lowercase() == n.to_lowercase())
                .map(|t| t.id.clone())
                .ok_or_else(|| {
                    let known: Vec<&str> = book.tags.iter().map(|t| t.name.as_str()).collect();
                    Failure::Input(format!("no tag {n:?} (there are: {})", known.join(", ")))
                })
        })
        .collect()
}

/// `marginalia agreement --from BACKUP.json [--coders A,B] [--documents ...] [--tags ...]
/// [--paragraphs FROM-TO | --each-coded]`
fn agreement(args: &[String]) -> Result<(), Failure> {
    use marginalia_core::agreement;
    use marginalia_core::route::{Within, slug};
    let f = Flags::parse("agreement", args, &["--from", "--coders", "--documents", "--tags", "--paragraphs"], &["--each-coded", "--with-sub-codes"])?;
    if let Some(p) = f.positional.first() {
        return Err(Failure::Usage(format!("unexpected argument {p:?} for agreement")));
    }
    let from = f.value("--from").ok_or_else(|| Failure::Usage("agreement needs --from BACKUP.json".into()))?;
    let each_coded = f.switches.contains("--each-coded");
    if each_coded && f.value("--paragraphs").is_some() {
        return Err(Failure::Usage("--paragraphs and --each-coded do not go together: a passage is in one text".into()));
    }
    let mut state = load(from)?;
    // Each tag with its sub-codes' coding (NVivo's aggregate).
    if f.switches.contains("--with-sub-codes") {
        state.coding = state.coding.rolled_up();
    }
    let mut docs: Vec<&Document> = match f.list("--documents").map(|d| resolve_documents(d, &state.docs)).transpose()? {
        Some(ids) => state.docs.iter().filter(|d| ids.contains(&d.meta.id)).collect(),
        None => state.docs.iter().collect(),
    };
    let book = &state.coding.codebook;
    let tags = match f.list("--tags") {
        Some(t) => resolve_tags(t, book)?,
        None => book.tags.iter().map(|t| t.id.clone()).collect(),
    };
    // Coders of the whole backup (one may have coded nothing in the documents compared).
    let coders = agreement::coders(&state.docs, &state.coding);
    let named: Vec<String> = coders.iter().map(|(c, n)| format!("{c:?} ({n})")).collect();
    let compared: Vec<String> = match f.list("--coders") {
        Some(list) if list.len() >= 2 => list,
        Some(_) => return Err(Failure::Usage("--coders takes two names (--coders A,B), or more for Krippendorff's alpha".into())),
        None if coders.len() == 2 => vec![coders[0].0.clone(), coders[1].0.clone()],
        None => return Err(Failure::Input(format!("say which two coders to compare with --coders A,B (coders here: {})", named.join(", ")))),
    };
    if let Some(c) = compared.iter().find(|c| !coders.iter().any(|(x, _)| x == *c)) {
        return Err(Failure::Input(format!("no annotations by {c:?} (coders here: {})", named.join(", "))));
    }
    // Over only the texts each coder coded (coders who shared out the texts), or an exercise's passage.
    if each_coded {
        let who: Vec<&str> = compared.iter().map(String::as_str).collect();
        let keep: Vec<String> = agreement::each_coded(&docs, &state.coding, &who).iter().map(|d| d.meta.id.clone()).collect();
        docs.retain(|d| keep.contains(&d.meta.id));
    }
    let passage = match f.value("--paragraphs") {
        None => None,
        Some(p) => {
            let range = Within::parse_paragraphs(p)
                .ok_or_else(|| Failure::Usage(format!("--paragraphs takes a paragraph or a range, as 5-18 (not {p:?})")))?;
            let [d] = docs[..] else {
                return Err(Failure::Usage("--paragraphs needs the one text it is in: --documents S/2019/103".into()));
            };
            let w = Within { slug: slug(&d.meta.id), paragraphs: Some(range) };
            let label = agreement::within_label(d, &w);
            Some(agreement::within(&docs, &state.coding, &w).ok_or_else(|| Failure::Input(format!("{label}: no such paragraphs in {}", d.who())))?)
        }
    };
    // What the numbers are measured over, on every row.
    let over = match (&passage, each_coded) {
        (Some((part, _)), _) => f.value("--paragraphs").and_then(Within::parse_paragraphs).map(|r| {
            agreement::within_label(part, &Within { slug: slug(&part.meta.id), paragraphs: Some(r) })
        }).unwrap_or_default(),
        (None, true) => "the texts coded by each of the coders compared".to_string(),
        (None, false) if f.value("--documents").is_some() => docs.iter().map(|d| d.who()).collect::<Vec<_>>().join("; "),
        (None, false) => agreement::Settings::PLAIN.over.to_string(),
    };
    let settings = agreement::Settings { over: &over, sub_codes: f.switches.contains("--with-sub-codes") };
    let (docs, coding) = match &passage {
        Some((part, scoped)) => (vec![part], scoped),
        None => (docs, &state.coding),
    };
    let out = |csv: String| io::stdout().write_all(csv.as_bytes()).map_err(|e| Failure::Input(format!("cannot write: {e}")));
    if let [a, b] = &compared[..] {
        let r = agreement::compare(&docs, coding, a, b, &tags);
        out(agreement::to_csv(&r, book, a, b, settings))
    } else {
        let r = agreement::alpha(&docs, coding, &compared, &tags);
        out(agreement::alpha_csv(&[(&r, &compared)], book, settings))
    }
}

/// `marginalia export --from BACKUP.json --format FORMAT [--out PATH] [scope] [--bom] [--presence]`
fn export(args: &[String]) -> Result<(), Failure> {
    let f = Flags::parse("export", args, &["--from", "--format", "--out", "--documents", "--tags", "--coder", "--task"], &["--bom", "--presence", "--all-tags"])?;
    if let Some(p) = f.positional.first() {
        return Err(Failure::Usage(format!("unexpected argument {p:?} for export")));
    }
    let from = f.value("--from").ok_or_else(|| Failure::Usage("export needs --from BACKUP.json".into()))?;
    let key = f.value("--format").ok_or_else(|| Failure::Usage("export needs --format".into()))?;
    let keys: Vec<&str> = export::Format::ALL.iter().map(|f| f.key()).collect();
    let format = export::Format::from_key(key).ok_or_else(|| Failure::Usage(format!("unknown export format {key:?} ({})", keys.join(", "))))?;
    let state = load(from)?;
    let scope = Scope {
        documents: f.list("--documents").map(|d| resolve_documents(d, &state.docs)).transpose()?,
        tags: f.list("--tags").map(|t| resolve_tags(t, &state.coding.codebook)).transpose()?,
        coder: f.value("--coder").map(String::from),
        all_tags: f.switches.contains("--all-tags"),
    };
    let options = ExportOptions { bom: f.switches.contains("--bom"), presence: f.switches.contains("--presence") };
    // A handout's task for the coders (codebook-html, codebook-md).
    let meta = ExportMeta { task: f.value("--task").unwrap_or_default().to_string(), ..ExportMeta::new(VERSION, &now()) };
    let out = f.value("--out").map(PathBuf::from);
    if format == export::Format::Brat
        && let Some(dir) = out.as_ref().filter(|o| o.extension().is_none_or(|e| e != "zip"))
    {
        // brat's own layout: a folder of .txt and .ann files.
        let sel = scope.select(&state.docs, &state.coding);
        std::fs::create_dir_all(dir).map_err(|e| Failure::Input(format!("{}: cannot write: {}", dir.display(), reason(&e))))?;
        for (name, bytes) in brat_files(&sel.doc_annotations(), &state.coding.codebook, &meta) {
            write_file(&dir.join(name), &bytes)?;
        }
        return Ok(());
    }
    let source = Source { documents: &state.docs, coding: &state.coding, texts: &state.backup.texts, coder: &state.backup.coder };
    let file = export::export(format, &source, &scope, &options, &meta).map_err(|e| Failure::Input(e.0))?;
    match out {
        Some(path) => {
            let path = if path.is_dir() { path.join(&file.name) } else { path };
            write_file(&path, &file.bytes)?;
            println!("{}", path.display());
            Ok(())
        }
        None if format.is_text() => io::stdout().write_all(&file.bytes).map_err(|e| Failure::Input(format!("cannot write output: {e}"))),
        None => Err(Failure::Usage(format!("{} is not text: give --out PATH", format.label()))),
    }
}

/// Every file under a folder (a brat export), size-checked as it is read.
fn folder_entries(dir: &Path) -> Result<Vec<(String, Vec<u8>)>, Failure> {
    let fail = |p: &Path, e: io::Error| Failure::Input(format!("{}: cannot read: {}", p.display(), reason(&e)));
    let mut out = Vec::new();
    let mut total = 0usize;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let mut entries: Vec<_> = std::fs::read_dir(&d).map_err(|e| fail(&d, e))?.filter_map(Result::ok).map(|e| e.path()).collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            total += std::fs::metadata(&p).map_err(|e| fail(&p, e))?.len() as usize;
            import::check_size(total).map_err(|e| Failure::Input(format!("{}: {e}", dir.display())))?;
            let bytes = std::fs::read(&p).map_err(|e| fail(&p, e))?;
            let name = p.strip_prefix(dir).unwrap_or(&p).to_string_lossy().replace('\\', "/");
            out.push((name, bytes));
        }
    }
    Ok(out)
}

/// `marginalia import FILE --into BACKUP.json [--format auto|…] [--dry-run]`
fn import(args: &[String]) -> Result<(), Failure> {
    let f = Flags::parse("import", args, &["--format", "--into"], &["--dry-run"])?;
    let [file] = f.positional.as_slice() else {
        return Err(Failure::Usage("import takes one FILE (or a brat folder)".into()));
    };
    let into = f.value("--into").ok_or_else(|| Failure::Usage("import needs --into BACKUP.json".into()))?;
    const IMPORTABLE: [&str; 9] = ["auto", "backup", "csv", "doccano", "spacy", "labelstudio", "w3c", "brat", "qdpx"];
    let key = f.value("--format").unwrap_or("auto");
    if !IMPORTABLE.contains(&key) {
        return Err(Failure::Usage(format!("unknown import format {key:?} ({})", IMPORTABLE.join(", "))));
    }
    let path = Path::new(file);
    let refused = |e: import::ImportError| Failure::Input(format!("{file}: {e}"));
    let imported = if path.is_dir() {
        if !matches!(key, "auto" | "brat") {
            return Err(Failure::Usage(format!("{file} is a folder: only a brat folder can be imported")));
        }
        import::read_brat(&folder_entries(path)?).map_err(refused)?
    } else {
        let size = std::fs::metadata(path).map_err(|e| Failure::Input(format!("{file}: cannot read: {}", reason(&e))))?.len();
        import::check_size(size as usize).map_err(refused)?;
        let bytes = std::fs::read(path).map_err(|e| Failure::Input(format!("{file}: cannot read: {}", reason(&e))))?;
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let format = match key {
            "auto" => import::detect(&name, &bytes).ok_or_else(|| {
                let why = import::why_unrecognised(&name, &bytes).map(|w| format!(": {w}")).unwrap_or_default();
                Failure::Input(format!("{file}: cannot tell which format this is{why}; give --format"))
            })?,
            key => export::Format::from_key(key).unwrap_or(export::Format::Backup),
        };
        import::import(format, &name, &bytes).map_err(refused)?
    };
    let now = now();
    let mut state = if Path::new(into).exists() { load(into)? } else { empty_state(&now) };
    // The user's texts a backup brings, which this one does not have yet.
    let new_texts: Vec<UserText> =
        imported.texts.iter().filter(|t| !state.backup.texts.iter().any(|o| o.id == t.id)).cloned().collect();
    let lexicon = corpus::lexicon();
    state.docs.extend(new_texts.iter().map(|t| t.document(&lexicon)));
    let plan = import::plan_import(&state.coding, &state.docs, &imported, &now);
    print!("{}", plan.summary());
    if !new_texts.is_empty() {
        println!("Texts added: {}", new_texts.iter().map(|t| t.id.as_str()).collect::<Vec<_>>().join(", "));
    }
    if f.switches.contains("--dry-run") {
        return Ok(());
    }
    if plan.is_empty() && new_texts.is_empty() && Path::new(into).exists() {
        println!("Nothing to change: {into} is left as it is.");
        return Ok(());
    }
    state.coding.restore(plan.codebook, plan.writes);
    let mut texts = state.backup.texts.clone();
    texts.extend(new_texts);
    let docs = &state.docs;
    let hashes = |id: &str| docs.iter().find(|d| d.meta.id == id).map(Document::text_sha256);
    let meta = store::Meta { coder: state.backup.coder.clone(), ..store::Meta::default() };
    let backup = store::backup(&state.coding, &meta, &hashes, texts, VERSION, &now);
    // Written beside it, then moved over it: a failed write leaves the old file whole.
    let target = Path::new(into);
    let tmp = target.with_file_name(format!(".{}.{}.tmp", target.file_name().map(|n| n.to_string_lossy()).unwrap_or_default(), std::process::id()));
    write_file(&tmp, backup.to_json().as_bytes())?;
    std::fs::rename(&tmp, target).map_err(|e| Failure::Input(format!("{into}: cannot write: {}", reason(&e))))?;
    println!("Wrote {into}.");
    Ok(())
}
