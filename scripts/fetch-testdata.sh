#!/usr/bin/env bash
# Fetches the real medical files the I/O tests use (NIfTI, DICOM) from Debian's archive into .testdata/ at the
# repository root (git-ignored; never committed). Idempotent: does nothing when the files are already there.
#   python3-nibabel           (MIT)        usr/lib/python3/dist-packages/nibabel/tests/data/
#   python3-pydicom           (MIT/BSD-3)  usr/lib/python3/dist-packages/pydicom/data/test_files/
#   insighttoolkit5-examples  (Apache-2.0) usr/share/doc/insighttoolkit5-examples/examples/Data/
# Tests find the data through the system property promptonce.testdata (set by java/pom.xml).
set -euo pipefail
cd "$(dirname "$0")/.."
DEST="$PWD/.testdata"
PACKAGES=(python3-nibabel python3-pydicom insighttoolkit5-examples)
# One file per package that proves its extraction is complete.
MARKERS=(
  usr/lib/python3/dist-packages/nibabel/tests/data/anatomical.nii
  usr/lib/python3/dist-packages/pydicom/data/test_files/CT_small.dcm
  usr/share/doc/insighttoolkit5-examples/examples/Data/KmeansTest_T1UCharRaw.nii.gz
)

complete=1
for m in "${MARKERS[@]}"; do [ -f "$DEST/$m" ] || complete=0; done
if ((complete)); then
  echo "fetch-testdata: $DEST is complete" >&2
  exit 0
fi

command -v apt-get >/dev/null || { echo "fetch-testdata: apt-get not found (needs a Debian-like system)" >&2; exit 1; }
command -v dpkg-deb >/dev/null || { echo "fetch-testdata: dpkg-deb not found" >&2; exit 1; }

mkdir -p "$DEST/debs"
cd "$DEST/debs"
# apt-get download drops privileges to _apt; let it write here.
chmod 0777 "$DEST/debs" 2>/dev/null || true
if ! apt-get download "${PACKAGES[@]}"; then
  echo "fetch-testdata: download failed; running apt-get update and retrying" >&2
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -q
  apt-get download "${PACKAGES[@]}"
fi
for p in "${PACKAGES[@]}"; do
  deb=$(ls -t "${p}"_*.deb | head -n1)
  echo "fetch-testdata: extracting $deb" >&2
  dpkg-deb -x "$deb" "$DEST"
done
for m in "${MARKERS[@]}"; do
  [ -f "$DEST/$m" ] || { echo "fetch-testdata: $m missing after extraction" >&2; exit 1; }
done
echo "fetch-testdata: done ($DEST)" >&2
