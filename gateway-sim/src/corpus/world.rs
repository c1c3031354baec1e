//! The simulated world: users, guilds with roles, channels, emojis, members, their
//! presences and who sits in voice, all derived from one seed.
//!
//! A [`World`] is immutable after [`World::new`] and cheap to clone (it shares its data
//! behind an [`Arc`]), so every connection and generator of the simulator can hold one.
//! JSON is built on demand from compact internal records; presences are re-derived
//! from a per-member seed, so [`World::guild_create`] is a pure function of its inputs.

use std::collections::HashSet;
use std::sync::Arc;

use fastrand::Rng;
use serde_json::{json, Map, Value};

use super::text::{self, iso_timestamp, snowflake};

/// "Now" of the simulated world: 2026-08-01T15:00:00Z in Unix milliseconds. Creation
/// times lie before it; the event clock starts at it.
pub const WORLD_NOW_MS: u64 = 1_785_596_400_000;

/// Members are left out of GUILD_CREATE above this member count when presences are not
/// sent (§10 caveat: "in guilds with over 75k members").
const PRESENCE_MEMBER_LIMIT: usize = 75_000;

/// 2016-01-01T00:00:00Z, the earliest creation time used for users and guilds.
const EARLIEST_MS: u64 = 1_451_606_400_000;

/// lcm(1..=16): guild creation offsets are aligned so that guild `i` routes to shard
/// `i % n` for every shard count `n` up to 16.
const SHARD_SPREAD: u64 = 720_720;

/// Parameters of a [`World`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorldConfig {
    /// Seed of everything in the world (ids, names, membership, presences).
    pub seed: u64,
    /// Number of guilds the bot is in.
    pub guilds: usize,
    /// Inclusive range of members per guild (the bot counts as one). The minimum is
    /// raised to 1 and the maximum to the minimum; both are capped at `users + 1`.
    pub members_per_guild: (usize, usize),
    /// Size of the user pool the members are drawn from (besides the bot).
    pub users: usize,
    /// Snowflake of the bot user (also its application id).
    pub bot_user_id: u64,
    /// The bot's username.
    pub bot_username: String,
    /// Upper bound on members sitting in voice channels per guild.
    pub max_voice_per_guild: usize,
}

impl Default for WorldConfig {
    /// 10 guilds of 50–1000 members drawn from 5,000 users; the bot of protocol.md §13.
    fn default() -> Self {
        WorldConfig {
            seed: 0x5EED,
            guilds: 10,
            members_per_guild: (50, 1000),
            users: 5000,
            bot_user_id: 1_194_566_300_643_491_842,
            bot_username: "simbot".to_owned(),
            max_voice_per_guild: 8,
        }
    }
}

/// How a GUILD_CREATE is tailored to the session that receives it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GuildCreateOptions {
    /// Identify's `large_threshold` (50–250): `large` is `member_count > large_threshold`,
    /// and a large guild lists only non-offline members (plus the bot and voice members).
    pub large_threshold: u64,
    /// Whether the session has GUILD_PRESENCES. Without it, `members` and `presences`
    /// hold only the bot and the members in voice (§10 caveat).
    pub presences_intent: bool,
    /// Whether the session has GUILD_MEMBERS. §10 documents no effect on GUILD_CREATE;
    /// kept so the caller can pass the session's intents as they are.
    pub members_intent: bool,
}

impl Default for GuildCreateOptions {
    /// All intents and `large_threshold` 250 (the largest member lists Discord sends;
    /// Identify's own default is 50).
    fn default() -> Self {
        GuildCreateOptions {
            large_threshold: 250,
            presences_intent: true,
            members_intent: true,
        }
    }
}

impl GuildCreateOptions {
    /// Options for a session that identified with `intents` and `large_threshold`.
    pub fn for_intents(intents: u64, large_threshold: u64) -> Self {
        GuildCreateOptions {
            large_threshold,
            presences_intent: intents & super::intents::GUILD_PRESENCES != 0,
            members_intent: intents & super::intents::GUILD_MEMBERS != 0,
        }
    }
}

/// Online status of a member.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Status {
    Online,
    Idle,
    Dnd,
    Offline,
}

impl Status {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Status::Online => "online",
            Status::Idle => "idle",
            Status::Dnd => "dnd",
            Status::Offline => "offline",
        }
    }

    /// Draws a status with a realistic share of offline members.
    pub(crate) fn random(rng: &mut Rng) -> Status {
        match rng.u8(..100) {
            0..=29 => Status::Online,
            30..=41 => Status::Idle,
            42..=49 => Status::Dnd,
            _ => Status::Offline,
        }
    }
}

#[derive(Clone, Debug)]
pub(crate) struct User {
    pub(crate) id: u64,
    pub(crate) username: String,
    pub(crate) global_name: Option<String>,
    /// 0 for the new username system, else the legacy 4-digit tag.
    pub(crate) discriminator: u16,
    pub(crate) avatar: Option<String>,
    pub(crate) bot: bool,
    pub(crate) public_flags: u64,
    /// The DM channel between this user and the bot.
    pub(crate) dm_channel_id: u64,
}

#[derive(Clone, Debug)]
pub(crate) struct Member {
    /// Index into `World::users`; 0 is the bot.
    pub(crate) user: usize,
    pub(crate) nick: Option<String>,
    pub(crate) avatar: Option<String>,
    pub(crate) roles: Vec<u64>,
    pub(crate) joined_at_ms: u64,
    pub(crate) premium_since_ms: Option<u64>,
    pub(crate) flags: u64,
    pub(crate) status: Status,
    /// Bit 0 desktop, 1 mobile, 2 web, 3 vr.
    pub(crate) clients: u8,
    /// Seed of this member's activities in GUILD_CREATE presences.
    pub(crate) activity_seed: u64,
}

#[derive(Clone, Debug)]
pub(crate) struct Role {
    pub(crate) id: u64,
    pub(crate) name: String,
    pub(crate) color: u32,
    pub(crate) hoist: bool,
    pub(crate) position: i64,
    pub(crate) permissions: &'static str,
    pub(crate) managed: bool,
    pub(crate) mentionable: bool,
    /// For the bot's managed role.
    pub(crate) bot_id: Option<u64>,
}

/// Channel kinds used by the world (§13.3 channel types).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ChannelKind {
    Text = 0,
    Voice = 2,
    Category = 4,
    Announcement = 5,
}

#[derive(Clone, Debug)]
pub(crate) struct Channel {
    pub(crate) id: u64,
    pub(crate) kind: ChannelKind,
    pub(crate) name: String,
    pub(crate) position: i64,
    pub(crate) parent_id: Option<u64>,
    pub(crate) topic: Option<String>,
    pub(crate) nsfw: bool,
    pub(crate) rate_limit_per_user: u64,
    pub(crate) user_limit: u64,
    pub(crate) bitrate: u64,
    /// Role whose members may not send messages here (a permission overwrite), if any.
    pub(crate) overwrite_role: Option<u64>,
}

#[derive(Clone, Debug)]
pub(crate) struct Emoji {
    pub(crate) id: u64,
    pub(crate) name: String,
    pub(crate) animated: bool,
}

#[derive(Clone, Debug)]
pub(crate) struct VoiceState {
    /// Index into the guild's members.
    pub(crate) member: usize,
    pub(crate) channel_id: u64,
    pub(crate) session_id: String,
    pub(crate) self_mute: bool,
    pub(crate) self_deaf: bool,
    pub(crate) self_video: bool,
    pub(crate) self_stream: bool,
}

#[derive(Clone, Debug)]
pub(crate) struct Guild {
    pub(crate) id: u64,
    pub(crate) name: String,
    pub(crate) icon: Option<String>,
    pub(crate) banner: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) owner_id: u64,
    pub(crate) joined_at_ms: u64,
    pub(crate) features: Vec<&'static str>,
    pub(crate) preferred_locale: &'static str,
    pub(crate) verification_level: u8,
    pub(crate) explicit_content_filter: u8,
    pub(crate) default_message_notifications: u8,
    pub(crate) premium_tier: u8,
    pub(crate) premium_subscription_count: u64,
    pub(crate) roles: Vec<Role>,
    pub(crate) channels: Vec<Channel>,
    /// Indices into `channels` of the text and announcement channels.
    pub(crate) text_channels: Vec<usize>,
    /// Indices into `channels` of the voice channels.
    pub(crate) voice_channels: Vec<usize>,
    pub(crate) emojis: Vec<Emoji>,
    pub(crate) members: Vec<Member>,
    pub(crate) voice: Vec<VoiceState>,
    pub(crate) afk_channel_id: Option<u64>,
    pub(crate) system_channel_id: Option<u64>,
    pub(crate) rules_channel_id: Option<u64>,
}

impl Guild {
    /// Members with index in `voice`.
    fn in_voice(&self, member: usize) -> bool {
        self.voice.iter().any(|v| v.member == member)
    }
}

#[derive(Debug)]
pub(crate) struct Inner {
    /// All users; `users[0]` is the bot and always exists (pushed first by `new`).
    pub(crate) users: Vec<User>,
    pub(crate) guilds: Vec<Guild>,
    /// Cumulative member counts, for choosing a guild weighted by its size.
    pub(crate) cumulative_members: Vec<u64>,
    /// (guild id, index into `guilds`), sorted by id.
    by_id: Vec<(u64, usize)>,
}

/// A seeded, immutable simulated world. See the module documentation.
#[derive(Clone)]
pub struct World {
    pub(crate) inner: Arc<Inner>,
}

impl std::fmt::Debug for World {
    /// A summary (the full world would print megabytes).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("World")
            .field("guilds", &self.inner.guilds.len())
            .field("users", &(self.inner.users.len() - 1))
            .field(
                "members",
                &self.inner.cumulative_members.last().copied().unwrap_or(0),
            )
            .finish()
    }
}

/// Hands out snowflakes that are unique within a world.
struct IdGen {
    worker: u64,
    process: u64,
    inc: u64,
    seen: HashSet<u64>,
}

impl IdGen {
    fn next(&mut self, unix_ms: u64) -> u64 {
        loop {
            let id = snowflake(unix_ms, self.worker, self.process, self.inc);
            self.inc = (self.inc + 1) & 0xFFF;
            if self.seen.insert(id) {
                return id;
            }
        }
    }

    /// Registers an id chosen elsewhere; false if it was taken.
    fn claim(&mut self, id: u64) -> bool {
        self.seen.insert(id)
    }
}

/// Random Unix ms in `[from, to)`; `from` when the range is empty.
fn time_between(rng: &mut Rng, from: u64, to: u64) -> u64 {
    if to > from {
        rng.u64(from..to)
    } else {
        from
    }
}

const PERM_EVERYONE: &str = "2248473465835073";
const PERM_ADMIN: &str = "8";
const PERM_MOD: &str = "1099511627775";
const PERM_MEMBER: &str = "2222085186636353";
const PERM_NONE: &str = "0";
const ROLE_COLORS: &[u32] = &[
    0, 0, 0x1ABC9C, 0x2ECC71, 0x3498DB, 0x9B59B6, 0xE91E63, 0xF1C40F, 0xE67E22, 0xE74C3C, 0x95A5A6,
    0x607D8B, 0x11806A, 0xAD1457,
];
const FEATURES: &[&str] = &[
    "COMMUNITY",
    "NEWS",
    "INVITE_SPLASH",
    "ANIMATED_ICON",
    "BANNER",
    "ROLE_ICONS",
    "VANITY_URL",
    "WELCOME_SCREEN_ENABLED",
    "MEMBER_VERIFICATION_GATE_ENABLED",
    "PREVIEW_ENABLED",
    "SOUNDBOARD",
    "AUTO_MODERATION",
];
const LOCALES: &[&str] = &[
    "en-US", "en-US", "en-US", "en-GB", "de", "fr", "pt-BR", "es-ES", "ja",
];

impl World {
    /// Builds the world described by `config`. Deterministic: the same config gives
    /// the same world.
    pub fn new(config: &WorldConfig) -> World {
        let mut rng = Rng::with_seed(config.seed);
        let mut ids = IdGen {
            worker: rng.u64(0..32),
            process: rng.u64(0..32),
            inc: 0,
            seen: HashSet::new(),
        };
        let users = Self::make_users(config, &mut rng, &mut ids);
        let pool = users.len() - 1; // users[0] is the bot
        let min = config.members_per_guild.0.max(1).min(pool + 1);
        let max = config.members_per_guild.1.max(min).min(pool + 1);

        let mut guilds = Vec::with_capacity(config.guilds);
        for i in 0..config.guilds {
            let count = rng.usize(min..=max);
            guilds.push(Self::make_guild(i, count, &users, &mut rng, &mut ids));
        }
        let mut total = 0;
        let cumulative_members = guilds
            .iter()
            .map(|g| {
                total += g.members.len() as u64;
                total
            })
            .collect();
        let mut by_id: Vec<(u64, usize)> =
            guilds.iter().enumerate().map(|(i, g)| (g.id, i)).collect();
        by_id.sort_unstable();
        World {
            inner: Arc::new(Inner {
                users,
                guilds,
                cumulative_members,
                by_id,
            }),
        }
    }

    fn make_users(config: &WorldConfig, rng: &mut Rng, ids: &mut IdGen) -> Vec<User> {
        let mut users = Vec::with_capacity(config.users + 1);
        ids.claim(config.bot_user_id);
        let bot_created = text::snowflake_ms(config.bot_user_id).min(WORLD_NOW_MS);
        users.push(User {
            id: config.bot_user_id,
            username: config.bot_username.clone(),
            global_name: None,
            discriminator: 4821,
            avatar: None,
            bot: true,
            public_flags: 0,
            dm_channel_id: 0,
        });
        for _ in 0..config.users {
            let created = time_between(rng, EARLIEST_MS, WORLD_NOW_MS - 86_400_000);
            let id = ids.next(created);
            let username = text::username(rng);
            let bot = rng.u8(..100) < 2;
            let legacy = bot || rng.u8(..100) < 4;
            let global_name = if !bot && rng.u8(..10) < 7 {
                Some(text::global_name(rng, &username))
            } else {
                None
            };
            let avatar = if rng.u8(..10) < 8 {
                let animated = rng.u8(..20) == 0;
                Some(text::image_hash(rng, animated))
            } else {
                None
            };
            let public_flags = match rng.u8(..100) {
                0..=79 => 0,
                80..=87 => 64,   // HypeSquad Bravery
                88..=93 => 128,  // HypeSquad Brilliance
                94..=97 => 256,  // HypeSquad Balance
                98 => 4_194_304, // Active Developer
                _ => 512,        // Early Supporter
            };
            users.push(User {
                id,
                username,
                global_name,
                discriminator: if legacy { rng.u16(1..10_000) } else { 0 },
                avatar,
                bot,
                public_flags: if bot { 65_536 } else { public_flags }, // VERIFIED_BOT for bots
                dm_channel_id: 0,
            });
        }
        // DM channels between the bot and each user are opened "recently".
        for user in users.iter_mut().skip(1) {
            let opened = time_between(rng, bot_created.max(EARLIEST_MS), WORLD_NOW_MS);
            user.dm_channel_id = ids.next(opened);
        }
        users
    }

    fn make_guild(
        index: usize,
        member_count: usize,
        users: &[User],
        rng: &mut Rng,
        ids: &mut IdGen,
    ) -> Guild {
        // Creation time aligned so that (id >> 22) % n == index % n for n <= 16.
        let offset =
            time_between(rng, EARLIEST_MS, WORLD_NOW_MS - 30 * 86_400_000) - text::DISCORD_EPOCH_MS;
        let offset = offset - offset % SHARD_SPREAD + (index as u64 % SHARD_SPREAD);
        let created = offset + text::DISCORD_EPOCH_MS;
        let mut id = snowflake(created, ids.worker, ids.process, 0);
        let mut bump = 0;
        while !ids.claim(id) {
            bump += 1;
            id = snowflake(created, ids.worker, ids.process, bump);
        }
        let after = |rng: &mut Rng| time_between(rng, created + 1, WORLD_NOW_MS);

        // Roles: @everyone, a few named ones, and the bot's managed role.
        let mut roles = vec![Role {
            id,
            name: "@everyone".to_owned(),
            color: 0,
            hoist: false,
            position: 0,
            permissions: PERM_EVERYONE,
            managed: false,
            mentionable: false,
            bot_id: None,
        }];
        let mut role_names: Vec<&str> = text::ROLE_NAMES.to_vec();
        rng.shuffle(&mut role_names);
        let named = rng.usize(3..=10);
        for (k, name) in role_names.iter().take(named).enumerate() {
            let permissions = match *name {
                "Admin" => PERM_ADMIN,
                "Moderator" => PERM_MOD,
                "Muted" => PERM_NONE,
                _ => PERM_MEMBER,
            };
            let t = after(rng);
            roles.push(Role {
                id: ids.next(t),
                name: (*name).to_owned(),
                color: ROLE_COLORS[rng.usize(..ROLE_COLORS.len())],
                hoist: k < 3,
                position: (named - k) as i64 + 1,
                permissions,
                managed: false,
                mentionable: rng.bool(),
                bot_id: None,
            });
        }
        let bot_joined = after(rng);
        let bot_role = ids.next(bot_joined);
        roles.push(Role {
            id: bot_role,
            name: users[0].username.clone(),
            color: 0,
            hoist: false,
            position: 1,
            permissions: PERM_MOD,
            managed: true,
            mentionable: false,
            bot_id: Some(users[0].id),
        });
        let assignable: Vec<u64> = roles[1..roles.len() - 1].iter().map(|r| r.id).collect();

        // Channels: a text category, text channels, a voice category, voice channels.
        let mut channels = Vec::new();
        let mut position = 0;
        let mut push_channel = |channels: &mut Vec<Channel>,
                                rng: &mut Rng,
                                ids: &mut IdGen,
                                kind: ChannelKind,
                                name: String,
                                parent_id: Option<u64>| {
            let t = time_between(rng, created, WORLD_NOW_MS);
            let id = if channels.is_empty() {
                ids.next(created)
            } else {
                ids.next(t)
            };
            let text_like = matches!(kind, ChannelKind::Text | ChannelKind::Announcement);
            channels.push(Channel {
                id,
                kind,
                topic: (text_like && rng.u8(..3) == 0)
                    .then(|| text::capitalize(&text::message_content(rng))),
                nsfw: text_like && rng.u8(..30) == 0,
                rate_limit_per_user: if text_like && rng.u8(..8) == 0 { 5 } else { 0 },
                user_limit: if kind == ChannelKind::Voice && rng.bool() {
                    10
                } else {
                    0
                },
                bitrate: 64_000,
                overwrite_role: None,
                name,
                position,
                parent_id,
            });
            position += 1;
            id
        };
        let text_cat = push_channel(
            &mut channels,
            rng,
            ids,
            ChannelKind::Category,
            "Text Channels".to_owned(),
            None,
        );
        let mut text_names: Vec<&str> = text::TEXT_CHANNELS[1..].to_vec();
        rng.shuffle(&mut text_names);
        let text_count = rng.usize(3..=12);
        let mut text_channels = Vec::new();
        for k in 0..text_count {
            let name = if k == 0 { "general" } else { text_names[k - 1] };
            let kind = if name == "announcements" {
                ChannelKind::Announcement
            } else {
                ChannelKind::Text
            };
            text_channels.push(channels.len());
            push_channel(
                &mut channels,
                rng,
                ids,
                kind,
                name.to_owned(),
                Some(text_cat),
            );
        }
        let voice_cat = push_channel(
            &mut channels,
            rng,
            ids,
            ChannelKind::Category,
            "Voice Channels".to_owned(),
            None,
        );
        let mut voice_names: Vec<&str> = text::VOICE_CHANNELS.to_vec();
        rng.shuffle(&mut voice_names);
        let mut voice_channels = Vec::new();
        for name in voice_names.iter().take(rng.usize(1..=4)) {
            voice_channels.push(channels.len());
            push_channel(
                &mut channels,
                rng,
                ids,
                ChannelKind::Voice,
                (*name).to_owned(),
                Some(voice_cat),
            );
        }
        if let Some(muted) = roles.iter().find(|r| r.name == "Muted") {
            for &c in &text_channels {
                channels[c].overwrite_role = Some(muted.id);
            }
        }

        let emojis = (0..rng.usize(0..=12))
            .map(|_| Emoji {
                id: ids.next(after(rng)),
                name: format!(
                    "{}{}",
                    text::pick(rng, text::ADJECTIVES),
                    text::pick(rng, text::NOUNS)
                ),
                animated: rng.u8(..5) == 0,
            })
            .collect();

        // Members: the bot plus distinct users from the pool.
        let mut members = Vec::with_capacity(member_count);
        members.push(Member {
            user: 0,
            nick: None,
            avatar: None,
            roles: vec![bot_role],
            joined_at_ms: bot_joined,
            premium_since_ms: None,
            flags: 0,
            status: Status::Online,
            clients: 1,
            activity_seed: 0,
        });
        let pool = users.len() - 1;
        let mut chosen: HashSet<usize> = HashSet::with_capacity(member_count);
        while members.len() < member_count {
            let user = if member_count - 1 > pool / 2 {
                // Dense: walk the pool from a random start so we never spin.
                let start = rng.usize(1..=pool);
                (0..pool)
                    .map(|k| 1 + (start - 1 + k) % pool)
                    .find(|u| !chosen.contains(u))
            } else {
                Some(rng.usize(1..=pool))
            };
            let Some(user) = user else { break };
            if !chosen.insert(user) {
                continue;
            }
            members.push(Self::make_member(
                user,
                &users[user],
                created,
                &assignable,
                rng,
            ));
        }

        // A few non-offline members sit in voice.
        let mut voice = Vec::new();
        if !voice_channels.is_empty() && members.len() > 1 {
            let wanted = rng.usize(0..=(members.len() / 8).min(8));
            for _ in 0..wanted {
                let m = rng.usize(1..members.len());
                if members[m].status == Status::Offline
                    || voice.iter().any(|v: &VoiceState| v.member == m)
                {
                    continue;
                }
                let c = voice_channels[rng.usize(..voice_channels.len())];
                voice.push(VoiceState {
                    member: m,
                    channel_id: channels[c].id,
                    session_id: text::session_id(rng),
                    self_mute: rng.u8(..3) == 0,
                    self_deaf: rng.u8(..10) == 0,
                    self_video: rng.u8(..20) == 0,
                    self_stream: rng.u8(..15) == 0,
                });
            }
        }

        let mut features: Vec<&'static str> = Vec::new();
        if rng.u8(..3) == 0 {
            for f in FEATURES {
                if rng.u8(..3) == 0 {
                    features.push(f);
                }
            }
        }
        let premium_subscription_count = match rng.u8(..10) {
            0..=5 => 0,
            6..=7 => rng.u64(1..7),
            8 => rng.u64(7..14),
            _ => rng.u64(14..40),
        };
        let premium_tier = match premium_subscription_count {
            0..=1 => 0,
            2..=6 => 1,
            7..=13 => 2,
            _ => 3,
        };
        let owner = rng.usize(1..members.len().max(2)).min(members.len() - 1);
        let owner_id = users[members[owner].user].id;
        // There are at least 3 text channels, "general" first.
        let general = channels[text_channels[0]].id;
        let afk_channel_id = voice_channels
            .iter()
            .map(|&c| &channels[c])
            .find(|c| c.name == "AFK")
            .map(|c| c.id);
        let rules_channel_id = features.contains(&"COMMUNITY").then_some(general);
        Guild {
            id,
            name: text::guild_name(rng),
            icon: (rng.u8(..10) < 8).then(|| text::image_hash(rng, false)),
            banner: features
                .contains(&"BANNER")
                .then(|| text::image_hash(rng, false)),
            description: (rng.u8(..4) == 0).then(|| text::capitalize(&text::message_content(rng))),
            owner_id,
            joined_at_ms: bot_joined,
            features,
            preferred_locale: text::pick(rng, LOCALES),
            verification_level: rng.u8(0..=3),
            explicit_content_filter: rng.u8(0..=2),
            default_message_notifications: rng.u8(0..=1),
            premium_tier,
            premium_subscription_count,
            roles,
            channels,
            text_channels,
            voice_channels,
            emojis,
            members,
            voice,
            afk_channel_id,
            system_channel_id: Some(general),
            rules_channel_id,
        }
    }

    fn make_member(
        user_index: usize,
        user: &User,
        guild_created: u64,
        assignable: &[u64],
        rng: &mut Rng,
    ) -> Member {
        let earliest = guild_created.max(text::snowflake_ms(user.id));
        let mut roles = Vec::new();
        if !assignable.is_empty() {
            let n = match rng.u8(..10) {
                0..=3 => 0,
                4..=6 => 1,
                7..=8 => 2,
                _ => 3,
            };
            for _ in 0..n {
                let r = assignable[rng.usize(..assignable.len())];
                if !roles.contains(&r) {
                    roles.push(r);
                }
            }
        }
        let joined_at_ms = time_between(rng, earliest + 1, WORLD_NOW_MS);
        let status = if user.bot {
            Status::Online
        } else {
            Status::random(rng)
        };
        Member {
            user: user_index,
            nick: (rng.u8(..4) == 0).then(|| text::global_name(rng, &user.username)),
            avatar: (rng.u8(..33) == 0).then(|| text::image_hash(rng, false)),
            roles,
            joined_at_ms,
            premium_since_ms: (rng.u8(..25) == 0)
                .then(|| time_between(rng, joined_at_ms, WORLD_NOW_MS)),
            flags: if rng.u8(..20) == 0 { 1 } else { 0 },
            status,
            clients: random_clients(rng),
            activity_seed: rng.u64(..),
        }
    }

    // ----- accessors -----

    /// Ids of all guilds, in creation order (guild `i` routes to shard `i % n` for
    /// every `n <= 16`).
    pub fn guild_ids(&self) -> Vec<u64> {
        self.inner.guilds.iter().map(|g| g.id).collect()
    }

    /// Ids of the guilds that route to `shard` of `num_shards` (§8).
    pub fn guild_ids_for_shard(&self, shard: u32, num_shards: u32) -> Vec<u64> {
        self.inner
            .guilds
            .iter()
            .map(|g| g.id)
            .filter(|&id| super::shard_for_guild(id, num_shards) == shard)
            .collect()
    }

    /// The bot user's id.
    pub fn bot_user_id(&self) -> u64 {
        self.inner.users[0].id
    }

    /// The bot user as READY's `user` (§13.2).
    pub fn bot_user(&self) -> Value {
        let u = &self.inner.users[0];
        json!({
            "id": u.id.to_string(),
            "username": u.username,
            "discriminator": format!("{:04}", u.discriminator),
            "global_name": null,
            "avatar": u.avatar,
            "bot": true,
            "verified": true,
            "mfa_enabled": false,
            "flags": 0,
            "email": null,
        })
    }

    /// Number of members of a guild (`member_count`), None for an unknown guild.
    pub fn member_count(&self, guild_id: u64) -> Option<usize> {
        self.guild(guild_id).map(|g| g.members.len())
    }

    /// The GUILD_CREATE `d` of a guild for a session with `options` (§13.3 and the §10
    /// caveats). An unknown guild gives an unavailable guild `{"id", "unavailable": true}`.
    pub fn guild_create(&self, guild_id: u64, options: &GuildCreateOptions) -> Value {
        match self.guild(guild_id) {
            Some(g) => self.guild_create_json(g, options),
            None => json!({ "id": guild_id.to_string(), "unavailable": true }),
        }
    }

    /// All members of a guild as member objects with `user` (for GUILD_MEMBERS_CHUNK);
    /// empty for an unknown guild. The bot comes first.
    pub fn members(&self, guild_id: u64) -> Vec<Value> {
        match self.guild(guild_id) {
            Some(g) => g
                .members
                .iter()
                .map(|m| self.member_json(m, true))
                .collect(),
            None => Vec::new(),
        }
    }

    /// Presences of a guild's non-offline members other than the bot, each
    /// `{user:{id}, status, activities, client_status}` (for GUILD_MEMBERS_CHUNK with
    /// `presences:true`); empty for an unknown guild.
    pub fn presences(&self, guild_id: u64) -> Vec<Value> {
        match self.guild(guild_id) {
            Some(g) => g
                .members
                .iter()
                .filter(|m| m.user != 0 && m.status != Status::Offline)
                .map(|m| self.stored_presence_json(m))
                .collect(),
            None => Vec::new(),
        }
    }

    /// The channels of a guild as channel objects, each with `guild_id` (unlike the
    /// copies inside GUILD_CREATE); empty for an unknown guild.
    pub fn channels(&self, guild_id: u64) -> Vec<Value> {
        match self.guild(guild_id) {
            Some(g) => g
                .channels
                .iter()
                .map(|c| channel_json(c, Some(g.id)))
                .collect(),
            None => Vec::new(),
        }
    }

    /// The member with user `user_id` in a guild, as a member object with `user`.
    pub fn member(&self, guild_id: u64, user_id: u64) -> Option<Value> {
        let g = self.guild(guild_id)?;
        g.members
            .iter()
            .find(|m| self.inner.users[m.user].id == user_id)
            .map(|m| self.member_json(m, true))
    }

    pub(crate) fn guild(&self, guild_id: u64) -> Option<&Guild> {
        let by_id = &self.inner.by_id;
        let k = by_id.binary_search_by_key(&guild_id, |&(id, _)| id).ok()?;
        Some(&self.inner.guilds[by_id[k].1])
    }

    // ----- JSON builders shared with the event generator -----

    /// A user object; `full` adds the fields Discord sends inside members.
    pub(crate) fn user_json(&self, user: usize, full: bool) -> Value {
        let u = &self.inner.users[user];
        let mut m = Map::new();
        m.insert("id".into(), Value::String(u.id.to_string()));
        m.insert("username".into(), Value::String(u.username.clone()));
        m.insert(
            "discriminator".into(),
            Value::String(discriminator(u.discriminator)),
        );
        m.insert("global_name".into(), opt_str(u.global_name.as_deref()));
        m.insert("avatar".into(), opt_str(u.avatar.as_deref()));
        if u.bot {
            m.insert("bot".into(), Value::Bool(true));
        }
        m.insert("public_flags".into(), Value::from(u.public_flags));
        if full {
            m.insert("avatar_decoration_data".into(), Value::Null);
            m.insert("primary_guild".into(), Value::Null);
        }
        Value::Object(m)
    }

    /// A guild member; without `user` it is the partial member of MESSAGE_CREATE.
    pub(crate) fn member_json(&self, m: &Member, with_user: bool) -> Value {
        let mut o = Map::new();
        if with_user {
            o.insert("user".into(), self.user_json(m.user, true));
        }
        o.insert("nick".into(), opt_str(m.nick.as_deref()));
        o.insert("avatar".into(), opt_str(m.avatar.as_deref()));
        o.insert("banner".into(), Value::Null);
        o.insert(
            "roles".into(),
            Value::Array(m.roles.iter().map(|r| id(*r)).collect()),
        );
        o.insert(
            "joined_at".into(),
            Value::String(iso_timestamp(m.joined_at_ms)),
        );
        o.insert(
            "premium_since".into(),
            m.premium_since_ms
                .map_or(Value::Null, |t| iso_timestamp(t).into()),
        );
        o.insert("deaf".into(), Value::Bool(false));
        o.insert("mute".into(), Value::Bool(false));
        o.insert("flags".into(), Value::from(m.flags));
        o.insert("pending".into(), Value::Bool(false));
        o.insert("communication_disabled_until".into(), Value::Null);
        Value::Object(o)
    }

    /// The stored presence of a member (as in GUILD_CREATE, without `guild_id`).
    fn stored_presence_json(&self, m: &Member) -> Value {
        let mut rng = Rng::with_seed(m.activity_seed);
        let activities = activities_json(&mut rng, WORLD_NOW_MS, self.inner.users[m.user].id);
        presence_json(
            self.inner.users[m.user].id,
            m.status,
            m.clients,
            activities,
            None,
        )
    }

    fn guild_create_json(&self, g: &Guild, options: &GuildCreateOptions) -> Value {
        let member_count = g.members.len();
        let large = member_count as u64 > options.large_threshold;
        let presences = options.presences_intent && member_count <= PRESENCE_MEMBER_LIMIT;
        let mut members = Vec::new();
        let mut presence_list = Vec::new();
        for (i, m) in g.members.iter().enumerate() {
            let listed = m.user == 0
                || g.in_voice(i)
                || (presences && (!large || m.status != Status::Offline));
            if !listed {
                continue;
            }
            members.push(self.member_json(m, true));
            if m.user != 0 && m.status != Status::Offline {
                presence_list.push(self.stored_presence_json(m));
            }
        }
        let voice_states: Vec<Value> = g
            .voice
            .iter()
            .map(|v| {
                voice_state_json(
                    self.inner.users[g.members[v.member].user].id,
                    Some(v.channel_id),
                    v,
                    None,
                    None,
                )
            })
            .collect();
        let mut o = Map::new();
        o.insert("id".into(), id(g.id));
        o.insert("name".into(), Value::String(g.name.clone()));
        o.insert("icon".into(), opt_str(g.icon.as_deref()));
        o.insert("splash".into(), Value::Null);
        o.insert("discovery_splash".into(), Value::Null);
        o.insert("owner_id".into(), id(g.owner_id));
        o.insert("afk_channel_id".into(), opt_id(g.afk_channel_id));
        o.insert("afk_timeout".into(), Value::from(300));
        o.insert(
            "verification_level".into(),
            Value::from(g.verification_level),
        );
        o.insert(
            "default_message_notifications".into(),
            Value::from(g.default_message_notifications),
        );
        o.insert(
            "explicit_content_filter".into(),
            Value::from(g.explicit_content_filter),
        );
        o.insert(
            "features".into(),
            Value::Array(g.features.iter().map(|f| Value::from(*f)).collect()),
        );
        o.insert(
            "mfa_level".into(),
            Value::from(u8::from(g.verification_level >= 2)),
        );
        o.insert("application_id".into(), Value::Null);
        o.insert("system_channel_id".into(), opt_id(g.system_channel_id));
        o.insert("system_channel_flags".into(), Value::from(0));
        o.insert("rules_channel_id".into(), opt_id(g.rules_channel_id));
        o.insert("max_members".into(), Value::from(500_000));
        o.insert("max_video_channel_users".into(), Value::from(25));
        o.insert("max_stage_video_channel_users".into(), Value::from(50));
        o.insert("vanity_url_code".into(), Value::Null);
        o.insert("description".into(), opt_str(g.description.as_deref()));
        o.insert("banner".into(), opt_str(g.banner.as_deref()));
        o.insert("premium_tier".into(), Value::from(g.premium_tier));
        o.insert(
            "premium_subscription_count".into(),
            Value::from(g.premium_subscription_count),
        );
        o.insert("preferred_locale".into(), Value::from(g.preferred_locale));
        o.insert(
            "public_updates_channel_id".into(),
            opt_id(g.rules_channel_id),
        );
        o.insert("nsfw_level".into(), Value::from(0));
        o.insert("nsfw".into(), Value::Bool(false));
        o.insert("premium_progress_bar_enabled".into(), Value::Bool(false));
        o.insert("safety_alerts_channel_id".into(), Value::Null);
        o.insert("incidents_data".into(), Value::Null);
        o.insert("hub_type".into(), Value::Null);
        o.insert("latest_onboarding_question_id".into(), Value::Null);
        o.insert("home_header".into(), Value::Null);
        o.insert(
            "emojis".into(),
            Value::Array(g.emojis.iter().map(emoji_json).collect()),
        );
        o.insert("stickers".into(), Value::Array(Vec::new()));
        o.insert(
            "roles".into(),
            Value::Array(g.roles.iter().map(role_json).collect()),
        );
        o.insert(
            "joined_at".into(),
            Value::String(iso_timestamp(g.joined_at_ms)),
        );
        o.insert("large".into(), Value::Bool(large));
        o.insert("unavailable".into(), Value::Bool(false));
        o.insert("lazy".into(), Value::Bool(true));
        o.insert("member_count".into(), Value::from(member_count));
        o.insert(
            "channels".into(),
            Value::Array(g.channels.iter().map(|c| channel_json(c, None)).collect()),
        );
        o.insert("threads".into(), Value::Array(Vec::new()));
        o.insert("stage_instances".into(), Value::Array(Vec::new()));
        o.insert("guild_scheduled_events".into(), Value::Array(Vec::new()));
        o.insert("soundboard_sounds".into(), Value::Array(Vec::new()));
        o.insert("voice_states".into(), Value::Array(voice_states));
        o.insert("members".into(), Value::Array(members));
        o.insert("presences".into(), Value::Array(presence_list));
        Value::Object(o)
    }
}

/// Random client set: at least one platform, `vr` occasionally.
pub(crate) fn random_clients(rng: &mut Rng) -> u8 {
    let mut c = 0;
    if rng.u8(..100) < 60 {
        c |= 1;
    }
    if rng.u8(..100) < 45 {
        c |= 2;
    }
    if rng.u8(..100) < 10 {
        c |= 4;
    }
    if rng.u8(..100) < 3 {
        c |= 8;
    }
    if c == 0 {
        c = 1;
    }
    c
}

/// A snowflake as a JSON string.
pub(crate) fn id(v: u64) -> Value {
    Value::String(v.to_string())
}

pub(crate) fn opt_id(v: Option<u64>) -> Value {
    v.map_or(Value::Null, id)
}

pub(crate) fn opt_str(v: Option<&str>) -> Value {
    v.map_or(Value::Null, |s| Value::String(s.to_owned()))
}

/// `"0"` on the new username system, else the zero-padded legacy tag.
pub(crate) fn discriminator(d: u16) -> String {
    if d == 0 {
        "0".to_owned()
    } else {
        format!("{d:04}")
    }
}

/// A presence `{user:{id}, [guild_id], status, activities, client_status}`.
pub(crate) fn presence_json(
    user_id: u64,
    status: Status,
    clients: u8,
    activities: Value,
    guild_id: Option<u64>,
) -> Value {
    let mut client_status = Map::new();
    if status != Status::Offline {
        // The main platform shows the status; secondary ones are often just online.
        let mut first = true;
        for (bit, key) in [(1, "desktop"), (2, "mobile"), (4, "web"), (8, "vr")] {
            if clients & bit != 0 {
                let s = if first { status } else { Status::Online };
                client_status.insert(key.into(), Value::from(s.as_str()));
                first = false;
            }
        }
    }
    let mut o = Map::new();
    o.insert("user".into(), json!({ "id": user_id.to_string() }));
    if let Some(g) = guild_id {
        o.insert("guild_id".into(), id(g));
    }
    o.insert("status".into(), Value::from(status.as_str()));
    o.insert(
        "activities".into(),
        if status == Status::Offline {
            Value::Array(Vec::new())
        } else {
            activities
        },
    );
    o.insert("client_status".into(), Value::Object(client_status));
    Value::Object(o)
}

/// Activities of a presence at time `now_ms` (§11.4 received fields): none, a game, a
/// Spotify track, a custom status, a stream, or a custom status plus a game.
pub(crate) fn activities_json(rng: &mut Rng, now_ms: u64, user_id: u64) -> Value {
    let mut list = Vec::new();
    let roll = rng.u8(..100);
    let custom = (55..75).contains(&roll) || (95..100).contains(&roll);
    if custom {
        let mut a = Map::new();
        a.insert("id".into(), Value::from("custom"));
        a.insert("name".into(), Value::from("Custom Status"));
        a.insert("type".into(), Value::from(4));
        a.insert("state".into(), Value::from(text::pick(rng, text::STATUSES)));
        a.insert(
            "emoji".into(),
            json!({ "name": text::pick(rng, text::EMOJIS) }),
        );
        a.insert(
            "created_at".into(),
            Value::from(now_ms - rng.u64(0..86_400_000)),
        );
        list.push(Value::Object(a));
    }
    if (40..65).contains(&roll) || roll >= 95 {
        let (game, app) = text::GAMES[rng.usize(..text::GAMES.len())];
        let start = now_ms - rng.u64(60_000..14_400_000);
        let mut a = Map::new();
        a.insert("id".into(), Value::from(format!("{:x}", rng.u64(..))));
        a.insert("name".into(), Value::from(game));
        a.insert("type".into(), Value::from(0));
        a.insert("application_id".into(), id(app));
        a.insert("created_at".into(), Value::from(start + rng.u64(0..1000)));
        a.insert("timestamps".into(), json!({ "start": start }));
        if rng.bool() {
            a.insert(
                "details".into(),
                Value::from(text::pick(
                    rng,
                    &[
                        "In a match",
                        "Ranked",
                        "Main Menu",
                        "Editing main.rs",
                        "Exploring",
                        "Building a base",
                    ],
                )),
            );
            a.insert(
                "state".into(),
                Value::from(format!("{} of {}", rng.u8(1..5), rng.u8(5..11))),
            );
        }
        if rng.u8(..3) == 0 {
            let mut large = String::from("mp:external/");
            text::push_hex(&mut large, rng, 24);
            a.insert(
                "assets".into(),
                json!({ "large_image": large, "large_text": game }),
            );
        }
        list.push(Value::Object(a));
    } else if (75..90).contains(&roll) {
        let artist = text::pick(rng, text::ARTISTS);
        let song = format!(
            "{} {}",
            text::capitalize(text::pick(rng, text::WORDS)),
            text::capitalize(text::pick(rng, text::NOUNS))
        );
        let length = rng.u64(120_000..300_000);
        let start = now_ms - rng.u64(0..length);
        let mut cover = String::from("spotify:ab67616d0000b273");
        text::push_hex(&mut cover, rng, 24);
        let mut sync = String::new();
        text::push_hex(&mut sync, rng, 22);
        let mut a = Map::new();
        a.insert("id".into(), Value::from("spotify:1"));
        a.insert("name".into(), Value::from("Spotify"));
        a.insert("type".into(), Value::from(2));
        a.insert("flags".into(), Value::from(48));
        a.insert("created_at".into(), Value::from(start + rng.u64(0..1000)));
        a.insert(
            "timestamps".into(),
            json!({ "start": start, "end": start + length }),
        );
        a.insert("details".into(), Value::from(song));
        a.insert("state".into(), Value::from(artist));
        a.insert(
            "assets".into(),
            json!({ "large_image": cover, "large_text": format!("{artist} Greatest Hits") }),
        );
        a.insert(
            "party".into(),
            json!({ "id": format!("spotify:{user_id}") }),
        );
        a.insert("sync_id".into(), Value::from(sync));
        a.insert("session_id".into(), Value::from(text::session_id(rng)));
        if rng.u8(..10) == 0 {
            a.insert("status_display_type".into(), Value::from(1));
        }
        list.push(Value::Object(a));
    } else if (90..93).contains(&roll) {
        let (game, _) = text::GAMES[rng.usize(..text::GAMES.len())];
        let name = text::username(rng);
        list.push(json!({
            "id": format!("{:x}", rng.u64(..)),
            "name": "Twitch",
            "type": 1,
            "url": format!("https://www.twitch.tv/{}", name.replace('.', "_")),
            "details": format!("{} {}", text::capitalize(text::pick(rng, text::ADJECTIVES)), game),
            "state": game,
            "created_at": now_ms - rng.u64(60_000..7_200_000),
            "assets": { "large_image": format!("twitch:{}", name.replace('.', "_")) },
        }));
    } else if (93..95).contains(&roll) {
        let kind = if rng.bool() { 3 } else { 5 };
        list.push(json!({
            "id": format!("{:x}", rng.u64(..)),
            "name": if kind == 3 { "YouTube" } else { "Arena" },
            "type": kind,
            "created_at": now_ms - rng.u64(0..3_600_000),
        }));
    }
    Value::Array(list)
}

/// A voice state; inside GUILD_CREATE without `guild_id` and `member`.
pub(crate) fn voice_state_json(
    user_id: u64,
    channel_id: Option<u64>,
    v: &VoiceState,
    guild_id: Option<u64>,
    member: Option<Value>,
) -> Value {
    let mut o = Map::new();
    if let Some(g) = guild_id {
        o.insert("guild_id".into(), id(g));
    }
    o.insert("channel_id".into(), opt_id(channel_id));
    o.insert("user_id".into(), id(user_id));
    if let Some(m) = member {
        o.insert("member".into(), m);
    }
    o.insert("session_id".into(), Value::String(v.session_id.clone()));
    o.insert("deaf".into(), Value::Bool(false));
    o.insert("mute".into(), Value::Bool(false));
    o.insert("self_deaf".into(), Value::Bool(v.self_deaf));
    o.insert("self_mute".into(), Value::Bool(v.self_mute));
    if v.self_stream {
        o.insert("self_stream".into(), Value::Bool(true));
    }
    o.insert("self_video".into(), Value::Bool(v.self_video));
    o.insert("suppress".into(), Value::Bool(false));
    o.insert("request_to_speak_timestamp".into(), Value::Null);
    Value::Object(o)
}

fn role_json(r: &Role) -> Value {
    let mut o = Map::new();
    o.insert("id".into(), id(r.id));
    o.insert("name".into(), Value::String(r.name.clone()));
    o.insert("color".into(), Value::from(r.color));
    o.insert(
        "colors".into(),
        json!({ "primary_color": r.color, "secondary_color": null, "tertiary_color": null }),
    );
    o.insert("hoist".into(), Value::Bool(r.hoist));
    o.insert("icon".into(), Value::Null);
    o.insert("unicode_emoji".into(), Value::Null);
    o.insert("position".into(), Value::from(r.position));
    o.insert("permissions".into(), Value::from(r.permissions));
    o.insert("managed".into(), Value::Bool(r.managed));
    o.insert("mentionable".into(), Value::Bool(r.mentionable));
    o.insert("flags".into(), Value::from(0));
    if let Some(bot) = r.bot_id {
        o.insert("tags".into(), json!({ "bot_id": bot.to_string() }));
    }
    Value::Object(o)
}

fn emoji_json(e: &Emoji) -> Value {
    json!({
        "id": e.id.to_string(),
        "name": e.name,
        "roles": [],
        "require_colons": true,
        "managed": false,
        "animated": e.animated,
        "available": true,
    })
}

/// A channel object; `guild_id` is left out when `None` (as inside GUILD_CREATE).
pub(crate) fn channel_json(c: &Channel, guild_id: Option<u64>) -> Value {
    let mut o = Map::new();
    o.insert("id".into(), id(c.id));
    o.insert("type".into(), Value::from(c.kind as u8));
    if let Some(g) = guild_id {
        o.insert("guild_id".into(), id(g));
    }
    o.insert("name".into(), Value::String(c.name.clone()));
    o.insert("position".into(), Value::from(c.position));
    o.insert("parent_id".into(), opt_id(c.parent_id));
    let overwrites = match c.overwrite_role {
        Some(role) => json!([{ "id": role.to_string(), "type": 0, "allow": "0", "deny": "2048" }]),
        None => Value::Array(Vec::new()),
    };
    o.insert("permission_overwrites".into(), overwrites);
    o.insert("flags".into(), Value::from(0));
    match c.kind {
        ChannelKind::Text | ChannelKind::Announcement => {
            o.insert("topic".into(), opt_str(c.topic.as_deref()));
            o.insert("nsfw".into(), Value::Bool(c.nsfw));
            o.insert("last_message_id".into(), Value::Null);
            o.insert(
                "rate_limit_per_user".into(),
                Value::from(c.rate_limit_per_user),
            );
        }
        ChannelKind::Voice => {
            o.insert("bitrate".into(), Value::from(c.bitrate));
            o.insert("user_limit".into(), Value::from(c.user_limit));
            o.insert("rtc_region".into(), Value::Null);
            o.insert("nsfw".into(), Value::Bool(false));
            o.insert("rate_limit_per_user".into(), Value::from(0));
            o.insert("last_message_id".into(), Value::Null);
        }
        ChannelKind::Category => {}
    }
    Value::Object(o)
}
