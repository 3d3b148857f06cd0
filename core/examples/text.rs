//! Prints one cleaned report's canonical text: `cargo run -p marginalia-core --example text SYMBOL`.
fn main() {
    let id = std::env::args().nth(1).unwrap_or_default();
    for d in marginalia_core::corpus::builtin() {
        if d.meta.id == id {
            let mut t: Vec<char> = d.text.chars().collect();
            for n in d.notes.iter().rev() {
                let m: Vec<char> = format!("[^{}]", n.number).chars().collect();
                t.splice(n.at..n.at, m);
            }
            println!("{}", t.into_iter().collect::<String>());
        }
    }
}
