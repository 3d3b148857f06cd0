//! The report view: title block, headings, numbered paragraphs with citable
//! margin numbers, footnote markers that reveal their note, and the notes.

use std::sync::Arc;

use leptos::prelude::*;
use marginalia_core::corpus::{format_date, ordinal_short};
use marginalia_core::codebook::Codebook;
use marginalia_core::html::{self, Combos, Span};
use marginalia_core::layout::by_block;
use marginalia_core::route::Route;
use marginalia_core::{BlockKind, Document};
use wasm_bindgen::JsCast;
use web_sys::Element;

use super::coding_panel::{CodingPanel, Palette};
use crate::coding::{Notice, use_coding};
use crate::state::use_app_state;

#[component]
pub fn ReportView(slug: String) -> impl IntoView {
    let state = use_app_state();
    let Some(doc) = state.doc_by_slug(&slug) else {
        return view! {
            <section class="notice" role="alert">
                <h1>"No such report"</h1>
                <p>"There is no document " <code>{slug}</code> " in this corpus."</p>
                <p><a href="#/">"Back to the corpus"</a></p>
            </section>
        }
        .into_any();
    };

    // Scroll to the paragraph named by the route, now and whenever it changes.
    let (paragraph, note) = (state.paragraph, state.note);
    let coding = use_coding();
    let (cite_as, numbers) = (doc.meta.symbol.clone().unwrap_or_else(|| doc.meta.title.clone()), doc.paragraph_count());
    // Where the reader is, kept for a reload of this tab (on leaving or hiding the page).
    let here = StoredValue::new(slug.clone());
    let keep_place = move || {
        if let Some(n) = paragraph_at_top() {
            here.with_value(|s| crate::storage::set_reading_place(s, n));
        }
    };
    let (hide, hidden) = (window_event_listener(leptos::ev::pagehide, move |_| keep_place()), window_event_listener(leptos::ev::visibilitychange, move |_| keep_place()));
    on_cleanup(move || {
        hide.remove();
        hidden.remove();
    });
    let slug_here = slug.clone();
    Effect::new(move |_| {
        let target = paragraph.get();
        let cite_as = cite_as.clone();
        if let Some(n) = note.get() {
            // A footnote: its entry in the list of notes, marked as the target.
            request_animation_frame(move || {
                if !scroll_to_target(&format!("fn{n}")) {
                    coding.notice.set(Some(Notice::slip(format!("{cite_as} has no footnote {n}."))));
                }
            });
            return;
        }
        // Reloaded (no paragraph named, the page the address named): where this tab was reading.
        let resume = target.is_none().then(|| crate::state::first_page().then(|| crate::storage::reading_place(&slug_here)).flatten()).flatten();
        request_animation_frame(move || {
            if let Some(n) = resume {
                scroll_quietly_to(&format!("p{n}"));
                return;
            }
            // A link to a paragraph the document does not have says so (and shows the top);
            // no paragraph named: the top (however far down the page before was scrolled).
            let found = scroll_to_paragraph(target);
            if let Some(n) = target.filter(|_| !found) {
                let has = if numbers > 0 { format!("its paragraphs run from 1 to {numbers}") } else { "its paragraphs are not numbered".into() };
                coding.notice.set(Some(Notice::slip(format!("{cite_as} has no paragraph {n}: {has}."))));
            }
        });
    });
    crate::perf::record_painted("report");

    // A report's symbol; a user's own text is labelled as such (its id is only for links).
    let symbol = doc.meta.symbol.clone().unwrap_or_else(|| "Your text".into());
    let subtitle = [
        doc.meta.ordinal.map(|n| format!("{} report", ordinal_short(n))),
        doc.meta.date.as_deref().map(format_date),
        Some(marginalia_core::count(doc.paragraphs_to_count(), "paragraph")),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" · ");
    let title = doc.meta.title.clone();
    // A user's own text (not one of the reports) can be removed.
    let own = doc.meta.symbol.is_none();
    let removing = RwSignal::new(false);
    let renaming = RwSignal::new(false);
    let doc_id = doc.meta.id.clone();
    // The live annotations of each block, recomputed on a change; each block's own
    // memo then tells it whether it must re-render.
    let spans = {
        let doc = Arc::clone(&doc);
        Memo::new(move |_| {
            let detached = coding.detached.get();
            let showing = coding.showing.get();
            coding.coding.with(|c| {
                let live: Vec<&marginalia_core::annotation::Annotation> = c
                    .live(&doc_id)
                    .filter(|a| !detached.contains(&a.id) && showing.as_ref().is_none_or(|s| a.coder == *s))
                    .collect();
                by_block(&doc.blocks, live.iter().map(|a| (a.start, a.end, *a)))
                    .into_iter()
                    .map(|v| v.into_iter().map(|a| Span { start: a.start, end: a.end, id: a.id.clone(), tags: a.tags.clone() }).collect())
                    .collect::<Vec<Vec<Span>>>()
            })
        })
    };
    let book = Memo::new(move |_| coding.coding.with(|c| c.codebook.clone()));
    // The prose is built as one HTML string (parsed natively, in one go); later
    // changes patch only the blocks whose annotations changed.
    let combos = StoredValue::new(Combos::default());
    let body = spans.with_untracked(|sp| book.with_untracked(|b| combos.try_update_value(|c| html::prose(&doc, sp, b, c)).unwrap_or_default()));
    // Highlights share one rule per combination of tags (a few dozen) instead of
    // each carrying an inline style.
    let css = RwSignal::new(book.with_untracked(|b| combos.with_value(|c| c.css(b))));
    let prose_ref = NodeRef::<leptos::html::Div>::new();
    let on_select = {
        let doc = Arc::clone(&doc);
        move || {
            let Some(prose) = prose_ref.get_untracked() else { return };
            let doc_id = doc.meta.id.clone();
            match crate::dom::selection_in(&prose, &doc) {
                Some((s, e)) => {
                    coding.pending.set(Some((doc_id.clone(), s, e)));
                    // In page coordinates, so that the palette scrolls with the text.
                    let (sx, sy) = (window().scroll_x().unwrap_or(0.0), window().scroll_y().unwrap_or(0.0));
                    let at = crate::dom::selection_rect().map(|r| (r.left() + sx, r.top() + sy, r.bottom() + sy));
                    coding.palette_at.set(at);
                }
                // The name asked for before a first tag takes the focus (and, on a
                // touch screen, the selection): the text to tag stays pending.
                None if coding.ask_name.with_untracked(|t| t.as_ref().is_some_and(|t| !t.is_empty())) => {}
                None => {
                    coding.pending.set(None);
                    coding.palette_at.set(None);
                }
            }
        }
    };
    let on_select_key = on_select.clone();
    // On a touch screen text is selected by a long press and its handles, with no
    // mouseup: the palette follows the selection itself, once it rests.
    if crate::dom::coarse_pointer() {
        let on_select = on_select.clone();
        let rest = StoredValue::new(0u32);
        let listener = crate::dom::on_document("selectionchange", move || {
            let mine = rest.try_update_value(|g| { *g += 1; *g }).unwrap_or_default();
            let on_select = on_select.clone();
            set_timeout(move || if rest.try_get_value() == Some(mine) { on_select() }, std::time::Duration::from_millis(300));
        });
        // Removed when the report goes (the stored value is dropped with its owner).
        let _ = StoredValue::new_local(listener);
    }
    super::coding_panel::keyboard(Arc::clone(&doc), prose_ref);
    patch_prose(Arc::clone(&doc), prose_ref, spans, book, combos, css);
    class_in_margin(Arc::clone(&doc), prose_ref);
    let on_click = {
        let doc = Arc::clone(&doc);
        move |ev: leptos::ev::MouseEvent| match target_closest(&ev, ".fnref button") {
            Some(button) => toggle_note(&doc, &button),
            None => open_clicked_highlight(&ev),
        }
    };
    let on_keydown = {
        let doc = Arc::clone(&doc);
        move |ev: leptos::ev::KeyboardEvent| {
            if ev.key() == "Escape" {
                if let Some(button) = target_closest(&ev, ".fnref button[aria-expanded=\"true\"]") {
                    toggle_note(&doc, &button);
                }
            }
        }
    };
    // The paragraphs a task gives to code (a student's handout names "¶42–50 of S/2019/612"):
    // marked in the margin, so that coding beyond them is seen as it is done.
    let task_marks = {
        let doc = Arc::clone(&doc);
        move || {
            let task = coding.meta.with(|m| m.task.clone());
            let (i, from, to, _) = state.docs.with_value(|docs| marginalia_core::handout::task_passage(&task, docs))?;
            let here = state.docs.with_value(|docs| docs.get(i).is_some_and(|d| d.meta.id == doc.meta.id));
            here.then(|| task_css(from, to))
        }
    };
    view! {
        <div class="report-layout">
            <style>{move || css.get()}</style>
            <style>{task_marks}</style>
            <article class="report" aria-labelledby="report-title">
                <header class="titleblock">
                    // Past every paragraph number, straight to the panel (for keyboard users;
                    // shown where the panel comes after the whole report).
                    <a class="skip skip-panel" href="#panel" on:click=|ev| {
                        ev.prevent_default();
                        if let Some(p) = document().get_element_by_id("panel") {
                            let _ = p.unchecked_into::<web_sys::HtmlElement>().focus();
                        }
                    }>"Go to the annotations panel ↓"</a>
                    <p class="symbol">{symbol}</p>
                    <h1 id="report-title">{title}</h1>
                    <p class="subtitle">{subtitle}</p>
                    // Where the panel comes after the whole report (a phone), the task is here, by the text.
                    <div class="task-top"><super::task::TaskNote beside=true /></div>
                    {own.then(|| view! {
                        <div class="row own-text">
                            <button type="button" class="btn rename-text" on:click=move |_| renaming.set(true)>"Rename…"</button>
                            <button type="button" class="btn remove-text" on:click=move |_| removing.set(true)>"Remove this text…"</button>
                        </div>
                    })}
                </header>
                <RemoveTextDialog doc=Arc::clone(&doc) open=removing />
                <RenameTextDialog doc=Arc::clone(&doc) open=renaming />
                {contents(&doc).map(|toc| view! {
                    <details class="toc toc-top">
                        <summary>"Contents"</summary>
                        {toc}
                    </details>
                })}
                <div
                    class="prose"
                    node_ref=prose_ref
                    on:mouseup=move |_| on_select()
                    on:click=on_click
                    on:keydown=on_keydown
                    on:keyup=move |ev| if ev.shift_key() { on_select_key() }
                    inner_html=body
                ></div>
            </article>
            <aside class="side" id="panel" tabindex="-1" aria-label="Annotations and contents">
                <CodingPanel doc=Arc::clone(&doc) />
                {contents(&doc).map(|toc| view! {
                    <details class="toc toc-side" open>
                        <summary class="toc-title">"Contents"</summary>
                        {toc}
                    </details>
                })}
            </aside>
            <Palette doc=Arc::clone(&doc) />
        </div>
    }
    .into_any()
}

/// Everyone's work shown, with several coders on this text (a class, a team):
/// each paragraph's margin says how many of them coded in it ("3/5"), under
/// its number, and the mark's title who. One coder's work shown, or one coder:
/// nothing.
fn class_in_margin(doc: Arc<Document>, prose_ref: NodeRef<leptos::html::Div>) {
    let coding = use_coding();
    Effect::new(move |_| {
        coding.settled.track();
        let everyone = coding.showing.with(Option::is_none);
        let Some(prose) = prose_ref.get() else { return };
        let (paras, n) = if everyone { coding.coding.with_untracked(|c| c.coders_by_paragraph(&doc)) } else { (Vec::new(), 0) };
        let Ok(list) = prose.query_selector_all(".para[data-paragraph]") else { return };
        for el in elements(&list) {
            let number = el.get_attribute("data-paragraph").and_then(|p| p.parse::<u32>().ok());
            let coders = (n > 1).then(|| paras.iter().find(|(p, _)| Some(*p) == number)).flatten().map(|(_, c)| c);
            let shown = el.query_selector(":scope > .para-coders").ok().flatten();
            match (coders, shown) {
                (Some(c), shown) => {
                    let names: Vec<&str> = c.iter().map(|x| marginalia_core::coder_shown(x)).collect();
                    let title = format!("Coded by {} of the {n} coders of this text: {}", c.len(), names.join(", "));
                    let Some(span) = shown.or_else(|| {
                        let span = document().create_element("span").ok()?;
                        span.set_class_name("para-coders");
                        // After the number, outside the paragraph's text (offsets count only that).
                        let _ = el.insert_before(&span, el.query_selector("p").ok().flatten().as_ref().map(|p| p.as_ref()));
                        Some(span)
                    }) else { continue };
                    span.set_text_content(Some(&format!("{}/{n}", c.len())));
                    let _ = span.set_attribute("title", &title);
                    let _ = span.set_attribute("aria-label", &title);
                }
                (None, Some(shown)) => shown.remove(),
                (None, None) => {}
            }
        }
    });
}

/// A click on a highlight (with no text being selected) opens its annotation:
/// the most recent of those covering the point; clicking again steps through
/// the others there ([`marginalia_core::html::clicked_annotation`]).
fn open_clicked_highlight(ev: &leptos::ev::MouseEvent) {
    let coding = use_coding();
    if window().get_selection().ok().flatten().is_some_and(|s| !s.is_collapsed()) {
        return;
    }
    let hl = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .and_then(|e| e.closest(".hl").ok().flatten());
    if let Some(ids) = hl.and_then(|h| h.get_attribute("data-ids")) {
        let open = coding.selected.get_untracked();
        // One's own first, where another coder's overlaps it (theirs is read only here).
        let me = coding.meta.with_untracked(|m| m.coder.clone());
        let picked = coding.coding.with_untracked(|c| {
            marginalia_core::html::clicked_annotation(&ids, open.as_deref(), |id| c.get(id).is_some_and(|a| a.coder == me)).map(str::to_string)
        });
        coding.selected.set(picked);
    }
}

/// Keeps the prose in step with the annotations and the codebook: re-renders
/// the blocks whose annotations changed (every block when the codebook did), and
/// marks the highlights of the open annotation. One effect for the report.
fn patch_prose(
    doc: Arc<Document>,
    prose_ref: NodeRef<leptos::html::Div>,
    spans: Memo<Vec<Vec<Span>>>,
    book: Memo<Codebook>,
    combos: StoredValue<Combos>,
    css: RwSignal<String>,
) {
    let coding = use_coding();
    let shown = StoredValue::new((spans.get_untracked(), book.get_untracked()));
    let marked = StoredValue::new(None::<String>);
    Effect::new(move |_| {
        let now_spans = spans.get();
        let now_book = book.get();
        let selected = coding.selected.get();
        let Some(prose) = prose_ref.get() else { return };
        let block = |i: usize| prose.query_selector(&format!("[data-block=\"{i}\"]")).ok().flatten();
        // The blocks showing an annotation (to mark it without searching every highlight).
        let blocks_of = |id: &str| -> Vec<usize> {
            now_spans.iter().enumerate().filter(|(_, v)| v.iter().any(|s| s.id == id)).map(|(i, _)| i).collect()
        };
        let (unmark, mark) = (marked.get_value().map(|id| blocks_of(&id)), selected.as_deref().map(blocks_of));
        shown.update_value(|(old_spans, old_book)| {
            let all = *old_book != now_book;
            for (i, b) in doc.blocks.iter().enumerate() {
                let (new, old) = (now_spans.get(i), old_spans.get(i));
                if !all && new == old {
                    continue;
                }
                let Some(el) = block(i) else { continue };
                let open = open_note(&el).map(|(n, _)| n);
                let inner = combos.try_update_value(|c| html::block_inner(&doc, b, new.map(Vec::as_slice).unwrap_or(&[]), &now_book, c, open));
                el.set_inner_html(&inner.unwrap_or_default());
                if new.is_some_and(|v| !v.is_empty()) {
                    // An opening heading, hidden as the title's echo, shows its highlight once coded.
                    let _ = el.class_list().remove_1("title-echo");
                }
            }
            let rules = combos.with_value(|c| c.css(&now_book));
            if css.with_untracked(|old| *old != rules) {
                css.set(rules);
            }
            *old_spans = now_spans;
            *old_book = now_book;
        });
        for el in unmark.unwrap_or_default().into_iter().filter_map(block) {
            if let Ok(list) = el.query_selector_all(".hl.selected, .hlgap.selected") {
                for h in elements(&list) {
                    let _ = h.class_list().remove_1("selected");
                }
            }
        }
        if let (Some(id), Some(blocks)) = (&selected, mark) {
            let quoted = id.replace('\\', "\\\\").replace('"', "\\\"");
            for el in blocks.into_iter().filter_map(block) {
                if let Ok(list) = el.query_selector_all(&format!(".hl[data-ids~=\"{quoted}\"], .hlgap[data-ids~=\"{quoted}\"]")) {
                    for h in elements(&list) {
                        let _ = h.class_list().add_1("selected");
                    }
                }
            }
        }
        marked.set_value(selected);
    });
}

fn elements(list: &web_sys::NodeList) -> impl Iterator<Item = Element> + '_ {
    (0..list.length()).filter_map(|i| list.item(i).and_then(|n| n.dyn_into::<Element>().ok()))
}

/// The element matching `selector` around an event's target.
fn target_closest(ev: &web_sys::Event, selector: &str) -> Option<Element> {
    ev.target()?.dyn_into::<Element>().ok()?.closest(selector).ok().flatten()
}

/// The note shown under a block, if one is open: its number and element.
fn open_note(block: &Element) -> Option<(u32, Element)> {
    let next = block.next_element_sibling().filter(|e| e.class_list().contains("fnpop"))?;
    Some((next.get_attribute("data-n")?.parse().ok()?, next))
}

/// A footnote marker was pressed: shows its note under the block (closing any
/// other open there), or closes it if it was open. The note's text goes in as
/// text, never as markup.
fn toggle_note(doc: &Document, button: &Element) {
    let Some(n) = button.get_attribute("data-n").and_then(|n| n.parse::<u32>().ok()) else { return };
    let Some(block) = button.closest("[data-block]").ok().flatten() else { return };
    let was_open = button.get_attribute("aria-expanded").as_deref() == Some("true");
    if let Some((_, pop)) = open_note(&block) {
        pop.remove();
    }
    if let Ok(list) = block.query_selector_all(".fnref button[aria-expanded=\"true\"]") {
        for b in elements(&list) {
            let _ = b.set_attribute("aria-expanded", "false");
        }
    }
    if was_open {
        return;
    }
    let d = document();
    let (Ok(aside), Ok(num)) = (d.create_element("aside"), d.create_element("span")) else { return };
    let _ = aside.set_attribute("class", "fnpop");
    let _ = aside.set_attribute("role", "note");
    let _ = aside.set_attribute("aria-label", &format!("Footnote {n}"));
    let _ = aside.set_attribute("data-n", &n.to_string());
    let _ = num.set_attribute("class", "fnpop-num");
    num.set_text_content(Some(&n.to_string()));
    let _ = aside.append_child(&num);
    let text = doc.footnote_text(n).unwrap_or("(The text of this note is not in the source.)");
    let _ = aside.append_child(&d.create_text_node(text));
    let _ = block.insert_adjacent_element("afterend", &aside);
    let _ = button.set_attribute("aria-expanded", "true");
}

/// Asks before removing a user's own text: its text and its annotations go
/// (Undo brings them back while this page is open and no other step is taken);
/// a backup can be saved first.
#[component]
fn RemoveTextDialog(doc: Arc<Document>, open: RwSignal<bool>) -> impl IntoView {
    let state = use_app_state();
    let coding = use_coding();
    let (id, title) = (doc.meta.id.clone(), doc.meta.title.clone());
    move || {
        open.get().then(|| {
            let n = coding.coding.with_untracked(|c| c.live(&id).count());
            let (id, title) = (id.clone(), title.clone());
            let what = if n == 0 { String::new() } else { format!(" and its {}", marginalia_core::count(n, "annotation")) };
            view! {
                <super::Modal labelled="remove-title" on_close=move |_| open.set(false)>
                    <h2 id="remove-title">{format!("Remove “{title}”?")}</h2>
                    <p>{format!("The text{what} will be removed from this browser. Undo brings them back while this page is open; download a backup to keep them for later.")}</p>
                    <div class="row">
                        <button type="button" class="btn" on:click=|_| super::download_backup()>"Download backup"</button>
                        <button type="button" class="btn danger" on:click=move |_| {
                            open.set(false);
                            remove_text(coding, state, &id, &title);
                        }>"Remove"</button>
                        <button type="button" class="btn" autofocus on:click=move |_| open.set(false)>"Cancel"</button>
                    </div>
                </super::Modal>
            }
        })
    }
}

/// Renames a user's own text: the title its paragraphs are cited by
/// ("Field notes ¶3"), in the app and in every export.
#[component]
fn RenameTextDialog(doc: Arc<Document>, open: RwSignal<bool>) -> impl IntoView {
    let state = use_app_state();
    let coding = use_coding();
    let (id, title) = (doc.meta.id.clone(), doc.meta.title.clone());
    move || {
        open.get().then(|| {
            let (id, title) = (id.clone(), title.clone());
            let typed = RwSignal::new(title.clone());
            let refused = RwSignal::new(None::<String>);
            let was = title.clone();
            let save = move || {
                let Some(text) = crate::storage::user_text(&id) else {
                    refused.set(Some("This text is no longer in this browser's storage (removed in another tab?).".into()));
                    return;
                };
                match text.retitled(&typed.get_untracked()) {
                    Err(why) => refused.set(Some(why)),
                    Ok(t) if t.title == was => open.set(false),
                    Ok(t) => {
                        if let Err(why) = retitle(coding, state, text, &t) {
                            refused.set(Some(why));
                            return;
                        }
                        open.set(false);
                    }
                }
            };
            view! {
                <super::Modal labelled="rename-title" on_close=move |_| open.set(false)>
                    <h2 id="rename-title">{format!("Rename “{title}”")}</h2>
                    <form on:submit=move |ev| {
                        ev.prevent_default();
                        save();
                    }>
                        <label for="text-title">"Title"</label>
                        <input id="text-title" type="text" class="text-title" autofocus
                            maxlength=marginalia_core::store::MAX_TITLE_CHARS.to_string()
                            aria-describedby="text-title-problem"
                            prop:value=move || typed.get_untracked()
                            on:input=move |ev| { typed.set(event_target_value(&ev)); refused.set(None); } />
                        <p id="text-title-problem" class="form-problem" role="alert">{move || refused.get()}</p>
                        <p>"Its paragraphs are cited by it, here and in exports. Its annotations stay as they are."</p>
                        <div class="row">
                            <button type="submit" class="btn primary">"Rename"</button>
                            <button type="button" class="btn" on:click=move |_| open.set(false)>"Cancel"</button>
                        </div>
                    </form>
                </super::Modal>
            }
        })
    }
}

/// Removes a user's own text and its annotations (deleted: their tombstones reach
/// other tabs), saying so with an Undo that brings all of it back (no Undo brings
/// back a part of a text that is gone), and shows the corpus.
fn remove_text(coding: crate::coding::CodingState, state: crate::state::AppState, id: &str, title: &str) {
    let t = crate::coding::now();
    let text = crate::storage::user_text(id);
    let annotations: Vec<_> = coding.coding.with_untracked(|c| c.live(id).cloned().collect());
    coding.change(|c| {
        let touched = c.delete_document(id, &t).0;
        c.forget_history(id);
        touched
    });
    state.remove_user_text(id);
    coding.selected.set(None);
    let steps = coding.coding.with_untracked(|c| c.steps());
    let undo = text.is_some().then_some(steps);
    coding.removed_text.set(text.map(|text| crate::coding::RemovedText { text, annotations, steps }));
    coding.redo_text.set(None);
    coding.notice.set(Some(Notice { undo, ..Notice::done(format!("“{title}” was removed.")) }));
    let _ = window().location().set_hash("#/");
}

/// Saves `after` (a user's own text, `before` retitled) and shows its new title
/// everywhere, saying so with an Undo that gives the old title back. The error is
/// why it could not be saved.
fn retitle(
    coding: crate::coding::CodingState,
    state: crate::state::AppState,
    before: marginalia_core::store::UserText,
    after: &marginalia_core::store::UserText,
) -> Result<(), String> {
    let key = marginalia_core::store::text_key(&after.id);
    if crate::storage::write(&key, &serde_json::to_string(after).unwrap_or_default()).is_err() {
        return Err("There is no room left in this browser's storage to save the new title. Download a backup and remove old work to make room.".into());
    }
    state.retitle_user_text(after);
    // Undo (the notice's, or Ctrl+Z before any other step) gives the old title back.
    let steps = coding.coding.with_untracked(|c| c.steps());
    let was = before.title.clone();
    coding.renamed_text.set(Some((before, steps)));
    coding.redo_text.set(None);
    coding.notice.set(Some(Notice {
        undo: Some(steps),
        ..Notice::done(format!("“{was}” is now “{}”: its paragraphs are cited as “{} ¶1”.", after.title, after.title))
    }));
    Ok(())
}

/// Redo of a step on a user's own text that Undo just took back (no other step
/// taken since): removed again, or renamed again. Says whether there was one.
pub fn redo_text_step(coding: crate::coding::CodingState, state: crate::state::AppState) -> bool {
    let steps = coding.coding.with_untracked(|c| c.steps());
    if !coding.redo_text.with_untracked(|r| r.as_ref().is_some_and(|(_, at)| *at == steps)) {
        return false;
    }
    let Some((step, _)) = coding.redo_text.try_update(Option::take).flatten() else {
        return false;
    };
    match step {
        crate::coding::TextRedo::Remove(id) => {
            let title = state.docs.with_value(|docs| docs.iter().find(|d| d.meta.id == id).map(|d| d.meta.title.clone()));
            match title {
                Some(title) => remove_text(coding, state, &id, &title),
                None => coding.notice.set(Some(Notice::done("That text is no longer here: there is nothing to remove again."))),
            }
        }
        crate::coding::TextRedo::Retitle(after) => match crate::storage::user_text(&after.id) {
            None => coding.notice.set(Some(Notice::problem(format!("“{}” is no longer in this browser: it cannot be renamed again.", after.title)))),
            Some(now) => {
                let Ok(t) = now.retitled(&after.title) else { return true };
                if let Err(why) = retitle(coding, state, now, &t) {
                    coding.notice.set(Some(Notice::at_risk(why)));
                }
            }
        },
    }
    true
}

/// Undo of a step on a user's own text (removed, or renamed), when it was the
/// last step taken: says whether there was one.
pub fn undo_text_step(coding: crate::coding::CodingState, state: crate::state::AppState) -> bool {
    bring_back_removed_text(coding, state) || undo_rename(coding, state)
}

/// Undo of a user's own text just renamed (no other step taken since): its old
/// title back, saved. Says whether there was one.
fn undo_rename(coding: crate::coding::CodingState, state: crate::state::AppState) -> bool {
    let steps = coding.coding.with_untracked(|c| c.steps());
    if !coding.renamed_text.with_untracked(|r| r.as_ref().is_some_and(|(_, at)| *at == steps)) {
        return false;
    }
    let Some((before, _)) = coding.renamed_text.try_update(Option::take).flatten() else {
        return false;
    };
    let key = marginalia_core::store::text_key(&before.id);
    // The text as stored now (its title aside, nothing else changes).
    let Some(now) = crate::storage::user_text(&before.id) else {
        coding.notice.set(Some(Notice::problem(format!("“{}” is no longer in this browser: its title cannot be given back.", before.title))));
        return true;
    };
    let Ok(back) = now.retitled(&before.title) else { return true };
    if crate::storage::write(&key, &serde_json::to_string(&back).unwrap_or_default()).is_err() {
        coding.renamed_text.set(Some((before, steps)));
        coding.notice.set(Some(Notice::at_risk("The old title could not be saved: there is no room left in this browser's storage. Download a backup to keep your work.")));
        return true;
    }
    state.retitle_user_text(&back);
    coding.notice.set(Some(Notice::done(format!("“{}” is “{}” again.", now.title, back.title))));
    coding.redo_text.set(Some((crate::coding::TextRedo::Retitle(now), steps)));
    true
}

/// Undo of a user's own text just removed (no other step taken since): the
/// text comes back, saved again, with its annotations, and opens. Says whether
/// there was one to bring back.
pub fn bring_back_removed_text(coding: crate::coding::CodingState, state: crate::state::AppState) -> bool {
    let steps = coding.coding.with_untracked(|c| c.steps());
    if !coding.removed_text.with_untracked(|r| r.as_ref().is_some_and(|r| r.steps == steps)) {
        return false;
    }
    let Some(r) = coding.removed_text.try_update(Option::take).flatten() else {
        return false;
    };
    let title = r.text.title.clone();
    if !state.has_doc(&r.text.id) {
        let json = serde_json::to_string(&r.text).unwrap_or_default();
        if crate::storage::write(&marginalia_core::store::text_key(&r.text.id), &json).is_err() {
            coding.removed_text.set(Some(r));
            coding.notice.set(Some(Notice::at_risk(format!(
                "“{title}” could not be brought back: there is no room left in this browser's storage. Download a backup to keep your work."
            ))));
            return true;
        }
        state.add_user_texts(std::slice::from_ref(&r.text));
    }
    let n = r.annotations.len();
    let t = crate::coding::now();
    coding.change(|c| c.revive(r.annotations, &t));
    // Redo (before any other step) removes it again.
    let steps = coding.coding.with_untracked(|c| c.steps());
    coding.redo_text.set(Some((crate::coding::TextRedo::Remove(r.text.id.clone()), steps)));
    let with = if n == 0 { String::new() } else { format!(", with its {}", marginalia_core::count(n, "annotation")) };
    coding.notice.set(Some(Notice::done(format!("“{title}” is back{with}."))));
    let _ = window().location().set_hash(&marginalia_core::route::Route::report(&r.text.id, None).to_hash());
    true
}

/// The report's sections, each linking to its first numbered paragraph;
/// `None` when the document has no sections to list (a user's own text, say).
fn contents(doc: &Document) -> Option<AnyView> {
    let mut items = Vec::new();
    for (i, b) in doc.blocks.iter().enumerate() {
        let BlockKind::Heading { level } = b.kind else { continue };
        let first = doc.blocks[i + 1..].iter().find_map(|b| match b.kind {
            BlockKind::Paragraph { number: Some(n) } => Some(n),
            _ => None,
        });
        let Some(n) = first else { continue };
        let href = Route::report(&doc.meta.id, Some(n)).to_hash();
        let text = doc.block_text(b).to_string();
        items.push(view! { <li class=format!("toc-l{level}")><a href=href>{text}</a></li> }.into_any());
    }
    (!items.is_empty()).then(|| view! { <ol class="toc-list">{items}</ol> }.into_any())
}

/// Scrolls the element with id `id` to the top, below the top bar, without
/// marking it (a reload going back to where the reader was).
fn scroll_quietly_to(id: &str) {
    crate::dom::measure_topbar();
    if let Some(el) = document().get_element_by_id(id) {
        scroll_to_top_of(el);
    }
}

/// Scrolls `el` to the top of the window (below the sticky top bar).
fn scroll_to_top_of(el: Element) {
    el.scroll_into_view_with_bool(true);
    // Paragraphs above were laid out with estimated heights (content-visibility);
    // once they have their real size, scroll again so the element stays on top.
    request_animation_frame(move || {
        el.scroll_into_view_with_bool(true);
        request_animation_frame(move || el.scroll_into_view_with_bool(true));
    });
}

/// The number of the first paragraph whose text shows below the top bar.
fn paragraph_at_top() -> Option<u32> {
    let doc = document();
    let bar = doc.query_selector(".topbar").ok()??.get_bounding_client_rect().bottom();
    let list = doc.query_selector_all(".prose .para[id^=\"p\"]").ok()?;
    elements(&list)
        .find(|p| p.get_bounding_client_rect().bottom() > bar + 8.0)
        .and_then(|p| p.id().strip_prefix('p')?.parse().ok())
}

/// Scrolls paragraph `n` into view and marks it as the target; top of page for
/// `None` or a paragraph that is not there (then `false`).
fn scroll_to_paragraph(n: Option<u32>) -> bool {
    match n {
        Some(n) => scroll_to_target(&format!("p{n}")),
        None => !scroll_to_target(""),
    }
}

/// Scrolls the element with id `id` (a paragraph, a footnote) into view and
/// marks it as the target, the only one; the top of the page when there is no
/// such element (then `false`).
fn scroll_to_target(id: &str) -> bool {
    let doc = document();
    // The sticky top bar may wrap to two lines: keep the target below it, whatever its height.
    crate::dom::measure_topbar();
    for sel in [".para.target", ".footnotes li.target"] {
        if let Ok(list) = doc.query_selector_all(sel) {
            for el in elements(&list) {
                let _ = el.class_list().remove_1("target");
            }
        }
    }
    match (!id.is_empty()).then(|| doc.get_element_by_id(id)).flatten() {
        Some(el) => {
            let _ = el.class_list().add_1("target");
            scroll_to_top_of(el);
            true
        }
        None => {
            window().scroll_to_with_x_and_y(0.0, 0.0);
            false
        }
    }
}

/// The style that marks paragraphs `from..=to` as the task's passage.
fn task_css(from: u32, to: u32) -> String {
    let to = to.min(from.saturating_add(400));
    let list: Vec<String> = (from..=to).map(|n| format!(".prose #p{n}")).collect();
    format!("{}{{box-shadow:inset 3px 0 0 var(--accent)}}", list.join(","))
}
