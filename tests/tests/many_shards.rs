//! 100 shards in one process on every adapter: the hundred-shard scenarios of
//! `gateway_tests::many` (start in the fewest identify windows, shutdown and resume without
//! Identify; one flooded shard among 100). A binary of their own, and one scenario at a time
//! (`gateway_tests::many::HEAVY`), so they never share the machine with other tests.

mod tokio_adapter {
    gateway_tests::adapter!(Tokio for gateway_tokio);
    gateway_tests::many_shards!(Tokio);
}

mod async_std_adapter {
    gateway_tests::adapter!(AsyncStd for gateway_async_std);
    gateway_tests::many_shards!(AsyncStd);
}
