//! What both clients under test share: the arguments of a run, the measurement window of a
//! throughput run, the bookkeeping of a memory run, and their results (one JSON line on
//! stdout, read by the suite in another process).
//!
//! The library-specific halves are `ours.rs` and `twilight.rs`; each only connects shards and
//! reads events, so the two are measured by the same code.

use crate::compress::Compression;
use crate::measure;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Notify;

/// The token both libraries identify with (the feeder accepts any).
pub const TOKEN: &str = "Bot.benchmark.token";

/// How a raw consumer recognizes a dispatch without parsing: the feeder's payloads start
/// with `{"op":0,` like Discord's.
pub const DISPATCH_PREFIX: &str = r#"{"op":0,"#;

/// The library under test.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Library {
    /// This project's gateway-tokio.
    Ours,
    /// twilight-gateway 0.18.
    Twilight,
}

impl FromStr for Library {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "ours" => Ok(Library::Ours),
            "twilight" => Ok(Library::Twilight),
            other => Err(format!("unknown library {other:?} (ours or twilight)")),
        }
    }
}

impl fmt::Display for Library {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Library::Ours => "ours",
            Library::Twilight => "twilight",
        })
    }
}

/// What a throughput run reads events as.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Path {
    /// Typed events (`next_event(EventTypeFlags::all())`, deserialized).
    Typed,
    /// Raw messages (each payload's text).
    Raw,
}

impl FromStr for Path {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "typed" => Ok(Path::Typed),
            "raw" => Ok(Path::Raw),
            other => Err(format!("unknown path {other:?} (typed or raw)")),
        }
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Path::Typed => "typed",
            Path::Raw => "raw",
        })
    }
}

/// A throughput run: one shard reading `warmup + events` dispatches after READY.
#[derive(Clone, Debug)]
pub struct ThroughputArgs {
    /// The feeder's URL.
    pub url: String,
    /// Transport compression to ask for.
    pub compression: Compression,
    /// Typed or raw.
    pub path: Path,
    /// Dispatches read before the window opens (buffers and caches reach a steady state).
    pub warmup: usize,
    /// Dispatches inside the window.
    pub events: usize,
}

/// The result of a throughput run.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ThroughputResult {
    /// Library under test.
    pub library: Library,
    /// Typed or raw.
    pub path: Path,
    /// Compression name (`zlib`, `zstd`, `none`).
    pub compression: String,
    /// Dispatches inside the window.
    pub events: usize,
    /// CPU seconds (user + system, all threads) the client process spent in the window.
    pub cpu_secs: f64,
    /// The kernel's share of `cpu_secs`.
    pub system_secs: f64,
    /// Voluntary context switches in the window (threads that went to sleep).
    pub voluntary_switches: u64,
    /// Wall-clock seconds of the window.
    pub wall_secs: f64,
    /// Errors the library reported (a clean run has none).
    pub errors: usize,
    /// How the typed path was measured, when it differs from the issue's definition.
    pub note: Option<String>,
}

impl ThroughputResult {
    /// Events per CPU-second of the client process.
    pub fn events_per_cpu_sec(&self) -> f64 {
        self.events as f64 / self.cpu_secs
    }
}

/// The measurement window of a throughput run: opened at dispatch `1 + warmup` (READY is
/// dispatch 1), closed at dispatch `1 + warmup + events`.
#[derive(Debug)]
pub struct Window {
    open_at: usize,
    close_at: usize,
    seen: usize,
    opened: Option<(measure::Usage, Instant)>,
    /// Resources and wall time of the window once closed.
    pub elapsed: Option<(measure::Usage, Duration)>,
    /// Errors seen while reading.
    pub errors: usize,
}

impl Window {
    /// A window for `args`.
    pub fn new(args: &ThroughputArgs) -> Self {
        Window {
            open_at: 1 + args.warmup,
            close_at: 1 + args.warmup + args.events,
            seen: 0,
            opened: None,
            elapsed: None,
            errors: 0,
        }
    }

    /// Call for every dispatch delivered (READY included); true once the window closed.
    pub fn dispatch(&mut self) -> bool {
        self.seen += 1;
        if self.seen == self.open_at {
            self.opened = Some((measure::Usage::now(), Instant::now()));
        }
        if self.seen == self.close_at {
            let (usage, wall) = self.opened.expect("the window opens before it closes");
            self.elapsed = Some((measure::Usage::now().since(&usage), wall.elapsed()));
            return true;
        }
        false
    }

    /// The result, if the window closed.
    pub fn result(&self, library: Library, args: &ThroughputArgs) -> Option<ThroughputResult> {
        let (usage, wall) = self.elapsed?;
        Some(ThroughputResult {
            library,
            path: args.path,
            compression: args.compression.name().to_owned(),
            events: self.close_at - self.open_at,
            cpu_secs: usage.cpu().as_secs_f64(),
            system_secs: usage.system.as_secs_f64(),
            voluntary_switches: usage.voluntary_switches,
            wall_secs: wall.as_secs_f64(),
            errors: self.errors,
            note: None,
        })
    }
}

/// Which memory case a run measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Case {
    /// (a) idle after READY and one small GUILD_CREATE.
    Idle,
    /// (b) idle again after a startup burst with large GUILD_CREATEs.
    Burst,
}

impl FromStr for Case {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "idle" => Ok(Case::Idle),
            "burst" => Ok(Case::Burst),
            other => Err(format!("unknown case {other:?} (idle or burst)")),
        }
    }
}

impl fmt::Display for Case {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Case::Idle => "idle",
            Case::Burst => "burst",
        })
    }
}

/// A memory run: `shards` shards in this process, each reading the script to its end.
#[derive(Clone, Debug)]
pub struct MemoryArgs {
    /// The feeder's URL.
    pub url: String,
    /// Transport compression to ask for.
    pub compression: Compression,
    /// Which script the feeder serves (recorded in the result).
    pub case: Case,
    /// Shards to run.
    pub shards: u32,
    /// Dispatches each shard receives (READY included).
    pub dispatches: usize,
    /// How long to stay idle after the last shard read its last dispatch.
    pub idle: Duration,
}

/// The result of a memory run.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct MemoryResult {
    /// Library under test.
    pub library: Library,
    /// Compression name.
    pub compression: String,
    /// Memory case.
    pub case: Case,
    /// Shards run.
    pub shards: u32,
    /// Resident bytes before the shards were built.
    pub rss_before: u64,
    /// Resident bytes once every shard was idle.
    pub rss_after: u64,
    /// Live heap bytes (counting allocator) before the shards were built.
    pub heap_before: i64,
    /// Live heap bytes once every shard was idle.
    pub heap_after: i64,
    /// Seconds from building the shards to the last one reading its last dispatch.
    pub setup_secs: f64,
    /// Errors the library reported.
    pub errors: usize,
}

impl MemoryResult {
    /// Resident bytes per shard.
    pub fn rss_per_shard(&self) -> f64 {
        (self.rss_after as f64 - self.rss_before as f64) / f64::from(self.shards)
    }

    /// Live heap bytes per shard.
    pub fn heap_per_shard(&self) -> f64 {
        (self.heap_after - self.heap_before) as f64 / f64::from(self.shards)
    }
}

/// Shared progress of the shards of a memory run.
#[derive(Debug, Default)]
pub struct Progress {
    finished: AtomicUsize,
    errors: AtomicUsize,
    notify: Notify,
}

impl Progress {
    /// A shard read its last expected dispatch.
    pub fn finish(&self) {
        self.finished.fetch_add(1, Ordering::SeqCst);
        self.notify.notify_one();
    }

    /// A shard's library reported an error; the first few are printed to stderr.
    pub fn error(&self, error: &dyn fmt::Display) {
        if self.errors.fetch_add(1, Ordering::Relaxed) < 5 {
            eprintln!("shard error: {error}");
        }
    }

    /// Errors reported so far.
    pub fn errors(&self) -> usize {
        self.errors.load(Ordering::Relaxed)
    }

    /// Waits until `shards` shards finished.
    pub async fn wait(&self, shards: usize) {
        while self.finished.load(Ordering::SeqCst) < shards {
            self.notify.notified().await;
        }
    }
}

/// Runs a memory measurement around `spawn_shards`, which builds and starts every shard
/// (each calling [`Progress::finish`] after `args.dispatches` dispatches).
pub async fn measure_memory(
    library: Library,
    args: &MemoryArgs,
    spawn_shards: impl FnOnce(Arc<Progress>),
) -> MemoryResult {
    settle().await;
    let progress = Arc::new(Progress::default());
    measure::count_heap();
    let census = std::env::var_os("GWBENCH_CENSUS");
    if census.is_some() {
        measure::start_census();
    }
    let rss_before = measure::rss_bytes();
    let heap_before = measure::heap_bytes();
    let start = Instant::now();
    spawn_shards(progress.clone());
    tokio::time::timeout(
        Duration::from_secs(600),
        progress.wait(args.shards as usize),
    )
    .await
    .expect("every shard reads its script within 10 minutes");
    let setup_secs = start.elapsed().as_secs_f64();
    tokio::time::sleep(args.idle).await;
    if let Some(path) = census {
        use std::io::Write;
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .expect("census file");
        let _ = writeln!(
            file,
            "census {:?} {} {:?} {}",
            library,
            args.compression.name(),
            args.case,
            args.shards
        );
        let n = args.shards as isize;
        let mut total = 0;
        for (size, live) in measure::census_report((n / 2).max(1)) {
            total += size as isize * live;
            let _ = writeln!(
                file,
                "census: {size:>8} B x {live:>6} = {:>9.1} KiB ({:.2} per shard, {:.2} KiB/shard)",
                (size as isize * live) as f64 / 1024.0,
                live as f64 / n as f64,
                (size as isize * live) as f64 / 1024.0 / n as f64
            );
        }
        let _ = writeln!(
            file,
            "census: listed {:.1} KiB/shard",
            total as f64 / 1024.0 / n as f64
        );
    }
    MemoryResult {
        library,
        compression: args.compression.name().to_owned(),
        case: args.case,
        shards: args.shards,
        rss_before,
        rss_after: measure::rss_bytes(),
        heap_before,
        heap_after: measure::heap_bytes(),
        setup_secs,
        errors: progress.errors(),
    }
}

/// Lets the runtime start and touch its worker threads before the baseline is read, so the
/// first shard is not charged for them.
async fn settle() {
    let tasks: Vec<_> = (0..8)
        .map(|_| tokio::spawn(tokio::time::sleep(Duration::from_millis(20))))
        .collect();
    for task in tasks {
        let _ = task.await;
    }
}
