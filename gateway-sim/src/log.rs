//! Observability: an append-only record of what happened on every connection, and async helpers
//! that wait for a record to appear.
//!
//! The log owns no protocol logic. Connection tasks append to it (frames received from clients,
//! frames sent to them, session and close events); tests read it to assert behaviour such as
//! "the client resumed with seq 57 on the resume path and sent no Identify". Sent dispatch
//! bodies are not kept (only `op`, `t` and `s`), so long runs stay small.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::sync::watch;

/// Identifies one websocket connection, unique for the lifetime of a simulator.
pub type ConnId = u64;

/// Who ended a connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Closer {
    /// The client sent a close frame.
    Client,
    /// The client's side went away without a close frame (TCP closed or reset, or a transport
    /// error).
    ClientDropped,
    /// The simulator sent a close frame.
    Server,
    /// The simulator dropped the TCP connection without a close frame (fault injection).
    ServerDropped,
}

/// One entry of the log.
#[derive(Clone, Debug)]
pub struct Record {
    /// When it happened.
    pub at: Instant,
    /// The connection it belongs to.
    pub conn: ConnId,
    /// What happened.
    pub event: Event,
}

/// What a [`Record`] says.
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    /// A websocket connection was accepted on `path` with `query` (the raw query string).
    Opened {
        /// Request path, e.g. `/` or `/resume`.
        path: String,
        /// Raw query string without the `?`.
        query: String,
    },
    /// The client sent a frame that parsed as JSON.
    Received(Value),
    /// The client sent a frame that is not JSON (kept lossily as text).
    ReceivedInvalid(String),
    /// The simulator sent a gateway payload (before compression).
    Sent {
        /// Opcode.
        op: u64,
        /// Event name for dispatches.
        t: Option<String>,
        /// Sequence number for dispatches.
        s: Option<u64>,
    },
    /// Identify succeeded and READY was queued.
    Identified {
        /// New session id.
        session_id: String,
        /// `[shard_id, num_shards]` used for routing.
        shard: [u32; 2],
        /// Intents of the session.
        intents: u64,
    },
    /// Resume succeeded.
    Resumed {
        /// The resumed session.
        session_id: String,
        /// The `seq` the client sent.
        seq: u64,
        /// Dispatches replayed before RESUMED.
        replayed: usize,
    },
    /// The simulator sent op 9.
    InvalidSession {
        /// The `d` value sent.
        resumable: bool,
        /// Why, in a few words.
        reason: String,
    },
    /// A fault was injected on this connection.
    Fault(String),
    /// A valid command got no answer, as the real gateway does (for example an all-members
    /// request without GUILD_MEMBERS, or a guild the bot is not in).
    Ignored(String),
    /// The connection ended.
    Closed {
        /// Close code, if a close frame was sent or received.
        code: Option<u16>,
        /// Close reason or a description of the failure.
        reason: String,
        /// Who ended it.
        by: Closer,
    },
}

/// A frame the client sent, with the connection's path and query, as returned by
/// [`Log::frames`].
#[derive(Clone, Debug)]
pub struct ReceivedFrame {
    /// When it arrived.
    pub at: Instant,
    /// Request path of the connection.
    pub path: String,
    /// Raw query string of the connection.
    pub query: String,
    /// The parsed payload.
    pub payload: Value,
}

impl ReceivedFrame {
    /// The frame's `op`, if it has an integer one.
    pub fn op(&self) -> Option<u64> {
        self.payload.get("op").and_then(Value::as_u64)
    }
}

/// Waiting for a log condition ran out of time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WaitTimeout(pub String);

impl std::fmt::Display for WaitTimeout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "timed out waiting for {}", self.0)
    }
}

impl std::error::Error for WaitTimeout {}

/// The shared, cloneable log of a simulator.
#[derive(Clone)]
pub struct Log {
    records: Arc<Mutex<Vec<Record>>>,
    changed: Arc<watch::Sender<usize>>,
}

impl Default for Log {
    fn default() -> Self {
        Self::new()
    }
}

impl Log {
    /// An empty log.
    pub fn new() -> Self {
        Self {
            records: Arc::default(),
            changed: Arc::new(watch::channel(0).0),
        }
    }

    pub(crate) fn push(&self, conn: ConnId, event: Event) {
        let len = {
            let mut records = lock(&self.records);
            records.push(Record {
                at: Instant::now(),
                conn,
                event,
            });
            records.len()
        };
        self.changed.send_replace(len);
    }

    /// A copy of every record so far.
    pub fn records(&self) -> Vec<Record> {
        lock(&self.records).clone()
    }

    /// Runs `f` over the records without copying them.
    pub fn with_records<T>(&self, f: impl FnOnce(&[Record]) -> T) -> T {
        f(&lock(&self.records))
    }

    /// Every frame connection `conn` sent to the simulator, in order.
    pub fn frames(&self, conn: ConnId) -> Vec<ReceivedFrame> {
        self.with_records(|records| {
            let (mut path, mut query) = (String::new(), String::new());
            let mut out = Vec::new();
            for r in records.iter().filter(|r| r.conn == conn) {
                match &r.event {
                    Event::Opened { path: p, query: q } => {
                        path.clone_from(p);
                        query.clone_from(q);
                    }
                    Event::Received(v) => out.push(ReceivedFrame {
                        at: r.at,
                        path: path.clone(),
                        query: query.clone(),
                        payload: v.clone(),
                    }),
                    _ => {}
                }
            }
            out
        })
    }

    /// Every event of one connection, in order.
    pub fn events(&self, conn: ConnId) -> Vec<Event> {
        self.with_records(|records| {
            records
                .iter()
                .filter(|r| r.conn == conn)
                .map(|r| r.event.clone())
                .collect()
        })
    }

    /// Ids of all connections opened so far, in order.
    pub fn connections(&self) -> Vec<ConnId> {
        self.with_records(|records| {
            records
                .iter()
                .filter(|r| matches!(r.event, Event::Opened { .. }))
                .map(|r| r.conn)
                .collect()
        })
    }

    /// Number of frames with opcode `op` that any client sent.
    pub fn count_received_op(&self, op: u64) -> usize {
        self.with_records(|records| {
            records
                .iter()
                .filter(|r| matches!(&r.event, Event::Received(v) if v.get("op").and_then(Value::as_u64) == Some(op)))
                .count()
        })
    }

    /// Waits until `f` returns `Some` for the records, re-checking after each new record.
    pub async fn wait_for<T>(
        &self,
        what: &str,
        timeout: Duration,
        mut f: impl FnMut(&[Record]) -> Option<T>,
    ) -> Result<T, WaitTimeout> {
        let mut rx = self.changed.subscribe();
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            rx.borrow_and_update();
            if let Some(t) = self.with_records(&mut f) {
                return Ok(t);
            }
            match tokio::time::timeout_at(deadline, rx.changed()).await {
                Ok(Ok(())) => {}
                _ => return Err(WaitTimeout(what.to_owned())),
            }
        }
    }

    /// Waits for a record of `conn` matching `pred` and returns its event.
    pub async fn wait_event(
        &self,
        conn: ConnId,
        timeout: Duration,
        mut pred: impl FnMut(&Event) -> bool,
    ) -> Result<Event, WaitTimeout> {
        self.wait_for(
            &format!("an event on connection {conn}"),
            timeout,
            |records| {
                records
                    .iter()
                    .find(|r| r.conn == conn && pred(&r.event))
                    .map(|r| r.event.clone())
            },
        )
        .await
    }

    /// Waits until connection `conn` is closed and returns `(code, by)`.
    pub async fn wait_closed(
        &self,
        conn: ConnId,
        timeout: Duration,
    ) -> Result<(Option<u16>, Closer), WaitTimeout> {
        match self
            .wait_event(conn, timeout, |e| matches!(e, Event::Closed { .. }))
            .await?
        {
            Event::Closed { code, by, .. } => Ok((code, by)),
            _ => unreachable!("the predicate only accepts Closed"),
        }
    }

    /// Waits for the `n`-th (1-based) connection to be opened and returns its id.
    pub async fn wait_connection(
        &self,
        n: usize,
        timeout: Duration,
    ) -> Result<ConnId, WaitTimeout> {
        self.wait_for(&format!("connection #{n}"), timeout, |records| {
            records
                .iter()
                .filter(|r| matches!(r.event, Event::Opened { .. }))
                .nth(n - 1)
                .map(|r| r.conn)
        })
        .await
    }

    /// Waits for a Resume to succeed anywhere and returns `(conn, session_id, seq)`.
    pub async fn wait_resumed(
        &self,
        timeout: Duration,
    ) -> Result<(ConnId, String, u64), WaitTimeout> {
        self.wait_for("a successful Resume", timeout, |records| {
            records.iter().find_map(|r| match &r.event {
                Event::Resumed {
                    session_id, seq, ..
                } => Some((r.conn, session_id.clone(), *seq)),
                _ => None,
            })
        })
        .await
    }
}

/// Locks a mutex, ignoring poisoning: the log stays usable even if a test thread panicked while
/// holding it (the data is append-only, so it is never left half-updated).
pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
