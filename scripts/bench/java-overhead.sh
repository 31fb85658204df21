#!/usr/bin/env bash
# The Java side of a propagated slice, before and after a change, in one run:
#   scripts/bench/java-overhead.sh [BEFORE_REF] [AFTER_REF]     default: 86f84f4~1 (before the one-way core) and HEAD
# Builds BEFORE_REF in a temporary worktree (without tests; jars only, nothing installed into ~/.m2) with this
# checkout's jmh/.../PropagationOverheadBenchmark.java copied in (it uses only API both have), builds the current
# tree, then runs the benchmark alternately on both (time per slice and, with -prof gc, bytes allocated per slice).
# Prints one line per run and the after/before ratios. Needs bench-models/test-tiny (scripts/bench/export-bench-models.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
BEFORE=${1:-86f84f4~1}
AFTER=${2:-HEAD}
ROUNDS=${ROUNDS:-2}
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
bash scripts/bench/export-bench-models.sh test-tiny
BENCH=jmh/src/main/java/io/github/promptonce/jmh/PropagationOverheadBenchmark.java
work=$(mktemp -d)
trap 'for d in before after; do git worktree remove --force "$work/$d" >/dev/null 2>&1 || true; done; rm -rf "$work"' EXIT
build() { # dir -> benchmarks jar path
  (cd "$1" && mvn -B -q -o -DskipTests package -pl java,jmh -am >&2)
  echo "$1/jmh/target/benchmarks.jar"
}
# BEFORE_JAR / AFTER_JAR: benchmark jars built earlier (e.g. to build while the machine is busy and measure when idle)
before_jar=${BEFORE_JAR:-}
after_jar=${AFTER_JAR:-}
if [ -z "$before_jar" ]; then
  git worktree add --detach "$work/before" "$BEFORE" >/dev/null
  cp "$BENCH" "$work/before/$BENCH"
  before_jar=$(build "$work/before")
fi
if [ -z "$after_jar" ]; then
  if [ "$AFTER" != HEAD ]; then
    git worktree add --detach "$work/after" "$AFTER" >/dev/null
    cp "$BENCH" "$work/after/$BENCH"
    after_dir="$work/after"
  else
    after_dir="$PWD"
  fi
  after_jar=$(build "$after_dir")
fi
run() { # label jar
  "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -jar "$2" PropagationOverheadBenchmark \
      -p model="$PWD/bench-models/test-tiny" -prof gc -rf json -rff "$work/$1.json" >/dev/null
  python3 - "$1" "$work/$1.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[2]))[0]
t = r["primaryMetric"]["score"]
a = r["secondaryMetrics"]["gc.alloc.rate.norm"]["score"]
print(f"{sys.argv[1]}: {t:.2f} ms per slice, {a / 1e6:.2f} MB allocated per slice")
PY
}
results=()
for i in $(seq "$ROUNDS"); do
  results+=("$(run before "$before_jar")")
  results+=("$(run after "$after_jar")")
done
printf '%s\n' "${results[@]}"
printf '%s\n' "${results[@]}" | python3 -c '
import re, sys, statistics
rows = [l for l in sys.stdin.read().splitlines() if l]
def pick(tag, i): return [float(re.findall(r"([0-9.]+) ", l.split(": ")[1])[i]) for l in rows if l.startswith(tag)]
for i, what in ((0, "time per slice"), (1, "bytes per slice")):
    b, a = statistics.median(pick("before", i)), statistics.median(pick("after", i))
    print(f"after/before {what}: {a / b:.3f} (medians {a:.2f} / {b:.2f})")
'
