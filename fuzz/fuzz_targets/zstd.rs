//! The zstd-stream context (the crate's own decoder): arbitrary messages, and messages
//! framed as Discord's endless frame. The body is `gateway_proto::fuzzing::zstd`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| gateway_proto::fuzzing::zstd(data));
