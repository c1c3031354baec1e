//! `tail`: stream a bot's gateway events to stdout.
//!
//! ```text
//! cargo run --release -p gateway-tokio --example tail -- [OPTIONS]
//!
//!   --url URL         gateway URL, ws:// or wss:// (default: what GET /gateway/bot says with
//!                     a token, else the embedded simulator)
//!   --token TOKEN     bot token (default: $DISCORD_TOKEN; with neither, start the embedded
//!                     simulator on loopback and use its token)
//!   --api URL         HTTP API base for GET /gateway/bot (default: Discord's with a token,
//!                     the embedded simulator's without one, none with --url)
//!   --intents LIST    a number, or names separated by commas (default: every
//!                     non-privileged intent)
//!   --shards N|auto   total shard count, or the count GET /gateway/bot recommends (default 1)
//!   --shard ID        run only this shard; repeatable (default: every shard)
//!   --compress MODE   none, zlib-stream or zstd-stream (default zlib-stream; zstd-stream
//!                     needs `--features zstd`)
//!   --events N        exit 0 after N dispatches other than READY and RESUMED
//!   --json            one JSON object a line instead of readable lines
//!   --commands        read gateway commands from stdin, one JSON payload a line; a top-level
//!                     "shard": N picks the shard (default 0) and is removed before sending
//!   --session FILE    resume from FILE if present; save every shard's session there on exit
//!   --stats SECONDS   every SECONDS, one line per shard on stderr: events/s, MB/s inflated,
//!                     heartbeat latency, reconnects (from the shard's statistics)
//! ```
//!
//! Exit status: 0 when `--events` is reached, when stdin ends under `--commands` and every
//! command was sent, or on Ctrl-C; 1 after a fatal error or an unreadable session file;
//! 2 for a bad command line. Logs go to stderr, filtered by `RUST_LOG`; tungstenite is held at
//! debug whatever `RUST_LOG` says, as its trace lines print every frame written, the token
//! of Identify among them.
//!
//! Every shard is started from one `GET /gateway/bot` answer (identify buckets and session-start
//! budget shared through one queue) and read through one fair `ShardStream`; on exit they are
//! closed together and, with `--session`, their sessions saved for the next run to resume.
//!
//! This file owns the command line, the output formats and the session file; the gateway is
//! entirely gateway-tokio's.

use futures_util::StreamExt;
use gateway_sim::{EventRate, SimConfig, Simulator};
use gateway_tokio::{
    proto::{config::DISCORD_GATEWAY_URL, gateway_bot::DISCORD_API_BASE, queue::IDENTIFY_WINDOW},
    start_with, CloseFrame, Compression, Config, Event, GatewayApi, GatewayBot, Intents,
    SavedSessions, SessionStartLimits, Shard, ShardId, ShardStream, StartError, Statistics, Token,
};
use serde_json::{json, Map, Value};
use std::{
    collections::BTreeMap,
    ffi::OsString,
    future::Future,
    io::Write,
    path::PathBuf,
    pin::pin,
    process::ExitCode,
    time::{Duration, Instant},
};
use tokio::io::{AsyncBufRead, AsyncBufReadExt};

/// The fields of the JSON lines after `shard` and `kind`, in the order they are written.
const FIELD_ORDER: [&str; 8] = [
    "heartbeat_interval",
    "session_id",
    "t",
    "s",
    "resumable",
    "code",
    "fatal",
    "message",
];

/// Exit status for a bad command line.
const USAGE: u8 = 2;
/// Exit status after a fatal error.
const FATAL: u8 = 1;

/// `--shards`: a count, or what `GET /gateway/bot` recommends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shards {
    Count(u32),
    Auto,
}

/// The shard count the embedded simulator recommends for `--shards auto`.
const SIMULATOR_SHARDS: u32 = 4;

/// The command line, checked.
#[derive(Debug)]
struct Args {
    url: Option<String>,
    token: Option<String>,
    api: Option<String>,
    intents: Intents,
    shards: Shards,
    /// The shards to run; empty for all of them.
    only: Vec<u32>,
    compression: Compression,
    events: Option<u64>,
    json: bool,
    commands: bool,
    session: Option<PathBuf>,
    stats: Option<Duration>,
}

fn parse_args(args: impl IntoIterator<Item = OsString>) -> Result<Args, String> {
    use lexopt::prelude::*;
    let mut parser = lexopt::Parser::from_args(args);
    let mut parsed = Args {
        url: None,
        token: None,
        api: None,
        intents: Intents::NON_PRIVILEGED,
        shards: Shards::Count(1),
        only: Vec::new(),
        compression: Compression::ZlibStream,
        events: None,
        json: false,
        commands: false,
        session: None,
        stats: None,
    };
    let text = |parser: &mut lexopt::Parser| -> Result<String, String> {
        let value = parser.value().map_err(|error| error.to_string())?;
        value
            .into_string()
            .map_err(|value| format!("{value:?} is not UTF-8"))
    };
    while let Some(arg) = parser.next().map_err(|error| error.to_string())? {
        match arg {
            Long("url") => parsed.url = Some(text(&mut parser)?),
            Long("token") => parsed.token = Some(text(&mut parser)?),
            Long("api") => parsed.api = Some(text(&mut parser)?),
            Long("intents") => {
                let list = text(&mut parser)?;
                parsed.intents = list
                    .parse()
                    .map_err(|error| format!("--intents {list}: {error}"))?;
            }
            Long("shards") => {
                parsed.shards = match text(&mut parser)?.as_str() {
                    "auto" => Shards::Auto,
                    count => Shards::Count(number(count, "--shards")?),
                }
            }
            Long("shard") => parsed.only.push(number(&text(&mut parser)?, "--shard")?),
            Long("compress") => {
                parsed.compression = match text(&mut parser)?.as_str() {
                    "none" => Compression::None,
                    "zlib-stream" => Compression::ZlibStream,
                    #[cfg(feature = "zstd")]
                    "zstd-stream" => Compression::ZstdStream,
                    #[cfg(not(feature = "zstd"))]
                    "zstd-stream" => {
                        return Err("--compress zstd-stream needs the zstd feature".into())
                    }
                    other => {
                        return Err(format!(
                            "--compress {other}: use none, zlib-stream or zstd-stream"
                        ))
                    }
                }
            }
            Long("events") => parsed.events = Some(number(&text(&mut parser)?, "--events")?),
            Long("json") => parsed.json = true,
            Long("commands") => parsed.commands = true,
            Long("session") => {
                parsed.session = Some(PathBuf::from(parser.value().map_err(|e| e.to_string())?))
            }
            Long("stats") => {
                let value = text(&mut parser)?;
                let seconds: f64 = number(&value, "--stats")?;
                if !(seconds.is_finite() && seconds > 0.0) {
                    return Err(format!("--stats {value}: a number of seconds above 0"));
                }
                parsed.stats = Some(Duration::from_secs_f64(seconds));
            }
            Long("help") | Short('h') => return Err("see the options at the top of tail.rs".into()),
            _ => return Err(arg.unexpected().to_string()),
        }
    }
    if parsed.shards == Shards::Count(0) {
        return Err("--shards must be at least 1".into());
    }
    if let Shards::Count(total) = parsed.shards {
        check_only(&parsed.only, total)?;
    }
    parsed.only.sort_unstable();
    parsed.only.dedup();
    Ok(parsed)
}

/// Every `--shard` must be below the total.
fn check_only(only: &[u32], total: u32) -> Result<(), String> {
    match only.iter().find(|id| **id >= total) {
        Some(id) => Err(format!("--shard {id} is not below the shard count {total}")),
        None => Ok(()),
    }
}

fn number<T: std::str::FromStr>(text: &str, flag: &str) -> Result<T, String> {
    text.parse()
        .map_err(|_| format!("{flag} {text}: not a number"))
}

#[tokio::main]
async fn main() -> ExitCode {
    use tracing_subscriber::{filter::LevelFilter, filter::Targets, prelude::*};
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    // tungstenite's trace lines print each frame it writes, bytes and all: Identify's token.
    let cap = Targets::new()
        .with_default(LevelFilter::TRACE)
        .with_target("tungstenite", LevelFilter::DEBUG);
    let logs = tracing_subscriber::fmt::layer().with_writer(std::io::stderr);
    tracing_subscriber::registry()
        .with(logs.with_filter(filter).with_filter(cap))
        .init();
    let args = match parse_args(std::env::args_os().skip(1)) {
        Ok(args) => args,
        Err(error) => {
            eprintln!("tail: {error}");
            return ExitCode::from(USAGE);
        }
    };
    let env_token = std::env::var("DISCORD_TOKEN")
        .ok()
        .filter(|t| !t.is_empty());
    let stdin = tokio::io::BufReader::new(tokio::io::stdin());
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    let (mut stdout, mut stderr) = (std::io::stdout(), std::io::stderr());
    let output = Output {
        events: &mut stdout,
        stats: &mut stderr,
    };
    ExitCode::from(run(args, env_token, IDENTIFY_WINDOW, stdin, output, ctrl_c).await)
}

/// Where the tool writes: events to stdout, `--stats` lines to stderr.
struct Output<'a> {
    events: &'a mut dyn Write,
    stats: &'a mut dyn Write,
}

/// Runs the tool; returns the exit status. `identify_window` is the gateway's per-bucket
/// window (Discord's 5 s; the embedded simulator is given the same).
async fn run(
    args: Args,
    env_token: Option<String>,
    identify_window: Duration,
    input: impl AsyncBufRead + Unpin,
    out: Output<'_>,
    shutdown: impl Future<Output = ()>,
) -> u8 {
    // Without a token: the embedded simulator, unless --url names another gateway (then the
    // simulator's default token, for a `gateway-sim` started by hand).
    let mut simulator = None;
    let (url, token, api) = match (args.token.clone().or(env_token), args.url.clone()) {
        // A gateway of one's own (--url) has no API unless named; Discord's has Discord's.
        (Some(token), Some(url)) => (Some(url), token, args.api.clone()),
        (Some(token), None) => {
            let api = args.api.clone();
            (
                None,
                token,
                Some(api.unwrap_or_else(|| DISCORD_API_BASE.to_owned())),
            )
        }
        (None, Some(url)) => (Some(url), SimConfig::default().token, args.api.clone()),
        (None, None) => {
            let config = SimConfig {
                heartbeat_interval: Duration::from_secs(5),
                event_rate: EventRate::PerSecond(5.0),
                recommended_shards: match args.shards {
                    Shards::Count(count) => count,
                    Shards::Auto => SIMULATOR_SHARDS,
                },
                max_concurrency: 16,
                identify_window,
                ..SimConfig::default()
            };
            let sim = match Simulator::start(config).await {
                Ok(sim) => sim,
                Err(error) => {
                    eprintln!("tail: cannot start the embedded simulator: {error}");
                    return FATAL;
                }
            };
            eprintln!(
                "tail: no token: streaming the embedded simulator at {}",
                sim.url()
            );
            let api = args.api.clone().unwrap_or_else(|| sim.http_url());
            let triple = (Some(sim.url()), sim.config().token.clone(), Some(api));
            simulator = Some(sim);
            triple
        }
    };
    // One answer for every shard: the count (for auto), identify buckets, session starts.
    let gateway = match (&api, args.shards) {
        (Some(base), _) => {
            let api = GatewayApi::with_base(base.as_str()).identify_window(identify_window);
            match api.gateway_bot(&Token::new(&token)).await {
                Ok(gateway) => gateway,
                Err(error) => {
                    eprintln!("tail: {error}");
                    return FATAL;
                }
            }
        }
        (None, Shards::Count(total)) => assumed_gateway(url.as_deref(), total),
        (None, Shards::Auto) => {
            eprintln!("tail: --shards auto needs GET /gateway/bot: give --api or a token");
            return USAGE;
        }
    };
    let total = match args.shards {
        Shards::Count(total) => total,
        Shards::Auto => gateway.shards,
    };
    if let Err(error) = check_only(&args.only, total) {
        eprintln!("tail: {error}");
        return USAGE;
    }
    let ids: Vec<ShardId> = if args.only.is_empty() {
        (0..total)
            .filter_map(|n| ShardId::new(n, total).ok())
            .collect()
    } else {
        args.only
            .iter()
            .filter_map(|n| ShardId::new(*n, total).ok())
            .collect()
    };
    let saved = match &args.session {
        Some(path) => match load_sessions(path, total) {
            Ok(saved) if simulator.is_some() && !saved.is_empty() => {
                eprintln!(
                    "tail: the embedded simulator starts empty; not resuming {}",
                    path.display()
                );
                SavedSessions::new(total)
            }
            Ok(saved) => saved,
            Err(error) => {
                eprintln!(
                    "tail: cannot read the session file {}: {error}",
                    path.display()
                );
                return FATAL;
            }
        },
        None => SavedSessions::new(total),
    };
    let mut base = Config::builder(&token, args.intents).compression(args.compression);
    if let Some(url) = &url {
        base = base.gateway_url(url.as_str());
    }
    let config = match base.build() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("tail: {error}");
            return USAGE;
        }
    };
    let shards = start_with(&gateway, identify_window, ids, config, |id, config| {
        saved.resume(id, config)
    });
    let mut shards = match shards {
        Ok(shards) => ShardStream::new(shards),
        Err(StartError::Config { error, .. }) => {
            eprintln!("tail: {error}");
            return USAGE;
        }
        Err(error) => {
            eprintln!("tail: {error}");
            return FATAL;
        }
    };

    let mut tail = Tail {
        args: &args,
        out: out.events,
        stats: out.stats,
        dispatches: 0,
    };
    let status = tail.stream(&mut shards, input, shutdown).await;
    let ending = if args.session.is_some() {
        CloseFrame::RESUME
    } else {
        CloseFrame::NORMAL
    };
    let sessions = shards.close(ending).await;
    if let Some(path) = &args.session {
        if let Err(error) = save_sessions(path, &sessions) {
            eprintln!(
                "tail: cannot save the sessions to {}: {error}",
                path.display()
            );
            return FATAL;
        }
    }
    drop(simulator);
    status
}

/// What `GET /gateway/bot` would say for a gateway without an API (`--url` alone): `total`
/// shards, one identify bucket, a full default budget.
fn assumed_gateway(url: Option<&str>, total: u32) -> GatewayBot {
    GatewayBot {
        url: url.unwrap_or(DISCORD_GATEWAY_URL).to_owned(),
        shards: total,
        session_start_limit: SessionStartLimits {
            total: 1000,
            remaining: 1000,
            reset_after: Duration::from_secs(24 * 60 * 60),
            max_concurrency: 1,
        },
    }
}

/// The streaming part: events out, commands in.
struct Tail<'a> {
    args: &'a Args,
    out: &'a mut dyn Write,
    stats: &'a mut dyn Write,
    dispatches: u64,
}

impl Tail<'_> {
    async fn stream(
        &mut self,
        shards: &mut ShardStream,
        input: impl AsyncBufRead + Unpin,
        shutdown: impl Future<Output = ()>,
    ) -> u8 {
        let mut shutdown = pin!(shutdown);
        let mut lines = self.args.commands.then(|| input.lines());
        // Commands accepted per shard number.
        let mut accepted: BTreeMap<u32, u64> = BTreeMap::new();
        let mut tick = tokio::time::interval(Duration::from_millis(100));
        let mut report = self.args.stats.map(|every| {
            let mut report = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
            report.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            report
        });
        let mut reported: Vec<(Instant, Statistics)> = shards
            .shards()
            .iter()
            .map(|shard| (Instant::now(), shard.statistics()))
            .collect();
        loop {
            if lines.is_none()
                && self.args.commands
                && shards.shards().iter().all(|shard| {
                    let sent = accepted.get(&shard.id().number()).copied().unwrap_or(0);
                    shard.statistics().commands_sent >= sent
                })
            {
                return 0;
            }
            tokio::select! {
                () = &mut shutdown => return 0,
                next = shards.next() => {
                    // Every shard ended.
                    let Some((id, item)) = next else { return 0 };
                    let fatal = matches!(&item, Err(error) if error.is_fatal());
                    let dispatch = matches!(item, Ok(Event::Dispatch(_)));
                    self.print(id.number(), item);
                    if fatal {
                        return FATAL;
                    }
                    if dispatch {
                        self.dispatches += 1;
                        if self.args.events.is_some_and(|n| self.dispatches >= n) {
                            return 0;
                        }
                    }
                },
                line = async { lines.as_mut()?.next_line().await.ok().flatten() }, if lines.is_some() => {
                    match line {
                        Some(line) => self.command(shards, &mut accepted, &line),
                        None => lines = None,
                    }
                }
                _ = tick.tick() => {}
                _ = async { report.as_mut()?.tick().await; Some(()) }, if report.is_some() => {
                    self.report(shards.shards(), &mut reported);
                }
            }
        }
    }

    /// One `--stats` line per shard: the rates since the previous report.
    fn report(&mut self, shards: &[Shard], reported: &mut [(Instant, Statistics)]) {
        for (shard, (at, before)) in shards.iter().zip(reported) {
            let (now, statistics) = (Instant::now(), shard.statistics());
            let latency = shard.latency().and_then(|latency| latency.recent().next());
            let line = summary(shard.id().number(), before, &statistics, now - *at, latency);
            // A closed stderr loses the summaries, nothing else.
            let _ = writeln!(self.stats, "{line}");
            (*at, *before) = (now, statistics);
        }
        let _ = self.stats.flush();
    }

    /// Sends one stdin line to its shard; a bad line is reported, not fatal.
    fn command(&mut self, shards: &ShardStream, accepted: &mut BTreeMap<u32, u64>, line: &str) {
        if line.trim().is_empty() {
            return;
        }
        let result = (|| {
            let mut payload: Map<String, Value> =
                serde_json::from_str(line).map_err(|error| format!("bad command line: {error}"))?;
            let number = match payload.remove("shard") {
                None => 0,
                Some(value) => value
                    .as_u64()
                    .and_then(|n| u32::try_from(n).ok())
                    .ok_or_else(|| format!("bad \"shard\": {value}"))?,
            };
            let shard = shards
                .shards()
                .iter()
                .find(|shard| shard.id().number() == number)
                .ok_or_else(|| format!("shard {number} is not run here"))?;
            let text = Value::Object(payload).to_string();
            shard.send(text).map_err(|error| error.to_string())?;
            *accepted.entry(number).or_default() += 1;
            Ok::<(), String>(())
        })();
        if let Err(message) = result {
            let shard = shards
                .shards()
                .first()
                .map_or(0, |shard| shard.id().number());
            self.line(
                shard,
                json!({"kind": "error", "fatal": false, "message": message}),
                &message,
            );
        }
    }

    /// Prints one event or error.
    fn print(&mut self, shard: u32, item: Result<Event, gateway_tokio::Error>) {
        let (value, text) = match item {
            Ok(event) => describe(event),
            Err(error) => {
                let fatal = error.is_fatal();
                let message = error.to_string();
                let text = format!(
                    "{} {message}",
                    if fatal { "fatal error:" } else { "error:" }
                );
                (
                    json!({"kind": "error", "fatal": fatal, "message": message}),
                    text,
                )
            }
        };
        self.line(shard, value, &text);
    }

    fn line(&mut self, shard: u32, value: Value, text: &str) {
        let result = if self.args.json {
            // The documented key order: shard, kind, then the kind's own fields.
            let mut line = format!("{{\"shard\":{shard}");
            for key in std::iter::once("kind").chain(FIELD_ORDER) {
                if let Some(field) = value.get(key) {
                    line.push_str(&format!(",\"{key}\":{field}"));
                }
            }
            line.push('}');
            writeln!(self.out, "{line}")
        } else {
            writeln!(self.out, "shard {shard}  {text}")
        };
        // stdout closed (e.g. `| head`): nothing more to show.
        if result.and_then(|()| self.out.flush()).is_err() {
            std::process::exit(0);
        }
    }
}

/// A `--stats` line: dispatches and inflated bytes per second between two snapshots of a
/// shard's statistics, the last heartbeat round trip, and the reconnects so far.
fn summary(
    shard: u32,
    before: &Statistics,
    now: &Statistics,
    elapsed: Duration,
    latency: Option<Duration>,
) -> String {
    let seconds = elapsed.as_secs_f64().max(f64::EPSILON);
    let events = now.dispatches.saturating_sub(before.dispatches) as f64 / seconds;
    let bytes = now.bytes_inflated.saturating_sub(before.bytes_inflated) as f64 / seconds;
    let latency = latency.map_or_else(
        || "-".to_owned(),
        |rtt| format!("{:.1} ms", rtt.as_secs_f64() * 1000.0),
    );
    format!(
        "shard {shard}: {events:.1} events/s, {:.2} MB/s inflated, latency {latency}, {} reconnects",
        bytes / 1e6,
        now.reconnects,
    )
}

/// An event as a JSON object (without `shard`) and as a readable line.
fn describe(event: Event) -> (Value, String) {
    match event {
        Event::Hello(hello) => {
            let ms = hello.heartbeat_interval.as_millis() as u64;
            let text = format!("hello: heartbeat every {:?}", hello.heartbeat_interval);
            (json!({"kind": "hello", "heartbeat_interval": ms}), text)
        }
        Event::Ready(ready) => {
            let text = format!(
                "ready: session {}, {} guilds",
                ready.session_id,
                ready.guild_ids.len()
            );
            (
                json!({"kind": "ready", "session_id": ready.session_id}),
                text,
            )
        }
        Event::Dispatch(dispatch) => {
            let t = dispatch.event_type.name().to_owned();
            let data = dispatch.data();
            let cut = data
                .char_indices()
                .nth(100)
                .map_or(data.len(), |(at, _)| at);
            let text = format!("#{} {t} {}", dispatch.seq, &data[..cut]);
            (json!({"kind": "dispatch", "t": t, "s": dispatch.seq}), text)
        }
        Event::Resumed(resumed) => {
            let text = format!("resumed ({} replayed)", resumed.replayed);
            (json!({"kind": "resumed"}), text)
        }
        Event::HeartbeatAck(ack) => {
            let text = match ack.latency {
                Some(latency) => format!("heartbeat ack ({latency:?})"),
                None => "heartbeat ack".to_owned(),
            };
            (json!({"kind": "heartbeat_ack"}), text)
        }
        Event::InvalidSession(invalid) => {
            let text = format!("invalid session (resumable: {})", invalid.resumable);
            (
                json!({"kind": "invalid_session", "resumable": invalid.resumable}),
                text,
            )
        }
        Event::Reconnect(_) => (
            json!({"kind": "reconnect"}),
            "reconnect requested".to_owned(),
        ),
        Event::Closed(closed) => {
            let text = match closed.code {
                Some(code) => format!(
                    "closed with {code} ({:?}), next: {:?}",
                    closed.cause, closed.next
                ),
                None => format!(
                    "closed without a code ({:?}), next: {:?}",
                    closed.cause, closed.next
                ),
            };
            (json!({"kind": "close", "code": closed.code}), text)
        }
        other => (json!({"kind": "other"}), format!("{other:?}")),
    }
}

/// Reads `{"shards": N, "sessions": {"0": {...}}}` ([`SavedSessions`]); a missing file, or one
/// for another shard count, is no sessions.
fn load_sessions(path: &PathBuf, shards: u32) -> Result<SavedSessions, String> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Ok(SavedSessions::new(shards))
        }
        Err(error) => return Err(error.to_string()),
    };
    let saved: SavedSessions = serde_json::from_str(&text).map_err(|error| error.to_string())?;
    if saved.shards != shards {
        eprintln!(
            "tail: the session file is for {} shards, not {shards}: identifying",
            saved.shards
        );
        return Ok(SavedSessions::new(shards));
    }
    Ok(saved)
}

fn save_sessions(path: &PathBuf, sessions: &SavedSessions) -> Result<(), String> {
    let text = serde_json::to_string_pretty(sessions).map_err(|error| error.to_string())?;
    std::fs::write(path, format!("{text}\n")).map_err(|error| error.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Args {
        parse_args(list.iter().map(OsString::from)).expect("valid arguments")
    }

    /// Runs the tool to completion with `stdin`; returns the status and the output lines.
    async fn tail(list: &[&str], stdin: &[u8]) -> (u8, Vec<Value>) {
        let (status, lines, _) = tail_text(list, stdin).await;
        (status, lines)
    }

    /// As [`tail`], with the output text too.
    async fn tail_text(list: &[&str], stdin: &[u8]) -> (u8, Vec<Value>, String) {
        let (status, lines, text, _) = tail_all(list, stdin).await;
        (status, lines, text)
    }

    /// As [`tail_text`], with what went to stderr too.
    async fn tail_all(list: &[&str], stdin: &[u8]) -> (u8, Vec<Value>, String, String) {
        let (mut out, mut err) = (Vec::new(), Vec::new());
        // The simulators of these tests, the embedded one included, have no identify window.
        let status = run(
            args(list),
            None,
            Duration::ZERO,
            stdin,
            Output {
                events: &mut out,
                stats: &mut err,
            },
            std::future::pending(),
        )
        .await;
        let text = String::from_utf8(out).expect("utf-8 output");
        let err = String::from_utf8(err).expect("utf-8 stderr");
        let lines = text
            .lines()
            .map(|line| serde_json::from_str(line).unwrap_or_else(|_| panic!("not JSON: {line}")))
            .collect();
        (status, lines, text, err)
    }

    fn kinds(lines: &[Value]) -> Vec<&str> {
        lines
            .iter()
            .filter_map(|line| line["kind"].as_str())
            .collect()
    }

    #[tokio::test]
    async fn twenty_events_as_json_from_the_embedded_simulator() {
        let (status, lines, text) = tail_text(&["--events", "20", "--json"], b"").await;
        assert_eq!(status, 0);
        let first = text.lines().next().expect("a line");
        assert_eq!(
            first,
            r#"{"shard":0,"kind":"hello","heartbeat_interval":5000}"#
        );
        assert_eq!(lines[0]["kind"], "hello");
        assert_eq!(lines[0]["shard"], 0);
        assert_eq!(lines[0]["heartbeat_interval"], 5000);
        assert_eq!(lines[1]["kind"], "ready");
        assert!(lines[1]["session_id"]
            .as_str()
            .is_some_and(|id| !id.is_empty()));
        let dispatches: Vec<&Value> = lines.iter().filter(|l| l["kind"] == "dispatch").collect();
        assert_eq!(dispatches.len(), 20);
        let seqs: Vec<u64> = dispatches.iter().filter_map(|l| l["s"].as_u64()).collect();
        assert!(
            seqs.windows(2).all(|pair| pair[1] == pair[0] + 1),
            "{seqs:?}"
        );
        assert!(dispatches.iter().all(|l| l["t"].is_string()));
        assert!(kinds(&lines).iter().all(|kind| *kind != "error"));
    }

    #[tokio::test]
    async fn commands_from_stdin_reach_the_gateway_then_it_exits() {
        let mut config = SimConfig::fast();
        config.heartbeat_interval = Duration::from_secs(1);
        let sim = Simulator::start(config).await.expect("simulator");
        let stdin = concat!(
            r#"{"op":3,"d":{"since":null,"activities":[],"status":"idle","afk":false}}"#,
            "\n",
            r#"{"op":3,"d":{"since":null,"activities":[],"status":"online","afk":false},"shard":0}"#,
            "\n",
            "not json\n",
            r#"{"op":3,"d":null,"shard":5}"#,
            "\n",
        );
        let url = sim.url();
        let token = sim.config().token.clone();
        let list = ["--url", &url, "--token", &token, "--commands", "--json"];
        let (status, lines) = tail(&list, stdin.as_bytes()).await;
        assert_eq!(status, 0);
        let errors: Vec<&Value> = lines.iter().filter(|l| l["kind"] == "error").collect();
        assert_eq!(
            errors.len(),
            2,
            "the bad line and the unknown shard: {errors:?}"
        );
        assert!(errors.iter().all(|e| e["fatal"] == false));
        let sent = sim.log().count_received_op(3);
        assert_eq!(sent, 2);
        let presences: Vec<Value> = sim
            .frames(1)
            .into_iter()
            .filter(|frame| frame.op() == Some(3))
            .map(|frame| frame.payload)
            .collect();
        assert_eq!(presences[1]["d"]["status"], "online");
        assert!(presences[1].get("shard").is_none(), "\"shard\" is removed");
    }

    #[tokio::test]
    async fn the_session_file_lets_the_next_run_resume() {
        let sim = Simulator::start(SimConfig::fast().with_event_rate(EventRate::PerSecond(50.0)))
            .await
            .expect("simulator");
        let dir = std::env::temp_dir().join(format!("tail-session-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let file = dir.join("sessions.json");
        let _ = std::fs::remove_file(&file);
        let (url, token, path) = (
            sim.url(),
            sim.config().token.clone(),
            file.display().to_string(),
        );
        let list = [
            "--url",
            &url,
            "--token",
            &token,
            "--events",
            "3",
            "--json",
            "--session",
            &path,
        ];
        let (status, first) = tail(&list, b"").await;
        assert_eq!(status, 0);
        assert!(kinds(&first).contains(&"ready"));
        let saved: Value =
            serde_json::from_str(&std::fs::read_to_string(&file).expect("saved")).expect("JSON");
        assert_eq!(saved["shards"], 1);
        assert!(saved["sessions"]["0"]["id"].is_string());

        // The second run may reach its 3 events in the replay, before RESUMED: the
        // simulator's log shows the resume.
        let (status, second) = tail(&list, b"").await;
        assert_eq!(status, 0);
        assert!(!kinds(&second).contains(&"ready"), "{second:?}");
        let second_conn = sim.log().connections()[1];
        let frames = sim.frames(second_conn);
        assert_eq!(frames[0].path, "/resume");
        assert_eq!(frames[0].payload["op"], 6);
        assert_eq!(
            frames[0].payload["d"]["session_id"],
            saved["sessions"]["0"]["id"]
        );
        assert_eq!(
            sim.log().count_received_op(2),
            1,
            "one Identify over both runs"
        );
        std::fs::remove_dir_all(&dir).expect("clean up");
    }

    #[tokio::test]
    async fn a_fatal_close_prints_a_fatal_error_and_exits_1() {
        let sim = Simulator::start(SimConfig::fast())
            .await
            .expect("simulator");
        let url = sim.url();
        let list = ["--url", &url, "--token", "wrong-token", "--json"];
        let (status, lines) = tail(&list, b"").await;
        assert_eq!(status, 1);
        let last = lines.last().expect("output");
        assert_eq!(last["kind"], "error");
        assert_eq!(last["fatal"], true);
    }

    #[test]
    fn bad_command_lines_are_refused() {
        let refuse = |list: &[&str]| parse_args(list.iter().map(OsString::from)).is_err();
        assert!(refuse(&["--shards", "0"]));
        assert!(refuse(&["--shards", "2", "--shard", "2"]));
        assert!(refuse(&["--intents", "NOT_AN_INTENT"]));
        assert!(refuse(&["--compress", "gzip"]));
        assert!(refuse(&["--events", "many"]));
        assert!(refuse(&["--frobnicate"]));
        assert!(refuse(&["--stats", "0"]));
        assert!(refuse(&["--stats", "-1"]));
        assert!(refuse(&["--stats", "often"]));
        assert_eq!(
            args(&["--stats", "2.5"]).stats,
            Some(Duration::from_millis(2500))
        );
        let parsed = args(&[
            "--shards",
            "4",
            "--shard",
            "3",
            "--shard",
            "1",
            "--intents",
            "GUILDS,GUILD_MESSAGES",
        ]);
        assert_eq!(parsed.only, [1, 3]);
        assert_eq!(parsed.intents, Intents::GUILDS | Intents::GUILD_MESSAGES);
        assert!(args(&[]).only.is_empty(), "every shard");
        assert_eq!(args(&[]).shards, Shards::Count(1));
        let auto = args(&["--shards", "auto", "--shard", "7"]);
        assert_eq!(auto.shards, Shards::Auto);
        assert_eq!(auto.only, [7], "checked once the count is known");
    }

    #[tokio::test]
    async fn shards_auto_runs_what_the_embedded_simulator_recommends() {
        let (status, lines) = tail(&["--shards", "auto", "--events", "6", "--json"], b"").await;
        assert_eq!(status, 0);
        let mut ready: Vec<u64> = lines
            .iter()
            .filter(|line| line["kind"] == "ready")
            .filter_map(|line| line["shard"].as_u64())
            .collect();
        ready.sort_unstable();
        assert_eq!(ready, (0..u64::from(SIMULATOR_SHARDS)).collect::<Vec<_>>());
    }

    #[tokio::test]
    async fn shards_auto_needs_an_api_and_a_shard_beyond_the_count_is_refused() {
        let sim = Simulator::start(SimConfig {
            recommended_shards: 2,
            ..SimConfig::fast()
        })
        .await
        .expect("simulator");
        let (url, api) = (sim.url(), sim.http_url());
        let (status, _) = tail(&["--url", &url, "--shards", "auto"], b"").await;
        assert_eq!(status, USAGE, "no API to ask");
        let list = [
            "--url", &url, "--api", &api, "--shards", "auto", "--shard", "2",
        ];
        let (status, _) = tail(&list, b"").await;
        assert_eq!(status, USAGE, "shard 2 of 2");
        assert_eq!(sim.log().connections().len(), 0, "nothing connected");
    }

    #[tokio::test]
    async fn every_shard_resumes_from_the_session_file() {
        let sim = Simulator::start(SimConfig {
            recommended_shards: 3,
            max_concurrency: 3,
            ..SimConfig::fast().with_event_rate(EventRate::PerSecond(100.0))
        })
        .await
        .expect("simulator");
        let dir = std::env::temp_dir().join(format!("tail-shards-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let file = dir.join("sessions.json");
        let _ = std::fs::remove_file(&file);
        let (url, api, path) = (sim.url(), sim.http_url(), file.display().to_string());
        let token = sim.config().token.clone();
        let list = [
            "--url",
            &url,
            "--api",
            &api,
            "--token",
            &token,
            "--shards",
            "auto",
            "--events",
            "5",
            "--json",
            "--session",
            &path,
        ];
        let (status, first) = tail(&list, b"").await;
        assert_eq!(status, 0);
        assert_eq!(
            kinds(&first)
                .iter()
                .filter(|kind| **kind == "ready")
                .count(),
            3
        );
        let saved: SavedSessions =
            serde_json::from_str(&std::fs::read_to_string(&file).expect("saved")).expect("JSON");
        assert_eq!(saved.shards, 3);
        assert_eq!(saved.len(), 3);

        let (status, second) = tail(&list, b"").await;
        assert_eq!(status, 0);
        assert!(!kinds(&second).contains(&"ready"), "{second:?}");
        assert_eq!(
            sim.log().count_received_op(2),
            3,
            "three Identifies over both runs"
        );
        assert_eq!(sim.log().count_received_op(6), 3, "and three Resumes");
        std::fs::remove_dir_all(&dir).expect("clean up");
    }

    #[tokio::test]
    async fn an_unreadable_session_file_exits_1() {
        let dir = std::env::temp_dir().join(format!("tail-bad-session-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let file = dir.join("sessions.json");
        std::fs::write(&file, "{ not json").expect("write");
        let path = file.display().to_string();
        let (status, lines) = tail(&["--session", &path, "--json"], b"").await;
        assert_eq!(status, 1);
        assert!(lines.is_empty());
        std::fs::remove_dir_all(&dir).expect("clean up");
    }

    #[test]
    fn a_stats_line_is_the_rates_between_two_snapshots() {
        let before = Statistics::default();
        let mut now = Statistics::default();
        now.dispatches = 250;
        now.bytes_inflated = 3_000_000;
        now.reconnects = 2;
        let line = summary(
            3,
            &before,
            &now,
            Duration::from_secs(10),
            Some(Duration::from_micros(41_250)),
        );
        assert_eq!(
            line,
            "shard 3: 25.0 events/s, 0.30 MB/s inflated, latency 41.2 ms, 2 reconnects"
        );
        let quiet = summary(0, &now, &now, Duration::from_secs(1), None);
        assert_eq!(
            quiet,
            "shard 0: 0.0 events/s, 0.00 MB/s inflated, latency -, 2 reconnects"
        );
    }

    #[tokio::test]
    async fn stats_print_a_line_per_shard_to_stderr_every_period() {
        let config = SimConfig {
            recommended_shards: 2,
            ..SimConfig::fast().with_event_rate(EventRate::PerSecond(100.0))
        };
        let sim = Simulator::start(config).await.expect("simulator");
        let (url, token) = (sim.url(), sim.config().token.clone());
        let list = [
            "--url", &url, "--token", &token, "--shards", "2", "--events", "150", "--json",
            "--stats", "0.25",
        ];
        let (status, lines, _, err) = tail_all(&list, b"").await;
        assert_eq!(status, 0);
        assert!(kinds(&lines).contains(&"dispatch"));
        let reports: Vec<&str> = err.lines().collect();
        assert!(reports.len() >= 4, "two periods at least: {err}");
        for line in &reports {
            let (shard, rest) = line.split_once(": ").expect("shard N: …");
            assert!(shard == "shard 0" || shard == "shard 1", "{line}");
            let fields: Vec<&str> = rest.split(", ").collect();
            assert_eq!(fields.len(), 4, "{line}");
            let rate: f64 = fields[0]
                .strip_suffix(" events/s")
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("{line}"));
            assert!(rate >= 0.0);
            assert!(fields[1].ends_with(" MB/s inflated"), "{line}");
            assert!(fields[2].starts_with("latency "), "{line}");
            assert_eq!(fields[3], "0 reconnects", "{line}");
        }
        let busy = reports.iter().any(|line| !line.contains(": 0.0 events/s"));
        assert!(busy, "events were counted: {err}");
    }
}
