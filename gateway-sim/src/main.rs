//! The `gateway-sim` binary: runs a simulator on a fixed port until Ctrl-C, so bots can be
//! tested offline. Flags map onto [`gateway_sim::SimConfig`]; a few faults can be scheduled
//! from the command line. All behaviour lives in the library.

use std::time::Duration;

use clap::Parser;
use gateway_sim::{EventRate, SimConfig, Simulator, Target, WorldConfig};

/// A local Discord gateway simulator (API v10, JSON, zlib-stream and zstd-stream).
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// Port to listen on (127.0.0.1); 0 picks a free one.
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// Bot token clients must send.
    #[arg(long, default_value = "sim-token")]
    token: String,
    /// Heartbeat interval announced in Hello, in milliseconds.
    #[arg(long, default_value_t = 41_250)]
    heartbeat_ms: u64,
    /// Grace after a missed heartbeat before closing, in milliseconds.
    #[arg(long, default_value_t = 5_000)]
    heartbeat_grace_ms: u64,
    /// Recommended shard count reported by /gateway/bot.
    #[arg(long, default_value_t = 1)]
    shards: u32,
    /// max_concurrency (identify buckets).
    #[arg(long, default_value_t = 1)]
    max_concurrency: u32,
    /// Identify window per bucket, in milliseconds.
    #[arg(long, default_value_t = 5_000)]
    identify_window_ms: u64,
    /// Seconds a disconnected session stays resumable.
    #[arg(long, default_value_t = 180)]
    session_lifetime_secs: u64,
    /// Guilds in the generated world.
    #[arg(long, default_value_t = 4)]
    guilds: usize,
    /// Seed of the world and of the event stream.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Generated events per second; 0 = none, "max" = as fast as clients read.
    #[arg(long, default_value = "0")]
    events_per_sec: String,
    /// Split each zlib-stream message into this many frames.
    #[arg(long, default_value_t = 1)]
    compress_split: usize,
    /// Privileged intents enabled for the app (bitmask; default all three).
    #[arg(long, default_value_t = gateway_sim::protocol::PRIVILEGED_INTENTS)]
    privileged_intents: u64,
    /// Withhold heartbeat ACKs on every connection.
    #[arg(long)]
    withhold_acks: bool,
    /// Every N seconds, send Reconnect (op 7) to every connection.
    #[arg(long)]
    reconnect_every_secs: Option<u64>,
    /// Every N seconds, drop every connection without a close frame.
    #[arg(long)]
    drop_every_secs: Option<u64>,
}

fn parse_rate(s: &str) -> Result<EventRate, String> {
    match s {
        "max" => Ok(EventRate::AsFastAsClientsRead),
        "0" => Ok(EventRate::Manual),
        n => n
            .parse::<f64>()
            .ok()
            .filter(|r| *r > 0.0)
            .map(EventRate::PerSecond)
            .ok_or(format!("bad --events-per-sec {n}")),
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let world = WorldConfig {
        seed: args.seed,
        guilds: args.guilds,
        ..WorldConfig::default()
    };
    let config = SimConfig {
        bind: std::net::SocketAddr::from(([127, 0, 0, 1], args.port)),
        token: args.token,
        heartbeat_interval: Duration::from_millis(args.heartbeat_ms),
        heartbeat_grace: Duration::from_millis(args.heartbeat_grace_ms),
        recommended_shards: args.shards,
        max_concurrency: args.max_concurrency,
        identify_window: Duration::from_millis(args.identify_window_ms),
        session_lifetime: Duration::from_secs(args.session_lifetime_secs),
        enabled_privileged_intents: args.privileged_intents,
        compress_split: args.compress_split,
        event_seed: args.seed,
        event_rate: parse_rate(&args.events_per_sec)?,
        world,
        ..SimConfig::default()
    };
    let sim = Simulator::start(config).await?;
    println!("gateway:  {}/?v=10&encoding=json", sim.url());
    println!("resume:   {}", sim.resume_url());
    println!("discover: {}/api/v10/gateway/bot", sim.http_url());
    println!("token:    {}", sim.config().token);
    let withhold = args.withhold_acks;
    let mut faults = tokio::time::interval(Duration::from_millis(200));
    let start = tokio::time::Instant::now();
    let (mut next_reconnect, mut next_drop) = (args.reconnect_every_secs, args.drop_every_secs);
    loop {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => break,
            _ = faults.tick() => {
                if withhold {
                    sim.withhold_acks(Target::All, true);
                }
                let elapsed = start.elapsed().as_secs();
                if let (Some(every), Some(at)) = (args.reconnect_every_secs, next_reconnect) {
                    if elapsed >= at {
                        let n = sim.send_reconnect(Target::All);
                        println!("sent Reconnect to {n} connection(s)");
                        next_reconnect = Some(at + every.max(1));
                    }
                }
                if let (Some(every), Some(at)) = (args.drop_every_secs, next_drop) {
                    if elapsed >= at {
                        let n = sim.drop_connection(Target::All);
                        println!("dropped {n} connection(s)");
                        next_drop = Some(at + every.max(1));
                    }
                }
            }
        }
    }
    println!("shutting down");
    Ok(())
}
