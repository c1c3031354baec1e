//! Moderation (GUILD_MODERATION and AUTO_MODERATION_*, protocol.md §10, §12): audit log
//! entries and auto-moderation rules and executions. The ban events carry only
//! `{guild_id, user}` ([`super::GuildUser`]).

use crate::id::Id;
use serde::{Deserialize, Serialize};

/// GUILD_AUDIT_LOG_ENTRY_CREATE (protocol.md §12): an audit log entry plus `guild_id`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditLogEntry {
    /// The entry's id.
    pub id: Id,
    /// The guild (gateway extra).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guild_id: Option<Id>,
    /// The affected entity (nullable; not always a snowflake, so kept as text).
    #[serde(default)]
    pub target_id: Option<String>,
    /// Who acted (nullable).
    #[serde(default)]
    pub user_id: Option<Id>,
    /// The audit log event number (1 guild update, 20 member kick, 22 member ban, …):
    /// the list is long and grows, so it stays a number.
    pub action_type: u16,
    /// What changed (`changes?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changes: Option<Vec<AuditLogChange>>,
    /// Extra information for some action types (`options?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<AuditLogOptions>,
    /// The reason given (`reason?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// One changed key of an audit log entry. The values take the type of whatever object the
/// key belongs to, so they stay JSON values.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditLogChange {
    /// The changed key (`$add` / `$remove` for role lists).
    pub key: String,
    /// The value after (`new_value?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_value: Option<serde_json::Value>,
    /// The value before (`old_value?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old_value: Option<serde_json::Value>,
}

/// An audit log entry's extra information; which keys appear depends on the action type.
/// Discord writes the counts as strings; they are kept as sent.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditLogOptions {
    /// Application whose command permissions changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_id: Option<Id>,
    /// Auto-moderation rule name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_moderation_rule_name: Option<String>,
    /// Auto-moderation trigger type, as a string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_moderation_rule_trigger_type: Option<String>,
    /// Channel concerned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel_id: Option<Id>,
    /// Number of entities (string).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<String>,
    /// Days of inactivity of a prune (string).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delete_member_days: Option<String>,
    /// Overwritten entity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Id>,
    /// Members removed by a prune (string).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub members_removed: Option<String>,
    /// Message concerned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<Id>,
    /// Overwritten role's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_name: Option<String>,
    /// Overwrite type, `"0"` role or `"1"` member.
    #[serde(default, skip_serializing_if = "Option::is_none", rename = "type")]
    pub kind: Option<String>,
    /// Integration type of a kicked or unbanned member.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub integration_type: Option<String>,
}

int_enum! {
    /// When an auto-moderation rule is checked (`event_type`).
    pub enum AutoModerationEventType: u8 {
        /// 1: a member sends or edits a message.
        MessageSend = 1,
        /// 2: a member edits their profile.
        MemberUpdate = 2,
    }
}

int_enum! {
    /// What an auto-moderation rule looks for (`trigger_type`).
    pub enum AutoModerationTriggerType: u8 {
        /// 1: words from a list.
        Keyword = 1,
        /// 3: generic spam.
        Spam = 3,
        /// 4: words from preset lists.
        KeywordPreset = 4,
        /// 5: too many mentions.
        MentionSpam = 5,
        /// 6: words in member profiles.
        MemberProfile = 6,
    }
}

int_enum! {
    /// What an auto-moderation rule does (`type` of an action).
    pub enum AutoModerationActionType: u8 {
        /// 1: block the message.
        BlockMessage = 1,
        /// 2: alert a channel.
        SendAlertMessage = 2,
        /// 3: time the member out.
        Timeout = 3,
        /// 4: block the member's interactions.
        BlockMemberInteraction = 4,
    }
}

/// AUTO_MODERATION_RULE_CREATE / _UPDATE / _DELETE (protocol.md §12): a rule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AutoModerationRule {
    /// The rule's id.
    pub id: Id,
    /// The guild.
    pub guild_id: Id,
    /// Name.
    pub name: String,
    /// Who created it.
    pub creator_id: Id,
    /// When it is checked.
    pub event_type: AutoModerationEventType,
    /// What it looks for.
    pub trigger_type: AutoModerationTriggerType,
    /// Trigger parameters.
    #[serde(default)]
    pub trigger_metadata: TriggerMetadata,
    /// What it does.
    pub actions: Vec<AutoModerationAction>,
    /// Enabled.
    pub enabled: bool,
    /// Roles it ignores.
    #[serde(default)]
    pub exempt_roles: Vec<Id>,
    /// Channels it ignores.
    #[serde(default)]
    pub exempt_channels: Vec<Id>,
}

/// An auto-moderation rule's trigger parameters; which appear depends on the trigger type.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TriggerMetadata {
    /// Words to match (keyword, member profile).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keyword_filter: Option<Vec<String>>,
    /// Rust-flavoured regular expressions (keyword, member profile).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regex_patterns: Option<Vec<String>>,
    /// Preset lists, 1 profanity, 2 sexual content, 3 slurs (keyword preset).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub presets: Option<Vec<u8>>,
    /// Exempted words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_list: Option<Vec<String>>,
    /// Mentions allowed per message (mention spam).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mention_total_limit: Option<u32>,
    /// Mention raid detection (mention spam).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mention_raid_protection_enabled: Option<bool>,
}

/// One action of an auto-moderation rule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AutoModerationAction {
    /// The action type.
    #[serde(rename = "type")]
    pub kind: AutoModerationActionType,
    /// Its parameters (`metadata?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<ActionMetadata>,
}

/// An auto-moderation action's parameters.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionMetadata {
    /// Alert channel (send alert message).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel_id: Option<Id>,
    /// Timeout length (timeout).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_seconds: Option<u32>,
    /// Message shown to the member (block message).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_message: Option<String>,
}

/// AUTO_MODERATION_ACTION_EXECUTION (protocol.md §12). `content` and `matched_content` are
/// empty without MESSAGE_CONTENT (protocol.md §10).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AutoModerationActionExecution {
    /// The guild.
    pub guild_id: Id,
    /// The action taken.
    pub action: AutoModerationAction,
    /// The rule that fired.
    pub rule_id: Id,
    /// Its trigger type.
    pub rule_trigger_type: AutoModerationTriggerType,
    /// The member who triggered it.
    pub user_id: Id,
    /// The channel (`channel_id?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel_id: Option<Id>,
    /// The message, unless it was blocked (`message_id?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<Id>,
    /// The alert message (`alert_system_message_id?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alert_system_message_id: Option<Id>,
    /// The content that triggered it.
    #[serde(default)]
    pub content: String,
    /// The keyword or pattern matched (nullable).
    #[serde(default)]
    pub matched_keyword: Option<String>,
    /// The matched text (nullable).
    #[serde(default)]
    pub matched_content: Option<String>,
}
