//! The whole shard state machine fed arbitrary input sequences, with issue 8's invariants
//! as assertions. The body is `gateway_proto::fuzzing::machine`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::{sync::OnceLock, time::Instant};

/// Origin of virtual time, read once: the machine itself never reads a clock.
static ORIGIN: OnceLock<Instant> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    gateway_proto::fuzzing::machine(*ORIGIN.get_or_init(Instant::now), data)
});
