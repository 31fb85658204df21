#!/usr/bin/env bash
# Random-weight exports for the benchmarks, into the git-ignored bench-models/ (large: not committed).
#   scripts/bench/export-bench-models.sh [ARCH ...]     default: test-tiny sam2.1_hiera_t sam_vit_b
# The pairs of scripts/bench/sam2-vs-sam.sh: sam_vit_b + sam2.1_hiera_t (tiny), sam_vit_l + sam2.1_hiera_l (large).
# An export is redone when models/promptonce_models changed since it was made (bench-models/ARCH/.source holds the
# git tree id of that folder, plus "+dirty" for uncommitted changes), so timings always measure the current code.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PYTHON:-/usr/bin/python3}
archs=("$@")
[ ${#archs[@]} -gt 0 ] || archs=(test-tiny sam2.1_hiera_t sam_vit_b)
source_id="$(git rev-parse HEAD:models/promptonce_models 2>/dev/null || echo unknown)"
git diff --quiet HEAD -- models/promptonce_models 2>/dev/null || source_id="$source_id+dirty"
for a in "${archs[@]}"; do
  seed=0
  case "$a" in test-tiny|test-tiny-sam) seed=3 ;; esac
  out="bench-models/$a"
  if [ -f "$out/manifest.json" ] && [ "$(cat "$out/.source" 2>/dev/null)" = "$source_id" ] \
     && [ "$source_id" = "${source_id%+dirty}" ]; then
    continue
  fi
  nice -n "${EXPORT_NICE:-0}" "$PY" models/export.py --arch "$a" --random-init --seed "$seed" --out "$out" --force
  echo "$source_id" > "$out/.source"
done
