//! The resumable part of a shard: session id, last sequence and resume URL
//! (protocol.md §5.2), and [`SavedSessions`], those of many shards. Plain data with serde,
//! so it survives a process restart; it holds no `Instant`.

use crate::config::{ConfigBuilder, ShardId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

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

/// The sessions of many shards, saved at shutdown so that a new process resumes them all
/// without identifying. In JSON: `{"shards": 16, "sessions": {"0": {…}, "1": {…}}}`.
///
/// A session resumes only as the shard it was identified as, `[number, total]`: a different
/// total routes guilds differently (protocol.md §8), so lookups with another total find
/// nothing and the shard identifies.
///
/// ```
/// use gateway_proto::{Config, Intents, SavedSessions, Session, ShardId};
///
/// let mut saved = SavedSessions::new(2);
/// let id = ShardId::new(1, 2)?;
/// saved.insert(id, Session::new("abc", 42, "wss://resume.example"));
/// let text = serde_json::to_string(&saved).unwrap();
/// let loaded: SavedSessions = serde_json::from_str(&text).unwrap();
/// let config = loaded.resume(id, Config::builder("token", Intents::GUILDS)).build()?;
/// assert_eq!(config.session().map(|s| s.sequence), Some(42));
/// # Ok::<(), gateway_proto::ConfigError>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedSessions {
    /// The bot's shard count when the sessions were saved.
    pub shards: u32,
    /// Each shard's session, by shard number.
    pub sessions: BTreeMap<u32, Session>,
}

impl SavedSessions {
    /// No sessions yet, for a bot with `shards` shards.
    pub fn new(shards: u32) -> Self {
        Self {
            shards,
            sessions: BTreeMap::new(),
        }
    }

    /// Keeps `session` for `shard`; returns `false` (and keeps nothing) if the shard's total
    /// is not [`shards`](Self::shards).
    pub fn insert(&mut self, shard: ShardId, session: Session) -> bool {
        if shard.total() != self.shards {
            return false;
        }
        self.sessions.insert(shard.number(), session);
        true
    }

    /// The session saved for `shard`, if its total matches.
    pub fn get(&self, shard: ShardId) -> Option<&Session> {
        if shard.total() != self.shards {
            return None;
        }
        self.sessions.get(&shard.number())
    }

    /// The shards with a session, in order.
    pub fn shard_ids(&self) -> impl Iterator<Item = ShardId> + '_ {
        self.sessions
            .keys()
            .filter_map(|number| ShardId::new(*number, self.shards).ok())
    }

    /// How many sessions are kept.
    pub fn len(&self) -> usize {
        self.sessions.len()
    }

    /// Whether no session is kept.
    pub fn is_empty(&self) -> bool {
        self.sessions.is_empty()
    }

    /// `config` with the session saved for `shard`, if any, so that the shard resumes it.
    pub fn resume(&self, shard: ShardId, config: ConfigBuilder) -> ConfigBuilder {
        match self.get(shard) {
            Some(session) => config.session(session.clone()),
            None => config,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{SavedSessions, Session};
    use crate::{Config, Intents, ShardId};

    #[test]
    fn saved_sessions_keep_one_total_and_round_trip() {
        let mut saved = SavedSessions::new(4);
        let two = ShardId::new(2, 4).unwrap();
        assert!(saved.insert(two, Session::new("s2", 9, "wss://r")));
        assert!(!saved.insert(ShardId::new(2, 8).unwrap(), Session::new("x", 1, "wss://r")));
        assert_eq!(saved.len(), 1);
        assert_eq!(
            saved.get(ShardId::new(2, 8).unwrap()),
            None,
            "another total"
        );
        let text = serde_json::to_string(&saved).unwrap();
        assert_eq!(
            text,
            r#"{"shards":4,"sessions":{"2":{"id":"s2","sequence":9,"resume_url":"wss://r"}}}"#
        );
        let loaded: SavedSessions = serde_json::from_str(&text).unwrap();
        assert_eq!(loaded, saved);
        assert_eq!(loaded.shard_ids().collect::<Vec<_>>(), [two]);
        let resumed = loaded
            .resume(two, Config::builder("t", Intents::GUILDS))
            .build()
            .unwrap();
        assert_eq!(resumed.session().map(|s| s.id.as_str()), Some("s2"));
        let fresh = loaded
            .resume(
                ShardId::new(0, 4).unwrap(),
                Config::builder("t", Intents::GUILDS),
            )
            .build()
            .unwrap();
        assert_eq!(fresh.session(), None);
    }

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
