//! A model of Discord's gateway written for the simulation: sessions with replay buffers,
//! Hello, ACKs, READY, dispatches with increasing `s`, Resume with replay then RESUMED,
//! op 9 for unknown sessions, close codes, zlib-stream compression, and faults on demand.
//!
//! It is sans-IO like the machine: the world feeds it what arrives and when, and takes what
//! it sends from `outbox`. It builds and parses frames with plain `serde_json` values and
//! `format!`, never with gateway-proto's types, so a serialization bug in the crate is
//! caught here, not mirrored. Anything the client does that Discord would punish (or that
//! protocol.md forbids) is recorded in `violations`; the simulation fails on the first.

use miniz_oxide::deflate::core::CompressorOxide;
use miniz_oxide::deflate::stream::deflate;
use miniz_oxide::deflate::CompressionLevel;
use miniz_oxide::{DataFormat, MZFlush, MZStatus};
use serde_json::{json, Value};
use std::collections::{BTreeMap, VecDeque};
use std::time::Duration;

pub const TOKEN: &str = "sim-token-c2VjcmV0";
pub const MAIN_URL: &str = "ws://gateway.sim";
/// Intents the simulated shard identifies with: GUILDS | GUILD_MESSAGES | GUILD_MESSAGE_TYPING.
pub const INTENTS: u64 = 1 | 512 | 2048;
/// Dispatch names the server generates, with the weight of each.
const EVENTS: [(&str, u32); 5] = [
    ("MESSAGE_CREATE", 6),
    ("TYPING_START", 3),
    ("GUILD_CREATE", 1),
    ("MESSAGE_UPDATE", 2),
    ("CHANNEL_UPDATE", 1),
];

/// Words message contents are made of.
const WORDS: [&str; 12] = [
    "gateway",
    "shard",
    "résumé",
    "heartbeat",
    "zlib",
    "\"quoted\"",
    "ümlaut",
    "🦀",
    "\\",
    "snowflake",
    "tab\there",
    "line\nbreak",
];

/// What the server sends on one socket.
#[derive(Clone, Debug)]
pub enum Wire {
    Text(String),
    Binary(Vec<u8>),
    /// The server closes: with a close frame (`Some`) or by dropping TCP (`None`).
    Close(Option<u16>),
}

/// A dispatch the server assigned a sequence to, in the session's order.
#[derive(Clone, Debug)]
pub struct Logged {
    pub seq: u64,
    pub event: String,
    pub text: String,
}

/// Knobs for one seed.
#[derive(Clone, Debug)]
pub struct ServerConfig {
    pub interval: Duration,
    /// How late a heartbeat may be before the server closes the socket.
    pub heartbeat_grace: Duration,
    /// How long a session stays resumable after its socket went away.
    pub session_ttl: Duration,
    /// Dispatches kept per session for replay.
    pub buffer_cap: usize,
    /// RESUMED carries the next sequence (protocol.md §13.8) or `null`.
    pub resumed_has_seq: bool,
    /// Compressed messages are split over 1–3 frames.
    pub split_frames: bool,
    /// The client limits itself: exceeding 120 frames per 60 s is its bug, not just a 4008.
    pub client_limits_rate: bool,
}

struct Session {
    seq: u64,
    resume_url: String,
    buffer: VecDeque<(u64, String)>,
    conn: Option<u64>,
    /// When the session lost its socket (it expires `session_ttl` later).
    detached_at: Option<Duration>,
}

struct Conn {
    base_url: String,
    deflater: Option<Box<CompressorOxide>>,
    session: Option<String>,
    identified: bool,
    resumed: bool,
    frames: VecDeque<Duration>,
    /// Hello or the last heartbeat.
    last_heartbeat: Duration,
    withhold_acks: bool,
    /// ACKs were withheld at some point on this socket.
    withheld_ever: bool,
    /// The next compressed message is corrupted.
    corrupt_next: bool,
    /// After op 7, the server closes the socket at this time if the client has not.
    close_at: Option<Duration>,
}

pub struct Server {
    pub config: ServerConfig,
    rng: fastrand::Rng,
    sessions: BTreeMap<String, Session>,
    conns: BTreeMap<u64, Conn>,
    /// Every user-visible dispatch (READY included, RESUMED excluded) per session.
    pub log: BTreeMap<String, Vec<Logged>>,
    pub outbox: Vec<(u64, Wire)>,
    pub violations: Vec<String>,
    last_identify: Option<Duration>,
    sessions_started: u32,
    /// The next socket gets Reconnect (op 7) before its Hello (protocol.md §1.3).
    pub reconnect_before_hello: bool,
    /// The next socket gets no Hello at all.
    pub withhold_hello: bool,
}

impl Server {
    pub fn new(config: ServerConfig, seed: u64) -> Self {
        Self {
            config,
            rng: fastrand::Rng::with_seed(seed),
            sessions: BTreeMap::new(),
            conns: BTreeMap::new(),
            log: BTreeMap::new(),
            outbox: Vec::new(),
            violations: Vec::new(),
            last_identify: None,
            sessions_started: 0,
            reconnect_before_hello: false,
            withhold_hello: false,
        }
    }

    fn violation(&mut self, what: String) {
        self.violations.push(what);
    }

    /// Whether the server ever withheld ACKs on `conn` (closed sockets are forgotten).
    pub fn withheld_acks(&self, conn: u64) -> bool {
        self.conns.get(&conn).is_some_and(|c| c.withheld_ever)
    }

    pub fn is_open(&self, conn: u64) -> bool {
        self.conns.contains_key(&conn)
    }

    /// The sessions a client could still resume, with their last sequence.
    pub fn live_session(&self, id: &str) -> Option<u64> {
        self.sessions.get(id).map(|s| s.seq)
    }

    // ----- the socket -----

    /// A client connected to `url`; the server says Hello (or, as a fault, Reconnect first).
    pub fn accept(&mut self, now: Duration, conn: u64, url: &str, compression: bool) {
        let (base, query) = url.split_once('?').unwrap_or((url, ""));
        let base = base.trim_end_matches('/').to_owned();
        let mut expected = vec!["v=10", "encoding=json"];
        if compression {
            expected.push("compress=zlib-stream");
        }
        let query: Vec<&str> = query.split('&').collect();
        if query != expected {
            self.violation(format!("connect query {query:?}, expected {expected:?}"));
        }
        let known = base == MAIN_URL || self.sessions.values().any(|s| s.resume_url == base);
        if !known && !base.starts_with("ws://resume-") {
            self.violation(format!("connect to unknown url {url}"));
        }
        let deflater = compression.then(|| {
            Box::new(CompressorOxide::with_format_and_level(
                DataFormat::Zlib,
                CompressionLevel::BestSpeed,
            ))
        });
        self.conns.insert(
            conn,
            Conn {
                base_url: base,
                deflater,
                session: None,
                identified: false,
                resumed: false,
                frames: VecDeque::new(),
                last_heartbeat: now,
                withhold_acks: false,
                withheld_ever: false,
                corrupt_next: false,
                close_at: None,
            },
        );
        if std::mem::take(&mut self.reconnect_before_hello) {
            self.reconnect(now, conn);
        }
        if std::mem::take(&mut self.withhold_hello) {
            return;
        }
        let interval = self.config.interval.as_millis() as u64;
        let hello = format!(
            r#"{{"t":null,"s":null,"op":10,"d":{{"heartbeat_interval":{interval},"_trace":["[\"gateway-sim\",{{\"micros\":0.0}}]"]}}}}"#
        );
        self.send(conn, hello);
    }

    /// The client's socket ended: with its close frame's code, or dropped.
    pub fn client_closed(&mut self, now: Duration, conn: u64, code: Option<u16>) {
        let Some(state) = self.conns.remove(&conn) else {
            return;
        };
        if let Some(id) = state.session {
            if matches!(code, Some(1000 | 1001)) {
                // protocol.md §5.4: the client ended the session.
                self.sessions.remove(&id);
            } else if let Some(session) = self.sessions.get_mut(&id) {
                if session.conn == Some(conn) {
                    session.conn = None;
                    session.detached_at = Some(now);
                }
            }
        }
    }

    /// The server ends a socket: a close frame with `code`, or a TCP drop (`None`).
    pub fn close(&mut self, now: Duration, conn: u64, code: Option<u16>) {
        let Some(state) = self.conns.remove(&conn) else {
            return;
        };
        if let Some(id) = state.session {
            // protocol.md §6: these codes end the session; the fatal ones end everything.
            let ends_session = matches!(code, Some(4003 | 4004 | 4007 | 4009..=4014));
            if ends_session {
                self.sessions.remove(&id);
            } else if let Some(session) = self.sessions.get_mut(&id) {
                session.conn = None;
                session.detached_at = Some(now);
            }
        }
        self.outbox.push((conn, Wire::Close(code)));
    }

    fn send(&mut self, conn: u64, text: String) {
        let split = self.config.split_frames;
        let Some(state) = self.conns.get_mut(&conn) else {
            return;
        };
        let Some(deflater) = &mut state.deflater else {
            self.outbox.push((conn, Wire::Text(text)));
            return;
        };
        let mut wire = compress(deflater, text.as_bytes());
        if std::mem::take(&mut state.corrupt_next) {
            // An invalid block type (3) where the next block begins: no inflater can read on.
            wire[0] = 0x06;
        }
        let parts = if split { self.rng.usize(1..=3) } else { 1 };
        let size = wire.len().div_ceil(parts).max(1);
        for part in wire.chunks(size) {
            self.outbox.push((conn, Wire::Binary(part.to_vec())));
        }
    }

    // ----- what the client sends -----

    pub fn receive(&mut self, now: Duration, conn: u64, text: &str) {
        if !self.conns.contains_key(&conn) {
            return;
        }
        if text.len() > 4096 {
            self.violation(format!("client frame of {} bytes", text.len()));
            return self.close(now, conn, Some(4002));
        }
        let state = self.conns.get_mut(&conn).expect("checked above");
        state.frames.push_back(now);
        while let Some(&first) = state.frames.front() {
            if now - first >= Duration::from_secs(60) {
                state.frames.pop_front();
            } else {
                break;
            }
        }
        if state.frames.len() > 120 {
            if self.config.client_limits_rate {
                self.violation("more than 120 frames in 60 s".into());
            }
            return self.close(now, conn, Some(4008));
        }
        let Ok(value) = serde_json::from_str::<Value>(text) else {
            self.violation(format!("client sent invalid json {text:?}"));
            return self.close(now, conn, Some(4002));
        };
        let data = value.get("d").cloned().unwrap_or(Value::Null);
        match value["op"].as_u64() {
            Some(1) => self.on_heartbeat(now, conn, &data),
            Some(2) => self.on_identify(now, conn, &data),
            Some(6) => self.on_resume(now, conn, &data),
            Some(op @ (3 | 4 | 8 | 31 | 43)) => self.on_command(now, conn, op, &data),
            op => {
                self.violation(format!("unknown opcode {op:?} in {text}"));
                self.close(now, conn, Some(4001));
            }
        }
    }

    fn on_heartbeat(&mut self, now: Duration, conn: u64, data: &Value) {
        let state = self.conns.get_mut(&conn).expect("open");
        state.last_heartbeat = now;
        let withhold = state.withhold_acks;
        if let Some(id) = state.session.clone() {
            let seq = self.sessions.get(&id).map_or(0, |s| s.seq);
            if data.as_u64().is_some_and(|sent| sent > seq) {
                self.violation(format!("heartbeat with seq {data} ahead of {seq}"));
            }
        } else if !(data.is_null() || data.is_u64()) {
            self.violation(format!("heartbeat with d {data}"));
        }
        if !withhold {
            self.send(conn, r#"{"t":null,"s":null,"op":11,"d":null}"#.to_owned());
        }
    }

    fn on_identify(&mut self, now: Duration, conn: u64, data: &Value) {
        let state = self.conns.get(&conn).expect("open");
        if state.identified || state.resumed {
            self.violation("second identify or resume on a connection".into());
            return self.close(now, conn, Some(4005));
        }
        let expected_shard = json!([0, 1]);
        if data["token"] != TOKEN
            || data["intents"] != INTENTS
            || data["shard"] != expected_shard
            || !data["properties"]["os"].is_string()
        {
            self.violation(format!("bad identify {data}"));
            return self.close(now, conn, Some(4004));
        }
        if self
            .last_identify
            .is_some_and(|last| now - last < Duration::from_secs(5))
        {
            // protocol.md §7: faster than max_concurrency allows.
            self.violation("identify within 5 s of the previous one".into());
            return self.send(conn, r#"{"op":9,"d":false}"#.to_owned());
        }
        self.last_identify = Some(now);
        self.sessions_started += 1;
        let n = self.sessions_started;
        let id = format!("{:016x}{n:016x}", self.rng.u64(..));
        let resume_url = format!("ws://resume-{n}.sim");
        self.sessions.insert(
            id.clone(),
            Session {
                seq: 0,
                resume_url: resume_url.clone(),
                buffer: VecDeque::new(),
                conn: Some(conn),
                detached_at: None,
            },
        );
        let state = self.conns.get_mut(&conn).expect("open");
        state.identified = true;
        state.session = Some(id.clone());
        let ready = json!({
            "v":10,
            "user":{"id":"1194566300643491842","username":"simbot","discriminator":"4821","bot":true},
            "guilds":[{"id":"820627323903672320","unavailable":true},{"id":"981346340065902592","unavailable":true}],
            "session_id":id,
            "resume_gateway_url":resume_url,
            "shard":[0,1],
            "application":{"id":"1194566300643491842","flags":565248},
            "_trace":["[\"gateway-sim\",{\"micros\":1}]"],
        });
        self.dispatch_to(&id, "READY", ready);
        for guild in ["820627323903672320", "981346340065902592"] {
            let data = json!({"id":guild,"name":"Sim Guild","unavailable":false,"member_count":3,
                              "channels":[],"members":[],"roles":[]});
            self.dispatch_to(&id, "GUILD_CREATE", data);
        }
    }

    fn on_resume(&mut self, now: Duration, conn: u64, data: &Value) {
        let state = self.conns.get(&conn).expect("open");
        if state.identified || state.resumed {
            self.violation("second identify or resume on a connection".into());
            return self.close(now, conn, Some(4005));
        }
        let base = state.base_url.clone();
        if data["token"] != TOKEN {
            self.violation(format!("bad resume token {data}"));
            return self.close(now, conn, Some(4004));
        }
        let (Some(id), Some(seq)) = (data["session_id"].as_str(), data["seq"].as_u64()) else {
            self.violation(format!("malformed resume {data}"));
            return self.close(now, conn, Some(4001));
        };
        let id = id.to_owned();
        let Some(session) = self.sessions.get(&id) else {
            // Unknown, expired or invalidated: protocol.md §5.2 step 4.
            return self.send(conn, r#"{"op":9,"d":false}"#.to_owned());
        };
        let (resume_url, last) = (session.resume_url.clone(), session.seq);
        let oldest = session.buffer.front().map_or(last + 1, |(s, _)| *s);
        if resume_url != base {
            self.violation(format!("resume of {id} on {base}, not {resume_url}"));
        }
        if seq > last {
            self.violation(format!("resume at seq {seq}, the session is at {last}"));
            return self.close(now, conn, Some(4007));
        }
        if seq + 1 < oldest {
            // The buffer no longer reaches back to `seq`: the session cannot be resumed.
            self.sessions.remove(&id);
            return self.send(conn, r#"{"op":9,"d":false}"#.to_owned());
        }
        let session = self.sessions.get(&id).expect("checked above");
        let replay: Vec<String> = session
            .buffer
            .iter()
            .filter(|(s, _)| *s > seq)
            .map(|(_, text)| text.clone())
            .collect();
        if let Some(old) = session.conn.filter(|&old| old != conn) {
            // Two sockets on one session: the server keeps the newer.
            self.close(now, old, Some(4000));
        }
        let session = self.sessions.get_mut(&id).expect("checked above");
        session.conn = Some(conn);
        session.detached_at = None;
        let state = self.conns.get_mut(&conn).expect("open");
        state.resumed = true;
        state.session = Some(id.clone());
        for text in replay {
            self.send(conn, text);
        }
        let resumed = if self.config.resumed_has_seq {
            let session = self.sessions.get_mut(&id).expect("attached");
            session.seq += 1;
            format!(r#"{{"t":"RESUMED","s":{},"op":0,"d":{{}}}}"#, session.seq)
        } else {
            r#"{"t":"RESUMED","s":null,"op":0,"d":{"_trace":["sim"]}}"#.to_owned()
        };
        self.send(conn, resumed);
    }

    fn on_command(&mut self, now: Duration, conn: u64, op: u64, data: &Value) {
        let state = self.conns.get(&conn).expect("open");
        if !(state.identified || state.resumed) {
            self.violation(format!("op {op} before identify or resume"));
            return self.close(now, conn, Some(4003));
        }
        // After op 9 the session is gone; commands already in flight are dropped.
        let Some(id) = state.session.clone() else {
            return;
        };
        if op == 8 {
            let nonce = data["nonce"].clone();
            let guild = data["guild_id"].clone();
            let chunk = json!({"guild_id":guild,"members":[],"chunk_index":0,"chunk_count":1,"nonce":nonce});
            self.dispatch_to(&id, "GUILD_MEMBERS_CHUNK", chunk);
        }
    }

    // ----- the server's own activity -----

    /// A new dispatch for every live session (buffered; sent if attached).
    pub fn generate(&mut self, now: Duration, big: bool) {
        let ids: Vec<String> = self.sessions.keys().cloned().collect();
        for id in ids {
            let total: u32 = EVENTS.iter().map(|(_, w)| w).sum();
            let mut pick = self.rng.u32(0..total);
            let name = EVENTS
                .iter()
                .find(|(_, weight)| {
                    let hit = pick < *weight;
                    pick = pick.saturating_sub(*weight);
                    hit
                })
                .map_or("MESSAGE_CREATE", |(name, _)| name);
            let pad = if big {
                self.rng.usize(2_000..30_000)
            } else {
                self.rng.usize(0..400)
            };
            let mut text = String::with_capacity(pad + 16);
            while text.len() < pad {
                text.push_str(WORDS[self.rng.usize(0..WORDS.len())]);
                text.push(' ');
            }
            let data = json!({"id":format!("{}", self.rng.u64(1 << 40..1 << 60)),
                "channel_id":"820627324218245123","guild_id":"820627323903672320",
                "content":text,"at_ms":now.as_millis() as u64,"unicode":"héllo ✓ \u{1F600}"});
            self.dispatch_to(&id, name, data);
        }
    }

    fn dispatch_to(&mut self, id: &str, name: &str, data: Value) {
        let cap = self.config.buffer_cap;
        let order = self.rng.u8(0..3);
        let Some(session) = self.sessions.get_mut(id) else {
            return;
        };
        session.seq += 1;
        let seq = session.seq;
        let data = data.to_string();
        // Key order varies: the client's envelope scan must not depend on it.
        let text = match order {
            0 => format!(r#"{{"t":"{name}","s":{seq},"op":0,"d":{data}}}"#),
            1 => format!(r#"{{"op":0,"d":{data},"s":{seq},"t":"{name}"}}"#),
            _ => format!(r#"{{"d":{data},"op":0,"t":"{name}","s":{seq}}}"#),
        };
        session.buffer.push_back((seq, text.clone()));
        if session.buffer.len() > cap {
            session.buffer.pop_front();
        }
        let conn = session.conn;
        self.log.entry(id.to_owned()).or_default().push(Logged {
            seq,
            event: name.to_owned(),
            text: text.clone(),
        });
        if let Some(conn) = conn {
            self.send(conn, text);
        }
    }

    /// Deadlines: heartbeats the client missed, op 7 follow-up closes, expired sessions.
    pub fn tick(&mut self, now: Duration) {
        let limit = self.config.interval + self.config.heartbeat_grace;
        let late: Vec<u64> = self
            .conns
            .iter()
            .filter(|(_, c)| now.saturating_sub(c.last_heartbeat) > limit)
            .map(|(&id, _)| id)
            .collect();
        for conn in late {
            // The docs name no code for a late heartbeat; the session stays resumable.
            self.close(now, conn, Some(4000));
        }
        let reconnects: Vec<u64> = self
            .conns
            .iter()
            .filter(|(_, c)| c.close_at.is_some_and(|at| at <= now))
            .map(|(&id, _)| id)
            .collect();
        for conn in reconnects {
            self.close(now, conn, None);
        }
        let ttl = self.config.session_ttl;
        self.sessions
            .retain(|_, s| s.detached_at.is_none_or(|at| now - at < ttl));
    }

    /// The next instant `tick` has work.
    pub fn next_tick(&self) -> Option<Duration> {
        let limit = self.config.interval + self.config.heartbeat_grace;
        let heartbeats = self
            .conns
            .values()
            .map(|c| c.last_heartbeat + limit + Duration::from_millis(1));
        let reconnects = self.conns.values().filter_map(|c| c.close_at);
        let expiries = self
            .sessions
            .values()
            .filter_map(|s| s.detached_at.map(|at| at + self.config.session_ttl));
        heartbeats.chain(reconnects).chain(expiries).min()
    }

    // ----- faults -----

    pub fn withhold_acks(&mut self, conn: u64, withhold: bool) {
        if let Some(state) = self.conns.get_mut(&conn) {
            state.withhold_acks = withhold;
            state.withheld_ever |= withhold;
        }
    }

    pub fn request_heartbeat(&mut self, conn: u64) {
        self.send(conn, r#"{"op":1,"d":null}"#.to_owned());
    }

    /// op 7, then a close a few seconds later if the client stays.
    pub fn reconnect(&mut self, now: Duration, conn: u64) {
        self.send(conn, r#"{"op":7,"d":null}"#.to_owned());
        if let Some(state) = self.conns.get_mut(&conn) {
            state.close_at = Some(now + Duration::from_secs(5));
        }
    }

    /// op 9; with `false` the session is gone.
    pub fn invalidate(&mut self, conn: u64, resumable: bool) {
        self.send(conn, format!(r#"{{"op":9,"d":{resumable}}}"#));
        if !resumable {
            if let Some(id) = self.conns.get_mut(&conn).and_then(|c| c.session.take()) {
                self.sessions.remove(&id);
            }
        }
    }

    pub fn garbage(&mut self, conn: u64, text: &str) {
        if self.conns.contains_key(&conn) {
            self.outbox.push((conn, Wire::Text(text.to_owned())));
        }
    }

    /// The next compressed message is corrupt (no effect without compression).
    pub fn corrupt_next(&mut self, conn: u64) {
        if let Some(state) = self.conns.get_mut(&conn) {
            state.corrupt_next = state.deflater.is_some();
        }
    }
}

/// One message through the socket's deflater, ended with a sync flush (protocol.md §9.2).
fn compress(deflater: &mut CompressorOxide, mut input: &[u8]) -> Vec<u8> {
    let mut wire = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        let result = deflate(deflater, input, &mut chunk, MZFlush::Sync);
        input = &input[result.bytes_consumed..];
        wire.extend_from_slice(&chunk[..result.bytes_written]);
        assert!(matches!(result.status, Ok(MZStatus::Ok)), "deflate failed");
        if input.is_empty() && result.bytes_written < chunk.len() {
            return wire;
        }
    }
}
