#!/usr/bin/env bash
# Runs on a machine with an NVIDIA GPU and driver, from the bundle made by prepare.sh (no JDK needed): the cuda
# backend against the reference on random problems, timings of the benchmark shapes, and, where python3 with
# PyTorch is installed, PyTorch's conv_transpose3d and its gradients (cuDNN) on the same data for comparison.
#
#   run.sh [--problems 200] [--repeats 20]
# Exit status: 0 everything agreed, else that of the first part that did not.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
java="$here/runtime/bin/java"
[ -x "$java" ] || java="$(command -v java)"
out="$here/out"
flags=()
# JDK 22+ warns when JCuda loads its native library unless native access is granted.
"$java" --enable-native-access=ALL-UNNAMED -version >/dev/null 2>&1 && flags+=(--enable-native-access=ALL-UNNAMED)
"$java" "${flags[@]}" -cp "$here/lib/*" org.deconv3d.bench.GpuCheck --out "$out" "$@"
status=$?
# GpuCheck writes the shapes' data even after a disagreement: PyTorch's comparison still says which results differ.
[ "$status" -eq 3 ] && exit 3
if command -v python3 >/dev/null 2>&1; then
  python3 "$here/torch_check.py" "$out" || { [ "$status" -eq 0 ] && status=1; }
else
  echo "python3 not found: PyTorch comparison skipped"
fi
exit "$status"
