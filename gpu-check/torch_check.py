#!/usr/bin/env python3
"""Compares and times PyTorch's conv_transpose3d (cuDNN) against deconv3d's cuda backend on the benchmark shapes.

Reads what GpuCheck wrote (raw little-endian float32 in TensorFlow's layouts plus a .txt description per shape),
runs torch.nn.functional.conv_transpose3d on the GPU with the same data, reports the median time over repeated
runs (CUDA events) and the largest difference from deconv3d's output relative to its largest magnitude.

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
    root = pathlib.Path(args.dir)
    print(f"PyTorch {torch.__version__}, cuDNN {torch.backends.cudnn.version()}, {torch.cuda.get_device_name(0)}")
    print(f"{'shape':8} {'cuDNN ms':>10} {'cuDNN GF/s':>11} {'deconv3d ms':>12} {'ratio':>7} {'max rel diff':>13}")
    worst = 0.0
    for desc in sorted(root.glob("*.txt")):
        name = desc.stem
        info = dict(line.split(" ", 1) for line in desc.read_text().splitlines() if line)
        ishape = [int(v) for v in info["input"].split(",")]
        fshape = [int(v) for v in info["filter"].split(",")]
        oshape = [int(v) for v in info["output"].split(",")]
        stride, before = int(info["stride"]), int(info["pad_before"])
        x = np.fromfile(root / f"{name}.x.f32", dtype="<f4").reshape(ishape)
        w = np.fromfile(root / f"{name}.w.f32", dtype="<f4").reshape(fshape)
        y = np.fromfile(root / f"{name}.y.f32", dtype="<f4").reshape(oshape)
        # TensorFlow NDHWC / [kd,kh,kw,Cout,Cin] -> PyTorch NCDHW / [Cin,Cout,kd,kh,kw]
        xt = torch.from_numpy(x).permute(0, 4, 1, 2, 3).contiguous().cuda()
        wt = torch.from_numpy(w).permute(4, 3, 0, 1, 2).contiguous().cuda()
        od, oh, ow = oshape[1:4]

        def run():
            # SAME may pad one more after than before: pad `before` on both sides, crop the rest at the end.
            full = F.conv_transpose3d(xt, wt, stride=stride, padding=before)
            return full[:, :, :od, :oh, :ow]

        for _ in range(3):
            run()
        torch.cuda.synchronize()
        times = []
        for _ in range(args.repeats):
            start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            start.record()
            result = run()
            stop.record()
            torch.cuda.synchronize()
            times.append(start.elapsed_time(stop))
        ms = statistics.median(times)
        ours = torch.from_numpy(y).permute(0, 4, 1, 2, 3).cuda()
        diff = ((result - ours).abs().max() / ours.abs().max().clamp_min(1e-30)).item()
        worst = max(worst, diff)
        flops = int(info["flops"])
        kernel_ms = float(info["kernel_ms"])
        print(f"{name:8} {ms:10.3f} {flops / ms / 1e6:11.1f} {kernel_ms:12.3f} {ms / kernel_ms:7.2f} {diff:13.2e}")
    print("ratio = cuDNN time / deconv3d kernel time (> 1: deconv3d is faster)")
    return 0 if worst <= 1e-4 else 1


if __name__ == "__main__":
    sys.exit(main())
