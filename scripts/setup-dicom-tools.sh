#!/usr/bin/env bash
# Installs the reference DICOM tools the DICOM tests run against (Debian 12 packages), when missing; idempotent.
#   dcmtk          dcmdrle / dcmdjpeg / dcmdjpls (reference decoders), dcmcrle / dcmcjpeg / dcmcjpls, dcmodify
#   libgdcm-tools  gdcmconv (--raw: JPEG 2000 reference decoder; --j2k / -L: encoders)
#   dicom3tools    dciodvfy (validates the DICOM SEG objects promptonce writes)
#   dcm2niix       the geometry reference (NIfTI of a series)
#   python3-pydicom, python3-numpy  read-back of the SEG objects
set -euo pipefail
PACKAGES=(dcmtk libgdcm-tools dicom3tools dcm2niix python3-pydicom python3-numpy)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup-dicom-tools: installing ${missing[*]}" >&2
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  echo "setup-dicom-tools: all packages present" >&2
fi
