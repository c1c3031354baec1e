//! Which shards one process runs when a bot is spread over several (protocol.md §7, §8).
//!
//! Identify limits are per bucket, `shard_id % max_concurrency`, and Discord counts a bucket's
//! Identifies wherever they come from. If two processes shared a bucket, each would need to
//! ask the other before identifying. [`ShardRange`] avoids that: it hands every process whole
//! buckets, so each process runs its own identify queue and still never exceeds a bucket's
//! limit, and the buckets of a process start in order, lowest shard first.
//!
//! ```
//! use gateway_proto::ShardRange;
//!
//! // 32 shards, max_concurrency 16, two processes: each owns 8 buckets.
//! let first: Vec<u32> = ShardRange::process(32, 16, 0, 2)?.map(|id| id.number()).collect();
//! assert_eq!(first, [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23]);
//! let second = ShardRange::process(32, 16, 1, 2)?;
//! assert_eq!(second.buckets(), 8..16);
//! assert_eq!(second.len(), 16);
//! # Ok::<(), gateway_proto::shard_range::ShardRangeError>(())
//! ```
//!
//! It is plain data and a plain iterator: no clock, no I/O.

use crate::config::ShardId;
use std::{fmt, iter::FusedIterator, ops::Range};

/// The shards of a set of whole identify buckets, in ascending shard order. An iterator of
/// [`ShardId`]; clone it to walk it again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShardRange {
    total: u32,
    max_concurrency: u32,
    buckets: Range<u32>,
    /// The next shard number to consider.
    next: u32,
}

impl ShardRange {
    /// Every shard of a bot with `total` shards (at least 1), as one bucket. To see the
    /// identify buckets too, use [`process`](Self::process)`(total, max_concurrency, 0, 1)`.
    pub fn all(total: u32) -> Result<Self, ShardRangeError> {
        Self::buckets_of(total, 1, 0..1)
    }

    /// Process `index` of `count` (`index < count <= max_concurrency`): the shards of buckets
    /// `index * max_concurrency / count .. (index + 1) * max_concurrency / count`. Bucket
    /// counts of two processes differ by at most one. A `max_concurrency` of 0 counts as 1.
    pub fn process(
        total: u32,
        max_concurrency: u32,
        index: u32,
        count: u32,
    ) -> Result<Self, ShardRangeError> {
        let max_concurrency = max_concurrency.max(1);
        if count == 0 || index >= count {
            return Err(ShardRangeError::InvalidProcess { index, count });
        }
        if count > max_concurrency {
            return Err(ShardRangeError::MoreProcessesThanBuckets {
                count,
                max_concurrency,
            });
        }
        let share = |index: u32| {
            // At most max_concurrency * count, which fits: both are u32.
            let bucket = u64::from(index) * u64::from(max_concurrency) / u64::from(count);
            u32::try_from(bucket).unwrap_or(max_concurrency)
        };
        Self::buckets_of(total, max_concurrency, share(index)..share(index + 1))
    }

    /// The shards of the identify buckets `buckets` (a non-empty part of
    /// `0..max_concurrency`).
    pub fn buckets_of(
        total: u32,
        max_concurrency: u32,
        buckets: Range<u32>,
    ) -> Result<Self, ShardRangeError> {
        let max_concurrency = max_concurrency.max(1);
        if total == 0 {
            return Err(ShardRangeError::NoShards);
        }
        if buckets.is_empty() || buckets.end > max_concurrency {
            return Err(ShardRangeError::InvalidBuckets {
                buckets,
                max_concurrency,
            });
        }
        Ok(Self {
            total,
            max_concurrency,
            buckets,
            next: 0,
        })
    }

    /// The bot's total shard count.
    pub fn total(&self) -> u32 {
        self.total
    }

    /// The number of identify buckets.
    pub fn max_concurrency(&self) -> u32 {
        self.max_concurrency
    }

    /// The buckets this range owns.
    pub fn buckets(&self) -> Range<u32> {
        self.buckets.clone()
    }

    /// Whether `shard` belongs to this range (same total, an owned bucket), whether or not
    /// the iterator has passed it.
    pub fn contains(&self, shard: ShardId) -> bool {
        shard.total() == self.total
            && self
                .buckets
                .contains(&(shard.number() % self.max_concurrency))
    }

    /// Identify windows the range needs at least: its largest bucket's shard count.
    pub fn identify_windows(&self) -> u32 {
        let full = self.total / self.max_concurrency;
        let rest = self.total % self.max_concurrency;
        // The first `rest` buckets hold one shard more than the others.
        full + u32::from(self.buckets.start < rest)
    }

    /// Shard numbers below `end` that belong to the owned buckets.
    fn count_below(&self, end: u32) -> u32 {
        let (start, stop) = (self.buckets.start, self.buckets.end);
        let cycles = end / self.max_concurrency;
        let rest = end % self.max_concurrency;
        cycles * (stop - start) + rest.clamp(start, stop) - start
    }
}

impl Iterator for ShardRange {
    type Item = ShardId;

    fn next(&mut self) -> Option<ShardId> {
        let bucket = self.next % self.max_concurrency;
        let number = if bucket < self.buckets.start {
            self.next.checked_add(self.buckets.start - bucket)?
        } else if bucket >= self.buckets.end {
            self.next
                .checked_add(self.max_concurrency - bucket + self.buckets.start)?
        } else {
            self.next
        };
        if number >= self.total {
            self.next = self.total;
            return None;
        }
        self.next = number + 1;
        ShardId::new(number, self.total).ok()
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.count_below(self.total) - self.count_below(self.next.min(self.total));
        let left = usize::try_from(left).unwrap_or(usize::MAX);
        (left, Some(left))
    }
}

impl ExactSizeIterator for ShardRange {}

impl FusedIterator for ShardRange {}

/// A [`ShardRange`] that cannot be built.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ShardRangeError {
    /// A total of 0 shards.
    NoShards,
    /// `index >= count`, or `count` is 0.
    InvalidProcess {
        /// The process index given.
        index: u32,
        /// The process count given.
        count: u32,
    },
    /// More processes than buckets: some process would own none. Share a bucket between
    /// processes only through one identify queue they all ask.
    MoreProcessesThanBuckets {
        /// The process count given.
        count: u32,
        /// The number of buckets.
        max_concurrency: u32,
    },
    /// An empty bucket range, or one past `max_concurrency`.
    InvalidBuckets {
        /// The buckets given.
        buckets: Range<u32>,
        /// The number of buckets.
        max_concurrency: u32,
    },
}

impl fmt::Display for ShardRangeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoShards => f.write_str("a bot has at least one shard"),
            Self::InvalidProcess { index, count } => {
                write!(f, "process {index} of {count} does not exist")
            }
            Self::MoreProcessesThanBuckets {
                count,
                max_concurrency,
            } => write!(
                f,
                "{count} processes cannot split {max_concurrency} identify buckets whole"
            ),
            Self::InvalidBuckets {
                buckets,
                max_concurrency,
            } => write!(
                f,
                "buckets {buckets:?} are not a non-empty part of 0..{max_concurrency}"
            ),
        }
    }
}

impl std::error::Error for ShardRangeError {}

#[cfg(test)]
mod tests {
    use super::*;

    fn numbers(range: ShardRange) -> Vec<u32> {
        range.map(ShardId::number).collect()
    }

    #[test]
    fn all_is_every_shard_in_order() {
        assert_eq!(numbers(ShardRange::all(5).unwrap()), [0, 1, 2, 3, 4]);
        assert_eq!(ShardRange::all(0), Err(ShardRangeError::NoShards));
    }

    #[test]
    fn processes_partition_the_shards_into_whole_buckets() {
        for (total, concurrency, count) in [
            (100, 16, 3),
            (32, 16, 2),
            (7, 4, 4),
            (1, 1, 1),
            (50, 16, 16),
        ] {
            let mut seen = vec![0_u32; total as usize];
            let mut bucket_owner = vec![None; concurrency as usize];
            for index in 0..count {
                let range = ShardRange::process(total, concurrency, index, count).unwrap();
                assert_eq!(range.len(), range.clone().count());
                let mut last = None;
                for id in range {
                    assert_eq!(id.total(), total);
                    assert!(last < Some(id.number()), "ascending");
                    last = Some(id.number());
                    seen[id.number() as usize] += 1;
                    let owner = &mut bucket_owner[(id.number() % concurrency) as usize];
                    assert!(owner.is_none_or(|owner| owner == index), "bucket split");
                    *owner = Some(index);
                }
            }
            assert!(
                seen.iter().all(|n| *n == 1),
                "{total}/{concurrency}/{count}: {seen:?}"
            );
        }
    }

    #[test]
    fn bucket_shares_differ_by_at_most_one() {
        let sizes: Vec<u32> = (0..3)
            .map(|index| {
                ShardRange::process(48, 16, index, 3)
                    .unwrap()
                    .buckets()
                    .len() as u32
            })
            .collect();
        assert_eq!(sizes, [5, 5, 6]);
    }

    #[test]
    fn size_hint_is_exact_while_iterating() {
        let mut range = ShardRange::buckets_of(100, 16, 3..9).unwrap();
        let mut left = range.len();
        assert_eq!(left, 6 * 6 + 1);
        while range.next().is_some() {
            left -= 1;
            assert_eq!(range.len(), left);
        }
        assert_eq!(range.len(), 0);
        assert_eq!(range.next(), None, "fused");
    }

    #[test]
    fn contains_matches_the_iterator() {
        let range = ShardRange::process(40, 8, 1, 2).unwrap();
        let members = numbers(range.clone());
        for number in 0..40 {
            let id = ShardId::new(number, 40).unwrap();
            assert_eq!(range.contains(id), members.contains(&number), "{number}");
        }
        assert!(
            !range.contains(ShardId::new(4, 41).unwrap()),
            "another total"
        );
    }

    #[test]
    fn identify_windows_are_the_largest_owned_bucket() {
        assert_eq!(ShardRange::all(100).unwrap().identify_windows(), 100);
        assert_eq!(
            ShardRange::buckets_of(100, 16, 0..16)
                .unwrap()
                .identify_windows(),
            7
        );
        assert_eq!(
            ShardRange::buckets_of(100, 16, 4..16)
                .unwrap()
                .identify_windows(),
            6
        );
        assert_eq!(
            ShardRange::buckets_of(3, 16, 4..16)
                .unwrap()
                .identify_windows(),
            0
        );
    }

    #[test]
    fn impossible_splits_are_refused() {
        assert_eq!(
            ShardRange::process(10, 4, 4, 4),
            Err(ShardRangeError::InvalidProcess { index: 4, count: 4 })
        );
        assert_eq!(
            ShardRange::process(10, 4, 0, 5),
            Err(ShardRangeError::MoreProcessesThanBuckets {
                count: 5,
                max_concurrency: 4
            })
        );
        assert!(ShardRange::buckets_of(10, 4, 2..2).is_err());
        assert!(ShardRange::buckets_of(10, 4, 3..5).is_err());
    }
}
