#!/usr/bin/env bash
# Fuzz smoke test for CI (.ci/test calls it): builds every cargo-fuzz target and runs each
# for FUZZ_SECONDS (default 30) from the seed corpora; exits non-zero on any crash, leak,
# timeout or broken invariant, leaving the input in fuzz/artifacts/<target>/.
#
#   FUZZ_SECONDS=30        seconds per target
#   FUZZ_SANITIZER=address address (default, as on nightly) or none (about 4x faster)
#   FUZZ_TARGETS="a b"     a subset of targets (default: every target, `cargo fuzz list`)
#
# Only the stable toolchain is needed: RUSTC_BOOTSTRAP=1 lets it take the nightly flags
# cargo-fuzz passes (-Zsanitizer, -Cpasses=sancov-module, ...).
set -euo pipefail
cd "$(dirname "$0")/.."
export RUSTC_BOOTSTRAP=1
seconds="${FUZZ_SECONDS:-30}"
sanitizer="${FUZZ_SANITIZER:-address}"

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "installing cargo-fuzz"
  cargo install cargo-fuzz --locked
fi

# Seed corpora from realistic traffic: written by the test that also checks them.
FUZZ_CORPUS_DIR="$PWD/fuzz/corpus" cargo test -q -p gateway-proto --features zstd \
  --test fuzzing seed_corpora_pass_their_bodies

targets="${FUZZ_TARGETS:-$(cargo fuzz list)}"
status=0
for target in $targets; do
  echo "=== fuzz $target for ${seconds}s (sanitizer: $sanitizer)"
  log="$(mktemp)"
  mkdir -p "fuzz/corpus/$target"
  if cargo fuzz run -s "$sanitizer" "$target" "fuzz/corpus/$target" -- \
      -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      >"$log" 2>&1; then
    executions="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || true)"
    echo "ok: $target, ${executions:-?} executions"
  else
    status=1
    echo "FAILED: $target"
    grep -A 30 'panicked at' "$log" || true
    grep -v '^#[0-9]' "$log" | tail -n 25
  fi
  rm -f "$log"
done
exit "$status"
