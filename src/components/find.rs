//! Find: in a report (matches painted with the CSS Custom Highlight API, Enter
//! and Shift+Enter step through them, "/" focuses the box) and across the corpus.

use std::sync::Arc;

use leptos::prelude::*;
use marginalia_core::route::Route;
use marginalia_core::search::{find, hits};
use marginalia_core::Document;

use crate::state::use_app_state;

/// The find box beside a report.
#[component]
pub fn FindInReport(doc: Arc<Document>) -> impl IntoView {
    let state = use_app_state();
    let query = RwSignal::new(String::new());
    let current = RwSignal::new(0usize);
    // Opened from a corpus search hit: the search goes on here, at that match.
    if let Some((_, q, start)) = state.found.try_update(Option::take).flatten().filter(|(id, _, _)| *id == doc.meta.id) {
        current.set(find(&doc.text, &q).iter().position(|(s, _)| *s == start).unwrap_or(0));
        query.set(q);
    }
    let input = NodeRef::<leptos::html::Input>::new();
    let matches = {
        let doc = Arc::clone(&doc);
        Memo::new(move |_| find(&doc.text, &query.get()))
    };
    // Paint every match, and the current one apart.
    {
        let doc = Arc::clone(&doc);
        Effect::new(move |_| {
            let m = matches.get();
            let cur = current.get();
            // The prose and the notes.
            let Some(root) = document().query_selector("article.report").ok().flatten() else { return };
            let ranges: Vec<web_sys::Range> =
                m.iter().take(2000).filter_map(|(s, e)| crate::dom::range_for(&root, &doc, *s, *e)).collect();
            crate::dom::set_highlight("find", &ranges);
            let here: Vec<web_sys::Range> = m
                .get(cur)
                .and_then(|(s, e)| crate::dom::range_for(&root, &doc, *s, *e))
                .into_iter()
                .collect();
            if let Some(r) = here.first()
                && let Ok(node) = r.start_container()
                    && let Some(el) = node.parent_element() {
                        let opts = web_sys::ScrollIntoViewOptions::new();
                        opts.set_block(web_sys::ScrollLogicalPosition::Center);
                        el.scroll_into_view_with_scroll_into_view_options(&opts);
                    }
            crate::dom::set_highlight("find-current", &here);
        });
    }
    on_cleanup(|| {
        crate::dom::set_highlight("find", &[]);
        crate::dom::set_highlight("find-current", &[]);
    });
    // "/" focuses the box, as in many readers.
    let handle = window_event_listener(leptos::ev::keydown, move |ev| {
        let in_field = crate::dom::typing(&ev);
        if ev.key() == "/" && !in_field {
            ev.prevent_default();
            if let Some(i) = input.get_untracked() {
                let _ = i.focus();
            }
        }
    });
    on_cleanup(move || handle.remove());
    let step = move |delta: isize| {
        let n = matches.with_untracked(Vec::len);
        if n > 0 {
            current.update(|c| *c = ((*c as isize + delta).rem_euclid(n as isize)) as usize);
        }
    };
    // Tag all matches: each becomes an annotation of the coder's with the tag
    // chosen (a span already coded gets the tag), in one step Undo takes back.
    let coding = crate::coding::use_coding();
    let tags = move || coding.coding.with(|c| c.codebook.tags.iter().map(|t| (t.id.clone(), t.name.clone())).collect::<Vec<_>>());
    // The tag chosen for every match, applied by the Tag button.
    let chosen = RwSignal::new(String::new());
    let tag_all = {
        let doc = Arc::clone(&doc);
        move |tag: String| {
            use crate::coding::Notice;
            if coding.must_ask_name() {
                coding.notice.set(Some(Notice::slip("Say who is coding first; then tag all matches again.")));
                coding.ask_name.set(Some(String::new()));
                return;
            }
            let coder = coding.meta.with_untracked(|m| m.coder.clone());
            let spans = matches.get_untracked();
            let snap = coding.meta.with_untracked(|m| m.whole_words);
            let t = crate::coding::now();
            let (mut coded, mut had) = (0, 0);
            coding.change(|c| {
                let (touched, n, h) = c.code_all(&doc, &spans, (&tag, &coder), &t, snap, crate::coding::new_id);
                (coded, had) = (n, h);
                touched
            });
            let name = coding.coding.with_untracked(|c| c.codebook.get(&tag).map(|t| t.name.clone())).unwrap_or_default();
            let q = marginalia_core::abridge(&query.get_untracked(), 40);
            let already = if had > 0 { format!(" ({} already had it)", had) } else { String::new() };
            coding.notice.set(Some(if coded == 0 {
                Notice::slip(format!("Every match of “{q}” already has {name}."))
            } else {
                coding.undoable(format!("{} of “{q}” tagged {name}{already}.", marginalia_core::count_as(coded, "match", "matches")))
            }));
        }
    };
    view! {
        <div class="find" role="search">
            <input type="search" node_ref=input placeholder="Find  ( / )" aria-label="Find in this report"
                prop:value=move || query.get()
                on:input=move |ev| { query.set(event_target_value(&ev)); current.set(0); chosen.set(String::new()); }
                on:keydown=move |ev| {
                    if ev.key() == "Enter" { ev.prevent_default(); step(if ev.shift_key() { -1 } else { 1 }); }
                    // Escape clears the find and leaves the box: keys are the report's again.
                    if ev.key() == "Escape" { query.set(String::new()); crate::dom::focus_main(true); }
                } />
            <span class="find-count" aria-live="polite">{move || {
                let n = matches.with(Vec::len);
                if query.with(|q| q.trim().is_empty()) { String::new() }
                else if n == 0 { "no match".into() }
                else { format!("{} of {n}", current.get() + 1) }
            }}</span>
            <button type="button" class="btn" aria-label="Previous match" on:click=move |_| step(-1)>"↑"</button>
            <button type="button" class="btn" aria-label="Next match" on:click=move |_| step(1)>"↓"</button>
            // A choice, then a button: an arrow key run through the menu tags nothing.
            <select class="tag-all" aria-label="Tag every match with" title="Tag every match with a tag (one step: Undo takes it back)"
                hidden=move || matches.with(Vec::is_empty)
                prop:value=move || chosen.get()
                on:change=move |ev| chosen.set(event_target_value(&ev))>
                <option value="">{move || format!("Tag all {} with…", marginalia_core::count_as(matches.with(Vec::len), "match", "matches"))}</option>
                {move || tags().into_iter().map(|(id, name)| view! { <option value=id.clone() selected=move || chosen.get() == id>{name}</option> }).collect_view()}
            </select>
            <button type="button" class="btn tag-all-go" hidden=move || matches.with(Vec::is_empty) || chosen.with(String::is_empty)
                on:click=move |_| {
                    let tag = chosen.get_untracked();
                    if !tag.is_empty() {
                        chosen.set(String::new());
                        tag_all(tag);
                        // The button goes with the choice: the focus stays in the menu.
                        crate::dom::focus_later(".find select.tag-all");
                    }
                }>"Tag"</button>
        </div>
    }
}

/// Search across the corpus, with citations and context.
#[component]
pub fn CorpusSearch() -> impl IntoView {
    let state = use_app_state();
    let query = state.search;
    let results = move || {
        let q = query.get();
        if q.trim().chars().count() < 2 {
            return None;
        }
        let found: Vec<_> = state.docs.with_value(|docs| {
            docs.iter()
                .flat_map(|d| {
                    hits(d, &q, 50, 200).into_iter().map(|h| {
                        let cite = match (h.paragraph, h.note) {
                            (Some(n), _) => d.cite(n),
                            (None, Some(n)) => d.cite_note(n),
                            _ => d.who().to_string(),
                        };
                        // A match in a note links to the note (shown in the report's list of notes).
                        let route = match (h.paragraph, h.note) {
                            (None, Some(n)) => Route::note(&d.meta.id, n),
                            _ => Route::report(&d.meta.id, h.paragraph),
                        };
                        (route.to_hash(), cite, d.meta.id.clone(), h)
                    }).collect::<Vec<_>>()
                })
                .collect()
        });
        let total = found.len();
        Some(view! {
            <p class="count-line">{marginalia_core::count_as(total, "match", "matches")}</p>
            <ol class="segments search-results">
                {found.into_iter().take(300).map(|(href, cite, id, h)| {
                    let at = h.start;
                    view! {
                    <li>
                        <a class="seg-cite" href=href on:click=move |_| state.found.set(Some((id.clone(), query.get_untracked(), at)))>{cite}</a>
                        <p class="seg-text">
                            <span class="ctx">{format!("{}{}", if h.context.cut_before { "…" } else { "" }, h.context.before)}</span>
                            <mark>{h.text}</mark>
                            <span class="ctx">{format!("{}{}", h.context.after, if h.context.cut_after { "…" } else { "" })}</span>
                        </p>
                    </li>
                }}).collect_view()}
            </ol>
        })
    };
    // "/" focuses the box here too, as in a report.
    let input = NodeRef::<leptos::html::Input>::new();
    let handle = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.key() == "/" && !crate::dom::typing(&ev) && !ev.ctrl_key() && !ev.meta_key() && !ev.alt_key() {
            ev.prevent_default();
            if let Some(i) = input.get_untracked() {
                let _ = i.focus();
            }
        }
    });
    on_cleanup(move || handle.remove());
    view! {
        <div class="corpus-search" role="search">
            <input type="search" node_ref=input aria-label="Search the corpus"
                // Texts of one's own are searched too: then the placeholder says so.
                placeholder=move || {
                    state.revision.track();
                    let own = state.docs.with_value(|d| d.iter().any(|d| d.meta.symbol.is_none()));
                    if own { "Search the reports and your texts  ( / )" } else { "Search the five reports  ( / )" }
                }
                prop:value=move || query.get() on:input=move |ev| query.set(event_target_value(&ev)) />
            {results}
        </div>
    }
}
