//! The zlib-stream context: arbitrary frames, and real deflate output split anywhere.
//! The body is `gateway_proto::fuzzing::inflate`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| gateway_proto::fuzzing::inflate(data));
