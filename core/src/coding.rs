//! The coding state: the codebook and every annotation, with undo and redo.
//! Every mutation says which storage keys it touched, so the shell writes
//! only those.

use std::collections::{BTreeMap, BTreeSet};

use crate::annotation::Annotation;
use crate::codebook::Codebook;

/// What a change touched: documents whose annotations changed, and/or the codebook.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Touched {
    pub docs: BTreeSet<String>,
    pub codebook: bool,
    /// Undo or Redo left these as they are (annotation ids; `"codebook"` for the
    /// codebook): another tab changed them after the step, and taking the step
    /// back would have lost that change.
    pub kept: Vec<String>,
    /// How many annotations Undo or Redo wrote or took out (for saying so).
    pub annotations: usize,
}

impl Touched {
    pub fn is_empty(&self) -> bool {
        self.docs.is_empty() && !self.codebook
    }
    fn doc(&mut self, id: &str) {
        self.docs.insert(id.to_string());
    }
}

#[derive(Debug, Clone)]
#[allow(clippy::large_enum_variant)]
enum Edit {
    Annotation { before: Option<Annotation>, after: Annotation },
    Codebook { before: Codebook, after: Codebook },
}

/// The codebook and annotations of a coder, by document.
#[derive(Debug, Clone, Default)]
pub struct Coding {
    pub codebook: Codebook,
    /// Per document id: annotations (tombstones included) sorted by (start, end, id).
    by_doc: BTreeMap<String, Vec<Annotation>>,
    undo: Vec<Vec<Edit>>,
    redo: Vec<Vec<Edit>>,
    /// Bumped by every step recorded, undone or redone ([`Coding::steps`]).
    steps: u64,
    /// The annotation last reshaped, and `steps` right after: a reshape of the same
    /// annotation with no step between joins that step ([`Coding::reshape`]).
    reshaping: Option<(String, u64)>,
}

/// How many steps can be undone.
pub const UNDO_DEPTH: usize = 1000;

fn sort(v: &mut [Annotation]) {
    v.sort_by(|a, b| (a.start, a.end, &a.id).cmp(&(b.start, b.end, &b.id)));
}

impl Coding {
    pub fn new(codebook: Codebook) -> Self {
        Coding { codebook, ..Coding::default() }
    }

    /// Replaces a document's annotations wholesale (loading, merging from another tab).
    pub fn set_doc(&mut self, doc: &str, mut annotations: Vec<Annotation>) {
        sort(&mut annotations);
        if annotations.is_empty() {
            self.by_doc.remove(doc);
        } else {
            self.by_doc.insert(doc.to_string(), annotations);
        }
    }

    /// Every stored annotation of a document, tombstones included (what is saved).
    pub fn stored(&self, doc: &str) -> &[Annotation] {
        self.by_doc.get(doc).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The live annotations of a document, in text order.
    pub fn live(&self, doc: &str) -> impl Iterator<Item = &Annotation> {
        self.stored(doc).iter().filter(|a| !a.deleted)
    }

    /// Documents that have stored annotations.
    pub fn docs(&self) -> impl Iterator<Item = &str> {
        self.by_doc.keys().map(String::as_str)
    }

    /// Every live annotation of every document.
    pub fn all_live(&self) -> impl Iterator<Item = &Annotation> {
        self.by_doc.values().flatten().filter(|a| !a.deleted)
    }

    pub fn get(&self, id: &str) -> Option<&Annotation> {
        self.by_doc.values().flatten().find(|a| a.id == id)
    }

    /// Live annotations per tag id, for one document or all (`None`).
    pub fn counts(&self, doc: Option<&str>) -> BTreeMap<String, usize> {
        self.counts_of(doc, None)
    }

    /// As [`Coding::counts`], of one coder's annotations only when `coder` is given.
    pub fn counts_of(&self, doc: Option<&str>, coder: Option<&str>) -> BTreeMap<String, usize> {
        let mut out = BTreeMap::new();
        let it: Box<dyn Iterator<Item = &Annotation>> = match doc {
            Some(d) => Box::new(self.live(d)),
            None => Box::new(self.all_live()),
        };
        for a in it.filter(|a| coder.is_none_or(|c| a.coder == c)) {
            for t in &a.tags {
                *out.entry(t.clone()).or_insert(0) += 1;
            }
        }
        out
    }

    fn put(&mut self, a: Annotation) {
        let v = self.by_doc.entry(a.doc.clone()).or_default();
        match v.iter_mut().find(|x| x.id == a.id) {
            Some(x) => *x = a,
            None => v.push(a),
        }
        sort(v);
    }

    fn record(&mut self, edits: Vec<Edit>) {
        if !edits.is_empty() {
            self.steps += 1;
            self.undo.push(edits);
            self.redo.clear();
            // Weeks of coding in one tab must not grow memory without end: the oldest
            // steps are forgotten first.
            if self.undo.len() > UNDO_DEPTH {
                let extra = self.undo.len() - UNDO_DEPTH;
                self.undo.drain(..extra);
            }
        }
    }

    /// Adds a new annotation.
    pub fn add(&mut self, a: Annotation) -> Touched {
        let mut t = Touched::default();
        t.doc(&a.doc);
        self.put(a.clone());
        self.record(vec![Edit::Annotation { before: None, after: a }]);
        t
    }

    /// Codes a span: when a live annotation of the same document covers exactly
    /// the same span, `a`'s tags are added to it (coding a span again with
    /// another tag does not duplicate it); otherwise `a` is added. Returns what
    /// was touched and the id of the annotation that now carries the tags.
    pub fn code(&mut self, a: Annotation, now: &str) -> (Touched, String) {
        // The same coder's annotation of the same span: another coder's is theirs to keep.
        let same = self.live(&a.doc).find(|x| x.start == a.start && x.end == a.end && x.coder == a.coder).map(|x| x.id.clone());
        match same {
            Some(id) => {
                let tags = a.tags;
                let book = self.codebook.clone();
                let touched = self.update(&id, now, |x| {
                    for t in tags {
                        if !x.tags.contains(&t) {
                            x.tags.push(t);
                        }
                    }
                    book.order_tags(&mut x.tags);
                });
                (touched, id)
            }
            None => {
                let id = a.id.clone();
                (self.add(a), id)
            }
        }
    }

    /// Codes every span of `spans` in `doc` with `tag` for `coder`, in one
    /// undoable step ("tag all matches"): a span the coder has already
    /// annotated exactly gets the tag on that annotation, any other a new
    /// annotation (`ids` names them). Returns what was touched and the count
    /// of spans coded and of those that already had the tag.
    pub fn code_all(
        &mut self,
        doc: &crate::Document,
        spans: &[(usize, usize)],
        (tag, coder): (&str, &str),
        now: &str,
        snap: bool,
        mut ids: impl FnMut() -> String,
    ) -> (Touched, usize, usize) {
        let chars: Vec<char> = doc.text.chars().collect();
        // With Whole words, each match as a selection of it would be coded: the
        // words it is part of (two matches in one word are one span).
        let mut spans: Vec<(usize, usize)> = spans.iter().filter_map(|&(s, e)| crate::annotation::select(&chars, s, e, snap)).collect();
        spans.dedup();
        let mut writes = Vec::new();
        let mut had = 0;
        for (s, e) in spans {
            let same = self.live(&doc.meta.id).find(|x| x.start == s && x.end == e && x.coder == coder);
            match same {
                Some(x) if x.has_tag(tag) => had += 1,
                Some(x) => {
                    let mut a = x.clone();
                    a.tags.push(tag.to_string());
                    self.codebook.order_tags(&mut a.tags);
                    a.updated = now.to_string();
                    writes.push(a);
                }
                None => {
                    let draft = crate::annotation::Draft { doc_id: &doc.meta.id, tags: vec![tag.to_string()], coder, id: ids(), now, snap: false };
                    writes.extend(Annotation::from_chars(&chars, s, e, draft));
                }
            }
        }
        let n = writes.len();
        if n == 0 {
            return (Touched::default(), 0, had);
        }
        (self.restore(self.codebook.clone(), writes), n, had)
    }

    /// Changes an annotation's span with `f`, as [`Coding::update`] does, except that
    /// moving the same annotation's edges again, with no other step between, joins
    /// the last step: one Undo takes back a run of nudges.
    pub fn reshape(&mut self, id: &str, now: &str, f: impl FnOnce(&mut Annotation)) -> Touched {
        let join = self.reshaping.as_ref().is_some_and(|(last, at)| last == id && *at == self.steps);
        let t = self.update(id, now, f);
        if t.is_empty() {
            return t;
        }
        if join && self.undo.len() >= 2 {
            let newest = self.undo.pop().unwrap_or_default();
            if let (Some(Edit::Annotation { after: latest, .. }), Some(Some(Edit::Annotation { after, .. }))) =
                (newest.into_iter().next(), self.undo.last_mut().map(|step| step.first_mut()))
            {
                *after = latest;
            }
        }
        self.reshaping = Some((id.to_string(), self.steps));
        t
    }

    /// Changes an annotation with `f`; stamps `updated`. Nothing happens (and
    /// nothing is recorded) if `f` changes nothing.
    pub fn update(&mut self, id: &str, now: &str, f: impl FnOnce(&mut Annotation)) -> Touched {
        let Some(before) = self.get(id).cloned() else { return Touched::default() };
        let mut after = before.clone();
        f(&mut after);
        if after == before {
            return Touched::default();
        }
        after.updated = now.to_string();
        let mut t = Touched::default();
        t.doc(&after.doc);
        self.put(after.clone());
        self.record(vec![Edit::Annotation { before: Some(before), after }]);
        t
    }

    /// Deletes every live annotation of a document, in one undoable step (they
    /// stay as tombstones, so the deletion reaches other tabs and merges).
    /// Returns what was touched and how many were deleted.
    pub fn delete_document(&mut self, doc: &str, now: &str) -> (Touched, usize) {
        let gone: Vec<Annotation> = self
            .live(doc)
            .map(|a| Annotation { deleted: true, updated: now.to_string(), ..a.clone() })
            .collect();
        let n = gone.len();
        if n == 0 {
            return (Touched::default(), 0);
        }
        (self.restore(self.codebook.clone(), gone), n)
    }

    /// Puts the name `to` on every live annotation coded as `from` (a coder who
    /// corrects their name), in one undoable step. Returns what was touched and
    /// how many annotations changed.
    pub fn rename_coder(&mut self, from: &str, to: &str, now: &str) -> (Touched, usize) {
        if from == to {
            return (Touched::default(), 0);
        }
        let writes: Vec<Annotation> = self
            .all_live()
            .filter(|a| a.coder == from)
            .map(|a| Annotation { coder: to.to_string(), updated: now.to_string(), ..a.clone() })
            .collect();
        let n = writes.len();
        if n == 0 {
            return (Touched::default(), 0);
        }
        (self.restore(self.codebook.clone(), writes), n)
    }

    /// Takes every annotation out, tombstones too, leaving no trace: a shared
    /// computer handed to the next person. (A tombstone left in the next
    /// person's file would delete the last one's work wherever both files are
    /// merged.) The undo history goes too, so that no Undo brings back part of
    /// what was taken out. Returns what was touched and what was taken out (for
    /// [`Coding::bring_back`]).
    pub fn put_away(&mut self) -> (Touched, Vec<Annotation>) {
        let mut t = Touched::default();
        let mut out = Vec::new();
        for (doc, v) in std::mem::take(&mut self.by_doc) {
            t.doc(&doc);
            out.extend(v);
        }
        self.undo.clear();
        self.redo.clear();
        self.reshaping = None;
        self.steps += 1;
        (t, out)
    }

    /// Puts back what [`Coding::put_away`] took out, as it was, beside what has
    /// been coded since (an id here already keeps the version here).
    pub fn bring_back(&mut self, items: Vec<Annotation>) -> Touched {
        let mut t = Touched::default();
        let mut by: BTreeMap<String, Vec<Annotation>> = BTreeMap::new();
        for a in items {
            if self.get(&a.id).is_none() {
                by.entry(a.doc.clone()).or_default().push(a);
            }
        }
        for (doc, mut back) in by {
            t.doc(&doc);
            let mut v = self.by_doc.remove(&doc).unwrap_or_default();
            v.append(&mut back);
            self.set_doc(&doc, v);
        }
        self.steps += 1;
        t
    }

    /// Brings back annotations deleted with their text (a user's own text removed,
    /// then brought back): each comes back live as it was, over its tombstone,
    /// changed at `now` so that the tombstones another tab or a backup holds do
    /// not win over it. An annotation live here (brought back already, or coded
    /// again since) is left as it is. Not a step of its own for Undo (the
    /// removal was not one either), though it counts as a step taken.
    pub fn revive(&mut self, items: Vec<Annotation>, now: &str) -> Touched {
        let mut t = Touched::default();
        let mut by: BTreeMap<String, Vec<Annotation>> = BTreeMap::new();
        for a in items {
            if self.get(&a.id).is_none_or(|here| here.deleted) {
                by.entry(a.doc.clone()).or_default().push(Annotation { deleted: false, updated: now.to_string(), ..a });
            }
        }
        for (doc, back) in by {
            t.doc(&doc);
            let mut v = self.by_doc.remove(&doc).unwrap_or_default();
            v.retain(|a| !back.iter().any(|b| b.id == a.id));
            v.extend(back);
            self.set_doc(&doc, v);
        }
        self.steps += 1;
        t
    }

    /// A copy (without history) in which every annotation also carries the
    /// ancestors of its tags in the code tree ([`Codebook::with_ancestors`]): so
    /// each tag's agreement, co-occurrence or count takes in its sub-codes.
    pub fn rolled_up(&self) -> Coding {
        let mut out = Coding::new(self.codebook.clone());
        for (doc, v) in &self.by_doc {
            let v = v.iter().map(|a| Annotation { tags: self.codebook.with_ancestors(&a.tags), ..a.clone() }).collect();
            out.by_doc.insert(doc.clone(), v);
        }
        out
    }

    /// Who else coded text overlapping `[start, end)` of `doc` (live annotations of
    /// coders other than `coder`), each with the tags they gave there, in name
    /// order: what a class said of a passage, beside one student's annotation.
    pub fn others_over(&self, doc: &str, start: usize, end: usize, coder: &str) -> Vec<(String, Vec<String>)> {
        let mut by: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        for a in self.live(doc).filter(|a| a.coder != coder && a.start < end && a.end > start) {
            let tags = by.entry(a.coder.as_str()).or_default();
            for t in &a.tags {
                if !tags.contains(t) {
                    tags.push(t.clone());
                }
            }
        }
        let mut out: Vec<(String, Vec<String>)> = by.into_iter().map(|(c, t)| (c.to_string(), t)).collect();
        for (_, tags) in &mut out {
            self.codebook.order_tags(tags);
        }
        out
    }

    /// A class at a glance: per numbered paragraph of `doc` that anyone coded, the
    /// coders with a live annotation in it (name order), and how many coded the
    /// text at all. Shown in the margin when everyone's work is shown.
    pub fn coders_by_paragraph(&self, doc: &crate::document::Document) -> (Vec<(u32, Vec<String>)>, usize) {
        let paras: Vec<(u32, usize, usize)> = doc.paragraphs().map(|(n, b)| (n, b.start, b.end)).collect();
        let mut by: BTreeMap<u32, BTreeSet<&str>> = BTreeMap::new();
        let mut all = BTreeSet::new();
        for a in self.live(&doc.meta.id) {
            all.insert(a.coder.as_str());
            let first = paras.partition_point(|p| p.2 <= a.start);
            for p in paras[first..].iter().take_while(|p| p.1 < a.end.max(a.start + 1)) {
                by.entry(p.0).or_default().insert(a.coder.as_str());
            }
        }
        (by.into_iter().map(|(n, c)| (n, c.into_iter().map(str::to_string).collect())).collect(), all.len())
    }

    /// The names of the coders with live annotations here.
    pub fn coders(&self) -> BTreeSet<&str> {
        self.all_live().map(|a| a.coder.as_str()).collect()
    }

    /// The coder here named `name`, as coded, else in any case (a link or a file
    /// may spell it otherwise).
    pub fn coder_named(&self, name: &str) -> Option<String> {
        let here = self.coders();
        here.get(name).or_else(|| here.iter().find(|h| h.to_lowercase() == name.to_lowercase())).map(|h| h.to_string())
    }

    /// Whose work `incoming` (a file's annotations) is, for a preview: each coder
    /// with how many live annotations, and whether a coder of that name is
    /// already here (their work will count as one coder's) or one whose name
    /// differs only in case (two coders, which may be a slip). `None` when the
    /// file has no live annotation.
    pub fn whose(&self, incoming: &[Annotation]) -> Option<String> {
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for a in incoming.iter().filter(|a| !a.deleted) {
            *counts.entry(a.coder.as_str()).or_default() += 1;
        }
        let here = self.coders();
        let parts: Vec<String> = counts
            .into_iter()
            .map(|(coder, n)| {
                let name = if coder.is_empty() { "an unnamed coder" } else { coder };
                let status = if here.contains(coder) {
                    format!("joining {}'s work already here", if coder.is_empty() { "an unnamed coder" } else { coder })
                } else if let Some(other) = self.coder_named(coder) {
                    format!("new ({other} is here, spelt otherwise)")
                } else {
                    "new here".to_string()
                };
                format!("{name}: {}, {status}", crate::count(n, "annotation"))
            })
            .collect();
        (!parts.is_empty()).then(|| format!("By {}.", parts.join("; ")))
    }

    /// Forgets every undo and redo step's edits of a document's annotations (a
    /// step left empty goes): once a user's own text is removed, no Undo may
    /// bring back annotations of a text that is no longer here.
    pub fn forget_history(&mut self, doc: &str) {
        for stack in [&mut self.undo, &mut self.redo] {
            for step in stack.iter_mut() {
                step.retain(|e| !matches!(e, Edit::Annotation { after, .. } if after.doc == doc));
            }
            stack.retain(|step| !step.is_empty());
        }
        self.steps += 1;
    }

    /// Deletes an annotation (it stays as a tombstone).
    pub fn delete(&mut self, id: &str, now: &str) -> Touched {
        self.update(id, now, |a| a.deleted = true)
    }

    /// Replaces the codebook; when `rewrite` is `Some((from, to))`, every annotation
    /// tagged `from` is retagged `to` (or loses `from` when `to` is `None`), in the
    /// same undoable step. An annotation left with no tag is deleted.
    pub fn set_codebook(&mut self, codebook: Codebook, rewrite: Option<(&str, Option<&str>)>, now: &str) -> Touched {
        let mut t = Touched { codebook: true, ..Touched::default() };
        let mut edits = vec![Edit::Codebook { before: self.codebook.clone(), after: codebook.clone() }];
        if let Some((from, to)) = rewrite {
            let hits: Vec<Annotation> =
                self.all_live().filter(|a| a.tags.iter().any(|x| x == from)).cloned().collect();
            for before in hits {
                let mut after = before.clone();
                after.tags.retain(|x| x != from);
                if let Some(to) = to
                    && !after.tags.iter().any(|x| x == to) {
                        after.tags.push(to.to_string());
                    }
                after.deleted = after.tags.is_empty();
                after.updated = now.to_string();
                t.doc(&after.doc);
                self.put(after.clone());
                edits.push(Edit::Annotation { before: Some(before), after });
            }
        }
        self.codebook = codebook;
        self.record(edits);
        t
    }

    /// Restores a backup as planned by `store::restore_plan`: one undoable step.
    pub fn restore(&mut self, codebook: Codebook, writes: Vec<Annotation>) -> Touched {
        let mut t = Touched { codebook: codebook != self.codebook, ..Touched::default() };
        let mut edits = Vec::new();
        if t.codebook {
            edits.push(Edit::Codebook { before: self.codebook.clone(), after: codebook.clone() });
            self.codebook = codebook;
        }
        let befores = self.put_many(writes.clone(), &mut t);
        for (before, after) in befores.into_iter().zip(writes) {
            edits.push(Edit::Annotation { before, after });
        }
        self.record(edits);
        t
    }

    /// Joins the last step to the one before it when that one ended at `then`
    /// (`Coding::steps` right after it) and nothing was done between: the merges of
    /// a class's files (Merge all), undone as one. Says whether it joined.
    pub fn join_with_previous(&mut self, then: u64) -> bool {
        if self.steps != then + 1 || self.undo.len() < 2 {
            return false;
        }
        let last = self.undo.pop().unwrap_or_default();
        if let Some(before) = self.undo.last_mut() {
            before.extend(last);
        }
        true
    }

    /// Writes many annotations at once (a restore, an import, undoing one):
    /// indexes once and sorts each touched document once, so that 20,000 writes
    /// stay linear. An annotation whose document changed leaves the old one.
    /// Returns each one's previous version.
    fn put_many(&mut self, items: Vec<Annotation>, t: &mut Touched) -> Vec<Option<Annotation>> {
        let mut at: std::collections::HashMap<String, (String, usize)> = std::collections::HashMap::new();
        for (doc, v) in &self.by_doc {
            for (i, a) in v.iter().enumerate() {
                at.insert(a.id.clone(), (doc.clone(), i));
            }
        }
        // Removals from a document are done last (highest index first), so indexes hold.
        let mut leaving: Vec<(String, usize)> = Vec::new();
        let mut befores = Vec::with_capacity(items.len());
        for a in items {
            t.doc(&a.doc);
            let place = at.get(&a.id).cloned();
            let before = match place {
                Some((doc, i)) if doc == a.doc => {
                    Some(std::mem::replace(&mut self.by_doc.get_mut(&doc).expect("indexed")[i], a))
                }
                other => {
                    let before = other.map(|(doc, i)| {
                        t.doc(&doc);
                        leaving.push((doc.clone(), i));
                        self.by_doc[&doc][i].clone()
                    });
                    let v = self.by_doc.entry(a.doc.clone()).or_default();
                    at.insert(a.id.clone(), (a.doc.clone(), v.len()));
                    v.push(a);
                    before
                }
            };
            befores.push(before);
        }
        leaving.sort_by_key(|x| std::cmp::Reverse(x.1));
        for (doc, i) in leaving {
            if let Some(v) = self.by_doc.get_mut(&doc) {
                v.remove(i);
            }
        }
        for doc in &t.docs {
            if let Some(v) = self.by_doc.get_mut(doc) {
                sort(v);
            }
        }
        befores
    }

    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    /// A count that moves with every step recorded, undone or redone: while it
    /// is what it was right after a change, Undo takes back that change and no
    /// other (what a notice's Undo button must know).
    pub fn steps(&self) -> u64 {
        self.steps
    }

    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }

    fn apply(&mut self, edits: &[Edit], backwards: bool, now: &str) -> Touched {
        let mut t = Touched::default();
        let ordered: Vec<&Edit> = if backwards { edits.iter().rev().collect() } else { edits.iter().collect() };
        // What the step's annotations are now, as the edits go (one step may edit an
        // annotation twice). Each edit finds what the step left (for Undo) or what
        // Undo left (for Redo); anything else is another tab's change since, kept.
        let mut now_is: std::collections::HashMap<&str, Option<Annotation>> = ordered
            .iter()
            .filter_map(|e| match e {
                Edit::Annotation { after, .. } => Some((after.id.as_str(), None)),
                Edit::Codebook { .. } => None,
            })
            .collect();
        for a in self.by_doc.values().flatten() {
            if let Some(slot) = now_is.get_mut(a.id.as_str()) {
                *slot = Some(a.clone());
            }
        }
        let same = |a: Option<&Annotation>, b: Option<&Annotation>| match (a, b) {
            (Some(a), Some(b)) => Annotation { updated: String::new(), ..a.clone() } == Annotation { updated: String::new(), ..b.clone() },
            (a, b) => a.is_none() && b.is_none(),
        };
        let mut puts: Vec<Annotation> = Vec::new();
        // Undoing an annotation's coming (coded, imported, merged) takes it out, as if it
        // had never come: no tombstone, so that the same file merged again brings it back.
        let mut gone: Vec<(String, String)> = Vec::new();
        for e in ordered {
            match e {
                Edit::Annotation { before, after } => {
                    let (expected, target) = if backwards { (Some(after), before.as_ref()) } else { (before.as_ref(), Some(after)) };
                    let slot = now_is.get_mut(after.id.as_str()).expect("indexed");
                    if !same(slot.as_ref(), expected) {
                        if !t.kept.contains(&after.id) {
                            t.kept.push(after.id.clone());
                        }
                        continue;
                    }
                    *slot = target.cloned();
                    puts.retain(|p| p.id != after.id);
                    gone.retain(|(id, _)| *id != after.id);
                    match target {
                        Some(a) => puts.push(Annotation { updated: now.to_string(), ..a.clone() }),
                        None => gone.push((after.id.clone(), after.doc.clone())),
                    }
                }
                Edit::Codebook { before, after } => {
                    let (expected, book) = if backwards { (after, before) } else { (before, after) };
                    if self.codebook != *expected {
                        t.kept.push("codebook".to_string());
                        continue;
                    }
                    self.codebook = book.clone();
                    t.codebook = true;
                }
            }
        }
        // One step may write the same annotation twice: the last write wins, as in order.
        t.annotations = puts.len() + gone.len();
        self.put_many(puts, &mut t);
        for (id, doc) in gone {
            if let Some(v) = self.by_doc.get_mut(&doc) {
                v.retain(|a| a.id != id);
                if v.is_empty() {
                    self.by_doc.remove(&doc);
                }
            }
            t.doc(&doc);
        }
        t
    }

    /// Undoes the last change.
    pub fn undo(&mut self, now: &str) -> Touched {
        let Some(edits) = self.undo.pop() else { return Touched::default() };
        self.steps += 1;
        let t = self.apply(&edits, true, now);
        self.redo.push(edits);
        t
    }

    /// Redoes the last undone change.
    pub fn redo(&mut self, now: &str) -> Touched {
        let Some(edits) = self.redo.pop() else { return Touched::default() };
        self.steps += 1;
        let t = self.apply(&edits, false, now);
        self.undo.push(edits);
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_class_at_a_glance_counts_coders_per_paragraph() {
        use crate::document::{BlockKind, DocumentBuilder, Meta, Piece};
        let mut b = DocumentBuilder::new();
        for n in 1..=3 {
            b.push(BlockKind::Paragraph { number: Some(n) }, &[Piece::Text(format!("Paragraph {n} has some text."))]);
        }
        let d = b.finish(Meta { id: "D".into(), ..Meta::default() });
        let span = |n: u32| d.paragraphs().find(|(k, _)| *k == n).map(|(_, b)| (b.start, b.end)).unwrap();
        let mut c = Coding::new(Codebook::default());
        let by = |id: &str, coder: &str, (start, end): (usize, usize)| Annotation { coder: coder.into(), start, end, ..ann(id, "D", 0, "threat") };
        c.add(by("a", "Ana", span(1)));
        c.add(by("b", "Bo", (span(1).0 + 3, span(2).0 + 4)));
        c.add(by("k", "Key", span(3)));
        c.add(Annotation { deleted: true, ..by("x", "Zed", span(3)) });
        let (paras, n) = c.coders_by_paragraph(&d);
        assert_eq!(n, 3, "Zed's only annotation is deleted");
        assert_eq!(paras, [(1, vec!["Ana".to_string(), "Bo".to_string()]), (2, vec!["Bo".to_string()]), (3, vec!["Key".to_string()])]);
    }

    #[test]
    fn a_removed_texts_annotations_come_back_over_their_tombstones() {
        let mut c = Coding::new(Codebook::default());
        c.add(Annotation { memo: "kept".into(), ..ann("a", "T", 0, "threat") });
        c.add(ann("b", "T", 9, "finance"));
        c.add(ann("z", "D", 3, "threat"));
        let before: Vec<Annotation> = c.live("T").cloned().collect();
        c.delete_document("T", "t2");
        c.forget_history("T");
        assert_eq!(c.live("T").count(), 0);
        assert_eq!(c.stored("T").len(), 2, "tombstones, for other tabs");
        let steps = c.steps();
        let t = c.revive(before.clone(), "t3");
        assert!(c.steps() > steps);
        assert_eq!(t.docs.iter().collect::<Vec<_>>(), ["T"]);
        assert_eq!(c.stored("T").len(), 2, "no duplicate beside a tombstone");
        let a = c.get("a").unwrap();
        assert!(!a.deleted);
        assert_eq!((a.memo.as_str(), a.updated.as_str()), ("kept", "t3"), "newer than the tombstone another tab holds");
        // Not an Undo step: Undo takes back the step before, the coding of z.
        c.undo("t4");
        assert!(c.get("z").is_none_or(|z| z.deleted));
        assert_eq!(c.live("T").count(), 2);
        // Brought back twice (another tab did it first): nothing changes.
        let t = c.revive(before, "t5");
        assert!(t.docs.is_empty());
        assert_eq!(c.get("a").unwrap().updated, "t3");
    }

    #[test]
    fn undo_keeps_what_another_tab_changed_after_the_step() {
        let mut c = Coding::new(Codebook::default());
        c.add(Annotation { memo: "original".into(), ..ann("a", "D", 0, "threat") });
        c.add(ann("b", "D", 9, "finance"));
        c.delete("a", "t2");
        // The other tab typed in a's memo: a came back there, with it (merged here).
        let mut stored = c.stored("D").to_vec();
        stored[0] = Annotation { deleted: false, memo: "original + the other tab's".into(), updated: "t3".into(), ..stored[0].clone() };
        c.set_doc("D", stored);
        let t = c.undo("t4");
        assert_eq!(t.kept, ["a"]);
        assert!(t.docs.is_empty(), "nothing written");
        assert_eq!(c.get("a").unwrap().memo, "original + the other tab's");
        assert!(!c.get("a").unwrap().deleted);
        // A step on annotations no one else changed is taken back as before, twice in one step too.
        c.update("b", "t5", |x| x.memo = "one".into());
        c.update("b", "t6", |x| x.memo.push_str(" two"));
        c.join_with_previous(c.steps() - 1);
        let t = c.undo("t7");
        assert!(t.kept.is_empty() && t.docs.contains("D"), "{t:?}");
        assert_eq!(c.get("b").unwrap().memo, "");
        // Redo, after the other tab changed what Undo left: kept too.
        let mut stored = c.stored("D").to_vec();
        let i = stored.iter().position(|x| x.id == "b").unwrap();
        stored[i].tags.push("threat".into());
        c.set_doc("D", stored);
        assert_eq!(c.redo("t8").kept, ["b"]);
        assert_eq!(c.get("b").unwrap().memo, "");
        // The codebook, changed by the other tab after a rename here: kept.
        let mut renamed = c.codebook.clone();
        renamed.rename("finance", "money").unwrap();
        c.set_codebook(renamed, None, "t9");
        let mut theirs = c.codebook.clone();
        theirs.add("gender").unwrap();
        c.codebook = theirs.clone();
        assert_eq!(c.undo("t10").kept, ["codebook"]);
        assert_eq!(c.codebook, theirs);
    }

    #[test]
    fn rolled_up_each_coding_counts_for_its_parents() {
        let mut book = Codebook::default();
        let ff = book.add("foreign fighters").unwrap();
        let ret = book.add("returnees").unwrap();
        book.set_parent(&ff, Some("threat")).unwrap();
        book.set_parent(&ret, Some(&ff)).unwrap();
        let mut c = Coding::new(book);
        c.add(ann("a", "D", 0, &ret));
        c.add(ann("b", "D", 5, "finance"));
        let mut both = ann("c", "D", 9, &ff);
        both.tags.push("threat".into());
        c.add(both);
        let r = c.rolled_up();
        assert_eq!(r.get("a").unwrap().tags, [ret.as_str(), ff.as_str(), "threat"]);
        assert_eq!(r.get("b").unwrap().tags, ["finance"]);
        assert_eq!(r.get("c").unwrap().tags, [ff.as_str(), "threat"], "a parent already there is not added twice");
        assert_eq!(c.get("a").unwrap().tags, [ret.as_str()], "the coding itself is untouched");
    }

    #[test]
    fn work_put_away_leaves_no_trace_and_comes_back_whole() {
        let mut c = Coding::new(Codebook::default());
        c.add(ann("a", "D", 0, "threat"));
        c.add(ann("b", "D", 5, "finance"));
        c.delete("b", "t2");
        let (t, out) = c.put_away();
        assert_eq!(t.docs.iter().collect::<Vec<_>>(), ["D"]);
        assert_eq!(out.len(), 2, "the tombstone goes too");
        assert!(c.stored("D").is_empty() && c.docs().next().is_none());
        assert!(!c.can_undo(), "no Undo brings part of it back");
        // The next person codes; the work put away comes back beside theirs, tombstone and all.
        let mut dev = ann("c", "D", 2, "threat");
        dev.coder = "Dev".into();
        c.add(dev);
        let t = c.bring_back(out);
        assert!(t.docs.contains("D"));
        let ids: Vec<(&str, bool)> = c.stored("D").iter().map(|x| (x.id.as_str(), x.deleted)).collect();
        assert_eq!(ids, [("a", false), ("c", false), ("b", true)]);
    }

    fn ann(id: &str, doc: &str, start: usize, tag: &str) -> Annotation {
        Annotation {
            id: id.into(),
            doc: doc.into(),
            start,
            end: start + 4,
            quote: "abcd".into(),
            prefix: String::new(),
            suffix: String::new(),
            tags: vec![tag.into()],
            memo: String::new(),
            coder: "ana".into(),
            created: "t0".into(),
            updated: "t0".into(),
            deleted: false,
        }
    }

    #[test]
    fn coding_the_same_span_again_adds_the_tag_instead_of_a_duplicate() {
        let mut c = Coding::new(Codebook::default());
        let (_, first) = c.code(ann("a", "D", 3, "threat"), "t1");
        assert_eq!(first, "a");
        let (touched, id) = c.code(ann("b", "D", 3, "finance"), "t2");
        assert_eq!(id, "a", "the existing annotation carries the new tag");
        assert!(touched.docs.contains("D"));
        assert_eq!(c.live("D").count(), 1);
        assert_eq!(c.get("a").unwrap().tags, ["threat", "finance"]);
        assert_eq!(c.get("a").unwrap().updated, "t2");
        // The same tag again changes nothing; another span, or another document, is a new annotation.
        let (touched, _) = c.code(ann("c", "D", 3, "threat"), "t3");
        assert!(touched.docs.is_empty());
        c.code(ann("d", "D", 4, "threat"), "t4");
        c.code(ann("e", "E", 3, "threat"), "t5");
        assert_eq!((c.live("D").count(), c.live("E").count()), (2, 1));
        // One undo takes the added tag back.
        c.undo("t6");
        c.undo("t6");
        c.undo("t6");
        assert_eq!(c.get("a").unwrap().tags, ["threat"]);
        // Another coder coding the same span makes their own annotation.
        let mut other = ann("g", "D", 4, "finance");
        other.coder = "bo".into();
        let (_, id) = c.code(other, "t6");
        assert_eq!(id, "g");
        assert!(c.get("d").is_none(), "undone as if never coded");
        assert_eq!(c.get("a").unwrap().tags, ["threat"], "ana's annotation is untouched");
        c.undo("t6");
        // A deleted annotation at the same span is not revived: a new one is made.
        c.delete("a", "t7");
        let (_, id) = c.code(ann("f", "D", 3, "finance"), "t8");
        assert_eq!(id, "f");
    }

    #[test]
    fn every_match_is_coded_in_one_step() {
        let text = "Fighters return. Foreign fighters, and more fighters.";
        let doc = crate::Document::new(crate::Meta { id: "D".into(), ..crate::Meta::default() }, text.into(), Vec::new(), Vec::new());
        let spans = crate::search::find(text, "fighters");
        assert_eq!(spans.len(), 3);
        let mut c = Coding::new(Codebook::default());
        // ana already coded the second match with finance, and the third with threat.
        let mut second = ann("x", "D", spans[1].0, "finance");
        second.end = spans[1].1;
        let mut third = ann("y", "D", spans[2].0, "threat");
        third.end = spans[2].1;
        c.add(second);
        c.add(third);
        let steps = c.steps();
        let mut n = 0;
        let (touched, coded, had) = c.code_all(&doc, &spans, ("threat", "ana"), "t1", false, || { n += 1; format!("new{n}") });
        assert_eq!((coded, had), (2, 1));
        assert!(touched.docs.contains("D"));
        assert_eq!(c.steps(), steps + 1, "one step");
        assert_eq!(c.live("D").count(), 3, "the coded span is not duplicated");
        assert_eq!(c.get("x").unwrap().tags, ["threat", "finance"], "in the codebook's order");
        let new = c.get("new1").unwrap();
        assert_eq!((new.start, new.end, new.quote.as_str(), new.coder.as_str()), (0, 8, "Fighters", "ana"));
        // Again: nothing left to code, nothing recorded.
        let (touched, coded, had) = c.code_all(&doc, &spans, ("threat", "ana"), "t2", false, || "z".into());
        assert_eq!((touched.is_empty(), coded, had), (true, 0, 3));
        assert_eq!(c.steps(), steps + 1);
        // One undo takes all of it back.
        c.undo("t3");
        assert_eq!(c.live("D").count(), 2);
        assert_eq!(c.get("x").unwrap().tags, ["finance"]);
        // Another coder gets annotations of their own.
        let (_, coded, _) = c.code_all(&doc, &spans, ("threat", "bo"), "t4", false, || { n += 1; format!("new{n}") });
        assert_eq!(coded, 3);
        assert_eq!(c.live("D").filter(|a| a.coder == "bo").count(), 3);
    }

    #[test]
    fn with_whole_words_every_match_codes_its_words() {
        let text = "Fighters return. Foreign fighters, and more fightersss.";
        let doc = crate::Document::new(crate::Meta { id: "D".into(), ..crate::Meta::default() }, text.into(), Vec::new(), Vec::new());
        let spans = crate::search::find(text, "ighter");
        let mut c = Coding::new(Codebook::default());
        let mut n = 0;
        let (_, coded, _) = c.code_all(&doc, &spans, ("threat", "ana"), "t1", true, || { n += 1; format!("n{n}") });
        assert_eq!(coded, 3);
        let quotes: Vec<&str> = c.live("D").map(|a| a.quote.as_str()).collect();
        assert_eq!(quotes, ["Fighters", "fighters", "fightersss"]);
    }

    #[test]
    fn a_coder_s_name_is_corrected_on_their_annotations_in_one_step() {
        let mut c = Coding::new(Codebook::default());
        c.add(ann("a", "D", 0, "threat"));
        c.add(ann("b", "E", 0, "threat"));
        let mut bo = ann("c", "D", 5, "threat");
        bo.coder = "bo".into();
        c.add(bo);
        c.delete("b", "t1");
        let (touched, n) = c.rename_coder("ana", "Ana Lima", "t2");
        assert_eq!(n, 1, "live annotations only");
        assert!(touched.docs.contains("D"));
        assert_eq!(c.get("a").unwrap().coder, "Ana Lima");
        assert_eq!(c.get("c").unwrap().coder, "bo", "another coder's stay theirs");
        assert_eq!(c.counts_of(Some("D"), Some("bo")).get("threat"), Some(&1));
        assert_eq!(c.counts_of(Some("D"), None).get("threat"), Some(&2));
        assert_eq!(c.get("b").unwrap().coder, "ana");
        c.undo("t3");
        assert_eq!(c.get("a").unwrap().coder, "ana");
        assert_eq!(c.rename_coder("x", "y", "t4").1, 0);
    }

    #[test]
    fn a_run_of_nudges_is_one_undo_step() {
        let mut c = Coding::new(Codebook::default());
        c.add(ann("a", "D", 10, "threat"));
        c.add(ann("b", "D", 20, "threat"));
        for k in 1..=3 {
            c.reshape("a", &format!("t{k}"), |a| a.end += 1);
        }
        assert_eq!(c.get("a").unwrap().end, 17);
        c.undo("t4");
        assert_eq!(c.get("a").unwrap().end, 14, "the three nudges go at once");
        c.redo("t5");
        assert_eq!(c.get("a").unwrap().end, 17);
        // Another step between, or another annotation, starts a new run.
        c.reshape("a", "t6", |a| a.end += 1);
        c.update("b", "t7", |a| a.memo = "m".into());
        c.reshape("a", "t8", |a| a.end += 1);
        c.reshape("b", "t9", |a| a.end += 1);
        c.undo("t10");
        assert_eq!(c.get("b").unwrap().end, 24);
        c.undo("t10");
        assert_eq!(c.get("a").unwrap().end, 18);
        c.undo("t10");
        assert_eq!(c.get("b").unwrap().memo, "");
        c.undo("t10");
        assert_eq!(c.get("a").unwrap().end, 17);
    }

    #[test]
    fn whose_work_a_file_is() {
        let mut c = Coding::new(Codebook::default());
        c.add(ann("a", "D", 0, "threat"));
        let mut bob = ann("b", "D", 5, "threat");
        bob.coder = "Bob".into();
        let mut alice = ann("c", "D", 9, "threat");
        alice.coder = "ANA".into();
        let mut gone = ann("d", "D", 12, "threat");
        gone.deleted = true;
        let file = [ann("x", "D", 0, "finance"), bob.clone(), bob, alice, gone];
        assert_eq!(
            c.whose(&file).unwrap(),
            "By ANA: 1 annotation, new (ana is here, spelt otherwise); Bob: 2 annotations, new here; ana: 1 annotation, joining ana's work already here."
        );
        assert_eq!(c.whose(&[]), None);
    }

    #[test]
    fn a_removed_text_s_history_is_forgotten() {
        let mut c = Coding::new(Codebook::default());
        c.add(ann("a", "D", 0, "threat"));
        c.add(ann("b", "E", 0, "threat"));
        c.delete_document("D", "t1");
        let steps = c.steps();
        c.forget_history("D");
        assert!(c.steps() > steps, "a notice's Undo closes");
        // Undo takes back E's annotation, and nothing brings D's back.
        c.undo("t2");
        assert_eq!((c.live("D").count(), c.live("E").count()), (0, 0));
        assert!(!c.can_undo());
        c.redo("t3");
        assert_eq!(c.live("E").count(), 1);
        assert!(!c.can_redo());
    }

    #[test]
    fn a_document_s_annotations_are_deleted_in_one_step() {
        let mut c = Coding::new(Codebook::default());
        c.add(ann("a", "D", 0, "threat"));
        c.add(ann("b", "D", 5, "finance"));
        c.add(ann("c", "E", 0, "threat"));
        let (touched, n) = c.delete_document("D", "t9");
        assert_eq!(n, 2);
        assert!(touched.docs.contains("D") && !touched.docs.contains("E"));
        assert_eq!(c.live("D").count(), 0);
        assert_eq!(c.stored("D").len(), 2, "kept as tombstones");
        assert!(c.stored("D").iter().all(|a| a.deleted && a.updated == "t9"));
        assert_eq!(c.live("E").count(), 1);
        assert_eq!(c.delete_document("D", "t10").1, 0, "nothing left to delete");
        c.undo("t11");
        assert_eq!(c.live("D").count(), 2, "one undo brings both back");
    }

    #[test]
    fn steps_move_with_every_change_undo_and_redo_even_at_the_undo_limit() {
        let mut c = Coding::new(Codebook::default());
        assert_eq!(c.steps(), 0);
        c.add(ann("a", "D", 0, "threat"));
        let after_add = c.steps();
        assert!(after_add > 0);
        c.set_doc("D", vec![ann("a", "D", 0, "finance")]);
        assert_eq!(c.steps(), after_add, "loading (another tab's copy) is not a step");
        c.undo("t");
        let after_undo = c.steps();
        assert_ne!(after_undo, after_add);
        c.redo("t");
        assert!(c.steps() > after_undo);
        c.undo("t");
        c.undo("t");
        let nothing = c.steps();
        c.undo("t");
        assert_eq!(c.steps(), nothing, "nothing left to undo is no step");
        for i in 0..UNDO_DEPTH + 2 {
            let before = c.steps();
            c.add(ann(&format!("b{i}"), "D", i + 1, "threat"));
            assert!(c.steps() > before, "a step at the limit still counts");
        }
    }

    #[test]
    fn undo_remembers_the_last_steps_only() {
        let mut c = Coding::new(Codebook::default());
        for i in 0..UNDO_DEPTH + 5 {
            c.add(ann(&format!("a{i}"), "D", i, "threat"));
        }
        let mut undone = 0;
        while c.can_undo() {
            c.undo("t");
            undone += 1;
        }
        assert_eq!(undone, UNDO_DEPTH);
        assert_eq!(c.live("D").count(), 5, "the five oldest steps stay");
    }

    #[test]
    fn restore_of_many_writes_updates_adds_moves_and_undoes_as_one_step() {
        let mut c = Coding::new(Codebook::default());
        for i in 0..50 {
            c.add(ann(&format!("a{i}"), if i % 2 == 0 { "D" } else { "E" }, 100 - i, "threat"));
        }
        let before = c.clone();
        let mut writes = vec![ann("a3", "E", 7, "finance"), ann("new", "D", 1, "threat"), ann("a4", "E", 0, "threat")];
        writes[0].memo = "changed".into();
        let t = c.restore(Codebook::default(), writes);
        assert_eq!(t.docs.len(), 2);
        assert_eq!(c.get("a3").map(|a| (a.start, a.memo.as_str())), Some((7, "changed")));
        assert_eq!(c.get("a4").map(|a| a.doc.as_str()), Some("E"), "moved to E");
        assert!(c.stored("D").iter().all(|a| a.id != "a4"), "and out of D");
        assert!(c.get("new").is_some());
        assert_eq!(c.stored("D").len() + c.stored("E").len(), 51);
        for d in ["D", "E"] {
            let v = c.stored(d);
            assert!(v.windows(2).all(|w| (w[0].start, w[0].end) <= (w[1].start, w[1].end)), "text order in {d}");
        }
        c.undo("t");
        for d in ["D", "E"] {
            let ids = |x: &Coding| x.live(d).map(|a| (a.id.clone(), a.start, a.tags.clone())).collect::<Vec<_>>();
            assert_eq!(ids(&c), ids(&before), "undo restores {d}");
        }
    }

    #[test]
    fn a_span_coded_again_keeps_its_tags_in_the_codebook_order() {
        let mut c = Coding::new(Codebook::default());
        c.code(ann("a", "D", 1, "prosecution"), "t1");
        c.code(ann("b", "D", 1, "threat"), "t2");
        c.code(ann("c", "D", 1, "finance"), "t3");
        assert_eq!(c.get("a").unwrap().tags, ["threat", "finance", "prosecution"], "one annotation, tags in codebook order");
        assert!(c.get("b").is_none() && c.get("c").is_none());
    }

    #[test]
    fn others_over_a_passage_are_listed_with_their_tags() {
        let mut c = Coding::new(Codebook::default());
        let ann = |id: &str, coder: &str, (start, end): (usize, usize), tags: &[&str]| Annotation {
            id: id.into(), doc: "D".into(), start, end, quote: String::new(), prefix: String::new(), suffix: String::new(),
            tags: tags.iter().map(|t| t.to_string()).collect(), memo: String::new(), coder: coder.into(),
            created: "t".into(), updated: "t".into(), deleted: false,
        };
        c.add(ann("k", "Key", (10, 20), &["threat"]));
        c.add(ann("b1", "Ben", (15, 30), &["finance"]));
        c.add(ann("b2", "Ben", (5, 12), &["threat", "finance"]));
        c.add(ann("a", "Ana", (20, 25), &["threat"]));
        c.add(ann("z", "Zoe", (0, 10), &["prosecution"]));
        c.add(ann("y", "Yan", (12, 14), &["repatriation"]));
        c.delete("y", "t2");
        // Over 10..20: Ben twice (tags in codebook order, once each); Ana starts at 20, Zoe ends at 10, Yan's is deleted.
        assert_eq!(c.others_over("D", 10, 20, "Key"), [("Ben".to_string(), vec!["threat".to_string(), "finance".to_string()])]);
        assert!(c.others_over("D", 10, 20, "Ben").iter().any(|(who, _)| who == "Key"));
        assert!(c.others_over("E", 10, 20, "Key").is_empty());
    }

    #[test]
    fn merges_of_a_class_join_into_one_step_only_when_nothing_came_between() {
        let mut c = Coding::new(Codebook::default());
        c.add(ann("mine", "D", 1, "threat"));
        let before = c.clone();
        c.restore(Codebook::default(), vec![ann("s1", "D", 10, "threat"), ann("both", "D", 30, "threat")]);
        let first = c.steps();
        let mut again = ann("both", "D", 30, "finance");
        again.memo = "second file".into();
        c.restore(Codebook::default(), vec![ann("s2", "D", 20, "finance"), again]);
        assert!(c.join_with_previous(first));
        let joined = c.steps();
        c.restore(Codebook::default(), vec![ann("s3", "D", 40, "threat")]);
        assert!(c.join_with_previous(joined));
        assert_eq!(c.live("D").count(), 5);
        c.undo("t");
        let live = |x: &Coding| x.live("D").map(|a| (a.id.clone(), a.tags.clone(), a.memo.clone())).collect::<Vec<_>>();
        assert_eq!(live(&c), live(&before), "one Undo takes back all three merges");
        c.redo("t");
        assert_eq!(c.get("both").map(|a| a.memo.as_str()), Some("second file"), "and Redo brings them all");
        // A step between: no joining.
        let then = c.steps();
        c.add(ann("between", "D", 50, "threat"));
        c.restore(Codebook::default(), vec![ann("s4", "D", 60, "threat")]);
        assert!(!c.join_with_previous(then));
        c.undo("t");
        assert!(c.get("between").is_some_and(|a| !a.deleted), "only the last merge went");
    }

    #[test]
    fn add_update_delete_undo_redo() {
        let mut c = Coding::new(Codebook::default());
        let t = c.add(ann("a", "D", 10, "threat"));
        assert!(t.docs.contains("D"));
        c.add(ann("b", "D", 2, "finance"));
        assert_eq!(c.live("D").map(|a| a.id.as_str()).collect::<Vec<_>>(), ["b", "a"], "text order");
        c.update("a", "t1", |a| a.memo = "why".into());
        assert_eq!(c.get("a").unwrap().memo, "why");
        assert_eq!(c.get("a").unwrap().updated, "t1");
        assert!(c.update("a", "t2", |_| {}).is_empty(), "no-op is not recorded");
        c.delete("b", "t3");
        assert_eq!(c.live("D").count(), 1);
        assert!(c.get("b").unwrap().deleted, "tombstone kept");
        c.undo("t4");
        assert_eq!(c.live("D").count(), 2);
        c.undo("t5");
        assert_eq!(c.get("a").unwrap().memo, "");
        c.redo("t6");
        assert_eq!(c.get("a").unwrap().memo, "why");
        c.undo("t7");
        c.undo("t8");
        c.undo("t9");
        assert_eq!(c.live("D").count(), 0, "undoing the adds leaves tombstones");
        assert!(!c.can_undo());
        c.redo("t10");
        assert_eq!(c.live("D").count(), 1);
        c.add(ann("z", "D", 0, "threat"));
        assert!(!c.can_redo(), "a new change clears redo");
        assert_eq!(c.counts(Some("D")).get("threat"), Some(&2));
    }

    #[test]
    fn merging_tags_is_one_undoable_step() {
        let mut c = Coding::new(Codebook::default());
        c.add(ann("a", "D", 0, "threat"));
        c.add(ann("b", "E", 0, "finance"));
        let mut book = c.codebook.clone();
        book.tags.retain(|t| t.id != "threat");
        let t = c.set_codebook(book, Some(("threat", Some("finance"))), "t1");
        assert!(t.codebook && t.docs.contains("D"));
        assert_eq!(c.get("a").unwrap().tags, ["finance"]);
        assert!(c.codebook.get("threat").is_none());
        c.undo("t2");
        assert_eq!(c.get("a").unwrap().tags, ["threat"]);
        assert!(c.codebook.get("threat").is_some());
    }
}
