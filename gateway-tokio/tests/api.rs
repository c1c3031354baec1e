//! The tokio-only parts of the API, which the runtime-neutral suite in `gateway-tests` does
//! not reach: `Stream`, use outside a runtime, closing before the first poll and the status
//! accessors. (`wss://` without a process-wide crypto provider and the connect timeout are
//! scenarios of the suite, so they run on every adapter.)

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
