#!/usr/bin/env bash
# Prebuilt Java for scripts/gpu-check.sh on a GPU machine that has no JDK and no Maven (the lent device machine:
# Python + CUDA PyTorch, nvcc, CMake, ninja; no network). Run it HERE, where the JDK and Maven's ~/.m2 are:
#
#   scripts/gpu-bundle.sh            # writes the git-ignored .gpu-bundle/ (GPU_BUNDLE=DIR for another folder)
#
# then send .gpu-bundle/ along with the working tree (the device tool: carry [".gpu-bundle"]) and run
# scripts/gpu-check.sh there: without mvn it uses the bundle (or set GPU_BUNDLE=.gpu-bundle).
#
# .gpu-bundle/ holds
#   runtime/   a jlink'ed Java runtime (JDK 25; java.base, java.logging, java.management, jdk.unsupported)
#   lib/       promptonce.jar: java/target/classes WITHOUT the bundled libpromptonce.so (the GPU machine builds
#              native/ against its own LibTorch and loads it with -Dpromptonce.native.path=...) and without the
#              embedded default model (DefaultModel is not usable from the bundle)
#   test/      the java module's test classes and test class path (JUnit 5, jqwik), junit-platform-launcher and
#              promptonce-runtests.jar (scripts/gpu-bundle/RunTests.java: runs test classes with the JUnit launcher)
#   jmh/       jmh/target/classes as a jar + jmh-core and its dependencies; no JavaCPP / PyTorch jars (the native
#              backend only: -p backend=native)
#   BUNDLE.txt what it was built from (commit, JDK) and the class paths
#   class paths: test = "lib/*:test/*", main class RunTests; jmh = "lib/*:jmh/*", main class org.openjdk.jmh.Main.
#
# The Java classes come from java/target and jmh/target; when a source is newer than them (or they are missing) it
# first runs `mvn -o -q -B -DskipTests -pl java,jmh -am install` (GPU_BUNDLE_BUILD=never: fail instead;
# GPU_BUNDLE_BUILD=always: build anyway). The bundle plus the tracked tree must stay under 60 MiB (what travels to
# the device machine is limited to 64 MiB); the script checks that and prints the sizes.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
JDK=${PROMPTONCE_JDK:-/usr/lib/jvm/temurin-25-jdk-amd64}
DEST=${GPU_BUNDLE:-.gpu-bundle}
M2=${MAVEN_REPO:-$HOME/.m2/repository}
BUILD=${GPU_BUNDLE_BUILD:-auto}
MODULES=${GPU_BUNDLE_MODULES:-java.base,java.logging,java.management,jdk.unsupported}
LIMIT_MIB=60

fail() { echo "gpu-bundle: FAIL: $*" >&2; exit 1; }
say() { echo "gpu-bundle: $*"; }

[ -x "$JDK/bin/jlink" ] && [ -x "$JDK/bin/javac" ] && [ -x "$JDK/bin/jar" ] \
  || fail "no JDK with jlink, javac and jar at $JDK (set PROMPTONCE_JDK)"
"$JDK/bin/java" -version 2>&1 | grep -q 'version "25' || fail "$JDK is not a JDK 25 (set PROMPTONCE_JDK)"
command -v mvn >/dev/null || fail "mvn not found (needed to resolve the class paths from $M2)"

# --- 1. fresh Java classes (java/target, jmh/target) -------------------------------------------------------------
newest() { find "$@" -type f -printf '%T@\n' 2>/dev/null | sort -n | tail -1; }
stale() { # stale SRC_DIR OUT_DIR: OUT_DIR missing, or a file under SRC_DIR newer than everything in OUT_DIR
  [ -d "$2" ] || return 0
  local s o
  s=$(newest "$1"); o=$(newest "$2")
  [ -n "$o" ] || return 0
  awk -v s="${s:-0}" -v o="$o" 'BEGIN { exit !(s > o) }'
}
need_build=no
for pair in "java/src/main java/target/classes" "java/src/test/java java/target/test-classes" \
            "jmh/src/main jmh/target/classes"; do
  # shellcheck disable=SC2086
  if stale $pair; then need_build=yes; say "out of date or missing: ${pair#* }"; fi
done
[ -f jmh/target/classes/META-INF/BenchmarkList ] || need_build=yes
case "$BUILD" in
  always) need_build=yes ;;
  never) [ "$need_build" = no ] || fail "the Java classes are out of date (GPU_BUNDLE_BUILD=never)" ;;
esac
if [ "$need_build" = yes ]; then
  say "building: mvn -o -q -B -DskipTests -pl java,jmh -am install"
  JAVA_HOME=$JDK mvn -o -q -B -DskipTests -pl java,jmh -am install || fail "mvn install failed"
fi

# --- 2. class paths from Maven (offline) -------------------------------------------------------------------------
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
say "resolving class paths (mvn -o dependency:build-classpath)"
(cd java && JAVA_HOME=$JDK mvn -o -q -B dependency:build-classpath -Dmdep.includeScope=test \
   -Dmdep.outputFile="$TMP/java-test.cp" > "$TMP/mvn.log" 2>&1) \
   || { cat "$TMP/mvn.log" >&2; fail "could not resolve java/'s test class path offline"; }
(cd jmh && JAVA_HOME=$JDK mvn -o -q -B dependency:build-classpath -Dmdep.includeScope=runtime \
   -Dmdep.outputFile="$TMP/jmh.cp" > "$TMP/mvn.log" 2>&1) \
   || { cat "$TMP/mvn.log" >&2; fail "could not resolve jmh/'s class path offline"; }
tr ':' '\n' < "$TMP/java-test.cp" | grep -v '^$' > "$TMP/test.jars"
# jmh/: keep jmh-core and its dependencies; drop our own modules (taken from target/ below), JavaCPP / PyTorch
# (backend=javacpp only) and the annotation processor (compile time only)
tr ':' '\n' < "$TMP/jmh.cp" | grep -v '^$' \
  | grep -v -e '/io/github/promptonce/' -e '/org/bytedeco/' -e '/jmh-generator-' > "$TMP/jmh.jars" || true
grep -q '/jmh-core-' "$TMP/jmh.jars" || fail "jmh-core is not on jmh/'s class path"
engine=$(grep -o 'junit-platform-engine-[0-9][^/]*\.jar$' "$TMP/test.jars" | head -1)
pv=${engine#junit-platform-engine-}; pv=${pv%.jar}
[ -n "$pv" ] || fail "no junit-platform-engine on java/'s test class path"
launcher="$M2/org/junit/platform/junit-platform-launcher/$pv/junit-platform-launcher-$pv.jar"
[ -f "$launcher" ] || fail "no $launcher in the local Maven repository (the launcher matching JUnit Platform $pv)"
echo "$launcher" >> "$TMP/test.jars"

# --- 3. the bundle -----------------------------------------------------------------------------------------------
rm -rf "$DEST"
mkdir -p "$DEST/lib" "$DEST/test" "$DEST/jmh"

say "jlink: $MODULES"
"$JDK/bin/jlink" --add-modules "$MODULES" --strip-debug --no-man-pages --no-header-files --compress=zip-9 \
  --output "$DEST/runtime" || fail "jlink failed"
# libjvm.so keeps a full symbol table (~5 MB): the dynamic symbols it needs stay
if command -v strip >/dev/null; then
  strip --strip-unneeded "$DEST/runtime/lib/server/libjvm.so" || say "warning: could not strip libjvm.so"
fi

# promptonce.jar: the library classes without the bundled native library and the embedded default model
mkdir -p "$TMP/main"
cp -r java/target/classes/. "$TMP/main/"
rm -rf "$TMP/main/native" "$TMP/main/io/github/promptonce/default-model"
"$JDK/bin/jar" --create --file "$DEST/lib/promptonce.jar" -C "$TMP/main" . || fail "jar (promptonce) failed"

"$JDK/bin/jar" --create --file "$DEST/test/promptonce-tests.jar" -C java/target/test-classes . \
  || fail "jar (tests) failed"
while read -r j; do cp "$j" "$DEST/test/"; done < "$TMP/test.jars"
mkdir -p "$TMP/runtests"
"$JDK/bin/javac" --release 25 -d "$TMP/runtests" -cp "$(paste -sd: "$TMP/test.jars")" \
  scripts/gpu-bundle/RunTests.java || fail "javac RunTests.java failed"
"$JDK/bin/jar" --create --file "$DEST/test/promptonce-runtests.jar" -C "$TMP/runtests" . || fail "jar (RunTests) failed"

"$JDK/bin/jar" --create --file "$DEST/jmh/promptonce-jmh.jar" -C jmh/target/classes . || fail "jar (jmh) failed"
while read -r j; do cp "$j" "$DEST/jmh/"; done < "$TMP/jmh.jars"

# --- 4. checks ---------------------------------------------------------------------------------------------------
if find "$DEST" -name 'libpromptonce*' | grep -q .; then fail "a libpromptonce library got into $DEST"; fi
for j in "$DEST"/lib/*.jar "$DEST"/test/*.jar "$DEST"/jmh/*.jar; do
  if unzip -l "$j" | grep -q 'libpromptonce'; then fail "$j holds a libpromptonce library"; fi
  case "$j" in *bytedeco*|*javacpp*|*pytorch*) fail "$j: no JavaCPP / PyTorch jars in the bundle" ;; esac
done
J="$DEST/runtime/bin/java"
"$J" -version >/dev/null 2>&1 || fail "the jlink'ed java does not start"
probe=$("$J" -cp "$DEST/lib/*:$DEST/test/*" RunTests 2>&1 || true)  # no class: prints its usage, exits 2
grep -q 'usage: RunTests' <<<"$probe" || fail "RunTests does not start from the bundle: $probe"
probe=$("$J" -cp "$DEST/lib/*:$DEST/jmh/*" org.openjdk.jmh.Main -l Sam2FrameBenchmark 2>&1 || true)
grep -q 'Sam2FrameBenchmark.frame' <<<"$probe" || fail "JMH does not list Sam2FrameBenchmark from the bundle: $probe"

commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
git diff --quiet HEAD -- java/src jmh/src 2>/dev/null || commit="$commit+dirty(java/src or jmh/src)"
{
  echo "promptonce GPU bundle (scripts/gpu-bundle.sh), made $(date -u +%Y-%m-%dT%H:%M:%SZ) from commit $commit"
  echo "JDK: $("$JDK/bin/java" -version 2>&1 | head -1); jlink modules: $MODULES"
  echo "test class path: lib/*:test/*   (main class RunTests)"
  echo "jmh class path:  lib/*:jmh/*    (main class org.openjdk.jmh.Main)"
  echo "no libpromptonce.so: run java with --enable-native-access=ALL-UNNAMED -Dpromptonce.native.path=LIB"
  echo "files:"
  (cd "$DEST" && find lib test jmh -type f | sort)
} > "$DEST/BUNDLE.txt"

bundle_b=$(du -sb "$DEST" | cut -f1)
tree_b=$( { git ls-files -z; git ls-files -z --others --exclude-standard; } | grep -zv "^${DEST#./}/" \
  | xargs -0 -r stat -c %s -- 2>/dev/null | awk '{ s += $1 } END { print s + 0 }')
mib() { awk -v b="$1" 'BEGIN { printf "%.1f MiB", b / 1048576 }'; }
say "bundle $DEST: $(mib "$bundle_b") (runtime $(mib "$(du -sb "$DEST/runtime" | cut -f1)")); working tree that" \
  "travels: $(mib "$tree_b"); together $(mib $((bundle_b + tree_b))) (limit $LIMIT_MIB MiB)"
[ $((bundle_b + tree_b)) -lt $((LIMIT_MIB * 1048576)) ] || fail "bundle + working tree exceed $LIMIT_MIB MiB"
say "done: $DEST (commit $commit)"
