//! Undo and redo as a command log: each change is recorded as a group of
//! reversible edits (before and after), undone last-first and redone
//! first-last. A new change clears what could be redone.
//!
//! [`History`] is generic over the edit type and knows nothing of the state;
//! [`Undoable`] says how a state applies an edit either way. [`State`] and
//! [`Change`] are the plain coding state (annotations and codebook) with its
//! edits. (`coding::Coding` keeps its own log of the same shape, with the
//! storage keys each change touches.)
//!
//! Two things a plain stack lacks: a depth limit (a coder works for hours; the
//! oldest steps are forgotten first) and coalescing (nudging one boundary five
//! times, or saving one memo repeatedly, is one step to undo when the caller
//! gives the changes the same coalescing key).

use std::collections::BTreeMap;

use crate::annotation::Annotation;
use crate::codebook::Codebook;

/// How a state applies an edit, forwards or backwards.
pub trait Undoable<E> {
    fn apply(&mut self, edit: &E, backwards: bool);
}

#[derive(Debug, Clone)]
struct Entry<E> {
    edits: Vec<E>,
    coalesce: Option<String>,
}

/// The undo and redo stacks.
#[derive(Debug, Clone)]
pub struct History<E> {
    undo: Vec<Entry<E>>,
    redo: Vec<Entry<E>>,
    limit: usize,
    /// Whether the next change may coalesce with the last one.
    open: bool,
}

/// Steps kept by [`History::default`].
pub const DEFAULT_LIMIT: usize = 500;

impl<E> Default for History<E> {
    fn default() -> Self {
        History::new(DEFAULT_LIMIT)
    }
}

impl<E> History<E> {
    /// A history keeping at most `limit` steps to undo (at least one).
    pub fn new(limit: usize) -> Self {
        History { undo: Vec::new(), redo: Vec::new(), limit: limit.max(1), open: false }
    }

    /// Records a change already applied to the state. Empty changes are not
    /// recorded. With `coalesce = Some(key)`, a change following one with the same
    /// key (and no undo, redo or [`History::seal`] between) joins it as one step.
    pub fn record(&mut self, edits: Vec<E>, coalesce: Option<&str>) {
        if edits.is_empty() {
            return;
        }
        self.redo.clear();
        if let (true, Some(key), Some(last)) = (self.open, coalesce, self.undo.last_mut())
            && last.coalesce.as_deref() == Some(key)
        {
            last.edits.extend(edits);
            return;
        }
        self.undo.push(Entry { edits, coalesce: coalesce.map(str::to_string) });
        self.open = true;
        if self.undo.len() > self.limit {
            let excess = self.undo.len() - self.limit;
            self.undo.drain(..excess);
        }
    }

    /// Ends coalescing: the next change is a step of its own (call it when the
    /// coder moves to another annotation or field).
    pub fn seal(&mut self) {
        self.open = false;
    }

    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }

    /// Steps that can be undone and redone.
    pub fn depth(&self) -> (usize, usize) {
        (self.undo.len(), self.redo.len())
    }

    /// Takes the last step to undo; the caller applies its edits backwards, last
    /// first (or use [`History::undo_on`]).
    pub fn undo(&mut self) -> Option<&[E]> {
        let e = self.undo.pop()?;
        self.open = false;
        self.redo.push(e);
        self.redo.last().map(|e| e.edits.as_slice())
    }

    /// Takes the last undone step; the caller applies its edits forwards, first first.
    pub fn redo(&mut self) -> Option<&[E]> {
        let e = self.redo.pop()?;
        self.open = false;
        self.undo.push(e);
        self.undo.last().map(|e| e.edits.as_slice())
    }

    /// Undoes the last step on `state`; `false` if there was none.
    pub fn undo_on<S: Undoable<E>>(&mut self, state: &mut S) -> bool {
        match self.undo() {
            Some(edits) => {
                edits.iter().rev().for_each(|e| state.apply(e, true));
                true
            }
            None => false,
        }
    }

    /// Redoes the last undone step on `state`; `false` if there was none.
    pub fn redo_on<S: Undoable<E>>(&mut self, state: &mut S) -> bool {
        match self.redo() {
            Some(edits) => {
                edits.iter().for_each(|e| state.apply(e, false));
                true
            }
            None => false,
        }
    }

    pub fn clear(&mut self) {
        self.undo.clear();
        self.redo.clear();
        self.open = false;
    }
}

/// A plain coding state: annotations by id (tombstones included) and the codebook.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct State {
    pub annotations: BTreeMap<String, Annotation>,
    pub codebook: Codebook,
}

/// One reversible edit of a [`State`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(clippy::large_enum_variant)]
pub enum Change {
    /// An annotation added (`before: None`), changed, or removed (`after: None`).
    /// A deletion that must merge across tabs is a change to a tombstone, not a removal.
    Annotation { before: Option<Annotation>, after: Option<Annotation> },
    Codebook { before: Codebook, after: Codebook },
}

impl Undoable<Change> for State {
    fn apply(&mut self, edit: &Change, backwards: bool) {
        match edit {
            Change::Annotation { before, after } => {
                let (from, to) = if backwards { (after, before) } else { (before, after) };
                if let Some(a) = from {
                    self.annotations.remove(&a.id);
                }
                if let Some(a) = to {
                    self.annotations.insert(a.id.clone(), a.clone());
                }
            }
            Change::Codebook { before, after } => {
                self.codebook = if backwards { before.clone() } else { after.clone() };
            }
        }
    }
}

impl State {
    /// Applies `change` and records it in `history` as one step.
    pub fn change(&mut self, history: &mut History<Change>, edits: Vec<Change>, coalesce: Option<&str>) {
        for e in &edits {
            self.apply(e, false);
        }
        history.record(edits, coalesce);
    }

    /// The edit that puts `after` in place of the annotation with its id.
    pub fn put(&self, after: Annotation) -> Change {
        Change::Annotation { before: self.annotations.get(&after.id).cloned(), after: Some(after) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ann(id: &str, memo: &str) -> Annotation {
        Annotation {
            id: id.into(), doc: "D".into(), start: 0, end: 1, quote: "a".into(), prefix: String::new(),
            suffix: String::new(), tags: vec!["threat".into()], memo: memo.into(), coder: String::new(),
            created: "t".into(), updated: "t".into(), deleted: false,
        }
    }

    #[test]
    fn undo_redo_and_a_new_change_clears_redo() {
        let mut s = State::default();
        let mut h = History::default();
        let e = s.put(ann("a", ""));
        s.change(&mut h, vec![e], None);
        let e = s.put(ann("a", "why"));
        s.change(&mut h, vec![e], None);
        let mut book = s.codebook.clone();
        book.add("Gender").unwrap();
        s.change(&mut h, vec![Change::Codebook { before: s.codebook.clone(), after: book.clone() }], None);
        assert_eq!(h.depth(), (3, 0));
        assert!(h.undo_on(&mut s));
        assert!(s.codebook.get("gender").is_none());
        assert!(h.undo_on(&mut s));
        assert_eq!(s.annotations["a"].memo, "");
        assert!(h.redo_on(&mut s));
        assert_eq!(s.annotations["a"].memo, "why");
        let e = s.put(ann("b", ""));
        s.change(&mut h, vec![e], None);
        assert!(!h.can_redo(), "a new change clears redo");
        assert!(!h.redo_on(&mut s));
        while h.undo_on(&mut s) {}
        assert_eq!(s, State::default());
        h.record(Vec::new(), None);
        assert_eq!(h.depth(), (0, 3), "an empty change is not recorded and keeps redo");
    }

    #[test]
    fn coalescing_and_the_depth_limit() {
        let mut s = State::default();
        let mut h = History::new(3);
        let e = s.put(ann("a", ""));
        s.change(&mut h, vec![e], None);
        for memo in ["w", "wh", "why"] {
            let e = s.put(ann("a", memo));
            s.change(&mut h, vec![e], Some("memo:a"));
        }
        assert_eq!(h.depth(), (2, 0), "three memo saves are one step");
        h.undo_on(&mut s);
        assert_eq!(s.annotations["a"].memo, "");
        h.redo_on(&mut s);
        let e = s.put(ann("a", "why not"));
        s.change(&mut h, vec![e], Some("memo:a"));
        assert_eq!(h.depth(), (3, 0), "no coalescing across an undo or redo");
        h.seal();
        let e = s.put(ann("a", "why not?"));
        s.change(&mut h, vec![e], Some("memo:a"));
        assert_eq!(h.depth(), (3, 0), "sealed: a new step, and the oldest is forgotten");
        while h.undo_on(&mut s) {}
        assert_eq!(s.annotations["a"].memo, "", "back to what the oldest kept step started from");
    }

    #[derive(Debug, Clone)]
    enum Op {
        Put(u8, u8),
        Remove(u8),
        AddTag(u8),
        Undo,
        Redo,
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            (0u8..4, 0u8..4).prop_map(|(i, m)| Op::Put(i, m)),
            (0u8..4).prop_map(Op::Remove),
            (0u8..3).prop_map(Op::AddTag),
            Just(Op::Undo),
            Just(Op::Redo),
        ]
    }

    proptest! {
        #[test]
        fn undoing_everything_restores_the_start_and_redoing_restores_the_end(ops in proptest::collection::vec(op(), 0..30)) {
            let mut s = State::default();
            let mut h = History::new(1000);
            // A model of the states reachable: the timeline of states and the current place.
            let mut timeline = vec![s.clone()];
            let mut at: usize = 0;
            for o in ops {
                let edits = match o {
                    Op::Put(i, m) => vec![s.put(ann(&format!("a{i}"), &format!("m{m}")))],
                    Op::Remove(i) => s.annotations.get(&format!("a{i}")).cloned()
                        .map(|a| vec![Change::Annotation { before: Some(a), after: None }]).unwrap_or_default(),
                    Op::AddTag(n) => {
                        let mut book = s.codebook.clone();
                        if book.add(&format!("tag{n}")).is_err() { continue; }
                        vec![Change::Codebook { before: s.codebook.clone(), after: book }]
                    }
                    Op::Undo => {
                        prop_assert_eq!(h.undo_on(&mut s), at > 0);
                        at = at.saturating_sub(1);
                        prop_assert_eq!(&s, &timeline[at]);
                        continue;
                    }
                    Op::Redo => {
                        prop_assert_eq!(h.redo_on(&mut s), at + 1 < timeline.len());
                        at = (at + 1).min(timeline.len() - 1);
                        prop_assert_eq!(&s, &timeline[at]);
                        continue;
                    }
                };
                if edits.is_empty() { continue; }
                s.change(&mut h, edits, None);
                timeline.truncate(at + 1);
                timeline.push(s.clone());
                at += 1;
            }
            while h.undo_on(&mut s) {}
            prop_assert_eq!(&s, &timeline[0]);
            while h.redo_on(&mut s) {}
            prop_assert_eq!(&s, timeline.last().unwrap());
        }
    }
}
