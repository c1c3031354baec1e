//! The envelope scan, cross-checked against serde_json's parse of op, s, t and d.
//! The body is `gateway_proto::fuzzing::envelope`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| gateway_proto::fuzzing::envelope(data));
