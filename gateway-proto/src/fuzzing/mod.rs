//! Fuzz-target bodies and the invariant monitor (cargo feature `fuzzing`; not public API).
//!
//! Each cargo-fuzz target in `fuzz/` is a one-line shim over a function here, so the same
//! bodies run in `cargo test` (proptest and unit tests at the bottom of each file) and in the
//! deterministic simulation (`tests/dst.rs`), which drives the machine with a model gateway
//! and checks it with the same [`Monitor`]. Everything here panics on a broken invariant:
//! that is how a fuzzer or a test learns about it.
//!
//! - [`monitor`]: the rules of issue 8 that can be judged from the machine's inputs and
//!   outputs alone (heartbeat cadence, zombie, 120 frames per 60 s, 4096 bytes, identify
//!   and resume discipline, sequence order, silence after stop, bounded memory).
//! - [`machine`]: the whole state machine fed an arbitrary sequence of inputs.
//! - [`decoders`]: the zlib-stream context, the zstd-stream context (feature `zstd`) and
//!   the envelope scan.

pub mod decoders;
pub mod machine;
pub mod monitor;

pub use arbitrary;
#[cfg(feature = "zstd")]
pub use decoders::zstd;
pub use decoders::{envelope, inflate};
pub use machine::machine;
pub use monitor::{Monitor, Violation};
