//! Decoder throughput on realistic traffic: zlib-stream inflate alone (the floor),
//! inflate + envelope scan, and the whole machine (inflate, scan, sequence bookkeeping,
//! event construction) on a connected shard.
//!
//! The stream is `gateway_sim::corpus::payloads`: a seeded mix of PRESENCE_UPDATE,
//! MESSAGE_CREATE, TYPING_START, GUILD_MEMBER_UPDATE, reactions, voice states and
//! GUILD_CREATEs with 50–1000 members, compressed as Discord does (one zlib stream per
//! connection, a sync flush per message).
//!
//! Run: `cargo bench -p gateway-proto --bench decode`.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use gateway_proto::{
    envelope, inflate::ZlibStream, Compression, Config, Intents, Message, Output, ShardId,
    ShardMachine,
};
use miniz_oxide::deflate::core::{create_comp_flags_from_zip_params, CompressorOxide};
use miniz_oxide::deflate::stream::deflate;
use miniz_oxide::{DataFormat, MZFlush};
use std::hint::black_box;
use std::time::{Duration, Instant};

const EVENTS: usize = 2_000;

/// Compresses each payload as one sync-flushed chunk of a single zlib stream.
fn zlib_frames(payloads: &[String]) -> Vec<Vec<u8>> {
    let flags = create_comp_flags_from_zip_params(1, 15, 0);
    let mut compressor = CompressorOxide::new(flags);
    compressor.set_format_and_level(DataFormat::Zlib, 1);
    payloads
        .iter()
        .map(|payload| {
            let mut out = vec![0; payload.len() + 1024];
            let mut input = payload.as_bytes();
            let mut written = 0;
            loop {
                let result = deflate(&mut compressor, input, &mut out[written..], MZFlush::Sync);
                input = &input[result.bytes_consumed..];
                written += result.bytes_written;
                if input.is_empty() && written < out.len() {
                    break;
                }
                out.resize(out.len() * 2, 0);
            }
            out.truncate(written);
            out
        })
        .collect()
}

/// A machine in the Active state on a zlib-stream connection whose first message
/// (Hello) and second (READY) are the first two frames returned.
fn active_machine(now: Instant) -> (ShardMachine, Vec<Vec<u8>>) {
    let config = Config::builder("bench-token", Intents::NON_PRIVILEGED)
        .gateway_url("ws://bench.invalid")
        .compression(Compression::ZlibStream)
        .build()
        .expect("valid config");
    let mut machine = ShardMachine::new(ShardId::ONE, config);
    let hello = r#"{"op":10,"d":{"heartbeat_interval":41250}}"#.to_owned();
    let ready = r#"{"op":0,"s":0,"t":"READY","d":{"session_id":"s","resume_gateway_url":"ws://r.invalid","user":{"id":"1"},"guilds":[]}}"#.to_owned();
    let mut all = vec![hello, ready];
    all.extend(gateway_sim::corpus::payloads(7, EVENTS));
    let frames = zlib_frames(&all);
    machine.handle_open(now);
    machine.handle_message(now, Message::Binary(&frames[0]));
    while let Some(output) = machine.poll_output() {
        if output == Output::RequestIdentify {
            machine.handle_identify_permit(now);
        }
    }
    machine.handle_message(now, Message::Binary(&frames[1]));
    while machine.poll_output().is_some() {}
    (machine, frames[2..].to_vec())
}

fn bench(c: &mut Criterion) {
    let payloads = gateway_sim::corpus::payloads(7, EVENTS);
    let inflated: usize = payloads.iter().map(String::len).sum();
    let frames = zlib_frames(&payloads);
    let compressed: usize = frames.iter().map(Vec::len).sum();
    eprintln!(
        "corpus: {EVENTS} events, {inflated} bytes JSON, {compressed} bytes zlib-stream ({:.1}:1)",
        inflated as f64 / compressed as f64
    );

    for (name, throughput) in [
        ("bytes", Throughput::Bytes(inflated as u64)),
        ("events", Throughput::Elements(EVENTS as u64)),
    ] {
        let mut group = c.benchmark_group(format!("decode/{name}"));
        group.throughput(throughput);
        group.measurement_time(Duration::from_secs(5));
        group.bench_function("inflate", |b| {
            b.iter_batched_ref(
                || ZlibStream::new(16 << 20),
                |stream| {
                    for frame in &frames {
                        black_box(stream.push(frame).ok().flatten().map(<[u8]>::len));
                    }
                },
                BatchSize::LargeInput,
            )
        });
        group.bench_function("inflate+envelope", |b| {
            b.iter_batched_ref(
                || ZlibStream::new(16 << 20),
                |stream| {
                    for frame in &frames {
                        if let Ok(Some(bytes)) = stream.push(frame) {
                            let text = std::str::from_utf8(bytes).expect("utf-8 corpus");
                            black_box(envelope::scan(text).map(|e| e.op).ok());
                        }
                    }
                },
                BatchSize::LargeInput,
            )
        });
        group.bench_function("machine", |b| {
            b.iter_batched_ref(
                || active_machine(Instant::now()),
                |(machine, frames)| {
                    let now = Instant::now();
                    for frame in frames.iter() {
                        machine.handle_message(now, Message::Binary(frame));
                        while let Some(output) = machine.poll_output() {
                            black_box(&output);
                        }
                    }
                },
                BatchSize::LargeInput,
            )
        });
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
