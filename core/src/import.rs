//! Imports of coded data: every format [`crate::export`] writes comes back in as
//! annotations. An importer only reads a file into an [`Imported`] value; it
//! changes nothing. [`plan_import`] then maps the file's documents to ours,
//! anchors the annotations (see [`crate::anchor`]) and says what would change;
//! the caller previews that and applies it with `Coding::restore`.
//!
//! Readers: [`read_backup`], [`read_segments_csv`], [`read_doccano`],
//! [`read_spacy`], [`read_label_studio`], [`read_w3c`], [`read_brat`]; [`import`]
//! picks one by [`Format`] and [`detect`] sniffs the format of a file.
//!
//! Hostile or damaged files: the size limit ([`MAX_IMPORT_BYTES`]) is checked
//! before anything is parsed; a file that is not UTF-8 or not valid JSON (a
//! truncated one) is refused with the reason; a span that is reversed, empty or
//! outside its text is left out with a warning, the rest is read. Every reader is
//! linear in the size of the file. Imported text is plain data: nothing of it is
//! ever interpreted as HTML (the app inserts text nodes only).
//!
//! Annotation ids: the file's own where it carries them (every Marginalia export
//! does), so importing a file twice adds nothing the second time; a span without
//! an id takes the id of one of ours on the same span, else an id made from its
//! document and span (`imported-<hash>`), the same at every import.

use std::borrow::Borrow;
use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value};

use crate::anchor::{Anchoring, reanchor};
use crate::annotation::Annotation;
use crate::codebook::{Codebook, Tag};
use crate::coding::Coding;
use crate::document::{Document, sha256_hex};
use crate::export::{
    BRAT_NOTE, Format, Record, W3C_ANNOTATION, W3C_DOCUMENT, W3C_TAG, W3C_TAG_KEY, W3C_TEXT_SHA256, brat_flat, brat_label, restore_cell,
    urn_unpart,
};
use crate::offsets::{OffsetIndex, Round};
use crate::store::{UserText, parse_time, same_content};

/// The largest file any importer reads (bytes). Larger files are refused
/// before they are parsed. Large enough for Marginalia's own exports of
/// 20,000 annotations (the W3C collection of them is about 30 MB).
pub const MAX_IMPORT_BYTES: usize = 64 * 1024 * 1024;

/// At most this many warnings are kept (then one line says how many more).
pub const MAX_WARNINGS: usize = 100;

/// A document named by an imported file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportedDocument {
    /// Marginalia's document id (a report's symbol, or a user text's id) when
    /// the file says it; otherwise the file's own name for the document.
    pub id: String,
    pub symbol: Option<String>,
    /// The document's text when the file carries it (doccano, spaCy, Label
    /// Studio, brat, REFI-QDA do; a segments CSV does not).
    pub text: Option<String>,
    /// The SHA-256 of the text the offsets were made against, when known.
    pub text_sha256: Option<String>,
}

/// What a file holds, read but not yet applied.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Imported {
    pub documents: Vec<ImportedDocument>,
    /// Annotations with `doc` set to an [`ImportedDocument::id`], offsets in
    /// code points of that document's text as the file gives them (converted
    /// from UTF-16 or bytes where the format counts those), and the quote (and
    /// prefix/suffix where the file has the text) filled in. `id` is empty when
    /// the file gives none; tags are tag ids, or names where the file only has
    /// names (Label Studio, W3C without Marginalia's tag ids).
    pub annotations: Vec<Annotation>,
    /// The tags the file defines (names, colours, descriptions), when it does.
    pub codebook: Option<Codebook>,
    /// Things the user should know that did not stop the import.
    pub warnings: Vec<String>,
    /// The user's own texts a backup carries (to add before planning, so that
    /// their annotations find their documents).
    pub texts: Vec<UserText>,
}

/// Why a file was refused, in words for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportError(pub String);

impl std::fmt::Display for ImportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ImportError {}

fn refuse<T>(msg: impl Into<String>) -> Result<T, ImportError> {
    Err(ImportError(msg.into()))
}

/// Refuses a file over [`MAX_IMPORT_BYTES`].
pub fn check_size(bytes: usize) -> Result<(), ImportError> {
    if bytes > MAX_IMPORT_BYTES {
        return refuse(format!(
            "This file is {:.1} MB; files up to {} MB can be imported.",
            bytes as f64 / 1_048_576.0,
            MAX_IMPORT_BYTES / 1_048_576
        ));
    }
    Ok(())
}

/// The file as UTF-8 text, without a byte order mark.
fn utf8<'a>(name: &str, bytes: &'a [u8]) -> Result<&'a str, ImportError> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(s.strip_prefix('\u{feff}').unwrap_or(s)),
        Err(e) => refuse(format!("{name} is not UTF-8 text (invalid byte at offset {}).", e.valid_up_to())),
    }
}

fn is_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06")
}


/// Reads a file of `format`. Brat comes as a zip, or (from a folder) through
/// [`read_brat`]. The size limit is checked first.
pub fn import(format: Format, name: &str, bytes: &[u8]) -> Result<Imported, ImportError> {
    check_size(bytes.len())?;
    if format == Format::Qdpx {
        let xml = std::str::from_utf8(bytes).is_ok_and(|t| t.trim_start_matches('\u{feff}').trim_start().starts_with('<'));
        if !is_zip(bytes) && !xml {
            return refuse(format!("{name} is not a REFI-QDA project: a .qdpx file is a zip archive (or a project.qde XML file), and this is neither."));
        }
        return crate::refi::import_qdpx(bytes);
    }
    if is_zip(bytes) {
        return match format {
            Format::Brat => read_brat(&crate::archive::read_zip(bytes)?),
            other => refuse(format!("{name} is a zip file, not a {} file.", other.label())),
        };
    }
    let text = utf8(name, bytes)?;
    match format {
        Format::Backup => read_backup(text),
        Format::SegmentsCsv => read_segments_csv(text),
        Format::Doccano => read_doccano(text),
        Format::Spacy => read_spacy(text),
        Format::LabelStudio => read_label_studio(text),
        Format::W3c => read_w3c(text),
        Format::Brat => read_brat(&[(name.to_string(), bytes.to_vec())]),
        Format::Qdc => Ok(Imported { codebook: Some(crate::refi::import_qdc(text)?), ..Imported::default() }),
        other => refuse(format!("{} files cannot be imported as annotations.", other.label())),
    }
}

/// An office document (a zip of its own kind, as .docx, .xlsx, .pptx and .odt
/// are), told by the names of the parts inside it, or by its name (`name`: a
/// damaged one, whose parts cannot be read): what it is, in words.
pub fn office_document(name: &str, bytes: &[u8]) -> Option<&'static str> {
    let lower = name.to_ascii_lowercase();
    let by_name = match lower.rsplit_once('.').map_or("", |(_, e)| e) {
        "docx" | "doc" | "rtf" => Some("a Word document"),
        "xlsx" | "xls" => Some("an Excel workbook"),
        "pptx" | "ppt" => Some("a PowerPoint presentation"),
        "odt" | "ods" | "odp" => Some("an OpenDocument file"),
        "pages" => Some("a Pages document"),
        _ => None,
    };
    if !is_zip(bytes) {
        return by_name;
    }
    let has = |part: &[u8]| bytes.windows(part.len()).any(|w| w == part);
    [
        (&b"word/document.xml"[..], "a Word document"),
        (b"xl/workbook.xml", "an Excel workbook"),
        (b"ppt/presentation.xml", "a PowerPoint presentation"),
        (b"application/vnd.oasis.opendocument", "an OpenDocument file"),
    ]
    .into_iter()
    .find(|(part, _)| has(part))
    .map(|(_, kind)| kind)
    .or(by_name)
}

/// Why [`detect`] recognised nothing, in plain words, when something more
/// precise than "not a file Marginalia can import" can be said: an office
/// document (a Word file handed in for a backup), text that is not UTF-8,
/// JSON that does not parse (with where), JSON of another kind.
pub fn why_unrecognised(name: &str, bytes: &[u8]) -> Option<String> {
    if let Some(kind) = office_document(name, bytes) {
        return Some(format!(
            "it is {kind}. To code its text, save it as .txt or .html and import that; \
             work coded in Marginalia is handed in as the file Download backup saves (marginalia-backup-….json)"
        ));
    }
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Some("it is neither text in UTF-8 nor a zip file".into());
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text).trim_start();
    let json_name = name.to_ascii_lowercase().ends_with(".json") || name.to_ascii_lowercase().ends_with(".jsonl");
    if !(text.starts_with(['{', '[']) || json_name) {
        return None;
    }
    let first = text.lines().next().unwrap_or("");
    // A whole JSON document, or JSON Lines (the first line).
    Some(match serde_json::from_str::<Value>(text) {
        // A hand-in cut off on its way (a download stopped, a copy to a full stick).
        Err(e) if e.is_eof() && serde_json::from_str::<Value>(first).is_err() => {
            "it is cut off: it ends before its data does (the download or copy was not finished). Save or send it again".into()
        }
        Err(e) if serde_json::from_str::<Value>(first).is_err() => format!("it is not valid JSON ({e})"),
        _ => "it is JSON, but none of the kinds Marginalia reads".into(),
    })
}

/// The format of a file, from its name and its first bytes (then its content
/// for JSON): `None` when it is none Marginalia reads or writes.
pub fn detect(name: &str, bytes: &[u8]) -> Option<Format> {
    let lower = name.to_ascii_lowercase();
    let ext = lower.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    if office_document(name, bytes).is_some() {
        return None;
    }
    if is_zip(bytes) {
        return Some(if ext == "qdpx" { Format::Qdpx } else { Format::Brat });
    }
    match ext {
        "qdpx" => return Some(Format::Qdpx),
        "qdc" => return Some(Format::Qdc),
        "ann" => return Some(Format::Brat),
        _ => {}
    }
    let text = std::str::from_utf8(bytes).ok()?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text).trim_start();
    if text.starts_with('<') {
        return if text.contains("<Project") {
            Some(Format::Qdpx)
        } else {
            text.contains("<CodeBook").then_some(Format::Qdc)
        };
    }
    if text.starts_with(['{', '[']) {
        if ext != "jsonl"
            && let Ok(v) = serde_json::from_str::<Value>(text)
        {
            return json_kind(&v);
        }
        let first = text.lines().next()?;
        return serde_json::from_str::<Value>(first).ok().as_ref().and_then(json_kind);
    }
    let header = text.lines().next().unwrap_or("");
    let cells: Vec<&str> = header.split(',').map(|c| c.trim().trim_matches('"')).collect();
    if cells.contains(&"annotation_id") || (cells.contains(&"start") && cells.contains(&"end") && cells.contains(&"tag")) {
        return Some(Format::SegmentsCsv);
    }
    if cells.starts_with(&["document", "symbol", "ordinal", "date", "kind"]) {
        return Some(Format::Matrix);
    }
    None
}

fn has_type(v: &Value, name: &str) -> bool {
    match v.get("type") {
        Some(Value::String(s)) => s == name,
        Some(Value::Array(a)) => a.iter().any(|t| t.as_str() == Some(name)),
        _ => false,
    }
}

/// What a parsed JSON value (a whole file, or a JSONL file's first line) is.
fn json_kind(v: &Value) -> Option<Format> {
    match v {
        Value::Object(o) => match o.get("format").and_then(Value::as_str) {
            Some("marginalia-backup") => Some(Format::Backup),
            Some("marginalia-codebook") => Some(Format::CodebookJson),
            _ if ["AnnotationCollection", "AnnotationPage", "Annotation"].iter().any(|t| has_type(v, t)) => Some(Format::W3c),
            _ if o.contains_key("data") => Some(Format::LabelStudio),
            _ if o.contains_key("spans") && o.contains_key("text") => Some(Format::Spacy),
            _ if o.contains_key("text") => Some(Format::Doccano),
            _ => None,
        },
        Value::Array(a) => match a.first() {
            Some(first) if has_type(first, "Annotation") => Some(Format::W3c),
            Some(first) if first.get("data").is_some() => Some(Format::LabelStudio),
            _ => None,
        },
        _ => None,
    }
}

// ---------------------------------------------------------------------------
// Reading: labels (a span and one tag) grouped into annotations.

/// A span with one tag, as a file gives it, with what else the file says.
#[derive(Debug, Clone, Default)]
struct Label {
    start: usize,
    end: usize,
    tag: String,
    id: Option<String>,
    memo: Option<String>,
    coder: Option<String>,
    created: Option<String>,
    updated: Option<String>,
    quote: Option<String>,
    prefix: Option<String>,
    suffix: Option<String>,
}

/// An [`Imported`] being built, with a cap on warnings.
#[derive(Default)]
struct Builder {
    out: Imported,
    tags: Vec<Tag>,
    tag_ids: HashSet<String>,
    doc_ids: HashSet<String>,
    dropped_warnings: usize,
}

impl Builder {
    fn warn(&mut self, msg: String) {
        if self.out.warnings.len() < MAX_WARNINGS {
            self.out.warnings.push(msg);
        } else {
            self.dropped_warnings += 1;
        }
    }

    /// Notes that the file names tag `id` `name`.
    fn tag(&mut self, id: &str, name: &str) {
        if !id.is_empty() && !name.is_empty() && self.tag_ids.insert(id.to_string()) {
            let tag = Tag { id: id.into(), name: name.into(), colour: String::new(), key: None, description: String::new(), style: None, parent: None };
            self.tags.push(tag);
        }
    }

    /// Groups a document's labels into annotations: labels with one id (given,
    /// or found through a record on the same span with that tag) and one span
    /// make one annotation; labels without an id group by span. A record gives
    /// memo, coder and times where the labels do not.
    fn document(&mut self, doc: ImportedDocument, labels: Vec<Label>, records: &[Record]) {
        let chars: Option<Vec<char>> = doc.text.as_ref().map(|t| t.chars().collect());
        let len = chars.as_ref().map(Vec::len);
        // Per span and tag, the records not yet claimed by a label (first first).
        let mut unclaimed: HashMap<(usize, usize, String), Vec<&Record>> = HashMap::new();
        for r in records.iter().rev() {
            for t in &r.tags {
                unclaimed.entry((r.start, r.end, t.clone())).or_default().push(r);
            }
        }
        let by_id: HashMap<&str, &Record> = records.iter().map(|r| (r.id.as_str(), r)).collect();
        type Key = (Option<String>, usize, usize);
        let mut groups: Vec<(Key, Vec<Label>)> = Vec::new();
        let mut index: HashMap<Key, usize> = HashMap::new();
        let mut span_of: HashMap<String, (usize, usize)> = HashMap::new();
        for l in labels {
            let where_ = format!("{}: a \"{}\" span at {}–{}", doc.id, l.tag, l.start, l.end);
            let by_quote = len.is_none() && l.start == 0 && l.end == 0 && l.quote.as_deref().is_some_and(|q| !q.is_empty());
            if l.start >= l.end && !by_quote {
                self.warn(format!("{where_} is empty or reversed; it was left out."));
                continue;
            }
            if let Some(n) = len
                && l.end > n
            {
                self.warn(format!("{where_} lies outside the text ({n} characters); it was left out."));
                continue;
            }
            if l.tag.trim().is_empty() {
                self.warn(format!("{where_} has no tag; it was left out."));
                continue;
            }
            let id = l.id.clone().filter(|i| !i.is_empty()).or_else(|| {
                unclaimed.get_mut(&(l.start, l.end, l.tag.clone())).and_then(Vec::pop).map(|r| r.id.clone())
            });
            // An id seen on another span (moved in another tool) starts a new annotation.
            let id = id.filter(|i| *span_of.entry(i.clone()).or_insert((l.start, l.end)) == (l.start, l.end));
            let key = (id, l.start, l.end);
            match index.get(&key) {
                Some(&g) => groups[g].1.push(l),
                None => {
                    index.insert(key.clone(), groups.len());
                    groups.push((key, vec![l]));
                }
            }
        }
        for ((id, start, end), labels) in groups {
            let rec = id.as_deref().and_then(|i| by_id.get(i)).copied();
            let pick = |f: fn(&Label) -> &Option<String>, r: fn(&Record) -> &String| {
                labels.iter().find_map(|l| f(l).clone()).or_else(|| rec.map(|x| r(x).clone())).unwrap_or_default()
            };
            let mut seen = HashSet::new();
            let tags: Vec<String> = labels.iter().filter(|l| seen.insert(&l.tag)).map(|l| l.tag.clone()).collect();
            let mut a = Annotation {
                id: id.unwrap_or_default(),
                doc: doc.id.clone(),
                start,
                end,
                quote: pick(|l| &l.quote, |_| &EMPTY),
                prefix: pick(|l| &l.prefix, |_| &EMPTY),
                suffix: pick(|l| &l.suffix, |_| &EMPTY),
                tags,
                memo: pick(|l| &l.memo, |r| &r.memo),
                coder: pick(|l| &l.coder, |r| &r.coder),
                created: pick(|l| &l.created, |r| &r.created),
                updated: pick(|l| &l.updated, |r| &r.updated),
                deleted: false,
            };
            if let Some(chars) = &chars {
                a.fill_quote(chars);
            }
            self.out.annotations.push(a);
        }
        if self.doc_ids.insert(doc.id.clone()) {
            self.out.documents.push(doc);
        }
    }

    fn finish(mut self) -> Imported {
        if self.dropped_warnings > 0 {
            self.out.warnings.push(format!("… and {} more warnings.", self.dropped_warnings));
        }
        if self.out.codebook.is_none() && !self.tags.is_empty() {
            self.out.codebook = Some(Codebook { tags: self.tags });
        }
        self.out
    }
}

static EMPTY: String = String::new();

/// A JSON string, or a number written as one.
fn str_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A JSON offset: a non-negative integer.
fn offset(v: &Value) -> Option<usize> {
    v.as_u64().and_then(|n| usize::try_from(n).ok())
}

fn field(o: &Map<String, Value>, keys: &[&str]) -> Option<String> {
    keys.iter().find_map(|k| o.get(*k).and_then(str_of)).filter(|s| !s.is_empty())
}

fn parse_json(text: &str, what: &str) -> Result<Value, ImportError> {
    serde_json::from_str(text).map_err(|e| {
        let cut = if e.is_eof() { " (it ends too early: was it cut off?)" } else { "" };
        ImportError(format!("This {what} file is not valid JSON{cut}: {e}."))
    })
}

/// A JSON object.
type Object = Map<String, Value>;

/// The objects of a JSONL file, with their line numbers (from 1).
fn jsonl(text: &str, what: &str) -> Result<Vec<(usize, Object)>, ImportError> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match parse_json(line, what) {
            Ok(Value::Object(o)) => out.push((i + 1, o)),
            Ok(_) => return refuse(format!("Line {} of this {what} file is not a JSON object.", i + 1)),
            Err(ImportError(e)) => return refuse(format!("Line {}: {e}", i + 1)),
        }
    }
    if out.is_empty() {
        return refuse(format!("This {what} file has no lines."));
    }
    Ok(out)
}

/// The records a JSON format carries beside its labels (bad ones skipped).
fn records_of(v: Option<&Value>) -> Vec<Record> {
    match v {
        Some(Value::Array(list)) => list.iter().filter_map(|r| <Record as serde::Deserialize>::deserialize(r).ok()).collect(),
        _ => Vec::new(),
    }
}

/// A document of a JSON format with its text.
fn text_document(o: &Map<String, Value>, id: String, text: &str) -> ImportedDocument {
    ImportedDocument {
        id,
        symbol: field(o, &["symbol"]),
        text: Some(text.to_string()),
        text_sha256: field(o, &["text_sha256"]),
    }
}

/// Reads a Marginalia backup (see [`crate::store::Backup`]): everything,
/// tombstones and the user's texts included.
pub fn read_backup(text: &str) -> Result<Imported, ImportError> {
    let b = crate::store::Backup::from_json(text, &|_| Some(usize::MAX)).map_err(ImportError)?;
    let mut documents: Vec<ImportedDocument> = b
        .documents
        .iter()
        .map(|d| ImportedDocument { id: d.id.clone(), text_sha256: Some(d.text_sha256.clone()).filter(|h| !h.is_empty()), ..Default::default() })
        .collect();
    for a in &b.annotations {
        if !documents.iter().any(|d| d.id == a.doc) {
            documents.push(ImportedDocument { id: a.doc.clone(), ..Default::default() });
        }
    }
    Ok(Imported { documents, annotations: b.annotations, codebook: Some(b.codebook), warnings: Vec::new(), texts: b.texts })
}

/// Reads a segments CSV (see [`crate::export::segments_csv`]): a row per
/// annotation and tag, grouped back by `annotation_id`. Cells neutralised
/// against formulas are read back exactly (see [`restore_cell`]). Needs the
/// columns `document` (or `symbol`), `start`, `end` and `tag`; `tag_id`, where
/// there is one, is the tag's id and `tag` its name (files of earlier versions
/// had the id in `tag` and the name in `tag_name`: both are read); `text` is
/// the quote by which an annotation is placed when the document's text has changed.
pub fn read_segments_csv(text: &str) -> Result<Imported, ImportError> {
    let mut r = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes());
    let headers = match r.headers() {
        Ok(h) => h.clone(),
        Err(e) => return refuse(format!("This CSV file cannot be read: {e}.")),
    };
    let col = |name: &str| headers.iter().position(|h| restore_cell(h.trim()) == name);
    let (Some(start), Some(end), Some(tag), Some(doc)) =
        (col("start"), col("end"), col("tag").or_else(|| col("tag_name")), col("document").or_else(|| col("symbol")))
    else {
        return refuse("This CSV file has no \"document\", \"start\", \"end\" and \"tag\" columns: it is not a Marginalia segments export.");
    };
    // The id and the name of a row's tag: `tag_id` and `tag` now, `tag` and `tag_name` before.
    let (tag, tag_name) = match (col("tag_id"), col("tag_name")) {
        (Some(id), _) => (id, Some(tag)),
        (None, name) => (tag, name),
    };
    let [id, quote, memo, coder, created, updated, symbol, sha] =
        ["annotation_id", "text", "memo", "coder", "created", "updated", "symbol", "text_sha256"].map(col);
    let mut b = Builder::default();
    let mut docs: Vec<(ImportedDocument, Vec<Label>)> = Vec::new();
    let mut doc_index: HashMap<String, usize> = HashMap::new();
    for (i, row) in r.records().enumerate() {
        let row = match row {
            Ok(row) => row,
            Err(e) => return refuse(format!("Row {} of this CSV file cannot be read: {e}.", i + 2)),
        };
        let cell = |c: Option<usize>| c.and_then(|c| row.get(c)).map(|s| restore_cell(s).to_string());
        let nonempty = |c: Option<usize>| cell(c).filter(|s| !s.is_empty());
        let Some(doc_id) = nonempty(Some(doc)) else {
            b.warn(format!("Row {} names no document; it was left out.", i + 2));
            continue;
        };
        let (Some(s), Some(e)) = (cell(Some(start)).and_then(|s| s.parse().ok()), cell(Some(end)).and_then(|s| s.parse().ok())) else {
            b.warn(format!("Row {}: start and end are not numbers; it was left out.", i + 2));
            continue;
        };
        let tag_id = cell(Some(tag)).unwrap_or_default();
        if let Some(name) = nonempty(tag_name) {
            b.tag(&tag_id, &name);
        }
        let label = Label {
            start: s,
            end: e,
            tag: tag_id,
            id: nonempty(id),
            memo: cell(memo),
            coder: cell(coder),
            created: cell(created),
            updated: cell(updated),
            quote: cell(quote),
            ..Label::default()
        };
        let k = *doc_index.entry(doc_id.clone()).or_insert_with(|| {
            let d = ImportedDocument { id: doc_id, symbol: nonempty(symbol), text: None, text_sha256: nonempty(sha) };
            docs.push((d, Vec::new()));
            docs.len() - 1
        });
        docs[k].1.push(label);
    }
    for (d, labels) in docs {
        b.document(d, labels, &[]);
    }
    Ok(b.finish())
}

/// Labels given as objects (`start_key`, `end_key`, `label`, maybe `id`);
/// counts the ones that are not in `bad`.
fn object_labels(list: Option<&Value>, start_key: &str, end_key: &str, bad: &mut usize) -> Vec<Label> {
    let mut labels = Vec::new();
    for l in list.and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default() {
        match (l.get(start_key).and_then(offset), l.get(end_key).and_then(offset), l.get("label").and_then(str_of)) {
            (Some(start), Some(end), Some(tag)) => labels.push(Label { start, end, tag, id: l.get("id").and_then(str_of), ..Label::default() }),
            _ => *bad += 1,
        }
    }
    labels
}

/// What a JSONL format reads from a line's object: the object naming the
/// document (`None`: the line itself), the labels, and how many labels could
/// not be read.
type LineReader = fn(&Object) -> (Option<&Object>, Vec<Label>, usize);

/// A JSONL format: per line a `text`, and what `line` reads; the object naming
/// the document has `document`, `id` or `symbol`, `text_sha256`, and the
/// `marginalia` records.
fn read_jsonl(text: &str, what: &str, line: LineReader) -> Result<Imported, ImportError> {
    let mut b = Builder::default();
    for (n, o) in jsonl(text, what)? {
        let Some(body) = o.get("text").and_then(Value::as_str) else {
            return refuse(format!("Line {n} of this {what} file has no \"text\"."));
        };
        let (names, mut labels, bad) = line(&o);
        let names = names.unwrap_or(&o);
        if bad > 0 {
            b.warn(format!("Line {n}: {bad} labels have no start, end or label; they were left out."));
        }
        // Labels are tag names; `marginalia_tags` (id → name) gives the ids behind
        // them. A name that two ids share stays as it is (matched by name later).
        let tags: Vec<(String, String)> = names
            .get("marginalia_tags")
            .and_then(Value::as_object)
            .map(|m| m.iter().filter_map(|(id, name)| Some((id.clone(), name.as_str()?.to_string()))).collect())
            .unwrap_or_default();
        for (id, name) in &tags {
            b.tag(id, name);
        }
        for l in &mut labels {
            let mut ids = tags.iter().filter(|(_, name)| *name == l.tag);
            if let (Some((id, _)), None) = (ids.next(), ids.next()) {
                l.tag = id.clone();
            }
        }
        let id = field(names, &["document", "id", "symbol"]).unwrap_or_else(|| format!("line-{n}"));
        b.document(text_document(names, id, body), labels, &records_of(names.get("marginalia")));
    }
    Ok(b.finish())
}

/// Reads doccano JSONL (see [`crate::export::doccano_jsonl`]): `text` and
/// `label` (`[start, end, tag]`, code points) or `entities` (`start_offset`,
/// `end_offset`, `label`); the document is `document`, else `id`, else `symbol`,
/// else the line; `marginalia` records give ids, memos, coders and times.
pub fn read_doccano(text: &str) -> Result<Imported, ImportError> {
    read_jsonl(text, "doccano", |o| {
        let mut bad = 0;
        let mut labels = Vec::new();
        for l in o.get("label").or_else(|| o.get("labels")).and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default() {
            match l.as_array().map(Vec::as_slice) {
                Some([s, e, t, ..]) => match (offset(s), offset(e), str_of(t)) {
                    (Some(start), Some(end), Some(tag)) => labels.push(Label { start, end, tag, ..Label::default() }),
                    _ => bad += 1,
                },
                _ => bad += 1,
            }
        }
        labels.extend(object_labels(o.get("entities"), "start_offset", "end_offset", &mut bad));
        (None, labels, bad)
    })
}

/// Reads spaCy / Prodigy JSONL (see [`crate::export::spacy_jsonl`]): `text`,
/// `spans` (`start`, `end`, `label`, and Marginalia's `id`), `meta` (the
/// document's `id`, `symbol`, `text_sha256`, the `marginalia` records).
/// A line Prodigy saved names its annotator (`_annotator_id`, as "dataset-alex"):
/// its spans are that coder's.
pub fn read_spacy(text: &str) -> Result<Imported, ImportError> {
    read_jsonl(text, "spaCy", |o| {
        let mut bad = 0;
        let mut labels = object_labels(o.get("spans"), "start", "end", &mut bad);
        if let Some(who) = o.get("_annotator_id").and_then(str_of).filter(|w| !w.trim().is_empty()) {
            for l in labels.iter_mut().filter(|l| l.coder.is_none()) {
                l.coder = Some(who.trim().to_string());
            }
        }
        (o.get("meta").and_then(Value::as_object), labels, bad)
    })
}

/// Reads Label Studio tasks JSON (see [`crate::export::label_studio_tasks`]):
/// a list of tasks (or one), `data.text` the text; every `labels` result of
/// every annotation (`start`/`end` in UTF-16 code units, converted to code
/// points; `labels` tag names); a per-region `textarea` result with the same
/// `id` is the memo. `data.id` names the document; `data.marginalia` records
/// give the tag ids behind the names, coders and times.
pub fn read_label_studio(text: &str) -> Result<Imported, ImportError> {
    let v = parse_json(text, "Label Studio")?;
    let tasks: Vec<&Value> = match &v {
        Value::Array(list) => list.iter().collect(),
        Value::Object(o) if o.contains_key("data") => vec![&v],
        _ => return refuse("This is not a Label Studio export: it has no tasks (objects with \"data\")."),
    };
    let mut b = Builder::default();
    for (n, task) in tasks.into_iter().enumerate() {
        let Some(data) = task.get("data").and_then(Value::as_object) else {
            b.warn(format!("Task {} has no \"data\"; it was left out.", n + 1));
            continue;
        };
        let body = data.get("text").and_then(Value::as_str);
        let id = field(data, &["id", "document", "symbol"])
            .or_else(|| task.get("id").and_then(str_of).map(|i| format!("task-{i}")))
            .unwrap_or_else(|| format!("task-{}", n + 1));
        let index = body.map(OffsetIndex::new);
        if index.is_none() {
            b.warn(format!("{id}: the task has no text; its spans are placed by their quotes."));
        }
        let records = records_of(data.get("marginalia"));
        let by_id: HashMap<&str, &Record> = records.iter().map(|r| (r.id.as_str(), r)).collect();
        let results: Vec<&Value> = ["annotations", "completions"]
            .iter()
            .filter_map(|k| task.get(*k).and_then(Value::as_array))
            .flatten()
            .filter_map(|a| a.get("result").and_then(Value::as_array))
            .flatten()
            .collect();
        let mut memos: HashMap<String, String> = HashMap::new();
        for r in &results {
            if r.get("type").and_then(Value::as_str) == Some("textarea")
                && let Some(rid) = r.get("id").and_then(str_of)
            {
                let t = &r["value"]["text"];
                let memo = match t {
                    Value::Array(parts) => parts.iter().filter_map(Value::as_str).collect::<Vec<_>>().join("\n"),
                    other => other.as_str().unwrap_or_default().to_string(),
                };
                memos.insert(rid, memo);
            }
        }
        let mut labels = Vec::new();
        for r in &results {
            let value = &r["value"];
            let Some(names) = value.get("labels").and_then(Value::as_array) else { continue };
            let (Some(s16), Some(e16)) = (value.get("start").and_then(offset), value.get("end").and_then(offset)) else {
                b.warn(format!("{id}: a region has no numeric start and end; it was left out."));
                continue;
            };
            let (start, end) = match &index {
                Some(ix) if s16.max(e16) > ix.len_utf16() => {
                    b.warn(format!("{id}: a region at {s16}–{e16} (UTF-16) lies outside the text; it was left out."));
                    continue;
                }
                Some(ix) => (ix.utf16_to_cp(s16, Round::Down), ix.utf16_to_cp(e16, Round::Up)),
                None => (s16, e16),
            };
            let rid = r.get("id").and_then(str_of);
            let rec = rid.as_deref().and_then(|i| by_id.get(i));
            let names: Vec<String> = names.iter().filter_map(str_of).collect();
            // The record's tag ids stand behind the names when they still match one to one.
            let ids = rec.filter(|r| r.tags.len() == names.len()).map(|r| r.tags.clone());
            for (k, name) in names.iter().enumerate() {
                let tag = match &ids {
                    Some(ids) => {
                        b.tag(&ids[k], name);
                        ids[k].clone()
                    }
                    None => name.clone(),
                };
                labels.push(Label {
                    start,
                    end,
                    tag,
                    id: rid.clone(),
                    memo: Some(rid.as_ref().and_then(|i| memos.get(i)).cloned().unwrap_or_default()),
                    quote: value.get("text").and_then(Value::as_str).map(String::from),
                    ..Label::default()
                });
            }
        }
        let doc = ImportedDocument {
            id,
            symbol: field(data, &["symbol"]),
            text: body.map(String::from),
            text_sha256: field(data, &["text_sha256"]),
        };
        b.document(doc, labels, &records);
    }
    Ok(b.finish())
}

/// The items of a JSON-LD value that may be one object or a list of them.
fn one_or_many(v: &Value) -> Vec<&Value> {
    match v {
        Value::Array(a) => a.iter().collect(),
        Value::Null => Vec::new(),
        other => vec![other],
    }
}

/// Reads W3C Web Annotation JSON-LD (see [`crate::export::w3c_collection`]):
/// an `AnnotationCollection` (its first page), an `AnnotationPage`, one
/// `Annotation`, or a list of annotations. Tags are the `tagging` bodies (the
/// tag id from `marginalia:tag`, or from an `id` `urn:marginalia:tag:<id>` as
/// earlier exports wrote it, else the value as a name); other
/// textual bodies make the memo; the target's `source` names the document; a
/// `TextPositionSelector` gives the span (code points) and a
/// `TextQuoteSelector` the quote and context. An annotation with only a quote
/// is placed by its quote.
pub fn read_w3c(text: &str) -> Result<Imported, ImportError> {
    let v = parse_json(text, "W3C Web Annotation")?;
    let mut b = Builder::default();
    let items: Vec<&Value> = if has_type(&v, "AnnotationCollection") {
        let first = &v["first"];
        if first.is_string() {
            b.warn("The collection's annotations are on another page (a link); there is nothing to read here.".into());
        }
        one_or_many(&first["items"])
    } else if has_type(&v, "AnnotationPage") {
        one_or_many(&v["items"])
    } else if has_type(&v, "Annotation") || v.is_array() {
        one_or_many(&v)
    } else {
        return refuse("This is not a W3C Web Annotation file: it has no AnnotationCollection, AnnotationPage or Annotation.");
    };
    if let Some(total) = v.get("total").and_then(Value::as_u64)
        && total as usize > items.len()
    {
        b.warn(format!("The collection says it has {total} annotations; this file holds {}.", items.len()));
    }
    let mut docs: Vec<(ImportedDocument, Vec<Label>)> = Vec::new();
    let mut doc_index: HashMap<String, usize> = HashMap::new();
    for (n, item) in items.into_iter().enumerate() {
        let what = format!("Annotation {}", n + 1);
        if !has_type(item, "Annotation") {
            b.warn(format!("{what} is not of type Annotation; it was left out."));
            continue;
        }
        let id = item.get("id").and_then(Value::as_str).map(|i| i.strip_prefix(W3C_ANNOTATION).map_or_else(|| i.to_string(), urn_unpart));
        let Some(target) = one_or_many(&item["target"]).into_iter().find(|t| t.is_object()) else {
            b.warn(format!("{what} has no target with a selector; it was left out."));
            continue;
        };
        let Some(source) = target.get("source").and_then(Value::as_str) else {
            b.warn(format!("{what} names no source document; it was left out."));
            continue;
        };
        let doc_id = source.strip_prefix(W3C_DOCUMENT).map_or_else(|| source.to_string(), urn_unpart);
        let (mut start, mut end, mut quote, mut prefix, mut suffix) = (None, None, None, None, None);
        for s in one_or_many(&target["selector"]) {
            if has_type(s, "TextPositionSelector") {
                start = s.get("start").and_then(offset);
                end = s.get("end").and_then(offset);
            } else if has_type(s, "TextQuoteSelector") {
                quote = s.get("exact").and_then(Value::as_str).map(String::from);
                prefix = s.get("prefix").and_then(Value::as_str).map(String::from);
                suffix = s.get("suffix").and_then(Value::as_str).map(String::from);
            }
        }
        let (start, end) = match (start, end, &quote) {
            (Some(s), Some(e), _) => (s, e),
            (_, _, Some(q)) if !q.is_empty() => (0, 0),
            _ => {
                b.warn(format!("{what} has neither a position nor a quote; it was left out."));
                continue;
            }
        };
        let (mut tags, mut memos) = (Vec::new(), Vec::new());
        for body in one_or_many(&item["body"]) {
            let value = body.get("value").and_then(Value::as_str).unwrap_or_default();
            match body.get("purpose").and_then(Value::as_str) {
                Some("tagging") | Some("classifying") => {
                    let tag_id = match body.get(W3C_TAG_KEY).and_then(Value::as_str) {
                        Some(t) => Some(t.to_string()),
                        None => body.get("id").and_then(Value::as_str).and_then(|i| i.strip_prefix(W3C_TAG)).map(urn_unpart),
                    };
                    match tag_id {
                        Some(t) => {
                            b.tag(&t, value);
                            tags.push(t);
                        }
                        None if !value.is_empty() => tags.push(value.to_string()),
                        None => {}
                    }
                }
                _ if !value.is_empty() => memos.push(value.to_string()),
                _ => {}
            }
        }
        if let Some(v) = item.get("bodyValue").and_then(Value::as_str) {
            memos.push(v.to_string());
        }
        if tags.is_empty() {
            b.warn(format!("{what} has no tagging body; it was left out."));
            continue;
        }
        let creator = one_or_many(&item["creator"]).into_iter().find_map(|c| match c {
            Value::String(s) => Some(s.clone()),
            other => other.get("name").and_then(Value::as_str).map(String::from),
        });
        let memo = memos.join("\n\n");
        let k = *doc_index.entry(doc_id.clone()).or_insert_with(|| {
            let sha = target.get(W3C_TEXT_SHA256).and_then(Value::as_str).map(String::from);
            docs.push((ImportedDocument { id: doc_id, symbol: None, text: None, text_sha256: sha }, Vec::new()));
            docs.len() - 1
        });
        for tag in tags {
            docs[k].1.push(Label {
                start,
                end,
                tag,
                id: id.clone(),
                memo: Some(memo.clone()),
                coder: Some(creator.clone().unwrap_or_default()),
                created: item.get("created").and_then(Value::as_str).map(String::from),
                updated: item.get("modified").and_then(Value::as_str).map(String::from),
                quote: quote.clone(),
                prefix: prefix.clone(),
                suffix: suffix.clone(),
            });
        }
    }
    for (d, labels) in docs {
        b.document(d, labels, &[]);
    }
    Ok(b.finish())
}

/// A brat `T` line: its id, type, fragments and text.
struct BratSpan<'a> {
    id: &'a str,
    kind: &'a str,
    fragments: Vec<(usize, usize)>,
    text: &'a str,
}

/// Reads brat standoff: `.ann` files and the `.txt` files beside them (same
/// name), given as `(path, bytes)` entries so that a zip or a folder feeds it;
/// other files (`annotation.conf`) are ignored. A `T` line is a span (its
/// fragments joined into one span from the first start to the last end); an
/// `AnnotatorNotes` note is the memo; a `Marginalia` note (see
/// [`crate::export::brat_ann`]) gives the annotation's id, tag id, exact memo,
/// coder and times. The document is named by the file's stem. Relations,
/// events and attributes are not read (Marginalia has spans and tags only).
pub fn read_brat(entries: &[(String, Vec<u8>)]) -> Result<Imported, ImportError> {
    check_size(entries.iter().map(|(_, b)| b.len()).sum())?;
    let mut texts: HashMap<&str, &[u8]> = HashMap::new();
    let mut anns: Vec<(&str, &str, &[u8])> = Vec::new();
    for (name, bytes) in entries {
        if let Some(stem) = name.strip_suffix(".ann") {
            anns.push((stem, name, bytes));
        } else if let Some(stem) = name.strip_suffix(".txt") {
            texts.insert(stem, bytes);
        }
    }
    if anns.is_empty() {
        return refuse("There is no .ann file here: a brat export is pairs of .txt and .ann files.");
    }
    anns.sort_by_key(|a| a.0);
    let mut b = Builder::default();
    for (stem, name, bytes) in anns {
        let doc_id = stem.rsplit(['/', '\\']).next().unwrap_or(stem).to_string();
        let text = match texts.get(stem) {
            Some(t) => Some(utf8(&format!("{stem}.txt"), t)?.to_string()),
            None => {
                b.warn(format!("{name} has no {stem}.txt beside it: its spans are placed by their quotes."));
                None
            }
        };
        let (labels, skipped) = brat_labels(&mut b, &doc_id, utf8(name, bytes)?, text.as_deref());
        if skipped > 0 {
            b.warn(format!("{name}: {skipped} relations, events, attributes or normalisations were not imported (Marginalia has spans and tags only)."));
        }
        let sha = text.as_deref().map(sha256_hex);
        b.document(ImportedDocument { id: doc_id, symbol: None, text, text_sha256: sha }, labels, &[]);
    }
    Ok(b.finish())
}

/// The labels of one `.ann` file, and how many lines of other kinds were skipped.
fn brat_labels(b: &mut Builder, doc: &str, ann: &str, text: Option<&str>) -> (Vec<Label>, usize) {
    let mut spans: Vec<BratSpan<'_>> = Vec::new();
    let mut notes: HashMap<&str, &str> = HashMap::new();
    let mut records: HashMap<&str, Record> = HashMap::new();
    let mut skipped = 0;
    for (i, line) in ann.lines().enumerate() {
        let mut parts = line.splitn(3, '\t');
        let (id, mid, tail) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""), parts.next().unwrap_or(""));
        match id.chars().next() {
            Some('T') => {
                let parsed = mid.split_once(' ').and_then(|(kind, offsets)| {
                    let fragments: Option<Vec<(usize, usize)>> = offsets
                        .split(';')
                        .map(|f| {
                            let mut n = f.split_whitespace().map(|x| x.parse::<usize>().ok());
                            match (n.next().flatten(), n.next().flatten(), n.next()) {
                                (Some(s), Some(e), None) => Some((s, e)),
                                _ => None,
                            }
                        })
                        .collect();
                    Some(BratSpan { id, kind, fragments: fragments?, text: tail })
                });
                match parsed {
                    Some(s) => spans.push(s),
                    None => b.warn(format!("{doc}.ann line {}: not a span (T id, type, offsets); left out.", i + 1)),
                }
            }
            Some('#') => match mid.split_once(' ') {
                Some(("AnnotatorNotes", target)) => {
                    notes.insert(target, tail);
                }
                Some((kind, target)) if kind == BRAT_NOTE => {
                    if let Ok(r) = serde_json::from_str::<Record>(tail) {
                        records.insert(target, r);
                    }
                }
                _ => {}
            },
            Some('R' | 'E' | 'A' | 'M' | 'N' | '*') => skipped += 1,
            _ if line.trim().is_empty() => {}
            _ => b.warn(format!("{doc}.ann line {}: not a brat annotation; left out.", i + 1)),
        }
    }
    let chars: Option<Vec<char>> = text.map(|t| t.chars().collect());
    let mut labels = Vec::new();
    for s in spans {
        let start = s.fragments.iter().map(|f| f.0).min().unwrap_or(0);
        let end = s.fragments.iter().map(|f| f.1).max().unwrap_or(0);
        if s.fragments.iter().any(|f| f.0 > f.1) {
            b.warn(format!("{doc}.ann {}: a fragment is reversed; left out.", s.id));
            continue;
        }
        if let Some(chars) = &chars
            && end <= chars.len()
            && s.fragments.windows(2).any(|w| w[0].1 < w[1].0 && chars[w[0].1..w[1].0].iter().any(|c| !c.is_whitespace()))
        {
            b.warn(format!("{doc}.ann {}: its fragments are not contiguous; they were joined into one span.", s.id));
        }
        let rec = records.get(s.id);
        let tag = rec.and_then(|r| r.tags.iter().find(|t| brat_label(t) == s.kind)).cloned().unwrap_or_else(|| s.kind.to_string());
        // The record's exact memo unless the note was edited in brat.
        let note = notes.get(s.id).map(|n| n.trim());
        let memo = match (note, rec) {
            (Some(n), Some(r)) if brat_flat(&r.memo).trim() == n => r.memo.clone(),
            (Some(n), _) => n.to_string(),
            (None, _) => String::new(),
        };
        labels.push(Label {
            start,
            end,
            tag,
            id: rec.map(|r| r.id.clone()),
            memo: Some(memo),
            coder: rec.map(|r| r.coder.clone()),
            created: rec.map(|r| r.created.clone()),
            updated: rec.map(|r| r.updated.clone()),
            quote: Some(s.text.to_string()),
            ..Label::default()
        });
    }
    (labels, skipped)
}

// ---------------------------------------------------------------------------
// Planning: what importing would change.

/// How an imported document was matched to one of ours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchBy {
    Id,
    Symbol,
    /// The file's name for it is our id's URL form (`S-2019-103`).
    FileName,
    /// Its text (or the SHA-256 the file gives) is ours.
    Text,
}

impl MatchBy {
    /// How the match is named to the user.
    pub fn name(self) -> &'static str {
        match self {
            MatchBy::Id => "id",
            MatchBy::Symbol => "symbol",
            MatchBy::FileName => "file name",
            MatchBy::Text => "text",
        }
    }
}

/// An imported document and ours.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentMatch {
    pub imported: String,
    /// Our document's id, or `None` when it is not in Marginalia.
    pub ours: Option<String>,
    pub by: Option<MatchBy>,
    /// Whether the file's offsets count in our text exactly (same SHA-256).
    pub same_text: bool,
}

/// An annotation placed elsewhere than the file's offsets say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reanchored {
    pub id: String,
    pub doc: String,
    pub from: (usize, usize),
    pub to: (usize, usize),
    /// Placed by a near match of its quote (worth a look).
    pub fuzzy: bool,
}

/// An annotation that could not be placed, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unplaced {
    pub id: String,
    pub doc: String,
    pub quote: String,
    pub reason: String,
    /// Imported anyway, as a detached annotation (its quote is kept; the app lists
    /// it beside its document and draws nothing), so that nothing is dropped.
    pub kept: bool,
}

/// What importing a file would change (nothing is changed here). Apply it with
/// `Coding::restore(plan.codebook, plan.writes)`: one undoable step.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImportPlan {
    /// Ids of annotations new here (or brought back from a deletion).
    pub added: Vec<String>,
    /// Ids of annotations of ours the file changes.
    pub updated: Vec<String>,
    /// Ids of annotations of ours the file deletes (a backup's tombstones).
    pub removed: Vec<String>,
    pub unchanged: usize,
    /// Ids of annotations changed here after the file's version: ours are kept.
    pub kept: Vec<String>,
    /// Annotations placed by their quote, not the file's offsets (also counted above).
    pub reanchored: Vec<Reanchored>,
    /// Annotations that could not be placed (not imported).
    pub detached: Vec<Unplaced>,
    pub documents: Vec<DocumentMatch>,
    /// Documents not in Marginalia, with how many annotations they have (not imported).
    pub unknown_documents: Vec<(String, usize)>,
    /// Tags the codebook gains.
    pub new_tags: Vec<Tag>,
    /// The codebook after the import.
    pub codebook: Codebook,
    /// The annotations to write (new versions and tombstones).
    pub writes: Vec<Annotation>,
    /// The reader's warnings and the plan's own.
    pub warnings: Vec<String>,
}

/// At most this many items of each list are shown in [`ImportPlan::summary`].
const SHOWN: usize = 20;

fn listed<T>(out: &mut String, title: &str, items: &[T], show: impl Fn(&T) -> String) {
    if items.is_empty() {
        return;
    }
    out.push_str(&format!("{title}:\n"));
    for item in items.iter().take(SHOWN) {
        out.push_str(&format!("  - {}\n", show(item)));
    }
    if items.len() > SHOWN {
        out.push_str(&format!("  … and {} more\n", items.len() - SHOWN));
    }
}

fn short(s: &str) -> String {
    let mut t: String = s.chars().take(60).collect();
    if s.chars().count() > 60 {
        t.push('…');
    }
    t
}

impl ImportPlan {
    /// Whether applying the plan changes nothing.
    pub fn is_empty(&self) -> bool {
        self.writes.is_empty() && self.new_tags.is_empty()
    }

    /// The plan in words, for the CLI and the import preview.
    pub fn summary(&self) -> String {
        let mut s = format!(
            "{} added, {} updated, {} unchanged, {} removed, {} kept (changed here since), {} re-anchored, {} not placed\n",
            self.added.len(),
            self.updated.len(),
            self.unchanged,
            self.removed.len(),
            self.kept.len(),
            self.reanchored.len(),
            self.detached.len()
        );
        listed(&mut s, "Documents", &self.documents, |d| match (&d.ours, d.by) {
            (Some(o), Some(by)) => {
                let same = if d.same_text { "same text" } else { "text differs: placed by quote" };
                format!("{} → {o} (by {}; {same})", d.imported, by.name())
            }
            _ => format!("{} → not in Marginalia", d.imported),
        });
        listed(&mut s, "Not imported: documents not in Marginalia", &self.unknown_documents, |(d, n)| format!("{d} ({n} annotations)"));
        listed(&mut s, "Re-anchored", &self.reanchored, |r| {
            let how = if r.fuzzy { ", near match: check it" } else { "" };
            format!("{} in {}: {}–{} → {}–{}{how}", r.id, r.doc, r.from.0, r.from.1, r.to.0, r.to.1)
        });
        listed(&mut s, "Not placed", &self.detached, |u| {
            let kept = if u.kept { " (kept as detached)" } else { " (not imported)" };
            format!("{} in {} \"{}\": {}{kept}", u.id, u.doc, short(&u.quote), u.reason)
        });
        listed(&mut s, "Kept as they are here (changed here after the file's version)", &self.kept, String::clone);
        listed(&mut s, "New tags", &self.new_tags, |t| t.name.clone());
        listed(&mut s, "Warnings", &self.warnings, String::clone);
        s
    }
}

/// Our documents, indexed the ways an imported document may name one.
struct Ours<'a> {
    docs: Vec<&'a Document>,
    hashes: Vec<String>,
    by_id: HashMap<&'a str, usize>,
    by_symbol: HashMap<&'a str, usize>,
    by_slug: HashMap<String, usize>,
}

impl<'a> Ours<'a> {
    fn new(docs: Vec<&'a Document>) -> Ours<'a> {
        let hashes = docs.iter().map(|d| d.text_sha256()).collect();
        let by_id = docs.iter().enumerate().map(|(i, d)| (d.meta.id.as_str(), i)).collect();
        let by_symbol = docs.iter().enumerate().filter_map(|(i, d)| Some((d.meta.symbol.as_deref()?, i))).collect();
        let by_slug = docs.iter().enumerate().map(|(i, d)| (crate::route::slug(&d.meta.id), i)).collect();
        Ours { docs, hashes, by_id, by_symbol, by_slug }
    }

    fn named(&self, name: &str) -> Option<(usize, MatchBy)> {
        if let Some(&i) = self.by_id.get(name) {
            return Some((i, MatchBy::Id));
        }
        if let Some(&i) = self.by_symbol.get(name) {
            return Some((i, MatchBy::Symbol));
        }
        self.by_slug.get(name).map(|&i| (i, MatchBy::FileName))
    }

    /// Ours for an imported document, and whether its offsets count in our text.
    fn find(&self, d: &ImportedDocument) -> (Option<(usize, MatchBy)>, bool) {
        let hash = d.text_sha256.clone().or_else(|| d.text.as_deref().map(sha256_hex));
        let found = self
            .named(&d.id)
            .or_else(|| d.symbol.as_deref().and_then(|s| self.named(s)))
            .or_else(|| hash.as_ref().and_then(|h| self.hashes.iter().position(|x| x == h)).map(|i| (i, MatchBy::Text)));
        let same = found.is_some_and(|(i, _)| hash.as_ref() == Some(&self.hashes[i]));
        (found, same)
    }
}

/// Maps imported tags to ours: by id, then by name (ignoring case); a tag we do
/// not have is added (keeping the file's id, name, colour, key and description
/// where they are free and valid).
struct TagMap<'a> {
    book: Codebook,
    defs: HashMap<&'a str, &'a Tag>,
    map: HashMap<String, Option<String>>,
    added: Vec<String>,
    /// Tags not added because of [`MAX_NEW_TAGS`].
    refused: usize,
    /// Tags of ours the file names otherwise (renamed there or here): (ours, the file's).
    named_otherwise: Vec<(String, String)>,
}

impl<'a> TagMap<'a> {
    fn new(book: &Codebook, imported: Option<&'a Codebook>) -> TagMap<'a> {
        let defs = imported.map(|b| b.tags.iter().map(|t| (t.id.as_str(), t)).collect()).unwrap_or_default();
        TagMap { book: book.clone(), defs, map: HashMap::new(), added: Vec::new(), refused: 0, named_otherwise: Vec::new() }
    }

    /// Our tag id for an imported tag; `None` once [`MAX_NEW_TAGS`] were added.
    fn resolve(&mut self, tag: &str) -> Option<String> {
        if let Some(ours) = self.map.get(tag) {
            return ours.clone();
        }
        let def = self.defs.get(tag).copied();
        let name = def.map(|d| d.name.trim()).filter(|n| !n.is_empty()).unwrap_or(tag.trim());
        let lower = name.to_lowercase();
        let ours = if let Some(t) = self.book.get(tag) {
            if def.is_some() && t.name.trim() != name {
                self.named_otherwise.push((t.name.clone(), name.to_string()));
            }
            tag.to_string()
        } else if let Some(t) = self.book.tags.iter().find(|t| t.name.trim().to_lowercase() == lower) {
            t.id.clone()
        } else if self.added.len() < MAX_NEW_TAGS {
            self.adopt(tag, name, def)
        } else {
            self.refused += 1;
            self.map.insert(tag.to_string(), None);
            return None;
        };
        self.map.insert(tag.to_string(), Some(ours.clone()));
        Some(ours)
    }

    /// Each tag added keeps the place the file gives it in the code tree: under
    /// its parent (the parent as it is here, added or already here), in the
    /// file's order. Tags already here keep theirs.
    fn place_under_parents(&mut self, file_order: &[&str]) {
        let mut order: Vec<(usize, String, String)> = Vec::new();
        for (theirs, ours) in self.map.iter().filter_map(|(k, v)| v.as_ref().map(|v| (k, v))) {
            if !self.added.contains(ours) {
                continue;
            }
            let parent = self.defs.get(theirs.as_str()).and_then(|d| d.parent.as_deref());
            if let Some(p) = parent.and_then(|p| self.map.get(p).cloned().flatten()) {
                // In the file's order, so that sub-codes keep their order under their parent.
                let rank = file_order.iter().position(|t| t == theirs).unwrap_or(usize::MAX);
                order.push((rank, ours.clone(), p));
            }
        }
        order.sort();
        for (_, id, parent) in order {
            let _ = self.book.set_parent(&id, Some(&parent));
        }
        self.book.tidy();
    }

    fn adopt(&mut self, id: &str, name: &str, def: Option<&Tag>) -> String {
        let name: String = name.chars().take(80).collect();
        let mut new_id = match self.book.add(&name) {
            Ok(id) => id,
            Err(_) => self.book.add(&format!("tag {}", self.book.tags.len() + 1)).unwrap_or_default(),
        };
        if !id.trim().is_empty() && id.chars().count() <= 80 && id != new_id && self.book.get(id).is_none() {
            if let Some(t) = self.book.tags.iter_mut().find(|t| t.id == new_id) {
                t.id = id.to_string();
            }
            new_id = id.to_string();
        }
        if let Some(d) = def {
            let _ = self.book.set_colour(&new_id, &d.colour);
            self.book.set_description(&new_id, &d.description);
            if let Some(k) = d.key.filter(|k| self.book.by_key(*k).is_none()) {
                self.book.set_key(&new_id, Some(k));
            }
            if let Some(style) = d.style {
                self.book.set_style(&new_id, style);
            }
        }
        self.added.push(new_id.clone());
        new_id
    }
}

/// What became of one file of several picked together (named by its coder, or its file name).
pub enum Outcome {
    /// Brought in: merged, imported, restored.
    In(String),
    /// Brought in, with no annotations in it (a student who handed in nothing).
    Empty(String),
    /// Not brought in: cancelled.
    Out(String),
    /// Not brought in: it could not be read (its own notice said why).
    Bad(String),
    /// Read, and all of it here already: it changed nothing (the same file picked again).
    Same(String),
}

impl Outcome {
    /// A file brought in, by whose it is: with annotations in it, or none (`empty`).
    pub fn brought_in(who: String, empty: bool) -> Outcome {
        if empty { Outcome::Empty(who) } else { Outcome::In(who) }
    }

    /// A file merged: brought in ([`Outcome::brought_in`]), or, when the merge changed
    /// nothing (`changed` false) and the file holds work, all here already.
    pub fn merged(who: String, empty: bool, changed: bool) -> Outcome {
        if !changed && !empty { Outcome::Same(who) } else { Outcome::brought_in(who, empty) }
    }
}

/// The one notice for several (`total`) files picked together: what came in,
/// what held nothing, what could not be read, what was left out; the rest
/// (texts, a handout) had a preview or a notice of their own.
/// `apart`: names given by two people, the second's work brought in under
/// another name ([`crate::store::apart_names`]).
pub fn batch_summary(total: usize, outcomes: &[Outcome], apart: &[(String, String)], me: &str) -> String {
    let (mut came, mut empty, mut bad, mut out, mut same) = (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for o in outcomes {
        match o {
            Outcome::In(n) => came.push(n.as_str()),
            Outcome::Empty(n) => empty.push(n.as_str()),
            Outcome::Bad(n) => bad.push(n.as_str()),
            Outcome::Out(n) => out.push(n.as_str()),
            Outcome::Same(n) => same.push(n.as_str()),
        }
    }
    // Names in the order met, a name met twice (the same file picked twice) said once, with how often.
    let names = |list: &[&str]| {
        let mut seen: Vec<(&str, usize)> = Vec::new();
        for n in list {
            match seen.iter_mut().find(|(x, _)| x == n) {
                Some((_, k)) => *k += 1,
                None => seen.push((n, 1)),
            }
        }
        seen.iter().map(|(n, k)| if *k > 1 { format!("{n} ×{k}") } else { n.to_string() }).collect::<Vec<_>>().join(", ")
    };
    let mut parts = Vec::new();
    if !came.is_empty() {
        parts.push(format!("{} brought in ({})", came.len(), names(&came)));
    }
    if !same.is_empty() {
        parts.push(format!("{} here already, nothing new in {} ({})", same.len(), if same.len() == 1 { "it" } else { "them" }, names(&same)));
    }
    if !empty.is_empty() {
        parts.push(format!("{} brought in with no annotations in {} ({})", empty.len(), if empty.len() == 1 { "it" } else { "them" }, names(&empty)));
    }
    if !bad.is_empty() {
        parts.push(format!("{} could not be read ({})", bad.len(), names(&bad)));
    }
    if !out.is_empty() {
        parts.push(format!("{} left out ({})", out.len(), names(&out)));
    }
    let rest = total.saturating_sub(outcomes.len());
    if rest > 0 {
        parts.push(if rest == 1 { "1 is a text to add, with a preview of its own".to_string() } else { format!("{rest} are texts to add, with a preview of their own") });
    }
    let mut said = format!("Of the {total} files picked together: {}.", parts.join("; "));
    for (from, to) in apart {
        said.push_str(&if from == me {
            // A student who typed the teacher's name: never to be joined to the key.
            format!(" A file's work was under your own name, {from}: it came in as {to}, apart from yours (rename {to} on the Agreement page to the name of whoever handed it in).")
        } else {
            format!(" Two people gave the name {from}: the second file's work came in as {to} (if they are one person, rename {to} to {from} on the Agreement page).")
        });
    }
    said
}

/// At most this many tags are added to the codebook by one import.
pub const MAX_NEW_TAGS: usize = 100;

/// An id for an annotation the file gives none: the same for the same
/// document and span at every import.
fn made_id(doc: &str, start: usize, end: usize, n: usize) -> String {
    let hash = sha256_hex(&format!("{doc}\u{0}{start}\u{0}{end}\u{0}{n}"));
    format!("imported-{}", &hash[..16])
}

/// Places `a` in our text: the file's offsets when they count in our text
/// (same SHA-256), else by its quote and context; `Err` with the reason when it
/// cannot be placed.
fn place(chars: &[char], a: &mut Annotation, same_text: bool) -> Result<Option<Reanchored>, String> {
    let len = chars.len();
    let from = (a.start, a.end);
    // The file's offsets count in our text, and its quote (when it gives one) is
    // what they cover: take them. Otherwise the quote decides.
    let agrees = a.quote.is_empty() || chars[a.start.min(len)..a.end.min(len)].iter().copied().eq(a.quote.chars());
    if same_text && a.start < a.end && a.end <= len && agrees {
        a.fill_quote(chars);
        return Ok(None);
    }
    a.start = a.start.min(len);
    a.end = a.end.min(len).max(a.start);
    let doc = a.doc.clone();
    let moved = |to: (usize, usize), fuzzy| Reanchored { id: String::new(), doc, from, to, fuzzy };
    match reanchor(chars, a) {
        Anchoring::Kept | Anchoring::Filled => {
            a.fill_quote(chars);
            Ok(None)
        }
        Anchoring::Moved { to, .. } => Ok(Some(moved(to, false))),
        Anchoring::Fuzzy { to, .. } => Ok(Some(moved(to, true))),
        Anchoring::Detached if a.quote.is_empty() => {
            Err(format!("its offsets {}–{} lie outside the text ({len} characters) and it has no quote", from.0, from.1))
        }
        Anchoring::Detached => Err("its text is not in the document".into()),
    }
}

/// The texts of a file's documents that are not here (`unknown`: the plan's
/// [`ImportPlan::unknown_documents`]), as texts of one's own to add, and the
/// file with those documents and their annotations moved to them: planned again
/// once the texts are added, the annotations are placed on them (by their quotes
/// where cleaning changed the text). A document the file gives no text for, or
/// a text that cannot be kept (too large, empty), stays unknown.
pub fn with_own_texts(imported: &Imported, unknown: &[String], now: &str, taken: &dyn Fn(&str) -> bool) -> (Vec<crate::store::UserText>, Imported) {
    let mut texts: Vec<crate::store::UserText> = Vec::new();
    let mut out = imported.clone();
    for d in out.documents.iter_mut().filter(|d| unknown.contains(&d.id)) {
        let Some(text) = d.text.as_deref() else { continue };
        // A name the file made up ("line-1", a task's number) says nothing: its first line does.
        let made_up = d.id.starts_with("line-") || d.id.chars().all(|c| c.is_ascii_digit());
        let first = text.lines().map(str::trim).find(|l| !l.is_empty()).map(|l| crate::abridge(l, 60));
        let name = match first.filter(|_| made_up) {
            Some(line) => format!("{}.txt", line.trim_end_matches('.')),
            None => format!("{}.txt", d.id),
        };
        let Ok(t) = crate::store::UserText::new(&name, text, now, &|id| taken(id) || texts.iter().any(|t| t.id == id)) else { continue };
        for a in out.annotations.iter_mut().filter(|a| a.doc == d.id) {
            a.doc = t.id.clone();
        }
        *d = ImportedDocument { id: t.id.clone(), symbol: None, text: d.text.take(), text_sha256: None };
        texts.push(t);
    }
    (texts, out)
}

/// What importing `imported` into `current` would do, against our documents
/// (`D`: a `Document` or an `Arc` of one; include the texts a backup brings).
///
/// Documents are matched by id, symbol or file name, else by text (SHA-256).
/// Annotations of documents not here are counted and left out. Each annotation
/// is placed by the file's offsets when the file's text is ours, else by its
/// quote ([`crate::anchor`]); one that cannot be placed is listed with the
/// reason. Tags map by id, then name; tags we lack are added. Then by id:
/// - not here → added (with the file's times, or `now`);
/// - here with the same span, tags, memo and quote → unchanged;
/// - here, changed here after the file's version (`updated` later) → kept;
/// - else → updated (stamped `now`); a backup's tombstone → removed.
pub fn plan_import<D: Borrow<Document>>(current: &Coding, documents: &[D], imported: &Imported, now: &str) -> ImportPlan {
    let ours = Ours::new(documents.iter().map(Borrow::borrow).collect());
    let mut plan = ImportPlan { warnings: imported.warnings.clone(), ..ImportPlan::default() };
    let mut matches: HashMap<&str, (Option<usize>, bool)> = HashMap::new();
    for d in &imported.documents {
        if matches.contains_key(d.id.as_str()) {
            continue;
        }
        let (found, same_text) = ours.find(d);
        matches.insert(&d.id, (found.map(|f| f.0), same_text));
        plan.documents.push(DocumentMatch {
            imported: d.id.clone(),
            ours: found.map(|(i, _)| ours.docs[i].meta.id.clone()),
            by: found.map(|f| f.1),
            same_text,
        });
    }
    let stored: Vec<&Annotation> = current.docs().flat_map(|d| current.stored(d)).collect();
    let by_id: HashMap<&str, &Annotation> = stored.iter().map(|a| (a.id.as_str(), *a)).collect();
    let by_span: HashMap<(&str, usize, usize), &str> =
        stored.iter().filter(|a| !a.deleted).map(|a| ((a.doc.as_str(), a.start, a.end), a.id.as_str())).collect();
    let mut tags = TagMap::new(&current.codebook, imported.codebook.as_ref());
    let mut chars: HashMap<usize, Vec<char>> = HashMap::new();
    let mut seen: HashSet<String> = HashSet::new();
    let mut unknown: Vec<(String, usize)> = Vec::new();
    let mut unknown_index: HashMap<String, usize> = HashMap::new();
    for imp in &imported.annotations {
        let (found, same_text) = *matches
            .entry(&imp.doc)
            .or_insert_with(|| ours.named(&imp.doc).map_or((None, false), |(i, _)| (Some(i), false)));
        let Some(di) = found else {
            if !imp.deleted {
                let k = *unknown_index.entry(imp.doc.clone()).or_insert_with(|| {
                    unknown.push((imp.doc.clone(), 0));
                    unknown.len() - 1
                });
                unknown[k].1 += 1;
            }
            continue;
        };
        let doc = ours.docs[di];
        let mut a = imp.clone();
        a.doc = doc.meta.id.clone();
        a.tags = Vec::new();
        for t in &imp.tags {
            if let Some(t) = tags.resolve(t)
                && !a.tags.contains(&t)
            {
                a.tags.push(t);
            }
        }
        if a.tags.is_empty() && !a.deleted {
            let id = if a.id.is_empty() { "(no id)".to_string() } else { a.id.clone() };
            plan.detached.push(Unplaced { id, doc: a.doc.clone(), quote: imp.quote.clone(), reason: "none of its tags could be added".into(), kept: false });
            continue;
        }
        let mut moved = None;
        if !a.deleted {
            let text = chars.entry(di).or_insert_with(|| doc.text.chars().collect());
            match place(text, &mut a, same_text) {
                Ok(m) => moved = m,
                Err(reason) if imp.quote.is_empty() || text.is_empty() => {
                    let id = if a.id.is_empty() { "(no id)".to_string() } else { a.id.clone() };
                    plan.detached.push(Unplaced { id, doc: a.doc.clone(), quote: imp.quote.clone(), reason, kept: false });
                    continue;
                }
                Err(reason) => {
                    // Kept as detached: its own quote, and offsets inside the text (as
                    // every stored annotation's are) near where the file put it.
                    let len = text.len();
                    a.quote = imp.quote.clone();
                    a.start = imp.start.min(len - 1);
                    a.end = imp.end.clamp(a.start + 1, len);
                    if a.id.is_empty() {
                        a.id = made_id(&a.doc, a.start, a.end, 0);
                    }
                    plan.detached.push(Unplaced { id: a.id.clone(), doc: a.doc.clone(), quote: imp.quote.clone(), reason, kept: true });
                }
            }
        }
        // The id: the file's, else ours on the same span, else one made from the span.
        if a.id.is_empty() {
            a.id = by_span.get(&(a.doc.as_str(), a.start, a.end)).map_or_else(|| made_id(&a.doc, a.start, a.end, 0), |id| id.to_string());
        } else if by_id.get(a.id.as_str()).is_some_and(|c| c.doc != a.doc) {
            plan.warnings.push(format!("The id {} is taken by an annotation of another document; this one gets a new id.", a.id));
            a.id = made_id(&a.doc, a.start, a.end, 0);
        }
        let mut n = 0;
        while seen.contains(&a.id) {
            n += 1;
            a.id = made_id(&a.doc, a.start, a.end, n);
        }
        seen.insert(a.id.clone());
        if let Some(mut m) = moved {
            m.id = a.id.clone();
            plan.reanchored.push(m);
        }
        let cur = by_id.get(a.id.as_str()).copied();
        // Ours changed after the file's version (times that cannot be read do not count).
        let ours_newer = |c: &Annotation| matches!((parse_time(&c.updated), parse_time(&a.updated)), (Some(x), Some(y)) if x > y);
        match cur {
            None if a.deleted => {}
            None => {
                for t in [&mut a.created, &mut a.updated] {
                    if t.is_empty() {
                        *t = now.to_string();
                    }
                }
                plan.added.push(a.id.clone());
                plan.writes.push(a);
            }
            Some(c) if a.deleted => {
                if c.deleted {
                    plan.unchanged += 1;
                } else if ours_newer(c) {
                    plan.kept.push(a.id.clone());
                } else {
                    plan.removed.push(a.id.clone());
                    plan.writes.push(Annotation { deleted: true, updated: now.to_string(), ..c.clone() });
                }
            }
            Some(c) if !c.deleted && same_content(c, &a) => plan.unchanged += 1,
            Some(c) if ours_newer(c) => plan.kept.push(a.id.clone()),
            Some(c) => {
                if a.created.is_empty() {
                    a.created = c.created.clone();
                }
                a.updated = now.to_string();
                if c.deleted { plan.added.push(a.id.clone()) } else { plan.updated.push(a.id.clone()) }
                plan.writes.push(a);
            }
        }
    }
    // The file's codebook merges into ours (a backup's unused tags too).
    for t in imported.codebook.iter().flat_map(|b| &b.tags) {
        tags.resolve(&t.id);
    }
    let file_order: Vec<&str> = imported.codebook.iter().flat_map(|b| &b.tags).map(|t| t.id.as_str()).collect();
    tags.place_under_parents(&file_order);
    if tags.refused > 0 {
        plan.warnings.push(format!("The file has more than {MAX_NEW_TAGS} tags that are not in the codebook; {} more were not added.", tags.refused));
    }
    for (ours, theirs) in &tags.named_otherwise {
        plan.warnings.push(format!(
            "The file names the tag {ours} \"{theirs}\": the name here is kept (rename it on the Codebook page if the file's is the right one)."
        ));
    }
    plan.unknown_documents = unknown;
    plan.new_tags = tags.added.iter().filter_map(|id| tags.book.get(id).cloned()).collect();
    plan.codebook = tags.book;
    plan
}

#[cfg(test)]
mod tests;
