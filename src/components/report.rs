//! The report view: title block, headings, numbered paragraphs with citable
//! margin numbers, footnote markers that reveal their note, and the notes.

use std::sync::Arc;

use leptos::prelude::*;
use marginalia_core::corpus::{format_date, ordinal_short};
use marginalia_core::codebook::Codebook;
use marginalia_core::layout::{Run, by_block, runs};
use marginalia_core::route::Route;
use marginalia_core::{Block, BlockKind, Document};
use wasm_bindgen::JsCast;

use super::coding_panel::{CodingPanel, Palette, highlight_style};
use crate::coding::use_coding;
use crate::state::use_app_state;

/// A live annotation as a block sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    pub id: String,
    pub tags: Vec<String>,
}

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
    let paragraph = state.paragraph;
    Effect::new(move |_| {
        let target = paragraph.get();
        request_animation_frame(move || scroll_to_paragraph(target));
    });
    crate::perf::record_painted("report");

    let symbol = doc.meta.symbol.clone().unwrap_or_else(|| doc.meta.id.clone());
    let subtitle = [
        doc.meta.ordinal.map(|n| format!("{} report", ordinal_short(n))),
        doc.meta.date.as_deref().map(format_date),
        Some(format!("{} paragraphs", doc.paragraph_count())),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" · ");
    let title = doc.meta.title.clone();
    let coding = use_coding();
    let doc_id = doc.meta.id.clone();
    // The live annotations of each block, recomputed on a change; each block's own
    // memo then tells it whether it must re-render.
    let spans = {
        let doc = Arc::clone(&doc);
        Memo::new(move |_| {
            let detached = coding.detached.get();
            coding.coding.with(|c| {
                let live: Vec<&marginalia_core::annotation::Annotation> =
                    c.live(&doc_id).filter(|a| !detached.contains(&a.id)).collect();
                by_block(&doc.blocks, live.iter().map(|a| (a.start, a.end, *a)))
                    .into_iter()
                    .map(|v| v.into_iter().map(|a| Span { start: a.start, end: a.end, id: a.id.clone(), tags: a.tags.clone() }).collect())
                    .collect::<Vec<Vec<Span>>>()
            })
        })
    };
    let book = Memo::new(move |_| coding.coding.with(|c| c.codebook.clone()));
    let body = render_body(&doc, spans, book);
    let prose_ref = NodeRef::<leptos::html::Div>::new();
    let on_select = {
        let doc = Arc::clone(&doc);
        move || {
            let Some(prose) = prose_ref.get_untracked() else { return };
            let doc_id = doc.meta.id.clone();
            match crate::dom::selection_in(&prose, &doc) {
                Some((s, e)) => {
                    coding.pending.set(Some((doc_id.clone(), s, e)));
                    let at = crate::dom::selection_rect().map(|r| (r.left(), r.bottom()));
                    coding.palette_at.set(at);
                }
                None => {
                    coding.pending.set(None);
                    coding.palette_at.set(None);
                }
            }
        }
    };
    let on_select_key = on_select.clone();
    super::coding_panel::keyboard(Arc::clone(&doc), prose_ref);
    mark_selected(spans);
    let notes = render_notes(&doc);
    view! {
        <div class="report-layout">
            <article class="report" aria-labelledby="report-title">
                <header class="titleblock">
                    <p class="symbol">{symbol}</p>
                    <h1 id="report-title">{title}</h1>
                    <p class="subtitle">{subtitle}</p>
                </header>
                <details class="toc toc-top">
                    <summary>"Contents"</summary>
                    {contents(&doc)}
                </details>
                <div
                    class="prose"
                    node_ref=prose_ref
                    on:mouseup=move |_| on_select()
                    on:click=move |ev| open_clicked_highlight(&ev)
                    on:keyup=move |ev| if ev.shift_key() { on_select_key() }
                >
                    {body}
                </div>
                {notes}
            </article>
            <aside class="side">
                <CodingPanel doc=Arc::clone(&doc) />
                <details class="toc toc-side" open>
                    <summary class="toc-title">"Contents"</summary>
                    {contents(&doc)}
                </details>
            </aside>
            <Palette doc=Arc::clone(&doc) />
        </div>
    }
    .into_any()
}

fn render_body(doc: &Arc<Document>, spans: Memo<Vec<Vec<Span>>>, book: Memo<Codebook>) -> impl IntoView + use<> {
    doc.blocks
        .iter()
        .enumerate()
        .filter(|(_, b)| !matches!(b.kind, BlockKind::Footnote { .. }))
        .map(|(i, b)| {
            // The note shown under this block, if a marker in it was opened.
            let open = RwSignal::new(None::<u32>);
            let (start, end) = (b.start, b.end);
            // Only the blocks whose annotations change re-render.
            let mine = Memo::new(move |_| spans.with(|v| v.get(i).cloned().unwrap_or_default()));
            let content = {
                let doc = Arc::clone(doc);
                let block = b.clone();
                move || render_runs(&doc, &block, &mine.get(), &book.get(), open)
            };
            let note = {
                let doc = Arc::clone(doc);
                move || {
                    open.get().map(|n| {
                        let text = doc
                            .footnote_text(n)
                            .unwrap_or("(The text of this note is not in the source.)")
                            .to_string();
                        view! {
                            <aside class="fnpop" role="note" aria-label=format!("Footnote {n}")>
                                <span class="fnpop-num">{n}</span>
                                {text}
                            </aside>
                        }
                    })
                }
            };
            match b.kind {
                BlockKind::Heading { level: 1 } => view! { <h2 data-start=start data-end=end>{content}</h2> }.into_any(),
                BlockKind::Heading { level: 2 } => view! { <h3 data-start=start data-end=end>{content}</h3> }.into_any(),
                BlockKind::Heading { .. } => view! { <h4 data-start=start data-end=end>{content}</h4> }.into_any(),
                BlockKind::Paragraph { number: Some(n) } => {
                    let href = Route::report(&doc.meta.id, Some(n)).to_hash();
                    let label = format!("Link to {}", doc.cite(n));
                    view! {
                        <div class="para" id=format!("p{n}") data-paragraph=n>
                            <a class="pnum" href=href aria-label=label title=doc.cite(n)>{n}</a>
                            <p data-start=start data-end=end>{content}</p>
                            {note}
                        </div>
                    }
                    .into_any()
                }
                BlockKind::Paragraph { number: None } | BlockKind::Footnote { .. } => view! {
                    <div class="para"><p data-start=start data-end=end>{content}</p>{note}</div>
                }
                .into_any(),
            }
        })
        .collect_view()
}

/// A block's text cut at annotation boundaries: plain text, highlights, markers.
fn render_runs(doc: &Document, block: &Block, spans: &[Span], book: &Codebook, open: RwSignal<Option<u32>>) -> AnyView {
    let keyed: Vec<(usize, usize, (String, Vec<String>))> =
        spans.iter().map(|s| (s.start, s.end, (s.id.clone(), s.tags.clone()))).collect();
    runs(doc, block, &keyed)
        .into_iter()
        .map(|r| match r {
            Run::Text { text, keys, .. } if keys.is_empty() => text.into_any(),
            Run::Text { text, keys, .. } => {
                let ids: Vec<String> = keys.iter().map(|(id, _)| id.clone()).collect();
                let mut tags: Vec<String> = Vec::new();
                for (_, ts) in &keys {
                    for t in ts {
                        if !tags.contains(t) {
                            tags.push(t.clone());
                        }
                    }
                }
                let names: Vec<String> =
                    tags.iter().map(|t| book.get(t).map(|t| t.name.clone()).unwrap_or_else(|| t.clone())).collect();
                let style = highlight_style(book, &tags);
                // Clicks are handled once for the whole report (see `ReportView`), and the
                // open annotation is marked by one effect: no closure per highlight.
                view! {
                    <span class="hl" data-ids=ids.join(" ") data-tags=tags.join(" ") style=style title=names.join(", ")>
                        {text}
                    </span>
                }
                .into_any()
            }
            Run::Note(n) => view! { <NoteMarker number=n open=open /> }.into_any(),
        })
        .collect_view()
        .into_any()
}

/// A click on a highlight (with no text being selected) opens its annotation:
/// the most recent of those covering the point.
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
        coding.selected.set(ids.split(' ').next_back().map(str::to_string));
    }
}

/// Marks the highlights of the open annotation (one effect for the report).
fn mark_selected(spans: Memo<Vec<Vec<Span>>>) {
    let coding = use_coding();
    Effect::new(move |previous: Option<Option<String>>| {
        spans.track();
        let current = coding.selected.get();
        // Runs after the view updated, so new highlights are in the document.
        let toggle = |id: &str, on: bool| {
            if let Ok(list) = document().query_selector_all(&format!(".hl[data-ids~=\"{id}\"]")) {
                for i in 0..list.length() {
                    if let Some(el) = list.item(i).and_then(|n| n.dyn_into::<web_sys::Element>().ok()) {
                        let _ = if on { el.class_list().add_1("selected") } else { el.class_list().remove_1("selected") };
                    }
                }
            }
        };
        if let Some(Some(old)) = &previous {
            toggle(old, false);
        }
        if let Some(id) = &current {
            toggle(id, true);
        }
        current
    });
}

/// A footnote marker: a superscript that shows its note under the paragraph when
/// clicked. Its number is drawn by CSS from `data-n`, so it is not part of the
/// paragraph's text (selection and copying see the prose only).
#[component]
fn NoteMarker(number: u32, open: RwSignal<Option<u32>>) -> impl IntoView {
    let is_open = move || open.get() == Some(number);
    view! {
        <sup class="fnref">
            <button
                type="button"
                data-n=number
                aria-expanded=move || is_open().to_string()
                aria-label=format!("Footnote {number}")
                on:click=move |_| open.update(|o| *o = if *o == Some(number) { None } else { Some(number) })
                on:keydown=move |ev| if ev.key() == "Escape" { open.set(None) }
            ></button>
        </sup>
    }
}

/// The report's sections, each linking to its first numbered paragraph.
fn contents(doc: &Document) -> AnyView {
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
    view! { <ol class="toc-list">{items}</ol> }.into_any()
}

fn render_notes(doc: &Arc<Document>) -> impl IntoView + use<> {
    let items = doc
        .blocks
        .iter()
        .filter_map(|b| match b.kind {
            BlockKind::Footnote { number } => Some(view! {
                <li id=format!("fn{number}") value=number>{doc.block_text(b).to_string()}</li>
            }),
            _ => None,
        })
        .collect::<Vec<_>>();
    (!items.is_empty()).then(|| {
        view! {
            <section class="footnotes" aria-labelledby="notes-title">
                <h2 id="notes-title">"Notes"</h2>
                <ol>{items}</ol>
            </section>
        }
    })
}

/// Scrolls paragraph `n` into view and marks it as the target; top of page for `None`.
fn scroll_to_paragraph(n: Option<u32>) {
    let doc = document();
    if let Ok(old) = doc.query_selector_all(".para.target") {
        for i in 0..old.length() {
            if let Some(el) = old.item(i).and_then(|n| n.dyn_into::<web_sys::Element>().ok()) {
                let _ = el.class_list().remove_1("target");
            }
        }
    }
    match n.and_then(|n| doc.get_element_by_id(&format!("p{n}"))) {
        Some(el) => {
            let _ = el.class_list().add_1("target");
            el.scroll_into_view_with_bool(true);
            // Paragraphs above were laid out with estimated heights (content-visibility);
            // once they have their real size, scroll again so the target stays on top.
            request_animation_frame(move || {
                el.scroll_into_view_with_bool(true);
                request_animation_frame(move || el.scroll_into_view_with_bool(true));
            });
        }
        None => window().scroll_to_with_x_and_y(0.0, 0.0),
    }
}
