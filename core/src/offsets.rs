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

/// The UTF-8 byte offset of code point `cp` (clamped). Same as [`char_to_byte`].
pub fn cp_to_byte(s: &str, cp: usize) -> usize {
    char_to_byte(s, cp)
}

/// The code point offset of UTF-8 byte offset `b` (clamped); a byte offset inside a
/// multi-byte character rounds as `round` says.
pub fn byte_to_cp(s: &str, b: usize, round: Round) -> usize {
    let b = b.min(s.len());
    let down = utf8_to_cp(s, b);
    if round == Round::Up && !s.is_char_boundary(b) { down + 1 } else { down }
}

/// Length of `s` in UTF-16 code units (what JavaScript's `length` says).
pub fn utf16_len(s: &str) -> usize {
    s.chars().map(char::len_utf16).sum()
}

/// Code points between two checkpoints of an [`OffsetIndex`].
const STRIDE: usize = 64;

/// Many conversions over one text, fast: code point ↔ UTF-16 ↔ UTF-8.
///
/// Keeps a checkpoint (UTF-16 and UTF-8 offsets) every 64 code points, so it
/// costs 8 bytes per 64 characters; a conversion finds its checkpoint (directly,
/// or by binary search for UTF-16/UTF-8 offsets) and walks at most 64 characters.
/// An ASCII text needs no checkpoints at all (every unit is the same).
/// Rounding inside a character follows [`Round`], as the free functions do.
#[derive(Debug, Clone)]
pub struct OffsetIndex<'a> {
    text: &'a str,
    stride: usize,
    /// Code points, UTF-16 units and bytes of the whole text.
    len: usize,
    len16: usize,
    /// For code point `k * stride`: (UTF-16 offset, UTF-8 offset). Empty for ASCII.
    checkpoints: Vec<(u32, u32)>,
}

impl<'a> OffsetIndex<'a> {
    pub fn new(s: &'a str) -> Self {
        Self::with_stride(s, STRIDE)
    }

    /// With a checkpoint every `stride` code points (tests use small strides).
    fn with_stride(s: &'a str, stride: usize) -> Self {
        let stride = stride.max(1);
        if s.is_ascii() {
            return OffsetIndex { text: s, stride, len: s.len(), len16: s.len(), checkpoints: Vec::new() };
        }
        let mut checkpoints = Vec::with_capacity(s.len() / stride + 1);
        let (mut u16s, mut n) = (0usize, 0usize);
        for (b, c) in s.char_indices() {
            if n % stride == 0 {
                checkpoints.push((u16s as u32, b as u32));
            }
            u16s += c.len_utf16();
            n += 1;
        }
        if n % stride == 0 {
            checkpoints.push((u16s as u32, s.len() as u32));
        }
        OffsetIndex { text: s, stride, len: n, len16: u16s, checkpoints }
    }

    /// Number of code points.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Length in UTF-16 code units.
    pub fn len_utf16(&self) -> usize {
        self.len16
    }

    fn ascii(&self) -> bool {
        self.checkpoints.is_empty()
    }

    /// (UTF-16, UTF-8) offsets of code point `cp` (clamped).
    fn at_cp(&self, cp: usize) -> (usize, usize) {
        let cp = cp.min(self.len);
        if self.ascii() {
            return (cp, cp);
        }
        let k = cp / self.stride;
        let (u, b) = self.checkpoints[k];
        let (mut u, mut b) = (u as usize, b as usize);
        for c in self.text[b..].chars().take(cp - k * self.stride) {
            u += c.len_utf16();
            b += c.len_utf8();
        }
        (u, b)
    }

    pub fn cp_to_utf16(&self, cp: usize) -> usize {
        self.at_cp(cp).0
    }

    pub fn cp_to_utf8(&self, cp: usize) -> usize {
        self.at_cp(cp).1
    }

    /// Same as [`OffsetIndex::cp_to_utf8`].
    pub fn cp_to_byte(&self, cp: usize) -> usize {
        self.at_cp(cp).1
    }

    /// Walks from the last checkpoint at or before `target` (in the unit that
    /// `unit` picks from a checkpoint and `width` measures a character in).
    fn to_cp(&self, target: usize, round: Round, unit: fn(&(u32, u32)) -> u32, width: fn(char) -> usize) -> usize {
        let k = self.checkpoints.partition_point(|c| unit(c) as usize <= target).saturating_sub(1);
        let mut cp = k * self.stride;
        let mut at = unit(&self.checkpoints[k]) as usize;
        for c in self.text[self.checkpoints[k].1 as usize..].chars() {
            if at == target {
                return cp;
            }
            at += width(c);
            if at > target {
                return if round == Round::Down { cp } else { cp + 1 };
            }
            cp += 1;
        }
        cp
    }

    /// The code point offset of UTF-16 offset `u` (clamped; see [`Round`]).
    pub fn utf16_to_cp(&self, u: usize, round: Round) -> usize {
        if u >= self.len16 {
            return self.len;
        }
        if self.ascii() {
            return u;
        }
        self.to_cp(u, round, |c| c.0, char::len_utf16)
    }

    /// The code point offset of UTF-8 offset `b` (clamped; see [`Round`]).
    pub fn utf8_to_cp(&self, b: usize, round: Round) -> usize {
        if b >= self.text.len() {
            return self.len;
        }
        if self.ascii() {
            return b;
        }
        self.to_cp(b, round, |c| c.1, char::len_utf8)
    }

    /// Same as [`OffsetIndex::utf8_to_cp`].
    pub fn byte_to_cp(&self, b: usize, round: Round) -> usize {
        self.utf8_to_cp(b, round)
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

    #[test]
    fn byte_and_utf16_lengths() {
        let s = "a😀é";
        assert_eq!(utf16_len(s), 4);
        assert_eq!(cp_to_byte(s, 2), 5);
        assert_eq!(byte_to_cp(s, 2, Round::Down), 1);
        assert_eq!(byte_to_cp(s, 2, Round::Up), 2);
        assert_eq!(byte_to_cp(s, 99, Round::Up), 3);
        let ix = OffsetIndex::new("plain ascii");
        assert_eq!((ix.len(), ix.len_utf16(), ix.cp_to_utf16(3), ix.utf16_to_cp(40, Round::Down)), (11, 11, 3, 11));
        let empty = OffsetIndex::new("");
        assert!(empty.is_empty());
        assert_eq!((empty.cp_to_utf16(3), empty.utf16_to_cp(3, Round::Up), empty.utf8_to_cp(0, Round::Down)), (0, 0, 0));
    }

    /// Python's view of a string: a list of code points; JavaScript's: UTF-16 units.
    fn python_len(s: &str) -> usize {
        s.chars().count()
    }

    fn long_text() -> impl Strategy<Value = String> {
        proptest::collection::vec(prop_oneof![Just("a"), Just("😀"), Just("é"), Just("e\u{301}"), Just("\r\n"), Just("字"), Just("👩‍💻")], 0..24)
            .prop_map(|v| v.concat())
    }

    proptest! {
        #[test]
        fn index_agrees_with_the_free_functions_everywhere(s in long_text(), stride in 1usize..6) {
            // Every offset in every unit, through checkpoints of any stride.
            let ix = OffsetIndex::with_stride(&s, stride);
            let n = python_len(&s);
            prop_assert_eq!(ix.len(), n);
            prop_assert_eq!(ix.len_utf16(), s.encode_utf16().count());
            for cp in 0..=n + 1 {
                prop_assert_eq!(ix.cp_to_utf16(cp), cp_to_utf16(&s, cp));
                prop_assert_eq!(ix.cp_to_byte(cp), cp_to_byte(&s, cp));
            }
            for round in [Round::Down, Round::Up] {
                for u in 0..=utf16_len(&s) + 1 {
                    prop_assert_eq!(ix.utf16_to_cp(u, round), utf16_to_cp(&s, u, round), "u={} {:?}", u, round);
                }
                for b in 0..=s.len() + 1 {
                    prop_assert_eq!(ix.byte_to_cp(b, round), byte_to_cp(&s, b, round), "b={} {:?}", b, round);
                }
            }
        }

        #[test]
        fn conversions_are_monotone_and_match_python_and_javascript(s in text(), a in 0usize..60, b in 0usize..60) {
            let (a, b) = (a.min(b), a.max(b));
            let n = python_len(&s);
            // Python: text[:cp] has cp code points; JavaScript: its length in UTF-16 units.
            let prefix: String = s.chars().take(a).collect();
            prop_assert_eq!(cp_to_utf16(&s, a), prefix.encode_utf16().count());
            prop_assert_eq!(cp_to_byte(&s, a), prefix.len());
            prop_assert!(cp_to_utf16(&s, a) <= cp_to_utf16(&s, b));
            prop_assert!(cp_to_byte(&s, a) <= cp_to_byte(&s, b));
            for round in [Round::Down, Round::Up] {
                prop_assert!(byte_to_cp(&s, a, round) <= byte_to_cp(&s, b, round));
                prop_assert!(byte_to_cp(&s, b, round) <= n);
            }
            // Rounding down never passes rounding up, and they differ only inside a character.
            for u in [a, b] {
                let (d, up) = (utf16_to_cp(&s, u, Round::Down), utf16_to_cp(&s, u, Round::Up));
                prop_assert!(d <= up && up <= d + 1);
                prop_assert_eq!(d == up, u >= utf16_len(&s) || cp_to_utf16(&s, d) == u);
            }
            // CRLF is two code points, as in Python.
            prop_assert_eq!(n, s.chars().count());
            prop_assert_eq!(slice_chars(&s, a, b).chars().count(), b.min(n) - a.min(n));
        }

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
