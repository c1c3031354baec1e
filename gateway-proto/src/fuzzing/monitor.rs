//! The invariant monitor: watches one shard's inputs and outputs and says when a rule of
//! issue 8 is broken.
//!
//! It knows nothing of the peer: only what the machine was told (opens, closes, permits,
//! stalls of the caller) and what it answered (frames, connects, closes, events). Rules that
//! need the peer's view (every dispatch the server sent arrives exactly once) live in the
//! simulation, which owns a model server.
//!
//! Call order, mirroring the machine's contract: tell the monitor about an input
//! (`on_open`, `on_socket_closed`, `on_permit`, `on_stall`) right before feeding it, pass
//! every drained [`Output`] to [`Monitor::output`], then call [`Monitor::after_drain`].

use crate::{
    command::MAX_PAYLOAD_BYTES,
    config::Config,
    event::{Event, Next},
    machine::{Output, ShardMachine, State},
    ratelimit::{FRAMES_PER_WINDOW, SEND_MARGIN},
};
use serde_json::Value;
use std::{
    collections::VecDeque,
    fmt,
    time::{Duration, Instant},
};

/// Memory a machine may hold besides its queues and inflate buffers: limiter, timers,
/// drained output queue.
const BASE_HEAP: usize = 128 * 1024;

/// Frame send times kept per connection (enough to judge any 60 s window).
const FRAMES_KEPT: usize = 4 * FRAMES_PER_WINDOW;

/// A broken rule: its name (as issue 8 words it) and what was seen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// The rule.
    pub rule: &'static str,
    /// What happened.
    pub detail: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.rule, self.detail)
    }
}

fn violation(rule: &'static str, detail: impl Into<String>) -> Result<(), Violation> {
    Err(Violation {
        rule,
        detail: detail.into(),
    })
}

/// One open socket as the monitor sees it.
#[derive(Debug)]
struct Connection {
    /// Send times of recent frames.
    frames: VecDeque<Instant>,
    identifies: u32,
    resumes: u32,
    /// Hello's interval, once Hello arrived.
    interval: Option<Duration>,
    /// Hello or the last heartbeat: the next one is due an interval later.
    last_beat: Instant,
    /// Time the caller stalled since `last_beat` (the machine could not act).
    slack: Duration,
    /// Time the caller stalled since `first_unacked`.
    ack_slack: Duration,
    /// The first heartbeat since the last ACK.
    first_unacked: Option<Instant>,
    /// READY or RESUMED arrived: commands may flow.
    active: bool,
}

impl Connection {
    fn new(now: Instant) -> Self {
        Self {
            frames: VecDeque::new(),
            identifies: 0,
            resumes: 0,
            interval: None,
            last_beat: now,
            slack: Duration::ZERO,
            ack_slack: Duration::ZERO,
            first_unacked: None,
            active: false,
        }
    }

    /// Frames sent within `span` before `at`.
    fn frames_within(&self, at: Instant, span: Duration) -> Vec<Instant> {
        self.frames
            .iter()
            .copied()
            .filter(|&t| t <= at && at.saturating_duration_since(t) < span)
            .collect()
    }

    /// When the next heartbeat must have gone out: an interval after the last one, plus
    /// time the caller stalled, plus any wait for a frame slot when the window was full
    /// (`hold`: how long the limiter keeps a frame's slot).
    fn heartbeat_deadline(&self, ratelimit: bool, hold: Duration) -> Option<Instant> {
        let due = self.last_beat + self.interval? + self.slack;
        if !ratelimit {
            return Some(due);
        }
        let held = self.frames_within(due, hold);
        if held.len() < FRAMES_PER_WINDOW {
            return Some(due);
        }
        Some(due.max(held[held.len() - FRAMES_PER_WINDOW] + hold))
    }
}

/// Watches one shard (and, across [`Monitor::restart`], the machines that continue its
/// session).
#[derive(Debug)]
pub struct Monitor {
    ratelimit: bool,
    /// The 120-frame window (60 s unless the config says otherwise).
    window: Duration,
    queue_capacity: usize,
    max_message_size: usize,
    connect_pending: bool,
    conn: Option<Connection>,
    /// The session the user may resume: from READY or a restored config.
    session: Option<String>,
    /// The highest sequence delivered since the session (or pending sequence) began.
    last_seq: Option<u64>,
    /// A permit was granted and its drain is in progress.
    permit: bool,
    /// The machine said it stopped (`Next::Stop`).
    stopped: bool,
}

impl Monitor {
    /// A monitor for a machine built from `config` (before its first drain).
    pub fn new(config: &Config) -> Self {
        Self {
            ratelimit: config.ratelimit(),
            window: config.ratelimit_window(),
            queue_capacity: config.queue_capacity(),
            max_message_size: config.max_message_size(),
            connect_pending: false,
            conn: None,
            session: config.session().map(|s| s.id.clone()),
            last_seq: config.session().map(|s| s.sequence),
            permit: false,
            stopped: false,
        }
    }

    /// The shard continues in a new machine built from `config` (a restored session).
    pub fn restart(&mut self, config: &Config) {
        *self = Self::new(config);
    }

    /// Whether the machine said it stopped for good.
    pub fn is_stopped(&self) -> bool {
        self.stopped
    }

    /// Whether a socket is open as far as the machine knows.
    pub fn is_connected(&self) -> bool {
        self.conn.is_some()
    }

    /// The caller is about to feed `handle_open`.
    pub fn on_open(&mut self, now: Instant) {
        if self.connect_pending {
            self.connect_pending = false;
            self.conn = Some(Connection::new(now));
        }
    }

    /// The caller is about to feed `handle_close` (the socket ended or failed to open).
    pub fn on_socket_closed(&mut self) {
        self.connect_pending = false;
        self.conn = None;
    }

    /// The caller is about to feed `handle_identify_permit`.
    pub fn on_permit(&mut self) {
        self.permit = true;
    }

    /// The caller did not drive the machine for `duration` (a slow consumer): deadlines
    /// within it could not be met.
    pub fn on_stall(&mut self, duration: Duration) {
        if let Some(conn) = &mut self.conn {
            conn.slack += duration;
            if conn.first_unacked.is_some() {
                conn.ack_slack += duration;
            }
        }
    }

    /// One drained output, at `now`.
    pub fn output(&mut self, now: Instant, output: &Output) -> Result<(), Violation> {
        if self.stopped {
            return violation("nothing after stop", format!("{output:?}"));
        }
        match output {
            Output::Connect(url) => {
                if self.conn.is_some() || self.connect_pending {
                    return violation("one socket at a time", format!("connect {url}"));
                }
                self.connect_pending = true;
                Ok(())
            }
            Output::Close(frame) => {
                if self.conn.take().is_none() {
                    return violation("close only an open socket", format!("{frame:?}"));
                }
                Ok(())
            }
            Output::RequestIdentify => match &self.conn {
                Some(conn) if conn.interval.is_some() => Ok(()),
                _ => violation("identify only after hello", "permit requested"),
            },
            Output::Send(text) => self.on_send(now, text),
            Output::Event(event) => self.on_event(now, event),
        }
    }

    fn on_send(&mut self, now: Instant, text: &str) -> Result<(), Violation> {
        if text.len() > MAX_PAYLOAD_BYTES {
            return violation("nothing over 4096 bytes", format!("{} bytes", text.len()));
        }
        let Some(conn) = &mut self.conn else {
            return violation("send only on an open socket", text.to_owned());
        };
        let Ok(value) = serde_json::from_str::<Value>(text) else {
            return violation("frames are json", text.to_owned());
        };
        let op = value["op"].as_u64();
        if conn.interval.is_none() {
            return violation("nothing before hello", format!("op {op:?}"));
        }
        while conn.frames.len() >= FRAMES_KEPT {
            conn.frames.pop_front();
        }
        conn.frames.push_back(now);
        if self.ratelimit {
            let in_window = conn.frames_within(now, self.window).len();
            if in_window > FRAMES_PER_WINDOW {
                return violation(
                    "at most 120 frames in any 60 s of a connection",
                    format!("{in_window} frames, the last op {op:?}"),
                );
            }
        }
        let data = &value["d"];
        match op {
            Some(1) => {
                if let (Some(last), Some(sent)) = (self.last_seq, data.as_u64()) {
                    if sent < last {
                        return violation(
                            "heartbeat carries the last sequence",
                            format!("sent {sent}, delivered {last}"),
                        );
                    }
                }
                conn.last_beat = now;
                conn.slack = Duration::ZERO;
                conn.first_unacked.get_or_insert(now);
            }
            Some(2) => {
                if !std::mem::take(&mut self.permit) {
                    return violation("identify only with a permit", "no permit granted");
                }
                conn.identifies += 1;
                if conn.identifies > 1 || conn.resumes > 0 {
                    return violation("one identify or resume per connection", "identify");
                }
                if let Some(session) = &self.session {
                    return violation("identify only without a session", session.clone());
                }
                self.last_seq = None;
            }
            Some(6) => {
                conn.resumes += 1;
                if conn.resumes > 1 || conn.identifies > 0 {
                    return violation("one identify or resume per connection", "resume");
                }
                let id = data["session_id"].as_str();
                if self.session.is_none() || id != self.session.as_deref() {
                    return violation(
                        "resume only with a session",
                        format!("resume {id:?}, held {:?}", self.session),
                    );
                }
                let seq = data["seq"].as_u64();
                if seq.is_none() || seq < self.last_seq {
                    return violation(
                        "resume from the last sequence",
                        format!("resume at {seq:?}, delivered {:?}", self.last_seq),
                    );
                }
            }
            _ => {
                if !conn.active {
                    return violation("commands only in an active session", text.to_owned());
                }
            }
        }
        Ok(())
    }

    fn on_event(&mut self, now: Instant, event: &Event) -> Result<(), Violation> {
        match event {
            Event::Closed(closed) => {
                self.conn = None;
                match closed.next {
                    Next::Stop => self.stopped = true,
                    Next::Identify => {
                        self.session = None;
                        self.last_seq = None;
                    }
                    Next::Resume if self.session.is_none() => {
                        return violation("resume only with a session", format!("{closed:?}"));
                    }
                    Next::Resume => {}
                }
            }
            Event::Hello(hello) => {
                let Some(conn) = &mut self.conn else {
                    return violation("events only from an open socket", "hello");
                };
                conn.interval = Some(hello.heartbeat_interval);
                conn.last_beat = now;
                conn.slack = Duration::ZERO;
            }
            Event::HeartbeatAck(_) => {
                if let Some(conn) = &mut self.conn {
                    conn.first_unacked = None;
                    conn.ack_slack = Duration::ZERO;
                }
            }
            Event::Ready(ready) => {
                self.session = Some(ready.session_id.clone());
                self.last_seq = Some(ready.dispatch.seq);
                if let Some(conn) = &mut self.conn {
                    conn.active = true;
                }
            }
            Event::Resumed(resumed) => {
                if self.session.is_none() {
                    return violation("resume only with a session", "RESUMED delivered");
                }
                self.last_seq = self.last_seq.max(Some(resumed.dispatch.seq));
                if let Some(conn) = &mut self.conn {
                    conn.active = true;
                }
            }
            Event::Dispatch(dispatch) => {
                if let Some(last) = self.last_seq {
                    if dispatch.seq <= last {
                        return violation(
                            "every dispatch once, in sequence order",
                            format!(
                                "{} with s={} after s={last}",
                                dispatch.event_type.name(),
                                dispatch.seq
                            ),
                        );
                    }
                }
                self.last_seq = Some(dispatch.seq);
            }
            _ => {}
        }
        Ok(())
    }

    /// After a full drain at `now`: the deadlines and the machine's state.
    pub fn after_drain(&mut self, now: Instant, machine: &ShardMachine) -> Result<(), Violation> {
        self.permit = false;
        let stats = machine.stats();
        let by_cause: u64 = stats
            .reconnects_by_cause
            .by_name()
            .iter()
            .map(|(_, n)| n)
            .sum();
        if stats.dispatches_by_type.total() != stats.dispatches || by_cause != stats.reconnects {
            return violation(
                "the statistics add up",
                format!(
                    "{} dispatches, {} by type; {} reconnects, {by_cause} by cause",
                    stats.dispatches,
                    stats.dispatches_by_type.total(),
                    stats.reconnects
                ),
            );
        }
        if self.stopped {
            if machine.state() != State::Closed || machine.poll_timeout().is_some() {
                return violation(
                    "nothing after stop",
                    format!(
                        "state {:?}, timer {:?}",
                        machine.state(),
                        machine.next_timeout()
                    ),
                );
            }
            return Ok(());
        }
        let state = machine.state();
        if self.conn.is_some() != state.has_socket() {
            return violation(
                "the machine and its socket agree",
                format!(
                    "state {state:?}, monitor sees a socket: {}",
                    self.conn.is_some()
                ),
            );
        }
        if let Some(conn) = &self.conn {
            let hold = self.window + SEND_MARGIN;
            if let Some(deadline) = conn.heartbeat_deadline(self.ratelimit, hold) {
                if now > deadline {
                    return violation(
                        "a heartbeat at least once per interval",
                        format!("late by {:?}", now - deadline),
                    );
                }
            }
            if let (Some(first), Some(interval)) = (conn.first_unacked, conn.interval) {
                let limit = first + interval * 2 + conn.ack_slack;
                if now > limit {
                    return violation(
                        "a zombie is abandoned within two intervals",
                        format!("open {:?} past the limit", now - limit),
                    );
                }
            }
        }
        let queued = machine.queued_commands();
        if queued > self.queue_capacity {
            return violation("bounded memory", format!("{queued} queued commands"));
        }
        let limit = BASE_HEAP
            + 2 * self.max_message_size
            + self.queue_capacity * std::mem::size_of::<String>()
            + queued * MAX_PAYLOAD_BYTES;
        let held = machine.heap_bytes();
        if held > limit {
            return violation(
                "bounded memory",
                format!("{held} heap bytes, limit {limit} ({queued} queued)"),
            );
        }
        Ok(())
    }
}
