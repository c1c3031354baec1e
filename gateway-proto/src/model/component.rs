//! Message components: buttons, selects, text inputs and the layout components (sections,
//! containers, galleries, …) that nest them.
//!
//! Discord's component tree is open-ended: each `type` has its own keys and new types keep
//! arriving. Rather than one struct per type, [`Component`] is one flat struct holding the
//! keys of the documented types, every one optional, with children in `components`,
//! `accessory` (sections) and `component` (labels). Keys outside that list are dropped; a bot
//! that needs them reads the message with [`crate::Dispatch::deserialize`] into its own type.

use super::{common, Emoji};
use crate::id::Id;
use serde::{Deserialize, Serialize};

int_enum! {
    /// A component's `type`.
    pub enum ComponentType: u8 {
        /// 1: a row of buttons or one select.
        ActionRow = 1,
        /// 2: a button.
        Button = 2,
        /// 3: a select of text options.
        StringSelect = 3,
        /// 4: a text input (modals).
        TextInput = 4,
        /// 5: a user select.
        UserSelect = 5,
        /// 6: a role select.
        RoleSelect = 6,
        /// 7: a user and role select.
        MentionableSelect = 7,
        /// 8: a channel select.
        ChannelSelect = 8,
        /// 9: a section: text with an accessory.
        Section = 9,
        /// 10: markdown text.
        TextDisplay = 10,
        /// 11: a thumbnail.
        Thumbnail = 11,
        /// 12: a media gallery.
        MediaGallery = 12,
        /// 13: a file.
        File = 13,
        /// 14: a separator.
        Separator = 14,
        /// 17: a container.
        Container = 17,
        /// 18: a label around a modal component.
        Label = 18,
    }
}

/// One component of any type; see the module documentation for what is kept.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Component {
    /// The component type.
    #[serde(rename = "type")]
    pub kind: ComponentType,
    /// Identifier within the message (`id?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<i32>,
    /// Developer-defined id of interactive components (`custom_id?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_id: Option<String>,
    /// Button or text input style (`style?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub style: Option<u8>,
    /// Button or label text (`label?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Button emoji (`emoji?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emoji: Option<Emoji>,
    /// Link button URL (`url?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Premium button SKU (`sku_id?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku_id: Option<Id>,
    /// Disabled (`disabled?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disabled: Option<bool>,
    /// String select options (`options?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<Vec<SelectOption>>,
    /// Channel select filter (`channel_types?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel_types: Option<Vec<u8>>,
    /// Placeholder text (`placeholder?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placeholder: Option<String>,
    /// Preselected users, roles or channels (`default_values?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_values: Option<Vec<SelectDefaultValue>>,
    /// Minimum choices (`min_values?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_values: Option<u32>,
    /// Maximum choices (`max_values?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_values: Option<u32>,
    /// Text input minimum length (`min_length?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_length: Option<u32>,
    /// Text input maximum length (`max_length?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u32>,
    /// Input required (`required?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required: Option<bool>,
    /// Text input value (`value?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// Text display markdown (`content?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// Thumbnail or gallery item description (`description?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Thumbnail media (`media?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media: Option<UnfurledMedia>,
    /// File component's file (`file?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<UnfurledMedia>,
    /// Gallery items (`items?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items: Option<Vec<MediaGalleryItem>>,
    /// Blurred (`spoiler?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spoiler: Option<bool>,
    /// Separator shows a line (`divider?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub divider: Option<bool>,
    /// Separator size (`spacing?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spacing: Option<u8>,
    /// Container side colour (`accent_color?`, nullable).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accent_color: Option<u32>,
    /// Children of rows, sections and containers (`components?`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub components: Vec<Component>,
    /// A section's button or thumbnail (`accessory?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accessory: Option<Box<Component>>,
    /// A label's wrapped component (`component?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub component: Option<Box<Component>>,
}

/// An option of a string select.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SelectOption {
    /// Shown text.
    pub label: String,
    /// Value sent back.
    pub value: String,
    /// Extra text (`description?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Emoji (`emoji?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emoji: Option<Emoji>,
    /// Preselected (`default?`).
    #[serde(default, skip_serializing_if = "common::is_false")]
    pub default: bool,
}

/// A preselected value of an auto-populated select.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SelectDefaultValue {
    /// The user, role or channel.
    pub id: Id,
    /// `user`, `role` or `channel`.
    #[serde(rename = "type")]
    pub kind: String,
}

/// Media of a thumbnail, gallery item or file component.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnfurledMedia {
    /// URL, or `attachment://name`.
    pub url: String,
    /// Proxied URL (`proxy_url?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxy_url: Option<String>,
    /// Height (`height?`, nullable).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
    /// Width (`width?`, nullable).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    /// MIME type (`content_type?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
}

/// An item of a media gallery.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaGalleryItem {
    /// The media.
    pub media: UnfurledMedia,
    /// Alt text (`description?`, nullable).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Blurred (`spoiler?`).
    #[serde(default, skip_serializing_if = "common::is_false")]
    pub spoiler: bool,
}
