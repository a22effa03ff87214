#!/usr/bin/env bash
# Builds the cuda backend's kernel image from deconv3d.cu with nvcc and checks that the committed image is the
# one this source and compiler produce. Run by the Maven build (cuda module, generate-resources).
#
#   build-image.sh            build into target/cuda and fail if the committed image or report is stale
#   build-image.sh --update   build and replace the committed image and resource report
#
# Without nvcc on PATH it does nothing: the committed image is used as it is.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
module="$(cd "$here/../../.." && pwd)"
source_file="${DECONV3D_CU:-$here/deconv3d.cu}"
committed="${DECONV3D_IMAGE:-$module/src/main/resources/org/deconv3d/cuda/deconv3d.fatbin}"
committed_report="${DECONV3D_REPORT:-$here/resource-report.txt}"
out="${DECONV3D_OUT:-$module/target/cuda}"

if ! command -v nvcc >/dev/null 2>&1; then
  echo "deconv3d cuda: nvcc not on PATH, using the committed kernel image as it is"
  exit 0
fi

# SASS for every architecture CUDA 13 supports, from Turing on, and PTX of the newest for GPUs still to come.
gencode=()
for sm in 75 80 86 89 90 100 120; do
  gencode+=(-gencode "arch=compute_$sm,code=sm_$sm")
done
gencode+=(-gencode "arch=compute_120,code=compute_120")

mkdir -p "$out"
nvcc --fatbin --threads 0 -O3 -Werror all-warnings -Xptxas -v "${gencode[@]}" -o "$out/deconv3d.fatbin" "$source_file" \
  2> "$out/ptxas.log"
{
  echo "# ptxas resource usage of deconv3d.cu ($(nvcc --version | tail -n 1)); regenerate: build-image.sh --update"
  # One record per kernel and architecture, sorted: nvcc --threads interleaves the architectures' logs.
  grep -v -e 'Compile time' -e 'bytes gmem' "$out/ptxas.log" | sed 's/^ptxas info    : //' \
    | awk '/^Compiling entry function/ { if (r != "") print r; r = $0; next } { r = r "\t" $0 } END { if (r != "") print r }' \
    | sort | tr '\t' '\n'
} > "$out/resource-report.txt"

if [ "${1:-}" = "--update" ]; then
  mkdir -p "$(dirname "$committed")"
  cp "$out/deconv3d.fatbin" "$committed"
  cp "$out/resource-report.txt" "$committed_report"
  echo "deconv3d cuda: updated $committed and $committed_report"
  exit 0
fi

stale=0
cmp -s "$out/deconv3d.fatbin" "$committed" || stale=1
cmp -s "$out/resource-report.txt" "$committed_report" || stale=1
if [ "$stale" -ne 0 ]; then
  echo "deconv3d cuda: the committed kernel image is stale: it is not what nvcc builds from $source_file." >&2
  echo "Run: bash cuda/src/main/cuda/build-image.sh --update, then commit the image and resource-report.txt." >&2
  exit 1
fi
# Silent when current (the build runs this on every machine with nvcc; a CPU user has nothing to act on), unless
# DECONV3D_VERBOSE is set, as the stale-image test does.
if [ -n "${DECONV3D_VERBOSE:-}" ]; then
  echo "deconv3d cuda: committed kernel image is current ($(wc -c < "$committed") bytes)"
fi
