#!/usr/bin/env bash
# Reruns every benchmark of BENCHMARKS.md and prints its tables:
#   1. builds the bench binary once per twilight-gateway compression (twilight chooses it at
#      compile time): gwbench-zlib, gwbench-zstd, gwbench-none;
#   2. runs the proto-level criterion bench (the floor: decompression, envelope, machine);
#   3. runs the suite: the feeders in this process, every client run in a child process;
#   4. renders the report (medians, ratios) into results/<time>/report.md.
# Extra arguments go to the suite, e.g. `bash benchmarks/run.sh --runs 3 --shards 1,100`.
# RUNS and MEMORY_RUNS set the repetitions (default 5 and 3). Takes about 25 minutes.
set -euo pipefail
cd "$(dirname "$0")"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
out="results/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$out/bin"

{
  echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), kernel $(uname -r)"
  echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$out/machine.txt"

for compression in none zlib zstd; do
  features=()
  if [ "$compression" != none ]; then features=(--features "twilight-$compression"); fi
  cargo build --release --locked --bin gwbench "${features[@]}"
  cp "$CARGO_TARGET_DIR/release/gwbench" "$out/bin/gwbench-$compression"
done

if [ -z "${SKIP_PROTO:-}" ]; then
  cargo bench --locked --bench proto
fi

"$out/bin/gwbench-none" suite --bin-dir "$out/bin" --out "$out/results.jsonl" \
  --runs "${RUNS:-5}" --memory-runs "${MEMORY_RUNS:-3}" "$@"

echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/machine.txt"
{
  cat "$out/machine.txt"
  echo
  "$out/bin/gwbench-none" report "$out/results.jsonl" --criterion "$CARGO_TARGET_DIR/criterion"
} > "$out/report.md"
cat "$out/report.md"
