#!/usr/bin/env bash
# Installs what promptonce needs on Debian 12 and is missing; idempotent (installs nothing when all is there).
# JDK 25 and Maven are prerequisites (README). Run as root or with sudo available.
set -euo pipefail

PACKAGES=(
  cmake g++ make                      # the native layer
  libtorch-dev libopenblas0-pthread   # LibTorch 1.13 (without OpenBLAS its matmuls are ~7x slower)
  python3-torch python3-pytest        # models/: export and its tests
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  echo "setup: all packages present" >&2
fi

JDK=${PROMPTONCE_JDK:-/usr/lib/jvm/temurin-25-jdk-amd64}
if [ ! -x "$JDK/bin/java" ]; then
  echo "setup: JDK 25 not found at $JDK (set PROMPTONCE_JDK to a JDK 22+ home)" >&2
  exit 1
fi
command -v mvn >/dev/null || { echo "setup: Maven (mvn) not found; install it (apt-get install maven)" >&2; exit 1; }
