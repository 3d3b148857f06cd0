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
            proptest::collection::vec("[a-zé😀ß]{1,9}[,.;:'’”“()!?]?", 1..25),
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
