//! The async-std adapter driven from smol, with no tokio runtime on the reading thread: the
//! simulator runs on a tokio runtime whose workers are background threads, and the shard is
//! read, commanded, closed and resumed inside `smol::block_on` through the `Stream` impl and
//! the status accessors. The full scenario suite (`gateway-tests`) covers the behaviour; this
//! file shows that nothing in the adapter needs async-std's or tokio's context.

use gateway_async_std::{
    command::{Status, UpdatePresence},
    CloseFrame, Config, Event, IdentifyScheduler, InMemoryQueue, Intents, Shard, ShardBuilder,
    ShardId, State,
};
use gateway_sim::{SimConfig, Simulator};
use serde_json::json;
use smol::stream::StreamExt;
use std::{future::Future, sync::Arc, time::Duration};

const PATIENCE: Duration = Duration::from_secs(15);

/// `future`'s output, failing the test after [`PATIENCE`] (on smol's timer).
async fn within<T>(what: &str, future: impl Future<Output = T>) -> T {
    let timeout = async {
        smol::Timer::after(PATIENCE).await;
        None
    };
    smol::future::or(async { Some(future.await) }, timeout)
        .await
        .unwrap_or_else(|| panic!("timed out waiting for {what}"))
}

/// Reads the shard's stream until `pick` accepts an event.
async fn until<T>(shard: &mut Shard, what: &str, mut pick: impl FnMut(Event) -> Option<T>) -> T {
    loop {
        match within(what, shard.next()).await {
            Some(Ok(event)) => {
                if let Some(value) = pick(event) {
                    return value;
                }
            }
            other => panic!("waiting for {what}: {other:?}"),
        }
    }
}

fn builder(
    sim: &Simulator,
    config: impl FnOnce(gateway_async_std::ConfigBuilder) -> gateway_async_std::ConfigBuilder,
) -> ShardBuilder {
    let config =
        config(Config::builder(&sim.config().token, Intents::all()).gateway_url(sim.url()))
            .build()
            .expect("config");
    let queue = IdentifyScheduler::new(1).with_window(Duration::ZERO);
    Shard::builder(config).queue(Arc::new(InMemoryQueue::from_scheduler(queue)))
}

#[test]
fn a_shard_runs_under_smol_and_its_saved_session_resumes() {
    let tokio = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("tokio runtime");
    let sim = tokio
        .block_on(Simulator::start(SimConfig::fast()))
        .expect("simulator");
    smol::block_on(async {
        assert!(
            tokio::runtime::Handle::try_current().is_err(),
            "no tokio runtime on this thread"
        );
        let mut shard = builder(&sim, |config| config).build(ShardId::ONE);
        let session_id = until(&mut shard, "READY", |event| match event {
            Event::Ready(ready) => Some(ready.session_id),
            _ => None,
        })
        .await;
        assert_eq!(shard.state(), State::Active);

        // A dispatch arrives; a command goes out; a heartbeat the gateway asks for is answered.
        let message = json!({
            "id": "1001", "channel_id": "42", "content": "hi from the simulator",
            "author": { "id": "7", "username": "tester" },
        });
        assert_eq!(sim.dispatch("MESSAGE_CREATE", None, message), 1);
        until(&mut shard, "MESSAGE_CREATE", |event| match event {
            Event::Dispatch(dispatch) => dispatch
                .data()
                .contains("hi from the simulator")
                .then_some(()),
            _ => None,
        })
        .await;
        let presence = UpdatePresence::new(Status::Idle, Vec::new());
        shard.sender().command(&presence).expect("queued");
        let conn = sim.log().connections()[0];
        sim.request_heartbeat(conn);
        until(&mut shard, "the heartbeat ACK", |event| {
            matches!(event, Event::HeartbeatAck(_)).then_some(())
        })
        .await;
        assert_eq!(shard.latency().expect("connected").heartbeats(), 1);
        let mut ops: Vec<u64> = sim
            .frames(conn)
            .iter()
            .filter_map(|frame| frame.op())
            .collect();
        // Identify, then the presence and the heartbeat in either order: they race.
        ops[1..].sort_unstable();
        assert_eq!(ops, [2, 1, 3], "Identify, the heartbeat and the presence");

        // Closing resumably hands back the session; a new shard resumes it.
        let saved = within("close", shard.close(CloseFrame::RESUME))
            .await
            .expect("a session to save");
        assert_eq!(saved.id, session_id);
        let mut resumed = builder(&sim, |config| config.session(saved.clone())).build(ShardId::ONE);
        let replayed = until(&mut resumed, "RESUMED", |event| match event {
            Event::Resumed(resumed) => Some(resumed.replayed),
            _ => None,
        })
        .await;
        assert_eq!(replayed, 0);
        let second = sim.log().connections()[1];
        let ops: Vec<u64> = sim
            .frames(second)
            .iter()
            .filter_map(|frame| frame.op())
            .collect();
        assert_eq!(ops.first(), Some(&6), "Resume, not Identify: {ops:?}");
        assert_eq!(resumed.statistics().identifies, 0);
        assert_eq!(
            within("close", resumed.close(CloseFrame::NORMAL)).await,
            None
        );
    });
    drop(sim);
}
