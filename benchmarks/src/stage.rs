//! One proto-level stage, run once over [`crate::proto_corpus`], for profiling: callgrind
//! counts instructions repeatably on a loaded machine, and `--toggle-collect` on [`run`]
//! leaves out the corpus preparation. The criterion bench (`benches/proto.rs`) times the same
//! stages.

use crate::compress::{compress, Compression};
use crate::corpus;
use gateway_proto::inflate::ZlibStream;
use gateway_proto::model::dispatch_from_frame;
use gateway_proto::zstd::ZstdStream;
use gateway_proto::{envelope, Config, Event, Intents, Message, Output, ShardId, ShardMachine};
use std::time::Instant;

/// Inflate cap: larger than any corpus message.
const MAX_MESSAGE: usize = 16 << 20;

/// A connection's frames, ready before profiling starts.
#[derive(Debug)]
pub struct Prepared {
    compression: Compression,
    /// Hello, READY, then the proto corpus, compressed as one connection.
    frames: Vec<Vec<u8>>,
}

impl Prepared {
    /// Compresses the proto corpus as one connection with `compression`.
    pub fn new(compression: Compression) -> Self {
        let mut messages = vec![
            corpus::hello(),
            corpus::ready(&corpus::world(), "ws://r.invalid"),
        ];
        messages.extend(crate::proto_corpus());
        Prepared {
            compression,
            frames: compress(&messages, compression),
        }
    }
}

/// Decompresses every frame with our decoder of `compression`, handing each message on.
fn decode(prepared: &Prepared, mut each: impl FnMut(&[u8])) {
    match prepared.compression {
        Compression::None => prepared.frames.iter().for_each(|f| each(f)),
        Compression::Zlib => {
            let mut stream = ZlibStream::new(MAX_MESSAGE);
            for frame in &prepared.frames {
                if let Some(message) = stream.push(frame).expect("valid stream") {
                    each(message);
                }
            }
        }
        Compression::Zstd => {
            let mut stream = Box::new(ZstdStream::new(MAX_MESSAGE));
            for frame in &prepared.frames {
                if let Some(message) = stream.push(frame).expect("valid stream") {
                    each(message);
                }
            }
        }
    }
}

/// Runs `stage` once; returns a checksum so nothing is optimized away.
#[inline(never)]
pub fn run(prepared: &Prepared, stage: &str) -> u64 {
    let mut checksum = 0u64;
    match stage {
        "inflate" => decode(prepared, |m| checksum += m.len() as u64),
        "inflate+envelope" => decode(prepared, |m| {
            let text = std::str::from_utf8(m).expect("utf-8 corpus");
            checksum += envelope::scan(text).map_or(0, |e| e.op + 1);
        }),
        "inflate+typed" => decode(prepared, |m| {
            let text = std::str::from_utf8(m).expect("utf-8 corpus");
            if let Some(dispatch) = dispatch_from_frame(text.to_owned()) {
                checksum += u64::from(dispatch.parse().is_ok());
            }
        }),
        "machine" | "machine+typed" => {
            let typed = stage == "machine+typed";
            let config = Config::builder("bench-token", Intents::all())
                .gateway_url("ws://bench.invalid")
                .compression(match prepared.compression {
                    Compression::None => gateway_proto::Compression::None,
                    Compression::Zlib => gateway_proto::Compression::ZlibStream,
                    Compression::Zstd => gateway_proto::Compression::ZstdStream,
                })
                .max_message_size(MAX_MESSAGE)
                .build()
                .expect("valid config");
            let mut machine = ShardMachine::new(ShardId::ONE, config);
            let now = Instant::now();
            machine.handle_open(now);
            for frame in &prepared.frames {
                let message = match prepared.compression {
                    Compression::None => {
                        Message::Text(std::str::from_utf8(frame).expect("utf-8 corpus"))
                    }
                    _ => Message::Binary(frame),
                };
                machine.handle_message(now, message);
                while let Some(output) = machine.poll_output() {
                    match output {
                        Output::RequestIdentify => machine.handle_identify_permit(now),
                        Output::Event(Event::Dispatch(dispatch)) => {
                            checksum += if typed {
                                u64::from(dispatch.parse().is_ok())
                            } else {
                                dispatch.seq
                            };
                        }
                        _ => {}
                    }
                }
            }
        }
        other => panic!("unknown stage {other:?}"),
    }
    checksum
}
