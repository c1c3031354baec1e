//! `gwbench`: the benchmark binary. Clients under test (`throughput`, `memory`) print one JSON
//! line with their result; `suite` runs the feeders and those clients; `report` renders
//! tables; `feeder` and `corpus` are for looking at the pieces by hand.
//!
//! run.sh builds it once per twilight compression (`gwbench-zlib`, `gwbench-zstd`,
//! `gwbench-none`); our client is the same code in all three.

use clap::{Parser, Subcommand};
use gateway_benchmarks::client::{Case, Library, MemoryArgs, Path, ThroughputArgs};
use gateway_benchmarks::compress::{compress, Compression};
use gateway_benchmarks::measure::{self, CountingAlloc};
use gateway_benchmarks::suite::SuiteArgs;
use gateway_benchmarks::{corpus, feeder::Feeder, ours, report, suite, twilight};
use std::path::PathBuf;
use std::time::Duration;

#[global_allocator]
static ALLOCATOR: CountingAlloc = CountingAlloc;

#[derive(Parser)]
#[command(about = "gateway-tokio vs twilight-gateway benchmarks")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// One shard reads the throughput script; prints a ThroughputResult as JSON.
    Throughput {
        #[arg(long)]
        library: Library,
        #[arg(long)]
        path: Path,
        #[arg(long)]
        compression: Compression,
        #[arg(long)]
        url: String,
        #[arg(long, default_value_t = 2_000)]
        warmup: usize,
        #[arg(long, default_value_t = 20_000)]
        events: usize,
        /// `multi` (tokio's default multi-thread runtime, as `#[tokio::main]`) or `current`
        /// (one thread), for looking at scheduling costs.
        #[arg(long, default_value = "multi")]
        runtime: String,
    },
    /// Many shards read a memory script and idle; prints a MemoryResult as JSON.
    Memory {
        #[arg(long)]
        library: Library,
        #[arg(long)]
        compression: Compression,
        #[arg(long)]
        case: Case,
        #[arg(long)]
        shards: u32,
        /// Dispatches each shard receives, READY included.
        #[arg(long)]
        dispatches: usize,
        #[arg(long)]
        url: String,
        #[arg(long, default_value_t = 2_000)]
        idle_ms: u64,
    },
    /// Runs the feeders and every client run; appends results to --out.
    Suite {
        /// Directory with gwbench-zlib, gwbench-zstd and gwbench-none.
        #[arg(long)]
        bin_dir: PathBuf,
        #[arg(long)]
        out: PathBuf,
        #[arg(long, default_value_t = 5)]
        runs: usize,
        #[arg(long, default_value_t = 3)]
        memory_runs: usize,
        #[arg(long, value_delimiter = ',', default_value = "1,100,1000")]
        shards: Vec<u32>,
        #[arg(long, value_delimiter = ',', default_value = "zlib,zstd,none")]
        compressions: Vec<Compression>,
        #[arg(long, default_value_t = 2_000)]
        warmup: usize,
        #[arg(long, default_value_t = 20_000)]
        events: usize,
        #[arg(long, default_value_t = 2_000)]
        idle_ms: u64,
        #[arg(long)]
        skip_throughput: bool,
        #[arg(long)]
        skip_memory: bool,
        /// Libraries to run (default both).
        #[arg(long, value_delimiter = ',', default_value = "twilight,ours")]
        libraries: Vec<Library>,
    },
    /// Renders the tables of a results file (and criterion's proto-level estimates).
    Report {
        results: PathBuf,
        /// criterion's output directory (`$CARGO_TARGET_DIR/criterion`).
        #[arg(long)]
        criterion: Option<PathBuf>,
    },
    /// Serves one script until interrupted (for profiling a client by hand).
    Feeder {
        #[arg(long, default_value = "throughput")]
        script: String,
        #[arg(long, default_value_t = 2_000)]
        warmup: usize,
        #[arg(long, default_value_t = 20_000)]
        events: usize,
    },
    /// Runs one proto-level stage once over the proto corpus (for callgrind: the stage runs in
    /// `gateway_benchmarks::stage::run`, so `--toggle-collect` can isolate it).
    Stage {
        #[arg(long)]
        compression: Compression,
        /// `inflate`, `inflate+envelope`, `inflate+typed` or `machine`.
        #[arg(long)]
        stage: String,
    },
    /// Prints the corpus: mix by count and bytes, compressed sizes.
    Corpus {
        #[arg(long, default_value_t = 2_000)]
        warmup: usize,
        #[arg(long, default_value_t = 20_000)]
        events: usize,
    },
}

fn main() {
    let cli = Cli::parse();
    match cli.command {
        Command::Throughput {
            library,
            path,
            compression,
            url,
            warmup,
            events,
            runtime,
        } => {
            let args = ThroughputArgs {
                url,
                compression,
                path,
                warmup,
                events,
            };
            let runtime = match runtime.as_str() {
                "current" => tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("tokio runtime"),
                _ => client_runtime(),
            };
            let result = runtime.block_on(async {
                match library {
                    Library::Ours => ours::throughput(&args).await,
                    Library::Twilight => twilight::throughput(&args).await,
                }
            });
            print_result(result);
        }
        Command::Memory {
            library,
            compression,
            case,
            shards,
            dispatches,
            url,
            idle_ms,
        } => {
            measure::raise_fd_limit();
            let args = MemoryArgs {
                url,
                compression,
                case,
                shards,
                dispatches,
                idle: Duration::from_millis(idle_ms),
            };
            let result = client_runtime().block_on(async {
                match library {
                    Library::Ours => ours::memory(&args).await,
                    Library::Twilight => twilight::memory(&args).await,
                }
            });
            print_result(result);
        }
        Command::Suite {
            bin_dir,
            out,
            runs,
            memory_runs,
            shards,
            compressions,
            warmup,
            events,
            idle_ms,
            skip_throughput,
            skip_memory,
            libraries,
        } => {
            let args = SuiteArgs {
                bin_dir,
                out,
                runs,
                memory_runs,
                shard_counts: shards,
                compressions,
                warmup,
                events,
                idle: Duration::from_millis(idle_ms),
                skip_throughput,
                skip_memory,
                libraries,
            };
            feeder_runtime()
                .block_on(suite::run(&args))
                .expect("results file is writable");
        }
        Command::Report { results, criterion } => {
            let records = report::read(&results).expect("results file is readable");
            let floors = criterion
                .map(|dir| report::read_floors(&dir))
                .unwrap_or_default();
            print!("{}", report::render(&records, &floors));
        }
        Command::Feeder {
            script,
            warmup,
            events,
        } => {
            measure::raise_fd_limit();
            feeder_runtime().block_on(async {
                let (listener, url) = Feeder::bind().await.expect("bind 127.0.0.1");
                let (script, turns) = match script.as_str() {
                    "idle" => (corpus::idle(&url), Some(suite::CONCURRENT_SCRIPTS)),
                    "burst" => (corpus::burst(&url), Some(suite::CONCURRENT_SCRIPTS)),
                    _ => (corpus::throughput(&url, warmup, events), None),
                };
                println!("{url} ({} dispatches)", script.dispatches());
                let _feeder = Feeder::start(listener, url, &script, &Compression::ALL, turns);
                std::future::pending::<()>().await;
            });
        }
        Command::Corpus { warmup, events } => print_corpus(warmup, events),
        Command::Stage { compression, stage } => {
            let prepared = gateway_benchmarks::stage::Prepared::new(compression);
            let checksum = gateway_benchmarks::stage::run(&prepared, &stage);
            println!("{stage} over {compression}: checksum {checksum}");
        }
    }
}

/// The runtime of a client under test: tokio's default multi-thread runtime, as a bot's
/// `#[tokio::main]` has (one worker per core).
fn client_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
}

/// The feeder's runtime: one worker, so it competes with the client for as little as possible.
fn feeder_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("tokio runtime")
}

fn print_result<T: serde::Serialize>(result: Result<T, String>) {
    match result {
        Ok(result) => {
            println!(
                "{}",
                serde_json::to_string(&result).expect("results serialize")
            );
            // Dropping a thousand shards cleanly is not what is measured.
            std::process::exit(0);
        }
        Err(error) => {
            eprintln!("error: {error}");
            std::process::exit(1);
        }
    }
}

fn print_corpus(warmup: usize, events: usize) {
    for (name, script) in [
        ("throughput", corpus::throughput("ws://x", warmup, events)),
        ("idle", corpus::idle("ws://x")),
        ("burst", corpus::burst("ws://x")),
    ] {
        let json = script.event_bytes();
        println!(
            "{name}: {} dispatches after READY, {:.2} MB JSON",
            script.dispatches() - 1,
            json as f64 / 1e6
        );
        for compression in [Compression::Zlib, Compression::Zstd] {
            let frames = compress(&script.messages[2..], compression);
            let bytes: usize = frames.iter().map(Vec::len).sum();
            println!(
                "  {compression}: {:.2} MB ({:.1}:1)",
                bytes as f64 / 1e6,
                json as f64 / bytes as f64
            );
        }
        for (t, (count, bytes)) in corpus::mix(&script) {
            println!(
                "  {t:<22} {count:>6} ({:>5.1}% by count) {:>10} bytes ({:>5.1}% by bytes), max {}",
                100.0 * count as f64 / (script.dispatches() - 1) as f64,
                bytes,
                100.0 * bytes as f64 / json as f64,
                script.messages[2..]
                    .iter()
                    .filter(|m| corpus::event_name(m) == Some(t.as_str()))
                    .map(String::len)
                    .max()
                    .unwrap_or(0)
            );
        }
    }
}
