//! The tokio-only parts of the API, which the runtime-neutral suite in `gateway-tests` does
//! not reach: `Stream`, use outside a runtime, `wss://` without a process-wide crypto
//! provider, the connect timeout and the status accessors.

use futures_util::StreamExt;
use gateway_sim::{SimConfig, Simulator};
use gateway_tokio::{
    Config, ErrorKind, Event, EventTypeFlags, IdentifyScheduler, InMemoryQueue, Intents, Shard,
    ShardBuilder, ShardId, State,
};
use std::{
    future::Future,
    pin::pin,
    sync::Arc,
    task::{Context, Poll, Waker},
    time::Duration,
};
use tokio::net::TcpListener;

const PATIENCE: Duration = Duration::from_secs(15);

fn builder(url: &str) -> ShardBuilder {
    let config = Config::builder("sim-token", Intents::GUILDS)
        .gateway_url(url)
        .build()
        .expect("config");
    let queue = IdentifyScheduler::new(1).with_window(Duration::ZERO);
    Shard::builder(config).queue(Arc::new(InMemoryQueue::from_scheduler(queue)))
}

#[test]
fn a_shard_needs_no_runtime_until_polled_and_then_reports_the_lack_of_one() {
    let mut shard = Shard::new(ShardId::ONE, "token", Intents::GUILDS);
    assert_eq!(shard.state(), State::Connecting);
    assert_eq!(shard.session(), None);
    let next = pin!(shard.next_event(EventTypeFlags::all()));
    let polled = next.poll(&mut Context::from_waker(Waker::noop()));
    match polled {
        Poll::Ready(Some(Err(error))) => {
            assert_eq!(error.kind(), &ErrorKind::NoRuntime);
            assert!(!error.is_fatal());
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test]
async fn the_stream_yields_hello_then_ready_and_status_follows() {
    let sim = Simulator::start(SimConfig::fast())
        .await
        .expect("simulator");
    let mut shard = builder(&sim.url()).build(ShardId::ONE);
    let hello = tokio::time::timeout(PATIENCE, shard.next())
        .await
        .expect("in time");
    assert!(matches!(hello, Some(Ok(Event::Hello(_)))), "{hello:?}");
    let session_id = loop {
        match tokio::time::timeout(PATIENCE, shard.next())
            .await
            .expect("in time")
        {
            Some(Ok(Event::Ready(ready))) => break ready.session_id,
            Some(Ok(_)) => {}
            other => panic!("unexpected {other:?}"),
        }
    };
    assert_eq!(shard.state(), State::Active);
    assert_eq!(shard.session().map(|s| s.id), Some(session_id));
    let limiter = shard.ratelimiter();
    assert!(limiter.available < limiter.max, "Identify took a slot");
    // A heartbeat the gateway asks for is acknowledged: latency appears.
    let conn = sim.log().connections()[0];
    sim.request_heartbeat(conn);
    loop {
        match tokio::time::timeout(PATIENCE, shard.next())
            .await
            .expect("in time")
        {
            Some(Ok(Event::HeartbeatAck(_))) => break,
            Some(Ok(_)) => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    let latency = shard.latency().expect("a connection");
    assert_eq!(latency.heartbeats(), 1);
    assert_eq!(shard.statistics().heartbeats_sent, 1);
}

#[tokio::test]
async fn wss_without_a_process_wide_crypto_provider_is_an_error_not_a_panic() {
    // A server that accepts TCP and hangs up: the TLS handshake fails.
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("wss://{}", listener.local_addr().expect("address"));
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            drop(socket);
        }
    });
    let mut shard = builder(&url).build(ShardId::ONE);
    let item = tokio::time::timeout(PATIENCE, shard.next_event(EventTypeFlags::all()))
        .await
        .expect("in time");
    match item {
        Some(Err(error)) => {
            assert_eq!(error.kind(), &ErrorKind::Connect, "{error}");
            assert!(!error.is_fatal());
        }
        other => panic!("unexpected {other:?}"),
    }
    // The shard retries by itself: the connect failure is followed by its close event.
    let item = shard.next_event(EventTypeFlags::all()).await;
    assert!(matches!(item, Some(Ok(Event::Closed(_)))), "{item:?}");
}

#[tokio::test]
async fn a_connection_that_never_answers_times_out() {
    // Accepts TCP, never answers the websocket handshake.
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("ws://{}", listener.local_addr().expect("address"));
    let held = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    let mut shard = builder(&url)
        .connect_timeout(Duration::from_millis(200))
        .build(ShardId::ONE);
    let item = tokio::time::timeout(PATIENCE, shard.next_event(EventTypeFlags::all()))
        .await
        .expect("in time");
    match item {
        Some(Err(error)) => assert_eq!(error.kind(), &ErrorKind::Connect, "{error}"),
        other => panic!("unexpected {other:?}"),
    }
    held.abort();
}

#[tokio::test]
async fn closing_before_the_first_poll_connects_nowhere_and_keeps_a_saved_session() {
    let sim = Simulator::start(SimConfig::fast())
        .await
        .expect("simulator");
    let saved = gateway_tokio::Session::new("abc", 7, sim.resume_url());
    let config = Config::builder("sim-token", Intents::GUILDS)
        .gateway_url(sim.url())
        .session(saved.clone())
        .build()
        .expect("config");
    let mut shard = Shard::with_config(ShardId::ONE, config);
    assert_eq!(
        shard.close(gateway_tokio::CloseFrame::RESUME).await,
        Some(saved)
    );
    let closed = shard.next_event(EventTypeFlags::all()).await;
    assert!(matches!(closed, Some(Ok(Event::Closed(_)))), "{closed:?}");
    assert!(shard.next_event(EventTypeFlags::all()).await.is_none());
    assert!(sim.log().connections().is_empty());
    assert!(shard.sender().is_closed());
}
