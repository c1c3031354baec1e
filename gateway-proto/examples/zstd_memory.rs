//! Heap bytes one zstd-stream decoder holds after a realistic connection, for each candidate
//! decoder: libzstd's `ZSTD_DCtx` (what twilight uses), the pure-Rust `ruzstd`, and
//! gateway-proto's own `ZstdStream`. Also checks whether each one hands over every message as it arrives,
//! which a gateway needs and an endless frame makes hard.
//!
//! ```text
//! cargo run --release -p gateway-proto --example zstd_memory --features zstd
//! ```
//!
//! The connection is the bench's: Hello, READY, 4 GUILD_CREATEs of 500 members, then 3,000
//! MESSAGE_CREATE / PRESENCE_UPDATE / TYPING_START / reaction / member events, compressed the
//! way Discord does (one context, window log 18, a flush per message, no frame end).
//! libzstd allocates with C `malloc`, so its figure is `ZSTD_sizeof_DCtx`; `ruzstd` allocates
//! through Rust, so a counting global allocator measures it.

#[path = "../tests/support/zstd_corpus.rs"]
mod corpus;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

use gateway_proto::zstd::ZstdStream;
use ruzstd::decoding::{BlockDecodingStrategy, FrameDecoder};
use zstd::zstd_safe::{DCtx, InBuffer, OutBuffer};

/// Live bytes allocated through Rust's allocator, and the peak since the last reset.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// The example has no `unsafe` of its own to forbid, but a global allocator is an unsafe trait.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let live = LIVE.fetch_add(layout.size(), Relaxed) + layout.size();
        PEAK.fetch_max(live, Relaxed);
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size > layout.size() {
            let live = LIVE.fetch_add(new_size - layout.size(), Relaxed) + new_size - layout.size();
            PEAK.fetch_max(live, Relaxed);
        } else {
            LIVE.fetch_sub(layout.size() - new_size, Relaxed);
        }
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Twilight-gateway 0.18's zstd context after the first message, as reported in issue 7.
const TWILIGHT_DCTX_BYTES: usize = 751_400;

fn main() {
    let (messages, wire) = corpus::standard_stream(3);
    let plain: usize = messages.iter().map(Vec::len).sum();
    let compressed: usize = wire.iter().map(Vec::len).sum();
    let largest = messages.iter().map(Vec::len).max().unwrap_or(0);
    println!(
        "stream: {} messages, {plain} bytes decoded ({compressed} on the wire, {:.1}x), largest {largest}",
        messages.len(),
        plain as f64 / compressed as f64
    );
    println!(
        "target: <= {} bytes (half of twilight's {TWILIGHT_DCTX_BYTES})",
        TWILIGHT_DCTX_BYTES / 2
    );
    println!();

    libzstd_raw(&messages, &wire);
    zstd_stream(&messages, &wire);
    ruzstd(&messages, &wire);
}

/// A bare `ZSTD_DCtx` with default parameters, as twilight drives it.
fn libzstd_raw(messages: &[Vec<u8>], wire: &[Vec<u8>]) {
    let mut dctx = DCtx::create();
    let fresh = dctx.sizeof();
    let mut output = vec![0u8; 4 << 20];
    let mut after_first = 0;
    for (i, (message, frame)) in messages.iter().zip(wire).enumerate() {
        let mut input = InBuffer::around(frame);
        let mut out = OutBuffer::around(&mut output[..]);
        while input.pos() < frame.len() {
            dctx.decompress_stream(&mut out, &mut input)
                .expect("valid stream");
        }
        let len = out.pos();
        assert_eq!(&output[..len], &message[..], "message {i}");
        if i == 0 {
            after_first = dctx.sizeof();
        }
    }
    println!("libzstd ZSTD_DCtx (twilight's decoder), ZSTD_sizeof_DCtx:");
    println!(
        "  fresh {fresh}, after the first message {after_first}, after the stream {}",
        dctx.sizeof()
    );
    println!("  every message delivered as it arrived: yes");
}

/// What gateway-proto ships: `ZstdStream` (its own decoder: window, tables, output buffer).
fn zstd_stream(messages: &[Vec<u8>], wire: &[Vec<u8>]) {
    let before = LIVE.load(Relaxed);
    let mut stream = ZstdStream::new(16 << 20);
    let mut peak = 0;
    for (i, (message, frame)) in messages.iter().zip(wire).enumerate() {
        assert_eq!(stream.push(frame), Ok(Some(&message[..])), "message {i}");
        peak = peak.max(stream.heap_bytes());
    }
    println!("gateway_proto::zstd::ZstdStream, heap_bytes() (window + tables + buffers):");
    println!(
        "  after the stream {} (peak {peak}, while holding the largest message)",
        stream.heap_bytes()
    );
    println!(
        "  live heap bytes by the counting allocator: {}",
        LIVE.load(Relaxed) - before
    );
    println!("  every message delivered as it arrived: yes");
}

/// `ruzstd`'s `FrameDecoder`, fed one message at a time.
fn ruzstd(messages: &[Vec<u8>], wire: &[Vec<u8>]) {
    let mut drained = vec![0u8; 32 << 20];
    let before = LIVE.load(Relaxed);
    PEAK.store(before, Relaxed);
    let mut decoder = FrameDecoder::new();
    let mut on_time = 0;
    let mut total = 0;
    let mut expected_total = 0;
    let mut first_late = None;
    for (i, (message, frame)) in messages.iter().zip(wire).enumerate() {
        let mut input = &frame[..];
        if i == 0 {
            decoder.init(&mut input).expect("frame header");
        }
        while !input.is_empty() {
            decoder
                .decode_blocks(&mut input, BlockDecodingStrategy::UptoBlocks(1))
                .expect("valid block");
        }
        // `read` drains what the decoder will give: only output older than the window.
        let got = std::io::Read::read(&mut decoder, &mut drained[total..]).expect("drain");
        total += got;
        expected_total += message.len();
        if total == expected_total {
            on_time += 1;
        } else if first_late.is_none() {
            first_late = Some((i, expected_total - total));
        }
    }
    let held = LIVE.load(Relaxed) - before;
    let peak = PEAK.load(Relaxed) - before;
    let all: Vec<u8> = messages.concat();
    assert_eq!(
        &drained[..total],
        &all[..total],
        "what ruzstd delivered is correct"
    );
    println!("ruzstd 0.9 FrameDecoder, live heap bytes (counting allocator):");
    println!("  after the stream {held} (peak {peak})");
    println!(
        "  messages delivered as they arrived: {on_time} of {}",
        messages.len()
    );
    if let Some((i, missing)) = first_late {
        println!(
            "  first held back: message {i}; {missing} bytes held until 256 KiB more output follows"
        );
    }
    println!(
        "  still held at the end of the stream: {} bytes",
        expected_total - total
    );
}
