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
    let special = |c: char| matches!(c, '<' | '|' | '\\' | '[' | '*' | '`') || superscript_digit(c).is_some();
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
            // `code` → code, as it is (nothing inside is markup); a lone backtick stays.
            if c == '`' {
                let ticks = chars[i..].iter().take_while(|c| **c == '`').count();
                let close = (i + ticks..chars.len()).find(|&j| {
                    chars[j..].iter().take_while(|c| **c == '`').count() == ticks && (j == 0 || chars[j - 1] != '`')
                });
                if let Some(j) = close.filter(|&j| j > i + ticks) {
                    let inner: String = chars[i + ticks..j].iter().collect();
                    out.push_str(inner.strip_prefix(' ').and_then(|x| x.strip_suffix(' ')).filter(|x| !x.trim().is_empty()).unwrap_or(&inner));
                    i = j + ticks;
                    continue;
                }
            }
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

/// The part of a web page that is its text: the inside of `<main>`, else from
/// the first `<article>` to the end of the last; the whole page when it has
/// neither (with whether it had).
fn page_body(html: &str) -> (&str, bool) {
    let lower = html.to_ascii_lowercase();
    let open = |name: &str, from: usize| {
        let mut at = from;
        while let Some(i) = lower[at..].find(&format!("<{name}")).map(|i| at + i) {
            let next = lower[i + 1 + name.len()..].chars().next();
            if matches!(next, Some('>' | ' ' | '\t' | '\n' | '\r' | '/')) {
                return lower[i..].find('>').map(|g| i + g + 1);
            }
            at = i + 1;
        }
        None
    };
    if let Some(start) = open("main", 0)
        && let Some(end) = lower[start..].find("</main").map(|e| start + e)
    {
        return (&html[start..end], true);
    }
    if let Some(first) = lower.find("<article").filter(|_| open("article", 0).is_some())
        && let Some(last) = lower.rfind("</article").filter(|l| *l > first)
    {
        let end = lower[last..].find('>').map_or(html.len(), |g| last + g + 1);
        return (&html[first..end], true);
    }
    (html, false)
}

/// The page's `<title>`, entities decoded and spaces collapsed; `None` when it
/// has none (or an empty one).
pub fn html_title(html: &str) -> Option<String> {
    let lower = html.to_ascii_lowercase();
    let open = lower.find("<title")?;
    let start = open + lower[open..].find('>')? + 1;
    let end = start + lower[start..].find("</title")?;
    let title = html_to_text(&html[start..end]).split_whitespace().collect::<Vec<_>>().join(" ");
    (!title.is_empty()).then_some(title)
}

/// HTML to markdown-like text: of a web page, its main part (`<main>`, or its
/// articles, when it marks them), without what is not its text (scripts,
/// styles, the head, navigation, forms; a page that marks no main part loses
/// its `<aside>`s and `<footer>`s too); block elements end lines, h1–h6 become
/// `#` headings, entities decoded. Nothing is interpreted.
pub fn html_to_text(html: &str) -> String {
    let (html, marked) = page_body(html);
    let mut out = String::with_capacity(html.len());
    let lower = html.to_ascii_lowercase();
    let mut in_pre = false;
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
            const DROPPED: [&str; 11] = ["script", "style", "head", "title", "nav", "noscript", "template", "svg", "button", "select", "form"];
            let dropped = DROPPED.contains(&name.as_str()) || (!marked && (name == "aside" || name == "footer"));
            if dropped && !lower[i + 1..].starts_with('/') && !lower[i..close].ends_with('/') {
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
                // Cells of a row apart ("Ana | coder"), as a Markdown table's are read.
                "td" | "th" if !closing => {
                    let row = out.rsplit_once("\n\n").map_or(out.as_str(), |(_, r)| r);
                    out.push_str(if row.trim().is_empty() { " " } else { " | " });
                }
                _ => {}
            }
            if name == "pre" {
                in_pre = !closing;
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
        if c == '\n' && in_pre {
            // Preformatted text keeps its lines: each a paragraph of its own.
            out.push_str("\n\n");
        } else {
            out.push(c);
        }
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
        "copy" => "©".to_string(),
        "reg" => "®".to_string(),
        "trade" => "™".to_string(),
        "laquo" => "«".to_string(),
        "raquo" => "»".to_string(),
        "sbquo" => "‚".to_string(),
        "bdquo" => "„".to_string(),
        "euro" => "€".to_string(),
        "pound" => "£".to_string(),
        "yen" => "¥".to_string(),
        "cent" => "¢".to_string(),
        "sect" => "§".to_string(),
        "para" => "¶".to_string(),
        "deg" => "°".to_string(),
        "middot" => "·".to_string(),
        "bull" => "•".to_string(),
        "times" => "×".to_string(),
        "divide" => "÷".to_string(),
        "plusmn" => "±".to_string(),
        "frac12" => "½".to_string(),
        "prime" => "′".to_string(),
        "thinsp" | "ensp" | "emsp" => " ".to_string(),
        "shy" | "zwj" | "zwnj" => String::new(),
        // Accented letters of the common Latin alphabets.
        _ if named_letter(name).is_some() => named_letter(name)?.to_string(),
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

/// `&eacute;` and the like: a vowel (or c, n, y) with an accent named after it.
fn named_letter(name: &str) -> Option<char> {
    let (base, accent) = name.split_at(name.char_indices().nth(1)?.0);
    let accent_mark = match accent {
        "acute" => '\u{301}',
        "grave" => '\u{300}',
        "circ" => '\u{302}',
        "uml" => '\u{308}',
        "tilde" => '\u{303}',
        "cedil" => '\u{327}',
        "ring" => '\u{30a}',
        _ => return match name {
            "szlig" => Some('ß'),
            "aelig" => Some('æ'),
            "AElig" => Some('Æ'),
            "oslash" => Some('ø'),
            "Oslash" => Some('Ø'),
            _ => None,
        },
    };
    let c = base.chars().next()?;
    if !"aeiouycnAEIOUYCN".contains(c) {
        return None;
    }
    // The composed letter (NFC) of base + mark, where Unicode has one.
    COMPOSED.iter().find(|(b, m, _)| *b == c && *m == accent_mark).map(|(_, _, x)| *x)
}

const COMPOSED: [(char, char, char); 52] = [
    ('a', '\u{301}', 'á'), ('e', '\u{301}', 'é'), ('i', '\u{301}', 'í'), ('o', '\u{301}', 'ó'), ('u', '\u{301}', 'ú'), ('y', '\u{301}', 'ý'),
    ('A', '\u{301}', 'Á'), ('E', '\u{301}', 'É'), ('I', '\u{301}', 'Í'), ('O', '\u{301}', 'Ó'), ('U', '\u{301}', 'Ú'), ('Y', '\u{301}', 'Ý'),
    ('a', '\u{300}', 'à'), ('e', '\u{300}', 'è'), ('i', '\u{300}', 'ì'), ('o', '\u{300}', 'ò'), ('u', '\u{300}', 'ù'),
    ('A', '\u{300}', 'À'), ('E', '\u{300}', 'È'), ('O', '\u{300}', 'Ò'),
    ('a', '\u{302}', 'â'), ('e', '\u{302}', 'ê'), ('i', '\u{302}', 'î'), ('o', '\u{302}', 'ô'), ('u', '\u{302}', 'û'),
    ('A', '\u{302}', 'Â'), ('E', '\u{302}', 'Ê'), ('O', '\u{302}', 'Ô'),
    ('a', '\u{308}', 'ä'), ('e', '\u{308}', 'ë'), ('i', '\u{308}', 'ï'), ('o', '\u{308}', 'ö'), ('u', '\u{308}', 'ü'), ('y', '\u{308}', 'ÿ'),
    ('A', '\u{308}', 'Ä'), ('O', '\u{308}', 'Ö'), ('U', '\u{308}', 'Ü'),
    ('a', '\u{303}', 'ã'), ('o', '\u{303}', 'õ'), ('n', '\u{303}', 'ñ'), ('A', '\u{303}', 'Ã'), ('O', '\u{303}', 'Õ'), ('N', '\u{303}', 'Ñ'),
    ('c', '\u{327}', 'ç'), ('C', '\u{327}', 'Ç'), ('a', '\u{30a}', 'å'), ('A', '\u{30a}', 'Å'),
    ('E', '\u{300}', 'È'), ('I', '\u{300}', 'Ì'), ('U', '\u{300}', 'Ù'), ('I', '\u{302}', 'Î'), ('U', '\u{302}', 'Û'),
];

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
        assert_eq!(html_to_text("&copy; 2024 Caf&eacute; &Uuml;ber &shy;x &bogus;"), "© 2024 Café Über x &bogus;");
    }

    #[test]
    fn markdown_code_spans_lose_their_backticks_not_their_text() {
        assert_eq!(inline("Run `marginalia clean` on *notes*.", true), "Run marginalia clean on notes.");
        assert_eq!(inline("Keep ``a ` b`` and `*x*` as written.", true), "Keep a ` b and *x* as written.");
        assert_eq!(inline("A lone ` backtick stays.", true), "A lone ` backtick stays.");
        assert_eq!(inline("Not markdown: `x`.", false), "Not markdown: `x`.");
    }

    #[test]
    fn html_tables_keep_cells_apart_and_pre_keeps_lines() {
        let t = html_to_text("<table><tr><th>Name</th><th>Role</th></tr><tr><td></td><td>lead</td></tr></table><pre>Q: Where?\nA: Mosul.</pre><p>a\nb</p>");
        let lines: Vec<&str> = t.split("\n\n").map(str::trim).filter(|l| !l.is_empty()).collect();
        assert_eq!(lines, ["Name | Role", "lead", "Q: Where?", "A: Mosul.", "a\nb"]);
    }

    #[test]
    fn a_web_page_keeps_its_text_not_its_furniture() {
        let page = "<html><head><title>Tab title</title></head><body><nav><a>Home</a> <a>News</a></nav>\
                    <div class=cookie>We use cookies. <button>Accept all</button></div>\
                    <main><h1>The article</h1><p>Its first paragraph.</p><form><input></form><p>Its last.</p></main>\
                    <footer>&copy; Ministry · <a>Privacy</a></footer></body></html>";
        let t = html_to_text(page);
        for gone in ["Tab title", "Home", "cookies", "Ministry", "Privacy"] {
            assert!(!t.contains(gone), "{gone}: {t:?}");
        }
        assert!(t.contains("# The article") && t.contains("Its first paragraph.") && t.contains("Its last."), "{t:?}");
        // No <main>: the articles; none either: the page, without its navigation, asides and footer.
        let t = html_to_text("<nav>Menu</nav><article><p>One.</p></article><aside>Ad</aside><article><p>Two.</p></article><footer>F</footer>");
        assert!(t.contains("One.") && t.contains("Two.") && !t.contains("Menu") && !t.contains('F'), "{t:?}");
        let t = html_to_text("<header><h1>Title</h1></header><p>Body.</p><aside>Side</aside><footer>Foot</footer>");
        assert!(t.contains("# Title") && t.contains("Body.") && !t.contains("Side") && !t.contains("Foot"), "{t:?}");
        // A self-closing svg or an unclosed nav does not swallow the text after it.
        let t = html_to_text("<p>Before</p><svg/><p>After</p>");
        assert!(t.contains("After"), "{t:?}");
    }
}
