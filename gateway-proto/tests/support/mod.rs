//! A virtual-clock harness: one shard machine, a scripted gateway peer that speaks
//! plain JSON values (never the crate's serializer), and `now`. `advance` jumps the
//! clock from deadline to deadline, so minutes of protocol time take microseconds.
#![allow(dead_code)]

use gateway_proto::{CloseFrame, Config, Event, Intents, Message, Output, ShardId, ShardMachine};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

pub const TOKEN: &str = "test-token-Zm9vYmFy";
pub const INTERVAL_MS: u64 = 41_250;
pub const MAIN_URL: &str = "ws://gateway.test";
pub const RESUME_URL: &str = "ws://resume.test";

/// One thing the client did, stamped with virtual time since the start.
#[derive(Clone, Debug, PartialEq)]
pub enum Act {
    Connect(String),
    Send(Value),
    Close(u16),
    RequestIdentify,
}

pub struct Harness {
    pub shard: ShardMachine,
    pub start: Instant,
    pub now: Instant,
    pub acts: Vec<(Duration, Act)>,
    pub events: Vec<(Duration, Event)>,
    /// Grant identify permits as soon as they are asked for.
    pub auto_permit: bool,
    /// The peer answers heartbeats with ACKs.
    pub auto_ack: bool,
    /// A connect is pending (the client asked, the harness has not opened it).
    pub pending_connect: Option<String>,
    pub socket_open: bool,
    permit_wanted: bool,
    acks_pending: usize,
}

pub fn config() -> gateway_proto::ConfigBuilder {
    Config::builder(TOKEN, Intents::GUILDS | Intents::GUILD_MESSAGES)
        .gateway_url(MAIN_URL)
        .compression(gateway_proto::Compression::None)
        .rng_seed(7)
}

impl Harness {
    pub fn new() -> Self {
        Self::with(config().build().expect("valid config"))
    }

    pub fn with(config: Config) -> Self {
        Self::with_shard(ShardId::ONE, config)
    }

    pub fn with_shard(id: ShardId, config: Config) -> Self {
        // The one place a real clock is read: the origin of virtual time.
        let start = Instant::now();
        let mut harness = Self {
            shard: ShardMachine::new(id, config),
            start,
            now: start,
            acts: Vec::new(),
            events: Vec::new(),
            auto_permit: true,
            auto_ack: true,
            pending_connect: None,
            socket_open: false,
            permit_wanted: false,
            acks_pending: 0,
        };
        harness.drain();
        harness
    }

    pub fn elapsed(&self) -> Duration {
        self.now - self.start
    }

    /// Drains every output, recording it and playing the peer's automatic part.
    pub fn drain(&mut self) {
        loop {
            while let Some(output) = self.shard.poll_output() {
                let at = self.elapsed();
                match output {
                    Output::Connect(url) => {
                        self.pending_connect = Some(url.clone());
                        self.acts.push((at, Act::Connect(url)));
                    }
                    Output::Send(text) => {
                        let value: Value = serde_json::from_str(&text).expect("client sent JSON");
                        assert!(text.len() <= 4096, "frame over 4096 bytes");
                        let is_heartbeat = value["op"] == 1;
                        self.acts.push((at, Act::Send(value)));
                        if is_heartbeat && self.auto_ack && self.socket_open {
                            self.acks_pending += 1;
                        }
                    }
                    Output::Close(frame) => {
                        self.socket_open = false;
                        self.acts.push((at, Act::Close(frame.code)));
                    }
                    Output::RequestIdentify => {
                        self.acts.push((at, Act::RequestIdentify));
                        self.permit_wanted = true;
                    }
                    Output::Event(event) => self.events.push((at, event)),
                }
            }
            if self.permit_wanted && self.auto_permit {
                self.permit_wanted = false;
                self.shard.handle_identify_permit(self.now);
                continue;
            }
            if self.acks_pending > 0 && self.socket_open {
                self.acks_pending = 0;
                self.shard
                    .handle_message(self.now, Message::Text(r#"{"op":11,"d":null}"#));
                continue;
            }
            break;
        }
    }
}

impl Harness {
    pub fn grant_permit(&mut self) {
        self.permit_wanted = false;
        self.shard.handle_identify_permit(self.now);
        self.drain();
    }

    /// Accepts the pending connection.
    pub fn open(&mut self) -> String {
        let url = self.pending_connect.take().expect("a connect is pending");
        self.socket_open = true;
        self.shard.handle_open(self.now);
        self.drain();
        url
    }

    pub fn recv(&mut self, value: Value) {
        let text = value.to_string();
        self.recv_text(&text);
    }

    pub fn recv_text(&mut self, text: &str) {
        self.shard.handle_message(self.now, Message::Text(text));
        self.drain();
    }

    pub fn recv_binary(&mut self, bytes: &[u8]) {
        self.shard.handle_message(self.now, Message::Binary(bytes));
        self.drain();
    }

    pub fn hello(&mut self) {
        self.recv(json!({"op":10,"d":{"heartbeat_interval":INTERVAL_MS,"_trace":["x"]},"s":null,"t":null}));
    }

    pub fn dispatch(&mut self, seq: u64, t: &str, d: Value) {
        self.recv(json!({"op":0,"s":seq,"t":t,"d":d}));
    }

    pub fn ready(&mut self, seq: u64) {
        self.dispatch(
            seq,
            "READY",
            json!({"v":10,"user":{"id":"1194566300643491842","username":"simbot","bot":true},
                   "guilds":[{"id":"820627323903672320","unavailable":true},{"id":981346340065902592u64,"unavailable":true}],
                   "session_id":"sess-1","resume_gateway_url":RESUME_URL,"shard":[0,1],
                   "application":{"id":"1194566300643491842","flags":0}}),
        );
    }

    /// Open, Hello, (permit), READY with s=1: an active new session.
    pub fn connect_ready(&mut self) {
        self.open();
        self.hello();
        self.ready(1);
    }

    pub fn server_close(&mut self, code: Option<u16>) {
        self.socket_open = false;
        self.shard
            .handle_close(self.now, code.map(|code| CloseFrame::new(code, "")));
        self.drain();
    }

    /// Moves the clock to `now + by`, firing every deadline on the way.
    pub fn advance(&mut self, by: Duration) {
        let target = self.now + by;
        while let Some(at) = self.shard.poll_timeout() {
            if at > target {
                break;
            }
            self.now = self.now.max(at);
            self.shard.handle_timeout(self.now);
            self.drain();
        }
        self.now = target;
    }

    pub fn sent(&self) -> Vec<Value> {
        self.acts
            .iter()
            .filter_map(|(_, act)| match act {
                Act::Send(value) => Some(value.clone()),
                _ => None,
            })
            .collect()
    }

    pub fn sent_ops(&self) -> Vec<u64> {
        self.sent()
            .iter()
            .filter_map(|v| v["op"].as_u64())
            .collect()
    }

    pub fn sent_with_op(&self, op: u64) -> Vec<(Duration, Value)> {
        self.acts
            .iter()
            .filter_map(|(at, act)| match act {
                Act::Send(value) if value["op"] == op => Some((*at, value.clone())),
                _ => None,
            })
            .collect()
    }

    pub fn connects(&self) -> Vec<String> {
        self.acts
            .iter()
            .filter_map(|(_, act)| match act {
                Act::Connect(url) => Some(url.clone()),
                _ => None,
            })
            .collect()
    }

    pub fn closes(&self) -> Vec<u16> {
        self.acts
            .iter()
            .filter_map(|(_, act)| match act {
                Act::Close(code) => Some(*code),
                _ => None,
            })
            .collect()
    }

    pub fn take_events(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.events)
            .into_iter()
            .map(|(_, event)| event)
            .collect()
    }

    pub fn clear(&mut self) {
        self.acts.clear();
        self.events.clear();
    }
}
