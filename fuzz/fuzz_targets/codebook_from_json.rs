//! Importing a codebook file: `Codebook::from_json` (and the stored form,
//! `store::decode_codebook`) on any bytes. A codebook it accepts is valid and
//! its JSON reads back the same.
#![no_main]

use libfuzzer_sys::fuzz_target;
use marginalia_core::codebook::Codebook;
use marginalia_core::store::{decode_codebook, encode_codebook};

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    if let Ok(book) = Codebook::from_json(s) {
        assert!(book.validate().is_ok());
        assert_eq!(Codebook::from_json(&book.to_json()).expect("its own JSON"), book);
    }
    if let Ok(book) = decode_codebook(s) {
        assert_eq!(decode_codebook(&encode_codebook(&book)).expect("its own JSON"), book);
    }
});
