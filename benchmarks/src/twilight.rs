//! The twilight-gateway 0.18 side: shards pointed at the feeder with
//! `ConfigBuilder::proxy_url` (they then resume on READY's `resume_gateway_url`, which is the
//! feeder too), the ring crypto provider installed before any `Config` is built, and an
//! identify queue that never throttles.
//!
//! twilight picks its transport compression at compile time (`zstd` wins over `zlib`, neither
//! means text), so this build serves exactly [`COMPRESSION`]; run.sh builds one binary per
//! compression.

use crate::client::{
    measure_memory, Library, MemoryArgs, MemoryResult, ThroughputArgs, ThroughputResult, Window,
    DISPATCH_PREFIX, TOKEN,
};
use crate::compress::Compression;
use futures_util::StreamExt as _;
use std::hint::black_box;
use tokio::sync::oneshot;
use twilight_gateway::queue::Queue;
use twilight_gateway::{
    Config, ConfigBuilder, Event, EventTypeFlags, Intents, Message, Shard, ShardId, StreamExt as _,
};

/// The compression this build of twilight-gateway negotiates.
pub const COMPRESSION: Compression = if cfg!(feature = "twilight-zstd") {
    Compression::Zstd
} else if cfg!(feature = "twilight-zlib") {
    Compression::Zlib
} else {
    Compression::None
};

/// An identify queue that grants every request at once (the feeder has no identify rate
/// limit, and 1,000 shards would otherwise take 5,000 s to identify).
#[derive(Clone, Copy, Debug, Default)]
pub struct UnthrottledQueue;

impl Queue for UnthrottledQueue {
    fn enqueue(&self, _shard: u32) -> oneshot::Receiver<()> {
        let (permit, receiver) = oneshot::channel();
        // The receiver is alive: it is returned below.
        let _ = permit.send(());
        receiver
    }
}

/// A config for the feeder at `url`, every intent, unthrottled identify.
fn config(url: &str) -> Config<UnthrottledQueue> {
    // twilight's TLS connector needs a process-wide provider; installing twice is harmless.
    let _ = rustls::crypto::ring::default_provider().install_default();
    ConfigBuilder::new(TOKEN.to_owned(), Intents::all())
        .proxy_url(url.to_owned())
        .queue(UnthrottledQueue)
        .build()
}

fn check_compression(compression: Compression) -> Result<(), String> {
    if compression == COMPRESSION {
        Ok(())
    } else {
        Err(format!(
            "this binary's twilight-gateway speaks {COMPRESSION}, not {compression}: \
             build with --features twilight-{}",
            compression.name()
        ))
    }
}

/// Whether a typed event is a dispatch (READY included).
fn is_dispatch(event: &Event) -> bool {
    !matches!(
        event,
        Event::GatewayClose(_)
            | Event::GatewayHeartbeat
            | Event::GatewayHeartbeatAck
            | Event::GatewayHello(_)
            | Event::GatewayInvalidateSession(_)
            | Event::GatewayReconnect
    )
}

/// One shard reading the throughput script: typed events or raw messages.
pub async fn throughput(args: &ThroughputArgs) -> Result<ThroughputResult, String> {
    check_compression(args.compression)?;
    let mut shard = Shard::with_config(ShardId::ONE, config(&args.url));
    let mut window = Window::new(args);
    match args.path {
        crate::client::Path::Typed => {
            while let Some(item) = shard.next_event(EventTypeFlags::all()).await {
                match item {
                    Ok(event) => {
                        let done = is_dispatch(&event) && window.dispatch();
                        black_box(event);
                        if done {
                            break;
                        }
                    }
                    Err(error) => {
                        window.errors += 1;
                        eprintln!("twilight: {error}");
                    }
                }
            }
        }
        crate::client::Path::Raw => {
            while let Some(item) = shard.next().await {
                match item {
                    Ok(Message::Text(text)) => {
                        let done = text.starts_with(DISPATCH_PREFIX) && window.dispatch();
                        black_box(text);
                        if done {
                            break;
                        }
                    }
                    Ok(Message::Close(_)) => {}
                    Err(error) => {
                        window.errors += 1;
                        eprintln!("twilight: {error}");
                    }
                }
            }
        }
    }
    window
        .result(Library::Twilight, args)
        .ok_or_else(|| "the shard ended before the window closed".to_owned())
}

/// `args.shards` shards in this process, each reading typed events as a bot does.
pub async fn memory(args: &MemoryArgs) -> Result<MemoryResult, String> {
    check_compression(args.compression)?;
    // One config cloned per shard shares its TLS connector, as twilight recommends.
    let config = config(&args.url);
    let shards = args.shards;
    let dispatches = args.dispatches;
    let result = measure_memory(Library::Twilight, args, move |progress| {
        for number in 0..shards {
            let mut shard = Shard::with_config(ShardId::new(number, shards), config.clone());
            let progress = progress.clone();
            tokio::spawn(async move {
                let mut seen = 0;
                while let Some(item) = shard.next_event(EventTypeFlags::all()).await {
                    match item {
                        Ok(event) if is_dispatch(&event) => {
                            seen += 1;
                            if seen == dispatches {
                                progress.finish();
                            }
                        }
                        Ok(_) => {}
                        Err(error) => progress
                            .error(&format!("{error}: {:?}", std::error::Error::source(&error))),
                    }
                }
            });
        }
    })
    .await;
    Ok(result)
}
