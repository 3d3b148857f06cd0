//! Importing spaCy / Prodigy JSONL: `import::import(Format::Spacy, …)` on any bytes, then
//! the import plan against a small corpus (see `marginalia_fuzz::import_target`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use marginalia_core::export::Format;

fuzz_target!(|data: &[u8]| marginalia_fuzz::import_target(Format::Spacy, "spacy.jsonl", data));
