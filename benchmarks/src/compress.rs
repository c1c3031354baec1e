//! Transport compression done once, ahead of time, as Discord does it per connection
//! (protocol.md §9.2): `zlib-stream` is one deflate stream with a zlib header and a sync
//! flush after every message; `zstd-stream` is one zstd frame from one context with window
//! log 18, flushed after every message and never ended. Because every connection of a
//! benchmark receives the same messages, the compressed bytes are shared by all of them and
//! the feeder spends nothing on compression. Knows nothing about sockets.

use miniz_oxide::deflate::core::{create_comp_flags_from_zip_params, CompressorOxide};
use miniz_oxide::deflate::stream::deflate;
use miniz_oxide::{DataFormat, MZError, MZFlush, MZStatus};
use std::fmt;
use std::str::FromStr;
use zstd::stream::raw::{CParameter, InBuffer, Operation, OutBuffer};

/// zlib's default level: what a server using zlib without tuning sends.
const ZLIB_LEVEL: u8 = 6;

/// zstd's default level.
const ZSTD_LEVEL: i32 = 3;

/// zstd's window log on Discord's `zstd-stream` (a 256 KiB window).
const ZSTD_WINDOW_LOG: u32 = 18;

/// A transport compression, as the `compress` query parameter names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Compression {
    /// No transport compression: text frames.
    None,
    /// `compress=zlib-stream`.
    Zlib,
    /// `compress=zstd-stream`.
    Zstd,
}

impl Compression {
    /// Every compression, in table order.
    pub const ALL: [Compression; 3] = [Compression::Zlib, Compression::Zstd, Compression::None];

    /// The value of the `compress` query parameter (`None` for plain text).
    pub fn query(self) -> Option<&'static str> {
        match self {
            Compression::None => None,
            Compression::Zlib => Some("zlib-stream"),
            Compression::Zstd => Some("zstd-stream"),
        }
    }

    /// The compression a connection asked for with its `compress` query value.
    pub fn from_query(value: Option<&str>) -> Option<Self> {
        match value {
            None | Some("") => Some(Compression::None),
            Some("zlib-stream") => Some(Compression::Zlib),
            Some("zstd-stream") => Some(Compression::Zstd),
            Some(_) => None,
        }
    }

    /// Short name used on the command line and in tables: `zlib`, `zstd` or `none`.
    pub fn name(self) -> &'static str {
        match self {
            Compression::None => "none",
            Compression::Zlib => "zlib",
            Compression::Zstd => "zstd",
        }
    }
}

impl fmt::Display for Compression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Compression::None => "none",
            Compression::Zlib => "zlib-stream",
            Compression::Zstd => "zstd-stream",
        })
    }
}

impl FromStr for Compression {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "none" => Ok(Compression::None),
            "zlib" | "zlib-stream" => Ok(Compression::Zlib),
            "zstd" | "zstd-stream" => Ok(Compression::Zstd),
            other => Err(format!(
                "unknown compression {other:?} (zlib, zstd or none)"
            )),
        }
    }
}

/// Compresses `messages` as one connection's stream: one output per message, each ending a
/// flush, so the n-th output decodes to the n-th message given all earlier ones.
pub fn compress(messages: &[String], compression: Compression) -> Vec<Vec<u8>> {
    match compression {
        Compression::None => messages.iter().map(|m| m.as_bytes().to_vec()).collect(),
        Compression::Zlib => {
            let flags = create_comp_flags_from_zip_params(ZLIB_LEVEL.into(), 15, 0);
            let mut compressor = Box::new(CompressorOxide::new(flags));
            compressor.set_format_and_level(DataFormat::Zlib, ZLIB_LEVEL);
            messages
                .iter()
                .map(|m| deflate_message(&mut compressor, m.as_bytes()))
                .collect()
        }
        Compression::Zstd => {
            let mut encoder = zstd::stream::raw::Encoder::new(ZSTD_LEVEL).expect("zstd context");
            for parameter in [
                CParameter::WindowLog(ZSTD_WINDOW_LOG),
                CParameter::ChecksumFlag(false),
                CParameter::ContentSizeFlag(false),
            ] {
                encoder.set_parameter(parameter).expect("valid parameter");
            }
            messages
                .iter()
                .map(|m| zstd_message(&mut encoder, m.as_bytes()))
                .collect()
        }
    }
}

/// One message, then a sync flush (the output ends in `00 00 ff ff`).
fn deflate_message(compressor: &mut CompressorOxide, mut input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len() / 2 + 64);
    let mut buffer = vec![0; 64 * 1024];
    loop {
        let result = deflate(compressor, input, &mut buffer, MZFlush::Sync);
        match result.status {
            // Buf: nothing left to do, the flush is complete.
            Ok(MZStatus::Ok) | Err(MZError::Buf) => {}
            other => panic!("deflate failed: {other:?}"),
        }
        input = &input[result.bytes_consumed..];
        out.extend_from_slice(&buffer[..result.bytes_written]);
        if input.is_empty() && result.bytes_written < buffer.len() {
            return out;
        }
    }
}

/// One message, then `ZSTD_e_flush`.
fn zstd_message(encoder: &mut zstd::stream::raw::Encoder<'static>, data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() / 2 + 64);
    let mut buffer = vec![0; 64 * 1024];
    let mut input = InBuffer::around(data);
    while input.pos() < data.len() {
        let mut output = OutBuffer::around(&mut buffer[..]);
        encoder.run(&mut input, &mut output).expect("zstd compress");
        let n = output.pos();
        out.extend_from_slice(&buffer[..n]);
    }
    loop {
        let mut output = OutBuffer::around(&mut buffer[..]);
        let remaining = encoder.flush(&mut output).expect("zstd flush");
        let n = output.pos();
        out.extend_from_slice(&buffer[..n]);
        if remaining == 0 {
            return out;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gateway_proto::inflate::ZlibStream;
    use gateway_proto::zstd::ZstdStream;

    fn messages() -> Vec<String> {
        let mut messages = vec![crate::corpus::hello()];
        messages.extend(gateway_sim::corpus::payloads(3, 200));
        messages
    }

    #[test]
    fn zlib_stream_decodes_message_by_message() {
        let messages = messages();
        let frames = compress(&messages, Compression::Zlib);
        let mut stream = ZlibStream::new(64 << 20);
        for (frame, message) in frames.iter().zip(&messages) {
            assert!(frame.ends_with(&[0, 0, 0xff, 0xff]));
            assert_eq!(stream.push(frame).unwrap(), Some(message.as_bytes()));
        }
    }

    #[test]
    fn zstd_stream_decodes_message_by_message() {
        let messages = messages();
        let frames = compress(&messages, Compression::Zstd);
        let mut stream = ZstdStream::new(64 << 20);
        for (frame, message) in frames.iter().zip(&messages) {
            assert_eq!(stream.push(frame).unwrap(), Some(message.as_bytes()));
        }
    }
}
