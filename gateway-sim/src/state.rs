//! Shared server state: live connections, sessions with their replay buffers, the rate-limit
//! books and the world. Everything that assigns a sequence number happens here, under one lock,
//! so dispatches reach a session's replay buffer and its connection's queue in `s` order
//! (protocol.md §15.5: `s` grows by one per dispatch per session).
//!
//! This file does not touch sockets: it hands finished payloads to a connection task through its
//! control channel (see `conn.rs`).

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tokio::sync::{mpsc, Notify};

use crate::config::SimConfig;
use crate::limits::{IdentifyBuckets, MemberRequests, SessionStarts};
use crate::log::{lock, ConnId, Log};
use crate::world::{self, Generated, Traffic};

/// A payload ready for a connection: its JSON text plus what the log records about it.
#[derive(Clone, Debug)]
pub(crate) struct Outgoing {
    pub text: Arc<str>,
    pub op: u64,
    pub t: Option<String>,
    pub s: Option<u64>,
}

impl Outgoing {
    /// A non-dispatch payload (`t` and `s` null, as real frames carry them).
    pub(crate) fn op(op: u64, d: Value) -> Self {
        let text = json!({"t": null, "s": null, "op": op, "d": d}).to_string();
        Self {
            text: text.into(),
            op,
            t: None,
            s: None,
        }
    }
}

/// Instructions to a connection task.
#[derive(Debug)]
pub(crate) enum Control {
    /// Send a payload (compressed as the connection negotiated).
    Send(Outgoing),
    /// Send a close frame, then end the connection.
    Close { code: u16, reason: String },
    /// Drop the TCP connection without a close frame.
    Drop,
    /// Stop (or resume) answering heartbeats.
    WithholdAcks(bool),
    /// Split each following message into this many frames.
    SplitFrames(usize),
    /// Stop reading from the socket for a while.
    StopReading(Duration),
    /// Send a text frame as is, bypassing compression.
    RawText(String),
    /// Send a binary frame as is, bypassing compression.
    RawBinary(Vec<u8>),
    /// Send one message that inflates to this many bytes.
    Bomb(usize),
    /// Send op 7 (and close later if configured).
    Reconnect,
    /// Send op 1.
    RequestHeartbeat,
    /// Send op 9 with this `d`; `false` also invalidates the session.
    InvalidSession(bool),
}

/// The state shared by the accept loop, the connection tasks and the [`crate::Simulator`] handle.
pub(crate) struct Shared {
    pub cfg: SimConfig,
    pub log: Log,
    pub addr: SocketAddr,
    pub state: Mutex<State>,
    /// Signalled when a connection's backlog shrinks (paces "as fast as clients read").
    pub drained: Notify,
}

impl Shared {
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }

    pub(crate) fn resume_url(&self) -> String {
        format!("ws://{}/resume", self.addr)
    }
}

/// A live websocket connection as the rest of the server sees it.
pub(crate) struct ConnEntry {
    pub tx: mpsc::UnboundedSender<Control>,
    /// Payloads queued but not yet written.
    pub backlog: Arc<AtomicUsize>,
    pub session: Option<String>,
    pub shard: Option<[u32; 2]>,
}

/// A gateway session (protocol.md §5).
pub(crate) struct Session {
    pub shard: [u32; 2],
    pub intents: u64,
    /// `large_threshold` from Identify: GUILD_CREATEs are rendered with it.
    pub large_threshold: u64,
    /// Last sequence number assigned.
    pub seq: u64,
    pub replay: VecDeque<(u64, Outgoing)>,
    /// The connection currently attached, if any.
    pub conn: Option<ConnId>,
    /// When the session lost its connection.
    pub detached_at: Option<Instant>,
}

/// Everything behind the lock.
pub(crate) struct State {
    pub traffic: Traffic,
    pub conns: HashMap<ConnId, ConnEntry>,
    pub sessions: HashMap<String, Session>,
    pub buckets: IdentifyBuckets,
    pub starts: SessionStarts,
    pub member_requests: MemberRequests,
    next_conn: ConnId,
    rng: u64,
}

/// Which connections a fault or dispatch addresses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// One connection.
    Conn(ConnId),
    /// Every live connection whose session is on this shard id.
    Shard(u32),
    /// Every live connection.
    All,
}

impl From<ConnId> for Target {
    fn from(id: ConnId) -> Self {
        Self::Conn(id)
    }
}

impl State {
    pub(crate) fn new(cfg: &SimConfig, now: Instant) -> Self {
        Self {
            traffic: Traffic::new(&cfg.world, cfg.event_seed),
            conns: HashMap::new(),
            sessions: HashMap::new(),
            buckets: IdentifyBuckets::default(),
            starts: SessionStarts::new(
                cfg.session_start_total,
                cfg.session_start_remaining,
                cfg.session_start_reset_after,
                now,
            ),
            member_requests: MemberRequests::default(),
            next_conn: 1,
            rng: cfg.event_seed ^ 0x9e37_79b9_7f4a_7c15,
        }
    }

    pub(crate) fn register_conn(
        &mut self,
        tx: mpsc::UnboundedSender<Control>,
    ) -> (ConnId, Arc<AtomicUsize>) {
        let id = self.next_conn;
        self.next_conn += 1;
        let backlog = Arc::new(AtomicUsize::new(0));
        self.conns.insert(
            id,
            ConnEntry {
                tx,
                backlog: backlog.clone(),
                session: None,
                shard: None,
            },
        );
        (id, backlog)
    }

    /// Removes a finished connection; its session stays resumable unless `invalidate`.
    pub(crate) fn unregister_conn(&mut self, id: ConnId, invalidate: bool, now: Instant) {
        let Some(entry) = self.conns.remove(&id) else {
            return;
        };
        let Some(sid) = entry.session else { return };
        if invalidate {
            if self.sessions.get(&sid).is_some_and(|s| s.conn == Some(id)) {
                self.sessions.remove(&sid);
            }
        } else if let Some(s) = self.sessions.get_mut(&sid) {
            if s.conn == Some(id) {
                s.conn = None;
                s.detached_at = Some(now);
            }
        }
    }

    /// 64 pseudo-random bits (splitmix64), deterministic per simulator.
    pub(crate) fn random(&mut self) -> u64 {
        self.rng = self.rng.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A 32-hex-digit id, as Discord's session ids look.
    pub(crate) fn hex_id(&mut self) -> String {
        format!("{:016x}{:016x}", self.random(), self.random())
    }

    /// Drops sessions whose connection has been gone longer than `lifetime`.
    pub(crate) fn expire_sessions(&mut self, lifetime: Duration, now: Instant) {
        self.sessions.retain(|_, s| {
            s.detached_at
                .is_none_or(|at| now.saturating_duration_since(at) < lifetime)
        });
    }

    /// Queues a control message for a connection; `false` if it is gone.
    pub(crate) fn send_control(&self, conn: ConnId, c: Control) -> bool {
        let Some(entry) = self.conns.get(&conn) else {
            return false;
        };
        if matches!(c, Control::Send(_)) {
            entry.backlog.fetch_add(1, Ordering::Relaxed);
        }
        entry.tx.send(c).is_ok()
    }

    /// Assigns the next `s` of `session_id` to a dispatch, keeps it for replay and queues it
    /// for the attached connection. Returns the sequence number.
    pub(crate) fn dispatch(
        &mut self,
        session_id: &str,
        t: &str,
        d: Value,
        replay_capacity: usize,
    ) -> Option<u64> {
        let session = self.sessions.get_mut(session_id)?;
        session.seq += 1;
        let s = session.seq;
        let text = json!({"t": t, "s": s, "op": 0, "d": d}).to_string();
        let out = Outgoing {
            text: text.into(),
            op: 0,
            t: Some(t.to_owned()),
            s: Some(s),
        };
        if replay_capacity > 0 {
            if session.replay.len() >= replay_capacity {
                session.replay.pop_front();
            }
            session.replay.push_back((s, out.clone()));
        }
        if let Some(conn) = session.conn {
            self.send_control(conn, Control::Send(out));
        }
        Some(s)
    }

    /// Sessions that can still receive events (live or within their lifetime).
    fn receiving_sessions(
        &self,
        lifetime: Duration,
        now: Instant,
    ) -> Vec<(String, [u32; 2], u64, u64)> {
        let mut v: Vec<_> = self
            .sessions
            .iter()
            .filter(|(_, s)| {
                s.detached_at
                    .is_none_or(|at| now.saturating_duration_since(at) < lifetime)
            })
            .map(|(id, s)| (id.clone(), s.shard, s.intents, s.large_threshold))
            .collect();
        v.sort();
        v
    }

    /// Routes a generated event to every session that should receive it. Returns how many did.
    pub(crate) fn deliver_generated(
        &mut self,
        ev: &Generated,
        cfg: &SimConfig,
        now: Instant,
    ) -> usize {
        let bot = self.traffic.bot_user_id();
        let mut n = 0;
        for (sid, shard, intents, threshold) in self.receiving_sessions(cfg.session_lifetime, now) {
            if ev.delivers_to(shard, intents, bot) {
                let d = ev.payload_for(&self.traffic, intents, threshold);
                self.dispatch(&sid, ev.t(), d, cfg.replay_capacity);
                n += 1;
            }
        }
        n
    }

    /// Routes an injected event by guild (shard 0 when `guild_id` is `None`) and intents.
    pub(crate) fn deliver_custom(
        &mut self,
        t: &str,
        guild_id: Option<u64>,
        d: &Value,
        cfg: &SimConfig,
        now: Instant,
    ) -> usize {
        let bot = self.traffic.bot_user_id();
        let mut n = 0;
        for (sid, shard, intents, _) in self.receiving_sessions(cfg.session_lifetime, now) {
            let routed = match guild_id {
                Some(g) => (g >> 22) % u64::from(shard[1]) == u64::from(shard[0]),
                None => shard[0] == 0,
            };
            if routed && world::allowed(t, guild_id.is_some(), intents) {
                let mut d = d.clone();
                world::apply_message_content_rule(t, &mut d, intents, bot);
                self.dispatch(&sid, t, d, cfg.replay_capacity);
                n += 1;
            }
        }
        n
    }

    /// Resolves a target to live connection ids, in id order.
    pub(crate) fn targets(&self, target: Target) -> Vec<ConnId> {
        let mut ids: Vec<ConnId> = match target {
            Target::Conn(id) => self
                .conns
                .contains_key(&id)
                .then_some(id)
                .into_iter()
                .collect(),
            Target::Shard(shard) => self
                .conns
                .iter()
                .filter(|(_, c)| c.shard.is_some_and(|s| s[0] == shard))
                .map(|(id, _)| *id)
                .collect(),
            Target::All => self.conns.keys().copied().collect(),
        };
        ids.sort_unstable();
        ids
    }

    /// The largest backlog among live, authenticated connections (`None` if there is none).
    pub(crate) fn max_backlog(&self) -> Option<usize> {
        self.conns
            .values()
            .filter(|c| c.session.is_some())
            .map(|c| c.backlog.load(Ordering::Relaxed))
            .max()
    }
}
