#!/usr/bin/env bash
# Prepares, on a machine with a JDK, a self-contained bundle for a GPU machine that has no JDK: a jlinked
# runtime, the jars, and the scripts. Copy the resulting tarball to the GPU machine and run ./run.sh there.
#
#   gpu-check/prepare.sh [OUT_DIR]     (default: target/gpu-check; also writes OUT_DIR.tar.gz)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$root/target/gpu-check}"
java_home="${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}"
[ -x "$java_home/bin/jlink" ] || { echo "no jlink in $java_home: set JAVA_HOME to a JDK 17+" >&2; exit 1; }

# A build with the peers profile leaves ~400 MB of their natives in bench/target/lib: start without them.
rm -rf "$root/bench/target/lib"
(cd "$root" && ./mvnw -q -B -DskipTests -pl bench -am install)
rm -rf "$out"
mkdir -p "$out/lib"
cp "$root/bench/target/deconv3d-bench.jar" "$out/lib/"
for jar in "$root"/bench/target/lib/*.jar; do
  case "$(basename "$jar")" in
    jmh-*|jopt-*|commons-math3-*) ;;   # only the JMH benchmarks need these
    *) cp "$jar" "$out/lib/" ;;
  esac
done
version="$("$java_home/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')"
compress="--compress=2"
[ "${version%%.*}" -ge 21 ] && compress="--compress=zip-6"
"$java_home/bin/jlink" --add-modules java.base,java.logging,jdk.incubator.vector --strip-debug --no-man-pages \
  --no-header-files "$compress" --output "$out/runtime"
cp "$root/gpu-check/run.sh" "$root/gpu-check/torch_check.py" "$out/"
tar -C "$(dirname "$out")" -czf "$out.tar.gz" "$(basename "$out")"
echo "bundle: $out ($(du -sh "$out" | cut -f1)), tarball: $out.tar.gz ($(du -h "$out.tar.gz" | cut -f1))"
echo "on the GPU machine: tar xzf $(basename "$out").tar.gz && $(basename "$out")/run.sh"
