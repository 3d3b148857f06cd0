//! The cleaner on any text, as a user's .txt, .md or .html file (the first byte
//! picks the format), with the built-in corpus's lexicon: it never panics and
//! makes a valid document.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use marginalia_core::clean::{InputFormat, Lexicon, clean};
use marginalia_core::{Meta, corpus};

static LEXICON: OnceLock<Lexicon> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else { return };
    let Ok(raw) = std::str::from_utf8(rest) else { return };
    let format = [InputFormat::Text, InputFormat::Markdown, InputFormat::Html][pick as usize % 3];
    let lexicon = LEXICON.get_or_init(corpus::lexicon);
    let doc = clean(raw, format, Meta { id: "fuzz".into(), ..Meta::default() }, lexicon);
    marginalia_fuzz::check_document(&doc);
});
