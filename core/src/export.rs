//! Exports of coded data, one entry point for the app and the CLI: [`export`]
//! takes a [`Format`], the documents and the coding state, a [`Scope`] (which
//! documents, tags and coder) and an [`ExportMeta`] (app version, export time),
//! and gives an [`ExportFile`] (a meaningful file name and its bytes).
//!
//! Every export names its documents by id and symbol, carries each document's
//! text hash (`text_sha256`, SHA-256 of the UTF-8 text the offsets count in),
//! and records the app version and export time:
//!
//! | format | documents | app version, time | annotation ids, memo, coder, times |
//! |---|---|---|---|
//! | segments CSV | `document`, `symbol`, `text_sha256` columns | `app_version`, `exported_at` columns | columns |
//! | matrix CSV | `document`, `symbol`, `text_sha256`, `coder` columns | `app_version`, `exported_at` columns | (counts only) |
//! | doccano JSONL | `document`, `id`, `symbol`, `text_sha256` per line | per line | `marginalia`: a [`Record`] per annotation |
//! | spaCy JSONL | `meta.id`, `meta.symbol`, `meta.text_sha256` | `meta` | span `id`; `meta.marginalia` records |
//! | Label Studio | `data.id`, `data.symbol`, `data.text_sha256` | `data` | result `id`; memo as a per-region `textarea` result; `data.marginalia` records |
//! | W3C | target `source` (`urn:marginalia:document:<id>`, percent-encoded), `marginalia:text_sha256` | `generator`, `generated` | annotation `id`, `creator`, `created`, `modified`, commenting body |
//! | brat | `<slug>.txt` (the text itself) | `annotation.conf` comment | a `#N\tMarginalia T1\t{record}` note per `T` line |
//! | codebook JSON / Markdown / HTML | — | in the file | — |
//! | backup | `documents` | `app_version`, `exported_at` | everything |
//!
//! Offsets are Unicode code points unless a column or format says otherwise
//! (Label Studio counts UTF-16 code units, as its browser editor does).

use std::borrow::Borrow;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::annotation::Annotation;
use crate::codebook::Codebook;
use crate::coding::Coding;
use crate::document::{Block, BlockKind, Document};
use crate::offsets::OffsetIndex;
use crate::store::UserText;

/// Which Marginalia wrote an export, and when (RFC 3339).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ExportMeta {
    pub app_version: String,
    pub exported_at: String,
    /// Where this Marginalia is served, for a handout's first step (see
    /// [`crate::handout::public_address`]); empty when unknown or private.
    pub app_url: String,
    /// A handout's task for the coders (an exercise: what to code, where, by
    /// when), in the teacher's words; empty for none.
    pub task: String,
    /// The day for file names (`YYYY-MM-DD`) as the user counts it, in their
    /// time zone (`exported_at` is UTC); empty: the day of `exported_at`.
    pub day: String,
}

impl ExportMeta {
    pub fn new(app_version: &str, exported_at: &str) -> ExportMeta {
        ExportMeta { app_version: app_version.into(), exported_at: exported_at.into(), app_url: String::new(), task: String::new(), day: String::new() }
    }

    /// The day of the export (`YYYY-MM-DD`), for file names: the user's, else the export time's.
    pub fn date(&self) -> &str {
        if !self.day.is_empty() {
            return &self.day;
        }
        self.exported_at.get(..10).unwrap_or(&self.exported_at)
    }
}

/// A document and the annotations to export from it (in text order).
pub struct DocAnnotations<'a> {
    pub doc: &'a Document,
    pub annotations: Vec<&'a Annotation>,
    /// Who coded the document (any tag, not only those exported), in name order:
    /// a coder's rows of zeros in a matrix, or a document with no spans in a
    /// training file, say "coded, none found" only for them. None: no one coded it.
    pub coders: Vec<&'a str>,
}

impl<'a> DocAnnotations<'a> {
    /// A document with these annotations, coded by their coders.
    pub fn new(doc: &'a Document, annotations: Vec<&'a Annotation>) -> Self {
        let mut coders: Vec<&str> = annotations.iter().map(|a| a.coder.as_str()).collect();
        coders.sort_unstable();
        coders.dedup();
        DocAnnotations { doc, annotations, coders }
    }
}

/// What to export: `None` means all (documents, tags, coders).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    /// Document ids.
    pub documents: Option<Vec<String>>,
    /// Tag ids: annotations keep only these tags; one left with none is left out.
    pub tags: Option<Vec<String>>,
    /// Only this coder's annotations.
    pub coder: Option<String>,
    /// Only annotations that carry every chosen tag (co-occurrence), not just one.
    pub all_tags: bool,
}

/// The annotations a [`Scope`] selects, per document (owned: tags may be cut).
pub struct Selection<'a> {
    /// Each document, its annotations in scope, and who coded it (any tag).
    pub docs: Vec<(&'a Document, Vec<Annotation>, Vec<String>)>,
}

impl Selection<'_> {
    /// The selection in the form every exporter takes.
    pub fn doc_annotations(&self) -> Vec<DocAnnotations<'_>> {
        self.docs
            .iter()
            .map(|(doc, list, coders)| DocAnnotations { doc, annotations: list.iter().collect(), coders: coders.iter().map(String::as_str).collect() })
            .collect()
    }
}

impl Scope {
    /// Everything.
    pub fn all() -> Scope {
        Scope::default()
    }

    /// One document.
    pub fn document(id: &str) -> Scope {
        Scope { documents: Some(vec![id.to_string()]), ..Scope::default() }
    }

    pub fn includes_document(&self, id: &str) -> bool {
        self.documents.as_ref().is_none_or(|d| d.iter().any(|x| x == id))
    }

    pub fn includes_tag(&self, id: &str) -> bool {
        self.tags.as_ref().is_none_or(|t| t.iter().any(|x| x == id))
    }

    /// The scope's part of a file name: the document's symbol (`S-2019-103`)
    /// for one document, `corpus` for all of them, else `N-documents`.
    pub fn label<D: Borrow<Document>>(&self, docs: &[D]) -> String {
        let chosen: Vec<&Document> = docs.iter().map(Borrow::borrow).filter(|d| self.includes_document(&d.meta.id)).collect();
        match chosen.as_slice() {
            [one] if docs.len() > 1 || self.documents.is_some() => {
                crate::route::slug(one.meta.symbol.as_deref().unwrap_or(&one.meta.id))
            }
            _ if chosen.len() == docs.len() => "corpus".into(),
            _ => format!("{}-documents", chosen.len()),
        }
    }

    /// The live annotations in scope, per document in the order of `docs`
    /// (documents outside the scope left out; documents in scope kept even with
    /// no annotation, so a matrix or a corpus file covers them). Tombstones are
    /// skipped; each annotation keeps only the chosen tags and is left out when
    /// none remains; text order.
    pub fn select<'a, D: Borrow<Document>>(&self, docs: &'a [D], coding: &Coding) -> Selection<'a> {
        let docs = docs
            .iter()
            .map(Borrow::borrow)
            .filter(|d| self.includes_document(&d.meta.id))
            .map(|d| {
                let list = coding
                    .live(&d.meta.id)
                    .filter(|a| self.admits(a))
                    .map(|a| match self.tags {
                        None => a.clone(),
                        Some(_) => Annotation { tags: a.tags.iter().filter(|t| self.includes_tag(t)).cloned().collect(), ..a.clone() },
                    })
                    .collect();
                let mut coders: Vec<String> = coding
                    .live(&d.meta.id)
                    .filter(|a| self.coder.as_ref().is_none_or(|c| a.coder == *c))
                    .map(|a| a.coder.clone())
                    .collect();
                coders.sort_unstable();
                coders.dedup();
                (d, list, coders)
            })
            .collect();
        Selection { docs }
    }

    /// Whether a live annotation is in scope: its coder, and at least one chosen
    /// tag (every chosen tag with `all_tags`).
    fn admits(&self, a: &Annotation) -> bool {
        let tags = match (&self.tags, self.all_tags) {
            (Some(chosen), true) => chosen.iter().all(|t| a.tags.contains(t)),
            _ => a.tags.iter().any(|t| self.includes_tag(t)),
        };
        self.coder.as_ref().is_none_or(|c| a.coder == *c) && tags
    }

    /// How many annotations [`Scope::select`] would give in each document in
    /// scope, without copying them (for a preview that follows every change).
    fn per_document<'a, D: Borrow<Document>>(&'a self, docs: &'a [D], coding: &'a Coding) -> impl Iterator<Item = usize> + 'a {
        docs.iter()
            .map(Borrow::borrow)
            .filter(|d| self.includes_document(&d.meta.id))
            .map(move |d| coding.live(&d.meta.id).filter(|a| self.admits(a)).count())
    }

    /// How many documents and annotations [`Scope::select`] would give.
    pub fn count<D: Borrow<Document>>(&self, docs: &[D], coding: &Coding) -> (usize, usize) {
        self.per_document(docs, coding).fold((0, 0), |(n, m), k| (n + 1, m + k))
    }

    /// What an export of this scope holds, in words for a preview: "12
    /// annotations from 1 document", "3 annotations from 2 of 5 documents",
    /// "no annotation in 5 documents".
    pub fn summary<D: Borrow<Document>>(&self, docs: &[D], coding: &Coding) -> String {
        let (n, with, anns) = self.per_document(docs, coding).fold((0, 0, 0), |(n, with, anns), k| (n + 1, with + usize::from(k > 0), anns + k));
        match (anns, with == n) {
            (0, _) => format!("no annotation in {}", crate::count(n, "document")),
            (_, true) => format!("{} from {}", crate::count(anns, "annotation"), crate::count(n, "document")),
            (_, false) => format!("{} from {with} of {}", crate::count(anns, "annotation"), crate::count(n, "document")),
        }
    }

    /// The codebook's tags in scope, in codebook order.
    pub fn codebook(&self, book: &Codebook) -> Codebook {
        Codebook { tags: book.tags.iter().filter(|t| self.includes_tag(&t.id)).cloned().collect() }
    }
}

/// Every export Marginalia writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    SegmentsCsv,
    Matrix,
    Doccano,
    Spacy,
    W3c,
    Brat,
    LabelStudio,
    Qdpx,
    Qdc,
    CodebookJson,
    CodebookMarkdown,
    CodebookHtml,
    Backup,
}

impl Format {
    pub const ALL: [Format; 13] = [
        Format::SegmentsCsv,
        Format::Matrix,
        Format::Doccano,
        Format::Spacy,
        Format::W3c,
        Format::Brat,
        Format::LabelStudio,
        Format::Qdpx,
        Format::Qdc,
        Format::CodebookJson,
        Format::CodebookMarkdown,
        Format::CodebookHtml,
        Format::Backup,
    ];

    /// The short name the CLI's `--format` and the app's `data-export` use,
    /// what the export dialog calls it, the file extension and the MIME type.
    fn info(self) -> (&'static str, &'static str, &'static str, &'static str) {
        const CSV: &str = "text/csv;charset=utf-8";
        const JSONL: &str = "application/jsonl";
        const JSON: &str = "application/json";
        const ZIP: &str = "application/zip";
        match self {
            Format::SegmentsCsv => ("csv", "Coded segments (CSV)", "csv", CSV),
            Format::Matrix => ("matrix", "Paragraph × tag matrix (CSV)", "csv", CSV),
            Format::Doccano => ("doccano", "doccano (JSONL)", "jsonl", JSONL),
            Format::Spacy => ("spacy", "spaCy / Prodigy (JSONL)", "jsonl", JSONL),
            Format::W3c => ("w3c", "W3C Web Annotation (JSON-LD)", "jsonld", "application/ld+json"),
            Format::Brat => ("brat", "brat standoff (zip)", "zip", ZIP),
            Format::LabelStudio => ("labelstudio", "Label Studio (JSON)", "json", JSON),
            Format::Qdpx => ("qdpx", "REFI-QDA project (.qdpx)", "qdpx", ZIP),
            Format::Qdc => ("qdc", "REFI-QDA codebook (.qdc)", "qdc", "application/xml"),
            Format::CodebookJson => ("codebook-json", "Codebook (JSON)", "json", JSON),
            Format::CodebookMarkdown => ("codebook-md", "Codebook handout (Markdown)", "md", "text/markdown;charset=utf-8"),
            Format::CodebookHtml => ("codebook-html", "Codebook handout (printable HTML)", "html", "text/html;charset=utf-8"),
            Format::Backup => ("backup", "Backup (JSON)", "json", JSON),
        }
    }

    /// The short name the CLI's `--format` and the app's `data-export` use.
    pub fn key(self) -> &'static str {
        self.info().0
    }

    pub fn from_key(key: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.key() == key)
    }

    /// What the export dialog calls it.
    pub fn label(self) -> &'static str {
        self.info().1
    }

    pub fn extension(self) -> &'static str {
        self.info().2
    }

    pub fn mime(self) -> &'static str {
        self.info().3
    }

    /// The codebook alone: documents, coder and annotations do not apply.
    pub fn is_codebook(self) -> bool {
        matches!(self, Format::Qdc | Format::CodebookJson | Format::CodebookMarkdown | Format::CodebookHtml)
    }

    /// Whether the file is text (else bytes: a zip).
    pub fn is_text(self) -> bool {
        !matches!(self, Format::Brat | Format::Qdpx)
    }

    /// The part of the file name that says what the file holds.
    fn kind(self) -> &'static str {
        match self {
            Format::SegmentsCsv => "segments",
            Format::Qdpx => "refi",
            Format::Backup => "backup",
            Format::CodebookHtml | Format::CodebookMarkdown => "handout",
            f if f.is_codebook() => "codebook",
            f => f.key(),
        }
    }

    /// `marginalia-<scope>-<kind>[-<coder>]-<date>.<ext>`, e.g.
    /// `marginalia-S-2019-103-segments-2026-11-22.csv` or
    /// `marginalia-corpus-doccano-Ana-2026-11-22.jsonl` (`coder`: whose work the
    /// file holds, when it is one coder's, so that a class's files differ); the
    /// codebook formats and the backup are not scoped to documents:
    /// `marginalia-codebook-2026-11-22.json`, `marginalia-handout-2026-11-22.html`,
    /// `marginalia-backup-Ana-2026-11-22-1415.json` (the web app gives a backup
    /// the time too, in `date`: one person's two hand-ins of a day differ).
    pub fn file_name(self, scope_label: &str, coder: Option<&str>, date: &str) -> String {
        let who = coder.map(file_slug).filter(|s| !s.is_empty() && !self.is_codebook()).map(|s| format!("-{s}")).unwrap_or_default();
        if self.is_codebook() || self == Format::Backup {
            format!("marginalia-{}{who}-{date}.{}", self.kind(), self.extension())
        } else {
            format!("marginalia-{scope_label}-{}{who}-{date}.{}", self.kind(), self.extension())
        }
    }
}

/// A name as part of a file name: letters and digits kept, any other run of
/// characters one `-`, at most 40 characters ("Ana María" → "Ana-María"). A
/// name of symbols alone (emoji) gets a short code of its own ("name-3f9a1c"),
/// so that two such names do not give the same file name.
pub fn file_slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').chars().take(40).collect::<String>().trim_end_matches('-').to_string();
    if out.is_empty() && s.chars().any(|c| !c.is_ascii()) {
        // FNV-1a of the name: the same name, the same code.
        let hash = s.trim().bytes().fold(0x811c_9dc5u32, |h, b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193));
        return format!("name-{:06x}", hash & 0xff_ffff);
    }
    out
}

/// Export choices beyond the scope.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExportOptions {
    /// CSV: start with a byte order mark (for Excel).
    pub bom: bool,
    /// Matrix: 1 when a paragraph has the tag at all, instead of a count.
    pub presence: bool,
}

/// What the app and the CLI export from (`D`: a `Document`, or an `Arc` of one).
pub struct Source<'a, D: Borrow<Document> = Document> {
    /// Every document (built-in reports and the user's own texts), in display order.
    pub documents: &'a [D],
    pub coding: &'a Coding,
    /// The user's own texts, which a backup carries.
    pub texts: &'a [UserText],
    /// The coder a backup names.
    pub coder: &'a str,
}

/// A file to save.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportFile {
    pub name: String,
    pub mime: &'static str,
    pub bytes: Vec<u8>,
}

/// Why an export could not be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportError(pub String);

impl std::fmt::Display for ExportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ExportError {}

/// Exports `format`. The scope applies to the annotation formats (documents,
/// tags, coder) and its tags to the codebook formats; a backup is always the
/// whole coding state (every annotation, tombstones included, and the user's
/// texts), since it must restore exactly.
pub fn export<D: Borrow<Document>>(format: Format, source: &Source<'_, D>, scope: &Scope, options: &ExportOptions, meta: &ExportMeta) -> Result<ExportFile, ExportError> {
    let book = &source.coding.codebook;
    let selection = (!format.is_codebook() && format != Format::Backup).then(|| scope.select(source.documents, source.coding));
    let docs = selection.as_ref().map(Selection::doc_annotations).unwrap_or_default();
    let who = whose(format, scope, &docs, source.coder);
    let bytes = |b: Vec<u8>| Ok(ExportFile { name: format.file_name(&scope.label(source.documents), who, meta.date()), mime: format.mime(), bytes: b });
    let text = match format {
        Format::Brat => return bytes(crate::archive::write_zip(&brat_files(&docs, &scope.codebook(book), meta))),
        Format::Qdpx => return bytes(crate::refi::qdpx(&docs, book, &meta.app_version, &meta.exported_at)),
        Format::Qdc => crate::refi::qdc(&scope.codebook(book), &meta.app_version, &meta.exported_at),
        Format::SegmentsCsv => segments_csv(&docs, book, options.bom, meta),
        Format::Matrix => matrix_csv(&docs, &scope.codebook(book), options, meta),
        Format::Doccano => doccano_jsonl(&docs, &scope.codebook(book), meta),
        Format::Spacy => spacy_jsonl(&docs, &scope.codebook(book), meta),
        Format::W3c => w3c_collection(&docs, book, meta),
        Format::LabelStudio => label_studio_tasks(&docs, book, meta),
        Format::CodebookJson => scope.codebook(book).to_json_stamped(&meta.app_version, &meta.exported_at),
        Format::CodebookMarkdown => crate::handout::markdown(&scope.codebook(book), meta),
        Format::CodebookHtml => crate::handout::html(&scope.codebook(book), meta),
        Format::Backup => {
            let docs = source.documents;
            let hashes = |id: &str| docs.iter().map(Borrow::borrow).find(|d: &&Document| d.meta.id == id).map(|d| d.text_sha256());
            let store_meta = crate::store::Meta { coder: source.coder.to_string(), ..crate::store::Meta::default() };
            crate::store::backup(source.coding, &store_meta, &hashes, source.texts.to_vec(), &meta.app_version, &meta.exported_at).to_json()
        }
    };
    bytes(text.into_bytes())
}

/// Whose work a file is, for its name: the coder chosen, else the one coder of
/// every annotation exported (so a student's export names the student), or for
/// a backup, the coder of this browser (`me`).
fn whose<'a>(format: Format, scope: &'a Scope, docs: &[DocAnnotations<'a>], me: &'a str) -> Option<&'a str> {
    if format == Format::Backup {
        return Some(me);
    }
    scope.coder.as_deref().or_else(|| {
        let mut coders = docs.iter().flat_map(|d| d.annotations.iter().map(|a| a.coder.as_str()));
        let first = coders.next()?;
        coders.all(|c| c == first).then_some(first)
    })
}

/// The name [`export`] gives the file, for a preview before it is made.
pub fn file_name_of<D: Borrow<Document>>(format: Format, source: &Source<'_, D>, scope: &Scope, date: &str) -> String {
    let selection = (!format.is_codebook() && format != Format::Backup).then(|| scope.select(source.documents, source.coding));
    let docs = selection.as_ref().map(Selection::doc_annotations).unwrap_or_default();
    format.file_name(&scope.label(source.documents), whose(format, scope, &docs, source.coder), date)
}

/// Whether a cell would be run as a formula by a spreadsheet (OWASP: it
/// starts with `=`, `+`, `-`, `@`, a tab, CR or LF), or is such a cell already
/// neutralised, any number of times (`'` repeated, then one of those).
fn looks_like_formula(s: &str) -> bool {
    s.trim_start_matches('\'').starts_with(['=', '+', '-', '@', '\t', '\r', '\n'])
}

/// Neutralises a cell a spreadsheet would run as a formula: one that starts
/// with `=`, `+`, `-`, `@`, a tab, CR or LF gets a leading `'`. So that the
/// rule can be undone exactly, a cell that starts with apostrophes followed by
/// one of those characters gets one more `'`. Every other cell is written as it
/// is. [`restore_cell`] undoes it.
pub fn safe_cell(s: &str) -> String {
    if looks_like_formula(s) { format!("'{s}") } else { s.to_string() }
}

/// Undoes [`safe_cell`]: a cell made of one or more `'` followed by `=`, `+`,
/// `-`, `@`, a tab, CR or LF loses its first `'`. Any other cell is read as it is.
pub fn restore_cell(s: &str) -> &str {
    match s.strip_prefix('\'') {
        Some(rest) if looks_like_formula(rest) => rest,
        _ => s,
    }
}

/// RFC 4180 CSV (CRLF line ends, fields quoted where needed), every cell
/// formula-safe, with an optional byte order mark. (Written here rather than
/// with the csv crate's writer, which links float parsing and its 17 KB of
/// tables into the web build for a quoting style we do not use; the csv crate
/// reads, and the round-trip tests and pandas check what this writes.)
pub(crate) struct CsvOut(String);

impl CsvOut {
    pub(crate) fn new() -> CsvOut {
        CsvOut(String::new())
    }

    pub(crate) fn row<S: AsRef<str>>(&mut self, cells: impl IntoIterator<Item = S>) {
        for (i, cell) in cells.into_iter().enumerate() {
            if i > 0 {
                self.0.push(',');
            }
            let cell = safe_cell(cell.as_ref());
            if cell.contains([',', '"', '\r', '\n']) {
                self.0.push('"');
                self.0.push_str(&cell.replace('"', "\"\""));
                self.0.push('"');
            } else {
                self.0.push_str(&cell);
            }
        }
        self.0.push_str("\r\n");
    }

    /// Text cells added at the end of the row just written (formula-safe, quoted where needed).
    pub(crate) fn then_text<S: AsRef<str>>(&mut self, text: impl IntoIterator<Item = S>) {
        self.0.truncate(self.0.len() - 2);
        let mut tail = CsvOut::new();
        tail.row(text);
        self.0.push(',');
        self.0.push_str(&tail.0);
    }

    /// A row whose first cells are text (formula-safe, as in [`CsvOut::row`]) and
    /// the rest numbers written by this crate, as they are: a negative measure
    /// (a kappa of -0.25) stays a number for pandas, R and spreadsheets.
    pub(crate) fn row_with_numbers<S: AsRef<str>>(&mut self, text: impl IntoIterator<Item = S>, numbers: impl IntoIterator<Item = String>) {
        self.row(text);
        self.0.truncate(self.0.len() - 2);
        for n in numbers {
            debug_assert!(n.bytes().all(|b| b.is_ascii_digit() || b == b'.' || b == b'-'), "{n}");
            self.0.push(',');
            self.0.push_str(&n);
        }
        self.0.push_str("\r\n");
    }

    pub(crate) fn finish(self, bom: bool) -> String {
        if bom { format!("\u{feff}{}", self.0) } else { self.0 }
    }
}

/// The blocks `start..end` touches (an empty range at a point touches its block).
fn touched(blocks: &[Block], start: usize, end: usize) -> std::ops::Range<usize> {
    let first = blocks.partition_point(|b| b.end <= start);
    let last = first + blocks[first..].partition_point(|b| b.start < end.max(start + 1));
    first..last
}

/// Per block, its heading path joined with " › ", as `tag_path` joins a code tree (computed once per document).
/// A footnote's is the path of the paragraph that cites it (notes are listed at the
/// end, after the last heading), or none when no marker cites it.
fn section_paths(doc: &Document) -> Vec<String> {
    let mut path: Vec<(u8, &str)> = Vec::new();
    let mut paths: Vec<String> = doc
        .blocks
        .iter()
        .map(|b| {
            let here = path.iter().map(|(_, t)| *t).collect::<Vec<_>>().join(" › ");
            if let BlockKind::Heading { level } = b.kind {
                path.retain(|(l, _)| *l < level);
                path.push((level, doc.block_text(b)));
            }
            here
        })
        .collect();
    for i in 0..doc.blocks.len() {
        if let BlockKind::Footnote { number } = doc.blocks[i].kind {
            let citing = doc.notes.iter().find(|r| r.number == number).map(|r| doc.blocks.partition_point(|b| b.end < r.at));
            paths[i] = citing.filter(|&j| j < doc.blocks.len() && j != i).map(|j| paths[j].clone()).unwrap_or_default();
        }
    }
    paths
}

/// Paragraph numbers covered by `start..end` ("12" or "12-13"), and the index of
/// the first block touched (0 when none is).
fn place(doc: &Document, start: usize, end: usize) -> (String, usize, [String; 2]) {
    let range = touched(&doc.blocks, start, end);
    let index = if range.is_empty() { 0 } else { range.start };
    let mut numbers = doc.blocks[range].iter().filter_map(|b| match b.kind {
        BlockKind::Paragraph { number } => number,
        _ => None,
    });
    let first = numbers.next();
    let last = numbers.next_back().or(first);
    let paragraphs = match (first, last) {
        (Some(a), Some(b)) if a != b => format!("{a}-{b}"),
        (Some(a), _) => a.to_string(),
        _ => String::new(),
    };
    let number = |n: Option<u32>| n.map(|n| n.to_string()).unwrap_or_default();
    (paragraphs, index, [number(first), number(last)])
}

pub const SEGMENT_COLUMNS: [&str; 28] = [
    "annotation_id", "document", "symbol", "ordinal", "date", "section", "paragraphs", "start", "end",
    "start_utf16", "end_utf16", "start_utf8", "end_utf8", "tag", "text", "memo", "coder", "created",
    "updated", "text_sha256", "tag_id", "app_version", "exported_at", "tag_path", "paragraph_first", "paragraph_last",
    "citation", "title",
];

/// Segments CSV: one row per annotation and tag (`tag`: the tag's name as the
/// codebook has it now; `tag_id`: the id it keeps through renames, for joining
/// exports made before and after one; `tag_path`: its path in the
/// code tree, "threat › attacks"; `paragraphs` a label, "12" or "17-18", and
/// `paragraph_first`/`paragraph_last` its ends as whole numbers, empty where the
/// span is in no numbered paragraph, to filter on; `citation` as the app cites
/// the span: "S/2019/103 ¶12", "S/2019/103 ¶17–18", a footnote "S/2019/103 n. 9"), RFC 4180, UTF-8 (with a BOM when
/// `bom`, for Excel), formula-safe cells (see [`safe_cell`]). `text` is the
/// quote; `text_sha256` the hash of the document's text; every row repeats the
/// app version and export time so that a row read alone still says where it
/// came from.
pub fn segments_csv(docs: &[DocAnnotations<'_>], book: &Codebook, bom: bool, meta: &ExportMeta) -> String {
    let mut w = CsvOut::new();
    w.row(SEGMENT_COLUMNS);
    for d in docs {
        if d.annotations.is_empty() {
            continue;
        }
        let index = OffsetIndex::new(&d.doc.text);
        let sha = d.doc.text_sha256();
        let sections = section_paths(d.doc);
        let m = &d.doc.meta;
        let (symbol, ordinal, date) =
            (m.symbol.as_deref().unwrap_or(""), m.ordinal.map(|n| n.to_string()).unwrap_or_default(), m.date.as_deref().unwrap_or(""));
        for a in &d.annotations {
            let (paragraphs, block, [first, last]) = place(d.doc, a.start, a.end);
            let section = sections.get(block).map(String::as_str).unwrap_or("");
            let (s16, e16, s8, e8) =
                (index.cp_to_utf16(a.start), index.cp_to_utf16(a.end), index.cp_to_utf8(a.start), index.cp_to_utf8(a.end));
            let numbers = [a.start, a.end, s16, e16, s8, e8].map(|n| n.to_string());
            let citation = a.cite(d.doc);
            for tag in &a.tags {
                let name = book.get(tag).map(|t| t.name.as_str()).unwrap_or(tag);
                let path = book.path(tag);
                w.row([
                    &a.id, &m.id, symbol, &ordinal, date, section, &paragraphs, &numbers[0], &numbers[1], &numbers[2],
                    &numbers[3], &numbers[4], &numbers[5], name, &a.quote, &a.memo, &a.coder, &a.created, &a.updated, &sha,
                    tag, &meta.app_version, &meta.exported_at, &path, &first, &last, &citation, &m.title,
                ]);
            }
        }
    }
    w.finish(bom)
}

/// The columns of the matrix before the tags.
pub const MATRIX_COLUMNS: [&str; 12] =
    ["document", "symbol", "ordinal", "date", "kind", "number", "section", "text_sha256", "coder", "app_version", "exported_at", "title"];

/// Paragraph × tag matrix CSV: one row per paragraph and footnote of each
/// document and coder (`kind` is `paragraph` or `footnote`; `number` the UN
/// paragraph number, empty for an unnumbered paragraph, or the footnote's
/// number; `coder` each coder who coded the document, in name order, every
/// block for each, so that each coder's matrix of a text is whole and the
/// coders' rows for a block are side by side; a text a coder did not code has
/// no rows of theirs, rather than rows of zeros that would read as "coded,
/// found nothing"), one column per tag of `book` headed by the tag's name: how
/// many of the coder's annotations of that tag overlap the block (with
/// `options.presence`, 1 or 0). A document no one coded has one row per block
/// and an empty coder. Headings have no row. Same conventions as the segments CSV.
pub fn matrix_csv(docs: &[DocAnnotations<'_>], book: &Codebook, options: &ExportOptions, meta: &ExportMeta) -> String {
    let mut w = CsvOut::new();
    // A tag named as a column before the tags ("date", "coder") is headed "date (tag)":
    // pandas would read two columns of one name as "date" and "date.1".
    let heads: Vec<String> = book
        .tags
        .iter()
        .map(|t| if MATRIX_COLUMNS.contains(&t.name.as_str()) { format!("{} (tag)", t.name) } else { t.name.clone() })
        .collect();
    w.row(MATRIX_COLUMNS.iter().copied().chain(heads.iter().map(String::as_str)));
    let column: std::collections::HashMap<&str, usize> = book.tags.iter().enumerate().map(|(i, t)| (t.id.as_str(), i)).collect();
    // A text no one coded has no rows: zeros would read as "coded, none found".
    for d in docs.iter().filter(|d| !d.coders.is_empty()) {
        let coders = &d.coders;
        let blocks = &d.doc.blocks;
        // counts[block][coder][tag]
        let mut counts = vec![vec![vec![0usize; book.tags.len()]; coders.len()]; blocks.len()];
        for a in &d.annotations {
            let Ok(k) = coders.binary_search(&a.coder.as_str()) else { continue };
            let cols: Vec<usize> = a.tags.iter().filter_map(|t| column.get(t.as_str()).copied()).collect();
            for row in &mut counts[touched(blocks, a.start, a.end)] {
                for &c in &cols {
                    row[k][c] += 1;
                }
            }
        }
        let sha = d.doc.text_sha256();
        let sections = section_paths(d.doc);
        let m = &d.doc.meta;
        let ordinal = m.ordinal.map(|n| n.to_string()).unwrap_or_default();
        for (i, b) in blocks.iter().enumerate() {
            let (kind, number) = match b.kind {
                BlockKind::Paragraph { number } => ("paragraph", number),
                BlockKind::Footnote { number } => ("footnote", Some(number)),
                BlockKind::Heading { .. } => continue,
            };
            let number = number.map(|n| n.to_string()).unwrap_or_default();
            for (k, coder) in coders.iter().enumerate() {
                let fixed = [
                    m.id.as_str(), m.symbol.as_deref().unwrap_or(""), &ordinal, m.date.as_deref().unwrap_or(""), kind, &number,
                    &sections[i], &sha, coder, &meta.app_version, &meta.exported_at, &m.title,
                ]
                .map(str::to_string);
                let cells = counts[i][k].iter().map(|&n| if options.presence { usize::from(n > 0) } else { n }.to_string());
                w.row(fixed.into_iter().chain(cells));
            }
        }
    }
    w.finish(options.bom)
}

/// An annotation's own data as the JSON formats carry it beside their labels,
/// so that a file read back gives the same annotations (ids, memos, coders,
/// times). The labels themselves stay authoritative: a label edited in another
/// tool wins over its record, and a record whose labels are gone is dropped.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub id: String,
    #[serde(default)]
    pub start: usize,
    #[serde(default)]
    pub end: usize,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub memo: String,
    #[serde(default)]
    pub coder: String,
    #[serde(default)]
    pub created: String,
    #[serde(default)]
    pub updated: String,
}

impl Record {
    pub fn of(a: &Annotation) -> Record {
        Record {
            id: a.id.clone(),
            start: a.start,
            end: a.end,
            tags: a.tags.clone(),
            memo: a.memo.clone(),
            coder: a.coder.clone(),
            created: a.created.clone(),
            updated: a.updated.clone(),
        }
    }
}

fn json_line(out: &mut String, value: &impl Serialize) {
    out.push_str(&serde_json::to_string(value).unwrap_or_default());
    out.push('\n');
}

/// What the JSON formats say of a document: its id, symbol, date and text hash,
/// which Marginalia exported it and when, the annotations' records, and the
/// tags their labels name (`marginalia_tags`: id → name, so that a label, which
/// is the tag's name, reads back as the tag even after a rename).
#[derive(Serialize)]
struct DocMeta<'a> {
    id: &'a str,
    symbol: Option<&'a str>,
    date: Option<&'a str>,
    text_sha256: String,
    app_version: &'a str,
    exported_at: &'a str,
    marginalia: Vec<Record>,
    marginalia_tags: BTreeMap<&'a str, &'a str>,
}

/// The label of tag `id`: its name in `book` (its id when the book lacks it).
fn tag_label<'a>(book: &'a Codebook, id: &'a str) -> &'a str {
    book.get(id).map_or(id, |t| t.name.as_str())
}

impl<'a> DocMeta<'a> {
    fn of(d: &'a DocAnnotations<'_>, book: &'a Codebook, meta: &'a ExportMeta) -> DocMeta<'a> {
        let m = &d.doc.meta;
        DocMeta {
            marginalia_tags: d.annotations.iter().flat_map(|a| &a.tags).map(|t| (t.as_str(), tag_label(book, t))).collect(),
            id: &m.id,
            symbol: m.symbol.as_deref(),
            date: m.date.as_deref(),
            text_sha256: d.doc.text_sha256(),
            app_version: &meta.app_version,
            exported_at: &meta.exported_at,
            marginalia: d.annotations.iter().map(|a| Record::of(a)).collect(),
        }
    }
}

#[derive(Serialize)]
struct Doccano<'a> {
    /// doccano replaces `id` with its own on export; `document` stays.
    document: &'a str,
    text: &'a str,
    label: Vec<(usize, usize, &'a str)>,
    #[serde(flatten)]
    meta: DocMeta<'a>,
}

/// doccano JSONL: one line per document with `[start, end, tag name]` labels
/// (doccano's sequence-labelling import); the other keys are kept by doccano as
/// metadata: `document` (and `id`), `symbol`, `date`, `text_sha256`,
/// `app_version`, `exported_at`, `marginalia`, a [`Record`] per annotation
/// (matched back to the labels by span and tag), and `marginalia_tags`.
pub fn doccano_jsonl(docs: &[DocAnnotations<'_>], book: &Codebook, meta: &ExportMeta) -> String {
    let mut out = String::new();
    // A text no one coded is left out: with no labels, it would teach "nothing here".
    for d in docs.iter().filter(|d| !d.coders.is_empty()) {
        let label = d.annotations.iter().flat_map(|a| a.tags.iter().map(move |t| (a.start, a.end, tag_label(book, t)))).collect();
        json_line(&mut out, &Doccano { document: &d.doc.meta.id, text: &d.doc.text, label, meta: DocMeta::of(d, book, meta) });
    }
    out
}

#[derive(Serialize)]
struct SpacySpan<'a> {
    start: usize,
    end: usize,
    label: &'a str,
    id: &'a str,
}

#[derive(Serialize)]
struct Spacy<'a> {
    text: &'a str,
    meta: DocMeta<'a>,
    spans: Vec<SpacySpan<'a>>,
}

/// spaCy / Prodigy JSONL: `{"text", "meta", "spans": [{"start", "end", "label", "id"}]}`,
/// a span per annotation and tag (`label` the tag's name), `id` the annotation's;
/// overlapping spans are kept (read them into `doc.spans["sc"]`). `meta` holds
/// the document's id, symbol, date, text hash, app version, export time, the
/// records and the tags' ids behind the names.
pub fn spacy_jsonl(docs: &[DocAnnotations<'_>], book: &Codebook, meta: &ExportMeta) -> String {
    let mut out = String::new();
    // A text no one coded is left out: with no spans, it would teach "nothing here".
    for d in docs.iter().filter(|d| !d.coders.is_empty()) {
        let spans = d
            .annotations
            .iter()
            .flat_map(|a| a.tags.iter().map(move |t| SpacySpan { start: a.start, end: a.end, label: tag_label(book, t), id: &a.id }))
            .collect();
        json_line(&mut out, &Spacy { text: &d.doc.text, meta: DocMeta::of(d, book, meta), spans });
    }
    out
}

/// The prefixes of the ids in a W3C export.
pub const W3C_ANNOTATION: &str = "urn:marginalia:annotation:";
pub const W3C_DOCUMENT: &str = "urn:marginalia:document:";
pub const W3C_TAG: &str = "urn:marginalia:tag:";
pub const W3C_TEXT_SHA256: &str = "marginalia:text_sha256";
/// The key of a tagging body that holds the tag's id.
pub const W3C_TAG_KEY: &str = "marginalia:tag";

/// A name as part of a URN: letters, digits and `-._~/:@` as they are, every
/// other byte percent-encoded (UTF-8), so ids in any script or with spaces
/// still make a valid URI. [`urn_unpart`] reverses it.
pub fn urn_part(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/:@".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Decodes the `%XX` escapes of [`urn_part`]; a `%` not followed by two hex
/// digits, or escapes that do not make UTF-8, are left as they are.
pub fn urn_unpart(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        if b[i] == b'%'
            && let (Some(h), Some(l)) = (b.get(i + 1).copied().and_then(hex), b.get(i + 2).copied().and_then(hex))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
}

#[derive(Serialize)]
struct W3cBody<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    purpose: &'static str,
    value: &'a str,
    /// The tag's id ([`W3C_TAG_KEY`]): a body with an `id` would read as an
    /// external resource, which may not have a purpose.
    #[serde(rename = "marginalia:tag", skip_serializing_if = "Option::is_none")]
    tag: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    format: Option<&'static str>,
}

#[derive(Serialize)]
struct W3cNamed<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    name: &'a str,
}

#[derive(Serialize)]
#[serde(tag = "type")]
enum W3cSelector<'a> {
    TextQuoteSelector { exact: &'a str, prefix: &'a str, suffix: &'a str },
    TextPositionSelector { start: usize, end: usize },
}

#[derive(Serialize)]
struct W3cTarget<'a> {
    source: &'a str,
    selector: [W3cSelector<'a>; 2],
    #[serde(rename = "marginalia:text_sha256")]
    text_sha256: &'a str,
}

#[derive(Serialize)]
struct W3cAnnotation<'a> {
    id: String,
    #[serde(rename = "type")]
    kind: &'static str,
    motivation: &'static str,
    created: &'a str,
    modified: &'a str,
    creator: W3cNamed<'a>,
    body: Vec<W3cBody<'a>>,
    target: W3cTarget<'a>,
}

#[derive(Serialize)]
struct W3cPage<'a> {
    id: String,
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(rename = "startIndex")]
    start_index: usize,
    items: Vec<W3cAnnotation<'a>>,
}

#[derive(Serialize)]
struct W3cCollection<'a> {
    #[serde(rename = "@context")]
    context: (&'static str, serde_json::Value),
    id: String,
    #[serde(rename = "type")]
    kind: &'static str,
    label: &'static str,
    generator: W3cNamed<'a>,
    generated: &'a str,
    total: usize,
    first: W3cPage<'a>,
}

/// W3C Web Annotation: an `AnnotationCollection` (JSON-LD) whose annotations
/// carry a tagging `TextualBody` per tag (`value` the name, `marginalia:tag`
/// the id), a commenting body for the memo, and a target with a
/// `TextQuoteSelector` and a `TextPositionSelector` (code points). Ids are URNs
/// whose parts are percent-encoded ([`urn_part`]); the embedded page has its
/// own id. It passes the W3C test suite's MUST assertions
/// (`tests/consumers/check_w3c.py`).
pub fn w3c_collection(docs: &[DocAnnotations<'_>], book: &Codebook, meta: &ExportMeta) -> String {
    let sources: Vec<(String, String)> = docs.iter().map(|d| (format!("{W3C_DOCUMENT}{}", urn_part(&d.doc.meta.id)), d.doc.text_sha256())).collect();
    let mut items = Vec::new();
    for (d, (source, sha)) in docs.iter().zip(&sources) {
        for a in &d.annotations {
            let mut body: Vec<W3cBody<'_>> = a
                .tags
                .iter()
                .map(|t| W3cBody {
                    kind: "TextualBody",
                    purpose: "tagging",
                    value: book.get(t).map(|x| x.name.as_str()).unwrap_or(t),
                    tag: Some(t),
                    format: None,
                })
                .collect();
            if !a.memo.is_empty() {
                body.push(W3cBody { kind: "TextualBody", purpose: "commenting", value: &a.memo, tag: None, format: Some("text/plain") });
            }
            items.push(W3cAnnotation {
                id: format!("{W3C_ANNOTATION}{}", urn_part(&a.id)),
                kind: "Annotation",
                motivation: "classifying",
                created: &a.created,
                modified: &a.updated,
                creator: W3cNamed { kind: "Person", name: &a.coder },
                body,
                target: W3cTarget {
                    source,
                    selector: [
                        W3cSelector::TextQuoteSelector { exact: &a.quote, prefix: &a.prefix, suffix: &a.suffix },
                        W3cSelector::TextPositionSelector { start: a.start, end: a.end },
                    ],
                    text_sha256: sha,
                },
            });
        }
    }
    let generator = format!("Marginalia {}", meta.app_version);
    let collection = W3cCollection {
        context: ("http://www.w3.org/ns/anno.jsonld", serde_json::json!({"marginalia": "urn:marginalia:"})),
        id: format!("urn:marginalia:export:{}", urn_part(&meta.exported_at)),
        kind: "AnnotationCollection",
        label: "Marginalia annotations",
        generator: W3cNamed { kind: "Software", name: &generator },
        generated: &meta.exported_at,
        total: items.len(),
        first: W3cPage { id: format!("urn:marginalia:export:{}:page:1", urn_part(&meta.exported_at)), kind: "AnnotationPage", start_index: 0, items },
    };
    serde_json::to_string_pretty(&collection).unwrap_or_default()
}

/// The type of brat's comment lines that carry an annotation's [`Record`].
pub const BRAT_NOTE: &str = "Marginalia";

/// brat standoff for one document: the `.ann` text. Per annotation and tag a
/// `T` line (code points; a span that crosses lines is written as fragments,
/// as brat requires), an `AnnotatorNotes` line with the memo (on one line:
/// brat shows it) and a `Marginalia` note with the annotation's [`Record`] as
/// one line of JSON (its id, tags, exact memo, coder and times; brat keeps
/// comment lines of any type). brat's own `.txt` is the document text.
pub fn brat_ann(d: &DocAnnotations<'_>) -> String {
    let chars: Vec<char> = d.doc.text.chars().collect();
    let mut out = String::new();
    let (mut t, mut n) = (0, 0);
    for a in &d.annotations {
        let end = a.end.min(chars.len());
        let start = a.start.min(end);
        // Fragments at line breaks.
        let mut frags = Vec::new();
        let mut s = start;
        for (i, c) in chars.iter().enumerate().take(end).skip(start) {
            if *c == '\n' {
                if s < i {
                    frags.push((s, i));
                }
                s = i + 1;
            }
        }
        if s < end || frags.is_empty() {
            frags.push((s.min(end), end));
        }
        let offsets = frags.iter().map(|(s, e)| format!("{s} {e}")).collect::<Vec<_>>().join(";");
        let text = frags.iter().map(|(s, e)| chars[*s..*e].iter().collect::<String>()).collect::<Vec<_>>().join(" ");
        let record = serde_json::to_string(&Record::of(a)).unwrap_or_default();
        for tag in &a.tags {
            t += 1;
            out.push_str(&format!("T{t}\t{} {offsets}\t{text}\n", brat_label(tag)));
            if !a.memo.is_empty() {
                n += 1;
                out.push_str(&format!("#{n}\tAnnotatorNotes T{t}\t{}\n", brat_flat(&a.memo)));
            }
            n += 1;
            out.push_str(&format!("#{n}\t{BRAT_NOTE} T{t}\t{record}\n"));
        }
    }
    out
}

/// A memo as brat's one-line note shows it (line breaks and tabs as spaces).
pub fn brat_flat(memo: &str) -> String {
    memo.replace(['\n', '\r', '\t'], " ")
}

/// A tag id as a brat type (letters, digits, `-` and `_`).
pub fn brat_label(tag: &str) -> String {
    tag.chars().map(|c| if c.is_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect()
}

/// brat's `annotation.conf` listing the codebook's tags, with the app version
/// and export time in a comment.
pub fn brat_conf(book: &Codebook, meta: &ExportMeta) -> String {
    let mut s = format!("# Marginalia {}, exported {}\n[entities]\n", meta.app_version, meta.exported_at);
    // The code tree as brat writes a type hierarchy: a sub-code indented by a tab under its parent.
    for t in &book.tags {
        s.push_str(&"\t".repeat(book.depth(&t.id)));
        s.push_str(&brat_label(&t.id));
        s.push('\n');
    }
    s.push_str("\n[relations]\n\n[events]\n\n[attributes]\n");
    s
}

/// brat's `visual.conf`: each type shown by its tag's name (`type | name`),
/// drawn in its colour. The types stay the tags' ids, which do not change when
/// a tag is renamed.
pub fn brat_visual(book: &Codebook) -> String {
    let mut s = String::from("[labels]\n");
    for t in &book.tags {
        let name: String = t.name.chars().map(|c| if matches!(c, '|' | '\n' | '\r' | '\t') { ' ' } else { c }).collect();
        s.push_str(&format!("{} | {}\n", brat_label(&t.id), name.trim()));
    }
    s.push_str("\n[drawing]\n");
    for t in &book.tags {
        let hex = t.colour.strip_prefix('#').unwrap_or("");
        if hex.len() == 6 && hex.chars().all(|c| c.is_ascii_hexdigit()) {
            s.push_str(&format!("{}\tbgColor:{}\n", brat_label(&t.id), t.colour));
        }
    }
    s
}

/// The files of a brat export: `annotation.conf`, `visual.conf`, then per document
/// `<slug>.txt` (its text) and `<slug>.ann`. A zip of them is the brat export;
/// the CLI can write them to a folder.
pub fn brat_files(docs: &[DocAnnotations<'_>], book: &Codebook, meta: &ExportMeta) -> Vec<(String, Vec<u8>)> {
    let mut files = vec![
        ("annotation.conf".to_string(), brat_conf(book, meta).into_bytes()),
        ("visual.conf".to_string(), brat_visual(book).into_bytes()),
    ];
    let mut stems = std::collections::HashSet::new();
    for d in docs {
        let base = crate::route::slug(&d.doc.meta.id);
        let mut stem = base.clone();
        let mut n = 2;
        while !stems.insert(stem.clone()) {
            stem = format!("{base}-{n}");
            n += 1;
        }
        files.push((format!("{stem}.txt"), d.doc.text.clone().into_bytes()));
        files.push((format!("{stem}.ann"), brat_ann(d).into_bytes()));
    }
    files
}

#[derive(Serialize)]
struct LabelStudioData<'a> {
    text: &'a str,
    #[serde(flatten)]
    meta: DocMeta<'a>,
}

#[derive(Serialize)]
struct LabelStudioValue<'a> {
    start: usize,
    end: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    labels: Option<Vec<&'a str>>,
    /// The quote (a region), or the memo as a list of lines (a text area).
    text: serde_json::Value,
}

#[derive(Serialize)]
struct LabelStudioResult<'a> {
    id: &'a str,
    from_name: &'static str,
    to_name: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
    value: LabelStudioValue<'a>,
}

#[derive(Serialize)]
struct LabelStudioResults<'a> {
    result: Vec<LabelStudioResult<'a>>,
}

#[derive(Serialize)]
struct LabelStudioTask<'a> {
    data: LabelStudioData<'a>,
    annotations: Vec<LabelStudioResults<'a>>,
}

/// Label Studio tasks JSON: per document a task whose `data` holds the text,
/// the document's id, symbol, text hash, app version, export time and the
/// records (`marginalia`), and an annotation per coder whose results are a `labels`
/// region per annotation (`id` the annotation's, `labels` the tag names) and,
/// for a memo, a per-region `textarea` result (`from_name` `memo`) with the same
/// id. `start`/`end` are UTF-16 code units, as Label Studio's text editor counts
/// them in the browser. A labelling config to load it into:
/// `<Labels name="label" toName="text">…</Labels><Text name="text" value="$text"/>
/// <TextArea name="memo" toName="text" perRegion="true"/>`.
pub fn label_studio_tasks(docs: &[DocAnnotations<'_>], book: &Codebook, meta: &ExportMeta) -> String {
    // A text no one coded is left out: Label Studio would count it annotated, with no regions.
    let tasks: Vec<LabelStudioTask<'_>> = docs
        .iter()
        .filter(|d| !d.coders.is_empty())
        .map(|d| {
            let index = OffsetIndex::new(&d.doc.text);
            // One annotation per coder who coded the text (in name order), as Label
            // Studio keeps each annotator's work apart; one who found none of the
            // tags exported has an empty one.
            let coders = &d.coders;
            let mut per: Vec<LabelStudioResults<'_>> = coders.iter().map(|_| LabelStudioResults { result: Vec::new() }).collect();
            for a in &d.annotations {
                let result = &mut per[coders.iter().position(|c| *c == a.coder).unwrap_or(0)].result;
                let (start, end) = (index.cp_to_utf16(a.start), index.cp_to_utf16(a.end));
                let labels = a.tags.iter().map(|t| book.get(t).map(|x| x.name.as_str()).unwrap_or(t)).collect();
                let text = serde_json::Value::from(a.quote.as_str());
                let value = LabelStudioValue { start, end, labels: Some(labels), text };
                result.push(LabelStudioResult { id: &a.id, from_name: "label", to_name: "text", kind: "labels", value });
                if !a.memo.is_empty() {
                    let value = LabelStudioValue { start, end, labels: None, text: serde_json::json!([a.memo]) };
                    result.push(LabelStudioResult { id: &a.id, from_name: "memo", to_name: "text", kind: "textarea", value });
                }
            }
            LabelStudioTask { data: LabelStudioData { text: &d.doc.text, meta: DocMeta::of(d, book, meta) }, annotations: per }
        })
        .collect();
    serde_json::to_string_pretty(&tasks).unwrap_or_default()
}

/// The labeling interface for [`label_studio_tasks`] (Label Studio's
/// "Labeling Interface", as XML): the text, a label per tag of `book` in its
/// colour (several may go on one region, as an annotation carries several tags),
/// and a memo box per region. Its names are the ones the tasks' results use.
pub fn label_studio_config(book: &Codebook) -> String {
    let mut out = String::from("<View>\n  <Labels name=\"label\" toName=\"text\" choice=\"multiple\">\n");
    for t in &book.tags {
        out.push_str(&format!("    <Label value=\"{}\" background=\"{}\"/>\n", crate::html::escape(&t.name), crate::html::colour(&t.colour)));
    }
    out.push_str("  </Labels>\n  <Text name=\"text\" value=\"$text\"/>\n");
    out.push_str("  <TextArea name=\"memo\" toName=\"text\" perRegion=\"true\" editable=\"true\" placeholder=\"Memo\"/>\n</View>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::{DocumentBuilder, Meta, Piece};
    use crate::offsets::slice_chars;

    fn meta() -> ExportMeta {
        ExportMeta::new("0.1.0", "2026-11-22T10:00:00Z")
    }

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
    fn a_footnote_is_in_the_section_of_the_paragraph_that_cites_it() {
        let mut b = DocumentBuilder::new();
        b.push(BlockKind::Heading { level: 1 }, &[Piece::Text("I. One".into())]);
        b.push(BlockKind::Paragraph { number: Some(1) }, &[Piece::Text("Cites".into()), Piece::Note(1), Piece::Text(" a note.".into())]);
        b.push(BlockKind::Heading { level: 1 }, &[Piece::Text("II. Two".into())]);
        b.push(BlockKind::Paragraph { number: Some(2) }, &[Piece::Text("Plain.".into())]);
        b.push(BlockKind::Footnote { number: 1 }, &[Piece::Text("The note.".into())]);
        b.push(BlockKind::Footnote { number: 2 }, &[Piece::Text("Cited by nothing.".into())]);
        let d = b.finish(Meta { id: "D".into(), ..Meta::default() });
        assert_eq!(section_paths(&d), ["", "I. One", "I. One", "II. Two", "I. One", ""]);
    }

    #[test]
    fn segments_csv_reads_back_with_exact_offsets() {
        let (doc, anns) = fixture();
        let d = [DocAnnotations::new(&doc, anns.iter().collect())];
        let csv_text = segments_csv(&d, &Codebook::default(), false, &meta());
        let mut r = csv::Reader::from_reader(csv_text.as_bytes());
        assert_eq!(r.headers().unwrap().iter().collect::<Vec<_>>(), SEGMENT_COLUMNS);
        let rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
        assert_eq!(rows.len(), 4, "one row per annotation and tag");
        let utf16: Vec<u16> = doc.text.encode_utf16().collect();
        for row in &rows {
            let (s, e): (usize, usize) = (row[7].parse().unwrap(), row[8].parse().unwrap());
            let text = restore_cell(&row[14]);
            assert_eq!(slice_chars(&doc.text, s, e), text);
            let (u0, u1): (usize, usize) = (row[9].parse().unwrap(), row[10].parse().unwrap());
            assert_eq!(String::from_utf16(&utf16[u0..u1]).unwrap(), text);
            assert_eq!(&row[27], doc.meta.title, "the title its citations use, a renamed text's too");
            let (b0, b1): (usize, usize) = (row[11].parse().unwrap(), row[12].parse().unwrap());
            assert_eq!(&doc.text[b0..b1], text);
            assert_eq!(&row[19], doc.text_sha256());
            assert_eq!((&row[21], &row[22]), ("0.1.0", "2026-11-22T10:00:00Z"));
        }
        assert_eq!(&rows[0][15], "'=cmd|' /C calc'!A0", "formula neutralised");
        assert_eq!(restore_cell(&rows[0][15]), "=cmd|' /C calc'!A0");
        assert_eq!(&rows[0][6], "1");
        assert_eq!(&rows[0][5], "I. Intro");
        assert_eq!(&rows[3][6], "1-2", "across paragraphs");
        assert_eq!(&rows[3][15], "line\nbreak");
        assert!(segments_csv(&d, &Codebook::default(), true, &meta()).starts_with('\u{feff}'));
        // A sub-code's row gives its path in the code tree.
        let mut book = Codebook::default();
        let tagged = &rows[0][13];
        let parent = book.tags.iter().find(|t| t.id != *tagged).unwrap().id.clone();
        book.set_parent(tagged, Some(&parent)).unwrap();
        let csv_text = segments_csv(&d, &book, false, &meta());
        let rows: Vec<csv::StringRecord> = csv::Reader::from_reader(csv_text.as_bytes()).records().map(|x| x.unwrap()).collect();
        assert_eq!(rows[0][23], format!("{parent} › {tagged}"));
        // A renamed tag: `tag` is its name now, `tag_id` the id it keeps; both read back to the same tag.
        let mut book = Codebook::default();
        book.rename(tagged, "Renamed, twice").unwrap();
        let csv_text = segments_csv(&d, &book, false, &meta());
        let rows: Vec<csv::StringRecord> = csv::Reader::from_reader(csv_text.as_bytes()).records().map(|x| x.unwrap()).collect();
        assert_eq!((&rows[0][13], &rows[0][20]), ("Renamed, twice", &tagged[..]));
        let read = crate::import::read_segments_csv(&csv_text).unwrap();
        assert_eq!(read.annotations[0].tags, [tagged.to_string()]);
        assert_eq!(read.codebook.as_ref().and_then(|b| b.get(tagged)).map(|t| t.name.as_str()), Some("Renamed, twice"));
        // A file of an earlier version (the id in `tag`, the name in `tag_name`) reads as before.
        let old = format!("document,start,end,tag,tag_name\n{},0,4,{tagged},Renamed, twice\n", doc.meta.id).replace("Renamed, twice", "\"Renamed, twice\"");
        let read = crate::import::read_segments_csv(&old).unwrap();
        assert_eq!(read.annotations[0].tags, [tagged.to_string()]);
        assert_eq!(read.codebook.as_ref().and_then(|b| b.get(tagged)).map(|t| t.name.as_str()), Some("Renamed, twice"));
    }

    #[test]
    fn formula_neutralising_is_undone_exactly() {
        for s in ["=1+1", "+x", "-", "@a", "\tx", "\r", "\nx", "'=x", "''-x", "'x", "''", "plain", "", "'", "a=b"] {
            let w = safe_cell(s);
            assert!(!w.starts_with(['=', '+', '-', '@', '\t', '\r', '\n']), "{w:?}");
            assert_eq!(restore_cell(&w), s, "{s:?} → {w:?}");
        }
        assert_eq!(safe_cell("'=x"), "''=x");
        assert_eq!(safe_cell("'x"), "'x", "an apostrophe before ordinary text is left alone");
    }

    #[test]
    fn jsonl_formats_slice_by_code_points_and_carry_records() {
        let (doc, anns) = fixture();
        let d = [DocAnnotations::new(&doc, anns.iter().collect())];
        let chars: Vec<char> = doc.text.chars().collect();
        // A renamed tag: labels are names, the ids behind them travel in `marginalia_tags`.
        let mut book = Codebook::default();
        book.rename("finance", "Financing").unwrap();
        let line: serde_json::Value = serde_json::from_str(doccano_jsonl(&d, &book, &meta()).lines().next().unwrap()).unwrap();
        let names: Vec<&str> = line["label"].as_array().unwrap().iter().map(|l| l[2].as_str().unwrap()).collect();
        assert!(names.contains(&"Financing") && !names.contains(&"finance"), "{names:?}");
        assert_eq!(line["marginalia_tags"]["finance"], "Financing");
        let back = crate::import::read_doccano(&doccano_jsonl(&d, &book, &meta())).unwrap();
        assert!(back.annotations.iter().all(|a| anns.iter().any(|x| x.id == a.id && x.tags == a.tags)), "ids and tag ids read back");
        assert!(back.codebook.unwrap().tags.iter().any(|t| t.id == "finance" && t.name == "Financing"));
        assert_eq!(line["label"].as_array().unwrap().len(), 4);
        for l in line["label"].as_array().unwrap() {
            let (s, e) = (l[0].as_u64().unwrap() as usize, l[1].as_u64().unwrap() as usize);
            assert!(anns.iter().any(|a| a.quote == chars[s..e].iter().collect::<String>()));
        }
        assert_eq!(line["marginalia"][2]["memo"], "line\nbreak");
        assert_eq!((line["document"].as_str(), line["app_version"].as_str()), (Some("S/2019/103"), Some("0.1.0")));
        let sp: serde_json::Value = serde_json::from_str(spacy_jsonl(&d, &book, &meta()).lines().next().unwrap()).unwrap();
        assert!(sp["spans"].as_array().unwrap().iter().any(|s| s["label"] == "Financing"));
        assert_eq!(sp["meta"]["marginalia_tags"]["finance"], "Financing");
        let back = crate::import::read_spacy(&spacy_jsonl(&d, &book, &meta())).unwrap();
        assert!(back.annotations.iter().all(|a| anns.iter().any(|x| x.id == a.id && x.tags == a.tags)));
        assert_eq!(sp["spans"].as_array().unwrap().len(), 4);
        assert_eq!(sp["spans"][2]["id"], "a2");
        assert_eq!(sp["meta"]["symbol"], "S/2019/103");
        assert_eq!(sp["meta"]["exported_at"], "2026-11-22T10:00:00Z");
        assert_eq!(sp["text"], doc.text.as_str());
    }

    #[test]
    fn the_matrix_counts_tags_per_paragraph() {
        let (doc, anns) = fixture();
        let d = [DocAnnotations::new(&doc, anns.iter().collect())];
        let book = Codebook::default();
        let text = matrix_csv(&d, &book, &ExportOptions::default(), &meta());
        let mut r = csv::Reader::from_reader(text.as_bytes());
        let head: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
        assert_eq!(&head[..12], MATRIX_COLUMNS);
        assert_eq!(&head[12..], ["threat", "finance", "repatriation", "prosecution"]);
        // A tag named as a column before the tags is headed apart: no two columns of one name.
        let mut dated = book.clone();
        dated.rename("threat", "date").unwrap();
        let dated = matrix_csv(&d, &dated, &ExportOptions::default(), &meta());
        assert!(dated.lines().next().unwrap().ends_with(",exported_at,title,date (tag),finance,repatriation,prosecution"), "{dated}");
        let rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
        assert_eq!(rows.len(), 2, "the heading has no row");
        assert_eq!((&rows[0][4], &rows[0][5], &rows[0][6], &rows[0][8]), ("paragraph", "1", "I. Intro", "ana"));
        // ¶1: a1 finance, a2 threat+finance, a3 (repatriation) starts in ¶1 and runs into ¶2.
        assert_eq!(rows[0].iter().skip(12).collect::<Vec<_>>(), ["1", "2", "1", "0"]);
        assert_eq!(rows[1].iter().skip(12).collect::<Vec<_>>(), ["0", "0", "1", "0"]);
        let binary = matrix_csv(&d, &book, &ExportOptions { presence: true, bom: true }, &meta());
        assert!(binary.starts_with('\u{feff}'));
        assert!(binary.lines().nth(1).unwrap().ends_with(",1,1,1,0"));

        // Two coders: each has every block, side by side, in name order; each counts only their own.
        let mut bo = anns[1].clone();
        bo.coder = "Bo".into();
        let two = [DocAnnotations::new(&doc, anns.iter().chain([&bo]).collect())];
        let text = matrix_csv(&two, &book, &ExportOptions::default(), &meta());
        let mut r = csv::Reader::from_reader(text.as_bytes());
        let rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
        let show: Vec<String> = rows.iter().map(|r| format!("{}{} {}: {}", &r[4][..1], &r[5], &r[8], r.iter().skip(12).collect::<Vec<_>>().join(""))).collect();
        assert_eq!(show, ["p1 Bo: 1100", "p1 ana: 1210", "p2 Bo: 0000", "p2 ana: 0010"]);
        // No one coded it: no rows (zeros would say "coded, none found"), the header alone.
        let none = [DocAnnotations::new(&doc, vec![])];
        let text = matrix_csv(&none, &book, &ExportOptions::default(), &meta());
        assert_eq!(text.lines().count(), 1, "{text}");
        // Coded, but none of the tags exported: that coder's rows of zeros.
        let coded = [DocAnnotations { coders: vec!["ana"], ..DocAnnotations::new(&doc, vec![]) }];
        let text = matrix_csv(&coded, &book, &ExportOptions::default(), &meta());
        assert_eq!(text.lines().count(), 3);
        assert!(text.lines().nth(1).unwrap().contains(",ana,0.1.0,") && text.lines().nth(1).unwrap().ends_with(",0,0,0,0"), "{text}");
        // A text only Bo coded has Bo's rows alone: no rows of zeros for Ana, who did not code it.
        let mut other = doc.clone();
        other.meta.id = "other".into();
        let mut bo_there = anns[1].clone();
        (bo_there.coder, bo_there.doc) = ("Bo".into(), "other".into());
        let split = [DocAnnotations::new(&doc, anns.iter().collect()), DocAnnotations::new(&other, vec![&bo_there])];
        let text = matrix_csv(&split, &book, &ExportOptions::default(), &meta());
        let whose: Vec<String> = csv::Reader::from_reader(text.as_bytes()).records().map(|r| { let r = r.unwrap(); format!("{} {}", &r[0], &r[8]) }).collect();
        assert_eq!(whose, ["S/2019/103 ana", "S/2019/103 ana", "other Bo", "other Bo"]);
    }

    #[test]
    fn scope_selects_documents_tags_and_coder() {
        let (doc, anns) = fixture();
        let mut other = doc.clone();
        other.meta.id = "mine".into();
        other.meta.symbol = None;
        let docs = vec![doc, other];
        let mut c = Coding::new(Codebook::default());
        for a in &anns {
            c.add(a.clone());
        }
        let mut b = anns[0].clone();
        b.id = "b1".into();
        b.doc = "mine".into();
        b.coder = "bo".into();
        c.add(b);
        c.delete("a3", "2026-01-02T00:00:00Z");
        let all = Scope::all().select(&docs, &c);
        assert_eq!(all.docs.iter().map(|(_, l, _)| l.len()).collect::<Vec<_>>(), [2, 1], "tombstones skipped");
        let finance = Scope { tags: Some(vec!["finance".into()]), ..Scope::default() }.select(&docs, &c);
        assert_eq!(finance.docs[0].1.iter().map(|a| a.tags.clone()).collect::<Vec<_>>(), [vec!["finance".to_string()], vec!["finance".to_string()]]);
        let threat = Scope { tags: Some(vec!["threat".into()]), ..Scope::default() }.select(&docs, &c);
        assert_eq!(threat.docs[0].1.len(), 1, "an annotation left with no chosen tag is left out");
        let either = Scope { tags: Some(vec!["threat".into(), "finance".into()]), ..Scope::default() };
        let both = Scope { all_tags: true, ..either.clone() };
        assert_eq!(either.count(&docs, &c), (2, 3));
        assert_eq!(both.count(&docs, &c), (2, 1), "only the annotation with both tags");
        assert_eq!(either.summary(&docs, &c), "3 annotations from 2 documents");
        assert_eq!(both.summary(&docs, &c), "1 annotation from 1 of 2 documents");
        assert_eq!(Scope { coder: Some("nobody".into()), ..Scope::default() }.summary(&docs, &c), "no annotation in 2 documents");
        assert_eq!(both.select(&docs, &c).docs[0].1[0].tags.len(), 2);
        let bo = Scope { coder: Some("bo".into()), ..Scope::default() }.select(&docs, &c);
        assert_eq!((bo.docs[0].1.len(), bo.docs[1].1.len()), (0, 1));
        assert_eq!(Scope::document("S/2019/103").label(&docs), "S-2019-103");
        assert_eq!(Scope::all().label(&docs), "corpus");
        assert_eq!(Scope { documents: Some(vec![]), ..Scope::default() }.label(&docs), "0-documents");
        assert_eq!(Scope::document("S/2019/103").select(&docs, &c).docs.len(), 1);
        // Who coded each text: any tag counts, the chosen coder only.
        let coders = |sel: &Selection<'_>| sel.docs.iter().map(|(_, _, w)| w.join(",")).collect::<Vec<_>>();
        assert_eq!(coders(&all), ["ana", "bo"]);
        assert_eq!(coders(&Scope { tags: Some(vec!["prosecution".into()]), ..Scope::default() }.select(&docs, &c)), ["ana", "bo"]);
        assert_eq!(coders(&bo), ["", "bo"]);
        // Training files leave out a text no one coded (no spans would teach "nothing here");
        // a text coded, with none of the tags exported, stays: its coder found none.
        let mut three = docs.clone();
        let mut uncoded = three[0].clone();
        uncoded.meta.id = "uncoded".into();
        three.push(uncoded);
        let prosecution = Scope { tags: Some(vec!["prosecution".into()]), ..Scope::default() }.select(&three, &c);
        let da = prosecution.doc_annotations();
        let book = Codebook::default();
        let ids = |jsonl: String, key: &str| jsonl.lines().map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()[key]["id"].as_str().unwrap().to_string()).collect::<Vec<_>>();
        assert_eq!(ids(spacy_jsonl(&da, &book, &meta()), "meta"), ["S/2019/103", "mine"]);
        assert_eq!(doccano_jsonl(&da, &book, &meta()).lines().count(), 2);
        let ls: serde_json::Value = serde_json::from_str(&label_studio_tasks(&da, &book, &meta())).unwrap();
        assert_eq!(ls.as_array().unwrap().len(), 2);
        assert_eq!(ls[0]["annotations"], serde_json::json!([{ "result": [] }]), "ana coded it and found none");
        assert_eq!(matrix_csv(&da, &book, &ExportOptions::default(), &meta()).lines().filter(|l| l.starts_with("uncoded,")).count(), 0);
    }

    #[test]
    fn formats_name_their_files() {
        assert_eq!(Format::SegmentsCsv.file_name("S-2019-103", None, "2026-11-22"), "marginalia-S-2019-103-segments-2026-11-22.csv");
        assert_eq!(Format::Doccano.file_name("corpus", Some("Ana"), "2026-11-22"), "marginalia-corpus-doccano-Ana-2026-11-22.jsonl");
        assert_eq!(Format::CodebookHtml.file_name("corpus", Some("Ana"), "2026-11-22"), "marginalia-handout-2026-11-22.html");
        assert_eq!(Format::Backup.file_name("S-2019-103", None, "2026-11-22"), "marginalia-backup-2026-11-22.json");
        // The user's day names the file (UTC's may be another: in Tokyo at 04:00 it is tomorrow).
        let late = ExportMeta::new("0.1.0", "2026-11-22T19:09:00Z");
        assert_eq!(late.date(), "2026-11-22");
        assert_eq!(ExportMeta { day: "2026-11-23".into(), ..late }.date(), "2026-11-23");
        assert_eq!(Format::Backup.file_name("x", Some(" Ana María / 2b "), "2026-11-22"), "marginalia-backup-Ana-María-2b-2026-11-22.json");
        assert_eq!(Format::Backup.file_name("x", Some("../.."), "2026-11-22"), "marginalia-backup-2026-11-22.json", "nothing left: no name");
        assert_eq!(file_slug(&"a".repeat(50)), "a".repeat(40));
        // Emoji alone: a code of their own, the same for the same name, not for another.
        assert!(file_slug("🦊").starts_with("name-") && file_slug("🦊") == file_slug(" 🦊 "));
        assert_ne!(file_slug("🦊"), file_slug("🐼"));
        for f in Format::ALL {
            assert_eq!(Format::from_key(f.key()), Some(f));
            assert!(!f.label().is_empty() && !f.mime().is_empty());
        }
        let keys: std::collections::HashSet<_> = Format::ALL.iter().map(|f| f.key()).collect();
        assert_eq!(keys.len(), Format::ALL.len());
    }

    #[test]
    fn export_entry_point() {
        let (doc, anns) = fixture();
        let docs = vec![doc];
        let mut c = Coding::new(Codebook::default());
        for a in &anns {
            c.add(a.clone());
        }
        let source = Source { documents: &docs, coding: &c, texts: &[], coder: "ana" };
        let scope = Scope::document("S/2019/103");
        // The preview's count is what the selection holds, for any choice of tags and coder.
        for tags in [None, Some(vec!["finance".to_string()]), Some(vec!["nope".to_string()])] {
            for coder in [None, Some("ana".to_string()), Some("ben".to_string())] {
                let s = Scope { tags: tags.clone(), coder, ..scope.clone() };
                let sel = s.select(&docs, &c);
                assert_eq!(s.count(&docs, &c), (sel.docs.len(), sel.docs.iter().map(|(_, a, _)| a.len()).sum()));
            }
        }
        for f in Format::ALL {
            let file = export(f, &source, &scope, &ExportOptions::default(), &meta()).unwrap_or_else(|e| panic!("{f:?}: {e}"));
            assert!(file.name.ends_with(f.extension()), "{}", file.name);
            assert!(!file.bytes.is_empty(), "{f:?}");
        }
        let csv = export(Format::SegmentsCsv, &source, &scope, &ExportOptions::default(), &meta()).unwrap();
        // Every annotation is Ana's: the file says so, so that a class's files differ.
        assert_eq!(csv.name, "marginalia-S-2019-103-segments-ana-2026-11-22.csv");
        let mut two = c.clone();
        let mut bens = anns[0].clone();
        (bens.id, bens.coder) = ("b1".into(), "ben".into());
        two.add(bens);
        let both = Source { coding: &two, ..source };
        let csv = export(Format::SegmentsCsv, &both, &scope, &ExportOptions::default(), &meta()).unwrap();
        assert_eq!(csv.name, "marginalia-S-2019-103-segments-2026-11-22.csv", "two coders' work: no name");
        let chosen = Scope { coder: Some("ben".into()), ..scope.clone() };
        assert_eq!(export(Format::SegmentsCsv, &both, &chosen, &ExportOptions::default(), &meta()).unwrap().name, "marginalia-S-2019-103-segments-ben-2026-11-22.csv");
        // The preview names the file as the export does.
        for (src, sc) in [(&source, &scope), (&both, &scope), (&both, &chosen), (&source, &Scope::all())] {
            for f in Format::ALL {
                assert_eq!(file_name_of(f, src, sc, meta().date()), export(f, src, sc, &ExportOptions::default(), &meta()).unwrap().name);
            }
        }
        let book = export(Format::CodebookJson, &source, &Scope { tags: Some(vec!["threat".into()]), ..Scope::all() }, &ExportOptions::default(), &meta()).unwrap();
        let back = Codebook::from_json(std::str::from_utf8(&book.bytes).unwrap()).unwrap();
        assert_eq!(back.tags.len(), 1);
        let backup = export(Format::Backup, &source, &scope, &ExportOptions::default(), &meta()).unwrap();
        let b: crate::store::Backup = serde_json::from_slice(&backup.bytes).unwrap();
        assert_eq!((b.annotations.len(), b.coder.as_str(), b.exported_at.as_str()), (3, "ana", "2026-11-22T10:00:00Z"));
        assert_eq!(b.documents[0].text_sha256, docs[0].text_sha256());
    }

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
        let da = [DocAnnotations::new(&d, anns.iter().collect())];
        let v: serde_json::Value = serde_json::from_str(&w3c_collection(&da, &Codebook::default(), &meta())).unwrap();
        assert_eq!(v["type"], "AnnotationCollection");
        assert_eq!(v["generator"]["name"], "Marginalia 0.1.0");
        let items = v["first"]["items"].as_array().unwrap();
        assert_eq!(items.len(), 2);
        let a = &items[0];
        assert_eq!(a["type"], "Annotation");
        assert_eq!(a["body"][0]["purpose"], "tagging");
        assert_eq!(a["body"][1]["value"], "a note");
        let sel = a["target"]["selector"].as_array().unwrap();
        assert_eq!(sel[0]["exact"], anns[0].quote.as_str());
        assert_eq!(sel[1]["start"], 5);
        assert_eq!(a["target"][W3C_TEXT_SHA256], d.text_sha256());
        assert_eq!(a["body"][0][W3C_TAG_KEY], "finance");
        assert!(a["body"][0].get("id").is_none(), "a tagging body with an id reads as an external resource");
        assert!(v["first"]["id"].as_str().unwrap().ends_with(":page:1"));
        assert_eq!(a["target"]["source"], "urn:marginalia:document:S/2019/103");
    }

    #[test]
    fn urn_parts_are_ascii_and_decode_back() {
        assert_eq!(urn_part("S/2019/103"), "S/2019/103");
        assert_eq!(urn_part("Feldnotizen---Rückkehr"), "Feldnotizen---R%C3%BCckkehr");
        assert_eq!(urn_part("a b%😀"), "a%20b%25%F0%9F%98%80");
        for s in ["S/2019/103", "Feldnotizen---Rückkehr", "a b%😀", "100%", "%zz", "%C3"] {
            assert_eq!(urn_unpart(&urn_part(s)), s);
        }
        assert_eq!(urn_unpart("100%"), "100%");
        assert_eq!(urn_unpart("%C3"), "%C3", "not UTF-8: left as it is");
    }

    #[test]
    fn brat_offsets_slice_the_text_and_fragments_skip_line_breaks() {
        let (d, anns) = doc();
        let da = DocAnnotations::new(&d, anns.iter().collect());
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
        assert!(ann.contains("#2\tMarginalia T1\t{\"id\":\"a1\""), "{ann}");
        let across = ann.lines().find(|l| l.starts_with("T2")).unwrap();
        assert!(across.contains(';'), "the span across paragraphs has two fragments");
        let conf = brat_conf(&Codebook::default(), &meta());
        assert!(conf.contains("[entities]\nthreat\nfinance"), "{conf}");
        let mut tree = Codebook::default();
        let sub = tree.add("oil").unwrap();
        tree.set_parent(&sub, Some("finance")).unwrap();
        assert!(brat_conf(&tree, &meta()).contains("[entities]\nthreat\nfinance\n\toil\nrepatriation"), "a sub-code indented under its parent");
        assert!(conf.starts_with("# Marginalia 0.1.0"));
        let files = brat_files(&[da], &Codebook::default(), &meta());
        let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["annotation.conf", "visual.conf", "S-2019-103.txt", "S-2019-103.ann"]);
        // Types are ids; brat shows the names (a renamed tag, a name with brat's separator).
        let mut book = Codebook::default();
        book.rename("finance", "Financing | money").unwrap();
        let visual = brat_visual(&book);
        assert!(visual.starts_with("[labels]\nthreat | threat\nfinance | Financing   money\n"), "{visual}");
        assert!(visual.contains("[drawing]\nthreat\tbgColor:#"), "{visual}");
    }

    #[test]
    fn label_studio_config_names_what_the_tasks_use() {
        let mut book = Codebook::default();
        book.add("Kidnap & \"ransom\"").unwrap();
        let xml = label_studio_config(&book);
        // Well-formed XML, with a label per tag, by name, in its colour.
        let mut reader = quick_xml::Reader::from_str(&xml);
        let (mut labels, mut names) = (Vec::new(), Vec::new());
        loop {
            match reader.read_event().unwrap() {
                quick_xml::events::Event::Eof => break,
                quick_xml::events::Event::Empty(e) | quick_xml::events::Event::Start(e) => {
                    let attr = |k: &str| e.try_get_attribute(k).unwrap().map(|a| a.normalized_value(quick_xml::XmlVersion::Implicit1_0).unwrap().to_string());
                    if e.name().local_name().as_ref() == "Label" {
                        labels.push((attr("value").unwrap(), attr("background").unwrap()));
                    }
                    if let Some(n) = attr("name") {
                        names.push((n, attr("toName")));
                    }
                }
                _ => {}
            }
        }
        assert_eq!(labels.iter().map(|(v, _)| v.as_str()).collect::<Vec<_>>(), book.tags.iter().map(|t| t.name.as_str()).collect::<Vec<_>>());
        assert!(labels.iter().all(|(_, c)| c.starts_with('#')));
        // The names the tasks' results give: from_name "label" and "memo", to_name "text".
        assert_eq!(names, [("label".to_string(), Some("text".to_string())), ("text".to_string(), None), ("memo".to_string(), Some("text".to_string()))]);
        assert!(xml.contains("value=\"$text\"") && xml.contains("choice=\"multiple\"") && xml.contains("perRegion=\"true\""));
    }

    #[test]
    fn label_studio_counts_utf16() {
        let (d, anns) = doc();
        let da = [DocAnnotations::new(&d, anns.iter().collect())];
        let v: serde_json::Value = serde_json::from_str(&label_studio_tasks(&da, &Codebook::default(), &meta())).unwrap();
        let results = v[0]["annotations"][0]["result"].as_array().unwrap();
        let r = &results[0]["value"];
        // The span starts at the emoji: 5 code points in, and 5 UTF-16 units; it ends past it, one unit later.
        let utf16: Vec<u16> = d.text.encode_utf16().collect();
        let (s, e) = (r["start"].as_u64().unwrap() as usize, r["end"].as_u64().unwrap() as usize);
        assert_eq!(String::from_utf16(&utf16[s..e]).unwrap(), anns[0].quote);
        assert_eq!(e - s, anns[0].quote.encode_utf16().count());
        assert_eq!(r["labels"][0], "finance");
        assert_eq!((results[1]["type"].as_str(), results[1]["id"].as_str()), (Some("textarea"), Some("a1")));
        assert_eq!(results[1]["value"]["text"][0], "a note");
        assert_eq!(v[0]["data"]["app_version"], "0.1.0");
        // Two coders: two annotations, each with its coder's regions.
        let mut two = anns.clone();
        two[1].coder = "bo".into();
        let da = [DocAnnotations::new(&d, two.iter().collect())];
        let v: serde_json::Value = serde_json::from_str(&label_studio_tasks(&da, &Codebook::default(), &meta())).unwrap();
        let per = v[0]["annotations"].as_array().unwrap();
        assert_eq!(per.len(), 2);
        let ids = |k: usize| per[k]["result"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap().to_string()).collect::<std::collections::BTreeSet<_>>();
        assert!(ids(1).contains(&two[1].id) && !ids(0).contains(&two[1].id));
        // And back: each annotation keeps its coder.
        let back = crate::import::read_label_studio(&serde_json::to_string(&v).unwrap()).unwrap();
        assert_eq!(back.annotations.iter().find(|a| a.id == two[1].id).unwrap().coder, "bo");
    }
}
