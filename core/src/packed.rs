//! A compact binary form of cleaned documents, for the corpus built into the
//! web app: `build.rs` cleans the reports natively and packs them; the app
//! unpacks them at start-up. Against JSON it is smaller (block offsets as
//! varint deltas, no keys: the five reports' structure goes from 48 KB of
//! JSON to about 4 KB), faster to read, and needs no deserialiser for the
//! document types in the wasm.
//!
//! Layout (every integer an unsigned LEB128 varint, every string its byte
//! length then UTF-8): the magic `MGP1`, the number of documents, then per
//! document: id, symbol (flag 0/1 then the string), ordinal (0 = none, else
//! n + 1), date (flag then string), title, text, the blocks (count, then per
//! block: kind 0 heading / 1 unnumbered paragraph / 2 numbered paragraph /
//! 3 footnote, the level or number where the kind has one, the gap from the
//! previous block's end, the length), the footnote markers (count, then per
//! marker: number, gap from the previous marker). Offsets are code points, as
//! in [`Document`].
//!
//! The app's copy is a pack compressed with bzip2 ([`unpack_bzip2`]): the
//! Burrows–Wheeler transform sees the whole corpus at once, where gzip's
//! 32 KB window does not, so the five reports, which share much of their
//! wording, take about 68 KB instead of 98 KB of the gzipped download, for a
//! decoder of a few KB.

use crate::document::{Block, BlockKind, Document, Meta, NoteRef};

const MAGIC: &[u8; 4] = b"MGP1";

/// Packs documents.
pub fn pack(docs: &[Document]) -> Vec<u8> {
    let mut out = MAGIC.to_vec();
    let w = &mut out;
    uint(w, docs.len() as u64);
    for d in docs {
        string(w, &d.meta.id);
        opt_string(w, d.meta.symbol.as_deref());
        uint(w, d.meta.ordinal.map_or(0, |n| u64::from(n) + 1));
        opt_string(w, d.meta.date.as_deref());
        string(w, &d.meta.title);
        string(w, &d.text);
        uint(w, d.blocks.len() as u64);
        let mut at = 0;
        for b in &d.blocks {
            match b.kind {
                BlockKind::Heading { level } => {
                    uint(w, 0);
                    uint(w, u64::from(level));
                }
                BlockKind::Paragraph { number: None } => uint(w, 1),
                BlockKind::Paragraph { number: Some(n) } => {
                    uint(w, 2);
                    uint(w, u64::from(n));
                }
                BlockKind::Footnote { number } => {
                    uint(w, 3);
                    uint(w, u64::from(number));
                }
            }
            // Blocks are in text order and do not overlap (Document's invariant).
            uint(w, b.start.saturating_sub(at) as u64);
            uint(w, b.end.saturating_sub(b.start) as u64);
            at = b.end;
        }
        uint(w, d.notes.len() as u64);
        let mut at = 0;
        for n in &d.notes {
            uint(w, u64::from(n.number));
            uint(w, n.at.saturating_sub(at) as u64);
            at = n.at;
        }
    }
    out
}

/// Unpacks what [`pack`] wrote; `None` if the bytes are not such a pack.
pub fn unpack(bytes: &[u8]) -> Option<Vec<Document>> {
    let mut r = Reader { bytes: bytes.strip_prefix(MAGIC)? };
    let count = r.count()?;
    let mut docs = Vec::with_capacity(count);
    for _ in 0..count {
        let id = r.string()?;
        let symbol = r.opt_string()?;
        let ordinal = match r.uint()? {
            0 => None,
            n => Some(u32::try_from(n - 1).ok()?),
        };
        let date = r.opt_string()?;
        let title = r.string()?;
        let text = r.string()?;
        let chars = text.chars().count();
        let n_blocks = r.count()?;
        let mut blocks = Vec::with_capacity(n_blocks);
        let mut at = 0usize;
        for _ in 0..n_blocks {
            let kind = match r.uint()? {
                0 => BlockKind::Heading { level: u8::try_from(r.uint()?).ok()? },
                1 => BlockKind::Paragraph { number: None },
                2 => BlockKind::Paragraph { number: Some(r.u32()?) },
                3 => BlockKind::Footnote { number: r.u32()? },
                _ => return None,
            };
            let start = at.checked_add(r.offset()?)?;
            let end = start.checked_add(r.offset()?)?;
            if end > chars {
                return None;
            }
            blocks.push(Block { kind, start, end, form: None });
            at = end;
        }
        let n_notes = r.count()?;
        let mut notes = Vec::with_capacity(n_notes);
        let mut at = 0usize;
        for _ in 0..n_notes {
            let number = r.u32()?;
            at = at.checked_add(r.offset()?)?;
            if at > chars {
                return None;
            }
            notes.push(NoteRef { number, at });
        }
        docs.push(Document::new(Meta { id, symbol, ordinal, date, title }, text, blocks, notes));
    }
    r.bytes.is_empty().then_some(docs)
}

fn uint(out: &mut Vec<u8>, mut n: u64) {
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn string(out: &mut Vec<u8>, s: &str) {
    uint(out, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

fn opt_string(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        None => uint(out, 0),
        Some(s) => {
            uint(out, 1);
            string(out, s);
        }
    }
}

/// Unpacks a pack compressed with bzip2 (as `build.rs` writes the app's
/// corpus); `None` if the bytes are not a bzip2 stream of a pack.
pub fn unpack_bzip2(bytes: &[u8]) -> Option<Vec<Document>> {
    use std::io::Read;
    let mut packed = Vec::new();
    bzip2_rs::DecoderReader::new(bytes).read_to_end(&mut packed).ok()?;
    unpack(&packed)
}

struct Reader<'a> {
    bytes: &'a [u8],
}

impl Reader<'_> {
    fn uint(&mut self) -> Option<u64> {
        let mut n = 0u64;
        for shift in (0..64).step_by(7) {
            let (&byte, rest) = self.bytes.split_first()?;
            self.bytes = rest;
            n |= u64::from(byte & 0x7f).checked_shl(shift)?;
            if byte & 0x80 == 0 {
                return Some(n);
            }
        }
        None
    }

    fn u32(&mut self) -> Option<u32> {
        u32::try_from(self.uint()?).ok()
    }

    fn offset(&mut self) -> Option<usize> {
        usize::try_from(self.uint()?).ok()
    }

    /// A count of items still to read: never more than the bytes left, so a
    /// corrupt count cannot ask for a huge allocation.
    fn count(&mut self) -> Option<usize> {
        let n = self.offset()?;
        (n <= self.bytes.len()).then_some(n)
    }

    fn string(&mut self) -> Option<String> {
        let len = self.offset()?;
        if len > self.bytes.len() {
            return None;
        }
        let (s, rest) = self.bytes.split_at(len);
        self.bytes = rest;
        String::from_utf8(s.to_vec()).ok()
    }

    fn opt_string(&mut self) -> Option<Option<String>> {
        match self.uint()? {
            0 => Some(None),
            1 => self.string().map(Some),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_builtin_corpus_round_trips_and_is_small() {
        let docs = crate::corpus::builtin();
        let packed = pack(&docs);
        assert_eq!(unpack(&packed).as_deref(), Some(docs.as_slice()));
        let text: usize = docs.iter().map(|d| d.text.len() + d.meta.title.len()).sum();
        // Everything but the texts and titles: structure and metadata.
        assert!(packed.len() - text < 8_000, "{} bytes of structure", packed.len() - text);
    }

    fn bzip2(bytes: &[u8]) -> Vec<u8> {
        use std::io::Write;
        let mut e = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::best());
        e.write_all(bytes).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn the_compressed_corpus_round_trips_and_is_smaller_than_gzip_would_make_it() {
        let docs = crate::corpus::builtin();
        let packed = pack(&docs);
        let small = bzip2(&packed);
        assert_eq!(unpack_bzip2(&small).as_deref(), Some(docs.as_slice()));
        // What the gzipped download would carry for the plain pack.
        let mut gz = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
        std::io::Write::write_all(&mut gz, &packed).unwrap();
        let gz = gz.finish().unwrap().len();
        assert!(small.len() * 10 < gz * 8, "bzip2 {} bytes against deflate {gz}", small.len());
    }

    #[test]
    fn bad_compressed_packs_are_refused() {
        let packed = pack(&crate::corpus::builtin());
        assert!(unpack_bzip2(&packed).is_none(), "a plain pack is not a bzip2 stream");
        let small = bzip2(&packed);
        assert!(unpack_bzip2(&small[..small.len() / 2]).is_none());
        assert!(unpack_bzip2(&bzip2(b"MGP2")).is_none());
    }

    #[test]
    fn bad_packs_are_refused() {
        let packed = pack(&crate::corpus::builtin());
        assert!(unpack(b"").is_none());
        assert!(unpack(b"MGP2").is_none());
        assert!(unpack(&packed[..packed.len() - 1]).is_none());
        let mut longer = packed.clone();
        longer.push(0);
        assert!(unpack(&longer).is_none());
    }

    fn documents() -> impl Strategy<Value = Vec<Document>> {
        let doc = (
            "[a-z]{1,8}",
            proptest::option::of("[A-Z/0-9]{1,10}"),
            proptest::option::of(0u32..u32::MAX),
            proptest::option::of("[0-9-]{10}"),
            ".{0,20}",
            proptest::collection::vec(("\\PC{1,30}", 0u8..6), 0..6),
            proptest::collection::vec(0usize..40, 0..5),
        )
            .prop_map(|(id, symbol, ordinal, date, title, blocks, notes)| {
                let mut b = crate::document::DocumentBuilder::new();
                for (i, (text, k)) in blocks.iter().enumerate() {
                    let kind = match k {
                        0 => BlockKind::Heading { level: 1 + (i % 3) as u8 },
                        1 => BlockKind::Paragraph { number: None },
                        2 | 3 => BlockKind::Paragraph { number: Some(i as u32 + 1) },
                        _ => BlockKind::Footnote { number: i as u32 + 1 },
                    };
                    b.push(kind, &[crate::document::Piece::Text(text.clone())]);
                }
                let mut d = b.finish(Meta { id, symbol, ordinal, date, title });
                let len = d.text.chars().count();
                let mut at: Vec<usize> = notes.into_iter().map(|n| n.min(len)).collect();
                at.sort_unstable();
                let notes = at.into_iter().enumerate().map(|(i, at)| NoteRef { number: i as u32 + 1, at }).collect();
                d = Document::new(d.meta, d.text, d.blocks, notes);
                d
            });
        proptest::collection::vec(doc, 0..4)
    }

    proptest! {
        #[test]
        fn documents_round_trip(docs in documents()) {
            prop_assert_eq!(unpack(&pack(&docs)), Some(docs));
        }

        #[test]
        fn any_bytes_unpack_without_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let mut with_magic = MAGIC.to_vec();
            with_magic.extend_from_slice(&bytes);
            let _ = unpack(&bytes);
            let _ = unpack(&with_magic);
            let _ = unpack_bzip2(&bytes);
            let mut bz = b"BZh9".to_vec();
            bz.extend_from_slice(&bytes);
            let _ = unpack_bzip2(&bz);
        }
    }
}
