//! Snowflake ids (protocol.md §13.1). STUB: being written.

/// A Discord snowflake.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Id(pub u64);

impl Id {
    /// The raw number.
    pub const fn get(self) -> u64 {
        self.0
    }
}
