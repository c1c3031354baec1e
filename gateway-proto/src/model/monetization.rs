//! Monetization (protocol.md §12 "Apps, moderation, monetization"): ENTITLEMENT_* and
//! SUBSCRIPTION_*, sent to shard 0 only (protocol.md §8).

use super::Timestamp;
use crate::id::Id;
use serde::{Deserialize, Serialize};

int_enum! {
    /// How an entitlement was obtained (`type`).
    pub enum EntitlementType: u8 {
        /// 1: bought by the user.
        Purchase = 1,
        /// 2: a Nitro subscription.
        PremiumSubscription = 2,
        /// 3: gifted by the developer.
        DeveloperGift = 3,
        /// 4: a test-mode purchase.
        TestModePurchase = 4,
        /// 5: granted free.
        FreePurchase = 5,
        /// 6: gifted by another user.
        UserGift = 6,
        /// 7: claimed with Nitro.
        PremiumPurchase = 7,
        /// 8: an app subscription.
        ApplicationSubscription = 8,
    }
}

/// ENTITLEMENT_CREATE / _UPDATE / _DELETE (protocol.md §12): access to a premium SKU.
/// Since 2024-10-01 UPDATE fires for subscriptions only when they end (`ends_at` set).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entitlement {
    /// The entitlement's id.
    pub id: Id,
    /// The SKU.
    pub sku_id: Id,
    /// The application.
    pub application_id: Id,
    /// The user it was granted to (`user_id?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<Id>,
    /// How it was obtained.
    #[serde(rename = "type")]
    pub kind: EntitlementType,
    /// Deleted.
    #[serde(default)]
    pub deleted: bool,
    /// Start of validity (nullable).
    #[serde(default)]
    pub starts_at: Option<Timestamp>,
    /// End of validity (nullable).
    #[serde(default)]
    pub ends_at: Option<Timestamp>,
    /// The guild it was granted to (`guild_id?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guild_id: Option<Id>,
    /// A consumed one-time purchase (`consumed?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consumed: Option<bool>,
}

int_enum! {
    /// A subscription's `status`.
    pub enum SubscriptionStatus: u8 {
        /// 0: active and renewing.
        Active = 0,
        /// 1: active until the period ends.
        Ending = 1,
        /// 2: not active.
        Inactive = 2,
    }
}

/// SUBSCRIPTION_CREATE / _UPDATE / _DELETE (protocol.md §12, 2024).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subscription {
    /// The subscription's id.
    pub id: Id,
    /// The subscriber.
    pub user_id: Id,
    /// Subscribed SKUs.
    pub sku_ids: Vec<Id>,
    /// Entitlements it grants.
    pub entitlement_ids: Vec<Id>,
    /// SKUs it renews into (nullable).
    #[serde(default)]
    pub renewal_sku_ids: Option<Vec<Id>>,
    /// Start of the current period.
    pub current_period_start: Timestamp,
    /// End of the current period.
    pub current_period_end: Timestamp,
    /// Status.
    pub status: SubscriptionStatus,
    /// When it was canceled (nullable).
    #[serde(default)]
    pub canceled_at: Option<Timestamp>,
    /// ISO 3166-1 country code, with the `applications.commands` scope only (`country?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}
