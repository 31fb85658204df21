#!/usr/bin/env bash
# Installs the headless browser the `serve` page test drives (ServePageBrowserTest), when missing; idempotent.
#   chromium         /usr/bin/chromium
#   chromium-driver  /usr/bin/chromedriver (Selenium talks to it; Selenium itself comes from Maven Central)
set -euo pipefail
PACKAGES=(chromium chromium-driver)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup-browser: installing ${missing[*]}" >&2
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  echo "setup-browser: all packages present" >&2
fi
