//! Lines to blocks: headings, numbered paragraphs, footnotes; furniture dropped.

use super::Lexicon;
use super::markup::{self, M0, M1};
use super::repair;
use crate::document::{BlockKind, Document, DocumentBuilder, Form, Meta, Piece};

/// How lines relate to paragraphs in a raw form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// One paragraph per line (web page text, markdown).
    Lines,
    /// Hard-wrapped, paragraphs separated by blank lines (an ordinary text file).
    Wrapped,
    /// Hard-wrapped with no usable blank lines (PDF extractions): blocks start
    /// only at structural cues.
    Dense,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Heading(u8),
    Para(Option<u32>),
    Footnote(u32),
}

#[derive(Debug)]
struct Raw {
    kind: Kind,
    lines: Vec<String>,
    form: Option<Form>,
}

fn detect_mode(lines: &[String]) -> Mode {
    let nonblank: Vec<usize> = (0..lines.len()).filter(|&i| !lines[i].trim().is_empty()).collect();
    if nonblank.is_empty() {
        return Mode::Lines;
    }
    let long = nonblank.iter().filter(|&&i| lines[i].chars().count() > 200).count();
    if long * 4 >= nonblank.len() {
        return Mode::Lines;
    }
    let followed_by_blank = nonblank
        .iter()
        .filter(|&&i| lines.get(i + 1).is_some_and(|l| l.trim().is_empty()))
        .count();
    let ratio = followed_by_blank as f64 / nonblank.len() as f64;
    // A blank line after nearly every line is double-spaced extraction (wrapped lines,
    // most ending mid-sentence) or one short paragraph per line (an interview's turns,
    // most ending a sentence): only the first is dense.
    let sentences = nonblank.iter().filter(|&&i| ends_sentence(&lines[i])).count();
    let one_per_line = ratio > 0.85 && sentences * 10 >= nonblank.len() * 7;
    if nonblank.len() >= 40 && !(0.08..=0.85).contains(&ratio) && !one_per_line { Mode::Dense } else { Mode::Wrapped }
}

/// Page furniture and link lists: dropped wherever they are.
fn is_furniture(t: &str) -> bool {
    let t = t.trim();
    let digits_slash_digits = t
        .split_once('/')
        .is_some_and(|(a, b)| is_digits(a, 1, 3) && is_digits(b, 1, 3));
    let job_number = t.get(..2).is_some_and(|d| is_digits(d, 2, 2))
        && t.as_bytes().get(2) == Some(&b'-')
        && t.get(3..8).is_some_and(|d| is_digits(d, 5, 5))
        && t.get(8..).is_some_and(|r| r.is_empty() || r.starts_with(' '));
    let symbol_line = t.strip_prefix("S/").is_some_and(|r| {
        r.split('/').count() == 2 && r.split('/').all(|p| is_digits(p, 1, 5))
    });
    digits_slash_digits
        || job_number
        || symbol_line
        || t.starts_with("https://undocs.org/")
        || t.starts_with("http://undocs.org/")
        || t == "Back to top"
}

fn is_digits(s: &str, min: usize, max: usize) -> bool {
    (min..=max).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
}

fn is_rule(t: &str) -> Option<char> {
    let c = t.chars().next()?;
    (matches!(c, '_' | '-' | '*' | '=') && t.chars().count() >= 3 && t.chars().all(|x| x == c)).then_some(c)
}

fn roman(s: &str) -> bool {
    !s.is_empty() && s.len() <= 5 && s.chars().all(|c| matches!(c, 'I' | 'V' | 'X' | 'L'))
}

/// A label at the start of a line: ("II.", level 1), ("B.", 2), ("3.", 3), with the rest.
fn label(t: &str) -> Option<(String, u8, Option<u32>, String)> {
    let (head, rest) = match t.split_once('.') {
        Some((h, r)) if r.is_empty() || r.starts_with(' ') => (h, r.trim()),
        _ => return None,
    };
    let level = if roman(head) {
        1
    } else if head.len() == 1 && head.chars().all(|c| c.is_ascii_uppercase()) {
        2
    } else if is_digits(head, 1, 3) {
        3
    } else {
        return None;
    };
    let n = if level == 3 { head.parse().ok() } else { None };
    Some((format!("{head}."), level, n, rest.to_string()))
}

/// A footnote definition starting with a sentinel: (number, text).
fn sentinel_def(t: &str) -> Option<(u32, String)> {
    let rest = t.strip_prefix(M0)?;
    let (n, text) = rest.split_once(M1)?;
    Some((n.parse().ok()?, text.trim().to_string()))
}

/// "3. Text of the note. [Back]" (the notes of a web page).
fn back_def(t: &str) -> Option<(u32, String)> {
    let body = t.strip_suffix("[Back]")?.trim_end();
    let (n, text) = body.split_once(". ")?;
    is_digits(n, 1, 3).then(|| (n.parse().ok(), text.trim().to_string())).and_then(|(n, t)| Some((n?, t)))
}

/// " 12 Text of the note" (a PDF footnote area).
fn numbered_def(t: &str) -> Option<(u32, String)> {
    let (n, text) = t.split_once(' ')?;
    (is_digits(n, 1, 3) && !text.trim().is_empty()).then(|| (n.parse().ok(), text.trim().to_string())).and_then(|(n, t)| Some((n?, t)))
}

/// "(a) North Africa" → "North Africa": the label of a lettered sub-heading.
fn strip_item_label(t: &str) -> &str {
    let Some(rest) = t.strip_prefix('(') else { return t };
    match rest.split_once(") ") {
        Some((l, r)) if (1..=3).contains(&l.len()) && l.bytes().all(|b| b.is_ascii_lowercase()) => r,
        _ => t,
    }
}

fn is_title(t: &str) -> bool {
    t.contains("report of the Secretary-General")
}

fn ends_sentence(t: &str) -> bool {
    t.trim_end().ends_with(['.', ':', ';', ',', '?', '!'])
}

pub fn build(text: &str, markdown: bool, mut meta: Meta, lex: &Lexicon) -> Document {
    let lines: Vec<String> = text
        .split('\n')
        .map(|l| {
            let l = l.trim_end();
            if l.contains(['\u{a0}', '\t', '\r', '\u{feff}']) {
                l.replace(['\u{a0}', '\t', '\r', '\u{feff}'], " ").trim_end().to_string()
            } else {
                l.to_string()
            }
        })
        .collect();
    // A user's own Markdown: list items and block quotes are blocks of their own.
    let (lines, own_block, forms) = if markdown && meta.symbol.is_none() {
        md_blocks(lines)
    } else {
        let n = lines.len();
        (lines, vec![false; n], vec![None; n])
    };
    let mode = detect_mode(&lines);
    let cooked: Vec<String> = lines
        .iter()
        .map(|l| {
            let c = markup::inline(l.trim(), markdown);
            if c.starts_with(' ') || c.ends_with(' ') { c.trim().to_string() } else { c }
        })
        .collect();
    let explicit_markers = cooked.iter().any(|l| l.contains(M0));
    // Markdown headings carrying labels ("## II. Threat"): the labels make the outline.
    let labelled_md = markdown
        && cooked.iter().any(|l| l.starts_with('#') && label(l.trim_start_matches('#').trim()).is_some());
    // Index of the next line with text, for lookahead.
    let mut next_text = vec![usize::MAX; cooked.len() + 1];
    for i in (0..cooked.len()).rev() {
        next_text[i] = if cooked[i].is_empty() || is_furniture(&cooked[i]) { next_text[i + 1] } else { i };
    }

    let mut blocks: Vec<Raw> = Vec::new();
    let mut titles: Vec<String> = Vec::new();
    // Whether the text before the body is the header of a UN document (dropped) or
    // the user's own text (kept).
    let mut un_header = false;
    let mut body = false;
    let mut next_para = 1u32;
    let mut current: Option<usize> = None;
    let mut last_prose: Option<usize> = None;
    let mut in_footnotes = false;
    let mut in_endnotes = false;
    let mut pending: Option<(String, u8)> = None;

    for (i, t) in cooked.iter().enumerate() {
        let leading_ws = lines[i].starts_with(' ');
        if t.is_empty() {
            if mode != Mode::Dense {
                current = None;
            }
            continue;
        }
        if let Some(c) = is_rule(t) {
            if c == '_' {
                in_footnotes = true;
            }
            current = None;
            continue;
        }
        if is_furniture(t) {
            continue;
        }
        if own_block[i] {
            // A list item or the start of a quote: a paragraph of its own, whatever its label.
            blocks.push(Raw { kind: Kind::Para(None), lines: vec![t.clone()], form: forms[i] });
            body = true;
            current = Some(blocks.len() - 1);
            continue;
        }
        // Footnote definitions.
        let def = sentinel_def(t)
            .or_else(|| in_endnotes.then(|| back_def(t)).flatten())
            .or_else(|| {
                (mode == Mode::Dense && in_footnotes && leading_ws).then(|| numbered_def(t)).flatten()
            });
        if let Some((n, text)) = def {
            blocks.push(Raw { kind: Kind::Footnote(n), lines: vec![text], form: None });
            current = Some(blocks.len() - 1);
            continue;
        }
        if in_endnotes {
            continue; // web-site chrome after the notes
        }
        // The notes of a web page ("1. Text. [Back]"): what follows them is site chrome.
        let notes_follow = || next_text.get(i + 1).and_then(|&j| cooked.get(j)).is_some_and(|l| back_def(l).is_some());
        if body && (t == "Notes:" || t == "Notes") && notes_follow() {
            in_endnotes = true;
            current = None;
            continue;
        }
        if mode == Mode::Dense && in_footnotes {
            let in_note = current.is_some_and(|c| matches!(blocks[c].kind, Kind::Footnote(_)));
            if !leading_ws && in_note {
                blocks[current.unwrap_or(0)].lines.push(t.clone());
                continue;
            }
            in_footnotes = false;
            current = last_prose;
        }
        // Headings written with markdown's #.
        let (t, md_heading, md_depth) = match t.strip_prefix('#') {
            Some(r) if markdown => {
                let depth = 1 + r.len() - r.trim_start_matches('#').len();
                (r.trim_start_matches('#').trim().to_string(), true, depth.min(4) as u8)
            }
            _ => (t.clone(), false, 0),
        };
        if t.is_empty() {
            continue;
        }
        if !body && (t.starts_with("Distr.") || t.starts_with("Original:")) {
            un_header = true;
        }
        if !body && is_title(&t) {
            un_header = true;
            titles.push(t.clone());
            continue;
        }
        if let Some((label_text, level)) = pending.take() {
            blocks.push(Raw { kind: Kind::Heading(level), lines: vec![format!("{label_text} {t}")], form: None });
            current = None;
            continue;
        }
        if let Some((label_text, level, n, rest)) = label(&t) {
            if n == Some(next_para) && !md_heading {
                blocks.push(Raw { kind: Kind::Para(n), lines: vec![rest], form: None });
                next_para += 1;
                body = true;
                current = Some(blocks.len() - 1);
                last_prose = current;
                continue;
            }
            let heading_like = rest.chars().count() <= 160 && !rest.ends_with('.');
            if (level == 1 || body) && heading_like {
                body = true;
                if rest.is_empty() {
                    pending = Some((label_text, level));
                } else {
                    blocks.push(Raw { kind: Kind::Heading(level), lines: vec![format!("{label_text} {rest}")], form: None });
                }
                current = None;
                continue;
            }
        }
        if md_heading {
            if body || !un_header && !is_front_matter(&t) {
                body = true;
                // Below the labelled outline of a report; else the markup's own depth.
                let level = if labelled_md { 4 } else { md_depth };
                blocks.push(Raw { kind: Kind::Heading(level), lines: vec![t], form: None });
            } else {
                // A heading line of a UN document's header: front matter of its own.
                blocks.push(Raw { kind: Kind::Para(None), lines: vec![FRONT.to_string(), t], form: None });
            }
            current = None;
            continue;
        }
        if !body {
            // Before the body: front matter and web-site chrome, unless the document
            // has no structure at all (then everything is body; see below).
            match current {
                Some(c) if blocks[c].lines.first().is_some_and(|l| l == FRONT) => blocks[c].lines.push(t),
                _ => {
                    blocks.push(Raw { kind: Kind::Para(None), lines: vec![FRONT.to_string(), t], form: None });
                    current = Some(blocks.len() - 1);
                }
            }
            continue;
        }
        // An unlabelled sub-heading: short, no final punctuation, before a paragraph.
        let next_is_para = next_text.get(i + 1).and_then(|&j| cooked.get(j)).is_some_and(|l| {
            label(l).is_some_and(|(_, _, n, _)| n == Some(next_para))
        });
        if next_is_para
            && t.chars().count() <= 60
            && !ends_sentence(&t)
            && strip_item_label(&t).chars().next().is_some_and(char::is_uppercase)
            && current.is_none_or(|c| blocks[c].lines.last().is_some_and(|l| ends_sentence(l)))
        {
            blocks.push(Raw { kind: Kind::Heading(4), lines: vec![t], form: None });
            current = None;
            continue;
        }
        // The second line of a wrapped heading: short, lowercase, no final punctuation.
        let after_heading = blocks.last().is_some_and(|b| matches!(b.kind, Kind::Heading(_)));
        let same_paragraph = mode == Mode::Dense || i > 0 && !cooked[i - 1].is_empty();
        if after_heading
            && same_paragraph
            && current.is_none()
            && t.chars().count() <= 80
            && !ends_sentence(&t)
            && t.chars().next().is_some_and(char::is_lowercase)
        {
            if let Some(b) = blocks.last_mut() {
                b.lines.push(t);
            }
            continue;
        }
        match current {
            Some(c) if !matches!(blocks[c].kind, Kind::Heading(_)) => blocks[c].lines.push(t),
            _ => {
                // A user's own text is joined back only where the paragraph broke off mid-sentence.
                let cut_off = meta.symbol.is_some()
                    || last_prose.is_some_and(|p| blocks[p].lines.last().is_some_and(|l| !ends_sentence(l)));
                if let (true, true, Some(p)) = (next_para > 1, cut_off, last_prose) {
                    // Text cut off by a page break or a footnote block: back to its paragraph.
                    blocks[p].lines.push(t);
                    current = Some(p);
                } else {
                    blocks.push(Raw { kind: Kind::Para(None), lines: vec![t], form: None });
                    current = Some(blocks.len() - 1);
                    last_prose = current;
                }
            }
        }
    }

    // A label at the very end has no title line to wait for.
    if let Some((label_text, level)) = pending {
        blocks.push(Raw { kind: Kind::Heading(level), lines: vec![label_text], form: None });
    }
    // A UN document's header is dropped once a body was found; anything else
    // before the body is the text.
    let has_body = body && un_header;
    let blocks: Vec<Raw> = blocks
        .into_iter()
        .filter_map(|mut b| {
            if b.lines.first().is_some_and(|l| l == FRONT) {
                if has_body {
                    return None;
                }
                b.lines.remove(0);
            }
            Some(b)
        })
        .collect();

    if meta.title.is_empty()
        && let Some(t) = titles.iter().max_by_key(|t| t.len()) {
            meta.title = finish(std::slice::from_ref(t), lex, false);
        }
    assemble(blocks, mode, explicit_markers, meta, lex)
}

const FRONT: &str = "\u{E002}front";

/// A user's Markdown lines with list markers and quote marks taken off, and
/// which lines start a block of their own: each item of a list ("- ", "* ",
/// "+ ", or "1. " among others: a numbered paragraph stands alone), the first
/// line of a quote, and the first line after one. An ordered item keeps its
/// number as text; the lines that continue an item or a quote join it. Each
/// line that starts a block says how it is set out (its [`Form`]).
fn md_blocks(lines: Vec<String>) -> (Vec<String>, Vec<bool>, Vec<Option<Form>>) {
    let ordered = |l: &str| {
        let t = l.trim_start();
        let digits = t.bytes().take_while(u8::is_ascii_digit).count();
        (1..=3).contains(&digits) && matches!(t.as_bytes().get(digits..digits + 2), Some(b". " | b") "))
    };
    let n = lines.len();
    let mut out = Vec::with_capacity(n);
    let mut own = vec![false; n];
    let mut form = vec![None; n];
    let mut quoted = vec![false; n];
    let table = table_lines(&lines);
    let mut fence: Option<&str> = None;
    for (i, l) in lines.iter().enumerate() {
        let t = l.trim_start();
        // A fenced block: each of its lines a paragraph of its own, as it is; the fences go.
        let opens = ["```", "~~~"].into_iter().find(|f| t.starts_with(f));
        match (fence, opens) {
            (None, Some(f)) => {
                fence = Some(f);
                out.push(String::new());
                continue;
            }
            (Some(f), _) if t.starts_with(f) && t.trim_end().trim_start_matches(f.as_bytes()[0] as char).is_empty() => {
                fence = None;
                out.push(String::new());
                continue;
            }
            (Some(_), _) => {
                own[i] = !t.is_empty();
                form[i] = Some(Form::Code);
                out.push(l.clone());
                continue;
            }
            (None, None) => {}
        }
        // A table: a row is a paragraph, its cells apart ("Ana | coder"); the delimiter row goes.
        match table[i] {
            Some(true) => {
                out.push(String::new());
                continue;
            }
            Some(false) => {
                own[i] = true;
                form[i] = Some(if table.get(i + 1) == Some(&Some(true)) { Form::Head } else { Form::Row });
                out.push(cells(t).join(" | "));
                continue;
            }
            None => {}
        }
        if let Some(q) = t.strip_prefix('>') {
            quoted[i] = true;
            let q = q.trim_start_matches(['>', ' ']);
            own[i] = i == 0 || !quoted[i - 1];
            form[i] = Some(Form::Quote);
            out.push(q.to_string());
            continue;
        }
        own[i] = i > 0 && quoted[i - 1] && !t.is_empty();
        let bullet = ["- ", "* ", "+ "].iter().find_map(|m| t.strip_prefix(m)).filter(|_| is_rule(t).is_none());
        if let Some(item) = bullet {
            own[i] = true;
            form[i] = Some(Form::Item);
            out.push(item.trim_start().to_string());
            continue;
        }
        // An ordered list is tight (its items on consecutive lines); numbered paragraphs are not.
        let beside = |j: Option<usize>| j.and_then(|j| lines.get(j)).is_some_and(|l| ordered(l));
        if ordered(t) && (beside(i.checked_sub(1)) || beside(Some(i + 1))) {
            own[i] = true;
            form[i] = Some(Form::Numbered);
        }
        out.push(l.clone());
    }
    (out, own, form)
}

/// For each line, whether it is in a Markdown table (a line with `|` followed
/// by a delimiter row such as `|---|:--:|`, then the lines with `|` after it):
/// `Some(true)` for the delimiter row, `Some(false)` for a row of cells.
fn table_lines(lines: &[String]) -> Vec<Option<bool>> {
    let delimiter = |l: &str| {
        let c = cells(l);
        l.contains('-') && !c.is_empty() && c.iter().all(|c| !c.is_empty() && c.trim_matches(':').bytes().all(|b| b == b'-'))
    };
    let mut out = vec![None; lines.len()];
    let mut i = 0;
    while i + 1 < lines.len() {
        if lines[i].contains('|') && lines[i + 1].contains('|') && delimiter(&lines[i + 1]) && !delimiter(&lines[i]) {
            out[i] = Some(false);
            out[i + 1] = Some(true);
            i += 2;
            while i < lines.len() && lines[i].contains('|') {
                out[i] = Some(false);
                i += 1;
            }
        } else {
            i += 1;
        }
    }
    out
}

/// The cells of a Markdown table row, trimmed (`\|` is a pipe within a cell).
fn cells(row: &str) -> Vec<String> {
    let row = row.trim();
    let row = row.strip_prefix('|').unwrap_or(row);
    let row = if row.ends_with('|') && !row.ends_with("\\|") { &row[..row.len() - 1] } else { row };
    let mut out = vec![String::new()];
    let mut chars = row.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                out.last_mut().map(|s| s.push('|'));
                chars.next();
            }
            '|' => out.push(String::new()),
            c => {
                if let Some(s) = out.last_mut() {
                    s.push(c);
                }
            }
        }
    }
    out.into_iter().map(|c| c.trim().to_string()).collect()
}

fn is_front_matter(t: &str) -> bool {
    matches!(t, "Security Council" | "General Assembly" | "United Nations")
}

/// Joins and repairs a block's lines into one line of text.
fn finish(lines: &[String], lex: &Lexicon, wrapped: bool) -> String {
    let joined = if wrapped {
        repair::join_lines(lines, lex)
    } else {
        lines.iter().map(|l| l.trim()).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" ")
    };
    repair::tidy_spacing(&repair::join_split_words(&joined, lex))
}

fn assemble(blocks: Vec<Raw>, mode: Mode, explicit: bool, meta: Meta, lex: &Lexicon) -> Document {
    let wrapped = mode != Mode::Lines;
    let mut next_marker = 1u32;
    let mut body: Vec<(Kind, String, Option<Form>)> = Vec::new();
    let mut notes: Vec<(u32, String)> = Vec::new();
    // Bare digits after words are taken for footnote markers only in a report's PDF
    // extraction; in a user's own text they are its own ("Speaker 1:", "in 2019 10").
    let report = meta.symbol.is_some();
    for b in blocks {
        let mut text = finish(&b.lines, lex, wrapped);
        match b.kind {
            Kind::Footnote(n) => {
                if !notes.iter().any(|(m, _)| *m == n) {
                    notes.push((n, text));
                }
            }
            kind => {
                if !explicit && mode == Mode::Dense && report {
                    text = repair::bare_markers(&text, &mut next_marker);
                }
                body.push((kind, text, b.form));
            }
        }
    }
    notes.sort_by_key(|(n, _)| *n);
    let mut builder = DocumentBuilder::new();
    for (kind, text, form) in body {
        let kind = match kind {
            Kind::Heading(level) => BlockKind::Heading { level },
            Kind::Para(number) => BlockKind::Paragraph { number },
            Kind::Footnote(number) => BlockKind::Footnote { number },
        };
        builder.push_as(kind, form, &pieces(&text));
    }
    for (number, text) in notes {
        builder.push(BlockKind::Footnote { number }, &pieces(&text));
    }
    builder.finish(meta)
}

/// Splits text at marker sentinels. A marker takes no space: "a ¹ b" → "a", ¹, " b".
fn pieces(text: &str) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(M0) {
        let before = &rest[..start];
        let after_start = &rest[start + M0.len_utf8()..];
        let Some(end) = after_start.find(M1) else { break };
        let number = after_start[..end].parse().unwrap_or(0);
        let after = &after_start[end + M1.len_utf8()..];
        // What follows this marker and any markers right after it ("a ²³ b").
        let next = past_markers(after);
        let before = if next.starts_with(' ') || next.is_empty() { before.trim_end() } else { before };
        if !before.is_empty() {
            out.push(Piece::Text(before.to_string()));
        }
        out.push(Piece::Note(number));
        rest = after;
        if out.iter().all(|p| matches!(p, Piece::Note(_))) {
            // Markers at the very start of a block: the text that follows starts clean.
            rest = rest.trim_start();
        }
    }
    let rest: String = rest.chars().filter(|c| *c != M0 && *c != M1).collect();
    if !rest.is_empty() {
        out.push(Piece::Text(rest));
    }
    out
}

/// The text after a run of marker sentinels at its start.
fn past_markers(mut s: &str) -> &str {
    while let Some(r) = s.strip_prefix(M0) {
        match r.find(M1) {
            Some(end) => s = &r[end + M1.len_utf8()..],
            None => break,
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blocks(raw: &str, markdown: bool) -> Vec<(BlockKind, String)> {
        let d = build(raw, markdown, Meta::default(), &Lexicon::default());
        d.blocks.iter().map(|b| (b.kind.clone(), d.block_text(b).to_string())).collect()
    }

    fn texts(raw: &str, markdown: bool) -> Vec<String> {
        blocks(raw, markdown).into_iter().map(|(_, t)| t).collect()
    }

    #[test]
    fn a_users_markdown_keeps_list_items_and_quotes_apart() {
        let raw = "# Notes\n\nIntro that\nwraps.\n\n- first item\n- second item that\n  wraps on\n* third\n+ fourth\n\n1. Numbered one\n2) Numbered two\n\n> A quote that\n> spans two lines.\n> > Nested.\nAfter the quote.\n\n---\n\nClosing.";
        assert_eq!(
            texts(raw, true),
            [
                "Notes", "Intro that wraps.", "first item", "second item that wraps on", "third", "fourth",
                "1. Numbered one", "2) Numbered two", "A quote that spans two lines. Nested.", "After the quote.", "Closing."
            ]
        );
        // Items are paragraphs with no number of their own (the list's numbers are its text).
        assert!(blocks(raw, true).iter().skip(1).all(|(k, _)| *k == BlockKind::Paragraph { number: None }));
        // Each says how it was set out; the prose around them is plain.
        use Form::*;
        assert_eq!(
            forms(raw),
            [None, None, Some(Item), Some(Item), Some(Item), Some(Item), Some(Numbered), Some(Numbered), Some(Quote), None, None]
        );
        // A plain text, and a report, have no forms.
        assert!(build(raw, false, Meta::default(), &Lexicon::default()).blocks.iter().all(|b| b.form.is_none()));
    }

    fn forms(raw: &str) -> Vec<Option<Form>> {
        build(raw, true, Meta::default(), &Lexicon::default()).blocks.iter().map(|b| b.form).collect()
    }

    #[test]
    fn a_users_markdown_tables_and_fenced_blocks_keep_their_rows_and_lines() {
        let raw = "Intro.\n\n| Name | Role \\| rank |\n|------|:----:|\n| Ana | coder |\n| Bo  | lead |\n\n```\nQ: Where?\n  A: Mosul.\n- not a list\n```\n\nAfter.";
        assert_eq!(
            texts(raw, true),
            ["Intro.", "Name | Role | rank", "Ana | coder", "Bo | lead", "Q: Where?", "A: Mosul.", "- not a list", "After."]
        );
        use Form::*;
        assert_eq!(forms(raw), [None, Some(Head), Some(Row), Some(Row), Some(Code), Some(Code), Some(Code), None]);
        // A pipe in prose and a lone rule are not tables.
        assert_eq!(texts("Either a | b.\n\n---\n\nEnd.", true), ["Either a | b.", "End."]);
    }

    #[test]
    fn a_users_numbered_paragraphs_stay_numbered_and_what_follows_stands_alone() {
        // Numbered paragraphs (apart, not a tight list) keep their numbers.
        let raw = "1. The first paragraph.\n\n2. The second paragraph.\n\nA closing paragraph, unnumbered.";
        let b = blocks(raw, true);
        assert_eq!(b[0].0, BlockKind::Paragraph { number: Some(1) });
        assert_eq!(b[1].0, BlockKind::Paragraph { number: Some(2) });
        // What follows a paragraph that ended its sentence is a paragraph of its own…
        assert_eq!(b[2], (BlockKind::Paragraph { number: None }, "A closing paragraph, unnumbered.".into()));
        // …and a paragraph cut off mid-sentence (a page break) is joined back, as in the reports.
        let raw = "1. The first paragraph\n\nends here.\n\n2. The second.";
        assert_eq!(texts(raw, false), ["The first paragraph ends here.", "The second."]);
    }

    #[test]
    fn a_reports_markdown_is_read_as_before() {
        // A report (it has a symbol): a list marker is not taken off, text after a
        // numbered paragraph belongs to it.
        let meta = Meta { symbol: Some("S/2019/103".into()), ..Meta::default() };
        let d = build("1. First paragraph.\n\n(a) a sub-item;\n\n2. Second.", true, meta, &Lexicon::default());
        let b: Vec<String> = d.blocks.iter().map(|b| d.block_text(b).to_string()).collect();
        assert_eq!(b, ["First paragraph. (a) a sub-item;", "Second."]);
    }
}
