#!/usr/bin/env bash
# GPU check, for a machine with an NVIDIA GPU, its driver, the CUDA toolkit (nvcc and headers: CMake's
# find_package(Torch) of a CUDA LibTorch needs them) and a Python whose PyTorch has CUDA. CI never has one.
#
#   scripts/gpu-check.sh                 # PYTHON=python3 (any Python with a CUDA torch: PYTHON=.venv/bin/python)
#
# Java comes either from Maven (a machine with mvn and a JDK >= 25: PROMPTONCE_JDK, else JAVA_HOME, else
# /usr/lib/jvm/temurin-25-jdk-amd64) or from a prebuilt bundle (a machine with neither, such as the lent device
# machine): make it where Maven is with scripts/gpu-bundle.sh (writes the git-ignored .gpu-bundle/: a jlink'ed
# Java runtime and the jars, no native library), send it along (the device tool: carry [".gpu-bundle"]), and run
#   GPU_BUNDLE=.gpu-bundle scripts/gpu-check.sh
# GPU_BUNDLE=DIR uses that bundle; without it the bundle .gpu-bundle/ is used when mvn is not on the PATH.
#
# 1. builds native/ against that PyTorch's own LibTorch (torch.utils.cmake_prefix_path) into build-gpu/ and runs
#    its ctest tests (CUDA tensors, modules and streams run when a GPU is visible);
# 2. runs the Java CUDA tests (CudaTest: tensors, calls and a CUDA stream through the native backend) and checks
#    that they ran, none skipped. Maven: java/ builds its own copy of the library against the same LibTorch
#    (-Dtorch.prefix) and makes the test fixtures; bundle: the fixtures are made here with
#    java/src/test/python/make_runtime_fixtures.py (as Maven does) and the library of step 1 is loaded
#    (-Dpromptonce.native.path), with the bundle's RunTests (JUnit Platform launcher);
# 3. exports SAM 2.1 hiera tiny with random weights (scripts/bench/export-bench-models.sh) and times its frame,
#    phase by phase, on cuda:0 and on the CPU with JMH (Sam2FrameBenchmark, native backend, library of step 1), in
#    float32 and in bfloat16 (precision=fp32,bf16: the bf16 variants of the image encoder and memory attention;
#    GPU_CHECK_PRECISIONS=fp32 for float32 only). A CPU without bfloat16 instructions (neither avx512_bf16 nor
#    amx_bf16) emulates bf16 9-27x slower than fp32, so there the CPU is timed without bf16 unless
#    GPU_CHECK_CPU_BF16=1; the summary says so.
#    GPU_CHECK_JMH: the benchmark regex (default Sam2FrameBenchmark: all five phases; Sam2FrameBenchmark.frame$ for
#    the frame alone); GPU_CHECK_JMH_ARGS: JMH's run options (default "-wi 2 -i 5 -f 1").
# Everything it writes: build-gpu/ (the native build, test fixtures, logs, results), bench-models/, and with Maven
# java/target, jmh/target. When the variable OUT names a folder (the device tool's), the key logs and results are
# copied there at the end, pass or fail: env.log native-build.log ctest.log java-cuda-tests.log export.log jmh.log
# sam2-frame-gpu.json summary.txt (8 files, each cut to its last 15 MB; also every 15 s during the run).
# Stops with a message at the first thing missing or failing (also in build-gpu/summary.txt). Expected time on a
# 16-core machine with the bundle: ~5 min (the native build, the export, ~2 min of benchmark); Maven: ~10 min.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PY=${PYTHON:-python3}
JDK=${PROMPTONCE_JDK:-${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}}
B=build-gpu                # everything this script writes (git-ignored)
RESULTS=${OUT:-}           # the device tool's folder of files to bring back, when set
JMH_REGEX=${GPU_CHECK_JMH:-Sam2FrameBenchmark}
PRECISIONS=${GPU_CHECK_PRECISIONS:-fp32,bf16}
read -r -a JMH_RUN <<< "${GPU_CHECK_JMH_ARGS:--wi 2 -i 5 -f 1}"
JOBS=$(nproc 2>/dev/null || echo 4)
export PYTHONUNBUFFERED=1
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}
KEPT=(env.log native-build.log ctest.log java-cuda-tests.log export.log jmh.log sam2-frame-gpu.json summary.txt)
mkdir -p "$B"
for f in "${KEPT[@]}" ctest-devices.log mvn-install.log; do rm -f "$B/$f"; done  # no stale logs of an earlier run
: > "$B/summary.txt"

collect() {
  [ -n "$RESULTS" ] || return 0
  mkdir -p "$RESULTS" 2>/dev/null || return 0
  local f
  for f in "${KEPT[@]}"; do
    [ -f "$B/$f" ] && tail -c 15000000 "$B/$f" > "$RESULTS/$f" 2>/dev/null || true
  done
}
# also every 15 s while it runs, so that a run killed at a time limit still brings back the logs so far
COPIER=
if [ -n "$RESULTS" ]; then
  ( nap=; trap 'kill "$nap" 2>/dev/null; exit 0' TERM
    while :; do sleep 15 & nap=$!; wait "$nap"; collect; done ) &
  COPIER=$!
fi
finish() { [ -z "$COPIER" ] || kill "$COPIER" 2>/dev/null || true; collect; }
trap finish EXIT

fail() { echo "gpu-check: FAIL: $*" | tee -a "$B/summary.txt" >&2; exit 1; }
step() { echo; echo "== gpu-check [${SECONDS}s]: $*"; echo "[${SECONDS}s] $*" >> "$B/summary.txt"; }

# --- where Java comes from ---------------------------------------------------------------------------------------
BUNDLE=${GPU_BUNDLE:-}
if [ -z "$BUNDLE" ] && ! command -v mvn >/dev/null && [ -d .gpu-bundle ]; then
  BUNDLE=.gpu-bundle
fi
if [ -n "$BUNDLE" ]; then
  BUNDLE=$(cd "$BUNDLE" 2>/dev/null && pwd) || fail "no bundle folder ${GPU_BUNDLE:-.gpu-bundle} (make it with scripts/gpu-bundle.sh)"
  JAVA=$BUNDLE/runtime/bin/java
  TEST_CP="$BUNDLE/lib/*:$BUNDLE/test/*"
  JMH_CP="$BUNDLE/lib/*:$BUNDLE/jmh/*"
else
  JAVA=$JDK/bin/java
fi

step "GPU, driver and a CUDA PyTorch"
{
  command -v nvidia-smi >/dev/null || fail "nvidia-smi not found: no NVIDIA driver on this machine"
  nvidia-smi || fail "nvidia-smi failed"
  nvidia-smi -L || fail "nvidia-smi sees no GPU"
  command -v "$PY" >/dev/null || fail "no Python '$PY' (set PYTHON=/path/to/python with a CUDA PyTorch)"
  "$PY" - <<'PYEOF' || fail "this Python's PyTorch cannot use CUDA (see above)"
import sys
import torch
print(f"python {sys.version.split()[0]} at {sys.executable}")
print(f"torch {torch.__version__}, CUDA {torch.version.cuda}, cuDNN {torch.backends.cudnn.version()}")
if torch.version.cuda is None:
    sys.exit("torch is a CPU-only build")
if not torch.cuda.is_available():
    sys.exit("torch.cuda.is_available() is False (driver too old for this CUDA build, or no GPU visible)")
print("device 0:", torch.cuda.get_device_name(0))
PYEOF
  command -v nvcc >/dev/null && nvcc --version | tail -2 || echo "gpu-check: warning: nvcc not on PATH;" \
    "find_package(Torch) of a CUDA LibTorch needs the CUDA toolkit (set CUDACXX or CUDA_HOME / PATH) and will" \
    "fail below without it" >&2
  command -v cmake >/dev/null || fail "cmake not found"
  cmake --version | head -1
  echo "cores: $JOBS"
  if [ -n "$BUNDLE" ]; then
    echo "Java: the bundle $BUNDLE"
    head -2 "$BUNDLE/BUNDLE.txt" 2>/dev/null || true
    [ -x "$JAVA" ] || fail "no java in the bundle ($JAVA): remake it with scripts/gpu-bundle.sh"
    "$JAVA" -version 2>&1 || fail "the bundle's java does not run on this machine"
  else
    echo "Java: Maven with the JDK $JDK"
    [ -x "$JDK/bin/java" ] || fail "no JDK at $JDK (set PROMPTONCE_JDK to a JDK >= 25), and no bundle (GPU_BUNDLE)"
    command -v mvn >/dev/null || fail "mvn not found (or run with a bundle: scripts/gpu-bundle.sh, GPU_BUNDLE)"
  fi
} 2>&1 | tee "$B/env.log" || exit 1
PREFIX=$("$PY" -c 'import torch; print(torch.utils.cmake_prefix_path)')
echo "LibTorch of that PyTorch: $PREFIX" | tee -a "$B/env.log"

step "native/ against $PREFIX"
gen=()
if [ ! -f "$B/CMakeCache.txt" ] && command -v ninja >/dev/null; then gen=(-G Ninja); fi
cmake -S . -B "$B" "${gen[@]}" -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$PREFIX" 2>&1 \
  | tee "$B/native-build.log" \
  || fail "CMake could not configure native/ against $PREFIX (see $B/native-build.log; a CUDA LibTorch needs nvcc)"
grep -q "CUDA streams: ON" "$B/native-build.log" || fail "CMake found a LibTorch without CUDA (see $B/native-build.log)"
cmake --build "$B" --parallel "$JOBS" 2>&1 | tee -a "$B/native-build.log" \
  || fail "native/ did not build against $PREFIX (see $B/native-build.log)"
LIB="$ROOT/$B/native/libpromptonce.so"
[ -f "$LIB" ] || fail "no $LIB after the build"

step "native tests (ctest)"
(cd "$B" && ctest --output-on-failure -j 4 2>&1) | tee "$B/ctest.log" || fail "native tests failed (see $B/ctest.log)"
# po_tests prints this note when it skips the GPU part of the device tests
(cd "$B" && ctest -R po_devices -V 2>&1) > "$B/ctest-devices.log" || true
cat "$B/ctest-devices.log" >> "$B/ctest.log"
if grep -q "CUDA build without a GPU" "$B/ctest-devices.log"; then
  fail "the native device tests did not see the GPU (see $B/ctest.log)"
fi

step "Java CUDA tests (native backend)"
if [ -n "$BUNDLE" ]; then
  fixtures="$ROOT/$B/test-fixtures"
  "$PY" java/src/test/python/make_runtime_fixtures.py "$fixtures" 2>&1 | tee "$B/java-cuda-tests.log" \
    || fail "could not make the test fixtures (java/src/test/python/make_runtime_fixtures.py; see $B/java-cuda-tests.log)"
  "$JAVA" --enable-native-access=ALL-UNNAMED -Dpromptonce.native.path="$LIB" -Dpromptonce.backend=native \
    -Dpromptonce.fixtures="$fixtures" -Djqwik.database="$ROOT/$B/jqwik-database" -cp "$TEST_CP" \
    RunTests io.github.promptonce.runtime.CudaTest 2>&1 | tee -a "$B/java-cuda-tests.log" \
    || fail "CudaTest did not pass with every test run (see $B/java-cuda-tests.log)"
  grep 'RunTests: io.github.promptonce.runtime.CudaTest' "$B/java-cuda-tests.log" >> "$B/summary.txt" || true
else
  # java/ builds its own copy of the library against the same LibTorch and runs ctest again on the way
  JAVA_HOME=$JDK mvn -B -pl java test -Dtorch.prefix="$PREFIX" -Dpromptonce.python="$(command -v "$PY")" \
    -Dtest=CudaTest -Dsurefire.failIfNoSpecifiedTests=false 2>&1 | tee "$B/java-cuda-tests.log" \
    || fail "the Java build or CudaTest failed (see $B/java-cuda-tests.log)"
  report=java/target/surefire-reports/TEST-io.github.promptonce.runtime.CudaTest.xml
  [ -f "$report" ] || fail "no CudaTest report ($report)"
  "$PY" - "$report" <<'PYEOF' | tee -a "$B/summary.txt" || fail "CudaTest did not pass with every test run (see $B/java-cuda-tests.log)"
import sys
import xml.etree.ElementTree as ET
r = ET.parse(sys.argv[1]).getroot()
t, s, f, e = (int(r.get(k, 0)) for k in ("tests", "skipped", "failures", "errors"))
print(f"CudaTest: {t} tests, {s} skipped, {f} failures, {e} errors")
sys.exit(0 if t > 0 and s == 0 and f == 0 and e == 0 else 1)
PYEOF
fi

step "SAM 2.1 hiera tiny: random-weight export"
if [ -z "$BUNDLE" ]; then
  JAVA_HOME=$JDK mvn -B -DskipTests -Dtorch.prefix="$PREFIX" -Dpromptonce.python="$(command -v "$PY")" \
    -pl java,javacpp,jmh -am install > "$B/mvn-install.log" 2>&1 || fail "mvn install failed (see $B/mvn-install.log)"
fi
PYTHON=$(command -v "$PY") scripts/bench/export-bench-models.sh sam2.1_hiera_t 2>&1 | tee "$B/export.log" \
  || fail "the export of sam2.1_hiera_t failed (see $B/export.log)"

step "a SAM 2.1 hiera tiny frame on cuda:0 and on the CPU (JMH $JMH_REGEX ${JMH_RUN[*]})"
if [ -n "$BUNDLE" ]; then
  jmh=("$JAVA" --enable-native-access=ALL-UNNAMED -cp "$JMH_CP" org.openjdk.jmh.Main)
else
  jmh=("$JAVA" --enable-native-access=ALL-UNNAMED -jar jmh/target/benchmarks.jar)
fi
# bf16 on a CPU without bfloat16 instructions is emulated, 9-27x slower than fp32 (docs/performance.md): timing it
# there would spend most of a lent machine's time, so such a CPU is timed in the other precisions only
# (GPU_CHECK_CPU_BF16=1 times it anyway). Each device gets its own JMH run; the results are merged.
CPU_PRECISIONS=$PRECISIONS
if [[ ",$PRECISIONS," == *,bf16,* ]] && ! grep -qwE 'avx512_bf16|amx_bf16' /proc/cpuinfo 2>/dev/null \
    && [ "${GPU_CHECK_CPU_BF16:-0}" != 1 ]; then
  CPU_PRECISIONS=$(tr ',' '\n' <<< "$PRECISIONS" | grep -vx bf16 | paste -sd, - || true)
  echo "gpu-check: this CPU has no bfloat16 instructions (neither avx512_bf16 nor amx_bf16): bf16 is timed on" \
    "cuda:0 only (GPU_CHECK_CPU_BF16=1 times it on the CPU too)" | tee -a "$B/summary.txt"
fi
runs=("cuda:0|$PRECISIONS")
[ -z "$CPU_PRECISIONS" ] || runs+=("cpu|$CPU_PRECISIONS")
rm -f "$B"/sam2-frame-*.json
: > "$B/jmh.log"
jsons=()
for run in "${runs[@]}"; do
  dev=${run%%|*}
  json="$B/sam2-frame-run-${dev%%:*}.json"
  "${jmh[@]}" "$JMH_REGEX" -p backend=native -p device="$dev" -p precision="${run#*|}" \
    -p model=bench-models/sam2.1_hiera_t \
    -jvmArgsAppend "--enable-native-access=ALL-UNNAMED -Dpromptonce.native.path=$LIB" "${JMH_RUN[@]}" \
    -rf json -rff "$json" 2>&1 | tee -a "$B/jmh.log" || fail "JMH failed on $dev (see $B/jmh.log)"
  [ -f "$json" ] || fail "JMH wrote no results for $dev (see $B/jmh.log)"
  jsons+=("$json")
done
"$PY" - "$B/sam2-frame-gpu.json" "$PRECISIONS" "$CPU_PRECISIONS" "${jsons[@]}" <<'PYEOF' | tee -a "$B/summary.txt" \
  || fail "the frame was not timed on both devices, or its results are unreadable (see above and $B/jmh.log)"
import json, sys
rows = [r for f in sys.argv[4:] for r in json.load(open(f))]
with open(sys.argv[1], "w") as out:  # one file of every run's results, brought back
    json.dump(rows, out, indent=1)
print("\nSAM 2.1 hiera tiny, one frame over a full bank (ms, JMH single shots):")
for r in rows:
    p = r["params"]
    m = r["primaryMetric"]
    err = m.get("scoreError")
    err = f"+- {err:.1f}" if isinstance(err, (int, float)) else "(no error estimate)"
    print(f"  {r['benchmark'].rsplit('.', 1)[1]:<26} {p['device']:<7} {p.get('precision', 'fp32'):<5} "
          f"{m['score']:10.1f} {err} {m['scoreUnit']}")
timed = {(r["params"]["device"], r["params"].get("precision", "fp32")) for r in rows if r["benchmark"].endswith(".frame")}
wanted = ({("cuda:0", p) for p in sys.argv[2].split(",")}
          | {("cpu", p) for p in sys.argv[3].split(",") if p})
missing = {f"{d} {p}" for d, p in wanted - timed}
frame = {k: r["primaryMetric"]["score"] for r in rows if r["benchmark"].endswith(".frame")
         for k in [(r["params"]["device"], r["params"].get("precision", "fp32"))]}
for d in ("cuda:0", "cpu"):
    if (d, "fp32") in frame and (d, "bf16") in frame:
        print(f"  frame bf16 / fp32 on {d}: {frame[(d, 'bf16')] / frame[(d, 'fp32')]:.2f}")
if missing:
    sys.exit(f"no frame timing for {', '.join(sorted(missing))} (a failed benchmark: see jmh.log)")
PYEOF
echo
echo "gpu-check: PASS (native tests, Java CUDA tests, frame timed; logs and results in $B/)" | tee -a "$B/summary.txt"
