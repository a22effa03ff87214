#!/usr/bin/env bash
# Batch inference over a directory of .npy volumes on Apache Spark, in embedded local mode by default:
#
#   spark/run.sh --input DIR --filter w.npy [--bias b.npy] [the problem flags of ./deconv3d run] --out DIR [--master local[2]]
#   spark/run.sh bench [--volumes 40] [--rounds 5]      # Spark's overhead against a plain loop (ThroughputBenchmark)
#
# Builds the spark module the first time (Maven profile -Pspark; Spark's jars come from Maven Central, once), then
# runs org.deconv3d.spark.VolumeJob with the JVM flags Spark needs on JDK 17+ and the Vector API for simd.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$root/spark/target/deconv3d-spark.jar"
if [ ! -f "$jar" ] || [ -n "$(find "$root/core" "$root/simd" "$root/cli" "$root/spark" \( -name '*.java' -o -name 'pom.xml' \) \
    -newer "$jar" -not -path '*/target/*' -print -quit)" ]; then
  echo "deconv3d: building the spark module (first run or sources changed)..." >&2
  (cd "$root" && ./mvnw -q -B -Pspark -DskipTests -pl spark -am install) >&2
fi
main=org.deconv3d.spark.VolumeJob
if [ "${1:-}" = bench ]; then
  shift
  main=org.deconv3d.spark.ThroughputBenchmark
fi
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
# The same opens Spark's own launcher passes on JDK 17+ (kept in one place: the module's pom).
opens=$(sed -n 's:.*<spark.jvmArgs>\(.*\)</spark.jvmArgs>.*:\1:p' "$root/spark/pom.xml")
flags=(--add-modules jdk.incubator.vector $opens)
"$java" --enable-native-access=ALL-UNNAMED -version >/dev/null 2>&1 && flags+=(--enable-native-access=ALL-UNNAMED)
"$java" --sun-misc-unsafe-memory-access=allow -version >/dev/null 2>&1 && flags+=(--sun-misc-unsafe-memory-access=allow)
incubator='^WARNING: Using incubator modules: jdk.incubator.vector$'
set +e
"$java" "${flags[@]}" -cp "$jar:$root/spark/target/lib/*:$root/spark/target/spark-lib/*" "$main" "$@" \
  2> >(grep --line-buffered -v "$incubator" >&2)
status=$?
wait 2>/dev/null
exit "$status"
