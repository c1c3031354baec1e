//! The event generator: a seeded, endless stream of dispatch events over a [`World`],
//! drawn with the mix of issue 10 (by count).
//!
//! | t | share |
//! |---|---|
//! | PRESENCE_UPDATE | 35% |
//! | MESSAGE_CREATE (1% of them DMs) | 25% |
//! | TYPING_START | 15% |
//! | GUILD_MEMBER_UPDATE | 8% |
//! | MESSAGE_REACTION_ADD | 7% |
//! | VOICE_STATE_UPDATE | 5% |
//! | MESSAGE_UPDATE / MESSAGE_DELETE | 2% / 2% |
//! | GUILD_CREATE | 1% |
//!
//! Guilds are chosen weighted by member count. A simulated clock starts at
//! [`WORLD_NOW_MS`] and advances a few milliseconds per event; message ids, timestamps
//! and activity times follow it. Events are generated for a session with every intent
//! (full content, GUILD_CREATE per [`GuildCreateOptions::default`]); use
//! [`super::deliver_to`] and [`super::apply_message_content_rule`] to tailor them to a
//! session, and [`World::guild_create`] to rebuild a GUILD_CREATE for other options.

use std::collections::VecDeque;

use fastrand::Rng;
use serde_json::{json, Map, Value};

use super::text::{self, iso_timestamp, snowflake};
use super::world::{
    activities_json, id, opt_str, presence_json, random_clients, voice_state_json, ChannelKind,
    Guild, GuildCreateOptions, Member, Status, VoiceState, World, WORLD_NOW_MS,
};

/// One generated dispatch event.
#[derive(Clone, Debug, PartialEq)]
pub struct Generated {
    /// The dispatch name (`t`).
    pub t: &'static str,
    /// The guild the event belongs to; None for DMs (routed to shard 0, §8).
    pub guild_id: Option<u64>,
    /// The event data (`d`).
    pub d: Value,
}

/// Event kinds in the order of the mix table, with their weights in percent.
const MIX: [(&str, u32); 9] = [
    ("PRESENCE_UPDATE", 35),
    ("MESSAGE_CREATE", 25),
    ("TYPING_START", 15),
    ("GUILD_MEMBER_UPDATE", 8),
    ("MESSAGE_REACTION_ADD", 7),
    ("VOICE_STATE_UPDATE", 5),
    ("MESSAGE_UPDATE", 2),
    ("MESSAGE_DELETE", 2),
    ("GUILD_CREATE", 1),
];

/// The share of each event type by count, in percent, as the generator draws it.
pub fn event_mix() -> &'static [(&'static str, u32)] {
    &MIX
}

/// How many recent messages are remembered for updates, deletes, replies and reactions.
const RECENT: usize = 512;

/// A message sent earlier in the stream.
#[derive(Clone, Debug)]
struct Recent {
    id: u64,
    channel_id: u64,
    /// Index of the guild in the world; None for a DM.
    guild: Option<usize>,
    /// Index of the author's user in the world.
    author: usize,
    /// Member index of the author in the guild (guild messages).
    member: usize,
    content: String,
    mentions_bot: bool,
}

/// A seeded generator of dispatch events over a world. See the module documentation.
pub struct EventGenerator {
    world: World,
    rng: Rng,
    now_ms: u64,
    worker: u64,
    process: u64,
    inc: u64,
    recent: VecDeque<Recent>,
    guild_create_options: GuildCreateOptions,
    /// Serialized GUILD_CREATE `d` by guild id, for [`EventGenerator::next_frame`].
    frame_cache: VecDeque<(u64, String)>,
}

/// What [`EventGenerator::draw`] picked.
enum Draw {
    Event(Generated),
    /// A GUILD_CREATE of this guild id.
    GuildCreate(u64),
}

/// How many serialized GUILD_CREATE payloads a generator keeps (a few MB at most).
const FRAME_CACHE: usize = 32;

impl EventGenerator {
    /// A generator over `world` (shared, not copied) drawing from `seed`.
    pub fn new(world: &World, seed: u64) -> EventGenerator {
        let mut rng = Rng::with_seed(seed);
        EventGenerator {
            world: world.clone(),
            worker: rng.u64(0..32),
            process: rng.u64(0..32),
            inc: 0,
            now_ms: WORLD_NOW_MS,
            recent: VecDeque::with_capacity(RECENT),
            guild_create_options: GuildCreateOptions::default(),
            frame_cache: VecDeque::new(),
            rng,
        }
    }

    /// Builds GUILD_CREATE events with `options` instead of the default (all intents,
    /// `large_threshold` 250).
    pub fn with_guild_create_options(mut self, options: GuildCreateOptions) -> EventGenerator {
        self.guild_create_options = options;
        self.frame_cache.clear();
        self
    }

    /// The world this generator draws from.
    pub fn world(&self) -> &World {
        &self.world
    }

    /// Unix milliseconds of the simulated clock (the time of the last event).
    pub fn now_ms(&self) -> u64 {
        self.now_ms
    }

    /// The next event. Worlds without guilds or without users yield only DM messages.
    pub fn next_event(&mut self) -> Generated {
        match self.draw() {
            Draw::Event(e) => e,
            Draw::GuildCreate(guild_id) => Generated {
                t: "GUILD_CREATE",
                guild_id: Some(guild_id),
                d: self
                    .world
                    .guild_create(guild_id, &self.guild_create_options),
            },
        }
    }

    /// The next dispatch frame `{"op":0,"s":seq,"t":…,"d":…}`, the same bytes as
    /// [`super::dispatch_frame`] of [`EventGenerator::next_event`], but GUILD_CREATE
    /// payloads (three quarters of the bytes) are serialized once per guild and reused.
    pub fn next_frame(&mut self, seq: u64) -> String {
        match self.draw() {
            Draw::Event(e) => super::dispatch_frame(seq, &e),
            Draw::GuildCreate(guild_id) => {
                if let Some((_, d)) = self.frame_cache.iter().find(|(g, _)| *g == guild_id) {
                    return super::frame_with_data(seq, "GUILD_CREATE", d);
                }
                let d = self
                    .world
                    .guild_create(guild_id, &self.guild_create_options)
                    .to_string();
                let frame = super::frame_with_data(seq, "GUILD_CREATE", &d);
                if self.frame_cache.len() == FRAME_CACHE {
                    self.frame_cache.pop_front();
                }
                self.frame_cache.push_back((guild_id, d));
                frame
            }
        }
    }

    /// Draws the next event; GUILD_CREATE is returned as its guild so that the caller
    /// decides how to build it. Both paths consume the same random numbers.
    fn draw(&mut self) -> Draw {
        self.now_ms += self.rng.u64(0..8);
        // Past this check every event kind has a guild and a user besides the bot to
        // draw from, which the helpers below rely on.
        if self.world.inner.guilds.is_empty() || self.world.inner.users.len() < 2 {
            return Draw::Event(self.message_create(true));
        }
        let mut roll = self.rng.u32(0..100);
        let mut kind = MIX[0].0;
        for (t, w) in MIX {
            if roll < w {
                kind = t;
                break;
            }
            roll -= w;
        }
        Draw::Event(match kind {
            "PRESENCE_UPDATE" => self.presence_update(),
            "MESSAGE_CREATE" => {
                let dm = self.rng.u8(..100) == 0;
                self.message_create(dm)
            }
            "TYPING_START" => self.typing_start(),
            "GUILD_MEMBER_UPDATE" => self.member_update(),
            "MESSAGE_REACTION_ADD" => self.reaction_add(),
            "VOICE_STATE_UPDATE" => self.voice_state_update(),
            "MESSAGE_UPDATE" => self.message_update(),
            "MESSAGE_DELETE" => self.message_delete(),
            _ => {
                let g = self.rng.usize(..self.world.inner.guilds.len());
                return Draw::GuildCreate(self.guild(g).id);
            }
        })
    }

    // ----- helpers -----

    fn new_id(&mut self, unix_ms: u64) -> u64 {
        let id = snowflake(unix_ms, self.worker, self.process, self.inc);
        self.inc = (self.inc + 1) & 0xFFF;
        id
    }

    /// A guild index weighted by member count.
    fn pick_guild(&mut self) -> usize {
        let cumulative = &self.world.inner.cumulative_members;
        let total = cumulative.last().copied().unwrap_or(0);
        if total == 0 {
            return 0;
        }
        let x = self.rng.u64(0..total);
        cumulative.partition_point(|&c| c <= x)
    }

    fn guild(&self, g: usize) -> &Guild {
        &self.world.inner.guilds[g]
    }

    /// A member index other than the bot (the bot when it is alone).
    fn pick_member(&mut self, g: usize) -> usize {
        let n = self.guild(g).members.len();
        if n < 2 {
            0
        } else {
            self.rng.usize(1..n)
        }
    }

    fn pick_text_channel(&mut self, g: usize) -> u64 {
        let guild = &self.world.inner.guilds[g];
        // "general" (the first) is the busiest channel.
        let k = if self.rng.u8(..3) == 0 {
            0
        } else {
            self.rng.usize(..guild.text_channels.len())
        };
        guild.channels[guild.text_channels[k]].id
    }

    fn member_json(&self, g: usize, m: usize, with_user: bool) -> Value {
        self.world.member_json(&self.guild(g).members[m], with_user)
    }

    fn user_id(&self, user: usize) -> u64 {
        self.world.inner.users[user].id
    }

    /// A recent message in guild `g`, if any is remembered.
    fn recent_in(&mut self, g: Option<usize>) -> Option<Recent> {
        let candidates: Vec<&Recent> = self.recent.iter().filter(|r| r.guild == g).collect();
        if candidates.is_empty() {
            return None;
        }
        let k = self.rng.usize(..candidates.len());
        Some(candidates[k].clone())
    }

    fn remember(&mut self, r: Recent) {
        if self.recent.len() == RECENT {
            self.recent.pop_front();
        }
        self.recent.push_back(r);
    }

    // ----- events -----

    fn presence_update(&mut self) -> Generated {
        let g = self.pick_guild();
        let m = self.pick_member(g);
        let user = self.guild(g).members[m].user;
        let user_id = self.user_id(user);
        let status = match self.rng.u8(..100) {
            0..=44 => Status::Online,
            45..=64 => Status::Idle,
            65..=77 => Status::Dnd,
            _ => Status::Offline,
        };
        let clients = random_clients(&mut self.rng);
        let activities = activities_json(&mut self.rng, self.now_ms, user_id);
        let guild_id = self.guild(g).id;
        let mut d = presence_json(user_id, status, clients, activities, Some(guild_id));
        // Sometimes the user object carries changed profile fields.
        if self.rng.u8(..20) == 0 {
            d["user"] = self.world.user_json(user, false);
        }
        Generated {
            t: "PRESENCE_UPDATE",
            guild_id: Some(guild_id),
            d,
        }
    }

    fn typing_start(&mut self) -> Generated {
        let g = self.pick_guild();
        let m = self.pick_member(g);
        let channel_id = self.pick_text_channel(g);
        let guild_id = self.guild(g).id;
        let user_id = self.user_id(self.guild(g).members[m].user);
        let d = json!({
            "channel_id": channel_id.to_string(),
            "guild_id": guild_id.to_string(),
            "user_id": user_id.to_string(),
            "timestamp": self.now_ms / 1000,
            "member": self.member_json(g, m, true),
        });
        Generated {
            t: "TYPING_START",
            guild_id: Some(guild_id),
            d,
        }
    }

    fn member_update(&mut self) -> Generated {
        let g = self.pick_guild();
        let m = self.pick_member(g);
        let guild = self.guild(g);
        let guild_id = guild.id;
        let member: &Member = &guild.members[m];
        let mut roles = member.roles.clone();
        let mut nick = member.nick.clone();
        let mut timeout = None;
        let assignable: Vec<u64> = guild
            .roles
            .iter()
            .filter(|r| !r.managed && r.id != guild_id)
            .map(|r| r.id)
            .collect();
        let user = member.user;
        let mut d = match self.world.member_json(member, true) {
            Value::Object(o) => o,
            _ => Map::new(),
        };
        match self.rng.u8(..10) {
            // Role added or removed.
            0..=5 => {
                if !roles.is_empty() && self.rng.bool() {
                    let k = self.rng.usize(..roles.len());
                    roles.remove(k);
                } else if !assignable.is_empty() {
                    let r = assignable[self.rng.usize(..assignable.len())];
                    if !roles.contains(&r) {
                        roles.push(r);
                    }
                }
            }
            // Nickname changed.
            6..=8 => {
                nick = if nick.is_some() && self.rng.bool() {
                    None
                } else {
                    let name = self.world.inner.users[user].username.clone();
                    Some(text::global_name(&mut self.rng, &name))
                };
            }
            // Timed out for 10 minutes to a day.
            _ => timeout = Some(self.now_ms + self.rng.u64(600_000..86_400_000)),
        }
        d.insert("guild_id".into(), id(guild_id));
        d.insert(
            "roles".into(),
            Value::Array(roles.into_iter().map(id).collect()),
        );
        d.insert("nick".into(), opt_str(nick.as_deref()));
        d.insert(
            "communication_disabled_until".into(),
            timeout.map_or(Value::Null, |t| iso_timestamp(t).into()),
        );
        Generated {
            t: "GUILD_MEMBER_UPDATE",
            guild_id: Some(guild_id),
            d: Value::Object(d),
        }
    }

    fn voice_state_update(&mut self) -> Generated {
        let g = self.pick_guild();
        let m = self.pick_member(g);
        let guild = self.guild(g);
        let guild_id = guild.id;
        let user_id = self.world.inner.users[guild.members[m].user].id;
        let voice_ids: Vec<u64> = guild
            .voice_channels
            .iter()
            .map(|&c| guild.channels[c].id)
            .collect();
        let existing = guild.voice.iter().find(|v| v.member == m).cloned();
        let leave = voice_ids.is_empty() || (existing.is_some() && self.rng.u8(..3) == 0);
        let channel_id = if leave {
            None
        } else if let (Some(v), true) = (&existing, self.rng.bool()) {
            Some(v.channel_id)
        } else {
            Some(voice_ids[self.rng.usize(..voice_ids.len().max(1))])
        };
        let state = VoiceState {
            member: m,
            channel_id: channel_id.unwrap_or(0),
            session_id: existing.map_or_else(|| text::session_id(&mut self.rng), |v| v.session_id),
            self_mute: self.rng.u8(..3) == 0,
            self_deaf: self.rng.u8(..10) == 0,
            self_video: self.rng.u8(..20) == 0,
            self_stream: self.rng.u8(..15) == 0,
        };
        let member = self.member_json(g, m, true);
        let d = voice_state_json(user_id, channel_id, &state, Some(guild_id), Some(member));
        Generated {
            t: "VOICE_STATE_UPDATE",
            guild_id: Some(guild_id),
            d,
        }
    }

    fn reaction_add(&mut self) -> Generated {
        let g = self.pick_guild();
        let m = self.pick_member(g);
        let guild_id = self.guild(g).id;
        let user_id = self.user_id(self.guild(g).members[m].user);
        let (message_id, channel_id, author_id) = match self.recent_in(Some(g)) {
            Some(r) => (r.id, r.channel_id, self.user_id(r.author)),
            None => {
                let t = self.now_ms - self.rng.u64(1000..3_600_000);
                let message_id = self.new_id(t);
                let author = self.pick_member(g);
                let channel_id = self.pick_text_channel(g);
                (
                    message_id,
                    channel_id,
                    self.user_id(self.guild(g).members[author].user),
                )
            }
        };
        let emojis = &self.world.inner.guilds[g].emojis;
        let emoji = if !emojis.is_empty() && self.rng.u8(..10) < 3 {
            let e = &emojis[self.rng.usize(..emojis.len())];
            json!({ "id": e.id.to_string(), "name": e.name, "animated": e.animated })
        } else {
            json!({ "id": null, "name": text::pick(&mut self.rng, text::EMOJIS) })
        };
        let burst = self.rng.u8(..20) == 0;
        let mut d = Map::new();
        d.insert("user_id".into(), id(user_id));
        d.insert("channel_id".into(), id(channel_id));
        d.insert("message_id".into(), id(message_id));
        d.insert("guild_id".into(), id(guild_id));
        d.insert("member".into(), self.member_json(g, m, true));
        d.insert("emoji".into(), emoji);
        d.insert("message_author_id".into(), id(author_id));
        d.insert("burst".into(), Value::Bool(burst));
        d.insert(
            "burst_colors".into(),
            if burst {
                json!(["#f1c40f", "#e67e22"])
            } else {
                Value::Array(Vec::new())
            },
        );
        d.insert("type".into(), Value::from(u8::from(burst)));
        Generated {
            t: "MESSAGE_REACTION_ADD",
            guild_id: Some(guild_id),
            d: Value::Object(d),
        }
    }

    fn message_delete(&mut self) -> Generated {
        let dm = self.rng.u8(..100) == 0;
        let g = if dm { None } else { Some(self.pick_guild()) };
        let (message_id, channel_id) = match self.recent_in(g) {
            Some(r) => {
                self.recent.retain(|x| x.id != r.id);
                (r.id, r.channel_id)
            }
            None => {
                let t = self.now_ms - self.rng.u64(1000..86_400_000);
                let message_id = self.new_id(t);
                let channel_id = match g {
                    Some(g) => self.pick_text_channel(g),
                    None => {
                        let u = self.rng.usize(1..self.world.inner.users.len());
                        self.world.inner.users[u].dm_channel_id
                    }
                };
                (message_id, channel_id)
            }
        };
        let mut d = Map::new();
        d.insert("id".into(), id(message_id));
        d.insert("channel_id".into(), id(channel_id));
        let guild_id = g.map(|g| self.guild(g).id);
        if let Some(gid) = guild_id {
            d.insert("guild_id".into(), id(gid));
        }
        Generated {
            t: "MESSAGE_DELETE",
            guild_id,
            d: Value::Object(d),
        }
    }

    fn message_update(&mut self) -> Generated {
        let g = self.pick_guild();
        let recent = match self.recent_in(Some(g)) {
            Some(r) => r,
            None => {
                // Nothing sent there yet: edit an older message.
                let t = self.now_ms - self.rng.u64(60_000..86_400_000);
                let member = self.pick_member(g);
                Recent {
                    id: self.new_id(t),
                    channel_id: self.pick_text_channel(g),
                    guild: Some(g),
                    author: self.guild(g).members[member].user,
                    member,
                    content: text::message_content(&mut self.rng),
                    mentions_bot: false,
                }
            }
        };
        // Half are real edits, half are link previews being attached (no edit time).
        let edit = self.rng.bool();
        let mut content = recent.content.clone();
        if edit {
            content.push(' ');
            content.push_str(&text::message_content(&mut self.rng));
            text::truncate_chars(&mut content, 2000);
        }
        let spec = MessageSpec {
            id: recent.id,
            channel_id: recent.channel_id,
            guild: Some(g),
            author: recent.author,
            member: recent.member,
            content,
            edited_ms: edit.then_some(self.now_ms),
            force_embed: !edit,
            mentions_bot: recent.mentions_bot,
            fresh: false,
        };
        let d = self.message_json(spec);
        Generated {
            t: "MESSAGE_UPDATE",
            guild_id: Some(self.guild(g).id),
            d,
        }
    }

    fn message_create(&mut self, dm: bool) -> Generated {
        let users = self.world.inner.users.len();
        if dm || self.world.inner.guilds.is_empty() {
            let author = if users > 1 {
                self.rng.usize(1..users)
            } else {
                0
            };
            let channel_id = self.world.inner.users[author].dm_channel_id;
            let id = self.new_id(self.now_ms);
            let content = text::message_content(&mut self.rng);
            self.remember(Recent {
                id,
                channel_id,
                guild: None,
                author,
                member: 0,
                content: content.clone(),
                mentions_bot: false,
            });
            let spec = MessageSpec {
                id,
                channel_id,
                guild: None,
                author,
                member: 0,
                content,
                edited_ms: None,
                force_embed: false,
                mentions_bot: false,
                fresh: true,
            };
            let d = self.message_json(spec);
            return Generated {
                t: "MESSAGE_CREATE",
                guild_id: None,
                d,
            };
        }
        let g = self.pick_guild();
        // About 2% of guild messages are the bot's own replies.
        let m = if self.rng.u8(..50) == 0 {
            0
        } else {
            self.pick_member(g)
        };
        let author = self.guild(g).members[m].user;
        let channel_id = self.pick_text_channel(g);
        let id = self.new_id(self.now_ms);
        let mut content = text::message_content(&mut self.rng);
        let mut mentions_bot = false;
        if m != 0 && self.rng.u8(..100) < 3 {
            let bot = self.user_id(0);
            content = if self.rng.bool() {
                format!("<@{bot}> {content}")
            } else {
                format!("{content} <@{bot}>")
            };
            mentions_bot = true;
        }
        self.remember(Recent {
            id,
            channel_id,
            guild: Some(g),
            author,
            member: m,
            content: content.clone(),
            mentions_bot,
        });
        let spec = MessageSpec {
            id,
            channel_id,
            guild: Some(g),
            author,
            member: m,
            content,
            edited_ms: None,
            force_embed: false,
            mentions_bot,
            fresh: true,
        };
        let d = self.message_json(spec);
        Generated {
            t: "MESSAGE_CREATE",
            guild_id: Some(self.guild(g).id),
            d,
        }
    }

    /// Builds a message object (§13.4) with its gateway extras.
    fn message_json(&mut self, spec: MessageSpec) -> Value {
        let bot_id = self.user_id(0);
        let from_bot = spec.author == 0;
        let mut content = spec.content;
        let mut mentions: Vec<Value> = Vec::new();
        let mut mentioned: Vec<u64> = Vec::new();
        let mut mention_roles = Vec::new();
        let mut mention_everyone = false;
        let mut reference = None;
        let mut referenced = None;

        if let Some(g) = spec.guild {
            if spec.mentions_bot {
                mentions.push(self.mention_json(g, 0));
                mentioned.push(bot_id);
            }
            // Mention another member.
            if spec.fresh && self.rng.u8(..100) < 8 {
                let other = self.pick_member(g);
                let uid = self.user_id(self.guild(g).members[other].user);
                if !mentioned.contains(&uid) {
                    content = format!("<@{uid}> {content}");
                    mentions.push(self.mention_json(g, other));
                    mentioned.push(uid);
                }
            }
            // Role mention, @everyone.
            let roll = if spec.fresh {
                self.rng.u8(..200)
            } else {
                u8::MAX
            };
            if roll < 3 {
                let roles = &self.world.inner.guilds[g].roles;
                if roles.len() > 2 {
                    let r = roles[self.rng.usize(1..roles.len() - 1)].id;
                    content = format!("<@&{r}> {content}");
                    mention_roles.push(id(r));
                }
            } else if roll == 3 {
                content = format!("@everyone {content}");
                mention_everyone = true;
            }
            // Reply to a recent message; with "ping on reply" its author is mentioned.
            if spec.fresh && self.rng.u8(..10) == 0 {
                if let Some(r) = self.recent_in(Some(g)).filter(|r| r.id != spec.id) {
                    let gid = self.guild(g).id;
                    reference = Some(json!({
                        "type": 0,
                        "message_id": r.id.to_string(),
                        "channel_id": r.channel_id.to_string(),
                        "guild_id": gid.to_string(),
                    }));
                    let ping = self.rng.u8(..10) < 8;
                    let ruid = self.user_id(r.author);
                    if ping && !mentioned.contains(&ruid) {
                        mentions.push(self.mention_json(g, r.member));
                        mentioned.push(ruid);
                    }
                    referenced = Some(self.referenced_json(&r));
                }
            }
        }

        let embed_roll = self.rng.u8(..100);
        let embeds = if spec.force_embed || (from_bot && embed_roll < 60) || embed_roll < 4 {
            vec![self.embed_json(from_bot)]
        } else {
            Vec::new()
        };
        let attachments = if spec.fresh && !from_bot && self.rng.u8(..100) < 5 {
            (0..self.rng.usize(1..=3))
                .map(|_| self.attachment_json(spec.channel_id))
                .collect()
        } else {
            Vec::new()
        };
        let components = if from_bot && self.rng.bool() {
            json!([{ "type": 1, "id": 1, "components": [
                { "type": 2, "id": 2, "style": 1, "label": "Next", "custom_id": format!("page:{}", self.rng.u32(..)) },
                { "type": 2, "id": 3, "style": 5, "label": "Docs", "url": "https://example.com/docs" }
            ]}])
        } else {
            Value::Array(Vec::new())
        };
        let poll = (spec.fresh && !from_bot && spec.guild.is_some() && self.rng.u16(..400) == 0)
            .then(|| self.poll_json());

        let mut o = Map::new();
        o.insert("id".into(), id(spec.id));
        o.insert("channel_id".into(), id(spec.channel_id));
        if let Some(g) = spec.guild {
            o.insert("guild_id".into(), id(self.guild(g).id));
            o.insert("member".into(), self.member_json(g, spec.member, false));
        }
        o.insert("author".into(), self.world.user_json(spec.author, false));
        o.insert("content".into(), Value::String(content));
        o.insert(
            "timestamp".into(),
            Value::String(iso_timestamp(text::snowflake_ms(spec.id))),
        );
        o.insert(
            "edited_timestamp".into(),
            spec.edited_ms
                .map_or(Value::Null, |t| iso_timestamp(t).into()),
        );
        o.insert("tts".into(), Value::Bool(false));
        o.insert("mention_everyone".into(), Value::Bool(mention_everyone));
        o.insert("mentions".into(), Value::Array(mentions));
        o.insert("mention_roles".into(), Value::Array(mention_roles));
        o.insert("attachments".into(), Value::Array(attachments));
        o.insert("embeds".into(), Value::Array(embeds));
        o.insert("components".into(), components);
        o.insert("pinned".into(), Value::Bool(false));
        o.insert(
            "type".into(),
            Value::from(if reference.is_some() { 19 } else { 0 }),
        );
        o.insert("flags".into(), Value::from(0));
        if let Some(p) = poll {
            o.insert("poll".into(), p);
        }
        if let (Some(r), Some(m)) = (reference, referenced) {
            o.insert("message_reference".into(), r);
            o.insert("referenced_message".into(), m);
        }
        if spec.fresh && !from_bot {
            let nonce = spec.id - self.rng.u64(1..5000);
            o.insert("nonce".into(), Value::String(nonce.to_string()));
        }
        let channel_type = match spec.guild {
            Some(g) => {
                let guild = self.guild(g);
                guild
                    .channels
                    .iter()
                    .find(|c| c.id == spec.channel_id)
                    .map_or(0, |c| {
                        if c.kind == ChannelKind::Announcement {
                            5
                        } else {
                            0
                        }
                    })
            }
            None => 1,
        };
        o.insert("channel_type".into(), Value::from(channel_type));
        Value::Object(o)
    }

    /// A user in `mentions`, with a partial member.
    fn mention_json(&self, g: usize, m: usize) -> Value {
        let member = &self.guild(g).members[m];
        let mut u = self.world.user_json(member.user, false);
        if let Value::Object(o) = &mut u {
            let mut pm = self.world.member_json(member, false);
            if let Value::Object(p) = &mut pm {
                p.remove("nick");
                p.remove("avatar");
                p.remove("banner");
            }
            o.insert("member".into(), pm);
        }
        u
    }

    /// The message a reply points at, as Discord embeds it (no `member`, no `guild_id`).
    fn referenced_json(&self, r: &Recent) -> Value {
        let mut mentions = Vec::new();
        if r.mentions_bot {
            mentions.push(self.world.user_json(0, false));
        }
        json!({
            "id": r.id.to_string(),
            "channel_id": r.channel_id.to_string(),
            "author": self.world.user_json(r.author, false),
            "content": r.content,
            "timestamp": iso_timestamp(text::snowflake_ms(r.id)),
            "edited_timestamp": null,
            "tts": false,
            "mention_everyone": false,
            "mentions": mentions,
            "mention_roles": [],
            "attachments": [],
            "embeds": [],
            "components": [],
            "pinned": false,
            "type": 0,
            "flags": 0,
        })
    }

    fn embed_json(&mut self, from_bot: bool) -> Value {
        if from_bot {
            let fields: Vec<Value> = (0..self.rng.usize(0..5))
                .map(|k| {
                    json!({
                        "name": text::capitalize(text::pick(&mut self.rng, text::WORDS)),
                        "value": format!("{} `{}`", text::pick(&mut self.rng, text::WORDS), self.rng.u32(..10_000)),
                        "inline": k % 2 == 0,
                    })
                })
                .collect();
            return json!({
                "type": "rich",
                "title": text::capitalize(&text::message_content(&mut self.rng)).chars().take(200).collect::<String>(),
                "description": text::message_content(&mut self.rng),
                "color": 0x5865F2,
                "fields": fields,
                "footer": { "text": format!("Requested at {}", iso_timestamp(self.now_ms)) },
                "timestamp": iso_timestamp(self.now_ms),
            });
        }
        let link = text::pick(&mut self.rng, text::LINKS);
        let mut thumb = String::from("https://images-ext-1.discordapp.net/external/");
        text::push_hex(&mut thumb, &mut self.rng, 43);
        json!({
            "type": if link.contains("youtube") { "video" } else { "link" },
            "url": link,
            "title": text::capitalize(&text::message_content(&mut self.rng)).chars().take(120).collect::<String>(),
            "description": text::message_content(&mut self.rng).chars().take(350).collect::<String>(),
            "color": 0xFF0000,
            "provider": { "name": link.split('/').nth(2).unwrap_or("example.com") },
            "thumbnail": {
                "url": format!("{link}/thumb.jpg"),
                "proxy_url": thumb,
                "width": 1280,
                "height": 720,
                "content_type": "image/jpeg",
                "placeholder": "2ggGDgKbOYd3h3d4d4d4d4dwAAAAAA==",
                "placeholder_version": 1,
                "flags": 0,
            },
        })
    }

    fn attachment_json(&mut self, channel_id: u64) -> Value {
        let (name, content_type, image) = text::FILES[self.rng.usize(..text::FILES.len())];
        let att_id = self.new_id(self.now_ms);
        let mut sig = String::new();
        text::push_hex(&mut sig, &mut self.rng, 64);
        let expires = self.now_ms / 1000 + 86_400;
        let query = format!("?ex={:x}&is={:x}&hm={sig}&", expires, expires - 86_400);
        let url =
            format!("https://cdn.discordapp.com/attachments/{channel_id}/{att_id}/{name}{query}");
        let proxy_url =
            format!("https://media.discordapp.net/attachments/{channel_id}/{att_id}/{name}{query}");
        let mut o = Map::new();
        o.insert("id".into(), id(att_id));
        o.insert("filename".into(), Value::from(name));
        o.insert("size".into(), Value::from(self.rng.u64(800..8_000_000)));
        o.insert("url".into(), Value::from(url));
        o.insert("proxy_url".into(), Value::from(proxy_url));
        o.insert("content_type".into(), Value::from(content_type));
        if image {
            o.insert("width".into(), Value::from(self.rng.u32(200..2560)));
            o.insert("height".into(), Value::from(self.rng.u32(200..1440)));
            o.insert(
                "placeholder".into(),
                Value::from("3PcJDQKOl5d4h3Z/eId3d4eAiHYIeYcA"),
            );
            o.insert("placeholder_version".into(), Value::from(1));
        }
        Value::Object(o)
    }

    fn poll_json(&mut self) -> Value {
        let answers: Vec<Value> = (1..=self.rng.u32(2..=5))
            .map(|k| {
                json!({
                    "answer_id": k,
                    "poll_media": { "text": text::capitalize(text::pick(&mut self.rng, text::NOUNS)) },
                })
            })
            .collect();
        json!({
            "question": { "text": format!("{}?", text::capitalize(&text::message_content(&mut self.rng)).chars().take(250).collect::<String>()) },
            "answers": answers,
            "expiry": iso_timestamp(self.now_ms + 86_400_000),
            "allow_multiselect": self.rng.bool(),
            "layout_type": 1,
            "results": { "is_finalized": false, "answer_counts": [] },
        })
    }
}

impl std::fmt::Debug for EventGenerator {
    /// A summary (caches of serialized payloads are left out).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventGenerator")
            .field("world", &self.world)
            .field("now_ms", &self.now_ms)
            .field("recent_messages", &self.recent.len())
            .field("guild_create_options", &self.guild_create_options)
            .finish_non_exhaustive()
    }
}

impl Iterator for EventGenerator {
    type Item = Generated;

    /// Never ends; equivalent to [`EventGenerator::next_event`].
    fn next(&mut self) -> Option<Generated> {
        Some(self.next_event())
    }
}

/// Inputs of [`EventGenerator::message_json`].
struct MessageSpec {
    id: u64,
    channel_id: u64,
    guild: Option<usize>,
    author: usize,
    member: usize,
    content: String,
    edited_ms: Option<u64>,
    force_embed: bool,
    mentions_bot: bool,
    /// A new message (MESSAGE_CREATE): may get mentions, a reply, attachments, a poll.
    fresh: bool,
}
