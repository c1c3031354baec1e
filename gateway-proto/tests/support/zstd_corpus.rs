//! A realistic zstd-stream connection for tests, the zstd bench and the memory example:
//! gateway payloads shaped like Discord's (READY, GUILD_CREATE with hundreds of members,
//! MESSAGE_CREATE, PRESENCE_UPDATE, TYPING_START, reactions, member updates) from a seeded
//! generator, and a server that compresses them the way Discord does (protocol.md §9.2): one
//! compression context per connection, window log 18, `ZSTD_e_flush` after every message and
//! never `ZSTD_e_end`, so the whole connection is one endless zstd frame.
//!
//! Included with `#[path]` by the targets that use it; the peer writes JSON by hand, never
//! through gateway-proto's serializer.
#![allow(dead_code)]

use std::fmt::Write as _;
use zstd::zstd_safe::{CCtx, CParameter, InBuffer, OutBuffer};

/// Discord's zstd-stream window: 2^18 = 256 KiB (window descriptor `0x40`).
pub const WINDOW_LOG: u32 = 18;

/// The server side of one zstd-stream connection.
pub struct ZstdServer {
    cctx: CCtx<'static>,
}

impl ZstdServer {
    /// A fresh context at `level` with Discord's window.
    pub fn new(level: i32) -> Self {
        let mut cctx = CCtx::create();
        cctx.set_parameter(CParameter::CompressionLevel(level))
            .expect("valid level");
        cctx.set_parameter(CParameter::WindowLog(WINDOW_LOG))
            .expect("valid window log");
        // Discord's frame header has no checksum and no content size (descriptor 0x00).
        cctx.set_parameter(CParameter::ChecksumFlag(false))
            .expect("checksum flag");
        cctx.set_parameter(CParameter::ContentSizeFlag(false))
            .expect("content size flag");
        Self { cctx }
    }

    /// Compresses one gateway message and flushes it: the bytes of one websocket message.
    pub fn message(&mut self, payload: &[u8]) -> Vec<u8> {
        let mut wire = Vec::with_capacity(payload.len() / 4 + 64);
        let mut chunk = vec![0u8; 64 * 1024];
        let mut input = InBuffer::around(payload);
        loop {
            let mut output = OutBuffer::around(&mut chunk[..]);
            let remaining = self
                .cctx
                .compress_stream2(
                    &mut output,
                    &mut input,
                    zstd::zstd_safe::zstd_sys::ZSTD_EndDirective::ZSTD_e_flush,
                )
                .expect("compression succeeds");
            let written = output.pos();
            wire.extend_from_slice(&chunk[..written]);
            if remaining == 0 && input.pos == payload.len() {
                return wire;
            }
        }
    }
}

/// A seeded xorshift generator: the corpus must not change with a dependency's version.
pub struct Gen(u64);

impl Gen {
    pub fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }

    /// A snowflake near the 2021–2026 range, as a JSON string.
    pub fn snowflake(&mut self) -> u64 {
        800_000_000_000_000_000 + self.below(700_000_000_000_000_000)
    }

    pub fn hash(&mut self) -> String {
        format!("{:016x}{:016x}", self.next(), self.next())
    }

    pub fn timestamp(&mut self) -> String {
        format!(
            "2026-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}000+00:00",
            1 + self.below(12),
            1 + self.below(28),
            self.below(24),
            self.below(60),
            self.below(60),
            self.below(1000)
        )
    }

    pub fn sentence(&mut self, words: u64) -> String {
        const WORDS: &[&str] = &[
            "the", "bot", "server", "raid", "tonight", "anyone", "up", "for", "a", "game", "lol",
            "ok", "thanks", "please", "check", "pinned", "message", "voice", "channel", "new",
            "update", "patch", "notes", "gg", "wp", "brb", "link", "here", "meeting", "at", "8pm",
            "can", "you", "help", "me", "with", "this", "error", "when", "I", "run", "it",
        ];
        let count = 1 + self.below(words);
        let mut text = String::new();
        for i in 0..count {
            if i > 0 {
                text.push(' ');
            }
            text.push_str(self.pick(WORDS));
        }
        text
    }
}

/// A guild's fixed data, so events refer to real members and channels.
pub struct Guild {
    pub id: u64,
    pub channels: Vec<u64>,
    pub roles: Vec<u64>,
    pub members: Vec<(u64, String)>,
}

/// A user object as Discord prints it.
fn user(g: &mut Gen, id: u64, name: &str) -> String {
    let avatar = if g.chance(70) {
        format!("\"{}\"", g.hash())
    } else {
        "null".to_owned()
    };
    format!(
        r#"{{"id":"{id}","username":"{name}","global_name":"{name}","avatar":{avatar},"discriminator":"0","public_flags":{},"avatar_decoration_data":null,"primary_guild":null,"collectibles":null,"display_name_styles":null,"clan":null}}"#,
        g.below(4) * 64
    )
}

fn member(g: &mut Gen, guild: &Guild, index: usize) -> String {
    let (id, name) = &guild.members[index];
    let role = guild.roles[g.below(guild.roles.len() as u64) as usize];
    let user = user(g, *id, name);
    format!(
        r#"{{"user":{user},"roles":["{role}"],"premium_since":null,"pending":false,"nick":null,"mute":false,"joined_at":"{}","flags":0,"deaf":false,"communication_disabled_until":null,"banner":null,"avatar":null}}"#,
        g.timestamp()
    )
}

fn presence(g: &mut Gen, guild: &Guild, index: usize) -> String {
    let (id, _) = &guild.members[index];
    let status = g.pick(&["online", "idle", "dnd"]);
    let activities = if g.chance(50) {
        format!(
            r#"[{{"type":0,"name":"{}","id":"{:x}","created_at":{},"timestamps":{{"start":{}}},"application_id":"{}"}}]"#,
            g.pick(&[
                "Minecraft",
                "Visual Studio Code",
                "Spotify",
                "League of Legends"
            ]),
            g.next() & 0xffff_ffff,
            1_780_000_000_000 + g.below(10_000_000),
            1_780_000_000_000 + g.below(10_000_000),
            g.snowflake()
        )
    } else {
        "[]".to_owned()
    };
    format!(
        r#"{{"user":{{"id":"{id}"}},"status":"{status}","client_status":{{"desktop":"{status}"}},"broadcast":null,"activities":{activities},"guild_id":"{}"}}"#,
        guild.id
    )
}

/// A seeded world of guilds and the stream of gateway messages one shard receives.
pub struct Corpus {
    gen: Gen,
    guilds: Vec<Guild>,
    seq: u64,
}

impl Corpus {
    /// `guilds` guilds of `members` members each.
    pub fn new(seed: u64, guilds: usize, members: usize) -> Self {
        let mut gen = Gen::new(seed);
        let guilds = (0..guilds)
            .map(|_| Guild {
                id: gen.snowflake(),
                channels: (0..20).map(|_| gen.snowflake()).collect(),
                roles: (0..8).map(|_| gen.snowflake()).collect(),
                members: (0..members)
                    .map(|i| {
                        (
                            gen.snowflake(),
                            format!("user_{i}_{:x}", gen.next() & 0xfff),
                        )
                    })
                    .collect(),
            })
            .collect();
        Self {
            gen,
            guilds,
            seq: 0,
        }
    }

    fn envelope(&mut self, t: &str, d: &str) -> Vec<u8> {
        self.seq += 1;
        format!(r#"{{"t":"{t}","s":{},"op":0,"d":{d}}}"#, self.seq).into_bytes()
    }

    pub fn hello(&self) -> Vec<u8> {
        br#"{"t":null,"s":null,"op":10,"d":{"heartbeat_interval":41250,"_trace":["[\"gateway-prd-us-east1-b-x1y2\",{\"micros\":0.0}]"]}}"#.to_vec()
    }

    pub fn ready(&mut self) -> Vec<u8> {
        let guilds: Vec<String> = self
            .guilds
            .iter()
            .map(|g| format!(r#"{{"id":"{}","unavailable":true}}"#, g.id))
            .collect();
        let d = format!(
            r#"{{"v":10,"user":{{"id":"1194566300643491842","username":"simbot","discriminator":"4821","global_name":null,"avatar":null,"bot":true,"verified":true,"mfa_enabled":false,"flags":0,"email":null}},"guilds":[{}],"session_id":"9f1c2e7a4b8d4c0f8e3a6b5d2c1f0e97","resume_gateway_url":"wss://gateway-us-east1-b.discord.gg","shard":[0,1],"application":{{"id":"1194566300643491842","flags":565248}},"_trace":["[\"gateway-prd-us-east1-b-x1y2\",{{\"micros\":18244}}]"]}}"#,
            guilds.join(",")
        );
        self.envelope("READY", &d)
    }

    /// GUILD_CREATE of guild `index`, with every member and the online members' presences.
    pub fn guild_create(&mut self, index: usize) -> Vec<u8> {
        let g = &mut self.gen;
        let guild = &self.guilds[index];
        let mut d = String::with_capacity(guild.members.len() * 600);
        write!(
            d,
            r#"{{"id":"{}","name":"Guild {index}","icon":"{}","splash":null,"discovery_splash":null,"owner_id":"{}","afk_channel_id":null,"afk_timeout":300,"verification_level":1,"default_message_notifications":1,"explicit_content_filter":2,"features":["COMMUNITY","NEWS"],"mfa_level":0,"application_id":null,"system_channel_id":"{}","system_channel_flags":0,"rules_channel_id":null,"max_members":500000,"vanity_url_code":null,"description":null,"banner":null,"premium_tier":1,"premium_subscription_count":4,"preferred_locale":"en-US","public_updates_channel_id":null,"nsfw_level":0,"premium_progress_bar_enabled":false,"safety_alerts_channel_id":null,"incidents_data":null,"emojis":[],"stickers":[],"joined_at":"{}","large":true,"unavailable":false,"member_count":{},"voice_states":[],"threads":[],"stage_instances":[],"guild_scheduled_events":[],"soundboard_sounds":[],"roles":["#,
            guild.id,
            g.hash(),
            guild.members[0].0,
            guild.channels[0],
            g.timestamp(),
            guild.members.len()
        )
        .expect("writing to a String");
        for (i, role) in guild.roles.iter().enumerate() {
            if i > 0 {
                d.push(',');
            }
            write!(d, r#"{{"id":"{role}","name":"role {i}","color":{},"colors":{{"primary_color":0,"secondary_color":null,"tertiary_color":null}},"hoist":false,"icon":null,"unicode_emoji":null,"position":{i},"permissions":"{}","managed":false,"mentionable":false,"flags":0}}"#, g.below(0xffffff), g.next() >> 13).expect("writing to a String");
        }
        d.push_str(r#"],"channels":["#);
        for (i, channel) in guild.channels.iter().enumerate() {
            if i > 0 {
                d.push(',');
            }
            write!(d, r#"{{"id":"{channel}","type":0,"name":"channel-{i}","position":{i},"parent_id":null,"topic":null,"nsfw":false,"last_message_id":"{}","rate_limit_per_user":0,"permission_overwrites":[],"flags":0}}"#, g.snowflake()).expect("writing to a String");
        }
        d.push_str(r#"],"members":["#);
        for i in 0..guild.members.len() {
            if i > 0 {
                d.push(',');
            }
            d.push_str(&member(g, guild, i));
        }
        d.push_str(r#"],"presences":["#);
        let mut first = true;
        for i in 0..guild.members.len() {
            if g.chance(40) {
                if !first {
                    d.push(',');
                }
                first = false;
                d.push_str(&presence(g, guild, i));
            }
        }
        d.push_str("]}");
        self.envelope("GUILD_CREATE", &d)
    }

    /// One event of ordinary traffic: messages, presences, typing, reactions, member updates.
    pub fn event(&mut self) -> Vec<u8> {
        let g = &mut self.gen;
        let guild = &self.guilds[g.below(self.guilds.len() as u64) as usize];
        let index = g.below(guild.members.len() as u64) as usize;
        let (id, name) = &guild.members[index];
        let channel = guild.channels[g.below(guild.channels.len() as u64) as usize];
        let (t, d) = match g.below(100) {
            0..=34 => {
                let author = user(g, *id, name);
                let member = member(g, guild, index);
                let content = g.sentence(30);
                let d = format!(
                    r#"{{"type":0,"tts":false,"timestamp":"{}","pinned":false,"nonce":"{}","mentions":[],"mention_roles":[],"mention_everyone":false,"member":{member},"id":"{}","flags":0,"embeds":[],"edited_timestamp":null,"content":"{content}","components":[],"channel_type":0,"channel_id":"{channel}","author":{author},"attachments":[],"guild_id":"{}"}}"#,
                    g.timestamp(),
                    g.snowflake(),
                    g.snowflake(),
                    guild.id
                );
                ("MESSAGE_CREATE", d)
            }
            35..=69 => ("PRESENCE_UPDATE", presence(g, guild, index)),
            70..=84 => (
                "TYPING_START",
                format!(
                    r#"{{"user_id":"{id}","timestamp":{},"member":{},"channel_id":"{channel}","guild_id":"{}"}}"#,
                    1_780_000_000 + g.below(10_000_000),
                    member(g, guild, index),
                    guild.id
                ),
            ),
            85..=94 => (
                "MESSAGE_REACTION_ADD",
                format!(
                    r#"{{"user_id":"{id}","type":0,"message_id":"{}","message_author_id":"{}","member":{},"emoji":{{"name":"{}","id":null}},"channel_id":"{channel}","burst":false,"guild_id":"{}"}}"#,
                    g.snowflake(),
                    g.snowflake(),
                    member(g, guild, index),
                    g.pick(&["👍", "😂", "🎉", "❤️"]),
                    guild.id
                ),
            ),
            _ => {
                let mut d = member(g, guild, index);
                d.pop();
                write!(d, r#","guild_id":"{}"}}"#, guild.id).expect("writing to a String");
                ("GUILD_MEMBER_UPDATE", d)
            }
        };
        self.envelope(t, &d)
    }

    /// A whole connection: Hello, READY, every GUILD_CREATE, then `events` events with a
    /// heartbeat ACK every 50.
    pub fn connection(&mut self, events: usize) -> Vec<Vec<u8>> {
        let mut messages = vec![self.hello(), self.ready()];
        for i in 0..self.guilds.len() {
            messages.push(self.guild_create(i));
        }
        for i in 0..events {
            if i % 50 == 49 {
                messages.push(br#"{"t":null,"s":null,"op":11,"d":null}"#.to_vec());
            }
            messages.push(self.event());
        }
        messages
    }
}

/// The standard stream of the bench and the memory example: 4 guilds of 500 members, then
/// 3,000 events, compressed at `level` (3 is zstd's default).
pub fn standard_stream(level: i32) -> (Vec<Vec<u8>>, Vec<Vec<u8>>) {
    let messages = Corpus::new(0x5eed, 4, 500).connection(3000);
    let mut server = ZstdServer::new(level);
    let wire = messages.iter().map(|m| server.message(m)).collect();
    (messages, wire)
}
