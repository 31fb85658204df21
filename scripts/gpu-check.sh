#!/usr/bin/env bash
# GPU check, for a machine with an NVIDIA GPU, its driver, the CUDA toolkit (nvcc and headers: CMake's
# find_package(Torch) of a CUDA LibTorch needs them) and a Python whose PyTorch has CUDA. CI never has one.
#
#   scripts/gpu-check.sh                 # PYTHON=python3 (any Python with a CUDA torch: PYTHON=.venv/bin/python)
#
# 1. builds native/ against that PyTorch's own LibTorch (torch.utils.cmake_prefix_path) into build-gpu/ and runs
#    its ctest tests (CUDA tensors, modules and streams run when a GPU is visible);
# 2. runs the Java CUDA tests (CudaTest: tensors, calls and a CUDA stream through the native backend) with the
#    library Maven builds against the same LibTorch (-Dtorch.prefix), and checks that they ran, not skipped;
# 3. times a SAM 2.1 hiera tiny frame (random weights, full bank) on cuda:0 and on the CPU with JMH
#    (Sam2FrameBenchmark -p device=cpu,cuda:0, native backend, -Dpromptonce.native.path=build-gpu/...).
# Everything it writes: build-gpu/ (the native build and logs), java/target, jmh/target, bench-models/.
# Stops with a message at the first thing missing or failing. Expected time: ~10 min (Maven downloads the first
# time, the export, ~1 min of benchmark).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PY=${PYTHON:-python3}
JDK=${PROMPTONCE_JDK:-${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}}
OUT=build-gpu
mkdir -p "$OUT"

fail() { echo "gpu-check: FAIL: $*" >&2; exit 1; }
step() { echo; echo "== gpu-check: $*"; }

step "GPU, driver and a CUDA PyTorch"
command -v nvidia-smi >/dev/null || fail "nvidia-smi not found: no NVIDIA driver on this machine"
nvidia-smi -L || fail "nvidia-smi sees no GPU"
command -v "$PY" >/dev/null || fail "no Python '$PY' (set PYTHON=/path/to/python with a CUDA PyTorch)"
"$PY" - <<'PYEOF' || fail "this Python's PyTorch cannot use CUDA (see above)"
import sys
import torch
print(f"torch {torch.__version__}, CUDA {torch.version.cuda}, cuDNN {torch.backends.cudnn.version()}")
if torch.version.cuda is None:
    sys.exit("torch is a CPU-only build")
if not torch.cuda.is_available():
    sys.exit("torch.cuda.is_available() is False (driver too old for this CUDA build, or no GPU visible)")
print("device 0:", torch.cuda.get_device_name(0))
PYEOF
PREFIX=$("$PY" -c 'import torch; print(torch.utils.cmake_prefix_path)')
echo "LibTorch of that PyTorch: $PREFIX"
command -v nvcc >/dev/null || echo "gpu-check: warning: nvcc not on PATH; find_package(Torch) of a CUDA LibTorch" \
  "needs the CUDA toolkit (set CUDACXX or CUDA_HOME / PATH) and will fail below without it" >&2
[ -x "$JDK/bin/java" ] || fail "no JDK at $JDK (set PROMPTONCE_JDK to a JDK >= 22)"
command -v cmake >/dev/null || fail "cmake not found"
command -v mvn >/dev/null || fail "mvn not found"

step "native/ against $PREFIX"
cmake -S . -B "$OUT" -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$PREFIX" 2>&1 | tee "$OUT/cmake.log" \
  || fail "CMake could not configure native/ against $PREFIX (see $OUT/cmake.log; a CUDA LibTorch needs nvcc)"
grep -q "CUDA streams: ON" "$OUT/cmake.log" || fail "CMake found a LibTorch without CUDA (see $OUT/cmake.log)"
cmake --build "$OUT" --parallel "$(nproc)" || fail "native/ did not build against $PREFIX"
(cd "$OUT" && ctest --output-on-failure 2>&1) | tee "$OUT/ctest.log" || fail "native tests failed (see $OUT/ctest.log)"
# po_tests prints this note when it skips the GPU part of the device tests
if (cd "$OUT" && ctest -R po_devices -V 2>&1) | grep -q "CUDA build without a GPU"; then
  fail "the native device tests did not see the GPU"
fi
LIB="$ROOT/$OUT/native/libpromptonce.so"

step "Java CUDA tests (native backend)"
# java/ builds its own copy of the library against the same LibTorch and runs ctest again on the way
JAVA_HOME=$JDK mvn -B -pl java test -Dtorch.prefix="$PREFIX" -Dpromptonce.python="$(command -v "$PY")" \
  -Dtest=CudaTest -Dsurefire.failIfNoSpecifiedTests=false 2>&1 | tee "$OUT/java-cuda-tests.log" \
  || fail "the Java build or CudaTest failed (see $OUT/java-cuda-tests.log)"
report=java/target/surefire-reports/TEST-io.github.promptonce.runtime.CudaTest.xml
[ -f "$report" ] || fail "no CudaTest report ($report)"
"$PY" - "$report" <<'PYEOF' || fail "CudaTest did not pass with every test run (see $OUT/java-cuda-tests.log)"
import sys
import xml.etree.ElementTree as ET
r = ET.parse(sys.argv[1]).getroot()
t, s, f, e = (int(r.get(k, 0)) for k in ("tests", "skipped", "failures", "errors"))
print(f"CudaTest: {t} tests, {s} skipped, {f} failures, {e} errors")
sys.exit(0 if t > 0 and s == 0 and f == 0 and e == 0 else 1)
PYEOF

step "a SAM 2.1 hiera tiny frame on cuda:0 and on the CPU (JMH)"
JAVA_HOME=$JDK mvn -B -DskipTests -Dtorch.prefix="$PREFIX" -Dpromptonce.python="$(command -v "$PY")" \
  -pl java,javacpp,jmh -am install > "$OUT/mvn-install.log" 2>&1 || fail "mvn install failed (see $OUT/mvn-install.log)"
PYTHON=$(command -v "$PY") scripts/bench/export-bench-models.sh sam2.1_hiera_t
OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE} "$JDK/bin/java" --enable-native-access=ALL-UNNAMED \
  -jar jmh/target/benchmarks.jar 'Sam2FrameBenchmark' -p backend=native -p device=cuda:0,cpu \
  -p model=bench-models/sam2.1_hiera_t -jvmArgsAppend "-Dpromptonce.native.path=$LIB" -wi 3 -i 10 \
  -rf json -rff "$OUT/sam2-frame-gpu.json" 2>&1 | tee "$OUT/jmh.log" || fail "JMH failed (see $OUT/jmh.log)"
grep -q "Sam2FrameBenchmark.frame" "$OUT/jmh.log" || fail "the frame benchmark did not run (see $OUT/jmh.log)"
"$PY" - "$OUT/sam2-frame-gpu.json" <<'PYEOF'
import json, sys
rows = json.load(open(sys.argv[1]))
print("\nSAM 2.1 hiera tiny, one frame over a full bank (ms, JMH single shots):")
for r in rows:
    p = r["params"]
    m = r["primaryMetric"]
    print(f"  {r['benchmark'].rsplit('.', 1)[1]:<26} {p['device']:<7} {m['score']:10.1f} +- {m['scoreError']:.1f} "
          f"{m['scoreUnit']}")
PYEOF
echo
echo "gpu-check: PASS (native tests, Java CUDA tests, frame timed; logs and results in $OUT/)"
