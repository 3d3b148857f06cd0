use criterion::{criterion_group, criterion_main, Criterion};

fn bench(c: &mut Criterion) {
    c.bench_function("clean whole corpus", |b| b.iter(marginalia_core::corpus::builtin));
}

criterion_group!(benches, bench);
criterion_main!(benches);
