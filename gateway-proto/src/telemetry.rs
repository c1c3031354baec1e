//! What a loop around the machine does besides I/O: run inside the shard's tracing span and
//! publish the shard's figures after each step. Both adapters (and a hand-written loop) do
//! it through [`Telemetry`], so the span's fields and the exported metrics are the same
//! whichever runtime drives the shard.
//!
//! Also the crate's `log!` macro: a `tracing` event when the `tracing` feature is on,
//! nothing when it is off. The machine logs state changes at info (connected, ready with
//! the session id, resumed, reconnecting with its cause, closed) and error (fatal), and
//! per-event detail at debug and trace. No line carries the token: the machine never logs a
//! frame it sends, and [`Output`](crate::Output)'s `Debug` hides Identify and Resume.
//!
//! This file knows no socket, runtime or recorder; the numbers come from the machine.

use crate::{config::ShardId, machine::ShardMachine};
use std::time::Instant;

/// A `tracing` event at `$level` (`trace`, `debug`, `info`, `warn`, `error`) when the
/// `tracing` feature is on; nothing otherwise.
macro_rules! log {
    ($level:ident, $($arg:tt)+) => {{
        #[cfg(feature = "tracing")]
        {
            ::tracing::$level!($($arg)+);
        }
    }};
}
pub(crate) use log;

/// The shard's span and metrics exporter. Create one per shard, run the loop inside
/// `span()` (with the `tracing` feature), and call [`observe`](Self::observe) after each step (after the
/// outputs are drained).
///
/// ```
/// use gateway_proto::{telemetry::Telemetry, Config, Intents, ShardId, ShardMachine};
/// use std::time::Instant;
///
/// let mut shard = ShardMachine::new(ShardId::ONE, Config::new("token", Intents::GUILDS));
/// let mut telemetry = Telemetry::new(shard.id());
/// # #[cfg(feature = "tracing")]
/// let _entered = telemetry.span().entered();
/// // One step: an input, then every output drained…
/// while let Some(_output) = shard.poll_output() {}
/// // …then what the step changed is published.
/// telemetry.observe(&shard, Instant::now());
/// ```
#[derive(Debug)]
pub struct Telemetry {
    id: ShardId,
    #[cfg(feature = "tracing")]
    span: Option<tracing::Span>,
    /// The session id last recorded on the span.
    #[cfg(feature = "tracing")]
    session: Option<String>,
    #[cfg(feature = "metrics")]
    metrics: crate::metrics::MetricsExporter,
}

impl Telemetry {
    /// Telemetry for shard `id`. Registers nothing yet: the span is created by the first
    /// `span()` call and the metrics at the first [`observe`](Self::observe), so
    /// a subscriber or recorder installed after this call is still used.
    pub fn new(id: ShardId) -> Self {
        Self {
            id,
            #[cfg(feature = "tracing")]
            span: None,
            #[cfg(feature = "tracing")]
            session: None,
            #[cfg(feature = "metrics")]
            metrics: crate::metrics::MetricsExporter::new(id),
        }
    }

    /// The shard this is about.
    pub fn id(&self) -> ShardId {
        self.id
    }

    /// The shard's span: `shard{shard=3 session=…}` at info level, so every line logged
    /// inside it says which shard (and, once READY arrived, which session) it is about. Run
    /// the shard's whole task in it. The `session` field is recorded by
    /// [`observe`](Self::observe).
    #[cfg(feature = "tracing")]
    pub fn span(&mut self) -> tracing::Span {
        let number = self.id.number();
        self.span
            .get_or_insert_with(|| {
                tracing::info_span!("shard", shard = number, session = tracing::field::Empty)
            })
            .clone()
    }

    /// After a step: records a new session id on the span and publishes the figures the step
    /// changed (with the `metrics` feature). `now` is the step's time.
    pub fn observe(&mut self, machine: &ShardMachine, now: Instant) {
        #[cfg(feature = "tracing")]
        if let (Some(span), Some(session)) = (&self.span, machine.session()) {
            if self.session.as_deref() != Some(session.id.as_str()) {
                span.record("session", tracing::field::display(&session.id));
                self.session = Some(session.id.clone());
            }
        }
        #[cfg(feature = "metrics")]
        self.metrics.export(machine, now);
        let _ = (machine, now);
    }
}
