//! Property tests of the cleaner: no input panics, the document's invariants
//! hold, and plain prose loses no character.

use marginalia_core::clean::{InputFormat, Lexicon, clean};
use marginalia_core::{Document, Meta};
use proptest::prelude::*;

fn check_invariants(d: &Document) -> Result<(), TestCaseError> {
    let len = d.text.chars().count();
    let mut last_end = None;
    for b in &d.blocks {
        prop_assert!(b.start < b.end, "empty block");
        prop_assert!(b.end <= len);
        if let Some(e) = last_end {
            prop_assert_eq!(b.start, e + 2);
        } else {
            prop_assert_eq!(b.start, 0);
        }
        last_end = Some(b.end);
    }
    prop_assert_eq!(last_end.unwrap_or(0), len);
    for n in &d.notes {
        prop_assert!(n.at <= len);
    }
    prop_assert!(d.notes.windows(2).all(|w| w[0].at <= w[1].at), "notes out of order");
    for b in &d.blocks {
        let t = d.block_text(b);
        prop_assert!(!t.contains('\n'), "a line break inside a block: {:?}", t);
        prop_assert_eq!(t, t.trim(), "an untrimmed block");
    }
    let sentinel = d.text.contains(['\u{E000}', '\u{E001}']);
    prop_assert!(!sentinel, "a sentinel leaked into the text");
    Ok(())
}

fn non_ws(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn lexicon() -> Lexicon {
    Lexicon::from_texts(["the report of the threat and the establishment in of"])
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_input_never_panics(raw in "(?s).{0,400}", fmt in 0u8..3) {
        let format = [InputFormat::Text, InputFormat::Markdown, InputFormat::Html][fmt as usize];
        let d = clean(&raw, format, Meta::default(), &lexicon());
        check_invariants(&d)?;
    }

    #[test]
    fn structured_looking_input_never_panics(
        lines in proptest::collection::vec(
            prop_oneof![
                Just("".to_string()),
                Just("__________________".to_string()),
                Just("---".to_string()),
                Just("16/18".to_string()),
                Just("I. Introduction".to_string()),
                Just("A.".to_string()),
                Just("Notes:".to_string()),
                "[0-9]{1,2}\\. [a-zA-Z ,.]{0,30}",
                " [0-9]{1,2} [a-z ]{1,20}",
                "[a-z😀é|<>\\[\\]()#*\\\\ ¹²<sup>0-9]{0,40}",
                "<sup>[0-9]</sup> [a-z ]{0,20}",
            ],
            0..40,
        ),
        crlf in any::<bool>(),
    ) {
        let raw = lines.join(if crlf { "\r\n" } else { "\n" });
        for format in [InputFormat::Text, InputFormat::Markdown] {
            let d = clean(&raw, format, Meta::default(), &lexicon());
            check_invariants(&d)?;
        }
    }

    /// Plain prose (no labels, markers or markup) keeps every non-whitespace character, in order.
    #[test]
    fn plain_prose_loses_no_character(
        paragraphs in proptest::collection::vec(
            proptest::collection::vec("[A-Za-zé😀ß]{1,7}(-[a-zA-Z]{1,5})?[,.;:'’”“()!?]?", 1..25),
            1..8,
        ),
        wrap in 3usize..12,
        blank_lines in any::<bool>(),
        crlf in any::<bool>(),
    ) {
        let mut raw = String::new();
        for words in &paragraphs {
            for (i, chunk) in words.chunks(wrap).enumerate() {
                if i > 0 { raw.push('\n'); }
                raw.push_str(&chunk.join(" "));
            }
            raw.push_str(if blank_lines { "\n\n" } else { "\n" });
        }
        if crlf { raw = raw.replace('\n', "\r\n"); }
        let d = clean(&raw, InputFormat::Text, Meta::default(), &lexicon());
        check_invariants(&d)?;
        prop_assert_eq!(non_ws(&d.text), non_ws(&raw));
    }
}

#[test]
fn a_users_text_file_becomes_plain_paragraphs() {
    let raw = "My notes\n\nFirst paragraph that is\nwrapped over lines.\n\nSecond 😀 paragraph.\n";
    let d = clean(raw, InputFormat::Text, Meta { id: "notes".into(), ..Meta::default() }, &lexicon());
    let texts: Vec<&str> = d.blocks.iter().map(|b| d.block_text(b)).collect();
    assert_eq!(texts, ["My notes", "First paragraph that is wrapped over lines.", "Second 😀 paragraph."]);
    assert!(d.blocks.iter().all(|b| b.kind == marginalia_core::BlockKind::Paragraph { number: None }));
}

#[test]
fn many_short_paragraphs_stay_paragraphs_and_keep_their_digits() {
    // An interview's turns: one short paragraph per line, a blank line between, more than 40
    // of them (the shape of a double-spaced extraction, but each line ends a sentence).
    let raw: String = (1..=60).map(|i| format!("Speaker {}: answer {i} here.\n\n", i % 2 + 1)).collect();
    let d = clean(&raw, InputFormat::Text, Meta::default(), &lexicon());
    let texts: Vec<&str> = d.blocks.iter().map(|b| d.block_text(b)).collect();
    assert_eq!(texts.len(), 60);
    assert_eq!(texts[0], "Speaker 2: answer 1 here.");
    assert_eq!(texts[59], "Speaker 1: answer 60 here.");
    // Lines without a sentence's end, double-spaced: joined, but no digit is taken for a footnote marker.
    let raw: String = (1..=60).map(|i| format!("item {i} of the list\n\n")).collect();
    let d = clean(&raw, InputFormat::Text, Meta::default(), &lexicon());
    assert_eq!(non_ws(&d.text), non_ws(&raw));
    assert!(d.notes.is_empty());
}

#[test]
fn html_and_markdown_files() {
    let html = "<html><head><style>p{}</style><script>alert('x')</script></head><body><h1>Title</h1>\
                <p>One &amp; two.</p><p>Three <b>four</b>.</p></body></html>";
    let d = clean(html, InputFormat::Html, Meta::default(), &lexicon());
    let texts: Vec<&str> = d.blocks.iter().map(|b| d.block_text(b)).collect();
    assert_eq!(texts, ["Title", "One & two.", "Three four."]);
    assert!(!d.text.contains("alert"));
    let md = "# Heading\n\nSome **bold** and a [link](http://x.org) with a note<sup>1</sup>.\n\n<sup>1</sup> The note.\n";
    let d = clean(md, InputFormat::Markdown, Meta::default(), &lexicon());
    let texts: Vec<&str> = d.blocks.iter().map(|b| d.block_text(b)).collect();
    assert_eq!(texts, ["Heading", "Some bold and a link with a note.", "The note."]);
    assert_eq!(d.notes.len(), 1);
}

#[test]
fn a_users_text_keeps_its_own_front_matter_and_notes() {
    // Text before the first heading is the user's, not a UN header.
    let raw = "My essay\n\nAn intro that\nwraps.\n\nI. First part\n\nSome prose.\n\nNotes:\n\nMy own notes.\n\nII.";
    let d = clean(raw, InputFormat::Text, Meta::default(), &lexicon());
    let texts: Vec<&str> = d.blocks.iter().map(|b| d.block_text(b)).collect();
    assert_eq!(texts, ["My essay", "An intro that wraps.", "I. First part", "Some prose.", "Notes:", "My own notes.", "II."]);
    // A UN header (distribution line, title) is dropped, the title goes to the metadata.
    let raw = "Security Council\n\nDistr.: General\n1 May 2019\n\nFirst report of the Secretary-General on things\n\nI. Introduction\n\n1. In adopting it.\n";
    let d = clean(raw, InputFormat::Text, Meta::default(), &lexicon());
    assert!(d.text.starts_with("I. Introduction\n\nIn adopting it."), "{:?}", d.text);
    assert_eq!(d.meta.title, "First report of the Secretary-General on things");
}

#[test]
fn markdown_and_html_headings_take_their_depth_without_labels() {
    let md = "Intro line.\n\n# Part one\n\nText.\n\n## Section\n\nMore.\n\n### Sub\n";
    let d = clean(md, InputFormat::Markdown, Meta::default(), &lexicon());
    let outline: Vec<(String, &str)> = d.blocks.iter().map(|b| (format!("{:?}", b.kind), d.block_text(b))).collect();
    assert_eq!(outline.iter().map(|(_, t)| *t).collect::<Vec<_>>(), ["Intro line.", "Part one", "Text.", "Section", "More.", "Sub"]);
    let levels: Vec<u8> = d.blocks.iter().filter_map(|b| match b.kind {
        marginalia_core::BlockKind::Heading { level } => Some(level),
        _ => None,
    }).collect();
    assert_eq!(levels, [1, 2, 3]);
    let html = "<p>Lead.</p><h2>Two</h2><p>x</p><h3>Three</h3><h1>One</h1>";
    let d = clean(html, InputFormat::Html, Meta::default(), &lexicon());
    let levels: Vec<(u8, &str)> = d.blocks.iter().filter_map(|b| match b.kind {
        marginalia_core::BlockKind::Heading { level } => Some((level, d.block_text(b))),
        _ => None,
    }).collect();
    assert_eq!(levels, [(2, "Two"), (3, "Three"), (1, "One")]);
    assert!(d.text.starts_with("Lead.\n\nTwo"));
}

/// A marker run at a line's end (superscripts around a Markdown asterisk)
/// leaves no space behind it in the block.
#[test]
fn a_marker_run_at_the_end_leaves_no_trailing_space() {
    for format in [InputFormat::Text, InputFormat::Markdown] {
        for raw in ["a ²*¹", "²*¹ a", "a ² ¹ b", "a ²*¹ b", "²¹ a ²*¹", "¹*¹ ² <"] {
            let d = clean(raw, format, Meta::default(), &lexicon());
            assert!(!d.blocks.is_empty(), "{raw:?}");
            for b in &d.blocks {
                let t = d.block_text(b);
                assert_eq!(t, t.trim(), "{format:?} {raw:?}: {:?} / notes {:?}", d.text, d.notes);
            }
        }
    }
}
