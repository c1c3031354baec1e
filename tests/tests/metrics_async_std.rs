//! `telemetry/metrics.rs` on gateway-async-std, alone in its process (see that file).

#[path = "telemetry/metrics.rs"]
mod metrics;
mod support;

gateway_tests::adapter!(AsyncStd for gateway_async_std);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_whole_session_is_published_with_exact_values_and_labels() {
    metrics::published_with_exact_values_and_labels::<AsyncStd>().await;
}
