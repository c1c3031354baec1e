//! A deliberately plain gateway client for the simulator's tests: async-tungstenite plus
//! serde_json, with its own zlib-stream and zstd-stream inflaters. It shares no code with
//! gateway-proto or with the simulator, so the tests check the wire, not a shared model.

#![allow(dead_code)]

use std::time::Duration;

use async_tungstenite::tokio::{connect_async, ConnectStream};
use async_tungstenite::tungstenite::Message;
use async_tungstenite::WebSocketStream;
use futures_util::StreamExt as _;
use gateway_sim::{SimConfig, Simulator};
use miniz_oxide::inflate::stream::{inflate, InflateState};
use miniz_oxide::{DataFormat, MZFlush};
use serde_json::{json, Value};

/// Generous bound for anything a test waits on; tests never assert speed.
pub const WAIT: Duration = Duration::from_secs(10);

pub const TOKEN: &str = "sim-token";

/// What the client got next.
#[derive(Debug)]
pub enum Got {
    Payload(Value),
    Closed(Option<u16>),
}

enum Inflater {
    None,
    Zlib(Box<InflateState>, Vec<u8>),
    Zstd(Box<zstd::stream::raw::Decoder<'static>>),
}

pub struct Client {
    ws: WebSocketStream<ConnectStream>,
    inflater: Inflater,
    /// Raw websocket messages received (binary frame sizes), for split-frame tests.
    pub frames_received: usize,
    /// Last non-null `s`.
    pub seq: Option<u64>,
}

pub async fn sim(cfg: SimConfig) -> Simulator {
    Simulator::start(cfg).await.expect("simulator starts")
}

impl Client {
    /// Connects to `base` + `path_query` (e.g. `"/?v=10&encoding=json"`).
    pub async fn connect(base: &str, path_query: &str) -> Self {
        let url = format!("{base}{path_query}");
        let (ws, _) = tokio::time::timeout(WAIT, connect_async(url))
            .await
            .expect("connect in time")
            .expect("connect");
        let inflater = if path_query.contains("compress=zlib-stream") {
            Inflater::Zlib(InflateState::new_boxed(DataFormat::Zlib), Vec::new())
        } else if path_query.contains("compress=zstd-stream") {
            Inflater::Zstd(Box::new(
                zstd::stream::raw::Decoder::new().expect("zstd decoder"),
            ))
        } else {
            Inflater::None
        };
        Self {
            ws,
            inflater,
            frames_received: 0,
            seq: None,
        }
    }

    /// Connects to the main gateway path with `v=10&encoding=json`.
    pub async fn main(sim: &Simulator) -> Self {
        Self::connect(&sim.url(), "/?v=10&encoding=json").await
    }

    /// Connects to the resume path with `v=10&encoding=json`.
    pub async fn resume_path(sim: &Simulator) -> Self {
        Self::connect(&sim.url(), "/resume?v=10&encoding=json").await
    }

    pub async fn send(&mut self, v: Value) {
        self.send_text(&v.to_string()).await;
    }

    pub async fn send_text(&mut self, s: &str) {
        self.ws
            .send(Message::text(s.to_owned()))
            .await
            .expect("send");
    }

    pub async fn send_close(&mut self, code: u16) {
        use async_tungstenite::tungstenite::protocol::frame::CloseFrame;
        let frame = CloseFrame {
            code: code.into(),
            reason: "test".into(),
        };
        let _ = self.ws.close(Some(frame)).await;
        // Let the close handshake finish.
        let _ = tokio::time::timeout(WAIT, async {
            while let Some(Ok(_)) = self.ws.next().await {}
        })
        .await;
    }

    fn decode(&mut self, bytes: &[u8]) -> Option<Value> {
        let text = match &mut self.inflater {
            Inflater::None => bytes.to_vec(),
            Inflater::Zlib(state, buf) => {
                buf.extend_from_slice(bytes);
                if !buf.ends_with(&[0, 0, 0xff, 0xff]) {
                    return None;
                }
                let input = std::mem::take(buf);
                let mut out = Vec::new();
                let mut chunk = vec![0u8; 1 << 16];
                let mut pos = 0;
                loop {
                    let r = inflate(state, &input[pos..], &mut chunk, MZFlush::Sync);
                    match r.status {
                        Ok(_) => {}
                        Err(miniz_oxide::MZError::Buf) if r.bytes_written == 0 => break,
                        Err(e) => panic!("inflate failed: {e:?}"),
                    }
                    pos += r.bytes_consumed;
                    out.extend_from_slice(&chunk[..r.bytes_written]);
                    if pos == input.len() && r.bytes_written < chunk.len() {
                        break;
                    }
                }
                out
            }
            Inflater::Zstd(dec) => {
                use zstd::stream::raw::{InBuffer, Operation, OutBuffer};
                let mut out = Vec::new();
                let mut chunk = vec![0u8; 1 << 16];
                let mut input = InBuffer::around(bytes);
                loop {
                    let mut output = OutBuffer::around(&mut chunk[..]);
                    dec.run(&mut input, &mut output).expect("zstd ok");
                    let n = output.pos();
                    out.extend_from_slice(&chunk[..n]);
                    if input.pos() == bytes.len() && n < chunk.len() {
                        break;
                    }
                }
                out
            }
        };
        Some(serde_json::from_slice(&text).expect("payload is JSON"))
    }

    /// The next payload or the close, skipping nothing.
    pub async fn next(&mut self) -> Got {
        loop {
            let msg = tokio::time::timeout(WAIT, self.ws.next())
                .await
                .expect("a frame arrives in time");
            let payload = match msg {
                Some(Ok(Message::Text(t))) => {
                    self.frames_received += 1;
                    self.decode(t.as_bytes())
                }
                Some(Ok(Message::Binary(b))) => {
                    self.frames_received += 1;
                    self.decode(&b)
                }
                Some(Ok(Message::Close(f))) => return Got::Closed(f.map(|f| u16::from(f.code))),
                Some(Ok(_)) => None,
                Some(Err(_)) | None => return Got::Closed(None),
            };
            if let Some(v) = payload {
                if let Some(s) = v.get("s").and_then(Value::as_u64) {
                    self.seq = Some(s);
                }
                return Got::Payload(v);
            }
        }
    }

    pub async fn payload(&mut self) -> Value {
        match self.next().await {
            Got::Payload(v) => v,
            Got::Closed(c) => panic!("expected a payload, connection closed with {c:?}"),
        }
    }

    /// Reads until the connection closes and returns the close code; payloads are skipped.
    pub async fn closed(&mut self) -> Option<u16> {
        loop {
            if let Got::Closed(c) = self.next().await {
                return c;
            }
        }
    }

    /// Reads until a payload with `op` arrives (skipping others).
    pub async fn until_op(&mut self, op: u64) -> Value {
        loop {
            let v = self.payload().await;
            if v["op"] == op {
                return v;
            }
        }
    }

    /// Reads until dispatch `t` arrives (skipping others).
    pub async fn until_dispatch(&mut self, t: &str) -> Value {
        loop {
            let v = self.payload().await;
            if v["op"] == 0 && v["t"] == t {
                return v;
            }
        }
    }

    /// Reads Hello and returns its interval in ms.
    pub async fn hello(&mut self) -> u64 {
        let v = self.payload().await;
        assert_eq!(v["op"], 10, "first payload is Hello: {v}");
        v["d"]["heartbeat_interval"].as_u64().expect("interval")
    }

    pub async fn identify_with(&mut self, d: Value) {
        self.send(json!({"op": 2, "d": d})).await;
    }

    /// Sends a valid Identify with these intents and optional shard.
    pub async fn identify(&mut self, intents: u64, shard: Option<[u32; 2]>) {
        self.identify_with(identify_d(intents, shard)).await;
    }

    /// Hello + Identify + READY; returns READY's `d`.
    pub async fn ready(&mut self, intents: u64, shard: Option<[u32; 2]>) -> Value {
        self.hello().await;
        self.identify(intents, shard).await;
        let ready = self.until_dispatch("READY").await;
        ready["d"].clone()
    }

    pub async fn heartbeat(&mut self) {
        let seq = self.seq;
        self.send(json!({"op": 1, "d": seq})).await;
    }

    pub async fn resume(&mut self, session_id: &str, seq: u64) {
        self.send(json!({"op": 6, "d": {"token": TOKEN, "session_id": session_id, "seq": seq}}))
            .await;
    }
}

pub fn identify_d(intents: u64, shard: Option<[u32; 2]>) -> Value {
    let mut d = json!({"token": TOKEN, "intents": intents,
                       "properties": {"os": "linux", "browser": "sim-test", "device": "sim-test"}});
    if let Some(s) = shard {
        d["shard"] = json!(s);
    }
    d
}

/// GUILDS | GUILD_MESSAGES | MESSAGE_CONTENT.
pub const BASIC: u64 = 1 | 512 | 32768;

/// GET `path` over HTTP with an optional Authorization header; returns (status, JSON body).
pub async fn http_get(sim: &Simulator, path: &str, auth: Option<&str>) -> (u16, Value) {
    use http_body_util::{BodyExt, Empty};
    use hyper::body::Bytes;
    let tcp = tokio::net::TcpStream::connect(sim.addr())
        .await
        .expect("tcp");
    let (mut sender, conn) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(tcp))
            .await
            .expect("http handshake");
    tokio::spawn(conn);
    let mut req = hyper::Request::get(path).header("host", sim.addr().to_string());
    if let Some(a) = auth {
        req = req.header("authorization", a);
    }
    let res = sender
        .send_request(req.body(Empty::<Bytes>::new()).expect("request"))
        .await
        .expect("response");
    let status = res.status().as_u16();
    let body = res.into_body().collect().await.expect("body").to_bytes();
    (status, serde_json::from_slice(&body).expect("JSON body"))
}
