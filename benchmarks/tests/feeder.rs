//! The feeder end to end: real clients of both libraries read a whole script from it over
//! loopback, and a shard that heartbeats before its turn gets its ACKs.

use gateway_benchmarks::client::{Case, MemoryArgs, Path, ThroughputArgs};
use gateway_benchmarks::compress::Compression;
use gateway_benchmarks::{corpus, feeder::Feeder, ours, twilight};
use std::sync::atomic::Ordering;
use std::time::Duration;

async fn throughput_feeder(warmup: usize, events: usize) -> Feeder {
    let (listener, url) = Feeder::bind().await.unwrap();
    let script = corpus::throughput(&url, warmup, events);
    Feeder::start(listener, url, &script, &Compression::ALL, None)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twilight_reads_the_whole_script_typed_and_raw() {
    let feeder = throughput_feeder(20, 200).await;
    for path in [Path::Typed, Path::Raw] {
        let args = ThroughputArgs {
            url: feeder.url().to_owned(),
            compression: twilight::COMPRESSION,
            path,
            warmup: 20,
            events: 200,
        };
        let result = twilight::throughput(&args).await.unwrap();
        assert_eq!(result.events, 200);
        assert_eq!(result.errors, 0);
        assert!(result.cpu_secs > 0.0);
    }
    assert_eq!(feeder.stats().scripts_sent.load(Ordering::SeqCst), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ours_reads_the_whole_script_in_every_compression() {
    let feeder = throughput_feeder(20, 200).await;
    for compression in Compression::ALL {
        for path in [Path::Typed, Path::Raw] {
            let args = ThroughputArgs {
                url: feeder.url().to_owned(),
                compression,
                path,
                warmup: 20,
                events: 200,
            };
            let result = ours::throughput(&args).await.unwrap();
            assert_eq!(
                (result.events, result.errors),
                (200, 0),
                "{compression} {path}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_run_with_limited_turns_reaches_every_shard() {
    let (listener, url) = Feeder::bind().await.unwrap();
    let script = corpus::idle(&url);
    let dispatches = script.dispatches();
    let feeder = Feeder::start(listener, url, &script, &Compression::ALL, Some(2));
    let args = MemoryArgs {
        url: feeder.url().to_owned(),
        compression: twilight::COMPRESSION,
        case: Case::Idle,
        shards: 20,
        dispatches,
        idle: Duration::from_millis(10),
    };
    let result = twilight::memory(&args).await.unwrap();
    assert_eq!(result.errors, 0);
    assert_eq!(feeder.stats().identifies.load(Ordering::SeqCst), 20);
    assert_eq!(feeder.stats().scripts_sent.load(Ordering::SeqCst), 20);
}

/// A bare websocket client decoding with gateway-proto's decoders.
mod bare {
    use async_tungstenite::tungstenite::Message;
    use futures_util::StreamExt;
    use gateway_benchmarks::compress::Compression;
    use gateway_proto::inflate::ZlibStream;
    use gateway_proto::zstd::ZstdStream;

    pub enum Decoder {
        None,
        Zlib(ZlibStream),
        Zstd(Box<ZstdStream>),
    }

    impl Decoder {
        pub fn new(compression: Compression) -> Self {
            match compression {
                Compression::None => Decoder::None,
                Compression::Zlib => Decoder::Zlib(ZlibStream::new(64 << 20)),
                Compression::Zstd => Decoder::Zstd(Box::new(ZstdStream::new(64 << 20))),
            }
        }

        pub fn decode(&mut self, message: Message) -> String {
            let bytes = match (self, message) {
                (Decoder::None, Message::Text(text)) => return text.as_str().to_owned(),
                (Decoder::Zlib(z), Message::Binary(b)) => z.push(&b).unwrap().unwrap().to_vec(),
                (Decoder::Zstd(z), Message::Binary(b)) => z.push(&b).unwrap().unwrap().to_vec(),
                (_, other) => panic!("unexpected frame {other:?}"),
            };
            String::from_utf8(bytes).unwrap()
        }
    }

    pub type Socket = async_tungstenite::WebSocketStream<async_tungstenite::tokio::ConnectStream>;

    pub async fn connect(url: &str, compression: Compression) -> Socket {
        let query = compression
            .query()
            .map_or(String::new(), |q| format!("&compress={q}"));
        let url = format!("{url}/?v=10&encoding=json{query}");
        async_tungstenite::tokio::connect_async(url)
            .await
            .unwrap()
            .0
    }

    pub async fn next(socket: &mut Socket, decoder: &mut Decoder) -> String {
        decoder.decode(socket.next().await.unwrap().unwrap())
    }

    pub async fn send(socket: &mut Socket, text: &str) {
        socket.send(Message::text(text)).await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn early_heartbeats_are_answered_and_the_stream_still_decodes() {
    let (listener, url) = Feeder::bind().await.unwrap();
    let script = corpus::burst(&url);
    let feeder = Feeder::start(listener, url, &script, &Compression::ALL, Some(1));
    for compression in Compression::ALL {
        // 0 early heartbeats, some, and more than the feeder answers at once.
        for heartbeats in [0, 2, 5] {
            let mut decoder = bare::Decoder::new(compression);
            let mut socket = bare::connect(feeder.url(), compression).await;
            assert_eq!(
                bare::next(&mut socket, &mut decoder).await,
                script.messages[0]
            );
            for _ in 0..heartbeats {
                bare::send(&mut socket, r#"{"op":1,"d":null}"#).await;
            }
            let answered_early = heartbeats.min(gateway_benchmarks::feeder::EARLY_ACKS);
            for _ in 0..answered_early {
                assert_eq!(bare::next(&mut socket, &mut decoder).await, r#"{"op":11}"#);
            }
            bare::send(&mut socket, r#"{"op":2,"d":{"token":"t"}}"#).await;
            for message in &script.messages[1..] {
                assert_eq!(&bare::next(&mut socket, &mut decoder).await, message);
            }
            for _ in answered_early..heartbeats {
                assert_eq!(bare::next(&mut socket, &mut decoder).await, r#"{"op":11}"#);
            }
            bare::send(&mut socket, r#"{"op":1,"d":5}"#).await;
            assert_eq!(bare::next(&mut socket, &mut decoder).await, r#"{"op":11}"#);
        }
    }
}
