//! Side-by-side benchmarks of this project's gateway crates and twilight-gateway 0.18.
//!
//! One binary, `gwbench`, with subcommands (see `src/bin/gwbench.rs`): a client under test
//! (`throughput`, `memory`) runs in a process of its own so its CPU time and memory are its
//! own, while `suite` runs the feeder and starts those clients one after another. The
//! proto-level floor (decompression alone, plus envelope scan, plus the machine) is the
//! criterion bench `benches/proto.rs`. `bash benchmarks/run.sh` runs everything.
//!
//! Module map:
//! - [`corpus`]: the scripts every connection replays (Hello, READY, the seeded mix);
//! - [`compress`]: zlib-stream and zstd-stream, done once ahead of time;
//! - [`feeder`]: the loopback gateway that replays a script as fast as the client reads;
//! - [`client`]: run arguments, the measurement window and memory bookkeeping;
//! - [`ours`] and [`twilight`]: the two libraries, each reduced to "connect, read events";
//! - [`measure`]: getrusage, RSS, the counting allocator, the open-file limit;
//! - [`suite`] and [`report`]: running everything and turning results into tables;
//! - [`stage`]: one proto-level stage run once, for profiling with callgrind.
#![warn(missing_docs)]

pub mod client;
pub mod compress;
pub mod corpus;
pub mod feeder;
pub mod measure;
pub mod ours;
pub mod report;
pub mod stage;
pub mod suite;
pub mod twilight;

/// Events in one pass of the proto-level bench.
pub const PROTO_EVENTS: usize = 5_000;

/// The events of the proto-level bench: the first [`PROTO_EVENTS`] dispatches after READY of
/// the throughput script (same seed, same mix).
pub fn proto_corpus() -> Vec<String> {
    let mut script = corpus::throughput("ws://unused", 0, PROTO_EVENTS);
    script.messages.split_off(2)
}
