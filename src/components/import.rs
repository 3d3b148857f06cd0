//! Adding one's own texts: .txt, .md or .html files, or pasted text. They go
//! through the same cleaning as the reports, are previewed, and are kept in
//! this browser like the annotations.

use leptos::prelude::*;
use marginalia_core::store::{UserText, text_key};

use crate::coding::{Notice, now, use_coding};
use crate::state::use_app_state;

/// Texts read but not yet added, awaiting the user's yes (shown by [`AddTextsPreview`]).
#[derive(Clone, Copy)]
pub struct PendingTexts(pub RwSignal<Vec<UserText>>);

pub fn provide_pending_texts() {
    provide_context(PendingTexts(RwSignal::new(Vec::new())));
}

pub fn pending() -> RwSignal<Vec<UserText>> {
    expect_context::<PendingTexts>().0
}

/// Reads `raw` as a text named `name` and puts it up for the preview; a text
/// that cannot be taken is refused with the reason.
pub fn stage(name: String, raw: String) {
    stage_into(name, raw, use_app_state(), use_coding(), pending());
}

/// [`stage`] with its contexts given (for a spawned task, which cannot reach them).
fn stage_into(name: String, raw: String, state: crate::state::AppState, coding: crate::coding::CodingState, pending: RwSignal<Vec<UserText>>) {
    let taken = |id: &str| state.has_doc(id) || pending.with_untracked(|p| p.iter().any(|t| t.id == id));
    match UserText::new(&name, &raw, &now(), &taken) {
        Ok(t) => pending.update(|p| p.push(t)),
        Err(e) => coding.notice.set(Some(Notice::problem(format!("{e} Nothing was added.")))),
    }
}

/// Reads a .txt/.md/.html file and puts it up for the preview.
pub fn stage_file(file: web_sys::File) {
    let (state, coding, pending) = (use_app_state(), use_coding(), pending());
    leptos::task::spawn_local(async move {
        stage_file_into(file, state, coding, pending, false).await;
    });
}

/// [`stage_file`] with its contexts given, done once the file is read. A
/// handout brings its codebook and task instead (the one file a class is given),
/// except among several files picked together (`among_others`: a class's work,
/// with a handout handed back in it, which changes nothing); what became of it is
/// returned for the summary of the files picked together.
pub async fn stage_file_into(
    file: web_sys::File,
    state: crate::state::AppState,
    coding: crate::coding::CodingState,
    pending: RwSignal<Vec<UserText>>,
    among_others: bool,
) -> Option<super::transfer::Outcome> {
    use super::transfer::Outcome;
    let name = file.name();
    if file.size() > (marginalia_core::store::MAX_TEXT_BYTES * 2) as f64 {
        coding.notice.set(Some(Notice::problem(format!("{name} is too large to keep in the browser. Nothing was added."))));
        return Some(Outcome::Bad(name));
    }
    match wasm_bindgen_futures::JsFuture::from(file.text()).await.ok().and_then(|v| v.as_string()) {
        Some(raw) => match marginalia_core::handout::codebook_in(&raw) {
            // Among a class's files, or handed back: a handout changes nothing.
            Some(_) if among_others => Some(handout_left_out(&name)),
            Some(Ok(book)) => {
                let handed_back = super::codebook::bring_in_handout(coding, &name, &raw, book);
                Some(if handed_back { handout_left_out(&name) } else { Outcome::In(name) })
            }
            Some(Err(why)) => {
                coding.notice.set(Some(Notice::problem(format!("{name} is a codebook handout, but {why}. Nothing was changed."))));
                Some(Outcome::Bad(name))
            }
            None => {
                stage_into(name, raw, state, coding, pending);
                None
            }
        },
        None => {
            coding.notice.set(Some(Notice::problem(format!("{name} could not be read as text. Nothing was added."))));
            Some(Outcome::Bad(name))
        }
    }
}

/// A handout that changed nothing, as the summary of files picked together names it.
fn handout_left_out(name: &str) -> super::transfer::Outcome {
    super::transfer::Outcome::Out(format!("{name}, the codebook handout, no one's work"))
}

/// The "add to the corpus?" preview of the texts read (files, paste, drop).
#[component]
pub fn AddTextsPreview() -> impl IntoView {
    let state = use_app_state();
    let coding = use_coding();
    let pending = pending();
    // Titles typed in the preview, by text id (one left empty keeps the title found).
    let typed = StoredValue::new(std::collections::BTreeMap::<String, String>::new());
    let add = move || {
        let texts = pending.get_untracked();
        let titles = typed.try_update_value(std::mem::take).unwrap_or_default();
        let mut saved = Vec::new();
        for t in texts {
            let t = titles.get(&t.id).and_then(|title| t.retitled(title).ok()).unwrap_or(t);
            let json = serde_json::to_string(&t).unwrap_or_default();
            match crate::storage::write(&text_key(&t.id), &json) {
                Ok(()) => saved.push(t),
                Err(_) => {
                    coding.notice.set(Some(Notice::at_risk(format!(
                        "There is no room left in this browser's storage for \"{}\"; it was not added. Download a backup and remove old work to make room.",
                        t.title
                    ))));
                }
            }
        }
        let n = saved.len();
        state.add_user_texts(&saved);
        pending.set(Vec::new());
        typed.set_value(Default::default());
        if n > 0 {
            coding.notice.set(Some(Notice::done(format!("{} added to the corpus.", marginalia_core::count(n, "text")))));
        }
        // One text: open it, ready to code.
        if let [t] = saved.as_slice() {
            let _ = window().location().set_hash(&marginalia_core::route::Route::report(&t.id, None).to_hash());
        }
    };
    move || {
        let p = pending.get();
        (!p.is_empty()).then(|| {
            let lexicon = marginalia_core::clean::Lexicon::default();
            view! {
                <super::Modal class="add-texts" labelled="add-title" on_close=move |_| { pending.set(Vec::new()); typed.set_value(Default::default()); }>
                        <h2 id="add-title">"Add to the corpus?"</h2>
                        <ul>
                            {p.iter().enumerate().map(|(i, t)| {
                                let d = t.document(&lexicon);
                                let chars = d.text.chars().count();
                                // Its first blocks as they will read: how its lists, tables and lines split.
                                const SHOWN: usize = 6;
                                let first: Vec<String> = d.blocks.iter().take(SHOWN).map(|b| {
                                    let t = d.block_text(b);
                                    if t.chars().count() > 90 { format!("{}…", t.chars().take(89).collect::<String>()) } else { t.to_string() }
                                }).collect();
                                let more = d.blocks.len().saturating_sub(SHOWN);
                                let (id, field) = (t.id.clone(), format!("add-title-{i}"));
                                view! {
                                    <li>
                                        <label class="text-title-label" for=field.clone()>"Title"</label>
                                        <input id=field type="text" class="text-title" value=t.title.clone()
                                            maxlength=marginalia_core::store::MAX_TITLE_CHARS.to_string()
                                            on:input=move |ev| typed.update_value(|m| { m.insert(id.clone(), event_target_value(&ev)); }) />
                                        <span class="what">{format!("{}, {chars} characters, read as {}", marginalia_core::count(d.blocks.len(), "block"), t.format)}</span>
                                        <ul class="ctx">{first.into_iter().map(|t| view! { <li>{t}</li> }).collect_view()}</ul>
                                        {(more > 0).then(|| view! { <p class="ctx more">{format!("and {more} more {}", if more == 1 { "block" } else { "blocks" })}</p> })}</li>
                                }
                            }).collect_view()}
                        </ul>
                        <p>{if p.len() == 1 {
                            "Its paragraphs are cited by its title. It is kept in this browser only, like your annotations."
                        } else {
                            "Their paragraphs are cited by their titles. They are kept in this browser only, like your annotations."
                        }}</p>
                        <div class="row">
                            <button type="button" class="btn primary" on:click=move |_| add()>"Add"</button>
                            <button type="button" class="btn" on:click=move |_| { pending.set(Vec::new()); typed.set_value(Default::default()); }>"Cancel"</button>
                        </div>
                    </super::Modal>
            }
        })
    }
}

#[component]
pub fn AddTexts() -> impl IntoView {
    let coding = use_coding();
    let paste_title = RwSignal::new(String::new());
    let paste_text = RwSignal::new(String::new());
    let on_files = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(files) = input.files() else { return };
        for i in 0..files.length() {
            if let Some(file) = files.get(i) {
                stage_file(file);
            }
        }
        input.set_value("");
    };
    view! {
        <section class="add-texts-section">
            <h2>"Your own texts"</h2>
            <p class="lede">"Add .txt, .md or .html files, or paste text. They are cleaned like the reports and coded the same way; nothing is uploaded."</p>
            <div class="row">
                <label class="btn add-files">"Add files…"
                    <input type="file" multiple accept=".txt,.md,.markdown,.html,.htm,text/plain,text/markdown,text/html" class="visually-hidden" on:change=on_files />
                </label>
            </div>
            <details class="paste">
                <summary>"Paste text"</summary>
                <form on:submit=move |ev| {
                    ev.prevent_default();
                    let (title, text) = (paste_title.get_untracked(), paste_text.get_untracked());
                    if text.trim().is_empty() {
                        coding.notice.set(Some(Notice::slip("There is no text to add yet: paste or type it in the box first.")));
                        return;
                    }
                    // Untitled: named by its first line ("Interview 2"), which the preview lets one change.
                    let first = text.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("Pasted text");
                    let title = if title.trim().is_empty() { marginalia_core::abridge(first, 60) } else { title.trim().to_string() };
                    // The boxes keep it: Cancel in the preview loses nothing (Add opens the new text).
                    stage(format!("{title}.txt"), text);
                }>
                    <input type="text" class="paste-title" placeholder="Title" prop:value=move || paste_title.get() on:input=move |ev| paste_title.set(event_target_value(&ev)) />
                    <textarea class="paste-text" placeholder="Paste or type text here" prop:value=move || paste_text.get() on:input=move |ev| paste_text.set(event_target_value(&ev))></textarea>
                    <button type="submit" class="btn">"Add this text"</button>
                </form>
            </details>
        </section>
    }
}
