//! The codebook as a handout for coders: Markdown, and a standalone printable
//! HTML page (tags, colour swatches, underline styles, keys, descriptions).
//!
//! Every string from the codebook is escaped: in Markdown every character that
//! can start markup or raw HTML gets a backslash, and nothing else (so the file
//! still reads well as plain text); in HTML
//! `& < > " '` become entities. The page runs no script and loads no external
//! resource (a Content-Security-Policy says so), and a colour is only used in a
//! style when it is of the form `#rrggbb`. It carries its codebook as a JSON
//! data block (never run), so that the handout itself, brought in with
//! Import…, gives a coder the tags: one file to hand out ([`codebook_in`]).

use crate::codebook::{Codebook, Tag};
use crate::export::ExportMeta;

/// Escapes text for HTML (element content and quoted attribute values).
pub use crate::html::escape as html_escape;

/// Escapes text for Markdown, line breaks kept: a backslash (which CommonMark
/// reads as "this character as itself") before every character that can be
/// markup anywhere (`` \ ` * _ [ ] < > | ~ # ``, and `&` before a letter, digit
/// or `#`), and before what is markup
/// only at the start of a line: `-`, `+`, `=`, and the `.` or `)` of a number
/// that would start a list. Other punctuation is left alone.
pub fn markdown_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for line in s.split_inclusive('\n') {
        let body = line.trim_start_matches([' ', '\t']);
        out.push_str(&line[..line.len() - body.len()]);
        let digits = body.len() - body.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        for (i, c) in body.char_indices() {
            let at_start = i == 0 && matches!(c, '-' | '+' | '=');
            let list_number = digits > 0
                && i == digits
                && matches!(c, '.' | ')')
                && body[i + 1..].chars().next().is_none_or(char::is_whitespace);
            // `&` is markup only where it could start an entity ("&amp;", "&#38;"): "women & children" stays as typed.
            let entity = c == '&' && body[i + 1..].chars().next().is_some_and(|n| n.is_alphanumeric() || n == '#');
            if at_start || list_number || entity || matches!(c, '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '#') {
                out.push('\\');
            }
            out.push(c);
        }
    }
    out
}

/// A colour safe to put in a style (`#rrggbb`), else `None`.
fn colour(t: &Tag) -> Option<&str> {
    let c = t.colour.as_str();
    (c.len() == 7 && c.starts_with('#') && c[1..].bytes().all(|b| b.is_ascii_hexdigit())).then_some(c)
}

/// The colour for Markdown: as code when it is `#rrggbb`, else escaped text.
fn colour_md(t: &Tag) -> String {
    colour(t).map(|c| format!("`{c}`")).unwrap_or_else(|| markdown_escape(&t.colour))
}

fn key(t: &Tag) -> String {
    t.key.map(|k| k.to_string()).unwrap_or_else(|| "—".into())
}

/// The description's paragraphs (split at blank lines, each on one line).
fn paragraphs(text: &str) -> Vec<String> {
    text.split("\n\n")
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|p| !p.is_empty())
        .collect()
}

/// Which Marginalia wrote the handout and when, and how many tags it has
/// (`show` escapes a value).
fn stamp(book: &Codebook, meta: &ExportMeta, show: impl Fn(&str) -> String) -> String {
    format!("Marginalia {}, exported {}. {}.", show(&meta.app_version), show(&meta.exported_at), crate::count(book.tags.len(), "tag"))
}

/// How to code with the codebook and hand the work in, for coders new to
/// Marginalia (a class, say): the steps, each as (HTML, Markdown).
const STEPS: [(&str, &str); 5] = [
    (
        "Open Marginalia in a browser. There is nothing to install and no account: your work stays in this browser until you save a file.",
        "Open Marginalia in a browser. There is nothing to install and no account: your work stays in this browser until you save a file.",
    ),
    (
        "Bring in this handout's file (<code>.html</code>) with <strong>Import…</strong> in the top bar, so that your tags and keys are these (a codebook file, <code>.json</code>, does the same).",
        "Bring in the HTML handout's file (`.html`), or the codebook file (`.json`) you were given, with **Import…** in the top bar, so that your tags and keys are these.",
    ),
    (
        "Open the text, select a passage and press the tag's key (or pick the tag under the selection; on a phone, press and hold to select, then tap a tag). The first time, give your name: it goes with every annotation.",
        "Open the text, select a passage and press the tag's key (or pick the tag under the selection; on a phone, press and hold to select, then tap a tag). The first time, give your name: it goes with every annotation.",
    ),
    (
        "Click a highlight to open it: add or remove tags, and write in its memo why you coded it so.",
        "Click a highlight to open it: add or remove tags, and write in its memo why you coded it so.",
    ),
    (
        "To hand in your work (or keep a copy), press <strong>Download backup</strong>: the file <code>marginalia-backup-</code><em>your name</em><code>-</code><em>date and time</em><code>.json</code> is all of it.",
        "To hand in your work (or keep a copy), press **Download backup**: the file `marginalia-backup-<your name>-<date and time>.json` is all of it.",
    ),
];

/// The address of the page at `href` to give coders in a handout: an http(s)
/// address without its query or `#` route; `None` for a file, this machine
/// (`localhost`, 127.0.0.1, ::1: no one else can reach it) or anything odd.
pub fn public_address(href: &str) -> Option<String> {
    let base = href.split(['#', '?']).next()?;
    let rest = base.strip_prefix("https://").or_else(|| base.strip_prefix("http://"))?;
    let host = rest.split('/').next()?.rsplit_once('@').map_or(rest.split('/').next()?, |(_, h)| h);
    let name = if host.starts_with('[') { host.split(']').next()?.trim_start_matches('[') } else { host.split(':').next()? };
    let local = name.is_empty() || name.eq_ignore_ascii_case("localhost") || name.starts_with("127.") || name == "::1" || name == "0.0.0.0";
    let odd = base.chars().any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"' | '`' | '\\'));
    (!local && !odd).then(|| base.to_string())
}

/// The first step, with the address coders open when it is known.
fn first_step(meta: &ExportMeta, html: bool) -> String {
    let rest = "There is nothing to install and no account: your work stays in this browser until you save a file.";
    match public_address(&meta.app_url) {
        Some(url) if html => format!("Open Marginalia at <a href=\"{0}\">{0}</a> in a browser. {rest}", crate::html::escape(&url)),
        Some(url) => format!("Open Marginalia at <{url}> in a browser. {rest}"),
        None => format!("Open Marginalia in a browser. {rest}"),
    }
}

/// The opening of the data block that carries the codebook in the HTML handout.
const DATA_OPEN: &str = "<script type=\"application/json\" id=\"marginalia-codebook\">";

/// The codebook an HTML handout carries: `None` when `page` is not a handout;
/// an error (in words for the user) when it is one with no readable codebook.
pub fn codebook_in(page: &str) -> Option<Result<Codebook, String>> {
    if !page.contains(GENERATOR) {
        return None;
    }
    let json = page.split_once(DATA_OPEN).and_then(|(_, rest)| rest.split_once("</script>")).map(|(json, _)| json);
    Some(match json {
        Some(json) => Codebook::from_json(json).map_err(|e| format!("its codebook could not be read ({e})")),
        None => Err("it was made before handouts carried their codebook: bring in the codebook file (.json) instead".to_string()),
    })
}

/// The coders' task an HTML handout carries (as typed), if it has one.
pub fn task_in(page: &str) -> Option<String> {
    if !page.contains(GENERATOR) {
        return None;
    }
    let json = page.split_once(DATA_OPEN)?.1.split_once("</script>")?.0;
    let v: serde_json::Value = serde_json::from_str(json).ok()?;
    v.get("task")?.as_str().map(str::to_string).filter(|t| !t.trim().is_empty())
}

/// The task, in the teacher's words: a paragraph per line typed (a list of
/// steps stays a list), blank lines dropped.
fn task(meta: &ExportMeta) -> Vec<String> {
    task_paragraphs(&meta.task)
}

/// A task's paragraphs: one per line typed, spaces tidied, blank lines dropped.
pub fn task_paragraphs(task: &str) -> Vec<String> {
    task.lines().map(|l| l.split_whitespace().collect::<Vec<_>>().join(" ")).filter(|l| !l.is_empty()).collect()
}

/// The passage a task names: a paragraph range ("¶5–18", "¶¶5-18",
/// "paragraphs 5 to 18", "para. 7") of one of `symbols`, written after it
/// ("… of S/2019/103", "… in S/2019/103") or before it, as a citation is
/// ("S/2019/103 ¶5–18", "S/2019/103, paragraphs 5 to 18"); else, when the
/// task names one text only, its first range. Returns which symbol and the
/// range, for the agreement page's offer.
pub fn passage_in(task: &str, symbols: &[&str]) -> Option<(usize, u32, u32)> {
    // Where each text is named (not "S/2018/77" inside "S/2018/770").
    let mut named: Vec<(usize, usize, usize)> = Vec::new();
    for (i, s) in symbols.iter().enumerate().filter(|(_, s)| !s.is_empty()) {
        for (at, _) in task.match_indices(*s) {
            let end = at + s.len();
            if !task[end..].starts_with(|c: char| c.is_ascii_digit()) {
                named.push((at, end, i));
            }
        }
    }
    named.sort_unstable();
    let ranges = paragraph_ranges(task);
    // Two passages or more ("¶12–16 and ¶20–22"): no one of them is the task's.
    if ranges.len() > 1 {
        return None;
    }
    for &(start, end, from, to) in &ranges {
        let after = named.iter().find(|(s, _, _)| {
            *s >= end && {
                let gap = task[end..*s].trim().to_ascii_lowercase();
                matches!(gap.as_str(), "of" | "in" | "of report" | "in report" | "of the report" | "in the report")
            }
        });
        let before = named.iter().rev().find(|(_, e, _)| *e <= start && matches!(task[*e..start].trim(), "" | "," | ":"));
        if let Some((_, _, i)) = after.or(before) {
            return Some((*i, from, to));
        }
    }
    let mut texts: Vec<usize> = named.iter().map(|n| n.2).collect();
    texts.sort_unstable();
    texts.dedup();
    match (texts.as_slice(), ranges.first()) {
        ([i], Some(&(_, _, from, to))) => Some((*i, from, to)),
        _ => None,
    }
}

/// A paragraph range as it is cited: "¶12", "¶12–16".
pub fn range_label(from: u32, to: u32) -> String {
    if from == to { format!("¶{from}") } else { format!("¶{from}–{to}") }
}

/// The passage `task` names among `docs` ([`passage_in`] over their symbols):
/// which text, the range, and how it reads ("¶12–16 of S/2019/103").
pub fn task_passage<D: std::borrow::Borrow<crate::Document>>(task: &str, docs: &[D]) -> Option<(usize, u32, u32, String)> {
    let symbols: Vec<&str> = docs.iter().map(|d| d.borrow().who()).collect();
    passage_in(task, &symbols).map(|(i, from, to)| (i, from, to, format!("{} of {}", range_label(from, to), symbols[i])))
}

/// When a span coded in `doc` (`start..end`) lies outside the passage `task`
/// names (`texts`: each text's id and symbol): the passage as it reads
/// ("¶12–16 of S/2019/103"), for a word to the student who may be on the
/// wrong report or paragraph. `None` when it is inside, or the task names none.
pub fn outside_task(task: &str, texts: &[(String, String)], doc: &crate::Document, start: usize, end: usize) -> Option<String> {
    let symbols: Vec<&str> = texts.iter().map(|(_, s)| s.as_str()).collect();
    let (i, from, to) = passage_in(task, &symbols)?;
    let range = range_label(from, to);
    let inside = texts[i].0 == doc.meta.id
        && doc.paragraphs().any(|(n, b)| (from..=to).contains(&n) && b.start < end.max(start + 1) && b.end > start);
    (!inside).then(|| format!("{range} of {}", texts[i].1))
}

/// Coded spans (`spans`: document id, start, end) against the passage `task`
/// names among `docs`: the passage as it reads, and how many spans touch it
/// and how many do not. `None` when the task names no passage.
pub fn against_task<'a, D: std::borrow::Borrow<crate::Document>>(
    task: &str,
    docs: &[D],
    spans: impl Iterator<Item = (&'a str, usize, usize)>,
) -> Option<(String, usize, usize)> {
    let (i, from, to, label) = task_passage(task, docs)?;
    let d = docs[i].borrow();
    let (mut inside, mut outside) = (0, 0);
    for (doc, start, end) in spans {
        let there = doc == d.meta.id && d.paragraphs().any(|(n, b)| (from..=to).contains(&n) && b.start < end.max(start + 1) && b.end > start);
        if there { inside += 1 } else { outside += 1 }
    }
    Some((label, inside, outside))
}

/// When coded spans are there but none lies in the passage `task` names: the
/// passage as it reads, for a word to the student about to hand in work on the
/// wrong report. `None` when one is in it, when nothing is coded, or when the
/// task names no passage.
pub fn none_in_task<'a, D: std::borrow::Borrow<crate::Document>>(
    task: &str,
    docs: &[D],
    spans: impl Iterator<Item = (&'a str, usize, usize)>,
) -> Option<String> {
    against_task(task, docs, spans).filter(|(_, inside, outside)| *inside == 0 && *outside > 0).map(|(label, ..)| label)
}

/// Each paragraph range a text names, in order: (where it starts and ends in
/// `task`, first and last paragraph). A range runs forwards from ¶1.
fn paragraph_ranges(task: &str) -> Vec<(usize, usize, u32, u32)> {
    const MARKS: [&str; 9] = ["¶¶", "¶", "paragraphs", "paragraph", "paras.", "paras", "para.", "para", "pars."];
    const TO: [&str; 5] = ["–", "—", "-", "to", "through"];
    // A number at the start of `s` (after spaces): its value and where it ends.
    let number = |s: &str, at: usize| -> Option<(u32, usize)> {
        let rest = &s[at..];
        let skip = rest.len() - rest.trim_start().len();
        let digits = rest[skip..].len() - rest[skip..].trim_start_matches(|c: char| c.is_ascii_digit()).len();
        let n = rest[skip..skip + digits].parse().ok()?;
        Some((n, at + skip + digits))
    };
    let starts = |s: &str, at: usize, word: &str| s.get(at..at + word.len()).is_some_and(|x| x.eq_ignore_ascii_case(word));
    let mut out = Vec::new();
    let mut at = 0;
    while at < task.len() {
        let word_start = !task[..at].ends_with(|c: char| c.is_alphanumeric());
        let mark = MARKS.iter().find(|m| starts(task, at, m) && (word_start || m.starts_with('¶')));
        let Some(mark) = mark else {
            at += task[at..].chars().next().map_or(1, char::len_utf8);
            continue;
        };
        let Some((from, mut end)) = number(task, at + mark.len()) else {
            at += mark.len();
            continue;
        };
        let mut to = from;
        let gap = end + (task[end..].len() - task[end..].trim_start().len());
        if let Some(sep) = TO.iter().find(|t| starts(task, gap, t)) {
            let mut next = gap + sep.len();
            let rest = &task[next..];
            next += rest.len() - rest.trim_start().trim_start_matches('¶').len();
            if let Some((n, e)) = number(task, next) {
                to = n;
                end = e;
            }
        }
        if from >= 1 && from <= to {
            out.push((at, end, from, to));
        }
        at = end;
    }
    out
}

/// How the Markdown handout begins (its title and the stamp's start), so that
/// it is recognised when brought in as if it were a text to code.
pub const MARKDOWN_START: &str = "# Codebook\n\nMarginalia `";

/// Whether `raw` is a handout this Marginalia made (HTML or Markdown).
pub fn is_handout(raw: &str) -> bool {
    raw.contains(GENERATOR) || raw.replace("\r\n", "\n").starts_with(MARKDOWN_START)
}

/// The codebook as Markdown: a summary table, then a section per tag.
pub fn markdown(book: &Codebook, meta: &ExportMeta) -> String {
    let mut s = String::from("# Codebook\n\n");
    s.push_str(&stamp(book, meta, |x| format!("`{}`", x.replace('`', ""))));
    s.push_str("\n\n");
    let task = task(meta);
    if !task.is_empty() {
        s.push_str("## Your task\n\n");
        for p in &task {
            s.push_str(&markdown_escape(p));
            s.push_str("\n\n");
        }
    }
    s.push_str("| Tag | Colour | Underline | Key |\n| --- | --- | --- | --- |\n");
    for t in &book.tags {
        s.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            markdown_escape(&book.path(&t.id)),
            colour_md(t),
            book.pattern(&t.id),
            key(t)
        ));
    }
    for t in &book.tags {
        s.push_str(&format!("\n## {}\n\n", markdown_escape(&book.path(&t.id))));
        s.push_str(&format!("Colour {}, {} underline, key {}.\n", colour_md(t), book.pattern(&t.id), key(t)));
        for p in paragraphs(&t.description) {
            s.push('\n');
            s.push_str(&markdown_escape(&p));
            s.push('\n');
        }
    }
    s.push_str("\n## Coding with Marginalia\n\n");
    for (i, (_, md)) in STEPS.iter().enumerate() {
        let md = if i == 0 { first_step(meta, false) } else { md.to_string() };
        s.push_str(&format!("{}. {md}\n", i + 1));
    }
    s
}

const STYLE: &str = "\
body{font:16px/1.5 system-ui,-apple-system,'Segoe UI',sans-serif;color:#1a1a1a;background:#fff;max-width:44rem;margin:2rem auto;padding:0 1rem}
h1{font-size:1.6rem;margin:0 0 .25rem}
.meta{color:#555;margin:0 0 1.5rem}
table{border-collapse:collapse;width:100%;margin:0 0 2rem}
th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #ccc;vertical-align:top}
.swatch{display:inline-block;width:1.1em;height:1.1em;border:1px solid #333;border-radius:2px;vertical-align:-.2em;margin-right:.4em}
.sample{text-decoration-line:underline;text-decoration-thickness:2px;text-underline-offset:3px}
section.tag{border-top:1px solid #ccc;padding:.5rem 0 1rem}
section.tag h2,section.how h2{font-size:1.2rem;margin:.5rem 0}
section.how{border-top:2px solid #1a1a1a;margin-top:1rem;padding-top:.5rem;break-inside:avoid}
section.how li{margin:.3rem 0}
section.task{border:2px solid #1a1a1a;border-radius:6px;padding:.25rem 1rem;margin:0 0 1.5rem}
section.task h2{font-size:1.2rem;margin:.5rem 0}
kbd{border:1px solid #999;border-radius:3px;padding:0 .3em;font:inherit}
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}
@media print{body{margin:0;max-width:none;font-size:11pt}section.tag{break-inside:avoid}table{break-inside:auto}tr{break-inside:avoid}}";

fn swatch(t: &Tag) -> String {
    match colour(t) {
        Some(c) => format!("<span class=\"swatch\" style=\"background:{c}\"></span>"),
        None => String::new(),
    }
}

fn sample(book: &Codebook, t: &Tag) -> String {
    let style = book.pattern(&t.id);
    let colour = colour(t).map(|c| format!(";text-decoration-color:{c}")).unwrap_or_default();
    format!("<span class=\"sample\" style=\"text-decoration-style:{style}{colour}\">{style}</span>")
}

/// What the HTML handout says made it (a `<meta name="generator">`), so that a
/// handout given back in place of a student's work is recognised.
pub const GENERATOR: &str = "<meta name=\"generator\" content=\"Marginalia codebook handout\">";

/// The codebook as a standalone HTML page for printing.
pub fn html(book: &Codebook, meta: &ExportMeta) -> String {
    let mut s = String::from(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>Codebook</title>\n<style>\n",
    );
    s = s.replacen("<title>", &format!("{GENERATOR}\n<title>"), 1);
    s.push_str(STYLE);
    s.push_str("\n</style>\n</head>\n<body>\n<h1>Codebook</h1>\n");
    // The time as people read it, the exact one in the element's datetime.
    let when = format!("<time datetime=\"{}\">{}</time>", html_escape(&meta.exported_at), html_escape(&crate::moment(&meta.exported_at)));
    let stamp = stamp(book, meta, html_escape).replacen(&html_escape(&meta.exported_at), &when, 1);
    s.push_str(&format!("<p class=\"meta\">{stamp}</p>\n"));
    let task = task(meta);
    if !task.is_empty() {
        s.push_str("<section class=\"task\">\n<h2>Your task</h2>\n");
        for p in &task {
            s.push_str(&format!("<p>{}</p>\n", html_escape(p)));
        }
        s.push_str("</section>\n");
    }
    s.push_str("<table>\n<thead><tr><th>Tag</th><th>Colour</th><th>Underline</th><th>Key</th></tr></thead>\n<tbody>\n");
    for t in &book.tags {
        s.push_str(&format!(
            "<tr><td>{}</td><td>{}<code>{}</code></td><td>{}</td><td><kbd>{}</kbd></td></tr>\n",
            html_escape(&book.path(&t.id)),
            swatch(t),
            html_escape(&t.colour),
            sample(book, t),
            html_escape(&key(t))
        ));
    }
    s.push_str("</tbody>\n</table>\n");
    for t in &book.tags {
        s.push_str(&format!("<section class=\"tag\">\n<h2>{}{}</h2>\n", swatch(t), html_escape(&book.path(&t.id))));
        s.push_str(&format!(
            "<p class=\"meta\">Colour <code>{}</code>, {} underline, key <kbd>{}</kbd>.</p>\n",
            html_escape(&t.colour),
            sample(book, t),
            html_escape(&key(t))
        ));
        for p in paragraphs(&t.description) {
            s.push_str(&format!("<p>{}</p>\n", html_escape(&p)));
        }
        s.push_str("</section>\n");
    }
    s.push_str("<section class=\"how\">\n<h2>Coding with Marginalia</h2>\n<ol>\n");
    for (i, (html, _)) in STEPS.iter().enumerate() {
        let html = if i == 0 { first_step(meta, true) } else { html.to_string() };
        s.push_str(&format!("<li>{html}</li>\n"));
    }
    s.push_str("</ol>\n</section>\n");
    // The codebook itself, for Import…, with the task (so that it is said to whoever brings
    // the handout in); "<" escaped: the block ends only at its own end.
    s.push_str(DATA_OPEN);
    let mut data: serde_json::Value = serde_json::from_str(&book.to_json()).unwrap_or_default();
    if !meta.task.trim().is_empty()
        && let Some(o) = data.as_object_mut()
    {
        o.insert("task".into(), meta.task.trim().into());
    }
    s.push_str(&data.to_string().replace('<', "\\u003c"));
    s.push_str("</script>\n</body>\n</html>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_handout_carries_its_codebook_and_its_task() {
        let mut book = Codebook::default();
        let sub = book.add("</script><b>x").unwrap();
        book.set_parent(&sub, Some("threat")).unwrap();
        let mut meta = ExportMeta::new("0.1.0", "2026-12-03T10:00:00Z");
        meta.task = "Code ¶5–18 of S/2019/103.\r\nHand in by <Friday>.".into();
        let page = html(&book, &meta);
        assert_eq!(codebook_in(&page), Some(Ok(book.clone())), "the same codebook, tree and all");
        assert_eq!(task_in(&page).as_deref(), Some("Code ¶5–18 of S/2019/103.\r\nHand in by <Friday>."), "the task rides along");
        assert_eq!(task_in(&html(&book, &ExportMeta::new("0.1.0", "t"))), None);
        assert_eq!(page.matches("</script>").count(), 1, "a name cannot end the data block");
        assert!(page.contains("<h2>Your task</h2>\n<p>Code ¶5–18 of S/2019/103.</p>\n<p>Hand in by &lt;Friday&gt;.</p>"), "{page}");
        let md = markdown(&book, &meta);
        assert!(md.contains("## Your task\n\nCode ¶5–18 of S/2019/103.\n\nHand in by \\<Friday\\>."), "{md}");
        // No task: no section.
        assert!(!html(&book, &ExportMeta::new("0.1.0", "t")).contains("Your task"));
        // Not a handout; an old handout with no codebook in it.
        assert_eq!(codebook_in("<html>notes</html>"), None);
        let old = page.split(DATA_OPEN).next().unwrap().to_string();
        assert!(codebook_in(&old).is_some_and(|r| r.is_err()));
    }

    #[test]
    fn a_sub_code_is_named_with_its_path() {
        let mut book = Codebook::default();
        book.add("attacks").unwrap();
        book.set_parent("attacks", Some("threat")).unwrap();
        let meta = ExportMeta::new("0.1.0", "2026-11-22T00:00:00Z");
        assert!(markdown(&book, &meta).contains("\n## threat › attacks\n"));
        assert!(html(&book, &meta).contains("<tr><td>threat › attacks</td>"));
    }

    #[test]
    fn a_handout_handed_back_is_not_taken_for_a_text() {
        let page = html(&Codebook::default(), &ExportMeta::new("0.1.0", "2026-11-22T00:00:00Z"));
        assert!(page.contains(GENERATOR));
        let e = crate::store::UserText::new("dev-homework.html", &page, "t", &|_| false).unwrap_err();
        assert!(e.contains("is a codebook handout made by Marginalia"), "{e}");
        assert!(crate::store::UserText::new("notes.html", "<p>Plain notes.</p>", "t", &|_| false).is_ok());
        // The Markdown handout too (it carries no codebook: the HTML one or the .json does).
        let md = markdown(&Codebook::default(), &ExportMeta::new("0.1.0", "2026-11-22T00:00:00Z"));
        assert!(md.starts_with(MARKDOWN_START));
        let e = crate::store::UserText::new("codebook.md", &md, "t", &|_| false).unwrap_err();
        assert!(e.contains("is a codebook handout made by Marginalia"), "{e}");
        assert!(crate::store::UserText::new("notes.md", "# Codebook\n\nMy own notes.", "t", &|_| false).is_ok());
    }

    #[test]
    fn the_first_step_gives_the_address_others_can_open() {
        assert_eq!(public_address("https://class.example.org/marginalia/#/report/S-2019-103?x=1").as_deref(), Some("https://class.example.org/marginalia/"));
        assert_eq!(public_address("http://10.0.0.5:8080/index.html").as_deref(), Some("http://10.0.0.5:8080/index.html"));
        for private in ["http://127.0.0.1:8080/", "http://localhost:8080/#/", "http://[::1]:8080/", "file:///home/t/dist/index.html", "http://LOCALHOST/", "https://x.org/a b", "https://x.org/<b>", "javascript:alert(1)", ""] {
            assert_eq!(public_address(private), None, "{private}");
        }
        let mut meta = ExportMeta::new("0.1.0", "2026-11-22T10:00:00Z");
        assert!(markdown(&Codebook::default(), &meta).contains("1. Open Marginalia in a browser."));
        meta.app_url = "https://class.example.org/m/#/codebook".into();
        assert!(markdown(&Codebook::default(), &meta).contains("1. Open Marginalia at <https://class.example.org/m/> in a browser."));
        assert!(html(&Codebook::default(), &meta).contains("<li>Open Marginalia at <a href=\"https://class.example.org/m/\">https://class.example.org/m/</a> in a browser."));
    }

    fn hostile() -> Codebook {
        let mut b = Codebook::default();
        b.tags[0].name = "<script>alert(1)</script> & \"x\"".into();
        b.tags[0].description = "**bold** [link](javascript:x) <img src=x onerror=y>\n\nSecond | para.".into();
        b.tags[1].colour = "red;background:url(x)".into();
        b
    }

    #[test]
    fn html_escapes_everything_and_runs_nothing() {
        let meta = ExportMeta::new("0.1.0", "2026-11-22T00:00:00Z");
        let page = html(&hostile(), &meta);
        assert!(page.starts_with("<!doctype html>"));
        // One script element, a JSON data block (never run), which a name cannot end.
        assert_eq!(page.matches("<script").count(), 1, "{page}");
        assert!(page.contains(DATA_OPEN));
        assert!(!page.contains("<script>alert"));
        let mut valid = hostile();
        valid.tags[1].colour = "#0072b2".into();
        assert_eq!(codebook_in(&html(&valid, &meta)), Some(Ok(valid)), "names that look like markup come back as they were");
        assert!(!page.contains("<img"));
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot;"));
        let shown = page.split(DATA_OPEN).next().unwrap();
        assert!(!shown.contains("url(x)\""), "an invalid colour is not put in a style");
        assert!(page.contains("background:#d55e00"), "swatches");
        assert!(page.contains("@media print"));
        assert!(page.contains("<kbd>1</kbd>"));
        assert_eq!(page.matches("<section class=\"tag\">").count(), 4);
        assert!(page.contains("<p>Second | para.</p>"), "description paragraphs");
        // How to code and hand in, for coders new to it.
        assert!(page.contains("<h2>Coding with Marginalia</h2>"));
        assert_eq!(page.matches("<li>").count(), STEPS.len());
        assert!(page.contains("<strong>Download backup</strong>"));
    }

    #[test]
    fn a_task_names_its_passage() {
        let symbols = ["S/2017/97", "S/2018/770", "S/2019/103"];
        assert_eq!(passage_in("Code ¶5–18 of S/2019/103 with the tags below.", &symbols), Some((2, 5, 18)));
        assert_eq!(passage_in("Read ¶ 3-4 in S/2018/770, then hand in.", &symbols), Some((1, 3, 4)));
        assert_eq!(passage_in("Only ¶12 of S/2017/97.", &symbols), Some((0, 12, 12)));
        assert_eq!(passage_in("Code ¶7–¶9 of S/2017/97", &symbols), Some((0, 7, 9)));
        assert_eq!(passage_in("Code ¶5–18 of S/2017/970.", &symbols), None, "not a report here");
        assert_eq!(passage_in("Code ¶18–5 of S/2019/103.", &symbols), None, "backwards");
        assert_eq!(passage_in("Code the whole of S/2019/103. ¶ marks paragraphs.", &symbols), None);
        assert_eq!(passage_in("", &symbols), None);
        // As teachers write it: other words for ¶, "to", a citation (the symbol first).
        assert_eq!(passage_in("Code ¶¶12–16 of S/2019/103.", &symbols), Some((2, 12, 16)));
        assert_eq!(passage_in("Code paragraphs 12-16 of S/2019/103.", &symbols), Some((2, 12, 16)));
        assert_eq!(passage_in("Code S/2019/103 ¶12–16.", &symbols), Some((2, 12, 16)));
        assert_eq!(passage_in("Read S/2019/103 paragraphs 12 to 16 and code them.", &symbols), Some((2, 12, 16)));
        assert_eq!(passage_in("Read S/2018/770, paras. 3 through 9.", &symbols), Some((1, 3, 9)));
        assert_eq!(passage_in("Read S/2019/103. In Paragraph 7, code every threat.", &symbols), Some((2, 7, 7)), "one text named");
        assert_eq!(passage_in("Compare ¶3 of S/2017/97 with S/2019/103.", &symbols), Some((0, 3, 3)));
        assert_eq!(passage_in("Compare S/2017/97 with S/2019/103, paragraphs 4-5.", &symbols), Some((2, 4, 5)));
        assert_eq!(passage_in("Compare S/2017/97 and S/2019/103; paragraphs 4-5 matter.", &symbols), None, "two texts, neither by the range");
        assert_eq!(passage_in("Read S/2019/103 and its subparagraphs 4-5.", &symbols), None, "not a word of its own");
        assert_eq!(passage_in("Code ¶12–16 and ¶20–22 of S/2019/103.", &symbols), None, "two passages: neither alone");
    }

    #[test]
    fn markdown_escapes_only_what_could_be_markup() {
        // Ordinary prose reads as it is.
        assert_eq!(markdown_escape("Don't: e.g. ISIL's funds (2019), 50%; \"quoted\"!"), "Don't: e.g. ISIL's funds (2019), 50%; \"quoted\"!");
        // Line starts that would make lists, rules or headings.
        assert_eq!(markdown_escape("- a\n  + b\n12. c\n3) d\n= e\n4.5 f"), "\\- a\n  \\+ b\n12\\. c\n3\\) d\n\\= e\n4.5 f");
        // Anywhere: emphasis, code, links, HTML, tables, headings, entities.
        assert_eq!(markdown_escape("a_b *c* `d` [e](f) <g> h|i ~j~ #k &amp; \\"), "a\\_b \\*c\\* \\`d\\` \\[e\\](f) \\<g\\> h\\|i \\~j\\~ \\#k \\&amp; \\\\");
        assert_eq!(markdown_escape("women & children &#38; R&D &"), "women & children \\&\\#38; R\\&D &");
    }

    #[test]
    fn markdown_escapes_markup() {
        let meta = ExportMeta::new("0.1.0", "2026-11-22T00:00:00Z");
        let md = markdown(&hostile(), &meta);
        assert!(md.starts_with("# Codebook\n"));
        assert!(md.contains("\\<script\\>alert(1)\\</script\\>"), "{md}");
        assert!(md.contains("\\*\\*bold\\*\\* \\[link\\](javascript:x)"));
        assert!(md.contains("\nSecond \\| para.\n"));
        assert!(md.contains("| finance | red;background:url(x) | dashed | 2 |"), "{md}");
        assert!(md.contains("\n## repatriation\n"));
        assert!(md.contains("\n## Coding with Marginalia\n\n1. Open Marginalia"));
        assert!(md.contains("\n5. To hand in your work"));
        assert!(markdown(&Codebook::default(), &meta).contains("| threat | `#d55e00` | solid | 1 |"));
    }

    #[test]
    fn a_span_outside_the_task_s_passage_is_told() {
        use crate::document::{BlockKind, DocumentBuilder, Meta, Piece};
        let mut b = DocumentBuilder::new();
        for n in 1..=4 {
            b.push(BlockKind::Paragraph { number: Some(n) }, &[Piece::Text(format!("Paragraph {n} text."))]);
        }
        let d = b.finish(Meta { id: "S/2019/103".into(), symbol: Some("S/2019/103".into()), ..Meta::default() });
        let texts = [("S/2017/97".to_string(), "S/2017/97".to_string()), ("S/2019/103".to_string(), "S/2019/103".to_string())];
        let span = |n: u32| d.paragraphs().find(|(k, _)| *k == n).map(|(_, b)| (b.start, b.end)).unwrap();
        let task = "Code ¶2–3 of S/2019/103.";
        assert_eq!(outside_task(task, &texts, &d, span(2).0, span(2).1), None);
        assert_eq!(outside_task(task, &texts, &d, span(3).0 + 2, span(3).0 + 5), None);
        assert_eq!(outside_task(task, &texts, &d, span(4).0, span(4).1).as_deref(), Some("¶2–3 of S/2019/103"));
        assert_eq!(outside_task("Code ¶2 of S/2017/97.", &texts, &d, span(2).0, span(2).1).as_deref(), Some("¶2 of S/2017/97"), "another report");
        assert_eq!(outside_task("Code the whole report.", &texts, &d, span(4).0, span(4).1), None, "no passage named");
        // Before a hand-in: none of the work in the passage is said; one span in it is enough.
        let docs = [d.clone()];
        let (s4, s2) = (span(4), span(2));
        assert_eq!(none_in_task(task, &docs, [("S/2019/103", s4.0, s4.1)].into_iter()).as_deref(), Some("¶2–3 of S/2019/103"));
        assert_eq!(none_in_task(task, &docs, [("S/2017/97", 0, 5)].into_iter()).as_deref(), Some("¶2–3 of S/2019/103"), "another report");
        assert_eq!(none_in_task(task, &docs, [("S/2019/103", s4.0, s4.1), ("S/2019/103", s2.0, s2.1)].into_iter()), None);
        assert_eq!(none_in_task(task, &docs, std::iter::empty()), None, "nothing coded: said otherwise");
        // Some in it, some not: counted, for the word before handing in.
        let mixed = [("S/2019/103", s4.0, s4.1), ("S/2019/103", s2.0, s2.1), ("S/2017/97", 0, 5)];
        assert_eq!(against_task(task, &docs, mixed.into_iter()), Some(("¶2–3 of S/2019/103".to_string(), 1, 2)));
        assert_eq!(against_task("Code what you like.", &docs, mixed.into_iter()), None, "no passage named");
    }

    proptest::proptest! {
        /// Any task, however written, is read without a panic, and a passage found is a forward range of a named text.
        #[test]
        fn any_task_is_read(task in "(¶|¶¶|paragraphs? |paras?\\.? |S/2019/103|S/2018/77|0|[1-9][0-9]{0,3}|–|-| to | of | in |[ ,.;a-zé]){0,24}") {
            let symbols = ["S/2018/77", "S/2019/103"];
            if let Some((i, from, to)) = passage_in(&task, &symbols) {
                proptest::prop_assert!(i < symbols.len() && from >= 1 && from <= to);
                proptest::prop_assert!(task.contains(symbols[i]));
            }
        }
    }
}
