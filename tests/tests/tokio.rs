//! The integration scenarios against gateway-tokio. The mapping of the adapter's API to the
//! suite's [`Adapter`](gateway_tests::Adapter) trait is `gateway_tests::adapter!`, shared with
//! every adapter; the scenarios live in `gateway_tests::scenarios`.

gateway_tests::adapter!(Tokio for gateway_tokio);
gateway_tests::scenarios!(Tokio);
