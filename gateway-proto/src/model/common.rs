//! Small value types shared by several objects: permission sets and the serde helper for
//! fields that are both optional and nullable.
//!
//! This file knows nothing about events; it holds only what two or more domain files need.

use crate::id::Id;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A permission bit set (protocol.md §13.3 roles, channel overwrites, members, interactions).
///
/// Discord writes it as a decimal string (`"2248473465835073"`) because it outgrows 53 bits;
/// a plain integer is accepted as well. Serialized as a string.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Permissions(pub u64);

impl Permissions {
    /// Whether every bit of `other` is set.
    pub const fn contains(self, other: Permissions) -> bool {
        self.0 & other.0 == other.0
    }
}

impl fmt::Display for Permissions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl Serialize for Permissions {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0)
    }
}

/// Read like a snowflake: a string of digits, or a non-negative integer.
impl<'de> Deserialize<'de> for Permissions {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Id::deserialize(deserializer).map(|bits| Self(bits.get()))
    }
}

/// For a field that may be missing *and* may be null (`field?: ?type`) where the difference
/// matters: missing is `None`, null is `Some(None)`, a value is `Some(Some(v))`.
///
/// Use as `#[serde(default, skip_serializing_if = "Option::is_none", deserialize_with =
/// "common::present")]`; serde's own `Option<Option<T>>` serialization writes `Some(None)` as
/// null, so the three states round-trip.
pub(crate) fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// Serde's `skip_serializing_if` for a `false` that Discord leaves out.
pub(crate) fn is_false(value: &bool) -> bool {
    !*value
}
