#!/usr/bin/env bash
# The test command: installs what is missing, then runs every test (ctest, JUnit, models/ pytest).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export JAVA_HOME=${PROMPTONCE_JDK:-/usr/lib/jvm/temurin-25-jdk-amd64}
export PATH="$JAVA_HOME/bin:$PATH"

# Real medical files for the I/O tests, from Debian's archive (never committed).
[ -x scripts/fetch-testdata.sh ] && bash scripts/fetch-testdata.sh
# Reference DICOM tools (dcmtk, gdcm, dicom3tools, dcm2niix, pydicom) the DICOM codec/SEG/geometry tests compare with.
bash scripts/setup-dicom-tools.sh
# Headless chromium + chromedriver for the serve page test (ServePageBrowserTest).
bash scripts/setup-browser.sh

echo "== models/ (pytest)"
if [ -d models/tests ]; then
  (cd models && /usr/bin/python3 -m pytest -q tests)
fi

echo "== native + Java (Maven)"
# spark/'s integration test starts a local Spark cluster (scripts/spark-cluster.sh): stopped here too, even on failure
trap 'PROMPTONCE_SPARK_PORT=7177 PROMPTONCE_SPARK_DIR=spark/target/it-cluster bash scripts/spark-cluster.sh stop >/dev/null 2>&1 || true' EXIT
mvn -B verify "$@"
