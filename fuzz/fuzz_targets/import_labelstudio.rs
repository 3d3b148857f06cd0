//! Importing Label Studio tasks (UTF-16 offsets): `import::import(Format::LabelStudio, …)` on any bytes, then
//! the import plan against a small corpus (see `marginalia_fuzz::import_target`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use marginalia_core::export::Format;

fuzz_target!(|data: &[u8]| marginalia_fuzz::import_target(Format::LabelStudio, "tasks.json", data));
