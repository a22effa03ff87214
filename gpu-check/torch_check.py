#!/usr/bin/env python3
"""Compares and times PyTorch (cuDNN) against deconv3d's cuda backend on the benchmark shapes.

Reads what GpuCheck wrote (raw little-endian float32 in each shape's layout, TensorFlow's filter layout, plus a .txt
description per shape) and, on the GPU with the same data, runs
  - the forward: torch.nn.functional.conv_transpose3d;
  - the input gradient and the filter + bias gradient: aten.convolution_backward of that transposed convolution
    (what autograd calls for ConvTranspose3d), each asked for separately;
reports the median time over repeated runs (CUDA events) against deconv3d's kernel time, and the largest difference
from deconv3d's results relative to their largest magnitude.

    python3 torch_check.py DIR [--repeats 20]
"""
import argparse
import pathlib
import statistics
import sys


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("dir")
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    try:
        import numpy as np
        import torch
        import torch.nn.functional as F
    except ImportError as e:
        print(f"torch_check: skipped, PyTorch/numpy not importable here ({e})")
        return 0
    if not torch.cuda.is_available():
        print("torch_check: skipped, torch.cuda.is_available() is False")
        return 0
    torch.backends.cudnn.benchmark = True
    # Plain fp32 arithmetic, as deconv3d computes (no TF32 tensor-core rounding).
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cuda.matmul.allow_tf32 = False
    root = pathlib.Path(args.dir)
    print(f"PyTorch {torch.__version__}, cuDNN {torch.backends.cudnn.version()}, {torch.cuda.get_device_name(0)}")

    def timed(fn):
        for _ in range(3):
            fn()
        torch.cuda.synchronize()
        times = []
        for _ in range(args.repeats):
            start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            start.record()
            result = fn()
            stop.record()
            torch.cuda.synchronize()
            times.append(start.elapsed_time(stop))
        return statistics.median(times), result

    def rel(a, b):
        return ((a - b).abs().max() / b.abs().max().clamp_min(1e-30)).item()

    rows = []
    worst = 0.0
    for desc in sorted(root.glob("*.txt")):
        name = desc.stem
        info = dict(line.split(" ", 1) for line in desc.read_text().splitlines() if line)
        ncdhw = info.get("layout", "ndhwc") == "ncdhw"
        ishape = [int(v) for v in info["input"].split(",")]
        fshape = [int(v) for v in info["filter"].split(",")]
        oshape = [int(v) for v in info["output"].split(",")]
        stride, before = int(info["stride"]), int(info["pad_before"])

        def load(suffix, shape):
            return np.fromfile(root / f"{name}.{suffix}.f32", dtype="<f4").reshape(shape)

        def to_torch(a):
            # Activations to NCDHW on the GPU (already there for an NCDHW shape).
            t = torch.from_numpy(a)
            return (t if ncdhw else t.permute(0, 4, 1, 2, 3)).contiguous().cuda()

        x = to_torch(load("x", ishape))
        # TensorFlow's [kd,kh,kw,Cout,Cin] -> PyTorch's [Cin,Cout,kd,kh,kw]
        w = torch.from_numpy(load("w", fshape)).permute(4, 3, 0, 1, 2).contiguous().cuda()
        y = to_torch(load("y", oshape))
        od, oh, ow = y.shape[2:]

        def forward():
            # SAME may pad one more after than before: pad `before` on both sides, crop the rest at the end.
            return F.conv_transpose3d(x, w, stride=stride, padding=before)[:, :, :od, :oh, :ow]

        ms, result = timed(forward)
        diff = rel(result, y)
        worst = max(worst, diff)
        flops = int(info["flops"])
        rows.append((name, "forward", ms, float(info["kernel_ms"]), flops, diff))

        if "input_grad_ms" in info:
            dy = to_torch(load("dy", oshape))
            full = F.conv_transpose3d(x, w, stride=stride, padding=before).shape
            # The cropped-away outputs have no gradient: dy padded with zeros to the uncropped size.
            dy_full = torch.zeros(full, device="cuda")
            dy_full[:, :, :od, :oh, :ow] = dy
            cout = w.shape[1]

            def backward(mask):
                return torch.ops.aten.convolution_backward(
                    dy_full, x, w, [cout], [stride] * 3, [before] * 3, [1] * 3, True, [0] * 3, 1, mask)

            ms_in, (dx, _, _) = timed(lambda: backward([True, False, False]))
            ms_w, (_, dw, db) = timed(lambda: backward([False, True, True]))
            d_in = rel(dx, to_torch(load("dx", ishape)))
            ours_w = torch.from_numpy(load("dw", fshape)).permute(4, 3, 0, 1, 2).cuda()
            ours_b = torch.from_numpy(np.fromfile(root / f"{name}.db.f32", dtype="<f4")).cuda()
            d_w = max(rel(dw, ours_w), rel(db, ours_b))
            worst = max(worst, d_in, d_w)
            rows.append((name, "input grad", ms_in, float(info["input_grad_ms"]), flops, d_in))
            rows.append((name, "filter+bias grad", ms_w, float(info["filter_grad_ms"]), flops, d_w))

    print(f"{'shape':14} {'op':17} {'cuDNN ms':>9} {'cuDNN GF/s':>11} {'deconv3d ms':>12} {'GF/s':>8} {'ratio':>7}"
          f" {'max rel diff':>13}")
    for name, op, ms, ours, flops, diff in rows:
        print(f"{name:14} {op:17} {ms:9.3f} {flops / ms / 1e6:11.1f} {ours:12.3f} {flops / ours / 1e6:8.1f}"
              f" {ms / ours:7.2f} {diff:13.2e}")
    print("ratio = cuDNN time / deconv3d kernel time (> 1: deconv3d is faster); fp32 without TF32 on both sides")
    return 0 if worst <= 1e-4 else 1


if __name__ == "__main__":
    sys.exit(main())
