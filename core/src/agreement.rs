//! Intercoder agreement: how far two coders (or a coder and an answer key)
//! agree, tag by tag, and where they do not.
//!
//! Two measures, as QDA tools report them:
//! - **by paragraph** (the unit): for each paragraph and footnote of the
//!   documents compared, does each coder give it the tag (an annotation with
//!   the tag overlaps it)? From the 2×2 table: percent agreement, Cohen's
//!   kappa, and F1 of coder B against coder A (A as the key: precision and
//!   recall over paragraphs);
//! - **by character**: the text each coder gave the tag, compared character
//!   by character (Dice: 2·both ÷ (A + B)), which also sees spans that differ
//!   inside one paragraph.
//!
//! Across any number of coders, **Krippendorff's alpha** (nominal: a unit
//! has the tag or not), by paragraph, per tag and pooled; for two coders it is
//! also in the pair's table. Alpha is Scott's pi corrected for small samples,
//! and what content analysis reports for three coders or more.
//!
//! Only live annotations count; headings are not units, and only the
//! documents either coder coded are compared (the others would only add
//! units neither gave any tag, and make agreement look better than it is).
//! For the same reason a text's footnotes are units only when one of the
//! coders compared coded a footnote of that text: most notes are references
//! no one codes, and would count as agreement. Kappa is undefined
//! (`None`) when chance agreement is total (both coders gave every unit the
//! same answer); F1 and overlap are undefined when neither coder used the tag.

use std::borrow::Borrow;
use std::collections::BTreeSet;

use crate::coding::Coding;
use crate::document::{Block, BlockKind, Document};

/// Agreement over one text only (an exercise's), or over some of its
/// paragraphs: the text with only those paragraphs as units (no footnote, no
/// other text) and the annotations of that text, cut to the passage (from the
/// first paragraph's start to the last one's end). Everything measured over
/// what this returns is measured over the passage alone. `None` when no text
/// here has that slug, or no paragraph is in the range.
pub fn within<D: Borrow<Document>>(docs: &[D], coding: &Coding, w: &crate::route::Within) -> Option<(Document, Coding)> {
    if w.is_each_coded() {
        return None;
    }
    let d = docs.iter().map(Borrow::borrow).find(|d| crate::route::slug(&d.meta.id) == w.slug)?;
    let in_range = |b: &Block| match (&b.kind, w.paragraphs) {
        (_, None) => true,
        (BlockKind::Paragraph { number: Some(n) }, Some((from, to))) => from <= *n && *n <= to,
        _ => false,
    };
    let part = d.with_blocks(in_range);
    let (start, end) = (part.blocks.first()?.start, part.blocks.last()?.end);
    let mut scoped = Coding::new(coding.codebook.clone());
    let cut: Vec<crate::annotation::Annotation> = coding
        .live(&d.meta.id)
        .filter(|x| x.start < end && x.end > start)
        .map(|x| {
            let mut x = x.clone();
            (x.start, x.end) = (x.start.max(start), x.end.min(end));
            x
        })
        .collect();
    scoped.set_doc(&d.meta.id, cut);
    Some((part, scoped))
}

/// Where each coder coded outside the passage `w` (in another text, or in its
/// text beyond the passage's paragraphs): the citation of each such annotation,
/// in text order — what a score over the passage does not see, a student's
/// coding off the exercise. Coders with none are not listed; empty when `w`
/// names no passage here.
pub fn outside<D: Borrow<Document>>(docs: &[D], coding: &Coding, w: &crate::route::Within) -> std::collections::BTreeMap<String, Vec<String>> {
    let mut out: std::collections::BTreeMap<String, Vec<String>> = std::collections::BTreeMap::new();
    let Some((part, _)) = within(docs, coding, w) else { return out };
    let (Some(first), Some(last)) = (part.blocks.first(), part.blocks.last()) else { return out };
    let (id, start, end) = (part.meta.id.as_str(), first.start, last.end);
    for d in docs.iter().map(Borrow::borrow) {
        let doc = d.meta.id.as_str();
        let mut off: Vec<&crate::annotation::Annotation> = coding.live(doc).filter(|a| doc != id || !(a.start < end && a.end > start)).collect();
        off.sort_by_key(|a| (a.start, a.end));
        for a in off {
            out.entry(a.coder.clone()).or_default().push(a.cite(d));
        }
    }
    out
}

/// The texts every one of `coders` coded (a live annotation each), in order.
pub fn each_coded<'a, D: Borrow<Document>>(docs: &'a [D], coding: &Coding, coders: &[&str]) -> Vec<&'a Document> {
    docs.iter()
        .map(Borrow::borrow)
        .filter(|d| coders.iter().all(|c| coding.live(&d.meta.id).any(|a| a.coder == *c)))
        .collect()
}

/// How a passage reads: "S/2019/103 ¶5–18", "S/2019/103 ¶7", or the text's symbol.
pub fn within_label(d: &Document, w: &crate::route::Within) -> String {
    match w.paragraphs {
        Some((a, b)) if a == b => d.cite(a),
        Some((a, b)) => format!("{}–{b}", d.cite(a)),
        None => d.who().to_string(),
    }
}

/// The counts behind one tag's agreement (or the pooled counts of several).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Units both coders gave the tag.
    pub both: usize,
    /// Units only coder A gave it.
    pub only_a: usize,
    /// Units only coder B gave it.
    pub only_b: usize,
    /// Units neither gave it.
    pub neither: usize,
    /// Characters both coders gave the tag, only A, only B.
    pub chars_both: usize,
    pub chars_only_a: usize,
    pub chars_only_b: usize,
    /// Spans (distinct start and end of annotations with the tag) of A, of B, and
    /// those both have exactly.
    pub spans_a: usize,
    pub spans_b: usize,
    pub spans_same: usize,
}

impl Counts {
    pub fn units(&self) -> usize {
        self.both + self.only_a + self.only_b + self.neither
    }

    /// Share of units on which the coders agree (both or neither).
    pub fn percent(&self) -> Option<f64> {
        let n = self.units();
        (n > 0).then(|| (self.both + self.neither) as f64 / n as f64)
    }

    /// Cohen's kappa: agreement beyond chance, from -1 to 1.
    pub fn kappa(&self) -> Option<f64> {
        let n = self.units() as f64;
        if n == 0.0 {
            return None;
        }
        let po = (self.both + self.neither) as f64 / n;
        let a_yes = (self.both + self.only_a) as f64 / n;
        let b_yes = (self.both + self.only_b) as f64 / n;
        let pe = a_yes * b_yes + (1.0 - a_yes) * (1.0 - b_yes);
        ((1.0 - pe).abs() > 1e-12).then(|| (po - pe) / (1.0 - pe))
    }

    /// F1 of coder B's units against coder A's (A as the key).
    pub fn f1(&self) -> Option<f64> {
        dice(self.both, self.only_a, self.only_b)
    }

    /// Precision of B against A: of B's units, the share A has too.
    pub fn precision(&self) -> Option<f64> {
        let b = self.both + self.only_b;
        (b > 0).then(|| self.both as f64 / b as f64)
    }

    /// Recall of B against A: of A's units, the share B found.
    pub fn recall(&self) -> Option<f64> {
        let a = self.both + self.only_a;
        (a > 0).then(|| self.both as f64 / a as f64)
    }

    /// Character overlap (Dice) of the text the two coders gave the tag.
    pub fn overlap(&self) -> Option<f64> {
        dice(self.chars_both, self.chars_only_a, self.chars_only_b)
    }

    /// F1 of B's spans against A's, a span matching only when it starts and ends
    /// at the same character (as named-entity evaluations count).
    pub fn exact(&self) -> Option<f64> {
        dice(self.spans_same, self.spans_a - self.spans_same, self.spans_b - self.spans_same)
    }

    /// Krippendorff's alpha of the two coders (nominal, no missing values).
    pub fn alpha(&self) -> Option<f64> {
        let mixed = (self.only_a + self.only_b) as f64;
        Coincidences { has: (2 * self.both) as f64 + mixed, lacks: (2 * self.neither) as f64 + mixed, differ: mixed }.alpha()
    }

    fn add(&mut self, o: &Counts) {
        self.both += o.both;
        self.only_a += o.only_a;
        self.only_b += o.only_b;
        self.neither += o.neither;
        self.chars_both += o.chars_both;
        self.chars_only_a += o.chars_only_a;
        self.chars_only_b += o.chars_only_b;
        self.spans_a += o.spans_a;
        self.spans_b += o.spans_b;
        self.spans_same += o.spans_same;
    }
}

/// The coincidences of values (the tag given, or not) within units, as
/// Krippendorff counts them: `has` and `lacks` are the pairable values of each
/// kind, `differ` the coincidences of one with the other.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Coincidences {
    has: f64,
    lacks: f64,
    differ: f64,
}

impl Coincidences {
    /// A unit's values: `has` of the `m` coders gave it the tag.
    fn unit(&mut self, has: usize, m: usize) {
        if m < 2 {
            return;
        }
        let lacks = m - has;
        self.has += has as f64;
        self.lacks += lacks as f64;
        self.differ += (has * lacks) as f64 / (m - 1) as f64;
    }

    fn add(&mut self, o: &Coincidences) {
        self.has += o.has;
        self.lacks += o.lacks;
        self.differ += o.differ;
    }

    /// Alpha = 1 − (n − 1)·o₀₁ ÷ (n₀·n₁); undefined when one value was never given.
    fn alpha(&self) -> Option<f64> {
        let n = self.has + self.lacks;
        (self.has * self.lacks > 0.0).then(|| 1.0 - (n - 1.0) * self.differ / (self.has * self.lacks))
    }
}

/// Several coders' reliability: Krippendorff's alpha per tag (in the order
/// asked) and over all tags pooled.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Reliability {
    pub tags: Vec<(String, Option<f64>)>,
    pub all: Option<f64>,
    /// Units each coder judged (the paragraphs of the texts any of them coded, and their
    /// notes where one of them coded a note).
    pub units: usize,
}

/// Krippendorff's alpha of `coders` on `tags` over `docs`: over the paragraphs
/// and notes of the texts any of them coded, as `compare` does for two.
pub fn alpha<D: Borrow<Document>>(docs: &[D], coding: &Coding, coders: &[String], tags: &[String]) -> Reliability {
    let mut per_tag = vec![Coincidences::default(); tags.len()];
    let mut units = 0;
    for d in docs.iter().map(Borrow::borrow) {
        if !coding.live(&d.meta.id).any(|x| coders.contains(&x.coder)) {
            continue;
        }
        let is_unit = unit_rule(d, coding, |c| coders.iter().any(|x| x == c));
        units += d.blocks.iter().filter(|k| is_unit(k)).count();
        for (t, tag) in tags.iter().enumerate() {
            let given: Vec<BTreeSet<usize>> = coders.iter().map(|c| tagged(d, coding, c, tag, &is_unit).1).collect();
            for (i, block) in d.blocks.iter().enumerate() {
                if is_unit(block) {
                    per_tag[t].unit(given.iter().filter(|g| g.contains(&i)).count(), coders.len());
                }
            }
        }
    }
    let mut all = Coincidences::default();
    for c in &per_tag {
        all.add(c);
    }
    Reliability { tags: tags.iter().cloned().zip(per_tag.iter().map(Coincidences::alpha)).collect(), all: all.alpha(), units }
}

type Tagged = (Vec<(usize, usize)>, BTreeSet<usize>);

/// Which blocks of a document are units for the coders `compared` picks:
/// paragraphs; a footnote too when one of those coders coded it (the notes no
/// one coded, reference notes mostly, would only count as agreement).
fn unit_rule<'a>(d: &'a Document, coding: &Coding, compared: impl Fn(&str) -> bool) -> impl Fn(&Block) -> bool + 'a {
    let coded: BTreeSet<usize> = d
        .blocks
        .iter()
        .filter(|b| matches!(b.kind, BlockKind::Footnote { .. }))
        .filter(|n| coding.live(&d.meta.id).any(|x| compared(&x.coder) && !x.tags.is_empty() && x.start < n.end && x.end > n.start))
        .map(|n| n.start)
        .collect();
    move |b: &Block| match b.kind {
        BlockKind::Heading { .. } => false,
        BlockKind::Footnote { .. } => coded.contains(&b.start),
        BlockKind::Paragraph { .. } => true,
    }
}

/// A coder's spans with a tag in a document (merged; `live` gives them sorted
/// by start), and the units (block indices, as `is_unit` says) they touch.
fn tagged(d: &Document, coding: &Coding, coder: &str, tag: &str, is_unit: impl Fn(&Block) -> bool) -> Tagged {
    let spans = merge(coding.live(&d.meta.id).filter(|x| x.coder == coder && x.has_tag(tag) && x.start < x.end).map(|x| (x.start, x.end)));
    let units = d
        .blocks
        .iter()
        .enumerate()
        .filter(|(_, k)| is_unit(k))
        .filter(|(_, k)| spans.iter().any(|&(s, e)| s < k.end && e > k.start))
        .map(|(i, _)| i)
        .collect();
    (spans, units)
}

fn dice(both: usize, only_a: usize, only_b: usize) -> Option<f64> {
    let d = 2 * both + only_a + only_b;
    (d > 0).then(|| 2.0 * both as f64 / d as f64)
}

/// Which coder gave a tag where the other did not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    A,
    B,
    /// Both gave the tag, to different text (`Disagreement::chars` says how much each).
    Spans,
}

/// A unit where the coders differ on a tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disagreement {
    pub doc: String,
    /// The block's index in its document.
    pub block: usize,
    /// Its citation ("S/2019/103 ¶12", "S/2019/103 n. 9").
    pub cite: String,
    /// The paragraph number, for a link (`None` for a footnote or an unnumbered paragraph).
    pub paragraph: Option<u32>,
    pub tag: String,
    /// The coder who gave the tag, or `Spans`: both did, to different text.
    pub by: Side,
    /// The characters of the unit A and B gave the tag (for `Spans`).
    pub chars: (usize, usize),
    /// Of those, the characters both gave it (for `Spans`: one coder's text may lie
    /// within the other's).
    pub shared: usize,
}

/// Two coders compared.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Comparison {
    /// Per tag, in the order asked.
    pub tags: Vec<(String, Counts)>,
    /// All tags pooled.
    pub all: Counts,
    /// Where they differ, in document and text order, tags in the order asked.
    pub disagreements: Vec<Disagreement>,
}

/// Every coder with annotations in `docs`, with how many each made, by name.
pub fn coders<D: Borrow<Document>>(docs: &[D], coding: &Coding) -> Vec<(String, usize)> {
    let mut out: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    for d in docs {
        for a in coding.live(&d.borrow().meta.id) {
            *out.entry(a.coder.clone()).or_default() += 1;
        }
    }
    // In name order as a class list is read: "ben" with the b's, not after "Ms Rivera".
    let mut out: Vec<(String, usize)> = out.into_iter().collect();
    out.sort_by_cached_key(|(c, _)| (c.to_lowercase(), c.clone()));
    out
}

/// Compares coder `a`'s annotations with coder `b`'s on `tags` over `docs`.
pub fn compare<D: Borrow<Document>>(docs: &[D], coding: &Coding, a: &str, b: &str, tags: &[String]) -> Comparison {
    let mut per_tag: Vec<Counts> = vec![Counts::default(); tags.len()];
    let mut disagreements = Vec::new();
    for d in docs.iter().map(Borrow::borrow) {
        if !coding.live(&d.meta.id).any(|x| x.coder == a || x.coder == b) {
            continue;
        }
        // Per tag: each coder's spans and the units they touch.
        let is_unit = unit_rule(d, coding, |c| c == a || c == b);
        let per: Vec<[Tagged; 2]> =
            tags.iter().map(|tag| [a, b].map(|coder| tagged(d, coding, coder, tag, &is_unit))).collect();
        // Unit by unit, tag by tag: the disagreements come out in text order.
        for (i, block) in d.blocks.iter().enumerate() {
            if !is_unit(block) {
                continue;
            }
            for (t, [(sa, ua), (sb, ub)]) in per.iter().enumerate() {
                let c = &mut per_tag[t];
                let by = match (ua.contains(&i), ub.contains(&i)) {
                    (true, true) => {
                        c.both += 1;
                        // Both gave it: to the same text of this unit?
                        let (ca, cb) = (clip(sa, block.start, block.end), clip(sb, block.start, block.end));
                        (ca != cb).then_some(Side::Spans)
                    }
                    (true, false) => {
                        c.only_a += 1;
                        Some(Side::A)
                    }
                    (false, true) => {
                        c.only_b += 1;
                        Some(Side::B)
                    }
                    (false, false) => {
                        c.neither += 1;
                        None
                    }
                };
                if let Some(by) = by {
                    let (cite, paragraph) = cite_block(d, &block.kind);
                    let (ca, cb) = (clip(sa, block.start, block.end), clip(sb, block.start, block.end));
                    let (chars, shared) = ((length(&ca), length(&cb)), intersection(&ca, &cb));
                    disagreements.push(Disagreement { doc: d.meta.id.clone(), block: i, cite, paragraph, tag: tags[t].clone(), by, chars, shared });
                }
            }
        }
        for (t, [(sa, _), (sb, _)]) in per.iter().enumerate() {
            let both = intersection(sa, sb);
            let c = &mut per_tag[t];
            c.chars_both += both;
            c.chars_only_a += length(sa) - both;
            c.chars_only_b += length(sb) - both;
            let [xa, xb] = [a, b].map(|coder| exact_spans(d, coding, coder, &tags[t]));
            c.spans_a += xa.len();
            c.spans_b += xb.len();
            c.spans_same += xa.intersection(&xb).count();
        }
    }
    let mut all = Counts::default();
    for c in &per_tag {
        all.add(c);
    }
    Comparison { tags: tags.iter().cloned().zip(per_tag).collect(), all, disagreements }
}

fn cite_block(d: &Document, kind: &BlockKind) -> (String, Option<u32>) {
    match kind {
        BlockKind::Paragraph { number: Some(n) } => (d.cite(*n), Some(*n)),
        BlockKind::Footnote { number } => (d.cite_note(*number), None),
        _ => (d.who().to_string(), None),
    }
}

/// Spans sorted by start, merged where they overlap or touch.
fn merge(sorted: impl Iterator<Item = (usize, usize)>) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = Vec::new();
    for (s, e) in sorted {
        match out.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    out
}

/// A coder's distinct spans with a tag in a document, as annotated (not merged).
fn exact_spans(d: &Document, coding: &Coding, coder: &str, tag: &str) -> BTreeSet<(usize, usize)> {
    coding.live(&d.meta.id).filter(|x| x.coder == coder && x.has_tag(tag) && x.start < x.end).map(|x| (x.start, x.end)).collect()
}

/// Merged spans cut to `start..end`.
fn clip(spans: &[(usize, usize)], start: usize, end: usize) -> Vec<(usize, usize)> {
    spans.iter().map(|&(s, e)| (s.max(start), e.min(end))).filter(|(s, e)| s < e).collect()
}

fn length(spans: &[(usize, usize)]) -> usize {
    spans.iter().map(|(s, e)| e - s).sum()
}

/// Characters two merged, sorted span lists share.
fn intersection(a: &[(usize, usize)], b: &[(usize, usize)]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        let (s, e) = (a[i].0.max(b[j].0), a[i].1.min(b[j].1));
        if s < e {
            n += e - s;
        }
        if a[i].1 < b[j].1 { i += 1 } else { j += 1 }
    }
    n
}

/// What a measure was taken over, written on every row of its CSV so that a
/// number read later says how it was made: `over` (every text coded, the texts
/// each coded, or a passage: "S/2019/103 ¶5–18") and whether each tag counted
/// its sub-codes' coding.
#[derive(Debug, Clone, Copy)]
pub struct Settings<'a> {
    pub over: &'a str,
    pub sub_codes: bool,
}

impl Settings<'_> {
    /// Every text coded, each tag alone.
    pub const PLAIN: Settings<'static> = Settings { over: "every text coded", sub_codes: false };

    const COLUMNS: [&'static str; 2] = ["over", "with_sub_codes"];

    fn cells(&self) -> [&str; 2] {
        [self.over, if self.sub_codes { "true" } else { "false" }]
    }
}

/// The comparison as CSV, for pandas or R: a row per tag (its name from
/// `book`, else its id) and one for all tags pooled; the measures with three
/// decimals, empty when undefined; then the [`Settings`], and the tag's id
/// (empty on the pooled row).
pub fn to_csv(r: &Comparison, book: &crate::codebook::Codebook, a: &str, b: &str, settings: Settings<'_>) -> String {
    let mut w = crate::export::CsvOut::new();
    w.row(["coder_a", "coder_b", "tag", "units", "both", "only_a", "only_b", "neither", "percent_agreement", "kappa", "alpha", "precision", "recall", "f1", "char_overlap", "exact_span_f1"].into_iter().chain(Settings::COLUMNS).chain(["tag_id"]));
    // Each tag by its name now, and last by the id it keeps through renames (files of two
    // browsers whose names differ join on it).
    let rows = r.tags.iter().map(|(t, c)| (book.get(t).map_or(t.as_str(), |t| t.name.as_str()), t.as_str(), c)).chain([("(all tags)", "", &r.all)]);
    for (tag, id, c) in rows {
        w.row_with_numbers([a, b, tag], [
            c.units().to_string(),
            c.both.to_string(),
            c.only_a.to_string(),
            c.only_b.to_string(),
            c.neither.to_string(),
        ].into_iter().chain(measures(c)));
        w.then_text(settings.cells().into_iter().chain([id]));
    }
    w.finish(false)
}

/// The measures of a CSV row, three decimals, empty when undefined: percent
/// agreement, kappa, alpha, precision, recall, F1, character overlap, exact-span F1.
fn measures(c: &Counts) -> [String; 8] {
    [c.percent(), c.kappa(), c.alpha(), c.precision(), c.recall(), c.f1(), c.overlap(), c.exact()].map(|x| x.map_or_else(String::new, |x| fixed(x, 3)))
}

/// Everyone against the key as CSV (a gradebook): a row per coder, with their
/// pooled counts and measures against `key`, F1 first (percent agreement
/// counts every unit neither coded as agreement: it stays high for little work),
/// then the [`Settings`], and last a `note` from `note_of` (why a score is what
/// it is: "handed in nothing", "coded none of the texts Key coded"), empty for most.
/// It starts with a byte order mark: a teacher's gradebook opens in Excel, which
/// reads UTF-8 ("¶5–18", accented names) only with one (pandas and readr skip it).
pub fn class_csv(class: &[(String, Counts)], key: &str, settings: Settings<'_>, note_of: &dyn Fn(&str) -> String) -> String {
    let mut w = crate::export::CsvOut::new();
    w.row(["key", "coder", "units", "units_coded", "both", "only_key", "only_coder", "f1", "precision", "recall", "kappa", "alpha", "percent_agreement", "char_overlap", "exact_span_f1"].into_iter().chain(Settings::COLUMNS).chain(["note"]));
    for (coder, c) in class {
        let [percent, kappa, alpha, precision, recall, f1, overlap, exact] = measures(c);
        w.row_with_numbers([key, coder.as_str()], [
            c.units().to_string(),
            (c.both + c.only_b).to_string(),
            c.both.to_string(),
            c.only_a.to_string(),
            c.only_b.to_string(),
            f1, precision, recall, kappa, alpha, percent, overlap, exact,
        ]);
        w.then_text(settings.cells().into_iter().chain([note_of(coder).as_str()]));
    }
    w.finish(true)
}

/// Several coders' alpha as CSV: a row per tag and one for all tags pooled
/// (coders separated by "; "). As in [`to_csv`], the pooled row's units are
/// the units × the tags (each unit judged once per tag). Each set of coders
/// gives its rows (all coders, then every coder but the key, as the page shows).
pub fn alpha_csv(sets: &[(&Reliability, &[String])], book: &crate::codebook::Codebook, settings: Settings<'_>) -> String {
    let mut w = crate::export::CsvOut::new();
    w.row(["coders", "tag", "units", "alpha"].into_iter().chain(Settings::COLUMNS).chain(["tag_id"]));
    for (r, coders) in sets {
        let who = coders.join("; ");
        let rows = r
            .tags
            .iter()
            .map(|(t, a)| (book.get(t).map_or(t.as_str(), |t| t.name.as_str()), t.as_str(), *a, r.units))
            .chain([("(all tags)", "", r.all, r.units * r.tags.len())]);
        for (tag, id, a, units) in rows {
            w.row_with_numbers([who.as_str(), tag], [units.to_string(), a.map_or_else(String::new, |x| fixed(x, 3))]);
            w.then_text(settings.cells().into_iter().chain([id]));
        }
    }
    w.finish(false)
}

/// The agreement page's body as HTML (escaped; the web app sets it as one
/// `innerHTML`, as it does a report's prose): the per-tag table with all
/// tags pooled, "everyone against A" (`class`: each other coder against A,
/// pooled; shown when there are two or more), all coders' alpha (`everyone`,
/// shown for three coders or more), and where A and B differ (the first
/// `listed`), each linking to its paragraph.
#[allow(clippy::too_many_arguments)]
pub fn report_html<D: Borrow<Document>>(
    r: &Comparison,
    class: &[(String, Counts)],
    nothing: &[String],
    everyone: Option<(&Reliability, usize, Option<&Reliability>)>,
    book: &crate::codebook::Codebook,
    docs: &[D],
    (a, b): (&str, &str),
    listed: usize,
    within: Option<(&crate::route::Within, &str)>,
    sub: bool,
) -> String {
    let (within, label) = (within.map(|w| w.0), within.map(|w| w.1));
    use crate::html::escape;
    use crate::route::Route;
    let named = |c: &str| escape(crate::coder_shown(c));
    let tag_name = |t: &str| escape(book.get(t).map_or(t, |t| t.name.as_str()));
    let mut h = String::new();
    let head = |h: &mut String, cols: &[(&str, &str)]| {
        h.push_str("<thead><tr>");
        for (title, label) in cols {
            h.push_str(&format!("<th scope=\"col\" title=\"{}\">{}</th>", escape(title), label));
        }
        h.push_str("</tr></thead><tbody>");
    };
    h.push_str("<div class=\"table-wrap\"><table class=\"agreement\">");
    head(&mut h, &[
        ("", "Tag"),
        ("Units (paragraphs, coded notes) A gave the tag", &named(a)),
        ("Units (paragraphs, coded notes) B gave the tag", &named(b)),
        ("Given it by both", "Both"),
        ("Share of units where both agree (gave it, or did not)", "% agreement"),
        ("Cohen's kappa: agreement beyond chance, −1 to 1", "κ"),
        (ALPHA_TITLE, "α"),
        ("F1 of B against A (A as the key)", "F1"),
        ("The text both gave the tag, character by character (Dice)", "Overlap"),
        (EXACT_TITLE, "Exact spans"),
    ]);
    let rows = r.tags.iter().map(|(t, c)| (tag_name(t), c, "")).chain([("All tags".to_string(), &r.all, " class=\"all\"")]);
    for (name, c, class) in rows {
        h.push_str(&format!(
            "<tr{class}><th scope=\"row\">{name}</th><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            c.both + c.only_a, c.both + c.only_b, c.both, percent(c.percent()), show(c.kappa()), show(c.alpha()), show(c.f1()), show(c.overlap()), show(c.exact())
        ));
    }
    h.push_str("</tbody></table></div>");
    let units = crate::count(r.all.units() / r.tags.len().max(1), "unit");
    h.push_str(&match label {
        Some(l) => format!("<p class=\"count-line\">Over {units}: the paragraphs of {}.</p>", escape(l)),
        None => format!("<p class=\"count-line\">Over {units} (the paragraphs of the texts either coded, and their footnotes where either coded one).</p>"),
    });
    if r.tags.len() > 1 {
        // The CSV's "(all tags)" row counts these pairs as its units.
        let n = r.tags.len();
        h.push_str(&format!(
            "<p class=\"count-line\">All tags pools every tag: {} ({} × {n} tags), as the CSV’s “(all tags)” row counts its units.</p>",
            crate::count(r.all.units(), "judgement"),
            r.all.units() / n
        ));
    }
    h.push_str(MEASURES_HELP);
    if let Some((all, n, others)) = everyone.filter(|(_, n, _)| *n > 2) {
        h.push_str(&format!("<h2>All {n} coders</h2><div class=\"table-wrap\"><table class=\"agreement alpha-table\">"));
        // Beside it, α without A: a class's consistency among its students, without the key.
        let without = format!("Without {}", named(a));
        let mut cols = vec![("", "Tag"), (ALPHA_TITLE, "Krippendorff's α")];
        if others.is_some() {
            cols.push(("Krippendorff's α of every coder but A (a class without its key)", without.as_str()));
        }
        head(&mut h, &cols);
        let alphas = |r: &Reliability| r.tags.iter().map(|(_, a)| *a).chain([r.all]).collect::<Vec<_>>();
        let besides = others.map(alphas);
        let rows = all.tags.iter().map(|(t, _)| (tag_name(t), "")).chain([("All tags".to_string(), " class=\"all\"")]);
        for (i, ((name, class), a)) in rows.zip(alphas(all)).enumerate() {
            let other = besides.as_ref().map(|b| format!("<td>{}</td>", show(b.get(i).copied().flatten()))).unwrap_or_default();
            h.push_str(&format!("<tr{class}><th scope=\"row\">{name}</th><td>{}</td>{other}</tr>", show(a)));
        }
        h.push_str("</tbody></table></div>");
        let over = match label {
            Some(l) => format!("{} of {}", crate::count(all.units, "paragraph"), escape(l)),
            None => format!("{} of the texts any of them coded (footnotes where one of them coded one)", crate::count_as(all.units, "paragraph or note", "paragraphs and notes")),
        };
        h.push_str(&format!(
            "<p class=\"count-line\">Over {over}. At 0.80 or more, coding is usually taken as reliable; 0.67 to 0.80 allows tentative conclusions.</p>"
        ));
    }
    if class.len() > 1 {
        h.push_str(&format!("<h2>Gradebook: everyone against {}</h2><div class=\"table-wrap\"><table class=\"agreement class-table\">", named(a)));
        head(&mut h, &[
            ("", "Coder"),
            ("Paragraph × tag decisions: each paragraph (or note) given a tag counts once per tag", "¶ × tags coded"),
            ("Precision and recall in one: what they found against what the key has", "F1"),
            ("Of theirs, the share the key has too", "Precision"),
            ("Of the key's, the share they found", "Recall"),
            ("", "κ"),
            ("Counts every paragraph neither coded as agreement", "% agreement"),
            ("", "Overlap"),
            (EXACT_TITLE, "Exact spans"),
        ]);
        for (c, k) in class {
            let href = Route::Agreement { a: Some(a.to_string()), b: Some(c.clone()), within: within.cloned(), sub }.to_hash();
            // Handed in nothing: no pair to open.
            let who = if nothing.contains(c) {
                format!("{} <span class=\"hint\">(handed in nothing)</span>", named(c))
            } else {
                format!("<a href=\"{}\">{}</a>", escape(&href), named(c))
            };
            h.push_str(&format!(
                "<tr{}><th scope=\"row\">{who}</th><td>{}</td><td class=\"lead\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                if nothing.contains(c) { " class=\"nothing\"" } else { "" }, k.both + k.only_b, show(k.f1()), show(k.precision()), show(k.recall()), show(k.kappa()), percent(k.percent()), show(k.overlap()), show(k.exact())
            ));
        }
        h.push_str("</tbody></table></div>");
        h.push_str(
            "<p class=\"count-line\">Read F1 first: it weighs what each coder found against what the key has (1.00: the same; 0: nothing in common). \
             % agreement counts every paragraph neither coded as agreement, so it stays high for little or misplaced work. \
             F1 counts paragraphs: a span longer or shorter than the key's, in the same paragraph, is a match; \
             Overlap and Exact spans tell how close the spans are.</p>",
        );
    }
    let n = r.disagreements.len();
    h.push_str(&format!("<h2>Where {} and {} differ · {n}</h2>", named(a), named(b)));
    if n > listed {
        h.push_str(&format!("<p class=\"count-line\">The first {listed}; the CSV has the counts of all.</p>"));
    }
    h.push_str("<ol class=\"segments differ\">");
    for x in r.disagreements.iter().take(listed) {
        let what = match x.by {
            Side::A => format!("only <strong>{}</strong>", named(a)),
            Side::B => format!("only <strong>{}</strong>", named(b)),
            // How the two texts meet: one within the other, overlapping, or apart.
            Side::Spans => {
                let (na, nb) = (crate::count(x.chars.0, "character"), crate::count(x.chars.1, "character"));
                let (sa, sb) = (format!("<strong>{}</strong>", named(a)), format!("<strong>{}</strong>", named(b)));
                if x.shared == x.chars.1 {
                    format!("both; {sb}'s text ({nb}) lies within {sa}'s ({na})")
                } else if x.shared == x.chars.0 {
                    format!("both; {sa}'s text ({na}) lies within {sb}'s ({nb})")
                } else if x.shared > 0 {
                    format!("both, to overlapping text: {sa} {na}, {sb} {nb}, {} in common", x.shared)
                } else {
                    format!("both, to different text: {sa} {na}, {sb} {nb}")
                }
            }
        };
        // A paragraph's link, or a footnote's (`…/n9`: the report opens at the note).
        let href = docs
            .iter()
            .map(Borrow::borrow)
            .find(|d| d.meta.id == x.doc)
            .map(|d| match d.blocks.get(x.block).map(|b| &b.kind) {
                Some(BlockKind::Footnote { number }) => Route::note(&d.meta.id, *number).to_hash(),
                _ => Route::report(&d.meta.id, x.paragraph).to_hash(),
            })
            .unwrap_or_default();
        let colour = book.get(&x.tag).map(|t| t.colour.as_str()).filter(|c| crate::codebook::valid_colour(c)).unwrap_or("");
        h.push_str(&format!(
            "<li style=\"border-left-color:{colour}\"><a class=\"seg-cite\" href=\"{}\">{}</a> · <span class=\"seg-tags\">{}</span> — {what}</li>",
            escape(&href), escape(&x.cite), tag_name(&x.tag)
        ));
    }
    h.push_str("</ol>");
    h
}

const EXACT_TITLE: &str = "F1 of B's spans against A's, counting a span only when it starts and ends at the same character";

/// A student's feedback, as a page of its own to hand back: their coding of the
/// passage `over` (its text `doc`, cut to it, with everyone's `annotations`) beside
/// the key's — F1, precision and recall against it (`counts`), then each paragraph
/// either of them coded, the tags each gave and the text as each highlighted it.
/// Self-contained: no script, no link out, its styles inside.
pub fn feedback_html(
    doc: &Document,
    annotations: &[&crate::annotation::Annotation],
    key: &str,
    student: &str,
    book: &crate::codebook::Codebook,
    counts: &Counts,
    over: &str,
) -> String {
    let two: Vec<&crate::annotation::Annotation> = annotations.iter().copied().filter(|a| a.coder == key || a.coder == student).collect();
    let coders = [key.to_string(), student.to_string()];
    let (grid, css, shown, _) = crate::html::side_by_side(doc, &two, &coders, book, false, false);
    let grid = grid.replace("<details class=\"sbs-block\"", "<details class=\"sbs-block\" open");
    use crate::html::escape;
    let (who, key_name) = (escape(crate::coder_shown(student)), escape(crate::coder_shown(key)));
    let score = |x: Option<f64>| x.map_or_else(|| "—".to_string(), |x| fixed(x, 2));
    let body = if shown == 0 {
        "<p>Neither of you coded anything here.</p>".to_string()
    } else {
        format!("<div class=\"side-by-side\">{grid}</div>")
    };
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>{who}: your coding of {over} against the key</title><style>{FEEDBACK_CSS}\n{css}</style></head><body><main>\
<h1>{who}: your coding of {over}</h1>\
<p class=\"scores\">Against {key_name}'s coding (the key): <strong>F1 {f1}</strong> · precision {p} · recall {r}.</p>\
<p class=\"how\">Precision: how much of what you coded the key has. Recall: how much of the key you found. F1 puts the two together: 1.00 is the key's coding exactly. Below, each paragraph either of you coded: the tags each gave, marked where yours are not the key's, then the text as each highlighted it.</p>\
{body}<p class=\"made\">Made with Marginalia.</p></main></body></html>\n",
        over = escape(over),
        f1 = score(counts.f1()),
        p = score(counts.precision()),
        r = score(counts.recall()),
    )
}

/// The feedback of each coder of `class` against `key` (see [`feedback_html`]),
/// one page each, in a zip: a file per student to hand back.
pub fn feedback_zip(
    doc: &Document,
    annotations: &[&crate::annotation::Annotation],
    key: &str,
    class: &[(String, Counts)],
    book: &crate::codebook::Codebook,
    over: &str,
) -> Vec<u8> {
    let mut names: Vec<String> = Vec::new();
    let entries: Vec<(String, Vec<u8>)> = class
        .iter()
        .map(|(student, counts)| {
            let base = crate::export::file_slug(crate::coder_shown(student));
            let base = if base.is_empty() { "coder".to_string() } else { base };
            // Two names alike once cut to a file name ("Ana B." and "Ana B"): told apart.
            let mut name = format!("{base}.html");
            let mut n = 2;
            while names.contains(&name) {
                name = format!("{base}-{n}.html");
                n += 1;
            }
            names.push(name.clone());
            (name, feedback_html(doc, annotations, key, student, book, counts, over).into_bytes())
        })
        .collect();
    crate::archive::write_zip(&entries)
}

/// A feedback page's own styles (it is read away from the app).
const FEEDBACK_CSS: &str = "body{margin:0;background:#fbfaf7;color:#1d1c1a;font:1rem/1.6 Georgia,\"DejaVu Serif\",serif}\
main{max-width:60rem;margin:0 auto;padding:1.5rem}h1{font-size:1.5rem;line-height:1.25}\
.scores,.how,.made,table,summary,.sbs-who,.sbs-none{font-family:system-ui,\"DejaVu Sans\",sans-serif}\
.how,.made{color:#5b5750;font-size:0.9rem}.sbs-grid{border-collapse:collapse;font-size:0.9rem;margin:1rem 0}\
.sbs-grid th,.sbs-grid td{border:1px solid #dcd7cc;padding:0.3rem 0.5rem;text-align:left;vertical-align:top}\
.sbs-grid td.differs{background:#f6e0d6}.sbs-tag{display:inline-flex;align-items:center;gap:0.25rem;margin-right:0.4rem}\
.swatch{display:inline-block;width:0.7rem;height:0.7rem;border-radius:2px}.sbs-block{margin:0.75rem 0}\
.sbs-block>summary{font-weight:600}.sbs-row{display:grid;grid-template-columns:minmax(6rem,10rem) 1fr;gap:0.75rem;padding:0.4rem 0;border-top:1px solid #dcd7cc}\
.sbs-tags,.sbs-also{display:block;color:#5b5750;font-size:0.85rem}.sbs-text{margin:0;line-height:1.7}.sbs-none{color:#5b5750;font-style:italic;font-size:0.9rem}\
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}.hint{color:#5b5750;font-weight:400}\
.fnref{display:none}.hl{border-radius:1px;background-repeat:no-repeat;padding-bottom:6px;-webkit-box-decoration-break:clone;box-decoration-break:clone}";

/// What each measure says, in a few words, for those who do not hover the headers.
const MEASURES_HELP: &str = "<details class=\"measures-help\"><summary>What the measures mean</summary><dl>\
<dt>F1</dt><dd>B against A as the key: how much of the key B found and how much of B's coding the key has, together. 1.00: the same coding; 0: nothing in common. Read it first.</dd>\
<dt>κ (Cohen's kappa)</dt><dd>Agreement beyond what chance would give: 1 is full agreement, 0 no better than chance, below 0 worse. Above 0.80 is strong, 0.60 to 0.80 substantial.</dd>\
<dt>α (Krippendorff's alpha)</dt><dd>Like κ, for two coders or more and small samples. 0.80 or more is usually taken as reliable; 0.67 to 0.80 allows tentative conclusions.</dd>\
<dt>% agreement</dt><dd>The share of paragraphs both treated alike (both gave the tag, or neither did). With many paragraphs no one codes it stays high for little work.</dd>\
<dt>Overlap</dt><dd>Of the text both gave the tag, the share they highlighted alike, character by character (Dice).</dd>\
<dt>Exact spans</dt><dd>F1 counting a span only when it starts and ends at the same character as the other coder's.</dd>\
<dt>¶ × tags coded</dt><dd>Each paragraph a coder gave a tag, counted once per tag: the decisions they made.</dd>\
</dl></details>";

const ALPHA_TITLE: &str = "Krippendorff's alpha: agreement beyond chance, corrected for small samples, −1 to 1";

/// `x` rounded to `places` decimals, written out ("0.40", "-0.25"; never
/// "-0.00"). By integer arithmetic: float formatting with a precision would
/// add kilobytes of code to the web app for this alone.
fn fixed(x: f64, places: u32) -> String {
    let scale = 10i64.pow(places);
    let n = (x * scale as f64).round() as i64;
    let sign = if n < 0 { "-" } else { "" };
    let (whole, frac) = (n.abs() / scale, n.abs() % scale);
    format!("{sign}{whole}.{frac:0width$}", width = places as usize)
}

/// A measure for a table: two decimals, "—" when undefined.
pub fn show(x: Option<f64>) -> String {
    x.map_or_else(|| "—".to_string(), |x| fixed(x, 2))
}

/// A share as a percentage for a table, to one decimal ("99.7%"), "—" when undefined.
pub fn percent(x: Option<f64>) -> String {
    x.map_or_else(|| "—".to_string(), |x| format!("{}%", fixed(x * 100.0, 1)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::annotation::Annotation;
    use crate::codebook::Codebook;
    use crate::document::{DocumentBuilder, Meta, Piece};
    use proptest::prelude::*;

    fn doc() -> Document {
        let mut b = DocumentBuilder::new();
        b.push(BlockKind::Heading { level: 1 }, &[Piece::Text("Title".into())]);
        for n in 1..=4 {
            b.push(BlockKind::Paragraph { number: Some(n) }, &[Piece::Text(format!("Paragraph {n} has some words."))]);
        }
        b.push(BlockKind::Footnote { number: 1 }, &[Piece::Text("A note.".into())]);
        b.finish(Meta { id: "D".into(), symbol: Some("S/1".into()), ..Meta::default() })
    }

    fn para(d: &Document, n: u32) -> (usize, usize) {
        let b = d.paragraphs().find(|(k, _)| *k == n).unwrap().1;
        (b.start, b.end)
    }

    fn ann(d: &Document, id: &str, coder: &str, span: (usize, usize), tags: &[&str]) -> Annotation {
        let mut a = Annotation::new(d, span.0, span.1, tags[0], coder, id.into(), "t", false).unwrap();
        a.tags = tags.iter().map(|t| t.to_string()).collect();
        a
    }

    fn tags(t: &[&str]) -> Vec<String> {
        t.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn over_a_passage_only_its_paragraphs_count() {
        use crate::route::Within;
        let d = doc();
        let mut other = doc();
        other.meta.id = "E".into();
        let (p1, p2, p3, p4) = (para(&d, 1), para(&d, 2), para(&d, 3), para(&d, 4));
        let mut coding = Coding::new(Codebook::default());
        coding.set_doc("D", vec![
            // The key codes ¶2 and ¶3; the student ¶2 only, and ¶4 (outside the exercise).
            ann(&d, "k2", "Key", p2, &["threat"]),
            ann(&d, "k3", "Key", p3, &["threat"]),
            ann(&d, "s2", "Stu", p2, &["threat"]),
            ann(&d, "s4", "Stu", p4, &["threat"]),
            // Across ¶1 and ¶2: only its part in the passage counts.
            ann(&d, "x", "Stu", (p1.0, p2.0 + 4), &["finance"]),
        ]);
        // A student who coded another text: nothing of theirs is in the passage.
        coding.set_doc("E", vec![ann(&other, "e", "Lost", para(&other, 2), &["threat"])]);
        let docs = vec![d.clone(), other];
        let threat = tags(&["threat"]);
        let whole = compare(&docs, &coding, "Key", "Stu", &threat);
        assert_eq!((whole.all.both, whole.all.only_a, whole.all.only_b, whole.all.neither), (1, 1, 1, 1));
        let w = Within { slug: "D".into(), paragraphs: Some((2, 3)) };
        let (part, scoped) = within(&docs, &coding, &w).unwrap();
        assert_eq!(part.blocks.len(), 2, "¶2 and ¶3 are the units");
        assert_eq!(part.block_text(&part.blocks[0]), d.block_text(&d.blocks[2]));
        let r = compare(&[&part], &scoped, "Key", "Stu", &threat);
        assert_eq!((r.all.both, r.all.only_a, r.all.only_b, r.all.neither), (1, 1, 0, 0), "¶4 is not counted");
        let x = scoped.get("x").unwrap();
        assert_eq!((x.start, x.end), (p2.0, p2.0 + 4), "cut to the passage");
        let lost = compare(&[&part], &scoped, "Key", "Lost", &threat);
        assert_eq!((lost.all.only_a, lost.all.only_b, lost.all.f1()), (2, 0, Some(0.0)), "the wrong text scores nothing");
        assert_eq!(within_label(&d, &w), "S/1 ¶2–3");
        assert_eq!(within_label(&d, &Within { paragraphs: Some((4, 4)), ..w.clone() }), "S/1 ¶4");
        // The whole text: its paragraphs (and notes), not the other text.
        let (all, _) = within(&docs, &coding, &Within { slug: "D".into(), paragraphs: None }).unwrap();
        assert_eq!(all.blocks.len(), d.blocks.len());
        assert!(within(&docs, &coding, &Within { slug: "D".into(), paragraphs: Some((9, 12)) }).is_none(), "no such paragraph");
        assert!(within(&docs, &coding, &Within { slug: "Z".into(), paragraphs: None }).is_none());
        // Texts each coded: "Lost" coded only E, Key and Stu only D.
        let ids = |v: Vec<&Document>| v.into_iter().map(|d| d.meta.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(each_coded(&docs, &coding, &["Key", "Stu"])), ["D"]);
        assert!(each_coded(&docs, &coding, &["Key", "Lost"]).is_empty());
        assert_eq!(ids(each_coded(&docs, &coding, &["Lost"])), ["E"]);
        assert!(within(&docs, &coding, &Within::each_coded()).is_none());
        // Outside the passage, unscored: Stu's ¶4, Lost's other text; x reaches into it, so it is in.
        let out = outside(&docs, &coding, &w);
        let cited = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(out.into_iter().collect::<Vec<_>>(), [("Lost".to_string(), cited(&["S/1 ¶2"])), ("Stu".to_string(), cited(&["S/1 ¶4"]))]);
        let whole = outside(&docs, &coding, &Within { slug: "D".into(), paragraphs: None });
        assert_eq!(whole.into_iter().collect::<Vec<_>>(), [("Lost".to_string(), cited(&["S/1 ¶2"]))]);
        assert!(outside(&docs, &coding, &Within { slug: "Z".into(), paragraphs: None }).is_empty());
    }

    #[test]
    fn kappa_as_in_the_textbook() {
        // 50 units: 20 both, 5 only A, 10 only B, 15 neither: po 0.7, pe 0.5, kappa 0.4.
        let c = Counts { both: 20, only_a: 5, only_b: 10, neither: 15, ..Counts::default() };
        assert!((c.kappa().unwrap() - 0.4).abs() < 1e-9);
        assert!((c.percent().unwrap() - 0.7).abs() < 1e-9);
        assert!((c.f1().unwrap() - 40.0 / 55.0).abs() < 1e-9);
        assert!((c.precision().unwrap() - 20.0 / 30.0).abs() < 1e-9);
        assert!((c.recall().unwrap() - 20.0 / 25.0).abs() < 1e-9);
        // Undefined where it must be.
        let none = Counts { neither: 5, ..Counts::default() };
        assert_eq!((none.kappa(), none.f1(), none.overlap(), none.percent()), (None, None, None, Some(1.0)));
        assert_eq!(Counts::default().percent(), None);
        assert_eq!(show(None), "—");
        assert_eq!(show(Some(0.4)), "0.40");
        assert_eq!(show(Some(-0.003)), "0.00");
        assert_eq!(show(Some(-0.25)), "-0.25");
        assert_eq!(percent(Some(2.0 / 3.0)), "66.7%");
        assert_eq!(percent(None), "—");
        assert_eq!((fixed(1.0, 3), fixed(0.0005, 3), fixed(-1.0, 2), fixed(0.999, 2)), ("1.000".into(), "0.001".into(), "-1.00".into(), "1.00".into()));
    }

    #[test]
    fn two_coders_by_paragraph_and_by_character() {
        let d = doc();
        let mut c = Coding::new(Codebook::default());
        let (s1, e1) = para(&d, 1);
        // ¶1: both give threat, A the whole paragraph, B its second half.
        c.add(ann(&d, "a1", "Ana", (s1, e1), &["threat"]));
        c.add(ann(&d, "b1", "Bo", ((s1 + e1) / 2, e1), &["threat"]));
        // ¶2: only Ana (threat and finance); ¶3: only Bo (finance); ¶4 nobody.
        c.add(ann(&d, "a2", "Ana", para(&d, 2), &["threat", "finance"]));
        c.add(ann(&d, "b3", "Bo", para(&d, 3), &["finance"]));
        // A deleted annotation does not count.
        c.add(ann(&d, "b4", "Bo", para(&d, 4), &["threat"]));
        c.delete("b4", "t2");
        let docs = [d.clone()];
        let r = compare(&docs, &c, "Ana", "Bo", &tags(&["threat", "finance"]));
        let threat = r.tags[0].1;
        assert_eq!((threat.both, threat.only_a, threat.only_b, threat.neither), (1, 1, 0, 2), "4 paragraphs; the note nobody coded is no unit");
        let half = e1 - (s1 + e1) / 2;
        assert_eq!((threat.chars_both, threat.chars_only_b), (half, 0));
        assert_eq!(threat.chars_only_a, (e1 - s1 - half) + (para(&d, 2).1 - para(&d, 2).0));
        let finance = r.tags[1].1;
        assert_eq!((finance.both, finance.only_a, finance.only_b, finance.neither), (0, 1, 1, 2));
        assert_eq!(finance.f1(), Some(0.0));
        assert_eq!(r.all.units(), 8);
        assert_eq!(
            r.disagreements.iter().map(|x| (x.cite.as_str(), x.tag.as_str(), x.by)).collect::<Vec<_>>(),
            [("S/1 ¶1", "threat", Side::Spans), ("S/1 ¶2", "threat", Side::A), ("S/1 ¶2", "finance", Side::A), ("S/1 ¶3", "finance", Side::B)]
        );
        // ¶1: both gave threat, Ana the whole paragraph, Bo its second half.
        assert_eq!(r.disagreements[0].chars, (e1 - s1, half));
        // No span is the same to the character: exact-span F1 0; Ana 2 spans, Bo 1.
        assert_eq!((threat.spans_a, threat.spans_b, threat.spans_same, threat.exact()), (2, 1, 0, Some(0.0)));
        assert_eq!(r.disagreements[1].paragraph, Some(2));
        assert_eq!(coders(&docs, &c), [("Ana".to_string(), 2), ("Bo".to_string(), 2)]);
        let csv = to_csv(&r, &Codebook::default(), "Ana", "Bo", Settings::PLAIN);
        let mut rows = csv::Reader::from_reader(csv.as_bytes());
        assert_eq!(rows.headers().unwrap().iter().nth(9), Some("kappa"));
        assert_eq!(rows.headers().unwrap().iter().nth(10), Some("alpha"));
        let rows: Vec<csv::StringRecord> = rows.records().map(|r| r.unwrap()).collect();
        assert_eq!(rows.len(), 3, "two tags and all tags");
        assert_eq!((&rows[0][2], &rows[0][4], &rows[0][5], &rows[0][7]), ("threat", "1", "1", "2"));
        assert_eq!(&rows[2][2], "(all tags)");
        assert_eq!((&rows[2][16], &rows[2][17]), ("every text coded", "false"));
        assert_eq!(&rows[1][13], "0.000", "finance: no unit in common");
        // As HTML, escaped, with links to the paragraphs.
        let html = report_html(&r, &[], &[], None, &Codebook::default(), &docs, ("Ana", "<Bo>"), 1, None, false);
        assert!(html.contains("Where Ana and &lt;Bo&gt; differ · 4"), "the pair is named");
        assert!(html.contains("&lt;Bo&gt;") && !html.contains("<Bo>"), "names are escaped");
        assert!(html.contains("href=\"#/report/D/p1\""), "{html}");
        assert!(html.contains("both; <strong>&lt;Bo&gt;</strong>'s text (14 characters) lies within <strong>Ana</strong>'s (27 characters)"), "{html}");
        assert!(html.contains("The first 1; the CSV"), "only the first listed");
        assert_eq!(html.matches("<li ").count(), 1);
        assert!(!html.contains("Gradebook"), "one other coder: no class table");
        // What the measures mean, folded under the table, each named as its column is.
        assert!(html.contains("<details class=\"measures-help\"><summary>What the measures mean</summary>"));
        for term in ["F1", "κ (Cohen's kappa)", "α (Krippendorff's alpha)", "% agreement", "Overlap", "Exact spans", "¶ × tags coded"] {
            assert!(html.contains(&format!("<dt>{term}</dt>")), "{term}");
        }
        let units = r.all.units() / 2;
        assert!(html.contains(&format!("Over {units} units")), "{html}");
        assert!(html.contains(&format!("All tags pools every tag: {} judgements ({units} × 2 tags)", r.all.units())), "the pooled row's units, as the CSV counts them: {html}");
        assert_eq!(rows[2][3].parse::<usize>().unwrap(), r.all.units());
        let grades = class_csv(&[("Bo".into(), r.all), ("=Cy".into(), Counts::default())], "Ana", Settings { over: "S/2019/103 ¶5–18", sub_codes: true }, &|c| if c == "=Cy" { "handed in nothing".into() } else { String::new() });
        assert!(grades.starts_with("\u{feff}key,coder,units,"), "a byte order mark first, for Excel: {grades}");
        let rows: Vec<csv::StringRecord> = csv::Reader::from_reader(grades.as_bytes()).records().map(|r| r.unwrap()).collect();
        assert_eq!((&rows[0][0], &rows[0][1], &rows[0][3], &rows[0][7]), ("Ana", "Bo", "2", "0.400"), "F1 first of the measures");
        assert_eq!(&rows[1][1], "'=Cy", "a name is no formula");
        assert_eq!((&rows[0][15], &rows[0][16]), ("S/2019/103 ¶5–18", "true"), "every row says what it was measured over");
        assert_eq!((&rows[0][17], &rows[1][17]), ("", "handed in nothing"), "and, last, why a score is what it is");
        // A negative measure stays a number.
        let below = Counts { only_a: 3, only_b: 3, neither: 1, ..Counts::default() };
        let csv = class_csv(&[("Bo".into(), below)], "Ana", Settings::PLAIN, &|_| String::new());
        assert!(csv.lines().nth(1).unwrap().contains(",-"), "{csv}");
        assert!(!csv.contains('\''), "{csv}");
        // A document neither coded adds nothing.
        let mut other = doc();
        other.meta.id = "E".into();
        let two = [d.clone(), other];
        assert_eq!(compare(&two, &c, "Ana", "Bo", &tags(&["threat"])).all.units(), 4);
        // A note either coded (with any tag) makes the text's notes units for every tag.
        let note = d.blocks.iter().find(|b| matches!(b.kind, BlockKind::Footnote { .. })).unwrap();
        let mut noted = c.clone();
        noted.add(ann(&d, "b5", "Bo", (note.start, note.end), &["prosecution"]));
        let r = compare(&docs, &noted, "Ana", "Bo", &tags(&["threat", "prosecution"]));
        assert_eq!((r.tags[0].1.neither, r.tags[0].1.units()), (3, 5));
        assert_eq!((r.tags[1].1.only_b, r.tags[1].1.neither), (1, 4));
        assert_eq!(r.disagreements.last().map(|x| x.cite.as_str()), Some("S/1 n. 1"));
        // Another coder's note does not.
        let mut theirs = c.clone();
        theirs.add(ann(&d, "z5", "Zed", (note.start, note.end), &["prosecution"]));
        assert_eq!(compare(&docs, &theirs, "Ana", "Bo", &tags(&["threat"])).all.units(), 4);
        // The same coder against itself agrees fully.
        let same = compare(&docs, &c, "Ana", "Ana", &tags(&["threat"]));
        assert_eq!((same.all.kappa(), same.all.f1(), same.all.overlap(), same.all.exact()), (Some(1.0), Some(1.0), Some(1.0), Some(1.0)));
        assert!(same.disagreements.is_empty());
    }

    #[test]
    fn alpha_as_krippendorff_computes_it() {
        // Krippendorff (2011), "Computing Krippendorff's alpha-reliability", binary data,
        // two observers, ten units: alpha 0.095.
        let a = [0, 1, 0, 0, 0, 0, 0, 0, 1, 0];
        let b = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0];
        let mut c = Counts::default();
        for (x, y) in a.iter().zip(b) {
            match (x, y) {
                (1, 1) => c.both += 1,
                (1, 0) => c.only_a += 1,
                (0, 1) => c.only_b += 1,
                _ => c.neither += 1,
            }
        }
        assert_eq!(show(c.alpha()), "0.10");
        assert!((c.alpha().unwrap() - (1.0 - 19.0 * 4.0 / 84.0)).abs() < 1e-12);
        assert_eq!(Counts { neither: 4, ..Counts::default() }.alpha(), None, "one value only");
        assert_eq!(Counts { both: 2, neither: 4, ..Counts::default() }.alpha(), Some(1.0));

        // Three coders over ¶1–4 (a note none coded is no unit): A and B give ¶1 and ¶2 the
        // tag, C only ¶1.
        let d = doc();
        let mut k = Coding::new(Codebook::default());
        for (coder, paras) in [("A", &[1, 2][..]), ("B", &[1, 2]), ("C", &[1])] {
            for p in paras {
                k.add(ann(&d, &format!("{coder}{p}"), coder, para(&d, *p), &["threat"]));
            }
        }
        // C also gives finance to ¶3: nobody else does.
        k.add(ann(&d, "Cf", "C", para(&d, 3), &["finance"]));
        let docs = [d.clone()];
        let three = tags(&["A", "B", "C"]);
        let three_tags = tags(&["threat", "finance", "prosecution"]);
        let r = alpha(&docs, &k, &three, &three_tags);
        assert_eq!(r.units, 4);
        // n₁ = 5, n₀ = 7, o₀₁ = 2·1/2 = 1: alpha = 1 − 11·1/35.
        assert!((r.tags[0].1.unwrap() - (1.0 - 11.0 / 35.0)).abs() < 1e-12, "{r:?}");
        // finance: one value of 12 differs: n₁ = 1, n₀ = 11, o₀₁ = 1: 1 − 11/11.
        assert_eq!(r.tags[1].1, Some(0.0));
        assert_eq!(r.tags[2].1, None, "nobody gave it: undefined");
        // Pooled: n₁ = 6, n₀ = 30 (three tags × 12 values, less 6), o₀₁ = 2.
        assert!((r.all.unwrap() - (1.0 - 35.0 * 2.0 / (6.0 * 30.0))).abs() < 1e-12);
        // C codes the note (another tag): the note is a unit, and threat's alpha is over 15 values.
        let note = d.blocks.iter().find(|b| matches!(b.kind, BlockKind::Footnote { .. })).unwrap();
        k.add(ann(&d, "Cn", "C", (note.start, note.end), &["prosecution"]));
        let r = alpha(&docs, &k, &three, &tags(&["threat", "finance"]));
        assert_eq!(r.units, 5);
        // n₁ = 5, n₀ = 10, o₀₁ = 2·1/2 = 1: alpha = 1 − 14·1/50.
        assert!((r.tags[0].1.unwrap() - 0.72).abs() < 1e-12, "{r:?}");
        // finance: one value of 15 differs: n₁ = 1, n₀ = 14, o₀₁ = 2·1/2: 1 − 14/14.
        assert_eq!(r.tags[1].1, Some(0.0));
        // Pooled: n₁ = 6, n₀ = 24 (two tags × 15 values, less 6), o₀₁ = 2.
        assert!((r.all.unwrap() - (1.0 - 29.0 * 2.0 / (6.0 * 24.0))).abs() < 1e-12);
        // Coders who coded nothing here add no unit.
        assert_eq!(alpha(&docs, &k, &tags(&["X", "Y"]), &tags(&["threat"])).units, 0);
        // On the page: all three, and beside it every coder but A (a class without its key).
        let two = tags(&["threat", "finance"]);
        let (all, others) = (alpha(&docs, &k, &three, &two), alpha(&docs, &k, &tags(&["B", "C"]), &two));
        let r = compare(&docs, &k, "A", "B", &two);
        let html = report_html(&r, &[], &[], Some((&all, 3, Some(&others))), &Codebook::default(), &docs, ("A", "B"), 10, None, false);
        assert!(html.contains("<h2>All 3 coders</h2>") && html.contains(">Without A</th>"), "{html}");
        let row = format!("<tr><th scope=\"row\">threat</th><td>{}</td><td>{}</td></tr>", show(all.tags[0].1), show(others.tags[0].1));
        assert!(html.contains(&row), "{html}");
        assert_ne!(all.tags[0].1, others.tags[0].1, "B and C differ on ¶2, where A sides with B");
        let plain = report_html(&r, &[], &[], Some((&all, 3, None)), &Codebook::default(), &docs, ("A", "B"), 10, None, false);
        assert!(!plain.contains("Without"));
        // The α CSV gives both, as the page does: the rows of all three, then those of B and C.
        let (abc, bc) = (tags(&["A", "B", "C"]), tags(&["B", "C"]));
        let csv = alpha_csv(&[(&all, &abc), (&others, &bc)], &Codebook::default(), Settings::PLAIN);
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 1 + 2 * 3, "{csv}");
        assert!(lines[1].starts_with(&format!("A; B; C,threat,{},{}", all.units, fixed(all.tags[0].1.unwrap(), 3))), "{csv}");
        assert!(lines[4].starts_with(&format!("B; C,threat,{},{}", others.units, fixed(others.tags[0].1.unwrap(), 3))), "{csv}");
        assert!(lines[6].starts_with(&format!("B; C,(all tags),{},", others.units * 2)), "{csv}");
        // Each tag's id last (files whose names differ join on it); none on the pooled row.
        assert!(lines[1].ends_with(",every text coded,false,threat") && lines[3].ends_with(",false,"), "{csv}");
        // A student who handed in nothing: a row of their own, F1 0 against what A coded, and no pair to open.
        let chloe = compare(&docs, &k, "A", "Chloe", &two).all;
        assert_eq!((chloe.both, chloe.only_b, chloe.f1()), (0, 0, Some(0.0)));
        let class = [("B".to_string(), r.all), ("Chloe".to_string(), chloe)];
        let html = report_html(&r, &class, &["Chloe".to_string()], None, &Codebook::default(), &docs, ("A", "B"), 10, None, false);
        assert!(html.contains("<tr class=\"nothing\"><th scope=\"row\">Chloe <span class=\"hint\">(handed in nothing)</span></th><td>0</td><td class=\"lead\">0.00</td>"), "{html}");
        assert!(html.contains("<a href=\"#/agreement?a=A&amp;b=B\">B</a>"), "{html}");
        let grades = class_csv(&class, "A", Settings::PLAIN, &|c| if c == "Chloe" { "handed in nothing".into() } else { String::new() });
        assert!(grades.lines().nth(2).is_some_and(|l| l.starts_with("A,Chloe,") && l.contains(",0,0,")), "{grades}");
    }

    /// The test document coded by coders A and B: (start, length, A?, threat or finance).
    fn coded(spans: &[(usize, usize, bool, usize)]) -> (Document, Coding) {
        let d = doc();
        let len = d.text.chars().count();
        let mut c = Coding::new(Codebook::default());
        for (i, (s, l, who, t)) in spans.iter().enumerate() {
            let s = s % len;
            let e = (s + l).min(len);
            if let Some(a) = Annotation::new(&d, s, e, ["threat", "finance"][*t], if *who { "A" } else { "B" }, format!("x{i}"), "t", false) {
                c.add(a);
            }
        }
        (d, c)
    }

    #[test]
    fn each_student_gets_a_page_of_feedback_against_the_key() {
        // A at ¶1 threat (the key), B the same and more; a third coder's work is not on B's page.
        let (d, mut c) = coded(&[(7, 20, true, 0), (7, 20, false, 0), (36, 10, false, 1)]);
        c.add(Annotation::new(&d, 36, 46, "threat", "Cy", "y1".into(), "t", false).unwrap());
        let docs = [d];
        let t = tags(&["threat", "finance"]);
        let class: Vec<(String, Counts)> = ["B", "Cy"].iter().map(|s| (s.to_string(), compare(&docs, &c, "A", s, &t).all)).collect();
        let live: Vec<_> = c.live("D").collect();
        let page = feedback_html(&docs[0], &live, "A", "B", &c.codebook, &class[0].1, "S/1 ¶1–4");
        assert!(page.starts_with("<!doctype html>") && page.contains("<title>B: your coding of S/1 ¶1–4 against the key</title>"));
        assert!(page.contains("Against A's coding (the key): <strong>F1 0.67</strong> · precision 0.50 · recall 1.00."), "{page}");
        // The two of them only, every paragraph open, nothing that links out or runs.
        assert!(page.contains("<th scope=\"row\">A <span class=\"hint\">(A)</span></th>") && page.contains("<th scope=\"row\">B</th>"));
        assert!(!page.contains(">Cy<") && !page.contains("data-ids=\"y1\""));
        assert!(page.contains("<details class=\"sbs-block\" open"));
        assert!(!page.contains("<a ") && !page.contains("<script"), "{page}");
        // A zip of a page per student, named by them.
        let zip = feedback_zip(&docs[0], &live, "A", &class, &c.codebook, "S/1 ¶1–4");
        let entries = crate::archive::read_zip(&zip).unwrap();
        assert_eq!(entries.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(), ["B.html", "Cy.html"]);
        assert!(String::from_utf8_lossy(&entries[1].1).contains("<h1>Cy: your coding of S/1 ¶1–4</h1>"));
    }

    #[test]
    fn where_both_gave_a_tag_the_page_says_how_their_texts_meet() {
        let said = |spans: &[(usize, usize, bool, usize)]| {
            let (d, c) = coded(spans);
            let docs = [d];
            let r = compare(&docs, &c, "A", "B", &tags(&["threat"]));
            let html = report_html(&r, &[], &[], None, &Codebook::default(), &docs, ("A", "B"), 10, None, false);
            html.split("</span> — ").nth(1).and_then(|x| x.split("</li>").next()).unwrap_or_default().to_string()
        };
        // Paragraph 1 is "Paragraph 1 has some words." from character 7 on.
        let at = 7;
        assert_eq!(said(&[(at, 20, true, 0), (at + 2, 5, false, 0)]), "both; <strong>B</strong>'s text (5 characters) lies within <strong>A</strong>'s (20 characters)");
        assert_eq!(said(&[(at + 2, 5, true, 0), (at, 20, false, 0)]), "both; <strong>A</strong>'s text (5 characters) lies within <strong>B</strong>'s (20 characters)");
        assert_eq!(said(&[(at, 11, true, 0), (at + 5, 10, false, 0)]), "both, to overlapping text: <strong>A</strong> 11 characters, <strong>B</strong> 10 characters, 6 in common");
        assert_eq!(said(&[(at, 5, true, 0), (at + 10, 5, false, 0)]), "both, to different text: <strong>A</strong> 5 characters, <strong>B</strong> 5 characters");
    }

    proptest! {
        #[test]
        fn alpha_of_two_coders_is_scotts_pi_corrected(spans in proptest::collection::vec((0usize..120, 1usize..40, any::<bool>(), 0usize..2), 0..12)) {
            let (d, c) = coded(&spans);
            let docs = [d];
            let t = tags(&["threat", "finance"]);
            let pair = compare(&docs, &c, "A", "B", &t);
            let r = alpha(&docs, &c, &tags(&["A", "B"]), &t);
            for ((_, counts), (_, a)) in pair.tags.iter().zip(&r.tags) {
                prop_assert_eq!(counts.alpha(), *a);
                if let Some(a) = a {
                    // Scott's pi from the same table; alpha = 1 − (1 − pi)(2N − 1)/2N.
                    let n = counts.units() as f64;
                    let yes = (2 * counts.both + counts.only_a + counts.only_b) as f64 / (2.0 * n);
                    let pe = yes * yes + (1.0 - yes) * (1.0 - yes);
                    let pi = (counts.percent().unwrap() - pe) / (1.0 - pe);
                    prop_assert!((a - (1.0 - (1.0 - pi) * (2.0 * n - 1.0) / (2.0 * n))).abs() < 1e-9);
                    prop_assert!(*a <= 1.0 + 1e-12);
                }
            }
            prop_assert_eq!(r.units * t.len(), pair.all.units());
        }

        #[test]
        fn measures_stay_in_range_and_are_symmetric(spans in proptest::collection::vec((0usize..120, 1usize..40, any::<bool>(), 0usize..2), 0..12)) {
            let (d, c) = coded(&spans);
            let docs = [d];
            let t = tags(&["threat", "finance"]);
            let ab = compare(&docs, &c, "A", "B", &t);
            let ba = compare(&docs, &c, "B", "A", &t);
            for x in [ab.all.percent(), ab.all.f1(), ab.all.overlap()].into_iter().flatten() {
                prop_assert!((0.0..=1.0).contains(&x));
            }
            if let Some(k) = ab.all.kappa() {
                prop_assert!((-1.0..=1.0 + 1e-9).contains(&k));
                prop_assert!((k - ba.all.kappa().unwrap()).abs() < 1e-9, "kappa is symmetric");
            }
            prop_assert_eq!(ab.all.f1(), ba.all.f1());
            prop_assert_eq!(ab.all.overlap(), ba.all.overlap());
            prop_assert_eq!(ab.disagreements.iter().filter(|x| x.by != Side::Spans).count(), ab.all.only_a + ab.all.only_b);
            prop_assert!(ab.disagreements.iter().filter(|x| x.by == Side::Spans).count() <= ab.all.both);
            prop_assert_eq!(ab.all.exact(), ba.all.exact(), "exact-span F1 is symmetric");
            if let Some(x) = ab.all.exact() {
                prop_assert!((0.0..=1.0).contains(&x));
            }
        }
    }
}
