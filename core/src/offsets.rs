//! Offset units. Outside the DOM every offset is a count of Unicode code points.
//! The DOM counts UTF-16 code units; Rust slices UTF-8 bytes. All conversions live here.

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
