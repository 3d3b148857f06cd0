//! The storage schema: what is kept in the browser's localStorage, under which
//! keys, how older layouts migrate, and how two copies of the same data merge.
//! Pure: the shell reads every `marginalia` key, hands them here, and writes back
//! what this module says.
//!
//! Schema 1 (small keys, so one write stays cheap):
//! - `marginalia:v1:meta`       — [`Meta`]: schema version, coder, last backup time
//! - `marginalia:v1:codebook`   — the [`Codebook`]
//! - `marginalia:v1:doc:<id>`   — the annotations of one document (tombstones included)
//! - `marginalia:v1:text:<id>` — a user's own text ([`UserText`])
//! - `marginalia:quarantine:<key>` — a value that could not be read, kept aside, never
//!   deleted; if that key is taken, `marginalia:quarantine:<time>:<key>` (see [`quarantine_key`])
//!
//! Older layouts are brought up to date by [`migrate`], one ordered step per
//! schema version.
//!
//! Schema 0 (the first layout): one key `marginalia-annotations` holding a JSON
//! array of `{doc, start, end, tag, note}`.

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::annotation::Annotation;
use crate::codebook::Codebook;
use crate::coding::Coding;

pub const SCHEMA_VERSION: u32 = 1;
pub const META_KEY: &str = "marginalia:v1:meta";
pub const CODEBOOK_KEY: &str = "marginalia:v1:codebook";
pub const DOC_PREFIX: &str = "marginalia:v1:doc:";
pub const QUARANTINE_PREFIX: &str = "marginalia:quarantine:";
pub const V0_KEY: &str = "marginalia-annotations";

/// The storage key of a document's annotations.
pub fn doc_key(doc: &str) -> String {
    format!("{DOC_PREFIX}{doc}")
}

/// Whether a storage key belongs to Marginalia.
pub fn is_ours(key: &str) -> bool {
    key.starts_with("marginalia")
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meta {
    pub schema: u32,
    #[serde(default)]
    pub coder: String,
    #[serde(default)]
    pub last_backup: Option<String>,
    /// Whether a new span is widened to whole words (the "Whole words" box).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub whole_words: bool,
    /// Whose annotations the reports show: one coder's (blind coding, a teacher
    /// going through a class one student at a time), or everyone's (`None`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub showing: Option<String>,
    /// The task a handout brought in gave this coder (shown until put aside).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub task: String,
    /// This browser is one person's: "Still …?" is never asked after a backup.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub only_me: bool,
    /// The coder's name came with a backup brought into a browser that had none,
    /// and has not been confirmed yet: the first tag asks "Are you …?".
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub name_from_backup: bool,
    /// The task last written for a handout in the export dialog.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub handout_task: String,
    /// Coders whose backup brought in held no annotation (a student who handed
    /// in nothing): the gradebook still has a row for each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub empty_hand_ins: Vec<String>,
    /// The agreement page's last address (its pair, passage, sub-codes): the top
    /// bar's link returns to it, the next day too.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub agreement: String,
    /// The task a class's files were coded to (their backups say it), kept when
    /// no task was written here: a teacher grading on another computer than the
    /// one the handout was made on is offered its passage all the same.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub class_task: String,
}

impl Default for Meta {
    fn default() -> Self {
        Meta {
            schema: SCHEMA_VERSION,
            coder: String::new(),
            last_backup: None,
            whole_words: false,
            showing: None,
            task: String::new(),
            only_me: false,
            name_from_backup: false,
            handout_task: String::new(),
            empty_hand_ins: Vec::new(),
            agreement: String::new(),
            class_task: String::new(),
        }
    }
}

pub fn encode_meta(m: &Meta) -> String {
    serde_json::to_string(m).unwrap_or_default()
}

pub fn encode_codebook(c: &Codebook) -> String {
    serde_json::to_string(c).unwrap_or_default()
}

pub fn encode_annotations(a: &[Annotation]) -> String {
    serde_json::to_string(a).unwrap_or_default()
}

/// Reads `marginalia:v1:meta`.
pub fn decode_meta(v: &str) -> Result<Meta, String> {
    serde_json::from_str(v).map_err(|e| format!("the settings could not be read ({e})"))
}

/// Reads `marginalia:v1:codebook`, refusing an invalid codebook.
pub fn decode_codebook(v: &str) -> Result<Codebook, String> {
    let c: Codebook = serde_json::from_str(v).map_err(|e| format!("the codebook could not be read ({e})"))?;
    c.validate().map_err(|e| format!("the codebook is not valid: {e}"))?;
    Ok(c)
}

/// Reads `marginalia:v1:doc:<doc>`.
pub fn decode_annotations(doc: &str, v: &str) -> Result<Vec<Annotation>, String> {
    serde_json::from_str(v).map_err(|e| format!("the annotations of {doc} could not be read ({e})"))
}

/// The key a value of `key` is kept aside under: `marginalia:quarantine:<key>`,
/// or, when that is taken (something was set aside there before),
/// `marginalia:quarantine:<now>:<key>` (then `<now>-2`, `<now>-3`, …), so
/// nothing set aside is ever overwritten.
pub fn quarantine_key(key: &str, now: &str, taken: &dyn Fn(&str) -> bool) -> String {
    let plain = format!("{QUARANTINE_PREFIX}{key}");
    if !taken(&plain) {
        return plain;
    }
    let mut stamp = now.to_string();
    let mut n = 2;
    loop {
        let k = format!("{QUARANTINE_PREFIX}{stamp}:{key}");
        if !taken(&k) {
            return k;
        }
        stamp = format!("{now}-{n}");
        n += 1;
    }
}

/// The original key of a quarantine key.
pub fn quarantined_original(qkey: &str) -> Option<&str> {
    let rest = qkey.strip_prefix(QUARANTINE_PREFIX)?;
    rest.find("marginalia").map(|i| &rest[i..])
}

/// A file of the values set aside (`(storage key, value)` as stored), so that
/// they can be kept outside the browser, looked at, or repaired by hand: JSON
/// with `format: "marginalia-set-aside"`, and for each value its key, the key
/// it was read from, and the value exactly as it was stored.
pub fn set_aside_file(values: &[(String, String)], app_version: &str, now: &str) -> String {
    let values: Vec<serde_json::Value> = values
        .iter()
        .map(|(k, v)| serde_json::json!({ "key": k, "read_from": quarantined_original(k), "value": v }))
        .collect();
    let file = serde_json::json!({
        "format": "marginalia-set-aside",
        "version": 1,
        "app_version": app_version,
        "exported_at": now,
        "note": "Saved data Marginalia could not read, set aside in the browser's storage and not deleted. Each value is exactly as it was stored.",
        "values": values,
    });
    serde_json::to_string_pretty(&file).unwrap_or_default()
}

/// A value set aside because it could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quarantined {
    pub key: String,
    pub reason: String,
}

/// What loading found, and what the shell must write back.
#[derive(Debug, Default)]
pub struct Loaded {
    pub coding: Coding,
    pub meta: Meta,
    /// Values kept aside this time (already moved by `writes`/`removals`).
    pub quarantined: Vec<Quarantined>,
    /// Values kept aside earlier and still there.
    pub in_quarantine: Vec<String>,
    /// Keys to write (migrations, quarantine copies).
    pub writes: Vec<(String, String)>,
    /// Keys to remove (only ever after their value was written elsewhere).
    pub removals: Vec<String>,
    /// Stored by a newer Marginalia: nothing may be written.
    pub newer: bool,
}

/// What [`migrate`] says to do: write `writes`, then (only if every write
/// succeeded) remove `removals`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MigrationOutcome {
    /// The schema found, and the schema after the migrations.
    pub from: u32,
    pub to: u32,
    pub writes: Vec<(String, String)>,
    pub removals: Vec<String>,
    /// (original key, value, reason) of each value set aside; its copy under a
    /// quarantine key is among `writes`.
    pub quarantined: Vec<(String, String, String)>,
    /// The storage is of a newer schema: nothing was done, nothing may be written.
    pub newer: bool,
}

/// Storage as a migration sees it: the entries with its own writes applied.
struct Migration<'a> {
    view: BTreeMap<String, String>,
    writes: BTreeMap<String, String>,
    removals: std::collections::BTreeSet<String>,
    quarantined: Vec<(String, String, String)>,
    now: &'a str,
}

impl Migration<'_> {
    fn write(&mut self, key: &str, value: String) {
        self.removals.remove(key);
        self.view.insert(key.to_string(), value.clone());
        self.writes.insert(key.to_string(), value);
    }

    fn remove(&mut self, key: &str) {
        self.writes.remove(key);
        self.view.remove(key);
        self.removals.insert(key.to_string());
    }

    /// Copies `value` (the value of `key`, or part of it) to a quarantine key.
    fn set_aside(&mut self, key: &str, value: &str, reason: String) {
        let view = &self.view;
        let q = quarantine_key(key, self.now, &|k| view.contains_key(k));
        self.write(&q, value.to_string());
        self.quarantined.push((key.to_string(), value.to_string(), reason));
    }

    /// Moves the value of `key` to a quarantine key.
    fn quarantine(&mut self, key: &str, reason: String) {
        if let Some(v) = self.view.get(key).cloned() {
            self.set_aside(key, &v, reason);
            self.remove(key);
        }
    }
}

/// The migrations, in order: `MIGRATIONS[i]` takes schema `i` to `i + 1`.
const MIGRATIONS: [fn(&mut Migration<'_>); SCHEMA_VERSION as usize] = [migrate_0_to_1];

/// Schema 0 → 1: the one array of `{doc, start, end, tag, note}` becomes one key
/// per document. Each old record gets an id derived from its content (so two
/// tabs migrating at once make the same annotations, which then merge), no
/// quote (re-anchoring fills it from the text at its offsets), and `now` as its
/// times. Records that cannot be read are set aside; so is the whole value if
/// it is not an array.
fn migrate_0_to_1(m: &mut Migration<'_>) {
    let Some(v) = m.view.get(V0_KEY).cloned() else { return };
    let records = match serde_json::from_str::<serde_json::Value>(&v) {
        Ok(serde_json::Value::Array(records)) => records,
        Ok(_) => return m.quarantine(V0_KEY, "annotations in the first storage layout are not a list".into()),
        Err(e) => return m.quarantine(V0_KEY, format!("annotations in the first storage layout could not be read ({e})")),
    };
    let coder = m.view.get(META_KEY).and_then(|v| decode_meta(v).ok()).map(|m| m.coder).unwrap_or_default();
    let mut by_doc: BTreeMap<String, Vec<Annotation>> = BTreeMap::new();
    let mut bad = Vec::new();
    for (i, r) in records.into_iter().enumerate() {
        match serde_json::from_value::<V0Annotation>(r.clone()) {
            Ok(old) => {
                let a = Annotation {
                    id: v0_id(&old, i),
                    doc: old.doc.clone(),
                    start: old.start.min(old.end),
                    end: old.end.max(old.start),
                    quote: String::new(),
                    prefix: String::new(),
                    suffix: String::new(),
                    tags: vec![old.tag],
                    memo: old.note,
                    coder: coder.clone(),
                    created: m.now.to_string(),
                    updated: m.now.to_string(),
                    deleted: false,
                };
                by_doc.entry(old.doc).or_default().push(a);
            }
            Err(e) => bad.push((r, e.to_string())),
        }
    }
    if !bad.is_empty() {
        let reason = format!(
            "{} annotation(s) in the first storage layout could not be read ({})",
            bad.len(),
            bad[0].1
        );
        let value = serde_json::to_string(&bad.into_iter().map(|(r, _)| r).collect::<Vec<_>>()).unwrap_or_default();
        m.set_aside(V0_KEY, &value, reason);
    }
    for (doc, list) in by_doc {
        let key = doc_key(&doc);
        let existing = match m.view.get(&key).map(|v| decode_annotations(&doc, v)) {
            Some(Ok(existing)) => existing,
            Some(Err(reason)) => {
                m.quarantine(&key, reason);
                Vec::new()
            }
            None => Vec::new(),
        };
        m.write(&key, encode_annotations(&merge(&existing, &list)));
    }
    m.remove(V0_KEY);
}

/// A stable id for a record of schema 0 (the `i`th of the array).
fn v0_id(old: &V0Annotation, i: usize) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!("{}\0{}\0{}\0{}\0{}\0{i}", old.doc, old.start, old.end, old.tag, old.note).as_bytes());
    let hex: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    format!("v0-{hex}")
}

/// The schema of the stored data: 0 while the first layout's key is there (a
/// migration that was cut short runs again, harmlessly), else the settings'
/// schema, else the current one (nothing stored yet, or settings unreadable).
fn stored_schema(entries: &BTreeMap<String, String>) -> u32 {
    if entries.contains_key(V0_KEY) {
        return 0;
    }
    entries.get(META_KEY).and_then(|v| decode_meta(v).ok()).map_or(SCHEMA_VERSION, |m| m.schema)
}

/// Runs the migrations from the stored schema to [`SCHEMA_VERSION`], in order.
/// Pure: says what to write and remove. Nothing is ever removed without its
/// value written elsewhere first (migrated, or set aside in quarantine).
pub fn migrate(entries: &BTreeMap<String, String>, now: &str) -> MigrationOutcome {
    let from = stored_schema(entries);
    if from > SCHEMA_VERSION {
        return MigrationOutcome { from, to: from, newer: true, ..MigrationOutcome::default() };
    }
    let mut m = Migration {
        view: entries.clone(),
        writes: BTreeMap::new(),
        removals: Default::default(),
        quarantined: Vec::new(),
        now,
    };
    for step in &MIGRATIONS[from as usize..] {
        step(&mut m);
    }
    if from < SCHEMA_VERSION {
        let mut meta = m.view.get(META_KEY).and_then(|v| decode_meta(v).ok()).unwrap_or_default();
        meta.schema = SCHEMA_VERSION;
        m.write(META_KEY, encode_meta(&meta));
    }
    MigrationOutcome {
        from,
        to: SCHEMA_VERSION,
        writes: m.writes.into_iter().collect(),
        removals: m.removals.into_iter().collect(),
        quarantined: m.quarantined,
        newer: false,
    }
}

#[derive(Deserialize)]
struct V0Annotation {
    doc: String,
    start: usize,
    end: usize,
    tag: String,
    #[serde(default)]
    note: String,
}

/// Reads every Marginalia key: migrates older layouts ([`migrate`]), then reads
/// the current one, setting aside what cannot be read. `now` stamps migrated
/// annotations and names quarantine keys. (`_ids` is no longer used: migrated
/// annotations get ids from their content.)
pub fn load(entries: &BTreeMap<String, String>, now: &str, _ids: impl FnMut() -> String) -> Loaded {
    let mut out = Loaded {
        in_quarantine: entries.keys().filter(|k| k.starts_with(QUARANTINE_PREFIX)).cloned().collect(),
        ..Loaded::default()
    };
    let migrated = migrate(entries, now);
    if migrated.newer {
        out.newer = true;
        out.meta = entries.get(META_KEY).and_then(|v| decode_meta(v).ok()).unwrap_or_default();
        return out;
    }
    let mut m = Migration {
        view: entries.clone(),
        writes: BTreeMap::new(),
        removals: Default::default(),
        quarantined: migrated.quarantined,
        now,
    };
    for (k, v) in migrated.writes {
        m.write(&k, v);
    }
    for k in &migrated.removals {
        m.remove(k);
    }

    if let Some(v) = m.view.get(META_KEY).cloned() {
        match decode_meta(&v) {
            Ok(meta) => out.meta = meta,
            Err(reason) => m.quarantine(META_KEY, reason),
        }
    }
    let mut codebook = Codebook::default();
    if let Some(v) = m.view.get(CODEBOOK_KEY).cloned() {
        match decode_codebook(&v) {
            Ok(c) => codebook = c,
            Err(reason) => m.quarantine(CODEBOOK_KEY, reason),
        }
    }
    out.coding = Coding::new(codebook);
    let docs: Vec<(String, String)> = m
        .view
        .range(DOC_PREFIX.to_string()..)
        .take_while(|(k, _)| k.starts_with(DOC_PREFIX))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    for (key, value) in docs {
        let doc = &key[DOC_PREFIX.len()..];
        match decode_annotations(doc, &value) {
            Ok(list) => out.coding.set_doc(doc, list),
            Err(reason) => m.quarantine(&key, reason),
        }
    }
    out.quarantined = m.quarantined.iter().map(|(key, _, reason)| Quarantined { key: key.clone(), reason: reason.clone() }).collect();
    out.writes = m.writes.into_iter().collect();
    out.removals = m.removals.into_iter().collect();
    out
}

/// A point in time from an RFC 3339 string (`2026-11-23T06:11:00.123Z`,
/// `…+02:00`): seconds since 1970 and nanoseconds, or `None` if unreadable.
pub fn parse_time(s: &str) -> Option<(i64, u32)> {
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let t = s.get(r)?;
        t.bytes().all(|c| c.is_ascii_digit()).then(|| t.parse().ok())?
    };
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let (y, mo, d, h, mi, sec) = (num(0..4)?, num(5..7)?, num(8..10)?, num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    let mut i = 19;
    let mut nanos = 0u32;
    if b[i] == b'.' {
        let start = i + 1;
        i = start;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return None;
        }
        let digits = &s[start..i.min(start + 9)];
        nanos = digits.parse::<u32>().ok()? * 10u32.pow(9 - digits.len() as u32);
    }
    let offset = match &s[i..] {
        "Z" | "z" => 0,
        tz if tz.len() == 6 && matches!(tz.as_bytes()[0], b'+' | b'-') && tz.as_bytes()[3] == b':' => {
            let sign = if tz.starts_with('-') { -1 } else { 1 };
            sign * (num(i + 1..i + 3)? * 3600 + num(i + 4..i + 6)? * 60)
        }
        _ => return None,
    };
    // Days from civil (Howard Hinnant's algorithm).
    let y = if mo <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some((days * 86_400 + h * 3600 + mi * 60 + sec - offset, nanos))
}

/// Merges two copies of one document's annotations (this tab's and another's):
/// union by id, the newer `updated` wins, tombstones included so deletions
/// carry over. Commutative, associative and idempotent; ties break on content.
pub fn merge(a: &[Annotation], b: &[Annotation]) -> Vec<Annotation> {
    let mut by_id: BTreeMap<&str, &Annotation> = BTreeMap::new();
    for x in a.iter().chain(b) {
        match by_id.get(x.id.as_str()) {
            Some(y) if wins(y, x) => {}
            _ => {
                by_id.insert(&x.id, x);
            }
        }
    }
    by_id.into_values().cloned().collect()
}

/// Merges another tab's annotations of a document (`remote`, as it wrote them)
/// into this tab's (`local`), knowing `base`: what this tab last read from
/// storage (at start, or the other tab's previous write), which both tabs had.
/// As [`merge`] does (the later edit of an annotation wins),
/// except where both tabs edited the same annotation since `base` and their
/// writes crossed (each newer than it, made within [`CROSSING_MS`] of the
/// other: one tab wrote before the other's write reached it; later, a tab
/// has seen the other's edit, and its own is the newer one): then what each
/// changed is kept, field by field — the memo
/// (both versions, [`crate::annotation::merge_memo`], the winner's first), the
/// tags (each side's additions and removals), the span (the side that moved
/// it). Both tabs come to the same result. Returns it and the ids of the
/// annotations whose memo now holds both versions.
pub fn merge_tabs(base: &[Annotation], local: &[Annotation], remote: &[Annotation]) -> (Vec<Annotation>, Vec<String>) {
    let ms = |a: &Annotation| parse_time(&a.updated).map(|(s, n)| s as i128 * 1000 + i128::from(n / 1_000_000));
    fn index(list: &[Annotation]) -> BTreeMap<&str, &Annotation> {
        list.iter().map(|a| (a.id.as_str(), a)).collect()
    }
    let (base, local_by, remote_by) = (index(base), index(local), index(remote));
    let mut joined = Vec::new();
    let mut merged = merge(local, remote);
    // Gone from the other tab's write with no tombstone (work put away for the next
    // person: Coding::put_away), and untouched here since both had it: gone here too.
    merged.retain(|m| {
        let id = m.id.as_str();
        remote_by.contains_key(id) || !base.get(id).is_some_and(|o| local_by.get(id) == Some(o))
    });
    for m in &mut merged {
        let (Some(&o), Some(&l), Some(&r)) = (base.get(m.id.as_str()), local_by.get(m.id.as_str()), remote_by.get(m.id.as_str())) else { continue };
        let newer = |x: &Annotation| parse_time(&x.updated) > parse_time(&o.updated);
        let crossed = matches!((ms(l), ms(r)), (Some(a), Some(b)) if (a - b).abs() < CROSSING_MS);
        if l == r || l.deleted || r.deleted || !newer(l) || !newer(r) || !crossed {
            continue;
        }
        // Concurrent edits: `m` is the winner's; take from the other what only it changed.
        let other = if m == l { r } else { l };
        if m.memo != other.memo {
            if m.memo == o.memo {
                m.memo = other.memo.clone();
            } else if other.memo != o.memo {
                let (memo, both) = crate::annotation::merge_memo(&o.memo, &m.memo, &other.memo);
                m.memo = memo;
                if both {
                    joined.push(m.id.clone());
                }
            }
        }
        if m.tags != other.tags && other.tags != o.tags {
            let mut tags: Vec<String> = m.tags.iter().filter(|t| other.tags.contains(t) || !o.tags.contains(t)).cloned().collect();
            for t in &other.tags {
                if !o.tags.contains(t) && !tags.contains(t) {
                    tags.push(t.clone());
                }
            }
            if !tags.is_empty() {
                m.tags = tags;
            }
        }
        let span = |a: &Annotation| (a.start, a.end);
        if span(m) == span(o) && span(other) != span(o) {
            (m.start, m.end, m.quote, m.prefix, m.suffix) =
                (other.start, other.end, other.quote.clone(), other.prefix.clone(), other.suffix.clone());
        }
    }
    (merged, joined)
}

/// How close in time (milliseconds) two tabs' edits of one annotation must be
/// for their writes to have crossed. A tab's write reaches the others within
/// a frame or two; an edit made later than this was made with the other's in view.
pub const CROSSING_MS: i128 = 400;

/// Whether `y` wins over `x`: the later `updated` time (as a point in time, so
/// time zones and fractions of a second compare right; unreadable times lose),
/// then at the same instant a deletion, then a total order on the content.
fn wins(y: &Annotation, x: &Annotation) -> bool {
    let key = |a: &Annotation| (parse_time(&a.updated), a.deleted, a.updated.clone());
    match key(y).cmp(&key(x)) {
        std::cmp::Ordering::Greater => true,
        std::cmp::Ordering::Less => false,
        std::cmp::Ordering::Equal => serde_json::to_string(y).unwrap_or_default() >= serde_json::to_string(x).unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn what_was_set_aside_downloads_exactly_as_stored() {
        let broken = "[{\"id\":\"a1\",\"doc\":\"S/2019/103\",\"sta".to_string();
        let values = vec![
            ("marginalia:quarantine:marginalia:v1:doc:S/2019/103".to_string(), broken.clone()),
            ("marginalia:quarantine:2026-11-23T10:00:00Z:marginalia:v1:codebook".to_string(), "\u{0}😀\"".to_string()),
        ];
        let file = set_aside_file(&values, "0.1.0", "2026-11-23T16:00:00Z");
        let v: serde_json::Value = serde_json::from_str(&file).unwrap();
        assert_eq!(v["format"], "marginalia-set-aside");
        assert_eq!(v["values"][0]["value"], broken.as_str());
        assert_eq!(v["values"][0]["read_from"], "marginalia:v1:doc:S/2019/103");
        assert_eq!(v["values"][1]["read_from"], "marginalia:v1:codebook");
        assert_eq!(v["values"][1]["value"], "\u{0}😀\"");
        assert_eq!(v["values"].as_array().unwrap().len(), 2);
    }

    #[test]
    fn the_task_is_kept_with_the_settings_and_old_settings_still_read() {
        let m = Meta { task: "Code ¶5–18.\nHand in by Friday.".into(), handout_task: "Code ¶1–3.".into(), ..Meta::default() };
        assert_eq!(decode_meta(&encode_meta(&m)).unwrap(), m);
        let old = decode_meta(r#"{"schema":1,"coder":"Amina"}"#).unwrap();
        assert_eq!((old.task.as_str(), old.handout_task.as_str(), old.coder.as_str()), ("", "", "Amina"));
        assert!(!encode_meta(&Meta::default()).contains("task"), "no task: nothing written");
        assert_eq!(crate::handout::task_paragraphs(&m.task), vec!["Code ¶5–18.", "Hand in by Friday."]);
    }

    fn counter() -> impl FnMut() -> String {
        let mut n = 0;
        move || {
            n += 1;
            format!("m{n}")
        }
    }

    #[test]
    fn migrates_the_first_layout() {
        let mut entries = BTreeMap::new();
        entries.insert(
            V0_KEY.to_string(),
            r#"[{"doc":"S/2019/103","start":17,"end":40,"tag":"threat","note":"key claim"},
                {"doc":"S/2018/80","start":5,"end":9,"tag":"finance"}]"#
                .to_string(),
        );
        let l = load(&entries, "2026-11-23T00:00:00Z", counter());
        assert!(l.quarantined.is_empty());
        let a: Vec<_> = l.coding.live("S/2019/103").collect();
        assert_eq!(a.len(), 1);
        assert_eq!((a[0].start, a[0].end, a[0].tags[0].as_str(), a[0].memo.as_str()), (17, 40, "threat", "key claim"));
        assert_eq!(l.coding.live("S/2018/80").count(), 1);
        assert!(l.writes.iter().any(|(k, _)| k == "marginalia:v1:doc:S/2019/103"));
        assert!(l.writes.iter().any(|(k, _)| k == META_KEY));
        assert_eq!(l.removals, [V0_KEY]);
        // Loading what was written gives the same annotations, with no further migration.
        let mut after: BTreeMap<String, String> = l.writes.into_iter().collect();
        after.remove(V0_KEY);
        let again = load(&after, "later", counter());
        assert!(again.writes.is_empty() && again.removals.is_empty());
        assert_eq!(again.coding.live("S/2019/103").next().unwrap().memo, "key claim");
    }

    #[test]
    fn unreadable_values_are_quarantined_never_dropped() {
        let mut entries = BTreeMap::new();
        entries.insert(doc_key("S/2019/103"), "{not json".to_string());
        entries.insert(CODEBOOK_KEY.to_string(), "[]".to_string());
        entries.insert(doc_key("S/2018/80"), "[]".to_string());
        let l = load(&entries, "now", counter());
        assert_eq!(l.quarantined.len(), 2);
        assert!(l.writes.contains(&(format!("{QUARANTINE_PREFIX}marginalia:v1:doc:S/2019/103"), "{not json".to_string())));
        assert!(l.removals.contains(&doc_key("S/2019/103")));
        assert_eq!(l.coding.codebook, Codebook::default(), "the default codebook stands in");
        assert!(l.quarantined[0].reason.contains("could not be read") || l.quarantined[1].reason.contains("could not be read"));
    }

    /// Storage after the shell applied an outcome: writes first, then removals.
    fn apply(entries: &BTreeMap<String, String>, writes: &[(String, String)], removals: &[String]) -> BTreeMap<String, String> {
        let mut after = entries.clone();
        after.extend(writes.iter().cloned());
        for k in removals {
            after.remove(k);
        }
        after
    }

    /// A hand-made store of the first layout, as an early version wrote it, with
    /// a settings key naming the coder, one unreadable record, and a document
    /// that already has annotations in the current layout (a migration cut short).
    fn v0_store() -> BTreeMap<String, String> {
        let mut e = BTreeMap::new();
        e.insert(META_KEY.to_string(), r#"{"schema":0,"coder":"Amina"}"#.to_string());
        e.insert(
            V0_KEY.to_string(),
            r#"[
                {"doc":"S/2019/103","start":17,"end":40,"tag":"threat","note":"key claim"},
                {"doc":"S/2019/103","start":50,"end":45,"tag":"finance"},
                {"doc":"S/2018/80","start":5,"end":9,"tag":"repatriation","note":"camps 😀"},
                {"doc":"S/2018/80","start":"five","tag":"prosecution"}
            ]"#
            .to_string(),
        );
        e.insert(
            doc_key("S/2018/80"),
            r#"[{"id":"x1","doc":"S/2018/80","start":1,"end":3,"quote":"ab","tags":["threat"],"created":"2026-01-01T00:00:00Z","updated":"2026-01-01T00:00:00Z"}]"#.to_string(),
        );
        e.insert("unrelated".to_string(), "left alone".to_string());
        e
    }

    #[test]
    fn migration_from_a_hand_made_first_layout() {
        let e = v0_store();
        let out = migrate(&e, "2026-11-23T07:00:00Z");
        assert_eq!((out.from, out.to, out.newer), (0, 1, false));
        assert_eq!(out.removals, [V0_KEY]);
        // The unreadable record is set aside, with the reason, not dropped.
        assert_eq!(out.quarantined.len(), 1);
        let (key, value, reason) = &out.quarantined[0];
        assert_eq!(key, V0_KEY);
        assert!(value.contains("\"five\"") && reason.contains("1 annotation(s)"), "{value} {reason}");
        assert!(out.writes.iter().any(|(k, v)| k == &format!("{QUARANTINE_PREFIX}{V0_KEY}") && v == value));
        let after = apply(&e, &out.writes, &out.removals);
        assert_eq!(after["unrelated"], "left alone");
        assert_eq!(decode_meta(&after[META_KEY]).unwrap(), Meta { schema: 1, coder: "Amina".into(), last_backup: None, whole_words: false, showing: None, ..Meta::default() });
        let a = decode_annotations("S/2019/103", &after[&doc_key("S/2019/103")]).unwrap();
        assert_eq!(a.len(), 2);
        let first = a.iter().find(|x| x.memo == "key claim").unwrap();
        assert_eq!((first.start, first.end, first.tags.as_slice(), first.coder.as_str()), (17, 40, &["threat".to_string()][..], "Amina"));
        assert!(first.id.starts_with("v0-") && first.quote.is_empty());
        let swapped = a.iter().find(|x| x.tags == ["finance"]).unwrap();
        assert_eq!((swapped.start, swapped.end), (45, 50), "a backwards range is put right");
        // The document that already had current-layout annotations keeps them.
        let b = decode_annotations("S/2018/80", &after[&doc_key("S/2018/80")]).unwrap();
        assert_eq!(b.iter().map(|x| x.memo.as_str()).collect::<Vec<_>>().len(), 2);
        assert!(b.iter().any(|x| x.id == "x1") && b.iter().any(|x| x.memo == "camps 😀"));
        // Migrated again (two tabs, or a migration cut short): the same ids, so nothing doubles.
        let again = migrate(&e, "2026-11-23T08:00:00Z");
        let ids = |o: &MigrationOutcome| -> Vec<String> {
            let v = &o.writes.iter().find(|(k, _)| k == &doc_key("S/2019/103")).unwrap().1;
            decode_annotations("", v).unwrap().into_iter().map(|a| a.id).collect()
        };
        assert_eq!(ids(&out), ids(&again));
        let halfway = apply(&e, &out.writes, &[]);
        let rerun = migrate(&halfway, "2026-11-23T09:00:00Z");
        let after2 = apply(&halfway, &rerun.writes, &rerun.removals);
        assert_eq!(decode_annotations("", &after2[&doc_key("S/2019/103")]).unwrap().len(), 2);
        // The quarantined copy from the first run is not overwritten by the second.
        assert_eq!(after2.keys().filter(|k| k.starts_with(QUARANTINE_PREFIX)).count(), 2);
        // Once migrated, nothing more to do; loading reads everything.
        let done = migrate(&after, "later");
        assert_eq!((done.from, done.writes.len(), done.removals.len()), (1, 0, 0));
        let l = load(&after, "later", || unreachable!());
        assert_eq!(l.coding.live("S/2019/103").count(), 2);
        assert_eq!(l.meta.coder, "Amina");
        assert!(l.writes.is_empty() && l.quarantined.is_empty());
        assert_eq!(l.in_quarantine, [format!("{QUARANTINE_PREFIX}{V0_KEY}")]);
    }

    #[test]
    fn a_first_layout_that_is_not_a_list_is_set_aside() {
        let mut e = BTreeMap::new();
        e.insert(V0_KEY.to_string(), r#"{"doc":"x"}"#.to_string());
        let out = migrate(&e, "now");
        assert_eq!(out.quarantined[0].2, "annotations in the first storage layout are not a list");
        let after = apply(&e, &out.writes, &out.removals);
        assert_eq!(after[&format!("{QUARANTINE_PREFIX}{V0_KEY}")], r#"{"doc":"x"}"#);
        assert!(!after.contains_key(V0_KEY));
    }

    #[test]
    fn a_second_quarantine_of_a_key_does_not_overwrite_the_first() {
        let mut e = BTreeMap::new();
        e.insert(format!("{QUARANTINE_PREFIX}{}", doc_key("D")), "first bad".to_string());
        e.insert(doc_key("D"), "second bad".to_string());
        let l = load(&e, "2026-11-23T07:00:00Z", || unreachable!());
        let after = apply(&e, &l.writes, &l.removals);
        let q = format!("{QUARANTINE_PREFIX}2026-11-23T07:00:00Z:{}", doc_key("D"));
        assert_eq!(after[&format!("{QUARANTINE_PREFIX}{}", doc_key("D"))], "first bad");
        assert_eq!(after[&q], "second bad");
        assert_eq!(quarantined_original(&q), Some("marginalia:v1:doc:D"));
        assert_eq!(quarantined_original(&format!("{QUARANTINE_PREFIX}{}", doc_key("D"))), Some("marginalia:v1:doc:D"));
        let taken = |k: &str| k.ends_with(":k") && !k.contains("-3");
        assert_eq!(quarantine_key("k", "T", &taken), "marginalia:quarantine:T-3:k");
    }

    #[test]
    fn decoders_give_reasons() {
        assert!(decode_meta("{").unwrap_err().starts_with("the settings could not be read"));
        assert!(decode_codebook(r#"{"tags":[]}"#).unwrap_err().contains("no tags"));
        assert!(decode_annotations("S/2019/103", "[{}]").unwrap_err().contains("annotations of S/2019/103"));
        let book = Codebook::default();
        assert_eq!(decode_codebook(&encode_codebook(&book)).unwrap(), book);
    }

    #[test]
    fn times_compare_as_instants() {
        assert_eq!(parse_time("1970-01-01T00:00:00Z"), Some((0, 0)));
        assert_eq!(parse_time("1970-01-01T01:00:00+01:00"), Some((0, 0)));
        assert_eq!(parse_time("2026-11-23T06:11:00.5Z"), Some((1_795_414_260, 500_000_000)));
        assert_eq!(parse_time("2000-02-29T12:00:00-00:30").map(|t| t.0), Some(951_825_600 + 1800), "12:00 at -00:30 is 12:30Z");
        for bad in ["", "t0", "2026-13-01T00:00:00Z", "2026-11-23T06:11:00", "2026-11-23T06:11:00.Z", "2026-11-23T06:11:00+0100"] {
            assert_eq!(parse_time(bad), None, "{bad}");
        }
        // 10:00 at +02:00 is 08:00Z, earlier than 09:00Z, though it sorts later as text.
        let mk = |memo: &str, updated: &str| Annotation {
            id: "a".into(), doc: "D".into(), start: 0, end: 1, quote: "a".into(), prefix: String::new(),
            suffix: String::new(), tags: vec!["threat".into()], memo: memo.into(), coder: String::new(),
            created: "t".into(), updated: updated.into(), deleted: false,
        };
        let east = mk("east", "2026-01-01T10:00:00+02:00");
        let utc = mk("utc", "2026-01-01T09:00:00Z");
        assert_eq!(merge(std::slice::from_ref(&east), std::slice::from_ref(&utc))[0].memo, "utc");
        assert_eq!(merge(&[utc], &[east])[0].memo, "utc");
        let ms = mk("ms", "2026-01-01T09:00:00.001Z");
        assert_eq!(merge(&[mk("s", "2026-01-01T09:00:00Z")], &[ms])[0].memo, "ms");
    }

    #[test]
    fn a_newer_schema_is_left_alone() {
        let mut entries = BTreeMap::new();
        entries.insert(META_KEY.to_string(), r#"{"schema":7}"#.to_string());
        entries.insert(doc_key("X"), "[]".to_string());
        let l = load(&entries, "now", counter());
        assert!(l.newer);
        assert!(l.writes.is_empty() && l.removals.is_empty());
    }

    fn arb_ann() -> impl Strategy<Value = Annotation> {
        (0u8..6, 0u8..6, any::<bool>(), 0usize..50, "[a-z]{0,3}").prop_map(|(id, t, deleted, start, memo)| Annotation {
            id: format!("a{id}"),
            doc: "D".into(),
            start,
            end: start + 3,
            quote: String::new(),
            prefix: String::new(),
            suffix: String::new(),
            tags: vec!["threat".into()],
            memo,
            coder: String::new(),
            created: "t0".into(),
            updated: TIMES[t as usize].into(),
            deleted,
        })
    }

    /// Times as the browser writes them, the same instants written otherwise, and
    /// an unreadable one.
    const TIMES: [&str; 6] = [
        "2026-01-01T00:00:00.000Z",
        "2026-01-01T01:00:00+01:00",
        "2026-01-01T00:00:00.001Z",
        "2026-01-02T00:00:00Z",
        "t0",
        "2026-01-01T23:59:59.999-00:01",
    ];

    proptest! {
        #[test]
        fn merge_is_commutative_associative_idempotent(
            a in proptest::collection::vec(arb_ann(), 0..6),
            b in proptest::collection::vec(arb_ann(), 0..6),
            c in proptest::collection::vec(arb_ann(), 0..6),
        ) {
            // Each side holds one version per id, as storage does.
            let one = |v: Vec<Annotation>| merge(&v, &[]);
            let (a, b, c) = (one(a), one(b), one(c));
            prop_assert_eq!(merge(&a, &b), merge(&b, &a));
            prop_assert_eq!(merge(&merge(&a, &b), &c), merge(&a, &merge(&b, &c)));
            prop_assert_eq!(merge(&a, &a), a.clone());
            // Nothing is lost: every id of either side is in the merge.
            let m = merge(&a, &b);
            for x in a.iter().chain(&b) {
                prop_assert!(m.iter().any(|y| y.id == x.id));
            }
        }
    }

    #[test]
    fn newer_edits_and_deletions_win() {
        let base = Annotation {
            id: "a".into(), doc: "D".into(), start: 0, end: 3, quote: "abc".into(), prefix: String::new(),
            suffix: String::new(), tags: vec!["threat".into()], memo: String::new(), coder: String::new(),
            created: "2026-01-01T00:00:00Z".into(), updated: "2026-01-01T00:00:00Z".into(), deleted: false,
        };
        let edited = Annotation { memo: "x".into(), updated: "2026-01-02T00:00:00Z".into(), ..base.clone() };
        let deleted = Annotation { deleted: true, updated: "2026-01-03T00:00:00Z".into(), ..base.clone() };
        let other = Annotation { id: "b".into(), ..base.clone() };
        let m = merge(&[edited.clone(), other.clone()], std::slice::from_ref(&deleted));
        assert_eq!(m, vec![deleted, other]);
    }

    /// `base` edited `t` tenths of a second after it was made.
    fn at(base: &Annotation, t: &str) -> Annotation {
        Annotation { updated: format!("2026-01-01T00:00:00.{t}00Z"), ..base.clone() }
    }

    #[test]
    fn two_tabs_editing_one_annotation_keep_what_each_changed() {
        let base = Annotation {
            id: "a".into(), doc: "D".into(), start: 0, end: 3, quote: "abc".into(), prefix: String::new(),
            suffix: String::new(), tags: vec!["threat".into(), "finance".into()], memo: "base".into(), coder: "ana".into(),
            created: "2026-01-01T00:00:00Z".into(), updated: "2026-01-01T00:00:00Z".into(), deleted: false,
        };
        let both_ways = |l: &Annotation, r: &Annotation| {
            let (one, j1) = merge_tabs(std::slice::from_ref(&base), std::slice::from_ref(l), std::slice::from_ref(r));
            let (two, j2) = merge_tabs(std::slice::from_ref(&base), std::slice::from_ref(r), std::slice::from_ref(l));
            assert_eq!(one, two, "both tabs come to the same result");
            assert_eq!(j1, j2);
            (one.into_iter().next().unwrap(), !j1.is_empty())
        };
        // Each typed into the memo: both texts kept, the later edit's first.
        let l = Annotation { memo: "base A1".into(), ..at(&base, "2") };
        let r = Annotation { memo: "base B1".into(), ..at(&base, "3") };
        let (m, joined) = both_ways(&l, &r);
        assert!(joined);
        assert_eq!(m.memo, format!("base B1\n\n{}\nbase A1", crate::annotation::MEMO_FROM_ANOTHER_TAB));
        assert_eq!(m.updated, r.updated);
        // One changed the memo, the other the tags and the span: all of it kept.
        let l = Annotation { memo: "why".into(), ..at(&base, "2") };
        let r = Annotation { tags: vec!["threat".into(), "prosecution".into()], start: 1, quote: "bc".into(), ..at(&base, "3") };
        let (m, joined) = both_ways(&l, &r);
        assert!(!joined);
        assert_eq!((m.memo.as_str(), m.tags.clone(), m.start, m.quote.as_str()), ("why", vec!["threat".to_string(), "prosecution".to_string()], 1, "bc"));
        // Tags: one removed finance, the other added repatriation.
        let l = Annotation { tags: vec!["threat".into()], ..at(&base, "2") };
        let r = Annotation { tags: vec!["threat".into(), "finance".into(), "repatriation".into()], ..at(&base, "3") };
        assert_eq!(both_ways(&l, &r).0.tags, ["threat", "repatriation"]);
        // A deletion is an edit like any other: the later one wins, as in `merge`.
        let gone = Annotation { deleted: true, ..at(&base, "3") };
        assert!(both_ways(&l, &gone).0.deleted);
        // Edits further apart than writes take to cross: the later was made with the
        // earlier in view, and stands whole.
        let long_after = Annotation { memo: "later".into(), updated: "2026-01-01T00:00:01.000Z".into(), ..base.clone() };
        let (m, joined) = both_ways(&l, &long_after);
        assert_eq!((m, joined), (long_after.clone(), false));
        // A value older than what this tab last saw does not take back what is here:
        // only the later edit counts.
        let mine = Annotation { memo: "newest".into(), ..at(&base, "5") };
        let stale = Annotation { memo: "stale".into(), ..at(&base, "4") };
        let (m, _) = merge_tabs(std::slice::from_ref(&mine), std::slice::from_ref(&mine), std::slice::from_ref(&stale));
        assert_eq!(m[0].memo, "newest");
        // No base (an annotation this tab has not seen written): the later edit wins.
        let (m, _) = merge_tabs(&[], std::slice::from_ref(&l), std::slice::from_ref(&r));
        assert_eq!(m[0], r);
        // Put away in the other tab (gone with no tombstone) and untouched here: gone here too.
        let (m, _) = merge_tabs(std::slice::from_ref(&base), std::slice::from_ref(&base), &[]);
        assert!(m.is_empty(), "{m:?}");
        // Edited here since: kept (this tab's newer work is not lost), as is one made here.
        let (m, _) = merge_tabs(std::slice::from_ref(&base), std::slice::from_ref(&l), &[]);
        assert_eq!(m, [l.clone()]);
        let (m, _) = merge_tabs(&[], std::slice::from_ref(&l), &[]);
        assert_eq!(m, [l.clone()]);
    }

    proptest! {
        #[test]
        fn tabs_merge_to_one_result_and_keep_every_memo_typed(
            memos in proptest::collection::vec("[ab ]{0,4}", 3),
            tags in proptest::collection::vec(proptest::collection::btree_set(0usize..4, 1..4), 3),
            times in (0u32..10, 0u32..10, 0u32..10),
        ) {
            let names = ["threat", "finance", "repatriation", "prosecution"];
            let make = |i: usize, t: u32| Annotation {
                id: "a".into(), doc: "D".into(), start: 0, end: 3, quote: "abc".into(), prefix: String::new(), suffix: String::new(),
                tags: tags[i].iter().map(|&k| names[k].to_string()).collect(), memo: memos[i].clone(), coder: "ana".into(),
                created: "2026-01-01T00:00:00Z".into(), updated: format!("2026-01-01T00:00:00.{t}00Z"), deleted: false,
            };
            let (o, l, r) = (make(0, times.0), make(1, times.1), make(2, times.2));
            let (one, _) = merge_tabs(std::slice::from_ref(&o), std::slice::from_ref(&l), std::slice::from_ref(&r));
            let (two, _) = merge_tabs(std::slice::from_ref(&o), std::slice::from_ref(&r), std::slice::from_ref(&l));
            prop_assert_eq!(&one, &two);
            let m = &one[0];
            prop_assert!(!m.tags.is_empty());
            // Both edited since the base, their writes crossing: a memo either typed is in the result.
            if l.updated > o.updated && r.updated > o.updated && times.1.abs_diff(times.2) < 4 {
                for x in [&l, &r] {
                    if x.memo != o.memo && !x.memo.is_empty() {
                        prop_assert!(m.memo.contains(&x.memo), "{:?} lost {:?}", m.memo, x.memo);
                    }
                }
            } else {
                // Otherwise it is `merge`: the later edit whole.
                prop_assert_eq!(&one, &merge(std::slice::from_ref(&l), std::slice::from_ref(&r)));
            }
            // Once merged, a tab that receives the result again changes nothing.
            let (again, joined) = merge_tabs(&one, &one, std::slice::from_ref(m));
            prop_assert_eq!(&again, &one);
            prop_assert!(joined.is_empty());
        }
    }
}

/// A full backup: everything needed to restore a coder's work exactly.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Backup {
    pub format: String,
    pub version: u32,
    pub app_version: String,
    pub exported_at: String,
    pub coder: String,
    pub codebook: Codebook,
    /// Each coded document's id and the SHA-256 of its text when backed up.
    pub documents: Vec<BackupDocument>,
    /// Every annotation, tombstones included.
    pub annotations: Vec<Annotation>,
    /// The user's own texts (the built-in reports are part of Marginalia itself).
    #[serde(default)]
    pub texts: Vec<UserText>,
    /// The task a handout gave the coder (Meta::task), so that it comes back with
    /// the work on another computer.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub task: String,
    /// Tags the file's annotations use that its codebook lacked (a backup edited by
    /// hand), added to `codebook` when the file was read so that no annotation is
    /// restored with a tag the codebook does not have. Not part of the file.
    #[serde(skip)]
    pub added_tags: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupDocument {
    pub id: String,
    pub text_sha256: String,
}

pub const BACKUP_FORMAT: &str = "marginalia-backup";

/// The backup of a coding state. `hashes` gives each document's text hash.
pub fn backup(
    coding: &Coding,
    meta: &Meta,
    hashes: &dyn Fn(&str) -> Option<String>,
    texts: Vec<UserText>,
    app_version: &str,
    now: &str,
) -> Backup {
    // A document with no text here and nothing live (a user's own text, removed) is left out.
    let docs: Vec<&str> = coding.docs().filter(|d| hashes(d).is_some() || coding.live(d).next().is_some()).collect();
    Backup {
        format: BACKUP_FORMAT.into(),
        version: SCHEMA_VERSION,
        app_version: app_version.into(),
        exported_at: now.into(),
        coder: meta.coder.clone(),
        codebook: coding.codebook.clone(),
        documents: docs
            .iter()
            .map(|d| BackupDocument { id: d.to_string(), text_sha256: hashes(d).unwrap_or_default() })
            .collect(),
        annotations: docs.iter().flat_map(|d| coding.stored(d).iter().cloned()).collect(),
        texts,
        task: meta.task.clone(),
        added_tags: Vec::new(),
    }
}

impl Backup {
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The documents whose text is not what it was when backed up (`hash` gives
    /// today's SHA-256 of a document's text): their annotations re-anchor by
    /// quote after a restore, and the preview should say so.
    pub fn changed_documents(&self, hash: &dyn Fn(&str) -> Option<String>) -> Vec<String> {
        self.documents
            .iter()
            .filter(|d| !d.text_sha256.is_empty() && hash(&d.id).is_some_and(|h| h != d.text_sha256))
            .map(|d| d.id.clone())
            .collect()
    }
}

/// Why the first tag asks whether the coder named here is the one coding now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Still {
    /// All the work here was handed in (a backup) before the page opened.
    HandedIn,
    /// Nothing was changed here since `away_before` (another lesson, another student).
    Away,
    /// The name came with a backup brought into a browser that had none.
    Adopted,
}

/// Whether the first tag asks "Still …?", and why: not in one person's browser
/// (`Meta::only_me`), and only when the coder named has work here.
pub fn asks_still(coding: &Coding, meta: &Meta, away_before: &str) -> Option<Still> {
    if meta.name_from_backup && !meta.coder.trim().is_empty() {
        return Some(Still::Adopted);
    }
    if meta.only_me {
        return None;
    }
    if all_in_backup(coding, meta) {
        return Some(Still::HandedIn);
    }
    if meta.coder.trim().is_empty() || !coding.all_live().any(|a| a.coder == meta.coder) {
        return None;
    }
    let newest = coding.docs().flat_map(|d| coding.stored(d)).map(|a| a.updated.as_str()).max()?;
    (newest < away_before).then_some(Still::Away)
}

/// Whether the coder named in `meta` has work here and all of it, everyone's
/// too, was in the last backup (nothing changed after it): work handed in,
/// perhaps on a shared computer, so the next tag should ask who is coding.
pub fn all_in_backup(coding: &Coding, meta: &Meta) -> bool {
    let Some(at) = meta.last_backup.as_deref() else { return false };
    let coder = meta.coder.trim();
    !coder.is_empty()
        && coding.all_live().any(|a| a.coder == meta.coder)
        && coding.docs().flat_map(|d| coding.stored(d)).all(|a| a.updated.as_str() <= at)
}

/// Whether work here is in no backup file: an annotation (or a deletion) made
/// after the last backup, or any when there was none. Replace saves it first.
pub fn unsaved_work(coding: &Coding, meta: &Meta) -> bool {
    let mut all = coding.docs().flat_map(|d| coding.stored(d));
    match meta.last_backup.as_deref() {
        Some(at) => all.any(|a| a.updated.as_str() > at),
        None => coding.all_live().next().is_some(),
    }
}

#[cfg(test)]
mod backup_tests {
    use super::*;

    #[test]
    fn work_in_no_backup_is_told() {
        let mut c = Coding::new(Codebook::default());
        let mut meta = Meta::default();
        assert!(!unsaved_work(&c, &meta), "nothing here");
        let a = Annotation {
            id: "a".into(), doc: "D".into(), start: 1, end: 3, quote: "ab".into(), prefix: String::new(), suffix: String::new(),
            tags: vec!["threat".into()], memo: String::new(), coder: "Key".into(), created: "2026-12-03T10:00:00.000Z".into(),
            updated: "2026-12-03T10:00:00.000Z".into(), deleted: false,
        };
        c.add(a.clone());
        assert!(unsaved_work(&c, &meta), "never backed up");
        meta.last_backup = Some("2026-12-03T10:05:00.000Z".into());
        assert!(!unsaved_work(&c, &meta), "in the last backup");
        c.add(Annotation { id: "b".into(), updated: "2026-12-03T10:06:00.000Z".into(), ..a });
        assert!(unsaved_work(&c, &meta), "coded since");
    }

    #[test]
    fn work_all_in_the_last_backup_is_told() {
        let mut c = Coding::new(Codebook::default());
        let ann = |id: &str, coder: &str, updated: &str| Annotation {
            id: id.into(), doc: "D".into(), start: 1, end: 3, quote: "ab".into(), prefix: String::new(), suffix: String::new(),
            tags: vec!["threat".into()], memo: String::new(), coder: coder.into(), created: updated.into(), updated: updated.into(), deleted: false,
        };
        let mut meta = Meta { coder: "Chloe".into(), ..Meta::default() };
        assert!(!all_in_backup(&c, &meta), "nothing here");
        c.add(ann("a", "Chloe", "2026-12-03T10:00:00.000Z"));
        assert!(!all_in_backup(&c, &meta), "no backup");
        meta.last_backup = Some("2026-12-03T10:05:00.000Z".into());
        assert!(all_in_backup(&c, &meta));
        c.add(ann("b", "Ben", "2026-12-03T10:06:00.000Z"));
        assert!(!all_in_backup(&c, &meta), "changed after the backup");
        meta.last_backup = Some("2026-12-03T10:07:00.000Z".into());
        assert!(all_in_backup(&c, &meta));
        let early = "2026-12-03T09:00:00.000Z";
        assert_eq!(asks_still(&c, &meta, early), Some(Still::HandedIn));
        // One person's browser: never asked.
        let mine = Meta { only_me: true, ..meta.clone() };
        assert!(all_in_backup(&c, &mine) && asks_still(&c, &mine, "2027-01-01T00:00:00.000Z").is_none());
        // Not handed in, but nothing changed for hours: asked too (another lesson); not soon after.
        let mut later = c.clone();
        later.add(ann("c", "Chloe", "2026-12-03T11:00:00.000Z"));
        assert_eq!(asks_still(&later, &meta, "2026-12-03T10:30:00.000Z"), None);
        assert_eq!(asks_still(&later, &meta, "2026-12-03T13:00:00.000Z"), Some(Still::Away));
        assert_eq!(asks_still(&later, &Meta { coder: "Zoe".into(), ..meta.clone() }, "2026-12-03T13:00:00.000Z"), None, "no work of Zoe's");
        // A name that came with a backup is asked about until confirmed, over a reload too.
        assert_eq!(asks_still(&later, &Meta { name_from_backup: true, ..meta.clone() }, early), Some(Still::Adopted));
        meta.coder = "Zoe".into();
        assert!(!all_in_backup(&c, &meta), "Zoe has coded nothing here: she is asked nothing");
    }

    #[test]
    fn backup_carries_everything_and_reads_back() {
        let mut c = Coding::new(Codebook::default());
        let a = Annotation {
            id: "a".into(), doc: "S/2019/103".into(), start: 1, end: 3, quote: "😀é".into(), prefix: String::new(),
            suffix: String::new(), tags: vec!["threat".into()], memo: "m".into(), coder: "ana".into(),
            created: "t".into(), updated: "t".into(), deleted: false,
        };
        c.add(a.clone());
        let meta = Meta { coder: "ana".into(), ..Meta::default() };
        let b = backup(&c, &meta, &|_| Some("abc".into()), Vec::new(), "0.1.0", "2026-11-23T00:00:00Z");
        assert_eq!(b.format, "marginalia-backup");
        assert_eq!(b.documents, vec![BackupDocument { id: "S/2019/103".into(), text_sha256: "abc".into() }]);
        assert_eq!(b.annotations, vec![a]);
        let back: Backup = serde_json::from_str(&b.to_json()).unwrap();
        assert_eq!(back, b);
        assert!(!b.to_json().contains("\"task\""), "no task: none written");
        // The task a handout gave goes with the work.
        let given = Meta { task: "Code ¶5–18 of S/2019/103.".into(), ..meta };
        let b = backup(&c, &given, &|_| Some("abc".into()), Vec::new(), "0.1.0", "2026-11-23T00:00:00Z");
        let back: Backup = serde_json::from_str(&b.to_json()).unwrap();
        assert_eq!(back.task, "Code ¶5–18 of S/2019/103.");
    }
}

/// How a backup is restored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RestoreMode {
    /// The backup replaces the current codebook and annotations.
    Replace,
    /// The backup's annotations merge with the current ones (newer edit wins).
    Merge,
}

/// What restoring would change, for a preview.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RestorePlan {
    pub added: usize,
    pub updated: usize,
    pub removed: usize,
    pub unchanged: usize,
    /// The annotations to write (new versions and tombstones).
    pub writes: Vec<Annotation>,
    pub codebook: Codebook,
    /// The ids behind the counts, for the preview.
    pub added_ids: Vec<String>,
    pub updated_ids: Vec<String>,
    pub removed_ids: Vec<String>,
    /// Merge: the file's live annotations that were deleted here after the file
    /// was made (the deletion is newer, so a merge keeps it). Offered apart: see
    /// [`RestorePlan::bringing_back`].
    pub deleted_here: Vec<Annotation>,
}

impl RestorePlan {
    /// The plan that also brings back [`RestorePlan::deleted_here`], each as an
    /// edit made `now` (so that it wins in other tabs too).
    pub fn bringing_back(&self, now: &str) -> RestorePlan {
        let mut plan = self.clone();
        for a in &self.deleted_here {
            plan.added += 1;
            plan.added_ids.push(a.id.clone());
            plan.writes.retain(|w| w.id != a.id);
            plan.writes.push(Annotation { deleted: false, updated: now.to_string(), ..a.clone() });
        }
        plan.deleted_here.clear();
        plan
    }

    /// Whose annotations the plan removes, with how many of each, in words, most
    /// first ("Key's 5 and Ben's 4"); `None` when it removes none. `coding`: the
    /// state the plan was made against.
    pub fn removed_whose(&self, coding: &Coding) -> Option<String> {
        let mut by: BTreeMap<&str, usize> = BTreeMap::new();
        for id in &self.removed_ids {
            *by.entry(coding.get(id).map_or("", |a| a.coder.as_str())).or_default() += 1;
        }
        let mut by: Vec<(&str, usize)> = by.into_iter().collect();
        // Most first; at the same count by name, an unnamed coder last.
        by.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.is_empty().cmp(&b.0.is_empty())).then(a.0.cmp(b.0)));
        let parts: Vec<String> =
            by.iter().map(|(c, n)| format!("{}'s {n}", if c.is_empty() { "an unnamed coder" } else { c })).collect();
        match parts.as_slice() {
            [] => None,
            [one] => Some(one.clone()),
            [init @ .., last] => Some(format!("{} and {last}", init.join(", "))),
        }
    }
}

/// The user texts a backup file carries, read leniently (to learn their
/// documents' lengths before the backup itself is checked).
pub fn backup_texts(s: &str) -> Vec<UserText> {
    serde_json::from_str::<serde_json::Value>(s)
        .ok()
        .and_then(|v| v.get("texts").cloned())
        .and_then(|t| serde_json::from_value(t).ok())
        .unwrap_or_default()
}

impl Backup {
    /// Reads and checks a backup file. `doc_len` gives the length in code points of a
    /// document's text, or `None` for a document this app does not have.
    pub fn from_json(s: &str, doc_len: &dyn Fn(&str) -> Option<usize>) -> Result<Backup, String> {
        let v: serde_json::Value = serde_json::from_str(s)
            .map_err(|e| format!("This file is not a Marginalia backup: {}.", crate::json_error(&e)))?;
        if v.get("format").and_then(|f| f.as_str()) != Some(BACKUP_FORMAT) {
            return Err("This file is not a Marginalia backup (it has no \"format\": \"marginalia-backup\").".into());
        }
        let version = v.get("version").and_then(|x| x.as_u64()).unwrap_or(0);
        if version > u64::from(SCHEMA_VERSION) {
            return Err(format!("This backup was written by a newer Marginalia (format version {version}); update Marginalia to restore it."));
        }
        let mut b: Backup = serde_json::from_value(v).map_err(|e| format!("This backup is incomplete or damaged: {}.", crate::json_error(&e)))?;
        b.codebook.validate().map_err(|e| format!("The backup's codebook is not valid: {e}"))?;
        // Deletions in a text that is not here (a user's own text, since removed) say nothing
        // worth restoring.
        b.annotations.retain(|a| !a.deleted || doc_len(&a.doc).is_some());
        b.documents.retain(|d| doc_len(&d.id).is_some() || b.annotations.iter().any(|a| a.doc == d.id));
        for a in &b.annotations {
            let Some(len) = doc_len(&a.doc) else {
                return Err(format!("The backup has annotations of a document that is not here: {}.", a.doc));
            };
            if a.start >= a.end || a.end > len {
                return Err(format!("The annotation {} lies outside the text of {} ({}–{} of {} characters).", a.id, a.doc, a.start, a.end, len));
            }
            if a.tags.is_empty() && !a.deleted {
                return Err(format!("The annotation {} has no tag.", a.id));
            }
            // A blank tag cannot be added to the codebook for it (every tag needs an id and a name).
            if !a.deleted && a.tags.iter().any(|t| t.trim().is_empty()) {
                return Err(format!("The annotation {} has a tag with no name.", a.id));
            }
        }
        let missing: Vec<String> = b
            .annotations
            .iter()
            .filter(|a| !a.deleted)
            .flat_map(|a| &a.tags)
            .fold(Vec::new(), |mut seen, t| {
                if b.codebook.get(t).is_none() && !seen.contains(t) {
                    seen.push(t.clone());
                }
                seen
            });
        for id in missing {
            b.codebook.add_with_id(&id);
            b.added_tags.push(id);
        }
        Ok(b)
    }
}

/// What restoring `backup` over `current` would do (nothing is changed here).
pub fn restore_plan(current: &Coding, backup: &Backup, mode: RestoreMode, now: &str) -> RestorePlan {
    let mut plan = RestorePlan::default();
    let mut seen = std::collections::BTreeSet::new();
    let index: std::collections::HashMap<&str, &Annotation> =
        current.docs().flat_map(|d| current.stored(d)).map(|a| (a.id.as_str(), a)).collect();
    for b in &backup.annotations {
        seen.insert(b.id.clone());
        let cur = index.get(b.id.as_str()).copied();
        let result = match mode {
            // What is new here comes as the backup has it, times included; what replaces
            // a version of ours is an edit made now (so that it also wins in other tabs).
            RestoreMode::Replace => match cur {
                None => b.clone(),
                Some(_) => Annotation { updated: now.to_string(), ..b.clone() },
            },
            RestoreMode::Merge => match cur {
                Some(c) => merge(std::slice::from_ref(c), std::slice::from_ref(b)).remove(0),
                None => b.clone(),
            },
        };
        if mode == RestoreMode::Merge && !b.deleted && result.deleted && cur.is_some_and(|c| c.deleted) {
            plan.deleted_here.push(b.clone());
        }
        match cur {
            // A deletion never seen here is kept as the file has it (a tombstone), not
            // counted: an older copy of the annotation, merged later (a coder's earlier
            // backup), must not bring it back.
            None if result.deleted => plan.writes.push(result),
            None => {
                plan.added += 1;
                plan.added_ids.push(result.id.clone());
                plan.writes.push(result);
            }
            // Counted as the user counts: annotations, not deletions kept on both sides.
            Some(c) if c.deleted == result.deleted && same_content(c, &result) => plan.unchanged += usize::from(!result.deleted),
            Some(c) => {
                if !c.deleted && result.deleted {
                    plan.removed += 1;
                    plan.removed_ids.push(result.id.clone());
                } else if c.deleted && !result.deleted {
                    plan.added += 1;
                    plan.added_ids.push(result.id.clone());
                } else {
                    plan.updated += 1;
                    plan.updated_ids.push(result.id.clone());
                }
                plan.writes.push(result);
            }
        }
    }
    if mode == RestoreMode::Replace {
        for c in current.all_live() {
            if !seen.contains(&c.id) {
                plan.removed += 1;
                plan.removed_ids.push(c.id.clone());
                plan.writes.push(Annotation { deleted: true, updated: now.to_string(), ..c.clone() });
            }
        }
    }
    plan.codebook = match mode {
        RestoreMode::Replace => backup.codebook.clone(),
        // A browser with nothing coded and the codebook untouched (one's own work brought
        // to a new computer) takes the backup's codebook whole: its names, keys, colours.
        RestoreMode::Merge if current.all_live().next().is_none() && current.codebook == Codebook::default() => backup.codebook.clone(),
        RestoreMode::Merge => {
            let mut book = current.codebook.clone();
            for t in &backup.codebook.tags {
                if book.get(&t.id).is_none() {
                    let mut t = t.clone();
                    if t.key.is_some_and(|k| book.by_key(k).is_some()) {
                        t.key = None;
                    }
                    // Another tag here has its colour (each side added a tag): its
                    // highlights would not be told apart, so it takes a free one.
                    if book.tags.iter().any(|x| x.colour.eq_ignore_ascii_case(&t.colour)) {
                        t.colour = book.free_colour();
                    }
                    // Another tag here has its name (renamed on one side, added on the
                    // other): names stay unique, as the codebook requires.
                    let taken = |book: &Codebook, name: &str| {
                        book.tags.iter().any(|x| x.name.trim().to_lowercase() == name.trim().to_lowercase())
                    };
                    if taken(&book, &t.name) {
                        let base: String = t.name.trim().chars().take(72).collect();
                        let mut n = 2;
                        while taken(&book, &format!("{base} ({n})")) {
                            n += 1;
                        }
                        t.name = format!("{base} ({n})");
                    }
                    book.tags.push(t);
                }
            }
            // Sub-codes brought in sit under their parents, not after the last tag.
            book.tidy();
            book
        }
    };
    plan
}

/// Names a file shares with coders here whose work it has none of: two students
/// who gave the same name, whose work merged would count as one coder's (and be
/// graded as one). Each such name of the file's, with live annotations on both
/// sides and not one annotation (live or deleted) in common, is given with a
/// free name for the file's work ("Dan (2)"). One coder's later file shares
/// the annotations of their earlier one (deletions included), so it is not
/// taken apart. The coder here (`me`, a teacher) is not taken apart from a file
/// of their own work on another computer, brought in alone; but a file among a
/// class's (`class`: several picked together) or one that carries a handout's
/// task is a student's: a student who typed the teacher's name is taken apart
/// from the answer key.
pub fn apart_names(current: &Coding, backup: &Backup, me: &str, class: bool) -> Vec<(String, String)> {
    let here_ids: HashSet<&str> = current.docs().flat_map(|d| current.stored(d)).map(|a| a.id.as_str()).collect();
    let here = current.coders();
    let spared = if class || !backup.task.trim().is_empty() { None } else { Some(me) };
    let mut names: Vec<&str> = Vec::new();
    for a in backup.annotations.iter().filter(|a| !a.deleted) {
        if !a.coder.is_empty() && Some(a.coder.as_str()) != spared && here.contains(a.coder.as_str()) && !names.contains(&a.coder.as_str()) {
            names.push(&a.coder);
        }
    }
    let mut taken: Vec<String> = here.iter().map(|c| c.to_lowercase()).collect();
    taken.extend(backup.annotations.iter().map(|a| a.coder.to_lowercase()));
    names
        .into_iter()
        .filter(|n| !backup.annotations.iter().any(|a| a.coder == *n && here_ids.contains(a.id.as_str())))
        .map(|n| {
            let mut k = 2;
            while taken.contains(&format!("{n} ({k})").to_lowercase()) {
                k += 1;
            }
            let free = format!("{n} ({k})");
            taken.push(free.to_lowercase());
            (n.to_string(), free)
        })
        .collect()
}

impl Backup {
    /// The file with each coder `from` of `names` named `to` (its annotations, and
    /// the file's own coder).
    pub fn renamed(&self, names: &[(String, String)]) -> Backup {
        let mut b = self.clone();
        for (from, to) in names {
            for a in b.annotations.iter_mut().filter(|a| a.coder == *from) {
                a.coder = to.clone();
            }
            if b.coder == *from {
                b.coder = to.clone();
            }
        }
        b
    }
}

/// Whether two versions of an annotation say the same (span, tags, memo, quote).
pub(crate) fn same_content(a: &Annotation, b: &Annotation) -> bool {
    (a.start, a.end, &a.tags, &a.memo, &a.quote) == (b.start, b.end, &b.tags, &b.memo, &b.quote)
}

#[cfg(test)]
mod restore_tests {
    use super::*;

    fn ann(id: &str, memo: &str, updated: &str) -> Annotation {
        Annotation {
            id: id.into(), doc: "D".into(), start: 0, end: 4, quote: "abcd".into(), prefix: String::new(),
            suffix: String::new(), tags: vec!["threat".into()], memo: memo.into(), coder: "c".into(),
            created: "t0".into(), updated: updated.into(), deleted: false,
        }
    }

    fn backup_of(anns: Vec<Annotation>) -> Backup {
        Backup {
            format: BACKUP_FORMAT.into(), version: 1, app_version: "0.1.0".into(), exported_at: "t".into(),
            coder: "c".into(), codebook: Codebook::default(),
            documents: vec![BackupDocument { id: "D".into(), text_sha256: String::new() }], annotations: anns,
            texts: Vec::new(), task: String::new(), added_tags: Vec::new(),
        }
    }

    #[test]
    fn a_merge_puts_sub_codes_under_their_parents() {
        let mut file = backup_of(vec![]);
        let ff = file.codebook.add("foreign fighters").unwrap();
        let oil = file.codebook.add("oil").unwrap();
        file.codebook.set_parent(&ff, Some("threat")).unwrap();
        file.codebook.set_parent(&oil, Some("finance")).unwrap();
        let plan = restore_plan(&Coding::new(Codebook::default()), &file, RestoreMode::Merge, "t9");
        let b = &plan.codebook;
        let shape: Vec<String> = b.tags.iter().map(|t| format!("{}{}", "-".repeat(b.depth(&t.id)), t.name)).collect();
        assert_eq!(shape, ["threat", "-foreign fighters", "finance", "-oil", "repatriation", "prosecution"]);
    }

    #[test]
    fn work_deleted_here_after_the_file_was_made_is_offered_back_not_merged_back() {
        let mut cur = Coding::new(Codebook::default());
        let bens = Annotation { coder: "Ben".into(), ..ann("b1", "", "t1") };
        cur.add(bens.clone());
        cur.add(Annotation { coder: "Ana".into(), ..ann("a1", "", "t1") });
        let file = backup_of(vec![bens.clone()]);
        // Ben's work taken away here (a Replace with another file), after his file was made.
        cur.delete("b1", "t5");
        let merge = restore_plan(&cur, &file, RestoreMode::Merge, "t9");
        assert_eq!((merge.added, merge.unchanged, merge.writes.len()), (0, 0, 0), "the newer deletion stands");
        assert_eq!(merge.deleted_here.len(), 1);
        let back = merge.bringing_back("t9");
        assert_eq!((back.added, back.added_ids.clone()), (1, vec!["b1".to_string()]));
        let mut after = cur.clone();
        after.restore(back.codebook.clone(), back.writes.clone());
        assert!(after.get("b1").is_some_and(|a| !a.deleted && a.coder == "Ben" && a.updated == "t9"));
        assert!(after.get("a1").is_some_and(|a| !a.deleted));
        // Nothing deleted here: nothing offered.
        assert!(restore_plan(&after, &file, RestoreMode::Merge, "t9").deleted_here.is_empty());
        assert!(restore_plan(&cur, &file, RestoreMode::Replace, "t9").deleted_here.is_empty());
    }

    #[test]
    fn a_coder_s_later_file_merged_first_keeps_its_deletion_against_the_earlier_file() {
        // Zoe codes a and b (early file), then deletes b and changes a's memo (late file).
        let mut zoe = Coding::new(Codebook::default());
        zoe.add(ann("a", "", "t1"));
        zoe.add(ann("b", "", "t1"));
        let early = backup_of(zoe.stored("D").to_vec());
        zoe.delete("b", "t3");
        zoe.update("a", "t3", |a| a.memo = "later".into());
        let late = backup_of(zoe.stored("D").to_vec());
        let merged = |files: [&Backup; 2]| {
            let mut here = Coding::new(Codebook::default());
            for f in files {
                let plan = restore_plan(&here, f, RestoreMode::Merge, "t9");
                here.restore(plan.codebook.clone(), plan.writes.clone());
            }
            let mut live: Vec<(String, String)> = here.live("D").map(|a| (a.id.clone(), a.memo.clone())).collect();
            live.sort();
            live
        };
        let want = vec![("a".to_string(), "later".to_string())];
        assert_eq!(merged([&early, &late]), want);
        assert_eq!(merged([&late, &early]), want, "the earlier file, merged last, brings back nothing deleted later");
        // The deletion comes in unseen and uncounted; the earlier copy then offers it back, not merges it.
        let empty = Coding::new(Codebook::default());
        let first = restore_plan(&empty, &late, RestoreMode::Merge, "t9");
        assert_eq!((first.added, first.removed), (1, 0));
        let mut here = empty.clone();
        here.restore(first.codebook.clone(), first.writes.clone());
        let second = restore_plan(&here, &early, RestoreMode::Merge, "t9");
        assert_eq!((second.added, second.updated, second.removed), (0, 0, 0));
        assert_eq!(second.deleted_here.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(), ["b"]);
    }

    #[test]
    fn two_students_of_one_name_are_kept_apart_one_student_s_two_files_are_not() {
        let by = |coder: &str, id: &str| Annotation { coder: coder.into(), ..ann(id, "", "t1") };
        let mut here = Coding::new(Codebook::default());
        here.add(by("Key", "k1"));
        here.add(by("Dan", "d1"));
        here.add(by("Dan (2)", "x1"));
        // Another Dan: none of his annotations is here.
        let other = backup_of(vec![by("Dan", "e1"), by("Dan", "e2")]);
        let apart = apart_names(&here, &other, "Key", false);
        assert_eq!(apart, [("Dan".to_string(), "Dan (3)".to_string())], "a free name");
        let renamed = other.renamed(&apart);
        assert!(renamed.annotations.iter().all(|a| a.coder == "Dan (3)"));
        assert_eq!(renamed.coder, "c", "the file's coder is renamed only when it is the name");
        let mut dans = other.clone();
        dans.coder = "Dan".into();
        assert_eq!(dans.renamed(&apart).coder, "Dan (3)");
        // The same Dan's later file: it has his first annotation (live, or deleted since).
        let later = backup_of(vec![by("Dan", "d1"), by("Dan", "d2")]);
        assert!(apart_names(&here, &later, "Key", false).is_empty());
        let deleted = backup_of(vec![Annotation { deleted: true, ..by("Dan", "d1") }, by("Dan", "d2")]);
        assert!(apart_names(&here, &deleted, "Key", false).is_empty());
        // A name new here, the coder here (a teacher's own work elsewhere), a file of deletions only: nothing to part.
        assert!(apart_names(&here, &backup_of(vec![by("Eve", "v1")]), "Key", false).is_empty());
        assert!(apart_names(&here, &backup_of(vec![by("Key", "k9")]), "Key", false).is_empty());
        // But a student who typed the teacher's name, among a class's files or with the handout's task, is not the key.
        assert_eq!(apart_names(&here, &backup_of(vec![by("Key", "k9")]), "Key", true), [("Key".to_string(), "Key (2)".to_string())]);
        let handed_in = Backup { task: "Code ¶5–18 of S/2019/103.".into(), ..backup_of(vec![by("Key", "k9")]) };
        assert_eq!(apart_names(&here, &handed_in, "Key", false), [("Key".to_string(), "Key (2)".to_string())]);
        // The key's own later file, among the class's, shares its annotations: not taken apart.
        assert!(apart_names(&here, &backup_of(vec![by("Key", "k1"), by("Key", "k9")]), "Key", true).is_empty());
        assert!(apart_names(&here, &backup_of(vec![Annotation { deleted: true, ..by("Dan", "z") }]), "Key", false).is_empty());
        // Merged apart, each Dan is graded on his own.
        let plan = restore_plan(&here, &renamed, RestoreMode::Merge, "t9");
        here.restore(plan.codebook.clone(), plan.writes.clone());
        assert_eq!(here.coders().into_iter().collect::<Vec<_>>(), ["Dan", "Dan (2)", "Dan (3)", "Key"]);
    }

    #[test]
    fn a_merge_into_a_new_browser_takes_the_backup_s_codebook_whole() {
        let mut book = Codebook::default();
        book.rename("finance", "financing").unwrap();
        book.set_key("prosecution", Some('1'));
        let mut file = backup_of(vec![ann("a", "", "t1")]);
        file.codebook = book.clone();
        let fresh = Coding::new(Codebook::default());
        assert_eq!(restore_plan(&fresh, &file, RestoreMode::Merge, "t9").codebook, book, "nothing here to keep");
        // Work here, or a codebook of one's own: the merge keeps ours and adds what is new.
        let mut working = Coding::new(Codebook::default());
        working.add(ann("b", "", "t1"));
        assert_eq!(restore_plan(&working, &file, RestoreMode::Merge, "t9").codebook.get("finance").unwrap().name, "finance");
        let mut own = Codebook::default();
        own.add("gender").unwrap();
        let planned = restore_plan(&Coding::new(own.clone()), &file, RestoreMode::Merge, "t9").codebook;
        assert_eq!((planned.get("finance").unwrap().name.as_str(), planned.get("gender").is_some()), ("finance", true));
        // Each side added a tag, with the same free colour: the file's takes another.
        let mut theirs = Codebook::default();
        theirs.add("recruitment").unwrap();
        file.codebook = theirs;
        let planned = restore_plan(&Coding::new(own.clone()), &file, RestoreMode::Merge, "t9").codebook;
        let (gender, recruitment) = (planned.get("gender").unwrap(), planned.get("recruitment").unwrap());
        assert_eq!(gender.colour, own.get("gender").unwrap().colour, "ours keeps its colour");
        assert_ne!(recruitment.colour, gender.colour);
        assert!(planned.tags.iter().filter(|t| t.colour.eq_ignore_ascii_case(&recruitment.colour)).count() == 1, "{planned:?}");
    }

    #[test]
    fn replace_says_whose_annotations_it_removes() {
        let mut cur = Coding::new(Codebook::default());
        for (id, coder) in [("k1", "Key"), ("k2", "Key"), ("b1", "Ben"), ("u1", ""), ("a1", "Ana")] {
            cur.add(Annotation { coder: coder.into(), ..ann(id, "", "t1") });
        }
        // Ana's backup holds only her own: replacing removes everyone else's.
        let only_ana = backup_of(vec![Annotation { coder: "Ana".into(), ..ann("a1", "", "t1") }]);
        let plan = restore_plan(&cur, &only_ana, RestoreMode::Replace, "t9");
        assert_eq!(plan.removed, 4);
        assert_eq!(plan.removed_whose(&cur).as_deref(), Some("Key's 2, Ben's 1 and an unnamed coder's 1"));
        let merge = restore_plan(&cur, &only_ana, RestoreMode::Merge, "t9");
        assert_eq!(merge.removed_whose(&cur), None);
        let two = restore_plan(&cur, &backup_of(cur.stored("D").iter().filter(|a| a.coder != "Ben").cloned().collect()), RestoreMode::Replace, "t9");
        assert_eq!(two.removed_whose(&cur).as_deref(), Some("Ben's 1"));
    }

    #[test]
    fn a_removed_text_s_deletions_neither_go_into_a_backup_nor_stop_a_restore() {
        let mut cur = Coding::new(Codebook::default());
        cur.add(ann("kept", "D", "t1"));
        let mut gone = ann("gone", "U", "t1");
        gone.doc = "U".into();
        cur.add(gone);
        cur.delete_document("U", "t2");
        let hash = |d: &str| (d == "D").then(|| "h".to_string());
        let b = backup(&cur, &Meta::default(), &hash, Vec::new(), "0.1.0", "t3");
        assert_eq!(b.documents.iter().map(|d| d.id.as_str()).collect::<Vec<_>>(), ["D"]);
        assert_eq!(b.annotations.len(), 1);
        // An older backup that has them still restores, without them.
        let mut old = b.clone();
        old.documents.push(BackupDocument { id: "U".into(), text_sha256: "x".into() });
        old.annotations.extend(cur.stored("U").iter().cloned());
        let read = Backup::from_json(&old.to_json(), &|d| (d == "D").then_some(10)).unwrap();
        assert_eq!((read.annotations.len(), read.documents.len()), (1, 1));
        // A live annotation of a text that is not here is still refused.
        let mut live = old.clone();
        live.annotations.push(ann("alive", "U", "t1"));
        live.annotations.last_mut().unwrap().doc = "U".into();
        assert!(Backup::from_json(&live.to_json(), &|d| (d == "D").then_some(10)).unwrap_err().contains("not here"));
    }

    #[test]
    fn a_backup_whose_codebook_lacks_a_tag_in_use_gets_it_back() {
        // A backup edited by hand: "victim" dropped from its codebook, still on an annotation;
        // "gone" only on a deleted one, and "Victim" the name of another tag.
        let mut book = Codebook::default();
        book.add("Victim").unwrap();
        book.tags.last_mut().unwrap().id = "v1".into();
        let mut dead = ann("dead", "", "t1");
        dead.tags = vec!["gone".into()];
        dead.deleted = true;
        let mut live = ann("a", "", "t1");
        live.tags = vec!["victim".into()];
        let mut b = backup_of(vec![live, dead]);
        b.codebook = book;
        let json = b.to_json();
        let read = Backup::from_json(&json, &|_| Some(10)).unwrap();
        assert_eq!(read.added_tags, vec!["victim".to_string()]);
        let t = read.codebook.get("victim").expect("the tag in use is in the codebook");
        assert_eq!(t.name, "victim (2)");
        assert!(read.codebook.get("gone").is_none());
        assert!(read.codebook.validate().is_ok());
        for mode in [RestoreMode::Replace, RestoreMode::Merge] {
            let p = restore_plan(&Coding::new(Codebook::default()), &read, mode, "t9");
            for a in p.writes.iter().filter(|a| !a.deleted) {
                assert!(a.tags.iter().all(|t| p.codebook.get(t).is_some()), "{mode:?} orphans {:?}", a.tags);
            }
        }
        // A blank tag cannot become a tag of the codebook: the file is refused, and says why.
        let mut blank = ann("b", "", "t1");
        blank.tags = vec!["threat".into(), "   ".into()];
        let err = Backup::from_json(&backup_of(vec![blank]).to_json(), &|_| Some(10)).unwrap_err();
        assert_eq!(err, "The annotation b has a tag with no name.");
    }

    #[test]
    fn a_deletion_on_both_sides_is_not_counted_as_an_unchanged_annotation() {
        let mut cur = Coding::new(Codebook::default());
        cur.add(ann("live", "m", "t1"));
        cur.add(ann("dead", "m", "t1"));
        cur.delete("dead", "t2");
        let dead = cur.get("dead").unwrap().clone();
        let b = backup_of(vec![ann("live", "m", "t1"), dead]);
        for mode in [RestoreMode::Replace, RestoreMode::Merge] {
            let p = restore_plan(&cur, &b, mode, "t9");
            assert_eq!((p.added, p.updated, p.removed, p.unchanged), (0, 0, 0, 1));
        }
    }

    #[test]
    fn replace_and_merge_previews() {
        let mut cur = Coding::new(Codebook::default());
        cur.add(ann("keep", "old", "t1"));
        cur.add(ann("gone", "", "t1"));
        let b = backup_of(vec![ann("keep", "new", "t0"), ann("fresh", "", "t0")]);
        let r = restore_plan(&cur, &b, RestoreMode::Replace, "t9");
        assert_eq!((r.added, r.updated, r.removed, r.unchanged), (1, 1, 1, 0));
        assert_eq!((r.added_ids.as_slice(), r.updated_ids.as_slice(), r.removed_ids.as_slice()), (&["fresh".to_string()][..], &["keep".to_string()][..], &["gone".to_string()][..]));
        let mut b2 = b.clone();
        b2.documents[0].text_sha256 = "old".into();
        assert_eq!(b2.changed_documents(&|_| Some("new".into())), ["D"]);
        assert!(b2.changed_documents(&|_| Some("old".into())).is_empty());
        assert!(b2.changed_documents(&|_| None).is_empty(), "a document not here is refused elsewhere");
        let m = restore_plan(&cur, &b, RestoreMode::Merge, "t9");
        // Merge keeps the newer local edit of "keep" and adds "fresh"; nothing is removed.
        assert_eq!((m.added, m.updated, m.removed, m.unchanged), (1, 0, 0, 1));
        let mut applied = cur.clone();
        applied.restore(r.codebook.clone(), r.writes.clone());
        let mut ids: Vec<_> = applied.live("D").map(|a| (a.id.clone(), a.memo.clone())).collect();
        ids.sort();
        assert_eq!(ids, [("fresh".to_string(), String::new()), ("keep".to_string(), "new".to_string())]);
        // What is new here keeps the backup's times; what replaces ours is an edit made now.
        assert_eq!(applied.get("fresh").unwrap().updated, "t0");
        assert_eq!(applied.get("keep").unwrap().updated, "t9");
        applied.undo("t10");
        assert_eq!(applied.live("D").count(), 2);
        assert!(applied.get("fresh").is_none(), "undone as if it never came: no tombstone");
        // Merged again, it comes again (before, the undo's tombstone kept it out, unsaid).
        let again = restore_plan(&applied, &b, RestoreMode::Merge, "t11");
        assert_eq!((again.added, again.deleted_here.len()), (1, 0));
    }

    #[test]
    fn a_merged_codebook_keeps_names_unique() {
        // "finance" was renamed "money" here; the backup has a new tag "Money".
        let mut here = Codebook::default();
        here.rename("finance", "money").unwrap();
        let cur = Coding::new(here);
        let mut b = backup_of(vec![]);
        b.codebook.add("Money").unwrap();
        b.codebook.add("Money (2)").unwrap();
        let plan = restore_plan(&cur, &b, RestoreMode::Merge, "t9");
        plan.codebook.validate().unwrap();
        let names: Vec<&str> = plan.codebook.tags.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["threat", "money", "repatriation", "prosecution", "Money (2)", "Money (2) (2)"]);
    }

    #[test]
    fn bad_backups_are_refused_with_the_reason() {
        let len = |d: &str| (d == "D").then_some(10);
        assert!(Backup::from_json("nope", &len).unwrap_err().contains("not well-formed JSON"));
        assert!(Backup::from_json("{}", &len).unwrap_err().contains("not a Marginalia backup"));
        let mut b = backup_of(vec![ann("a", "", "t")]);
        b.version = 9;
        assert!(Backup::from_json(&b.to_json(), &len).unwrap_err().contains("newer"));
        let mut b = backup_of(vec![ann("a", "", "t")]);
        b.annotations[0].end = 40;
        assert!(Backup::from_json(&b.to_json(), &len).unwrap_err().contains("outside the text"));
        let mut b = backup_of(vec![ann("a", "", "t")]);
        b.annotations[0].doc = "Elsewhere".into();
        assert!(Backup::from_json(&b.to_json(), &len).unwrap_err().contains("not here"));
        let truncated = &backup_of(vec![ann("a", "", "t")]).to_json()[..60];
        assert!(Backup::from_json(truncated, &len).is_err());
        let ok = backup_of(vec![ann("a", "", "t")]);
        assert_eq!(Backup::from_json(&ok.to_json(), &len).unwrap(), ok);
    }
}

/// A user's own text, as stored (`marginalia:v1:text:<id>`): the raw text and its
/// format, cleaned again at every start (so a better cleaner applies, and
/// re-anchoring keeps the annotations in place).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserText {
    pub id: String,
    pub title: String,
    /// "text", "markdown" or "html".
    pub format: String,
    pub raw: String,
    pub added: String,
}

pub const TEXT_PREFIX: &str = "marginalia:v1:text:";

/// The largest text accepted (in UTF-8 bytes): browser storage holds about 5 MB in all.
pub const MAX_TEXT_BYTES: usize = 2 * 1024 * 1024;

pub fn text_key(id: &str) -> String {
    format!("{TEXT_PREFIX}{id}")
}

impl UserText {
    /// A user text from a file name and its contents, refused with a reason when
    /// it is empty, too large or not text. `taken` tells whether an id is in use.
    pub fn new(name: &str, raw: &str, now: &str, taken: &dyn Fn(&str) -> bool) -> Result<UserText, String> {
        if raw.len() > MAX_TEXT_BYTES {
            return Err(format!(
                "{name} is {:.1} MB; texts up to {} MB can be kept in the browser.",
                raw.len() as f64 / 1_048_576.0,
                MAX_TEXT_BYTES / 1_048_576
            ));
        }
        if raw.trim().is_empty() {
            return Err(format!("{name} has no text."));
        }
        if raw.contains('\0') {
            return Err(format!("{name} is not a text file."));
        }
        if crate::handout::is_handout(raw) {
            return Err(format!(
                "{name} is a codebook handout made by Marginalia, not a text to code. Its tags come in with the HTML handout or the codebook file (.json); a student's work comes back as the file of Download backup."
            ));
        }
        let lower = name.to_ascii_lowercase();
        let format = if lower.ends_with(".md") || lower.ends_with(".markdown") {
            "markdown"
        } else if lower.ends_with(".html") || lower.ends_with(".htm") {
            "html"
        } else {
            "text"
        };
        let stem = name.rsplit_once('.').map(|(s, _)| s).filter(|s| !s.is_empty()).unwrap_or(name);
        let base: String = stem
            .chars()
            .map(|c| if c.is_alphanumeric() { c } else { '-' })
            .collect::<String>()
            .trim_matches('-')
            .chars()
            .take(60)
            .collect();
        let base = if base.is_empty() { "text".to_string() } else { base };
        let mut id = base.clone();
        // The text's own title where it gives one, else the file's name.
        let named = title_in(raw, crate::clean::InputFormat::from_file_name(name)).unwrap_or_else(|| stem.to_string());
        let mut title = named.clone();
        let mut n = 2;
        // A second text of the same name is told apart in its title too: "notes (2)".
        while taken(&id) {
            id = format!("{base}-{n}");
            title = format!("{named} ({n})");
            n += 1;
        }
        Ok(UserText { id, title, format: format.into(), raw: raw.to_string(), added: now.into() })
    }

    /// The same text under another title (trimmed, spaces collapsed), refused
    /// with a reason when it is empty or too long.
    pub fn retitled(&self, title: &str) -> Result<UserText, String> {
        let title = title.split_whitespace().collect::<Vec<_>>().join(" ");
        if title.is_empty() {
            return Err("A text needs a title: it is how its paragraphs are cited.".into());
        }
        if title.chars().count() > MAX_TITLE_CHARS {
            return Err(format!("A title can be up to {MAX_TITLE_CHARS} characters long."));
        }
        Ok(UserText { title, ..self.clone() })
    }

    /// Cleans the text into a document with the given lexicon.
    pub fn document(&self, lexicon: &crate::clean::Lexicon) -> crate::document::Document {
        use crate::clean::InputFormat;
        let format = match self.format.as_str() {
            "markdown" => InputFormat::Markdown,
            "html" => InputFormat::Html,
            _ => InputFormat::Text,
        };
        own_document(&self.id, &self.title, &self.raw, format, lexicon)
    }
}

/// A text of one's own cleaned into a document (the app's and `marginalia
/// clean`'s): by the reports' pipeline, its paragraphs numbered in order where
/// it numbers none.
pub fn own_document(
    id: &str,
    title: &str,
    raw: &str,
    format: crate::clean::InputFormat,
    lexicon: &crate::clean::Lexicon,
) -> crate::document::Document {
    let meta = crate::document::Meta { id: id.to_string(), title: title.to_string(), ..Default::default() };
    number_paragraphs(crate::clean::clean(raw, format, meta, lexicon))
}

/// The longest title a text takes (a title is in every citation of it).
pub const MAX_TITLE_CHARS: usize = 200;

/// The title a Markdown or HTML text gives itself: its first block when that is
/// a heading of the first level (`# Title`, `<h1>`), else an HTML page's
/// `<title>`. A plain text's first line is not taken for one.
pub fn title_in(raw: &str, format: crate::clean::InputFormat) -> Option<String> {
    use crate::clean::InputFormat;
    use crate::document::BlockKind;
    if format == InputFormat::Text {
        return None;
    }
    let d = crate::clean::clean(raw, format, crate::document::Meta::default(), &crate::clean::Lexicon::default());
    let heading = d
        .blocks
        .first()
        .filter(|b| matches!(b.kind, BlockKind::Heading { level: 1 }))
        .map(|b| d.block_text(b).split_whitespace().collect::<Vec<_>>().join(" "));
    heading
        .or_else(|| if format == InputFormat::Html { crate::clean::html_title(raw) } else { None })
        .filter(|t| !t.is_empty())
        .map(|t| if t.chars().count() > MAX_TITLE_CHARS { format!("{}…", t.chars().take(MAX_TITLE_CHARS - 1).collect::<String>()) } else { t })
}

/// A text of one's own whose layout numbers no paragraph gets its paragraphs
/// numbered in order, 1 to N (headings and notes aside), so that it is cited,
/// linked and coded by paragraph like a report ("notes ¶3"). A text that numbers
/// its paragraphs keeps its own numbers.
fn number_paragraphs(d: crate::document::Document) -> crate::document::Document {
    use crate::document::{Block, BlockKind};
    if d.blocks.iter().any(|b| matches!(b.kind, BlockKind::Paragraph { number: Some(_) })) {
        return d;
    }
    let mut n = 0;
    let blocks: Vec<Block> = d
        .blocks
        .iter()
        .map(|b| match b.kind {
            BlockKind::Paragraph { number: None } => {
                n += 1;
                Block { kind: BlockKind::Paragraph { number: Some(n) }, ..b.clone() }
            }
            _ => b.clone(),
        })
        .collect();
    crate::document::Document::new(d.meta, d.text, blocks, d.notes)
}

#[cfg(test)]
mod user_text_tests {
    use super::*;

    #[test]
    fn names_ids_formats_and_refusals() {
        let taken = |id: &str| id == "notes";
        let t = UserText::new("notes.md", "# Hi\n\nEmoji 😀 text", "t", &taken).unwrap();
        assert_eq!((t.id.as_str(), t.format.as_str(), t.title.as_str()), ("notes-2", "markdown", "Hi (2)"));
        let d = t.document(&crate::clean::Lexicon::default());
        assert_eq!(d.text, "Hi\n\nEmoji 😀 text");
        // Its paragraphs are numbered in order (the heading is not), so they can be cited.
        assert_eq!(d.paragraphs().map(|(n, _)| n).collect::<Vec<_>>(), [1]);
        assert_eq!(d.cite(1), "Hi (2) ¶1");
        let t = UserText::new("two.txt", "First paragraph here.\n\nSecond one.\n\nThird.", "t", &|_| false).unwrap();
        let d = t.document(&crate::clean::Lexicon::default());
        assert_eq!(d.paragraphs().map(|(n, b)| (n, d.block_text(b))).collect::<Vec<_>>(), [(1, "First paragraph here.".into()), (2, "Second one.".into()), (3, "Third.".into())]);
        assert!(UserText::new("a.txt", "   ", "t", &|_| false).unwrap_err().contains("no text"));
        assert!(UserText::new("a.bin", "a\0b", "t", &|_| false).unwrap_err().contains("not a text"));
        let big = "x".repeat(MAX_TEXT_BYTES + 1);
        assert!(UserText::new("big.txt", &big, "t", &|_| false).unwrap_err().contains("MB"));
        assert_eq!(UserText::new("Ünïcode file.html", "<p>x</p>", "t", &|_| false).unwrap().id, "Ünïcode-file");
    }

    #[test]
    fn a_text_is_titled_by_its_own_title_else_by_its_file_name() {
        let title = |name: &str, raw: &str| UserText::new(name, raw, "t", &|_| false).unwrap().title;
        assert_eq!(title("ch1-final_v3.md", "# The  Sahel\nin 2019\n\nText."), "The Sahel in 2019");
        assert_eq!(title("page.html", "<html><head><title>Ignored</title></head><body><h1>Main &amp; title</h1><p>x</p></body></html>"), "Main & title");
        assert_eq!(title("page.html", "<html><head><title> A &ndash; page\n</title></head><body><p>Text only.</p></body></html>"), "A – page");
        // A section heading, a second-level one, or a plain text's first line is not a title.
        assert_eq!(title("notes.md", "Intro text.\n\n# Later"), "notes");
        assert_eq!(title("notes.md", "## Part one\n\nText."), "notes");
        assert_eq!(title("notes.txt", "Title line\n\nText."), "notes");
        assert_eq!(title("x.html", "<title></title><p>Text.</p>"), "x");
        let long = format!("# {}\n\nText.", "word ".repeat(100));
        assert_eq!(title("l.md", &long).chars().count(), MAX_TITLE_CHARS);
        // Renamed: trimmed and collapsed; refused empty or too long, with why.
        let t = UserText::new("notes.txt", "Text.", "t", &|_| false).unwrap();
        let r = t.retitled("  Field   notes, 2019 ").unwrap();
        assert_eq!((r.title.as_str(), r.id.as_str(), r.raw.as_str()), ("Field notes, 2019", "notes", "Text."));
        assert!(t.retitled(" \t").unwrap_err().contains("needs a title"));
        assert!(t.retitled(&"x".repeat(MAX_TITLE_CHARS + 1)).unwrap_err().contains("up to"));
    }
}
