//! The deterministic simulation's world: one shard machine, the model server, the link
//! between them (latency, drops, lost in-flight data), the caller's identify queue and user,
//! a virtual clock, and a seeded fault schedule. Everything random comes from one
//! `fastrand::Rng` seeded by the seed, so a failing seed replays exactly.
//!
//! The world checks after every step:
//! - the monitor's rules (heartbeats, zombie, 120/60 s, 4096 bytes, identify and resume
//!   discipline, order of dispatches, silence after stop, bounded memory);
//! - the server's view (no frame Discord would punish);
//! - the oracle: every dispatch the server logged in a session reaches the user exactly once,
//!   in order, with the server's exact text; at RESUMED everything before it has arrived;
//!   and when the faults stop, the shard catches up completely.
#![allow(dead_code)]

pub mod oracle;
pub mod server;

use gateway_proto::{
    command::{RequestGuildMembers, UpdateVoiceState},
    fuzzing::{Monitor, Violation},
    CloseCause, CloseFrame, Compression, Config, Event, EventTypeFlags, Id, Intents, Message, Next,
    Output, SendError, Session, ShardId, ShardMachine, State,
};
use oracle::Oracle;
use server::{Server, ServerConfig, Wire, MAIN_URL, TOKEN};
use std::collections::VecDeque;
use std::time::{Duration, Instant};

const SECOND: Duration = Duration::from_secs(1);
/// Faults, stalls and user closes stop this long before the end, so the shard must recover.
const QUIET: Duration = Duration::from_secs(15 * 60);
/// After a fatal close the world watches for silence this long, then an operator restarts.
const FATAL_SILENCE: Duration = Duration::from_secs(5 * 60);
const MAX_MESSAGE_SIZE: usize = 128 * 1024;
/// The identify queue's spacing: one identify per 5 s (protocol.md §7) plus a margin for
/// latency jitter, since the gateway measures arrivals.
const PERMIT_SPACING: Duration = Duration::from_millis(5_500);

/// What one seed did, for the report.
#[derive(Debug, Default, Clone)]
pub struct Summary {
    pub connections: u64,
    pub resumes: u64,
    pub identifies: u64,
    pub delivered: u64,
    pub faults: u64,
    pub stalls: u64,
    pub restarts: u64,
    pub fatal: u64,
    pub commands: u64,
}

impl Summary {
    pub fn add(&mut self, other: &Summary) {
        self.connections += other.connections;
        self.resumes += other.resumes;
        self.identifies += other.identifies;
        self.delivered += other.delivered;
        self.faults += other.faults;
        self.stalls += other.stalls;
        self.restarts += other.restarts;
        self.fatal += other.fatal;
        self.commands += other.commands;
    }
}

/// Per-seed settings, drawn from the seed.
#[derive(Debug, Clone)]
pub struct Knobs {
    pub compression: bool,
    pub ratelimit: bool,
    pub filter_typing: bool,
    pub latency: Duration,
    pub interval: Duration,
    pub dispatch_every: Duration,
    pub command_every: Duration,
    pub fault_every: Duration,
    pub stall_every: Duration,
    pub user_close_every: Duration,
    pub connect_fail: f64,
    pub queue_capacity: usize,
}

impl Knobs {
    fn draw(rng: &mut fastrand::Rng) -> Self {
        let ms = |rng: &mut fastrand::Rng, lo: u64, hi: u64| Duration::from_millis(rng.u64(lo..hi));
        Self {
            compression: rng.bool(),
            ratelimit: rng.u8(0..8) != 0,
            filter_typing: rng.u8(0..4) == 0,
            latency: ms(rng, 1, 300),
            interval: if rng.bool() {
                Duration::from_millis(41_250)
            } else {
                ms(rng, 1_000, 45_000)
            },
            dispatch_every: ms(rng, 4_000, 40_000),
            command_every: ms(rng, 20_000, 240_000),
            fault_every: ms(rng, 30_000, 300_000),
            stall_every: ms(rng, 300_000, 1_800_000),
            user_close_every: ms(rng, 900_000, 3_600_000),
            connect_fail: rng.f64() * 0.2,
            queue_capacity: rng.usize(16..512),
        }
    }
}

/// A connection the client asked for and the world has not opened yet.
struct Pending {
    conn: u64,
    url: String,
    at: Duration,
    fail: bool,
}

enum ToServer {
    Text(String),
    Closed(Option<u16>),
}

pub struct World {
    pub seed: u64,
    pub knobs: Knobs,
    rng: fastrand::Rng,
    origin: Instant,
    pub now: Duration,
    end: Duration,
    machine: ShardMachine,
    monitor: Monitor,
    pub server: Server,
    // link
    next_conn: u64,
    pending: Option<Pending>,
    socket: Option<u64>,
    to_client: VecDeque<(Duration, u64, Wire)>,
    to_server: VecDeque<(Duration, u64, ToServer)>,
    last_to_client: Duration,
    last_to_server: Duration,
    // the caller: identify queue, user, schedules
    permits_wanted: usize,
    next_permit: Duration,
    last_permit: Option<Duration>,
    next_dispatch: Duration,
    next_command: Duration,
    next_fault: Duration,
    next_stall: Duration,
    next_user_close: Duration,
    stalled_until: Option<Duration>,
    stall_started: Duration,
    restart_at: Option<(Duration, Option<Session>)>,
    acks_back_at: Option<(Duration, u64)>,
    /// The socket the machine closed last (to judge a zombie verdict).
    zombie_socket: Option<u64>,
    oracle: Oracle,
    pub summary: Summary,
    /// The last inputs and outputs, printed with a failure when `tracing` (it is costly:
    /// replaying one seed turns it on).
    trace: VecDeque<String>,
    pub tracing: bool,
}

fn fail<T>(what: impl Into<String>) -> Result<T, String> {
    Err(what.into())
}

impl World {
    pub fn new(seed: u64, duration: Duration) -> Self {
        let mut rng = fastrand::Rng::with_seed(seed);
        let knobs = Knobs::draw(&mut rng);
        let server = Server::new(
            ServerConfig {
                interval: knobs.interval,
                heartbeat_grace: knobs.latency * 4 + SECOND * 3,
                session_ttl: Duration::from_secs(rng.u64(120..300)),
                buffer_cap: rng.usize(200..2_000),
                resumed_has_seq: rng.bool(),
                split_frames: rng.bool(),
                client_limits_rate: knobs.ratelimit,
            },
            rng.u64(..),
        );
        // The origin of virtual time; nothing else here reads a clock.
        let origin = Instant::now();
        let config = Self::config_for(&knobs, seed, None);
        let monitor = Monitor::new(&config);
        let mut world = Self {
            seed,
            rng,
            origin,
            now: Duration::ZERO,
            end: duration.max(QUIET * 2),
            machine: ShardMachine::new(ShardId::ONE, config),
            monitor,
            server,
            next_conn: 0,
            pending: None,
            socket: None,
            to_client: VecDeque::new(),
            to_server: VecDeque::new(),
            last_to_client: Duration::ZERO,
            last_to_server: Duration::ZERO,
            permits_wanted: 0,
            next_permit: Duration::MAX,
            last_permit: None,
            next_dispatch: knobs.dispatch_every,
            next_command: knobs.command_every,
            next_fault: knobs.fault_every,
            next_stall: knobs.stall_every,
            next_user_close: knobs.user_close_every,
            stalled_until: None,
            stall_started: Duration::ZERO,
            restart_at: None,
            acks_back_at: None,
            zombie_socket: None,
            oracle: Oracle::new(knobs.filter_typing),
            summary: Summary::default(),
            trace: VecDeque::new(),
            tracing: false,
            knobs,
        };
        world.next_dispatch = world.exp(world.knobs.dispatch_every);
        world
    }

    fn config_for(knobs: &Knobs, seed: u64, session: Option<Session>) -> Config {
        let mut events = EventTypeFlags::all();
        if knobs.filter_typing {
            events.remove(EventTypeFlags::TYPING_START);
        }
        let mut builder = Config::builder(
            TOKEN,
            Intents::GUILDS | Intents::GUILD_MESSAGES | Intents::GUILD_MESSAGE_TYPING,
        )
        .gateway_url(MAIN_URL)
        .compression(if knobs.compression {
            Compression::ZlibStream
        } else {
            Compression::None
        })
        .ratelimit(knobs.ratelimit)
        .event_types(events)
        .queue_capacity(knobs.queue_capacity)
        .max_message_size(MAX_MESSAGE_SIZE)
        .rng_seed(seed);
        if let Some(session) = session {
            builder = builder.session(session);
        }
        builder.build().expect("valid config")
    }

    /// An exponentially distributed delay with this mean (a Poisson schedule).
    fn exp(&mut self, mean: Duration) -> Duration {
        let u = self.rng.f64().max(1e-9);
        self.now + mean.mul_f64(-u.ln()).max(Duration::from_millis(1))
    }

    fn log(&mut self, what: impl FnOnce() -> String) {
        if !self.tracing {
            return;
        }
        if self.trace.len() == 400 {
            self.trace.pop_front();
        }
        let line = format!("{:>12.3?} {}", self.now, what());
        self.trace.push_back(line);
    }

    pub fn trace(&self) -> String {
        self.trace.iter().map(|l| format!("{l}\n")).collect()
    }

    fn instant(&self) -> Instant {
        self.origin + self.now
    }

    fn latency(&mut self) -> Duration {
        let base = self.knobs.latency;
        base + base.mul_f64(self.rng.f64() * 0.25)
    }

    fn quiet(&self) -> bool {
        self.now + QUIET >= self.end
    }

    fn stalled(&self) -> bool {
        self.stalled_until.is_some()
    }

    // ----- the run -----

    pub fn run(&mut self) -> Result<(), String> {
        self.drain()?;
        let mut same_instant = 0;
        while let Some(next) = self.next_event() {
            if next > self.end {
                break;
            }
            same_instant = if next <= self.now {
                same_instant + 1
            } else {
                0
            };
            if same_instant > 10_000 {
                return fail(format!("no progress at {:?}", self.now));
            }
            self.now = self.now.max(next);
            self.step()?;
        }
        self.now = self.end;
        self.finish()
    }

    fn machine_deadline(&self) -> Option<Duration> {
        self.machine
            .poll_timeout()
            .map(|at| at.saturating_duration_since(self.origin))
    }

    fn next_event(&self) -> Option<Duration> {
        let mut times = vec![
            self.to_server.front().map(|(t, _, _)| *t),
            self.server.next_tick(),
            Some(self.next_dispatch),
            Some(self.next_fault),
            Some(self.next_stall),
            self.acks_back_at.map(|(t, _)| t),
            self.pending.as_ref().map(|p| p.at),
        ];
        match self.stalled_until {
            Some(until) => times.push(Some(until)),
            None => {
                times.push(self.to_client.front().map(|(t, _, _)| *t));
                times.push(self.machine_deadline());
                times.push((self.permits_wanted > 0).then_some(self.next_permit));
                times.push(Some(self.next_command));
                times.push(Some(self.next_user_close));
                times.push(self.restart_at.as_ref().map(|(t, _)| *t));
            }
        }
        times.into_iter().flatten().min()
    }

    /// Does everything due at `now`, in a fixed order.
    fn step(&mut self) -> Result<(), String> {
        let now = self.now;
        if self.stalled_until.is_some_and(|until| until <= now) {
            self.end_stall()?;
        }
        while let Some((at, _, _)) = self.to_server.front() {
            if *at > now {
                break;
            }
            let (_, conn, item) = self.to_server.pop_front().expect("peeked");
            match item {
                ToServer::Text(text) => self.server.receive(now, conn, &text),
                ToServer::Closed(code) => self.server.client_closed(now, conn, code),
            }
            self.flush_server()?;
        }
        if self.server.next_tick().is_some_and(|at| at <= now) {
            self.server.tick(now);
            self.flush_server()?;
        }
        if let Some((at, conn)) = self.acks_back_at.filter(|(at, _)| *at <= now) {
            let _ = at;
            self.server.withhold_acks(conn, false);
            self.acks_back_at = None;
        }
        if self.pending.as_ref().is_some_and(|p| p.at <= now) {
            self.open()?;
        }
        if !self.stalled() {
            while self.to_client.front().is_some_and(|(at, _, _)| *at <= now) {
                let (_, conn, wire) = self.to_client.pop_front().expect("peeked");
                self.deliver(conn, wire)?;
            }
            if self.machine_deadline().is_some_and(|at| at <= now) {
                let timer = self.machine.next_timeout().map(|(_, t)| t);
                self.log(|| format!("timeout {timer:?}"));
                self.machine.handle_timeout(self.instant());
                self.drain()?;
                if self.machine_deadline().is_some_and(|at| at <= now) {
                    return fail(format!(
                        "timer {:?} still due after handle_timeout at {now:?}",
                        self.machine.next_timeout()
                    ));
                }
            }
            if self.permits_wanted > 0 && self.next_permit <= now {
                self.permits_wanted -= 1;
                self.last_permit = Some(now);
                self.next_permit = now + PERMIT_SPACING;
                self.monitor.on_permit();
                self.machine.handle_identify_permit(self.instant());
                self.drain()?;
            }
        }
        if self.next_dispatch <= now {
            self.next_dispatch = self.exp(self.knobs.dispatch_every);
            if now + 10 * SECOND < self.end {
                let big = self.rng.u8(0..50) == 0;
                self.server.generate(now, big);
                self.flush_server()?;
            }
        }
        if self.next_fault <= now {
            self.next_fault = self.exp(self.knobs.fault_every);
            if !self.quiet() {
                self.fault()?;
            }
        }
        if self.next_stall <= now {
            self.next_stall = self.exp(self.knobs.stall_every);
            if !self.quiet() && !self.stalled() {
                let length = Duration::from_millis(self.rng.u64(500..120_000));
                self.summary.stalls += 1;
                self.stall_started = now;
                self.stalled_until = Some(now + length);
                self.log(|| format!("stall {length:?}"));
            }
        }
        if !self.stalled() {
            if self.next_command <= now {
                self.next_command = self.exp(self.knobs.command_every);
                if now + 10 * SECOND < self.end {
                    let count = if self.rng.u8(0..10) == 0 {
                        self.rng.usize(10..150)
                    } else {
                        1
                    };
                    for _ in 0..count {
                        self.command()?;
                    }
                    self.drain()?;
                }
            }
            if self.next_user_close <= now {
                self.next_user_close = self.exp(self.knobs.user_close_every);
                if !self.quiet() && self.restart_at.is_none() {
                    self.user_close()?;
                }
            }
            if self.restart_at.as_ref().is_some_and(|(at, _)| *at <= now) {
                let (_, session) = self.restart_at.take().expect("checked");
                self.restart(session)?;
            }
        }
        Ok(())
    }

    // ----- the caller's side -----

    /// Drains every output, acting on each, then lets the monitor and the server judge.
    fn drain(&mut self) -> Result<(), String> {
        let now = self.instant();
        while let Some(output) = self.machine.poll_output() {
            self.log(|| format!("out {:.160}", format!("{output:?}")));
            self.monitor
                .output(now, &output)
                .map_err(|v| self.explain(v))?;
            match output {
                Output::Connect(url) => {
                    self.next_conn += 1;
                    let delay = self.knobs.latency * 3 + Duration::from_millis(self.rng.u64(0..50));
                    let fail = self.rng.f64() < self.knobs.connect_fail;
                    self.pending = Some(Pending {
                        conn: self.next_conn,
                        url,
                        at: self.now + delay,
                        fail,
                    });
                }
                Output::Send(text) => {
                    if let Some(conn) = self.socket {
                        self.send_to_server(conn, ToServer::Text(text));
                    }
                }
                Output::Close(frame) => {
                    self.zombie_socket = self.socket;
                    if let Some(conn) = self.socket.take() {
                        self.to_client.retain(|(_, c, _)| *c != conn);
                        self.send_to_server(conn, ToServer::Closed(Some(frame.code)));
                    }
                }
                Output::RequestIdentify => {
                    self.permits_wanted += 1;
                    let earliest = self
                        .last_permit
                        .map_or(Duration::ZERO, |t| t + PERMIT_SPACING);
                    let soon = self.now + Duration::from_millis(self.rng.u64(0..500));
                    if self.permits_wanted == 1 {
                        self.next_permit = earliest.max(soon);
                    }
                }
                Output::Event(event) => self.observe(&event)?,
            }
        }
        self.monitor
            .after_drain(now, &self.machine)
            .map_err(|v| self.explain(v))?;
        self.server_violations()
    }

    fn explain(&self, violation: Violation) -> String {
        format!(
            "monitor at {:?}: {violation} (state {:?})",
            self.now,
            self.machine.state()
        )
    }

    fn server_violations(&self) -> Result<(), String> {
        match self.server.violations.first() {
            Some(what) => fail(format!("server at {:?}: {what}", self.now)),
            None => Ok(()),
        }
    }

    fn send_to_server(&mut self, conn: u64, item: ToServer) {
        let at = (self.now + self.latency()).max(self.last_to_server);
        self.last_to_server = at;
        self.to_server.push_back((at, conn, item));
    }

    /// Moves what the server sent onto the link.
    fn flush_server(&mut self) -> Result<(), String> {
        for (conn, wire) in std::mem::take(&mut self.server.outbox) {
            if matches!(wire, Wire::Close(None)) {
                // A TCP reset: whatever was still in flight is lost.
                self.to_client.retain(|(_, c, _)| *c != conn);
            }
            let at = (self.now + self.latency()).max(self.last_to_client);
            self.last_to_client = at;
            self.to_client.push_back((at, conn, wire));
        }
        self.server_violations()
    }

    fn open(&mut self) -> Result<(), String> {
        let pending = self.pending.take().expect("a pending connect");
        self.summary.connections += 1;
        self.log(|| format!("open {} fail={}", pending.url, pending.fail));
        if pending.fail {
            self.monitor.on_socket_closed();
            self.machine.handle_close(self.instant(), None);
            return self.drain();
        }
        self.socket = Some(pending.conn);
        let now = self.now;
        self.server
            .accept(now, pending.conn, &pending.url, self.knobs.compression);
        self.flush_server()?;
        self.monitor.on_open(self.instant());
        self.machine.handle_open(self.instant());
        self.drain()
    }

    fn deliver(&mut self, conn: u64, wire: Wire) -> Result<(), String> {
        if self.socket != Some(conn) {
            return Ok(());
        }
        let now = self.instant();
        self.log(|| format!("in  {:.160}", format!("{wire:?}")));
        match wire {
            Wire::Text(text) => self.machine.handle_message(now, Message::Text(&text)),
            Wire::Binary(bytes) => self.machine.handle_message(now, Message::Binary(&bytes)),
            Wire::Close(code) => {
                self.socket = None;
                self.monitor.on_socket_closed();
                let frame = code.map(|code| CloseFrame::new(code, ""));
                self.machine.handle_close(now, frame);
            }
        }
        self.drain()
    }

    /// The caller wakes up after a stall. Half the time it then feeds everything that
    /// arrived meanwhile before draining once (a slow consumer), stopping as soon as the
    /// machine drops the socket, as the contract of `Output::Close` requires.
    fn end_stall(&mut self) -> Result<(), String> {
        self.stalled_until = None;
        self.monitor.on_stall(self.now - self.stall_started);
        let batch = self.rng.bool();
        self.log(|| format!("stall ends, batch={batch}"));
        if !batch {
            return Ok(());
        }
        let now = self.instant();
        while self
            .to_client
            .front()
            .is_some_and(|(at, _, _)| *at <= self.now)
        {
            if !self.machine.state().has_socket() {
                break;
            }
            if matches!(self.to_client.front(), Some((_, _, Wire::Close(_)))) {
                // The monitor must see the close between the outputs it separates.
                break;
            }
            let (_, conn, wire) = self.to_client.pop_front().expect("peeked");
            if self.socket != Some(conn) {
                continue;
            }
            self.log(|| format!("in (batch) {:.160}", format!("{wire:?}")));
            match wire {
                Wire::Text(text) => self.machine.handle_message(now, Message::Text(&text)),
                Wire::Binary(bytes) => self.machine.handle_message(now, Message::Binary(&bytes)),
                Wire::Close(_) => unreachable!("stopped before a close"),
            }
        }
        self.drain()
    }

    fn command(&mut self) -> Result<(), String> {
        let now = self.instant();
        let guild = Id(820627323903672320);
        let result = match self.rng.u8(0..4) {
            0 => {
                let nonce = format!("n{}", self.rng.u32(..));
                let request = RequestGuildMembers::query(guild, "a", 10).with_nonce(nonce);
                self.machine.send_command(now, &request)
            }
            1 => self
                .machine
                .send_command(now, &UpdateVoiceState::join(guild, Id(820627324398600196))),
            2 => self.machine.send_raw(
                now,
                r#"{"op":43,"d":{"guild_id":"820627323903672320","fields":["status"]}}"#.into(),
            ),
            _ => self.machine.send_raw(
                now,
                r#"{"op":3,"d":{"since":null,"activities":[],"status":"online","afk":false}}"#
                    .into(),
            ),
        };
        self.summary.commands += 1;
        match result {
            Ok(()) => Ok(()),
            Err(SendError::QueueFull { .. }) if self.machine.queued_commands() > 0 => Ok(()),
            Err(SendError::Closed) if self.machine.state() == State::Closed => Ok(()),
            Err(error) => fail(format!("send_command at {:?}: {error:?}", self.now)),
        }
    }

    fn user_close(&mut self) -> Result<(), String> {
        if self.machine.state() == State::Closed {
            return Ok(());
        }
        let code = [1000, 1001, 4000, 4999, 3000][self.rng.usize(0..5)];
        self.machine
            .close(self.instant(), CloseFrame::new(code, "user"));
        self.drain()?;
        if self.machine.state() != State::Closed {
            return fail("close() did not stop the machine");
        }
        let session = self.machine.session().cloned();
        if matches!(code, 1000 | 1001) && session.is_some() {
            return fail(format!("session kept after a close with {code}"));
        }
        self.pending = None;
        let delay = Duration::from_millis(self.rng.u64(0..360_000));
        self.restart_at = Some((self.now + delay, session));
        Ok(())
    }

    /// A new process continues with the exported session (or a fresh one).
    fn restart(&mut self, session: Option<Session>) -> Result<(), String> {
        self.summary.restarts += 1;
        let config = Self::config_for(&self.knobs, self.seed ^ self.summary.restarts, session);
        self.monitor.restart(&config);
        self.oracle.restart(config.session().map(|s| s.id.clone()));
        self.machine = ShardMachine::new(ShardId::ONE, config);
        self.pending = None;
        self.socket = None;
        self.permits_wanted = 0;
        self.drain()
    }

    // ----- faults -----

    fn fault(&mut self) -> Result<(), String> {
        let now = self.now;
        let Some(conn) = self.socket.filter(|&c| self.server.is_open(c)) else {
            return Ok(());
        };
        self.summary.faults += 1;
        let kind = self.rng.u8(0..100);
        self.log(|| format!("fault {kind}"));
        match kind {
            0..=14 => self.server.close(now, conn, None),
            15..=39 => {
                let code = if self.rng.u8(0..12) == 0 {
                    [4004, 4010, 4011, 4012, 4013, 4014][self.rng.usize(0..6)]
                } else {
                    [
                        1000, 1001, 4000, 4001, 4002, 4003, 4005, 4006, 4007, 4008, 4009,
                    ][self.rng.usize(0..11)]
                };
                self.server.close(now, conn, Some(code));
            }
            40..=49 => {
                self.server.withhold_acks(conn, true);
                let back = now + self.knobs.interval.mul_f64(1.0 + 3.0 * self.rng.f64());
                self.acks_back_at = Some((back, conn));
            }
            50..=59 => {
                for _ in 0..self.rng.usize(1..4) {
                    self.server.request_heartbeat(conn);
                }
            }
            60..=64 => self.server.reconnect(now, conn),
            65..=72 => self.server.invalidate(conn, self.rng.bool()),
            73..=79 => {
                let garbage = [
                    "not json at all",
                    r#"{"op":"#,
                    "[1,2,3]",
                    r#"{"op":"ten"}"#,
                    r#"{"s":1,"t":"MESSAGE_CREATE"}"#,
                    r#"{"op":10,"d":{"heartbeat_interval":0}}"#,
                    r#"{"op":0,"s":null,"t":null,"d":{}}"#,
                    r#"{"op":42,"d":null}"#,
                    r#"{"op":11,"d":null,"op":11}"#,
                    "",
                ];
                let text = garbage[self.rng.usize(0..garbage.len())];
                self.server.garbage(conn, text);
            }
            80..=85 => self.server.corrupt_next(conn),
            86 => self.server.reconnect_before_hello = true,
            87 => self.server.withhold_hello = true,
            88..=95 => {
                for _ in 0..self.rng.usize(20..150) {
                    self.server.generate(now, false);
                }
            }
            _ => self.server.generate(now, true),
        }
        self.flush_server()
    }

    // ----- the oracle -----

    fn observe(&mut self, event: &Event) -> Result<(), String> {
        match event {
            Event::Ready(_) => self.summary.identifies += 1,
            Event::Dispatch(_) => self.summary.delivered += 1,
            Event::Resumed(_) => self.summary.resumes += 1,
            Event::Closed(closed) => {
                if closed.cause == CloseCause::Zombie {
                    if let Some(conn) = self.zombie_socket.take() {
                        if self.server.is_open(conn) && !self.server.withheld_acks(conn) {
                            return fail(format!(
                                "zombie declared on socket {conn}, whose every heartbeat the server acknowledged"
                            ));
                        }
                    }
                }
                if closed.next == Next::Stop && closed.is_fatal() {
                    self.summary.fatal += 1;
                    self.restart_at = Some((self.now + FATAL_SILENCE, None));
                }
            }
            _ => {}
        }
        self.oracle.observe(&self.server.log, event)
    }

    /// When the faults have stopped: the shard is connected and has everything.
    fn finish(&mut self) -> Result<(), String> {
        if self.machine.state() != State::Active {
            return fail(format!(
                "not active after {QUIET:?} without faults: {:?}",
                self.machine.state()
            ));
        }
        self.oracle.complete(&self.server.log)
    }
}

/// Runs one seed for `duration` of virtual time.
pub fn run(seed: u64, duration: Duration, tracing: bool) -> Result<Summary, String> {
    let mut world = World::new(seed, duration);
    world.tracing = tracing;
    match world.run() {
        Ok(()) => Ok(world.summary),
        Err(why) => Err(format!(
            "{why}\nknobs: {:?}\nsummary: {:?}\nlast steps:\n{}",
            world.knobs,
            world.summary,
            world.trace()
        )),
    }
}
