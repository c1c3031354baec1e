//! The shard's error: what went wrong, as a matchable [`ErrorKind`], plus the I/O error behind
//! it. Whether an error is fatal is never decided here: a fatal error is the machine's final
//! [`Closed`], which gateway-proto derived from its close-code table.

use crate::runtime::BoxError;
use gateway_proto::{Closed, Next, ReceiveError, SendError};
use std::{fmt, sync::Arc};

/// What went wrong.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The shard stopped for good: the gateway closed with a fatal code (4004, 4010–4014) or
    /// the configuration cannot work. The stream ends after this error.
    Closed(Closed),
    /// Opening a connection failed or timed out (DNS, TCP, TLS, websocket handshake). The
    /// shard retries with backoff.
    Connect,
    /// Used outside the adapter's runtime (a tokio shard polled where no tokio runtime
    /// runs): the shard's task could not be spawned. Polling again inside one starts it.
    NoRuntime,
    /// The gateway sent data that could not be decoded; the shard already reconnected or
    /// skipped it.
    Receive(ReceiveError),
    /// A command was refused; nothing was sent.
    Send(SendError),
    /// An open connection failed (read or write error, or it dropped without a close
    /// frame). The shard reconnects and resumes.
    Transport,
}

/// An error of a shard or of its sender: an [`ErrorKind`] and, for I/O failures, the error
/// behind it as [`source`](std::error::Error::source).
#[derive(Clone, Debug)]
pub struct Error {
    kind: ErrorKind,
    source: Option<Arc<dyn std::error::Error + Send + Sync>>,
}

impl Error {
    pub(crate) fn new(kind: ErrorKind) -> Self {
        Self { kind, source: None }
    }

    pub(crate) fn with_source(
        kind: ErrorKind,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        Self {
            kind,
            source: Some(Arc::new(source)),
        }
    }

    /// An error whose source came from the runtime (see [`BoxError`]).
    pub(crate) fn from_boxed(kind: ErrorKind, source: BoxError) -> Self {
        Self {
            kind,
            source: Some(Arc::from(source)),
        }
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    /// Whether the shard stopped for good. Only a final close is fatal, and the machine
    /// decides that from gateway-proto's close-code table; everything else is reported and
    /// recovered from.
    pub fn is_fatal(&self) -> bool {
        matches!(&self.kind, ErrorKind::Closed(closed) if closed.next == Next::Stop)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ErrorKind::Closed(closed) => match closed.code {
                Some(code) => write!(f, "shard stopped: closed with {code}")?,
                None => write!(f, "shard stopped: {:?}", closed.cause)?,
            },
            ErrorKind::Connect => f.write_str("connecting failed")?,
            ErrorKind::NoRuntime => f.write_str("no runtime to run the shard on")?,
            ErrorKind::Receive(error) => write!(f, "bad data from the gateway: {error}")?,
            ErrorKind::Send(error) => write!(f, "command refused: {error}")?,
            ErrorKind::Transport => f.write_str("connection failed")?,
        }
        if let Some(source) = &self.source {
            write!(f, ": {source}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|source| source as &(dyn std::error::Error + 'static))
    }
}

impl From<SendError> for Error {
    fn from(error: SendError) -> Self {
        Self::new(ErrorKind::Send(error))
    }
}
