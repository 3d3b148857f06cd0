//! Cleans the built-in corpus at build time (natively, with the same core the
//! app uses) so the app starts without cleaning: the wasm carries the cleaned
//! documents in core's packed form (`marginalia_core::packed`), compressed
//! with bzip2, instead of the raw reports.

use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-changed=assets/corpus");
    println!("cargo:rerun-if-changed=core/src");
    let docs = marginalia_core::corpus::builtin();
    let packed = marginalia_core::packed::pack(&docs);
    let mut bz = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::best());
    std::io::Write::write_all(&mut bz, &packed).expect("compressing to memory");
    let packed = bz.finish().expect("compressing to memory");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(out.join("corpus.bz2"), packed).expect("OUT_DIR is writable");
}
