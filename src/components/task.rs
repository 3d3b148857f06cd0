//! The task a handout gave this coder: kept with the coder's settings (store::Meta::task),
//! shown above the corpus and, folded, beside each report, until put aside.

use leptos::prelude::*;

use crate::coding::{Notice, use_coding};

/// `beside`: folded at the top of the side panel of a report; otherwise in full
/// above the corpus, with the button that puts it aside.
#[component]
pub fn TaskNote(#[prop(optional)] beside: bool) -> impl IntoView {
    let coding = use_coding();
    let state = crate::state::use_app_state();
    // Drawn again when the task changes, not at every other setting's change.
    let task = Memo::new(move |_| coding.meta.with(|m| m.task.clone()));
    move || {
        let paragraphs = task.with(|t| marginalia_core::handout::task_paragraphs(t));
        if paragraphs.is_empty() {
            return None;
        }
        // The passage it names, one tap away.
        let go = task.with(|t| {
            state.docs.with_value(|docs| {
                marginalia_core::handout::task_passage(t, docs).map(|(i, from, _, label)| {
                    (marginalia_core::route::Route::report(&docs[i].meta.id, Some(from)).to_hash(), format!("Go to {label}"))
                })
            })
        });
        let go = go.map(|(href, label)| view! { <p class="task-go"><a href=href>{label}" →"</a><span class="hint">" (its paragraphs are marked in the margin)"</span></p> });
        // Handing in, beside the task that asks for it.
        let hand_in = view! {
            <p class="task-hand-in">
                <button type="button" class="btn hand-in" on:click=|_| super::download_backup()>"Download backup to hand in"</button>
            </p>
        };
        let body = view! { {paragraphs.into_iter().map(|p| view! { <p>{p}</p> }).collect_view()} {go} {hand_in} };
        if beside {
            return Some(view! { <details class="task-note"><summary>"Your task"</summary>{body}</details> }.into_any());
        }
        let put_aside = move |_| {
            coding.meta.update(|m| m.task.clear());
            coding.save_meta();
            coding.notice.set(Some(Notice::done("The task is put aside. Importing the handout again brings it back.")));
        };
        Some(view! {
            <section class="task-box" aria-labelledby="task-heading">
                <h2 id="task-heading">"Your task"</h2>
                {body}
                <button type="button" class="btn put-task-aside" on:click=put_aside>"Put the task aside"</button>
            </section>
        }.into_any())
    }
}
