//! This project's side: gateway-tokio shards pointed at the feeder with
//! `ConfigBuilder::gateway_url` (they resume on READY's `resume_gateway_url`, the feeder too),
//! with the library's default settings except an identify queue that never throttles.
//!
//! Typed reads are `next_event(EventTypeFlags::all())` followed by `Dispatch::parse` (the
//! `model` feature) of every dispatch, READY included; raw reads are `next_message()`.

use crate::client::{
    measure_memory, Library, MemoryArgs, MemoryResult, Path, ThroughputArgs, ThroughputResult,
    Window, DISPATCH_PREFIX, TOKEN,
};
use crate::compress::Compression;
use gateway_tokio::{
    Config, Event, EventTypeFlags, Intents, Message, PermitFuture, Queue, Shard, ShardId,
};
use std::hint::black_box;
use std::sync::Arc;

/// An identify queue that grants every request at once (the feeder has no identify rate
/// limit, and 1,000 shards would otherwise take 5,000 s to identify).
#[derive(Clone, Copy, Debug, Default)]
pub struct UnthrottledQueue;

impl Queue for UnthrottledQueue {
    fn request(&self, _shard: ShardId) -> PermitFuture {
        Box::pin(std::future::ready(()))
    }
}

fn compression(compression: Compression) -> gateway_tokio::Compression {
    match compression {
        Compression::None => gateway_tokio::Compression::None,
        Compression::Zlib => gateway_tokio::Compression::ZlibStream,
        Compression::Zstd => gateway_tokio::Compression::ZstdStream,
    }
}

/// A config for the feeder at `url`, every intent.
fn config(url: &str, transport: Compression) -> Result<Config, String> {
    Config::builder(TOKEN, Intents::all())
        .gateway_url(url)
        .compression(compression(transport))
        .build()
        .map_err(|error| error.to_string())
}

/// Whether an event is a dispatch (READY included), and its typed parse for the typed path.
/// Returns `(is_dispatch, parse_failed)`.
fn typed(event: &Event) -> (bool, bool) {
    let parsed = match event {
        Event::Dispatch(dispatch) => dispatch.parse(),
        Event::Ready(ready) => ready.dispatch.parse(),
        Event::Resumed(resumed) => resumed.dispatch.parse(),
        _ => return (false, false),
    };
    let failed = parsed.is_err();
    let _ = black_box(parsed);
    (true, failed)
}

/// One shard reading the throughput script: typed events or raw messages.
pub async fn throughput(args: &ThroughputArgs) -> Result<ThroughputResult, String> {
    let config = config(&args.url, args.compression)?;
    let mut shard = Shard::builder(config)
        .queue(Arc::new(UnthrottledQueue))
        .build(ShardId::ONE);
    let mut window = Window::new(args);
    match args.path {
        Path::Typed => {
            while let Some(item) = shard.next_event(EventTypeFlags::all()).await {
                match item {
                    Ok(event) => {
                        let (dispatch, failed) = typed(&event);
                        window.errors += usize::from(failed);
                        let done = dispatch && window.dispatch();
                        black_box(event);
                        if done {
                            break;
                        }
                    }
                    Err(error) => {
                        window.errors += 1;
                        eprintln!("ours: {error}");
                    }
                }
            }
        }
        Path::Raw => {
            while let Some(item) = shard.next_message().await {
                match item {
                    Ok(Message::Text(text)) => {
                        let done = text.starts_with(DISPATCH_PREFIX) && window.dispatch();
                        black_box(text);
                        if done {
                            break;
                        }
                    }
                    Ok(_) => {}
                    Err(error) => {
                        window.errors += 1;
                        eprintln!("ours: {error}");
                    }
                }
            }
        }
    }
    window
        .result(Library::Ours, args)
        .ok_or_else(|| "the shard ended before the window closed".to_owned())
}

/// `args.shards` shards in this process, each reading typed events as a bot does.
pub async fn memory(args: &MemoryArgs) -> Result<MemoryResult, String> {
    let builder =
        Shard::builder(config(&args.url, args.compression)?).queue(Arc::new(UnthrottledQueue));
    let shards = args.shards;
    let dispatches = args.dispatches;
    let result = measure_memory(Library::Ours, args, move |progress| {
        for number in 0..shards {
            let id = ShardId::new(number, shards).expect("number < shards");
            let mut shard = builder.build(id);
            let progress = progress.clone();
            tokio::spawn(async move {
                let mut seen = 0;
                while let Some(item) = shard.next_event(EventTypeFlags::all()).await {
                    match item {
                        Ok(event) => {
                            let (dispatch, failed) = typed(&event);
                            if failed {
                                progress.error(&"a dispatch did not parse");
                            }
                            if dispatch {
                                seen += 1;
                                if seen == dispatches {
                                    progress.finish();
                                }
                            }
                        }
                        Err(error) => progress.error(&error),
                    }
                }
            });
        }
    })
    .await;
    Ok(result)
}
