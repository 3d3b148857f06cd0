//! REFI-QDA, the exchange format of qualitative data analysis programs
//! (QDA-XML 1.0: NVivo, ATLAS.ti, MAXQDA, QualCoder, Taguette read it).
//!
//! - A project (`.qdpx`) is a zip archive holding `project.qde` (XML, root
//!   `Project`, namespace `urn:QDA-XML:project:1.0`) and `sources/<guid>.txt`,
//!   each document's plain text in UTF-8. [`qdpx`] writes one, [`import_qdpx`]
//!   reads one (or a bare `project.qde`).
//! - A codebook (`.qdc`) is XML with root `CodeBook` (namespace
//!   `urn:QDA-XML:codebook:1.0`). [`qdc`] writes one, [`import_qdc`] reads one.
//!
//! # What goes where
//! - each coder → a `<User>`; each tag → a codable `<Code>` (a sub-code nested
//!   in its parent's) with its name,
//!   colour (`#rrggbb`) and `<Description>`; each document → a `<TextSource>`
//!   named by its symbol (else its id) whose text is `sources/<guid>.txt`;
//! - each live annotation → a `<PlainTextSelection>` of its document:
//!   `name` is the quote, `startPosition`/`endPosition` are **Unicode code
//!   points** of the source's plain text (the standard counts "characters of
//!   the plain text"; code points are the annotation model's unit, and the
//!   same as UTF-16 units but for astral characters such as emoji),
//!   `creatingUser`, `creationDateTime` (created),
//!   `modifiedDateTime` (updated), `<Description>` = the memo when there is
//!   one, and one `<Coding>` with a `<CodeRef>` per tag. Tombstones and
//!   annotations whose span lies outside their document's text are left out.
//! - What the standard has no place for (Marginalia's ids of annotations,
//!   tags and documents, each text's SHA-256, tag keys and underline styles,
//!   and any value XML 1.0 cannot carry as it is) goes, as JSON, into one
//!   `<Note>` named "Marginalia identifiers" (in a `.qdc`, a `<Set>` of the
//!   same name, whose `<Description>` holds the JSON and whose members are all
//!   the codes). Other programs show it as a memo (a set) and otherwise
//!   ignore it; Marginalia reads its own files back losslessly with it.
//!
//! GUIDs are derived from ids (SHA-256, shaped as RFC 9562 version 8 UUIDs),
//! so exporting the same data twice gives byte-identical files. Times that are
//! not valid `xsd:dateTime`s are kept in the JSON instead of the attributes.
//!
//! # Reading other programs' files
//! Unknown elements are ignored; nested codes keep their tree (a code that
//! only heads others, not codable there, is kept as their parent); codes without
//! a colour get one from the palette; missing users leave the coder empty;
//! selections with no code, or outside their text, are left out with a
//! warning; positions counted in UTF-16 units, as programs built on UTF-16
//! strings may count them (detected when only that reading gives the
//! selection's `name`), are converted, with a warning.
//!
//! # Hostile input
//! Files over [`MAX_IMPORT_BYTES`] are refused before parsing; archives go
//! through [`crate::archive::read_zip`]; XML with a `<!DOCTYPE>` is refused
//! (quick-xml never expands entities, so a "billion laughs" file could not
//! blow up, but it is refused outright); undefined entities, text that is not
//! UTF-8 (or UTF-16 with a byte order mark) and nesting deeper than
//! [`MAX_DEPTH`] are refused with a reason.

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap, HashSet};

use quick_xml::escape::{escape, partial_escape, resolve_xml_entity};
use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::annotation::Annotation;
use crate::archive::{read_zip, write_zip};
use crate::codebook::{Codebook, PALETTE, Tag, Underline};
use crate::export::DocAnnotations;
use crate::import::{ImportError, Imported, ImportedDocument, MAX_IMPORT_BYTES};
use crate::offsets::{OffsetIndex, Round};

pub const PROJECT_NS: &str = "urn:QDA-XML:project:1.0";
pub const CODEBOOK_NS: &str = "urn:QDA-XML:codebook:1.0";

/// The name of the note (of the set, in a codebook) that carries Marginalia's ids.
pub const IDS_NAME: &str = "Marginalia identifiers";

/// The deepest nesting of elements read.
pub const MAX_DEPTH: usize = 256;

const IDS_FORMAT: &str = "marginalia-refi";
const IDS_VERSION: u32 = 1;

/// A GUID derived from `kind` and `parts` (lowercase, `8-4-4-4-12`, a version
/// 8 UUID): the same input always gives the same GUID. The hash is two 64-bit
/// FNV-1a hashes (different seeds) over the length-prefixed parts: GUIDs need
/// to be distinct and stable, not secret, and a project has one per annotation
/// and coding, so they must be cheap (a SHA-256 each was most of the time of a
/// REFI-QDA export).
pub fn guid(kind: &str, parts: &[&str]) -> String {
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let (mut h1, mut h2): (u64, u64) = (0xcbf2_9ce4_8422_2325, 0x8422_2325_cbf2_9ce4);
    let mut eat = |bytes: &[u8]| {
        for &x in bytes {
            h1 = (h1 ^ u64::from(x)).wrapping_mul(PRIME);
            h2 = (h2 ^ u64::from(x)).wrapping_mul(PRIME).rotate_left(29);
        }
    };
    eat(b"marginalia-refi\0");
    eat(kind.as_bytes());
    for p in parts {
        eat(&(p.len() as u64).to_le_bytes());
        eat(p.as_bytes());
    }
    let mut b = [0u8; 16];
    b[..8].copy_from_slice(&h1.to_be_bytes());
    b[8..].copy_from_slice(&h2.to_be_bytes());
    b[6] = (b[6] & 0x0f) | 0x80;
    b[8] = (b[8] & 0x3f) | 0x80;
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(36);
    for (i, x) in b.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out.push('-');
        }
        out.push(HEX[usize::from(x >> 4)] as char);
        out.push(HEX[usize::from(x & 15)] as char);
    }
    out
}

/// A GUID as read: without braces, lowercase.
fn norm_guid(g: &str) -> String {
    g.trim().trim_start_matches('{').trim_end_matches('}').to_ascii_lowercase()
}

/// Whether `s` is a valid `xsd:dateTime` (checked conservatively: four-digit
/// year, real calendar day, hours 00–23, optional fraction and time zone).
pub fn is_xsd_datetime(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 19 || !b[..19].is_ascii() {
        return false;
    }
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    if !(digits(0..4) && b[4] == b'-' && digits(5..7) && b[7] == b'-' && digits(8..10) && b[10] == b'T')
        || !(digits(11..13) && b[13] == b':' && digits(14..16) && b[16] == b':' && digits(17..19))
    {
        return false;
    }
    let n = |r: std::ops::Range<usize>| s[r].parse::<u32>().unwrap_or(u32::MAX);
    let (year, month, day) = (n(0..4), n(5..7), n(8..10));
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    if year == 0 || day == 0 || day > days || n(11..13) > 23 || n(14..16) > 59 || n(17..19) > 59 {
        return false;
    }
    let mut rest = &b[19..];
    if let Some(fraction) = rest.strip_prefix(b".") {
        let k = fraction.iter().take_while(|c| c.is_ascii_digit()).count();
        if k == 0 {
            return false;
        }
        rest = &fraction[k..];
    }
    match rest {
        b"" | b"Z" => true,
        [sign, h1, h2, b':', m1, m2] if (*sign == b'+' || *sign == b'-') && [h1, h2, m1, m2].iter().all(|c| c.is_ascii_digit()) => {
            let (h, m) = ((h1 - b'0') * 10 + (h2 - b'0'), (m1 - b'0') * 10 + (m2 - b'0'));
            m <= 59 && (h < 14 || (h == 14 && m == 0))
        }
        _ => false,
    }
}

/// Whether XML 1.0 can carry `c` (as itself or as a character reference).
fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
}

/// `s` with the characters XML 1.0 cannot carry replaced by U+FFFD.
fn xml_chars(s: &str) -> Cow<'_, str> {
    if s.chars().all(xml_char) { Cow::Borrowed(s) } else { Cow::Owned(s.chars().map(|c| if xml_char(c) { c } else { '\u{fffd}' }).collect()) }
}

/// `Some(s)` when XML cannot carry `s` as it is (so the JSON must).
fn unless_xml_safe(s: &str) -> Option<String> {
    matches!(xml_chars(s), Cow::Owned(_)).then(|| s.to_string())
}

/// Text content, escaped: `<`, `>`, `&`, and `\r` (as `&#13;`, so that it
/// survives end-of-line normalisation); quotes need no escape in content.
fn escape_text(s: &str) -> String {
    if plain(s) {
        return s.to_string();
    }
    partial_escape(xml_chars(s)).into_owned()
}

/// Whether `s` needs no escaping at all, in content or in an attribute (one
/// pass: most names, times and ids are plain, and a project has many).
fn plain(s: &str) -> bool {
    s.chars().all(|c| c >= ' ' && !matches!(c, '<' | '>' | '&' | '"' | '\'' | '\u{7f}'..='\u{9f}' | '\u{fffe}' | '\u{ffff}'))
}

/// An attribute value, escaped: `<`, `>`, `&`, both quotes, and tabs and line
/// breaks as character references so that attribute normalisation keeps them.
fn escape_attr(s: &str) -> String {
    if plain(s) {
        return s.to_string();
    }
    escape(xml_chars(s)).replace('\n', "&#10;").replace('\t', "&#9;")
}

/// The XML being written, straight into a string: one element per line,
/// indented by two spaces, a text element on one line (`<Description>…</Description>`).
/// Names are this module's constants; every value is escaped here
/// (`escape_attr`, `escape_text`). Written by hand rather than with quick-xml's
/// writer: a project of 20,000 annotations is written with few allocations.
struct Xml {
    out: String,
    depth: usize,
}

impl Xml {
    fn new() -> Xml {
        Xml::with_capacity(0)
    }

    /// A writer with room for `bytes` (a project's size can be told ahead: its buffer
    /// then never grows by copying megabytes again and again).
    fn with_capacity(bytes: usize) -> Xml {
        let mut out = String::with_capacity(bytes.max(64));
        out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
        Xml { out, depth: 0 }
    }

    fn start(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.out.push('\n');
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
        self.out.push('<');
        self.out.push_str(name);
        for (k, v) in attrs {
            self.out.push(' ');
            self.out.push_str(k);
            self.out.push_str("=\"");
            self.out.push_str(&escape_attr(v));
            self.out.push('"');
        }
    }

    fn open(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.start(name, attrs);
        self.out.push('>');
        self.depth += 1;
    }

    fn close(&mut self, name: &str) {
        self.depth = self.depth.saturating_sub(1);
        self.out.push('\n');
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
    }

    fn empty(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.start(name, attrs);
        self.out.push_str("/>");
    }

    fn text(&mut self, name: &str, text: &str) {
        self.start(name, &[]);
        self.out.push('>');
        self.out.push_str(&escape_text(text));
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
    }

    fn finish(mut self) -> String {
        self.out.push('\n');
        self.out
    }
}

/// What the standard has no place for (see the module documentation).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct Ids {
    format: String,
    version: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    exported: Option<String>,
    #[serde(default)]
    tags: Vec<TagIds>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    documents: Vec<DocIds>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    annotations: Vec<AnnIds>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct TagIds {
    guid: String,
    id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    key: Option<char>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    style: Option<Underline>,
    /// Only when XML could not carry the name (description) as it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    description: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct DocIds {
    guid: String,
    id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    symbol: Option<String>,
    text_sha256: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct AnnIds {
    guid: String,
    id: String,
    /// Only when the attribute could not carry the value as it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    created: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    updated: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    memo: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    coder: Option<String>,
}

impl Ids {
    fn new() -> Ids {
        Ids { format: IDS_FORMAT.into(), version: IDS_VERSION, ..Ids::default() }
    }

    /// As JSON that XML can carry: U+FFFE and U+FFFF (only ever inside JSON
    /// strings) as `\u` escapes; serde_json escapes the control characters.
    fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default().replace('\u{fffe}', "\\ufffe").replace('\u{ffff}', "\\uffff")
    }

    fn from_json(s: &str) -> Option<Ids> {
        serde_json::from_str::<Ids>(s.trim()).ok().filter(|ids| ids.format == IDS_FORMAT)
    }
}

/// `#rrggbb` (as written) or `#rgb` (expanded) colours; `None` otherwise.
fn parse_colour(c: &str) -> Option<String> {
    let hex = c.trim().strip_prefix('#')?;
    if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    match hex.len() {
        6 => Some(format!("#{hex}")),
        3 => Some(format!("#{}", hex.chars().flat_map(|c| [c, c]).collect::<String>().to_ascii_lowercase())),
        _ => None,
    }
}

/// The tags to write: the codebook's, then any tag an annotation carries that
/// the codebook lacks (named by its id, coloured from the palette).
fn tags_to_write(book: &Codebook, docs: &[DocAnnotations<'_>]) -> Vec<Tag> {
    let mut tags = book.tags.clone();
    for d in docs {
        for a in d.annotations.iter().filter(|a| !a.deleted) {
            for t in &a.tags {
                if !tags.iter().any(|x| &x.id == t) {
                    let colour = PALETTE[tags.len() % PALETTE.len()].to_string();
                    tags.push(Tag { id: t.clone(), name: t.clone(), colour, key: None, description: String::new(), style: None, parent: None });
                }
            }
        }
    }
    tags
}

fn write_codes(x: &mut Xml, tags: &[Tag], ids: &mut Ids) {
    x.open("Codes", &[]);
    write_code_level(x, tags, None, ids);
    x.close("Codes");
}

/// The codes under `parent` (the top level for `None`), each with its sub-codes
/// nested in it, as a QDA program's code tree. A parent not among `tags` counts
/// as the top (the caller's tags may be a codebook's, tidy, plus loose ones).
fn write_code_level(x: &mut Xml, tags: &[Tag], parent: Option<&str>, ids: &mut Ids) {
    let under = |t: &Tag| match parent {
        Some(p) => t.parent.as_deref() == Some(p),
        None => t.parent.as_ref().is_none_or(|p| !tags.iter().any(|x| &x.id == p)),
    };
    for t in tags.iter().filter(|t| under(t)) {
        let g = guid("code", &[&t.id]);
        let mut attrs = vec![("guid", g.as_str()), ("name", t.name.as_str()), ("isCodable", "true")];
        let colour = parse_colour(&t.colour).filter(|c| c == &t.colour);
        if let Some(c) = &colour {
            attrs.push(("color", c));
        }
        let nested = tags.iter().any(|c| c.parent.as_deref() == Some(t.id.as_str()));
        ids.tags.push(TagIds {
            guid: g.clone(),
            id: t.id.clone(),
            key: t.key,
            style: t.style,
            name: unless_xml_safe(&t.name),
            description: unless_xml_safe(&t.description),
        });
        if t.description.is_empty() && !nested {
            x.empty("Code", &attrs);
        } else {
            x.open("Code", &attrs);
            if !t.description.is_empty() {
                x.text("Description", &t.description);
            }
            write_code_level(x, tags, Some(&t.id), ids);
            x.close("Code");
        }
    }
}

/// The live annotations of a document that can be written (span inside the text).
fn writable<'a>(d: &'a DocAnnotations<'_>, len: usize) -> impl Iterator<Item = &'a Annotation> {
    d.annotations.iter().copied().filter(move |a| !a.deleted && a.start < a.end && a.end <= len && !a.tags.is_empty())
}

/// The `project.qde` of [`qdpx`], and the plain texts to store beside it
/// (`sources/<guid>.txt`, in document order).
pub fn project_qde(docs: &[DocAnnotations<'_>], book: &Codebook, app_version: &str, now: &str) -> (String, Vec<(String, String)>) {
    let origin = format!("Marginalia {app_version}");
    let mut ids = Ids::new();
    // About 700 bytes per annotation (its selection, coding and memo), and the note of identifiers.
    let n: usize = docs.iter().map(|d| d.annotations.len()).sum();
    let mut x = Xml::with_capacity(n * 900 + 4096);
    let mut root = vec![("xmlns", PROJECT_NS), ("name", "Marginalia"), ("origin", origin.as_str())];
    if is_xsd_datetime(now) {
        root.push(("creationDateTime", now));
    }
    x.open("Project", &root);

    let lens: Vec<usize> = docs.iter().map(|d| d.doc.text.chars().count()).collect();
    let coders: BTreeSet<&str> =
        docs.iter().zip(&lens).flat_map(|(d, len)| writable(d, *len).map(|a| a.coder.as_str())).filter(|c| !c.is_empty()).collect();
    if !coders.is_empty() {
        x.open("Users", &[]);
        for c in &coders {
            x.empty("User", &[("guid", &guid("user", &[c])), ("name", c)]);
        }
        x.close("Users");
    }

    let tags = tags_to_write(book, docs);
    if !tags.is_empty() {
        x.open("CodeBook", &[]);
        write_codes(&mut x, &tags, &mut ids);
        x.close("CodeBook");
    }

    let mut texts = Vec::new();
    // Users' and codes' GUIDs, made once each (a SHA-256 per annotation and tag adds up).
    let mut known = Known::default();
    if !docs.is_empty() {
        x.open("Sources", &[]);
        for (d, len) in docs.iter().zip(&lens) {
            let doc_id = d.doc.meta.id.as_str();
            let g = guid("source", &[doc_id]);
            let path = format!("internal://{g}.txt");
            // A report by its symbol, a text of one's own by its title (as the app shows and cites it);
            // read back, the project's ids (or the text itself) find the document, not the name.
            let name = d.doc.meta.symbol.as_deref().or(Some(d.doc.meta.title.as_str()).filter(|t| !t.trim().is_empty())).unwrap_or(doc_id);
            x.open("TextSource", &[("guid", &g), ("name", name), ("plainTextPath", &path)]);
            let chars: Vec<char> = d.doc.text.chars().collect();
            for a in writable(d, *len) {
                write_selection(&mut x, doc_id, a, &chars, &mut ids, &mut known);
            }
            x.close("TextSource");
            ids.documents.push(DocIds { guid: g.clone(), id: doc_id.into(), symbol: d.doc.meta.symbol.clone(), text_sha256: d.doc.text_sha256() });
            texts.push((format!("sources/{g}.txt"), d.doc.text.clone()));
        }
        x.close("Sources");
    }

    x.open("Notes", &[]);
    x.open("Note", &[("guid", &guid("note", &["identifiers"])), ("name", IDS_NAME)]);
    x.text("Description", "Identifiers Marginalia needs to read this project back without loss. Other programs can ignore this note.");
    x.text("PlainTextContent", &ids.to_json());
    x.close("Note");
    x.close("Notes");
    x.close("Project");
    (x.finish(), texts)
}

/// GUIDs already made, by kind and name.
#[derive(Default)]
struct Known(std::collections::HashMap<(&'static str, String), String>);

impl Known {
    fn guid(&mut self, kind: &'static str, name: &str) -> String {
        self.0.entry((kind, name.to_string())).or_insert_with(|| guid(kind, &[name])).clone()
    }
}

fn write_selection(x: &mut Xml, doc_id: &str, a: &Annotation, chars: &[char], ids: &mut Ids, known: &mut Known) {
    let g = guid("selection", &[doc_id, &a.id]);
    let quote: String = chars[a.start..a.end].iter().collect();
    let (start, end) = (a.start.to_string(), a.end.to_string());
    let user = (!a.coder.is_empty()).then(|| known.guid("user", &a.coder));
    let mut attrs = vec![("guid", g.as_str()), ("name", quote.as_str()), ("startPosition", start.as_str()), ("endPosition", end.as_str())];
    if let Some(u) = &user {
        attrs.push(("creatingUser", u));
    }
    let created_ok = is_xsd_datetime(&a.created);
    let updated_ok = is_xsd_datetime(&a.updated);
    if created_ok {
        attrs.push(("creationDateTime", &a.created));
    }
    if updated_ok {
        attrs.push(("modifiedDateTime", &a.updated));
    }
    x.open("PlainTextSelection", &attrs);
    if !a.memo.is_empty() {
        x.text("Description", &a.memo);
    }
    for t in &a.tags {
        let mut coding = vec![("guid", guid("coding", &[doc_id, &a.id, t]))];
        if let Some(u) = &user {
            coding.push(("creatingUser", u.clone()));
        }
        if created_ok {
            coding.push(("creationDateTime", a.created.clone()));
        }
        let coding: Vec<(&str, &str)> = coding.iter().map(|(k, v)| (*k, v.as_str())).collect();
        x.open("Coding", &coding);
        x.empty("CodeRef", &[("targetGUID", &known.guid("code", t))]);
        x.close("Coding");
    }
    x.close("PlainTextSelection");
    ids.annotations.push(AnnIds {
        guid: g,
        id: a.id.clone(),
        created: (!created_ok).then(|| a.created.clone()),
        updated: (!updated_ok).then(|| a.updated.clone()),
        memo: unless_xml_safe(&a.memo),
        coder: unless_xml_safe(&a.coder),
    });
}

/// A `.qdpx` project: `project.qde` and each document's text as
/// `sources/<guid>.txt` (UTF-8), zipped deterministically.
pub fn qdpx(docs: &[DocAnnotations<'_>], book: &Codebook, app_version: &str, now: &str) -> Vec<u8> {
    let (qde, texts) = project_qde(docs, book, app_version, now);
    let mut entries = vec![("project.qde".to_string(), qde.into_bytes())];
    entries.extend(texts.into_iter().map(|(name, text)| (name, text.into_bytes())));
    write_zip(&entries)
}

/// A `.qdc` codebook. Marginalia's tag ids, keys and styles (and `now`) are in
/// the JSON of a set named [`IDS_NAME`] that holds every code.
pub fn qdc(book: &Codebook, app_version: &str, now: &str) -> String {
    let origin = format!("Marginalia {app_version}");
    let mut ids = Ids::new();
    ids.exported = Some(now.to_string());
    let mut x = Xml::new();
    x.open("CodeBook", &[("xmlns", CODEBOOK_NS), ("origin", &origin)]);
    write_codes(&mut x, &book.tags, &mut ids);
    x.open("Sets", &[]);
    x.open("Set", &[("guid", &guid("set", &["identifiers"])), ("name", IDS_NAME)]);
    x.text("Description", &ids.to_json());
    for t in &ids.tags {
        x.empty("MemberCode", &[("guid", &t.guid)]);
    }
    x.close("Set");
    x.close("Sets");
    x.close("CodeBook");
    x.finish()
}

// ---------------------------------------------------------------------------
// Reading

fn refuse(reason: impl Into<String>) -> ImportError {
    ImportError(reason.into())
}

fn too_large() -> ImportError {
    refuse(format!("This file is larger than {} MB, the most Marginalia imports.", MAX_IMPORT_BYTES >> 20))
}

#[derive(Debug, Default)]
struct RawCode {
    guid: String,
    /// The code it is nested in (its index), if any.
    parent: Option<usize>,
    name: String,
    colour: Option<String>,
    codable: bool,
    description: String,
}

#[derive(Debug, Default)]
struct RawSelection {
    guid: String,
    name: Option<String>,
    start: Option<String>,
    end: Option<String>,
    user: Option<String>,
    created: Option<String>,
    modified: Option<String>,
    memo: String,
    codes: Vec<String>,
}

#[derive(Debug, Default)]
struct RawSource {
    guid: String,
    name: String,
    path: Option<String>,
    content: Option<String>,
    selections: Vec<RawSelection>,
}

/// Where captured text goes when its element ends.
#[derive(Debug, Clone, Copy)]
enum Target {
    CodeDescription(usize),
    SelectionMemo,
    SourceContent,
    NoteContent,
    SetDescription,
}

/// A REFI-QDA XML file as read, before it becomes Marginalia's data.
#[derive(Debug, Default)]
struct Parsed {
    users: HashMap<String, String>,
    codes: Vec<RawCode>,
    sources: Vec<RawSource>,
    /// Texts of notes (project) and descriptions of sets (codebook): where our ids may be.
    carriers: Vec<String>,
    other_sources: usize,
    source_codings: usize,
}

struct Parser {
    out: Parsed,
    stack: Vec<String>,
    codes: Vec<usize>,
    capture: Option<(usize, Target, String)>,
}

type Attrs = Vec<(String, String)>;

fn attr<'a>(attrs: &'a Attrs, key: &str) -> Option<&'a str> {
    attrs.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

fn not_well_formed(e: impl std::fmt::Display) -> ImportError {
    refuse(format!("This file is not well-formed XML ({e})."))
}

impl Parser {
    fn attrs(e: &BytesStart<'_>) -> Result<Attrs, ImportError> {
        let mut out = Vec::new();
        for a in e.attributes() {
            let a = a.map_err(not_well_formed)?;
            let value = a.normalized_value(XmlVersion::Implicit1_0).map_err(|err| {
                refuse(format!("This file uses an entity XML does not define, or a bad character reference ({err}); Marginalia expands no entities."))
            })?;
            out.push((a.key.local_name().as_ref().to_string(), value.into_owned()));
        }
        Ok(out)
    }

    fn start(&mut self, e: &BytesStart<'_>, root: &str) -> Result<(), ImportError> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(refuse(format!("This file nests elements more than {MAX_DEPTH} deep; it is not a REFI-QDA file Marginalia reads.")));
        }
        let name = e.local_name().as_ref().to_string();
        // Every element's attributes are read, so that an undefined entity anywhere is refused.
        let a = Parser::attrs(e)?;
        if self.stack.is_empty() && name != root {
            return Err(match (root, name.as_str()) {
                ("Project", "CodeBook") => refuse("This is a REFI-QDA codebook (.qdc), not a project: import it as a codebook."),
                ("CodeBook", "Project") => refuse("This is a REFI-QDA project (.qde), not a codebook: import it as a project."),
                _ => refuse(format!("This is not a REFI-QDA {}: its root element is <{name}>, not <{root}>.", if root == "Project" { "project" } else { "codebook" })),
            });
        }
        let parent = self.stack.last().map(String::as_str).unwrap_or("");
        let grandparent = self.stack.len().checked_sub(2).map(|i| self.stack[i].as_str()).unwrap_or("");
        let depth = self.stack.len();
        let capture = |t| Some((depth, t, String::new()));
        match (parent, name.as_str()) {
            ("Users", "User") => {
                if let Some(g) = attr(&a, "guid") {
                    let who = attr(&a, "name").or(attr(&a, "id")).unwrap_or("");
                    self.out.users.insert(norm_guid(g), who.to_string());
                }
            }
            ("Codes" | "Code", "Code") => {
                let nested_in = if parent == "Code" { self.codes.last().copied() } else { None };
                self.codes.push(self.out.codes.len());
                self.out.codes.push(RawCode {
                    guid: norm_guid(attr(&a, "guid").unwrap_or("")),
                    parent: nested_in,
                    name: attr(&a, "name").unwrap_or("").to_string(),
                    colour: attr(&a, "color").map(str::to_string),
                    codable: attr(&a, "isCodable").is_none_or(|v| !matches!(v.trim(), "false" | "0")),
                    description: String::new(),
                });
            }
            ("Code", "Description") => {
                if let Some(&i) = self.codes.last() {
                    self.capture = capture(Target::CodeDescription(i));
                }
            }
            ("Sources", "TextSource") => {
                self.out.sources.push(RawSource {
                    guid: norm_guid(attr(&a, "guid").unwrap_or("")),
                    name: attr(&a, "name").unwrap_or("").to_string(),
                    path: attr(&a, "plainTextPath").map(str::to_string),
                    ..RawSource::default()
                });
            }
            ("Sources", _) => self.out.other_sources += 1,
            ("TextSource", "PlainTextContent") if grandparent == "Sources" => self.capture = capture(Target::SourceContent),
            ("TextSource", "PlainTextSelection") if grandparent == "Sources" => {
                let get = |k: &str| attr(&a, k).map(str::to_string);
                if let Some(s) = self.out.sources.last_mut() {
                    s.selections.push(RawSelection {
                        guid: norm_guid(attr(&a, "guid").unwrap_or("")),
                        name: get("name"),
                        start: get("startPosition"),
                        end: get("endPosition"),
                        user: get("creatingUser").map(|g| norm_guid(&g)),
                        created: get("creationDateTime"),
                        modified: get("modifiedDateTime"),
                        ..RawSelection::default()
                    });
                }
            }
            ("TextSource", "Coding") if grandparent == "Sources" => self.out.source_codings += 1,
            ("PlainTextSelection", "Description") => self.capture = capture(Target::SelectionMemo),
            ("Coding", "CodeRef") if grandparent == "PlainTextSelection" => {
                if let (Some(g), Some(sel)) = (attr(&a, "targetGUID"), self.out.sources.last_mut().and_then(|s| s.selections.last_mut())) {
                    sel.codes.push(norm_guid(g));
                }
            }
            ("Note", "PlainTextContent") if grandparent == "Notes" => self.capture = capture(Target::NoteContent),
            ("Set", "Description") if grandparent == "Sets" => self.capture = capture(Target::SetDescription),
            _ => {}
        }
        self.stack.push(name);
        Ok(())
    }

    fn end(&mut self) {
        if let Some(name) = self.stack.pop()
            && name == "Code"
            && matches!(self.stack.last().map(String::as_str), Some("Codes" | "Code"))
        {
            self.codes.pop();
        }
        if self.capture.as_ref().is_some_and(|(d, _, _)| *d == self.stack.len())
            && let Some((_, target, text)) = self.capture.take()
        {
            match target {
                Target::CodeDescription(i) => self.out.codes[i].description = text,
                Target::SelectionMemo => {
                    if let Some(sel) = self.out.sources.last_mut().and_then(|s| s.selections.last_mut()) {
                        sel.memo = text;
                    }
                }
                Target::SourceContent => {
                    if let Some(s) = self.out.sources.last_mut() {
                        s.content = Some(text);
                    }
                }
                Target::NoteContent | Target::SetDescription => self.out.carriers.push(text),
            }
        }
    }

    fn push_text(&mut self, s: &str) {
        if let Some((_, _, buf)) = self.capture.as_mut() {
            buf.push_str(s);
        }
    }
}

/// Parses REFI-QDA XML whose root must be `root` (`Project` or `CodeBook`).
fn parse(xml: &str, root: &str) -> Result<Parsed, ImportError> {
    if !xml.trim_start().starts_with('<') {
        return Err(refuse("This file is not XML."));
    }
    let mut reader = Reader::from_str(xml);
    reader.config_mut().check_end_names = true;
    let mut p = Parser { out: Parsed::default(), stack: Vec::new(), codes: Vec::new(), capture: None };
    let mut seen_root = false;
    loop {
        let event = reader.read_event().map_err(|e| refuse(format!("This file is not well-formed XML ({e}, near byte {}).", reader.buffer_position())))?;
        match event {
            Event::DocType(_) => {
                return Err(refuse(
                    "This file declares a document type (<!DOCTYPE …>). REFI-QDA files have none; Marginalia refuses it so that no entity can expand.",
                ));
            }
            Event::Start(e) => {
                p.start(&e, root)?;
                seen_root = true;
            }
            Event::Empty(e) => {
                p.start(&e, root)?;
                seen_root = true;
                p.end();
            }
            Event::End(_) => p.end(),
            Event::Text(t) => p.push_text(&t.xml10_content()),
            Event::CData(t) => p.push_text(&t.xml10_content()),
            Event::GeneralRef(r) => {
                let c = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    Ok(None) => match resolve_xml_entity(&r) {
                        Some(s) => s.to_string(),
                        None => return Err(refuse(format!("This file uses an entity XML does not define (&{};); Marginalia expands no entities.", &*r))),
                    },
                    Err(e) => return Err(not_well_formed(e)),
                };
                p.push_text(&c);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !seen_root {
        return Err(refuse("This file holds no XML element."));
    }
    if !p.stack.is_empty() {
        return Err(refuse("This XML ends before its elements are closed: the file is truncated."));
    }
    Ok(p.out)
}

/// Text from bytes: UTF-8 (a byte order mark is dropped) or UTF-16 with a byte order mark.
fn decode_text(bytes: &[u8]) -> Option<String> {
    let utf16 = |rest: &[u8], le: bool| {
        let units = rest.chunks_exact(2).map(|c| if le { u16::from_le_bytes([c[0], c[1]]) } else { u16::from_be_bytes([c[0], c[1]]) });
        rest.len().is_multiple_of(2).then(|| char::decode_utf16(units).collect::<Result<String, _>>().ok()).flatten()
    };
    if let Some(rest) = bytes.strip_prefix(b"\xef\xbb\xbf") {
        String::from_utf8(rest.to_vec()).ok()
    } else if let Some(rest) = bytes.strip_prefix(b"\xff\xfe") {
        utf16(rest, true)
    } else if let Some(rest) = bytes.strip_prefix(b"\xfe\xff") {
        utf16(rest, false)
    } else {
        String::from_utf8(bytes.to_vec()).ok()
    }
}

fn decode_xml(bytes: &[u8]) -> Result<String, ImportError> {
    decode_text(bytes).ok_or_else(|| refuse("This file is not text in UTF-8 (REFI-QDA files are XML in UTF-8)."))
}

fn sha256_hex(s: &str) -> String {
    Sha256::digest(s.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

fn slug(name: &str) -> String {
    let s: String = name.to_lowercase().chars().map(|c| if c.is_alphanumeric() { c } else { '-' }).collect();
    if s.trim_matches('-').is_empty() { "code".into() } else { s }
}

/// `base`, or `base-2`, `base-3`… (`base (2)`… when `spaced`), the first not in `taken`.
fn unique(base: &str, taken: &HashSet<String>, spaced: bool, fold: bool) -> String {
    let key = |s: &str| if fold { s.trim().to_lowercase() } else { s.to_string() };
    let mut candidate = base.to_string();
    let mut n = 2;
    while taken.contains(&key(&candidate)) {
        candidate = if spaced { format!("{base} ({n})") } else { format!("{base}-{n}") };
        n += 1;
    }
    candidate
}

/// The codebook of a file: codable codes (and codes selections use), in
/// order, each under the nearest code it is nested in (a code that is only a
/// heading in the file is kept when codes under it are); our ids, keys and
/// styles when the file carries them; valid names (unique, at most 80
/// characters) and colours (from the palette when missing). Returns the
/// codebook and the tag id of each code GUID.
fn build_codebook(codes: &[RawCode], ids: Option<&Ids>, used: &HashSet<&str>) -> (Codebook, HashMap<String, String>) {
    let by_guid: HashMap<String, &TagIds> = ids.map(|i| i.tags.iter().map(|t| (norm_guid(&t.guid), t)).collect()).unwrap_or_default();
    let mut keep: Vec<bool> = codes.iter().map(|c| c.codable || used.contains(c.guid.as_str())).collect();
    // A parent comes before its codes: going back, each kept code keeps its parent.
    for i in (0..codes.len()).rev() {
        if keep[i]
            && let Some(p) = codes[i].parent.filter(|&p| p < i)
        {
            keep[p] = true;
        }
    }
    let mut tags: Vec<Tag> = Vec::new();
    let mut map = HashMap::new();
    let (mut taken_ids, mut taken_names, mut keys) = (HashSet::new(), HashSet::new(), HashSet::new());
    for (i, code) in codes.iter().enumerate() {
        if !keep[i] || map.contains_key(&code.guid) {
            continue;
        }
        let ours = by_guid.get(&code.guid);
        let id = ours.map(|t| t.id.clone()).filter(|id| !id.trim().is_empty()).unwrap_or_else(|| slug(&code.name));
        let id = unique(&id, &taken_ids, false, false);
        // Our own names come back as they were; others' are trimmed.
        let mut name = match ours {
            Some(t) => t.name.clone().unwrap_or_else(|| code.name.clone()),
            None => code.name.trim().to_string(),
        };
        if name.trim().is_empty() {
            name = format!("Code {}", tags.len() + 1);
        }
        if name.chars().count() > 80 {
            // Room for a " (2)" should the cut name be taken.
            name = name.chars().take(72).collect::<String>().trim_end().to_string();
        }
        let name = unique(&name, &taken_names, true, true);
        let colour = code.colour.as_deref().and_then(parse_colour).unwrap_or_else(|| {
            PALETTE.iter().find(|c| !tags.iter().any(|t| t.colour.eq_ignore_ascii_case(c))).unwrap_or(&PALETTE[tags.len() % PALETTE.len()]).to_string()
        });
        let key = match (ids, ours) {
            (Some(_), Some(t)) => t.key,
            (Some(_), None) => None,
            // Another program's codebook: the first nine codes get the keys 1–9
            // (not a code that only heads others).
            (None, _) if code.codable || used.contains(code.guid.as_str()) => char::from_digit(keys.len() as u32 + 1, 10).filter(|k| *k != '0'),
            (None, _) => None,
        }
        .filter(|k| ('1'..='9').contains(k) && keys.insert(*k));
        let description = match ours {
            Some(t) => t.description.clone().unwrap_or_else(|| code.description.clone()),
            None => code.description.trim().to_string(),
        };
        taken_ids.insert(id.clone());
        taken_names.insert(name.trim().to_lowercase());
        map.insert(code.guid.clone(), id.clone());
        let parent = code.parent.and_then(|p| map.get(&codes[p].guid)).cloned();
        tags.push(Tag { id, name, colour, key, description, style: ours.and_then(|t| t.style), parent });
    }
    let mut book = Codebook { tags };
    book.tidy();
    (book, map)
}

/// The ids our own files carry, from a note (project) or a set (codebook).
fn find_ids(parsed: &Parsed, warnings: &mut Vec<String>) -> Option<Ids> {
    let ids = parsed.carriers.iter().find_map(|s| Ids::from_json(s))?;
    if ids.version > IDS_VERSION {
        warnings.push("This file was written by a newer Marginalia; it is read as far as this version understands it.".into());
    }
    Some(ids)
}

/// The text of a source: inline, or its file in the archive.
fn source_text(s: &RawSource, files: &[(String, Vec<u8>)], warnings: &mut Vec<String>, label: &str) -> Option<String> {
    if let Some(t) = &s.content {
        return Some(t.clone());
    }
    let Some(path) = s.path.as_deref() else {
        warnings.push(format!("The source \"{label}\" has no text."));
        return None;
    };
    let Some(file) = path.strip_prefix("internal://") else {
        warnings.push(format!("The text of \"{label}\" is a file outside the project ({path}); it was not read."));
        return None;
    };
    // In a folder named sources (or Sources), wherever the archive puts it, or at the top.
    let found = files.iter().find(|(name, _)| {
        name == file
            || name.rsplit_once('/').is_some_and(|(dir, rest)| rest == file && dir.rsplit('/').next().is_some_and(|d| d.eq_ignore_ascii_case("sources")))
    });
    let Some((_, bytes)) = found else {
        warnings.push(format!("The text of \"{label}\" ({file}) is missing from the file."));
        return None;
    };
    Some(decode_text(bytes).unwrap_or_else(|| {
        warnings.push(format!("The text of \"{label}\" is not UTF-8; characters that could not be read were replaced."));
        String::from_utf8_lossy(bytes).into_owned()
    }))
}

/// What became of a source's selections, for the warnings.
#[derive(Default)]
struct Counts {
    no_code: usize,
    unknown_code: usize,
    bad_position: usize,
    outside: usize,
    utf16: usize,
    unchecked: usize,
}

impl Counts {
    fn warn(&self, label: &str, warnings: &mut Vec<String>) {
        let mut say = |n: usize, one: &str, many: &str| {
            if n > 0 {
                warnings.push(format!("\"{label}\": {n} {}", if n == 1 { one } else { many }));
            }
        };
        say(self.no_code, "selection with no code Marginalia knows was left out.", "selections with no code Marginalia knows were left out.");
        say(self.bad_position, "selection without valid positions was left out.", "selections without valid positions were left out.");
        say(self.outside, "selection outside the source's text (or empty) was left out.", "selections outside the source's text (or empty) were left out.");
        say(self.utf16, "selection counted its positions in UTF-16 units; they were converted to characters.", "selections counted their positions in UTF-16 units; they were converted to characters.");
        say(self.unchecked, "selection could not be checked: the file lacks the text.", "selections could not be checked: the file lacks the text.");
        say(self.unknown_code, "coding refers to a code the codebook lacks; it was left out.", "codings refer to codes the codebook lacks; they were left out.");
    }
}

/// Turns a parsed project into Marginalia's data.
fn to_imported(parsed: Parsed, files: &[(String, Vec<u8>)]) -> Imported {
    let mut warnings = Vec::new();
    let ids = find_ids(&parsed, &mut warnings);
    let used: HashSet<&str> = parsed.sources.iter().flat_map(|s| s.selections.iter().flat_map(|x| x.codes.iter().map(String::as_str))).collect();
    let (book, code_map) = build_codebook(&parsed.codes, ids.as_ref(), &used);
    let doc_ids: HashMap<String, &DocIds> = ids.iter().flat_map(|i| i.documents.iter().map(|d| (norm_guid(&d.guid), d))).collect();
    let ann_ids: HashMap<String, &AnnIds> = ids.iter().flat_map(|i| i.annotations.iter().map(|a| (norm_guid(&a.guid), a))).collect();

    let mut documents = Vec::new();
    let mut annotations = Vec::new();
    let mut taken = HashSet::new();
    for (n, s) in parsed.sources.iter().enumerate() {
        let ours = doc_ids.get(&s.guid);
        let label = if s.name.trim().is_empty() { format!("Source {}", n + 1) } else { s.name.clone() };
        let id = unique(&ours.map(|d| d.id.clone()).unwrap_or_else(|| label.clone()), &taken, true, false);
        taken.insert(id.clone());
        let text = source_text(s, files, &mut warnings, &label);
        let text_sha256 = text.as_deref().map(sha256_hex).or_else(|| ours.map(|d| d.text_sha256.clone()));
        if let (Some(ours), Some(sha)) = (ours, &text_sha256)
            && &ours.text_sha256 != sha
        {
            warnings.push(format!("The text of \"{label}\" is not the one its annotations were exported with."));
        }
        let chars: Option<Vec<char>> = text.as_ref().map(|t| t.chars().collect());
        let index = text.as_deref().map(OffsetIndex::new);
        let mut counts = Counts::default();
        for (k, sel) in s.selections.iter().enumerate() {
            let mut tags: Vec<String> = Vec::new();
            for g in &sel.codes {
                match code_map.get(g) {
                    Some(t) if !tags.contains(t) => tags.push(t.clone()),
                    Some(_) => {}
                    None => counts.unknown_code += 1,
                }
            }
            if tags.is_empty() {
                counts.no_code += 1;
                continue;
            }
            let parse = |v: &Option<String>| v.as_deref().and_then(|v| v.trim().parse::<usize>().ok());
            let (Some(mut start), Some(mut end)) = (parse(&sel.start), parse(&sel.end)) else {
                counts.bad_position += 1;
                continue;
            };
            if let (Some(chars), Some(index)) = (&chars, &index) {
                let quote_at = |s: usize, e: usize| (s < e && e <= chars.len()).then(|| chars[s..e].iter().collect::<String>());
                if let Some(name) = sel.name.as_deref().filter(|n| !n.is_empty())
                    && quote_at(start, end).as_deref() != Some(name)
                    && end <= index.len_utf16()
                {
                    let (s16, e16) = (index.utf16_to_cp(start, Round::Down), index.utf16_to_cp(end, Round::Up));
                    if quote_at(s16, e16).as_deref() == Some(name) {
                        (start, end) = (s16, e16);
                        counts.utf16 += 1;
                    }
                }
                if start >= end || end > chars.len() {
                    counts.outside += 1;
                    continue;
                }
            } else if start >= end {
                // No text to check against, but a reversed or empty span is wrong anyway.
                counts.outside += 1;
                continue;
            } else {
                counts.unchecked += 1;
            }
            let mine = ann_ids.get(&sel.guid);
            let created = mine.and_then(|a| a.created.clone()).or_else(|| sel.created.clone()).unwrap_or_default();
            let updated = mine.and_then(|a| a.updated.clone()).or_else(|| sel.modified.clone()).unwrap_or_else(|| created.clone());
            let coder = mine
                .and_then(|a| a.coder.clone())
                .or_else(|| sel.user.as_ref().and_then(|u| parsed.users.get(u).cloned()))
                .unwrap_or_default();
            let fallback_id = if sel.guid.is_empty() { format!("refi-{}-{}", n + 1, k + 1) } else { format!("refi-{}", sel.guid) };
            let mut a = Annotation {
                id: mine.map(|a| a.id.clone()).unwrap_or(fallback_id),
                doc: id.clone(),
                start,
                end,
                quote: sel.name.clone().unwrap_or_default(),
                prefix: String::new(),
                suffix: String::new(),
                tags,
                // Our own memos come back as they were; others' are trimmed (XML indentation).
                memo: match mine {
                    Some(a) => a.memo.clone().unwrap_or_else(|| sel.memo.clone()),
                    None => sel.memo.trim().to_string(),
                },
                coder,
                created,
                updated,
                deleted: false,
            };
            if let Some(chars) = &chars {
                a.fill_quote(chars);
            }
            annotations.push(a);
        }
        counts.warn(&label, &mut warnings);
        documents.push(ImportedDocument { id, symbol: ours.and_then(|d| d.symbol.clone()), text, text_sha256 });
    }
    if parsed.other_sources > 0 {
        let n = parsed.other_sources;
        warnings.push(if n == 1 {
            "1 source that is not plain text (a PDF, picture, audio or video) was skipped.".to_string()
        } else {
            format!("{n} sources that are not plain text (PDF, pictures, audio, video) were skipped.")
        });
    }
    if parsed.source_codings > 0 {
        let n = parsed.source_codings;
        warnings.push(if n == 1 {
            "1 coding of a whole source was skipped (Marginalia codes spans of text).".to_string()
        } else {
            format!("{n} codings of whole sources were skipped (Marginalia codes spans of text).")
        });
    }
    Imported { documents, annotations, codebook: (!book.tags.is_empty()).then_some(book), warnings, ..Imported::default() }
}

/// Reads a `.qdpx` project (a zip archive with a `.qde` inside), or a bare
/// `project.qde`: documents with their texts, annotations, the codebook, and
/// warnings about what was left out. Refuses, with the reason, what is not a
/// REFI-QDA project or is hostile (see the module documentation).
///
/// Our own files come back exactly as they were exported. From other
/// programs' files: a document's id is its source's name, an annotation's id
/// is `refi-<selection guid>` (so importing a file twice gives the same ids),
/// `text_sha256` is that of the text the file carries, and times the file
/// lacks are left empty (updated = created) for the caller to fill.
pub fn import_qdpx(bytes: &[u8]) -> Result<Imported, ImportError> {
    if bytes.len() > MAX_IMPORT_BYTES {
        return Err(too_large());
    }
    if bytes.starts_with(b"PK") {
        let files = read_zip(bytes)?;
        // project.qde, else the .qde nearest the top (some programs zip a folder).
        let qde = files
            .iter()
            .find(|(name, _)| name == "project.qde")
            .or_else(|| files.iter().filter(|(name, _)| name.to_ascii_lowercase().ends_with(".qde")).min_by_key(|(name, _)| name.matches('/').count()))
            .ok_or_else(|| refuse("This zip archive is not a REFI-QDA project: it holds no project.qde."))?;
        let parsed = parse(&decode_xml(&qde.1)?, "Project")?;
        return Ok(to_imported(parsed, &files));
    }
    let parsed = parse(&decode_xml(bytes)?, "Project")?;
    Ok(to_imported(parsed, &[]))
}

/// Reads a `.qdc` codebook (or refuses it with the reason). Our own files come
/// back with their tag ids, keys and styles; others' codes get ids from their
/// names, colours from the palette when they have none, and keys 1–9.
pub fn import_qdc(text: &str) -> Result<Codebook, ImportError> {
    if text.len() > MAX_IMPORT_BYTES {
        return Err(too_large());
    }
    let parsed = parse(text.strip_prefix('\u{feff}').unwrap_or(text), "CodeBook")?;
    let ids = find_ids(&parsed, &mut Vec::new());
    let (book, _) = build_codebook(&parsed.codes, ids.as_ref(), &HashSet::new());
    if book.tags.is_empty() {
        return Err(refuse("This codebook has no codes to code with."));
    }
    book.validate().map_err(|e| refuse(e.0))?;
    Ok(book)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::{BlockKind, Document, DocumentBuilder, Meta, Piece};
    use crate::offsets::slice_chars;

    const NOW: &str = "2026-11-23T10:00:00Z";

    fn fixture() -> (Vec<Document>, Vec<Vec<Annotation>>, Codebook) {
        let mut b = DocumentBuilder::new();
        b.push(BlockKind::Heading { level: 1 }, &[Piece::Text("I. Threat 𝔸".into())]);
        b.push(BlockKind::Paragraph { number: Some(1) }, &[Piece::Text("ISIL 😀 funds <checkpoints> & \"camps\".".into())]);
        b.push(BlockKind::Paragraph { number: Some(2) }, &[Piece::Text("Returnees 𝔸𝔹 and families.".into())]);
        let d1 = b.finish(Meta { id: "S/2019/103".into(), symbol: Some("S/2019/103".into()), ..Meta::default() });
        let mut b = DocumentBuilder::new();
        b.push(BlockKind::Paragraph { number: None }, &[Piece::Text("My own text 🎉 with\ttabs.".into())]);
        let d2 = b.finish(Meta { id: "mine-1".into(), ..Meta::default() });
        let ann = |d: &Document, id: &str, s: usize, e: usize, tags: &[&str], memo: &str, coder: &str| {
            let mut a = Annotation::new(d, s, e, tags[0], coder, id.into(), "2026-01-01T00:00:00Z", false).unwrap();
            a.tags = tags.iter().map(|t| t.to_string()).collect();
            a.memo = memo.into();
            a.updated = "2026-01-02T03:04:05.678+01:00".into();
            a
        };
        let mut tomb = ann(&d1, "gone", 0, 3, &["threat"], "", "ana");
        tomb.deleted = true;
        let mut odd_time = ann(&d2, "b2", 0, 2, &["finance"], "", "");
        odd_time.created = "yesterday".into();
        odd_time.updated = String::new();
        let a1 = vec![
            ann(&d1, "a1", 3, 15, &["threat", "finance"], "memo <&\"'> 𝔸\r\nline", "ana"),
            ann(&d1, "a2", 10, 20, &["finance"], "", "bo \"b\""),
            ann(&d1, "a3", 12, 60, &["repatriation", "not-in-book"], "\u{1}control", "ana"),
            tomb,
        ];
        let a2 = vec![ann(&d2, "b1", 12, 14, &["prosecution"], "  spaced  ", "ana"), odd_time];
        let mut book = Codebook::default();
        book.add("Gender & <age>").unwrap();
        (vec![d1, d2], vec![a1, a2], book)
    }

    fn export(docs: &[Document], anns: &[Vec<Annotation>], book: &Codebook) -> Vec<u8> {
        let da: Vec<DocAnnotations> = docs.iter().zip(anns).map(|(d, a)| DocAnnotations::new(d, a.iter().collect())).collect();
        qdpx(&da, book, "0.1.0", NOW)
    }

    /// Documents and annotations back from an import (what a caller would rebuild).
    fn rebuild(im: &Imported) -> (Vec<Document>, Vec<Vec<Annotation>>) {
        let docs: Vec<Document> = im
            .documents
            .iter()
            .map(|d| Document::new(Meta { id: d.id.clone(), symbol: d.symbol.clone(), ..Meta::default() }, d.text.clone().unwrap(), vec![], vec![]))
            .collect();
        let anns = docs.iter().map(|d| im.annotations.iter().filter(|a| a.doc == d.meta.id).cloned().collect()).collect();
        (docs, anns)
    }

    #[test]
    fn guids_are_deterministic_and_well_formed() {
        let g = guid("code", &["threat"]);
        assert_eq!(g, guid("code", &["threat"]));
        assert_ne!(g, guid("code", &["finance"]));
        assert_ne!(guid("selection", &["ab", "c"]), guid("selection", &["a", "bc"]), "parts are delimited");
        let parts: Vec<usize> = g.split('-').map(str::len).collect();
        assert_eq!(parts, [8, 4, 4, 4, 12]);
        assert!(g.chars().all(|c| c == '-' || c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        assert_eq!(&g[14..15], "8", "version 8");
    }

    #[test]
    fn datetimes() {
        for ok in ["2026-01-01T00:00:00Z", "2026-01-01T00:00:00.123Z", "2024-02-29T23:59:59+14:00", "2026-01-01T00:00:00", "2026-06-30T12:00:00-05:30"] {
            assert!(is_xsd_datetime(ok), "{ok}");
        }
        for bad in ["", "t0", "2026-01-01", "2026-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-01-01T24:00:00Z", "2026-01-01T00:00:00.Z", "2026-01-01T00:00:00+15:00", "0000-01-01T00:00:00Z", "2026-01-01 00:00:00Z", "2026-01-01T00:00:00Zx"] {
            assert!(!is_xsd_datetime(bad), "{bad}");
        }
    }

    #[test]
    fn round_trip_is_lossless_and_byte_identical() {
        let (docs, anns, book) = fixture();
        let first = export(&docs, &anns, &book);
        assert_eq!(first, export(&docs, &anns, &book), "deterministic");
        let im = import_qdpx(&first).unwrap();
        assert!(im.warnings.is_empty(), "{:?}", im.warnings);
        // Documents: ids, symbols, texts, hashes.
        assert_eq!(im.documents.len(), 2);
        for (d, back) in docs.iter().zip(&im.documents) {
            assert_eq!((back.id.as_str(), back.symbol.as_ref(), back.text.as_deref()), (d.meta.id.as_str(), d.meta.symbol.as_ref(), Some(d.text.as_str())));
            assert_eq!(back.text_sha256.as_deref(), Some(d.text_sha256().as_str()));
        }
        // Annotations: everything but the tombstone, exactly.
        let live: Vec<&Annotation> = anns.iter().flatten().filter(|a| !a.deleted).collect();
        assert_eq!(im.annotations.iter().collect::<Vec<_>>(), live);
        // The codebook, with the tag no codebook had.
        let mut expected = book.clone();
        expected.tags.push(Tag { id: "not-in-book".into(), name: "not-in-book".into(), colour: PALETTE[5].into(), key: None, description: String::new(), style: None, parent: None });
        assert_eq!(im.codebook.as_ref(), Some(&expected));
        // Export again: the same bytes.
        let (docs2, anns2) = rebuild(&im);
        assert_eq!(export(&docs2, &anns2, im.codebook.as_ref().unwrap()), first);
    }

    fn unzip_qde(zip: &[u8]) -> String {
        let files = read_zip(zip).unwrap();
        String::from_utf8(files.iter().find(|(n, _)| n == "project.qde").unwrap().1.clone()).unwrap()
    }

    /// The attribute `key` of every element `tag` (a test-only scan of our own output).
    fn attr_values(xml: &str, tag: &str, key: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut reader = Reader::from_str(xml);
        loop {
            match reader.read_event().unwrap() {
                Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == tag => {
                    let a = Parser::attrs(&e).unwrap();
                    out.push(attr(&a, key).unwrap_or("").to_string());
                }
                Event::Eof => break,
                _ => {}
            }
        }
        out
    }

    #[test]
    fn positions_slice_the_source_text_to_each_quote() {
        let (docs, anns, book) = fixture();
        let zip = export(&docs, &anns, &book);
        let files = read_zip(&zip).unwrap();
        let qde = unzip_qde(&zip);
        let names = attr_values(&qde, "PlainTextSelection", "name");
        let starts = attr_values(&qde, "PlainTextSelection", "startPosition");
        let ends = attr_values(&qde, "PlainTextSelection", "endPosition");
        let paths = attr_values(&qde, "TextSource", "plainTextPath");
        assert_eq!(names.len(), 5, "tombstones are not exported");
        let texts: Vec<String> = paths
            .iter()
            .map(|p| {
                let file = format!("sources/{}", p.strip_prefix("internal://").unwrap());
                String::from_utf8(files.iter().find(|(n, _)| *n == file).unwrap().1.clone()).unwrap()
            })
            .collect();
        assert_eq!(texts[0], docs[0].text);
        let per_doc = [3, 2];
        let mut i = 0;
        for (text, n) in texts.iter().zip(per_doc) {
            for _ in 0..n {
                let (s, e) = (starts[i].parse().unwrap(), ends[i].parse().unwrap());
                assert_eq!(slice_chars(text, s, e), names[i], "selection {i}");
                i += 1;
            }
        }
        assert!(names.iter().any(|n| n.contains('😀')) && names.iter().any(|n| n.contains("\n\n")), "astral characters and line breaks survive in attributes");
        // Escaping: nothing of the data is markup.
        assert!(qde.contains("<Description>memo &lt;&amp;\"'&gt; 𝔸&#13;\nline</Description>"), "{qde}");
        assert!(qde.contains(r#"name="Gender &amp; &lt;age&gt;""#));
        assert!(!qde.contains('\u{1}'), "a control character XML cannot hold is replaced (the JSON keeps it)");
    }

    #[test]
    fn qdc_round_trip() {
        let (_, _, mut book) = fixture();
        book.set_style("threat", Underline::Wavy);
        book.set_key("finance", None);
        book.set_description("prosecution", "");
        let text = qdc(&book, "0.1.0", NOW);
        assert!(text.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CodeBook xmlns=\"urn:QDA-XML:codebook:1.0\" origin=\"Marginalia 0.1.0\">"));
        let back = import_qdc(&text).unwrap();
        assert_eq!(back, book);
        assert_eq!(qdc(&back, "0.1.0", NOW), text, "byte-identical");
        assert!(import_qdpx(text.as_bytes()).unwrap_err().0.contains("codebook"));
        let (docs, anns, book) = fixture();
        let qde = unzip_qde(&export(&docs, &anns, &book));
        assert!(import_qdc(&qde).unwrap_err().0.contains("project"));
    }

    const FOREIGN: &str = r##"<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Theirs" origin="OtherQDA 3">
  <Users><User guid="{AAAAAAAA-0000-4000-8000-000000000001}" name="Kim"/></Users>
  <CodeBook><Codes>
    <Code guid="C0000000-0000-4000-8000-000000000001" name="Themes" isCodable="false">
      <Code guid="C0000000-0000-4000-8000-000000000002" name="Money" isCodable="true" color="#F00"><Description>cash</Description></Code>
      <Code guid="C0000000-0000-4000-8000-000000000003" name="Money" isCodable="true"/>
    </Code>
    <Code guid="C0000000-0000-4000-8000-000000000004" name="Unused" isCodable="true" color="blue"/>
  </Codes></CodeBook>
  <Cases><Case guid="D0000000-0000-4000-8000-000000000001"/></Cases>
  <Sources>
    <PDFSource guid="E0000000-0000-4000-8000-000000000001" path="internal://x.pdf"/>
    <TextSource guid="F0000000-0000-4000-8000-000000000001" name="Interview 😀">
      <PlainTextContent>Hi 😀 there, money talk.</PlainTextContent>
      <PlainTextSelection guid="{B0000000-0000-4000-8000-000000000001}" name="there" startPosition="5" endPosition="10" creatingUser="{aaaaaaaa-0000-4000-8000-000000000001}" creationDateTime="2020-01-01T00:00:00Z">
        <Description>
          why &amp; how
        </Description>
        <Coding guid="B1000000-0000-4000-8000-000000000001"><CodeRef targetGUID="C0000000-0000-4000-8000-000000000002"/></Coding>
        <Coding guid="B1000000-0000-4000-8000-000000000002"><CodeRef targetGUID="C0000000-0000-4000-8000-000000000003"/></Coding>
        <Coding guid="B1000000-0000-4000-8000-000000000003"><CodeRef targetGUID="C0000000-0000-4000-8000-00000000FFFF"/></Coding>
        <Unknown><Deeper/></Unknown>
      </PlainTextSelection>
      <PlainTextSelection guid="B0000000-0000-4000-8000-000000000002" name="money" startPosition="12" endPosition="17" creatingUser="99999999-0000-4000-8000-000000000001">
        <Coding guid="B1000000-0000-4000-8000-000000000004"><CodeRef targetGUID="C0000000-0000-4000-8000-000000000002"/></Coding>
      </PlainTextSelection>
      <PlainTextSelection guid="B0000000-0000-4000-8000-000000000003" startPosition="10" endPosition="999">
        <Coding guid="B1000000-0000-4000-8000-000000000005"><CodeRef targetGUID="C0000000-0000-4000-8000-000000000002"/></Coding>
      </PlainTextSelection>
      <PlainTextSelection guid="B0000000-0000-4000-8000-000000000004" startPosition="0" endPosition="2"/>
      <Coding guid="B1000000-0000-4000-8000-000000000006"><CodeRef targetGUID="C0000000-0000-4000-8000-000000000002"/></Coding>
    </TextSource>
    <TextSource guid="F0000000-0000-4000-8000-000000000002" name="External" plainTextPath="absolute:///home/x.txt">
      <PlainTextSelection guid="B0000000-0000-4000-8000-000000000005" name="abc" startPosition="1" endPosition="4">
        <Coding guid="B1000000-0000-4000-8000-000000000007"><CodeRef targetGUID="C0000000-0000-4000-8000-000000000004"/></Coding>
      </PlainTextSelection>
    </TextSource>
  </Sources>
</Project>"##;

    #[test]
    fn other_programs_files_are_read_gracefully() {
        let im = import_qdpx(FOREIGN.as_bytes()).unwrap();
        let book = im.codebook.clone().unwrap();
        book.validate().unwrap();
        let summary: Vec<(&str, &str, &str, Option<char>)> = book.tags.iter().map(|t| (t.id.as_str(), t.name.as_str(), t.colour.as_str(), t.key)).collect();
        // The heading code is kept, as the parent of the codes under it (without a key).
        assert_eq!(
            summary,
            [("themes", "Themes", PALETTE[0], None), ("money", "Money", "#ff0000", Some('1')), ("money-2", "Money (2)", PALETTE[1], Some('2')), ("unused", "Unused", PALETTE[2], Some('3'))]
        );
        let parents: Vec<Option<&str>> = book.tags.iter().map(|t| t.parent.as_deref()).collect();
        assert_eq!(parents, [None, Some("themes"), Some("themes"), None]);
        assert_eq!(book.path("money-2"), "Themes › Money (2)");
        assert_eq!(book.tags[1].description, "cash");
        assert_eq!(im.documents.len(), 2);
        assert_eq!(im.documents[0].id, "Interview 😀");
        assert_eq!(im.documents[0].text_sha256.as_deref(), Some(sha256_hex("Hi 😀 there, money talk.").as_str()));
        assert_eq!(im.documents[1].text, None);
        let a = &im.annotations;
        assert_eq!(a.len(), 3, "{a:#?}");
        assert_eq!((a[0].quote.as_str(), a[0].memo.as_str(), a[0].coder.as_str()), ("there", "why & how", "Kim"));
        assert_eq!(a[0].tags, ["money", "money-2"]);
        assert_eq!(a[0].id, "refi-b0000000-0000-4000-8000-000000000001");
        assert_eq!((a[0].created.as_str(), a[0].updated.as_str()), ("2020-01-01T00:00:00Z", "2020-01-01T00:00:00Z"));
        assert_eq!((a[1].quote.as_str(), a[1].coder.as_str()), ("money", ""), "a missing user leaves the coder empty");
        assert_eq!((a[2].doc.as_str(), a[2].quote.as_str()), ("External", "abc"), "no text: kept, unchecked");
        let w = im.warnings.join("\n");
        assert!(!w.contains("nested"), "the code tree is kept: {w}");
        for expected in ["outside the project", "1 selection outside", "1 selection with no code", "a code the codebook lacks", "1 source that is not plain text", "1 coding of a whole source", "could not be checked"] {
            assert!(w.contains(expected), "{expected:?} in\n{w}");
        }
    }

    #[test]
    fn utf16_positions_are_detected_and_converted() {
        // "Hi 😀 there": "there" is at code points 5..10, UTF-16 units 6..11.
        let xml = FOREIGN.replace(r#"startPosition="5" endPosition="10""#, r#"startPosition="6" endPosition="11""#);
        let im = import_qdpx(xml.as_bytes()).unwrap();
        assert_eq!((im.annotations[0].start, im.annotations[0].end, im.annotations[0].quote.as_str()), (5, 10, "there"));
        assert!(im.warnings.iter().any(|w| w.contains("UTF-16")), "{:?}", im.warnings);
    }

    #[test]
    fn a_qdpx_from_another_program_with_texts_in_a_sources_folder() {
        let qde = r#"<Project xmlns="urn:QDA-XML:project:1.0" name="p"><CodeBook><Codes><Code guid="c0000000-0000-4000-8000-000000000001" name="A" isCodable="true"/></Codes></CodeBook><Sources><TextSource guid="f0000000-0000-4000-8000-000000000001" name="T" plainTextPath="internal://f0000000-0000-4000-8000-000000000001.txt"><PlainTextSelection guid="b0000000-0000-4000-8000-000000000001" startPosition="0" endPosition="4"><Coding guid="b1000000-0000-4000-8000-000000000001"><CodeRef targetGUID="c0000000-0000-4000-8000-000000000001"/></Coding></PlainTextSelection></TextSource></Sources></Project>"#;
        // Zipped as a folder, as some programs do.
        let zip = write_zip(&[
            ("Theirs/theirs.qde".into(), qde.as_bytes().to_vec()),
            ("Theirs/Sources/f0000000-0000-4000-8000-000000000001.txt".into(), "\u{feff}Text 𝔸".as_bytes().to_vec()),
        ]);
        let im = import_qdpx(&zip).unwrap();
        assert_eq!(im.documents[0].text.as_deref(), Some("Text 𝔸"), "the byte order mark is dropped");
        assert_eq!(im.annotations[0].quote, "Text");
        assert!(im.warnings.is_empty(), "{:?}", im.warnings);
        let e = import_qdpx(&write_zip(&[("readme.txt".into(), b"hi".to_vec())])).unwrap_err();
        assert!(e.0.contains("no project.qde"), "{e}");
        // Without the source's text a reversed span is still left out, with a warning.
        let bare = qde.replace(r#"startPosition="0" endPosition="4""#, r#"startPosition="4" endPosition="0""#);
        let im = import_qdpx(bare.as_bytes()).unwrap();
        assert!(im.annotations.is_empty());
        assert!(im.warnings.iter().any(|w| w.contains("1 selection outside")), "{:?}", im.warnings);
    }

    #[test]
    fn hostile_or_broken_xml_is_refused_with_a_reason() {
        let laughs = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<Project name="&lol3;"><Description>&lol3;</Description></Project>"#;
        let e = import_qdpx(laughs.as_bytes()).unwrap_err();
        assert!(e.0.contains("DOCTYPE"), "billion laughs: {e}");
        // Without the DOCTYPE the entities are simply undefined: refused, never expanded.
        let e = import_qdpx(br#"<Project name="x"><Description>&lol3;</Description></Project>"#).unwrap_err();
        assert!(e.0.contains("entity"), "{e}");
        let e = import_qdpx(br#"<Project name="&lol3;"/>"#).unwrap_err();
        assert!(e.0.contains("entity"), "{e}");
        let external = r#"<!DOCTYPE Project SYSTEM "file:///etc/passwd"><Project name="x"/>"#;
        assert!(import_qdpx(external.as_bytes()).unwrap_err().0.contains("DOCTYPE"));
        assert!(import_qdpx(b"hello").unwrap_err().0.contains("not XML"));
        assert!(import_qdpx(b"").unwrap_err().0.contains("not XML"));
        assert!(import_qdpx(b"<Project name='x'><Users>").unwrap_err().0.contains("truncated"));
        assert!(import_qdpx(b"<Project><a></b></Project>").unwrap_err().0.contains("well-formed"));
        assert!(import_qdpx(b"<html/>").unwrap_err().0.contains("not a REFI-QDA project"));
        assert!(import_qdpx(b"<Project \xff/>").unwrap_err().0.contains("UTF-8"));
        let deep = format!("<Project>{}", "<a>".repeat(MAX_DEPTH + 1));
        assert!(import_qdpx(deep.as_bytes()).unwrap_err().0.contains("deep"));
        let mut big = b"<Project>".to_vec();
        big.resize(MAX_IMPORT_BYTES + 1, b' ');
        assert!(import_qdpx(&big).unwrap_err().0.contains("larger than"));
        assert!(import_qdc("<CodeBook><Codes/></CodeBook>").unwrap_err().0.contains("no codes"));
        assert!(import_qdc("<?xml version='1.0'?>\n<!DOCTYPE x [<!ENTITY a 'b'>]><CodeBook/>").unwrap_err().0.contains("DOCTYPE"));
        // UTF-16 with a byte order mark is read.
        let utf16: Vec<u8> = [0xff, 0xfe].into_iter().chain(r#"<Project name="x"/>"#.encode_utf16().flat_map(u16::to_le_bytes)).collect();
        assert!(import_qdpx(&utf16).unwrap().documents.is_empty());
        // A zip archive's own refusals come through.
        assert!(import_qdpx(b"PK\x03\x04 broken").unwrap_err().0.contains("truncated or damaged"));
    }
}
