//! Shared helpers of the integration suites: the [`Adapter`] trait every runtime adapter
//! implements for the tests, the simulator setup, and the scenarios in [`scenarios`], each
//! written once and generic over the adapter.
//!
//! A runtime's test file implements [`Adapter`] for its crate, with
//! [`adapter!`](crate::adapter) when the crate has gateway-tokio's public API (both adapters
//! do), and invokes [`scenarios!`](crate::scenarios) once, which expands to one
//! `#[tokio::test]` per scenario. The simulator runs on tokio in every case; the adapter under
//! test spawns its shard tasks on whatever runtime it uses.

use gateway_proto::{
    queue::IdentifyScheduler, CloseFrame, Closed, Command, Compression, Config, ConfigBuilder,
    Event, EventTypeFlags, Intents, ReceiveError, SendError, Session, ShardId, State, Statistics,
};
use gateway_sim::{ConnId, SimConfig, Simulator};
use serde_json::Value;
use std::{fmt, sync::Arc, time::Duration};

pub mod scenarios;

/// How long any single expectation may take before the test fails.
pub const PATIENCE: Duration = Duration::from_secs(15);

/// The command window the simulator enforces, so the 120-per-window rule is exercised in
/// seconds rather than minutes.
pub const COMMAND_WINDOW: Duration = Duration::from_secs(2);

/// The window the client is told about: longer than the simulator's, because the simulator
/// counts a frame when its task gets to it, which on a loaded test machine can be a second
/// or more after it was sent (the client keeps its own 1 s margin on top).
pub const CLIENT_COMMAND_WINDOW: Duration = Duration::from_secs(3);

/// An adapter's error, in the terms the scenarios check.
#[derive(Clone, Debug, PartialEq)]
pub struct Failure {
    /// The adapter's `is_fatal()`.
    pub fatal: bool,
    /// What went wrong.
    pub kind: FailureKind,
    /// The error's text.
    pub message: String,
}

/// The adapter's error kinds that the scenarios tell apart.
#[derive(Clone, Debug, PartialEq)]
pub enum FailureKind {
    /// The shard stopped for good.
    Closed(Closed),
    /// Opening a connection failed.
    Connect,
    /// The gateway sent bad data.
    Receive(ReceiveError),
    /// A command was refused.
    Send(SendError),
    /// An open connection failed.
    Transport,
    /// Anything else.
    Other,
}

/// A raw message as `next_message` yields it.
#[derive(Clone, Debug, PartialEq)]
pub enum Raw {
    /// A connection ended.
    Close(Closed),
    /// A payload's text.
    Text(String),
}

/// What the scenarios need from a runtime adapter.
pub trait Adapter: 'static {
    /// The adapter's identify queue.
    type Queue: Clone;
    /// The adapter's shard.
    type Shard: TestShard;
    /// A queue around `scheduler`.
    fn queue(scheduler: IdentifyScheduler) -> Self::Queue;
    /// A shard with `config`, taking identify permits from `queue`; it starts on first poll.
    fn shard(id: ShardId, config: Config, queue: &Self::Queue) -> Self::Shard;
    /// [`shard`](Self::shard) with the adapter settings in `options`.
    fn shard_with(
        id: ShardId,
        config: Config,
        queue: &Self::Queue,
        options: ShardOptions,
    ) -> Self::Shard;
}

/// Adapter settings a scenario may change (`ShardBuilder` methods); `None` keeps the default.
#[derive(Clone, Debug, Default)]
pub struct ShardOptions {
    /// `connect_timeout`.
    pub connect_timeout: Option<Duration>,
    /// `tls_config`.
    pub tls: Option<Arc<rustls::ClientConfig>>,
}

/// A shard as the scenarios drive it.
#[allow(async_fn_in_trait)] // Scenarios await these in place; no Send bound is needed.
pub trait TestShard {
    /// The shard's cloneable sender.
    type Sender: TestSender;
    /// `next_event(flags)`.
    async fn next_event(&mut self, flags: EventTypeFlags) -> Option<Result<Event, Failure>>;
    /// `next_message()`.
    async fn next_message(&mut self) -> Option<Result<Raw, Failure>>;
    /// `close(frame)`.
    async fn close(&mut self, frame: CloseFrame) -> Option<Session>;
    /// `sender()`.
    fn sender(&self) -> Self::Sender;
    /// `state()`.
    fn state(&self) -> State;
    /// `session()`.
    fn session(&self) -> Option<Session>;
    /// `statistics()`.
    fn statistics(&self) -> Statistics;
}

/// A shard's sender as the scenarios use it.
pub trait TestSender: Clone {
    /// `command(c)`.
    fn command<C: Command>(&self, command: &C) -> Result<(), Failure>;
    /// `send(payload)`.
    fn send(&self, payload: String) -> Result<(), Failure>;
}

/// A simulator for one scenario, with the test defaults: fast timings, manual events and
/// [`COMMAND_WINDOW`].
pub async fn simulator(tweak: impl FnOnce(&mut SimConfig)) -> Simulator {
    let mut config = SimConfig::fast();
    config.command_window = COMMAND_WINDOW;
    tweak(&mut config);
    Simulator::start(config).await.expect("simulator starts")
}

/// A client config for `sim`: its URL and token, every intent, a fixed seed.
pub fn client(sim: &Simulator, compression: Compression) -> ConfigBuilder {
    Config::builder(&sim.config().token, Intents::all())
        .gateway_url(sim.url())
        .compression(compression)
        .rng_seed(7)
        .ratelimit_window(CLIENT_COMMAND_WINDOW)
}

/// A queue with no identify window, for scenarios that do not test identify pacing.
pub fn open_queue<A: Adapter>() -> A::Queue {
    A::queue(IdentifyScheduler::new(1).with_window(Duration::ZERO))
}

/// Reads events into a log, so a failed expectation shows what did arrive.
pub struct Reader<S> {
    /// The shard read from.
    pub shard: S,
    /// Every item read so far, in order.
    pub seen: Vec<Result<Event, Failure>>,
}

impl<S: TestShard> Reader<S> {
    /// Starts reading `shard`.
    pub fn new(shard: S) -> Self {
        Self {
            shard,
            seen: Vec::new(),
        }
    }

    /// Reads until `pick` accepts an item, within [`PATIENCE`].
    pub async fn until<T>(
        &mut self,
        what: &str,
        mut pick: impl FnMut(&Result<Event, Failure>) -> Option<T>,
    ) -> T {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            let next =
                tokio::time::timeout_at(deadline, self.shard.next_event(EventTypeFlags::all()));
            match next.await {
                Ok(Some(item)) => {
                    let picked = pick(&item);
                    self.seen.push(item);
                    if let Some(value) = picked {
                        return value;
                    }
                }
                Ok(None) => panic!("stream ended waiting for {what}; seen: {}", self.summary()),
                Err(_) => panic!("timed out waiting for {what}; seen: {}", self.summary()),
            }
        }
    }

    /// Reads until READY; returns the session id.
    pub async fn ready(&mut self) -> String {
        self.until("READY", |item| match item {
            Ok(Event::Ready(ready)) => Some(ready.session_id.clone()),
            _ => None,
        })
        .await
    }

    /// Reads until RESUMED; returns how many dispatches were replayed.
    pub async fn resumed(&mut self) -> u64 {
        self.until("RESUMED", |item| match item {
            Ok(Event::Resumed(resumed)) => Some(resumed.replayed),
            _ => None,
        })
        .await
    }

    /// Reads until a dispatch with sequence `seq` (or later) arrived.
    pub async fn through_seq(&mut self, seq: u64) {
        if self.seqs().last().is_some_and(|last| *last >= seq) {
            return;
        }
        self.until(&format!("dispatch {seq}"), |item| match item {
            Ok(Event::Dispatch(dispatch)) if dispatch.seq >= seq => Some(()),
            Ok(Event::Resumed(resumed)) if resumed.dispatch.seq >= seq => Some(()),
            _ => None,
        })
        .await;
    }

    /// The sequence numbers of the dispatches seen (READY and RESUMED included: both take one).
    pub fn seqs(&self) -> Vec<u64> {
        self.seen
            .iter()
            .filter_map(|item| match item {
                Ok(Event::Dispatch(dispatch)) => Some(dispatch.seq),
                Ok(Event::Ready(ready)) => Some(ready.dispatch.seq),
                Ok(Event::Resumed(resumed)) => Some(resumed.dispatch.seq),
                _ => None,
            })
            .collect()
    }

    /// A short list of what was seen.
    pub fn summary(&self) -> String {
        let names: Vec<String> = self.seen.iter().map(describe).collect();
        names.join(", ")
    }
}

/// One item in a few words.
pub fn describe(item: &Result<Event, Failure>) -> String {
    match item {
        Ok(Event::Dispatch(dispatch)) => format!("{}#{}", dispatch.event_type.name(), dispatch.seq),
        Ok(Event::Closed(closed)) => format!("closed({:?}, {:?})", closed.code, closed.cause),
        Ok(event) => format!("{:?}", event.kind()),
        Err(failure) => format!("error({})", failure.message),
    }
}

/// Asserts that `seqs` run from `first` to `last` by one: nothing lost, nothing twice.
pub fn assert_contiguous(seqs: &[u64], first: u64, last: u64) {
    let expected: Vec<u64> = (first..=last).collect();
    assert_eq!(seqs, expected.as_slice(), "dispatch sequence numbers");
}

/// The frames connection `conn` sent, as JSON values.
pub fn payloads(sim: &Simulator, conn: ConnId) -> Vec<Value> {
    sim.frames(conn)
        .into_iter()
        .map(|frame| frame.payload)
        .collect()
}

/// The opcodes connection `conn` sent, in order.
pub fn ops(sim: &Simulator, conn: ConnId) -> Vec<u64> {
    sim.frames(conn)
        .iter()
        .filter_map(|frame| frame.op())
        .collect()
}

/// Waits for the `n`-th connection (1-based) to the simulator.
pub async fn connection(sim: &Simulator, n: usize) -> ConnId {
    sim.log()
        .wait_connection(n, PATIENCE)
        .await
        .unwrap_or_else(|error| panic!("{error}"))
}

/// The path and query connection `conn` was opened with.
pub fn opened(sim: &Simulator, conn: ConnId) -> (String, String) {
    sim.log()
        .events(conn)
        .into_iter()
        .find_map(|event| match event {
            gateway_sim::Event::Opened { path, query } => Some((path, query)),
            _ => None,
        })
        .unwrap_or_else(|| panic!("connection {conn} was never opened"))
}

/// How connection `conn` ended, once it has.
pub async fn closed(sim: &Simulator, conn: ConnId) -> (Option<u16>, gateway_sim::Closer) {
    sim.log()
        .wait_closed(conn, PATIENCE)
        .await
        .unwrap_or_else(|error| panic!("{error}"))
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Expands to one `#[tokio::test]` per scenario for the adapter `$adapter`.
#[macro_export]
macro_rules! scenarios {
    ($adapter:ty) => {
        $crate::scenarios!(@tests $adapter;
            identify_ready_dispatches_uncompressed,
            identify_ready_dispatches_zlib_stream,
            identify_ready_dispatches_zstd_stream,
            raw_messages_are_the_payloads_in_order,
            zombie_connection_resumes_on_the_resume_url,
            reconnect_op7_resumes,
            invalid_session_resumable_resumes,
            invalid_session_not_resumable_identifies_after_a_wait,
            fatal_close_codes_end_the_shard,
            other_close_codes_and_drops_recover,
            queued_commands_stay_under_the_rate_limit,
            a_full_command_queue_is_an_error,
            invalid_commands_are_refused_at_once,
            garbage_text_is_an_error_then_a_resume,
            corrupt_zlib_is_an_error_then_a_resume,
            corrupt_zstd_is_an_error_then_a_resume,
            decompression_bomb_is_an_error_then_a_resume,
            saved_session_resumes_without_identify,
            user_close_ends_the_shard,
            next_event_is_cancel_safe,
            identify_queue_paces_shards_by_bucket,
            dropping_a_shard_closes_its_connection_resumably,
            a_slow_reader_gets_every_dispatch_promptly,
            heartbeats_go_on_while_the_reader_stalls,
            a_failed_tls_handshake_is_a_connect_error_then_a_retry,
            a_connection_that_never_answers_times_out,
            status_is_never_older_than_the_events_read,
            wss_connects_through_tls_with_the_given_roots,
        );
    };
    (@tests $adapter:ty; $($name:ident),+ $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                $crate::scenarios::$name::<$adapter>().await;
            }
        )+
    };
}

/// Implements [`Adapter`] as the unit type `$name` for the crate `$krate`, which must have
/// gateway-tokio's public API: `Shard`, `MessageSender`, `InMemoryQueue`, `Error`, `ErrorKind`
/// and `Message` under those names. Written once, so every adapter is mapped the same way and a
/// difference in an adapter's API fails to compile here.
#[macro_export]
macro_rules! adapter {
    ($name:ident for $krate:ident) => {
        /// The adapter under test, as the suite drives it.
        struct $name;

        /// The adapter's shard, wrapped so the suite's trait can be implemented for it.
        #[derive(Debug)]
        struct AdapterShard($krate::Shard);

        /// The adapter's sender, wrapped likewise.
        #[derive(Clone)]
        struct AdapterSender($krate::MessageSender);

        impl $crate::Adapter for $name {
            type Queue = std::sync::Arc<$krate::InMemoryQueue>;
            type Shard = AdapterShard;

            fn queue(scheduler: $krate::IdentifyScheduler) -> Self::Queue {
                std::sync::Arc::new($krate::InMemoryQueue::from_scheduler(scheduler))
            }

            fn shard(
                id: $krate::ShardId,
                config: $krate::Config,
                queue: &Self::Queue,
            ) -> AdapterShard {
                AdapterShard(
                    $krate::Shard::builder(config)
                        .queue(queue.clone())
                        .build(id),
                )
            }

            fn shard_with(
                id: $krate::ShardId,
                config: $krate::Config,
                queue: &Self::Queue,
                options: $crate::ShardOptions,
            ) -> AdapterShard {
                let mut builder = $krate::Shard::builder(config).queue(queue.clone());
                if let Some(timeout) = options.connect_timeout {
                    builder = builder.connect_timeout(timeout);
                }
                if let Some(tls) = options.tls {
                    builder = builder.tls_config(tls);
                }
                AdapterShard(builder.build(id))
            }
        }

        fn failure(error: $krate::Error) -> $crate::Failure {
            use $crate::FailureKind;
            let kind = match error.kind().clone() {
                $krate::ErrorKind::Closed(closed) => FailureKind::Closed(closed),
                $krate::ErrorKind::Connect => FailureKind::Connect,
                $krate::ErrorKind::Receive(error) => FailureKind::Receive(error),
                $krate::ErrorKind::Send(error) => FailureKind::Send(error),
                $krate::ErrorKind::Transport => FailureKind::Transport,
                _ => FailureKind::Other,
            };
            $crate::Failure {
                fatal: error.is_fatal(),
                kind,
                message: error.to_string(),
            }
        }

        impl $crate::TestShard for AdapterShard {
            type Sender = AdapterSender;

            async fn next_event(
                &mut self,
                flags: $krate::EventTypeFlags,
            ) -> Option<Result<$krate::Event, $crate::Failure>> {
                Some(self.0.next_event(flags).await?.map_err(failure))
            }

            async fn next_message(&mut self) -> Option<Result<$crate::Raw, $crate::Failure>> {
                let message = self.0.next_message().await?.map_err(failure);
                Some(message.map(|message| match message {
                    $krate::Message::Close(closed) => $crate::Raw::Close(closed),
                    $krate::Message::Text(text) => $crate::Raw::Text(text),
                    other => panic!("unexpected {other:?}"),
                }))
            }

            async fn close(&mut self, frame: $krate::CloseFrame) -> Option<$krate::Session> {
                self.0.close(frame).await
            }

            fn sender(&self) -> AdapterSender {
                AdapterSender(self.0.sender())
            }

            fn state(&self) -> $krate::State {
                self.0.state()
            }

            fn session(&self) -> Option<$krate::Session> {
                self.0.session()
            }

            fn statistics(&self) -> $krate::Statistics {
                self.0.statistics()
            }
        }

        impl $crate::TestSender for AdapterSender {
            fn command<C: $krate::Command>(&self, command: &C) -> Result<(), $crate::Failure> {
                self.0.command(command).map_err(failure)
            }

            fn send(&self, payload: String) -> Result<(), $crate::Failure> {
                self.0.send(payload).map_err(failure)
            }
        }
    };
}
