//! Marginalia's pure core: no browser, no UI. Everything here is plain data and
//! functions, tested natively.

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
    }
}
