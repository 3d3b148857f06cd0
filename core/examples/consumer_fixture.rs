//! Writes the data the consumer checks (`tests/consumers/`) export and read:
//! `cargo run -p marginalia-core --example consumer_fixture -- DIR`.
//!
//! - `DIR/backup.json`: a backup as the app downloads it, coding the five
//!   built-in reports and one user text: many overlapping and nested spans,
//!   identical spans under two ids, spans across paragraphs and at both ends of
//!   a text, several tags on one span, a deleted annotation (a tombstone, which
//!   no export may show), memos with quotes, commas, newlines, tabs, `=`
//!   formulas and "NA", tags named in other scripts, and a user text with emoji,
//!   astral letters, flags, joiners, combining marks and right-to-left script.
//! - `DIR/expected.json`: what the exports must show, from the backup itself
//!   (not from the exporters): every document's id, symbol and cleaned text,
//!   the live annotations (span in code points, quote, tags, memo) and the
//!   codebook.
//!
//! Deterministic: the same files every run.

use std::path::PathBuf;

use marginalia_core::annotation::Annotation;
use marginalia_core::codebook::Codebook;
use marginalia_core::corpus;
use marginalia_core::document::{BlockKind, Document};
use marginalia_core::store::{BACKUP_FORMAT, Backup, BackupDocument, SCHEMA_VERSION, UserText};
use serde_json::json;

const NOW: &str = "2026-11-23T09:30:00.000Z";

/// A user's own text, in markdown, with the characters exports get wrong.
const USER_TEXT: &str = "# Feldnotizen — Rückkehr 🇺🇳

Interview 3 (Ar-Raqqa, 2019): the family 👩‍👩‍👧 said “we were told to wait”. Caf\u{e9} and cafe\u{301} are \
one word each; so is Da\u{2019}esh and Đa\u{303}esh.

=SUM(A1:A3) was written on the ledger, +44 was the prefix, -5 the balance; @handle posted it.

Astral letters: 𝔸𝕓𝕔 and 𝐀𝐁 count twice in UTF-16; 😀 too, and 🏳️‍🌈 is one flag of four code points.

Arabic: قال إنهم داعش. Hebrew: שלום. Chinese: 遣返与起诉。 Emoji at the end 🎯";

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const MEMOS: &[&str] = &[
    "",
    "",
    "Key claim; compare with S/2018/80.",
    "He said \"no\", then left, without a word.",
    "=HYPERLINK(\"http://example.invalid\",\"click\")",
    "=1+1",
    "'=1+1 (quoted already)",
    "+44 20 7946 0000",
    "-5 degrees, \"or less\"",
    "@coder please check",
    "\ttab first, then text",
    "line one\nline two\r\nline three",
    "NA",
    "null",
    "emoji 😀, astral 𝔸, combining e\u{301}, RTL داعش",
    "semi;colon|pipe\\backslash, and a comma",
    "<b>not markup</b> & an ampersand, 'quotes' and ]]> too",
    "a form feed \u{c} pasted from a PDF",
    "trailing spaces and a newline   \n",
];

const CODERS: &[&str] = &["Amina", "Jörg", "李娜", "O'Brien, Pat"];

fn main() {
    let dir = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "target/consumers".into()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));

    let lexicon = corpus::lexicon();
    let mut docs = corpus::builtin();
    let user = UserText::new("Feldnotizen — Rückkehr.md", USER_TEXT, NOW, &|_| false).expect("the user text is accepted");
    docs.push(user.document(&lexicon));

    let mut codebook = Codebook::default();
    let extra = [
        codebook.add("Rückkehr / 帰還").expect("a tag named in two scripts"),
        codebook.add("Detention, \"camps\" & =risk").expect("a tag with punctuation"),
        codebook.add("=HYPERLINK(\"x\")").expect("a tag named like a formula"),
    ];
    codebook.set_description(&extra[1], "Camps, detention; \"quoted\", with a comma\nand a newline.");
    // A tag renamed mid-project: files name it as it is now, its id stays "finance".
    codebook.rename("finance", "Terror financing").expect("a renamed tag");
    let tags: Vec<String> = codebook.tags.iter().map(|t| t.id.clone()).collect();

    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut annotations: Vec<Annotation> = Vec::new();
    let mut n = 0usize;
    let mut make = |doc: &Document, s: usize, e: usize, tag_set: Vec<String>, memo: &str, rng: &mut Rng| -> Option<Annotation> {
        n += 1;
        let coder = CODERS[rng.below(CODERS.len())];
        let created = format!("2026-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", 1 + n % 11, 1 + n % 27, n % 24, n % 60, (n * 7) % 60, n % 1000);
        let mut a = Annotation::new(doc, s, e, &tag_set[0], coder, format!("a{n:04}-{:08x}", rng.next() as u32), &created, false)?;
        a.tags = tag_set;
        a.memo = memo.to_string();
        // Some were edited later, one in another time zone.
        if n.is_multiple_of(3) {
            a.updated = if n.is_multiple_of(9) { "2026-11-20T10:00:00+02:00".into() } else { NOW.into() };
        }
        Some(a)
    };

    for doc in &docs {
        let chars: Vec<char> = doc.text.chars().collect();
        let len = chars.len();
        let paragraphs: Vec<(usize, usize)> = doc
            .blocks
            .iter()
            .filter(|b| matches!(b.kind, BlockKind::Paragraph { .. }))
            .map(|b| (b.start, b.end))
            .collect();
        let is_user = doc.meta.symbol.is_none();
        let count = if is_user { 12 } else { 45 };
        let mut here: Vec<Annotation> = Vec::new();
        for i in 0..count {
            let (ps, pe) = paragraphs[rng.below(paragraphs.len())];
            let s = ps + rng.below(pe - ps);
            // Mostly within a paragraph; every seventh runs on into the next ones.
            let span = if i % 7 == 3 { 80 + rng.below(900) } else { 3 + rng.below(160) };
            let e = (s + span).min(if i % 7 == 3 { len } else { pe });
            let k = 1 + rng.below(3).saturating_sub(1) + usize::from(i % 5 == 0);
            let mut set: Vec<String> = Vec::new();
            while set.len() < k {
                let t = tags[rng.below(tags.len())].clone();
                if !set.contains(&t) {
                    set.push(t);
                }
            }
            let memo = MEMOS[rng.below(MEMOS.len())];
            if let Some(a) = make(doc, s, e, set, memo, &mut rng) {
                here.push(a);
            }
        }
        // Overlaps made on purpose: the same span under a second id and tag,
        // a span nested in another, one crossing its end.
        for j in 0..3 {
            let base = here[j * 4].clone();
            let (s, e) = (base.start, base.end);
            let other = tags[(tags.iter().position(|t| *t == base.tags[0]).unwrap_or(0) + 1) % tags.len()].clone();
            let same = make(doc, s, e, vec![other.clone()], "the same span, another tag", &mut rng);
            let nested = (e - s > 4).then(|| make(doc, s + 1, e - 1, vec![base.tags[0].clone()], "nested", &mut rng)).flatten();
            let crossing = make(doc, (s + e) / 2, (e + 40).min(len), vec![other], "crossing the end", &mut rng);
            here.extend([same, nested, crossing].into_iter().flatten());
        }
        // The first and last characters of the text, and a whole paragraph.
        let first = make(doc, 0, 12.min(len), vec![tags[0].clone()], "at the start", &mut rng);
        let last = make(doc, len.saturating_sub(9), len, vec![tags[1].clone()], "at the end", &mut rng);
        let (ps, pe) = paragraphs[paragraphs.len() / 2];
        let whole = make(doc, ps, pe, tags.clone(), "every tag on one paragraph", &mut rng);
        here.extend([first, last, whole].into_iter().flatten());
        // A deleted annotation: kept in the backup as a tombstone, in no export.
        let mut gone = make(doc, ps, (ps + 20).min(pe), vec![tags[2].clone()], "deleted", &mut rng).expect("a span");
        gone.deleted = true;
        gone.updated = NOW.into();
        here.push(gone);
        if is_user {
            // The characters that count differently in each unit, and cells a
            // spreadsheet would run as formulas.
            for (needle, tag) in [
                ("👩‍👩‍👧", 0),
                ("cafe\u{301}", 1),
                ("Đa\u{303}esh", 2),
                ("=SUM(A1:A3)", 3),
                ("+44", 4),
                ("-5 the balance", 5),
                ("@handle", 6),
                ("𝔸𝕓𝕔", 0),
                ("🏳️‍🌈", 1),
                ("قال إنهم داعش", 2),
                ("遣返与起诉", 3),
                ("🎯", 4),
            ] {
                let at = doc.text.find(needle).unwrap_or_else(|| panic!("{needle:?} is in the cleaned user text"));
                let s = doc.text[..at].chars().count();
                let e = s + needle.chars().count();
                here.extend(make(doc, s, e, vec![tags[tag % tags.len()].clone()], needle, &mut rng));
            }
        }
        assert!(here.len() >= 20, "{} has {} annotations", doc.meta.id, here.len());
        annotations.extend(here);
    }

    let backup = Backup {
        format: BACKUP_FORMAT.into(),
        version: SCHEMA_VERSION,
        app_version: "0.1.0".into(),
        exported_at: NOW.into(),
        coder: "Amina".into(),
        codebook: codebook.clone(),
        documents: docs.iter().map(|d| BackupDocument { id: d.meta.id.clone(), text_sha256: d.text_sha256() }).collect(),
        annotations: annotations.clone(),
        texts: vec![user],
        task: String::new(),
        added_tags: Vec::new(),
    };
    let backup_json = backup.to_json();
    // What the app would restore must be what we wrote.
    let len = |id: &str| docs.iter().find(|d| d.meta.id == id).map(|d| d.text.chars().count());
    assert_eq!(Backup::from_json(&backup_json, &len).expect("the backup reads back"), backup);

    let expected = json!({
        "documents": docs.iter().map(|d| json!({
            "id": d.meta.id,
            "symbol": d.meta.symbol,
            // As cited (the symbol, else the title) and the title itself.
            "title": d.who(),
            "full_title": d.meta.title,
            "ordinal": d.meta.ordinal,
            "date": d.meta.date,
            "text": d.text,
            "text_sha256": d.text_sha256(),
            // Every block as [kind, level or number (null for an unnumbered
            // paragraph), start, end] (code points), in text order.
            "blocks": d.blocks.iter().map(|b| match b.kind {
                BlockKind::Heading { level } => json!(["heading", level, b.start, b.end]),
                BlockKind::Paragraph { number } => json!(["paragraph", number, b.start, b.end]),
                BlockKind::Footnote { number } => json!(["footnote", number, b.start, b.end]),
            }).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "annotations": annotations.iter().filter(|a| !a.deleted).map(|a| json!({
            "id": a.id,
            "doc": a.doc,
            "start": a.start,
            "end": a.end,
            "quote": a.quote,
            "prefix": a.prefix,
            "suffix": a.suffix,
            "tags": a.tags,
            "memo": a.memo,
            "coder": a.coder,
        })).collect::<Vec<_>>(),
        "deleted": annotations.iter().filter(|a| a.deleted).map(|a| a.id.clone()).collect::<Vec<_>>(),
        "codebook": codebook.tags.iter().map(|t| json!({"id": t.id, "name": t.name, "colour": t.colour, "description": t.description})).collect::<Vec<_>>(),
    });
    let write = |name: &str, body: &str| {
        let path = dir.join(name);
        std::fs::write(&path, body).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
    };
    write("backup.json", &backup_json);
    write("expected.json", &serde_json::to_string_pretty(&expected).expect("JSON"));
    let live = annotations.iter().filter(|a| !a.deleted).count();
    eprintln!(
        "consumer fixture: {} documents, {live} annotations ({} segment-tag rows), 1 tombstone per document, in {}",
        docs.len(),
        annotations.iter().filter(|a| !a.deleted).map(|a| a.tags.len()).sum::<usize>(),
        dir.display()
    );
}
