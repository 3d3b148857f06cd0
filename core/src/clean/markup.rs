//! Inline markup of the raw forms: footnote markers become sentinels, markdown
//! syntax is removed, HTML becomes text.

/// Sentinels around a footnote number while cleaning (private-use characters,
/// never in the output).
pub const M0: char = '\u{E000}';
pub const M1: char = '\u{E001}';

pub fn marker(n: u32) -> String {
    format!("{M0}{n}{M1}")
}

fn superscript_digit(c: char) -> Option<u32> {
    match c {
        '⁰' => Some(0),
        '¹' => Some(1),
        '²' => Some(2),
        '³' => Some(3),
        '⁴'..='⁹' => Some(c as u32 - '⁴' as u32 + 4),
        _ => None,
    }
}

/// Replaces explicit footnote markers (`<sup>n</sup>`, superscript digits, `|n|`)
/// with sentinels, and (for markdown) removes links, emphasis and escapes.
pub fn inline(line: &str, markdown: bool) -> String {
    let special = |c: char| matches!(c, '<' | '|' | '\\' | '[' | '*') || superscript_digit(c).is_some();
    if !line.contains(special) {
        return line.to_string();
    }
    let mut out = String::with_capacity(line.len());
    let chars: Vec<char> = line.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        // <sup>n</sup>
        if c == '<' && starts_with_ci(&chars[i..], "<sup>") {
            let mut j = i + 5;
            let mut n: u32 = 0;
            let mut digits = 0;
            while j < chars.len() && chars[j].is_ascii_digit() && digits < 4 {
                n = n * 10 + chars[j].to_digit(10).unwrap_or(0);
                j += 1;
                digits += 1;
            }
            if digits > 0 && starts_with_ci(&chars[j..], "</sup>") {
                out.push_str(&marker(n));
                i = j + 6;
                continue;
            }
        }
        // superscript digits
        if let Some(d) = superscript_digit(c) {
            let mut n = d;
            let mut j = i + 1;
            while j < chars.len() {
                match superscript_digit(chars[j]) {
                    Some(d) => n = n * 10 + d,
                    None => break,
                }
                j += 1;
            }
            out.push_str(&marker(n));
            i = j;
            continue;
        }
        // |n|
        if c == '|' {
            let mut j = i + 1;
            let mut n: u32 = 0;
            while j < chars.len() && chars[j].is_ascii_digit() && j - i <= 4 {
                n = n * 10 + chars[j].to_digit(10).unwrap_or(0);
                j += 1;
            }
            if j > i + 1 && j < chars.len() && chars[j] == '|' {
                // "a |1| b" → "a" + marker + " b": the marker takes the space before it.
                while out.ends_with(' ') {
                    out.pop();
                }
                out.push_str(&marker(n));
                i = j + 1;
                continue;
            }
        }
        if markdown {
            // backslash escapes
            // a doubly escaped character inside link text: \\_ → _
            if c == '\\' && chars.get(i + 1) == Some(&'\\') && chars.get(i + 2).is_some_and(|c| c.is_ascii_punctuation() && *c != '\\') {
                out.push(chars[i + 2]);
                i += 3;
                continue;
            }
            if c == '\\' && i + 1 < chars.len() && chars[i + 1].is_ascii_punctuation() {
                out.push(chars[i + 1]);
                i += 2;
                continue;
            }
            // [text](target) → text
            if c == '['
                && let Some((text_end, link_end)) = link_at(&chars, i) {
                    let inner: String = chars[i + 1..text_end].iter().collect();
                    out.push_str(&inline(&inner, true));
                    i = link_end;
                    continue;
                }
            // <https://autolink> → the address
            if c == '<' && (starts_with_ci(&chars[i + 1..], "http") || starts_with_ci(&chars[i + 1..], "www.")) {
                let close = chars[i + 1..].iter().position(|c| *c == '>' || c.is_whitespace());
                if let Some(k) = close.filter(|&k| chars[i + 1 + k] == '>') {
                    out.extend(&chars[i + 1..i + 1 + k]);
                    i += k + 2;
                    continue;
                }
            }
            // **strong** and *emphasis*
            if c == '*' {
                i += 1;
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    out
}

fn starts_with_ci(chars: &[char], pat: &str) -> bool {
    let mut it = chars.iter();
    pat.chars().all(|p| it.next().is_some_and(|c| c.eq_ignore_ascii_case(&p)))
}

/// `[text](target)` starting at `i`: the index of `]` and the index after `)`.
fn link_at(chars: &[char], i: usize) -> Option<(usize, usize)> {
    let mut j = i + 1;
    let mut escaped = false;
    while j < chars.len() {
        match chars[j] {
            '\\' if !escaped => escaped = true,
            ']' if !escaped => break,
            '\n' => return None,
            _ => escaped = false,
        }
        j += 1;
    }
    if j + 1 >= chars.len() || chars[j + 1] != '(' {
        return None;
    }
    let mut k = j + 2;
    let mut depth = 1;
    while k < chars.len() {
        match chars[k] {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return Some((j, k + 1));
                }
            }
            ' ' | '\n' => return None,
            _ => {}
        }
        k += 1;
    }
    None
}

/// HTML to markdown-like text: scripts and styles dropped, block elements end
/// lines, h1–h6 become `#` headings, entities decoded. Nothing is interpreted.
pub fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let lower = html.to_ascii_lowercase();
    let mut i = 0;
    let bytes = html.as_bytes();
    while i < html.len() {
        if bytes[i] == b'<' {
            let Some(close) = html[i..].find('>').map(|c| i + c) else {
                // A lone '<': keep it as text.
                out.push('<');
                i += 1;
                continue;
            };
            let tag = lower[i + 1..close].trim_start_matches('/');
            let name: String = tag.chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
            if lower[i..].starts_with("<!--") {
                i = lower[i..].find("-->").map(|e| i + e + 3).unwrap_or(html.len());
                continue;
            }
            if (name == "script" || name == "style") && !lower[i + 1..].starts_with('/') {
                let end = format!("</{name}");
                i = lower[close..]
                    .find(&end)
                    .and_then(|e| lower[close + e..].find('>').map(|g| close + e + g + 1))
                    .unwrap_or(html.len());
                continue;
            }
            let closing = lower[i + 1..].starts_with('/');
            match name.as_str() {
                "h1" | "h2" | "h3" | "h4" | "h5" | "h6" if !closing => {
                    let level = name[1..].parse::<usize>().unwrap_or(1);
                    out.push_str("\n\n");
                    out.push_str(&"#".repeat(level));
                    out.push(' ');
                }
                "sup" => out.push_str(if closing { "</sup>" } else { "<sup>" }),
                "p" | "div" | "br" | "li" | "tr" | "section" | "article" | "header" | "footer"
                | "blockquote" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "ul" | "ol" | "table"
                | "hr" | "main" | "nav" | "aside" | "pre" => out.push_str("\n\n"),
                "td" | "th" => out.push(' '),
                _ => {}
            }
            i = close + 1;
            continue;
        }
        if bytes[i] == b'&'
            && let Some((text, len)) = entity(&html[i..]) {
                out.push_str(&text);
                i += len;
                continue;
            }
        let c = html[i..].chars().next().unwrap_or(' ');
        out.push(c);
        i += c.len_utf8();
    }
    out
}

fn entity(s: &str) -> Option<(String, usize)> {
    let end = s.char_indices().take(12).find(|(_, c)| *c == ';')?.0;
    let name = &s[1..end];
    let text = match name {
        "amp" => "&".to_string(),
        "lt" => "<".to_string(),
        "gt" => ">".to_string(),
        "quot" => "\"".to_string(),
        "apos" => "'".to_string(),
        "nbsp" => " ".to_string(),
        "ndash" => "–".to_string(),
        "mdash" => "—".to_string(),
        "rsquo" => "’".to_string(),
        "lsquo" => "‘".to_string(),
        "ldquo" => "“".to_string(),
        "rdquo" => "”".to_string(),
        "hellip" => "…".to_string(),
        _ => {
            let code = if let Some(h) = name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
                u32::from_str_radix(h, 16).ok()?
            } else {
                name.strip_prefix('#')?.parse().ok()?
            };
            char::from_u32(code).filter(|c| *c != '\0')?.to_string()
        }
    };
    Some((text, end + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_links_and_escapes() {
        let m = |n| marker(n);
        assert_eq!(inline("Levant<sup>1</sup> (ISIL", true), format!("Levant{} (ISIL", m(1)));
        assert_eq!(inline("security.¹ The", true), format!("security.{} The", m(1)));
        assert_eq!(inline("Da'esh) |1| and", false), format!("Da'esh){} and", m(1)));
        assert_eq!(inline("resolution [2253 \\(2015\\)](#), the", true), "resolution 2253 (2015), the");
        assert_eq!(inline("## **II. Threat**", true), "## II. Threat");
        assert_eq!(inline("costs \\$5 and a\\_b", true), "costs $5 and a_b");
        assert_eq!(inline("a [b] c", true), "a [b] c");
        assert_eq!(inline("<https://x.org/a.pdf>.", true), "https://x.org/a.pdf.");
        assert_eq!(inline("a <b and <http://x y", true), "a <b and <http://x y");
        assert_eq!(inline("x |y| z", false), "x |y| z");
    }

    #[test]
    fn html_is_text() {
        let t = html_to_text("<h1>Title</h1><p>A &amp; B<script>alert(1)</script></p><p>x &lt; y &#8217; &#x2014;</p>");
        assert!(t.contains("# Title"));
        assert!(t.contains("A & B"));
        assert!(!t.contains("alert"));
        assert!(t.contains("x < y ’ —"));
        assert_eq!(html_to_text("a < b"), "a < b");
    }
}
