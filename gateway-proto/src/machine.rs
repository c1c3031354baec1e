//! The shard state machine. Everything that decides a transition lives in this file:
//! "what happens when X arrives in state Y" is answered here, and nowhere else.
//!
//! It owns no socket and reads no clock. The caller feeds inputs (`handle_*`, each with
//! its `now`), then drains [`ShardMachine::poll_output`] until it returns `None`, then
//! arms one timer at [`ShardMachine::poll_timeout`].

#[cfg(feature = "zstd")]
use crate::zstd::ZstdStream;
use crate::{
    backoff,
    close_code::{self, CloseAction},
    command::{self, Command, Heartbeat, Identify, Resume},
    config::{connect_url, Compression, Config, ShardId},
    envelope::{self, Envelope},
    error::{ReceiveError, SendError},
    event::{
        CloseCause, Closed, Dispatch, Event, HeartbeatAck, Hello, Initiator, InvalidSession, Next,
        Payload, Ready, ReadyFields, Reconnect, Resumed,
    },
    event_type::EventType,
    heartbeat::{Beat, Heartbeater, Latency},
    inflate::ZlibStream,
    opcode::OpCode,
    ratelimit::{CommandRatelimiter, RatelimiterState},
    session::Session,
    stats::Statistics,
    telemetry::log,
    timers::{Timer, Timers},
};
use std::{
    borrow::Cow,
    collections::VecDeque,
    fmt,
    time::{Duration, Instant},
};

/// Close code this machine sends when it drops a connection it means to resume:
/// anything but 1000/1001 keeps the session (protocol.md §5.4).
pub const RESUME_CLOSE_CODE: u16 = 4000;

/// Consecutive failed connects to a session's resume URL after which the machine gives the
/// session up and identifies on the gateway URL (protocol.md §5.4: "if the reconnect or
/// resume fails, fall back to a new connection on the discovery URL and Identify").
pub const MAX_RESUME_CONNECT_FAILURES: u32 = 3;

/// A close frame to send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CloseFrame {
    /// The close code.
    pub code: u16,
    /// The reason text.
    pub reason: Cow<'static, str>,
}

impl CloseFrame {
    /// 1000: ends the session; the bot goes offline (protocol.md §5.4).
    pub const NORMAL: CloseFrame = CloseFrame {
        code: 1000,
        reason: Cow::Borrowed(""),
    };

    /// A code that keeps the session resumable.
    pub const RESUME: CloseFrame = CloseFrame {
        code: RESUME_CLOSE_CODE,
        reason: Cow::Borrowed("resuming"),
    };

    /// A close frame with any code and reason.
    pub fn new(code: u16, reason: impl Into<Cow<'static, str>>) -> Self {
        Self {
            code,
            reason: reason.into(),
        }
    }

    /// Whether closing with this frame ends the session (1000 and 1001).
    pub fn ends_session(&self) -> bool {
        matches!(self.code, 1000 | 1001)
    }
}

/// One websocket message, as received.
#[derive(Clone, Copy, Debug)]
pub enum Message<'a> {
    /// A text frame.
    Text(&'a str),
    /// A binary frame (compressed data when transport compression is on).
    Binary(&'a [u8]),
}

/// What the caller must do or deliver.
///
/// `Debug` shows Identify and Resume frames as `<redacted>`: they carry the token.
#[derive(Clone, PartialEq)]
pub enum Output {
    /// Open a websocket to this URL, then call [`ShardMachine::handle_open`]; if it
    /// fails, call [`ShardMachine::handle_close`] with `None`.
    Connect(String),
    /// Send this text frame.
    Send(String),
    /// Send this close frame and drop the socket. Report nothing more about that
    /// socket: the machine has already moved on.
    Close(CloseFrame),
    /// Ask the identify queue for a permit; call
    /// [`ShardMachine::handle_identify_permit`] when granted.
    RequestIdentify,
    /// Deliver this event.
    Event(Event),
}

impl fmt::Debug for Output {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Connect(url) => f.debug_tuple("Connect").field(url).finish(),
            Self::Send(frame) => {
                // Only the machine sends these two (user payloads with them are refused).
                let op = envelope::scan(frame).map(|envelope| envelope.op);
                match op.ok().and_then(OpCode::from_code) {
                    Some(OpCode::Identify) => f.write_str("Send(<Identify, redacted>)"),
                    Some(OpCode::Resume) => f.write_str("Send(<Resume, redacted>)"),
                    _ => f.debug_tuple("Send").field(frame).finish(),
                }
            }
            Self::Close(frame) => f.debug_tuple("Close").field(frame).finish(),
            Self::RequestIdentify => f.write_str("RequestIdentify"),
            Self::Event(event) => f.debug_tuple("Event").field(event).finish(),
        }
    }
}

/// Where the shard is, named after what it waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum State {
    /// Waiting out a reconnect delay before connecting.
    BackingOff,
    /// Waiting for the socket to open.
    Connecting,
    /// Socket open; waiting for Hello.
    AwaitingHello,
    /// Hello received; waiting for an identify permit.
    AwaitingPermit,
    /// Identify sent; waiting for READY.
    Identifying,
    /// Resume sent; receiving the replay until RESUMED.
    Resuming,
    /// READY or RESUMED received: commands flow.
    Active,
    /// Stopped for good (fatal close or user close). Inputs change nothing.
    Closed,
}

impl State {
    /// Whether a socket is open in this state.
    pub fn has_socket(self) -> bool {
        matches!(
            self,
            Self::AwaitingHello
                | Self::AwaitingPermit
                | Self::Identifying
                | Self::Resuming
                | Self::Active
        )
    }
}

/// The gateway protocol of one shard.
///
/// # Driving it
/// 1. Feed an input: [`handle_open`](Self::handle_open),
///    [`handle_message`](Self::handle_message), [`handle_close`](Self::handle_close),
///    [`handle_timeout`](Self::handle_timeout),
///    [`handle_identify_permit`](Self::handle_identify_permit),
///    [`send_command`](Self::send_command) / [`send_raw`](Self::send_raw) or
///    [`close`](Self::close), each with the current `now`.
/// 2. Drain [`poll_output`](Self::poll_output) until `None`, acting on each
///    [`Output`] in order.
/// 3. Arm one timer at [`poll_timeout`](Self::poll_timeout) and call `handle_timeout`
///    when it fires. Early or repeated timeouts are harmless.
///
/// A new machine has already queued its first [`Output::Connect`].
///
/// ```
/// use gateway_proto::{Config, Intents, Output, ShardId, ShardMachine};
///
/// let config = Config::new("token", Intents::GUILDS);
/// let mut shard = ShardMachine::new(ShardId::ONE, config);
/// match shard.poll_output() {
///     Some(Output::Connect(url)) => {
///         assert_eq!(url, "wss://gateway.discord.gg/?v=10&encoding=json&compress=zlib-stream")
///     }
///     other => panic!("unexpected {other:?}"),
/// }
/// ```
#[derive(Debug)]
pub struct ShardMachine {
    id: ShardId,
    config: Config,
    rng: fastrand::Rng,
    state: State,
    session: Option<Session>,
    timers: Timers,
    heartbeater: Option<Heartbeater>,
    limiter: CommandRatelimiter,
    queue: VecDeque<String>,
    outputs: VecDeque<Output>,
    inflater: Option<Decompressor>,
    /// Connection attempts since the last healthy connection.
    attempts: u32,
    /// Consecutive connects to the resume URL that failed before a socket opened.
    resume_connect_failures: u32,
    /// Dispatches received since Resume was sent.
    replayed: u64,
    /// Sequence of the last dispatch on a new session before a `Session` exists.
    pending_seq: Option<u64>,
    /// Why the machine closed, once it has.
    closed: Option<Closed>,
    last_timer: Option<Timer>,
    latest_now: Option<Instant>,
    stats: Statistics,
}

impl ShardMachine {
    /// A machine for shard `id`; it starts by asking to connect (to the saved session's
    /// resume URL when the config carries one).
    pub fn new(id: ShardId, config: Config) -> Self {
        let seed = config.rng_seed ^ u64::from(id.number()).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        let inflater = Decompressor::for_compression(config.compression, config.max_message_size);
        let limiter = CommandRatelimiter::new(config.ratelimit_window);
        let mut machine = Self {
            id,
            session: config.session.clone(),
            config,
            rng: fastrand::Rng::with_seed(seed),
            state: State::BackingOff,
            timers: Timers::default(),
            heartbeater: None,
            limiter,
            queue: VecDeque::new(),
            outputs: VecDeque::new(),
            inflater,
            attempts: 0,
            resume_connect_failures: 0,
            replayed: 0,
            pending_seq: None,
            closed: None,
            last_timer: None,
            latest_now: None,
            stats: Statistics::default(),
        };
        machine.connect();
        machine
    }

    // ----- accessors -----

    /// This shard's id.
    pub fn id(&self) -> ShardId {
        self.id
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The current state.
    pub fn state(&self) -> State {
        self.state
    }

    /// The session, if one is held (save it to resume after a restart).
    pub fn session(&self) -> Option<&Session> {
        self.session.as_ref()
    }

    /// Heartbeat latency of the current connection.
    pub fn latency(&self) -> Option<&Latency> {
        self.heartbeater.as_ref().map(|h| &h.latency)
    }

    /// The heartbeat interval of the current connection.
    pub fn heartbeat_interval(&self) -> Option<Duration> {
        self.heartbeater.as_ref().map(Heartbeater::interval)
    }

    /// Counters.
    pub fn stats(&self) -> &Statistics {
        &self.stats
    }

    /// The command limiter as seen at `now`.
    pub fn ratelimiter(&mut self, now: Instant) -> RatelimiterState {
        self.limiter.state(now)
    }

    /// Commands waiting for the session or a rate-limit slot.
    pub fn queued_commands(&self) -> usize {
        self.queue.len()
    }

    /// Why the machine closed, once it has (sticky).
    pub fn close_reason(&self) -> Option<&Closed> {
        self.closed.as_ref()
    }

    /// Heap bytes this machine holds in buffers (inflate state, queues).
    pub fn heap_bytes(&self) -> usize {
        let queue: usize = self.queue.iter().map(String::capacity).sum();
        self.inflater.as_ref().map_or(0, Decompressor::heap_bytes)
            + self.limiter.heap_bytes()
            + queue
            + self.queue.capacity() * std::mem::size_of::<String>()
            + self.outputs.capacity() * std::mem::size_of::<Output>()
    }

    // ----- outputs -----

    /// The next thing to do or deliver.
    pub fn poll_output(&mut self) -> Option<Output> {
        let output = self.outputs.pop_front();
        if output.is_none() && self.outputs.capacity() > 64 {
            // A caller that drained late is done: give the burst's memory back.
            self.outputs.shrink_to(16);
        }
        output
    }

    /// When to call [`handle_timeout`](Self::handle_timeout) next.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.timers.next().map(|(at, _)| at)
    }

    /// The next deadline and why it exists.
    pub fn next_timeout(&self) -> Option<(Instant, Timer)> {
        self.timers.next()
    }

    /// The timer that fired last.
    pub fn last_timer(&self) -> Option<Timer> {
        self.last_timer
    }

    // ----- inputs -----

    /// The socket requested by [`Output::Connect`] is open.
    pub fn handle_open(&mut self, now: Instant) {
        let now = self.observe(now);
        if self.state != State::Connecting {
            return;
        }
        self.state = State::AwaitingHello;
        log!(info, resuming = self.session.is_some(), "connected");
        self.resume_connect_failures = 0;
        self.limiter = CommandRatelimiter::new(self.config.ratelimit_window);
        if let Some(inflater) = &mut self.inflater {
            inflater.reset();
        }
        self.timers
            .set(Timer::Hello, now + self.config.hello_timeout);
    }

    /// A websocket message arrived on the current socket.
    pub fn handle_message(&mut self, now: Instant, message: Message<'_>) {
        let now = self.observe(now);
        if !self.state.has_socket() {
            return;
        }
        self.stats.messages_received += 1;
        match message {
            Message::Text(text) => {
                self.stats.bytes_received += text.len() as u64;
                self.on_payload(now, text);
            }
            Message::Binary(bytes) => {
                self.stats.bytes_received += bytes.len() as u64;
                self.on_binary(now, bytes);
            }
        }
    }

    /// The socket ended: `frame` is the gateway's close frame, `None` when the socket
    /// dropped without one or could not be opened.
    pub fn handle_close(&mut self, now: Instant, frame: Option<CloseFrame>) {
        let now = self.observe(now);
        if !(self.state.has_socket() || self.state == State::Connecting) {
            return;
        }
        let code = frame.as_ref().map(|frame| frame.code);
        let action = code.map_or(CloseAction::Resume, close_code::action_for);
        let cause = if self.state == State::Connecting && code.is_none() {
            CloseCause::ConnectFailed
        } else {
            CloseCause::Gateway
        };
        match action {
            CloseAction::Fatal => {
                log!(error, code = ?code, "the gateway closed the shard for good");
                self.timers.clear();
                self.heartbeater = None;
                self.state = State::Closed;
                self.stats.fatal_closes += 1;
                self.stats.connected_since = None;
                let closed = Closed {
                    code,
                    initiator: Initiator::Remote,
                    cause,
                    next: Next::Stop,
                };
                self.closed = Some(closed.clone());
                self.emit(Event::Closed(closed));
            }
            CloseAction::NewSession => {
                self.drop_session();
                self.disconnected(now, code, Initiator::Remote, cause, None);
            }
            CloseAction::Resume => self.disconnected(now, code, Initiator::Remote, cause, None),
        }
    }

    /// A deadline from [`poll_timeout`](Self::poll_timeout) passed. Early or repeated
    /// calls do nothing; a `now` older than one seen before is treated as that one.
    pub fn handle_timeout(&mut self, now: Instant) {
        let now = self.observe(now);
        if self.timers.take_expired(Timer::Hello, now) {
            self.last_timer = Some(Timer::Hello);
            self.fail_connection(now, CloseCause::HelloTimeout);
        }
        if self.timers.take_expired(Timer::Reconnect, now) {
            self.last_timer = Some(Timer::Reconnect);
            self.connect();
        }
        if self.timers.take_expired(Timer::Heartbeat, now) {
            self.last_timer = Some(Timer::Heartbeat);
            self.on_heartbeat_due(now);
        }
        if self.timers.take_expired(Timer::Send, now) {
            self.last_timer = Some(Timer::Send);
            self.flush_queue(now);
        }
    }

    /// The identify queue granted a permit: Identify goes out if the machine still
    /// waits for one (a stale permit is ignored).
    pub fn handle_identify_permit(&mut self, now: Instant) {
        let now = self.observe(now);
        if self.state != State::AwaitingPermit {
            return;
        }
        let shard = [self.id.number(), self.id.total()];
        // `large_threshold` is checked to be 50..=250 when the config is built.
        let large_threshold = u8::try_from(self.config.large_threshold).unwrap_or(250);
        let identify = Identify {
            token: self.config.token.expose(),
            properties: &self.config.properties,
            compress: false,
            large_threshold,
            shard,
            presence: self.config.presence.as_ref(),
            intents: self.config.intents,
        };
        match command::to_frame(&identify) {
            Ok(frame) => {
                log!(debug, intents = self.config.intents.bits(), "identify sent");
                self.send_frame(now, frame);
                self.stats.identifies += 1;
                self.pending_seq = None;
                self.state = State::Identifying;
            }
            Err(_) => {
                // Only an oversized presence can make Identify too large: a config error
                // the gateway would answer with 4002 on every attempt.
                self.stop_locally(CloseCause::BadInput(ReceiveError::TooLarge {
                    size: command::MAX_PAYLOAD_BYTES + 1,
                }));
            }
        }
    }

    /// Queues a command; it goes out once the session is active and the rate limiter
    /// has a slot. Refused at once when invalid, too large, the queue is full, or the
    /// machine is closed.
    pub fn send_command<C: Command>(&mut self, now: Instant, command: &C) -> Result<(), SendError> {
        let frame = user_frame(command)?;
        self.enqueue(now, frame)
    }

    /// Queues a raw payload (`{"op":…,"d":…}`), checked for size and shape.
    pub fn send_raw(&mut self, now: Instant, payload: String) -> Result<(), SendError> {
        check_user_payload(&payload)?;
        self.enqueue(now, payload)
    }

    /// Closes the shard for good. With 1000/1001 the session ends; with any other code
    /// it stays resumable and [`session`](Self::session) can be saved.
    pub fn close(&mut self, now: Instant, frame: CloseFrame) {
        self.observe(now);
        if self.state == State::Closed {
            return;
        }
        let code = frame.code;
        log!(info, code, "closed by the user");
        if self.state.has_socket() {
            self.outputs.push_back(Output::Close(frame.clone()));
        }
        if frame.ends_session() {
            self.drop_session();
        }
        self.stop_locally_with(Some(code), CloseCause::User);
    }

    // ----- inbound -----

    fn on_binary(&mut self, now: Instant, bytes: &[u8]) {
        let Some(mut inflater) = self.inflater.take() else {
            // Without transport compression a binary frame can only be JSON text.
            match std::str::from_utf8(bytes) {
                Ok(text) => self.on_payload(now, text),
                Err(_) => self.bad_input(now, ReceiveError::NotUtf8),
            }
            return;
        };
        match inflater.push(bytes) {
            Ok(None) => {}
            Ok(Some(inflated)) => match std::str::from_utf8(inflated) {
                Ok(text) => self.on_payload(now, text),
                Err(_) => self.bad_input(now, ReceiveError::NotUtf8),
            },
            Err(error) => self.bad_input(now, error),
        }
        // A reconnect during `on_payload` reset nothing here: the context is reset when
        // the next socket opens.
        self.inflater = Some(inflater);
    }

    fn on_payload(&mut self, now: Instant, text: &str) {
        self.stats.payloads_received += 1;
        self.stats.bytes_inflated += text.len() as u64;
        if text.len() > self.config.max_message_size {
            self.bad_input(now, ReceiveError::TooLarge { size: text.len() });
            return;
        }
        let envelope = match envelope::scan(text) {
            Ok(envelope) => envelope,
            Err(error) => return self.bad_input(now, ReceiveError::Envelope(error)),
        };
        match OpCode::from_code(envelope.op) {
            Some(OpCode::Dispatch) => self.on_dispatch(now, text, envelope),
            Some(OpCode::Heartbeat) => self.send_heartbeat(now, false),
            Some(OpCode::Reconnect) => self.on_reconnect(now, text, &envelope),
            Some(OpCode::InvalidSession) => self.on_invalid_session(now, text, &envelope),
            Some(OpCode::Hello) => self.on_hello(now, text, &envelope),
            Some(OpCode::HeartbeatAck) => self.on_heartbeat_ack(now, text, &envelope),
            _ => {
                log!(debug, op = envelope.op, "unexpected opcode");
                self.stats.errors += 1;
                self.emit(Event::Error(ReceiveError::UnexpectedOpcode(envelope.op)));
            }
        }
    }

    fn on_hello(&mut self, now: Instant, text: &str, envelope: &Envelope<'_>) {
        if self.state != State::AwaitingHello {
            return;
        }
        #[derive(serde::Deserialize)]
        struct HelloData {
            heartbeat_interval: u64,
        }
        let data = data_of(text, envelope);
        let interval = match serde_json::from_str::<HelloData>(data) {
            Ok(hello) if hello.heartbeat_interval > 0 => {
                Duration::from_millis(hello.heartbeat_interval)
            }
            _ => return self.bad_input(now, ReceiveError::InvalidHello),
        };
        self.timers.stop(Timer::Hello);
        log!(debug, interval = ?interval, "hello");
        let heartbeater = Heartbeater::new(interval, self.rng.f64(), now);
        self.timers.set(Timer::Heartbeat, heartbeater.next_due());
        self.heartbeater = Some(heartbeater);
        self.limiter.set_interval(interval);
        let payload = Payload::new(text.to_owned(), envelope.data.clone());
        self.emit(Event::Hello(Hello {
            heartbeat_interval: interval,
            payload,
        }));
        match &self.session {
            Some(session) => {
                let resume = Resume {
                    token: self.config.token.expose(),
                    session_id: &session.id,
                    seq: session.sequence,
                };
                // A session id from READY is at most a few dozen bytes: Resume fits.
                if let Ok(frame) = command::to_frame(&resume) {
                    log!(debug, session = %session.id, seq = session.sequence, "resume sent");
                    self.send_frame(now, frame);
                    self.stats.resumes += 1;
                    self.replayed = 0;
                    self.state = State::Resuming;
                } else {
                    self.drop_session();
                    self.await_permit();
                }
            }
            None => self.await_permit(),
        }
    }

    fn await_permit(&mut self) {
        log!(debug, "waiting for an identify permit");
        self.state = State::AwaitingPermit;
        self.outputs.push_back(Output::RequestIdentify);
    }

    fn on_dispatch(&mut self, now: Instant, text: &str, envelope: Envelope<'_>) {
        let Some(name) = envelope.event_type.as_deref() else {
            self.stats.errors += 1;
            self.emit(Event::Error(ReceiveError::InvalidDispatch));
            return;
        };
        let event_type = EventType::from_name(name);
        self.stats.dispatches += 1;
        self.stats.dispatches_by_type.record(&event_type);
        let last = self
            .session
            .as_ref()
            .map(|s| s.sequence)
            .or(self.pending_seq);
        let seq = match (envelope.seq, &event_type) {
            (Some(seq), _) => seq,
            // RESUMED carries no documented fields; tolerate a null `s` on it.
            (None, EventType::Resumed) => last.unwrap_or(0),
            (None, _) => {
                self.stats.errors += 1;
                self.emit(Event::Error(ReceiveError::InvalidDispatch));
                return;
            }
        };
        let payload = || Payload::new(text.to_owned(), envelope.data.clone());
        match event_type {
            EventType::Ready => return self.on_ready(now, seq, payload()),
            EventType::Resumed => {
                // A RESUMED `s` may move the sequence forward, never back: going back
                // would deliver the dispatches after it a second time.
                if envelope.seq.is_some() && last.is_none_or(|last| seq > last) {
                    self.set_sequence(seq);
                }
                if self.state == State::Resuming {
                    log!(info, replayed = self.replayed, "resumed");
                    self.healthy(now);
                    self.stats.resumed += 1;
                    let dispatch = Dispatch {
                        event_type,
                        seq,
                        payload: payload(),
                    };
                    let replayed = self.replayed;
                    self.emit(Event::Resumed(Resumed { replayed, dispatch }));
                    self.flush_queue(now);
                }
                return;
            }
            _ => {}
        }
        // protocol.md §2: keep the last non-null `s`, also for dispatches the caller
        // filtered out. Whatever the gateway replays, a sequence is delivered once.
        if let Some(last) = last {
            if seq <= last {
                log!(debug, t = name, s = seq, last, "duplicate dispatch dropped");
                self.stats.duplicates_dropped += 1;
                return;
            }
            if seq > last + 1 {
                log!(debug, t = name, s = seq, last, "sequence gap");
                self.stats.sequence_gaps += 1;
            }
        }
        self.set_sequence(seq);
        if self.state == State::Resuming {
            self.replayed += 1;
        }
        let delivered = self.config.event_types.intersects(event_type.flag());
        log!(trace, t = name, s = seq, delivered, "dispatch");
        if !delivered {
            self.stats.dispatches_filtered += 1;
            return;
        }
        self.emit(Event::Dispatch(Dispatch {
            event_type,
            seq,
            payload: payload(),
        }));
    }

    fn set_sequence(&mut self, seq: u64) {
        match &mut self.session {
            Some(session) => session.sequence = seq,
            None => self.pending_seq = Some(seq),
        }
    }

    fn on_ready(&mut self, now: Instant, seq: u64, payload: Payload) {
        if self.state != State::Identifying {
            return;
        }
        let fields = match serde_json::from_str::<ReadyFields<'_>>(payload.data()) {
            Ok(fields) => fields,
            Err(error) => {
                let error = ReceiveError::InvalidReady(error.to_string());
                return self.bad_input(now, error);
            }
        };
        let session = Session::new(
            fields.session_id.as_ref(),
            seq,
            fields.resume_gateway_url.as_ref(),
        );
        let (user_id, shard) = (fields.user.id, fields.shard);
        let guild_ids = fields.guilds.into_iter().map(|guild| guild.id).collect();
        let ready = Ready {
            session_id: session.id.clone(),
            resume_url: session.resume_url.clone(),
            user_id,
            guild_ids,
            shard,
            dispatch: Dispatch {
                event_type: EventType::Ready,
                seq,
                payload,
            },
        };
        log!(info, session = %session.id, guilds = ready.guild_ids.len(), "ready");
        self.session = Some(session);
        self.pending_seq = None;
        self.healthy(now);
        self.emit(Event::Ready(Box::new(ready)));
        self.flush_queue(now);
    }

    fn on_heartbeat_ack(&mut self, now: Instant, text: &str, envelope: &Envelope<'_>) {
        let Some(heartbeater) = &mut self.heartbeater else {
            return;
        };
        let latency = heartbeater.on_ack(now);
        if latency.is_some() {
            self.stats.heartbeat_acks += 1;
        }
        log!(trace, latency = ?latency, "heartbeat ack");
        let payload = Payload::new(text.to_owned(), envelope.data.clone());
        self.emit(Event::HeartbeatAck(HeartbeatAck { latency, payload }));
    }

    fn on_reconnect(&mut self, now: Instant, text: &str, envelope: &Envelope<'_>) {
        log!(debug, "reconnect requested (op 7)");
        let payload = Payload::new(text.to_owned(), envelope.data.clone());
        self.emit(Event::Reconnect(Reconnect { payload }));
        self.close_and_reconnect(now, CloseCause::Reconnect, None);
    }

    fn on_invalid_session(&mut self, now: Instant, text: &str, envelope: &Envelope<'_>) {
        self.stats.invalid_sessions += 1;
        let resumable = data_of(text, envelope).trim() == "true";
        log!(debug, resumable, "invalid session (op 9)");
        let payload = Payload::new(text.to_owned(), envelope.data.clone());
        self.emit(Event::InvalidSession(InvalidSession { resumable, payload }));
        let cause = CloseCause::InvalidSession { resumable };
        if resumable && self.session.is_some() {
            self.close_and_reconnect(now, cause, None);
        } else {
            // protocol.md §5.3: the session is gone; wait a random 1–5 s, then identify
            // on the discovery URL.
            self.drop_session();
            let wait = Duration::from_millis(1000 + self.rng.u64(0..=4000));
            self.close_and_reconnect(now, cause, Some(wait));
        }
    }

    fn bad_input(&mut self, now: Instant, error: ReceiveError) {
        log!(warn, %error, "bad data from the gateway");
        self.stats.errors += 1;
        self.emit(Event::Error(error.clone()));
        // READY that cannot be read leaves no session to resume; anything else keeps it.
        self.fail_connection(now, CloseCause::BadInput(error));
    }

    // ----- timers -----

    fn on_heartbeat_due(&mut self, now: Instant) {
        let Some(heartbeater) = &self.heartbeater else {
            return;
        };
        match heartbeater.on_due(now) {
            Beat::Zombie => self.fail_connection(now, CloseCause::Zombie),
            Beat::Send => {
                if self.config.ratelimit && !self.limiter.can_send_heartbeat(now) {
                    // Only reachable when the server asks for many heartbeats: wait for
                    // the first free frame rather than exceed 120 per 60 s.
                    let at = self.limiter.next_frame_slot(now);
                    self.timers.set(Timer::Heartbeat, at);
                    return;
                }
                self.send_heartbeat(now, true);
            }
        }
    }

    fn send_heartbeat(&mut self, now: Instant, scheduled: bool) {
        if self.heartbeater.is_none() {
            return;
        }
        if !scheduled && self.config.ratelimit && !self.limiter.can_send_heartbeat(now) {
            // A server request we cannot honour without exceeding the limit: the
            // scheduled heartbeat covers it.
            return;
        }
        let seq = self
            .session
            .as_ref()
            .map(|s| s.sequence)
            .or(self.pending_seq);
        // A heartbeat is `{"op":1,"d":<u64 or null>}`: always well under 4096 bytes.
        if let Ok(frame) = command::to_frame(&Heartbeat(seq)) {
            log!(trace, seq = ?seq, scheduled, "heartbeat sent");
            self.send_frame(now, frame);
            self.stats.heartbeats_sent += 1;
        }
        if let Some(heartbeater) = &mut self.heartbeater {
            heartbeater.on_sent(now, scheduled);
            self.timers.set(Timer::Heartbeat, heartbeater.next_due());
        }
    }

    // ----- outbound -----

    fn enqueue(&mut self, now: Instant, frame: String) -> Result<(), SendError> {
        let now = self.observe(now);
        if self.state == State::Closed {
            return Err(SendError::Closed);
        }
        if self.queue.len() >= self.config.queue_capacity {
            return Err(SendError::QueueFull {
                capacity: self.config.queue_capacity,
            });
        }
        self.queue.push_back(frame);
        self.flush_queue(now);
        Ok(())
    }

    fn flush_queue(&mut self, now: Instant) {
        if self.state != State::Active {
            self.timers.stop(Timer::Send);
            return;
        }
        while !self.queue.is_empty() {
            if self.config.ratelimit && !self.limiter.can_send_command(now) {
                let at = self.limiter.next_command_slot(now);
                log!(debug, queued = self.queue.len(), wait = ?(at - now), "commands wait for the rate limiter");
                self.timers.set(Timer::Send, at);
                return;
            }
            if let Some(frame) = self.queue.pop_front() {
                self.send_frame(now, frame);
                self.stats.commands_sent += 1;
            }
        }
        self.timers.stop(Timer::Send);
        if self.queue.capacity() > 64 {
            // A burst is over: give its memory back.
            self.queue.shrink_to(16);
        }
    }

    fn send_frame(&mut self, now: Instant, frame: String) {
        self.limiter.record(now);
        self.stats.frames_sent += 1;
        self.outputs.push_back(Output::Send(frame));
    }

    fn emit(&mut self, event: Event) {
        self.outputs.push_back(Output::Event(event));
    }

    // ----- connection lifecycle -----

    fn connect(&mut self) {
        let base = match &self.session {
            Some(session) => session.resume_url.as_str(),
            None => self.config.gateway_url.as_str(),
        };
        let url = connect_url(base, self.config.compression);
        self.state = State::Connecting;
        self.outputs.push_back(Output::Connect(url));
    }

    fn healthy(&mut self, now: Instant) {
        self.state = State::Active;
        self.attempts = 0;
        self.stats.connected_since = Some(now);
    }

    fn drop_session(&mut self) {
        self.session = None;
        self.pending_seq = None;
        self.resume_connect_failures = 0;
    }

    /// Closes the socket with the resumable code and reconnects (after `wait`, or the
    /// backoff if longer).
    fn close_and_reconnect(&mut self, now: Instant, cause: CloseCause, wait: Option<Duration>) {
        if self.state.has_socket() {
            self.outputs.push_back(Output::Close(CloseFrame::RESUME));
        }
        self.disconnected(now, Some(RESUME_CLOSE_CODE), Initiator::Local, cause, wait);
    }

    fn fail_connection(&mut self, now: Instant, cause: CloseCause) {
        if self.state == State::Identifying && matches!(cause, CloseCause::BadInput(_)) {
            // A new session whose READY is unreadable cannot be resumed.
            self.drop_session();
        }
        self.close_and_reconnect(now, cause, None);
    }

    /// The connection is gone; schedule the next one.
    fn disconnected(
        &mut self,
        now: Instant,
        code: Option<u16>,
        initiator: Initiator,
        cause: CloseCause,
        wait: Option<Duration>,
    ) {
        self.timers.clear();
        self.heartbeater = None;
        self.stats.reconnects += 1;
        self.stats.reconnects_by_cause.record(&cause);
        self.stats.connected_since = None;
        self.attempts = self.attempts.saturating_add(1);
        if cause == CloseCause::ConnectFailed && self.session.is_some() {
            self.resume_connect_failures += 1;
            if self.resume_connect_failures >= MAX_RESUME_CONNECT_FAILURES {
                log!(
                    info,
                    failures = self.resume_connect_failures,
                    "giving the session up: its resume URL does not answer"
                );
                self.drop_session();
            }
        }
        let next = if self.session.is_some() {
            Next::Resume
        } else {
            Next::Identify
        };
        let delay = backoff::delay(self.attempts, self.rng.f64()).max(wait.unwrap_or_default());
        log!(info, cause = ?cause, code = ?code, initiator = ?initiator, next = ?next, delay = ?delay, "reconnecting");
        self.emit(Event::Closed(Closed {
            code,
            initiator,
            cause,
            next,
        }));
        if delay.is_zero() {
            self.connect();
        } else {
            self.state = State::BackingOff;
            self.timers.set(Timer::Reconnect, now + delay);
        }
    }

    fn stop_locally(&mut self, cause: CloseCause) {
        log!(error, cause = ?cause, "stopping the shard for good");
        self.stats.fatal_closes += 1;
        if self.state.has_socket() {
            self.outputs.push_back(Output::Close(CloseFrame::RESUME));
        }
        self.stop_locally_with(Some(RESUME_CLOSE_CODE), cause);
    }

    fn stop_locally_with(&mut self, code: Option<u16>, cause: CloseCause) {
        self.timers.clear();
        self.heartbeater = None;
        self.state = State::Closed;
        self.stats.connected_since = None;
        let closed = Closed {
            code,
            initiator: Initiator::Local,
            cause,
            next: Next::Stop,
        };
        self.closed = Some(closed.clone());
        self.emit(Event::Closed(closed));
    }

    /// Clamps `now` so time never runs backwards inside the machine.
    fn observe(&mut self, now: Instant) -> Instant {
        let now = match self.latest_now {
            Some(latest) if latest > now => latest,
            _ => now,
        };
        self.latest_now = Some(now);
        now
    }
}

/// Serializes a user command exactly as [`ShardMachine::send_command`] checks it: valid, at
/// most 4096 bytes, and not one of the opcodes the machine sends itself (Heartbeat, Identify,
/// Resume). Adapters call it on the caller's thread so a bad command is refused at once.
///
/// # Errors
///
/// [`SendError::ReservedOpcode`] or the command's [`SendError::Command`] error.
pub fn user_frame<C: Command>(command: &C) -> Result<String, SendError> {
    if is_reserved(u64::from(C::OPCODE.code())) {
        return Err(SendError::ReservedOpcode(u64::from(C::OPCODE.code())));
    }
    Ok(command::to_frame(command)?)
}

/// Checks a raw payload exactly as [`ShardMachine::send_raw`] does: at most 4096 bytes, a
/// gateway envelope, and not an opcode the machine sends itself.
///
/// # Errors
///
/// [`SendError::TooLarge`], [`SendError::InvalidPayload`] or [`SendError::ReservedOpcode`].
pub fn check_user_payload(payload: &str) -> Result<(), SendError> {
    if payload.len() > command::MAX_PAYLOAD_BYTES {
        return Err(SendError::TooLarge {
            size: payload.len(),
        });
    }
    let op = envelope::scan(payload)
        .map_err(|_| SendError::InvalidPayload)?
        .op;
    if is_reserved(op) {
        return Err(SendError::ReservedOpcode(op));
    }
    Ok(())
}

/// Heartbeat, Identify and Resume belong to the machine (protocol.md §3–§5).
fn is_reserved(op: u64) -> bool {
    matches!(
        OpCode::from_code(op),
        Some(OpCode::Heartbeat | OpCode::Identify | OpCode::Resume)
    )
}

/// The transport decompression context of the current connection (protocol.md §9.2).
#[derive(Debug)]
enum Decompressor {
    Zlib(ZlibStream),
    #[cfg(feature = "zstd")]
    Zstd(ZstdStream),
}

impl Decompressor {
    fn for_compression(compression: Compression, max_message_size: usize) -> Option<Self> {
        match compression {
            Compression::None => None,
            Compression::ZlibStream => Some(Self::Zlib(ZlibStream::new(max_message_size))),
            #[cfg(feature = "zstd")]
            Compression::ZstdStream => Some(Self::Zstd(ZstdStream::new(max_message_size))),
        }
    }

    /// One binary frame in; a complete message out once there is one.
    fn push(&mut self, frame: &[u8]) -> Result<Option<&[u8]>, ReceiveError> {
        match self {
            Self::Zlib(stream) => stream.push(frame).map_err(ReceiveError::Inflate),
            #[cfg(feature = "zstd")]
            Self::Zstd(stream) => stream.push(frame).map_err(ReceiveError::Zstd),
        }
    }

    /// A fresh context for a new connection.
    fn reset(&mut self) {
        match self {
            Self::Zlib(stream) => stream.reset(),
            #[cfg(feature = "zstd")]
            Self::Zstd(stream) => stream.reset(),
        }
    }

    fn heap_bytes(&self) -> usize {
        match self {
            Self::Zlib(stream) => stream.heap_bytes(),
            #[cfg(feature = "zstd")]
            Self::Zstd(stream) => stream.heap_bytes(),
        }
    }
}

/// The raw JSON of `d` (`null` when absent).
fn data_of<'a>(text: &'a str, envelope: &Envelope<'_>) -> &'a str {
    envelope
        .data
        .as_ref()
        .and_then(|range| text.get(range.clone()))
        .unwrap_or("null")
}
