//! The storage schema: what is kept in the browser's localStorage, under which
//! keys, how older layouts migrate, and how two copies of the same data merge.
//! Pure: the shell reads every `marginalia` key, hands them here, and writes back
//! what this module says.
//!
//! Schema 1 (small keys, so one write stays cheap):
//! - `marginalia:v1:meta`       — [`Meta`]: schema version, coder, last backup time
//! - `marginalia:v1:codebook`   — the [`Codebook`]
//! - `marginalia:v1:doc:<id>`   — the annotations of one document (tombstones included)
//! - `marginalia:quarantine:<key>` — a value that could not be read, kept aside, never deleted
//!
//! Schema 0 (the first layout): one key `marginalia-annotations` holding a JSON
//! array of `{doc, start, end, tag, note}`.

use std::collections::BTreeMap;

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
}

impl Default for Meta {
    fn default() -> Self {
        Meta { schema: SCHEMA_VERSION, coder: String::new(), last_backup: None }
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

#[derive(Deserialize)]
struct V0Annotation {
    doc: String,
    start: usize,
    end: usize,
    tag: String,
    #[serde(default)]
    note: String,
}

fn quarantine(out: &mut Loaded, key: &str, value: &str, reason: String) {
    out.writes.push((format!("{QUARANTINE_PREFIX}{key}"), value.to_string()));
    out.removals.push(key.to_string());
    out.quarantined.push(Quarantined { key: key.to_string(), reason });
}

/// Reads every Marginalia key, migrating older layouts in order and setting
/// aside what cannot be read. `now` stamps migrated annotations; `ids` names them.
pub fn load(entries: &BTreeMap<String, String>, now: &str, mut ids: impl FnMut() -> String) -> Loaded {
    let mut out = Loaded::default();
    let mut codebook = Codebook::default();
    out.in_quarantine = entries.keys().filter(|k| k.starts_with(QUARANTINE_PREFIX)).cloned().collect();

    if let Some(v) = entries.get(META_KEY) {
        match serde_json::from_str::<Meta>(v) {
            Ok(m) if m.schema > SCHEMA_VERSION => {
                out.newer = true;
                out.meta = m;
                return out;
            }
            Ok(m) => out.meta = m,
            Err(e) => quarantine(&mut out, META_KEY, v, format!("the settings could not be read ({e})")),
        }
    }
    if let Some(v) = entries.get(CODEBOOK_KEY) {
        match serde_json::from_str::<Codebook>(v) {
            Ok(c) if c.validate().is_ok() => codebook = c,
            Ok(c) => {
                let reason = c.validate().err().map(|e| e.0).unwrap_or_default();
                quarantine(&mut out, CODEBOOK_KEY, v, format!("the codebook is not valid: {reason}"))
            }
            Err(e) => quarantine(&mut out, CODEBOOK_KEY, v, format!("the codebook could not be read ({e})")),
        }
    }
    out.coding = Coding::new(codebook);
    let mut by_doc: BTreeMap<String, Vec<Annotation>> = BTreeMap::new();
    for (key, value) in entries.range(DOC_PREFIX.to_string()..) {
        let Some(doc) = key.strip_prefix(DOC_PREFIX) else { break };
        match serde_json::from_str::<Vec<Annotation>>(value) {
            Ok(list) => by_doc.entry(doc.to_string()).or_default().extend(list),
            Err(e) => quarantine(&mut out, key, value, format!("the annotations of {doc} could not be read ({e})")),
        }
    }

    // Migration 0 → 1.
    if let Some(v) = entries.get(V0_KEY) {
        match serde_json::from_str::<Vec<V0Annotation>>(v) {
            Ok(list) => {
                for old in list {
                    let a = Annotation {
                        id: ids(),
                        doc: old.doc.clone(),
                        start: old.start,
                        end: old.end.max(old.start),
                        quote: String::new(),
                        prefix: String::new(),
                        suffix: String::new(),
                        tags: vec![old.tag],
                        memo: old.note,
                        coder: out.meta.coder.clone(),
                        created: now.to_string(),
                        updated: now.to_string(),
                        deleted: false,
                    };
                    by_doc.entry(old.doc).or_default().push(a);
                }
                out.removals.push(V0_KEY.to_string());
                out.writes.push((META_KEY.to_string(), encode_meta(&out.meta)));
            }
            Err(e) => quarantine(&mut out, V0_KEY, v, format!("annotations in the first storage layout could not be read ({e})")),
        }
    }
    for (doc, list) in by_doc {
        if entries.contains_key(V0_KEY) {
            out.writes.push((doc_key(&doc), encode_annotations(&list)));
        }
        out.coding.set_doc(&doc, list);
    }
    // Removals happen after the writes that keep their data.
    out.removals.sort();
    out.removals.dedup();
    out
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

/// Whether `y` wins over `x`.
fn wins(y: &Annotation, x: &Annotation) -> bool {
    match y.updated.cmp(&x.updated) {
        std::cmp::Ordering::Greater => true,
        std::cmp::Ordering::Less => false,
        // Same time: a deletion wins, then a total order on the content.
        std::cmp::Ordering::Equal => {
            (y.deleted, serde_json::to_string(y).unwrap_or_default())
                >= (x.deleted, serde_json::to_string(x).unwrap_or_default())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

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
        (0u8..6, 0u8..4, any::<bool>(), 0usize..50, "[a-z]{0,3}").prop_map(|(id, t, deleted, start, memo)| Annotation {
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
            updated: format!("t{t}"),
            deleted,
        })
    }

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
    let docs: Vec<&str> = coding.docs().collect();
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
    }
}

impl Backup {
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod backup_tests {
    use super::*;

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
            .map_err(|e| format!("This file is not a Marginalia backup: it is not valid JSON ({e})."))?;
        if v.get("format").and_then(|f| f.as_str()) != Some(BACKUP_FORMAT) {
            return Err("This file is not a Marginalia backup (it has no \"format\": \"marginalia-backup\").".into());
        }
        let version = v.get("version").and_then(|x| x.as_u64()).unwrap_or(0);
        if version > u64::from(SCHEMA_VERSION) {
            return Err(format!("This backup was written by a newer Marginalia (format version {version}); update Marginalia to restore it."));
        }
        let b: Backup = serde_json::from_value(v).map_err(|e| format!("This backup is incomplete or damaged: {e}."))?;
        b.codebook.validate().map_err(|e| format!("The backup's codebook is not valid: {e}"))?;
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
        }
        Ok(b)
    }
}

/// What restoring `backup` over `current` would do (nothing is changed here).
pub fn restore_plan(current: &Coding, backup: &Backup, mode: RestoreMode, now: &str) -> RestorePlan {
    let mut plan = RestorePlan::default();
    let mut seen = std::collections::BTreeSet::new();
    for b in &backup.annotations {
        seen.insert(b.id.clone());
        let cur = current.get(&b.id);
        let result = match mode {
            RestoreMode::Replace => Annotation { updated: now.to_string(), ..b.clone() },
            RestoreMode::Merge => match cur {
                Some(c) => merge(std::slice::from_ref(c), std::slice::from_ref(b)).remove(0),
                None => b.clone(),
            },
        };
        match cur {
            None if result.deleted => {}
            None => {
                plan.added += 1;
                plan.writes.push(result);
            }
            Some(c) if c.deleted == result.deleted && same_content(c, &result) => plan.unchanged += 1,
            Some(c) => {
                if !c.deleted && result.deleted {
                    plan.removed += 1;
                } else if c.deleted && !result.deleted {
                    plan.added += 1;
                } else {
                    plan.updated += 1;
                }
                plan.writes.push(result);
            }
        }
    }
    if mode == RestoreMode::Replace {
        for c in current.all_live() {
            if !seen.contains(&c.id) {
                plan.removed += 1;
                plan.writes.push(Annotation { deleted: true, updated: now.to_string(), ..c.clone() });
            }
        }
    }
    plan.codebook = match mode {
        RestoreMode::Replace => backup.codebook.clone(),
        RestoreMode::Merge => {
            let mut book = current.codebook.clone();
            for t in &backup.codebook.tags {
                if book.get(&t.id).is_none() {
                    let mut t = t.clone();
                    if t.key.is_some_and(|k| book.by_key(k).is_some()) {
                        t.key = None;
                    }
                    book.tags.push(t);
                }
            }
            book
        }
    };
    plan
}

fn same_content(a: &Annotation, b: &Annotation) -> bool {
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
            texts: Vec::new(),
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
        let m = restore_plan(&cur, &b, RestoreMode::Merge, "t9");
        // Merge keeps the newer local edit of "keep" and adds "fresh"; nothing is removed.
        assert_eq!((m.added, m.updated, m.removed, m.unchanged), (1, 0, 0, 1));
        let mut applied = cur.clone();
        applied.restore(r.codebook.clone(), r.writes.clone());
        let mut ids: Vec<_> = applied.live("D").map(|a| (a.id.clone(), a.memo.clone())).collect();
        ids.sort();
        assert_eq!(ids, [("fresh".to_string(), String::new()), ("keep".to_string(), "new".to_string())]);
        applied.undo("t10");
        assert_eq!(applied.live("D").count(), 2);
        assert!(applied.get("fresh").unwrap().deleted);
    }

    #[test]
    fn bad_backups_are_refused_with_the_reason() {
        let len = |d: &str| (d == "D").then_some(10);
        assert!(Backup::from_json("nope", &len).unwrap_err().contains("not valid JSON"));
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
        let mut n = 2;
        while taken(&id) {
            id = format!("{base}-{n}");
            n += 1;
        }
        Ok(UserText { id, title: stem.to_string(), format: format.into(), raw: raw.to_string(), added: now.into() })
    }

    /// Cleans the text into a document with the given lexicon.
    pub fn document(&self, lexicon: &crate::clean::Lexicon) -> crate::document::Document {
        use crate::clean::InputFormat;
        let format = match self.format.as_str() {
            "markdown" => InputFormat::Markdown,
            "html" => InputFormat::Html,
            _ => InputFormat::Text,
        };
        let meta = crate::document::Meta { id: self.id.clone(), title: self.title.clone(), ..Default::default() };
        crate::clean::clean(&self.raw, format, meta, lexicon)
    }
}

#[cfg(test)]
mod user_text_tests {
    use super::*;

    #[test]
    fn names_ids_formats_and_refusals() {
        let taken = |id: &str| id == "notes";
        let t = UserText::new("notes.md", "# Hi\n\nEmoji 😀 text", "t", &taken).unwrap();
        assert_eq!((t.id.as_str(), t.format.as_str(), t.title.as_str()), ("notes-2", "markdown", "notes"));
        let d = t.document(&crate::clean::Lexicon::default());
        assert_eq!(d.text, "Hi\n\nEmoji 😀 text");
        assert!(UserText::new("a.txt", "   ", "t", &|_| false).unwrap_err().contains("no text"));
        assert!(UserText::new("a.bin", "a\0b", "t", &|_| false).unwrap_err().contains("not a text"));
        let big = "x".repeat(MAX_TEXT_BYTES + 1);
        assert!(UserText::new("big.txt", &big, "t", &|_| false).unwrap_err().contains("MB"));
        assert_eq!(UserText::new("Ünïcode file.html", "<p>x</p>", "t", &|_| false).unwrap().id, "Ünïcode-file");
    }
}
