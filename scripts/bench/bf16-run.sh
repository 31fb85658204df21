#!/usr/bin/env bash
# fp32 vs bf16, phase by phase, in ONE run: the sgemm and bf16 GEMM rates, then JMH Sam2FrameBenchmark's phases at
# precision=fp32,bf16 on both backends, the rates again, and floor.py's table (each phase against its fp32 floor,
# and the bf16 runs against the bf16 floor: the bf16 phases at the bf16 GEMM rate, the float32 decoder at sgemm's).
#   scripts/bench/bf16-run.sh [ARCH] [extra JMH options]      ARCH: sam2.1_hiera_t (default), medsam2, test-tiny, ...
# Results: bench-models/bf16-ARCH.json (JMH) and bench-models/bf16-ARCH.txt (this output). JMH: 1 warm-up + 2
# measured single shots per phase, precision and backend. SAM 2.1 tiny on 2 cores: ~ 6 min. Run it on an idle
# machine: ratios within this run only.
set -euo pipefail
cd "$(dirname "$0")/../.."
arch=${1:-sam2.1_hiera_t}
shift || true
JDK=${PROMPTONCE_JDK:-/usr/lib/jvm/temurin-25-jdk-amd64}
threads=$(nproc)
scripts/bench/export-bench-models.sh "$arch"
[ -f jmh/target/benchmarks.jar ] || JAVA_HOME=$JDK mvn -B -q -DskipTests package
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}
report=bench-models/bf16-$arch.txt
json=bench-models/bf16-$arch.json
rates() { /usr/bin/python3 scripts/bench/floor.py --sgemm-only --threads "$threads"; }
{
  echo "bf16-run $arch, $(date -u +%FT%TZ), $(git describe --always --dirty), $threads threads"
  echo "before the benchmarks:"; rates
} | tee "$report"
"$JDK/bin/java" --enable-native-access=ALL-UNNAMED -jar jmh/target/benchmarks.jar \
  'Sam2FrameBenchmark\.(imageEncoder|memoryAttentionFullBank|maskDecoder|memoryEncoder|framePipelined)$' \
  -p model="bench-models/$arch" -p precision=fp32,bf16 -p backend=native,javacpp -wi 1 -i 2 -f 1 \
  -rf json -rff "$json" "$@" | grep -E '^(Benchmark|Sam2FrameBenchmark)' | tee -a "$report"
{ echo "after the benchmarks:"; rates; } | tee -a "$report"
sg=$(grep -o 'sgemm [0-9]*^3 [0-9.]*' "$report" | awk '{print $3}' | sort -n | tail -1)
bf=$(grep -o 'bf16 GEMM [0-9]*^3 [0-9.]*' "$report" | awk '{print $4}' | sort -n | tail -1)
echo "floors at the best rates of the run: sgemm $sg, bf16 GEMM $bf GFLOP/s" | tee -a "$report"
/usr/bin/python3 scripts/bench/floor.py --model "bench-models/$arch" --threads "$threads" --rate "$sg" \
  --bf16-rate "$bf" --jmh "$json" | tee -a "$report"
