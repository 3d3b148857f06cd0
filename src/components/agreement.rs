//! Intercoder agreement (#/agreement?a=…&b=…): two coders, or a coder and an
//! answer key, compared tag by tag; everyone against coder A (a class against
//! the key); where they differ, each linking to its paragraph. All the
//! measuring is core's (`agreement`).

use leptos::prelude::*;
use marginalia_core::agreement::{Comparison, Counts, Reliability, alpha, alpha_csv, class_csv, coders, compare, report_html, to_csv};
use marginalia_core::route::Route;

use crate::coding::use_coding;
use crate::state::use_app_state;

/// Disagreements listed at most (the CSV and the counts cover all).
const LISTED: usize = 200;

#[component]
pub fn AgreementView() -> impl IntoView {
    let state = use_app_state();
    let coding = use_coding();
    crate::perf::record_painted("agreement");
    let everyone = Memo::new(move |_| {
        state.revision.track();
        coding.coding.with(|c| state.docs.with_value(|d| coders(d, c)))
    });
    // Who is compared: as the address says, else the coder here (the key, for a
    // teacher) against the first other coder.
    let pair = Memo::new(move |_| {
        let (a, b) = match state.route.get() {
            Route::Agreement { a, b } => (a, b),
            _ => (None, None),
        };
        let names: Vec<String> = everyone.get().into_iter().map(|(c, _)| c).collect();
        let me = coding.meta.with(|m| m.coder.clone());
        let a = a.filter(|a| names.contains(a)).or_else(|| names.iter().find(|c| **c == me).or(names.first()).cloned());
        let b = b.filter(|b| names.contains(b)).or_else(|| names.iter().find(|c| Some(*c) != a.as_ref()).cloned());
        (a, b)
    });
    let choose = move |which: char, name: String| {
        let (mut a, mut b) = pair.get_untracked();
        if which == 'a' { a = Some(name) } else { b = Some(name) }
        state.replace_route(Route::Agreement { a, b });
    };
    let tag_ids = move || coding.coding.with(|c| c.codebook.tags.iter().map(|t| t.id.clone()).collect::<Vec<_>>());
    let result = Memo::new(move |_| {
        let (Some(a), Some(b)) = pair.get() else { return None };
        let tags = tag_ids();
        Some(coding.coding.with(|c| state.docs.with_value(|d| compare(d, c, &a, &b, &tags))))
    });
    // Three coders or more: Krippendorff's alpha over all of them.
    let names = move || everyone.with(|e| e.iter().map(|(c, _)| c.clone()).collect::<Vec<_>>());
    let everyone_alpha = Memo::new(move |_| {
        let names = names();
        (names.len() > 2).then(|| {
            let tags = tag_ids();
            coding.coding.with(|c| state.docs.with_value(|d| alpha(d, c, &names, &tags)))
        })
    });
    // And without A (a class without its key): the others' consistency among themselves.
    let others_alpha = Memo::new(move |_| {
        let a = pair.get().0?;
        let others: Vec<String> = names().into_iter().filter(|c| *c != a).collect();
        (others.len() >= 2 && everyone_alpha.with(Option::is_some)).then(|| {
            let tags = tag_ids();
            coding.coding.with(|c| state.docs.with_value(|d| alpha(d, c, &others, &tags)))
        })
    });
    let select = move |which: char| {
        view! {
            <select class=format!("coder-{which}") on:change=move |ev| choose(which, event_target_value(&ev))>
                {move || everyone.get().into_iter().map(|(c, n)| {
                    let label = format!("{} ({})", if c.is_empty() { "(unnamed)" } else { c.as_str() }, marginalia_core::count(n, "annotation"));
                    let selected = { let c = c.clone(); move || { let (a, b) = pair.get(); (if which == 'a' { a } else { b }).as_deref() == Some(c.as_str()) } };
                    view! { <option value=c prop:selected=selected>{label}</option> }
                }).collect_view()}
            </select>
        }
    };
    let download = move |_| {
        let (Some(a), Some(b)) = pair.get_untracked() else { return };
        let Some(r) = result.get_untracked() else { return };
        let csv = coding.coding.with_untracked(|c| to_csv(&r, &c.codebook, &a, &b));
        let day = crate::coding::today();
        crate::download::save(&format!("marginalia-agreement-{day}.csv"), "text/csv", &csv);
    };
    let download_alpha = move |_| {
        let Some(r) = everyone_alpha.get_untracked() else { return };
        let csv = coding.coding.with_untracked(|c| alpha_csv(&r, &c.codebook, &names()));
        let day = crate::coding::today();
        crate::download::save(&format!("marginalia-alpha-{day}.csv"), "text/csv", &csv);
    };
    // Everyone against A: a class against the key.
    let class = Memo::new(move |_| {
        let r: Comparison = result.get()?;
        let (a, b) = pair.get();
        let (a, b) = (a.unwrap_or_default(), b.unwrap_or_default());
        let tags = tag_ids();
        let class: Vec<(String, Counts)> = everyone
            .get()
            .into_iter()
            .map(|(c, _)| c)
            .filter(|c| *c != a)
            .map(|c| {
                // B's is already measured.
                let all = if c == b { r.all } else { coding.coding.with(|k| state.docs.with_value(|d| compare(d, k, &a, &c, &tags).all)) };
                (c, all)
            })
            .collect();
        Some(class)
    });
    let download_class = move |_| {
        let (Some(a), _) = pair.get_untracked() else { return };
        let Some(class) = class.get_untracked() else { return };
        let day = crate::coding::today();
        let name = format!("marginalia-against-{}-{day}.csv", marginalia_core::export::file_slug(&a));
        crate::download::save(&name, "text/csv", &class_csv(&class, &a));
    };
    // The tables and the list are built in core, as HTML, like a report's prose.
    let body = move || {
        let r: Comparison = result.get()?;
        let (a, b) = pair.get();
        let (a, b) = (a.unwrap_or_default(), b.unwrap_or_default());
        if a == b {
            return Some(view! {
                <p class="empty same-coder">{format!("A and B are both {}: choose another coder as B to compare.", if a.is_empty() { "(unnamed)" } else { a.as_str() })}</p>
            }.into_any());
        }
        let class = class.get().unwrap_or_default();
        let all: Option<Reliability> = everyone_alpha.get();
        let others: Option<Reliability> = others_alpha.get();
        let n = everyone.with(Vec::len);
        let html = coding.coding.with(|c| {
            state.docs.with_value(|d| report_html(&r, &class, all.as_ref().map(|x| (x, n, others.as_ref())), &c.codebook, d, (&a, &b), LISTED))
        });
        Some(view! {
            <div class="agreement-report" inner_html=html></div>
            <p class="row">
                <button type="button" class="btn agreement-csv" on:click=download>"Download as CSV"</button>
                {(class.len() > 1).then(|| view! { <button type="button" class="btn class-csv" on:click=download_class>{format!("Everyone against {a} as CSV")}</button> })}
                {all.is_some().then(|| view! { <button type="button" class="btn alpha-csv" on:click=download_alpha>"All coders' α as CSV"</button> })}
            </p>
        }.into_any())
    };
    view! {
        <section class="segments-view agreement-view">
            <h1>"Agreement"</h1>
            <p class="lede">"Two coders compared tag by tag, or a coder and an answer key. Bring in others' work with Import… (a backup or an export: each annotation keeps its coder)."</p>
            {move || match everyone.with(Vec::len) {
                0 => view! { <p class="empty">"Nothing is coded yet."</p> }.into_any(),
                1 => view! { <p class="empty">{format!("Only one coder's annotations are here ({}). Import a colleague's or a student's backup to compare.", everyone.with(|e| e[0].0.clone()))}</p> }.into_any(),
                _ => view! {
                    <div class="row filters more">
                        <label>"Coder A (or the key) " {select('a')}</label>
                        <label>"Coder B " {select('b')}</label>
                    </div>
                    {body}
                }.into_any(),
            }}
        </section>
    }
}
