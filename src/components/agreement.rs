//! Intercoder agreement (#/agreement?a=…&b=…): two coders, or a coder and an
//! answer key, compared tag by tag; everyone against coder A (a class against
//! the key); where they differ, each linking to its paragraph. All the
//! measuring is core's (`agreement`).

use std::sync::Arc;

use leptos::prelude::*;
use marginalia_core::agreement::{Comparison, Counts, Reliability, Settings, alpha, alpha_csv, class_csv, coders, compare, report_html, to_csv, within_label};
use marginalia_core::coding::Coding;
use marginalia_core::route::{Route, Within, slug};
use marginalia_core::Document;

use crate::coding::use_coding;
use crate::state::use_app_state;

/// Disagreements listed at most (the CSV and the counts cover all).
const LISTED: usize = 200;

/// The passage chosen, cut once (`agreement::within`: the text with only its
/// paragraphs as units, the annotations cut to it), for every measure to share.
type Passage = Option<Arc<(Document, Coding)>>;

/// With sub-codes (`sub=1`): the coding with every annotation carrying its
/// tags' ancestors too (`Coding::rolled_up`), made once per change.
type Rolled = Option<Arc<Coding>>;

/// Runs `f` over the coding measured: rolled up (each tag with its sub-codes'
/// coding), or as it is.
fn with_source<R>(coding: crate::coding::CodingState, rolled: Memo<Rolled>, f: impl FnOnce(&Coding) -> R) -> R {
    match rolled.get() {
        Some(r) => f(&r),
        None => coding.coding.with(f),
    }
}

/// Runs `f` over what is measured: every text, the texts each of `coders` coded
/// (`in=*`), or the passage chosen (only its paragraphs are units, and only what
/// was coded in them counts).
fn measured<R>(
    state: crate::state::AppState,
    coding: crate::coding::CodingState,
    (within, passage, rolled): (Memo<Option<Within>>, Memo<Passage>, Memo<Rolled>),
    coders: &[&str],
    f: impl FnOnce(&[&Document], &Coding) -> R,
) -> R {
    if let Some(p) = passage.get() {
        return f(&[&p.0], &p.1);
    }
    let each = within.with(|w| w.as_ref().is_some_and(Within::is_each_coded));
    with_source(coding, rolled, |c| {
        state.docs.with_value(|docs| {
            if each {
                return f(&marginalia_core::agreement::each_coded(docs, c, coders), c);
            }
            let all: Vec<&Document> = docs.iter().map(AsRef::as_ref).collect();
            f(&all, c)
        })
    })
}

/// The texts `who` coded (a live annotation each), as they are cited, in corpus order.
fn texts_coded_by(docs: &[Arc<Document>], c: &Coding, who: &str) -> Vec<String> {
    docs.iter().filter(|d| c.live(&d.meta.id).any(|x| x.coder == who)).map(|d| d.who().to_string()).collect()
}

#[component]
pub fn AgreementView() -> impl IntoView {
    let state = use_app_state();
    let coding = use_coding();
    crate::perf::record_painted("agreement");
    // The passage named by the task written for a handout here (a teacher's), else the task a handout gave.
    let task_passage = {
        let task = coding.exercise_task();
        state.docs.with_value(|docs| {
            marginalia_core::handout::task_passage(&task, docs).map(|(i, from, to, label)| (slug(&docs[i].meta.id), label, (from, to)))
        })
    };
    // The first visit with a task: over its passage (an exercise scored over every text coded
    // counts the paragraphs no one was asked to code). A choice made since is remembered.
    // A bare address (a bookmark, one typed) opens what was chosen last, as the top bar's link does.
    let bare = state.route.get_untracked() == (Route::Agreement { a: None, b: None, within: None, sub: false });
    let remembered = coding.meta.with_untracked(|m| m.agreement.clone());
    if bare {
        match (&task_passage, remembered.is_empty()) {
            (Some((s, _, range)), true) => {
                state.replace_route(Route::Agreement { a: None, b: None, within: Some(Within { slug: s.clone(), paragraphs: Some(*range) }), sub: false });
            }
            (_, false) => {
                let last = Route::parse(&remembered);
                if matches!(last, Route::Agreement { .. }) {
                    state.replace_route(last);
                }
            }
            _ => {}
        }
    }
    let everyone = Memo::new(move |_| {
        state.revision.track();
        coding.coding.with(|c| state.docs.with_value(|d| coders(d, c)))
    });
    // Over every text coded, or a passage of one (the address's `in` and `p`).
    let within = Memo::new(move |_| match state.route.get() {
        Route::Agreement { within, .. } => within,
        _ => None,
    });
    // Each tag with its sub-codes' coding (the address's `sub=1`).
    let sub = Memo::new(move |_| matches!(state.route.get(), Route::Agreement { sub: true, .. }));
    let rolled: Memo<Rolled> = Memo::new_with_compare(move |_| sub.get().then(|| Arc::new(coding.coding.with(Coding::rolled_up))), |_, _| true);
    let has_tree = Memo::new(move |_| coding.coding.with(|c| c.codebook.tags.iter().any(|t| t.parent.is_some())));
    // The passage, cut when the choice or the coding changes (never compared: a new cut is news).
    let cut: Memo<Passage> = Memo::new_with_compare(
        move |_| {
            let w = within.get()?;
            with_source(coding, rolled, |c| state.docs.with_value(|docs| marginalia_core::agreement::within(docs, c, &w))).map(Arc::new)
        },
        |_, _| true,
    );
    let scope = (within, cut, rolled);
    // The passage as it reads ("S/2019/103 ¶5–18"), or why it cannot be measured.
    let passage = Memo::new(move |_| {
        let w = within.get()?;
        if w.is_each_coded() {
            return Some(Ok("the texts coded by each of the coders compared".to_string()));
        }
        Some(state.docs.with_value(|docs| {
            let d = docs.iter().find(|d| slug(&d.meta.id) == w.slug);
            match (d, cut.with(Option::is_some)) {
                (Some(d), true) => Ok(within_label(d, &w)),
                (Some(d), false) => Err(format!("{} has no paragraph in that range: every text coded is compared.", d.who())),
                (None, _) => Err("That text is not here: every text coded is compared.".to_string()),
            }
        }))
    });
    // Who is compared: as the address says, else the coder here (the key, for a
    // teacher) against the first other coder.
    let pair = Memo::new(move |_| {
        let (a, b) = match state.route.get() {
            Route::Agreement { a, b, .. } => (a, b),
            _ => (None, None),
        };
        let names: Vec<String> = everyone.get().into_iter().map(|(c, _)| c).collect();
        let me = coding.meta.with(|m| m.coder.clone());
        let a = a.filter(|a| names.contains(a)).or_else(|| names.iter().find(|c| **c == me).or(names.first()).cloned());
        let b = b.filter(|b| names.contains(b)).or_else(|| names.iter().find(|c| Some(*c) != a.as_ref()).cloned());
        (a, b)
    });
    // The address is kept (the top bar's link returns to it, the next day too).
    Effect::new(move |_| {
        let r = state.route.get();
        if matches!(r, Route::Agreement { .. }) {
            let hash = r.to_hash();
            if coding.meta.with_untracked(|m| m.agreement != hash) {
                coding.meta.update(|m| m.agreement = hash);
                coding.save_meta();
            }
        }
    });
    let choose = move |which: char, name: String| {
        let (mut a, mut b) = pair.get_untracked();
        // The coder the other side had: the two change places (never A against A).
        if which == 'a' {
            if b.as_deref() == Some(name.as_str()) {
                b = a.take();
            }
            a = Some(name);
        } else {
            if a.as_deref() == Some(name.as_str()) {
                a = b.take();
            }
            b = Some(name);
        }
        state.replace_route(Route::Agreement { a, b, within: within.get_untracked(), sub: sub.get_untracked() });
    };
    let scope_to = move |w: Option<Within>| {
        let (a, b) = pair.get_untracked();
        state.replace_route(Route::Agreement { a, b, within: w, sub: sub.get_untracked() });
    };
    let roll_up = move |on: bool| {
        let (a, b) = pair.get_untracked();
        state.replace_route(Route::Agreement { a, b, within: within.get_untracked(), sub: on });
    };
    // One end of the passage typed (0: from, 1: to); one end alone is one paragraph.
    let set_range = move |which: u8, v: String| {
        let Some(mut w) = within.get_untracked() else { return };
        let (mut a, mut b) = w.paragraphs.map_or((None, None), |(a, b)| (Some(a), Some(b)));
        // Past the text's last paragraph: its last (a start past it is said as no paragraph in range).
        let last = state.docs.with_value(|docs| docs.iter().find(|d| slug(&d.meta.id) == w.slug).map(|d| d.paragraphs().map(|(n, _)| n).max().unwrap_or(0)));
        let n = v.trim().parse::<u32>().ok().filter(|n| *n > 0).map(|n| match last {
            Some(l) if which == 1 && l > 0 => n.min(l),
            _ => n,
        });
        if which == 0 { a = n } else { b = n }
        w.paragraphs = match (a, b) {
            (Some(a), Some(b)) => Some((a.min(b), a.max(b))),
            (Some(x), None) | (None, Some(x)) => Some((x, x)),
            (None, None) => None,
        };
        scope_to(Some(w));
    };
    // No coding of the person here (a teacher grading on another computer than the one
    // they coded the key on): A is one of the coders, and every score is against them. Said.
    let no_key = Memo::new(move |_| {
        let me = coding.meta.with(|m| m.coder.clone());
        if everyone.with(|e| e.len() < 2 || e.iter().any(|(c, _)| *c == me)) {
            return None;
        }
        let a = pair.get().0?;
        let you = if me.is_empty() { "You have".to_string() } else { format!("You ({me}) have") };
        let a = marginalia_core::coder_shown(&a);
        Some(format!(
            "{you} coded nothing in this browser, so every score here is against {a}'s coding. To grade a class against your key, code the passage here (or import the backup that holds your key), then choose it as A."
        ))
    });
    // Over every text coded, the pair did not code the same texts: said, with the
    // way to compare only the texts each coded (coders who shared out the texts).
    let uneven = Memo::new(move |_| {
        if within.get().is_some() {
            return None;
        }
        let (Some(a), Some(b)) = pair.get() else { return None };
        coding.coding.with(|c| {
            state.docs.with_value(|docs| {
                let of = |who: &str| texts_coded_by(docs, c, who);
                let (ta, tb) = (of(&a), of(&b));
                let only = |x: &[String], y: &[String]| x.iter().filter(|t| !y.contains(t)).cloned().collect::<Vec<_>>();
                let (only_a, only_b) = (only(&ta, &tb), only(&tb, &ta));
                let said = |who: &str, other: &str, texts: &[String]| {
                    (!texts.is_empty()).then(|| format!("{} coded {} that {} did not ({})", marginalia_core::coder_shown(who), if texts.len() == 1 { "a text" } else { "texts" }, marginalia_core::coder_shown(other), texts.join(", ")))
                };
                let parts: Vec<String> = [said(&a, &b, &only_a), said(&b, &a, &only_b)].into_iter().flatten().collect();
                (!parts.is_empty()).then(|| {
                    format!(
                        "{}. Over every text coded, all the coding there counts as differences. If they shared out the texts, compare only the texts each coded.",
                        parts.join("; ")
                    )
                })
            })
        })
    });
    // A number typed into a focused end replaces it (a click puts no caret after the old one).
    let select_all = |ev: leptos::ev::FocusEvent| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        input.select();
    };
    let tag_ids = move || coding.coding.with(|c| c.codebook.tags.iter().map(|t| t.id.clone()).collect::<Vec<_>>());
    let result = Memo::new(move |_| {
        let (Some(a), Some(b)) = pair.get() else { return None };
        let tags = tag_ids();
        Some(measured(state, coding, scope, &[&a, &b], |d, c| compare(d, c, &a, &b, &tags)))
    });
    // Three coders or more: Krippendorff's alpha over all of them.
    let names = move || everyone.with(|e| e.iter().map(|(c, _)| c.clone()).collect::<Vec<_>>());
    let everyone_alpha = Memo::new(move |_| {
        let names = names();
        (names.len() > 2).then(|| {
            let tags = tag_ids();
            measured(state, coding, scope, &names.iter().map(String::as_str).collect::<Vec<_>>(), |d, c| alpha(d, c, &names, &tags))
        })
    });
    // And without A (a class without its key): the others' consistency among themselves.
    let others_alpha = Memo::new(move |_| {
        let a = pair.get().0?;
        let others: Vec<String> = names().into_iter().filter(|c| *c != a).collect();
        (others.len() >= 2 && everyone_alpha.with(Option::is_some)).then(|| {
            let tags = tag_ids();
            measured(state, coding, scope, &others.iter().map(String::as_str).collect::<Vec<_>>(), |d, c| alpha(d, c, &others, &tags))
        })
    });
    let select = move |which: char| {
        view! {
            <select class=format!("coder-{which}") on:change=move |ev| choose(which, event_target_value(&ev))>
                {move || everyone.get().into_iter().map(|(c, n)| {
                    let label = format!("{} ({})", marginalia_core::coder_shown(&c), marginalia_core::count(n, "annotation"));
                    let selected = { let c = c.clone(); move || { let (a, b) = pair.get(); (if which == 'a' { a } else { b }).as_deref() == Some(c.as_str()) } };
                    view! { <option value=c prop:selected=selected>{label}</option> }
                }).collect_view()}
            </select>
        }
    };
    // What the numbers were measured over, written on each row of the CSVs.
    let over = move || passage.get_untracked().and_then(Result::ok).unwrap_or_else(|| Settings::PLAIN.over.to_string());
    // What the numbers are over, in a file's name ("-S-2019-103-p1-20"; "-each-coded"): files
    // for several passages do not overwrite one another.
    let over_in_name = move || match within.get_untracked() {
        None => String::new(),
        Some(w) if w.is_each_coded() => "-each-coded".to_string(),
        Some(w) => match w.paragraphs_param() {
            Some(p) => format!("-{}-p{p}", w.slug),
            None => format!("-{}", w.slug),
        },
    };
    let download = move |_| {
        let (Some(a), Some(b)) = pair.get_untracked() else { return };
        let Some(r) = result.get_untracked() else { return };
        let over = over();
        let csv = coding.coding.with_untracked(|c| to_csv(&r, &c.codebook, &a, &b, Settings { over: &over, sub_codes: sub.get_untracked() }));
        let day = crate::coding::today();
        // The pair in the name: files for several pairs do not overwrite one another.
        let slug = marginalia_core::export::file_slug;
        crate::download::save(&format!("marginalia-agreement-{}-{}{}-{day}.csv", slug(&a), slug(&b), over_in_name()), "text/csv", &csv);
    };
    let download_alpha = move |_| {
        let Some(r) = everyone_alpha.get_untracked() else { return };
        let over = over();
        let all = names();
        // Beside them, as on the page: every coder but A (a class without its key).
        let a = pair.get_untracked().0.unwrap_or_default();
        let others: Vec<String> = all.iter().filter(|c| **c != a).cloned().collect();
        let without = others_alpha.get_untracked();
        let mut sets: Vec<(&Reliability, &[String])> = vec![(&r, &all)];
        if let Some(w) = &without {
            sets.push((w, &others));
        }
        let csv = coding.coding.with_untracked(|c| alpha_csv(&sets, &c.codebook, Settings { over: &over, sub_codes: sub.get_untracked() }));
        let day = crate::coding::today();
        crate::download::save(&format!("marginalia-alpha{}-{day}.csv", over_in_name()), "text/csv", &csv);
    };
    // Coders whose backup held nothing (students who handed in nothing), not coders here since.
    let nothing = Memo::new(move |_| {
        let here: Vec<String> = everyone.with(|e| e.iter().map(|(c, _)| c.clone()).collect());
        coding.meta.with(|m| m.empty_hand_ins.iter().filter(|n| !here.contains(n)).cloned().collect::<Vec<_>>())
    });
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
            .chain(nothing.get())
            .filter(|c| *c != a)
            .map(|c| {
                // B's is already measured.
                let all = if c == b {
                    r.all
                } else {
                    measured(state, coding, scope, &[&a, &c], |d, k| compare(d, k, &a, &c, &tags).all)
                };
                (c, all)
            })
            .collect();
        Some(class)
    });
    // In the class, a coder who coded none of the texts A coded (a student on the wrong
    // report), with the texts they did code: their scores measure nothing of the exercise,
    // which the page and the gradebook's note say.
    let elsewhere = Memo::new(move |_| -> Vec<(String, String)> {
        let (Some(a), _) = pair.get() else { return Vec::new() };
        if class.with(|c| c.as_ref().is_none_or(|c| c.len() < 2)) {
            return Vec::new();
        }
        coding.coding.with(|c| {
            state.docs.with_value(|docs| {
                let of = |who: &str| texts_coded_by(docs, c, who);
                let key = of(&a);
                everyone
                    .get()
                    .into_iter()
                    .map(|(x, _)| x)
                    .filter(|x| *x != a)
                    .filter_map(|x| {
                        let texts = of(&x);
                        (!texts.is_empty() && !texts.iter().any(|t| key.contains(t))).then(|| (x, texts.join(", ")))
                    })
                    .collect()
            })
        })
    });
    // Over a passage, each coder's annotations outside it: not scored, and said (a student
    // who coded beyond the exercise is not silently scored on part of their work).
    let off_passage = Memo::new(move |_| {
        let w = within.get().filter(|w| !w.is_each_coded())?;
        let out = coding.coding.with(|c| state.docs.with_value(|docs| marginalia_core::agreement::outside(docs, c, &w)));
        (!out.is_empty()).then_some(out)
    });
    // Over a passage: each student's coding beside the key's, a page each, to hand back.
    let download_feedback = move |_| {
        let (Some(a), _) = pair.get_untracked() else { return };
        let (Some(class), Some(p)) = (class.get_untracked(), cut.get_untracked()) else { return };
        let label = passage.get_untracked().and_then(Result::ok).unwrap_or_default();
        let (d, k) = (&p.0, &p.1);
        let live: Vec<_> = k.live(&d.meta.id).collect();
        let zip = marginalia_core::agreement::feedback_zip(d, &live, &a, &class, &k.codebook, &label);
        let name = format!("marginalia-feedback-{}{}-{}.zip", marginalia_core::export::file_slug(&a), over_in_name(), crate::coding::today());
        if crate::download::save_bytes(&name, "application/zip", &zip) {
            coding.notice.set(Some(crate::coding::Notice::done(format!(
                "Downloaded {name}: a page for each of the {}, their coding of {label} beside {a}'s, to hand back.",
                marginalia_core::count(class.len(), "coder")
            ))));
        }
    };
    let download_class = move |_| {
        let (Some(a), _) = pair.get_untracked() else { return };
        let Some(class) = class.get_untracked() else { return };
        let day = crate::coding::today();
        let name = format!("marginalia-against-{}{}-{day}.csv", marginalia_core::export::file_slug(&a), over_in_name());
        let over = over();
        // Why a score is what it is, on its row: nothing handed in, or another text coded.
        let (empty, away, off) = (nothing.get_untracked(), elsewhere.get_untracked(), off_passage.get_untracked().unwrap_or_default());
        let note_of = |who: &str| -> String {
            if empty.iter().any(|e| e == who) {
                return "handed in nothing".to_string();
            }
            let away = away.iter().find(|(x, _)| x == who).map(|(_, texts)| format!("coded none of the texts {a} coded (only {texts})"));
            let off = off.get(who).map(|at| format!("{} outside the passage, not scored: {}", marginalia_core::count(at.len(), "annotation"), at.join("; ")));
            [away, off].into_iter().flatten().collect::<Vec<_>>().join("; ")
        };
        crate::download::save(&name, "text/csv", &class_csv(&class, &a, Settings { over: &over, sub_codes: sub.get_untracked() }, &note_of));
    };
    // The passage side by side (a class beside its key): coders A, B, the others and
    // those who handed in nothing; a grid of their tags per coded paragraph, then
    // each paragraph's text coder by coder. Built in core, as HTML.
    // Asked for from a report ("Side by side" beside its Show): open.
    let open_side = state.open_side_by_side.try_update_value(std::mem::take).unwrap_or(false);
    let only_differences = RwSignal::new(false);
    // Built when the passage, the coders or the choice change; the view around it stays
    // (toggling "Only where someone differs" keeps it open).
    let sbs = Memo::new(move |_| {
        within.get().filter(|w| !w.is_each_coded())?;
        let (a, b) = pair.get();
        let mut order: Vec<String> = a.into_iter().chain(b).collect();
        // Those who handed in nothing too: a row of nothing says so.
        let rest: Vec<String> = everyone.get().into_iter().map(|(c, _)| c).chain(nothing.get()).filter(|c| !order.contains(c)).collect();
        order.extend(rest);
        // The passage as measured: with sub-codes, each tag carries its sub-codes' coding.
        let p = cut.get()?;
        let (d, k) = (&p.0, &p.1);
        let live: Vec<_> = k.live(&d.meta.id).collect();
        let only = only_differences.get();
        let (html, css, shown, all) = marginalia_core::html::side_by_side(d, &live, &order, &k.codebook, only, true);
        let label = passage.get().and_then(Result::ok).unwrap_or_default();
        let blocks = if only {
            format!("{shown} of {all} coded paragraphs where someone differs from A")
        } else {
            format!("{} coded", marginalia_core::count(all, "paragraph"))
        };
        // Those who handed in nothing are among them (the lists above count those who coded).
        let empty = nothing.with(|n| order.iter().filter(|c| n.contains(c)).count());
        let empty = if empty == 0 { String::new() } else { format!(" ({empty} handed in nothing)") };
        let summary = format!("Side by side: {label}, {} coders{empty}, {blocks}", order.len());
        Some((summary, html, css, only && shown == 0 && all > 0))
    });
    let part = move |f: fn(&(String, String, String, bool)) -> String| move || sbs.with(|s| s.as_ref().map(f).unwrap_or_default());
    let has_side = Memo::new(move |_| sbs.with(Option::is_some));
    let side = move || {
        has_side.get().then(|| view! {
            <details class="side-by-side" open=open_side>
                <summary>{part(|s| s.0.clone())}</summary>
                <p class="hint">"The tags each coder gave in each paragraph someone coded, marked where they are not A's; below, each paragraph's text as each coder highlighted it (open one: coders who coded it exactly alike share a row)."</p>
                <label class="snap sbs-only">
                    <input type="checkbox" class="sbs-only-differences" prop:checked=move || only_differences.get()
                        on:change=move |ev| only_differences.set(event_target_checked(&ev)) />" Only where someone differs from A"</label>
                {move || sbs.with(|s| s.as_ref().is_some_and(|s| s.3)).then_some(view! { <p class="empty sbs-agree">"Every coder gave A's tags in every coded paragraph."</p> })}
                <style>{part(|s| s.2.clone())}</style>
                <div class="sbs-list" inner_html=part(|s| s.1.clone())></div>
            </details>
        })
    };
    // The tables and the list are built in core, as HTML, like a report's prose.
    let body = move || {
        let r: Comparison = result.get()?;
        let (a, b) = pair.get();
        let (a, b) = (a.unwrap_or_default(), b.unwrap_or_default());
        if a == b {
            return Some(view! {
                <p class="empty same-coder">{format!("A and B are both {}: choose another coder as B to compare.", marginalia_core::coder_shown(&a))}</p>
            }.into_any());
        }
        let class = class.get().unwrap_or_default();
        let all: Option<Reliability> = everyone_alpha.get();
        let others: Option<Reliability> = others_alpha.get();
        let n = everyone.with(Vec::len);
        let w = within.get();
        let label = passage.get().and_then(Result::ok);
        let html = measured(state, coding, scope, &[&a, &b], |d, k| {
            let over = w.as_ref().zip(label.as_deref());
            report_html(&r, &class, &nothing.get(), all.as_ref().map(|x| (x, n, others.as_ref())), &k.codebook, d, (&a, &b), LISTED, over, sub.get())
        });
        let elsewhere: Vec<String> = elsewhere.get().into_iter().map(|(x, texts)| {
            let who = marginalia_core::coder_shown(&x);
            format!("{who} coded none of the texts {a} coded (only {texts})")
        }).collect();
        let off = off_passage.get().map(|off| {
            let who: Vec<String> = off
                .iter()
                .map(|(x, at)| {
                    let shown: Vec<&str> = at.iter().take(5).map(String::as_str).collect();
                    let more = if at.len() > 5 { ", …" } else { "" };
                    let name = if x.is_empty() { "an unnamed coder" } else { x.as_str() };
                    format!("{name}'s {} ({}{more})", marginalia_core::count(at.len(), "annotation"), shown.join(", "))
                })
                .collect();
            format!("Not scored, outside {}: {}.", label.clone().unwrap_or_default(), who.join("; "))
        });
        Some(view! {
            {off.map(|text| view! { <p class="scope-uneven outside-passage">{text}</p> })}
            {(!elsewhere.is_empty()).then(|| view! {
                <p class="scope-uneven class-elsewhere">{format!("{}: their scores against {a} measure none of what {a} coded.", elsewhere.join("; "))}</p>
            })}
            // The files first: after the tables comes the list of differences, which can be long.
            <p class="row agreement-files">
                <button type="button" class="btn agreement-csv" on:click=download>"Download as CSV"</button>
                {(class.len() > 1).then(|| view! { <button type="button" class="btn class-csv" on:click=download_class>{format!("Gradebook (everyone against {a}) as CSV")}</button> })}
                {(!class.is_empty() && w.as_ref().is_some_and(|w| !w.is_each_coded())).then(|| view! {
                    <button type="button" class="btn feedback-zip" title="A page for each coder: their coding of the passage beside A's, with their scores"
                        on:click=download_feedback>"Feedback for each (.zip)"</button>
                })}
                {all.is_some().then(|| view! { <button type="button" class="btn alpha-csv" on:click=download_alpha>"All coders' α as CSV"</button> })}
            </p>
            {side}
            <div class="agreement-report" inner_html=html></div>
        }.into_any())
    };
    // The coders here, each renamable: a student who appears under two spellings
    // ("ben", "Ben") is merged by giving one the other's name; an unnamed coder
    // (a file that named none) gets a name.
    let renaming = RwSignal::new(None::<String>);
    let rename = move |from: String, to: String| {
        let to = to.trim().to_string();
        if to.is_empty() || to == from {
            renaming.set(None);
            return;
        }
        let joins = everyone.with_untracked(|e| e.iter().any(|(c, _)| *c == to));
        // As the address names them now (the pair falls back once `from` is gone).
        let (a, b) = match state.route.get_untracked() {
            Route::Agreement { a, b, .. } => (a, b),
            _ => (None, None),
        };
        let t = crate::coding::now();
        let mut moved = 0;
        coding.change(|c| {
            let (touched, n) = c.rename_coder(&from, &to, &t);
            moved = n;
            touched
        });
        let was = if from.is_empty() { "an unnamed coder".to_string() } else { from.clone() };
        let what = marginalia_core::count(moved, "annotation");
        let (are, carry) = if moved == 1 { ("is", "carries") } else { ("are", "carry") };
        // One's own name corrected (a teacher naming the key "Answer key"): what is coded
        // next goes under it too, not under the old name beside it.
        let mine = !from.is_empty() && coding.meta.with_untracked(|m| m.coder == from);
        if mine {
            coding.meta.update(|m| m.coder = to.clone());
            coding.save_meta();
            coding.self_rename.set_value(Some((from.clone(), to.clone())));
        }
        let now_coding = if mine { format!(" You code as {to} now.") } else { String::new() };
        coding.notice.set(Some(coding.undoable(if joins {
            format!("The {what} of {was} {are} now {to}'s, with {to}'s own: one coder.{now_coding}")
        } else {
            format!("The {what} of {was} now {carry} the name {to}.{now_coding}")
        })));
        renaming.set(None);
        // The pair follows the name.
        let follow = |x: Option<String>| x.map(|x| if x == from { to.clone() } else { x });
        state.replace_route(Route::Agreement { a: follow(a), b: follow(b), within: within.get_untracked(), sub: sub.get_untracked() });
    };
    // Names that differ only in case: perhaps one person.
    let twins = Memo::new(move |_| {
        let names: Vec<String> = everyone.with(|e| e.iter().map(|(c, _)| c.clone()).collect());
        let mut out = Vec::new();
        for (i, x) in names.iter().enumerate() {
            for y in &names[i + 1..] {
                if x.to_lowercase() == y.to_lowercase() {
                    out.push(format!("{x} and {y}"));
                }
            }
        }
        out
    });
    let coders_panel = move || {
        let list = everyone.get();
        let twins = twins.get();
        let hint = (!twins.is_empty()).then(|| format!(" · {} differ only in case: one person? Rename one to the other's name to merge them.", twins.join(", ")));
        view! {
            <details class="coders-here" open=!twins.is_empty()>
                <summary>{format!("Coders here ({})", list.len())}<span class="hint">{hint}</span></summary>
                <p class="hint">"Rename a coder to correct a name, or give one coder's annotations to another by typing the other's name (Undo takes it back)."</p>
                <ul class="coder-rows">
                    {list.into_iter().map(|(c, n)| {
                        let label = marginalia_core::coder_shown(&c).to_string();
                        let (c1, c2, c3) = (c.clone(), c.clone(), c.clone());
                        let typed = RwSignal::new(c.clone());
                        view! {
                            <li data-coder=c.clone()>
                                <span class="coder-label">{label.clone()}</span>" "<span class="hint">{marginalia_core::count(n, "annotation")}</span>
                                {move || if renaming.get().as_deref() == Some(c1.as_str()) {
                                    let c2 = c2.clone();
                                    view! {
                                        <form class="row rename-coder" on:submit=move |ev| { ev.prevent_default(); rename(c2.clone(), typed.get_untracked()); }>
                                            <input type="text" aria-label=format!("New name for {label}") prop:value=move || typed.get()
                                                on:input=move |ev| typed.set(event_target_value(&ev)) />
                                            <button type="submit" class="btn primary">"Rename"</button>
                                            <button type="button" class="btn" on:click=move |_| renaming.set(None)>"Cancel"</button>
                                        </form>
                                    }.into_any()
                                } else {
                                    let c3 = c3.clone();
                                    view! { <button type="button" class="linkish rename-start" on:click=move |_| {
                                        renaming.set(Some(c3.clone()));
                                        request_animation_frame(|| {
                                            if let Some(i) = document().query_selector(".rename-coder input").ok().flatten().and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlInputElement>(e).ok()) {
                                                let _ = i.focus();
                                                i.select();
                                            }
                                        });
                                    }>"Rename…"</button> }.into_any()
                                }}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </details>
        }
    };
    view! {
        <section class="segments-view agreement-view">
            <h1>"Agreement"</h1>
            <p class="lede">"Two coders compared tag by tag, or a coder and an answer key. Bring in others' work with Import… (a backup or an export: each annotation keeps its coder)."</p>
            {move || match everyone.with(Vec::len) {
                0 => view! { <p class="empty">"Nothing is coded yet."</p> }.into_any(),
                1 => view! { <p class="empty">{format!("Only one coder's annotations are here ({}). Import a colleague's or a student's backup to compare.", everyone.with(|e| e[0].0.clone()))}</p> }.into_any(),
                _ => view! {
                    {coders_panel}
                    <div class="row filters more">
                        <label>"Coder A (or the key) " {select('a')}</label>
                        <label>"Coder B " {select('b')}</label>
                    </div>
                    <div class="row filters more scope">
                        <label>"Over "
                            <select class="scope-text" on:change=move |ev| {
                                let v = event_target_value(&ev);
                                scope_to((!v.is_empty()).then(|| Within { slug: v, paragraphs: None }));
                            }>
                                <option value="" prop:selected=move || within.with(Option::is_none)>"every text coded"</option>
                                <option value=Within::EACH_CODED prop:selected=move || within.with(|w| w.as_ref().is_some_and(Within::is_each_coded))>"only the texts each coder coded"</option>
                                {state.docs.with_value(|docs| docs.iter().map(|d| {
                                    let s = slug(&d.meta.id);
                                    let on = { let s = s.clone(); move || within.with(|w| w.as_ref().is_some_and(|w| w.slug == s)) };
                                    view! { <option value=s prop:selected=on>{d.who().to_string()}</option> }
                                }).collect_view())}
                            </select>
                        </label>
                        <span class="hint scope-hint" hidden=move || within.with(Option::is_some)>" An exercise's passage: choose its text, then its paragraphs (its coding is then shown side by side too)."</span>
                        {move || (has_tree.get() || sub.get()).then(|| view! {
                            <label class="snap" title="Each tag counts the coding of its sub-codes too (as NVivo's aggregate coding does)">
                                <input type="checkbox" class="agreement-sub" prop:checked=move || sub.get()
                                    on:change=move |ev| roll_up(event_target_checked(&ev)) />" With sub-codes"</label>
                        })}
                        <span class="scope-range" hidden=move || within.with(|w| w.as_ref().is_none_or(Within::is_each_coded))>
                            <label>"paragraphs ¶"
                                <input type="number" min="1" class="scope-from" aria-label="From paragraph"
                                    prop:value=move || within.with(|w| w.as_ref().and_then(|w| w.paragraphs).map(|(a, _)| a.to_string()).unwrap_or_default())
                                    on:focus=select_all
                                    on:change=move |ev| set_range(0, event_target_value(&ev)) />
                            </label>
                            <label>" to ¶"
                                <input type="number" min="1" class="scope-to" aria-label="To paragraph"
                                    // One paragraph (from alone): the other end stays empty, not a copy to type after.
                                    prop:value=move || within.with(|w| w.as_ref().and_then(|w| w.paragraphs).filter(|(a, b)| a != b).map(|(_, b)| b.to_string()).unwrap_or_default())
                                    on:focus=select_all
                                    on:change=move |ev| set_range(1, event_target_value(&ev)) />
                            </label>
                            <span class="hint">" (empty: the whole text)"</span>
                        </span>
                    </div>
                    {move || no_key.get().map(|text| view! { <p class="scope-uneven no-key" role="status">{text}</p> })}
                    // The passage the handout's task names ("Code ¶5–18 of S/2019/103"), offered first:
                    // a class graded over every text coded counts paragraphs no one was asked to code.
                    {task_passage.clone().map(|(s, label, range)| view! {
                        <p class="task-offer" hidden=move || within.with(Option::is_some)>
                            {format!("The handout's task names {label}: over every text coded, paragraphs no one was asked to code count as agreement. ")}
                            <button type="button" class="btn primary task-passage" on:click=move |_| scope_to(Some(Within { slug: s.clone(), paragraphs: Some(range) }))>
                                {format!("Over the task's passage: {label}")}</button>
                        </p>
                    })}
                    {move || passage.get().and_then(Result::err).map(|e| view! { <p class="empty scope-problem" role="status">{e}</p> })}
                    {move || uneven.get().map(|text| view! {
                        <p class="scope-uneven">{text}" "
                            <button type="button" class="btn link each-coded" on:click=move |_| {
                                scope_to(Some(Within::each_coded()));
                                // The button goes with the warning: the focus stays on the page.
                                crate::dom::focus_main(true);
                            }>"Only the texts each coded"</button>
                        </p>
                    })}
                    {body}
                }.into_any(),
            }}
        </section>
    }
}
