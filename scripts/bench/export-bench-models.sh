#!/usr/bin/env bash
# Random-weight exports for the benchmarks, into the git-ignored bench-models/ (large: not committed).
#   scripts/bench/export-bench-models.sh [ARCH ...]     default: test-tiny sam2.1_hiera_t sam_vit_b
set -euo pipefail
cd "$(dirname "$0")/../.."
archs=("$@")
[ ${#archs[@]} -gt 0 ] || archs=(test-tiny sam2.1_hiera_t sam_vit_b)
for a in "${archs[@]}"; do
  seed=0; [ "$a" = test-tiny ] && seed=3
  [ -f "bench-models/$a/manifest.json" ] || /usr/bin/python3 models/export.py --arch "$a" --random-init --seed "$seed" --out "bench-models/$a"
done
