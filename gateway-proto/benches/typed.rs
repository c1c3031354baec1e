//! Typed deserialization throughput on realistic traffic, next to the raw path.
//!
//! The stream is `gateway_sim::corpus::payloads` (the same seeded mix as the decode bench:
//! PRESENCE_UPDATE 35%, MESSAGE_CREATE 25%, TYPING_START 15%, … GUILD_CREATE 1% with 50–1000
//! members), already inflated. Each group runs over the whole stream, over its GUILD_CREATEs
//! only (large payloads) and over everything else (small payloads):
//!
//! - `envelope`: the raw path, the envelope scan the machine does for every message;
//! - `value`: `d` into a `serde_json::Value`, the untyped baseline;
//! - `typed`: `Dispatch::parse` (serde_json, one pass into the model);
//! - `typed-simd`: `SimdParser::parse` (with `--features simd-json`).
//!
//! Run: `cargo bench -p gateway-proto --bench typed [--features simd-json]`.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use gateway_proto::model::{dispatch_from_frame, DispatchEvent};
use gateway_proto::{envelope, Dispatch, EventType};
use std::hint::black_box;
use std::time::Duration;

const EVENTS: usize = 2_000;

fn bench(c: &mut Criterion) {
    let texts = gateway_sim::corpus::payloads(7, EVENTS);
    let dispatches: Vec<Dispatch> = texts
        .iter()
        .map(|text| dispatch_from_frame(text.clone()).expect("dispatch frame"))
        .collect();
    for dispatch in &dispatches {
        let event = dispatch.parse().expect("the corpus parses");
        assert!(!matches!(event, DispatchEvent::Unknown(_)));
    }
    let (large, small): (Vec<Dispatch>, Vec<Dispatch>) = dispatches
        .iter()
        .cloned()
        .partition(|dispatch| dispatch.event_type == EventType::GuildCreate);

    for (name, set) in [
        ("all", &dispatches),
        ("guild_create", &large),
        ("small", &small),
    ] {
        let bytes: usize = set.iter().map(|d| d.payload.text().len()).sum();
        eprintln!("typed/{name}: {} events, {bytes} bytes", set.len());
        let mut group = c.benchmark_group(format!("typed/{name}"));
        group.throughput(Throughput::Elements(set.len() as u64));
        group.measurement_time(Duration::from_secs(4));
        group.sample_size(20);
        group.bench_function("envelope", |b| {
            b.iter(|| {
                for dispatch in set.iter() {
                    black_box(envelope::scan(dispatch.payload.text()).map(|e| e.op).ok());
                }
            })
        });
        group.bench_function("value", |b| {
            b.iter(|| {
                for dispatch in set.iter() {
                    black_box(serde_json::from_str::<serde_json::Value>(dispatch.data()).ok());
                }
            })
        });
        group.bench_function("typed", |b| {
            b.iter(|| {
                for dispatch in set.iter() {
                    black_box(dispatch.parse().ok());
                }
            })
        });
        #[cfg(feature = "simd-json")]
        group.bench_function("typed-simd", |b| {
            let mut parser = gateway_proto::model::SimdParser::new();
            b.iter(|| {
                for dispatch in set.iter() {
                    black_box(parser.parse(dispatch).ok());
                }
            })
        });
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
