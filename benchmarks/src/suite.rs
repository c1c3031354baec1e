//! The suite: one process runs the feeders and starts every client run as a child process
//! (the binary built for the run's compression), one at a time, and appends each result to
//! a JSON-lines file. Runs of the two libraries alternate, so a change in machine load
//! during the suite hits both alike.

use crate::client::{Case, Library, MemoryResult, Path, ThroughputResult};
use crate::compress::Compression;
use crate::corpus::{self, Script};
use crate::feeder::Feeder;
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

/// What to run.
#[derive(Clone, Debug)]
pub struct SuiteArgs {
    /// Directory holding `gwbench-zlib`, `gwbench-zstd` and `gwbench-none`.
    pub bin_dir: PathBuf,
    /// JSON-lines file the results are appended to.
    pub out: PathBuf,
    /// Throughput runs per (compression, path, library).
    pub runs: usize,
    /// Memory runs per (compression, case, shard count, library).
    pub memory_runs: usize,
    /// Shard counts of the memory runs.
    pub shard_counts: Vec<u32>,
    /// Compressions to run.
    pub compressions: Vec<Compression>,
    /// Dispatches read before each throughput window opens.
    pub warmup: usize,
    /// Dispatches inside each throughput window.
    pub events: usize,
    /// Idle time before memory is read.
    pub idle: Duration,
    /// Skip the throughput runs.
    pub skip_throughput: bool,
    /// Skip the memory runs.
    pub skip_memory: bool,
    /// The libraries to run (both by default).
    pub libraries: Vec<Library>,
}

/// One line of the results file.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Record {
    /// A throughput run.
    Throughput(ThroughputResult),
    /// A memory run.
    Memory(MemoryResult),
    /// A run that failed (the client's last words).
    Failed {
        /// The command line's arguments.
        args: Vec<String>,
        /// Why.
        error: String,
    },
    /// The 1-, 5- and 15-minute load averages, read between runs.
    Load {
        /// What was about to run.
        before: String,
        /// `/proc/loadavg`'s first three fields.
        load: [f64; 3],
    },
}

/// The 1-, 5- and 15-minute load averages.
pub fn load_average() -> [f64; 3] {
    let text = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let mut fields = text
        .split_whitespace()
        .map(|f| f.parse().unwrap_or(f64::NAN));
    [(); 3].map(|()| fields.next().unwrap_or(f64::NAN))
}

struct Feeders {
    throughput: Feeder,
    idle: Feeder,
    burst: Feeder,
}

/// Scripts sent at a time in memory runs: enough to keep both cores busy, few enough that
/// each script is read within a second or two.
pub const CONCURRENT_SCRIPTS: usize = 4;

async fn feeder(
    compressions: &[Compression],
    concurrent_scripts: Option<usize>,
    build: impl FnOnce(&str) -> Script,
) -> Feeder {
    let (listener, url) = Feeder::bind().await.expect("bind 127.0.0.1");
    let script = build(&url);
    Feeder::start(listener, url, &script, compressions, concurrent_scripts)
}

/// Runs the suite; results go to `args.out` as they come.
pub async fn run(args: &SuiteArgs) -> std::io::Result<()> {
    crate::measure::raise_fd_limit();
    let warmup = args.warmup;
    let events = args.events;
    let feeders = Feeders {
        throughput: feeder(&args.compressions, None, |url| {
            corpus::throughput(url, warmup, events)
        })
        .await,
        idle: feeder(&args.compressions, Some(CONCURRENT_SCRIPTS), corpus::idle).await,
        burst: feeder(&args.compressions, Some(CONCURRENT_SCRIPTS), corpus::burst).await,
    };
    let idle_dispatches = corpus::idle("ws://x").dispatches();
    let burst_dispatches = corpus::burst("ws://x").dispatches();
    let mut out = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&args.out)?;

    if !args.skip_throughput {
        for run in 0..args.runs {
            for &compression in &args.compressions {
                for path in [Path::Typed, Path::Raw] {
                    for &library in &args.libraries {
                        let label = format!(
                            "throughput {run} {compression} {path} {library}",
                            run = run + 1
                        );
                        record(
                            &mut out,
                            &Record::Load {
                                before: label.clone(),
                                load: load_average(),
                            },
                        )?;
                        let argv = vec![
                            "throughput".to_owned(),
                            format!("--library={library}"),
                            format!("--path={path}"),
                            format!("--compression={}", compression.name()),
                            format!("--url={}", feeders.throughput.url()),
                            format!("--warmup={warmup}"),
                            format!("--events={events}"),
                        ];
                        let result = client(args, compression, &argv, 300).await;
                        let line = match result {
                            Ok(line) => match serde_json::from_str::<ThroughputResult>(&line) {
                                Ok(result) => {
                                    eprintln!(
                                        "{label}: {:.0} events/CPU-s ({:.3} CPU-s)",
                                        result.events_per_cpu_sec(),
                                        result.cpu_secs
                                    );
                                    Record::Throughput(result)
                                }
                                Err(error) => failed(argv, format!("{error}: {line}")),
                            },
                            Err(error) => failed(argv, error),
                        };
                        record(&mut out, &line)?;
                    }
                }
            }
        }
    }

    if !args.skip_memory {
        for run in 0..args.memory_runs {
            for &compression in &args.compressions {
                for case in [Case::Idle, Case::Burst] {
                    for &shards in &args.shard_counts {
                        for &library in &args.libraries {
                            let label = format!(
                                "memory {run} {compression} {case} {shards} {library}",
                                run = run + 1
                            );
                            record(
                                &mut out,
                                &Record::Load {
                                    before: label.clone(),
                                    load: load_average(),
                                },
                            )?;
                            let (url, dispatches) = match case {
                                Case::Idle => (feeders.idle.url(), idle_dispatches),
                                Case::Burst => (feeders.burst.url(), burst_dispatches),
                            };
                            let argv = vec![
                                "memory".to_owned(),
                                format!("--library={library}"),
                                format!("--compression={}", compression.name()),
                                format!("--case={case}"),
                                format!("--shards={shards}"),
                                format!("--dispatches={dispatches}"),
                                format!("--url={url}"),
                                format!("--idle-ms={}", args.idle.as_millis()),
                            ];
                            let result = client(args, compression, &argv, 900).await;
                            let line = match result {
                                Ok(line) => match serde_json::from_str::<MemoryResult>(&line) {
                                    Ok(result) => {
                                        eprintln!(
                                            "{label}: {:.1} KiB RSS/shard, {:.1} KiB heap/shard, \
                                             {:.1} s to read",
                                            result.rss_per_shard() / 1024.0,
                                            result.heap_per_shard() / 1024.0,
                                            result.setup_secs
                                        );
                                        Record::Memory(result)
                                    }
                                    Err(error) => failed(argv, format!("{error}: {line}")),
                                },
                                Err(error) => failed(argv, error),
                            };
                            record(&mut out, &line)?;
                        }
                    }
                }
            }
        }
    }
    let stats = [
        ("throughput", feeders.throughput.stats()),
        ("idle", feeders.idle.stats()),
        ("burst", feeders.burst.stats()),
    ];
    for (name, stats) in stats {
        eprintln!("feeder {name}: {stats:?}");
    }
    Ok(())
}

fn failed(args: Vec<String>, error: String) -> Record {
    eprintln!("FAILED {}: {error}", args.join(" "));
    Record::Failed { args, error }
}

fn record(out: &mut std::fs::File, record: &Record) -> std::io::Result<()> {
    let line = serde_json::to_string(record).expect("records serialize");
    writeln!(out, "{line}")
}

/// Runs one client process and returns the last line of its stdout.
async fn client(
    args: &SuiteArgs,
    compression: Compression,
    argv: &[String],
    timeout_secs: u64,
) -> Result<String, String> {
    let binary = args.bin_dir.join(format!("gwbench-{}", compression.name()));
    let child = tokio::process::Command::new(&binary)
        .args(argv)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|error| format!("{}: {error}", binary.display()))?;
    let output = tokio::time::timeout(Duration::from_secs(timeout_secs), child.wait_with_output())
        .await
        .map_err(|_| format!("no result within {timeout_secs} s"))?
        .map_err(|error| error.to_string())?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        let tail: Vec<&str> = stderr.lines().rev().take(5).collect();
        return Err(format!("{}: {}", output.status, tail.join(" | ")));
    }
    stdout
        .lines()
        .last()
        .map(str::to_owned)
        .ok_or_else(|| format!("no output; stderr: {stderr}"))
}
