//! The codebook: the tags a coder applies, with colours, keys and descriptions.

use serde::{Deserialize, Serialize};

use crate::annotation::Annotation;

/// One tag (code).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tag {
    /// Stable id, used by annotations; never shown.
    pub id: String,
    pub name: String,
    /// `#rrggbb`.
    pub colour: String,
    /// The key that applies it ('1'..='9').
    #[serde(default)]
    pub key: Option<char>,
    #[serde(default)]
    pub description: String,
    /// How its highlights are drawn without colour (print, greyscale, colour
    /// blindness). `None` (codebooks saved before styles existed): by the tag's
    /// place in the codebook, see [`Codebook::pattern`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub style: Option<Underline>,
    /// The tag this one is a sub-code of (its id), as in a QDA program's code
    /// tree; `None` at the top. A tag with sub-codes is codable itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
}

/// Underline styles, so that tags differ without colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Underline {
    Solid,
    Dashed,
    Dotted,
    Double,
    Wavy,
}

impl Underline {
    pub const ALL: [Underline; 5] = [Underline::Solid, Underline::Dashed, Underline::Dotted, Underline::Double, Underline::Wavy];

    /// The name, also the CSS `text-decoration-style` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Underline::Solid => "solid",
            Underline::Dashed => "dashed",
            Underline::Dotted => "dotted",
            Underline::Double => "double",
            Underline::Wavy => "wavy",
        }
    }
}

/// The codebook: tags in display order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Codebook {
    pub tags: Vec<Tag>,
}

/// Colours distinguishable by colour-blind readers (Okabe–Ito first, then
/// Paul Tol's muted colours and a few more), dark enough to draw on a light
/// page and light enough on a dark one. A new tag takes the first no tag has.
pub const PALETTE: [&str; 16] = [
    "#d55e00", "#0072b2", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#8a6d00", "#6a3d9a",
    "#cc6677", "#117733", "#aa4499", "#44aa99", "#999933", "#882255", "#7f7f7f", "#d62728",
];

/// Band styles, so that tags also differ without colour (print, greyscale).
pub const PATTERNS: [&str; 5] = ["solid", "dashed", "dotted", "double", "wavy"];

fn tag(id: &str, colour: &str, key: char, style: Underline, description: &str) -> Tag {
    Tag { id: id.into(), name: id.into(), colour: colour.into(), key: Some(key), description: description.into(), style: Some(style), parent: None }
}

impl Default for Codebook {
    fn default() -> Self {
        Codebook {
            tags: vec![
                tag("threat", PALETTE[0], '1', Underline::Solid, "The threat ISIL (Da'esh) and its affiliates pose: attacks carried out, planned or inspired, \
                    the group's capabilities, leadership, fighters and reach in a region. Not the responses of States or the \
                    United Nations to it (code those by what they do). Example: \"ISIL continues to aspire to global relevance, \
                    in particular through its affiliates and inspired attacks\"."),
                tag("finance", PALETTE[1], '2', Underline::Dashed, "How the group raises, holds and moves money: extortion, oil and gas revenues, \
                    kidnapping for ransom, investments, hawala and money-service businesses, and the measures that counter the \
                    financing of terrorism. Not the cost of programmes of the United Nations. Example: \"it could continue to \
                    obtain funds through extortion and the control of checkpoints\"."),
                tag("repatriation", PALETTE[2], '3', Underline::Dotted, "Foreign terrorist fighters and their families returning, relocating or \
                    being brought home: returnees, detainees and dependants in camps, women and children, processing and \
                    repatriation by Member States. Not their prosecution once home (code prosecution). Example: \"the urgent \
                    need to address the processing and repatriation of detainees and internally displaced persons\"."),
                tag("prosecution", PALETTE[3], '4', Underline::Double, "Bringing terrorists to justice: investigation, evidence (including \
                    battlefield and digital evidence), prosecution, courts and sentencing, and the rehabilitation and \
                    reintegration that follow. Not intelligence sharing or border controls. Example: \"States face significant \
                    challenges in their efforts to collect admissible evidence\"."),
            ],
        }
    }
}

/// Tags' names listed for reading ("threat, finance"): a name with a comma
/// in it is quoted, so that it does not read as two tags
/// ("threat, “returns, repatriation”").
pub fn name_list<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = String::new();
    for (i, n) in names.into_iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        if n.contains(',') {
            out.push('“');
            out.push_str(n);
            out.push('”');
        } else {
            out.push_str(n);
        }
    }
    out
}

/// Why a codebook could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodebookError(pub String);

impl std::fmt::Display for CodebookError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

pub(crate) fn valid_colour(c: &str) -> bool {
    c.len() == 7 && c.starts_with('#') && c[1..].bytes().all(|b| b.is_ascii_hexdigit())
}

/// The page behind highlights, light and dark (`--bg` of the stylesheet).
const PAGES: [(&str, &str); 2] = [("light", "#fbfaf7"), ("dark", "#161513")];

/// Below this contrast with the page, a highlight's band all but disappears.
/// (The palette's lightest colours stand at about 2 against the light page.)
const FAINT: f64 = 1.6;

/// The pages (`"light"`, `"dark"`) on which a colour (`#rrggbb`) is too faint
/// to see a highlight by: a near-white colour on the light page, a near-black
/// one on the dark.
pub fn faint_on(colour: &str) -> Vec<&'static str> {
    if !valid_colour(colour) {
        return Vec::new();
    }
    PAGES.iter().filter(|(_, bg)| contrast(colour, bg) < FAINT).map(|(name, _)| *name).collect()
}

/// WCAG's contrast ratio of two `#rrggbb` colours (1 to 21).
fn contrast(a: &str, b: &str) -> f64 {
    let luminance = |c: &str| {
        let channel = |i: usize| {
            let v = f64::from(u8::from_str_radix(&c[i..i + 2], 16).unwrap_or(0)) / 255.0;
            if v <= 0.04045 { v / 12.92 } else { ((v + 0.055) / 1.055).powf(2.4) }
        };
        0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5)
    };
    let (x, y) = (luminance(a), luminance(b));
    (x.max(y) + 0.05) / (x.min(y) + 0.05)
}

impl Codebook {
    pub fn get(&self, id: &str) -> Option<&Tag> {
        self.tags.iter().find(|t| t.id == id)
    }

    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.tags.iter().position(|t| t.id == id)
    }

    /// The tag applied by `key`.
    pub fn by_key(&self, key: char) -> Option<&Tag> {
        self.tags.iter().find(|t| t.key == Some(key))
    }

    /// The underline style of a tag: its own, else by its place in the codebook.
    pub fn style(&self, id: &str) -> Underline {
        let i = self.index_of(id).unwrap_or(0);
        self.tags.get(i).and_then(|t| t.style).unwrap_or(Underline::ALL[i % Underline::ALL.len()])
    }

    /// The band pattern of a tag ([`Codebook::style`] as a CSS name).
    pub fn pattern(&self, id: &str) -> &'static str {
        self.style(id).as_str()
    }

    /// The least used style (the first of those), for a new tag.
    fn next_style(&self) -> Underline {
        let used = |u: Underline| self.tags.iter().filter(|t| self.style(&t.id) == u).count();
        Underline::ALL.into_iter().min_by_key(|u| used(*u)).unwrap_or(Underline::Solid)
    }

    pub fn set_style(&mut self, id: &str, style: Underline) {
        if let Some(t) = self.tags.iter_mut().find(|t| t.id == id) {
            t.style = Some(style);
        }
    }

    /// Adds a tag named `name` with the next free colour and key; returns its id.
    pub fn add(&mut self, name: &str) -> Result<String, CodebookError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(CodebookError("A tag needs a name.".into()));
        }
        if let Some(t) = self.tags.iter().find(|t| t.name.eq_ignore_ascii_case(name)) {
            return Err(CodebookError(format!("There is already a tag named \"{}\".", t.name)));
        }
        let id = self.new_id(name);
        let colour = self.free_colour();
        let key = self.free_key();
        let style = Some(self.next_style());
        self.tags.push(Tag { id: id.clone(), name: name.into(), colour, key, description: String::new(), style, parent: None });
        Ok(id)
    }

    /// Adds a tag with the given id, named after it (with a number when the name is
    /// taken), for annotations that carry a tag this codebook lacks.
    pub fn add_with_id(&mut self, id: &str) {
        if self.get(id).is_some() {
            return;
        }
        let base: String = id.trim().chars().take(72).collect();
        let base = if base.is_empty() { "tag".to_string() } else { base };
        let taken = |book: &Codebook, name: &str| book.tags.iter().any(|t| t.name.trim().eq_ignore_ascii_case(name));
        let mut name = base.clone();
        let mut n = 2;
        while taken(self, &name) {
            name = format!("{base} ({n})");
            n += 1;
        }
        let (colour, key, style) = (self.free_colour(), self.free_key(), Some(self.next_style()));
        self.tags.push(Tag { id: id.into(), name, colour, key, description: String::new(), style, parent: None });
    }

    /// An id for a new tag named `name`, not used by any tag here.
    fn new_id(&self, name: &str) -> String {
        let base: String = name.trim().to_lowercase().chars().map(|c| if c.is_alphanumeric() { c } else { '-' }).collect();
        let mut id = base.clone();
        let mut n = 2;
        while self.get(&id).is_some() {
            id = format!("{base}-{n}");
            n += 1;
        }
        id
    }

    /// The first palette colour no tag has (the palette again when all are taken).
    pub(crate) fn free_colour(&self) -> String {
        PALETTE
            .iter()
            .find(|c| !self.tags.iter().any(|t| t.colour.eq_ignore_ascii_case(c)))
            .unwrap_or(&PALETTE[self.tags.len() % PALETTE.len()])
            .to_string()
    }

    fn free_key(&self) -> Option<char> {
        ('1'..='9').find(|k| self.by_key(*k).is_none())
    }

    /// Renames a tag; names stay unique and non-empty.
    pub fn rename(&mut self, id: &str, name: &str) -> Result<(), CodebookError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(CodebookError("A tag needs a name.".into()));
        }
        if let Some(t) = self.tags.iter().find(|t| t.id != id && t.name.eq_ignore_ascii_case(name)) {
            return Err(CodebookError(format!("There is already a tag named \"{}\".", t.name)));
        }
        if let Some(t) = self.tags.iter_mut().find(|t| t.id == id) {
            t.name = name.to_string();
        }
        Ok(())
    }

    /// Gives a tag a key; a tag that had that key takes this tag's old one
    /// (the two swap; keys stay unique).
    pub fn set_key(&mut self, id: &str, key: Option<char>) {
        let key = key.filter(|k| ('1'..='9').contains(k));
        let old = self.get(id).and_then(|t| t.key);
        for t in &mut self.tags {
            if t.id == id {
                t.key = key;
            } else if key.is_some() && t.key == key {
                t.key = old;
            }
        }
    }

    pub fn set_colour(&mut self, id: &str, colour: &str) -> Result<(), CodebookError> {
        if !valid_colour(colour) {
            return Err(CodebookError("A colour is written #rrggbb.".into()));
        }
        if let Some(t) = self.tags.iter_mut().find(|t| t.id == id) {
            t.colour = colour.to_ascii_lowercase();
        }
        Ok(())
    }

    pub fn set_description(&mut self, id: &str, text: &str) {
        if let Some(t) = self.tags.iter_mut().find(|t| t.id == id) {
            t.description = text.trim().to_string();
        }
    }

    /// Moves a tag up (`-1`) or down (`+1`) among the tags of its level (with
    /// its sub-codes).
    pub fn move_tag(&mut self, id: &str, delta: isize) {
        let Some(tag) = self.get(id) else { return };
        let parent = tag.parent.clone();
        let mut siblings: Vec<String> = self.tags.iter().filter(|t| t.parent == parent).map(|t| t.id.clone()).collect();
        let Some(i) = siblings.iter().position(|s| s == id) else { return };
        let j = i as isize + delta;
        if j >= 0 && (j as usize) < siblings.len() {
            siblings.swap(i, j as usize);
            let rank: std::collections::HashMap<&str, usize> = siblings.iter().enumerate().map(|(r, s)| (s.as_str(), r)).collect();
            // The siblings take their places in the new order; the others keep theirs.
            let slots: Vec<usize> = (0..self.tags.len()).filter(|&k| rank.contains_key(self.tags[k].id.as_str())).collect();
            let mut moved: Vec<Tag> = slots.iter().map(|&k| self.tags[k].clone()).collect();
            moved.sort_by_key(|t| rank[t.id.as_str()]);
            for (k, t) in slots.into_iter().zip(moved) {
                self.tags[k] = t;
            }
            self.tidy();
        }
    }

    /// Moves a tag to place `to` (clamped) in the order.
    pub fn move_to(&mut self, id: &str, to: usize) {
        if let Some(i) = self.index_of(id) {
            let t = self.tags.remove(i);
            self.tags.insert(to.min(self.tags.len()), t);
            self.tidy();
        }
    }

    /// The tag's parent, if it is a sub-code.
    pub fn parent_of(&self, id: &str) -> Option<&Tag> {
        self.get(id)?.parent.as_deref().and_then(|p| self.get(p))
    }

    /// How deep a tag sits in the tree: 0 at the top.
    pub fn depth(&self, id: &str) -> usize {
        self.ancestors(id).len()
    }

    /// A tag's parent, its parent's parent and so on up to the top (at most as
    /// many as there are tags, should a loop not yet be mended by [`Codebook::tidy`]).
    fn ancestors(&self, id: &str) -> Vec<&Tag> {
        let mut out: Vec<&Tag> = Vec::new();
        let mut at = self.parent_of(id);
        while let Some(p) = at.filter(|_| out.len() < self.tags.len()) {
            out.push(p);
            at = self.parent_of(&p.id);
        }
        out
    }

    /// The tag and every sub-code under it, at any depth, in codebook order.
    pub fn family(&self, id: &str) -> Vec<&str> {
        let mut out = vec![];
        if let Some(t) = self.get(id) {
            out.push(t.id.as_str());
        }
        let mut i = 0;
        while i < out.len() {
            let here = out[i];
            let children: Vec<&str> =
                self.tags.iter().filter(|t| t.parent.as_deref() == Some(here) && !out.contains(&t.id.as_str())).map(|t| t.id.as_str()).collect();
            out.extend(children);
            i += 1;
        }
        out.sort_by_key(|t| self.index_of(t));
        out
    }

    /// A tag's name with its parents' ("threat › attacks"), as a QDA program shows a code's path.
    pub fn path(&self, id: &str) -> String {
        self.path_past(id, None)
    }

    /// Tag `id`'s path as it reads once tag `gone` is deleted (its sub-codes move
    /// up to its parent): where a deleted tag's annotations may be moved to.
    pub fn path_without(&self, id: &str, gone: &str) -> String {
        self.path_past(id, Some(gone))
    }

    fn path_past(&self, id: &str, gone: Option<&str>) -> String {
        let Some(t) = self.get(id) else { return id.to_string() };
        let mut names: Vec<&str> = self.ancestors(id).iter().rev().filter(|p| Some(p.id.as_str()) != gone).map(|p| p.name.as_str()).collect();
        names.push(&t.name);
        names.join(" › ")
    }

    /// `tags` with the ancestors of each added after them (once each): a coding
    /// with a sub-code counts for its parent, and its parent's parent, too
    /// (NVivo's aggregate coding).
    pub fn with_ancestors(&self, tags: &[String]) -> Vec<String> {
        let mut out = tags.to_vec();
        for t in tags {
            for p in self.ancestors(t) {
                if !out.contains(&p.id) {
                    out.push(p.id.clone());
                }
            }
        }
        out
    }

    /// Puts a tag under another (`None`: at the top). A tag cannot go under
    /// itself or one of its own sub-codes. It moves, with its sub-codes, to
    /// the end of its new parent's.
    pub fn set_parent(&mut self, id: &str, parent: Option<&str>) -> Result<(), CodebookError> {
        let Some(name) = self.get(id).map(|t| t.name.clone()) else { return Ok(()) };
        if let Some(p) = parent {
            let Some(pt) = self.get(p) else {
                return Err(CodebookError(format!("There is no tag \"{p}\" to put {name} under.")));
            };
            if self.family(id).contains(&p) {
                let why = if p == id { "itself".to_string() } else { format!("{}, one of its own sub-codes", pt.name) };
                return Err(CodebookError(format!("{name} cannot go under {why}.")));
            }
        }
        let family: Vec<String> = self.family(id).into_iter().map(str::to_string).collect();
        let moving: Vec<Tag> = self.tags.iter().filter(|t| family.contains(&t.id)).cloned().collect();
        self.tags.retain(|t| !family.contains(&t.id));
        // After the new parent's last sub-code (or at the end of the top level).
        let at = match parent {
            Some(p) => self.family(p).last().and_then(|l| self.index_of(l)).map_or(self.tags.len(), |i| i + 1),
            None => self.tags.len(),
        };
        for (k, mut t) in moving.into_iter().enumerate() {
            if t.id == id {
                t.parent = parent.map(str::to_string);
            }
            self.tags.insert(at + k, t);
        }
        self.tidy();
        Ok(())
    }

    /// Keeps the tree sound, whatever a file or an edit left: a parent that is
    /// not a tag here, or that would make a loop, is dropped (the tag goes to
    /// the top); and every tag's sub-codes follow it, in their order, so that
    /// the codebook's order is the tree's, read top to bottom.
    pub fn tidy(&mut self) {
        let ids: std::collections::HashSet<String> = self.tags.iter().map(|t| t.id.clone()).collect();
        for i in 0..self.tags.len() {
            if self.tags[i].parent.as_ref().is_some_and(|p| !ids.contains(p) || *p == self.tags[i].id) {
                self.tags[i].parent = None;
            }
        }
        // Break loops: walking up from a tag must reach the top.
        for i in 0..self.tags.len() {
            let mut seen = vec![self.tags[i].id.clone()];
            let mut at = self.tags[i].parent.clone();
            while let Some(p) = at {
                if seen.contains(&p) {
                    self.tags[i].parent = None;
                    break;
                }
                seen.push(p.clone());
                at = self.get(&p).and_then(|t| t.parent.clone());
            }
        }
        let mut order: Vec<Tag> = Vec::with_capacity(self.tags.len());
        fn visit(tags: &[Tag], parent: Option<&str>, order: &mut Vec<Tag>) {
            for t in tags.iter().filter(|t| t.parent.as_deref() == parent) {
                order.push(t.clone());
                visit(tags, Some(&t.id), order);
            }
        }
        visit(&self.tags, None, &mut order);
        if order.len() == self.tags.len() {
            self.tags = order;
        }
    }

    /// Puts the tags in the order of `ids`; tags not named keep their relative
    /// order after them. Unknown ids are ignored.
    pub fn reorder(&mut self, ids: &[&str]) {
        let rank = |t: &Tag| ids.iter().position(|i| *i == t.id).unwrap_or(ids.len());
        self.tags.sort_by_key(rank);
        self.tidy();
    }

    /// Removes a tag from the codebook (its annotations are rewritten by the caller;
    /// see [`Codebook::delete`] and [`Codebook::merge_into`] to do both).
    pub fn remove(&mut self, id: &str) {
        // Its sub-codes take its place in the tree.
        let up = self.get(id).and_then(|t| t.parent.clone());
        for t in self.tags.iter_mut().filter(|t| t.parent.as_deref() == Some(id)) {
            t.parent = up.clone();
        }
        self.tags.retain(|t| t.id != id);
    }

    /// How many live annotations carry tag `id` (deleting a tag in use asks first).
    pub fn in_use(id: &str, annotations: &[Annotation]) -> usize {
        annotations.iter().filter(|a| !a.deleted && a.has_tag(id)).count()
    }

    /// Deletes tag `id` and takes it off every annotation; an annotation left with
    /// no tag is deleted (a tombstone). Returns the ids of the annotations changed,
    /// each stamped `updated = now`.
    pub fn delete(&mut self, id: &str, annotations: &mut [Annotation], now: &str) -> Result<Vec<String>, CodebookError> {
        self.rewrite(id, None, annotations, now)
    }

    /// Merges tag `from` into tag `into`: `from` leaves the codebook, and every
    /// annotation tagged `from` is tagged `into` instead (once). Returns the ids of
    /// the annotations changed, each stamped `updated = now`.
    pub fn merge_into(&mut self, from: &str, into: &str, annotations: &mut [Annotation], now: &str) -> Result<Vec<String>, CodebookError> {
        if from == into {
            return Err(CodebookError("A tag cannot be merged into itself.".into()));
        }
        if self.get(into).is_none() {
            return Err(CodebookError(format!("There is no tag \"{into}\" to merge into.")));
        }
        self.rewrite(from, Some(into), annotations, now)
    }

    fn rewrite(&mut self, from: &str, into: Option<&str>, annotations: &mut [Annotation], now: &str) -> Result<Vec<String>, CodebookError> {
        if self.get(from).is_none() {
            return Err(CodebookError(format!("There is no tag \"{from}\".")));
        }
        self.remove(from);
        let mut changed = Vec::new();
        for a in annotations.iter_mut().filter(|a| !a.deleted && a.has_tag(from)) {
            a.tags.retain(|t| t != from);
            if let Some(into) = into
                && !a.has_tag(into)
            {
                a.tags.push(into.to_string());
            }
            a.deleted = a.tags.is_empty();
            a.updated = now.to_string();
            changed.push(a.id.clone());
        }
        Ok(changed)
    }

    /// The codebook after importing `file` into this one, and the names of the
    /// tags kept although the file does not have them. The file's tags come
    /// first, in its order, with its names, colours, keys and descriptions; a
    /// file tag that matches one here (by id, else by name in any case) keeps
    /// that tag's id, so its annotations keep it. A tag here that the file
    /// lacks is dropped when no annotation uses it (`in_use`), else kept after
    /// the file's (without a key the file's tags took): importing never leaves
    /// an annotation with a tag the codebook does not have.
    pub fn imported(&self, file: &Codebook, in_use: impl Fn(&str) -> bool) -> (Codebook, Vec<String>) {
        let mut matched: Vec<&str> = Vec::new();
        let mut out = Codebook { tags: Vec::with_capacity(file.tags.len()) };
        for t in &file.tags {
            let here = self
                .get(&t.id)
                .filter(|h| !matched.contains(&h.id.as_str()))
                .or_else(|| self.tags.iter().find(|h| h.name.trim().eq_ignore_ascii_case(t.name.trim()) && !matched.contains(&h.id.as_str())));
            let mut tag = t.clone();
            if let Some(h) = here {
                matched.push(&h.id);
                tag.id = h.id.clone();
            }
            out.tags.push(tag);
        }
        // A file tag whose id is a tag here it does not match gets an id of its own.
        for i in 0..out.tags.len() {
            let clash = self.get(&out.tags[i].id).is_some_and(|h| !matched.contains(&h.id.as_str()))
                || out.tags[..i].iter().any(|x| x.id == out.tags[i].id);
            if clash {
                let name = out.tags[i].name.clone();
                let mut fresh = Codebook { tags: out.tags.clone() };
                fresh.tags.extend(self.tags.iter().cloned());
                out.tags[i].id = fresh.new_id(&name);
            }
        }
        // Parents, named by the file's ids, now by the ids they took here.
        for i in 0..out.tags.len() {
            out.tags[i].parent = file.tags[i].parent.as_ref().and_then(|p| file.index_of(p)).map(|j| out.tags[j].id.clone());
        }
        let mut kept = Vec::new();
        for h in &self.tags {
            if matched.contains(&h.id.as_str()) || !in_use(&h.id) {
                continue;
            }
            let mut h = h.clone();
            if h.key.is_some_and(|k| out.by_key(k).is_some()) {
                h.key = None;
            }
            if out.tags.iter().any(|t| t.name.trim().eq_ignore_ascii_case(h.name.trim())) {
                h.name = format!("{} (kept)", h.name);
            }
            kept.push(h.name.clone());
            out.tags.push(h);
        }
        out.tidy();
        (out, kept)
    }

    /// Puts an annotation's tags in the codebook's order (a tag not in it last), so
    /// that the same tags read the same way whatever order they were given in.
    pub fn order_tags(&self, tags: &mut [String]) {
        tags.sort_by_key(|t| self.tags.iter().position(|x| x.id == *t).unwrap_or(usize::MAX));
    }

    /// The tags `other` (a file's codebook) names otherwise than this one: each
    /// as (the name here, the name there), in this codebook's order. The same
    /// tag (one id) renamed on one side: its codings count as one tag, under the
    /// name of the codebook kept.
    pub fn names_differ<'a>(&'a self, other: &'a Codebook) -> Vec<(&'a str, &'a str)> {
        self.tags
            .iter()
            .filter_map(|t| other.get(&t.id).filter(|o| o.name != t.name).map(|o| (t.name.as_str(), o.name.as_str())))
            .collect()
    }

    /// What making `after` the codebook changes, in words for a preview
    /// ("new tags: victims; removed: finance; renamed: threat → threats; changed:
    /// finance (key 2 → 9, colour); the tags' order changes"); `None` when nothing does.
    pub fn describe_change(&self, after: &Codebook) -> Option<String> {
        let names = |list: Vec<&Tag>| name_list(list.iter().map(|t| t.name.as_str()));
        let added: Vec<&Tag> = after.tags.iter().filter(|t| self.get(&t.id).is_none()).collect();
        let removed: Vec<&Tag> = self.tags.iter().filter(|t| after.get(&t.id).is_none()).collect();
        let kept: Vec<(&Tag, &Tag)> = self.tags.iter().filter_map(|t| after.get(&t.id).map(|a| (t, a))).collect();
        let renamed: Vec<String> =
            kept.iter().filter(|(b, a)| b.name != a.name).map(|(b, a)| format!("{} → {}", b.name, a.name)).collect();
        // What else changes, tag by tag (in the new order), then whether the order does.
        let key = |k: Option<char>| k.map_or_else(|| "none".to_string(), |k| k.to_string());
        let name_of = |id: &str| after.get(id).or_else(|| self.get(id)).map_or(id.to_string(), |t| t.name.clone());
        let mut changed = Vec::new();
        for a in &after.tags {
            let Some(b) = self.get(&a.id) else { continue };
            let mut what = Vec::new();
            if a.key != b.key {
                what.push(format!("key {} → {}", key(b.key), key(a.key)));
            }
            if a.colour != b.colour {
                what.push("colour".to_string());
            }
            if a.style != b.style {
                what.push("band".to_string());
            }
            if a.description != b.description {
                what.push("description".to_string());
            }
            if a.parent != b.parent {
                what.push(a.parent.as_deref().map_or_else(|| "now at the top".to_string(), |p| format!("now under {}", name_of(p))));
            }
            if !what.is_empty() {
                changed.push(format!("{} ({})", a.name, what.join(", ")));
            }
        }
        fn kept_order<'a>(book: &'a Codebook, other: &Codebook) -> Vec<&'a str> {
            book.tags.iter().filter(|t| other.get(&t.id).is_some()).map(|t| t.id.as_str()).collect()
        }
        let reordered = kept_order(self, after) != kept_order(after, self);
        let mut parts = Vec::new();
        if !added.is_empty() {
            parts.push(format!("new {}: {}", if added.len() == 1 { "tag" } else { "tags" }, names(added)));
        }
        if !removed.is_empty() {
            parts.push(format!("removed: {}", names(removed)));
        }
        if !renamed.is_empty() {
            parts.push(format!("renamed: {}", renamed.join(", ")));
        }
        if !changed.is_empty() {
            parts.push(format!("changed: {}", changed.join(", ")));
        }
        if reordered {
            parts.push("the tags' order changes".to_string());
        }
        (!parts.is_empty()).then(|| parts.join("; "))
    }

    /// Checks a codebook read from a file.
    pub fn validate(&self) -> Result<(), CodebookError> {
        if self.tags.is_empty() {
            return Err(CodebookError("The codebook has no tags.".into()));
        }
        let mut ids = std::collections::HashSet::new();
        let mut keys = std::collections::HashSet::new();
        let mut names = std::collections::HashSet::new();
        for t in &self.tags {
            if t.id.trim().is_empty() || t.name.trim().is_empty() {
                return Err(CodebookError("Every tag needs an id and a name.".into()));
            }
            if t.name.chars().count() > 80 {
                return Err(CodebookError(format!("The name of \"{}\" is longer than 80 characters.", t.id)));
            }
            if !names.insert(t.name.trim().to_lowercase()) {
                return Err(CodebookError(format!("The name \"{}\" is used twice.", t.name)));
            }
            if !ids.insert(t.id.as_str()) {
                return Err(CodebookError(format!("The tag id \"{}\" is used twice.", t.id)));
            }
            if !valid_colour(&t.colour) {
                return Err(CodebookError(format!("The colour of \"{}\" is not of the form #rrggbb.", t.name)));
            }
            if let Some(k) = t.key {
                if !('1'..='9').contains(&k) {
                    return Err(CodebookError(format!("The key of \"{}\" must be a digit from 1 to 9.", t.name)));
                }
                if !keys.insert(k) {
                    return Err(CodebookError(format!("The key {k} is given to two tags.")));
                }
            }
        }
        Ok(())
    }

    /// The codebook as pretty JSON, for export.
    pub fn to_json(&self) -> String {
        self.file_json(None)
    }

    /// The codebook as pretty JSON, stamped with the app version and export time.
    pub fn to_json_stamped(&self, app_version: &str, exported_at: &str) -> String {
        self.file_json(Some((app_version, exported_at)))
    }

    fn file_json(&self, stamp: Option<(&str, &str)>) -> String {
        let file = CodebookFile {
            format: "marginalia-codebook".into(),
            version: 1,
            app_version: stamp.map(|s| s.0.to_string()),
            exported_at: stamp.map(|s| s.1.to_string()),
            tags: self.tags.clone(),
        };
        serde_json::to_string_pretty(&file).unwrap_or_default()
    }

    /// Reads a codebook file, refusing a bad one with the reason: an exported
    /// codebook, or one written by hand, where only the names are needed —
    /// `{"tags": [{"name": "victims", "description": "…"}]}`, or just
    /// `["victims", "perpetrators"]`. A tag with no id gets one from its name,
    /// one with no colour the next free colour, and one that says nothing of
    /// a key the next free key.
    pub fn from_json(s: &str) -> Result<Codebook, CodebookError> {
        let not_one = |e: serde_json::Error| CodebookError(format!("This is not a Marginalia codebook: {}.", crate::json_error(&e)));
        // Read straight from the text (no intermediate JSON value: less code in the app).
        let given: Vec<TagIn> = if s.trim_start().starts_with('[') {
            serde_json::from_str(s).map_err(not_one)?
        } else {
            let file: CodebookIn = serde_json::from_str(s).map_err(not_one)?;
            if file.format.as_deref().is_some_and(|f| f != "marginalia-codebook") {
                return Err(CodebookError("This is not a Marginalia codebook.".into()));
            }
            if file.version > 1 {
                return Err(CodebookError("This codebook was written by a newer Marginalia.".into()));
            }
            file.tags
        };
        // Ids, colours and keys the file gives are kept; the missing ones are
        // filled in after, so that none is taken from a tag that names it.
        let mut book = Codebook {
            tags: given
                .iter()
                .map(|t| Tag {
                    id: t.id.clone().unwrap_or_default(),
                    name: t.name.trim().to_string(),
                    colour: t.colour.clone().unwrap_or_default(),
                    key: t.key.flatten(),
                    description: t.description.clone(),
                    style: t.style,
                    parent: None,
                })
                .collect(),
        };
        for (i, t) in given.iter().enumerate() {
            if t.id.is_none() && !t.name.trim().is_empty() {
                book.tags[i].id = book.new_id(&t.name);
            }
            if t.colour.is_none() {
                book.tags[i].colour = book.free_colour();
            }
            if t.key.is_none() {
                book.tags[i].key = book.free_key();
            }
        }
        // A parent is named by its id, or by its name in a file written by hand.
        for (i, t) in given.iter().enumerate() {
            let Some(p) = t.parent.as_deref().map(str::trim).filter(|p| !p.is_empty()) else { continue };
            let found = book.get(p).or_else(|| book.tags.iter().find(|x| x.name.eq_ignore_ascii_case(p))).map(|x| x.id.clone());
            book.tags[i].parent = found;
        }
        book.validate()?;
        book.tidy();
        Ok(book)
    }
}

/// A codebook file as read: an export, or one written by hand.
#[derive(Deserialize)]
struct CodebookIn {
    #[serde(default)]
    format: Option<String>,
    #[serde(default = "first_version")]
    version: u32,
    tags: Vec<TagIn>,
}

fn first_version() -> u32 {
    1
}

/// A tag as a file gives it: only the name is needed, and a bare string is
/// a name. `key` tells "no key" (`null`) from "not said" (absent).
#[derive(Default)]
struct TagIn {
    id: Option<String>,
    name: String,
    colour: Option<String>,
    key: Option<Option<char>>,
    description: String,
    style: Option<Underline>,
    parent: Option<String>,
}

impl<'de> Deserialize<'de> for TagIn {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Item;
        impl<'de> serde::de::Visitor<'de> for Item {
            type Value = TagIn;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a tag: its name, or an object with its name")
            }
            fn visit_str<E: serde::de::Error>(self, name: &str) -> Result<TagIn, E> {
                Ok(TagIn { name: name.to_string(), ..TagIn::default() })
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<TagIn, A::Error> {
                let t = TagFields::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
                Ok(TagIn { id: t.id, name: t.name, colour: t.colour, key: t.key, description: t.description, style: t.style, parent: t.parent })
            }
        }
        d.deserialize_any(Item)
    }
}

#[derive(Deserialize)]
struct TagFields {
    #[serde(default)]
    id: Option<String>,
    name: String,
    #[serde(default)]
    colour: Option<String>,
    #[serde(default, deserialize_with = "said")]
    key: Option<Option<char>>,
    #[serde(default)]
    description: String,
    #[serde(default)]
    style: Option<Underline>,
    #[serde(default)]
    parent: Option<String>,
}

/// A field that is there, even as `null` (absent stays `None` by `default`).
fn said<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}


#[derive(Serialize, Deserialize)]
struct CodebookFile {
    format: String,
    version: u32,
    /// Which Marginalia wrote the file, and when (exports say; the editor's
    /// own download need not).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    app_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    exported_at: Option<String>,
    tags: Vec<Tag>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_a_file_gives_otherwise_are_found() {
        let mut here = Codebook::default();
        here.rename("threat", "attacks").unwrap();
        let mut file = Codebook::default();
        file.rename("finance", "money").unwrap();
        assert_eq!(here.names_differ(&file), [("attacks", "threat"), ("finance", "money")]);
        assert!(here.names_differ(&here).is_empty());
    }

    #[test]
    fn a_name_with_a_comma_reads_as_one_tag_in_a_list() {
        assert_eq!(name_list(["threat", "finance"]), "threat, finance");
        assert_eq!(name_list(["threat", "returns, repatriation"]), "threat, “returns, repatriation”");
        assert_eq!(name_list([]), "");
    }

    #[test]
    fn sixteen_tags_have_sixteen_colours() {
        let mut b = Codebook::default();
        for i in 0..12 {
            b.add(&format!("code {i}")).unwrap();
        }
        let mut colours: Vec<&str> = b.tags.iter().map(|t| t.colour.as_str()).collect();
        colours.sort_unstable();
        colours.dedup();
        assert_eq!(colours.len(), 16);
    }

    #[test]
    fn a_colour_too_faint_for_a_page_is_told() {
        for c in PALETTE {
            assert!(faint_on(c).is_empty(), "the palette's {c} shows on both pages");
        }
        assert_eq!(faint_on("#111111"), ["dark"]);
        assert_eq!(faint_on("#f4f4f4"), ["light"]);
        assert_eq!(faint_on("#FFFFFF"), ["light"]);
        assert!(faint_on("#777777").is_empty(), "a mid grey shows on both");
        assert!(faint_on("red").is_empty(), "not a colour: nothing to say");
        assert!((contrast("#000000", "#ffffff") - 21.0).abs() < 1e-9);
    }

    #[test]
    fn default_codebook_is_valid_with_keys_one_to_four() {
        let b = Codebook::default();
        b.validate().unwrap();
        let names: Vec<_> = b.tags.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["threat", "finance", "repatriation", "prosecution"]);
        assert_eq!(b.by_key('2').unwrap().id, "finance");
        assert!(b.tags.iter().all(|t| t.description.len() > 150 && t.description.contains("Example")));
        assert_eq!(b.pattern("finance"), "dashed");
    }

    #[test]
    fn add_and_round_trip() {
        let mut b = Codebook::default();
        let id = b.add("Gender").unwrap();
        assert_eq!(id, "gender");
        assert_eq!(b.get("gender").unwrap().key, Some('5'));
        assert!(b.add("gender").is_err());
        assert!(b.add("  ").is_err());
        let back = Codebook::from_json(&b.to_json()).unwrap();
        assert_eq!(back, b);
    }

    #[test]
    fn edits_keep_the_codebook_valid() {
        let mut b = Codebook::default();
        b.rename("threat", "Threats").unwrap();
        assert!(b.rename("finance", "threats").is_err(), "names are unique");
        assert!(b.rename("finance", " ").is_err());
        b.set_key("finance", Some('1'));
        assert_eq!(b.get("finance").unwrap().key, Some('1'));
        assert_eq!(b.get("threat").unwrap().key, Some('2'), "the keys swapped");
        b.set_key("repatriation", None);
        b.set_key("repatriation", Some('1'));
        assert_eq!((b.get("repatriation").unwrap().key, b.get("finance").unwrap().key), (Some('1'), None), "from no key: the other is left with none");
        assert!(b.set_colour("finance", "blue").is_err());
        b.set_colour("finance", "#ABCDEF").unwrap();
        assert_eq!(b.get("finance").unwrap().colour, "#abcdef");
        b.move_tag("prosecution", -1);
        assert_eq!(b.tags[2].id, "prosecution");
        b.move_tag("threat", -1);
        assert_eq!(b.tags[0].id, "threat", "the first stays first");
        b.set_description("threat", "  text  ");
        assert_eq!(b.get("threat").unwrap().description, "text");
        b.remove("threat");
        assert!(b.get("threat").is_none());
        b.validate().unwrap();
    }

    #[test]
    fn bad_codebooks_are_refused_with_a_reason() {
        assert!(Codebook::from_json("{").unwrap_err().0.contains("not a Marginalia codebook"));
        assert!(Codebook::from_json(r#"{"format":"x","version":1,"tags":[]}"#).is_err());
        let e = Codebook::from_json(r##"{"format":"marginalia-codebook","version":1,"tags":[{"id":"a","name":"a","colour":"red"}]}"##).unwrap_err();
        assert!(e.0.contains("#rrggbb"), "{e}");
        let e = Codebook::from_json(r##"{"format":"marginalia-codebook","version":1,"tags":[{"id":"a","name":"a","colour":"#000000","key":"1"},{"id":"b","name":"b","colour":"#000000","key":"1"}]}"##).unwrap_err();
        assert!(e.0.contains("key 1"), "{e}");
        assert!(Codebook::from_json(r#"{"format":"marginalia-codebook","version":9,"tags":[]}"#).unwrap_err().0.contains("newer"));
        assert!(Codebook::from_json(r#"{"tags":[]}"#).unwrap_err().0.contains("no tags"));
        assert!(Codebook::from_json(r#"{"tags":[""]}"#).unwrap_err().0.contains("name"));
        assert!(Codebook::from_json(r#"[1, 2]"#).unwrap_err().0.contains("expected a tag"));
        assert!(Codebook::from_json(r#"{"tags":[{"name":"a","key":"0"}]}"#).unwrap_err().0.contains("digit"));
    }

    #[test]
    fn importing_a_codebook_never_orphans_an_annotation() {
        let here = Codebook::default();
        let file = Codebook::from_json(r#"{"tags":[{"name":"Victims"},{"name":"THREAT","description":"New words."}]}"#).unwrap();
        // Nothing coded: the file's codebook, as it is (threat matched by name keeps its id).
        let (book, kept) = here.imported(&file, |_| false);
        assert_eq!(book.tags.iter().map(|t| (t.id.as_str(), t.name.as_str())).collect::<Vec<_>>(), [("victims", "Victims"), ("threat", "THREAT")]);
        assert_eq!(book.get("threat").unwrap().description, "New words.");
        assert!(kept.is_empty());
        book.validate().unwrap();
        // Finance in use: kept after the file's tags, without a key a file tag took.
        let (book, kept) = here.imported(&file, |t| t == "finance");
        assert_eq!(book.tags.iter().map(|t| t.id.as_str()).collect::<Vec<_>>(), ["victims", "threat", "finance"]);
        assert_eq!(kept, ["finance"]);
        assert_eq!(book.get("finance").unwrap().key, None, "the file's second tag has key 2");
        book.validate().unwrap();
        // An exported codebook imports as itself.
        assert_eq!(here.imported(&here, |_| true).0, here);
        // A file tag with the id of an unrelated tag here gets its own id.
        let clash = Codebook::from_json(r##"{"tags":[{"id":"finance","name":"Funding","colour":"#000000"}]}"##).unwrap();
        let (book, _) = here.imported(&clash, |t| t == "threat");
        assert_eq!(book.tags.iter().map(|t| t.id.as_str()).collect::<Vec<_>>(), ["finance", "threat"], "matched by id: finance is renamed Funding");
        book.validate().unwrap();
    }

    #[test]
    fn a_change_of_codebook_is_described() {
        let before = Codebook::default();
        assert_eq!(before.describe_change(&before), None);
        let mut after = before.clone();
        after.add("Victims").unwrap();
        after.rename("threat", "Threats").unwrap();
        after.set_key("finance", Some('9'));
        let ids: Vec<String> = after.tags.iter().map(|t| t.id.clone()).collect();
        after.tags.retain(|t| t.id != ids[3]);
        let removed = before.get(&ids[3]).unwrap().name.clone();
        assert_eq!(
            before.describe_change(&after).unwrap(),
            format!("new tag: Victims; removed: {removed}; renamed: threat → Threats; changed: finance (key 2 → 9)")
        );
        let mut moved = before.clone();
        moved.move_tag("finance", -1);
        assert_eq!(before.describe_change(&moved).unwrap(), "the tags' order changes");
        let mut more = before.clone();
        more.tags[1].key = None;
        more.tags[1].colour = "#000000".into();
        more.tags[2].description = "Returning fighters and families.".into();
        more.tags[3].parent = Some(more.tags[0].id.clone());
        assert_eq!(
            before.describe_change(&more).unwrap(),
            "changed: finance (key 2 → none, colour), repatriation (description), prosecution (now under threat)"
        );
    }

    #[test]
    fn a_codebook_written_by_hand_needs_only_names() {
        let b = Codebook::from_json(r#"{"tags":[{"name":"Victims","description":"Who suffers."},{"name":"perpetrators"}]}"#).unwrap();
        assert_eq!(b.tags.iter().map(|t| (t.id.as_str(), t.name.as_str(), t.key)).collect::<Vec<_>>(), [("victims", "Victims", Some('1')), ("perpetrators", "perpetrators", Some('2'))]);
        assert_eq!(b.tags[0].description, "Who suffers.");
        assert_ne!(b.tags[0].colour, b.tags[1].colour);
        // Just names; a key or id the file gives is never taken by a tag that has none.
        let b = Codebook::from_json(r##"["a b", {"name":"c","key":"1","id":"a-b"}, {"name":"d","colour":"#000000","key":null}]"##).unwrap();
        assert_eq!(b.tags.iter().map(|t| (t.id.as_str(), t.key)).collect::<Vec<_>>(), [("a-b-2", Some('2')), ("a-b", Some('1')), ("d", None)]);
        assert_eq!(b.tags[2].colour, "#000000");
        b.validate().unwrap();
        // An export reads back as it was.
        let book = Codebook::default();
        assert_eq!(Codebook::from_json(&book.to_json()).unwrap(), book);
    }

    fn ann(id: &str, tags: &[&str]) -> Annotation {
        Annotation {
            id: id.into(), doc: "D".into(), start: 0, end: 1, quote: "a".into(), prefix: String::new(),
            suffix: String::new(), tags: tags.iter().map(|t| t.to_string()).collect(), memo: String::new(),
            coder: String::new(), created: "t0".into(), updated: "t0".into(), deleted: false,
        }
    }

    #[test]
    fn styles_are_distinct_and_survive_reordering() {
        let mut b = Codebook::default();
        let styles: Vec<_> = b.tags.iter().map(|t| b.pattern(&t.id)).collect();
        assert_eq!(styles, ["solid", "dashed", "dotted", "double"]);
        let colours: std::collections::HashSet<_> = b.tags.iter().map(|t| t.colour.as_str()).collect();
        assert_eq!(colours.len(), 4);
        b.reorder(&["prosecution", "threat"]);
        assert_eq!(b.tags.iter().map(|t| t.id.as_str()).collect::<Vec<_>>(), ["prosecution", "threat", "finance", "repatriation"]);
        assert_eq!(b.pattern("prosecution"), "double", "a tag keeps its style when it moves");
        b.move_to("finance", 0);
        assert_eq!(b.tags[0].id, "finance");
        b.move_to("finance", 99);
        assert_eq!(b.tags[3].id, "finance");
        let id = b.add("Gender").unwrap();
        assert_eq!(b.pattern(&id), "wavy", "the unused style");
        assert!(!b.tags[..4].iter().any(|t| t.colour == b.get(&id).unwrap().colour), "an unused colour");
        b.set_style(&id, Underline::Dotted);
        assert_eq!(b.style(&id), Underline::Dotted);
        // A codebook saved before styles existed reads, styled by place.
        let old: Codebook = serde_json::from_str(r##"{"tags":[{"id":"a","name":"a","colour":"#000000"},{"id":"b","name":"b","colour":"#111111"}]}"##).unwrap();
        assert_eq!((old.pattern("a"), old.pattern("b")), ("solid", "dashed"));
        let back = Codebook::from_json(&b.to_json()).unwrap();
        assert_eq!(back, b);
    }

    #[test]
    fn merge_and_delete_rewrite_annotations() {
        let mut b = Codebook::default();
        let mut anns = vec![ann("1", &["threat"]), ann("2", &["threat", "finance"]), ann("3", &["finance"]), ann("4", &["repatriation"])];
        assert_eq!(Codebook::in_use("threat", &anns), 2);
        assert!(b.merge_into("threat", "threat", &mut anns, "t1").is_err());
        assert!(b.merge_into("threat", "nope", &mut anns, "t1").unwrap_err().0.contains("no tag"));
        let changed = b.merge_into("threat", "finance", &mut anns, "t1").unwrap();
        assert_eq!(changed, ["1", "2"]);
        assert!(b.get("threat").is_none());
        assert_eq!(anns[0].tags, ["finance"]);
        assert_eq!(anns[1].tags, ["finance"], "not twice");
        assert_eq!((anns[1].updated.as_str(), anns[2].updated.as_str()), ("t1", "t0"));
        let changed = b.delete("repatriation", &mut anns, "t2").unwrap();
        assert_eq!(changed, ["4"]);
        assert!(anns[3].deleted, "left with no tag: a tombstone");
        assert!(b.delete("repatriation", &mut anns, "t3").is_err());
        b.validate().unwrap();
    }

    #[test]
    fn duplicate_names_and_unknown_styles_are_refused() {
        let e = Codebook::from_json(r##"{"format":"marginalia-codebook","version":1,"tags":[{"id":"a","name":"Threat","colour":"#000000"},{"id":"b","name":"threat","colour":"#000000"}]}"##).unwrap_err();
        assert!(e.0.contains("used twice"), "{e}");
        let e = Codebook::from_json(r##"{"format":"marginalia-codebook","version":1,"tags":[{"id":"a","name":"a","colour":"#000000","style":"zigzag"}]}"##).unwrap_err();
        assert!(e.0.contains("zigzag"), "{e}");
        let e = Codebook::from_json(r##"{"format":"marginalia-codebook","version":1,"tags":[{"id":"a","colour":"#000000"}]}"##).unwrap_err();
        assert!(e.0.contains("name"), "{e}");
    }
}

#[cfg(test)]
mod tree_tests {
    use super::*;

    fn book() -> Codebook {
        let mut b = Codebook::default();
        for name in ["attacks", "plots", "hawala"] {
            b.add(name).unwrap();
        }
        b
    }

    fn order(b: &Codebook) -> Vec<(&str, usize)> {
        b.tags.iter().map(|t| (t.id.as_str(), b.depth(&t.id))).collect()
    }

    #[test]
    fn sub_codes_follow_their_parent_and_loops_are_refused() {
        let mut b = book();
        b.set_parent("attacks", Some("threat")).unwrap();
        b.set_parent("plots", Some("attacks")).unwrap();
        b.set_parent("hawala", Some("finance")).unwrap();
        assert_eq!(
            order(&b),
            [("threat", 0), ("attacks", 1), ("plots", 2), ("finance", 0), ("hawala", 1), ("repatriation", 0), ("prosecution", 0)]
        );
        assert_eq!(b.path("plots"), "threat › attacks › plots");
        // As it will read once "attacks" is deleted (its sub-codes move up to its parent).
        assert_eq!(b.path_without("plots", "attacks"), "threat › plots");
        let mut after = b.clone();
        after.remove("attacks");
        assert_eq!(after.path("plots"), b.path_without("plots", "attacks"));
        assert_eq!(b.family("threat"), ["threat", "attacks", "plots"]);
        assert_eq!(b.family("plots"), ["plots"]);
        let before = b.clone();
        assert_eq!(b.set_parent("threat", Some("plots")).unwrap_err().0, "threat cannot go under plots, one of its own sub-codes.");
        assert_eq!(b.set_parent("threat", Some("threat")).unwrap_err().0, "threat cannot go under itself.");
        assert!(b.set_parent("threat", Some("nope")).is_err());
        assert_eq!(b, before, "a refused move changes nothing");
        // Moving a tag moves its sub-codes with it, among its own level.
        b.move_tag("finance", -1);
        assert_eq!(order(&b)[..3], [("finance", 0), ("hawala", 1), ("threat", 0)]);
        b.move_tag("finance", -1);
        assert_eq!(order(&b)[0], ("finance", 0), "the first of its level stays first");
        b.move_tag("attacks", 1);
        assert_eq!(b.parent_of("attacks").unwrap().id, "threat", "the only sub-code stays where it is");
        // Back to the top: after the top level's last.
        b.set_parent("attacks", None).unwrap();
        assert_eq!(order(&b)[order(&b).len() - 2..], [("attacks", 0), ("plots", 1)]);
        // A removed parent's sub-codes take its place.
        b.remove("attacks");
        assert_eq!(b.get("plots").unwrap().parent, None);
        b.set_parent("plots", Some("hawala")).unwrap();
        b.remove("hawala");
        assert_eq!(b.get("plots").unwrap().parent.as_deref(), Some("finance"));
    }

    #[test]
    fn tidy_mends_what_a_file_left() {
        let mut b = book();
        b.tags[4].parent = Some("nowhere".into());
        b.tags[5].parent = Some("hawala".into());
        b.tags[6].parent = Some("plots".into());
        b.tags[0].parent = Some("threat".into());
        b.tidy();
        assert!(b.tags.iter().filter(|t| t.id != "hawala").all(|t| t.parent.is_none() || t.id == "plots"), "{b:?}");
        // One of the two in the loop is at the top, the other under it.
        let (p, h) = (b.get("plots").unwrap().parent.clone(), b.get("hawala").unwrap().parent.clone());
        assert!(p.is_none() != h.is_none(), "{p:?} {h:?}");
        assert_eq!(b.tags.len(), 7);
        assert!(b.tags.iter().all(|t| b.depth(&t.id) <= 1));
    }

    #[test]
    fn files_give_parents_by_id_or_by_name_and_imports_keep_the_tree() {
        let b = Codebook::from_json(r#"{"tags": [{"name": "Violence"}, {"name": "Attacks", "parent": "violence"}, {"name": "Plots", "parent": "Attacks"}, {"name": "Lost", "parent": "nobody"}]}"#).unwrap();
        assert_eq!(b.path("plots"), "Violence › Attacks › Plots");
        assert_eq!(b.get("lost").unwrap().parent, None);
        // Exported and read again: the same tree.
        assert_eq!(Codebook::from_json(&b.to_json()).unwrap(), b);
        // Imported into a codebook where "Attacks" is a tag of another id: the parent follows it.
        let mut here = Codebook::default();
        here.add("attacks").unwrap();
        here.tags.last_mut().unwrap().id = "att".into();
        let (after, _) = here.imported(&b, |_| false);
        assert_eq!(after.get("plots").unwrap().parent.as_deref(), Some("att"));
        assert_eq!(after.path("plots"), "Violence › Attacks › Plots");
    }
}
