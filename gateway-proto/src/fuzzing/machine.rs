//! The whole state machine fed an arbitrary sequence of inputs, every drain checked by the
//! [`Monitor`].
//!
//! A fuzzer's bytes decode (via `arbitrary`) into a [`Case`]: a configuration and a list of
//! [`Step`]s. Steps are what a caller and a gateway can do: open or close the socket, send a
//! well-formed gateway frame (so the fuzzer reaches deep states quickly) or arbitrary text
//! and bytes, let virtual time pass (firing every deadline on the way, as a correct caller
//! does), grant a permit, queue a command, close, or restart the process with the exported
//! session. With compression on, well-formed frames are deflated like a real server does
//! (one stream per socket, a sync flush per message) and may be split over several frames.
//!
//! The origin of virtual time is a parameter: this crate never reads a clock.

use super::monitor::{Monitor, Violation};
use crate::{
    command::{Activity, ActivityType, RequestGuildMembers, Status, UpdatePresence},
    config::{Compression, Config},
    id::Id,
    intents::Intents,
    machine::{CloseFrame, Message, ShardMachine},
    session::Session,
    stats::Statistics,
    ShardId,
};
use arbitrary::{Arbitrary, Unstructured};
use miniz_oxide::{
    deflate::{core::CompressorOxide, stream::deflate, CompressionLevel},
    DataFormat, MZFlush, MZStatus,
};
use serde_json::json;
use std::time::{Duration, Instant};

/// Inflated messages over this size are refused; small, so the memory bound is tight.
const MAX_MESSAGE_SIZE: usize = 64 * 1024;

/// Event names the fuzzer picks from (the last one is unknown to the crate).
const EVENT_NAMES: [&str; 6] = [
    "MESSAGE_CREATE",
    "GUILD_CREATE",
    "TYPING_START",
    "PRESENCE_UPDATE",
    "GUILD_MEMBERS_CHUNK",
    "SOMETHING_NEW",
];

/// How the shard is configured.
#[derive(Arbitrary, Clone, Debug)]
pub struct Setup {
    /// zlib-stream transport compression.
    pub compression: bool,
    /// The outbound limiter (the 120-per-60 s rule is checked only with it on).
    pub ratelimit: bool,
    /// A restored session: its sequence.
    pub restored: Option<u16>,
    /// Jitter seed.
    pub seed: u64,
    /// Command queue capacity (`% 64 + 1`).
    pub queue_capacity: u8,
}

/// A well-formed gateway frame.
#[derive(Arbitrary, Clone, Debug)]
pub enum Frame {
    /// Hello (op 10); 0 is invalid.
    Hello(u16),
    /// READY with `s` and a session number.
    Ready(u16, u8),
    /// A dispatch with `s` and an event name from [`EVENT_NAMES`].
    Dispatch(u16, u8),
    /// RESUMED, with or without `s`.
    Resumed(Option<u16>),
    /// Heartbeat ACK (op 11).
    Ack,
    /// The gateway asks for a heartbeat (op 1).
    HeartbeatRequest,
    /// Reconnect (op 7).
    Reconnect,
    /// Invalid Session (op 9).
    InvalidSession(bool),
}

/// A user command.
#[derive(Arbitrary, Clone, Debug)]
pub enum UserCommand {
    /// Update Presence (op 3).
    Presence,
    /// Request Guild Members (op 8).
    Members(u8),
    /// A raw payload.
    Raw(String),
}

/// One thing that happens.
#[derive(Arbitrary, Clone, Debug)]
pub enum Step {
    /// The pending connection opens.
    Open,
    /// A well-formed frame arrives (compressed when compression is on).
    Frame(Frame),
    /// Later compressed frames are split into this many parts (`% 4 + 1`).
    Split(u8),
    /// A text message arrives.
    Text(String),
    /// A binary message arrives.
    Binary(Vec<u8>),
    /// The socket ends, with or without a close code.
    Close(Option<u16>),
    /// Virtual time passes (milliseconds times 16), every deadline fired on the way.
    Advance(u16),
    /// `handle_timeout` at the current time, whatever the deadline.
    EarlyTimeout,
    /// An identify permit is granted.
    Permit,
    /// The user queues a command.
    Command(UserCommand),
    /// The user closes the shard with this code.
    UserClose(u16),
    /// The process restarts: a new machine continues the exported session.
    Restart,
}

/// A configuration and what happens to it.
#[derive(Arbitrary, Clone, Debug)]
pub struct Case {
    /// The configuration.
    pub setup: Setup,
    /// The inputs, in order.
    pub steps: Vec<Step>,
}

/// Fuzz body: decodes `data` into a [`Case`] and runs it; panics on a broken invariant.
pub fn machine(origin: Instant, data: &[u8]) {
    let Ok(case) = Case::arbitrary_take_rest(Unstructured::new(data)) else {
        return;
    };
    if let Err((step, violation)) = run(origin, &case) {
        panic!("step {step}: {violation}\n{case:#?}");
    }
}

/// Runs `case`: the last machine's counters, or the index of the step that broke a rule
/// and the rule.
pub fn run(origin: Instant, case: &Case) -> Result<Statistics, (usize, Violation)> {
    let mut driver = Driver::new(origin, &case.setup, None);
    driver.settle().map_err(|v| (0, v))?;
    for (index, step) in case.steps.iter().enumerate() {
        driver.step(step).map_err(|v| (index, v))?;
    }
    Ok(driver.machine.stats().clone())
}

/// The server side of one socket's compression.
struct Deflater {
    compressor: Box<CompressorOxide>,
    parts: usize,
}

impl Deflater {
    fn new(parts: usize) -> Self {
        Self {
            compressor: Box::new(CompressorOxide::with_format_and_level(
                DataFormat::Zlib,
                CompressionLevel::BestSpeed,
            )),
            parts,
        }
    }

    /// One message, sync-flushed, split into up to `parts` frames.
    fn frames(&mut self, message: &[u8]) -> Vec<Vec<u8>> {
        let mut wire = Vec::new();
        let mut input = message;
        let mut chunk = [0u8; 4096];
        loop {
            let result = deflate(&mut self.compressor, input, &mut chunk, MZFlush::Sync);
            input = &input[result.bytes_consumed..];
            wire.extend_from_slice(&chunk[..result.bytes_written]);
            let done = input.is_empty() && result.bytes_written < chunk.len();
            if done || !matches!(result.status, Ok(MZStatus::Ok)) {
                break;
            }
        }
        let size = wire.len().div_ceil(self.parts).max(1);
        wire.chunks(size).map(<[u8]>::to_vec).collect()
    }
}

struct Driver {
    setup: Setup,
    machine: ShardMachine,
    monitor: Monitor,
    now: Instant,
    deflater: Option<Deflater>,
    parts: usize,
}

impl Driver {
    fn new(origin: Instant, setup: &Setup, session: Option<Session>) -> Self {
        let config = config(setup, session);
        Self {
            setup: setup.clone(),
            monitor: Monitor::new(&config),
            machine: ShardMachine::new(ShardId::ONE, config),
            now: origin,
            deflater: None,
            parts: 1,
        }
    }

    /// Drains every output into the monitor, then lets it judge the machine.
    fn settle(&mut self) -> Result<(), Violation> {
        while let Some(output) = self.machine.poll_output() {
            self.monitor.output(self.now, &output)?;
        }
        self.monitor.after_drain(self.now, &self.machine)
    }

    fn receive(&mut self, message: Message<'_>) -> Result<(), Violation> {
        self.machine.handle_message(self.now, message);
        self.settle()
    }

    fn step(&mut self, step: &Step) -> Result<(), Violation> {
        let now = self.now;
        match step {
            Step::Open => {
                self.monitor.on_open(now);
                self.machine.handle_open(now);
                if self.setup.compression {
                    self.deflater = Some(Deflater::new(self.parts));
                }
                self.settle()
            }
            Step::Frame(frame) => {
                let text = frame_text(frame);
                match &mut self.deflater {
                    Some(deflater) => {
                        for part in deflater.frames(text.as_bytes()) {
                            self.receive(Message::Binary(&part))?;
                        }
                        Ok(())
                    }
                    None => self.receive(Message::Text(&text)),
                }
            }
            Step::Split(parts) => {
                self.parts = usize::from(parts % 4) + 1;
                if let Some(deflater) = &mut self.deflater {
                    deflater.parts = self.parts;
                }
                Ok(())
            }
            Step::Text(text) => self.receive(Message::Text(text)),
            Step::Binary(bytes) => self.receive(Message::Binary(bytes)),
            Step::Close(code) => {
                self.monitor.on_socket_closed();
                let frame = code.map(|code| CloseFrame::new(code, ""));
                self.machine.handle_close(now, frame);
                self.deflater = None;
                self.settle()
            }
            Step::Advance(units) => self.advance(Duration::from_millis(u64::from(*units) * 16)),
            Step::EarlyTimeout => {
                self.machine.handle_timeout(now);
                self.settle()
            }
            Step::Permit => {
                self.monitor.on_permit();
                self.machine.handle_identify_permit(now);
                self.settle()
            }
            Step::Command(command) => {
                let result = match command {
                    UserCommand::Presence => {
                        let activity = Activity::new(ActivityType::Playing, "fuzzing");
                        let presence = UpdatePresence::new(Status::Online, vec![activity]);
                        self.machine.send_command(now, &presence)
                    }
                    UserCommand::Members(n) => {
                        let request = RequestGuildMembers::query(Id(820627323903672320), "a", 1)
                            .with_nonce(format!("n{n}"));
                        self.machine.send_command(now, &request)
                    }
                    UserCommand::Raw(text) => self.machine.send_raw(now, text.clone()),
                };
                // A stopped machine refuses every command (misuse may be reported first).
                if self.monitor.is_stopped() && result.is_ok() {
                    return Err(Violation {
                        rule: "nothing after stop",
                        detail: format!("send_command answered {result:?}"),
                    });
                }
                self.settle()
            }
            Step::UserClose(code) => {
                self.machine.close(now, CloseFrame::new(*code, "bye"));
                self.settle()
            }
            Step::Restart => {
                let session = self.machine.session().cloned();
                let config = config(&self.setup, session);
                self.monitor.restart(&config);
                self.machine = ShardMachine::new(ShardId::ONE, config);
                self.deflater = None;
                self.settle()
            }
        }
    }

    /// Moves time forward by `by`, firing each deadline at its instant.
    fn advance(&mut self, by: Duration) -> Result<(), Violation> {
        let target = self.now + by;
        while let Some(at) = self.machine.poll_timeout() {
            if at > target {
                break;
            }
            self.now = self.now.max(at);
            self.machine.handle_timeout(self.now);
            self.settle()?;
        }
        self.now = target;
        self.monitor.after_drain(self.now, &self.machine)
    }
}

fn config(setup: &Setup, session: Option<Session>) -> Config {
    let restored = setup
        .restored
        .map(|seq| Session::new("restored", u64::from(seq), "ws://resume.fuzz"));
    let mut builder = Config::builder("fuzz-token", Intents::GUILDS | Intents::GUILD_MESSAGES)
        .gateway_url("ws://gateway.fuzz")
        .compression(if setup.compression {
            Compression::ZlibStream
        } else {
            Compression::None
        })
        .ratelimit(setup.ratelimit)
        .rng_seed(setup.seed)
        .queue_capacity(usize::from(setup.queue_capacity % 64) + 1)
        .max_message_size(MAX_MESSAGE_SIZE);
    if let Some(session) = session.or(restored) {
        builder = builder.session(session);
    }
    // Every value above is in range: the token is non-empty, the URLs are ws://.
    builder.build().expect("fuzz config is valid")
}

/// The JSON text of a well-formed frame, built with plain `serde_json` values.
fn frame_text(frame: &Frame) -> String {
    let value = match *frame {
        Frame::Hello(interval) => {
            json!({"op":10,"s":null,"t":null,"d":{"heartbeat_interval":interval,"_trace":["fuzz"]}})
        }
        Frame::Ready(seq, session) => json!({"op":0,"s":seq,"t":"READY","d":{
            "v":10,"user":{"id":"1194566300643491842","username":"fuzz","bot":true},
            "guilds":[{"id":"820627323903672320","unavailable":true}],
            "session_id":format!("session-{session}"),
            "resume_gateway_url":"ws://resume.fuzz","shard":[0,1]}}),
        Frame::Dispatch(seq, name) => json!({"op":0,"s":seq,
            "t":EVENT_NAMES[usize::from(name) % EVENT_NAMES.len()],"d":{"n":seq}}),
        Frame::Resumed(Some(seq)) => json!({"op":0,"s":seq,"t":"RESUMED","d":{}}),
        Frame::Resumed(None) => json!({"op":0,"s":null,"t":"RESUMED","d":{}}),
        Frame::Ack => json!({"op":11,"s":null,"t":null,"d":null}),
        Frame::HeartbeatRequest => json!({"op":1,"d":null}),
        Frame::Reconnect => json!({"op":7,"d":null}),
        Frame::InvalidSession(resumable) => json!({"op":9,"d":resumable}),
    };
    value.to_string()
}
