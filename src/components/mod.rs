//! Components: render state and dispatch user actions; no logic of their own.

mod agreement;
mod codebook;
mod coding_panel;
mod corpus;
mod find;
mod import;
mod report;
mod segments;
mod task;
mod transfer;

use leptos::prelude::*;

use crate::coding::{CodingState, Notice, now, use_coding};
use crate::state::{Page, provide_app_state, use_app_state};

/// The whole app.
#[component]
pub fn App() -> impl IntoView {
    let state = provide_app_state();
    let coding = state.docs.with_value(|d| CodingState::load(d));
    provide_context(coding);
    let restoring = RwSignal::new(None::<marginalia_core::store::Backup>);
    provide_context(Restoring(restoring));
    let transfer = transfer::provide_transfer();
    import::provide_pending_texts();
    // Once the top bar is in the page, the layout follows its height.
    Effect::new(|_| crate::dom::follow_topbar());
    // A file dropped anywhere on the page is imported (with a preview first).
    let over = window_event_listener(leptos::ev::dragover, |ev| ev.prevent_default());
    let files_cx = transfer::file_ctx();
    let drop = window_event_listener(leptos::ev::drop, move |ev| {
        ev.prevent_default();
        let Some(files) = ev.data_transfer().and_then(|d| d.files()) else { return };
        transfer::open_files((0..files.length()).filter_map(|i| files.get(i)).collect(), files_cx);
    });
    // A preview closed: the next file dropped or picked with it opens.
    Effect::new(move |_| {
        let open = restoring.with(Option::is_some) || transfer.importing.with(Option::is_some);
        if !open {
            transfer::next_file(files_cx);
        }
    });
    on_cleanup(move || {
        over.remove();
        drop.remove();
    });
    // Another tab changed a key: merge it in.
    let handle = window_event_listener(leptos::ev::storage, move |ev| {
        let Some(key) = ev.key() else { return };
        // A text added or removed in another tab is added or removed here too.
        if let Some(id) = key.strip_prefix(marginalia_core::store::TEXT_PREFIX) {
            match ev.new_value().and_then(|v| serde_json::from_str::<marginalia_core::store::UserText>(&v).ok()) {
                Some(t) if !state.has_doc(&t.id) => state.add_user_texts(&[t]),
                // Renamed in another tab.
                Some(t) => state.retitle_user_text(&t),
                None if state.has_doc(id) => {
                    let title = state.docs.with_value(|d| d.iter().find(|d| d.meta.id == id).map(|d| d.meta.title.clone())).unwrap_or_default();
                    let here = matches!(state.route.get_untracked(), marginalia_core::route::Route::Report { ref slug, .. } if state.doc_by_slug(slug).is_some_and(|d| d.meta.id == id));
                    state.forget_user_text(id);
                    coding.coding.update(|c| c.forget_history(id));
                    if here {
                        let _ = window().location().set_hash("#/");
                    }
                    coding.notice.set(Some(Notice::done(format!("“{title}” was removed in another tab."))));
                }
                None => {}
            }
            return;
        }
        coding.merge_from_other_tab(&key, ev.new_value());
    });
    on_cleanup(move || handle.remove());
    coding_panel::undo_keys();
    // "?" lists the keyboard shortcuts (not while typing).
    let keys_open = RwSignal::new(false);
    // Annotations changed (or deleted) after the last backup was made.
    let stale = Memo::new(move |_| {
        coding.settled.track();
        let Some(at) = coding.meta.with(|m| m.last_backup.clone()) else { return false };
        coding.coding.with_untracked(|c| c.docs().any(|d| c.stored(d).iter().any(|a| a.updated.as_str() > at.as_str())))
    });
    let keys = window_event_listener(leptos::ev::keydown, move |ev| {
        let typing = crate::dom::typing(&ev);
        // Not over another dialog ("Still Ana?" waits for its answer).
        let in_dialog = document().query_selector("dialog[open]").ok().flatten().is_some();
        if ev.key() == "?" && !typing && !in_dialog && !ev.ctrl_key() && !ev.meta_key() && !ev.alt_key() {
            ev.prevent_default();
            keys_open.set(true);
        }
    });
    on_cleanup(move || keys.remove());
    // A new page starts at its top (a report scrolls to its paragraph itself).
    Effect::new(move |previous: Option<Page>| {
        let page = state.page.get();
        if previous.is_some_and(|p| p != page) {
            if !matches!(page, Page::Report(_)) {
                window().scroll_to_with_x_and_y(0.0, 0.0);
            }
            // The focus goes with the page (a screen reader reads on from its start),
            // unless it is already in it (a link within the page, a dialog).
            if let Some(main) = document().get_element_by_id("main") {
                let inside = document().active_element().is_some_and(|a| main.contains(Some(&a)) && !a.is_same_node(Some(&main)));
                if !inside {
                    crate::dom::focus_main(true);
                }
            }
        }
        page
    });
    // The tab's title names the page (and the paragraph cited), for tabs, history and bookmarks.
    Effect::new(move |_| {
        let title = match state.page.get() {
            Page::Corpus => String::new(),
            Page::Codebook => "Codebook".into(),
            Page::Segments => "Coded segments".into(),
            Page::Agreement => "Agreement".into(),
            Page::NotFound(_) => "Not found".into(),
            Page::Report(slug) => state.doc_by_slug(&slug).map_or_else(
                || "No such report".into(),
                |d| {
                    match (state.paragraph.get(), state.note.get()) {
                        (Some(n), _) if d.paragraph_count() > 0 => d.cite(n),
                        (_, Some(n)) => d.cite_note(n),
                        _ => d.who().to_string(),
                    }
                },
            ),
        };
        document().set_title(&if title.is_empty() { "Marginalia".into() } else { format!("{title} — Marginalia") });
    });
    view! {
        <a class="skip" href="#main" on:click=|ev| {
            ev.prevent_default();
            crate::dom::focus_main(false);
        }>"Skip to content"</a>
        <header class="topbar">
            <a class="brand" href="#/">"Marginalia"</a>
            <nav aria-label="Main">
                <a href="#/" aria-current=move || (state.page.get() == Page::Corpus).then_some("page")>"Corpus"</a>
                <a href=move || marginalia_core::route::Route::Segments(state.segments.get()).to_hash() aria-current=move || (state.page.get() == Page::Segments).then_some("page")>"Segments"</a>
                <a href="#/codebook" aria-current=move || (state.page.get() == Page::Codebook).then_some("page")>"Codebook"</a>
                <a href=move || coding.meta.with(|m| if m.agreement.is_empty() { "#/agreement".to_string() } else { m.agreement.clone() })
                    aria-current=move || (state.page.get() == Page::Agreement).then_some("page")>"Agreement"</a>
            </nav>
            <p class="private">"Everything stays in this browser."</p>
            <button type="button" class="btn export-open" on:click=move |_| transfer.exporting.set(true)
                title="Export coded data or the codebook: CSV, matrix, doccano, spaCy, Label Studio, W3C, brat, REFI-QDA">
                "Export…"
            </button>
            <label class="btn import-open" title="Import coded data (any format Marginalia exports) or add a text; you will see what changes first. You can also drop a file on the page.">
                "Import…"
                <input type="file" multiple class="visually-hidden import-file"
                    accept=".json,.jsonl,.jsonld,.csv,.zip,.qdpx,.qde,.txt,.md,.markdown,.html,.htm"
                    on:change=move |ev| {
                        let input: web_sys::HtmlInputElement = event_target(&ev);
                        if let Some(files) = input.files() {
                            transfer::open_files((0..files.length()).filter_map(|i| files.get(i)).collect(), files_cx);
                        }
                        input.set_value("");
                    } />
            </label>
            <label class="btn backup restore" title="Restore a backup file (you will see what changes first)">
                "Restore…"
                <input type="file" accept=".json,application/json" class="visually-hidden"
                    on:change=move |ev| {
                        let input: web_sys::HtmlInputElement = event_target(&ev);
                        if let Some(file) = input.files().and_then(|f| f.get(0)) {
                            read_backup(file, restoring);
                        }
                        input.set_value("");
                    } />
            </label>
            <button type="button" class="btn backup" on:click=|_| download_backup()
                title="Save everything (codebook, annotations, memos) as one file">
                "Download backup"
            </button>
            // On two short lines, so that the top bar stays on one line on a laptop.
            <span class="last-backup" title=move || coding.meta.with(|m| m.last_backup.as_deref().map(|t| format!("Last backup {}", crate::coding::local_time(t))))>
                {move || coding.meta.with(|m| match &m.last_backup {
                    Some(t) => view! {
                        <span>"Last backup"</span>
                        // Today's at its time (two hand-ins of one day told apart), else its day.
                        <span>{{
                            let local = crate::coding::local_time(t);
                            let day = local.get(..10).unwrap_or(&local);
                            match local.get(11..16) {
                                Some(time) if day == crate::coding::today() => format!("today {time}"),
                                _ => day.to_string(),
                            }
                        }}
                            // Weeks of work: whether the last backup still holds all of it.
                            {move || stale.get().then(|| view! { <span class="since" title="Annotations changed since the last backup">" · changed since"</span> })}
                        </span>
                    }.into_any(),
                    None => view! { <span>"No backup"</span><span>"yet"</span> }.into_any(),
                })}
            </span>
            <button type="button" class="btn keys-open" aria-label="Keyboard shortcuts" title="Keyboard shortcuts (?)"
                on:click=move |_| keys_open.set(true)>"?"</button>
        </header>
        <NoticeToast />
        <KeysDialog open=keys_open />
        <NameDialog />
        <RestoreDialog backup=restoring />
        <transfer::ExportDialog />
        <transfer::ImportPreview />
        <import::AddTextsPreview />
        // Focusable only while focused from code (dom::focus_main).
        <main id="main">
            {move || match state.page.get() {
                Page::Corpus => corpus::CorpusView().into_any(),
                Page::Codebook => codebook::CodebookView().into_any(),
                Page::Segments => segments::SegmentsView().into_any(),
                Page::Agreement => agreement::AgreementView().into_any(),
                Page::Report(slug) => {
                    // A text renamed is drawn again, with its new title in its citations.
                    state.retitled.track();
                    view! { <report::ReportView slug=slug /> }.into_any()
                }
                Page::NotFound(hash) => view! { <NotFound hash=hash /> }.into_any(),
            }}
        </main>
    }
}

/// Downloads the full state as one JSON file and records when (asking the
/// coder's name first, when no one has given it: a class's files must say
/// whose they are).
pub fn download_backup() {
    let coding = use_coding();
    if coding.meta.with_untracked(|m| m.coder.trim().is_empty()) {
        coding.ask_name.set(Some(crate::coding::ASK_THEN_BACKUP.to_string()));
        return;
    }
    if let Some(name) = save_backup() {
        // A file with nothing coded in it is said: a student handing it in hands in nothing.
        let n = coding.coding.with_untracked(|c| c.all_live().count());
        // A student about to hand in work on another report than the task's: said now, not at grading.
        let state = use_app_state();
        let checked = coding.meta.with_untracked(|m| {
            let me = m.coder.clone();
            coding.coding.with_untracked(|c| {
                state.docs.with_value(|docs| {
                    let mine = c.all_live().filter(|a| a.coder == me).map(|a| (a.doc.as_str(), a.start, a.end));
                    marginalia_core::handout::against_task(&m.task, docs, mine)
                })
            })
        });
        let count = marginalia_core::count(n, "annotation");
        coding.notice.set(Some(if n == 0 {
            Notice::problem(format!("{name} was saved, with no annotations in it: nothing is coded here yet."))
        } else if let Some((passage, 0, 1..)) = checked {
            Notice::problem(format!(
                "Downloaded {name} ({count}). Your task is {passage}, and none of your annotations is there: check the report and the paragraphs before you hand it in."
            ))
        } else if let Some((passage, _, outside @ 1..)) = checked {
            // Coding beyond the passage is not scored: said now, while it can be moved.
            let of = if outside == 1 { "1 of them is".to_string() } else { format!("{outside} of them are") };
            Notice::problem(format!(
                "Downloaded {name} ({count}). {of} outside your task, {passage}: check {} before you hand it in (what is outside is not scored).",
                if outside == 1 { "it" } else { "them" }
            ))
        } else {
            // Said, with the file's name: on a phone a download goes by unseen.
            Notice::done(format!("Downloaded {name} ({count}): this file is all the work here, to hand in or keep."))
        }));
    }
}

/// Saves the backup file; its name when the browser took it.
fn save_backup() -> Option<String> {
    let state = use_app_state();
    let coding = use_coding();
    let t = now();
    let json = coding.coding.with_untracked(|c| {
        coding.meta.with_untracked(|m| {
            let hashes = |id: &str| state.docs.with_value(|d| d.iter().find(|d| d.meta.id == id).map(|d| d.text_sha256()));
            marginalia_core::store::backup(c, m, &hashes, crate::state::stored_user_texts(), env!("CARGO_PKG_VERSION"), &t).to_json()
        })
    });
    // The day and time, the user's (two hand-ins of one day differ), and the coder's name: a class's files differ.
    let day = crate::coding::today_at();
    let name = coding.meta.with_untracked(|m| marginalia_core::export::Format::Backup.file_name("", Some(&m.coder), &day));
    if crate::download::save(&name, "application/json", &json) {
        coding.meta.update(|m| m.last_backup = Some(t));
        coding.save_meta();
        Some(name)
    } else {
        None
    }
}

/// Saves the values set aside (they stay in this browser too).
fn download_set_aside() {
    let values: Vec<(String, String)> = crate::storage::read_all()
        .into_iter()
        .filter(|(k, _)| k.starts_with(marginalia_core::store::QUARANTINE_PREFIX))
        .collect();
    let t = now();
    let file = marginalia_core::store::set_aside_file(&values, env!("CARGO_PKG_VERSION"), &t);
    let day = t.get(..10).unwrap_or("data");
    if !crate::download::save(&format!("marginalia-set-aside-{day}.json"), "application/json", &file) {
        use_coding().notice.set(Some(Notice::problem("The browser did not let the file be saved.")));
    }
}

/// Reads a backup file and, if it is sound, opens the restore preview; if not,
/// says why and changes nothing.
fn read_backup(file: web_sys::File, restoring: RwSignal<Option<marginalia_core::store::Backup>>) {
    let state = use_app_state();
    let coding = use_coding();
    // The one limit every file read in is held to (see core::import).
    use marginalia_core::import::MAX_IMPORT_BYTES;
    if file.size() > MAX_IMPORT_BYTES as f64 {
        let mb = MAX_IMPORT_BYTES / (1024 * 1024);
        coding.notice.set(Some(Notice::problem(format!("{} is larger than {mb} MB, too large for a Marginalia backup; nothing was changed.", file.name()))));
        return;
    }
    leptos::task::spawn_local(async move {
        let text = wasm_bindgen_futures::JsFuture::from(file.text()).await.ok().and_then(|v| v.as_string());
        match text {
            Some(text) => open_backup_into(&file.name(), text, restoring, state, coding),
            None => coding.notice.set(Some(Notice::problem(format!("{} could not be read; nothing was changed.", file.name())))),
        }
    });
}

/// The restore preview's backup, for whoever reads a backup file.
#[derive(Clone, Copy)]
struct Restoring(RwSignal<Option<marginalia_core::store::Backup>>);

/// The restore preview's signal (taken before any asynchronous work: contexts
/// are not reachable from a spawned task).
pub fn restoring() -> RwSignal<Option<marginalia_core::store::Backup>> {
    expect_context::<Restoring>().0
}

/// Checks a backup file's text and opens the restore preview, or says why not.
/// Callable from a spawned task: it reads no context.
pub fn open_backup_into(
    name: &str,
    text: String,
    restoring: RwSignal<Option<marginalia_core::store::Backup>>,
    state: crate::state::AppState,
    coding: CodingState,
) {
    match read_backup_text(name, &text, state) {
        Ok(b) => restoring.set(Some(b)),
        Err(why) => coding.notice.set(Some(Notice::problem(why))),
    }
}

/// A backup file's text checked and read, or why not (in words for the user).
pub fn read_backup_text(name: &str, text: &str, state: crate::state::AppState) -> Result<marginalia_core::store::Backup, String> {
    // Texts the backup brings along count as documents for its check.
    let lexicon = state.lexicon();
    let brought: Vec<(String, usize)> = marginalia_core::store::backup_texts(text)
        .iter()
        .map(|t| (t.id.clone(), t.document(&lexicon).text.chars().count()))
        .collect();
    let len = |id: &str| {
        state.docs.with_value(|d| d.iter().find(|d| d.meta.id == id).map(|d| d.text.chars().count()))
            .or_else(|| brought.iter().find(|(b, _)| b == id).map(|(_, n)| *n))
    };
    if let Some(kind) = marginalia_core::import::office_document(name, text.as_bytes()) {
        return Err(format!(
            "{name} was not restored: it is {kind}, not a Marginalia backup (the file Download backup saves, marginalia-backup-….json). Nothing was changed."
        ));
    }
    marginalia_core::store::Backup::from_json(text, &len).map_err(|reason| {
        // Another kind of file Marginalia reads (an export, a codebook): say where it goes.
        let other = marginalia_core::import::detect(name, text.as_bytes())
            .filter(|f| *f != marginalia_core::export::Format::Backup)
            .map(|f| format!(" It is a file of another kind ({}): bring it in with Import…", f.label()))
            .unwrap_or_default();
        format!("{name} was not restored: {reason}{other} Nothing was changed.")
    })
}

/// Whose a backup is, as a list of files says it.
pub fn backup_who(b: &marginalia_core::store::Backup) -> String {
    if b.coder.is_empty() { "an unnamed coder".to_string() } else { b.coder.clone() }
}

/// What a merge does with names given by two people (`store::apart_names`), in words.
pub fn apart_said(apart: &[(String, String)], me: &str) -> Option<String> {
    (!apart.is_empty()).then(|| {
        apart
            .iter()
            .map(|(from, to)| if from == me {
                // A student who typed the teacher's name: kept out of the answer key.
                format!(
                    "This file's work is under your own name, {from}, and has none of your annotations: someone else seems to have typed your name. \
                     Merge brings it in as {to}, apart from yours; rename {to} on the Agreement page to the name of whoever handed it in."
                )
            } else {
                format!(
                    "{from}'s work here and this file's have no annotation in common: two people seem to have given the name {from}. \
                     Merge brings this file's in as {to}. If they are one person, rename {to} to {from} on the Agreement page."
                )
            })
            .collect::<Vec<_>>()
            .join(" ")
    })
}

/// Applies a restore plan of backup `b` (the texts it brings first), and says
/// what was done (`what`: "Merged", "Replaced"). `adopt`: a browser with no
/// coder's name takes the backup's (one's own backup on a new computer; not
/// with several files at once, a class's, whose first student is not the teacher).
pub fn apply_restore(
    coding: CodingState,
    state: crate::state::AppState,
    b: &marginalia_core::store::Backup,
    plan: marginalia_core::store::RestorePlan,
    what: &str,
    adopt: bool,
) -> String {
    // First the texts the backup brings that are not here.
    let missing: Vec<_> = b.texts.iter().filter(|t| !state.has_doc(&t.id)).cloned().collect();
    for t in &missing {
        let _ = crate::storage::write(&marginalia_core::store::text_key(&t.id), &serde_json::to_string(t).unwrap_or_default());
    }
    state.add_user_texts(&missing);
    let mut s = format!("{what}: {} added, {} changed, {} removed.", plan.added, plan.updated, plan.removed);
    coding.change(|c| c.restore(plan.codebook, plan.writes));
    // A student who handed in nothing keeps a row in the gradebook.
    let nothing = !b.coder.trim().is_empty() && b.annotations.iter().all(|a| a.deleted);
    if nothing && coding.meta.with_untracked(|m| m.coder != b.coder && !m.empty_hand_ins.contains(&b.coder)) {
        coding.meta.update(|m| m.empty_hand_ins.push(b.coder.clone()));
        coding.save_meta();
    }
    // A browser with no coder's name yet takes the backup's (asked again otherwise),
    // and says so: a supervisor restoring someone's backup codes under their own name.
    // One's own backup on another computer brings its task back (never a class's files' tasks).
    if adopt && !b.task.trim().is_empty() && coding.meta.with_untracked(|m| m.task.trim().is_empty()) {
        coding.meta.update(|m| m.task = b.task.clone());
        coding.save_meta();
    }
    // A class's files merged where no task was written or given here: their task is kept
    // as the class's, for the Agreement page to offer its passage.
    let no_task = coding.meta.with_untracked(|m| [&m.task, &m.handout_task, &m.class_task].iter().all(|t| t.trim().is_empty()));
    if !adopt && !b.task.trim().is_empty() && no_task {
        coding.meta.update(|m| m.class_task = b.task.clone());
        coding.save_meta();
    }
    // Not taken on trust (a student may bring in another's file): the first tag asks "Are you Ana?".
    if adopt && coding.meta.with_untracked(|m| m.coder.is_empty()) && !b.coder.is_empty() {
        s.push_str(&format!(" The backup is {}'s: your first tag asks whether you are {}.", b.coder, b.coder));
        coding.meta.update(|m| {
            m.coder = b.coder.clone();
            m.name_from_backup = true;
        });
        coding.save_meta();
        coding.confirm_coder.set_value(Some(marginalia_core::store::Still::Adopted));
    }
    s
}

/// The preview of a restore: what Replace and Merge would each change.
#[component]
fn RestoreDialog(backup: RwSignal<Option<marginalia_core::store::Backup>>) -> impl IntoView {
    use marginalia_core::store::{RestoreMode, restore_plan};
    let coding = use_coding();
    move || {
        let b = backup.get()?;
        let t = now();
        // A name given by two people (two students called Dan): merged apart.
        let me = coding.meta.with_untracked(|m| m.coder.clone());
        // One of several files picked together: a class's, never the teacher's own.
        let class = transfer::use_transfer().place().is_some();
        let apart = coding.coding.with_untracked(|c| marginalia_core::store::apart_names(c, &b, &me, class));
        let b_merged = b.renamed(&apart);
        let (replace, merge) = coding.coding.with_untracked(|c| {
            (restore_plan(c, &b, RestoreMode::Replace, &t), restore_plan(c, &b_merged, RestoreMode::Merge, &t))
        });
        let book_now = coding.coding.with_untracked(|c| c.codebook.clone());
        let summary = |p: &marginalia_core::store::RestorePlan| {
            let book = book_now.describe_change(&p.codebook).map_or_else(|| "the codebook stays as it is".to_string(), |c| format!("codebook: {c}"));
            format!("{} added, {} changed, {} removed, {} unchanged; {book}.", p.added, p.updated, p.removed, p.unchanged)
        };
        let live = b.annotations.iter().filter(|a| !a.deleted).count();
        // Which texts (a student who coded the wrong report is seen here).
        let state = use_app_state();
        let which_documents = {
            let names: Vec<String> = b.documents.iter().take(5).map(|d| {
                state.docs.with_value(|docs| docs.iter().find(|x| x.meta.id == d.id).map_or_else(|| d.id.clone(), |x| x.who().to_string()))
            }).collect();
            let more = if b.documents.len() > 5 { ", …" } else { "" };
            if names.is_empty() { String::new() } else { format!(" ({}{more})", names.join(", ")) }
        };
        // All of it here already (the same file picked again): said first; whose work it
        // "joins" is no news then.
        let same = merge.added + merge.updated + merge.removed == 0 && merge.deleted_here.is_empty() && merge.codebook == book_now;
        let whose = if same { None } else { coding.coding.with_untracked(|c| c.whose(&b_merged.annotations)) };
        let who = backup_who(&b);
        let apart_said = apart_said(&apart, &me);
        let apart_names = StoredValue::new(apart);
        let file = StoredValue::new(b.clone());
        let merged_file = StoredValue::new(b_merged);
        let transfer = transfer::use_transfer();
        // Of several files picked together: which this is, and how many backups wait.
        let place = transfer.place();
        let waiting = if place.is_some() { transfer.waiting() } else { 0 };
        let named = StoredValue::new(who.clone());
        let apply = move |plan: marginalia_core::store::RestorePlan, what: &'static str| {
            let file = if what == "Merged" { merged_file } else { file };
            if what == "Merged" {
                transfer.apart(apart_names.get_value());
            }
            let changed = plan.added + plan.updated + plan.removed > 0 || coding.coding.with_untracked(|c| c.codebook != plan.codebook);
            let s = file.with_value(|b| apply_restore(coding, state, b, plan, what, place.is_none()));
            transfer.log(transfer::Outcome::merged(file.with_value(backup_who), live == 0, changed));
            backup.set(None);
            coding.notice.set(Some(coding.undoable(s)));
        };
        let cancel = move || {
            transfer.log(transfer::Outcome::Out(format!("{}'s backup", named.get_value())));
            backup.set(None);
        };
        let merge_all_plan = merge.clone();
        let (mut rs, ms) = (summary(&replace), summary(&merge));
        // What Replace would take away, by whose it is (a teacher's key among a class's work).
        if let Some(w) = coding.coding.with_untracked(|c| replace.removed_whose(c)) {
            rs.push_str(&format!(" It takes away {w}."));
        }
        let replace_removes = replace.removed > 0;
        if replace_removes && coding.coding.with_untracked(|c| coding.meta.with_untracked(|m| marginalia_core::store::unsaved_work(c, m))) {
            rs.push_str(" The work here is in no backup file: Replace saves it to one first.");
        }
        // The file's annotations deleted here since it was made: a merge keeps the
        // deletions; bringing them back is a choice of its own.
        let deleted_here = merge.deleted_here.len();
        let back = merge.bringing_back(&t);
        let mut back_whose: Vec<String> = Vec::new();
        for a in &merge.deleted_here {
            let who = if a.coder.is_empty() { "an unnamed coder".to_string() } else { a.coder.clone() };
            if !back_whose.contains(&who) {
                back_whose.push(who);
            }
        }
        let back_whose = back_whose.join(", ");
        // The same tags named otherwise in the file (renamed in one browser): Merge keeps the names here.
        let renamed = {
            let differ = merge.codebook.names_differ(&b.codebook);
            (!differ.is_empty()).then(|| {
                let each: Vec<String> = differ.iter().map(|(here, there)| format!("{here} (“{there}” in the file)")).collect();
                format!(
                    "The file names {} otherwise: {}. They are the same tags; Merge keeps the names here, and the file's codings of them count under these names.",
                    if differ.len() == 1 { "a tag" } else { "some tags" },
                    each.join(", ")
                )
            })
        };
        Some(view! {
            <Modal class="restore" labelled="restore-title" on_close=move |_| cancel()>
                    <h2 id="restore-title">{match place {
                        Some((k, n)) => format!("Bring in {who}'s backup? (file {k} of {n})"),
                        None => format!("Bring in {who}'s backup?"),
                    }}</h2>
                    <p>{format!("Backup of {} made {} by {}: {} in {}{}, {}.",
                        backup_who(&b),
                        crate::coding::local_time(&b.exported_at), "Marginalia ".to_string() + &b.app_version, marginalia_core::count(live, "annotation"),
                        marginalia_core::count(b.documents.len(), "document"), which_documents, marginalia_core::count(b.codebook.tags.len(), "tag"))}</p>
                    {same.then(|| view! { <p class="restore-same">"Everything in this file is here already: merging it changes nothing."</p> })}
                    {whose.map(|w| view! { <p class="restore-whose">{w}</p> })}
                    {apart_said.map(|w| view! { <p class="restore-apart">{w}</p> })}
                    {renamed.map(|r| view! { <p class="renamed-tags">{r}</p> })}
                    {(!b.added_tags.is_empty()).then(|| view! {
                        <p class="added-tags">{format!("Its codebook lacks {} its annotations use ({}); {} added to it.",
                            marginalia_core::count(b.added_tags.len(), "tag"), b.added_tags.join(", "),
                            if b.added_tags.len() == 1 { "it is" } else { "they are" })}</p>
                    })}
                    <dl class="plans">
                        <dt>"Merge"</dt><dd class="plan-merge">"Both are kept; where both changed an annotation, the newer edit wins: "{ms}</dd>
                        {place.is_none().then(|| view! { <dt>"Replace"</dt><dd class="plan-replace">"Your work here becomes the backup's: "{rs}</dd> })}
                    </dl>
                    {(deleted_here > 0).then(|| view! {
                        <p class="deleted-here">{format!(
                            "{} in the file (by {back_whose}) {} deleted here after it was made, so Merge leaves {} deleted. To have {} again, choose Merge and bring back.",
                            marginalia_core::count(deleted_here, "annotation"),
                            if deleted_here == 1 { "was" } else { "were" },
                            if deleted_here == 1 { "it" } else { "them" },
                            if deleted_here == 1 { "it" } else { "them" },
                        )}</p>
                    })}
                    // Merge first (and focused): it keeps the work here. Replace, which can
                    // remove it, is never what Enter does.
                    <div class="row">
                        <button type="button" class="btn primary" on:click=move |_| apply(merge.clone(), "Merged")>"Merge"</button>
                        {(waiting > 0).then(|| view! {
                            <button type="button" class="btn merge-all" on:click=move |_| {
                                let before = coding.coding.with_untracked(marginalia_core::coding::Coding::steps);
                                transfer.merge_all();
                                apply(merge_all_plan.clone(), "Merged");
                                transfer.merged(coding, before);
                            }>{format!("Merge this and every backup among the {} waiting", marginalia_core::count(waiting, "other file"))}</button>
                        })}
                        {(deleted_here > 0).then(|| view! {
                            <button type="button" class="btn bring-back" on:click=move |_| apply(back.clone(), "Merged")>{format!("Merge and bring back {deleted_here}")}</button>
                        })}
                        // Not among a class's files: one file replacing all the work here is never what is meant.
                        {place.is_none().then(|| view! {
                            <button type="button" class="btn" class:danger=replace_removes on:click=move |_| {
                                // What Replace takes away, in no backup file (the only copy of an answer key):
                                // saved to one first, and said; if the browser will not save it, nothing is replaced.
                                let unsaved = replace_removes && coding.coding.with_untracked(|c| coding.meta.with_untracked(|m| marginalia_core::store::unsaved_work(c, m)));
                                if unsaved {
                                    match save_backup() {
                                        Some(name) => {
                                            apply(replace.clone(), "Replaced");
                                            coding.notice.update(|n| if let Some(n) = n {
                                                n.text.push_str(&format!(" The work here before was saved first, as {name}: Restore… brings it back."));
                                            });
                                        }
                                        None => coding.notice.set(Some(Notice::problem(
                                            "The work here could not be saved to a file first, so nothing was replaced. Download a backup, then Replace.",
                                        ))),
                                    }
                                } else {
                                    apply(replace.clone(), "Replaced");
                                }
                            }>"Replace"</button>
                        })}
                        <button type="button" class="btn" on:click=move |_| cancel()>"Cancel"</button>
                    </div>
                </Modal>
        })
    }
}

/// How long a notice of something done stays (it stays while pointed at or focused).
const FADE_AFTER: std::time::Duration = std::time::Duration::from_secs(8);

/// A page change this soon after a notice is the notice's own (given, then the
/// page shown): the notice stays.
const WITH_THE_MOVE_MS: f64 = 1000.0;

/// Messages: what happened, in plain words, with an action where one helps.
/// Problems stay until dismissed; what was done fades, and offers Undo when
/// Undo takes it back.
#[component]
fn NoticeToast() -> impl IntoView {
    let coding = use_coding();
    let state = crate::state::use_app_state();
    let toast = NodeRef::<leptos::html::Div>::new();
    // Each notice shown gets a number, so that a timer only closes its own.
    let shown = StoredValue::new(0u64);
    // The page a notice was given on, and when (ms).
    let shown_on = StoredValue::new(None::<(crate::state::Page, f64)>);
    Effect::new(move |_| {
        let fades = coding.notice.with(|n| n.as_ref().is_some_and(|n| n.fades));
        shown.update_value(|g| *g += 1);
        shown_on.set_value(Some((state.page.get_untracked(), js_sys::Date::now())));
        if fades {
            fade_later(coding, toast, shown, shown.get_value());
        }
    });
    // What was done on one page ("Copied…") is not news on the next: it closes when
    // the user goes to another page. Problems stay, and so does a notice given with
    // the move itself (a text removed, then the corpus shown: the address changes
    // just after the notice is given).
    Effect::new(move |before: Option<()>| {
        state.page.track();
        if before.is_some() {
            let stale = shown_on.try_get_value().flatten().is_some_and(|(p, at)| {
                state.page.with_untracked(|now| *now != p) && js_sys::Date::now() - at > WITH_THE_MOVE_MS
            });
            if stale && coding.notice.with_untracked(|n| n.as_ref().is_some_and(|n| n.fades)) {
                coding.notice.set(None);
            }
        }
    });
    // The page leaves room below for the notice as tall as it is (a class's summary is
    // long), so that the last buttons of a page can scroll above it.
    Effect::new(move |_| {
        coding.notice.track();
        request_animation_frame(move || {
            if let (Some(el), Some(root)) = (toast.get_untracked(), document().document_element()) {
                let h = el.offset_height();
                let _ = root.unchecked_ref::<web_sys::HtmlElement>().style().set_property("--toast-h", &format!("{h}px"));
            }
        });
    });
    // A notice whose Undo would now take back something else (another change,
    // an undo, a redo since) has said what it had to: it closes.
    Effect::new(move |_| {
        let steps = coding.coding.with(|c| c.steps());
        if coding.notice.with(|n| n.as_ref().and_then(|n| n.undo).is_some_and(|at| at != steps)) {
            coding.notice.set(None);
        }
    });
    move || {
        coding.notice.get().map(|Notice { text, offer_backup, offer_set_aside, undo, fades, reopen, bring_back }| {
            view! {
                <div class="toast" class:done=fades role=if fades { "status" } else { "alert" } node_ref=toast>
                    <span>{text}</span>
                    {undo.is_some().then(|| view! { <button type="button" class="undo" on:click=move |_| {
                        // A text just removed comes back whole; one just renamed gets its title back.
                        if report::undo_text_step(coding, state) {
                            return;
                        }
                        let t = now();
                        // Only the change the notice names (it closes once that is no longer the last).
                        let mut touched = marginalia_core::coding::Touched::default();
                        if coding.coding.with_untracked(|c| Some(c.steps())) == undo {
                            coding.change(|c| {
                                touched = c.undo(&t);
                                touched.clone()
                            });
                        }
                        coding.follow_self_rename();
                        // What another tab changed since is kept, and said.
                        coding.notice.set(coding_panel::kept_said(&touched, false));
                        // What came back is opened, and the focus goes to the page (not lost with the notice).
                        if let Some(id) = reopen.clone() {
                            coding.selected.set(Some(id));
                        }
                        crate::dom::focus_main(true);
                    }>"Undo"</button> })}
                    {bring_back.then(|| view! { <button type="button" class="bring-back" on:click=move |_| {
                        // The work put away comes back, with its coder's name.
                        if let Some((who, items)) = coding.put_away.try_update_value(Option::take).flatten() {
                            coding.change(|c| c.bring_back(items));
                            // The name goes back too, unless the new coder has coded since: their
                            // next passages must stay theirs.
                            let now_coding = coding.meta.with_untracked(|m| m.coder.clone());
                            let theirs = coding.coding.with_untracked(|c| c.all_live().any(|a| a.coder == now_coding && now_coding != who));
                            if theirs {
                                coding.notice.set(Some(Notice::done(format!("The work put away is back, beside {now_coding}'s; coding as {now_coding} still."))));
                            } else {
                                coding.meta.update(|m| m.coder = who.clone());
                                coding.save_meta();
                                coding.notice.set(Some(Notice::done(format!("The work put away is back; coding as {who} again."))));
                            }
                        } else {
                            coding.notice.set(None);
                        }
                    }>"Bring it back"</button> })}
                    {offer_backup.then(|| view! { <button type="button" on:click=|_| download_backup()>"Download backup"</button> })}
                    {offer_set_aside.then(|| view! { <button type="button" class="set-aside"
                        title="Save what could not be read, exactly as it was stored, to keep it or repair it by hand"
                        on:click=|_| download_set_aside()>"Download what was set aside"</button> })}
                    <button type="button" on:click=move |_| coding.notice.set(None)>"Dismiss"</button>
                </div>
            }
        })
    }
}

/// Closes notice number `which` after [`FADE_AFTER`], or later if the
/// pointer or the focus is on it then.
fn fade_later(coding: CodingState, toast: NodeRef<leptos::html::Div>, shown: StoredValue<u64>, which: u64) {
    set_timeout(
        move || {
            if shown.try_get_value() != Some(which) {
                return;
            }
            let held = toast.get_untracked().is_some_and(|t| t.matches(":hover, :focus-within").unwrap_or(false));
            if held {
                fade_later(coding, toast, shown, which);
            } else {
                coding.notice.set(None);
            }
        },
        FADE_AFTER,
    );
}

/// What a name typed in place of another means for the work here.
#[derive(Clone, Copy, PartialEq, Eq)]
enum NewName {
    /// Another person, coding beside the work here (a team sharing a browser).
    Beside,
    /// Another person on a shared computer: the work here is saved to a file
    /// and put away, and the page starts empty for them.
    PutAway,
    /// The same person, the old name a misspelling: their annotations take the new one.
    Rename,
}

/// Asks the coder's name once (before the first annotation); it is stored and
/// recorded with every annotation. Asked again when it is changed, before a
/// backup when no one has given it, and at the first tag when all the work
/// here was handed in (a backup) before the page opened: "Still Chloe?".
#[component]
fn NameDialog() -> impl IntoView {
    let coding = use_coding();
    let state = use_app_state();
    let name = RwSignal::new(String::new());
    let then = RwSignal::new(NewName::Beside);
    // "Still Chloe?" answered No: the name of the person coding now is asked.
    let someone = RwSignal::new(false);
    let only_me = RwSignal::new(false);
    // Why the name typed was not taken, said in the dialog itself.
    let problem = RwSignal::new(None::<&'static str>);
    let save = move || {
        let n = name.get_untracked().trim().to_string();
        if n.is_empty() {
            problem.set(Some("Type your name: it is recorded with your annotations."));
            return;
        }
        // A number key pressed again while this asks (meaning to tag) is not a name.
        if n.chars().all(|c| c.is_ascii_digit()) {
            problem.set(Some("Type your name (not a number): it is recorded with your annotations."));
            name.set(String::new());
            if let Some(input) = document().get_element_by_id("coder-name").and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok()) {
                input.set_value("");
            }
            return;
        }
        let old = coding.meta.with_untracked(|m| m.coder.clone());
        let another = !old.is_empty() && old != n;
        if another && then.get_untracked() == NewName::PutAway && !put_away_for(&old, &n) {
            return;
        }
        coding.confirm_coder.set_value(None);
        coding.meta.update(|m| {
            m.coder = n.clone();
            m.name_from_backup = false;
        });
        coding.save_meta();
        if another && then.get_untracked() == NewName::Rename {
            let t = now();
            let mut moved = 0;
            coding.change(|c| {
                let (touched, k) = c.rename_coder(&old, &n, &t);
                moved = k;
                touched
            });
            if moved > 0 {
                let carries = if moved == 1 { "carries" } else { "carry" };
                coding.notice.set(Some(coding.undoable(format!("The {} made as {old} now {carries} the name {n}.", marginalia_core::count(moved, "annotation")))));
            }
        }
        if let Some(tag) = coding.ask_name.get_untracked() {
            coding.ask_name.set(None);
            if tag == crate::coding::ASK_THEN_BACKUP {
                download_backup();
                return;
            }
            if tag.is_empty() {
                // Only the name was being changed: nothing to tag.
                return;
            }
            let doc = coding.pending.get_untracked().and_then(|(d, _, _)| {
                state.docs.with_value(|docs| docs.iter().find(|x| x.meta.id == d).cloned())
            });
            if let Some(doc) = doc {
                coding.tag_pending(&tag, &doc);
            }
        }
    };
    // Cancel keeps the text that was about to be tagged selected.
    let cancel = move || {
        coding.ask_name.set(None);
        if let Some((d, s, e)) = coding.pending.get_untracked() {
            let doc = state.docs.with_value(|docs| docs.iter().find(|x| x.meta.id == d).cloned());
            request_animation_frame(move || {
                if let Some(doc) = doc {
                    crate::dom::reselect(&doc, s, e);
                }
            });
        }
    };
    move || {
        coding.ask_name.get().map(|tag| {
            let changing = tag.is_empty();
            let old = coding.meta.with_untracked(|m| m.coder.clone());
            // Asked at a tag with a name given: handed in, away for hours, or a name from a backup.
            let still = !changing && !old.trim().is_empty() && tag != crate::coding::ASK_THEN_BACKUP;
            let why = coding.confirm_coder.get_value().unwrap_or(marginalia_core::store::Still::HandedIn);
            let adopted = why == marginalia_core::store::Still::Adopted;
            name.set(if still { String::new() } else { old.clone() });
            // Another person coding from now on must not take over the earlier work; after
            // a hand-in (the work all in a file), another name is the next student's.
            then.set(if still && !adopted { NewName::PutAway } else { NewName::Beside });
            problem.set(None);
            someone.set(false);
            only_me.set(false);
            let (made, all) = coding.coding.with_untracked(|c| (c.all_live().filter(|a| a.coder == old).count(), c.all_live().count()));
            let newest = coding.coding.with_untracked(|c| c.docs().flat_map(|d| c.stored(d)).map(|a| a.updated.clone()).max()).unwrap_or_default();
            let lede = if still {
                match why {
                    marginalia_core::store::Still::HandedIn => {
                        let at = coding.meta.with_untracked(|m| m.last_backup.clone()).unwrap_or_default();
                        format!("{old}'s work was saved to a backup file ({}), and nothing was coded after it. Is {old} still coding?", crate::coding::local_time(&at))
                    }
                    marginalia_core::store::Still::Away => format!("Nothing was coded here since {}, when {old} was coding. Is {old} still coding?", crate::coding::local_time(&newest)),
                    marginalia_core::store::Still::Adopted => format!("The work here came from {old}'s backup file. Are you {old}?"),
                }
            } else if changing {
                "Annotations you make from now on carry this name. It stays in this browser.".to_string()
            } else if tag == crate::coding::ASK_THEN_BACKUP {
                "The backup file carries your name, so that work from several coders can be told apart. This browser keeps it for your next annotations too.".to_string()
            } else {
                "Your name is recorded with every annotation you make, so that work from several coders can be told apart. It stays in this browser.".to_string()
            };
            let title = match (still, adopted) {
                (true, true) => format!("Are you {old}?"),
                (true, false) => format!("Still {old}?"),
                _ => "Who is coding?".to_string(),
            };
            let submit = if still {
                "Go on and tag"
            } else if changing {
                "Save"
            } else if tag == crate::coding::ASK_THEN_BACKUP {
                "Save and download"
            } else {
                "Save and tag"
            };
            // A name other than the one here: what becomes of the work here.
            let old2 = old.clone();
            let choices = move || {
                let typed = name.get();
                let other = !old2.is_empty() && typed.trim() != old2 && !typed.trim().is_empty();
                (other && all > 0).then(|| {
                    let old = old2.clone();
                    let radio = move |value: NewName| {
                        view! { <input type="radio" name="new-name" prop:checked=move || then.get() == value on:change=move |_| then.set(value) /> }
                    };
                    view! {
                        <fieldset class="new-name">
                            <legend>"The work here"</legend>
                            <label class="beside">{radio(NewName::Beside)}
                                {format!(" Another person, coding beside it (the {} {} here, shown with yours)", marginalia_core::count(all, "annotation"), if all == 1 { "stays" } else { "stay" })}</label>
                            <label class="put-away">{radio(NewName::PutAway)}
                                " Another person on a shared computer: put it away first (it is saved to a backup file, then this browser starts empty)"</label>
                            {(made > 0).then(|| view! {
                                <label class="carry">{radio(NewName::Rename)}
                                    {format!(" The same person: {old} was a misspelling of this name (the {} made as {old} {} it)", marginalia_core::count(made, "annotation"), if made == 1 { "takes" } else { "take" })}</label>
                            })}
                        </fieldset>
                    }
                })
            };
            // Asked "Still Chloe?": a yes or a no, not a name to type (a key pressed again,
            // meaning to tag, must not become another name and put the work away).
            let old3 = old.clone();
            let same = move |_| {
                if only_me.get_untracked() {
                    coding.meta.update(|m| m.only_me = true);
                }
                name.set(old3.clone());
                save();
            };
            let other = move |_| {
                someone.set(true);
                crate::dom::focus_later("#coder-name");
            };
            if still {
                let yes = if adopted { format!("Yes, I am {old}") } else { format!("Yes, {old} is coding") };
                let body = move || if someone.get() {
                    None
                } else {
                    Some(view! {
                        <div class="row still">
                            <button type="button" class="btn primary still-yes" autofocus on:click=same.clone()>{yes.clone()}</button>
                            <button type="button" class="btn still-no" on:click=other>"No, someone else"</button>
                            <button type="button" class="btn" on:click=move |_| cancel()>"Cancel"</button>
                        </div>
                        <label class="only-me" hidden=adopted><input type="checkbox" prop:checked=move || only_me.get()
                            on:change=move |ev| only_me.set(event_target_checked(&ev)) />
                            " Only I use this browser: do not ask again"</label>
                    })
                };
                let form = move || someone.get().then(|| view! {
                    <form on:submit=move |ev| { ev.prevent_default(); save(); }>
                        <label for="coder-name">"Who is coding now?"</label>
                        <input id="coder-name" type="text" autocomplete="name" required placeholder="Their name"
                            prop:value=move || name.get_untracked() on:input=move |ev| { name.set(event_target_value(&ev)); problem.set(None); }
                            aria-describedby="coder-name-problem" />
                        <p id="coder-name-problem" class="form-problem" role="alert">{move || problem.get()}</p>
                        {choices.clone()}
                        <div class="row">
                            <button type="submit" class="btn primary">{submit}</button>
                            <button type="button" class="btn" on:click=move |_| cancel()>"Cancel"</button>
                        </div>
                    </form>
                });
                return view! {
                    <Modal labelled="name-title" on_close=move |_| cancel()>
                        <h2 id="name-title">{title}</h2>
                        <p>{lede}</p>
                        {body}
                        {form}
                    </Modal>
                }.into_any();
            }
            view! {
                <Modal labelled="name-title" on_close=move |_| cancel()>
                        <form on:submit=move |ev| { ev.prevent_default(); save(); }>
                            <h2 id="name-title">{title}</h2>
                            <p>{lede}</p>
                            <input id="coder-name" type="text" autocomplete="name" required placeholder="Your name"
                                prop:value=move || name.get_untracked() on:input=move |ev| { name.set(event_target_value(&ev)); problem.set(None); } autofocus
                                aria-describedby="coder-name-problem" />
                            <p id="coder-name-problem" class="form-problem" role="alert">{move || problem.get()}</p>
                            {choices}
                            <div class="row">
                                <button type="submit" class="btn primary">{submit}</button>
                                <button type="button" class="btn" on:click=move |_| cancel()>"Cancel"</button>
                            </div>
                        </form>
                    </Modal>
            }.into_any()
        })
    }
}

/// Puts the work here away for the next person (`new`) on a shared computer:
/// first saved to a backup file (unless it all is in the last one already),
/// then taken out of this browser with no trace ([`Coding::put_away`]). The
/// notice offers to bring it back. False when the file could not be saved:
/// then nothing is put away.
fn put_away_for(old: &str, new: &str) -> bool {
    let coding = use_coding();
    let saved = coding.coding.with_untracked(|c| coding.meta.with_untracked(|m| marginalia_core::store::all_in_backup(c, m)));
    let file = if saved {
        "the backup made before".to_string()
    } else {
        match save_backup() {
            Some(f) => f,
            None => {
                coding.notice.set(Some(Notice::problem("The browser did not let the backup file be saved, so nothing was put away.")));
                return false;
            }
        }
    };
    let mut out = Vec::new();
    coding.change(|c| {
        let (touched, items) = c.put_away();
        out = items;
        touched
    });
    let n = out.iter().filter(|a| !a.deleted).count();
    coding.put_away.set_value(Some((old.to_string(), out)));
    // The next person has backed up nothing yet.
    coding.meta.update(|m| m.last_backup = None);
    coding.selected.set(None);
    coding.showing.set(None);
    coding.notice.set(Some(Notice {
        bring_back: true,
        ..Notice::problem(format!(
            "The {} here {} in {file} and {} put away from this browser: {new} starts with an empty page.",
            marginalia_core::count(n, "annotation"),
            if n == 1 { "is" } else { "are" },
            if n == 1 { "was" } else { "were" },
        ))
    }));
    true
}

#[component]
fn NotFound(hash: String) -> impl IntoView {
    view! {
        <section class="notice" role="alert">
            <h1>"Nothing here"</h1>
            <p>"The link " <code>{hash}</code> " does not lead to a report of this corpus."</p>
            <p><a href="#/">"Back to the corpus"</a></p>
        </section>
    }
}

use wasm_bindgen::JsCast;

/// The keyboard shortcuts, in one list ("?" or the top bar's "?" button).
#[component]
fn KeysDialog(open: RwSignal<bool>) -> impl IntoView {
    const KEYS: [(&str, &str); 15] = [
        ("1 – 9", "Code the selected text with that tag (the palette shows which)."),
        ("Tab after coding a selection", "To the open annotation's memo."),
        ("M", "To the open annotation's memo, from anywhere (after coding a ¶ number, Tab goes on to the next number)."),
        ("1 – 9 on a ¶ number", "Code the whole paragraph: Tab to its number in the margin (or a footnote marker in it) first."),
        ("1 – 9 with an annotation open", "Add or remove that tag."),
        ("Start, End ◀ ▶", "Move the open annotation's edges; with Select whole words on, a word at a time (Tab to them, then Enter)."),
        ("F7, then Shift + arrows", "Select a phrase without a mouse (the browser's caret browsing), then press a tag's key."),
        ("Delete", "Delete the open annotation (Undo brings it back)."),
        ("Escape", "Close the open annotation, the palette or a dialog."),
        ("Click a highlight", "Open its annotation; click again where highlights overlap for the next."),
        ("Ctrl + Z", "Undo (⌘ Z on a Mac)."),
        ("Ctrl + Shift + Z, Ctrl + Y", "Redo."),
        ("/", "Find in this report."),
        ("Enter, Shift + Enter", "Next and previous match of the find."),
        ("?", "This list."),
    ];
    // What a finger does, for a phone or a tablet.
    const TOUCH: [(&str, &str); 5] = [
        ("Press and hold a word", "Select it; drag the handles to take in more. The tags appear: tap one."),
        ("Tap a highlight", "Open its annotation: its tags, Memo…, Undo, Delete, Close."),
        ("Undo", "In the open annotation, or in the notice after a change."),
        ("Your task", "Above the list of reports; “Go to ¶…” opens the passage it names."),
        ("Download backup", "At the top of the page: the file with all your work, to hand in."),
    ];
    let touch = crate::dom::coarse_pointer();
    move || {
        open.get().then(|| {
            view! {
                <Modal class="keys" labelled="keys-title" on_close=move |_| open.set(false)>
                    // Focus on the title, so the list opens at its top (not scrolled down to Close).
                    <h2 id="keys-title" tabindex="-1" autofocus>{if touch { "How to code" } else { "Keyboard shortcuts" }}</h2>
                    // On a touch screen, the gestures first: the keys are for a keyboard.
                    {touch.then(|| view! {
                        <dl class="keys-list touch-list">
                            {TOUCH.iter().map(|(k, what)| view! { <dt>{*k}</dt><dd>{*what}</dd> }).collect_view()}
                        </dl>
                        <h3>"With a keyboard"</h3>
                    })}
                    <dl class="keys-list">
                        {KEYS.iter().map(|(k, what)| view! { <dt><kbd>{*k}</kbd></dt><dd>{*what}</dd> }).collect_view()}
                    </dl>
                    <div class="row">
                        <button type="button" class="btn primary" on:click=move |_| open.set(false)>"Close"</button>
                    </div>
                </Modal>
            }
        })
    }
}

/// A modal dialog, opened with `showModal()`: the page behind is inert, focus
/// moves into the dialog (to its `autofocus` field, else its first control) and
/// stays there, Escape closes it (`on_close`), and focus goes back to where it
/// was when the dialog goes away.
#[component]
pub fn Modal(
    /// Extra classes of the `<dialog>` (besides `modal`).
    #[prop(into, optional)]
    class: String,
    /// The id of the element naming the dialog.
    labelled: &'static str,
    /// Called on Escape (the dialog's `cancel`).
    #[prop(into)]
    on_close: Callback<()>,
    children: Children,
) -> impl IntoView {
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    let opener = document().active_element();
    Effect::new(move |_| {
        if let Some(d) = dialog.get() {
            if !d.open() {
                let _ = d.show_modal();
            }
        }
    });
    on_cleanup(move || {
        // Once the dialog is gone (while it is open, the page behind cannot take focus).
        // Opened by no control (a file read, a link followed), or the control gone: the page
        // itself, so the keyboard goes on from there, not from nowhere.
        let el = opener.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()).filter(|e| e.tag_name() != "BODY");
        request_animation_frame(move || {
            match el {
                Some(el) if el.is_connected() => {
                    let _ = el.focus();
                }
                _ => crate::dom::focus_main(true),
            }
        });
    });
    view! {
        <dialog class=format!("modal {class}") aria-labelledby=labelled node_ref=dialog
            on:cancel=move |ev: web_sys::Event| { ev.prevent_default(); on_close.run(()); }>
            {children()}
        </dialog>
    }
}
