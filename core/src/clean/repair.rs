//! Repairs of the prose of one block: words split by stray spaces, hyphens cut
//! from their words, spaces before punctuation — each only where the evidence
//! is strong — and bare footnote numbers of PDF extractions.

use super::Lexicon;
use super::markup::{M0, M1, marker};

/// Is `w` a word of its own (and so never merged with a neighbour)?
fn is_word(w: &str, lex: &Lexicon) -> bool {
    let n = w.chars().count();
    if n == 1 {
        return matches!(w, "a" | "A" | "I");
    }
    lex.count(w) >= 3
}

/// The joined word, or an inflection of it, occurs in the corpus.
fn attested(joined: &str, lex: &Lexicon) -> bool {
    if lex.count(joined) >= 1 {
        return true;
    }
    let mut buf = String::with_capacity(joined.len() + 3);
    ["s", "es", "ed", "d", "ing"].iter().any(|s| {
        buf.clear();
        buf.push_str(joined);
        buf.push_str(s);
        lex.count(&buf) >= 1
    })
}

fn letters(w: &str) -> bool {
    !w.is_empty() && w.chars().all(char::is_alphabetic)
}

/// Joins tokens of a whitespace-collapsed line where a word was split by a
/// stray space ("e stablishment", "checkpoint s", "is sues"): the joined form
/// occurs in the corpus on its own, and one of the parts is not a word.
/// Also collapses every run of whitespace into one space.
pub fn join_split_words(text: &str, lex: &Lexicon) -> String {
    let tokens: Vec<&str> = text.split_whitespace().collect();
    // Per token: its letters-only core (start trimmed / end trimmed) and whether it is a word.
    let info: Vec<(bool, bool, bool)> = tokens
        .iter()
        .map(|t| {
            let head = t.trim_start_matches(|c: char| !c.is_alphanumeric());
            let tail = t.trim_end_matches(|c: char| !c.is_alphanumeric());
            let head_ok = letters(head);
            let tail_ok = letters(tail);
            let word = if head_ok { is_word(head, lex) } else if tail_ok { is_word(tail, lex) } else { true };
            (head_ok, tail_ok, word)
        })
        .collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let push = |out: &mut String, s: &str| {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(s);
    };
    let mut joined = String::new();
    while i < tokens.len() {
        let t = tokens[i];
        if i + 1 < tokens.len() {
            let next = tokens[i + 1];
            let (t_head_ok, _, t_word) = info[i];
            let (_, n_tail_ok, n_word) = info[i + 1];
            // A capital after the space starts a word of its own ("Coast Guard").
            let next_capital = next.chars().next().is_some_and(char::is_uppercase);
            if t_head_ok && n_tail_ok && (!t_word || !n_word) && !next_capital {
                // Trailing punctuation stays with the second part.
                let core_t = t.trim_start_matches(|c: char| !c.is_alphanumeric());
                let core_next = next.trim_end_matches(|c: char| !c.is_alphanumeric());
                joined.clear();
                joined.push_str(core_t);
                joined.push_str(core_next);
                if attested(&joined, lex) {
                    push(&mut out, t);
                    out.push_str(next);
                    i += 2;
                    continue;
                }
            }
            // "Da ’esh": a space before an apostrophe inside a word.
            if t.chars().last().is_some_and(char::is_alphabetic)
                && (next.starts_with('’') || next.starts_with('\''))
                && next.chars().nth(1).is_some_and(char::is_alphabetic)
            {
                push(&mut out, t);
                out.push_str(next);
                i += 2;
                continue;
            }
        }
        match camel_hyphen(t, lex) {
            Some(fixed) => push(&mut out, &fixed),
            None => push(&mut out, t),
        }
        i += 1;
    }
    out
}

/// "CounterTerrorism" → "Counter-Terrorism": a hyphen lost by the extraction
/// between two capitalised parts, restored where the hyphenated form is attested
/// ("YouTube" stays).
fn camel_hyphen(token: &str, lex: &Lexicon) -> Option<String> {
    let core = token.trim_matches(|c: char| !c.is_alphanumeric());
    let mut chars = core.char_indices();
    if !chars.next().is_some_and(|(_, c)| c.is_uppercase()) || !letters(core) {
        return None;
    }
    let mut split = None;
    let mut prev_lower = false;
    for (i, c) in chars {
        if c.is_uppercase() {
            if !prev_lower || split.is_some() {
                return None;
            }
            split = Some(i);
        }
        prev_lower = c.is_lowercase();
    }
    let at = split?;
    if !prev_lower || at < 3 || core.len() - at < 3 {
        return None;
    }
    let hyphenated = format!("{}-{}", &core[..at], &core[at..]);
    if lex.count_hyphenated(&hyphenated) == 0 {
        return None;
    }
    let offset = token.find(core).unwrap_or(0) + at;
    Some(format!("{}-{}", &token[..offset], &token[offset..]))
}

/// "capacity -building" → "capacity-building"; "areas , is" → "areas, is".
pub fn tidy_spacing(text: &str) -> String {
    if !text.contains([' ']) {
        return text.to_string();
    }
    let needs = text.as_bytes().windows(2).any(|w| {
        w[0] == b' ' && matches!(w[1], b'-' | b',' | b';' | b')' | b':' | b'.') || w[0] == b'(' && w[1] == b' '
    });
    if !needs {
        return text.to_string();
    }
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    for (i, &c) in chars.iter().enumerate() {
        if c == ' ' {
            let prev = if i > 0 { chars[i - 1] } else { ' ' };
            let next = chars.get(i + 1).copied().unwrap_or(' ');
            let after = chars.get(i + 2).copied().unwrap_or(' ');
            // letter, space, hyphen, letter: a compound cut by the extraction
            if prev.is_alphanumeric() && next == '-' && after.is_alphabetic() {
                continue;
            }
            // a space after an opening parenthesis ("( S/2017/35" cut by a wrap)
            if prev == '(' && next.is_alphanumeric() {
                continue;
            }
            // a space before closing punctuation
            if prev.is_alphanumeric() && matches!(next, ',' | ';' | ')' | ':')
                || prev.is_alphabetic() && next == '.' && !after.is_alphanumeric()
            {
                continue;
            }
        }
        out.push(c);
    }
    out
}

/// Joins the lines of a hard-wrapped block. A line ending in a hyphen after a
/// letter is joined without a space; the hyphen is kept unless the joined word
/// is attested in the corpus and the hyphenated form is not.
pub fn join_lines(lines: &[String], lex: &Lexicon) -> String {
    let mut out = String::new();
    for line in lines {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if out.is_empty() {
            out.push_str(line);
            continue;
        }
        // A web address broken across lines continues without a space.
        let last_token = out.rsplit(' ').next().unwrap_or("");
        if (last_token.contains("://") || last_token.starts_with("www.")) && out.ends_with(['-', '/', '.', '_']) {
            out.push_str(line);
            continue;
        }
        let ends_hyphen = out.ends_with('-')
            && out.chars().rev().nth(1).is_some_and(|c| c.is_alphabetic() || c == ' ');
        let next_letter = line.chars().next().is_some_and(char::is_alphabetic);
        if ends_hyphen && next_letter {
            let head_word: String = out[..out.len() - 1]
                .trim_end()
                .chars()
                .rev()
                .take_while(|c| c.is_alphabetic())
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            let tail_word: String = line.chars().take_while(|c| c.is_alphabetic()).collect();
            let joined = format!("{head_word}{tail_word}");
            let hyphenated = format!("{head_word}-{tail_word}");
            let space_hyphen = out[..out.len() - 1].ends_with(' ');
            if space_hyphen {
                // "oil -\nproducing" → "oil-producing"
                out.pop();
                let trimmed = out.trim_end().len();
                out.truncate(trimmed);
                out.push('-');
            } else if lex.count(&joined) > 0 && lex.count_hyphenated(&hyphenated) == 0 {
                out.pop();
            }
            out.push_str(line);
        } else {
            out.push(' ');
            out.push_str(line);
        }
    }
    out
}

/// Words after which a number is part of the prose, not a footnote marker.
const NUMBER_WORDS: [&str; 14] = [
    "resolution", "resolutions", "para", "paragraph", "paragraphs", "and", "of", "to", "than",
    "about", "some", "annex", "page", "chapter",
];

const MONTHS: [&str; 12] = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
];

/// Turns bare footnote numbers of a PDF extraction into markers. Markers run
/// 1, 2, 3… through the document, so `next` is the only number accepted; it
/// must stand after a word or punctuation ("ISIL 4 in", "security.1",
/// "assessment3") and not be part of the prose ("resolution 2253", "31 January").
pub fn bare_markers(text: &str, next: &mut u32) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + 8);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_ascii_digit() && (i == 0 || !chars[i - 1].is_ascii_digit()) {
            let mut j = i;
            let mut n: u32 = 0;
            while j < chars.len() && chars[j].is_ascii_digit() && j - i < 4 {
                n = n * 10 + chars[j].to_digit(10).unwrap_or(0);
                j += 1;
            }
            let whole = j >= chars.len() || !chars[j].is_ascii_digit();
            if whole && n == *next && is_marker_position(&chars, i, j) {
                // Drop the space before a detached marker ("ISIL 4 in" → "ISIL⁴ in").
                while out.ends_with(' ') {
                    out.pop();
                }
                out.push_str(&marker(n));
                *next += 1;
                i = j;
                continue;
            }
            // Copy the whole number so its digits are not read again.
            out.extend(&chars[i..j]);
            i = j;
            continue;
        }
        out.push(c);
        i += 1;
    }
    out
}

fn is_marker_position(chars: &[char], i: usize, j: usize) -> bool {
    // After: end, whitespace or closing punctuation; not ". 5 (2015)" or "5,000".
    let after = chars.get(j).copied();
    match after {
        None | Some(' ') => {}
        Some(';' | ':' | ')' | M0) => {}
        Some(',') if chars.get(j + 1).is_none_or(|c| !c.is_ascii_digit()) => {}
        Some('.') if chars.get(j + 1).is_none_or(|c| *c == ' ') => {}
        _ => return false,
    }
    let rest: String = chars[j..chars.len().min(j + 14)].iter().collect();
    let rest = rest.trim_start();
    if rest.starts_with('(') || rest.starts_with('%') || MONTHS.iter().any(|m| rest.starts_with(m)) {
        return false;
    }
    if rest.starts_with("per cent") || rest.starts_with("and ") && rest[4..].starts_with(|c: char| c.is_ascii_digit()) {
        return false;
    }
    // Before: glued to a word or punctuation, or after a space that follows one.
    let Some(&prev) = i.checked_sub(1).and_then(|k| chars.get(k)) else { return false };
    let glued = prev.is_alphabetic() || matches!(prev, '.' | ',' | ')' | '”' | '’' | ';' | ':' | M1);
    if glued {
        // A letter glued to a number is a marker only after a lowercase word ("assessment3").
        return !prev.is_alphabetic() || prev.is_lowercase();
    }
    if prev != ' ' {
        return false;
    }
    let before: String = chars[..i - 1].iter().rev().take_while(|c| !c.is_whitespace()).collect();
    let word: String = before.chars().rev().collect();
    let bare = word.trim_end_matches(['.', ',', ';', ':']);
    if word.is_empty() || word.chars().last().is_some_and(|c| c.is_ascii_digit()) {
        return false;
    }
    let lower = bare.to_lowercase();
    if NUMBER_WORDS.contains(&lower.as_str()) || MONTHS.contains(&bare) {
        return false;
    }
    word.chars().last().is_some_and(|c| c.is_alphabetic() || matches!(c, '.' | ',' | ')' | '”' | '’' | ';' | ':'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lex() -> Lexicon {
        Lexicon::from_texts([
            "establishment establishment checkpoints issues residual public this of in the a certain \
             capacity-building in in the the the a a of of of certain certain this this his his his \
             is is is sues",
        ])
    }

    #[test]
    fn split_words_join_only_with_evidence() {
        let l = lex();
        assert_eq!(join_split_words("the e stablishment of", &l), "the establishment of");
        assert_eq!(join_split_words("control of checkpoint s. 18", &l), "control of checkpoints. 18");
        assert_eq!(join_split_words("in the a certain", &l), "in the a certain");
        assert_eq!(join_split_words("Da ’esh and", &l), "Da’esh and");
        assert_eq!(join_split_words("o f", &l), "of");
        // A capitalised second part is a word of its own, attested or not.
        let l2 = Lexicon::from_texts(["coastguards Counter-Terrorism South-East YouTube"]);
        assert_eq!(join_split_words("European Border and Coast Guard", &l2), "European Border and Coast Guard");
        assert_eq!(join_split_words("the CounterTerrorism Committee, SouthEast. YouTube", &l2),
            "the Counter-Terrorism Committee, South-East. YouTube");
    }

    #[test]
    fn spacing_and_hyphens() {
        assert_eq!(tidy_spacing("capacity -building and Counter -Terrorism"), "capacity-building and Counter-Terrorism");
        assert_eq!(tidy_spacing("some areas , is a - b"), "some areas, is a - b");
        assert_eq!(tidy_spacing("loyal to ISIL ( S/2017/35, paras. 43"), "loyal to ISIL (S/2017/35, paras. 43");
        let l = lex();
        assert_eq!(join_lines(&["oil -".into(), "producing areas".into()], &l), "oil-producing areas");
        assert_eq!(join_lines(&["Counter-".into(), "Terrorism".into()], &l), "Counter-Terrorism");
        assert_eq!(join_lines(&["the es-".into(), "tablishment".into()], &l), "the establishment");
    }

    #[test]
    fn bare_markers_follow_the_sequence() {
        let mut k = 1;
        let t = bare_markers("security, 1 was prepared by the Team, 2 in resolution 2253 (2015) on 3 January 2018 for ISIL 3 in", &mut k);
        assert_eq!(t, format!("security,{} was prepared by the Team,{} in resolution 2253 (2015) on 3 January 2018 for ISIL{} in", marker(1), marker(2), marker(3)));
        assert_eq!(k, 4);
        let t = bare_markers("II. Threat assessment4", &mut k);
        assert_eq!(t, format!("II. Threat assessment{}", marker(4)));
        let t = bare_markers("up to 5,000 fighters and 5 per cent", &mut k);
        assert_eq!(t, "up to 5,000 fighters and 5 per cent");
    }
}
