//! `events`: one shard on async-std, connected to the embedded gateway simulator, printing
//! every event it yields.
//!
//! ```text
//! cargo run -p gateway-async-std --example events -- [--events N]
//!
//!   --events N   close the shard and exit 0 after N dispatches (READY and RESUMED included)
//! ```
//!
//! The simulator (gateway-sim) is a tokio program: it runs on a tokio runtime in a background
//! thread, and the shard connects to it from async-std over loopback like any client. Exit
//! status: 0 after `--events`, 1 after a fatal error or a simulator that did not start, 2
//! for a bad command line. This file owns only the command line and the output format.

use gateway_async_std::{CloseFrame, Config, Event, EventTypeFlags, Intents, Shard, ShardId};
use gateway_sim::{EventRate, SimConfig, Simulator};
use std::{io::Write, process::ExitCode, sync::mpsc, thread, time::Duration};

fn main() -> ExitCode {
    let limit = match parse_args(std::env::args().skip(1)) {
        Ok(limit) => limit,
        Err(error) => {
            eprintln!("events: {error}");
            return ExitCode::from(2);
        }
    };
    let config = SimConfig {
        heartbeat_interval: Duration::from_secs(5),
        event_rate: EventRate::PerSecond(5.0),
        ..SimConfig::default()
    };
    let sim = match SimThread::start(config) {
        Ok(sim) => sim,
        Err(error) => {
            eprintln!("events: cannot start the embedded simulator: {error}");
            return ExitCode::FAILURE;
        }
    };
    eprintln!("events: streaming the embedded simulator at {}", sim.url);
    let status =
        async_std::task::block_on(run(&sim.url, &sim.token, limit, &mut std::io::stdout()));
    drop(sim);
    ExitCode::from(status)
}

/// `--events N`, if given.
fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Option<u64>, String> {
    let mut limit = None;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--events" => {
                let value = args.next().ok_or("--events needs a number")?;
                let n = value
                    .parse()
                    .map_err(|_| format!("--events {value}: not a number"))?;
                limit = Some(n);
            }
            other => return Err(format!("unknown argument {other}; usage: [--events N]")),
        }
    }
    Ok(limit)
}

/// Streams one shard's events to `out` until `limit` dispatches or a fatal error; returns the
/// exit status.
async fn run(url: &str, token: &str, limit: Option<u64>, out: &mut impl Write) -> u8 {
    let config = match Config::builder(token, Intents::all())
        .gateway_url(url)
        .build()
    {
        Ok(config) => config,
        Err(error) => {
            eprintln!("events: {error}");
            return 1;
        }
    };
    let mut shard = Shard::with_config(ShardId::ONE, config);
    let mut dispatches = 0;
    while limit.is_none_or(|limit| dispatches < limit) {
        let Some(item) = shard.next_event(EventTypeFlags::all()).await else {
            return 1;
        };
        let line = match item {
            Ok(Event::Dispatch(dispatch)) => {
                dispatches += 1;
                format!("#{} {}", dispatch.seq, dispatch.event_type.name())
            }
            Ok(Event::Ready(ready)) => {
                dispatches += 1;
                format!("#{} READY session {}", ready.dispatch.seq, ready.session_id)
            }
            Ok(Event::Resumed(resumed)) => {
                dispatches += 1;
                format!("#{} RESUMED", resumed.dispatch.seq)
            }
            Ok(Event::Closed(closed)) => format!("closed {:?} ({:?})", closed.code, closed.cause),
            Ok(Event::Error(error)) => format!("bad data: {error}"),
            Ok(Event::HeartbeatAck(_)) => "heartbeat ack".to_owned(),
            Ok(Event::Hello(_)) => "hello".to_owned(),
            Ok(Event::InvalidSession(_)) => "invalid session".to_owned(),
            Ok(Event::Reconnect(_)) => "reconnect requested".to_owned(),
            Ok(_) => "other event".to_owned(),
            Err(error) if error.is_fatal() => {
                eprintln!("events: {error}");
                return 1;
            }
            Err(error) => format!("error: {error}"),
        };
        if writeln!(out, "{line}").is_err() {
            break;
        }
    }
    shard.close(CloseFrame::NORMAL).await;
    0
}

/// The simulator on a tokio runtime in its own thread; dropping this stops both.
struct SimThread {
    url: String,
    token: String,
    stop: Option<mpsc::Sender<()>>,
    thread: Option<thread::JoinHandle<()>>,
}

impl SimThread {
    fn start(config: SimConfig) -> std::io::Result<Self> {
        let (ready_tx, ready_rx) = mpsc::channel();
        let (stop, stopped) = mpsc::channel::<()>();
        let thread = thread::spawn(move || {
            let runtime = match tokio::runtime::Runtime::new() {
                Ok(runtime) => runtime,
                Err(error) => return drop(ready_tx.send(Err(error))),
            };
            match runtime.block_on(Simulator::start(config)) {
                Ok(sim) => {
                    let _ = ready_tx.send(Ok((sim.url(), sim.config().token.clone())));
                    // The runtime's workers serve the simulator until the example is done.
                    let _ = stopped.recv();
                    drop(sim);
                }
                Err(error) => drop(ready_tx.send(Err(error))),
            }
        });
        let (url, token) = ready_rx
            .recv()
            .map_err(|_| std::io::Error::other("the simulator thread ended"))??;
        Ok(Self {
            url,
            token,
            stop: Some(stop),
            thread: Some(thread),
        })
    }
}

impl Drop for SimThread {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_the_simulator_until_the_event_limit() {
        let config = SimConfig::fast().with_event_rate(EventRate::PerSecond(50.0));
        let sim = SimThread::start(config).expect("simulator");
        let mut out = Vec::new();
        let status = async_std::task::block_on(run(&sim.url, &sim.token, Some(5), &mut out));
        assert_eq!(status, 0);
        let out = String::from_utf8(out).expect("utf-8");
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.first(), Some(&"hello"), "{out}");
        assert!(lines[1].starts_with("#1 READY session "), "{out}");
        let numbered = lines.iter().filter(|line| line.starts_with('#')).count();
        assert_eq!(numbered, 5, "{out}");
    }

    #[test]
    fn the_command_line_takes_an_event_count() {
        let parse = |list: &[&str]| parse_args(list.iter().map(|s| s.to_string()));
        assert_eq!(parse(&[]), Ok(None));
        assert_eq!(parse(&["--events", "3"]), Ok(Some(3)));
        assert!(parse(&["--events"]).is_err());
        assert!(parse(&["--events", "x"]).is_err());
        assert!(parse(&["--json"]).is_err());
    }
}
