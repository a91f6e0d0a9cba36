#!/usr/bin/env python3
"""Make the detector models the engine loads from assets/models/yolox_nano.onnx.

  yolox_nano_dyn.onnx   the same float32 network with a dynamic batch dimension
                        (input [N,3,416,416], output [N,3549,85]) so one session.run
                        can take frames of several cameras. Weights and operators are
                        unchanged; outputs are bit-identical to the original per frame.
  yolox_nano_int8.onnx  static int8 quantisation (QDQ, per-channel int8 weights, uint8
                        activations, percentile calibration on 40 frames of the vtest clip)
                        of the same dynamic-batch network, with the first 36 nodes (Focus,
                        stem and the first CSP stage at 208x208) left in float32: quantising
                        those cost accuracy (a persistent false person; docs/detection.md).

Usage (from the repository root; needs ffmpeg, and `pip install onnx onnxruntime numpy`):
  python3 scripts/detection-models.py            # writes both files, prints their SHA-256
  python3 scripts/detection-models.py --check    # also compares the outputs with the original

Same licence as the original model (Apache-2.0, assets/models/LICENSE-YOLOX*.txt).
"""

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import numpy_helper, version_converter

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODELS = os.path.join(ROOT, "assets", "models")
SRC = os.path.join(MODELS, "yolox_nano.onnx")
DYN = os.path.join(MODELS, "yolox_nano_dyn.onnx")
INT8 = os.path.join(MODELS, "yolox_nano_int8.onnx")
CLIP = os.path.join(ROOT, "assets", "media", "vtest_h264.mp4")
# Nodes (in graph order) kept in float32 in the int8 model: Focus, stem, dark2.
FLOAT_HEAD_NODES = 36
# The three Reshape targets [1, 85, -1] before the final Concat/Transpose.
RESHAPE_TARGETS = ("1157", "1165", "1173")


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for b in iter(lambda: f.read(1 << 20), b""):
            h.update(b)
    return h.hexdigest()


def frames_at(indices):
    """Frames of the clip (by frame number), scaled to 416x312 BGR like the engine's decoder."""
    sel = "+".join("eq(n\\,%d)" % i for i in indices)
    out = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", CLIP, "-vf", "select='%s',scale=416:312" % sel, "-vsync", "0",
         "-f", "rawvideo", "-pix_fmt", "bgr24", "pipe:1"],
        capture_output=True, check=True).stdout
    return np.frombuffer(out, np.uint8).reshape(-1, 312, 416, 3)


def tensor(frames):
    """The model's input: planar BGR float32 0..255, frame at the top-left of a 416x416 canvas of 114."""
    t = np.full((len(frames), 3, 416, 416), 114, np.float32)
    t[:, :, :312, :] = frames.transpose(0, 3, 1, 2)
    return t


def make_dynamic(model):
    g = model.graph
    g.input[0].type.tensor_type.shape.dim[0].dim_param = "N"
    g.output[0].type.tensor_type.shape.dim[0].dim_param = "N"
    found = 0
    for init in g.initializer:
        if init.name in RESHAPE_TARGETS:
            v = numpy_helper.to_array(init)
            assert list(v) == [1, 85, -1], (init.name, v)
            # 0 = copy the batch dimension from the input of the Reshape
            init.CopyFrom(numpy_helper.from_array(np.array([0, 85, -1], np.int64), init.name))
            found += 1
    assert found == 3, "unexpected graph: the three Reshape targets were not found"
    del g.value_info[:]
    model = onnx.shape_inference.infer_shapes(model)
    onnx.checker.check_model(model)
    return model


def make_int8(dyn_model, out_path):
    from onnxruntime.quantization import CalibrationDataReader, CalibrationMethod, QuantFormat, QuantType, quantize_static
    from onnxruntime.quantization.shape_inference import quant_pre_process

    # Per-channel DequantizeLinear needs opset 13.
    m13 = version_converter.convert_version(dyn_model, 13)
    with tempfile.TemporaryDirectory() as tmp:
        f13 = os.path.join(tmp, "dyn13.onnx")
        pre = os.path.join(tmp, "pre.onnx")
        onnx.save(m13, f13)
        quant_pre_process(f13, pre, skip_symbolic_shape=True)
        nodes = list(onnx.load(pre).graph.node)
        keep_float = [n.name for n in nodes[:FLOAT_HEAD_NODES]]
        # Calibration: frames at 0.5 s, 2.5 s, 4.5 s, … (40 frames), none of them the frames at
        # whole seconds that the recall figures are measured on.
        cal = tensor(frames_at([t * 10 + 5 for t in range(0, 80, 2)]))

        class Reader(CalibrationDataReader):
            def __init__(self):
                self.i = 0

            def get_next(self):
                if self.i >= len(cal):
                    return None
                self.i += 1
                return {"images": cal[self.i - 1:self.i]}

        quantize_static(pre, out_path, Reader(), quant_format=QuantFormat.QDQ, per_channel=True,
                        activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8,
                        calibrate_method=CalibrationMethod.Percentile, nodes_to_exclude=keep_float)


def check():
    import onnxruntime as ort

    t = tensor(frames_at([0, 100, 200, 300]))
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    src = ort.InferenceSession(SRC, so, providers=["CPUExecutionProvider"])
    dyn = ort.InferenceSession(DYN, so, providers=["CPUExecutionProvider"])
    one = np.concatenate([src.run(None, {"images": t[i:i + 1]})[0] for i in range(len(t))])
    many = dyn.run(None, {"images": t})[0]
    diff = float(np.abs(one - many).max())
    print("dyn: batch of %d vs the original one by one: max |diff| %.3g" % (len(t), diff))
    q = ort.InferenceSession(INT8, so, providers=["CPUExecutionProvider"])
    qo = q.run(None, {"images": t})[0]
    print("int8: output shape %s, max |diff| to float on objectness %.3f" % (qo.shape, float(np.abs(qo[..., 4] - one[..., 4]).max())))
    if diff > 1e-4:
        sys.exit("the dynamic-batch model does not match the original")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true", help="compare the outputs with the original model")
    args = ap.parse_args()
    dyn = make_dynamic(onnx.load(SRC))
    onnx.save(dyn, DYN)
    make_int8(dyn, INT8)
    for p in (DYN, INT8):
        print("%s  %d bytes  sha256 %s" % (os.path.relpath(p, ROOT), os.path.getsize(p), sha256(p)))
    if args.check:
        check()


if __name__ == "__main__":
    main()
