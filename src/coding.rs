//! The coding state of the shell: binds `core::coding::Coding` to signals and
//! writes every change through to storage at once.

use marginalia_core::anchor::Anchoring;
use std::collections::{BTreeMap, BTreeSet};

use leptos::prelude::*;
use marginalia_core::annotation::Annotation;
use marginalia_core::coding::{Coding, Touched};
use marginalia_core::store::{self, Meta};

use crate::storage::{self, WriteError};

/// A message for the user, with an optional action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub text: String,
    /// Work is at risk: offer to download a backup.
    pub offer_backup: bool,
    /// Saved data could not be read and was set aside: offer to download it.
    pub offer_set_aside: bool,
    /// It reports a change that Undo takes back: the coding's step count
    /// ([`Coding::steps`]) right after that change. The notice offers Undo, and
    /// closes as soon as another step (a change, Undo, Redo) is taken, so its
    /// Undo never takes back anything else.
    pub undo: Option<u64>,
    /// It reports what was done (not a problem): it goes away by itself.
    pub fades: bool,
    /// The annotation to open when Undo has taken the change back.
    pub reopen: Option<String>,
    /// It reports work put away for the next person: it offers to bring it back
    /// ([`CodingState::put_away`]).
    pub bring_back: bool,
}

impl Notice {
    /// A problem, a refusal or a warning: it stays until dismissed.
    pub fn problem(text: impl Into<String>) -> Notice {
        Notice { text: text.into(), offer_backup: false, offer_set_aside: false, undo: None, fades: false, reopen: None, bring_back: false }
    }

    /// A problem that puts work at risk: it stays, and offers a backup.
    pub fn at_risk(text: impl Into<String>) -> Notice {
        Notice { offer_backup: true, ..Notice::problem(text) }
    }

    /// A slip to correct (an empty name, say): it fades after a while.
    pub fn slip(text: impl Into<String>) -> Notice {
        Notice { fades: true, ..Notice::problem(text) }
    }

    /// What was done (Undo cannot take it back: see [`CodingState::undoable`]). It fades after a while.
    pub fn done(text: impl Into<String>) -> Notice {
        Notice { fades: true, ..Notice::problem(text) }
    }
}

/// A user's own text removed, as it was, for Undo.
#[derive(Debug, Clone)]
pub struct RemovedText {
    pub text: marginalia_core::store::UserText,
    /// Its live annotations before it went.
    pub annotations: Vec<Annotation>,
    /// The coding's step count right after the removal: Undo brings it back only then.
    pub steps: u64,
}

/// A step on a user's own text that Undo took back, for Redo to take again.
#[derive(Debug, Clone)]
pub enum TextRedo {
    /// The text brought back (by its id): Redo removes it again.
    Remove(String),
    /// The text given its old title back: Redo gives it this one again.
    Retitle(marginalia_core::store::UserText),
}

#[derive(Clone, Copy)]
pub struct CodingState {
    pub coding: RwSignal<Coding>,
    pub meta: RwSignal<Meta>,
    /// The annotation open in the editor.
    pub selected: RwSignal<Option<String>>,
    /// An annotation just coded on a touch screen: its sheet shows the citation, the
    /// tags and the buttons, not the memo, until asked for (so the next passage stays in view).
    pub fresh: RwSignal<Option<String>>,
    /// An annotation just coded from a text selection: Tab goes to its memo.
    pub by_selection: StoredValue<Option<String>>,
    /// An annotation just made, about to open (it opens once its highlight is
    /// painted): a second key pressed before that goes to it.
    pub opening: StoredValue<Option<String>>,
    /// A text selection waiting for a tag: (document id, start, end).
    pub pending: RwSignal<Option<(String, usize, usize)>>,
    /// Where the tag palette opens: the selection's left, top and bottom, in page coordinates.
    pub palette_at: RwSignal<Option<(f64, f64, f64)>>,
    pub notice: RwSignal<Option<Notice>>,
    /// Keys whose latest value is only in memory (the store was full).
    pub unsaved: RwSignal<BTreeSet<String>>,
    /// Asking for the coder's name (then applying this tag; `""`: only the name;
    /// [`ASK_THEN_BACKUP`]: then the backup).
    pub ask_name: RwSignal<Option<String>>,
    /// The first tag asks whether the coder named here is the one coding, and why:
    /// the work was all in a backup when the page opened (handed in, on a shared
    /// computer perhaps), nothing was coded here for hours, or the name came with a
    /// backup brought into a browser that had none (store::asks_still).
    pub confirm_coder: StoredValue<Option<marginalia_core::store::Still>>,
    /// The work last put away for the next person, and whose name was on it,
    /// until brought back or the page is closed (it is in the backup file too).
    pub put_away: StoredValue<Option<(String, Vec<Annotation>)>>,
    /// A user's own text just removed, with its annotations: Undo (the notice's
    /// or Ctrl+Z, while no other step is taken) brings it back.
    pub removed_text: RwSignal<Option<RemovedText>>,
    /// A user's own text just renamed: the text as it was, and the coding's step
    /// count then. Undo (the notice's or Ctrl+Z, while no other step is taken)
    /// gives it its title back.
    pub renamed_text: RwSignal<Option<(marginalia_core::store::UserText, u64)>>,
    /// A step on a user's own text that Undo just took back, and the coding's step
    /// count then: Redo (while no other step is taken) takes it again.
    pub redo_text: RwSignal<Option<(TextRedo, u64)>>,
    /// One's own name renamed on the Agreement page (old, new): Undo and Redo of
    /// it take the name one codes under along (`follow_self_rename`).
    pub self_rename: StoredValue<Option<(String, String)>>,
    /// Storage belongs to a newer Marginalia: read only.
    pub read_only: RwSignal<bool>,
    /// Annotations whose quote is no longer in their document's text: kept, not drawn.
    pub detached: RwSignal<BTreeSet<String>>,
    /// Changes not yet written (written right after the next paint, or when the page hides).
    unwritten: StoredValue<Option<Touched>>,
    /// Each document's annotations as this tab last read them from storage (at start,
    /// or another tab's last write): what both tabs had, against which another tab's
    /// write is merged (`store::merge_tabs`). This tab's own writes do not move it: a
    /// write of the other tab's that crossed one of ours was made without it.
    synced: StoredValue<BTreeMap<String, Vec<Annotation>>>,
    /// Bumped right after the frame that shows a change is painted. The report's
    /// prose follows `coding` at once; the panels beside it (list, counts) follow
    /// this, so that a new highlight paints first and they catch up a frame later.
    pub settled: RwSignal<u64>,
    /// Only this coder's annotations are shown beside and over the text (a teacher
    /// going through a class one student at a time); `None`: everyone's.
    pub showing: RwSignal<Option<String>>,
    /// Each text's id and symbol (as a task names it), for the task's passage.
    texts: StoredValue<Vec<(String, String)>>,
    /// A coding outside the task's passage was said once this visit (not at every one).
    told_outside: StoredValue<bool>,
}

/// What [`CodingState::ask_name`] holds to ask the name before a backup is downloaded.
pub const ASK_THEN_BACKUP: &str = "\u{1}backup";

/// RFC 3339 time now, in UTC with milliseconds.
pub fn now() -> String {
    let d = js_sys::Date::new_0();
    d.to_iso_string().as_string().unwrap_or_default()
}

/// After this long with nothing coded, the next tag asks "Still …?" (another
/// lesson, perhaps another student at the same computer).
pub const AWAY_HOURS: f64 = 2.0;

/// The time `h` hours ago, as [`now`] writes times.
pub fn hours_ago(h: f64) -> String {
    let d = js_sys::Date::new_0();
    d.set_time(d.get_time() - h * 3_600_000.0);
    d.to_iso_string().as_string().unwrap_or_default()
}

/// Today (`YYYY-MM-DD`, in the user's time zone), for file names.
pub fn today() -> String {
    let d = js_sys::Date::new_0();
    format!("{:04}-{:02}-{:02}", d.get_full_year(), d.get_month() + 1, d.get_date())
}

/// Now to the minute (`YYYY-MM-DD-HHMM`, the user's time), for the names of
/// files one person may save more than once a day (two hand-ins of a backup).
pub fn today_at() -> String {
    let d = js_sys::Date::new_0();
    format!("{}-{:02}{:02}", today(), d.get_hours(), d.get_minutes())
}

/// A stored time (RFC 3339, UTC) as the user reads it: in their time zone,
/// to the minute ("2026-12-03 19:14"); as written when it cannot be read.
pub fn local_time(t: &str) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(t));
    if t.is_empty() || d.get_time().is_nan() {
        return marginalia_core::moment(t);
    }
    format!("{:04}-{:02}-{:02} {:02}:{:02}", d.get_full_year(), d.get_month() + 1, d.get_date(), d.get_hours(), d.get_minutes())
}

/// A fresh annotation id.
pub fn new_id() -> String {
    let r = (js_sys::Math::random() * 1e12) as u64;
    format!("a{:x}{:x}", js_sys::Date::now() as u64, r)
}

impl CodingState {
    /// Loads from storage (migrating and quarantining as `core::store` says).
    pub fn load(docs: &[std::sync::Arc<marginalia_core::Document>]) -> Self {
        let entries = storage::read_all();
        let mut loaded = store::load(&entries, &now(), new_id);
        // Re-anchor what was saved against today's texts.
        let mut detached = BTreeSet::new();
        let mut reanchored = Vec::new();
        // Placed by a near match of their quote: worth a look, so the user is told where.
        let mut near: Vec<String> = Vec::new();
        let ids: Vec<String> = loaded.coding.docs().map(str::to_string).collect();
        for id in ids {
            let Some(doc) = docs.iter().find(|d| d.meta.id == id) else { continue };
            let mut list = loaded.coding.stored(&id).to_vec();
            let mut changed = false;
            for (aid, outcome) in marginalia_core::anchor::reanchor_report(doc, &mut list) {
                match outcome {
                    Anchoring::Detached => {
                        detached.insert(aid);
                    }
                    Anchoring::Fuzzy { .. } => {
                        near.push(list.iter().find(|a| a.id == aid).map(|a| a.cite(doc)).unwrap_or(aid));
                        changed = true;
                    }
                    o => changed |= o.changed(),
                }
            }
            if changed {
                reanchored.push(id.clone());
                loaded.coding.set_doc(&id, list);
            }
        }
        let synced: BTreeMap<String, Vec<Annotation>> =
            loaded.coding.docs().map(|d| (d.to_string(), loaded.coding.stored(d).to_vec())).collect();
        let showing = loaded.meta.showing.clone();
        let confirm_coder = marginalia_core::store::asks_still(&loaded.coding, &loaded.meta, &hours_ago(AWAY_HOURS));
        let state = CodingState {
            coding: RwSignal::new(loaded.coding),
            meta: RwSignal::new(loaded.meta),
            selected: RwSignal::new(None),
            fresh: RwSignal::new(None),
            by_selection: StoredValue::new(None),
            opening: StoredValue::new(None),
            pending: RwSignal::new(None),
            palette_at: RwSignal::new(None),
            notice: RwSignal::new(None),
            unsaved: RwSignal::new(BTreeSet::new()),
            ask_name: RwSignal::new(None),
            confirm_coder: StoredValue::new(confirm_coder),
            put_away: StoredValue::new(None),
            removed_text: RwSignal::new(None),
            redo_text: RwSignal::new(None),
            renamed_text: RwSignal::new(None),
            self_rename: StoredValue::new(None),
            read_only: RwSignal::new(loaded.newer),
            detached: RwSignal::new(detached),
            unwritten: StoredValue::new(None),
            synced: StoredValue::new(synced),
            settled: RwSignal::new(0),
            showing: RwSignal::new(showing),
            texts: StoredValue::new(docs.iter().map(|d| (d.meta.id.clone(), d.who().to_string())).collect()),
            told_outside: StoredValue::new(false),
        };
        // Whose work is shown is kept, as the other settings are (a reload keeps blind coding blind).
        {
            let (showing, meta) = (state.showing, state.meta);
            Effect::new(move |_| {
                let now = showing.get();
                if meta.with_untracked(|m| m.showing != now) {
                    meta.update(|m| m.showing = now);
                    state.save_meta();
                }
            });
        }
        let settled = state.settled;
        Effect::new(move |_| {
            state.coding.track();
            request_animation_frame(move || set_timeout(move || settled.update(|n| *n += 1), std::time::Duration::ZERO));
        });
        // Leaving or hiding the page writes what is still unwritten, synchronously.
        let flush_on_hide = window_event_listener(leptos::ev::pagehide, move |_| state.flush());
        let flush_on_hidden = window_event_listener(leptos::ev::visibilitychange, move |_| state.flush());
        on_cleanup(move || {
            flush_on_hide.remove();
            flush_on_hidden.remove();
        });
        if loaded.newer {
            state.notice.set(Some(Notice::problem(
                "Your saved work was written by a newer version of Marginalia. It is shown as it is, \
                 and nothing will be saved here, so that none of it is overwritten.",
            )));
            return state;
        }
        // Quarantine copies first, then removals: nothing is ever lost.
        let mut failed = false;
        for (k, v) in &loaded.writes {
            failed |= storage::write(k, v).is_err();
        }
        if !failed {
            for k in &loaded.removals {
                storage::remove(k);
            }
        }
        if !reanchored.is_empty() {
            let touched = Touched { docs: reanchored.into_iter().collect(), ..Touched::default() };
            state.save(&touched);
        }
        let mut parts = Vec::new();
        let lost = state.detached.with_untracked(BTreeSet::len);
        if lost > 0 {
            let (what, verb) = (marginalia_core::count(lost, "annotation"), if lost == 1 { "matches" } else { "match" });
            let (its, they) = if lost == 1 { ("its", "it is") } else { ("their", "they are") };
            parts.push(format!(
                "{what} no longer {verb} the text of {its} report; {they} kept, listed as detached beside the report."
            ));
        }
        if !near.is_empty() {
            parts.push(format!(
                "The text changed under {}; {} moved to the nearest close match of its quote ({}). Check {}.",
                marginalia_core::count(near.len(), "annotation"),
                if near.len() == 1 { "it was" } else { "each was" },
                near.join(", "),
                if near.len() == 1 { "it" } else { "them" },
            ));
        }
        if !loaded.quarantined.is_empty() {
            let reasons: Vec<String> = loaded.quarantined.iter().map(|q| q.reason.clone()).collect();
            parts.push(format!(
                "Some saved data could not be read and was set aside, not deleted: {}. Everything else is here.",
                reasons.join("; ")
            ));
        } else if !loaded.in_quarantine.is_empty() {
            parts.push(format!(
                "{} that could not be read {} still set aside in this browser's storage (nothing was deleted).",
                marginalia_core::count(loaded.in_quarantine.len(), "saved value"),
                if loaded.in_quarantine.len() == 1 { "is" } else { "are" }
            ));
        }
        if !parts.is_empty() {
            let set_aside = !loaded.quarantined.is_empty() || !loaded.in_quarantine.is_empty();
            state.notice.set(Some(Notice { offer_set_aside: set_aside, ..Notice::at_risk(parts.join(" ")) }));
        }
        storage::ask_persistence();
        state
    }

    /// Writes what a change touched; on a full store keeps it in memory and says so.
    pub fn save(&self, touched: &Touched) {
        if self.read_only.get_untracked() || touched.is_empty() {
            return;
        }
        let mut writes: BTreeMap<String, String> = BTreeMap::new();
        self.coding.with_untracked(|c| {
            for d in &touched.docs {
                writes.insert(store::doc_key(d), store::encode_annotations(c.stored(d)));
            }
            if touched.codebook {
                writes.insert(store::CODEBOOK_KEY.to_string(), store::encode_codebook(&c.codebook));
            }
            // Retry what could not be written before.
            for key in self.unsaved.get_untracked() {
                if let Some(doc) = key.strip_prefix(store::DOC_PREFIX) {
                    writes.entry(key.clone()).or_insert_with(|| store::encode_annotations(c.stored(doc)));
                } else if key == store::CODEBOOK_KEY {
                    writes.entry(key.clone()).or_insert_with(|| store::encode_codebook(&c.codebook));
                }
            }
        });
        self.write_keys(writes);
    }

    fn write_keys(&self, writes: BTreeMap<String, String>) {
        let mut unsaved = BTreeSet::new();
        let mut other_error = None;
        for (k, v) in writes {
            match storage::write(&k, &v) {
                Ok(()) => {}
                Err(WriteError::Full) => {
                    unsaved.insert(k);
                }
                Err(WriteError::Unavailable(e)) => {
                    unsaved.insert(k);
                    other_error = Some(e);
                }
            }
        }
        let was_unsaved = !self.unsaved.get_untracked().is_empty();
        if !unsaved.is_empty() {
            let text = if other_error.is_some() {
                "This browser refused to save your last change (storage is unavailable). It is kept in this tab \
                 only: download a backup so that it is not lost."
            } else {
                "This browser's storage for Marginalia is full, so your last change is kept in this tab only. \
                 Download a backup now so that nothing is lost; everything saved before is still saved."
            };
            self.notice.set(Some(Notice::at_risk(text)));
        } else if was_unsaved {
            self.notice.set(Some(Notice::done("All changes are saved again.")));
        }
        self.unsaved.set(unsaved);
    }

    /// Whether Undo has a step on a user's own text to take back (its removal or
    /// its rename, the last step taken): the Undo buttons are then enabled too.
    pub fn text_step_pending(&self) -> bool {
        let steps = self.coding.with(|c| c.steps());
        self.removed_text.with(|r| r.as_ref().is_some_and(|r| r.steps == steps))
            || self.renamed_text.with(|r| r.as_ref().is_some_and(|(_, at)| *at == steps))
    }

    /// Whether Redo has a step on a user's own text to take again (the last step
    /// undone was its removal or its rename): the Redo buttons are then enabled too.
    pub fn text_redo_pending(&self) -> bool {
        let steps = self.coding.with(|c| c.steps());
        self.redo_text.with(|r| r.as_ref().is_some_and(|(_, at)| *at == steps))
    }

    /// The exercise's task: the one written for a handout here (a teacher's),
    /// else the one a handout gave (a student's), else the one a class's files
    /// were coded to (a teacher grading on another computer).
    pub fn exercise_task(&self) -> String {
        self.meta.with_untracked(|m| {
            [&m.handout_task, &m.task, &m.class_task].into_iter().find(|t| !t.trim().is_empty()).cloned().unwrap_or_default()
        })
    }

    pub fn save_meta(&self) {
        if self.read_only.get_untracked() {
            return;
        }
        let m = self.meta.get_untracked();
        let mut w = BTreeMap::new();
        w.insert(store::META_KEY.to_string(), store::encode_meta(&m));
        self.write_keys(w);
    }

    /// What was just done, with an Undo that takes back that change (and only
    /// it: the notice closes when another step is taken). It fades after a while.
    pub fn undoable(&self, text: impl Into<String>) -> Notice {
        Notice { undo: Some(self.coding.with_untracked(Coding::steps)), ..Notice::done(text) }
    }

    /// Closes the open annotation. The focus goes to its paragraph's number, so
    /// that it is not lost with the editor and the keyboard goes on from there.
    pub fn close(&self) {
        if let Some(id) = self.selected.get_untracked() {
            crate::dom::focus_paragraph_of(&id);
        }
        self.fresh.set(None);
        self.selected.set(None);
    }

    /// Deletes an annotation, closes it, and says so with an Undo.
    pub fn delete_annotation(&self, id: &str) {
        // Another coder's annotation is theirs: never deleted from here.
        let me = self.meta.with_untracked(|m| m.coder.clone());
        if let Some(who) = self.coding.with_untracked(|c| c.get(id).filter(|a| a.coder != me).map(|a| a.coder.clone())) {
            let who = if who.is_empty() { "an unnamed coder".to_string() } else { who };
            self.notice.set(Some(Notice::slip(format!("That annotation is {who}'s: it stays as they made it."))));
            return;
        }
        let quote = self.coding.with_untracked(|c| c.get(id).map(|a| a.quote.clone())).unwrap_or_default();
        // While its highlight is still there to find the paragraph by.
        crate::dom::focus_paragraph_of(id);
        let t = now();
        self.change(|c| c.delete(id, &t));
        self.selected.set(None);
        let notice = self.undoable(format!("Annotation deleted: “{}”.", marginalia_core::abridge(&quote, 48)));
        self.notice.set(Some(Notice { reopen: Some(id.to_string()), ..notice }));
    }

    /// Runs a change on the coding state and saves what it touched.
    pub fn change(&self, f: impl FnOnce(&mut Coding) -> Touched) {
        if self.read_only.get_untracked() {
            return;
        }
        let mut touched = Touched::default();
        self.coding.update(|c| touched = f(c));
        if touched.is_empty() {
            return;
        }
        // Written right after this frame is painted, so a new highlight shows at once;
        // `flush` also runs when the page is hidden or closed.
        let first = self.unwritten.with_value(Option::is_none);
        self.unwritten.update_value(|u| {
            let u = u.get_or_insert_with(Touched::default);
            u.docs.extend(touched.docs);
            u.codebook |= touched.codebook;
        });
        if first {
            let this = *self;
            request_animation_frame(move || set_timeout(move || this.flush(), std::time::Duration::ZERO));
        }
    }

    /// Writes every change not yet written.
    pub fn flush(&self) {
        if let Some(t) = self.unwritten.try_update_value(Option::take).flatten() {
            self.save(&t);
        }
    }

    /// Whether the next coding must ask who is coding first: no name given yet, or
    /// the work here was handed in before the page opened ("Still …?").
    pub fn must_ask_name(&self) -> bool {
        self.meta.with_untracked(|m| m.coder.trim().is_empty()) || self.confirm_coder.get_value().is_some()
    }

    /// Tags the pending selection (or asks for the coder's name first).
    pub fn tag_pending(&self, tag: &str, doc: &marginalia_core::Document) {
        self.tag_pending_saying(tag, doc, None);
    }

    /// Tags the pending selection, and says `done` (with Undo) when it coded
    /// something; a coding outside the task's passage is said with it, once a visit.
    pub fn tag_pending_saying(&self, tag: &str, doc: &marginalia_core::Document, done: Option<String>) {
        let Some((doc_id, s, e)) = self.pending.get_untracked() else { return };
        if doc_id != doc.meta.id {
            return;
        }
        if self.must_ask_name() {
            self.ask_name.set(Some(tag.to_string()));
            return;
        }
        let coder = self.meta.with_untracked(|m| m.coder.clone());
        // What is coded now must be seen: showing only another coder's, show everyone's.
        if self.showing.with_untracked(|s| s.as_ref().is_some_and(|s| *s != coder)) {
            self.showing.set(None);
        }
        let snap = self.meta.with_untracked(|m| m.whole_words);
        if let Some(a) = Annotation::new(doc, s, e, tag, &coder, new_id(), &now(), snap) {
            // The same span again (say, a paragraph coded from the keyboard with a
            // second key) gets the tag on its annotation, not a duplicate.
            let mut id = String::new();
            let t = now();
            let steps = self.coding.with_untracked(Coding::steps);
            self.change(|c| {
                let (touched, carried) = c.code(a, &t);
                id = carried;
                touched
            });
            // Coded outside the passage the task names (the wrong report, perhaps): said once, with Undo.
            let outside = (!self.told_outside.get_value())
                .then(|| {
                    let task = self.meta.with_untracked(|m| m.task.clone());
                    self.texts.with_value(|texts| marginalia_core::handout::outside_task(&task, texts, doc, s, e))
                })
                .flatten()
                .map(|passage| {
                    self.told_outside.set_value(true);
                    let here = self.coding.with_untracked(|c| c.get(&id).map(|a| a.cite(doc))).unwrap_or_default();
                    format!("Your task names {passage}; this is {here}. It is coded all the same: Undo if that was a slip.")
                });
            let done = done.filter(|_| self.coding.with_untracked(Coding::steps) != steps);
            let said = [done, outside].into_iter().flatten().collect::<Vec<_>>().join(" ");
            if !said.is_empty() {
                self.notice.set(Some(self.undoable(said)));
            }
            // The new annotation opens in the editor once its highlight is painted.
            let (selected, opening, fresh, by_selection) = (self.selected, self.opening, self.fresh, self.by_selection);
            opening.set_value(Some(id.clone()));
            let touch = crate::dom::coarse_pointer();
            // From a text selection (not a focused ¶ number, which Tab goes on from).
            let from_selection = window().get_selection().ok().flatten().is_some_and(|s| !s.is_collapsed());
            request_animation_frame(move || {
                set_timeout(
                    move || {
                        opening.set_value(None);
                        fresh.set(touch.then(|| id.clone()));
                        by_selection.set_value(from_selection.then(|| id.clone()));
                        selected.set(Some(id));
                    },
                    std::time::Duration::ZERO,
                )
            });
        }
        self.pending.set(None);
        self.palette_at.set(None);
        crate::dom::clear_selection();
    }

    /// Gives the open annotation a tag, or takes it away (never its last). An
    /// annotation of another coder's stays theirs: the tag goes on an annotation
    /// of this coder's own of the same text (made if need be), and a notice says so.
    pub fn toggle_tag(&self, id: &str, tag: &str, doc: &marginalia_core::Document) {
        let me = self.meta.with_untracked(|m| m.coder.clone());
        let theirs = self.coding.with_untracked(|c| c.get(id).filter(|a| a.coder != me).map(|a| (a.coder.clone(), a.start, a.end)));
        if let Some((who, s, e)) = theirs {
            let name = self.coding.with_untracked(|c| c.codebook.get(tag).map(|t| t.name.clone())).unwrap_or_default();
            self.pending.set(Some((doc.meta.id.clone(), s, e)));
            self.tag_pending(tag, doc);
            let who = if who.is_empty() { "an unnamed coder".to_string() } else { who };
            self.notice.set(Some(Notice::done(format!("That annotation is {who}'s, so {name} went on an annotation of your own of the same text."))));
            return;
        }
        // The last tag stays: an annotation has at least one. Said, not silently ignored.
        if self.coding.with_untracked(|c| c.get(id).is_some_and(|a| a.tags.len() == 1 && a.tags[0] == tag)) {
            let name = self.coding.with_untracked(|c| c.codebook.get(tag).map(|t| t.name.clone())).unwrap_or_default();
            self.notice.set(Some(Notice::slip(format!(
                "{name} is this annotation's only tag, and an annotation keeps at least one: add another first, or press Delete to remove the annotation."
            ))));
            return;
        }
        let t = now();
        let tag = tag.to_string();
        self.change(|c| {
            let book = c.codebook.clone();
            c.update(id, &t, |a| {
                if let Some(i) = a.tags.iter().position(|x| *x == tag) {
                    if a.tags.len() > 1 {
                        a.tags.remove(i);
                    }
                } else {
                    a.tags.push(tag);
                    // In the codebook's order, however they were given.
                    book.order_tags(&mut a.tags);
                }
            })
        });
    }

    /// After an Undo or Redo: when it took back (or made again) the renaming of
    /// one's own name, the name one codes under follows the annotations.
    pub fn follow_self_rename(&self) {
        let Some((old, new)) = self.self_rename.get_value() else { return };
        let (has_old, has_new) = self.coding.with_untracked(|c| {
            let here = c.coders();
            (here.contains(old.as_str()), here.contains(new.as_str()))
        });
        let me = self.meta.with_untracked(|m| m.coder.clone());
        let to = if me == new && has_old && !has_new {
            old
        } else if me == old && has_new && !has_old {
            new
        } else {
            return;
        };
        self.meta.update(|m| m.coder = to);
        self.save_meta();
    }

    /// Applies another tab's value of a storage key.
    pub fn merge_from_other_tab(&self, key: &str, value: Option<String>) {
        if let Some(doc) = key.strip_prefix(store::DOC_PREFIX) {
            let Some(v) = value else { return };
            let Ok(remote) = serde_json::from_str::<Vec<Annotation>>(&v) else { return };
            let mut changed_here = false;
            let base = self.synced.try_update_value(|s| s.insert(doc.to_string(), remote.clone())).flatten().unwrap_or_default();
            let mut joined = Vec::new();
            self.coding.update(|c| {
                let (merged, both) = store::merge_tabs(&base, c.stored(doc), &remote);
                changed_here = merged != remote;
                joined = both;
                c.set_doc(doc, merged);
            });
            if !joined.is_empty() {
                self.notice.set(Some(Notice::problem(
                    "A memo was changed here and in another tab at the same time. Both versions are kept in it, \
                     the later first: edit it to keep what you want.",
                )));
            }
            if changed_here {
                // This tab had newer edits: write the union back so both tabs converge.
                self.save(&Touched { docs: [doc.to_string()].into(), ..Touched::default() });
            }
        } else if key == store::CODEBOOK_KEY {
            if let Some(book) = value.and_then(|v| serde_json::from_str(&v).ok()) {
                self.coding.update(|c| c.codebook = book);
            }
        } else if key == store::META_KEY
            && let Some(m) = value.and_then(|v| serde_json::from_str::<Meta>(&v).ok()) {
                // Another tab said who is coding: this one asks no "Still …?" for it.
                if m.coder != self.meta.with_untracked(|x| x.coder.clone()) {
                    self.confirm_coder.set_value(None);
                }
                self.meta.set(m);
            }
    }
}

/// The coding state provided to components.
pub fn use_coding() -> CodingState {
    expect_context::<CodingState>()
}
