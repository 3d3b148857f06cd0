//! Exports and imports: the export dialog (format, documents, tags, coder) and
//! the import preview (a file dropped on the page or picked). All the work is
//! core's (`export::export`, `import::detect/import/plan_import`); this only
//! asks, shows and saves.

use std::sync::Arc;

use leptos::prelude::*;
use marginalia_core::Document;
use marginalia_core::export::{ExportMeta, ExportOptions, Format, Scope, Source, export};
use marginalia_core::import::{ImportPlan, MAX_IMPORT_BYTES, batch_summary, detect, import, plan_import};
pub use marginalia_core::import::Outcome;

use crate::coding::{Notice, now, use_coding};
use crate::state::{Page, use_app_state};

/// What the top bar opens: nothing, the export dialog, or an import preview.
#[derive(Clone, Copy)]
pub struct Transfer {
    pub exporting: RwSignal<bool>,
    /// What the export dialog starts with, when a view opens it with a choice
    /// made (the segments view: its tags and text); taken when the dialog opens.
    pub preset: RwSignal<Option<Scope>>,
    /// A file read and planned, waiting for Import: its name, the plan, and what it holds.
    pub importing: RwSignal<Option<Arc<(String, ImportPlan, marginalia_core::import::Imported)>>>,
    /// Files picked or dropped together wait here, and open one after another:
    /// the next when the last one's preview is closed (`open_files`).
    queue: StoredValue<std::collections::VecDeque<web_sys::File>, LocalStorage>,
    /// A file is being read (its preview is not open yet).
    reading: RwSignal<bool>,
    /// Files picked or dropped together (two or more): which is open, and what
    /// became of each, said in one notice when the last is done.
    batch: StoredValue<Option<Batch>>,
    /// The texts added for the file in the preview ("Add the text"): Cancel takes them away again.
    added_texts: StoredValue<Vec<String>>,
}

/// Files picked or dropped together.
#[derive(Default)]
struct Batch {
    total: usize,
    /// The file open now (1 for the first).
    at: usize,
    /// Every backup still to come is merged without asking (Merge all).
    merge_all: bool,
    /// Coding::steps right after the last merge of Merge all, and how many there were:
    /// each merge joins the one before, so that one Undo takes back them all.
    merged_at: Option<u64>,
    merges: usize,
    /// Files Merge all merged, those that changed nothing here too.
    tried: usize,
    outcomes: Vec<Outcome>,
    /// Names given by two people, the second's work merged under another name.
    apart: Vec<(String, String)>,
}

impl Transfer {
    /// Notes what became of a file of several picked together (nothing for a file alone).
    pub fn log(&self, o: Outcome) {
        self.batch.update_value(|b| {
            if let Some(b) = b {
                b.outcomes.push(o);
            }
        });
    }

    /// Notes names merged apart (two people gave one name), for the summary.
    pub fn apart(&self, names: Vec<(String, String)>) {
        self.batch.update_value(|b| {
            if let Some(b) = b {
                b.apart.extend(names);
            }
        });
    }

    /// Which of several files picked together is open: (this one, of how many).
    pub fn place(&self) -> Option<(usize, usize)> {
        self.batch.with_value(|b| b.as_ref().filter(|b| b.total > 1).map(|b| (b.at, b.total)))
    }

    /// Backups still waiting, of the files picked together (by their names: a
    /// file's kind is known once read).
    pub fn waiting(&self) -> usize {
        self.queue.with_value(|q| q.iter().filter(|f| !is_text_document(&f.name())).count())
    }

    /// Every backup still to come is merged without asking.
    pub fn merge_all(&self) {
        self.batch.update_value(|b| {
            if let Some(b) = b {
                b.merge_all = true;
            }
        });
    }

    /// After a merge of Merge all (`before`: Coding::steps before it): joined to the
    /// merge before it when nothing came between. Returns how many merges the step holds.
    pub fn merged(&self, coding: crate::coding::CodingState, before: u64) -> usize {
        if !self.merging_all() {
            return 1;
        }
        self.batch.update_value(|b| {
            if let Some(b) = b {
                b.tried += 1;
            }
        });
        let (last, merges) = self.batch.with_value(|b| b.as_ref().map(|b| (b.merged_at, b.merges)).unwrap_or_default());
        // A file that changed nothing (no annotations, all here already) is no step.
        if coding.coding.with_untracked(marginalia_core::coding::Coding::steps) == before {
            return merges.max(1);
        }
        let joined = last == Some(before) && coding.coding.try_update_untracked(|c| c.join_with_previous(before)).unwrap_or(false);
        let n = if joined { merges + 1 } else { 1 };
        let now = coding.coding.with_untracked(marginalia_core::coding::Coding::steps);
        self.batch.update_value(|b| {
            if let Some(b) = b {
                b.merged_at = Some(now);
                b.merges = n;
            }
        });
        n
    }

    fn merging_all(&self) -> bool {
        self.batch.with_value(|b| b.as_ref().is_some_and(|b| b.merge_all))
    }
}


pub fn provide_transfer() -> Transfer {
    let t = Transfer {
        exporting: RwSignal::new(false),
        preset: RwSignal::new(None),
        importing: RwSignal::new(None),
        queue: StoredValue::new_local(Default::default()),
        reading: RwSignal::new(false),
        batch: StoredValue::new(None),
        added_texts: StoredValue::new(Vec::new()),
    };
    provide_context(t);
    t
}

pub fn use_transfer() -> Transfer {
    expect_context::<Transfer>()
}

/// The formats the export dialog offers, in its order (the backup has its own
/// button in the top bar).
const FORMATS: [Format; 12] = [
    Format::SegmentsCsv,
    Format::Matrix,
    Format::Doccano,
    Format::Spacy,
    Format::LabelStudio,
    Format::W3c,
    Format::Brat,
    Format::Qdpx,
    Format::Qdc,
    Format::CodebookJson,
    Format::CodebookMarkdown,
    Format::CodebookHtml,
];

/// Which documents an export covers.
#[derive(Clone, PartialEq, Eq)]
enum Which {
    Current,
    All,
    Chosen,
}

#[component]
pub fn ExportDialog() -> impl IntoView {
    let t = use_transfer();
    move || t.exporting.get().then(|| view! { <ExportForm /> })
}

#[component]
fn ExportForm() -> impl IntoView {
    let state = use_app_state();
    let coding = use_coding();
    let t = use_transfer();
    let docs: Vec<Arc<Document>> = state.docs.get_value();
    let current = match state.page.get_untracked() {
        Page::Report(slug) => state.doc_by_slug(&slug).map(|d| d.meta.id.clone()),
        _ => None,
    };
    let preset = t.preset.try_update(Option::take).flatten();
    let format = RwSignal::new(Format::SegmentsCsv);
    let which = RwSignal::new(match preset.as_ref().map(|p| &p.documents) {
        Some(Some(d)) if current.as_ref().is_some_and(|c| d == std::slice::from_ref(c)) => Which::Current,
        Some(Some(_)) => Which::Chosen,
        Some(None) => Which::All,
        None if current.is_some() => Which::Current,
        None => Which::All,
    });
    let chosen_docs = RwSignal::new(match preset.as_ref().and_then(|p| p.documents.clone()) {
        Some(d) => d,
        None => docs.iter().map(|d| d.meta.id.clone()).collect::<Vec<_>>(),
    });
    let book = coding.coding.with_untracked(|c| c.codebook.clone());
    let chosen_tags = RwSignal::new(match preset.as_ref().and_then(|p| p.tags.clone()) {
        Some(t) => t,
        None => book.tags.iter().map(|t| t.id.clone()).collect::<Vec<_>>(),
    });
    let all_tags_only = RwSignal::new(preset.is_some_and(|p| p.all_tags));
    let coders: Vec<String> = coding.coding.with_untracked(|c| {
        let mut v: Vec<String> = docs.iter().flat_map(|d| c.live(&d.meta.id).map(|a| a.coder.clone())).collect();
        v.sort();
        v.dedup();
        v
    });
    let several_coders = coders.len() > 1;
    let coder = RwSignal::new(String::new());
    let bom = RwSignal::new(false);
    let presence = RwSignal::new(false);
    // A handout's task for the coders, kept with the coder's settings (store::Meta::handout_task).
    let task = Memo::new(move |_| coding.meta.with(|m| m.handout_task.clone()));
    // The passage the task names, which the Agreement page offers to compare over.
    let task_passage = move || {
        let t = task.get();
        if t.trim().is_empty() {
            return String::new();
        }
        state.docs.with_value(|docs| {
            match marginalia_core::handout::task_passage(&t, docs) {
                Some((i, from, to, label)) => {
                    let n = docs[i].paragraphs().count() as u32;
                    if to > n {
                        format!("{} has {n} paragraphs: check the passage ({}).", docs[i].who(), marginalia_core::handout::range_label(from, to))
                    } else {
                        format!("The Agreement page will offer to compare the class over {label}.")
                    }
                }
                None => "Name a passage (“¶12–16 of S/2019/103”) and the Agreement page offers to compare the class over it alone.".to_string(),
            }
        })
    };
    let all_tags = book.tags.len();

    let scope = {
        let current = current.clone();
        Memo::new(move |_| Scope {
            documents: match which.get() {
                Which::Current => current.clone().map(|c| vec![c]),
                Which::All => None,
                Which::Chosen => Some(chosen_docs.get()),
            },
            tags: chosen_tags.with(|c| (c.len() != all_tags).then(|| c.clone())),
            coder: coder.with(|c| (!c.is_empty()).then(|| c.clone())),
            all_tags: all_tags_only.get() && chosen_tags.with(|c| c.len() > 1),
        })
    };
    let docs_sv = StoredValue::new(docs.clone());
    let book_sv = StoredValue::new(book.clone());
    // What the file will hold, before it is made.
    // No tag chosen: there is nothing to put in any file (a backup has its own button).
    let no_tag = move || chosen_tags.with(Vec::is_empty);
    let preview = move || {
        if no_tag() {
            return "No tag is chosen: choose at least one.".to_string();
        }
        let s = scope.get();
        let f = format.get();
        let me = coding.meta.with(|m| m.coder.clone());
        let (what, name) = coding.coding.with(|c| {
            docs_sv.with_value(|docs| {
                let source = marginalia_core::export::Source { documents: docs, coding: c, texts: &[], coder: &me };
                (s.summary(docs, c), marginalia_core::export::file_name_of(f, &source, &s, &crate::coding::today()))
            })
        });
        if f.is_codebook() {
            format!("{} → {name}", marginalia_core::count(book_sv.with_value(|b| s.codebook(b).tags.len()), "tag"))
        } else {
            format!("{what} → {name}")
        }
    };
    // The button says the file is being made, and that paints before the work starts.
    let busy = RwSignal::new(false);
    let make = move || {
        let f = format.get_untracked();
        let s = scope.get_untracked();
        let options = ExportOptions { bom: bom.get_untracked(), presence: presence.get_untracked() };
        // This page's address goes into a handout when others can open it (handout::public_address).
        let meta = ExportMeta {
            app_url: window().location().href().unwrap_or_default(),
            task: task.get_untracked(),
            // The user's day in the file's name, as the dialog's preview says it.
            day: crate::coding::today(),
            ..ExportMeta::new(env!("CARGO_PKG_VERSION"), &now())
        };
        let texts = crate::state::stored_user_texts();
        let name = coding.meta.with_untracked(|m| m.coder.clone());
        let started = crate::perf::now();
        let result = coding.coding.with_untracked(|c| {
            docs_sv.with_value(|docs| {
                let source = Source { documents: docs.as_slice(), coding: c, texts: &texts, coder: &name };
                export(f, &source, &s, &options, &meta)
            })
        });
        crate::perf::note("data-export-ms", crate::perf::now() - started);
        busy.set(false);
        match result {
            Ok(file) => {
                if crate::download::save_bytes(&file.name, file.mime, &file.bytes) {
                    t.exporting.set(false);
                } else {
                    coding.notice.set(Some(Notice::problem("The browser did not let the file be saved.")));
                }
            }
            Err(e) => coding.notice.set(Some(Notice::problem(format!("Nothing was exported: {e}")))),
        }
    };
    let download = move || {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        request_animation_frame(move || set_timeout(make, std::time::Duration::ZERO));
    };

    let format_options = FORMATS
        .iter()
        .map(|f| {
            let f = *f;
            view! {
                <label class="choice">
                    <input type="radio" name="export-format" value=f.key() prop:checked=move || format.get() == f
                        on:change=move |_| format.set(f) />
                    " "{f.label()}
                </label>
            }
        })
        .collect_view();
    let doc_options = docs
        .iter()
        .map(|d| {
            let label = d.meta.symbol.clone().unwrap_or_else(|| d.meta.title.clone());
            choice("doc", d.meta.id.clone(), chosen_docs, view! { " "{label} }.into_any())
        })
        .collect_view();
    let tag_options = book
        .tags
        .iter()
        .map(|tag| {
            // A sub-code by its path ("threat › attacks").
            let label = view! { <span class="swatch" style=format!("background:{}", tag.colour)></span>{book.path(&tag.id)} };
            choice("tag", tag.id.clone(), chosen_tags, label.into_any())
        })
        .collect_view();
    let has_current = current.is_some();
    // A report by its symbol, a text of one's own by its title ("This text").
    let (current_label, current_kind) = match current.as_deref().and_then(|id| docs.iter().find(|d| d.meta.id == id)) {
        Some(d) if d.meta.symbol.is_none() => (d.meta.title.clone(), "This text"),
        Some(d) => (d.who().to_string(), "This report"),
        None => (current.clone().unwrap_or_default(), "This report"),
    };
    let is_codebook = move || format.get().is_codebook();
    view! {
        <super::Modal class="export" labelled="export-title" on_close=move |_| t.exporting.set(false)>
                <h2 id="export-title">"Export"</h2>
                <div class="export-grid">
                    <fieldset class="formats">
                        <legend>"Format"</legend>
                        {format_options}
                    </fieldset>
                    <div>
                        // First in view when a handout is chosen (the choices below are for data files).
                        <label class="task" hidden=move || !matches!(format.get(), Format::CodebookHtml | Format::CodebookMarkdown)>
                            "The coders' task, at the top of the handout (optional)"
                            <textarea class="handout-task" rows="3" placeholder="Code ¶5–18 of S/2019/103 with the codebook’s tags. Hand in your backup file by Friday."
                                prop:value=move || task.get() on:input=move |ev| {
                                    // Kept as typed (a reload with the dialog open loses nothing).
                                    coding.meta.update(|m| m.handout_task = event_target_value(&ev));
                                    coding.save_meta();
                                }></textarea>
                            <span class="hint task-passage-hint">{task_passage}</span>
                        </label>
                        // Students bring the tags and the task in with the HTML handout; the Markdown one is to print or paste.
                        <p class="hint md-handout-hint" hidden=move || format.get() != Format::CodebookMarkdown>
                            "This one is to print or to paste into a document. To give students the tags and the task in Marginalia, hand out the HTML handout: they open it with Import…"
                        </p>
                        // Label Studio needs a labeling interface that names what the file's results use.
                        {move || (format.get() == Format::LabelStudio).then(|| {
                            let config = coding.coding.with_untracked(|c| marginalia_core::export::label_studio_config(&c.codebook));
                            let copied = config.clone();
                            view! {
                                <details class="ls-config">
                                    <summary>"Label Studio's labeling interface for this file"</summary>
                                    <p class="hint">"In Label Studio, paste it in the project's Settings → Labeling Interface → Code, then import the file: each coder's work comes in as an annotation of its own."</p>
                                    <pre class="ls-config-xml">{config}</pre>
                                    <button type="button" class="btn ls-config-copy"
                                        on:click=move |_| crate::dom::copy_text_said(&copied, "Copied the labeling interface: paste it in Label Studio.".into(), coding)>"Copy"</button>
                                </details>
                            }
                        })}
                        // A codebook or a handout carries no annotations: what chooses them is not shown.
                        <fieldset class="which" disabled=is_codebook hidden=is_codebook>
                            <legend>"Documents"</legend>
                            {has_current.then(|| view! {
                                <label class="choice"><input type="radio" name="export-docs" value="current" prop:checked=move || which.get() == Which::Current
                                    on:change=move |_| which.set(Which::Current) />" "{current_kind}" ("{current_label.clone()}")"</label>
                            })}
                            <label class="choice"><input type="radio" name="export-docs" value="all" prop:checked=move || which.get() == Which::All
                                on:change=move |_| which.set(Which::All) />" The whole corpus"</label>
                            <label class="choice"><input type="radio" name="export-docs" value="chosen" prop:checked=move || which.get() == Which::Chosen
                                on:change=move |_| which.set(Which::Chosen) />" These documents:"</label>
                            <div class="choices" hidden=move || which.get() != Which::Chosen>{doc_options}</div>
                        </fieldset>
                        <fieldset class="tags">
                            <legend>"Tags"</legend>
                            {tag_options}
                            <label class="choice opt-all-tags-line" hidden=is_codebook><input type="checkbox" class="opt-all-tags" prop:checked=move || all_tags_only.get()
                                disabled=move || is_codebook() || chosen_tags.with(|c| c.len() < 2)
                                on:change=move |ev| all_tags_only.set(event_target_checked(&ev)) />" Only annotations with all the chosen tags"</label>
                        </fieldset>
                        <fieldset class="coder" disabled=is_codebook hidden=is_codebook>
                            <legend>"Coder"</legend>
                            <select class="coder-select" on:change=move |ev| coder.set(event_target_value(&ev))>
                                <option value="">"Every coder"</option>
                                {coders.into_iter().map(|c| {
                                    let label = marginalia_core::coder_shown(&c).to_string();
                                    view! { <option value=c>{label}</option> }
                                }).collect_view()}
                            </select>
                            // Training files name no coder: everyone's spans together are a set at odds with itself.
                            <p class="coder-warning" hidden=move || !(several_coders && coder.with(String::is_empty) && matches!(format.get(), Format::Doccano | Format::Spacy))>
                                "These files do not say who coded what: with every coder, each one's spans go in together, near-duplicates and disagreements too. For a training set, choose one coder (or the agreed key)."
                            </p>
                        </fieldset>
                        <fieldset class="options" hidden=move || !matches!(format.get(), Format::SegmentsCsv | Format::Matrix)>
                            <legend>"Options"</legend>
                            <label class="choice"><input type="checkbox" class="opt-bom" prop:checked=move || bom.get()
                                disabled=move || !matches!(format.get(), Format::SegmentsCsv | Format::Matrix)
                                on:change=move |ev| bom.set(event_target_checked(&ev)) />" CSV for Excel (byte order mark)"</label>
                            <label class="choice"><input type="checkbox" class="opt-presence" prop:checked=move || presence.get()
                                disabled=move || format.get() != Format::Matrix
                                on:change=move |ev| presence.set(event_target_checked(&ev)) />" Matrix: 0/1 instead of counts"</label>
                        </fieldset>
                    </div>
                </div>
                <p class="export-preview" aria-live="polite">{preview}</p>
                <div class="row">
                    <button type="button" class="btn primary export-go" disabled=move || busy.get() || no_tag() aria-busy=move || busy.get().to_string()
                        on:click=move |_| download()>{move || if busy.get() { "Preparing the file…" } else { "Download" }}</button>
                    <button type="button" class="btn" on:click=move |_| t.exporting.set(false)>"Cancel"</button>
                </div>
            </super::Modal>
    }
}

/// A checkbox (class `kind`, value `id`) that keeps `id` in `chosen` while checked.
fn choice(kind: &'static str, id: String, chosen: RwSignal<Vec<String>>, label: AnyView) -> impl IntoView {
    let checked = {
        let id = id.clone();
        move || chosen.with(|c| c.contains(&id))
    };
    view! {
        <label class="choice"><input type="checkbox" class=kind value=id.clone() prop:checked=checked
            on:change=move |ev| {
                let on = event_target_checked(&ev);
                chosen.update(|c| { c.retain(|x| *x != id); if on { c.push(id.clone()); } });
            } />{label}</label>
    }
}

/// The kinds of file the import reads as a user's own text.
fn is_text_document(name: &str) -> bool {
    let lower = name.to_lowercase();
    [".txt", ".md", ".markdown", ".html", ".htm"].iter().any(|e| lower.ends_with(e))
}

/// Reads a file the user picked or dropped and opens the right preview: a
/// backup → the restore preview; coded data → the import preview; a text →
/// the "add to the corpus" preview. A file that cannot be read is refused with
/// the reason, and nothing changes.
/// What reading a file needs, taken where the app's contexts are reachable
/// (event listeners on the window and spawned tasks cannot reach them).
#[derive(Clone, Copy)]
pub struct FileCtx {
    coding: crate::coding::CodingState,
    t: Transfer,
    state: crate::state::AppState,
    restoring: RwSignal<Option<marginalia_core::store::Backup>>,
    pending: RwSignal<Vec<marginalia_core::store::UserText>>,
}

pub fn file_ctx() -> FileCtx {
    FileCtx { coding: use_coding(), t: use_transfer(), state: use_app_state(), restoring: super::restoring(), pending: super::import::pending() }
}

/// Opens files picked or dropped together one after another: each preview
/// waits until the one before it is closed, so that none replaces another.
pub fn open_files(files: Vec<web_sys::File>, cx: FileCtx) {
    let n = files.len();
    cx.t.batch.update_value(|b| match b {
        Some(b) => b.total += n,
        None if n > 1 => *b = Some(Batch { total: n, ..Batch::default() }),
        None => {}
    });
    cx.t.queue.update_value(|q| q.extend(files));
    next_file(cx);
}

/// Opens the next waiting file, when no file is being read and no preview is open.
pub fn next_file(cx: FileCtx) {
    let busy = cx.t.reading.get_untracked() || cx.t.importing.with_untracked(Option::is_some) || cx.restoring.with_untracked(Option::is_some);
    if busy {
        return;
    }
    if let Some(file) = cx.t.queue.try_update_value(|q| q.pop_front()).flatten() {
        cx.t.batch.update_value(|b| {
            if let Some(b) = b {
                b.at += 1;
            }
        });
        cx.t.reading.set(true);
        open_file(file, cx);
    } else if let Some(b) = cx.t.batch.try_update_value(Option::take).flatten() {
        // The last of several files is done: one notice says what became of them all.
        if b.total > 1 && !b.outcomes.is_empty() {
            let me = cx.coding.meta.with_untracked(|m| m.coder.clone());
            let summary = batch_summary(b.total, &b.outcomes, &b.apart, &me);
            // The merges of Merge all, last of what was done: one Undo takes them all back.
            let steps = cx.coding.coding.with_untracked(marginalia_core::coding::Coding::steps);
            let notice = if b.merges > 1 && b.merged_at == Some(steps) {
                // Files that changed nothing (all here already, or empty) are no step to take back.
                let others = match b.tried.saturating_sub(b.merges) {
                    0 => String::new(),
                    1 => " (1 other changed nothing here)".to_string(),
                    n => format!(" ({n} others changed nothing here)"),
                };
                Notice { undo: Some(steps), ..Notice::problem(format!("{summary} Undo takes back the {} files merged{others}.", b.merges)) }
            } else {
                Notice::problem(summary)
            };
            // A class's work, merged, lives in this browser alone until saved to a file.
            let brought = b.outcomes.iter().any(|o| matches!(o, marginalia_core::import::Outcome::In(_)));
            let notice = if brought {
                Notice { offer_backup: true, text: format!("{} A backup keeps the class's work safe if this browser's data is cleared.", notice.text), ..notice }
            } else {
                notice
            };
            // All went in (nothing refused or cancelled): news that fades (a long list of a
            // class's names would otherwise stay over the page); else it stays until dismissed.
            use marginalia_core::import::Outcome;
            let all_well = b.outcomes.iter().all(|o| matches!(o, Outcome::In(_) | Outcome::Empty(_) | Outcome::Same(_)));
            cx.coding.notice.set(Some(Notice { fades: all_well, ..notice }));
        }
    }
}

fn open_file(file: web_sys::File, cx: FileCtx) {
    let FileCtx { coding, t, state, restoring: _, pending } = cx;
    let name = file.name();
    // Read (a preview open, or a message given): the next file may come.
    let done = move || {
        t.reading.set(false);
        next_file(cx);
    };
    if file.size() > MAX_IMPORT_BYTES as f64 {
        let mb = MAX_IMPORT_BYTES / (1024 * 1024);
        coding.notice.set(Some(Notice::problem(format!("{name} is larger than {mb} MB, more than Marginalia imports; nothing was changed."))));
        t.log(Outcome::Bad(name));
        done();
        return;
    }
    if is_text_document(&name) {
        // Read before the next file, so that what it says comes before the summary.
        leptos::task::spawn_local(async move {
            let among_others = t.place().is_some();
            if let Some(o) = super::import::stage_file_into(file, state, coding, pending, among_others).await {
                t.log(o);
            }
            done();
        });
        return;
    }
    leptos::task::spawn_local(async move {
        read_file(file, name, cx).await;
        done();
    });
}

async fn read_file(file: web_sys::File, name: String, cx: FileCtx) {
    let FileCtx { coding, t, state, restoring, pending: _ } = cx;
    // Refused: said, and noted among the files picked together.
    let refuse = |text: String| {
        coding.notice.set(Some(Notice::problem(text)));
        t.log(Outcome::Bad(name.clone()));
    };
    {
        let bytes = match wasm_bindgen_futures::JsFuture::from(file.array_buffer()).await {
            Ok(buf) => js_sys::Uint8Array::new(&buf).to_vec(),
            Err(_) => {
                refuse(format!("{name} could not be read; nothing was changed."));
                return;
            }
        };
        if bytes.is_empty() {
            refuse(format!("{name} is empty; nothing was changed."));
            return;
        }
        // A codebook file is a codebook to import: as the Codebook page exports it, or
        // written by hand (just names), which detection does not take for an export.
        let format = detect(&name, &bytes);
        let as_codebook = || marginalia_core::codebook::Codebook::from_json(std::str::from_utf8(&bytes).unwrap_or_default());
        let book = match format {
            Some(Format::CodebookJson) => Some(as_codebook()),
            None => as_codebook().ok().map(Ok),
            Some(_) => None,
        };
        if let Some(book) = book {
            match book {
                Ok(book) => {
                    let _ = super::codebook::apply_codebook(coding, &name, book);
                    t.log(Outcome::In(name.clone()));
                }
                Err(e) => refuse(format!("{name} was not imported: {e} Nothing was changed.")),
            }
            return;
        }
        let Some(format) = format else {
            let why = marginalia_core::import::why_unrecognised(&name, &bytes).map(|w| format!(": {w}")).unwrap_or_default();
            coding.notice.set(Some(Notice::problem(format!(
                "{name} is not a file Marginalia can import{why}. It reads a backup, a codebook, segments CSV, doccano, spaCy, Label Studio, W3C, brat, REFI-QDA, or a .txt/.md/.html text. Nothing was changed."
            ))));
            // Among a class's files, the summary says what it was (a Word file handed in).
            let kind = marginalia_core::import::office_document(&name, &bytes).map(|k| format!(": {k}")).unwrap_or_default();
            t.log(Outcome::Bad(format!("{name}{kind}")));
            return;
        };
        if format == Format::Backup {
            let text = String::from_utf8_lossy(&bytes).into_owned();
            match super::read_backup_text(&name, &text, state) {
                Err(why) => refuse(why),
                // Merge all was chosen for the files picked together: merged without asking.
                Ok(b) if t.merging_all() => {
                    // A name given by two people (two students called Dan): merged apart.
                    let me = coding.meta.with_untracked(|m| m.coder.clone());
                    let apart = coding.coding.with_untracked(|c| marginalia_core::store::apart_names(c, &b, &me, true));
                    let b = b.renamed(&apart);
                    let who = super::backup_who(&b);
                    let empty = b.annotations.iter().all(|a| a.deleted);
                    let plan = coding.coding.with_untracked(|c| {
                        marginalia_core::store::restore_plan(c, &b, marginalia_core::store::RestoreMode::Merge, &now())
                    });
                    let before = coding.coding.with_untracked(marginalia_core::coding::Coding::steps);
                    let changed = plan.added + plan.updated + plan.removed > 0 || coding.coding.with_untracked(|c| c.codebook != plan.codebook);
                    let said = super::apply_restore(coding, state, &b, plan, "Merged", false);
                    let said = match super::apart_said(&apart, &me) {
                        Some(w) => format!("{said} {w}"),
                        None => said,
                    };
                    let n = t.merged(coding, before);
                    let said = if n > 1 { format!("{said} Undo takes back the {n} files merged so far.") } else { said };
                    t.apart(apart);
                    coding.notice.set(Some(coding.undoable(said)));
                    t.log(Outcome::merged(who, empty, changed));
                }
                Ok(b) => restoring.set(Some(b)),
            }
            return;
        }
        let imported = match import(format, &name, &bytes) {
            Ok(i) => i,
            Err(e) => {
                refuse(format!("{name} was not imported: {e} Nothing was changed."));
                return;
            }
        };
        let plan = coding.coding.with_untracked(|c| state.docs.with_value(|docs| plan_import(c, docs, &imported, &now())));
        t.importing.set(Some(Arc::new((name, plan, imported))));
    }
}

/// The import preview: what the file adds and changes, what cannot be placed;
/// nothing happens until "Import".
#[component]
pub fn ImportPreview() -> impl IntoView {
    let t = use_transfer();
    let coding = use_coding();
    let state = use_app_state();
    move || {
        let p = t.importing.get()?;
        let plan = &p.1;
        let nothing = plan.is_empty();
        let apply = {
            let p = Arc::clone(&p);
            move |_| {
                let plan = &p.1;
                let s = format!(
                    "Imported {}: {} added, {} updated, {} removed.",
                    p.0,
                    plan.added.len(),
                    plan.updated.len(),
                    plan.removed.len()
                );
                let (book, writes) = (plan.codebook.clone(), plan.writes.clone());
                coding.change(|c| c.restore(book, writes));
                // Those that could not be placed came in detached: listed beside their report.
                coding.detached.update(|d| d.extend(plan.detached.iter().filter(|u| u.kept).map(|u| u.id.clone())));
                t.log(Outcome::In(p.0.clone()));
                t.added_texts.set_value(Vec::new());
                t.importing.set(None);
                coding.notice.set(Some(coding.undoable(s)));
            }
        };
        // Only what the file does, in one vocabulary; the details below.
        let kept = plan.detached.iter().filter(|u| u.kept).count();
        let parts: Vec<String> = [
            (plan.added.len(), "to add".to_string()),
            (plan.updated.len(), "to update".to_string()),
            (plan.removed.len(), "to remove".to_string()),
            (plan.unchanged, "already here".to_string()),
            (plan.kept.len(), "changed here since (ours kept)".to_string()),
            (plan.reanchored.len(), "placed by their quote (the text differs)".to_string()),
            (plan.detached.len(), format!("cannot be placed ({kept} kept as detached)")),
        ]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{n} {what}"))
        .collect();
        // Annotations on texts that are not here: counted, and (where the file carries the
        // texts, as doccano, spaCy and Label Studio do) the texts can be added first.
        let (unknown_texts, unknown_anns) = (plan.unknown_documents.len(), plan.unknown_documents.iter().map(|(_, n)| n).sum::<usize>());
        let mut parts = parts;
        if unknown_anns > 0 {
            let texts = if unknown_texts == 1 { "a text that is not here".to_string() } else { format!("{unknown_texts} texts that are not here") };
            parts.push(format!("{unknown_anns} on {texts}"));
        }
        let addable: Vec<String> = {
            let unknown: Vec<&String> = plan.unknown_documents.iter().map(|(d, _)| d).collect();
            p.2.documents.iter().filter(|d| unknown.contains(&&d.id) && d.text.is_some()).map(|d| d.id.clone()).collect()
        };
        let counts = if parts.is_empty() { "Nothing to import.".to_string() } else { format!("{}.", parts.join(", ")) };
        let new_tags = (!plan.new_tags.is_empty()).then(|| marginalia_core::codebook::name_list(plan.new_tags.iter().map(|t| t.name.as_str())));
        let summary = plan.summary();
        let details = summary.split_once('\n').map(|(_, rest)| rest.trim_end().to_string()).unwrap_or_default();
        let title = match t.place() {
            Some((k, n)) => format!("Import {}? (file {k} of {n})", p.0),
            None => format!("Import {}?", p.0),
        };
        let whose = coding.coding.with_untracked(|c| c.whose(&plan.writes));
        let name = p.0.clone();
        let cancel = move || {
            t.log(Outcome::Out(name.clone()));
            t.importing.set(None);
            // The texts added for this file go again, unless coded since.
            let added = t.added_texts.try_update_value(std::mem::take).unwrap_or_default();
            let gone: Vec<String> = added.into_iter().filter(|id| coding.coding.with_untracked(|c| c.live(id).next().is_none())).collect();
            for id in &gone {
                state.remove_user_text(id);
            }
            if !gone.is_empty() {
                coding.notice.set(Some(Notice::done(format!("Nothing was imported, and the {} added for it went again.", if gone.len() == 1 { "text" } else { "texts" }))));
            }
        };
        let cancel2 = cancel.clone();
        Some(view! {
            <super::Modal class="import-preview" labelled="import-title" on_close=move |_| cancel()>
                <h2 id="import-title">{title}</h2>
                <p class="import-counts">{counts}</p>
                {whose.map(|w| view! { <p class="import-whose">{w}</p> })}
                {new_tags.map(|names| view! { <p class="import-tags">"New tags for the codebook: "{names}</p> })}
                {(!details.is_empty()).then(|| view! { <pre class="import-summary">{details}</pre> })}
                {(nothing && unknown_anns == 0).then(|| view! { <p>"This file holds nothing that is not already here."</p> })}
                {(!addable.is_empty()).then(|| {
                    let p = Arc::clone(&p);
                    let what = if addable.len() == 1 { format!("its text ({})", addable[0]) } else { format!("its {} texts", addable.len()) };
                    view! {
                        <p class="import-unknown">{format!("The file carries {what}: add it to your texts, and its annotations are placed on it.")}" "
                            <button type="button" class="btn import-add-texts" on:click=move |_| add_texts_of(&p, &addable, t, coding, state)>
                                {if addable.len() == 1 { "Add the text".to_string() } else { format!("Add the {} texts", addable.len()) }}</button>
                        </p>
                    }
                })}
                <div class="row">
                    <button type="button" class="btn primary import-go" disabled=nothing on:click=apply>"Import"</button>
                    <button type="button" class="btn" on:click=move |_| cancel2()>"Cancel"</button>
                </div>
                </super::Modal>
        })
    }
}

/// Adds the texts of a file's documents that are not here (`ids`) as the user's
/// own, then plans the file again, its annotations on them: the preview shows
/// where they land before Import.
fn add_texts_of(
    p: &(String, ImportPlan, marginalia_core::import::Imported),
    ids: &[String],
    t: Transfer,
    coding: crate::coding::CodingState,
    state: crate::state::AppState,
) {
    let at = now();
    let (texts, moved) = marginalia_core::import::with_own_texts(&p.2, ids, &at, &|id| state.has_doc(id));
    for text in &texts {
        let json = serde_json::to_string(text).unwrap_or_default();
        if crate::storage::write(&marginalia_core::store::text_key(&text.id), &json).is_err() {
            coding.notice.set(Some(Notice::at_risk(
                "There is no room left in this browser's storage for the file's texts: nothing was added. Download a backup and remove old work to make room.",
            )));
            for done in texts.iter().take_while(|d| d.id != text.id) {
                crate::storage::remove(&marginalia_core::store::text_key(&done.id));
            }
            return;
        }
    }
    state.add_user_texts(&texts);
    t.added_texts.update_value(|a| a.extend(texts.iter().map(|x| x.id.clone())));
    let plan = coding.coding.with_untracked(|c| state.docs.with_value(|docs| plan_import(c, docs, &moved, &at)));
    let titles: Vec<String> = texts.iter().map(|x| format!("“{}”", x.title)).collect();
    coding.notice.set(Some(Notice::done(format!(
        "Added to your texts: {}. Import places the file's annotations on {}; Cancel takes {} away again.",
        titles.join(", "),
        if texts.len() == 1 { "it" } else { "them" },
        if texts.len() == 1 { "it" } else { "them" }
    ))));
    t.importing.set(Some(Arc::new((p.0.clone(), plan, moved))));
}
