//! The public handle of a running simulator: start it, get its URLs, inject faults into
//! connections, push events, read its log. Every method here only sends instructions to the
//! connection tasks or reads shared state; the protocol behaviour itself lives in `conn.rs`.

use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::config::{EventRate, SimConfig};
use crate::log::{lock, ConnId, Log, ReceivedFrame};
use crate::state::{Control, Shared, State, Target};

/// A running gateway simulator bound to a loopback port.
///
/// Method kinds:
/// - addresses: [`url`](Self::url), [`resume_url`](Self::resume_url), [`http_url`](Self::http_url);
/// - faults, addressed by [`Target`] (a [`ConnId`] converts into one): each returns how many live
///   connections it reached;
/// - traffic: [`dispatch`](Self::dispatch), [`emit_events`](Self::emit_events),
///   [`start_events`](Self::start_events), [`stop_events`](Self::stop_events);
/// - observation: [`log`](Self::log) (with async `wait_*` helpers), [`frames`](Self::frames),
///   [`connections`](Self::connections).
///
/// Dropping the handle stops the listener and drops every connection.
pub struct Simulator {
    shared: Arc<Shared>,
    accept: JoinHandle<()>,
    pump: Mutex<Option<JoinHandle<()>>>,
}

/// A live connection as seen by [`Simulator::connections`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnInfo {
    /// Connection id (as in the log).
    pub id: ConnId,
    /// Session attached by Identify or Resume.
    pub session_id: Option<String>,
    /// `[shard_id, num_shards]` of that session.
    pub shard: Option<[u32; 2]>,
    /// Payloads queued for it but not yet written.
    pub backlog: usize,
}

impl Simulator {
    /// Binds `config.bind` (default `127.0.0.1:0`) and starts serving.
    pub async fn start(config: SimConfig) -> std::io::Result<Self> {
        let listener = TcpListener::bind(config.bind).await?;
        let addr = listener.local_addr()?;
        let rate = config.event_rate;
        let state = State::new(&config, Instant::now());
        let shared = Arc::new(Shared {
            cfg: config,
            log: Log::new(),
            addr,
            state: Mutex::new(state),
            drained: tokio::sync::Notify::new(),
        });
        let accept = tokio::spawn(crate::server::accept_loop(listener, shared.clone()));
        let sim = Self {
            shared,
            accept,
            pump: Mutex::new(None),
        };
        sim.start_events(rate);
        Ok(sim)
    }

    /// The gateway URL, `ws://127.0.0.1:PORT` (what `/gateway/bot` returns).
    pub fn url(&self) -> String {
        format!("ws://{}", self.shared.addr)
    }

    /// The resume URL READY carries, `ws://127.0.0.1:PORT/resume`. Resume is accepted only here.
    pub fn resume_url(&self) -> String {
        self.shared.resume_url()
    }

    /// The HTTP base, `http://127.0.0.1:PORT` (serves `/gateway/bot` and `/api/v10/gateway/bot`).
    pub fn http_url(&self) -> String {
        format!("http://{}", self.shared.addr)
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.shared.addr
    }

    /// The configuration it runs with.
    pub fn config(&self) -> &SimConfig {
        &self.shared.cfg
    }

    /// The log of everything that happened.
    pub fn log(&self) -> &Log {
        &self.shared.log
    }

    /// Every frame connection `conn` sent, parsed, with time, path and query.
    pub fn frames(&self, conn: ConnId) -> Vec<ReceivedFrame> {
        self.shared.log.frames(conn)
    }

    /// Live connections, in id order.
    pub fn connections(&self) -> Vec<ConnInfo> {
        let st = self.shared.lock();
        let mut v: Vec<_> = st
            .conns
            .iter()
            .map(|(id, c)| ConnInfo {
                id: *id,
                session_id: c.session.clone(),
                shard: c.shard,
                backlog: c.backlog.load(Ordering::Relaxed),
            })
            .collect();
        v.sort_by_key(|c| c.id);
        v
    }

    /// The last sequence number of a session, if it exists.
    pub fn session_seq(&self, session_id: &str) -> Option<u64> {
        self.shared.lock().sessions.get(session_id).map(|s| s.seq)
    }

    /// Guild ids routed to `[shard_id, num_shards]`.
    pub fn guilds_for_shard(&self, shard: [u32; 2]) -> Vec<u64> {
        self.shared.lock().traffic.guilds_for_shard(shard)
    }

    /// All guild ids of the world.
    pub fn guild_ids(&self) -> Vec<u64> {
        self.shared.lock().traffic.guild_ids()
    }

    /// Members of a guild as the world holds them.
    pub fn members(&self, guild_id: u64) -> Vec<Value> {
        self.shared.lock().traffic.members(guild_id)
    }

    /// Channels of a guild as the world holds them.
    pub fn channels(&self, guild_id: u64) -> Vec<Value> {
        self.shared.lock().traffic.channels(guild_id)
    }

    fn control(&self, target: Target, make: impl Fn() -> Control) -> usize {
        let st = self.shared.lock();
        st.targets(target)
            .into_iter()
            .filter(|id| st.send_control(*id, make()))
            .count()
    }

    /// Drops the TCP connection without a close frame. The session stays resumable.
    pub fn drop_connection(&self, target: impl Into<Target>) -> usize {
        self.control(target.into(), || Control::Drop)
    }

    /// Sends a close frame with `code` and ends the connection. The session stays resumable.
    pub fn close_with(&self, target: impl Into<Target>, code: u16) -> usize {
        self.control(target.into(), || Control::Close {
            code,
            reason: format!("closed by test ({code})"),
        })
    }

    /// Sends Reconnect (op 7); with [`SimConfig::reconnect_close_after`] set, closes with 4000
    /// after that delay unless the client closed first.
    pub fn send_reconnect(&self, target: impl Into<Target>) -> usize {
        self.control(target.into(), || Control::Reconnect)
    }

    /// Sends Invalid Session (op 9) with `d: resumable`; `false` also forgets the session.
    pub fn send_invalid_session(&self, target: impl Into<Target>, resumable: bool) -> usize {
        self.control(target.into(), || Control::InvalidSession(resumable))
    }

    /// Stops (or resumes) answering heartbeats with ACKs.
    pub fn withhold_acks(&self, target: impl Into<Target>, on: bool) -> usize {
        self.control(target.into(), || Control::WithholdAcks(on))
    }

    /// Sends op 1, asking for an immediate heartbeat.
    pub fn request_heartbeat(&self, target: impl Into<Target>) -> usize {
        self.control(target.into(), || Control::RequestHeartbeat)
    }

    /// Sends `text` as one text frame, bypassing compression (e.g. invalid JSON).
    pub fn send_raw_text(&self, target: impl Into<Target>, text: &str) -> usize {
        self.control(target.into(), || Control::RawText(text.to_owned()))
    }

    /// Sends `bytes` as one binary frame, bypassing compression (garbage, corrupt compressed
    /// data).
    pub fn send_raw_binary(&self, target: impl Into<Target>, bytes: &[u8]) -> usize {
        self.control(target.into(), || Control::RawBinary(bytes.to_vec()))
    }

    /// Sends one valid message of the connection's compression that inflates to about
    /// `inflated_size` bytes (uncompressed connections get a text frame that large).
    pub fn send_decompression_bomb(
        &self,
        target: impl Into<Target>,
        inflated_size: usize,
    ) -> usize {
        self.control(target.into(), || Control::Bomb(inflated_size))
    }

    /// Splits each following message into `n` frames: separate websocket messages for
    /// zlib-stream, continuation frames otherwise. `1` turns splitting off.
    pub fn split_frames(&self, target: impl Into<Target>, n: usize) -> usize {
        self.control(target.into(), || Control::SplitFrames(n))
    }

    /// Stops reading the client's frames for `duration` (writes continue); heartbeat deadlines
    /// are extended by the same amount.
    pub fn stop_reading(&self, target: impl Into<Target>, duration: Duration) -> usize {
        self.control(target.into(), || Control::StopReading(duration))
    }

    /// Injects a dispatch, routed like real traffic: by guild to its shard (shard 0 when
    /// `guild_id` is `None`), gated by intents, MESSAGE_CONTENT rule applied. Sessions without a
    /// connection buffer it for replay. Returns how many sessions got it.
    pub fn dispatch(&self, t: &str, guild_id: Option<u64>, d: Value) -> usize {
        self.shared
            .lock()
            .deliver_custom(t, guild_id, &d, &self.shared.cfg, Instant::now())
    }

    /// Generates `n` events from the seeded stream and routes each. Returns the number of
    /// dispatches sent (an event can reach zero or several sessions).
    pub fn emit_events(&self, n: usize) -> usize {
        emit(&self.shared, n)
    }

    /// Starts (or replaces) background event generation.
    pub fn start_events(&self, rate: EventRate) {
        let task = match rate {
            EventRate::Manual => None,
            rate => Some(tokio::spawn(pump(self.shared.clone(), rate))),
        };
        if let Some(old) = std::mem::replace(&mut *lock(&self.pump), task) {
            old.abort();
        }
    }

    /// Stops background event generation.
    pub fn stop_events(&self) {
        self.start_events(EventRate::Manual);
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        self.accept.abort();
        if let Some(p) = lock(&self.pump).take() {
            p.abort();
        }
        let st = self.shared.lock();
        for id in st.targets(Target::All) {
            st.send_control(id, Control::Drop);
        }
    }
}

fn emit(shared: &Shared, n: usize) -> usize {
    let now = Instant::now();
    let mut st = shared.lock();
    let mut sent = 0;
    for _ in 0..n {
        let ev = st.traffic.next_event();
        sent += st.deliver_generated(&ev, &shared.cfg, now);
    }
    sent
}

/// Backlog (queued, unwritten payloads) up to which "as fast as clients read" keeps generating.
pub(crate) const PACE_HIGH: usize = 64;

/// Background generation at a fixed rate, or paced by the clients' reading.
async fn pump(shared: Arc<Shared>, rate: EventRate) {
    match rate {
        EventRate::Manual => {}
        EventRate::PerSecond(r) => {
            let period = Duration::from_secs_f64(1.0 / r.clamp(0.001, 1_000_000.0));
            let mut tick = tokio::time::interval(period);
            loop {
                tick.tick().await;
                emit(&shared, 1);
            }
        }
        EventRate::AsFastAsClientsRead => loop {
            // Register for the wake-up before looking, so a drain in between is not missed.
            let drained = shared.drained.notified();
            tokio::pin!(drained);
            drained.as_mut().enable();
            let backlog = shared.lock().max_backlog();
            match backlog {
                Some(backlog) if backlog < PACE_HIGH => {
                    emit(&shared, PACE_HIGH - backlog);
                    tokio::task::yield_now().await;
                }
                // Nobody connected, or a client is behind: wait for progress (or re-check).
                _ => {
                    let _ = tokio::time::timeout(Duration::from_millis(50), drained).await;
                }
            }
        },
    }
}
