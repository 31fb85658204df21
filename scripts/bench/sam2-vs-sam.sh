#!/usr/bin/env bash
# The SAM vs SAM 2 time gap on a matched pair, measured in ONE JMH run (Sam2VsSamBenchmark), on both backends:
# SAM image mode per slice (encode + decode one click) vs SAM 2 video mode per frame over a full memory bank
# (encode + memory attention + decode + memory encode). Prints the SAM 2 / SAM ratio per backend.
#   scripts/bench/sam2-vs-sam.sh [tiny|large|test] [extra JMH options]
#     tiny:  sam_vit_b vs sam2.1_hiera_t      large: sam_vit_l vs sam2.1_hiera_l (the paper's pair)
#     test:  test-tiny-sam vs test-tiny (seconds; checks that it runs)
# Exports the two models first (random weights, into the ignored bench-models/; re-exported when models/ changed).
# JMH defaults here: 1 warm-up + 3 measured single shots per benchmark and backend (-wi/-i override them).
# Full size on 2 cores: tiny ~ 10 min, large ~ 30 min (plus the exports the first time).
set -euo pipefail
cd "$(dirname "$0")/../.."
pair=${1:-tiny}
shift || true
case "$pair" in
  tiny) archs=(sam_vit_b sam2.1_hiera_t) ;;
  large) archs=(sam_vit_l sam2.1_hiera_l) ;;
  test) archs=(test-tiny-sam test-tiny) ;;
  *) echo "usage: $0 [tiny|large|test] [JMH options]" >&2; exit 2 ;;
esac
JDK=${PROMPTONCE_JDK:-/usr/lib/jvm/temurin-25-jdk-amd64}
scripts/bench/export-bench-models.sh "${archs[@]}"
[ -f jmh/target/benchmarks.jar ] || JAVA_HOME=$JDK mvn -B -q -DskipTests install
out=${RESULT_JSON:-bench-models/sam2-vs-sam-$pair.json}
wi=(-wi 1); it=(-i 3)
for x in "$@"; do
  case "$x" in -wi) wi=() ;; -i) it=() ;; esac
done
# as bin/promptonce: OpenMP threads sleep while they wait
OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE} "$JDK/bin/java" --enable-native-access=ALL-UNNAMED \
  -jar jmh/target/benchmarks.jar Sam2VsSamBenchmark -p pair="$pair" "${wi[@]}" "${it[@]}" -rf json -rff "$out" "$@"
/usr/bin/python3 - "$out" "${archs[@]}" <<'PY'
import json, sys
path, sam, sam2 = sys.argv[1:4]
res = {}
for r in json.load(open(path)):
    p = r["params"]
    key = (p["backend"], p.get("optimize", "false"))
    m = r["primaryMetric"]
    res.setdefault(key, {})[r["benchmark"].rsplit(".", 1)[1]] = (m["score"], m["scoreError"], m["scoreUnit"])
print(f"\nSAM 2 / SAM per slice, {sam2} video frame (full bank) vs {sam} image slice, one JMH run ({path}):")
for (backend, opt), v in sorted(res.items()):
    if "samImageSlice" in v and "sam2VideoFrame" in v:
        s, s2 = v["samImageSlice"], v["sam2VideoFrame"]
        print(f"  {backend:8s} optimize={opt:5s}  SAM {s[0]:10.1f} {s[2]}  SAM 2 {s2[0]:10.1f} {s2[2]}  "
              f"ratio {s2[0] / s[0]:.3f}")
PY
