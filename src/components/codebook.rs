//! The codebook editor: add, rename, recolour, reorder, describe tags and set
//! their keys; delete a tag (asking first when it is in use, with the offer to
//! merge its segments into another tag); export and import the codebook as JSON.

use leptos::prelude::*;
use marginalia_core::codebook::Codebook;

use crate::coding::{Notice, now, use_coding};

/// Applies an edit to a copy of the codebook and commits it as one undoable
/// change; `false` (and a notice saying why) when the edit is refused.
fn edit(f: impl FnOnce(&mut Codebook) -> Result<(), String>) -> bool {
    let coding = use_coding();
    let mut book = coding.coding.with_untracked(|c| c.codebook.clone());
    match f(&mut book) {
        Ok(()) => {
            let t = now();
            coding.change(|c| if c.codebook == book { Default::default() } else { c.set_codebook(book, None, &t) });
            // A slip said before ("There is already a tag named…") is past once an edit goes through.
            if coding.notice.with_untracked(|n| n.as_ref().is_some_and(|n| n.fades && n.undo.is_none())) {
                coding.notice.set(None);
            }
            true
        }
        Err(e) => {
            coding.notice.set(Some(Notice::slip(e)));
            false
        }
    }
}

/// A refused edit leaves the field showing what is stored, not what was refused.
fn revert(ev: &leptos::ev::Event, stored: Option<String>) {
    if let Some(v) = stored {
        event_target::<web_sys::HtmlInputElement>(ev).set_value(&v);
    }
}

/// After the list is drawn again, puts the focus back on tag `id`'s control
/// `selector` (or its first enabled button), so that keyboard users keep their
/// place. (The move buttons at either end are only `aria-disabled`, keeping the
/// focus: pressing on at the top does nothing rather than move the tag back down.)
fn refocus(id: String, selector: &'static str) {
    request_animation_frame(move || {
        let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return };
        let row = format!(".tag-row[data-tag=\"{}\"]", id.replace('\\', "\\\\").replace('"', "\\\""));
        let target = doc
            .query_selector(&format!("{row} {selector}:not([disabled])"))
            .ok()
            .flatten()
            .or_else(|| doc.query_selector(&format!("{row} .order button:not([disabled])")).ok().flatten());
        if let Some(el) = target.and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok()) {
            let _ = el.focus();
        }
    });
}

#[component]
pub fn CodebookView() -> impl IntoView {
    let coding = use_coding();
    let new_name = RwSignal::new(String::new());
    // The tag whose deletion is being asked about.
    let deleting = RwSignal::new(None::<String>);
    let counts = Memo::new(move |_| coding.coding.with(|c| c.counts(None)));
    let book = Memo::new(move |_| coding.coding.with(|c| c.codebook.clone()));
    crate::perf::record_painted("codebook");

    let rows = move || {
        let b = book.get();
        b.tags.iter().map(|t| {
            let id = t.id.clone();
            let uses = counts.with(|c| c.get(&t.id).copied().unwrap_or(0));
            let (id1, id2, id3, id4, id5, id6, id7, id8) = (id.clone(), id.clone(), id.clone(), id.clone(), id.clone(), id.clone(), id.clone(), id.clone());
            // Up and down move a tag among those of its level, with its sub-codes.
            let siblings: Vec<&str> = b.tags.iter().filter(|x| x.parent == t.parent).map(|x| x.id.as_str()).collect();
            let (first, last) = (siblings.first() == Some(&t.id.as_str()), siblings.last() == Some(&t.id.as_str()));
            let depth = b.depth(&t.id);
            // A tag may go under any tag but itself and its own sub-codes.
            let family = b.family(&t.id);
            let parents: Vec<(String, String, bool)> = b
                .tags
                .iter()
                .filter(|x| !family.contains(&x.id.as_str()))
                .map(|x| (x.id.clone(), format!("{}{}", "· ".repeat(b.depth(&x.id)), x.name), t.parent.as_deref() == Some(x.id.as_str())))
                .collect();
            let t = t.clone();
            view! {
                <li class="tag-row" data-tag=id.clone() data-depth=depth style=format!("--depth:{depth}")>
                    <input type="color" aria-label=format!("Colour of {}", t.name) prop:value=t.colour.clone()
                        on:change=move |ev| {
                            let v = event_target_value(&ev);
                            if !edit(|b| b.set_colour(&id1, &v).map_err(|e| e.0)) {
                                revert(&ev, book.with_untracked(|b| b.get(&id1).map(|t| t.colour.clone())));
                            } else if let [page, ..] = marginalia_core::codebook::faint_on(&v)[..] {
                                // Kept (the user may mean it), but said: its highlights barely show on that page.
                                let name = book.with_untracked(|b| b.get(&id1).map(|t| t.name.clone())).unwrap_or_default();
                                coding.notice.set(Some(coding.undoable(format!(
                                    "{name}'s new colour is hard to see on a {page} page: its highlights will barely show in the {page} theme."
                                ))));
                            } else if let Some((name, other)) = book.with_untracked(|b| {
                                let name = b.get(&id1).map(|t| t.name.clone()).unwrap_or_default();
                                b.tags.iter().find(|x| x.id != id1 && x.colour.eq_ignore_ascii_case(&v)).map(|x| (name, x.name.clone()))
                            }) {
                                // Kept, but said: two tags of one colour are told apart by their bands only.
                                coding.notice.set(Some(coding.undoable(format!(
                                    "{name} now has the colour of {other}: their highlights look alike (only their underline bands differ)."
                                ))));
                            }
                        } />
                    <input type="text" class="tag-name" aria-label="Name" prop:value=t.name.clone()
                        on:change=move |ev| {
                            let v = event_target_value(&ev);
                            if !edit(|b| b.rename(&id2, &v).map_err(|e| e.0)) {
                                revert(&ev, book.with_untracked(|b| b.get(&id2).map(|t| t.name.clone())));
                            }
                        } />
                    <label class="tag-key">"Key "
                        <select aria-label=format!("Key of {}", t.name)
                            on:change=move |ev| {
                                let key = event_target_value(&ev).chars().next();
                                // A key codes one tag: say which tag gave it up (Undo gives it back).
                                let holder = key.and_then(|k| book.with_untracked(|b| b.by_key(k).filter(|t| t.id != id3).map(|t| (t.id.clone(), t.name.clone()))));
                                edit(|b| { b.set_key(&id3, key); Ok(()) });
                                refocus(id3.clone(), ".tag-key select");
                                if let (Some(k), Some((other_id, other))) = (key, holder) {
                                    let name = book.with_untracked(|b| b.get(&id3).map(|t| t.name.clone())).unwrap_or_default();
                                    // The two swap keys: say what the other has now.
                                    let now_has = match book.with_untracked(|b| b.get(&other_id).and_then(|t| t.key)) {
                                        Some(o) => format!("{other} now has key {o}"),
                                        None => format!("{other} has no key"),
                                    };
                                    coding.notice.set(Some(coding.undoable(format!("Key {k} now codes {name}; {now_has}."))));
                                }
                            }>
                            <option value="" prop:selected=t.key.is_none()>"none"</option>
                            {('1'..='9').map(|k| view! { <option value=k.to_string() prop:selected=t.key == Some(k)>{k.to_string()}</option> }).collect_view()}
                        </select>
                    </label>
                    <label class="tag-parent">"Under "
                        <select aria-label=format!("{} is a sub-code of", t.name)
                            on:change=move |ev| {
                                let v = event_target_value(&ev);
                                if !edit(|b| b.set_parent(&id8, (!v.is_empty()).then_some(v.as_str())).map_err(|e| e.0)) {
                                    revert(&ev, book.with_untracked(|b| Some(b.get(&id8).and_then(|t| t.parent.clone()).unwrap_or_default())));
                                }
                                // The list is drawn again (the tag in its new place): the arrow keys go on choosing for it.
                                refocus(id8.clone(), ".tag-parent select");
                            }>
                            <option value="" prop:selected=t.parent.is_none()>"(top level)"</option>
                            {parents.into_iter().map(|(pid, label, on)| view! { <option value=pid prop:selected=on>{label}</option> }).collect_view()}
                        </select>
                    </label>
                    <span class="uses">{format!("{uses} in use")}</span>
                    <span class="order">
                        <button type="button" class="btn move-up" aria-label=format!("Move {} up", t.name) aria-disabled=first.then_some("true")
                            on:click=move |_| { edit(|b| { b.move_tag(&id4, -1); Ok(()) }); refocus(id4.clone(), ".move-up"); }>"↑"</button>
                        <button type="button" class="btn move-down" aria-label=format!("Move {} down", t.name) aria-disabled=last.then_some("true")
                            on:click=move |_| { edit(|b| { b.move_tag(&id5, 1); Ok(()) }); refocus(id5.clone(), ".move-down"); }>"↓"</button>
                        <button type="button" class="btn danger" on:click=move |_| {
                            if uses == 0 { delete_tag(&id6, None, false) } else { deleting.set(Some(id6.clone())) }
                        }>"Delete"</button>
                    </span>
                    <textarea class="tag-desc" aria-label=format!("Description of {}", t.name) prop:value=t.description.clone()
                        placeholder="What counts, what does not, an example from the reports"
                        on:change=move |ev| { let v = event_target_value(&ev); edit(|b| { b.set_description(&id7, &v); Ok(()) }); }></textarea>
                </li>
            }
        }).collect_view()
    };

    let ask = move || {
        let id = deleting.get()?;
        let b = book.get();
        let tag = b.get(&id)?.clone();
        let uses = counts.with(|c| c.get(&id).copied().unwrap_or(0));
        let others: Vec<_> = b.tags.iter().filter(|t| t.id != id).cloned().collect();
        // Its parent, where it has one (a sub-code folded back into its code), else no
        // choice made for the user: the list starts empty.
        let first = tag.parent.clone().unwrap_or_default();
        let target = RwSignal::new(first.clone());
        let (id_merge, id_drop) = (id.clone(), id.clone());
        // What "Delete the tag from them" would delete with it: annotations with no other tag, and their memos.
        let (alone, memos) = coding.coding.with_untracked(|c| {
            let alone: Vec<_> = c.all_live().filter(|a| a.tags.len() == 1 && a.tags[0] == id).collect();
            (alone.len(), alone.iter().filter(|a| !a.memo.trim().is_empty()).count())
        });
        let lost_note = (alone > 0).then(|| {
            let memo = match memos {
                0 => String::new(),
                1 => ", 1 of them with a memo".to_string(),
                n => format!(", {n} of them with a memo"),
            };
            view! { <p class="del-lost">{format!(
                "Deleting the tag from them deletes {} (no other tag{memo}).",
                if alone == uses && alone == 1 { "it".to_string() } else if alone == uses { format!("all {alone}") } else { format!("{alone} of them") }
            )}</p> }
        });
        Some(view! {
            <super::Modal labelled="del-title" on_close=move |_| deleting.set(None)>
                    <h2 id="del-title">{format!("Delete \"{}\"?", tag.name)}</h2>
                    <p>{if uses == 1 {
                        "1 annotation uses this tag. Move it to another tag, or delete the tag from it (an annotation left with no tag is deleted). Undo takes either back.".to_string()
                    } else {
                        format!("{uses} annotations use this tag. Move them to another tag, or delete the tag from them (an annotation left with no tag is deleted). Undo takes either back.")
                    }}</p>
                    {lost_note}
                    {sub_codes_note(&b, &id, false).map(|n| view! { <p class="del-subcodes">{n}</p> })}
                    <label>{if uses == 1 { "Move it to " } else { "Move them to " }}
                        <select class="merge-target" on:change=move |ev| target.set(event_target_value(&ev))>
                            <option value="" selected=first.is_empty()>"(choose a tag)"</option>
                            {others.iter().map(|t| view! { <option value=t.id.clone() selected=t.id == first>{b.path_without(&t.id, &id)}</option> }).collect_view()}
                        </select>
                    </label>
                    <div class="row">
                        <button type="button" class="btn primary" disabled=move || target.with(String::is_empty)
                            on:click=move |_| { delete_tag(&id_merge, Some(target.get_untracked()), true); deleting.set(None); }>"Merge and delete"</button>
                        <button type="button" class="btn danger"
                            on:click=move |_| { delete_tag(&id_drop, None, true); deleting.set(None); }>"Delete the tag from them"</button>
                        <button type="button" class="btn" on:click=move |_| deleting.set(None)>"Cancel"</button>
                    </div>
                </super::Modal>
        })
    };

    let add = move || {
        let name = new_name.get_untracked();
        edit(|b| b.add(&name).map(|_| ()).map_err(|e| e.0));
        new_name.set(String::new());
        // Back in the name box: for the name it lacked, or the next tag.
        crate::dom::focus_later(".add-tag input");
    };

    view! {
        <section class="codebook">
            <h1>"Codebook"</h1>
            <p class="lede">"The tags you code with. Keys 1–9 apply a tag to the selected text. A tag can sit under another (Under), as in a code tree. Every change here can be undone with Ctrl+Z."</p>
            <ol class="tag-list">{rows}</ol>
            <form class="row add-tag" on:submit=move |ev| { ev.prevent_default(); add(); }>
                <input type="text" placeholder="New tag name" aria-label="New tag name" prop:value=move || new_name.get()
                    on:input=move |ev| new_name.set(event_target_value(&ev)) />
                <button type="submit" class="btn primary">"Add tag"</button>
            </form>
            <div class="row">
                <button type="button" class="btn" on:click=move |_| {
                    let json = book.get_untracked().to_json();
                    // Named as the export dialog names it.
                    let day = crate::coding::today();
                    crate::download::save(&format!("marginalia-codebook-{day}.json"), "application/json", &json);
                }>"Export codebook (JSON)"</button>
                <label class="btn import-codebook">"Import codebook…"
                    <input type="file" accept=".json,application/json" class="visually-hidden"
                        on:change=move |ev| {
                            let input: web_sys::HtmlInputElement = event_target(&ev);
                            if let Some(file) = input.files().and_then(|f| f.get(0)) {
                                import_codebook(file);
                            }
                            input.set_value("");
                        } />
                </label>
            </div>
            {ask}
        </section>
    }
}

/// What becomes of a tag's sub-codes when it is deleted: they move up, under
/// its parent or to the top level (`None` when it has none).
fn sub_codes_note(b: &Codebook, id: &str, done: bool) -> Option<String> {
    let children: Vec<&str> = b.tags.iter().filter(|t| t.parent.as_deref() == Some(id)).map(|t| t.name.as_str()).collect();
    if children.is_empty() {
        return None;
    }
    let to = b.parent_of(id).map_or_else(|| "to the top level".to_string(), |p| format!("under {}", p.name));
    let (its, move_) = match (children.len() == 1, done) {
        (_, true) => (if children.len() == 1 { "Its sub-code" } else { "Its sub-codes" }, "moved"),
        (true, false) => ("Its sub-code", "moves"),
        (false, false) => ("Its sub-codes", "move"),
    };
    Some(format!("{its} {} {move_} up, {to}, with {} annotations.", children.join(", "), if children.len() == 1 { "its" } else { "their" }))
}

/// Deletes a tag, moving its segments to `into` or removing it from them, and
/// says so, with an Undo.
fn delete_tag(id: &str, into: Option<String>, rewrite: bool) {
    let coding = use_coding();
    let mut book = coding.coding.with_untracked(|c| c.codebook.clone());
    let name = |b: &Codebook, id: &str| b.get(id).map(|t| t.name.clone()).unwrap_or_default();
    let (gone, target) = (name(&book, id), into.as_deref().map(|i| name(&book, i)));
    let uses = coding.coding.with_untracked(|c| c.counts(None).get(id).copied().unwrap_or(0));
    // Annotations with this tag alone: removing the tag deletes them (said, with their number).
    let alone = coding.coding.with_untracked(|c| c.all_live().filter(|a| a.tags.len() == 1 && a.tags[0] == id).count());
    let subs = sub_codes_note(&book, id, true).map(|n| format!(" {n}")).unwrap_or_default();
    book.remove(id);
    let t = now();
    let id = id.to_string();
    coding.change(|c| {
        let rewrite = rewrite.then_some((id.as_str(), into.as_deref()));
        c.set_codebook(book, rewrite, &t)
    });
    let what = marginalia_core::count(uses, "annotation");
    let emptied = match alone {
        0 => String::new(),
        1 => " 1 annotation had no other tag and was deleted.".to_string(),
        n => format!(" {n} annotations had no other tag and were deleted."),
    };
    coding.notice.set(Some(coding.undoable(match (target, uses) {
        (Some(to), _) => format!("{gone} merged into {to} ({what}) and deleted.{subs}"),
        (None, 0) => format!("{gone} deleted.{subs}"),
        (None, _) => format!("{gone} deleted, and taken off {what}.{emptied}{subs}"),
    })));
}

fn import_codebook(file: web_sys::File) {
    let coding = use_coding();
    leptos::task::spawn_local(async move {
        let text = wasm_bindgen_futures::JsFuture::from(file.text()).await.ok().and_then(|v| v.as_string());
        // A codebook file, or the HTML handout, which carries its codebook.
        let text = text.unwrap_or_default();
        let result = match marginalia_core::handout::codebook_in(&text) {
            Some(found) => found.map_err(|why| format!("it is a codebook handout, but {why}.")),
            None if text.is_empty() => Err("the file could not be read".to_string()),
            None => Codebook::from_json(&text).map_err(|e| e.0),
        };
        match result {
            Ok(book) if marginalia_core::handout::is_handout(&text) => {
                bring_in_handout(coding, &file.name(), &text, book);
            }
            Ok(book) => {
                apply_codebook(coding, &file.name(), book);
            }
            Err(e) => coding.notice.set(Some(Notice::problem(format!("{} was not imported: {e} Nothing was changed.", file.name())))),
        }
    });
}

/// A handout brought in (Import… or Import codebook…): its codebook, and its task
/// for the coders. A student whose tags are the handout's already (the default
/// codebook) still gets the task; the handout back in the browser that wrote its
/// task (a teacher's, handed back in place of a student's work) is said for what it is.
/// True when it was taken for a handout handed back (nothing brought in).
pub fn bring_in_handout(coding: crate::coding::CodingState, name: &str, page: &str, book: Codebook) -> bool {
    let changed = apply_codebook(coding, name, book);
    let task = marginalia_core::handout::task_in(page);
    let mine = coding.meta.with_untracked(|m| !m.handout_task.trim().is_empty() && task.as_deref().map(str::trim) == Some(m.handout_task.trim()));
    if changed || (task.is_some() && !mine) {
        say_task(coding, name, task, changed);
        return false;
    }
    coding.notice.set(Some(Notice::problem(format!(
        "{name} is the codebook handout: its tags are the ones here already, and it holds no one's work. A student's work comes back as the file of Download backup."
    ))));
    true
}

/// After a handout's codebook came in: its task for the coders, if it has one, is
/// kept (shown above the reports and beside each) and said with the import.
fn say_task(coding: crate::coding::CodingState, name: &str, task: Option<String>, changed: bool) {
    if let Some(task) = task {
        // Kept, and shown above the corpus and beside each report until put aside.
        coding.meta.update(|m| m.task = task.clone());
        coding.save_meta();
        // Not repeated in the notice: the task box is in view, and a long notice on a phone covers the text.
        // Its tags here already: not "nothing changed" (read as a failure), but what it brought.
        let said = if changed {
            coding.notice.with_untracked(|n| n.as_ref().map(|n| n.text.clone())).unwrap_or_default()
        } else {
            format!("{name} is read: its tags are the ones you have already.")
        };
        let notice = format!("{said} It gives you a task: see “Your task”, above the list of reports and beside each report.");
        // Undo where the codebook changed (it takes that back); the task stays in view either way.
        coding.notice.set(Some(if changed { coding.undoable(notice) } else { Notice::done(notice) }));
    }
}

/// Imports `book` (read from file `name`) into the codebook (`Codebook::imported`:
/// tags in use are never dropped), in one step Undo takes back, and says what changed.
pub fn apply_codebook(coding: crate::coding::CodingState, name: &str, book: Codebook) -> bool {
    let t = now();
    let (before, (after, kept)) = coding.coding.with_untracked(|c| {
        let in_use = c.counts(None);
        (c.codebook.clone(), c.codebook.imported(&book, |id| in_use.contains_key(id)))
    });
    let Some(what) = before.describe_change(&after) else {
        // The same codebook: no step to undo.
        coding.notice.set(Some(Notice::done(format!("{name} holds the codebook as it is here: nothing changed."))));
        return false;
    };
    let kept = if kept.is_empty() { String::new() } else { format!(" Kept, as annotations use them: {}.", kept.join(", ")) };
    coding.change(|c| c.set_codebook(after, None, &t));
    coding.notice.set(Some(coding.undoable(format!("Codebook imported from {name}: {what}.{kept}"))));
    true
}
