//! Reading an address: `Route::parse` on any fragment (a link someone sent,
//! a bookmark, a typed URL). It never panics, and what it gives back writes
//! out to an address that reads back the same (a retrieval's query included).
#![no_main]

use libfuzzer_sys::fuzz_target;
use marginalia_core::route::Route;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    let route = Route::parse(s);
    let again = Route::parse(&route.to_hash());
    if !matches!(route, Route::NotFound(_)) {
        assert_eq!(again, route, "{s:?}");
    }
});
