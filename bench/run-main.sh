#!/usr/bin/env bash
# Builds the bench module with the peers (TensorFlow Java, ONNX Runtime, ND4J; about 400 MB of native libraries
# from Maven Central, once) and runs the bench main class $1 with the remaining arguments, on $JAVA_HOME's java
# (else the one on PATH). Used by suite.sh and gradients.sh.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
main="$1"
shift
./mvnw -q -B -Ppeers -DskipTests -pl bench -am install
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
flags=(--add-modules jdk.incubator.vector)
"$java" --enable-native-access=ALL-UNNAMED -version >/dev/null 2>&1 && flags+=(--enable-native-access=ALL-UNNAMED)
# JDK 23+ warns when JMH (the benchmarks) uses sun.misc.Unsafe unless that use is allowed.
"$java" --sun-misc-unsafe-memory-access=allow -version >/dev/null 2>&1 && flags+=(--sun-misc-unsafe-memory-access=allow)
# Every benchmark fork prints the JVM's notice about the incubator module: expected, and said once in the README.
incubator='^WARNING: Using incubator modules: jdk.incubator.vector$'
"$java" "${flags[@]}" -cp "bench/target/deconv3d-bench.jar:bench/target/lib/*" "$main" "$@" \
  2> >(grep --line-buffered -v "$incubator" >&2) | grep --line-buffered -v "$incubator"
