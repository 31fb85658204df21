#!/usr/bin/env bash
# Each phase against its compute floor, measured in ONE run on this machine: the sgemm rate, then the JMH
# per-phase benchmarks of a matched pair (Sam2FrameBenchmark on the SAM 2 model, SamImageBenchmark on the SAM
# model, both backends), then the sgemm rate again and floor.py's table (GMAC, floor ms, measured ms, x floor).
#   scripts/bench/floor-run.sh [tiny|large|test] [extra JMH options]
#     tiny: sam2.1_hiera_t + sam_vit_b     large: sam2.1_hiera_l + sam_vit_l     test: test-tiny + test-tiny-sam
# Results: bench-models/floor-PAIR-{sam2,sam}.json (JMH) and bench-models/floor-PAIR.txt (this script's output).
# JMH defaults here: 1 warm-up + 3 measured single shots per benchmark and backend. Full size on 2 cores: tiny
# ~ 20 min. Run it on an otherwise idle machine: the floor is only meaningful against the rate of the same run.
set -euo pipefail
cd "$(dirname "$0")/../.."
pair=${1:-tiny}
shift || true
case "$pair" in
  tiny) sam2=sam2.1_hiera_t sam=sam_vit_b ;;
  large) sam2=sam2.1_hiera_l sam=sam_vit_l ;;
  test) sam2=test-tiny sam=test-tiny-sam ;;
  *) echo "usage: $0 [tiny|large|test] [JMH options]" >&2; exit 2 ;;
esac
JDK=${PROMPTONCE_JDK:-/usr/lib/jvm/temurin-25-jdk-amd64}
threads=$(nproc) # what the JMH benchmarks use (one per core): the sgemm rate is for the same count
scripts/bench/export-bench-models.sh "$sam2" "$sam"
[ -f jmh/target/benchmarks.jar ] || JAVA_HOME=$JDK mvn -B -q -DskipTests install
wi=(-wi 1); it=(-i 3)
for x in "$@"; do
  case "$x" in -wi) wi=() ;; -i) it=() ;; esac
done
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE} # as bin/promptonce: OpenMP threads sleep while they wait
report=bench-models/floor-$pair.txt
{
  echo "floor-run $pair, $(date -u +%FT%TZ), $(git describe --always --dirty), $threads threads"
  echo "before the benchmarks:"
  /usr/bin/python3 scripts/bench/floor.py --sgemm-only --threads "$threads"
} | tee "$report"
jmh() { # CLASS MODEL JSON
  "$JDK/bin/java" --enable-native-access=ALL-UNNAMED -jar jmh/target/benchmarks.jar "$1" -p model="bench-models/$2" \
    "${wi[@]}" "${it[@]}" -rf json -rff "$3" "${extra[@]}"
}
extra=("$@")
jmh Sam2FrameBenchmark "$sam2" "bench-models/floor-$pair-sam2.json"
jmh SamImageBenchmark "$sam" "bench-models/floor-$pair-sam.json"
{
  echo "after the benchmarks (the rate of the tables below):"
  /usr/bin/python3 scripts/bench/floor.py --model "bench-models/$sam2" --threads "$threads" \
    --jmh "bench-models/floor-$pair-sam2.json"
  /usr/bin/python3 scripts/bench/floor.py --model "bench-models/$sam" --threads "$threads" \
    --jmh "bench-models/floor-$pair-sam.json"
} | tee -a "$report"
echo "report: $report"
