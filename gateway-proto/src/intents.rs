//! Gateway intents (protocol.md §10). STUB: the full table is being written.
use bitflags::bitflags;

bitflags! {
    /// Which groups of events the gateway sends to this shard.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
    #[serde(transparent)]
    pub struct Intents: u64 {
        /// Guild lifecycle, roles, channels, threads.
        const GUILDS = 1;
        /// Guild messages.
        const GUILD_MESSAGES = 1 << 9;
    }
}
