//! The proto-level floor on the benchmark corpus, one core, no sockets: how fast our decoders
//! and machine go, so the end-to-end numbers can be read against them.
//!
//! Groups `proto-zlib`, `proto-zstd` and `proto-none`; one iteration is one pass over
//! [`gateway_benchmarks::proto_corpus`] (the first events of the throughput script, compressed
//! as the feeder compresses them). Stages:
//! - `inflate`: decompression alone (zlib-stream with our `ZlibStream`, zstd-stream with
//!   our `ZstdStream`), the floor of our raw path;
//! - `inflate+envelope`: plus UTF-8 validation and the envelope scan (`op`, `s`, `t`, `d`);
//! - `inflate+typed`: decompression, then each message as a `Dispatch` (one copy into a
//!   `String`, the envelope scan) parsed into its typed payload (`Dispatch::parse`);
//! - `machine`: the whole `ShardMachine` on a connected session (decompression, scan,
//!   sequence bookkeeping, events), what gateway-tokio's task does per message;
//! - `machine+typed`: plus `Dispatch::parse` of every dispatch, the whole typed path
//!   without sockets and tasks;
//! - `envelope` (text only): UTF-8 validation and the scan;
//! - `typed` (text only): as `inflate+typed` without the decompression;
//! - `twilight-parse` (text only): twilight-gateway's typed deserialization of every event
//!   (`twilight_gateway::parse` with every flag), the typed work twilight does per event.
//!
//! Run: `cargo bench --bench proto` in `benchmarks/` (run.sh does).

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use gateway_benchmarks::compress::{compress, Compression};
use gateway_benchmarks::{corpus, proto_corpus};
use gateway_proto::inflate::ZlibStream;
use gateway_proto::model::dispatch_from_frame;
use gateway_proto::zstd::ZstdStream;
use gateway_proto::{envelope, Config, Event, Intents, Message, Output, ShardId, ShardMachine};
use std::hint::black_box;
use std::time::{Duration, Instant};

/// Inflate cap: larger than any corpus message.
const MAX_MESSAGE: usize = 16 << 20;

fn proto_compression(compression: Compression) -> gateway_proto::Compression {
    match compression {
        Compression::None => gateway_proto::Compression::None,
        Compression::Zlib => gateway_proto::Compression::ZlibStream,
        Compression::Zstd => gateway_proto::Compression::ZstdStream,
    }
}

/// The whole stream of one connection, compressed: Hello, READY, then `events`.
fn connection_frames(compression: Compression, events: &[String]) -> Vec<Vec<u8>> {
    let mut messages = vec![
        corpus::hello(),
        corpus::ready(&corpus::world(), "ws://r.invalid"),
    ];
    messages.extend_from_slice(events);
    compress(&messages, compression)
}

/// A machine past READY, fed the first two of `frames` (Hello and READY).
fn active_machine(compression: Compression, frames: &[Vec<u8>]) -> ShardMachine {
    let now = Instant::now();
    let config = Config::builder("bench-token", Intents::all())
        .gateway_url("ws://bench.invalid")
        .compression(proto_compression(compression))
        .max_message_size(MAX_MESSAGE)
        .build()
        .expect("valid config");
    let mut machine = ShardMachine::new(ShardId::ONE, config);
    machine.handle_open(now);
    machine.handle_message(now, message(compression, &frames[0]));
    while let Some(output) = machine.poll_output() {
        if output == Output::RequestIdentify {
            machine.handle_identify_permit(now);
        }
    }
    machine.handle_message(now, message(compression, &frames[1]));
    while machine.poll_output().is_some() {}
    machine
}

/// A websocket message as it arrives on a connection with `compression`.
fn message(compression: Compression, frame: &[u8]) -> Message<'_> {
    match compression {
        Compression::None => Message::Text(std::str::from_utf8(frame).expect("utf-8 corpus")),
        _ => Message::Binary(frame),
    }
}

/// A decoder of one compression, reset per iteration.
enum Decoder {
    Zlib(ZlibStream),
    Zstd(Box<ZstdStream>),
}

impl Decoder {
    fn new(compression: Compression) -> Self {
        match compression {
            Compression::Zlib => Decoder::Zlib(ZlibStream::new(MAX_MESSAGE)),
            Compression::Zstd => Decoder::Zstd(Box::new(ZstdStream::new(MAX_MESSAGE))),
            Compression::None => unreachable!("text needs no decoder"),
        }
    }

    fn push(&mut self, frame: &[u8]) -> Option<&[u8]> {
        match self {
            Decoder::Zlib(stream) => stream.push(frame).expect("valid stream"),
            Decoder::Zstd(stream) => stream.push(frame).expect("valid stream"),
        }
    }
}

fn bench(c: &mut Criterion) {
    let events = proto_corpus();
    let bytes: usize = events.iter().map(String::len).sum();
    for compression in Compression::ALL {
        let frames = compress(&events, compression);
        let mut group = c.benchmark_group(format!("proto-{}", compression.name()));
        group.throughput(Throughput::Elements(events.len() as u64));
        group.sample_size(20);
        group.measurement_time(Duration::from_secs(8));
        eprintln!(
            "proto-{}: {} events, {bytes} bytes JSON, {} bytes on the wire",
            compression.name(),
            events.len(),
            frames.iter().map(Vec::len).sum::<usize>()
        );
        if compression == Compression::None {
            group.bench_function("envelope", |b| {
                b.iter(|| {
                    for frame in &frames {
                        let text = std::str::from_utf8(frame).expect("utf-8 corpus");
                        black_box(envelope::scan(text).map(|e| e.op).ok());
                    }
                })
            });
            group.bench_function("typed", |b| {
                b.iter(|| {
                    for frame in &frames {
                        typed(std::str::from_utf8(frame).expect("utf-8 corpus"));
                    }
                })
            });
            group.bench_function("twilight-parse", |b| {
                let flags = twilight_gateway::EventTypeFlags::all();
                b.iter(|| {
                    for event in &events {
                        black_box(twilight_gateway::parse(event.clone(), flags).ok());
                    }
                })
            });
        } else {
            group.bench_function("inflate", |b| {
                b.iter_batched_ref(
                    || Decoder::new(compression),
                    |decoder| {
                        for frame in &frames {
                            black_box(decoder.push(frame).map(<[u8]>::len));
                        }
                    },
                    BatchSize::LargeInput,
                )
            });
            group.bench_function("inflate+envelope", |b| {
                b.iter_batched_ref(
                    || Decoder::new(compression),
                    |decoder| {
                        for frame in &frames {
                            if let Some(bytes) = decoder.push(frame) {
                                let text = std::str::from_utf8(bytes).expect("utf-8 corpus");
                                black_box(envelope::scan(text).map(|e| e.op).ok());
                            }
                        }
                    },
                    BatchSize::LargeInput,
                )
            });
            group.bench_function("inflate+typed", |b| {
                b.iter_batched_ref(
                    || Decoder::new(compression),
                    |decoder| {
                        for frame in &frames {
                            if let Some(bytes) = decoder.push(frame) {
                                let text = std::str::from_utf8(bytes).expect("utf-8 corpus");
                                typed(text);
                            }
                        }
                    },
                    BatchSize::LargeInput,
                )
            });
        }
        let connection = connection_frames(compression, &events);
        group.bench_function("machine", |b| {
            b.iter_batched_ref(
                || active_machine(compression, &connection),
                |machine| {
                    let now = Instant::now();
                    for frame in &connection[2..] {
                        machine.handle_message(now, message(compression, frame));
                        while let Some(output) = machine.poll_output() {
                            black_box(&output);
                        }
                    }
                },
                BatchSize::LargeInput,
            )
        });
        group.bench_function("machine+typed", |b| {
            b.iter_batched_ref(
                || active_machine(compression, &connection),
                |machine| {
                    let now = Instant::now();
                    for frame in &connection[2..] {
                        machine.handle_message(now, message(compression, frame));
                        while let Some(output) = machine.poll_output() {
                            if let Output::Event(Event::Dispatch(dispatch)) = &output {
                                black_box(dispatch.parse().expect("the corpus parses"));
                            }
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

/// One message as the typed path sees it: a `Dispatch` built from its text (the copy the
/// machine makes, the envelope scan), then its typed payload.
fn typed(text: &str) {
    let dispatch = dispatch_from_frame(text.to_owned()).expect("a dispatch frame");
    black_box(dispatch.parse().expect("the corpus parses"));
}

criterion_group!(benches, bench);
criterion_main!(benches);
