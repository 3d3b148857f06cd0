//! Coded segments across the corpus (the QDA "retrieval"): every segment under
//! the chosen tags, with citation, quote and context, each linking to its place.

use leptos::prelude::*;
use marginalia_core::route::Route;

use crate::coding::use_coding;
use crate::state::use_app_state;

/// Characters of context shown on each side of a segment (whole words, within its paragraph).
const CONTEXT: usize = 60;

/// One coded segment as listed.
struct Segment {
    id: String,
    cite: String,
    context: marginalia_core::segments::Context,
    quote: String,
    href: String,
    tags: Vec<String>,
    memo: String,
}

#[component]
pub fn SegmentsView() -> impl IntoView {
    let state = use_app_state();
    let coding = use_coding();
    let chosen = RwSignal::new(Vec::<String>::new());
    let by_report = RwSignal::new(true);
    let book = Memo::new(move |_| coding.coding.with(|c| c.codebook.clone()));
    crate::perf::record_painted("segments");
    let rows = move || {
        let wanted = chosen.get();
        let rows: Vec<Segment> = coding.coding.with(|c| {
            state.docs.with_value(|docs| {
                docs.iter().flat_map(|d| {
                    let wanted = wanted.clone();
                    c.live(&d.meta.id)
                        .filter(move |a| wanted.is_empty() || a.tags.iter().any(|t| wanted.contains(t)))
                        .map(move |a| {
                            let para = d.paragraphs().find(|(_, b)| b.end > a.start).map(|(n, _)| n).unwrap_or(0);
                            let href = Route::report(&d.meta.id, (para > 0).then_some(para)).to_hash();
                            Segment {
                                id: a.id.clone(),
                                cite: a.cite(d),
                                context: marginalia_core::segments::context(d, a.start, a.end, CONTEXT),
                                quote: a.quote.clone(),
                                href,
                                tags: a.tags.clone(),
                                memo: a.memo.clone(),
                            }
                        })
                        .collect::<Vec<_>>()
                }).collect()
            })
        });
        let b = book.get();
        let total = rows.len();
        // One segment as listed; its citation opens the report there, with the annotation open.
        let item = |s: &Segment| {
            let names = s.tags.iter().map(|t| b.get(t).map(|t| t.name.clone()).unwrap_or_else(|| t.clone())).collect::<Vec<_>>().join(", ");
            let colour = s.tags.first().and_then(|t| b.get(t)).map(|t| t.colour.clone()).unwrap_or_default();
            let before = format!("{}{}", if s.context.cut_before { "…" } else { "" }, s.context.before);
            let after = format!("{}{}", s.context.after, if s.context.cut_after { "…" } else { "" });
            let id = s.id.clone();
            view! {
                <li style=format!("border-left-color:{colour}")>
                    <a class="seg-cite" href=s.href.clone() on:click=move |_| coding.selected.set(Some(id.clone()))>{s.cite.clone()}</a>
                    " · "<span class="seg-tags">{names}</span>
                    <p class="seg-text"><span class="ctx">{before}</span><mark>{s.quote.clone()}</mark><span class="ctx">{after}</span></p>
                    {(!s.memo.is_empty()).then(|| view! { <p class="seg-memo">{s.memo.clone()}</p> })}
                </li>
            }
        };
        if by_report.get() {
            return view! {
                <p class="count-line">{marginalia_core::count(total, "segment")}</p>
                <ol class="segments">{rows.iter().map(&item).collect_view()}</ol>
            }
            .into_any();
        }
        // Grouped: under each tag (codebook order) every segment that carries it.
        let order: Vec<String> = b.tags.iter().map(|t| t.id.clone()).collect();
        let groups = marginalia_core::segments::by_tag(&rows, |s| &s.tags, &order, &wanted);
        view! {
            <p class="count-line">{marginalia_core::count(total, "segment")}</p>
            {groups.into_iter().map(|(tag, list)| {
                let name = b.get(&tag).map(|t| t.name.clone()).unwrap_or(tag.clone());
                view! {
                    <h2 class="seg-group" data-tag=tag>{name}<span class="seg-group-count">{format!(" · {}", marginalia_core::count(list.len(), "segment"))}</span></h2>
                    <ol class="segments">{list.into_iter().map(&item).collect_view()}</ol>
                }
            }).collect_view()}
        }
        .into_any()
    };
    view! {
        <section class="segments-view">
            <h1>"Coded segments"</h1>
            <p class="lede">"Every segment under the chosen tags across the corpus (all tags when none is chosen)."</p>
            <div class="row filters" role="group" aria-label="Tags">
                {move || book.get().tags.into_iter().map(|t| {
                    let id = t.id.clone();
                    let pressed = { let id = id.clone(); move || chosen.with(|c| c.contains(&id)).to_string() };
                    view! {
                        <button type="button" class="tagbtn" aria-pressed=pressed data-tag=t.id.clone()
                            on:click=move |_| chosen.update(|c| if let Some(i) = c.iter().position(|x| *x == id) { c.remove(i); } else { c.push(id.clone()); })>
                            <span class="swatch" style=format!("background:{}", t.colour)></span>{t.name.clone()}
                        </button>
                    }
                }).collect_view()}
                <label class="snap"><input type="checkbox" prop:checked=move || !by_report.get()
                    on:change=move |ev| by_report.set(!event_target_checked(&ev)) />" Group by tag"</label>
            </div>
            <div class="row exports">
                <button type="button" class="btn" on:click=move |_| super::transfer::use_transfer().exporting.set(true)>"Export…"</button>
            </div>
            {rows}
        </section>
    }
}
