//! Zip archives: writing (deterministic) and reading (refusing hostile input).
//!
//! # Dependencies, and why these
//! The core is compiled into the WebAssembly bundle, so the zip support is the
//! smallest that writes and reads Deflate:
//! - `zip` 8.6 with default features off and only `deflate-flate2`: no zopfli
//!   (a slow, large optimal compressor), no bzip2, zstd, lzma/xz, ppmd,
//!   deflate64, no AES (encrypted archives are refused anyway) and no `time`
//!   (every entry gets the fixed 1980-01-01 00:00 timestamp, so output does
//!   not depend on the clock). 8.6 is the newest release whose minimum Rust
//!   matches the workspace's (1.88; 9.x needs 1.89).
//! - `flate2` with default features off and `rust_backend`: Deflate by
//!   miniz_oxide, pure Rust (no C to cross-compile to wasm32), smaller than
//!   the zlib-rs backend `zip`'s own `deflate` feature would choose.
//!
//! `cargo tree -p marginalia-core -e normal` then shows, for zip: crc32fast
//! (the CRC every entry carries), flate2 → miniz_oxide → adler2 and
//! simd-adler32, and what `zip` always needs: indexmap (+ hashbrown,
//! equivalent; its table of entries), memchr, typed-path. Nothing with C code,
//! nothing with a clock or randomness.
//!
//! # Reading safely
//! [`read_zip`] trusts nothing the archive says about itself: it refuses a
//! file over [`MAX_IMPORT_BYTES`], an archive of more than [`MAX_ENTRIES`]
//! entries (counted before the table is parsed), names that could leave a
//! folder (`..`, absolute paths, drive letters), encrypted entries and
//! compression methods other than stored and Deflate; and it counts the bytes
//! as they are inflated, stopping as soon as all entries together pass
//! [`MAX_IMPORT_BYTES`] (a zip bomb), whatever sizes the headers claim.

use std::io::{Cursor, Read, Write};

use zip::result::ZipError;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, System, ZipArchive, ZipWriter};

use crate::import::{ImportError, MAX_IMPORT_BYTES};

/// The most entries [`read_zip`] reads from one archive.
pub const MAX_ENTRIES: usize = 10_000;

/// A zip archive of `entries` (name, contents), in the given order, each
/// compressed with Deflate at its fastest level (a third of the time of the
/// default level for files half as large again: 20,000 annotations as brat
/// zip in about 70 ms). Deterministic: the same entries give the same
/// bytes on every platform (fixed timestamp, permissions and host system).
/// A name given twice keeps its first contents.
pub fn write_zip(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(1))
        .last_modified_time(DateTime::DEFAULT)
        .unix_permissions(0o644)
        .system(System::Unix);
    // Room for the whole archive at once (text deflates to well under half):
    // growing a buffer of many megabytes by doubling copies it again and again.
    let room = entries.iter().map(|(_, d)| d.len()).sum::<usize>() / 2 + 1024;
    let mut w = ZipWriter::new(Cursor::new(Vec::with_capacity(room)));
    let mut seen = std::collections::HashSet::new();
    for (name, data) in entries {
        if !seen.insert(name.as_str()) {
            continue;
        }
        // Writing to memory only fails past 4 GiB per entry, which a page cannot hold.
        if w.start_file(name.as_str(), options).is_ok() {
            let _ = w.write_all(data);
        }
    }
    w.finish().map(Cursor::into_inner).unwrap_or_default()
}

fn refuse(reason: impl Into<String>) -> ImportError {
    ImportError(reason.into())
}

/// Whether an entry name stays inside the folder it is unpacked into: not
/// absolute, no drive letter or colon, no `..` component, no NUL.
pub fn safe_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with(['/', '\\'])
        && !name.contains(['\0', ':'])
        && !name.split(['/', '\\']).any(|part| part == "..")
}

const LOCAL_HEADER: &[u8; 4] = b"PK\x03\x04";
const CENTRAL_HEADER: &[u8; 4] = b"PK\x01\x02";
const END_OF_DIRECTORY: &[u8; 4] = b"PK\x05\x06";
const ZIP64_END_OF_DIRECTORY: &[u8; 4] = b"PK\x06\x06";

/// The smallest entry of a table of contents (a header with empty name, extra and comment).
const MIN_CENTRAL_HEADER: u64 = 46;

/// Whether the archive has, or says it has, more than [`MAX_ENTRIES`]
/// entries, judged before it is parsed: every entry of a table of contents
/// starts with its signature, so their count bounds the real entries; and a
/// zip64 end record declares a 64-bit count the zip crate reserves memory for
/// (bounded only by the file's size: hundreds of thousands in a file of the largest size) before
/// reading any entry, so a count over the limit that the crate would believe
/// (one that fits in the file) is refused too.
fn too_many_entries(bytes: &[u8]) -> bool {
    let mut headers = 0;
    for (at, w) in bytes.windows(4).enumerate() {
        if w == CENTRAL_HEADER {
            headers += 1;
        } else if w == ZIP64_END_OF_DIRECTORY {
            let total = bytes.get(at + 32..at + 40).map_or(0, |b| u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]));
            if total > MAX_ENTRIES as u64 && total.saturating_mul(MIN_CENTRAL_HEADER) <= bytes.len() as u64 {
                return true;
            }
        }
    }
    headers > MAX_ENTRIES
}

/// Every file in a zip archive (name, contents), in the archive's order;
/// folders are left out. Refuses, with the reason in plain words, anything
/// that is not a readable, safe archive (see the module documentation).
pub fn read_zip(bytes: &[u8]) -> Result<Vec<(String, Vec<u8>)>, ImportError> {
    if bytes.len() > MAX_IMPORT_BYTES {
        return Err(refuse(format!("This file is larger than {} MB, the most Marginalia imports.", MAX_IMPORT_BYTES >> 20)));
    }
    if !(bytes.starts_with(LOCAL_HEADER) || bytes.starts_with(END_OF_DIRECTORY)) {
        return Err(refuse("This file is not a zip archive."));
    }
    if too_many_entries(bytes) {
        return Err(refuse(format!("This zip archive has more than {MAX_ENTRIES} entries; Marginalia does not read it.")));
    }
    let mut archive = ZipArchive::new(Cursor::new(bytes)).map_err(|e| match e {
        ZipError::UnsupportedArchive(what) => refuse(format!("Marginalia cannot read this kind of zip archive ({what}).")),
        _ => refuse("This zip archive is truncated or damaged: its table of contents cannot be read."),
    })?;
    if archive.len() > MAX_ENTRIES {
        return Err(refuse(format!("This zip archive has more than {MAX_ENTRIES} entries; Marginalia does not read it.")));
    }
    let damaged = |name: &str| refuse(format!("This zip archive is truncated or damaged: \"{name}\" cannot be read."));
    let mut out = Vec::new();
    let mut total = 0usize;
    for i in 0..archive.len() {
        let (name, is_dir) = {
            let raw = archive.by_index_raw(i).map_err(|_| refuse("This zip archive is truncated or damaged."))?;
            let name = raw.name().to_string();
            if !safe_name(&name) {
                return Err(refuse(format!(
                    "This zip archive holds an unsafe file name (\"{}\"): names may not leave the archive's folder.",
                    name.escape_debug()
                )));
            }
            if raw.encrypted() {
                return Err(refuse(format!("This zip archive is encrypted (\"{name}\" needs a password); Marginalia does not read encrypted archives.")));
            }
            if !matches!(raw.compression(), CompressionMethod::Stored | CompressionMethod::Deflated) {
                return Err(refuse(format!(
                    "\"{name}\" in this zip archive is compressed with a method Marginalia does not read (only stored and Deflate)."
                )));
            }
            (name, raw.is_dir())
        };
        let mut file = archive.by_index(i).map_err(|e| match e {
            ZipError::UnsupportedArchive(m) if m == ZipError::PASSWORD_REQUIRED => {
                refuse(format!("This zip archive is encrypted (\"{name}\" needs a password); Marginalia does not read encrypted archives."))
            }
            ZipError::InvalidPassword => refuse(format!("This zip archive is encrypted (\"{name}\" needs a password); Marginalia does not read encrypted archives.")),
            _ => damaged(&name),
        })?;
        // Count what is inflated, never trusting the sizes the headers claim.
        let budget = MAX_IMPORT_BYTES - total;
        let mut data = Vec::new();
        (&mut file).take(budget as u64 + 1).read_to_end(&mut data).map_err(|_| damaged(&name))?;
        if data.len() > budget {
            return Err(refuse(format!(
                "This zip archive would unpack to more than {} MB; it is refused as a possible zip bomb.",
                MAX_IMPORT_BYTES >> 20
            )));
        }
        total += data.len();
        if !is_dir {
            out.push((name, data));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(list: &[(&str, &[u8])]) -> Vec<(String, Vec<u8>)> {
        list.iter().map(|(n, d)| (n.to_string(), d.to_vec())).collect()
    }

    #[test]
    fn round_trip_in_order_and_deterministic() {
        let e = entries(&[("project.qde", b"<Project/>"), ("sources/\u{1d538} 😀.txt", "𝔸 😀 text".as_bytes()), ("empty", b"")]);
        let zip = write_zip(&e);
        assert_eq!(read_zip(&zip).unwrap(), e);
        assert_eq!(write_zip(&e), zip, "byte-identical");
        // The local header's time and date: 00:00, 1980-01-01 (MS-DOS format).
        assert_eq!(&zip[10..14], &[0, 0, 0x21, 0]);
        let again = write_zip(&entries(&[("a", b"1"), ("a", b"2")]));
        assert_eq!(read_zip(&again).unwrap(), entries(&[("a", b"1")]), "the first of a repeated name");
        assert_eq!(read_zip(&write_zip(&[])).unwrap(), vec![], "an empty archive");
    }

    #[test]
    fn not_a_zip_or_truncated() {
        for junk in [&b""[..], b"hello", b"<?xml version=\"1.0\"?><Project/>", b"PK"] {
            assert!(read_zip(junk).unwrap_err().0.contains("not a zip"), "{junk:?}");
        }
        let zip = write_zip(&entries(&[("a.txt", &[7u8; 5000][..]), ("b.txt", b"bee")]));
        for cut in [zip.len() - 1, zip.len() - 30, zip.len() / 2, 40] {
            let e = read_zip(&zip[..cut]).unwrap_err();
            assert!(e.0.contains("truncated or damaged"), "{cut}: {e}");
        }
        // Damaged contents: a byte of the first entry's compressed data changed.
        let mut bad = zip.clone();
        bad[40] ^= 0xff;
        assert!(read_zip(&bad).unwrap_err().0.contains("damaged"));
    }

    /// Offsets of every header with signature `sig`.
    fn headers(zip: &[u8], sig: &[u8; 4]) -> Vec<usize> {
        zip.windows(4).enumerate().filter(|(_, w)| w == sig).map(|(i, _)| i).collect()
    }

    #[test]
    fn encrypted_archives_are_refused() {
        let mut zip = write_zip(&entries(&[("secret.txt", b"password please")]));
        // Bit 0 of the general purpose flags: the entry is encrypted.
        for at in headers(&zip, LOCAL_HEADER) {
            zip[at + 6] |= 1;
        }
        for at in headers(&zip, CENTRAL_HEADER) {
            zip[at + 8] |= 1;
        }
        let e = read_zip(&zip).unwrap_err();
        assert!(e.0.contains("encrypted"), "{e}");
    }

    #[test]
    fn too_many_entries_are_refused() {
        let many: Vec<(String, Vec<u8>)> = (0..=MAX_ENTRIES).map(|i| (format!("{i}"), Vec::new())).collect();
        let e = read_zip(&write_zip(&many)).unwrap_err();
        assert!(e.0.contains("more than 10000 entries"), "{e}");
        assert_eq!(read_zip(&write_zip(&many[..MAX_ENTRIES])).unwrap().len(), MAX_ENTRIES);
    }

    #[test]
    fn a_zip64_record_claiming_too_many_entries_is_refused_before_parsing() {
        // One real entry, then a zip64 end record claiming 400 000 entries whose
        // table would start at 400 000 (so the zip crate would believe it and
        // reserve room for them all), its locator, and an end record that
        // defers to zip64.
        let mut zip = write_zip(&entries(&[("a.txt", b"a")]));
        let central = headers(&zip, CENTRAL_HEADER)[0];
        zip.truncate(central);
        zip.resize(19 << 20, 0);
        let at = zip.len() as u64;
        let claimed: u64 = 400_000;
        zip.extend(ZIP64_END_OF_DIRECTORY);
        zip.extend(44u64.to_le_bytes()); // size of the rest of the record
        zip.extend([45, 0, 45, 0]); // versions
        zip.extend([0u8; 8]); // disk numbers
        zip.extend(claimed.to_le_bytes()); // entries on this disk
        zip.extend(claimed.to_le_bytes()); // entries
        zip.extend(1000u64.to_le_bytes()); // size of the table
        zip.extend(400_000u64.to_le_bytes()); // its offset
        zip.extend(b"PK\x06\x07");
        zip.extend([0u8; 4]);
        zip.extend(at.to_le_bytes());
        zip.extend(1u32.to_le_bytes());
        zip.extend(END_OF_DIRECTORY);
        zip.extend([0xff; 16]); // disks, counts, size and offset: see the zip64 record
        zip.extend([0u8; 2]); // no comment
        let e = read_zip(&zip).unwrap_err();
        assert!(e.0.contains("more than 10000 entries"), "{e}");
    }

    #[test]
    fn names_that_leave_the_folder_are_refused() {
        for name in ["../evil.txt", "sources/../../evil", "/etc/passwd", "\\windows\\x", "C:\\x.txt", "a\\..\\..\\b", "nul\0.txt"] {
            let zip = write_zip(&entries(&[("ok.txt", b"ok"), (name, b"x")]));
            let e = read_zip(&zip).unwrap_err();
            assert!(e.0.contains("unsafe file name"), "{name:?}: {e}");
        }
        for name in ["sources/a..b.txt", "..hidden", "a/b/c.txt"] {
            assert!(safe_name(name), "{name}");
        }
    }

    #[test]
    fn zip_bombs_are_refused_while_inflating() {
        // Ten megabytes more zeros than an import may hold deflate to under a hundredth of that.
        let zeros = vec![0u8; MAX_IMPORT_BYTES + (10 << 20)];
        let bomb = write_zip(&[("zeros.txt".to_string(), zeros)]);
        assert!(bomb.len() < MAX_IMPORT_BYTES / 100, "{}", bomb.len());
        let e = read_zip(&bomb).unwrap_err();
        assert!(e.0.contains("zip bomb"), "{e}");

        // The headers lie: they claim 10 bytes. Inflating is still counted.
        let mut liar = bomb.clone();
        for at in headers(&liar, LOCAL_HEADER) {
            liar[at + 22..at + 26].copy_from_slice(&10u32.to_le_bytes());
        }
        for at in headers(&liar, CENTRAL_HEADER) {
            liar[at + 24..at + 28].copy_from_slice(&10u32.to_le_bytes());
        }
        let e = read_zip(&liar).unwrap_err();
        assert!(e.0.contains("zip bomb"), "{e}");

        // Many entries under the limit each, over it together (each a quarter of it).
        let quarter = MAX_IMPORT_BYTES / 4;
        let parts: Vec<(String, Vec<u8>)> = (0..5).map(|i| (format!("part{i}"), vec![0u8; quarter])).collect();
        let e = read_zip(&write_zip(&parts)).unwrap_err();
        assert!(e.0.contains("zip bomb"), "{e}");
        assert_eq!(read_zip(&write_zip(&parts[..3])).unwrap().len(), 3, "three quarters together is fine");
    }

    #[test]
    fn oversized_files_are_refused_before_reading() {
        let mut big = LOCAL_HEADER.to_vec();
        big.resize(MAX_IMPORT_BYTES + 1, 0);
        assert!(read_zip(&big).unwrap_err().0.contains(&format!("larger than {} MB", MAX_IMPORT_BYTES >> 20)));
    }
}
