//! Marginalia's pure core: no browser, no UI. Everything here is plain data and
//! functions, tested natively.

pub mod agreement;
pub mod anchor;
pub mod archive;
pub mod annotation;
pub mod clean;
pub mod codebook;
pub mod coding;
pub mod corpus;
pub mod document;
pub mod export;
pub mod handout;
pub mod history;
pub mod html;
pub mod import;
pub mod layout;
pub mod offsets;
pub mod packed;
pub mod refi;
pub mod route;
pub mod search;
pub mod segments;
pub mod store;

pub use document::{Block, BlockKind, Document, Meta, NoteRef};

/// A coder's name as shown: "(unnamed)" for work that carries no name.
pub fn coder_shown(name: &str) -> &str {
    if name.is_empty() { "(unnamed)" } else { name }
}

/// "1 annotation", "3 annotations": a count and an English noun that takes -s.
pub fn count(n: usize, noun: &str) -> String {
    count_as(n, noun, &format!("{noun}s"))
}

/// `text` for a one-line message: runs of white space made one space, at most
/// `max` characters, "…" when cut.
pub fn abridge(text: &str, max: usize) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match flat.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &flat[..cut]),
        None => flat,
    }
}

/// An RFC 3339 time as people read it: "2026-11-23 16:00 UTC" (to the minute;
/// anything that is not such a time is given back as it is).
pub fn moment(time: &str) -> String {
    let b = time.as_bytes();
    let shaped = b.len() >= 16 && b[4] == b'-' && b[7] == b'-' && matches!(b[10], b'T' | b' ') && b[13] == b':';
    match (shaped, time.get(..10), time.get(11..16)) {
        (true, Some(day), Some(hm)) => {
            let zone = if time.ends_with('Z') || time.ends_with("+00:00") { " UTC" } else { "" };
            format!("{day} {hm}{zone}")
        }
        _ => time.to_string(),
    }
}

/// A JSON reader's complaint in plain words, for a message about a file:
/// where it broke and what was wrong, without the parser's jargon
/// ("the file ends too early, at line 2"; "“tags” is missing, at line 1").
pub fn json_error(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let at = format!("at line {}", e.line());
    match e.classify() {
        Category::Eof => format!("the file ends too early, {at}"),
        Category::Syntax => format!("it is not well-formed JSON {at}, column {}", e.column()),
        Category::Io => "it could not be read".to_string(),
        Category::Data => {
            let full = e.to_string();
            let what = full.rsplit_once(" at line ").map_or(full.as_str(), |(w, _)| w);
            let what = match what.strip_prefix("missing field ") {
                Some(field) => format!("{field} is missing"),
                None => what.to_string(),
            };
            // `tags` → “tags”
            let mut quoted = String::with_capacity(what.len());
            for (i, part) in what.split('`').enumerate() {
                if i > 0 {
                    quoted.push(if i % 2 == 1 { '“' } else { '”' });
                }
                quoted.push_str(part);
            }
            format!("{quoted}, {at}")
        }
    }
}

/// "1 match", "2 matches": a count with the noun's singular or plural.
pub fn count_as(n: usize, one: &str, many: &str) -> String {
    if n == 1 { format!("1 {one}") } else { format!("{n} {many}") }
}

#[cfg(test)]
mod tests {
    #[test]
    fn counts_agree_with_their_number() {
        assert_eq!(super::count(0, "segment"), "0 segments");
        assert_eq!(super::count(1, "segment"), "1 segment");
        assert_eq!(super::count(21, "saved value"), "21 saved values");
        assert_eq!(super::count_as(2, "match", "matches"), "2 matches");
        assert_eq!(super::count_as(1, "match", "matches"), "1 match");
        assert_eq!(super::abridge("a\n\nb  c", 5), "a b c");
        assert_eq!(super::abridge("a\n\nb  cd", 5), "a b c…");
        assert_eq!(super::abridge("😀😀😀", 2), "😀😀…");
        assert_eq!(super::moment("2026-11-23T16:00:51.682Z"), "2026-11-23 16:00 UTC");
        assert_eq!(super::moment("2026-11-23T16:00:51+02:00"), "2026-11-23 16:00");
        assert_eq!(super::moment("yesterday"), "yesterday");
        let err = |s: &str| super::json_error(&serde_json::from_str::<std::collections::BTreeMap<String, Vec<u8>>>(s).unwrap_err());
        assert_eq!(err("{\n\"a\": [1,"), "the file ends too early, at line 2");
        assert_eq!(err("{\"a\" 1}"), "it is not well-formed JSON at line 1, column 6");
        assert_eq!(err("{\"a\": [\"x\"]}"), "invalid type: string \"x\", expected u8, at line 1");
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Tags {
            tags: Vec<u8>,
        }
        assert_eq!(super::json_error(&serde_json::from_str::<Tags>("{}").unwrap_err()), "“tags” is missing, at line 1");
        assert_eq!(super::moment("2026-11-23Tx"), "2026-11-23Tx");
        assert_eq!(super::moment("2026-11-23T16:0é:00Z"), "2026-11-23T16:0é:00Z");
    }
}
