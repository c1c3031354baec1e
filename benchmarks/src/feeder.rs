//! The feeder: a loopback websocket server speaking just enough gateway to get a client to
//! READY and then replaying a [`Script`] as fast as the client reads it.
//!
//! Per connection: Hello; wait for Identify (opcode 2); then the rest of the script (READY and
//! the dispatches) with backpressure from the socket only; then one heartbeat ACK per
//! heartbeat. Every byte sent was compressed ahead of time ([`crate::compress`]) and is shared
//! by all connections, so the feeder costs a memcpy per frame and nothing per connection
//! beyond its socket.
//!
//! Heartbeat ACKs are part of the pre-compressed stream too, which takes some care: an ACK
//! inserted anywhere would change the compression history the later frames were made
//! against. So the script's compressed bytes are followed by [`ACKS`] compressed ACKs, and
//! the n-th heartbeat after the script gets the n-th one; a heartbeat that arrives while the
//! script is being sent is answered right after it (both libraries only call a connection
//! dead when a heartbeat is due while the previous one is unanswered, 41.25 s later).
//!
//! Memory runs start up to 1,000 shards at once, and sending all their scripts at once
//! would stretch each script over a minute. There the feeder sends at most
//! `concurrent_scripts` scripts at a time; a shard that identified waits before READY for its
//! turn, heartbeating meanwhile. Those early heartbeats are answered at once: the stream is
//! compressed in [`EARLY_ACKS`]` + 1` variants, the j-th being Hello, j ACKs, READY, the rest,
//! and a connection that answered j heartbeats before its turn continues on variant j (all
//! variants share their compressed prefix, because the compressor's output up to a flush
//! depends only on the input so far).
//!
//! Not supported (the benchmarks never need it): Resume (closed with 4009, so the client
//! identifies again), commands other than heartbeats (ignored).

use crate::compress::{compress, Compression};
use crate::corpus::Script;
use async_tungstenite::tungstenite::handshake::server::{Request, Response};
use async_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use async_tungstenite::tungstenite::protocol::{CloseFrame, WebSocketConfig};
use async_tungstenite::tungstenite::{Bytes, Message, Utf8Bytes};
use futures_util::{SinkExt, StreamExt};
use std::collections::HashMap;
use std::io;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, Semaphore};

/// Heartbeat ACKs compressed after each script: one heartbeat per 41.25 s for 11 hours.
pub const ACKS: usize = 1000;

/// Heartbeats answered at once before a connection's turn comes (more wait for the script).
pub const EARLY_ACKS: usize = 3;

/// The heartbeat ACK payload (opcode 11).
const ACK: &str = r#"{"op":11}"#;

/// One compression's stream, ready to send.
#[derive(Debug)]
struct Prepared {
    /// Variant j: Hello, j ACKs, READY and the rest of the script, then [`ACKS`] ACKs.
    variants: Vec<Vec<Message>>,
    /// Messages in the script (Hello and READY included).
    script_len: usize,
}

impl Prepared {
    fn new(script: &Script, compression: Compression, early_acks: usize) -> Self {
        let variants = (0..=early_acks)
            .map(|j| {
                let mut messages = vec![script.messages[0].clone()];
                messages.extend(std::iter::repeat_n(ACK.to_owned(), j));
                messages.extend(script.messages[1..].iter().cloned());
                messages.extend(std::iter::repeat_n(ACK.to_owned(), ACKS));
                compress(&messages, compression)
                    .into_iter()
                    .map(|bytes| match compression {
                        Compression::None => Message::Text(
                            Utf8Bytes::try_from(bytes).expect("scripts are UTF-8 text"),
                        ),
                        _ => Message::Binary(Bytes::from(bytes)),
                    })
                    .collect()
            })
            .collect();
        Prepared {
            variants,
            script_len: script.messages.len(),
        }
    }
}

/// Counters of what the feeder saw, for checking that a run went as planned.
#[derive(Debug, Default)]
pub struct FeederStats {
    /// Websocket connections accepted.
    pub connections: AtomicUsize,
    /// Identify payloads received.
    pub identifies: AtomicUsize,
    /// Scripts sent to the end.
    pub scripts_sent: AtomicUsize,
    /// Heartbeats received.
    pub heartbeats: AtomicUsize,
    /// Heartbeats whose ACK waited for the end of the script.
    pub deferred_acks: AtomicUsize,
    /// Resume attempts refused.
    pub resumes: AtomicUsize,
    /// Connections that ended with an error (including clients that went away).
    pub errors: AtomicUsize,
}

/// A running feeder on `127.0.0.1`.
#[derive(Debug)]
pub struct Feeder {
    url: String,
    stats: Arc<FeederStats>,
    task: tokio::task::JoinHandle<()>,
}

/// What every connection of a feeder shares.
#[derive(Debug)]
struct Shared {
    prepared: HashMap<Compression, Prepared>,
    /// Turns to send a script, when they are limited.
    turns: Option<Semaphore>,
    stats: Arc<FeederStats>,
}

impl Feeder {
    /// Binds a port on the loopback interface; the URL is known before the scripts are built
    /// (READY points back at it).
    pub async fn bind() -> io::Result<(TcpListener, String)> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let url = format!("ws://{}", listener.local_addr()?);
        Ok((listener, url))
    }

    /// Serves `script` on `listener` in each of `compressions` (chosen per connection by its
    /// `compress` query parameter) until dropped. With `concurrent_scripts`, at most that
    /// many scripts are sent at a time (memory runs); without, every connection gets its
    /// script as soon as it identified and no heartbeat is answered before the script ends
    /// (throughput runs, one connection, whose stream is then compressed only once).
    pub fn start(
        listener: TcpListener,
        url: String,
        script: &Script,
        compressions: &[Compression],
        concurrent_scripts: Option<usize>,
    ) -> Feeder {
        let stats = Arc::new(FeederStats::default());
        let early_acks = if concurrent_scripts.is_some() {
            EARLY_ACKS
        } else {
            0
        };
        let shared = Shared {
            prepared: compressions
                .iter()
                .map(|&c| (c, Prepared::new(script, c, early_acks)))
                .collect(),
            turns: concurrent_scripts.map(|n| Semaphore::new(n.max(1))),
            stats: stats.clone(),
        };
        let task = tokio::spawn(accept_loop(listener, Arc::new(shared)));
        Feeder { url, stats, task }
    }

    /// The URL to connect to, `ws://127.0.0.1:PORT` (clients add `/?v=10&…`).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// What the feeder saw so far.
    pub fn stats(&self) -> &FeederStats {
        &self.stats
    }
}

impl Drop for Feeder {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    loop {
        let Ok((tcp, _)) = listener.accept().await else {
            // Out of file descriptors or similar: let the client see a refused connect.
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            continue;
        };
        let shared = shared.clone();
        tokio::spawn(async move {
            if serve(tcp, &shared).await.is_err() {
                shared.stats.errors.fetch_add(1, Ordering::Relaxed);
            }
        });
    }
}

/// The opcode of a client payload, if it has one.
fn opcode(text: &str) -> Option<u64> {
    serde_json::from_str::<serde_json::Value>(text)
        .ok()?
        .get("op")?
        .as_u64()
}

type Error = Box<dyn std::error::Error + Send + Sync>;

fn close(code: u16, reason: &'static str) -> Message {
    Message::Close(Some(CloseFrame {
        code: CloseCode::Library(code),
        reason: reason.into(),
    }))
}

async fn serve(tcp: TcpStream, shared: &Shared) -> Result<(), Error> {
    let stats = &*shared.stats;
    tcp.set_nodelay(true)?;
    let mut query = None;
    // The signature is tungstenite's `Callback`, error type included.
    #[allow(clippy::result_large_err)]
    let callback = |request: &Request, response: Response| {
        query = request.uri().query().map(str::to_owned);
        Ok(response)
    };
    // Client payloads are tiny: a small read buffer keeps 1,000 connections cheap.
    let config = WebSocketConfig::default().read_buffer_size(4096);
    let ws =
        async_tungstenite::tokio::accept_hdr_async_with_config(tcp, callback, Some(config)).await?;
    stats.connections.fetch_add(1, Ordering::Relaxed);
    let compress = query
        .as_deref()
        .and_then(|q| q.split('&').find_map(|pair| pair.strip_prefix("compress=")));
    let (mut sink, mut stream) = ws.split();
    let Some(prepared) = Compression::from_query(compress).and_then(|c| shared.prepared.get(&c))
    else {
        sink.send(close(4000, "compression not prepared")).await?;
        return Ok(());
    };
    let max_early = prepared.variants.len() - 1;
    let longest = &prepared.variants[max_early];
    sink.send(longest[0].clone()).await?;

    // Before READY: answer heartbeats from the variants' shared prefix, and wait for
    // Identify and then for a turn.
    let mut early = 0;
    let mut deferred = 0;
    let mut identified = false;
    let turn = loop {
        let message = tokio::select! {
            turn = take_turn(shared.turns.as_ref()), if identified => break turn,
            message = stream.next() => message,
        };
        let Some(message) = message else {
            return Ok(());
        };
        let Message::Text(text) = message? else {
            continue;
        };
        match opcode(&text) {
            Some(1) => {
                stats.heartbeats.fetch_add(1, Ordering::Relaxed);
                if early < max_early {
                    early += 1;
                    sink.send(longest[early].clone()).await?;
                } else {
                    deferred += 1;
                }
            }
            Some(2) if !identified => {
                stats.identifies.fetch_add(1, Ordering::Relaxed);
                identified = true;
            }
            Some(6) => {
                stats.resumes.fetch_add(1, Ordering::Relaxed);
                sink.send(close(4009, "the feeder cannot resume")).await?;
                return Ok(());
            }
            _ => {}
        }
    };
    let frames = &prepared.variants[early];
    let script_end = prepared.script_len + early;

    // From here on the client's payloads are read by a task of their own, so a heartbeat
    // never waits for the script to be sent.
    let (heartbeats_tx, mut heartbeats) = mpsc::unbounded_channel();
    for _ in 0..deferred {
        let _ = heartbeats_tx.send(());
    }
    let stats_reader = shared.stats.clone();
    let reader = tokio::spawn(async move {
        while let Some(Ok(message)) = stream.next().await {
            match message {
                Message::Text(text) if opcode(&text) == Some(1) => {
                    stats_reader.heartbeats.fetch_add(1, Ordering::Relaxed);
                    if heartbeats_tx.send(()).is_err() {
                        break;
                    }
                }
                Message::Close(_) => break,
                _ => {}
            }
        }
    });
    let _abort_reader = AbortOnDrop(reader);

    for frame in &frames[1 + early..script_end] {
        // `feed` fills the write buffer and writes when it is full: the socket's
        // backpressure alone paces the script.
        sink.feed(frame.clone()).await?;
    }
    sink.flush().await?;
    drop(turn);
    stats.scripts_sent.fetch_add(1, Ordering::Relaxed);
    stats
        .deferred_acks
        .fetch_add(heartbeats.len(), Ordering::Relaxed);

    for ack in &frames[script_end..] {
        if heartbeats.recv().await.is_none() {
            return Ok(());
        }
        sink.send(ack.clone()).await?;
    }
    // Out of pre-compressed ACKs: let the client reconnect rather than answer wrongly.
    sink.send(close(4000, "out of heartbeat acks")).await?;
    Ok(())
}

/// A turn to send a script (at once when turns are not limited).
async fn take_turn(turns: Option<&Semaphore>) -> Option<tokio::sync::SemaphorePermit<'_>> {
    match turns {
        Some(turns) => Some(
            turns
                .acquire()
                .await
                .expect("the semaphore is never closed"),
        ),
        None => None,
    }
}

/// Aborts a task when the connection handler ends.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}
