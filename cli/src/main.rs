fn main() {
    let docs = marginalia_core::corpus::builtin();
    println!("{}", docs.len());
}
