#!/usr/bin/env python3
"""Peer side of the policy benchmark (Benchmarks/policy.sh): the original autopilot's network
(reference 8.2) in tf_keras with random weights, batch-norm statistics set once from a fixed random batch, saved
as .h5 (tools/make_keras_fixtures.py builds it; tools/keras_to_pixelpilot.py converts for TensorKit, so every framework runs the
same weights), then one 20-frame inference at batch 1 timed in Keras (tf.function), TFLite
(XNNPACK, from a static batch-1 concrete function: tf_keras LSTMs become TFLite's fused LSTM)
and ONNX Runtime (through tf2onnx); and the depthwise and inverted-residual kernels alone in
PyTorch and ONNX Runtime. Every framework on --threads threads.

  policy_peers.py --make-model DIR      writes DIR/seed.h5 and DIR/window.npy
  policy_peers.py --model DIR [--threads 2] [--repeats 50]   prints JSON lines
"""
import argparse
import json
import os
import statistics
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
import numpy as np  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import make_keras_fixtures as keras_models  # noqa: E402  (seed_model, set_batch_norm_statistics)

FRAMES, SIZE = 20, 96


def emit(case, framework, value, unit="ms"):
    """`value` is (median, fastest) ms: printed as the case and as "<case> (fastest run)"."""
    for name, v in ((case, value[0]), (f"{case} (fastest run)", value[1])):
        print(json.dumps({"suite": "policy", "case": name, "framework": framework, "value": v, "unit": unit}),
              flush=True)


def timeit(fn, repeat, warmup=5):
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t)
    return statistics.median(samples) * 1000, min(samples) * 1000


def make_model(folder):
    import tf_keras as keras
    os.makedirs(folder, exist_ok=True)
    keras.utils.set_random_seed(1)
    model, base = keras_models.seed_model(FRAMES, SIZE, batch=1)
    keras_models.set_batch_norm_statistics(base, SIZE)
    model.save(os.path.join(folder, "seed.h5"))
    rng = np.random.default_rng(3)
    np.save(os.path.join(folder, "window.npy"), rng.uniform(-1, 1, (1, FRAMES, SIZE, SIZE, 3)).astype(np.float32))


def network(folder, threads, repeats):
    import tensorflow as tf
    import tf_keras as keras
    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    model = keras.models.load_model(os.path.join(folder, "seed.h5"), compile=False)
    x = np.load(os.path.join(folder, "window.npy"))
    case = f"seed network, {FRAMES} frames, batch 1"
    spec = tf.TensorSpec((1, FRAMES, SIZE, SIZE, 3), tf.float32)
    fn = tf.function(lambda v: model(v, training=False), input_signature=[spec])
    xt = tf.constant(x)
    ref = fn(xt).numpy()
    emit(case, "Keras", timeit(lambda: fn(xt).numpy(), repeats))
    # TFLite with XNNPACK (the default delegate), from the static batch-1 function.
    conc = fn.get_concrete_function()
    conv = tf.lite.TFLiteConverter.from_concrete_functions([conc], model)
    tfl = conv.convert()
    interp = tf.lite.Interpreter(model_content=tfl, num_threads=threads)
    interp.allocate_tensors()
    inp = interp.get_input_details()[0]["index"]
    out = interp.get_output_details()[0]["index"]

    def run_tflite():
        interp.set_tensor(inp, x)
        interp.invoke()
        return interp.get_tensor(out)

    fused = sum(1 for op in interp._get_ops_details() if "LSTM" in op["op_name"])
    print(f"TFLite: {fused} fused LSTM ops, max |diff| to Keras {np.abs(run_tflite() - ref).max():.2e}",
          file=sys.stderr)
    emit(case, "TFLite XNNPACK", timeit(run_tflite, repeats))
    # ONNX Runtime through tf2onnx.
    import onnxruntime as ort
    import tf2onnx
    onnx_model, _ = tf2onnx.convert.from_function(fn, input_signature=[spec], opset=17)
    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    sess = ort.InferenceSession(onnx_model.SerializeToString(), so, providers=["CPUExecutionProvider"])
    name = sess.get_inputs()[0].name
    got = sess.run(None, {name: x})[0]
    print(f"ONNX Runtime: max |diff| to Keras {np.abs(got - ref).max():.2e}", file=sys.stderr)
    emit(case, "ONNX Runtime", timeit(lambda: sess.run(None, {name: x}), repeats))
    np.save(os.path.join(folder, "keras_probabilities.npy"), ref)


def kernels(threads, repeats):
    """Depthwise 3x3 (+ReLU6) and inverted residual blocks (batch norm folded) in PyTorch and ORT."""
    import onnx
    import onnxruntime as ort
    import torch
    import torch.nn.functional as F
    from onnx import TensorProto, helper, numpy_helper
    torch.set_num_threads(threads)
    rng = np.random.default_rng(4)
    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1

    def ort_session(nodes, inits, shape_in, shape_out):
        g = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, shape_in)],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, shape_out)],
                              [numpy_helper.from_array(v, k) for k, v in inits.items()])
        m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
        return ort.InferenceSession(m.SerializeToString(), so, providers=["CPUExecutionProvider"])

    def clip(i, o):
        return helper.make_node("Clip", [i, "zero", "six"], [o])

    consts = {"zero": np.array(0, np.float32), "six": np.array(6, np.float32)}
    n = 20
    for c, hw, s in ((144, 24, 1), (96, 48, 2)):
        case = f"depthwise 3x3 s{s} + ReLU6, {n}x{hw}x{hw}x{c}"
        x = rng.uniform(0, 6, (n, c, hw, hw)).astype(np.float32)
        w = rng.uniform(-0.3, 0.3, (c, 1, 3, 3)).astype(np.float32)
        b = rng.uniform(-0.1, 0.1, (c,)).astype(np.float32)
        pads = [1, 1, 1, 1] if s == 1 else [0, 0, 1, 1]
        xt, wt, bt = torch.from_numpy(x), torch.from_numpy(w), torch.from_numpy(b)
        with torch.no_grad():
            def torch_dw():
                return F.conv2d(F.pad(xt, (pads[1], pads[3], pads[0], pads[2])), wt, bt, stride=s, groups=c).clamp_(0, 6)
            emit(case, "PyTorch", timeit(torch_dw, repeats))
        oh = hw // s
        sess = ort_session([helper.make_node("Conv", ["x", "w", "b"], ["t"], group=c, strides=[s, s], pads=pads),
                            clip("t", "y")], {"w": w, "b": b, **consts}, [n, c, hw, hw], [n, c, oh, oh])
        emit(case, "ONNX Runtime", timeit(lambda: sess.run(None, {"x": x}), repeats))
    for index, hw, cin, hidden, cout, s in ((2, 24, 24, 144, 24, 1), (13, 6, 96, 576, 160, 2)):
        case = f"inverted residual block {index}, {n}x{hw}x{hw}x{cin}"
        x = rng.uniform(-1, 1, (n, cin, hw, hw)).astype(np.float32)
        we = (rng.uniform(-1, 1, (hidden, cin, 1, 1)) / np.sqrt(cin)).astype(np.float32)
        be = rng.uniform(0, 0.5, (hidden,)).astype(np.float32)
        wd = rng.uniform(-0.3, 0.3, (hidden, 1, 3, 3)).astype(np.float32)
        bd = rng.uniform(0, 0.5, (hidden,)).astype(np.float32)
        wp = (rng.uniform(-1, 1, (cout, hidden, 1, 1)) / np.sqrt(hidden)).astype(np.float32)
        bp = rng.uniform(-0.1, 0.1, (cout,)).astype(np.float32)
        pads = [1, 1, 1, 1] if s == 1 else [0, 0, 1, 1]
        adds = s == 1 and cin == cout
        T = {k: torch.from_numpy(v) for k, v in dict(x=x, we=we, be=be, wd=wd, bd=bd, wp=wp, bp=bp).items()}
        with torch.no_grad():
            def torch_block():
                h = F.conv2d(T["x"], T["we"], T["be"]).clamp_(0, 6)
                h = F.conv2d(F.pad(h, (pads[1], pads[3], pads[0], pads[2])), T["wd"], T["bd"], stride=s,
                             groups=hidden).clamp_(0, 6)
                y = F.conv2d(h, T["wp"], T["bp"])
                return y + T["x"] if adds else y
            emit(case, "PyTorch", timeit(torch_block, repeats))
        oh = hw // s
        nodes = [helper.make_node("Conv", ["x", "we", "be"], ["e"]), clip("e", "e6"),
                 helper.make_node("Conv", ["e6", "wd", "bd"], ["d"], group=hidden, strides=[s, s], pads=pads),
                 clip("d", "d6"), helper.make_node("Conv", ["d6", "wp", "bp"], ["p" if adds else "y"])]
        if adds:
            nodes.append(helper.make_node("Add", ["p", "x"], ["y"]))
        sess = ort_session(nodes, {"we": we, "be": be, "wd": wd, "bd": bd, "wp": wp, "bp": bp, **consts},
                           [n, cin, hw, hw], [n, cout, oh, oh])
        emit(case, "ONNX Runtime", timeit(lambda: sess.run(None, {"x": x}), repeats))
    del onnx


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--make-model", metavar="DIR")
    ap.add_argument("--model", metavar="DIR")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=50)
    ap.add_argument("--only", default="network,kernels")
    a = ap.parse_args()
    if a.make_model:
        make_model(a.make_model)
        return
    parts = a.only.split(",")
    if "network" in parts:
        network(a.model, a.threads, a.repeats)
    if "kernels" in parts:
        kernels(a.threads, a.repeats)


if __name__ == "__main__":
    main()
