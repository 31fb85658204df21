#!/usr/bin/env bash
# Java per-frame propagation (bin/promptonce segment) vs the official SAM2VideoPredictor, same random weights, same
# volume, same machine and threads; prints both per-frame medians and the Java / official ratio (target <= 0.5).
#   scripts/bench/java-vs-official.sh [--frames N] [--arch sam2.1_hiera_t] [--backend native|javacpp] [--precision bf16] [...]
#   --also-serial: Java a second time with --no-encode-ahead, reported beside the default (+ ~ 3 min at 20 frames)
# Local only: needs the official sam2 code in $OFFICIAL_SRC (default /tmp/official) and
# ../shared/tools/official_shim.py (see models/tools/parity_official.py); neither is a dependency.
# Full size, 20 frames, 2 cores: ~ 15 min (both sides together).
set -euo pipefail
cd "$(dirname "$0")/../.."
JDK=${PROMPTONCE_JDK:-/usr/lib/jvm/temurin-25-jdk-amd64}
export OFFICIAL_SRC=${OFFICIAL_SRC:-/tmp/official}
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}
[ -f cli/target/promptonce-cli.jar ] || JAVA_HOME=$JDK mvn -B -q -DskipTests install
exec /usr/bin/python3 scripts/bench/java_vs_official.py "$@"
