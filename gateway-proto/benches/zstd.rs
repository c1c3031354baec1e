//! zstd-stream decode throughput (MB/s of decoded output) of the candidate decoders on a
//! realistic connection: the corpus of `tests/support/zstd_corpus.rs` (Hello, READY, 4
//! GUILD_CREATEs of 500 members, 3,000 mixed events, 3.5 MB decoded), compressed like Discord
//! (window log 18, a flush per message, no frame end). Each iteration decodes the whole
//! connection message by message with a fresh context.
//!
//! ```text
//! cargo bench -p gateway-proto --bench zstd --features zstd
//! ```
//!
//! Measured on the project's 2-core machine (shared, so ±10 %): libzstd's DCtx 249 MiB/s,
//! gateway-proto's `ZstdStream` 107 MiB/s, ruzstd 67 MiB/s (and ruzstd cannot hand messages
//! over in time). Memory per context is measured by `examples/zstd_memory.rs`.

#[path = "../tests/support/zstd_corpus.rs"]
mod corpus;

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use gateway_proto::zstd::ZstdStream;
use ruzstd::decoding::{BlockDecodingStrategy, FrameDecoder};
use zstd::zstd_safe::{DCtx, InBuffer, OutBuffer};

fn decode(c: &mut Criterion) {
    let (messages, wire) = corpus::standard_stream(3);
    let plain: usize = messages.iter().map(Vec::len).sum();

    let mut group = c.benchmark_group("zstd_stream");
    group
        .throughput(Throughput::Bytes(plain as u64))
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));

    // libzstd's DCtx, as twilight drives it: decode each message until its input is used up.
    group.bench_function("libzstd_DCtx", |b| {
        let mut output = vec![0u8; 4 << 20];
        b.iter(|| {
            let mut dctx = DCtx::create();
            let mut total = 0;
            for frame in &wire {
                let mut input = InBuffer::around(black_box(frame));
                let mut out = OutBuffer::around(&mut output[..]);
                while input.pos() < frame.len() {
                    dctx.decompress_stream(&mut out, &mut input).expect("valid");
                }
                total += out.pos();
            }
            assert_eq!(total, plain);
        });
    });

    // What gateway-proto ships: its own decoder behind the capped output buffer.
    group.bench_function("gateway_proto_ZstdStream", |b| {
        b.iter(|| {
            let mut stream = ZstdStream::new(16 << 20);
            let mut total = 0;
            for frame in &wire {
                if let Ok(Some(message)) = stream.push(black_box(frame)) {
                    total += message.len();
                }
            }
            assert_eq!(total, plain);
        });
    });

    // ruzstd decodes the same blocks, but hands bytes over only once they leave the window
    // (see the memory example): this measures its decoding speed, not a usable gateway path.
    group.bench_function("ruzstd_FrameDecoder", |b| {
        let mut drained = vec![0u8; plain];
        b.iter(|| {
            let mut decoder = FrameDecoder::new();
            let mut total = 0;
            for (i, frame) in wire.iter().enumerate() {
                let mut input = &black_box(frame)[..];
                if i == 0 {
                    decoder.init(&mut input).expect("frame header");
                }
                while !input.is_empty() {
                    decoder
                        .decode_blocks(&mut input, BlockDecodingStrategy::UptoBlocks(1))
                        .expect("valid block");
                }
                total += std::io::Read::read(&mut decoder, &mut drained[total..]).expect("drain");
            }
            assert_eq!(total + (256 << 10), plain);
        });
    });
    group.finish();
}

criterion_group!(benches, decode);
criterion_main!(benches);
