//! The integration scenarios against gateway-async-std: the same suite as `tokio.rs`, through
//! the same `gateway_tests::adapter!` mapping. Each scenario and its simulator run on a tokio
//! test runtime; the shard's task runs on async-std's executor and reactor.

gateway_tests::adapter!(AsyncStd for gateway_async_std);
gateway_tests::scenarios!(AsyncStd);
