#!/usr/bin/env bash
# A real Spark standalone cluster on this machine, from Maven artifacts (no Spark download):
#   scripts/spark-cluster.sh start    master + 2 workers (1 core each), separate JVMs on 127.0.0.1
#   scripts/spark-cluster.sh status   prints the master URL and whether each JVM runs (exit 1 when one does not)
#   scripts/spark-cluster.sh stop     stops the JVMs this script started (by their recorded pids)
# Environment: PROMPTONCE_SPARK_DIR (state, logs; default spark/target/cluster), PROMPTONCE_SPARK_PORT (7077),
# PROMPTONCE_SPARK_WORKERS (2), PROMPTONCE_SPARK_WORKER_MEMORY (2g), JAVA_HOME (a JDK 25; default Temurin 25).
# Spark needs a SPARK_HOME with jars/ to launch executors: the script makes one of links to the Maven jars.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
state="${PROMPTONCE_SPARK_DIR:-$root/spark/target/cluster}"
port="${PROMPTONCE_SPARK_PORT:-7077}"
workers="${PROMPTONCE_SPARK_WORKERS:-2}"
memory="${PROMPTONCE_SPARK_WORKER_MEMORY:-2g}"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
[ -x "$JAVA_HOME/bin/java" ] || JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
master_url="spark://127.0.0.1:$port"

spark_version() {
  sed -n 's:.*<spark.version>\(.*\)</spark.version>.*:\1:p' "$root/spark/pom.xml" | head -n1
}

# the JVM flags Spark's launcher gives on JDK 17+ (from spark/pom.xml, the same list the tests use)
jvm_flags() {
  sed -n 's:.*<spark.jvm.flags>\(.*\)</spark.jvm.flags>.*:\1:p' "$root/spark/pom.xml" | head -n1
}

# SPARK_HOME/jars: links to spark-sql's jars and their dependencies, resolved by Maven
make_spark_home() {
  local home="$state/spark-home" v
  v="$(spark_version)"
  if [ -f "$home/version" ] && [ "$(cat "$home/version")" = "$v" ]; then
    return
  fi
  rm -rf "$home" && mkdir -p "$home/jars" "$home/conf" "$state/resolve"
  cat > "$state/resolve/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
  <groupId>io.github.promptonce</groupId><artifactId>spark-cluster-classpath</artifactId><version>1</version>
  <dependencies><dependency><groupId>org.apache.spark</groupId><artifactId>spark-sql_2.13</artifactId>
    <version>$v</version></dependency></dependencies></project>
POM
  (cd "$state/resolve" && mvn -B -q dependency:build-classpath -Dmdep.outputFile="$state/resolve/classpath.txt" \
    ${PROMPTONCE_MVN_OFFLINE:+-o}) >&2
  tr ':' '\n' < "$state/resolve/classpath.txt" | while read -r jar; do ln -sf "$jar" "$home/jars/"; done
  echo "$v" > "$home/version"
}

running() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

launch() { # name main-class args...
  local name="$1"; shift
  # shellcheck disable=SC2046  # the flags are a list
  SPARK_HOME="$state/spark-home" SPARK_SCALA_VERSION=2.13 SPARK_LOCAL_IP=127.0.0.1 OMP_WAIT_POLICY=passive \
    SPARK_LOG_DIR="$state/logs" nohup "$JAVA_HOME/bin/java" $(jvm_flags) -Xmx512m -cp "$state/spark-home/jars/*" \
    "$@" > "$state/logs/$name.log" 2>&1 < /dev/null &
  echo $! > "$state/$name.pid"
}

wait_for() { # file pattern seconds
  local i
  for ((i = 0; i < $3 * 2; i++)); do
    grep -q "$2" "$1" 2>/dev/null && return 0
    sleep 0.5
  done
  echo "spark-cluster: timed out waiting for '$2' in $1:" >&2
  tail -n 20 "$1" >&2 || true
  return 1
}

start() {
  mkdir -p "$state/logs"
  if running "$state/master.pid"; then
    echo "spark-cluster: already running ($master_url)"
    return 0
  fi
  make_spark_home
  launch master org.apache.spark.deploy.master.Master --host 127.0.0.1 --port "$port" --webui-port 0
  wait_for "$state/logs/master.log" "I have been elected leader" 60
  for ((w = 1; w <= workers; w++)); do
    mkdir -p "$state/work-$w"
    launch "worker-$w" org.apache.spark.deploy.worker.Worker --host 127.0.0.1 --cores 1 --memory "$memory" \
      --webui-port 0 --work-dir "$state/work-$w" "$master_url"
  done
  for ((w = 1; w <= workers; w++)); do
    wait_for "$state/logs/worker-$w.log" "Successfully registered with master" 60
  done
  echo "spark-cluster: $master_url, $workers worker(s) of 1 core (logs in $state/logs)"
}

stop() {
  local f pid
  for f in "$state"/worker-*.pid "$state/master.pid"; do
    [ -f "$f" ] || continue
    pid="$(cat "$f")"
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
      kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$f"
  done
  echo "spark-cluster: stopped"
}

status() {
  local ok=0 f
  echo "master: $master_url"
  for f in "$state/master.pid" "$state"/worker-*.pid; do
    if running "$f"; then echo "$(basename "$f" .pid): running (pid $(cat "$f"))"; else echo "$(basename "$f" .pid): not running"; ok=1; fi
  done
  return $ok
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
