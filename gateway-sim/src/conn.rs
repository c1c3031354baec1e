//! One websocket connection, from Hello to close: the task that reads client frames, applies the
//! gateway's per-connection rules (heartbeat ACKs and timeout, command limit, payload size,
//! Identify, Resume, commands) and writes payloads, compressed as negotiated, with the faults the
//! simulator was told to inject.
//!
//! "What happens when frame X arrives on a connection in state Y" is answered in this file (see
//! [`Conn::on_frame`]). Session bookkeeping and sequence numbers live in `state.rs`; the rules for
//! a payload's shape live in `validate.rs`.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_tungstenite::tungstenite::protocol::frame::coding::{CloseCode, Data, OpCode};
use async_tungstenite::tungstenite::protocol::frame::{CloseFrame, Frame};
use async_tungstenite::tungstenite::{Error as WsError, Message};
use async_tungstenite::WebSocketStream;
use futures_util::{AsyncRead, AsyncWrite, SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::sync::mpsc;

use crate::commands::{self, Answer};
use crate::compress::{Compression, Compressor};
use crate::limits::CommandWindow;
use crate::log::{Closer, ConnId, Event};
use crate::protocol::{close, op};
use crate::state::{Control, Outgoing, Session, Shared};
use crate::validate::{self, Reject};
use crate::world;

/// Connection parameters taken from the upgrade request.
pub(crate) struct Params {
    pub path: String,
    pub query: String,
    pub compression: Compression,
    /// A problem with the query that closes the connection right away (4012, 4002).
    pub reject: Option<Reject>,
}

impl Params {
    /// Reads `v`, `encoding` and `compress` from the raw query (protocol.md §1.2).
    pub(crate) fn parse(path: &str, query: &str) -> Self {
        let get = |key: &str| {
            query
                .split('&')
                .filter_map(|kv| kv.split_once('=').or(Some((kv, ""))))
                .find(|(k, _)| *k == key)
                .map(|(_, v)| v)
        };
        let reject = match (get("v"), get("encoding")) {
            (v, _) if v != Some("10") => Some(Reject(
                close::INVALID_API_VERSION,
                format!("invalid API version {}", v.unwrap_or("(none)")),
            )),
            (_, Some(e)) if e != "json" => Some(Reject(
                close::DECODE_ERROR,
                format!("encoding {e} is not supported by the simulator"),
            )),
            _ => None,
        };
        // Unknown `compress` values are ignored, leaving the connection uncompressed.
        let compression = Compression::from_query(get("compress")).unwrap_or(Compression::None);
        Self {
            path: path.to_owned(),
            query: query.to_owned(),
            compression,
            reject,
        }
    }

    fn is_resume_path(&self) -> bool {
        self.path.trim_end_matches('/') == "/resume"
    }
}

/// How the connection ended, for the session's sake.
enum End {
    /// Keep the session resumable.
    Keep,
    /// The client closed with 1000/1001: invalidate its session.
    Invalidate,
}

/// Outcome of handling one input.
type Flow = Result<(), End>;

struct Conn<S> {
    id: ConnId,
    shared: Arc<Shared>,
    ws: WebSocketStream<S>,
    params: Params,
    compressor: Compressor,
    backlog: Arc<std::sync::atomic::AtomicUsize>,
    split: usize,
    withhold_acks: bool,
    session: Option<String>,
    window: CommandWindow,
    heartbeat_deadline: Instant,
    read_paused_until: Option<Instant>,
    reconnect_close_at: Option<Instant>,
}

/// Runs a connection until it ends.
pub(crate) async fn run<S>(shared: Arc<Shared>, ws: WebSocketStream<S>, params: Params)
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let (tx, mut rx) = mpsc::unbounded_channel();
    let (id, backlog) = shared.lock().register_conn(tx);
    shared.log.push(
        id,
        Event::Opened {
            path: params.path.clone(),
            query: params.query.clone(),
        },
    );
    let cfg = &shared.cfg;
    let compressor = match Compressor::new(params.compression) {
        Ok(c) => c,
        Err(e) => {
            shared.log.push(
                id,
                Event::Closed {
                    code: None,
                    reason: e.0,
                    by: Closer::ServerDropped,
                },
            );
            shared.lock().unregister_conn(id, false, Instant::now());
            return;
        }
    };
    let mut conn = Conn {
        id,
        window: CommandWindow::new(cfg.command_limit, cfg.command_window),
        heartbeat_deadline: Instant::now() + cfg.heartbeat_interval + cfg.heartbeat_grace,
        split: cfg.compress_split.max(1),
        shared: shared.clone(),
        ws,
        params,
        compressor,
        backlog,
        withhold_acks: false,
        session: None,
        read_paused_until: None,
        reconnect_close_at: None,
    };
    let end = conn.drive(&mut rx).await;
    shared
        .lock()
        .unregister_conn(id, matches!(end, End::Invalidate), Instant::now());
}

impl<S> Conn<S>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    async fn drive(&mut self, rx: &mut mpsc::UnboundedReceiver<Control>) -> End {
        if let Some(Reject(code, reason)) = self.params.reject.take() {
            return self.close(code, &reason).await.err().unwrap_or(End::Keep);
        }
        let hello = json!({"heartbeat_interval": self.shared.cfg.heartbeat_interval.as_millis() as u64,
                           "_trace": ["[\"gateway-sim\",{\"micros\":0.0}]"]});
        if let Err(end) = self.send(Outgoing::op(op::HELLO, hello)).await {
            return end;
        }
        loop {
            let far = Instant::now() + Duration::from_secs(86_400);
            let pause_end = self.read_paused_until;
            let reconnect_at = self.reconnect_close_at;
            let flow = tokio::select! {
                ctl = rx.recv() => match ctl {
                    Some(c) => self.on_control(c).await,
                    None => Err(End::Keep),
                },
                () = tokio::time::sleep_until(self.heartbeat_deadline.into()) => {
                    self.close(self.shared.cfg.heartbeat_timeout_code, "heartbeat timed out").await
                }
                () = tokio::time::sleep_until(pause_end.unwrap_or(far).into()), if pause_end.is_some() => {
                    self.read_paused_until = None;
                    Ok(())
                }
                () = tokio::time::sleep_until(reconnect_at.unwrap_or(far).into()), if reconnect_at.is_some() => {
                    self.close(close::UNKNOWN_ERROR, "reconnect").await
                }
                msg = self.ws.next(), if pause_end.is_none() => self.on_message(msg).await,
            };
            if let Err(end) = flow {
                return end;
            }
        }
    }

    // ----- client input -----

    async fn on_message(&mut self, msg: Option<Result<Message, WsError>>) -> Flow {
        match msg {
            Some(Ok(Message::Text(t))) => self.on_frame(t.as_bytes()).await,
            Some(Ok(Message::Binary(b))) => self.on_frame(&b).await,
            Some(Ok(Message::Close(frame))) => {
                let code = frame.as_ref().map(|f| u16::from(f.code));
                let reason = frame.map(|f| f.reason.to_string()).unwrap_or_default();
                let end = self.ended(code, reason, Closer::Client);
                // tungstenite queued the close reply; flushing sends it.
                let _ = self.ws.flush().await;
                Err(end)
            }
            Some(Ok(_)) => Ok(()),
            Some(Err(WsError::Capacity(e))) => {
                self.close(close::DECODE_ERROR, &format!("frame too large: {e}"))
                    .await
            }
            Some(Err(e)) => self.dropped(&e.to_string()),
            None => self.dropped("connection closed without a close frame"),
        }
    }

    fn dropped(&mut self, reason: &str) -> Flow {
        Err(self.ended(None, reason.to_owned(), Closer::ClientDropped))
    }

    /// Records the end of the connection and takes it out of the live set at once, so that the
    /// log and [`crate::Simulator::connections`] agree as soon as the close is decided. A client
    /// close with 1000/1001 invalidates the session (§5.4); every other end keeps it resumable.
    fn ended(&mut self, code: Option<u16>, reason: String, by: Closer) -> End {
        let invalidate =
            by == Closer::Client && matches!(code, Some(close::NORMAL | close::GOING_AWAY));
        self.shared
            .lock()
            .unregister_conn(self.id, invalidate, Instant::now());
        self.shared
            .log
            .push(self.id, Event::Closed { code, reason, by });
        if invalidate {
            End::Invalidate
        } else {
            End::Keep
        }
    }

    /// The gateway's rules for one data frame, in the order the checks apply.
    async fn on_frame(&mut self, bytes: &[u8]) -> Flow {
        let parsed = validate::parse(bytes);
        let event = match &parsed {
            Ok(v) => Event::Received(v.clone()),
            Err(_) => Event::ReceivedInvalid(String::from_utf8_lossy(bytes).into_owned()),
        };
        self.shared.log.push(self.id, event);
        if !self.window.admit(Instant::now()) {
            return self
                .close(close::RATE_LIMITED, "you are being rate limited")
                .await;
        }
        let checked = validate::size(bytes.len())
            .and(parsed)
            .and_then(|v| validate::envelope(&v));
        let frame = match checked {
            Ok(f) => f,
            Err(Reject(code, reason)) => return self.close(code, &reason).await,
        };
        let result = match frame.op {
            op::HEARTBEAT => self.on_heartbeat(&frame.d).await,
            op::IDENTIFY if self.session.is_some() => {
                return self
                    .close(close::ALREADY_AUTHENTICATED, "already authenticated")
                    .await
            }
            op::RESUME if self.session.is_some() => {
                return self
                    .close(close::ALREADY_AUTHENTICATED, "already authenticated")
                    .await
            }
            op::IDENTIFY => self.on_identify(&frame.d).await,
            op::RESUME => self.on_resume(&frame.d).await,
            _ if self.session.is_none() => {
                return self
                    .close(close::NOT_AUTHENTICATED, "not authenticated")
                    .await
            }
            other => self.on_command(other, &frame.d),
        };
        match result {
            Ok(flow) => flow,
            Err(Reject(code, reason)) => self.close(code, &reason).await,
        }
    }

    async fn on_heartbeat(&mut self, d: &Value) -> Result<Flow, Reject> {
        validate::heartbeat(d)?;
        let cfg = &self.shared.cfg;
        self.heartbeat_deadline = Instant::now() + cfg.heartbeat_interval + cfg.heartbeat_grace;
        if self.withhold_acks {
            return Ok(Ok(()));
        }
        Ok(self
            .send(Outgoing::op(op::HEARTBEAT_ACK, Value::Null))
            .await)
    }

    async fn invalid_session(&mut self, resumable: bool, reason: &str) -> Flow {
        self.shared.log.push(
            self.id,
            Event::InvalidSession {
                resumable,
                reason: reason.to_owned(),
            },
        );
        self.send(Outgoing::op(op::INVALID_SESSION, json!(resumable)))
            .await?;
        if self.shared.cfg.close_after_invalid_session {
            return self.close(close::NOT_AUTHENTICATED, reason).await;
        }
        Ok(())
    }

    async fn on_identify(&mut self, d: &Value) -> Result<Flow, Reject> {
        let cfg = &self.shared.cfg;
        let ident = validate::identify(d, &cfg.token, cfg.enabled_privileged_intents)?;
        match self.start_session(&ident)? {
            Ok(session_id) => {
                let shard = ident.shard.unwrap_or([0, 1]);
                let event = Event::Identified {
                    session_id: session_id.clone(),
                    shard,
                    intents: ident.intents,
                };
                self.shared.log.push(self.id, event);
                self.session = Some(session_id);
                Ok(Ok(()))
            }
            Err(reason) => Ok(self.invalid_session(false, &reason).await),
        }
    }

    /// Creates the session and queues READY and the GUILD_CREATEs (protocol.md §15.4).
    /// `Ok(Err(reason))` means "answer with op 9".
    fn start_session(&self, ident: &validate::Identify) -> Result<Result<String, String>, Reject> {
        let shared = &self.shared;
        let cfg = &shared.cfg;
        let shard = ident.shard.unwrap_or([0, 1]);
        let now = Instant::now();
        let mut st = shared.lock();
        let guilds = st.traffic.guilds_for_shard(shard);
        if guilds.len() > cfg.max_guilds_per_shard {
            return Err(Reject(
                close::SHARDING_REQUIRED,
                "sharding required".to_owned(),
            ));
        }
        if let Err(wait) =
            st.buckets
                .try_take(shard[0], cfg.max_concurrency, cfg.identify_window, now)
        {
            let bucket = shard[0] % cfg.max_concurrency.max(1);
            return Ok(Err(format!("identify bucket {bucket} busy for {wait:?}")));
        }
        if !st.starts.take(now) {
            return Err(Reject(
                close::AUTHENTICATION_FAILED,
                "session start limit exhausted".to_owned(),
            ));
        }
        st.expire_sessions(cfg.session_lifetime, now);
        let session_id = st.hex_id();
        let session = Session {
            shard,
            intents: ident.intents,
            large_threshold: ident.large_threshold,
            seq: 0,
            replay: Default::default(),
            conn: Some(self.id),
            detached_at: None,
        };
        st.sessions.insert(session_id.clone(), session);
        if let Some(entry) = st.conns.get_mut(&self.id) {
            entry.session = Some(session_id.clone());
            entry.shard = Some(shard);
        }
        let bot = st.traffic.bot_user();
        let bot_id = st.traffic.bot_user_id();
        let unavailable: Vec<Value> = guilds
            .iter()
            .map(|g| json!({"id": g.to_string(), "unavailable": true}))
            .collect();
        let mut ready = json!({
            "v": 10, "user": bot, "guilds": unavailable, "session_id": session_id,
            "resume_gateway_url": shared.resume_url(),
            "application": {"id": bot_id.to_string(), "flags": application_flags(cfg.enabled_privileged_intents)},
            "session_type": "normal", "private_channels": [], "presences": [], "relationships": [],
            "guild_join_requests": [], "user_settings": {}, "geo_ordered_rtc_regions": ["sim"],
            "_trace": ["[\"gateway-sim\",{\"micros\":0.0}]"],
        });
        if let Some(s) = ident.shard {
            ready["shard"] = json!(s);
        }
        st.dispatch(&session_id, "READY", ready, cfg.replay_capacity);
        if world::allowed("GUILD_CREATE", true, ident.intents) {
            for g in guilds {
                let d = st
                    .traffic
                    .guild_create(g, ident.large_threshold, ident.intents);
                st.dispatch(&session_id, "GUILD_CREATE", d, cfg.replay_capacity);
            }
        }
        Ok(Ok(session_id))
    }

    async fn on_resume(&mut self, d: &Value) -> Result<Flow, Reject> {
        let req = validate::resume(d)?;
        if !self.params.is_resume_path() {
            return Ok(self
                .invalid_session(false, "resume is only accepted on resume_gateway_url")
                .await);
        }
        if req.token != self.shared.cfg.token {
            return Err(Reject(
                close::AUTHENTICATION_FAILED,
                "authentication failed".to_owned(),
            ));
        }
        match self.resume_session(&req)? {
            Some(replayed) => {
                let event = Event::Resumed {
                    session_id: req.session_id.clone(),
                    seq: req.seq,
                    replayed,
                };
                self.shared.log.push(self.id, event);
                self.session = Some(req.session_id);
                Ok(Ok(()))
            }
            None => Ok(self
                .invalid_session(false, "unknown or expired session")
                .await),
        }
    }

    /// Attaches the session, queues the missed dispatches and RESUMED (protocol.md §15.6).
    /// `Ok(None)`: unknown or expired session (op 9); `Ok(Some(n))`: `n` dispatches replayed.
    fn resume_session(&self, req: &validate::Resume) -> Result<Option<usize>, Reject> {
        let cfg = &self.shared.cfg;
        let now = Instant::now();
        let mut st = self.shared.lock();
        st.expire_sessions(cfg.session_lifetime, now);
        let Some(session) = st.sessions.get_mut(&req.session_id) else {
            return Ok(None);
        };
        let first_kept = session.replay.front().map_or(session.seq + 1, |(s, _)| *s);
        if req.seq > session.seq || req.seq.saturating_add(1) < first_kept {
            return Err(Reject(close::INVALID_SEQ, "invalid seq".to_owned()));
        }
        let previous = session.conn.replace(self.id);
        session.detached_at = None;
        let shard = session.shard;
        let replay: Vec<Outgoing> = session
            .replay
            .iter()
            .filter(|(s, _)| *s > req.seq)
            .map(|(_, o)| o.clone())
            .collect();
        if let Some(old) = previous.filter(|old| *old != self.id) {
            let reason = "session resumed elsewhere".to_owned();
            st.send_control(
                old,
                Control::Close {
                    code: close::UNKNOWN_ERROR,
                    reason,
                },
            );
        }
        if let Some(entry) = st.conns.get_mut(&self.id) {
            entry.session = Some(req.session_id.clone());
            entry.shard = Some(shard);
        }
        let replayed = replay.len();
        for out in replay {
            st.send_control(self.id, Control::Send(out));
        }
        let trace = json!({"_trace": ["[\"gateway-sim\",{\"micros\":0.0}]"]});
        st.dispatch(&req.session_id, "RESUMED", trace, cfg.replay_capacity);
        Ok(Some(replayed))
    }

    /// Commands after Identify/Resume (ops 3, 4, 8, 31, 43).
    fn on_command(&mut self, code: u64, d: &Value) -> Result<Flow, Reject> {
        let shared = self.shared.clone();
        let cfg = &shared.cfg;
        let Some(sid) = self.session.clone() else {
            return Ok(Ok(()));
        };
        let now = Instant::now();
        let mut st = shared.lock();
        let Some(intents) = st.sessions.get(&sid).map(|s| s.intents) else {
            return Ok(Ok(()));
        };
        let answer = match code {
            op::PRESENCE_UPDATE => {
                validate::presence(d)?;
                return Ok(Ok(()));
            }
            op::VOICE_STATE_UPDATE => commands::voice_state(&mut st, validate::voice_state(d)?),
            op::REQUEST_GUILD_MEMBERS => {
                commands::request_members(&mut st, cfg, intents, validate::request_members(d)?, now)
            }
            op::REQUEST_SOUNDBOARD_SOUNDS => commands::soundboard(&st, &validate::soundboard(d)?),
            op::REQUEST_CHANNEL_INFO => {
                let (guild, fields) = validate::channel_info(d)?;
                commands::channel_info(&st, guild, &fields)
            }
            other => {
                return Err(Reject(
                    close::UNKNOWN_OPCODE,
                    format!("unknown opcode {other}"),
                ))
            }
        };
        match answer {
            Answer::Dispatches(list) => {
                for (t, d) in list {
                    if world::allowed(t, true, intents) {
                        st.dispatch(&sid, t, d, cfg.replay_capacity);
                    }
                }
            }
            Answer::Ignored(reason) => {
                drop(st);
                self.shared.log.push(self.id, Event::Ignored(reason));
            }
        }
        Ok(Ok(()))
    }

    // ----- control from the simulator -----

    async fn on_control(&mut self, c: Control) -> Flow {
        let log = self.shared.log.clone();
        match c {
            Control::Send(out) => {
                let r = self.send(out).await;
                let left = self
                    .backlog
                    .fetch_sub(1, Ordering::Relaxed)
                    .saturating_sub(1);
                if left < crate::sim::PACE_HIGH / 2 {
                    self.shared.drained.notify_waiters();
                }
                r
            }
            Control::Close { code, reason } => {
                log.push(self.id, Event::Fault(format!("close with {code}")));
                self.close(code, &reason).await
            }
            Control::Drop => Err(self.ended(
                None,
                "dropped by the simulator".to_owned(),
                Closer::ServerDropped,
            )),
            Control::WithholdAcks(on) => {
                log.push(self.id, Event::Fault(format!("withhold acks: {on}")));
                self.withhold_acks = on;
                Ok(())
            }
            Control::SplitFrames(n) => {
                log.push(self.id, Event::Fault(format!("split frames: {n}")));
                self.split = n.max(1);
                Ok(())
            }
            Control::StopReading(d) => {
                log.push(self.id, Event::Fault(format!("stop reading for {d:?}")));
                let now = Instant::now();
                self.read_paused_until = Some(now + d);
                // Heartbeats queued while not reading must not count as late.
                self.heartbeat_deadline = self.heartbeat_deadline.max(now) + d;
                Ok(())
            }
            Control::RawText(t) => {
                log.push(self.id, Event::Fault("raw text".to_owned()));
                self.write(Message::text(t)).await
            }
            Control::RawBinary(b) => {
                log.push(self.id, Event::Fault("raw binary".to_owned()));
                self.write(Message::binary(b)).await
            }
            Control::Bomb(size) => {
                log.push(
                    self.id,
                    Event::Fault(format!("decompression bomb of {size} bytes")),
                );
                self.bomb(size).await
            }
            Control::Reconnect => {
                log.push(self.id, Event::Fault("reconnect".to_owned()));
                if let Some(after) = self.shared.cfg.reconnect_close_after {
                    self.reconnect_close_at = Some(Instant::now() + after);
                }
                self.send(Outgoing::op(op::RECONNECT, Value::Null)).await
            }
            Control::RequestHeartbeat => {
                log.push(self.id, Event::Fault("heartbeat request".to_owned()));
                self.send(Outgoing::op(op::HEARTBEAT, Value::Null)).await
            }
            Control::InvalidSession(resumable) => {
                if !resumable {
                    if let Some(sid) = self.session.take() {
                        let mut st = self.shared.lock();
                        st.sessions.remove(&sid);
                        if let Some(entry) = st.conns.get_mut(&self.id) {
                            entry.session = None;
                            entry.shard = None;
                        }
                    }
                }
                log.push(
                    self.id,
                    Event::InvalidSession {
                        resumable,
                        reason: "injected".to_owned(),
                    },
                );
                self.send(Outgoing::op(op::INVALID_SESSION, json!(resumable)))
                    .await
            }
        }
    }

    // ----- output -----

    async fn write(&mut self, msg: Message) -> Flow {
        match self.ws.send(msg).await {
            Ok(()) => Ok(()),
            Err(e) => self.dropped(&format!("write failed: {e}")),
        }
    }

    /// Sends one gateway payload: compressed and possibly split as configured.
    async fn send(&mut self, out: Outgoing) -> Flow {
        self.shared.log.push(
            self.id,
            Event::Sent {
                op: out.op,
                t: out.t,
                s: out.s,
            },
        );
        let bytes = match self.compressor.message(out.text.as_bytes()) {
            Ok(b) => b,
            Err(e) => return self.dropped(&format!("compression failed: {}", e.0)),
        };
        self.send_bytes(bytes).await
    }

    async fn send_bytes(&mut self, bytes: Vec<u8>) -> Flow {
        let binary = self.compressor.is_binary();
        let parts = self.split.min(bytes.len().max(1));
        if parts <= 1 {
            return self
                .write(if binary {
                    Message::binary(bytes)
                } else {
                    fragment_text(bytes)
                })
                .await;
        }
        let size = bytes.len().div_ceil(parts);
        if self.params.compression == Compression::ZlibStream {
            // zlib-stream allows one message over several websocket messages (§9.2).
            for chunk in bytes.chunks(size) {
                self.write(Message::binary(chunk.to_vec())).await?;
            }
            return Ok(());
        }
        // Otherwise split one websocket message into continuation frames.
        let first = if binary { Data::Binary } else { Data::Text };
        let chunks: Vec<&[u8]> = bytes.chunks(size).collect();
        let last = chunks.len() - 1;
        for (i, chunk) in chunks.into_iter().enumerate() {
            let opcode = OpCode::Data(if i == 0 { first } else { Data::Continue });
            if let Err(e) = self
                .ws
                .feed(Message::Frame(Frame::message(
                    chunk.to_vec(),
                    opcode,
                    i == last,
                )))
                .await
            {
                return self.dropped(&format!("write failed: {e}"));
            }
        }
        match self.ws.flush().await {
            Ok(()) => Ok(()),
            Err(e) => self.dropped(&format!("write failed: {e}")),
        }
    }

    async fn bomb(&mut self, size: usize) -> Flow {
        let head = br#"{"t":"BOMB","s":null,"op":0,"d":""#;
        let mut out = Vec::new();
        let filler = vec![b'a'; 1 << 20];
        let feed = |c: &mut Compressor, data: &[u8], out: &mut Vec<u8>| c.feed(data, false, out);
        let mut result = feed(&mut self.compressor, head, &mut out);
        let mut left = size;
        while left > 0 && result.is_ok() {
            let n = left.min(filler.len());
            result = feed(&mut self.compressor, &filler[..n], &mut out);
            left -= n;
        }
        let result = result
            .and_then(|()| feed(&mut self.compressor, br#""}"#, &mut out))
            .and_then(|()| self.compressor.flush(&mut out));
        match result {
            Ok(()) => self.send_bytes(out).await,
            Err(e) => self.dropped(&format!("compression failed: {}", e.0)),
        }
    }

    /// Sends a close frame, waits briefly for the client's reply and ends the connection. The
    /// session stays resumable.
    async fn close(&mut self, code: u16, reason: &str) -> Flow {
        let end = self.ended(Some(code), reason.to_owned(), Closer::Server);
        let frame = CloseFrame {
            code: CloseCode::from(code),
            reason: reason.into(),
        };
        if self.ws.close(Some(frame)).await.is_ok() {
            let _ = tokio::time::timeout(Duration::from_secs(1), async {
                while let Some(Ok(_)) = self.ws.next().await {}
            })
            .await;
        }
        Err(end)
    }
}

/// A whole text message (the uncompressed path); invalid UTF-8 cannot occur for our payloads,
/// but falls back to binary rather than panicking.
fn fragment_text(bytes: Vec<u8>) -> Message {
    match String::from_utf8(bytes) {
        Ok(s) => Message::text(s),
        Err(e) => Message::binary(e.into_bytes()),
    }
}

/// READY's `application.flags`: the *_LIMITED flags of the enabled privileged intents
/// (protocol.md §10: GATEWAY_PRESENCE_LIMITED 1<<13, GUILD_MEMBERS_LIMITED 1<<15,
/// MESSAGE_CONTENT_LIMITED 1<<19).
fn application_flags(enabled_privileged: u64) -> u64 {
    let mut flags = 0;
    if enabled_privileged & (1 << 8) != 0 {
        flags |= 1 << 13;
    }
    if enabled_privileged & (1 << 1) != 0 {
        flags |= 1 << 15;
    }
    if enabled_privileged & (1 << 15) != 0 {
        flags |= 1 << 19;
    }
    flags
}
