//! A report's prose as HTML, built as one string so that the browser parses it
//! natively in one go (much faster than creating thousands of elements one call
//! at a time). Every piece of text is escaped here; nothing from a document or a
//! codebook is ever passed through as markup.
//!
//! The shape is what the web shell's selection code relies on (see `src/dom.rs`):
//! each block's content element (`<p>`, `<h2>`…) carries `data-start` and
//! `data-end` (code points) and holds only the block's own text, in text nodes,
//! plain or inside highlight `<span class="hl">`s; footnote markers are empty
//! buttons whose number CSS draws from `data-n`.

use std::fmt::Write;

use crate::codebook::Codebook;
use crate::document::{Block, BlockKind, Document};
use crate::layout::{Run, runs};
use crate::route::Route;

/// A live annotation as the prose shows it: its span and tags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    pub id: String,
    pub tags: Vec<String>,
}

/// Escapes text for an HTML text node or a double-quoted attribute value.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    escape_into(&mut out, s);
    out
}

fn escape_into(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// The style of a highlighted run: a light tint of the first tag, and one band
/// per tag under the text, each in its colour and its own pattern (so tags stay
/// apart without colour, in print and in greyscale). CSS declarations.
pub fn highlight_style(book: &Codebook, tags: &[(String, usize)]) -> String {
    let mut images = Vec::new();
    let mut sizes = Vec::new();
    let mut positions = Vec::new();
    for (t, slot) in tags {
        let (colour, pattern) = book.get(t).map(|x| (colour(&x.colour), book.pattern(t))).unwrap_or(("#777777", "solid"));
        let image = match pattern {
            "dashed" => format!("repeating-linear-gradient(90deg,{colour} 0 7px,transparent 7px 10px)"),
            "dotted" => format!("repeating-linear-gradient(90deg,{colour} 0 3px,transparent 3px 6px)"),
            "double" => format!("linear-gradient({colour} 0 1px,transparent 1px 2px,{colour} 2px 3px)"),
            "wavy" => format!("repeating-linear-gradient(135deg,{colour} 0 2px,transparent 2px 4px)"),
            _ => format!("linear-gradient({colour},{colour})"),
        };
        images.push(image);
        sizes.push("100% 3px".to_string());
        positions.push(format!("0 calc(100% - {}px)", slot * 4));
    }
    let tint = tags
        .first()
        .and_then(|(t, _)| book.get(t))
        .map(|t| format!("color-mix(in srgb, {} 16%, transparent)", colour(&t.colour)))
        .unwrap_or_else(|| "transparent".into());
    format!(
        "background-color:{tint};background-image:{};background-size:{};background-position:{}",
        images.join(","),
        sizes.join(","),
        positions.join(",")
    )
}

/// A codebook colour as CSS: `#rgb` or `#rrggbb`, anything else grey (a
/// colour is written into a style sheet, so it must be nothing but a colour).
pub(crate) fn colour(c: &str) -> &str {
    let hex = c.strip_prefix('#').unwrap_or("");
    if matches!(hex.len(), 3 | 6) && hex.chars().all(|h| h.is_ascii_hexdigit()) { c } else { "#777777" }
}

/// The tag combinations highlighted runs show, each with a class name (`hc0`,
/// `hc1`…) and one style rule: thousands of highlights then share a handful of
/// rules instead of each carrying its own inline style.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Combos {
    combos: Vec<Vec<(String, usize)>>,
}

impl Combos {
    /// The class of a combination of tags, each with the slot of its line
    /// (0 = lowest), registering it if it is new.
    pub fn class(&mut self, tags: &[(String, usize)]) -> String {
        let i = match self.combos.iter().position(|c| c == tags) {
            Some(i) => i,
            None => {
                self.combos.push(tags.to_vec());
                self.combos.len() - 1
            }
        };
        format!("hc{i}")
    }

    pub fn len(&self) -> usize {
        self.combos.len()
    }

    pub fn is_empty(&self) -> bool {
        self.combos.is_empty()
    }

    /// The style sheet of every registered combination.
    pub fn css(&self, book: &Codebook) -> String {
        let mut out = String::new();
        for (i, tags) in self.combos.iter().enumerate() {
            let _ = writeln!(out, ".hl.hc{i},.hlgap.hc{i}{{{}}}", highlight_style(book, tags));
        }
        out
    }
}

/// The line slot of each tag used in a block: the tags the block's spans
/// carry, in codebook order (unknown ones after, by id), numbered from 0. So
/// within a paragraph a tag's underline stays at one height from run to run,
/// and a paragraph with one tag uses one line whichever tag it is.
fn slots(spans: &[Span], book: &Codebook) -> Vec<String> {
    let mut used: Vec<&String> = spans.iter().flat_map(|s| &s.tags).collect();
    used.sort_by_key(|t| (book.tags.iter().position(|x| x.id == **t).unwrap_or(usize::MAX), t.as_str()));
    used.dedup();
    used.into_iter().cloned().collect()
}

/// The inside of a block's content element: its text cut at annotation
/// boundaries, highlights as `<span class="hl">` (ids and tags in data
/// attributes, tag names as the tooltip), footnote markers as buttons.
/// `open_note` is the marker shown as expanded, if any. A run whose bands
/// reach slot 2 or higher is classed `d2`…`d5` (by its highest band, 5 for
/// more), so that the style sheet gives every highlight of its paragraph the
/// room under the text for that many bands (`p:has(.d3)`): the bands are drawn
/// from the bottom of that room, so each tag's band stays at one height along
/// the paragraph, and three or more open up its lines.
pub fn block_inner(doc: &Document, block: &Block, spans: &[Span], book: &Codebook, combos: &mut Combos, open_note: Option<u32>) -> String {
    let slots = slots(spans, book);
    let keyed: Vec<(usize, usize, &Span)> = spans.iter().map(|s| (s.start, s.end, s)).collect();
    let runs = runs(doc, block, &keyed);
    let mut out = String::new();
    // The word before a footnote marker and the marker, kept on one line (a
    // marker is a button, which a line may otherwise break before).
    let mut stuck = false;
    for (i, run) in runs.iter().enumerate() {
        match run {
            Run::Text { text, keys, .. } => {
                // Before a marker: its last word goes with the marker, on one line.
                let (head, word) = if matches!(runs.get(i + 1), Some(Run::Note(_))) {
                    let cut = text.rfind(char::is_whitespace).map_or(0, |w| w + text[w..].chars().next().map_or(1, char::len_utf8));
                    let (head, word) = text.split_at(cut);
                    if !word.is_empty() && word.chars().count() <= MAX_STUCK_WORD { (head, word) } else { (text.as_str(), "") }
                } else {
                    (text.as_str(), "")
                };
                let mut piece = |out: &mut String, text: &str| {
                    if text.is_empty() {
                        return;
                    }
                    if keys.is_empty() {
                        escape_into(out, text);
                        return;
                    }
                    let (class, tags) = run_class(keys, &slots, combos);
                    let ids: Vec<&str> = keys.iter().map(|s| s.id.as_str()).collect();
                    let names: Vec<&str> = tags.iter().map(|t| book.get(t).map(|t| t.name.as_str()).unwrap_or(t)).collect();
                    out.push_str("<span class=\"hl ");
                    out.push_str(&class);
                    out.push_str("\" data-ids=\"");
                    escape_into(out, &ids.join(" "));
                    out.push_str("\" data-tags=\"");
                    escape_into(out, &tags.join(" "));
                    out.push_str("\" title=\"");
                    escape_into(out, &crate::codebook::name_list(names.iter().copied()));
                    if ids.len() > 1 {
                        out.push_str(&format!(" ({} annotations here: click again for the next)", ids.len()));
                    }
                    out.push_str("\">");
                    escape_into(out, text);
                    out.push_str("</span>");
                };
                piece(&mut out, head);
                if !word.is_empty() {
                    out.push_str("<span class=\"fnstick\">");
                    stuck = true;
                    piece(&mut out, word);
                }
            }
            Run::Note(n) => {
                // A marker inside a highlight sits on the highlight of what covers both
                // sides of it, so the highlight runs on under it without a gap.
                let before = runs[..i].iter().rev().find(|r| matches!(r, Run::Text { .. }));
                let after = runs[i + 1..].iter().find(|r| matches!(r, Run::Text { .. }));
                let under: Vec<&Span> = match (before, after) {
                    (Some(Run::Text { keys: b, .. }), Some(Run::Text { keys: a, .. })) => {
                        b.iter().filter(|k| a.iter().any(|x| std::ptr::eq(*x, **k))).copied().collect()
                    }
                    _ => Vec::new(),
                };
                if !under.is_empty() {
                    out.push_str("<span class=\"hlgap ");
                    out.push_str(&run_class(&under, &slots, combos).0);
                    out.push_str("\" data-ids=\"");
                    escape_into(&mut out, &under.iter().map(|s| s.id.as_str()).collect::<Vec<_>>().join(" "));
                    out.push_str("\">");
                }
                let _ = write!(
                    out,
                    "<sup class=\"fnref\"><button type=\"button\" data-n=\"{n}\" aria-expanded=\"{}\" aria-label=\"Footnote {n}\"></button></sup>",
                    open_note == Some(*n)
                );
                if !under.is_empty() {
                    out.push_str("</span>");
                }
                if stuck && !matches!(runs.get(i + 1), Some(Run::Note(_))) {
                    out.push_str("</span>");
                    stuck = false;
                }
            }
        }
    }
    out
}

/// The longest word kept on one line with the footnote marker after it (a
/// longer one, a web address say, may break before its marker).
const MAX_STUCK_WORD: usize = 40;

/// The classes of a highlighted run covered by `keys` (its combination of tags
/// and lines, and its depth from 2 on), and its tags in the order of `keys`.
fn run_class(keys: &[&Span], slots: &[String], combos: &mut Combos) -> (String, Vec<String>) {
    let mut tags: Vec<String> = Vec::new();
    for s in keys {
        for t in &s.tags {
            if !tags.contains(t) {
                tags.push(t.clone());
            }
        }
    }
    let mut lines: Vec<(String, usize)> = tags.iter().map(|t| (t.clone(), slots.iter().position(|s| s == t).unwrap_or(0))).collect();
    lines.sort_by_key(|(_, slot)| *slot);
    let depth = lines.last().map_or(0, |(_, slot)| slot + 1);
    let mut class = combos.class(&lines);
    if depth >= 2 {
        class.push_str(&format!(" d{}", depth.min(5)));
    }
    (class, tags)
}

/// A row of the list of annotations beside a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListRow {
    pub id: String,
    pub cite: String,
    pub quote: String,
    pub tags: Vec<String>,
    /// Whose it is, shown when several coders' annotations are listed together.
    pub coder: Option<String>,
    /// Its memo (its beginning is shown under the quote).
    pub memo: String,
}

/// Which annotation a click on a highlight opens. `ids` is the highlight's
/// `data-ids` (the annotations covering it, oldest first); `open` is the one
/// open now; `mine` tells the coder's own. The first click opens the most
/// recent of the coder's own there (else the most recent: another coder's, read
/// only); clicking again where several overlap steps to the next older one,
/// then back round to the newest.
pub fn clicked_annotation<'a>(ids: &'a str, open: Option<&str>, mine: impl Fn(&str) -> bool) -> Option<&'a str> {
    let ids: Vec<&str> = ids.split(' ').filter(|s| !s.is_empty()).collect();
    match open.and_then(|o| ids.iter().position(|i| *i == o)) {
        Some(i) => Some(ids[(i + ids.len() - 1) % ids.len()]),
        None => ids.iter().rev().find(|i| mine(i)).or(ids.last()).copied(),
    }
}

/// The list of annotations beside a report, as `<li>` items: each a button
/// (`data-id`) with the citation, the tag names (and the coder, when given) and
/// the quote, its left border in the first tag's colour. `selected` is marked
/// `aria-current`.
pub fn list_rows(rows: &[ListRow], book: &Codebook, selected: Option<&str>) -> String {
    let mut out = String::new();
    for r in rows {
        let first = r.tags.first().and_then(|t| book.get(t)).map(|t| colour(&t.colour)).unwrap_or("transparent");
        let names: Vec<&str> = r.tags.iter().map(|t| book.get(t).map(|t| t.name.as_str()).unwrap_or(t)).collect();
        out.push_str("<li><button type=\"button\" data-id=\"");
        escape_into(&mut out, &r.id);
        let _ = write!(out, "\" aria-current=\"{}\" style=\"border-left-color:{first}\"><span class=\"ann-cite\">", selected == Some(r.id.as_str()));
        escape_into(&mut out, &r.cite);
        out.push_str(" · ");
        escape_into(&mut out, &crate::codebook::name_list(names.iter().copied()));
        if let Some(c) = &r.coder {
            out.push_str(" · <span class=\"ann-coder\">");
            escape_into(&mut out, crate::coder_shown(c));
            out.push_str("</span>");
        }
        out.push_str("</span><span class=\"ann-quote\">");
        escape_into(&mut out, &r.quote);
        out.push_str("</span>");
        if !r.memo.trim().is_empty() {
            out.push_str("<span class=\"ann-memo\"><span class=\"visually-hidden\">Memo: </span>");
            escape_into(&mut out, &crate::abridge(r.memo.trim(), 90));
            out.push_str("</span>");
        }
        out.push_str("</button></li>");
    }
    out
}

/// The whole prose of a report: headings, and numbered paragraphs with their
/// margin number linking to their citation; then the footnotes, listed under
/// "Notes", coded as the paragraphs are. `spans[i]` are the annotations of block `i`.
pub fn prose(doc: &Document, spans: &[Vec<Span>], book: &Codebook, combos: &mut Combos) -> String {
    let mut out = String::with_capacity(doc.text.len() * 2);
    let mut notes = String::new();
    for (i, b) in doc.blocks.iter().enumerate() {
        let mut inner = || block_inner(doc, b, spans.get(i).map(Vec::as_slice).unwrap_or(&[]), book, combos, None);
        let (s, e) = (b.start, b.end);
        // A user's list item, quote, table row or code line is shown as such.
        let form = b.form.map(|f| format!(" form-{}", f.name())).unwrap_or_default();
        match b.kind {
            BlockKind::Footnote { number } => {
                let _ = write!(notes, "<li id=\"fn{number}\" value=\"{number}\" data-block=\"{i}\" data-start=\"{s}\" data-end=\"{e}\">{}</li>", inner());
            }
            BlockKind::Heading { level } => {
                let h = (level + 1).clamp(2, 4);
                // A text's opening heading that is its title (shown above it already), uncoded, is not shown twice.
                let echo = i == 0 && level == 1 && spans.first().is_none_or(Vec::is_empty) && same_words(doc.block_text(b), &doc.meta.title);
                let class = if echo { " class=\"title-echo\"" } else { "" };
                let _ = write!(out, "<h{h}{class} data-block=\"{i}\" data-start=\"{s}\" data-end=\"{e}\">{}</h{h}>", inner());
            }
            BlockKind::Paragraph { number: Some(n) } => {
                let href = escape(&Route::report(&doc.meta.id, Some(n)).to_hash());
                let cite = escape(&doc.cite(n));
                let _ = write!(
                    out,
                    "<div class=\"para{form}\" id=\"p{n}\" data-paragraph=\"{n}\"><a class=\"pnum\" href=\"{href}\" aria-label=\"Link to {cite}; 1 to 9 code the whole paragraph\" title=\"{cite} (1–9 with this focused: code the whole paragraph)\">{n}</a><p data-block=\"{i}\" data-start=\"{s}\" data-end=\"{e}\">{}</p></div>",
                    inner()
                );
            }
            BlockKind::Paragraph { number: None } => {
                let _ = write!(out, "<div class=\"para{form}\"><p data-block=\"{i}\" data-start=\"{s}\" data-end=\"{e}\">{}</p></div>", inner());
            }
        }
    }
    if !notes.is_empty() {
        let _ = write!(out, "<section class=\"footnotes\" aria-labelledby=\"notes-title\"><h2 id=\"notes-title\">Notes</h2><ol>{notes}</ol></section>");
    }
    out
}

/// A passage side by side (a class beside its key). First a grid: a row for
/// each of `coders` in the order given (the first is A, the key), a column for
/// each block someone coded (cited and linked), each cell the tags that coder
/// gave there, marked where they differ from A's. Then, block by block (each
/// folded), the text once per coder with only that coder's highlights (a coder
/// who coded nothing there: a row that says so). Blocks no one coded are left
/// out; with `only_differences`, so are the blocks where every coder gave A's
/// tags. Returns the HTML, its highlights' CSS, scoped to `.side-by-side` (the
/// report's own classes are not touched), how many blocks it shows, and how
/// many blocks were coded in all. `linked`: citations link to the app's pages (not
/// in a file of its own).
pub fn side_by_side(
    doc: &Document,
    annotations: &[&crate::annotation::Annotation],
    coders: &[String],
    book: &Codebook,
    only_differences: bool,
    linked: bool,
) -> (String, String, usize, usize) {
    let mut combos = Combos::default();
    let by = crate::layout::by_block(&doc.blocks, annotations.iter().map(|a| (a.start, a.end, *a)));
    let named = |c: &str| crate::coder_shown(c).to_string();
    // The tags each coder gave in each block, in the codebook's order.
    let given = |i: usize, c: &str| -> Vec<&crate::codebook::Tag> {
        book.tags.iter().filter(|t| by[i].iter().any(|a| a.coder == c && a.tags.contains(&t.id))).collect()
    };
    let ids = |i: usize, c: &str| given(i, c).into_iter().map(|t| &t.id).collect::<Vec<_>>();
    // Whether the k-th coder's tags in block i are not A's.
    let differs = |i: usize, k: usize| k > 0 && coders.first().is_some_and(|a| ids(i, a) != ids(i, &coders[k]));
    let all_coded: Vec<usize> =
        (0..doc.blocks.len()).filter(|&i| !by[i].is_empty() && !matches!(doc.blocks[i].kind, BlockKind::Heading { .. })).collect();
    // A coder who coded nothing here at all (elsewhere, or not yet) differs everywhere:
    // not a difference worth a paragraph's place.
    let here: Vec<usize> = (1..coders.len()).filter(|&k| all_coded.iter().any(|&i| by[i].iter().any(|a| a.coder == coders[k]))).collect();
    let coded: Vec<usize> = all_coded.iter().copied().filter(|&i| !only_differences || here.iter().any(|&k| differs(i, k))).collect();
    let place = |i: usize| -> (String, String, Option<Route>) {
        match doc.blocks[i].kind {
            BlockKind::Paragraph { number: Some(n) } => (format!("¶{n}"), doc.cite(n), Some(Route::report(&doc.meta.id, Some(n)))),
            BlockKind::Footnote { number } => (format!("n. {number}"), doc.cite_note(number), Some(Route::note(&doc.meta.id, number))),
            _ => ("¶".to_string(), doc.who().to_string(), None),
        }
    };
    let link = |out: &mut String, i: usize, short: bool| {
        let (label, cite, route) = place(i);
        let shown = if short { label } else { cite.clone() };
        match route.filter(|_| linked) {
            Some(r) => {
                let _ = write!(out, "<a href=\"{}\" title=\"{}\">{}</a>", escape(&r.to_hash()), escape(&cite), escape(&shown));
            }
            None => escape_into(out, &shown),
        }
    };
    let mut out = String::new();
    // The grid.
    out.push_str("<div class=\"table-wrap\"><table class=\"sbs-grid\"><thead><tr><th scope=\"col\">Coder</th>");
    for &i in &coded {
        out.push_str("<th scope=\"col\">");
        link(&mut out, i, true);
        out.push_str("</th>");
    }
    out.push_str("</tr></thead><tbody>");
    for (k, c) in coders.iter().enumerate() {
        out.push_str("<tr><th scope=\"row\">");
        escape_into(&mut out, &named(c));
        if k == 0 {
            out.push_str(" <span class=\"hint\">(A)</span>");
        }
        out.push_str("</th>");
        for &i in &coded {
            let mine = given(i, c);
            let differs = differs(i, k);
            out.push_str(if differs { "<td class=\"differs\">" } else { "<td>" });
            if mine.is_empty() {
                out.push_str("<span class=\"sbs-none\">—</span>");
            }
            for t in &mine {
                let _ = write!(out, "<span class=\"sbs-tag\"><span class=\"swatch\" style=\"background:{}\"></span>", escape(colour(&t.colour)));
                escape_into(&mut out, &t.name);
                out.push_str("</span>");
            }
            if differs {
                out.push_str("<span class=\"visually-hidden\"> (not as A)</span>");
            }
            out.push_str("</td>");
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table></div>");
    // The text, block by block.
    for &i in &coded {
        let (b, here) = (&doc.blocks[i], &by[i]);
        let n = coders.iter().filter(|c| here.iter().any(|a| a.coder == **c)).count();
        let _ = write!(out, "<details class=\"sbs-block\" data-block=\"{i}\"><summary>");
        link(&mut out, i, false);
        let _ = write!(out, " <span class=\"hint\">· coded by {n} of {}</span></summary>", coders.len());
        // A coder whose coding here is another's exactly (same spans, same tags) is
        // named on that one's row, not given the paragraph again; those who coded
        // nothing here are named together, last (a class of 25 stays readable).
        let mine_of = |c: &str| -> Vec<Span> {
            let mut v: Vec<Span> =
                here.iter().filter(|a| a.coder == c).map(|a| Span { start: a.start, end: a.end, id: a.id.clone(), tags: a.tags.clone() }).collect();
            v.sort_by(|x, y| (x.start, x.end, &x.tags).cmp(&(y.start, y.end, &y.tags)));
            v
        };
        let same = |x: &[Span], y: &[Span]| x.len() == y.len() && x.iter().zip(y).all(|(x, y)| (x.start, x.end, &x.tags) == (y.start, y.end, &y.tags));
        let mut rows: Vec<(&String, Vec<Span>, Vec<&String>)> = Vec::new();
        let mut none: Vec<&String> = Vec::new();
        for c in coders {
            let mine = mine_of(c);
            if mine.is_empty() {
                none.push(c);
            } else if let Some(row) = rows.iter_mut().find(|(_, theirs, _)| same(theirs, &mine)) {
                row.2.push(c);
            } else {
                rows.push((c, mine, Vec::new()));
            }
        }
        for (c, mine, also) in &rows {
            out.push_str("<div class=\"sbs-row\"><div class=\"sbs-who\"><strong>");
            escape_into(&mut out, &named(c));
            out.push_str("</strong>");
            let names: Vec<&str> = given(i, c).iter().map(|t| t.name.as_str()).collect();
            out.push_str("<span class=\"sbs-tags\">");
            escape_into(&mut out, &names.join(", "));
            out.push_str("</span>");
            if !also.is_empty() {
                out.push_str("<span class=\"sbs-also\">the same: ");
                escape_into(&mut out, &also.iter().map(|c| named(c)).collect::<Vec<_>>().join(", "));
                out.push_str("</span>");
            }
            let _ = write!(out, "</div><p class=\"sbs-text\">{}</p></div>", block_inner(doc, b, mine, book, &mut combos, None));
        }
        if !none.is_empty() {
            out.push_str("<p class=\"sbs-none sbs-nothing\">Nothing coded here: ");
            escape_into(&mut out, &none.iter().map(|c| named(c)).collect::<Vec<_>>().join(", "));
            out.push_str("</p>");
        }
        out.push_str("</details>");
    }
    let css = combos.css(book).lines().map(|l| l.replace(".hl.", ".side-by-side .hl.").replace(",.hlgap.", ",.side-by-side .hlgap.")).collect::<Vec<_>>().join("\n");
    (out, css, coded.len(), all_coded.len())
}

fn same_words(a: &str, b: &str) -> bool {
    a.split_whitespace().eq(b.split_whitespace())
}

#[cfg(test)]
mod tests {
    #[test]
    fn clicks_step_through_overlapping_annotations() {
        let c = |ids, open| super::clicked_annotation(ids, open, |_| true);
        assert_eq!(c("a b c", None), Some("c"), "the most recent first");
        // The coder's own first (another's, over it, is read only), then the others in turn.
        let mine = |ids, open| super::clicked_annotation(ids, open, |i| i == "a" || i == "b");
        assert_eq!(mine("a b c", None), Some("b"));
        assert_eq!(mine("a b c", Some("b")), Some("a"));
        assert_eq!(mine("a b c", Some("a")), Some("c"));
        assert_eq!(super::clicked_annotation("a b c", None, |_| false), Some("c"), "none of one's own: the most recent");
        assert_eq!(c("a b c", Some("c")), Some("b"));
        assert_eq!(c("a b c", Some("b")), Some("a"));
        assert_eq!(c("a b c", Some("a")), Some("c"), "and round again");
        assert_eq!(c("a b c", Some("zz")), Some("c"), "another open annotation: the most recent");
        assert_eq!(c("a", Some("a")), Some("a"), "one annotation stays open");
        assert_eq!(c("", None), None);
    }

    use super::*;
    use crate::document::{DocumentBuilder, Meta, Piece};

    fn doc() -> Document {
        let mut b = DocumentBuilder::new();
        b.push(BlockKind::Heading { level: 1 }, &[Piece::Text("I. <Intro> & \"more\"".into())]);
        b.push(
            BlockKind::Paragraph { number: Some(1) },
            &[Piece::Text("ISIL 😀 <script>alert(1)</script>".into()), Piece::Note(3), Piece::Text(" funds.".into())],
        );
        b.push(BlockKind::Paragraph { number: None }, &[Piece::Text("Plain 𝔸.".into())]);
        b.push(BlockKind::Footnote { number: 3 }, &[Piece::Text("A note.".into())]);
        b.finish(Meta { id: "S/2019/103".into(), symbol: Some("S/2019/103".into()), ..Meta::default() })
    }

    /// The text nodes of an HTML string (tags dropped, entities decoded): what
    /// the browser would show and what a selection counts.
    fn text_of(html: &str) -> String {
        let mut out = String::new();
        let mut in_tag = false;
        for c in html.chars() {
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                c if !in_tag => out.push(c),
                _ => {}
            }
        }
        out.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'").replace("&amp;", "&")
    }

    #[test]
    fn each_block_holds_exactly_its_text_and_nothing_is_markup() {
        let d = doc();
        let book = Codebook::default();
        let span = |s, e, id: &str, tags: &[&str]| Span { start: s, end: e, id: id.into(), tags: tags.iter().map(|t| t.to_string()).collect() };
        let b1 = &d.blocks[1];
        let spans = vec![span(b1.start, b1.start + 7, "a", &["threat"]), span(b1.start + 5, b1.start + 20, "b\"><x", &["finance", "threat"])];
        let mut combos = Combos::default();
        let html = block_inner(&d, b1, &spans, &book, &mut combos, Some(3));
        assert_eq!(text_of(&html), d.block_text(b1));
        assert!(!html.contains("<script>"), "text is escaped: {html}");
        assert!(html.contains("data-ids=\"b&quot;&gt;&lt;x\""), "attributes are escaped: {html}");
        assert!(html.contains("data-ids=\"a b&quot;&gt;&lt;x\" data-tags=\"threat finance\""), "the overlap carries both: {html}");
        assert!(html.contains("data-n=\"3\" aria-expanded=\"true\""));
        assert_eq!(html.matches("class=\"hl hc").count(), 3);
        // threat; threat+finance (the run under b alone has the same lines: one rule).
        assert_eq!(combos.len(), 2);
        assert!(html.contains("class=\"hl hc1 d2\" data-ids=\"a b&quot;&gt;&lt;x\""));
        assert!(html.contains("class=\"hl hc1 d2\" data-ids=\"b&quot;&gt;&lt;x\""));
        let css = combos.css(&book);
        assert_eq!(css.lines().count(), 2);
        assert!(css.starts_with(".hl.hc0,.hlgap.hc0{background-color:color-mix(in srgb, #"));
    }

    #[test]
    fn a_note_inside_a_highlight_sits_on_what_covers_both_its_sides() {
        let d = doc();
        let book = Codebook::default();
        let b1 = &d.blocks[1];
        let at = d.notes_in(b1.start, b1.end).next().unwrap().at;
        let span = |s, e, id: &str, tags: &[&str]| Span { start: s, end: e, id: id.into(), tags: tags.iter().map(|t| t.to_string()).collect() };
        // "a" runs across the marker; "b" ends at it; "c" starts at it.
        let spans = vec![span(b1.start, b1.end, "a", &["threat"]), span(b1.start + 2, at, "b", &["finance"]), span(at, b1.end, "c", &["finance"])];
        let mut combos = Combos::default();
        let html = block_inner(&d, b1, &spans, &book, &mut combos, None);
        assert_eq!(text_of(&html), d.block_text(b1));
        assert_eq!(html.matches("class=\"hlgap ").count(), 1, "{html}");
        let gap = html.split("<span class=\"hlgap ").nth(1).unwrap();
        let class = gap.split('"').next().unwrap();
        let first = html.split("<span class=\"hl ").nth(1).unwrap().split('"').next().unwrap();
        assert_eq!(class, first, "the marker wears the highlight of \"a\" alone: {html}");
        assert!(gap.starts_with(&format!("{class}\" data-ids=\"a\"><sup class=\"fnref\">")), "{html}");
        assert!(gap.contains("</button></sup></span>"), "{html}");
        assert!(combos.css(&book).contains(&format!(".hlgap.{}", class.split(' ').next().unwrap())));
        // A marker at a highlight's edge sits outside it.
        let edge = vec![span(b1.start, at, "b", &["finance"])];
        let html = block_inner(&d, b1, &edge, &book, &mut Combos::default(), None);
        assert!(!html.contains("hlgap"), "{html}");
        let html = block_inner(&d, b1, &[], &book, &mut Combos::default(), None);
        assert!(!html.contains("hlgap"), "{html}");
    }

    #[test]
    fn list_rows_escape_and_mark_the_open_one() {
        let book = Codebook::default();
        let row = |id: &str, quote: &str| ListRow { id: id.into(), cite: "S/2019/103 ¶1".into(), quote: quote.into(), tags: vec!["threat".into(), "nope".into()], coder: None, memo: String::new() };
        let html = list_rows(&[row("a", "<b>x</b>"), row("b\"", "y")], &book, Some("a"));
        assert!(!html.contains("ann-coder"), "one coder's list names no coder");
        let theirs = ListRow { coder: Some("<Bo>".into()), ..row("c", "z") };
        let unnamed = ListRow { coder: Some(String::new()), ..row("d", "z") };
        let both = list_rows(&[theirs, unnamed], &book, None);
        assert!(both.contains("threat, nope · <span class=\"ann-coder\">&lt;Bo&gt;</span>"), "{both}");
        assert!(both.contains("<span class=\"ann-coder\">(unnamed)</span>"), "{both}");
        assert!(!both.contains("ann-memo"), "no memo, no line for it");
        let noted = list_rows(&[ListRow { memo: format!("<i>Why</i> {}", "long ".repeat(40)), ..row("e", "z") }], &book, None);
        assert!(noted.contains("<span class=\"ann-memo\"><span class=\"visually-hidden\">Memo: </span>&lt;i&gt;Why&lt;/i&gt; long"), "{noted}");
        assert!(noted.matches("long").count() < 40, "a long memo is abridged");
        assert_eq!(html.matches("<li>").count(), 2);
        assert!(html.contains("data-id=\"a\" aria-current=\"true\""));
        assert!(html.contains("data-id=\"b&quot;\" aria-current=\"false\""));
        assert!(html.contains("&lt;b&gt;x&lt;/b&gt;"));
        assert!(html.contains("S/2019/103 ¶1 · threat, nope"), "{html}");
        // A tag's name with a comma reads as one tag.
        let mut book = Codebook::default();
        book.rename("finance", "returns, repatriation").unwrap();
        let html = list_rows(&[ListRow { tags: vec!["threat".into(), "finance".into()], ..row("f", "z") }], &book, None);
        assert!(html.contains("S/2019/103 ¶1 · threat, “returns, repatriation”"), "{html}");
    }

    #[test]
    fn a_tag_keeps_its_line_along_a_paragraph_and_deep_overlaps_are_marked() {
        let d = doc();
        let b = d.blocks.iter().find(|b| matches!(b.kind, BlockKind::Paragraph { .. })).unwrap();
        let book = Codebook::default();
        let (t, f, r) = (book.tags[0].id.clone(), book.tags[1].id.clone(), book.tags[2].id.clone());
        let span = |id: &str, s: usize, e: usize, tags: &[&String]| Span {
            id: id.into(), start: b.start + s, end: b.start + e, tags: tags.iter().map(|t| (*t).clone()).collect(),
        };
        // finance alone, then finance with threat, then finance, threat and repatriation.
        let spans = [span("a", 0, 9, &[&f]), span("b", 3, 9, &[&t]), span("c", 6, 9, &[&r])];
        let mut combos = Combos::default();
        let html = block_inner(&d, b, &spans, &book, &mut combos, None);
        let css = combos.css(&book);
        let rule = |tags: &[(String, usize)]| {
            let mut c = combos.clone();
            let class = c.class(tags);
            assert_eq!(c.len(), combos.len(), "{tags:?} is one of the combinations shown");
            css.lines().find(|l| l.starts_with(&format!(".hl.{class},"))).unwrap().to_string()
        };
        // Codebook order gives the slots: threat 0, finance 1, repatriation 2, whatever the run.
        let alone = rule(&[(f.clone(), 1)]);
        assert!(alone.contains("0 calc(100% - 4px)"), "{alone}");
        let two = rule(&[(t.clone(), 0), (f.clone(), 1)]);
        assert!(two.contains("0 calc(100% - 0px),0 calc(100% - 4px)"), "{two}");
        let three = rule(&[(t.clone(), 0), (f.clone(), 1), (r.clone(), 2)]);
        assert!(three.contains("0 calc(100% - 8px)"), "{three}");
        // Every run says how high its bands reach, so the paragraph can make room for the highest.
        assert_eq!(html.matches(" d3\"").count(), 1, "only the run under three bands: {html}");
        assert_eq!(html.matches(" d2\"").count(), 2, "finance alone sits in slot 1, as with threat: {html}");
        assert!(!html.contains(" d4\""));
    }

    #[test]
    fn only_colours_reach_the_style_sheet() {
        let mut book = Codebook::default();
        book.tags[0].colour = "red;}body{display:none".into();
        let mut combos = Combos::default();
        combos.class(&[(book.tags[0].id.clone(), 0)]);
        let css = combos.css(&book);
        assert!(!css.contains("display"), "{css}");
        assert!(css.contains("#777777"));
        assert_eq!(colour("#A1b2C3"), "#A1b2C3");
        assert_eq!(colour("#abc"), "#abc");
    }

    #[test]
    fn prose_has_every_block_with_offsets_and_links_the_notes_last() {
        let d = doc();
        let html = prose(&d, &[], &Codebook::default(), &mut Combos::default());
        for (i, b) in d.blocks.iter().enumerate() {
            let attr = format!("data-block=\"{i}\" data-start=\"{}\" data-end=\"{}\"", b.start, b.end);
            assert!(html.contains(&attr), "{attr}");
        }
        // The notes, listed after the prose, coded as it is (a span in a note is highlighted there).
        let (i, note) = d.blocks.iter().enumerate().find(|(_, b)| matches!(b.kind, BlockKind::Footnote { .. })).unwrap();
        let (before, notes) = html.split_once("<section class=\"footnotes\"").unwrap();
        assert!(!before.contains("A note."), "no note text in the prose");
        assert!(notes.contains(&format!("<li id=\"fn3\" value=\"3\" data-block=\"{i}\" data-start=\"{}\"", note.start)), "{notes}");
        let mut spans = vec![Vec::new(); d.blocks.len()];
        spans[i] = vec![Span { start: note.start, end: note.start + 2, id: "n".into(), tags: vec!["threat".into()] }];
        let coded = prose(&d, &spans, &Codebook::default(), &mut Combos::default());
        assert!(coded.split_once("<section class=\"footnotes\"").unwrap().1.contains("data-ids=\"n\""), "{coded}");
        assert!(html.starts_with("<h2 data-block=\"0\""));
        assert!(html.contains("<div class=\"para\" id=\"p1\" data-paragraph=\"1\"><a class=\"pnum\" href=\"#/report/S-2019-103/p1\""));
        assert!(html.contains("title=\"S/2019/103 ¶1 (1–9 with this focused: code the whole paragraph)\""));
        assert!(text_of(&html).contains("I. <Intro> & \"more\""));
    }

    fn ann_in(d: &Document, id: &str, coder: &str, (start, end): (usize, usize), tag: &str) -> crate::annotation::Annotation {
        crate::annotation::Annotation {
            id: id.into(),
            doc: d.meta.id.clone(),
            start,
            end,
            tags: vec![tag.into()],
            coder: coder.into(),
            quote: String::new(),
            prefix: String::new(),
            suffix: String::new(),
            memo: String::new(),
            created: String::new(),
            updated: String::new(),
            deleted: false,
        }
    }

    #[test]
    fn a_footnote_marker_keeps_to_the_word_before_it() {
        let d = doc();
        let b = &d.blocks[1];
        let html = block_inner(&d, b, &[], &Codebook::default(), &mut Combos::default(), None);
        assert!(html.starts_with("ISIL 😀 <span class=\"fnstick\">&lt;script&gt;alert(1)&lt;/script&gt;<sup class=\"fnref\">"), "{html}");
        assert!(html.ends_with("</button></sup></span> funds."), "{html}");
        assert_eq!(text_of(&html), d.block_text(b), "the text is untouched");
        // Coded, the same: the highlight is cut at the word, both parts the same annotation's.
        let all = [Span { start: b.start, end: b.end, id: "a".into(), tags: vec!["threat".into()] }];
        let html = block_inner(&d, b, &all, &Codebook::default(), &mut Combos::default(), None);
        assert!(html.contains("<span class=\"fnstick\"><span class=\"hl hc0\" data-ids=\"a\""), "{html}");
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;</span><span class=\"hlgap hc0\" data-ids=\"a\"><sup class=\"fnref\">"), "{html}");
        assert_eq!(html.matches("data-ids=\"a\"").count(), 4, "three runs of it and the gap under the marker: {html}");
        assert_eq!(text_of(&html), d.block_text(b));
    }

    #[test]
    fn side_by_side_can_show_only_where_someone_differs_from_a() {
        let d = doc();
        let (p1, note) = (&d.blocks[1], &d.blocks[3]);
        let at = |b: &crate::document::Block| (b.start, b.start + 3);
        let a = [
            ann_in(&d, "k1", "Key", at(p1), "threat"),
            ann_in(&d, "s1", "Sam", at(p1), "threat"),
            ann_in(&d, "k2", "Key", at(note), "threat"),
            ann_in(&d, "s2", "Sam", at(note), "finance"),
        ];
        let live: Vec<_> = a.iter().collect();
        let coders = ["Key".to_string(), "Sam".to_string()];
        let (every, _, shown, all) = side_by_side(&d, &live, &coders, &Codebook::default(), false, true);
        assert_eq!((shown, all), (2, 2));
        assert!(every.contains(">¶1</a>") && every.contains(">n. 3</a>"));
        let (only, _, shown, all) = side_by_side(&d, &live, &coders, &Codebook::default(), true, true);
        assert_eq!((shown, all), (1, 2), "¶1 agrees: left out");
        assert!(!only.contains(">¶1</a>") && only.contains(">n. 3</a>"), "{only}");
        assert_eq!(only.matches("<details class=\"sbs-block\"").count(), 1);
        // A alone: nothing can differ.
        let (_, _, shown, _) = side_by_side(&d, &live, &coders[..1], &Codebook::default(), true, true);
        assert_eq!(shown, 0);
        // One who coded nothing here (elsewhere, or not yet) does not make every paragraph a difference.
        let with_lee = ["Key".to_string(), "Sam".to_string(), "Lee".to_string()];
        let (only, _, shown, _) = side_by_side(&d, &live, &with_lee, &Codebook::default(), true, true);
        assert_eq!(shown, 1, "{only}");
        assert!(only.contains("<th scope=\"row\">Lee</th>"), "still a row of the grid");
    }

    #[test]
    fn a_passage_side_by_side_has_a_row_per_coder_where_anyone_coded() {
        let d = doc();
        let p1 = &d.blocks[1];
        let ann = |id: &str, coder: &str, s: usize, e: usize, tag: &str| ann_in(&d, id, coder, (s, e), tag);
        let a = [
            ann("k", "Key", p1.start, p1.start + 4, "threat"),
            ann("s", "<Sam>", p1.start, p1.start + 4, "finance"),
            ann("t", "Tia", p1.start + 5, p1.start + 9, "threat"),
            ann("u", "Uma", p1.start, p1.start + 4, "threat"),
        ];
        let coders = ["Key".to_string(), "<Sam>".to_string(), "Tia".to_string(), "Lee".to_string(), "Uma".to_string()];
        let (html, css, shown, all) = side_by_side(&d, &a.iter().collect::<Vec<_>>(), &coders, &Codebook::default(), false, true);
        assert_eq!((shown, all), (1, 1));
        let (grid, text) = html.split_once("</table>").unwrap();
        // The grid: a column for the one paragraph someone coded, a row per coder, A marked.
        assert_eq!(grid.matches("<th scope=\"col\">").count(), 2, "{grid}");
        assert!(grid.contains("<a href=\"#/report/S-2019-103/p1\" title=\"S/2019/103 ¶1\">¶1</a>"), "{grid}");
        assert!(grid.contains("<th scope=\"row\">Key <span class=\"hint\">(A)</span></th>"));
        let row = |who: &str| grid.split(&format!("<th scope=\"row\">{who}")).nth(1).unwrap().split("</tr>").next().unwrap().to_string();
        // Sam's tag is not the key's: marked; Tia's is (her span differs: the text below shows it); Lee gave none.
        assert!(row("&lt;Sam&gt;").contains("<td class=\"differs\">") && row("&lt;Sam&gt;").contains("finance"));
        assert!(row("Tia").contains("<td><span class=\"sbs-tag\">") && row("Tia").contains("threat"));
        assert!(row("Lee").contains("<td class=\"differs\"><span class=\"sbs-none\">—</span>"));
        // The text: the paragraph once per coder, each with only their highlights, folded.
        assert_eq!(text.matches("<details class=\"sbs-block\"").count(), 1);
        assert!(text.contains("<summary><a href=\"#/report/S-2019-103/p1\" title=\"S/2019/103 ¶1\">S/2019/103 ¶1</a> <span class=\"hint\">· coded by 4 of 5</span></summary>"), "{text}");
        let key = text.find("<strong>Key</strong>").unwrap();
        let sam = text.find("<strong>&lt;Sam&gt;</strong>").unwrap();
        let lee = text.find("Nothing coded here: Lee</p>").unwrap();
        assert!(key < sam && sam < lee);
        assert!(text[key..sam].contains("<span class=\"sbs-tags\">threat</span>") && text[key..sam].contains("data-ids=\"k\""));
        assert!(text[sam..lee].contains("finance") && !text[sam..lee].contains("data-ids=\"k\""), "only Sam's own");
        // Uma's coding is the key's exactly: named on its row, not shown again.
        assert!(text[key..sam].contains("<span class=\"sbs-also\">the same: Uma</span>"), "{text}");
        assert!(!text.contains("<strong>Uma</strong>") && !text.contains("<strong>Lee</strong>"));
        // The prose is the text, escaped.
        assert!(text_of(text).contains("<script>alert(1)</script>") && !html.contains("<script>"));
        assert!(css.contains(".side-by-side .hl.hc0") && !css.lines().any(|l| l.starts_with(".hl")), "{css}");
    }

    #[test]
    fn an_opening_heading_that_is_the_title_is_marked_unless_coded() {
        let mut d = doc();
        let none = prose(&d, &[], &Codebook::default(), &mut Combos::default());
        assert!(none.starts_with("<h2 data-block=\"0\""), "another title: shown");
        d.meta.title = "I.  <Intro> & \"more\"".into();
        let echo = prose(&d, &[], &Codebook::default(), &mut Combos::default());
        assert!(echo.starts_with("<h2 class=\"title-echo\" data-block=\"0\""), "{echo}");
        let mut spans = vec![Vec::new(); d.blocks.len()];
        spans[0] = vec![Span { start: 0, end: 2, id: "h".into(), tags: vec!["threat".into()] }];
        let coded = prose(&d, &spans, &Codebook::default(), &mut Combos::default());
        assert!(coded.starts_with("<h2 data-block=\"0\""), "coded: shown, so its highlight is seen");
    }
}
