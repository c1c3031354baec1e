//! `tail`: stream a bot's gateway events to stdout.
//!
//! ```text
//! cargo run --release -p gateway-tokio --example tail -- [OPTIONS]
//!
//!   --url URL         gateway URL, ws:// or wss:// (default: Discord's gateway with a token,
//!                     else the embedded simulator)
//!   --token TOKEN     bot token (default: $DISCORD_TOKEN; with neither, start the embedded
//!                     simulator on loopback and use its token)
//!   --intents LIST    a number, or names separated by commas (default: every
//!                     non-privileged intent)
//!   --shards N        total shard count (default 1)
//!   --shard ID        run only this shard; repeatable (default: every shard 0..N)
//!   --compress MODE   none, zlib-stream or zstd-stream (default zlib-stream; zstd-stream
//!                     needs `--features zstd`)
//!   --events N        exit 0 after N dispatches other than READY and RESUMED
//!   --json            one JSON object a line instead of readable lines
//!   --commands        read gateway commands from stdin, one JSON payload a line; a top-level
//!                     "shard": N picks the shard (default 0) and is removed before sending
//!   --session FILE    resume from FILE if present; save every shard's session there on exit
//! ```
//!
//! Exit status: 0 when `--events` is reached, when stdin ends under `--commands` and every
//! command was sent, or on Ctrl-C; 1 after a fatal error or an unreadable session file;
//! 2 for a bad command line. Logs go to stderr, filtered by `RUST_LOG`.
//!
//! This file owns the command line, the output formats and the session file; the gateway is
//! entirely gateway-tokio's.

use gateway_sim::{EventRate, SimConfig, Simulator};
use gateway_tokio::{
    CloseFrame, Compression, Config, Event, InMemoryQueue, Intents, Queue, Session, Shard, ShardId,
};
use serde_json::{json, Map, Value};
use std::{
    collections::BTreeMap,
    ffi::OsString,
    future::{poll_fn, Future},
    io::Write,
    path::PathBuf,
    pin::pin,
    process::ExitCode,
    sync::Arc,
    task::Poll,
    time::Duration,
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

/// The command line, checked.
#[derive(Debug)]
struct Args {
    url: Option<String>,
    token: Option<String>,
    intents: Intents,
    shards: u32,
    only: Vec<u32>,
    compression: Compression,
    events: Option<u64>,
    json: bool,
    commands: bool,
    session: Option<PathBuf>,
}

fn parse_args(args: impl IntoIterator<Item = OsString>) -> Result<Args, String> {
    use lexopt::prelude::*;
    let mut parser = lexopt::Parser::from_args(args);
    let mut parsed = Args {
        url: None,
        token: None,
        intents: Intents::NON_PRIVILEGED,
        shards: 1,
        only: Vec::new(),
        compression: Compression::ZlibStream,
        events: None,
        json: false,
        commands: false,
        session: None,
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
            Long("intents") => {
                let list = text(&mut parser)?;
                parsed.intents = list
                    .parse()
                    .map_err(|error| format!("--intents {list}: {error}"))?;
            }
            Long("shards") => parsed.shards = number(&text(&mut parser)?, "--shards")?,
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
            Long("help") | Short('h') => return Err("see the options at the top of tail.rs".into()),
            _ => return Err(arg.unexpected().to_string()),
        }
    }
    if parsed.shards == 0 {
        return Err("--shards must be at least 1".into());
    }
    if let Some(id) = parsed.only.iter().find(|id| **id >= parsed.shards) {
        return Err(format!(
            "--shard {id} is not below --shards {}",
            parsed.shards
        ));
    }
    if parsed.only.is_empty() {
        parsed.only = (0..parsed.shards).collect();
    }
    parsed.only.sort_unstable();
    parsed.only.dedup();
    Ok(parsed)
}

fn number<T: std::str::FromStr>(text: &str, flag: &str) -> Result<T, String> {
    text.parse()
        .map_err(|_| format!("{flag} {text}: not a number"))
}

#[tokio::main]
async fn main() -> ExitCode {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
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
    let mut stdout = std::io::stdout();
    // The process's one identify queue (Discord's default: one bucket, 5 s windows).
    let queue = Arc::new(InMemoryQueue::new(1));
    ExitCode::from(run(args, env_token, queue, stdin, &mut stdout, ctrl_c).await)
}

/// Runs the tool; returns the exit status.
async fn run(
    args: Args,
    env_token: Option<String>,
    queue: Arc<dyn Queue>,
    input: impl AsyncBufRead + Unpin,
    out: &mut dyn Write,
    shutdown: impl Future<Output = ()>,
) -> u8 {
    // Without a token: the embedded simulator, unless --url names another gateway (then the
    // simulator's default token, for a `gateway-sim` started by hand).
    let mut simulator = None;
    let (url, token) = match (args.token.clone().or(env_token), args.url.clone()) {
        (Some(token), url) => (url, token),
        (None, Some(url)) => (Some(url), SimConfig::default().token),
        (None, None) => {
            let config = SimConfig {
                heartbeat_interval: Duration::from_secs(5),
                event_rate: EventRate::PerSecond(5.0),
                recommended_shards: args.shards,
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
            let pair = (Some(sim.url()), sim.config().token.clone());
            simulator = Some(sim);
            pair
        }
    };
    let saved = match &args.session {
        Some(path) => match load_sessions(path, args.shards) {
            Ok(saved) if simulator.is_some() && !saved.is_empty() => {
                eprintln!(
                    "tail: the embedded simulator starts empty; not resuming {}",
                    path.display()
                );
                BTreeMap::new()
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
        None => BTreeMap::new(),
    };
    let mut shards = Vec::new();
    for &number in &args.only {
        let id = match ShardId::new(number, args.shards) {
            Ok(id) => id,
            Err(error) => {
                eprintln!("tail: {error}");
                return USAGE;
            }
        };
        let mut builder = Config::builder(&token, args.intents).compression(args.compression);
        if let Some(url) = &url {
            builder = builder.gateway_url(url.as_str());
        }
        if let Some(session) = saved.get(&number) {
            builder = builder.session(session.clone());
        }
        match builder.build() {
            Ok(config) => shards.push(Shard::builder(config).queue(queue.clone()).build(id)),
            Err(error) => {
                eprintln!("tail: {error}");
                return USAGE;
            }
        }
    }

    let mut tail = Tail {
        args: &args,
        out,
        dispatches: 0,
    };
    let status = tail.stream(&mut shards, input, shutdown).await;
    let ending = if args.session.is_some() {
        CloseFrame::RESUME
    } else {
        CloseFrame::NORMAL
    };
    let mut sessions = BTreeMap::new();
    for shard in &mut shards {
        if let Some(session) = shard.close(ending.clone()).await {
            sessions.insert(shard.id().number(), session);
        }
    }
    if let Some(path) = &args.session {
        if let Err(error) = save_sessions(path, args.shards, &sessions) {
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

/// The streaming part: events out, commands in.
struct Tail<'a> {
    args: &'a Args,
    out: &'a mut dyn Write,
    dispatches: u64,
}

impl Tail<'_> {
    async fn stream(
        &mut self,
        shards: &mut [Shard],
        input: impl AsyncBufRead + Unpin,
        shutdown: impl Future<Output = ()>,
    ) -> u8 {
        let mut shutdown = pin!(shutdown);
        let mut lines = self.args.commands.then(|| input.lines());
        let mut accepted = vec![0_u64; shards.len()];
        let mut ended = vec![false; shards.len()];
        let mut turn = 0;
        let mut tick = tokio::time::interval(Duration::from_millis(100));
        loop {
            if lines.is_none()
                && self.args.commands
                && shards
                    .iter()
                    .zip(&accepted)
                    .all(|(shard, sent)| shard.statistics().commands_sent >= *sent)
            {
                return 0;
            }
            if ended.iter().all(|ended| *ended) {
                return 0;
            }
            // Every shard's stream, starting from a rotating one so none is favoured.
            let next = poll_fn(|cx| {
                for offset in 0..shards.len() {
                    let index = (turn + offset) % shards.len();
                    if ended[index] {
                        continue;
                    }
                    if let Poll::Ready(item) = futures_next(&mut shards[index], cx) {
                        turn = index + 1;
                        return Poll::Ready((index, item));
                    }
                }
                Poll::Pending
            });
            tokio::select! {
                () = &mut shutdown => return 0,
                (index, item) = next => match item {
                    None => ended[index] = true,
                    Some(item) => {
                        let shard = shards[index].id().number();
                        let fatal = matches!(&item, Err(error) if error.is_fatal());
                        let dispatch = matches!(item, Ok(Event::Dispatch(_)));
                        self.print(shard, item);
                        if fatal {
                            return FATAL;
                        }
                        if dispatch {
                            self.dispatches += 1;
                            if self.args.events.is_some_and(|n| self.dispatches >= n) {
                                return 0;
                            }
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
            }
        }
    }

    /// Sends one stdin line to its shard; a bad line is reported, not fatal.
    fn command(&mut self, shards: &[Shard], accepted: &mut [u64], line: &str) {
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
            let index = shards
                .iter()
                .position(|shard| shard.id().number() == number)
                .ok_or_else(|| format!("shard {number} is not run here"))?;
            let text = Value::Object(payload).to_string();
            shards[index]
                .send(text)
                .map_err(|error| error.to_string())?;
            accepted[index] += 1;
            Ok::<(), String>(())
        })();
        if let Err(message) = result {
            let shard = shards.first().map_or(0, |shard| shard.id().number());
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

fn futures_next(
    shard: &mut Shard,
    cx: &mut std::task::Context<'_>,
) -> Poll<Option<Result<Event, gateway_tokio::Error>>> {
    use futures_util::Stream;
    std::pin::Pin::new(shard).poll_next(cx)
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

/// Reads `{"shards": N, "sessions": {"0": {...}}}`; a missing file is no sessions.
fn load_sessions(path: &PathBuf, shards: u32) -> Result<BTreeMap<u32, Session>, String> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
        Err(error) => return Err(error.to_string()),
    };
    let file: Value = serde_json::from_str(&text).map_err(|error| error.to_string())?;
    let saved_total = file["shards"].as_u64().ok_or("no \"shards\" count")?;
    let sessions: BTreeMap<u32, Session> =
        serde_json::from_value(file["sessions"].clone()).map_err(|error| error.to_string())?;
    if saved_total != u64::from(shards) {
        eprintln!("tail: the session file is for {saved_total} shards, not {shards}: identifying");
        return Ok(BTreeMap::new());
    }
    Ok(sessions)
}

fn save_sessions(
    path: &PathBuf,
    shards: u32,
    sessions: &BTreeMap<u32, Session>,
) -> Result<(), String> {
    let file = json!({"shards": shards, "sessions": sessions});
    std::fs::write(path, format!("{file:#}\n")).map_err(|error| error.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use gateway_tokio::IdentifyScheduler;

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
        let mut out = Vec::new();
        // The simulators of these tests have no identify window; neither has this queue.
        let queue =
            InMemoryQueue::from_scheduler(IdentifyScheduler::new(1).with_window(Duration::ZERO));
        let status = run(
            args(list),
            None,
            Arc::new(queue),
            stdin,
            &mut out,
            std::future::pending(),
        )
        .await;
        let text = String::from_utf8(out).expect("utf-8 output");
        let lines = text
            .lines()
            .map(|line| serde_json::from_str(line).unwrap_or_else(|_| panic!("not JSON: {line}")))
            .collect();
        (status, lines, text)
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
        assert_eq!(args(&[]).only, [0]);
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
}
