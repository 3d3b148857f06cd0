//! Offset units. Outside the DOM every offset is a count of Unicode code points
//! (what Python's `text[start:end]` and the W3C Web Annotation model use). The
//! DOM counts UTF-16 code units; Rust slices UTF-8 bytes. Every conversion
//! between them lives here.
//!
//! A UTF-16 offset that falls inside a surrogate pair (between the two halves of
//! an astral character such as an emoji) is rounded: towards the start of the
//! character with [`Round::Down`], past it with [`Round::Up`]. Selections round
//! their start down and their end up, so they never cut a character in half.

/// Byte index of code point `cp` in `s` (clamped to `s.len()`).
pub fn char_to_byte(s: &str, cp: usize) -> usize {
    s.char_indices().nth(cp).map(|(b, _)| b).unwrap_or(s.len())
}

/// `s[start..end]` in code points (clamped, never panics).
pub fn slice_chars(s: &str, start: usize, end: usize) -> &str {
    let b0 = char_to_byte(s, start);
    let b1 = if end <= start { b0 } else { b0 + char_to_byte(&s[b0..], end - start) };
    &s[b0..b1]
}

/// Number of code points in `s`.
pub fn char_len(s: &str) -> usize {
    s.chars().count()
}

/// How to round an offset that falls inside a character.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Round {
    Down,
    Up,
}

/// The UTF-16 offset of code point `cp` in `s` (clamped).
pub fn cp_to_utf16(s: &str, cp: usize) -> usize {
    s.chars().take(cp).map(char::len_utf16).sum()
}

/// The code point offset of UTF-16 offset `u` in `s` (clamped; see [`Round`]).
pub fn utf16_to_cp(s: &str, u: usize, round: Round) -> usize {
    let mut units = 0;
    for (i, c) in s.chars().enumerate() {
        if units >= u {
            return i;
        }
        units += c.len_utf16();
        if units > u {
            return if round == Round::Down { i } else { i + 1 };
        }
    }
    s.chars().count()
}

/// The UTF-8 byte offset of code point `cp` (same as [`char_to_byte`]).
pub fn cp_to_utf8(s: &str, cp: usize) -> usize {
    char_to_byte(s, cp)
}

/// The code point offset of UTF-8 byte offset `b` (clamped; inside a character rounds down).
pub fn utf8_to_cp(s: &str, b: usize) -> usize {
    s.char_indices().take_while(|(i, _)| *i < b.min(s.len())).count()
        - usize::from(b < s.len() && !s.is_char_boundary(b))
}

/// Many conversions over one text, each in O(log n): code point ↔ UTF-16 ↔ UTF-8.
#[derive(Debug, Clone)]
pub struct OffsetIndex {
    /// For every code point i (and one past the end): (UTF-16 offset, UTF-8 offset).
    table: Vec<(u32, u32)>,
}

impl OffsetIndex {
    pub fn new(s: &str) -> Self {
        let mut table = Vec::with_capacity(s.len() + 1);
        let (mut u16s, mut u8s) = (0u32, 0u32);
        for c in s.chars() {
            table.push((u16s, u8s));
            u16s += c.len_utf16() as u32;
            u8s += c.len_utf8() as u32;
        }
        table.push((u16s, u8s));
        OffsetIndex { table }
    }

    /// Number of code points.
    pub fn len(&self) -> usize {
        self.table.len() - 1
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn cp_to_utf16(&self, cp: usize) -> usize {
        self.table[cp.min(self.len())].0 as usize
    }

    pub fn cp_to_utf8(&self, cp: usize) -> usize {
        self.table[cp.min(self.len())].1 as usize
    }

    pub fn utf16_to_cp(&self, u: usize, round: Round) -> usize {
        let i = self.table.partition_point(|(x, _)| (*x as usize) < u);
        match self.table.get(i) {
            Some((x, _)) if *x as usize == u => i,
            Some(_) if round == Round::Down => i.saturating_sub(1),
            Some(_) => i,
            None => self.len(),
        }
    }

    pub fn utf8_to_cp(&self, b: usize, round: Round) -> usize {
        let i = self.table.partition_point(|(_, x)| (*x as usize) < b);
        match self.table.get(i) {
            Some((_, x)) if *x as usize == b => i,
            Some(_) if round == Round::Down => i.saturating_sub(1),
            Some(_) => i,
            None => self.len(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn emoji_combining_marks_and_crlf() {
        let s = "a😀e\u{301}\r\nz";
        // code points: a 😀 e ◌́ \r \n z
        assert_eq!(char_len(s), 7);
        assert_eq!(cp_to_utf16(s, 2), 3);
        assert_eq!(utf16_to_cp(s, 3, Round::Down), 2);
        assert_eq!(utf16_to_cp(s, 2, Round::Down), 1, "inside the emoji rounds to its start");
        assert_eq!(utf16_to_cp(s, 2, Round::Up), 2, "or past it");
        assert_eq!(slice_chars(s, 1, 2), "😀");
        assert_eq!(cp_to_utf8(s, 2), 5);
        assert_eq!(utf8_to_cp(s, 5), 2);
        assert_eq!(utf8_to_cp(s, 3), 1);
        let ix = OffsetIndex::new(s);
        assert_eq!(ix.utf16_to_cp(2, Round::Up), 2);
        assert_eq!(ix.utf8_to_cp(3, Round::Down), 1);
    }

    fn text() -> impl Strategy<Value = String> {
        proptest::collection::vec(prop_oneof![Just("a"), Just("😀"), Just("é"), Just("e\u{301}"), Just("\r\n"), Just("字"), Just("𝔸"), Just(" ")], 0..40)
            .prop_map(|v| v.concat())
    }

    proptest! {
        #[test]
        fn conversions_round_trip_and_agree(s in text(), k in 0usize..60) {
            let n = char_len(&s);
            let cp = k.min(n);
            let u = cp_to_utf16(&s, cp);
            prop_assert_eq!(utf16_to_cp(&s, u, Round::Down), cp);
            prop_assert_eq!(utf16_to_cp(&s, u, Round::Up), cp);
            prop_assert_eq!(u, s.chars().take(cp).collect::<String>().encode_utf16().count());
            let b = cp_to_utf8(&s, cp);
            prop_assert_eq!(utf8_to_cp(&s, b), cp);
            let ix = OffsetIndex::new(&s);
            prop_assert_eq!(ix.len(), n);
            prop_assert_eq!(ix.cp_to_utf16(cp), u);
            prop_assert_eq!(ix.cp_to_utf8(cp), b);
            prop_assert_eq!(ix.utf16_to_cp(u, Round::Down), cp);
            prop_assert_eq!(ix.utf8_to_cp(b, Round::Up), cp);
        }

        #[test]
        fn any_utf16_offset_maps_into_range_monotonically(s in text(), a in 0usize..90, b in 0usize..90) {
            let (a, b) = (a.min(b), a.max(b));
            let ix = OffsetIndex::new(&s);
            for round in [Round::Down, Round::Up] {
                let (x, y) = (utf16_to_cp(&s, a, round), utf16_to_cp(&s, b, round));
                prop_assert!(x <= y && y <= char_len(&s));
                prop_assert_eq!(ix.utf16_to_cp(a, round), x);
            }
            // Rounding a start down and an end up never loses part of a character.
            let (start, end) = (utf16_to_cp(&s, a, Round::Down), utf16_to_cp(&s, b, Round::Up));
            prop_assert!(cp_to_utf16(&s, start) <= a.min(s.encode_utf16().count()));
            prop_assert!(cp_to_utf16(&s, end) >= b.min(s.encode_utf16().count()));
        }
    }
}
