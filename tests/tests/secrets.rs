//! `telemetry/secrets.rs` on gateway-tokio, alone in its process (see that file).

#[path = "telemetry/secrets.rs"]
mod secrets;
mod support;

gateway_tests::adapter!(Tokio for gateway_tokio);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_log_line_or_debug_output_of_a_whole_session_carries_the_token() {
    secrets::no_log_line_or_debug_output_carries_the_token::<Tokio>().await;
}
