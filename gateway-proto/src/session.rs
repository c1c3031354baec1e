//! The resumable part of a shard: session id, last sequence and resume URL
//! (protocol.md §5.2). Plain data with serde, so it survives a process restart; it
//! holds no `Instant`.

use serde::{Deserialize, Serialize};

/// A gateway session that can be resumed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// `session_id` from READY.
    pub id: String,
    /// The last sequence number received.
    pub sequence: u64,
    /// `resume_gateway_url` from READY (without query).
    pub resume_url: String,
}

impl Session {
    /// A session as READY describes it.
    pub fn new(id: impl Into<String>, sequence: u64, resume_url: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            sequence,
            resume_url: resume_url.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Session;

    #[test]
    fn session_round_trips_through_json() {
        let session = Session::new("abc", 57, "wss://gateway-us-east1-b.discord.gg");
        let text = serde_json::to_string(&session).unwrap();
        assert_eq!(
            text,
            r#"{"id":"abc","sequence":57,"resume_url":"wss://gateway-us-east1-b.discord.gg"}"#
        );
        assert_eq!(serde_json::from_str::<Session>(&text).unwrap(), session);
    }
}
