//! The corpus view: every document, in date order.

use leptos::prelude::*;
use marginalia_core::corpus::{format_date, ordinal_short};
use marginalia_core::route::Route;

use crate::coding::use_coding;
use crate::state::use_app_state;

#[component]
pub fn CorpusView() -> impl IntoView {
    let state = use_app_state();
    let coding = use_coding();
    let rows = move || state.revision.track();
    let rows = move || { rows(); state.docs.with_value(|docs| {
        docs.iter()
            .map(|d| {
                let href = Route::report(&d.meta.id, None).to_hash();
                // A user's own text has no ordinal, date or numbered paragraphs: say what it is.
                let ordinal = d.meta.ordinal.map(|n| format!("{} report", ordinal_short(n))).unwrap_or_else(|| "Your text".into());
                let date = d.meta.date.as_deref().map(format_date).unwrap_or_default();
                let iso = d.meta.date.clone().unwrap_or_default();
                // A report is opened by its symbol, a text of one's own (no symbol) by its title.
                let symbol = d.meta.symbol.clone();
                let paragraphs = d.paragraphs_to_count();
                let title = d.meta.title.clone();
                let id = d.meta.id.clone();
                // Progress: annotations per tag in this report.
                let coded = move || {
                    coding.coding.with(|c| {
                        let counts = c.counts(Some(&id));
                        let chips: Vec<_> = c
                            .codebook
                            .tags
                            .iter()
                            .filter_map(|t| counts.get(&t.id).map(|n| (t.name.clone(), t.colour.clone(), *n)))
                            .collect();
                        if chips.is_empty() {
                            return view! { <span class="none">"—"</span> }.into_any();
                        }
                        chips
                            .into_iter()
                            .map(|(name, colour, n)| view! {
                                <span class="chip">
                                    <span class="swatch" style=format!("background:{colour}")></span>
                                    {name}" "<strong>{n}</strong>
                                </span>
                            })
                            .collect_view()
                            .into_any()
                    })
                };
                view! {
                    <tr>
                        <td class="ordinal">{ordinal}</td>
                        {match symbol {
                            Some(symbol) => view! {
                                <td class="symbol"><a href=href>{symbol}</a></td>
                                <td class="date"><time datetime=iso>{date}</time></td>
                                <td class="title">{title}</td>
                            }.into_any(),
                            None => view! {
                                <td class="symbol"><span class="none">"—"</span></td>
                                <td class="date"><time datetime=iso>{date}</time></td>
                                <td class="title"><a href=href>{title}</a></td>
                            }.into_any(),
                        }}
                        <td class="count">{paragraphs}</td>
                        <td class="coded">{coded}</td>
                    </tr>
                }
            })
            .collect_view()
    }) };
    crate::perf::record_painted("corpus");
    view! {
        <section class="corpus">
            <h1>"Reports of the Secretary-General on the threat posed by ISIL (Da'esh)"</h1>
            <p class="lede">
                "Five reports to the Security Council, 2017–2019, cleaned and numbered by paragraph so that any passage can be cited. Everything you do here stays in this browser."
            </p>
            <super::task::TaskNote />
            // How to start, with this codebook's keys.
            {crate::dom::coarse_pointer().then(|| view! {
                <p class="start-hint">"To code: open a report, hold a finger on a passage to select it, then tap a tag."</p>
            })}
            <p class="start-hint" hidden=crate::dom::coarse_pointer()>
                "To code: open a report, select a passage and press a tag's key ("
                {move || coding.coding.with(|c| {
                    let mut keys: Vec<(char, String)> = c.codebook.tags.iter().filter_map(|t| t.key.map(|k| (k, t.name.clone()))).collect();
                    keys.sort();
                    keys.into_iter().map(|(k, name)| format!("{k} {name}")).collect::<Vec<_>>().join(", ")
                })}
                "). "<kbd>"?"</kbd>" lists every key."
            </p>
            // A teacher finds the way in at once, not below the five reports.
            {move || coding.meta.with(|m| m.task.trim().is_empty()).then(|| view! {
                <p class="class-hint"><a href="#for-class" on:click=|ev| {
                    ev.prevent_default();
                    if let Some(d) = document().get_element_by_id("for-class") {
                        let _ = d.set_attribute("open", "");
                        d.scroll_into_view();
                        if let Some(s) = d.query_selector("summary").ok().flatten() {
                            let _ = wasm_bindgen::JsCast::unchecked_into::<web_sys::HtmlElement>(s).focus();
                        }
                    }
                }>"Teaching a class? How to run an exercise ↓"</a></p>
            })}
            <super::find::CorpusSearch />
            <div class="table-wrap">
                <table class="reports">
                    <thead>
                        <tr>
                            <th scope="col">"Report"</th>
                            <th scope="col">"Symbol"</th>
                            <th scope="col">"Date"</th>
                            <th scope="col">"Title"</th>
                            <th scope="col" class="count">"Paragraphs"</th>
                            <th scope="col" class="coded">"Coded"</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            <super::import::AddTexts />
            // A teacher's way in (a student, given a task, has no need of it).
            {move || coding.meta.with(|m| m.task.trim().is_empty()).then(|| view! {
                <details class="for-class" id="for-class">
                    <summary>"Teaching a class with Marginalia"</summary>
                    <ol>
                        <li>"Code the passage yourself: your coding is the answer key."</li>
                        <li>"Export… → Codebook handout: the tags and the task (which passage, by when) on one page. Give students the file."</li>
                        <li>"Students open Marginalia, bring the handout in with Import…, code, and hand in the file Download backup saves. Nothing is sent anywhere."</li>
                        <li>"Bring in the class's files together with Import…, then open Agreement: everyone against your coding, as a gradebook CSV."</li>
                    </ol>
                </details>
            })}
        </section>
    }
}
