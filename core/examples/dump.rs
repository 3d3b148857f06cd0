//! Prints the cleaned corpus for reading: `cargo run -p marginalia-core --example dump [SYMBOL]`.
use marginalia_core::BlockKind;

fn main() {
    let only = std::env::args().nth(1);
    for d in marginalia_core::corpus::builtin() {
        if only.as_deref().is_some_and(|s| d.meta.id != s) {
            continue;
        }
        println!("##### {} | {} | paragraphs {} | notes {} | markers {}", d.meta.id, d.meta.title, d.paragraph_count(),
            d.blocks.iter().filter(|b| matches!(b.kind, BlockKind::Footnote { .. })).count(), d.notes.len());
        for b in &d.blocks {
            let t = d.block_text(b);
            let head: String = t.chars().take(90).collect();
            let tail: String = t.chars().rev().take(60).collect::<Vec<_>>().into_iter().rev().collect();
            match b.kind {
                BlockKind::Heading { level } => println!("H{level} {t}"),
                BlockKind::Paragraph { number } => println!("P{} {head} … {tail}", number.map(|n| n.to_string()).unwrap_or("-".into())),
                BlockKind::Footnote { number } => println!("F{number} {head}"),
            }
        }
    }
}
