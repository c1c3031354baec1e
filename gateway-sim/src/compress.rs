//! Transport compression for one connection (protocol.md §9.2).
//!
//! `zlib-stream`: one deflate stream with a zlib header for the whole connection; every message
//! ends with a sync flush, so its bytes end in `00 00 ff ff`. `zstd-stream`: one compression
//! context for the whole connection with window log 18 (as Discord's frames show); every message
//! is flushed and the frame is never ended. This file knows nothing about websockets: it turns
//! payload bytes into the compressed bytes of one message.

use miniz_oxide::deflate::core::CompressorOxide;
use miniz_oxide::deflate::stream::deflate;
use miniz_oxide::deflate::CompressionLevel;
use miniz_oxide::{DataFormat, MZFlush, MZStatus};
use zstd::stream::raw::{CParameter, InBuffer, Operation, OutBuffer};

/// The `compress` query parameter of a connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compression {
    /// No transport compression: text frames.
    None,
    /// `compress=zlib-stream`.
    ZlibStream,
    /// `compress=zstd-stream`.
    ZstdStream,
}

impl Compression {
    /// Parses the query value; `None` for values the gateway does not know.
    pub fn from_query(value: Option<&str>) -> Option<Self> {
        match value {
            None | Some("") => Some(Self::None),
            Some("zlib-stream") => Some(Self::ZlibStream),
            Some("zstd-stream") => Some(Self::ZstdStream),
            Some(_) => None,
        }
    }
}

/// Per-connection compressor state.
pub(crate) enum Compressor {
    None,
    Zlib(Box<CompressorOxide>),
    Zstd(Box<zstd::stream::raw::Encoder<'static>>),
}

/// Compression failed; the connection should be dropped.
#[derive(Debug)]
pub(crate) struct CompressError(pub String);

impl Compressor {
    pub(crate) fn new(kind: Compression) -> Result<Self, CompressError> {
        Ok(match kind {
            Compression::None => Self::None,
            Compression::ZlibStream => {
                Self::Zlib(Box::new(CompressorOxide::with_format_and_level(
                    DataFormat::Zlib,
                    CompressionLevel::BestSpeed,
                )))
            }
            Compression::ZstdStream => {
                let mut enc =
                    zstd::stream::raw::Encoder::new(3).map_err(|e| CompressError(e.to_string()))?;
                enc.set_parameter(CParameter::WindowLog(18))
                    .map_err(|e| CompressError(e.to_string()))?;
                enc.set_parameter(CParameter::ChecksumFlag(false))
                    .map_err(|e| CompressError(e.to_string()))?;
                enc.set_parameter(CParameter::ContentSizeFlag(false))
                    .map_err(|e| CompressError(e.to_string()))?;
                Self::Zstd(Box::new(enc))
            }
        })
    }

    /// Whether messages go out as binary frames.
    pub(crate) fn is_binary(&self) -> bool {
        !matches!(self, Self::None)
    }

    /// Compresses one whole message and flushes it.
    pub(crate) fn message(&mut self, data: &[u8]) -> Result<Vec<u8>, CompressError> {
        let mut out = Vec::with_capacity(data.len() / 4 + 64);
        self.feed(data, false, &mut out)?;
        self.flush(&mut out)?;
        Ok(out)
    }

    /// Compresses `data` without ending the message (used to build messages in pieces, such as
    /// the decompression bomb). `flush` ends the message.
    pub(crate) fn feed(
        &mut self,
        data: &[u8],
        _last: bool,
        out: &mut Vec<u8>,
    ) -> Result<(), CompressError> {
        match self {
            Self::None => out.extend_from_slice(data),
            Self::Zlib(c) => deflate_all(c, data, MZFlush::None, out)?,
            Self::Zstd(enc) => {
                let mut input = InBuffer::around(data);
                let mut buf = vec![0u8; 64 * 1024];
                while input.pos() < data.len() {
                    let mut output = OutBuffer::around(&mut buf[..]);
                    enc.run(&mut input, &mut output)
                        .map_err(|e| CompressError(e.to_string()))?;
                    let n = output.pos();
                    out.extend_from_slice(&buf[..n]);
                }
            }
        }
        Ok(())
    }

    /// Ends the current message: sync flush (zlib) or `ZSTD_e_flush` (zstd).
    pub(crate) fn flush(&mut self, out: &mut Vec<u8>) -> Result<(), CompressError> {
        match self {
            Self::None => {}
            Self::Zlib(c) => deflate_all(c, &[], MZFlush::Sync, out)?,
            Self::Zstd(enc) => {
                let mut buf = vec![0u8; 64 * 1024];
                loop {
                    let mut output = OutBuffer::around(&mut buf[..]);
                    let remaining = enc
                        .flush(&mut output)
                        .map_err(|e| CompressError(e.to_string()))?;
                    let n = output.pos();
                    out.extend_from_slice(&buf[..n]);
                    if remaining == 0 {
                        break;
                    }
                }
            }
        }
        Ok(())
    }
}

/// Runs deflate until all input is consumed and, for a flush, until the output stops filling
/// the buffer.
fn deflate_all(
    c: &mut CompressorOxide,
    mut input: &[u8],
    flush: MZFlush,
    out: &mut Vec<u8>,
) -> Result<(), CompressError> {
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let res = deflate(c, input, &mut buf, flush);
        match res.status {
            Ok(MZStatus::Ok) | Ok(MZStatus::StreamEnd) => {}
            // BufError means "no progress possible", which happens once a flush is complete.
            Err(miniz_oxide::MZError::Buf) => {}
            other => return Err(CompressError(format!("deflate failed: {other:?}"))),
        }
        input = &input[res.bytes_consumed..];
        out.extend_from_slice(&buf[..res.bytes_written]);
        let output_full = res.bytes_written == buf.len();
        if input.is_empty() && !output_full {
            return Ok(());
        }
        if res.bytes_consumed == 0 && res.bytes_written == 0 {
            return Err(CompressError("deflate made no progress".to_owned()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inflate_stream(parts: &[Vec<u8>]) -> Vec<String> {
        use miniz_oxide::inflate::stream::{inflate, InflateState};
        let mut state = InflateState::new_boxed(DataFormat::Zlib);
        parts
            .iter()
            .map(|p| {
                let mut out = vec![0u8; 1 << 20];
                let r = inflate(&mut state, p, &mut out, MZFlush::Sync);
                assert_eq!(r.bytes_consumed, p.len());
                String::from_utf8(out[..r.bytes_written].to_vec()).unwrap()
            })
            .collect()
    }

    #[test]
    fn zlib_messages_end_with_sync_marker_and_share_one_stream() {
        let mut c = Compressor::new(Compression::ZlibStream).unwrap();
        let a = c.message(br#"{"op":10}"#).unwrap();
        let b = c.message(br#"{"op":11}"#).unwrap();
        assert_eq!(a[0], 0x78, "zlib header");
        assert!(a.ends_with(&[0, 0, 0xff, 0xff]) && b.ends_with(&[0, 0, 0xff, 0xff]));
        assert_eq!(
            inflate_stream(&[a, b]),
            vec![r#"{"op":10}"#, r#"{"op":11}"#]
        );
    }

    #[test]
    fn zstd_messages_are_one_endless_frame_with_window_log_18() {
        let mut c = Compressor::new(Compression::ZstdStream).unwrap();
        let a = c
            .message(br#"{"op":10,"d":{"heartbeat_interval":41250}}"#)
            .unwrap();
        let b = c.message(br#"{"op":11}"#).unwrap();
        assert_eq!(&a[..4], &[0x28, 0xb5, 0x2f, 0xfd]);
        assert_eq!(a[5], 0x40, "window descriptor 2^18");
        let mut dec = zstd::stream::raw::Decoder::new().unwrap();
        for (msg, want) in [
            (a, r#"{"op":10,"d":{"heartbeat_interval":41250}}"#),
            (b, r#"{"op":11}"#),
        ] {
            let mut out = vec![0u8; 4096];
            let mut input = InBuffer::around(&msg);
            let mut output = OutBuffer::around(&mut out[..]);
            while input.pos() < msg.len() {
                dec.run(&mut input, &mut output).unwrap();
            }
            let n = output.pos();
            assert_eq!(std::str::from_utf8(&out[..n]).unwrap(), want);
        }
    }
}
