//! Interop with a client nobody here wrote: the npm package `@discordjs/ws` (driven by
//! `interop/discordjs/run.mjs`) discovers the simulator through `/api/v10/gateway/bot`,
//! connects with zlib-stream (node's built-in zlib), identifies, receives READY and at least 100
//! dispatches, survives an injected TCP drop by resuming on the resume URL, and ends with no gap
//! in its sequence numbers. Both the script's report and the simulator's log are checked.
//!
//! Needs Node 20+ and `npm ci --prefix gateway-sim/interop/discordjs` (CI runs it first).

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use gateway_sim::{Closer, Event, SimConfig, Simulator};
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdout, Command};

const WAIT: Duration = Duration::from_secs(30);

fn interop_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("interop")
        .join("discordjs")
}

struct Script {
    child: Child,
    lines: Lines<BufReader<ChildStdout>>,
    seen: Vec<Value>,
}

impl Script {
    /// Reads report lines until `pred` matches one; returns it.
    async fn until(&mut self, what: &str, mut pred: impl FnMut(&Value) -> bool) -> Value {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let line = tokio::time::timeout_at(deadline, self.lines.next_line())
                .await
                .unwrap_or_else(|_| {
                    panic!("timed out waiting for {what}; script said: {:?}", self.seen)
                })
                .expect("read script output")
                .unwrap_or_else(|| panic!("script exited before {what}; it said: {:?}", self.seen));
            let Ok(v) = serde_json::from_str::<Value>(&line) else {
                continue;
            };
            assert_ne!(v["event"], "error", "the client reported an error: {v}");
            self.seen.push(v.clone());
            if pred(&v) {
                return v;
            }
        }
    }

    /// Waits until the client has received dispatch `s`.
    async fn until_seq(&mut self, s: u64) {
        self.until(&format!("seq {s}"), |v| {
            v["event"] == "dispatch" && v["s"].as_u64() >= Some(s)
        })
        .await;
    }
}

#[tokio::test]
async fn discordjs_ws_identifies_receives_and_resumes_without_gaps() {
    let dir = interop_dir();
    assert!(
        dir.join("node_modules")
            .join("@discordjs")
            .join("ws")
            .exists(),
        "node_modules is missing: run `npm ci --prefix gateway-sim/interop/discordjs` first"
    );
    let cfg = SimConfig {
        heartbeat_interval: Duration::from_millis(1500),
        ..SimConfig::default()
    };
    let sim = Simulator::start(cfg).await.expect("simulator starts");
    let token = sim.config().token.clone();
    let mut child = Command::new("node")
        .arg(dir.join("run.mjs"))
        .arg(sim.http_url())
        .arg(&token)
        .current_dir(&dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .expect("`node` (20+) must be on PATH");
    let lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut script = Script {
        child,
        lines,
        seen: Vec::new(),
    };

    // 1. Identify and READY, then the GUILD_CREATEs.
    script.until("READY", |v| v["t"] == "READY").await;
    let log = sim.log();
    let (first_conn, session_id) = log
        .wait_for("Identified", WAIT, |records| {
            records.iter().find_map(|r| match &r.event {
                Event::Identified { session_id, .. } => Some((r.conn, session_id.clone())),
                _ => None,
            })
        })
        .await
        .unwrap();
    let frames = sim.frames(first_conn);
    assert!(
        frames[0].query.contains("compress=zlib-stream"),
        "query {}",
        frames[0].query
    );
    assert!(frames[0].query.contains("v=10"));

    // 2. At least 100 dispatches after READY.
    let mut delivered = sim.session_seq(&session_id).unwrap() - 1;
    while delivered < 100 {
        delivered += sim.emit_events(20) as u64;
    }
    let before_drop = sim.session_seq(&session_id).unwrap();
    script.until_seq(before_drop).await;

    // 3. Drop TCP, buffer more events while the client is away, expect a Resume.
    assert_eq!(sim.drop_connection(first_conn), 1);
    let mut missed = 0;
    while missed < 20 {
        missed += sim.emit_events(10);
    }
    let (resumed_conn, resumed_session, resumed_seq) = log.wait_resumed(WAIT).await.unwrap();
    assert_eq!(resumed_session, session_id);
    assert_eq!(
        resumed_seq, before_drop,
        "the client resumed from the last seq it saw"
    );
    let resume_frames = sim.frames(resumed_conn);
    assert!(
        resume_frames.iter().all(|f| f.path == "/resume"),
        "resumed on resume_gateway_url"
    );
    assert!(resume_frames[0].query.contains("compress=zlib-stream"));
    assert_eq!(log.count_received_op(2), 1, "one Identify in the whole run");
    script.until("RESUMED", |v| v["t"] == "RESUMED").await;

    // 4. A few live events after RESUMED, then finish.
    sim.emit_events(10);
    let last = sim.session_seq(&session_id).unwrap();
    script.until_seq(last).await;
    // It heartbeats on the resumed connection too (interval 1.5 s, first beat jittered).
    log.wait_for("a heartbeat on the resumed connection", WAIT, |records| {
        records
            .iter()
            .find(|r| {
                r.conn == resumed_conn && matches!(&r.event, Event::Received(v) if v["op"] == 1)
            })
            .map(|_| ())
    })
    .await
    .unwrap();
    let stdin = script.child.stdin.as_mut().expect("stdin");
    stdin.write_all(b"done\n").await.expect("write done");
    let summary = script.until("summary", |v| v["event"] == "summary").await;
    let status = tokio::time::timeout(WAIT, script.child.wait())
        .await
        .expect("script exits")
        .expect("status");
    assert!(status.success(), "script exit status {status}");

    let seqs: Vec<u64> = summary["seqs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_u64().unwrap())
        .collect();
    assert_eq!(
        seqs,
        (1..=last).collect::<Vec<_>>(),
        "every dispatch once, in order, no gap"
    );
    assert_eq!(
        (summary["ready"].as_u64(), summary["resumed"].as_u64()),
        (Some(1), Some(1))
    );
    assert!(
        last > 100 + missed as u64,
        "READY plus at least 100 dispatches plus the missed ones"
    );
    // The client closed with 1000 at the end.
    let (code, by) = log.wait_closed(resumed_conn, WAIT).await.unwrap();
    assert_eq!((code, by), (Some(1000), Closer::Client));
}
