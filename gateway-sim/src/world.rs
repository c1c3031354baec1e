//! The one seam between the server and the traffic corpus (`corpus.rs`): guilds, members and
//! channels of the simulated world, the generated event stream, and the routing and intent rules
//! applied to each dispatch (protocol.md §8, §10).
//!
//! Server code calls only this file, so the corpus can change shape without touching the
//! connection logic.

use serde_json::Value;

use crate::corpus::{self, EventGenerator, GuildCreateOptions, World};

pub use crate::corpus::WorldConfig;

/// The generated world plus its event stream.
pub(crate) struct Traffic {
    world: World,
    bot_user_id: u64,
    generator: EventGenerator,
}

/// One generated event: name, routing guild and payload.
pub(crate) struct Generated(corpus::Generated);

impl Traffic {
    pub(crate) fn new(cfg: &WorldConfig, event_seed: u64) -> Self {
        let world = World::new(cfg);
        let generator = EventGenerator::new(&world, event_seed);
        Self {
            world,
            bot_user_id: cfg.bot_user_id,
            generator,
        }
    }

    pub(crate) fn bot_user_id(&self) -> u64 {
        self.bot_user_id
    }

    pub(crate) fn bot_user(&self) -> Value {
        self.world.bot_user()
    }

    pub(crate) fn guild_ids(&self) -> Vec<u64> {
        self.world.guild_ids().into_iter().collect()
    }

    pub(crate) fn has_guild(&self, guild_id: u64) -> bool {
        self.world.guild_ids().contains(&guild_id)
    }

    pub(crate) fn guilds_for_shard(&self, shard: [u32; 2]) -> Vec<u64> {
        self.world.guild_ids_for_shard(shard[0], shard[1])
    }

    pub(crate) fn guild_create(&self, guild_id: u64, large_threshold: u64, intents: u64) -> Value {
        self.world.guild_create(
            guild_id,
            &GuildCreateOptions::for_intents(intents, large_threshold),
        )
    }

    pub(crate) fn members(&self, guild_id: u64) -> Vec<Value> {
        self.world.members(guild_id).into_iter().collect()
    }

    pub(crate) fn channels(&self, guild_id: u64) -> Vec<Value> {
        self.world.channels(guild_id).into_iter().collect()
    }

    /// Presences of the guild's non-offline members.
    pub(crate) fn presences(&self, guild_id: u64) -> Vec<Value> {
        self.world.presences(guild_id)
    }

    pub(crate) fn next_event(&mut self) -> Generated {
        Generated(self.generator.next_event())
    }
}

impl Generated {
    pub(crate) fn t(&self) -> &'static str {
        self.0.t
    }

    /// Whether a session on `shard` with `intents` receives this event (routing and intents).
    pub(crate) fn delivers_to(&self, shard: [u32; 2], intents: u64, bot_user_id: u64) -> bool {
        corpus::deliver_to_bot(&self.0, shard[0], shard[1], intents, bot_user_id)
    }

    /// The payload as a session with `intents` and `large_threshold` sees it: a
    /// GUILD_CREATE is rendered for that session (§10 caveats, `large`), messages get
    /// the MESSAGE_CONTENT rule.
    pub(crate) fn payload_for(
        &self,
        traffic: &Traffic,
        intents: u64,
        large_threshold: u64,
    ) -> Value {
        if let ("GUILD_CREATE", Some(guild_id)) = (self.0.t, self.0.guild_id) {
            if traffic.has_guild(guild_id) {
                return traffic.guild_create(guild_id, large_threshold, intents);
            }
        }
        let mut d = self.0.d.clone();
        corpus::apply_message_content_rule(self.0.t, &mut d, intents, traffic.bot_user_id());
        d
    }
}

/// Whether `t` is gated for a session with `intents` (events the corpus does not gate pass).
pub(crate) fn allowed(t: &str, in_guild: bool, intents: u64) -> bool {
    corpus::gating_intent(t, in_guild).is_none_or(|i| intents & i != 0)
}

/// Blanks message content for sessions without MESSAGE_CONTENT, except where §10 says not to.
pub(crate) fn apply_message_content_rule(t: &str, d: &mut Value, intents: u64, bot_user_id: u64) {
    corpus::apply_message_content_rule(t, d, intents, bot_user_id);
}
