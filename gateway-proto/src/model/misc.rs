//! Integrations, invites, webhooks and scheduled events (protocol.md §12): INTEGRATION_*,
//! GUILD_INTEGRATIONS_UPDATE's neighbours, INVITE_CREATE / _DELETE, WEBHOOKS_UPDATE and
//! GUILD_SCHEDULED_EVENT_*.

use super::{Timestamp, User};
use crate::id::Id;
use serde::{Deserialize, Serialize};

/// A partial application: READY's `{id, flags}` (protocol.md §4.2), an invite's target, an
/// integration's bot application.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartialApplication {
    /// The application's id.
    pub id: Id,
    /// Application flag bits (READY: the GATEWAY_* intent flags, protocol.md §10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flags: Option<u64>,
    /// Name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Icon hash (nullable).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon: Option<String>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The application's bot user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bot: Option<User>,
}

/// INTEGRATION_CREATE and INTEGRATION_UPDATE (protocol.md §12): an integration (without
/// `user`) plus `guild_id`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Integration {
    /// The integration's id.
    pub id: Id,
    /// The guild (gateway extra).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guild_id: Option<Id>,
    /// Name.
    pub name: String,
    /// `twitch`, `youtube`, `discord` or `guild_subscription`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Enabled.
    #[serde(default)]
    pub enabled: bool,
    /// Syncing (`syncing?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub syncing: Option<bool>,
    /// Role for subscribers (`role_id?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_id: Option<Id>,
    /// Twitch emoticons synced (`enable_emoticons?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_emoticons: Option<bool>,
    /// 0 remove role, 1 kick, on expiry (`expire_behavior?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expire_behavior: Option<u8>,
    /// Grace period in days (`expire_grace_period?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expire_grace_period: Option<u32>,
    /// The external account.
    pub account: IntegrationAccount,
    /// Last sync (`synced_at?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub synced_at: Option<Timestamp>,
    /// Subscribers (`subscriber_count?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscriber_count: Option<u32>,
    /// Revoked (`revoked?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked: Option<bool>,
    /// The bot application (`application?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application: Option<PartialApplication>,
    /// OAuth2 scopes granted (`scopes?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes: Option<Vec<String>>,
}

/// An integration's external account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntegrationAccount {
    /// The account's id (not a snowflake: the provider's id).
    pub id: String,
    /// Its name.
    pub name: String,
}

/// INTEGRATION_DELETE (protocol.md §12): `{id, guild_id, application_id?}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntegrationDelete {
    /// The integration.
    pub id: Id,
    /// The guild.
    pub guild_id: Id,
    /// Its bot application (`application_id?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_id: Option<Id>,
}

/// WEBHOOKS_UPDATE (protocol.md §12): `{guild_id, channel_id}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhooksUpdate {
    /// The guild.
    pub guild_id: Id,
    /// The channel whose webhooks changed.
    pub channel_id: Id,
}

/// INVITE_CREATE (protocol.md §12).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteCreate {
    /// The channel invited to.
    pub channel_id: Id,
    /// The invite code.
    pub code: String,
    /// When it was created.
    pub created_at: Timestamp,
    /// The guild (`guild_id?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guild_id: Option<Id>,
    /// Who created it (`inviter?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inviter: Option<User>,
    /// Lifetime in seconds, 0 for forever.
    pub max_age: u32,
    /// Maximum uses, 0 for unlimited.
    pub max_uses: u32,
    /// 1 stream, 2 embedded application (`target_type?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_type: Option<u8>,
    /// Whose stream (`target_user?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_user: Option<User>,
    /// Which embedded application (`target_application?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_application: Option<PartialApplication>,
    /// Grants temporary membership.
    #[serde(default)]
    pub temporary: bool,
    /// Times used (always 0 here).
    #[serde(default)]
    pub uses: u32,
    /// When it expires (nullable: never).
    #[serde(default)]
    pub expires_at: Option<Timestamp>,
    /// Roles granted on join (`role_ids?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_ids: Option<Vec<Id>>,
}

/// INVITE_DELETE (protocol.md §12): `{channel_id, guild_id?, code}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteDelete {
    /// The channel.
    pub channel_id: Id,
    /// The guild (`guild_id?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guild_id: Option<Id>,
    /// The invite code.
    pub code: String,
}

int_enum! {
    /// A scheduled event's `status`.
    pub enum ScheduledEventStatus: u8 {
        /// 1: scheduled.
        Scheduled = 1,
        /// 2: happening now.
        Active = 2,
        /// 3: over.
        Completed = 3,
        /// 4: canceled.
        Canceled = 4,
    }
}

int_enum! {
    /// Where a scheduled event happens (`entity_type`).
    pub enum ScheduledEventEntityType: u8 {
        /// 1: a stage channel.
        StageInstance = 1,
        /// 2: a voice channel.
        Voice = 2,
        /// 3: elsewhere (`entity_metadata.location`).
        External = 3,
    }
}

/// GUILD_SCHEDULED_EVENT_CREATE / _UPDATE / _DELETE (protocol.md §12): a scheduled event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduledEvent {
    /// The event's id.
    pub id: Id,
    /// The guild.
    pub guild_id: Id,
    /// Its stage or voice channel (nullable for external events).
    #[serde(default)]
    pub channel_id: Option<Id>,
    /// Who created it (`creator_id?`, nullable; missing for events before 2021-10-25).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creator_id: Option<Id>,
    /// Name.
    pub name: String,
    /// Description (`description?`, nullable).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Start.
    pub scheduled_start_time: Timestamp,
    /// End (nullable; required for external events).
    #[serde(default)]
    pub scheduled_end_time: Option<Timestamp>,
    /// Privacy level (2 guild-only).
    pub privacy_level: u8,
    /// Status.
    pub status: ScheduledEventStatus,
    /// Where it happens.
    pub entity_type: ScheduledEventEntityType,
    /// The entity (nullable).
    #[serde(default)]
    pub entity_id: Option<Id>,
    /// External location (nullable).
    #[serde(default)]
    pub entity_metadata: Option<ScheduledEventMetadata>,
    /// The creator (`creator?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creator: Option<User>,
    /// Subscribed users (`user_count?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_count: Option<u32>,
    /// Cover image hash (`image?`, nullable).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// Recurrence rule (nullable), kept as JSON: a calendar rule with many optional parts.
    #[serde(default)]
    pub recurrence_rule: Option<serde_json::Value>,
}

/// Where an external scheduled event happens.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduledEventMetadata {
    /// The location (`location?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
}

/// GUILD_SCHEDULED_EVENT_USER_ADD and _USER_REMOVE (protocol.md §12).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduledEventUser {
    /// The event.
    pub guild_scheduled_event_id: Id,
    /// The user who subscribed or unsubscribed.
    pub user_id: Id,
    /// The guild.
    pub guild_id: Id,
}
