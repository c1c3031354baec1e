//! The user side of a shard: [`Shard`] (events, status, close), [`MessageSender`] (commands
//! from anywhere) and [`ShardBuilder`] (the adapter's own settings on top of gateway-proto's
//! [`Config`]).
//!
//! A shard is a handle on a task that runs the protocol (see `driver.rs`). The task is spawned
//! on the first poll, so building a shard needs no runtime. [`Shard`] and [`ShardBuilder`]
//! name their [`Runtime`] as a type parameter; adapters fix it with type aliases. Events arrive through a bounded
//! channel, which makes every read cancel-safe: an event is either still in the channel or
//! returned, never lost in a dropped future.

use crate::{
    driver::{Driver, Item},
    error::{Error, ErrorKind},
    net::{self, Connector},
    queue::{default_queue, Queue},
    runtime::Runtime,
};
use async_tungstenite::tungstenite::protocol::WebSocketConfig;
use futures_util::Stream;
use gateway_proto::{
    check_user_payload, heartbeat::Latency, ratelimit::RatelimiterState, telemetry::Telemetry,
    user_frame, CloseFrame, Closed, Command, Config, Event, EventTypeFlags, Intents, SendError,
    Session, ShardId, ShardMachine, State, Statistics,
};
use rustls::ClientConfig;
use std::{
    fmt,
    marker::PhantomData,
    pin::Pin,
    sync::{Arc, Mutex, PoisonError},
    task::{Context, Poll},
    time::{Duration, Instant},
};
use tokio::sync::{mpsc, watch};
use tracing::Instrument;

/// Default capacity of the event channel between the shard's task and its reader.
pub const DEFAULT_EVENT_CAPACITY: usize = 64;

/// Default limit on opening one connection (TCP, TLS and websocket handshake).
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A raw gateway message, as [`Shard::next_message`] yields it.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Message {
    /// A connection ended (the machine's close event; it says what happens next).
    Close(Closed),
    /// One gateway payload as received (after decompression).
    Text(String),
}

/// A shard's settings: gateway-proto's [`Config`] plus what only the adapter needs (identify
/// queue, TLS, timeouts, buffer sizes). Clones share the identify queue. `R` is the runtime
/// the shards it builds run on.
#[must_use]
pub struct ShardBuilder<R> {
    config: Config,
    queue: Arc<dyn Queue>,
    tls: Option<Arc<ClientConfig>>,
    connect_timeout: Duration,
    event_capacity: usize,
    websocket: Option<WebSocketConfig>,
    runtime: PhantomData<fn() -> R>,
}

impl<R> Clone for ShardBuilder<R> {
    /// The same settings; the clone shares the identify queue.
    fn clone(&self) -> Self {
        Self {
            config: self.config.clone(),
            queue: self.queue.clone(),
            tls: self.tls.clone(),
            connect_timeout: self.connect_timeout,
            event_capacity: self.event_capacity,
            websocket: self.websocket,
            runtime: PhantomData,
        }
    }
}

impl<R: Runtime> fmt::Debug for ShardBuilder<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ShardBuilder")
            .field("config", &self.config)
            .field("queue", &self.queue)
            .field("tls", &self.tls)
            .field("connect_timeout", &self.connect_timeout)
            .field("event_capacity", &self.event_capacity)
            .field("websocket", &self.websocket)
            .finish_non_exhaustive()
    }
}

impl<R: Runtime> ShardBuilder<R> {
    /// Settings around `config`, with the process-wide identify queue of runtime `R`.
    pub fn new(config: Config) -> Self {
        Self {
            config,
            queue: default_queue::<R>(),
            tls: None,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            event_capacity: DEFAULT_EVENT_CAPACITY,
            websocket: None,
            runtime: PhantomData,
        }
    }

    /// The identify queue (share one between all shards of a bot).
    pub fn queue(mut self, queue: Arc<dyn Queue>) -> Self {
        self.queue = queue;
        self
    }

    /// The TLS configuration for `wss://`; by default `ring` with the roots the crate
    /// features select ([`default_tls_config`](crate::default_tls_config)).
    pub fn tls_config(mut self, config: Arc<ClientConfig>) -> Self {
        self.tls = Some(config);
        self
    }

    /// Limit on opening one connection; a slower attempt fails and is retried.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Events buffered for the reader (at least 1). When full, the shard stops reading the
    /// socket until there is room; heartbeats go on.
    pub fn event_capacity(mut self, capacity: usize) -> Self {
        self.event_capacity = capacity.max(1);
        self
    }

    /// tungstenite's settings. Its message and frame caps are replaced by the config's
    /// `max_message_size`, so there is one inbound limit.
    pub fn websocket_config(mut self, config: WebSocketConfig) -> Self {
        self.websocket = Some(config);
        self
    }

    /// The protocol configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// A shard with these settings. Needs no runtime until it is first polled.
    pub fn build(&self, id: ShardId) -> Shard<R> {
        let max_message_size = self.config.max_message_size();
        let websocket = match self.websocket {
            Some(config) => config
                .max_message_size(Some(max_message_size))
                .max_frame_size(Some(max_message_size)),
            None => net::websocket_config(max_message_size),
        };
        let mut machine = ShardMachine::new(id, self.config.clone());
        let status = Arc::new(Mutex::new(Status::new(&mut machine, R::now())));
        let (events_tx, events) = mpsc::channel(self.event_capacity);
        let (commands_tx, commands) = mpsc::channel(self.config.queue_capacity());
        let (close_tx, close) = watch::channel(None);
        let (stopped_tx, stopped) = watch::channel(false);
        let driver = Driver {
            machine,
            queue: self.queue.clone(),
            connector: Connector {
                tls: self.tls.clone(),
                websocket,
                timeout: self.connect_timeout,
            },
            events: events_tx,
            commands,
            close,
            status: status.clone(),
            stopped: stopped_tx,
            telemetry: Telemetry::new(id),
            runtime: PhantomData,
        };
        Shard {
            id,
            driver: Some(driver),
            events,
            sender: MessageSender {
                commands: commands_tx,
                close: Arc::new(close_tx),
                capacity: self.config.queue_capacity(),
            },
            status,
            stopped,
        }
    }
}

/// What the accessors read: the machine's status after the task's last step.
#[derive(Debug)]
pub(crate) struct Status {
    state: State,
    session: Option<Session>,
    latency: Option<Latency>,
    statistics: Statistics,
    ratelimiter: RatelimiterState,
}

impl Status {
    fn new(machine: &mut ShardMachine, now: Instant) -> Self {
        Self {
            state: machine.state(),
            session: machine.session().cloned(),
            latency: None,
            statistics: machine.stats().clone(),
            ratelimiter: machine.ratelimiter(now),
        }
    }

    /// Copies the machine's status, reusing the session's strings when they did not change.
    pub(crate) fn update(&mut self, machine: &mut ShardMachine, now: Instant) {
        self.state = machine.state();
        match (&mut self.session, machine.session()) {
            (Some(ours), Some(theirs)) => {
                if ours.id != theirs.id || ours.resume_url != theirs.resume_url {
                    ours.clone_from(theirs);
                }
                ours.sequence = theirs.sequence;
            }
            (ours, theirs) => *ours = theirs.cloned(),
        }
        self.latency = machine.latency().cloned();
        self.statistics.clone_from(machine.stats());
        self.ratelimiter = machine.ratelimiter(now);
    }
}

/// One gateway session: connects, identifies or resumes, heartbeats, reconnects, and yields
/// events until a fatal close or [`close`](Self::close). Its task runs on runtime `R`;
/// adapters name the type with `R` fixed (`gateway_tokio::Shard`).
///
/// Method kinds:
/// - reading: [`next_event`](Self::next_event), [`next_message`](Self::next_message) and
///   [`Stream`], all cancel-safe; they start the shard's task on first use;
/// - sending: [`sender`](Self::sender), [`command`](Self::command), [`send`](Self::send);
/// - ending: [`close`](Self::close), which returns the session to save;
/// - status, as of the task's last step: [`state`](Self::state), [`latency`](Self::latency),
///   [`ratelimiter`](Self::ratelimiter), [`session`](Self::session),
///   [`statistics`](Self::statistics), [`id`](Self::id).
///
/// Errors come as `Err` items: non-fatal ones (connect failed, bad data) are followed by the
/// shard's own recovery; a fatal one ([`Error::is_fatal`]) is the last item before `None`.
///
/// ```no_run
/// use gateway_driver::{EventTypeFlags, Intents, Runtime, Shard, ShardId};
///
/// async fn run<R: Runtime>() {
///     let mut shard = Shard::<R>::new(ShardId::ONE, "token", Intents::GUILD_MESSAGES);
///     while let Some(item) = shard.next_event(EventTypeFlags::all()).await {
///         match item {
///             Ok(event) => println!("{:?}", event.kind()),
///             Err(error) if error.is_fatal() => break,
///             Err(error) => eprintln!("{error}"),
///         }
///     }
/// }
/// ```
#[derive(Debug)]
pub struct Shard<R> {
    id: ShardId,
    /// The task, until it is spawned.
    driver: Option<Driver<R>>,
    events: mpsc::Receiver<Item>,
    sender: MessageSender,
    status: Arc<Mutex<Status>>,
    stopped: watch::Receiver<bool>,
}

impl<R: Runtime> Shard<R> {
    /// A shard connecting to Discord with default settings.
    pub fn new(id: ShardId, token: &str, intents: Intents) -> Self {
        Self::with_config(id, Config::new(token, intents))
    }

    /// A shard with `config` and default adapter settings.
    pub fn with_config(id: ShardId, config: Config) -> Self {
        ShardBuilder::new(config).build(id)
    }

    /// Settings to build shards with (identify queue, TLS, timeouts).
    pub fn builder(config: Config) -> ShardBuilder<R> {
        ShardBuilder::new(config)
    }

    /// This shard's id.
    pub fn id(&self) -> ShardId {
        self.id
    }

    /// The next event selected by `flags` (errors are always selected); `None` once the shard
    /// stopped and everything was read. Events not selected are dropped. Cancel-safe.
    pub async fn next_event(&mut self, flags: EventTypeFlags) -> Option<Result<Event, Error>> {
        if let Err(error) = self.start() {
            return Some(Err(error));
        }
        loop {
            match self.events.recv().await? {
                Ok(event) if !event.is_selected_by(flags) => continue,
                item => return Some(item),
            }
        }
    }

    /// The next raw message: each payload's text as received, and each close. Cancel-safe.
    pub async fn next_message(&mut self) -> Option<Result<Message, Error>> {
        if let Err(error) = self.start() {
            return Some(Err(error));
        }
        loop {
            let message = match self.events.recv().await? {
                Err(error) => Err(error),
                Ok(Event::Closed(closed)) => Ok(Message::Close(closed)),
                Ok(event) => match event.into_payload() {
                    Some(payload) => Ok(Message::Text(payload.into_text())),
                    None => continue,
                },
            };
            return Some(message);
        }
    }

    /// A cloneable handle to send commands from anywhere.
    pub fn sender(&self) -> MessageSender {
        self.sender.clone()
    }

    /// Queues a command (see [`MessageSender::command`]).
    pub fn command(&self, command: &impl Command) -> Result<(), Error> {
        self.sender.command(command)
    }

    /// Queues a raw payload (see [`MessageSender::send`]).
    pub fn send(&self, payload: String) -> Result<(), Error> {
        self.sender.send(payload)
    }

    /// Closes the shard and returns its session: `None` after 1000/1001 (the session ends),
    /// else the session to save and resume later ([`CloseFrame::RESUME`]). Returns once the
    /// close frame is sent; events received before it can still be read.
    pub async fn close(&mut self, frame: CloseFrame) -> Option<Session> {
        let _ = self.sender.close(frame);
        if self.start().is_ok() {
            // An error means the task is gone: it stopped either way.
            let _ = self.stopped.wait_for(|stopped| *stopped).await;
        }
        self.session()
    }

    /// Where the shard is.
    pub fn state(&self) -> State {
        self.status().state
    }

    /// Heartbeat round trips of the current connection.
    pub fn latency(&self) -> Option<Latency> {
        self.status().latency.clone()
    }

    /// The command rate limiter (120 frames per 60 s, some kept for heartbeats).
    pub fn ratelimiter(&self) -> RatelimiterState {
        self.status().ratelimiter
    }

    /// The session held, if any: save it to resume in another process.
    pub fn session(&self) -> Option<Session> {
        self.status().session.clone()
    }

    /// Counters since the shard was built.
    pub fn statistics(&self) -> Statistics {
        self.status().statistics.clone()
    }

    fn status(&self) -> std::sync::MutexGuard<'_, Status> {
        self.status.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Spawns the task on the runtime if it is not running yet.
    fn start(&mut self) -> Result<(), Error> {
        if self.driver.is_none() {
            return Ok(());
        }
        R::check_spawn().map_err(|error| Error::from_boxed(ErrorKind::NoRuntime, error))?;
        if let Some(mut driver) = self.driver.take() {
            // `shard{shard=N session=…}`: every line of the task says which shard it is about.
            let span = driver.telemetry.span();
            R::spawn(driver.run().instrument(span));
        }
        Ok(())
    }
}

impl<R: Runtime> Stream for Shard<R> {
    type Item = Result<Event, Error>;

    /// Every event, as [`next_event`](Shard::next_event) with all flags.
    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if let Err(error) = this.start() {
            return Poll::Ready(Some(Err(error)));
        }
        this.events.poll_recv(cx)
    }
}

/// Sends commands to a shard from any task; clones share the shard's queue.
///
/// Each call checks and serializes on the caller's thread and returns at once: an invalid
/// command or a full queue is an error here, never a silent loss. Commands wait for the
/// session (and for the shard's first poll, which starts it) and go out through the rate
/// limiter.
#[derive(Clone, Debug)]
pub struct MessageSender {
    commands: mpsc::Sender<String>,
    close: Arc<watch::Sender<Option<CloseFrame>>>,
    capacity: usize,
}

impl MessageSender {
    /// Queues a typed command (op 3, 4, 8, 31, 43).
    pub fn command(&self, command: &impl Command) -> Result<(), Error> {
        self.queue(user_frame(command)?)
    }

    /// Queues a raw payload (`{"op":…,"d":…}`, at most 4096 bytes).
    pub fn send(&self, payload: String) -> Result<(), Error> {
        check_user_payload(&payload)?;
        self.queue(payload)
    }

    /// Asks the shard to close with `frame` (see [`Shard::close`]).
    pub fn close(&self, frame: CloseFrame) -> Result<(), Error> {
        if self.commands.is_closed() {
            return Err(SendError::Closed.into());
        }
        self.close.send_replace(Some(frame));
        Ok(())
    }

    /// Whether the shard stopped (sends fail).
    pub fn is_closed(&self) -> bool {
        self.commands.is_closed()
    }

    fn queue(&self, frame: String) -> Result<(), Error> {
        self.commands.try_send(frame).map_err(|error| match error {
            mpsc::error::TrySendError::Full(_) => SendError::QueueFull {
                capacity: self.capacity,
            },
            mpsc::error::TrySendError::Closed(_) => SendError::Closed,
        })?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::test_runtime::{Other, Paused};

    #[test]
    fn builders_share_one_identify_queue_unless_given_another() {
        let config = Config::new("token", Intents::GUILDS);
        let first = ShardBuilder::<Paused>::new(config.clone());
        let second = ShardBuilder::<Paused>::new(config.clone());
        assert!(
            Arc::ptr_eq(&first.queue, &second.queue),
            "the process-wide default"
        );
        let own: Arc<dyn Queue> = Arc::new(crate::InMemoryQueue::<Paused>::new(16));
        let custom = ShardBuilder::<Paused>::new(config).queue(own.clone());
        assert!(Arc::ptr_eq(&custom.clone().queue, &own), "clones share it");
    }

    #[test]
    fn each_runtime_has_its_own_default_queue() {
        let config = Config::new("token", Intents::GUILDS);
        let paused = ShardBuilder::<Paused>::new(config.clone());
        let other = ShardBuilder::<Other>::new(config);
        assert!(!Arc::ptr_eq(&paused.queue, &other.queue));
    }
}
