//! Coded segments across the corpus (the QDA "retrieval"): every segment under
//! the chosen tags (any or all of them: co-occurrence), in every text or one,
//! with citation, quote and context, each linking to its place. The query is
//! the address (`#/segments?tags=finance,threat&match=all`), so a retrieval can
//! be bookmarked, reloaded and shared.

use std::sync::Arc;

use leptos::prelude::*;
use marginalia_core::Document;
use marginalia_core::annotation::Annotation;
use marginalia_core::coding::Coding;
use marginalia_core::route::{Route, SegmentsQuery, slug};

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
    coder: String,
    /// "“…” (S/2019/103 ¶12)", for copying.
    quotation: String,
}

#[component]
pub fn SegmentsView() -> impl IntoView {
    let state = use_app_state();
    let coding = use_coding();
    let transfer = super::transfer::use_transfer();
    let book = Memo::new(move |_| coding.coding.with(|c| c.codebook.clone()));
    // The address read leniently: a tag by its id or its name in any case, a
    // text by its slug, id or symbol. What it names that is not here is set
    // aside (and said), not matched against nothing.
    let read = Memo::new(move |_| {
        let q = match state.route.get() {
            Route::Segments(q) => q,
            _ => SegmentsQuery::default(),
        };
        let (known, mut missing) = book.with(|b| {
            q.known(|t| {
                b.get(t)
                    .or_else(|| b.tags.iter().find(|x| x.id.eq_ignore_ascii_case(t) || x.name.trim().eq_ignore_ascii_case(t.trim())))
                    .map(|x| x.id.clone())
            })
        });
        state.revision.track();
        let doc = known.doc.as_ref().and_then(|s| state.doc_by_slug(s).or_else(|| state.doc_by_slug(&slug(s)))).map(|d| slug(&d.meta.id));
        if let (Some(asked), None) = (&known.doc, &doc) {
            missing.push(format!("text {asked}"));
        }
        // A coder by name as coded, else in any case.
        let coder = known.coder.as_ref().and_then(|c| coding.coding.with(|k| k.coder_named(c)));
        if let (Some(asked), None) = (&known.coder, &coder) {
            missing.push(format!("coder {asked}"));
        }
        (SegmentsQuery { doc, coder, ..known }, missing)
    });
    let query = Memo::new(move |_| read.with(|r| r.0.clone()));
    // What each chosen tag stands for: itself, or with its sub-codes.
    let family = move |b: &marginalia_core::codebook::Codebook, t: &str| b.family(t).into_iter().map(str::to_string).collect::<Vec<_>>();
    let groups = Memo::new(move |_| {
        let q = query.get();
        book.with(|b| q.groups(|t| family(b, t)))
    });
    let has_tree = Memo::new(move |_| book.with(|b| b.tags.iter().any(|t| t.parent.is_some())));
    let change = move |f: &dyn Fn(&mut SegmentsQuery)| {
        let mut q = query.get_untracked();
        f(&mut q);
        state.replace_route(Route::Segments(q));
    };
    // Code co-occurrence over the same texts and coder: the chosen tags (two or
    // more), else every tag, in codebook order. Counted only while the table is open.
    let cooc_open = RwSignal::new(false);
    let cooc = Memo::new(move |_| {
        if !cooc_open.get() {
            return (Vec::new(), Vec::new());
        }
        let q = query.get();
        let b = book.get();
        let tags: Vec<String> = b.tags.iter().filter(|t| q.tags.len() < 2 || q.tags.contains(&t.id)).map(|t| t.id.clone()).collect();
        let names: Vec<String> = tags.iter().map(|t| b.get(t).map_or_else(|| t.clone(), |x| x.name.clone())).collect();
        let counts = coding.coding.with(|c| {
            // With sub-codes, each tag counts its sub-codes' codings too.
            let rolled = q.sub.then(|| c.rolled_up());
            let c = rolled.as_ref().unwrap_or(c);
            state.docs.with_value(|docs| {
                let per: Vec<Vec<&Annotation>> = in_scope(&q, docs, c).map(|(_, anns)| anns).collect();
                marginalia_core::segments::cooccurrence(&per, &tags)
            })
        });
        (names, counts)
    });
    let download_cooc = move |_| {
        let csv = cooc.with_untracked(|(names, counts)| marginalia_core::segments::cooccurrence_csv(names, counts));
        crate::download::save(&format!("marginalia-cooccurrence-{}.csv", crate::coding::today()), "text/csv", &csv);
    };
    crate::perf::record_painted("segments");
    let rows = move || {
        let q = query.get();
        let groups = groups.get();
        let rows: Vec<Segment> = coding.coding.with(|c| {
            state.docs.with_value(|docs| {
                in_scope(&q, docs, c)
                    .flat_map(|(d, mine)| {
                        // Overlapping codings (QDA tools' co-occurrence), or the tags of each annotation.
                        let picked = if q.overlap && q.tags.len() > 1 {
                            marginalia_core::segments::overlapping(&mine, &groups)
                        } else {
                            mine.into_iter().filter(|a| q.matches_in(&groups, &a.tags)).collect()
                        };
                        picked.into_iter()
                            .map(move |a| {
                                let href = a.place(d).to_hash();
                                Segment {
                                    id: a.id.clone(),
                                    cite: a.cite(d),
                                    context: marginalia_core::segments::context(d, a.start, a.end, CONTEXT),
                                    quote: a.quote.clone(),
                                    href,
                                    tags: a.tags.clone(),
                                    memo: a.memo.clone(),
                                    coder: a.coder.clone(),
                                    quotation: a.quotation(d),
                                }
                            })
                            .collect::<Vec<_>>()
                    })
                    .collect()
            })
        });
        let b = book.get();
        let total = rows.len();
        // With several coders here (a class, a team), each segment says whose it is.
        let many = rows.iter().any(|s| s.coder != rows[0].coder);
        // One segment as listed; its citation opens the report there, with the annotation open.
        // Its side bar in its first tag's colour, or the group's under a tag's heading.
        let names_of = |s: &Segment| marginalia_core::codebook::name_list(s.tags.iter().map(|t| b.get(t).map_or(t.as_str(), |t| t.name.as_str())));
        // Every segment listed, as text for a draft: quotation, citation, tags, memo.
        let all_text = {
            let names: Vec<String> = rows.iter().map(names_of).collect();
            marginalia_core::segments::as_text(rows.iter().zip(&names).map(|(s, n)| (s.quotation.as_str(), n.as_str(), s.memo.as_str())))
        };
        // How each text is cited, for the citations in memos.
        let cited = state.citation_names();
        let item = |s: &Segment, group: Option<&str>| {
            let names = names_of(s);
            let copied = marginalia_core::segments::as_text([(s.quotation.as_str(), names.as_str(), s.memo.as_str())]);
            let colour = group.or(s.tags.first().map(String::as_str)).and_then(|t| b.get(t)).map(|t| t.colour.clone()).unwrap_or_default();
            let before = format!("{}{}", if s.context.cut_before { "…" } else { "" }, s.context.before);
            let after = format!("{}{}", s.context.after, if s.context.cut_after { "…" } else { "" });
            let id = s.id.clone();
            view! {
                <li style=format!("border-left-color:{colour}")>
                    <a class="seg-cite" href=s.href.clone() on:click=move |_| coding.selected.set(Some(id.clone()))>{s.cite.clone()}</a>
                    " · "<span class="seg-tags">{names}</span>
                    {many.then(|| view! { " · "<span class="seg-coder">{marginalia_core::coder_shown(&s.coder).to_string()}</span> })}
                    <button type="button" class="linkish seg-copy" title="Copy the quote with its citation, tags and memo"
                        on:click=move |_| crate::dom::copy_text(&copied, coding)>"Copy"</button>
                    <p class="seg-text"><span class="ctx">{before}</span><mark>{s.quote.clone()}</mark><span class="ctx">{after}</span></p>
                    // A paragraph a memo cites ("see S/2018/770 ¶30") opens from it.
                    {(!s.memo.is_empty()).then(|| view! { <p class="seg-memo">{memo_view(&s.memo, &cited)}</p> })}
                </li>
            }
        };
        // What is counted, and the export of just that.
        let summary = {
            let q = q.clone();
            // With sub-codes, a chosen tag that has some is named so.
            let names: Vec<String> = b.tags.iter().filter(|t| q.tags.contains(&t.id)).map(|t| {
                let subs = q.sub && b.tags.iter().any(|x| x.parent.as_deref() == Some(t.id.as_str()));
                if subs { format!("{} (with its sub-codes)", t.name) } else { t.name.clone() }
            }).collect();
            let what = if q.co_occurrence() {
                format!(" with {}", names.join(" and "))
            } else if q.overlap && q.tags.len() > 1 {
                format!(" where {} codings overlap", names.join(" and "))
            } else if q.sub && names.iter().any(|n| n.ends_with(" sub-codes)")) {
                format!(": {}", names.join(", "))
            } else {
                String::new()
            };
            let overlap_view = q.overlap && q.tags.len() > 1;
            // Every chosen tag with its sub-codes on one annotation: exports choose by tags, not by groups.
            let grouped_all = q.co_occurrence() && groups.iter().any(|g| g.len() > 1);
            let title = if overlap_view {
                "Exports choose annotations by their own tags: overlapping codings are a view here, not an export"
            } else if grouped_all {
                "Exports choose annotations by their own tags: all chosen tags with their sub-codes is a view here, not an export"
            } else {
                "Export these segments: the export dialog opens with these tags (and their sub-codes, when included) and texts chosen"
            };
            let tags: Vec<String> = groups.iter().flatten().fold(Vec::new(), |mut v, t| { if !v.contains(t) { v.push(t.clone()); } v });
            view! {
                <div class="row seg-summary">
                    <p class="count-line">{marginalia_core::count(total, "segment")}{what}</p>
                    <span class="row">
                        <button type="button" class="btn seg-copy-all" disabled=total == 0
                            title="Copy every segment listed: its quote with its citation, tags and memo, for a draft"
                            on:click=move |_| crate::dom::copy_text_said(&all_text, format!(
                                "Copied {} with {}: paste them into your draft.",
                                marginalia_core::count(total, "segment"), if total == 1 { "its citation" } else { "their citations" }
                            ), coding)>"Copy all"</button>
                        <button type="button" class="btn seg-export" disabled=overlap_view || grouped_all title=title
                            on:click=move |_| export_these(state, transfer, &q, &tags)>"Export these…"</button>
                    </span>
                    // Why Export is off, said where it is seen (not only in a tooltip).
                    {(overlap_view || grouped_all).then(|| view! {
                        <p class="hint seg-export-why">{if overlap_view {
                            "Overlapping codings are a view, not an export: Copy all takes them; an export chooses annotations by their own tags."
                        } else {
                            "All chosen tags with their sub-codes is a view, not an export: Copy all takes them; an export chooses annotations by their own tags."
                        }}</p>
                    })}
                </div>
            }
        };
        if !q.by_tag || q.co_occurrence() {
            return view! {
                {summary}
                <ol class="segments">{rows.iter().map(|s| item(s, None)).collect_view()}</ol>
            }
            .into_any();
        }
        // Grouped: under each tag (codebook order) every segment that carries it
        // (or, with sub-codes, one of its sub-codes).
        let order: Vec<(String, Vec<String>)> = b.tags.iter()
            .filter(|t| q.tags.is_empty() || q.tags.contains(&t.id))
            .map(|t| (t.id.clone(), if q.sub { family(&b, &t.id) } else { vec![t.id.clone()] }))
            .collect();
        let groups = marginalia_core::segments::by_tag(&rows, |s| &s.tags, &order);
        view! {
            {summary}
            {groups.into_iter().map(|(tag, list)| {
                let name = b.get(&tag).map(|t| t.name.clone()).unwrap_or(tag.clone());
                let n = list.len();
                let items = list.into_iter().map(|s| item(s, Some(&tag))).collect_view();
                view! {
                    <h2 class="seg-group" data-tag=tag>{name}<span class="seg-group-count">{format!(" · {}", marginalia_core::count(n, "segment"))}</span></h2>
                    <ol class="segments">{items}</ol>
                }
            }).collect_view()}
        }
        .into_any()
    };
    let doc_options = move || {
        state.revision.track();
        state.docs.with_value(|docs| {
            docs.iter()
                .map(|d| {
                    let s = slug(&d.meta.id);
                    let label = d.meta.symbol.clone().unwrap_or_else(|| d.meta.title.clone());
                    let selected = { let s = s.clone(); move || query.with(|q| q.doc.as_deref() == Some(s.as_str())) };
                    view! { <option value=s prop:selected=selected>{label}</option> }
                })
                .collect_view()
        })
    };
    view! {
        <section class="segments-view">
            <h1>"Coded segments"</h1>
            <p class="lede">"Every segment under the chosen tags (all tags when none is chosen). The address keeps the choice: bookmark it or send it."</p>
            <div class="row filters" role="group" aria-label="Tags">
                {move || { let b = book.get(); b.tags.iter().map(|t| {
                    let id = t.id.clone();
                    // A sub-code says where it sits.
                    let path = t.parent.is_some().then(|| b.path(&t.id));
                    let pressed = { let id = id.clone(); move || query.with(|q| q.tags.contains(&id)).to_string() };
                    view! {
                        <button type="button" class="tagbtn" class:sub=t.parent.is_some() aria-pressed=pressed data-tag=t.id.clone() title=path
                            on:click=move |_| change(&|q| if let Some(i) = q.tags.iter().position(|x| *x == id) { q.tags.remove(i); } else { q.tags.push(id.clone()); })>
                            <span class="swatch" style=format!("background:{}", t.colour)></span>{t.name.clone()}
                        </button>
                    }
                }).collect_view() }}
            </div>
            <div class="row filters more">
                <fieldset class="match" disabled=move || query.with(|q| q.tags.len() < 2)
                    title="With two tags or more chosen: segments with any of them, or only those with all of them (co-occurrence)">
                    <legend class="visually-hidden">"Segments with"</legend>
                    <label class="choice"><input type="radio" name="seg-match" value="any" prop:checked=move || query.with(|q| !q.all && !q.overlap)
                        on:change=move |_| change(&|q| { q.all = false; q.overlap = false; }) />" Any chosen tag"</label>
                    <label class="choice"><input type="radio" name="seg-match" value="all" prop:checked=move || query.with(|q| q.all)
                        on:change=move |_| change(&|q| { q.all = true; q.overlap = false; }) />" All chosen tags (on one annotation)"</label>
                    <label class="choice" title="Co-occurrence as NVivo and ATLAS.ti count it: annotations with a chosen tag that overlap an annotation (of the same coder) with each other chosen tag">
                        <input type="radio" name="seg-match" value="overlap" prop:checked=move || query.with(|q| q.overlap && !q.all)
                        on:change=move |_| change(&|q| { q.all = false; q.overlap = true; }) />" Overlapping codings"</label>
                </fieldset>
                <label class="seg-in">"In "
                    <select class="seg-doc" on:change=move |ev| {
                        let v = event_target_value(&ev);
                        change(&|q| q.doc = (!v.is_empty()).then(|| v.clone()));
                    }>
                        <option value="" prop:selected=move || query.with(|q| q.doc.is_none())>"every text"</option>
                        {doc_options}
                    </select>
                </label>
                {move || {
                    // Several coders here: one coder's segments, or everyone's.
                    let coders: Vec<String> = coding.coding.with(|c| c.coders().into_iter().map(str::to_string).collect());
                    let chosen = query.with(|q| q.coder.clone());
                    (coders.len() > 1 || chosen.is_some()).then(|| view! {
                        <label class="seg-by">"By "
                            <select class="seg-coder-select" on:change=move |ev| {
                                let v = event_target_value(&ev);
                                change(&|q| q.coder = v.strip_prefix('=').map(str::to_string));
                            }>
                                <option value="" selected=chosen.is_none()>"everyone"</option>
                                {coders.into_iter().map(|c| {
                                    let sel = chosen.as_deref() == Some(c.as_str());
                                    let label = marginalia_core::coder_shown(&c).to_string();
                                    view! { <option value=format!("={c}") selected=sel>{label}</option> }
                                }).collect_view()}
                            </select>
                        </label>
                    })
                }}
                {move || (has_tree.get() || query.with(|q| q.sub)).then(|| view! {
                    <label class="snap" title="A chosen tag takes in the segments of its sub-codes too (as NVivo's aggregate coding does)">
                        <input type="checkbox" class="seg-sub" prop:checked=move || query.with(|q| q.sub)
                            on:change=move |ev| { let on = event_target_checked(&ev); change(&|q| q.sub = on) } />" With sub-codes"</label>
                })}
                <label class="snap" title=move || if query.with(|q| q.co_occurrence()) { "Every segment listed has all the chosen tags: there is one group" } else { "" }>
                    <input type="checkbox" class="seg-group-by" prop:checked=move || query.with(|q| q.by_tag && !q.co_occurrence())
                        disabled=move || query.with(|q| q.co_occurrence())
                        on:change=move |ev| { let on = event_target_checked(&ev); change(&|q| q.by_tag = on) } />" Group by tag"</label>
                {move || (query.get() != SegmentsQuery::default()).then(|| view! {
                    <button type="button" class="btn link seg-clear" on:click=move |_| state.replace_route(Route::Segments(SegmentsQuery::default()))>"Show everything"</button>
                })}
            </div>
            {move || read.with(|r| (!r.1.is_empty()).then(|| view! {
                <p class="seg-missing" role="status">{format!("This address names what is not here ({}): the rest is shown.", r.1.join(", "))}</p>
            }))}
            <details class="cooc-details" on:toggle=move |ev| cooc_open.set(event_target::<web_sys::Element>(&ev).has_attribute("open"))>
                <summary>"Code co-occurrence table"</summary>
                <p class="count-line">"How many annotations with the row's tag overlap an annotation of the same coder with the column's tag \
                    (the diagonal: each tag's annotations), in the texts and by the coder chosen above; the chosen tags, or every tag \
                    when fewer than two are chosen; with sub-codes, a tag's row and column count its sub-codes' annotations too. \
                    A row counts the row tag's annotations, so two tags' cells can differ: one long annotation may meet two of the other's."</p>
                <div inner_html=move || cooc.with(|(names, counts)| marginalia_core::segments::cooccurrence_html(names, counts))></div>
                <button type="button" class="btn cooc-csv" on:click=download_cooc>"Download as CSV"</button>
            </details>
            {rows}
        </section>
    }
}

/// The texts the query names (one, or all) with their live annotations by the
/// coder it names (or everyone's): what the list and the co-occurrence table count.
fn in_scope<'a>(q: &'a SegmentsQuery, docs: &'a [Arc<Document>], c: &'a Coding) -> impl Iterator<Item = (&'a Document, Vec<&'a Annotation>)> {
    docs.iter().filter(|d| q.doc.as_ref().is_none_or(|s| *s == slug(&d.meta.id))).map(move |d| {
        (&**d, c.live(&d.meta.id).filter(|a| q.coder.as_ref().is_none_or(|k| a.coder == *k)).collect())
    })
}

/// Opens the export dialog with the retrieval's tags (`tags`: the chosen, with
/// their sub-codes when included) and text chosen.
fn export_these(state: crate::state::AppState, t: super::transfer::Transfer, q: &SegmentsQuery, tags: &[String]) {
    let doc = q.doc.as_ref().and_then(|s| state.doc_by_slug(s)).map(|d| d.meta.id.clone());
    t.preset.set(Some(marginalia_core::export::Scope {
        documents: doc.map(|d| vec![d]),
        tags: (!tags.is_empty()).then(|| tags.to_vec()),
        coder: q.coder.clone(),
        all_tags: q.co_occurrence(),
    }));
    t.exporting.set(true);
}

/// A memo, its citations of paragraphs as links.
fn memo_view(memo: &str, cited: &[(String, String)]) -> impl IntoView {
    let docs: Vec<(&str, &str)> = cited.iter().map(|(w, id)| (w.as_str(), id.as_str())).collect();
    marginalia_core::route::cited_in(memo, &docs)
        .into_iter()
        .map(|(text, href)| match href {
            Some(h) => view! { <a class="memo-cite" href=h>{text}</a> }.into_any(),
            None => text.into_any(),
        })
        .collect_view()
}
