//! Coding: the tag palette at a selection, the keyboard, and the panel beside a
//! report (the open annotation's editor, the list of annotations, counts).

use std::sync::Arc;

use leptos::prelude::*;
use marginalia_core::Document;
use marginalia_core::annotation::Annotation;
use marginalia_core::html::{self, ListRow};
use wasm_bindgen::JsCast;

use crate::coding::{Notice, now, use_coding};

/// Undo and redo everywhere: Ctrl/Cmd+Z undoes, Ctrl/Cmd+Shift+Z or Ctrl+Y
/// redoes (not while typing in a field, where they edit the field).
pub fn undo_keys() {
    let coding = use_coding();
    let state = crate::state::use_app_state();
    let handle = window_event_listener(leptos::ev::keydown, move |ev| {
        let in_field = crate::dom::typing(&ev);
        let key = ev.key();
        if in_field || !(ev.ctrl_key() || ev.meta_key()) || ev.alt_key() {
            return;
        }
        if key == "z" || key == "Z" || key == "y" {
            ev.prevent_default();
            step(coding, state, key == "y" || ev.shift_key());
        }
    });
    on_cleanup(move || handle.remove());
}

/// Undoes (or redoes) a step. A step that changed annotations of texts other
/// than the one shown says where, so that nothing changes out of sight unsaid.
pub fn step(coding: crate::coding::CodingState, state: crate::state::AppState, redo: bool) {
    // Undo right after removing one's own text brings the text back whole; after renaming it, its title.
    if !redo && super::report::undo_text_step(coding, state) {
        return;
    }
    // Redo right after that removes it again, or gives it the new title again.
    if redo && super::report::redo_text_step(coding, state) {
        return;
    }
    let t = now();
    let mut touched = marginalia_core::coding::Touched::default();
    let book_before = coding.coding.with_untracked(|c| c.codebook.clone());
    coding.change(|c| {
        touched = if redo { c.redo(&t) } else { c.undo(&t) };
        touched.clone()
    });
    coding.follow_self_rename();
    let verb = if redo { "Redone" } else { "Undone" };
    // What another tab changed after the step is left as it is, and said (it stays).
    if let Some(notice) = kept_said(&touched, redo) {
        coding.notice.set(Some(notice));
        return;
    }
    // A change to the codebook, made perhaps on another page: said, with what it was.
    if touched.codebook {
        let what = coding.coding.with_untracked(|c| book_before.describe_change(&c.codebook));
        if let Some(what) = what {
            let and = if touched.annotations > 0 { format!(" and to {}", marginalia_core::count(touched.annotations, "annotation")) } else { String::new() };
            coding.notice.set(Some(Notice::done(format!("{verb}: a change to the codebook ({what}){and}."))));
            return;
        }
    }
    let shown = match state.route.get_untracked() {
        marginalia_core::route::Route::Report { slug, .. } | marginalia_core::route::Route::Note { slug, .. } => Some(slug),
        _ => None,
    };
    let elsewhere: Vec<String> = touched
        .docs
        .iter()
        .filter(|d| shown.as_deref() != Some(marginalia_core::route::slug(d).as_str()))
        .map(|d| state.docs.with_value(|docs| docs.iter().find(|x| x.meta.id == **d).map_or_else(|| d.clone(), |x| x.who().to_string())))
        .collect();
    if !elsewhere.is_empty() {
        coding.notice.set(Some(Notice::done(format!(
            "{verb}: a change to {} of {}.",
            marginalia_core::count(touched.annotations, "annotation"),
            elsewhere.join(", ")
        ))));
    }
}

/// What Undo (or Redo) left as another tab made it since, said; `None` when it
/// left nothing so.
pub fn kept_said(touched: &marginalia_core::coding::Touched, redo: bool) -> Option<Notice> {
    if touched.kept.is_empty() {
        return None;
    }
    let verb = if redo { "redone" } else { "undone" };
    let book = touched.kept.iter().any(|k| k == "codebook");
    let n = touched.kept.len() - usize::from(book);
    let what = match (n, book) {
        (0, _) => "the codebook was".to_string(),
        (n, false) => format!("{} {}", marginalia_core::count(n, "annotation"), if n == 1 { "was" } else { "were" }),
        (n, true) => format!("{} and the codebook were", marginalia_core::count(n, "annotation")),
    };
    let one = touched.kept.len() == 1;
    let rest = if touched.is_empty() { String::new() } else { format!(" The rest of the step was {verb}.") };
    Some(Notice::problem(format!(
        "Not {verb}: {what} changed in another tab since, and {} kept as {} now.{rest}",
        if one { "is" } else { "are" },
        if one { "it is" } else { "they are" },
    )))
}

/// Keys of a report: 1–9 tag the selection (or toggle a tag of the open
/// annotation), Delete removes the open annotation, Escape closes.
pub fn keyboard(doc: Arc<Document>, prose: NodeRef<leptos::html::Div>) {
    let coding = use_coding();
    let handle = window_event_listener(leptos::ev::keydown, move |ev| {
        // Keys type in text boxes and choose in menus; on a checkbox or a file
        // input (say, Import… just used) they are the app's.
        let in_field = crate::dom::typing(&ev)
            || ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .is_some_and(|e| e.tag_name() == "SELECT" || e.closest("dialog").ok().flatten().is_some());
        let key = ev.key();
        let modifier = ev.ctrl_key() || ev.meta_key();
        if key == "Escape" {
            // Escape in the name dialog cancels it, which keeps the text to tag selected.
            if coding.ask_name.with_untracked(Option::is_some) {
                return;
            }
            coding.pending.set(None);
            coding.palette_at.set(None);
            if !in_field {
                // A selection in the report is let go too: the next key does not tag it.
                let in_prose = prose.get_untracked().is_some_and(|p| crate::dom::selection_in(&p, &doc).is_some());
                if in_prose && let Some(sel) = window().get_selection().ok().flatten() {
                    let _ = sel.remove_all_ranges();
                }
                coding.close();
            }
            return;
        }
        if in_field {
            return;
        }
        // Tab with an annotation open and the focus nowhere in particular (after a
        // selection made with the mouse and a key): to the annotation's memo, not
        // through the report's paragraph numbers, where a digit typed would code one.
        if key == "Tab" && !ev.shift_key() && !modifier && coding.selected.with_untracked(Option::is_some) {
            let nowhere = document().active_element().is_none_or(|e| matches!(e.tag_name().as_str(), "BODY" | "MAIN") || e.id() == "main");
            // Coded from a selection (not from a focused ¶ number): the memo is next, wherever
            // the focus was left before the selection was made (a ¶ number, after Escape).
            let from_selection = coding.by_selection.get_value().is_some_and(|id| coding.selected.with_untracked(|s| s.as_deref() == Some(id.as_str())));
            let memo = document().query_selector(".editor textarea.memo").ok().flatten().and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
            if let (true, Some(memo)) = (nowhere || from_selection, memo) {
                coding.by_selection.set_value(None);
                ev.prevent_default();
                let _ = memo.focus();
                return;
            }
        }
        if modifier || ev.alt_key() {
            return;
        }
        // M: to the open annotation's memo, from wherever the focus is (after coding a
        // ¶ number, where Tab goes on to the next number).
        if (key == "m" || key == "M") && coding.selected.with_untracked(Option::is_some) {
            if let Some(memo) = document().query_selector(".editor textarea.memo").ok().flatten().and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
                ev.prevent_default();
                let _ = memo.focus();
                return;
            }
        }
        if let Some(k) = key.chars().next().filter(|c| key.len() == 1 && ('1'..='9').contains(c)) {
            let tag = coding.coding.with_untracked(|c| c.codebook.by_key(k).map(|t| t.id.clone()));
            let Some(tag) = tag else {
                coding.notice.set(Some(crate::coding::Notice::slip(format!("No tag has the key {k}. The Codebook gives tags their keys; a codebook or handout you were given comes in with Import…."))));
                return;
            };
            // A fresh selection is coded; else the open annotation takes the tag, unless
            // the focus is on another paragraph's number, which is then coded whole.
            // The open annotation, or one just made that is about to open.
            let open = coding.opening.get_value().or_else(|| coding.selected.get_untracked()).and_then(|id| {
                coding.coding.with_untracked(|c| c.get(&id).filter(|a| !a.deleted).map(|a| (id.clone(), a.start, a.end)))
            });
            let selected = prose.get_untracked().and_then(|p| crate::dom::selection_in(&p, &doc));
            let focused = prose.get_untracked().and_then(|p| crate::dom::focused_paragraph(&p));
            // A number the focus came back to (closing an annotation, Escape) is not the
            // user's choice of a paragraph while another annotation is open: that one takes the tag.
            let focused = focused.filter(|_| !(open.is_some() && crate::dom::returned_focus()));
            let in_open = |(s, e): (usize, usize)| open.as_ref().is_some_and(|(_, os, oe)| *os < e && *oe > s);
            match (selected, focused, open.clone()) {
                (Some((s, e)), _, _) => {
                    ev.prevent_default();
                    coding.pending.set(Some((doc.meta.id.clone(), s, e)));
                    coding.tag_pending(&tag, &doc);
                }
                (None, Some(p), Some((id, _, _))) if in_open(p) => {
                    ev.prevent_default();
                    coding.toggle_tag(&id, &tag, &doc);
                }
                (None, Some((s, _)), _) if crate::dom::returned_focus() => {
                    // The focus came back here when an annotation closed (Escape): a key
                    // now may mean that annotation, not the whole paragraph. Asked once.
                    ev.prevent_default();
                    crate::dom::own_focus();
                    let cite = doc.paragraphs().find(|(_, b)| b.start <= s && s < b.end.max(b.start + 1)).map(|(n, _)| doc.cite(n)).unwrap_or_else(|| doc.who().to_string());
                    let name = coding.coding.with_untracked(|c| c.codebook.get(&tag).map(|t| t.name.clone())).unwrap_or_default();
                    coding.notice.set(Some(Notice::slip(format!(
                        "The annotation is closed: click it to change its tags, or select a passage. To tag all of {cite} {name}, press {k} again."
                    ))));
                }
                (None, Some((s, e)), _) => {
                    ev.prevent_default();
                    coding.pending.set(Some((doc.meta.id.clone(), s, e)));
                    // A whole paragraph from one key: said, with Undo (a key pressed by
                    // mistake with the focus on a number is one click from undone).
                    let name = coding.coding.with_untracked(|c| c.codebook.get(&tag).map(|t| t.name.clone())).unwrap_or_default();
                    let cite = doc.paragraphs().find(|(_, b)| b.start <= s && s < b.end.max(b.start + 1)).map(|(n, _)| doc.cite(n)).unwrap_or_else(|| doc.who().to_string());
                    coding.tag_pending_saying(&tag, &doc, Some(format!("All of {cite} tagged {name}.")));
                }
                (None, None, Some((id, _, _))) => {
                    ev.prevent_default();
                    coding.toggle_tag(&id, &tag, &doc);
                }
                (None, None, None) => {
                    // Nothing to tag: said, so that the key does not seem to be ignored.
                    coding.notice.set(Some(Notice::slip("Select a passage first (or Tab to a paragraph's number), then press the tag's key.")));
                }
            }
            return;
        }
        if (key == "Delete" || key == "Backspace")
            && let Some(id) = coding.selected.get_untracked() {
                ev.prevent_default();
                coding.delete_annotation(&id);
            }
    });
    on_cleanup(move || handle.remove());
}

/// The tag palette, shown at a fresh selection.
#[component]
pub fn Palette(doc: Arc<Document>) -> impl IntoView {
    let coding = use_coding();
    // Each tag, with its path when it is a sub-code (said when pointed at).
    let tags = move || coding.coding.with(|c| c.codebook.tags.iter().map(|t| (t.clone(), t.parent.is_some().then(|| c.codebook.path(&t.id)))).collect::<Vec<_>>());
    view! {
        <Show when=move || coding.palette_at.get().is_some()>
            {
                let doc = Arc::clone(&doc);
                move || {
                    // The selection's left, top and bottom, in page coordinates.
                    let (x, top, bottom) = coding.palette_at.get().unwrap_or((0.0, 0.0, 0.0));
                    // Kept inside the viewport (a phone's too): as wide as it may be (CSS caps it at
                    // 26rem or 92% of the viewport), it must still fit to the right of `left`.
                    let vw = window().inner_width().ok().and_then(|w| w.as_f64()).unwrap_or(1280.0);
                    let vh = window().inner_height().ok().and_then(|h| h.as_f64()).unwrap_or(800.0);
                    let sy = window().scroll_y().unwrap_or(0.0);
                    let widest = (26.0 * 16.0_f64).min(vw * 0.92);
                    let left = x.min(vw - widest - 8.0).max(8.0);
                    // Below the selection, or above it when there is no room below.
                    let rows = (tags().len() as f64 * 7.5 * 16.0 / widest).ceil().max(1.0);
                    let tall = rows * 2.2 * 16.0 + 12.0;
                    let above = bottom - sy + 8.0 + tall > vh && top - sy > tall + 8.0;
                    let style = if above {
                        format!("left:{left}px;top:{}px;transform:translateY(-100%)", top - 8.0)
                    } else {
                        format!("left:{left}px;top:{}px", bottom + 8.0)
                    };
                    let doc = Arc::clone(&doc);
                    view! {
                        <div class="palette" role="toolbar" aria-label="Tag the selection" style=style
                            on:mousedown=|ev| ev.prevent_default()>
                            {tags().into_iter().map(|(t, path)| {
                                let doc = Arc::clone(&doc);
                                let id = t.id.clone();
                                // A sub-code follows its code, marked as one (↳), its path said when pointed at.
                                let sub = path.is_some();
                                view! {
                                    <button type="button" data-tag=t.id.clone() title=path class:sub=sub
                                        on:click=move |_| coding.tag_pending(&id, &doc)>
                                        <span class="swatch" style=format!("background:{}", t.colour)></span>
                                        {t.name.clone()}
                                        {t.key.map(|k| view! { <kbd>{k.to_string()}</kbd> })}
                                    </button>
                                }
                            }).collect_view()}
                        </div>
                    }
                }
            }
        </Show>
    }
}

/// How many annotations the list shows before "Show more".
const LIST_LIMIT: usize = 100;


/// Beside a report: the open annotation, undo/redo, counts per tag and the list.
#[component]
pub fn CodingPanel(doc: Arc<Document>) -> impl IntoView {
    let coding = use_coding();
    let app = crate::state::use_app_state();
    let doc_id = doc.meta.id.clone();
    let filter = RwSignal::new(None::<String>);
    let counts = {
        let doc_id = doc_id.clone();
        Memo::new(move |_| {
            coding.settled.track();
            let showing = coding.showing.get();
            coding.coding.with_untracked(|c| c.counts_of(Some(&doc_id), showing.as_deref()))
        })
    };
    // The coders of this text, with how many annotations each, when there are several.
    let coders = {
        let doc = Arc::clone(&doc);
        Memo::new(move |_| {
            coding.settled.track();
            coding.coding.with_untracked(|c| marginalia_core::agreement::coders(std::slice::from_ref(&doc), c))
        })
    };
    let book = Memo::new(move |_| coding.coding.with(|c| c.codebook.clone()));
    let own_text = doc.meta.symbol.is_none();
    // Over the task's passage when it is in this text (a class's exercise), else the whole text.
    let side_by_side = {
        let task = coding.exercise_task();
        let paragraphs = app.docs.with_value(|docs| {
            marginalia_core::handout::task_passage(&task, docs).filter(|(i, ..)| docs[*i].meta.id == doc_id).map(|(_, from, to, _)| (from, to))
        });
        marginalia_core::route::Route::Agreement {
            a: None,
            b: None,
            within: Some(marginalia_core::route::Within { slug: marginalia_core::route::slug(&doc_id), paragraphs }),
            sub: false,
        }
        .to_hash()
    };
    // The list shows the first LIST_LIMIT annotations until asked for all; rows are
    // keyed, so a change rebuilds only the rows it touched.
    let show_all = RwSignal::new(false);
    let rows = {
        let doc = Arc::clone(&doc);
        Memo::new(move |_| {
            let f = filter.get();
            let showing = coding.showing.get();
            let limit = if show_all.get() { usize::MAX } else { LIST_LIMIT };
            // Everyone's annotations, of several coders: each row says whose.
            let whose = showing.is_none() && coders.with(|c| c.len() > 1);
            coding.settled.track();
            coding.coding.with_untracked(|c| {
                let mut matching = c
                    .live(&doc.meta.id)
                    .filter(|a| f.as_ref().is_none_or(|f| a.tags.contains(f)) && showing.as_ref().is_none_or(|s| a.coder == *s));
                let rows: Vec<ListRow> = matching
                    .by_ref()
                    .take(limit)
                    .map(|a| ListRow {
                        id: a.id.clone(),
                        cite: a.cite(&doc),
                        quote: a.quote.clone(),
                        tags: a.tags.clone(),
                        coder: whose.then(|| a.coder.clone()),
                        memo: a.memo.clone(),
                    })
                    .collect();
                let more = matching.count();
                (rows, more)
            })
        })
    };
    // The open annotation is always in the list: opened past the first rows (a
    // new one late in a long report), the list shows all.
    {
        let doc_id = doc_id.clone();
        Effect::new(move |_| {
            let Some(id) = coding.selected.get() else { return };
            if show_all.get_untracked() || rows.with(|(r, more)| *more == 0 || r.iter().any(|x| x.id == id)) {
                return;
            }
            let (f, showing) = (filter.get_untracked(), coding.showing.get_untracked());
            let listed = coding.coding.with_untracked(|c| {
                c.get(&id).is_some_and(|a| {
                    a.doc == doc_id && f.as_ref().is_none_or(|f| a.tags.contains(f)) && showing.as_ref().is_none_or(|s| a.coder == *s)
                })
            });
            if listed {
                show_all.set(true);
            }
        });
    }
    let empty = Memo::new(move |_| rows.with(|(r, _)| r.is_empty()));
    let more = Memo::new(move |_| rows.with(|(_, m)| *m));
    // The rows are one HTML string (fast to build and to parse); a click anywhere
    // in the list is handled once, and the open annotation is marked by an effect.
    let list_ref = NodeRef::<leptos::html::Ol>::new();
    let list_html = Memo::new(move |_| {
        rows.with(|(r, _)| book.with(|b| html::list_rows(r, b, coding.selected.get_untracked().as_deref())))
    });
    Effect::new(move |_| {
        let current = coding.selected.get();
        let Some(ol) = list_ref.get() else { return };
        if let Ok(buttons) = ol.query_selector_all("button[data-id]") {
            for i in 0..buttons.length() {
                if let Some(b) = buttons.item(i).and_then(|n| n.dyn_into::<web_sys::Element>().ok()) {
                    let on = b.get_attribute("data-id") == current;
                    let _ = b.set_attribute("aria-current", if on { "true" } else { "false" });
                }
            }
        }
    });
    let on_list_click = move |ev: leptos::ev::MouseEvent| {
        let button = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|e| e.closest("button[data-id]").ok().flatten());
        if let Some(id) = button.and_then(|b| b.get_attribute("data-id")) {
            coding.selected.set(Some(id.clone()));
            reveal(&id);
        }
    };
    let list = view! {
        <Show
            when=move || !empty.get()
            fallback=move || view! { <p class="ann-empty">{format!("Select text in the {}, then press a number key or pick a tag.", if own_text { "text" } else { "report" })}</p> }
        >
            <ol class="ann-list" node_ref=list_ref on:click=on_list_click inner_html=move || list_html.get()></ol>
        </Show>
        {move || (more.get() > 0).then(|| view! {
            <button type="button" class="btn more" on:click=move |_| show_all.set(true)>{format!("Show {} more", more.get())}</button>
        })}
    };
    let chips = move || {
        let c = counts.get();
        let b = book.get();
        b.tags.iter().map(|t| {
            let id = t.id.clone();
            let n = c.get(&t.id).copied().unwrap_or(0);
            let pressed = { let id = id.clone(); move || (filter.get().as_deref() == Some(id.as_str())).to_string() };
            view! {
                <li><button type="button" aria-pressed=pressed data-count-tag=t.id.clone()
                    on:click=move |_| filter.update(|f| *f = if f.as_deref() == Some(id.as_str()) { None } else { Some(id.clone()) })>
                    <span class="swatch" style=format!("background:{}", t.colour)></span>
                    {t.name.clone()}" "<strong>{n}</strong>
                </button></li>
            }
        }).collect_view()
    };
    view! {
        <section class="coding" aria-label="Coding">
            <super::task::TaskNote beside=true />
            <super::find::FindInReport doc=Arc::clone(&doc) />
            <div class="row toolbar">
                <button type="button" class="btn" disabled=move || !(coding.coding.with(|c| c.can_undo()) || coding.text_step_pending())
                    on:click=move |_| step(coding, app, false)
                    title="Undo (Ctrl+Z)">"Undo"</button>
                <button type="button" class="btn" disabled=move || !(coding.coding.with(|c| c.can_redo()) || coding.text_redo_pending())
                    on:click=move |_| step(coding, app, true)
                    title="Redo (Ctrl+Shift+Z)">"Redo"</button>
                <label class="snap" title="Selections widen to whole words, and the open annotation's Start and End move a word at a time"><input type="checkbox" prop:checked=move || coding.meta.with(|m| m.whole_words)
                    on:change=move |ev| {
                        // Remembered in this browser, like the coder's name.
                        let on = event_target_checked(&ev);
                        coding.meta.update(|m| m.whole_words = on);
                        coding.save_meta();
                    } />" Select whole words"</label>
            </div>
            {move || {
                let coder = coding.meta.with(|m| m.coder.clone());
                (!coder.trim().is_empty()).then(|| view! {
                    <p class="coder-line">"Coding as " <strong class="coder-name">{coder}</strong> " "
                        <button type="button" class="linkish change-coder" on:click=move |_| coding.ask_name.set(Some(String::new()))>"change"</button>
                    </p>
                })
            }}
            <Editor doc=Arc::clone(&doc) />
            <h2>"Annotations"</h2>
            // Several coders here (a class, a team): one at a time, or everyone.
            {move || {
                let list = coders.get();
                let showing = coding.showing.get();
                (list.len() > 1 || showing.is_some()).then(|| view! {
                    <label class="show-coder">"Show "
                        <select on:change=move |ev| {
                            let v = event_target_value(&ev);
                            coding.showing.set((!v.is_empty()).then(|| v.strip_prefix('=').unwrap_or(&v).to_string()));
                        }>
                            <option value="" selected=showing.is_none()>{format!("everyone's ({})", list.iter().map(|(_, n)| n).sum::<usize>())}</option>
                            {list.into_iter().map(|(c, n)| {
                                let sel = showing.as_deref() == Some(c.as_str());
                                let name = if c.is_empty() { "an unnamed coder's".to_string() } else { format!("{c}'s") };
                                view! { <option value=format!("={c}") selected=sel>{format!("only {name} ({n})")}</option> }
                            }).collect_view()}
                        </select>
                    </label>
                    // The class beside its key, paragraph by paragraph (the Agreement page's view).
                    " "<a class="side-by-side-link" href=side_by_side.clone() on:click=move |_| app.open_side_by_side.set_value(true)>"Side by side"</a>
                })
            }}
            <ul class="counts" aria-label="Counts by tag; choose one to list only its annotations">{chips}</ul>
            // A list narrowed to one tag says so, with the way back.
            {move || filter.get().map(|f| {
                let name = book.with(|b| b.get(&f).map(|t| t.name.clone())).unwrap_or(f);
                view! {
                    <p class="filter-line">{format!("Only {name} is listed. ")}
                        <button type="button" class="linkish show-all-tags" on:click=move |_| filter.set(None)>"List all"</button>
                    </p>
                }
            })}
            {list}
            {
                let doc_id = doc.meta.id.clone();
                move || {
                    let lost: Vec<(String, String)> = coding.detached.with(|d| {
                        coding.coding.with(|c| c.live(&doc_id).filter(|a| d.contains(&a.id)).map(|a| (a.id.clone(), a.quote.clone())).collect())
                    });
                    (!lost.is_empty()).then(|| view! {
                        <h2>"Detached"</h2>
                        <p class="ann-empty">"These no longer match the text of this report. They are kept; delete them, or restore the text they were made on."</p>
                        <ul class="ann-list detached">
                            {lost.into_iter().map(|(id, quote)| view! {
                                <li><button type="button" data-id=id.clone() on:click=move |_| coding.selected.set(Some(id.clone()))>
                                    <span class="ann-quote">{format!("“{quote}”")}</span>
                                </button></li>
                            }).collect_view()}
                        </ul>
                    })
                }
            }
        </section>
    }
}

/// Scrolls the first highlight of an annotation into view.
fn reveal(id: &str) {
    if let Ok(Some(el)) = document().query_selector(&format!("[data-ids~=\"{id}\"]")) {
        // In the middle of the window: not cut by its lower edge, nor under a notice.
        let options = web_sys::ScrollIntoViewOptions::new();
        options.set_block(web_sys::ScrollLogicalPosition::Center);
        el.scroll_into_view_with_scroll_into_view_options(&options);
    }
}

/// Where the open annotation is a sheet over the bottom of the screen: scrolls
/// the annotation's text up above it when the sheet covers its end.
pub fn keep_above_sheet(id: String) {
    request_animation_frame(move || {
        let Some(sheet) = document().query_selector(".editor").ok().flatten() else { return };
        let fixed = window().get_computed_style(&sheet).ok().flatten().and_then(|s| s.get_property_value("position").ok());
        if fixed.as_deref() != Some("fixed") {
            return;
        }
        // The band the text can be read in: below the top bar (where it stays on screen) and a
        // notice at the top, above the sheet.
        let low = sheet.get_bounding_client_rect().top() - 24.0;
        let bottom_of = |sel: &str| document().query_selector(sel).ok().flatten().map_or(0.0, |e| e.get_bounding_client_rect().bottom());
        let high = bottom_of(".topbar").max(bottom_of(".toast")).max(0.0) + 8.0;
        let Ok(marks) = document().query_selector_all(&format!("[data-ids~=\"{id}\"]")) else { return };
        let rect = |i: u32| marks.item(i).map(|m| m.unchecked_into::<web_sys::Element>().get_bounding_client_rect());
        let (Some(first), Some(last)) = (rect(0), rect(marks.length().saturating_sub(1))) else { return };
        // Down until its end is above the sheet, but never past its start.
        let mut by = (last.bottom() - low).max(0.0);
        if first.top() - by < high {
            by = first.top() - high;
        }
        if by.abs() >= 1.0 {
            window().scroll_by_with_x_and_y(0.0, by);
        }
    });
}

/// A memo being typed and not saved yet: the annotation, the memo the typing
/// started from, the text in the box.
struct Typed {
    id: String,
    base: String,
    value: String,
}

/// The open annotation: quote, citation, tags, memo, range, who and when.
#[component]
fn Editor(doc: Arc<Document>) -> impl IntoView {
    let coding = use_coding();
    // How each text is cited: the paragraphs a memo cites open from under it.
    let cited: Arc<Vec<(String, String)>> = Arc::new(crate::state::use_app_state().citation_names());
    let chars: Arc<Vec<char>> = Arc::new(doc.text.chars().collect());
    let current = {
        let doc_id = doc.meta.id.clone();
        Memo::new(move |_| {
            let id = coding.selected.get()?;
            coding.coding.with(|c| c.stored(&doc_id).iter().find(|a| a.id == id && !a.deleted).cloned())
        })
    };
    // The editor is rebuilt when the annotation's shape changes, not when its memo or
    // update time does, so typing a memo never loses the caret.
    let shape = Memo::new(move |_| current.get().map(|a| Annotation { memo: String::new(), updated: String::new(), ..a }));
    let whole = Memo::new(move |_| coding.meta.with(|m| m.whole_words));
    let me = Memo::new(move |_| coding.meta.with(|m| m.coder.clone()));
    let app = crate::state::use_app_state();
    // A notice shown over the text while the annotation is a sheet: its text moves into view below it.
    Effect::new(move |_| {
        if coding.notice.with(Option::is_some)
            && let Some(id) = coding.selected.get_untracked()
        {
            keep_above_sheet(id);
        }
    });
    // A memo being typed is saved a moment after the last key, when the box loses
    // focus, and at once when the page is hidden or closed. What is typed is kept with
    // the memo it started from: if another tab changed the memo meanwhile, both are kept.
    let typed = StoredValue::new(None::<Typed>);
    let typing = StoredValue::new(0u32);
    let commit = move || {
        if let Some(t) = typed.try_update_value(Option::take).flatten() {
            let Some((theirs, gone)) = coding.coding.with_untracked(|c| c.get(&t.id).map(|a| (a.memo.clone(), a.deleted))) else { return };
            let (memo, both) = marginalia_core::annotation::merge_memo(&t.base, &t.value, &theirs);
            if memo == theirs {
                return;
            }
            let n = now();
            // Deleted in another tab while its memo was being typed here (a deletion here
            // saves the memo first): it comes back with what was typed, and that is said.
            if gone {
                coding.change(|c| c.update(&t.id, &n, |a| {
                    a.memo = memo;
                    a.deleted = false;
                }));
                coding.notice.set(Some(Notice::problem(
                    "That annotation was deleted in another tab while you typed its memo here. It is back, with your memo: \
                     delete it again if it should go.",
                )));
                return;
            }
            coding.change(|c| c.update(&t.id, &n, |a| a.memo = memo));
            if both {
                coding.notice.set(Some(Notice::problem(
                    "This memo was changed in another tab while you typed in it here. Both versions are kept in the memo, \
                     yours first: edit it to keep what you want.",
                )));
            }
        }
    };
    let on_hide = move || {
        commit();
        coding.flush();
    };
    let hide = window_event_listener(leptos::ev::pagehide, move |_| on_hide());
    let hidden = window_event_listener(leptos::ev::visibilitychange, move |_| on_hide());
    on_cleanup(move || {
        hide.remove();
        hidden.remove();
    });
    move || {
        shape.with(|_| ());
        // A memo typed into the annotation that was open is saved before it goes.
        commit();
        let a = current.get_untracked()?;
        let book = coding.coding.with_untracked(|c| c.codebook.clone());
        let cite = a.cite(&doc);
        let quotation = a.quotation(&doc);
        let id = a.id.clone();
        // Another coder's annotation is read here, not changed: a tag given goes on
        // an annotation of this coder's own (`toggle_tag`).
        let theirs = me.get() != a.coder;
        // Everyone's work shown (a teacher with a class, a team): who else coded this text, and how.
        let others = coding.showing.with_untracked(Option::is_none).then(|| {
            let list = coding.coding.with_untracked(|c| c.others_over(&a.doc, a.start, a.end, &a.coder));
            let said: Vec<String> = list.iter().map(|(who, tags)| {
                let names: Vec<&str> = tags.iter().map(|t| book.get(t).map_or(t.as_str(), |t| t.name.as_str())).collect();
                format!("{} ({})", if who.is_empty() { "an unnamed coder" } else { who.as_str() }, marginalia_core::codebook::name_list(names))
            }).collect();
            (!said.is_empty()).then(|| format!("Also coded here by {}: {}.", marginalia_core::count(said.len(), "other coder"), said.join("; ")))
        }).flatten();
        let tag_buttons = book.tags.iter().map(|t| {
            let on = a.tags.contains(&t.id);
            let (id, tag) = (id.clone(), t.id.clone());
            let doc = Arc::clone(&doc);
            view! {
                <button type="button" class="tagbtn" aria-pressed=on.to_string() data-tag=t.id.clone()
                    on:click=move |_| coding.toggle_tag(&id, &tag, &doc)>
                    <span class="swatch" style=format!("background:{}", t.colour)></span>
                    {t.name.clone()}
                    {t.key.map(|k| view! { <kbd class="tagkey" title=format!("Key {k}")>{k.to_string()}</kbd> })}
                </button>
            }
        }).collect_view();
        // The span's edges move by a character, or by a word with Select whole words on (from
        // a whole paragraph coded from the keyboard down to a phrase, in a few presses).
        let by_word = whole.get();
        let nudge = |which: &'static str, delta: i64| {
            let id = id.clone();
            let chars = Arc::clone(&chars);
            let doc = Arc::clone(&doc);
            move |_| {
                if theirs {
                    return;
                }
                let n = now();
                let cite = |c: &marginalia_core::coding::Coding| c.get(&id).map(|a| a.cite(&doc)).unwrap_or_default();
                let before = coding.coding.with_untracked(cite);
                // A run of nudges is one step for Undo.
                coding.change(|c| c.reshape(&id, &n, |a| {
                    let (s, e) = if by_word {
                        marginalia_core::annotation::step_word(&chars, (a.start, a.end), which == "end", delta > 0)
                    } else {
                        let (mut s, mut e) = (a.start as i64, a.end as i64);
                        if which == "start" { s += delta } else { e += delta }
                        let len = chars.len() as i64;
                        if s >= 0 && e <= len && s < e { (s as usize, e as usize) } else { (a.start, a.end) }
                    };
                    a.start = s;
                    a.end = e;
                    a.fill_quote(&chars);
                }));
                // A span that grows into another paragraph is easy to miss: said once.
                let after = coding.coding.with_untracked(cite);
                let across = |c: &str| c.rsplit_once('¶').is_some_and(|(_, n)| n.contains('–'));
                if across(&after) && !across(&before) {
                    coding.notice.set(Some(Notice::slip(format!("The annotation now runs across {after}."))));
                }
            }
        };
        let unit = if by_word { "word" } else { "character" };
        let (id_memo, id_del, id_fresh) = (id.clone(), id.clone(), id.clone());
        // Just coded on a touch screen: the sheet is small until the memo is asked for.
        let fresh = Memo::new(move |_| coding.fresh.with(|f| f.as_deref() == Some(id_fresh.as_str())));
        let id_keep = id.clone();
        let open_memo = move |_| {
            coding.fresh.set(None);
            keep_above_sheet(id_keep.clone());
            crate::dom::focus_later(".editor textarea.memo");
        };
        keep_above_sheet(id.clone());
        Some(view! {
            <div class="editor" class:fresh=fresh role="region" aria-label="Open annotation">
                <div class="row"><strong class="cite">{cite}</strong>
                    <button type="button" class="btn copy-cite" title="Copy the quote with its citation"
                        on:click=move |_| crate::dom::copy_text(&quotation, coding)>"Copy quote"</button>
                </div>
                <blockquote class="quote">{a.quote.clone()}</blockquote>
                <div class="row tags" role="group" aria-label="Tags">{tag_buttons}</div>
                <label class="memo-label">"Memo"
                    <textarea class="memo" placeholder=if theirs { "No memo." } else { "Why this code? Notes for later." } prop:readOnly=theirs
                        // What is being typed stays in the box when another tab changes the memo.
                        prop:value=move || current.with(|a| a.as_ref().map(|a| {
                            typed.with_value(|t| t.as_ref().filter(|t| t.id == a.id).map(|t| t.value.clone())).unwrap_or_else(|| a.memo.clone())
                        }).unwrap_or_default())
                        on:input=move |ev| {
                            let base = typed.with_value(|t| t.as_ref().filter(|t| t.id == id_memo).map(|t| t.base.clone())).unwrap_or_else(|| {
                                coding.coding.with_untracked(|c| c.get(&id_memo).map(|a| a.memo.clone()).unwrap_or_default())
                            });
                            typed.set_value(Some(Typed { id: id_memo.clone(), base, value: event_target_value(&ev) }));
                            let mine = typing.try_update_value(|g| { *g += 1; *g }).unwrap_or_default();
                            set_timeout(move || if typing.try_get_value() == Some(mine) { commit() }, std::time::Duration::from_millis(500));
                        }
                        on:change=move |_| commit()
                        // Escape closes the annotation from its memo too (what was typed is kept).
                        on:keydown=move |ev| if ev.key() == "Escape" && !ev.is_composing() {
                            commit();
                            coding.close();
                        }></textarea>
                </label>
                {
                    let cited = Arc::clone(&cited);
                    move || {
                        let memo = current.with(|a| a.as_ref().map(|a| a.memo.clone())).unwrap_or_default();
                        let docs: Vec<(&str, &str)> = cited.iter().map(|(w, id)| (w.as_str(), id.as_str())).collect();
                        let links: Vec<(String, String)> =
                            marginalia_core::route::cited_in(&memo, &docs).into_iter().filter_map(|(t, h)| Some((t, h?))).collect();
                        (!links.is_empty()).then(|| view! {
                            <p class="memo-cites">"Cites "{links.into_iter().map(|(t, h)| view! { <a class="memo-cite" href=h>{t}</a>" " }).collect_view()}</p>
                        })
                    }
                }
                <div class="row range" role="group" aria-label="Adjust the span" hidden=theirs aria-hidden=theirs.to_string()>
                    "Start "
                    <button type="button" class="btn" aria-label=format!("Start one {unit} earlier") on:click=nudge("start", -1)>"◀"</button>
                    <button type="button" class="btn" aria-label=format!("Start one {unit} later") on:click=nudge("start", 1)>"▶"</button>
                    " End "
                    <button type="button" class="btn" aria-label=format!("End one {unit} earlier") on:click=nudge("end", -1)>"◀"</button>
                    <button type="button" class="btn" aria-label=format!("End one {unit} later") on:click=nudge("end", 1)>"▶"</button>
                    <span class="by">{format!("by {unit}")}</span>
                </div>
                {theirs.then(|| view! { <p class="theirs">{format!("{}'s annotation: you can read it; a tag you give it goes on an annotation of your own of the same text.", if a.coder.is_empty() { "An unnamed coder" } else { a.coder.as_str() })}</p> })}
                {others.map(|o| view! { <p class="others-here">{o}</p> })}
                <p class="meta">"Coded by "{a.coder.clone()}" · created "{crate::coding::local_time(&a.created)}" · updated "
                    {move || current.with(|a| a.as_ref().map(|a| crate::coding::local_time(&a.updated)).unwrap_or_default())}</p>
                <div class="row actions">
                    <button type="button" class="btn open-memo" hidden=move || !fresh.get() on:click=open_memo>"Memo…"</button>
                    // In the sheet (the panel's Undo is after the whole report there).
                    <button type="button" class="btn sheet-undo" title="Undo (Ctrl+Z)"
                        disabled=move || !(coding.coding.with(|c| c.can_undo()) || coding.text_step_pending())
                        on:click=move |_| step(coding, app, false)>"Undo"</button>
                    <button type="button" class="btn" on:click=move |_| coding.close()>"Close"</button>
                    {(!theirs).then(|| view! { <button type="button" class="btn danger" on:click=move |_| { commit(); coding.delete_annotation(&id_del) }>"Delete"</button> })}
                </div>
            </div>
        })
    }
}
