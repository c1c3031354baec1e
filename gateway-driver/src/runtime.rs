//! The runtime seam: the [`Runtime`] trait an adapter implements (clock, one resettable timer,
//! spawning, opening a websocket) and the two helpers built on it ([`sleep_until`],
//! [`timeout`]). Everything else in this crate runs on any executor: channels come from
//! `tokio::sync`, which needs no tokio runtime. This file must not name a runtime.

use async_tungstenite::{
    tungstenite::{handshake::client::Request, protocol::WebSocketConfig},
    WebSocketStream,
};
use futures_util::io::{AsyncRead, AsyncWrite};
use rustls::ClientConfig;
use std::{
    fmt,
    future::{poll_fn, Future},
    pin::pin,
    sync::Arc,
    task::Poll,
    time::{Duration, Instant},
};

/// An error from the runtime side (no runtime to spawn on, a failed connect). The driver wraps
/// it in its [`Error`](crate::Error) with the matching kind.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What an adapter provides: the only runtime-specific code of a shard. Implemented by a unit
/// type (`gateway_tokio::Tokio`, `gateway_async_std::AsyncStd`); every method is an associated
/// function, so shards carry no runtime handle.
pub trait Runtime: fmt::Debug + Send + Sync + 'static {
    /// The byte stream under an open websocket (TCP, or TLS over TCP).
    type Stream: AsyncRead + AsyncWrite + Unpin + Send + 'static;
    /// The runtime's timer.
    type Timer: Timer;

    /// The clock every machine input is stamped with. A runtime with a virtual clock (tokio's
    /// paused test time) returns that clock's time, so the machine sees it.
    fn now() -> Instant;

    /// A timer that fires at `at`.
    fn timer(at: Instant) -> Self::Timer;

    /// Runs `task` in the background.
    fn spawn(task: impl Future<Output = ()> + Send + 'static);

    /// Whether [`spawn`](Self::spawn) can run here; checked before a shard's task is built
    /// into a future, so a shard polled outside a runtime reports it and can be polled again
    /// later. The default is yes (a runtime with a global executor).
    fn check_spawn() -> Result<(), BoxError> {
        Ok(())
    }

    /// Opens TCP to the target, TLS if it has a configuration, and the websocket handshake
    /// with `websocket`'s settings. The driver applies the connect timeout around it.
    fn connect(
        target: Target,
        websocket: WebSocketConfig,
    ) -> impl Future<Output = Result<WebSocketStream<Self::Stream>, BoxError>> + Send;
}

/// A timer moved to each new deadline rather than created anew. Firing once and then being
/// polled again before a [`reset`](Self::reset) may stay pending or fire again: the driver
/// compares deadlines with [`Runtime::now`] and does not rely on the timer alone.
pub trait Timer: Future<Output = ()> + Unpin + Send + 'static {
    /// Fires at `at` from now on.
    fn reset(&mut self, at: Instant);
}

/// Where to connect, as the driver parsed it from the gateway URL.
#[derive(Debug)]
#[non_exhaustive]
pub struct Target {
    /// The websocket handshake request (the URL with its query).
    pub request: Request,
    /// The host to open TCP to (an IPv6 address without brackets).
    pub host: String,
    /// The port, defaulted from the scheme.
    pub port: u16,
    /// The TLS configuration for `wss://`; `None` for plain `ws://`.
    pub tls: Option<Arc<ClientConfig>>,
}

/// Waits until `at` on `R`'s timer.
pub async fn sleep_until<R: Runtime>(at: Instant) {
    R::timer(at).await;
}

/// `future`'s output, or `None` once `limit` passed on `R`'s clock.
pub async fn timeout<R: Runtime, F: Future>(limit: Duration, future: F) -> Option<F::Output> {
    let mut future = pin!(future);
    let mut timer = R::timer(R::now() + limit);
    poll_fn(|cx| {
        if let Poll::Ready(output) = future.as_mut().poll(cx) {
            return Poll::Ready(Some(output));
        }
        match std::pin::Pin::new(&mut timer).poll(cx) {
            Poll::Ready(()) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    })
    .await
}
