#!/usr/bin/env bash
# Where a benchmark's CPU time goes: builds the bench module with async-profiler (Maven profile `profiler`, its
# native library from the jar on Maven Central), runs the JMH benchmarks selected by the arguments under
# `-prof async` (CPU samples every millisecond, collapsed stacks), and prints the share of samples per pair of
# our innermost method and the frame sampled (ProfileSummary), e.g.
#
#   bench/profile.sh --out bench/results/$(date +%F)-profile 'Deconv3dBenchmark.run$' \
#       -p shape=vol -p threads=1 -p backend=simd
#
# Any JMH option may follow (defaults here: -f 1 -wi 3 -i 5). Linux x86-64 or arm64; writes profile.md into --out.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
out=""
if [ "${1:-}" = "--out" ]; then
  out="$2"
  shift 2
fi
if [ $# -eq 0 ]; then
  echo "usage: bench/profile.sh [--out DIR] BENCHMARK-REGEX [JMH options]" >&2
  exit 2
fi
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) arch=linux-x64 ;;
  Linux-aarch64) arch=linux-arm64 ;;
  *) echo "async-profiler's jar has no native library for $(uname -s) $(uname -m)" >&2; exit 1 ;;
esac
out="${out:-$(mktemp -d)}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
./mvnw -q -B -Pprofiler -DskipTests -pl bench -am install
lib="bench/target/async-profiler"
rm -rf "$lib" && mkdir -p "$lib"
(cd "$lib" && unzip -q -o "$root"/bench/target/lib/async-profiler-*.jar "$arch/libasyncProfiler.so")
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
flags=(--add-modules jdk.incubator.vector)
"$java" --enable-native-access=ALL-UNNAMED -version >/dev/null 2>&1 && flags+=(--enable-native-access=ALL-UNNAMED)
"$java" --sun-misc-unsafe-memory-access=allow -version >/dev/null 2>&1 && flags+=(--sun-misc-unsafe-memory-access=allow)
cp="bench/target/deconv3d-bench.jar:bench/target/lib/*"
"$java" "${flags[@]}" -cp "$cp" org.openjdk.jmh.Main -f 1 -wi 3 -i 5 "$@" \
  -prof "async:libPath=$root/$lib/$arch/libasyncProfiler.so;event=cpu;interval=1000000;output=collapsed;dir=$out" \
  2>&1 | grep -E '^(Benchmark|[A-Za-z0-9]+Benchmark\.)|Exception|Error'
"$java" -cp "$cp" org.deconv3d.bench.ProfileSummary "$out"
