#!/usr/bin/env bash
# Runs a standard YCSB workload (a-f) against CairnDB through the cairn-ycsb binding.
#   bench/ycsb.sh load a [YCSB options...]    insert the records of workload a
#   bench/ycsb.sh run  a [YCSB options...]    run workload a's operations
# Options go to YCSB's client, e.g. -threads 16 -p cairn.target=127.0.0.1:7070
# -p recordcount=10000 -p operationcount=10000 -p cairn.rf=1. See BENCHMARKS.md.
# Builds cairn-ycsb first when its jar is missing or older than the sources.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
usage() {
  sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}
[ $# -ge 2 ] || usage
case "$1" in
  load) phase=-load ;;
  run) phase=-t ;;
  *) usage ;;
esac
workload="$root/cairn-ycsb/workloads/workload$2"
[ -f "$workload" ] || { echo "ycsb.sh: no workload '$2'; choose one of a b c d e f" >&2; exit 2; }
shift 2
jar="$root/cairn-ycsb/target/cairn-ycsb.jar"
sources=("$root"/cairn-{api,core,client,ycsb}/src/main)
if [ ! -f "$jar" ] || [ -n "$(find "$root" -name pom.xml -newer "$jar" -print -quit)" ] \
    || [ -n "$(find "${sources[@]}" -newer "$jar" -type f -print -quit)" ]; then
  echo "ycsb.sh: building cairn-ycsb..." >&2
  (cd "$root" && mvn -q -B -T1 -Dstyle.color=never -DskipTests package -pl cairn-ycsb -am) >&2
fi
# shellcheck disable=SC2086
exec java ${CAIRN_JAVA_OPTS:-} -cp "$jar" site.ycsb.Client "$phase" \
  -db io.cairndb.ycsb.CairnDbClient -P "$workload" -s "$@"
