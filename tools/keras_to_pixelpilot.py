#!/usr/bin/env python3
"""Converts a Keras MobileNetV2, or a whole seed model (TimeDistributed MobileNetV2 -> LSTM(128)
-> LSTM(128) -> Dense sigmoid, reference section 8.2), into a PixelPilot seed-policy model file
that `pixelpilot train policy --architecture seed` and `pixelpilot play` read.

Usage:
  keras_to_pixelpilot.py MODEL.h5|MODEL.keras --out seed.safetensors [--keys Up,Left,Right,Down]
                         [--fps 10] [--window 20] [--bgr]
  keras_to_pixelpilot.py --self-test DIR     (random Keras model -> DIR/model.h5, model.safetensors,
                                               encoder_bgr.safetensors, check.safetensors)

Needs tensorflow and tf_keras (Keras 2), numpy, safetensors: `.venv-bench/bin/python` has them
(Benchmarks/setup_peers.sh).

A MobileNetV2 alone (for example an ImageNet one saved with `model.save("mnv2.h5")`) becomes the
encoder; the LSTMs and the output layer are then initialised as Keras would (Glorot kernels,
orthogonal recurrent kernels, unit forget bias), ready for training. Keras LSTMs keep gates in the
order i, f, c, o as PyTorch (and TensorKit) do, so kernels are transposed and bias_hh is zero.
The seed's frames were B, G, R (reference section 2); --bgr swaps the first convolution's input
channels so the converted model takes PixelPilot's R, G, B frames and computes the same outputs.
"""
import argparse
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402

ARCHITECTURE = "pixelpilot.seed-policy"
SEED_KEYS = ["Up", "Left", "Right", "Down"]
HIDDEN = 128
# (expansion, channels, repeats, first stride) of MobileNetV2, alpha 1.
STAGES = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]


class ConversionError(Exception):
    pass


def keras():
    try:
        import tf_keras
        return tf_keras
    except ImportError as e:
        raise ConversionError("tf_keras is not installed (pip install tf_keras; Keras 2 reads .h5 seed models)") from e


def load(path):
    if not os.path.exists(path):
        raise ConversionError(f"{path}: no such file")
    k = keras()
    try:
        return k.models.load_model(path, compile=False)
    except Exception as e:  # noqa: BLE001 - any loader failure is reported with the file name
        raise ConversionError(f"{path}: tf_keras cannot load it as a Keras model ({type(e).__name__}: {e})") from e


def find_mobilenet(model):
    """The MobileNetV2 inside `model` (itself, a nested model, or one wrapped in TimeDistributed)."""
    def is_mnv2(m):
        names = {l.name for l in getattr(m, "layers", [])}
        return {"Conv1", "bn_Conv1", "Conv_1", "Conv_1_bn", "block_16_project"} <= names
    if is_mnv2(model):
        return model
    for layer in model.layers:
        inner = getattr(layer, "layer", layer)
        if is_mnv2(inner):
            return inner
    raise ConversionError("no MobileNetV2 found (expected Keras's layer names Conv1 ... block_16_project, Conv_1)")


def conv(w):
    """Keras Conv2D kernel (kh, kw, cin, cout) -> PyTorch (cout, cin, kh, kw)."""
    return np.ascontiguousarray(w.transpose(3, 2, 0, 1))


def depthwise(w):
    """Keras DepthwiseConv2D kernel (kh, kw, c, 1) -> PyTorch (c, 1, kh, kw)."""
    return np.ascontiguousarray(w.transpose(2, 3, 0, 1))


def encoder_tensors(m, bgr):
    out = {}

    def unit(prefix, conv_name, bn_name, dw=False):
        w = m.get_layer(conv_name).get_weights()
        if len(w) != 1:
            raise ConversionError(f"layer {conv_name} has a bias; MobileNetV2's convolutions have none")
        out[prefix + ".conv.weight"] = depthwise(w[0]) if dw else conv(w[0])
        bn = m.get_layer(bn_name)
        if not (bn.center and bn.scale) or abs(bn.epsilon - 1e-3) > 1e-9:
            raise ConversionError(f"{bn_name}: expected center, scale and epsilon 1e-3 (Keras's MobileNetV2)")
        gamma, beta, mean, var = bn.get_weights()
        out[prefix + ".bn.weight"] = gamma
        out[prefix + ".bn.bias"] = beta
        out[prefix + ".bn.running_mean"] = mean
        out[prefix + ".bn.running_var"] = var
        out[prefix + ".bn.num_batches_tracked"] = np.zeros((), np.float32)

    unit("encoder.stem", "Conv1", "bn_Conv1")
    if out["encoder.stem.conv.weight"].shape != (32, 3, 3, 3):
        raise ConversionError(
            f"Conv1 is {out['encoder.stem.conv.weight'].shape}; only alpha 1.0 (32 filters, 3 input channels) converts")
    if bgr:
        out["encoder.stem.conv.weight"] = np.ascontiguousarray(out["encoder.stem.conv.weight"][:, ::-1])
    b = 0
    for _, _, n, _ in STAGES:
        for _ in range(n):
            if b == 0:
                unit("encoder.blocks.0.depthwise", "expanded_conv_depthwise", "expanded_conv_depthwise_BN", dw=True)
                unit("encoder.blocks.0.project", "expanded_conv_project", "expanded_conv_project_BN")
            else:
                unit(f"encoder.blocks.{b}.expand", f"block_{b}_expand", f"block_{b}_expand_BN")
                unit(f"encoder.blocks.{b}.depthwise", f"block_{b}_depthwise", f"block_{b}_depthwise_BN", dw=True)
                unit(f"encoder.blocks.{b}.project", f"block_{b}_project", f"block_{b}_project_BN")
            b += 1
    unit("encoder.head", "Conv_1", "Conv_1_bn")
    if out["encoder.head.conv.weight"].shape[0] != 1280:
        raise ConversionError("Conv_1 must have 1280 filters (alpha 1.0)")
    return {k: np.asarray(v, np.float32) for k, v in out.items()}


def lstm_tensors(layer, name, expect_in):
    cfg = layer.get_config()
    problems = []
    if cfg["units"] != HIDDEN:
        problems.append(f"{cfg['units']} units (expected {HIDDEN})")
    if cfg.get("activation") != "tanh":
        problems.append(f"activation {cfg.get('activation')} (expected tanh)")
    if cfg.get("recurrent_activation") != "sigmoid":
        problems.append(f"recurrent activation {cfg.get('recurrent_activation')} (expected sigmoid)")
    if not cfg.get("use_bias", True):
        problems.append("no bias")
    if problems:
        raise ConversionError(f"LSTM '{layer.name}': " + ", ".join(problems))
    kernel, recurrent, bias = layer.get_weights()
    if kernel.shape != (expect_in, 4 * HIDDEN):
        raise ConversionError(f"LSTM '{layer.name}' kernel is {kernel.shape}, expected ({expect_in}, {4 * HIDDEN})")
    # Keras: z = x.kernel + h.recurrent + bias, split i, f, c, o: PyTorch's i, f, g, o.
    return {
        f"{name}.weight_ih_l0": np.ascontiguousarray(kernel.T),
        f"{name}.weight_hh_l0": np.ascontiguousarray(recurrent.T),
        f"{name}.bias_ih_l0": bias.astype(np.float32),
        f"{name}.bias_hh_l0": np.zeros(4 * HIDDEN, np.float32),
    }


def fresh_recurrent(keys, seed=0):
    """LSTMs and output layer initialised as Keras does (for a MobileNetV2-only file)."""
    rng = np.random.default_rng(seed)

    def glorot(fan_in, fan_out):
        lim = np.sqrt(6 / (fan_in + fan_out))
        return rng.uniform(-lim, lim, (fan_in, fan_out)).astype(np.float32)

    def orthogonal(rows, cols):
        q, r = np.linalg.qr(rng.normal(size=(cols, rows)))
        return (q * np.sign(np.diag(r))).T.astype(np.float32)

    out = {}
    for name, fin in (("lstm1", 1280), ("lstm2", HIDDEN)):
        bias = np.zeros(4 * HIDDEN, np.float32)
        bias[HIDDEN:2 * HIDDEN] = 1
        out[f"{name}.weight_ih_l0"] = np.ascontiguousarray(glorot(fin, 4 * HIDDEN).T)
        out[f"{name}.weight_hh_l0"] = np.ascontiguousarray(orthogonal(HIDDEN, 4 * HIDDEN).T)
        out[f"{name}.bias_ih_l0"] = bias
        out[f"{name}.bias_hh_l0"] = np.zeros(4 * HIDDEN, np.float32)
    out["output.weight"] = np.ascontiguousarray(glorot(HIDDEN, len(keys)).T)
    out["output.bias"] = np.zeros(len(keys), np.float32)
    return out


def check_rescaling(model):
    """A Rescaling layer before the encoder must map 0-255 pixels to [-1, 1], as ours does."""
    for layer in model.layers:
        inner = getattr(layer, "layer", layer)
        if type(inner).__name__ == "Rescaling":
            scale, offset = float(inner.scale), float(inner.offset)
            if abs(scale - 1 / 127.5) > 1e-6 or abs(offset + 1) > 1e-6:
                raise ConversionError(
                    f"Rescaling '{inner.name}' maps x to x*{scale}+{offset}; the seed's network takes 0-255 "
                    "pixels scaled by 1/127.5 - 1 (retrain, or remove the layer and scale the frames yourself)")


def convert(model, keys, fps, window, bgr):
    mnv2 = find_mobilenet(model)
    in_shape = mnv2.input_shape
    if in_shape[1] is None or in_shape[1] != in_shape[2] or in_shape[3] != 3:
        raise ConversionError(f"MobileNetV2 input is {in_shape}; a square RGB size such as 96 is needed")
    size = int(in_shape[1])
    if type(mnv2.layers[-1]).__name__ != "GlobalAveragePooling2D":
        raise ConversionError("the MobileNetV2 must end in global average pooling (include_top=False, pooling='avg')")
    tensors = encoder_tensors(mnv2, bgr)
    check_rescaling(model)
    lstms = [l for l in model.layers if type(l).__name__ == "LSTM"]
    dense = [l for l in model.layers if type(l).__name__ == "Dense"]
    recurrent = "converted"
    if mnv2 is model or not lstms:
        tensors.update(fresh_recurrent(keys))
        recurrent = "initialised"
    else:
        if len(lstms) != 2 or len(dense) != 1:
            raise ConversionError(
                f"expected 2 LSTM layers and 1 Dense layer after the encoder, found {len(lstms)} and {len(dense)}")
        if not lstms[0].return_sequences or lstms[1].return_sequences:
            raise ConversionError("the first LSTM must return sequences and the second only its last state")
        tensors.update(lstm_tensors(lstms[0], "lstm1", 1280))
        tensors.update(lstm_tensors(lstms[1], "lstm2", HIDDEN))
        kernel, bias = dense[0].get_weights()
        if dense[0].get_config().get("activation") != "sigmoid":
            raise ConversionError(f"Dense '{dense[0].name}' must use a sigmoid (independent per-key probabilities)")
        if kernel.shape[1] != len(keys):
            raise ConversionError(
                f"the model has {kernel.shape[1]} outputs but {len(keys)} key names were given ({','.join(keys)})")
        tensors["output.weight"] = np.ascontiguousarray(kernel.T)
        tensors["output.bias"] = bias
        t = model.input_shape[1] if len(model.input_shape) == 5 else None
        if t is not None:
            window = int(t)
    pre = {"channelOrder": "RGB", "width": size, "height": size, "scale": 1 / 127.5, "offset": -1.0,
           "windowLength": int(window)}
    config = {"fps": str(fps), "frame_width": str(size), "frame_height": str(size), "window_length": str(window),
              "trainable_encoder": "false", "encoder": "mobilenet_v2_alpha_1.0", "hidden_size": str(HIDDEN),
              "converted_from": "keras", "recurrent": recurrent, "bgr_swapped": str(bool(bgr)).lower()}
    meta = {"format": "pixelpilot-model", "format_version": "1", "architecture": ARCHITECTURE,
            "class_names": json.dumps(keys), "input_shape": json.dumps([int(window), size, size, 3]),
            "preprocessing": json.dumps(pre), "config": json.dumps(config, sort_keys=True)}
    return {k: np.array(v, dtype=np.float32, order="C") for k, v in tensors.items()}, meta


def write(tensors, meta, out):
    from safetensors.numpy import save_file
    tmp = out + ".tmp"
    save_file(tensors, tmp, metadata=meta)
    os.replace(tmp, out)


def seed_model(frames, size, batch=None):
    """The seed's network in tf_keras, taking preprocessed frames (resizing and x/127.5-1 left out)."""
    k = keras()
    inp = k.Input((frames, size, size, 3), batch_size=batch, name="video_input")
    base = k.applications.MobileNetV2(input_shape=(size, size, 3), alpha=1.0, include_top=False, weights=None,
                                      pooling="avg")
    x = k.layers.TimeDistributed(base)(inp)
    x = k.layers.LSTM(HIDDEN, return_sequences=True)(x)
    x = k.layers.LSTM(HIDDEN)(x)
    out = k.layers.Dense(4, activation="sigmoid", name="output")(x)
    return k.Model(inp, out), base


def set_batch_norm_statistics(base, size, seed=0):
    """Each batch norm's moving statistics set, in order, to those of its input on one fixed random
    batch, so a random network's activations keep a realistic scale (without, they collapse towards
    denormals)."""
    k = keras()
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, (4, size, size, 3)).astype(np.float32)
    for layer in base.layers:
        if type(layer).__name__ != "BatchNormalization":
            continue
        probe = k.Model(base.input, layer.input)
        a = probe(x, training=False).numpy()
        gamma, beta, _, _ = layer.get_weights()
        layer.set_weights([gamma, beta, a.mean(axis=(0, 1, 2)), a.var(axis=(0, 1, 2)) + 1e-3])


def self_test(folder, frames=3, size=32):
    os.makedirs(folder, exist_ok=True)
    k = keras()
    k.utils.set_random_seed(1)
    model, base = seed_model(frames, size)
    set_batch_norm_statistics(base, size)
    # Non-zero Dense and LSTM biases beyond the initialiser's, so every tensor matters.
    rng = np.random.default_rng(2)
    for layer in model.layers:
        if type(layer).__name__ in ("LSTM", "Dense"):
            ws = layer.get_weights()
            ws[-1] = ws[-1] + rng.uniform(-0.2, 0.2, ws[-1].shape).astype(np.float32)
            layer.set_weights(ws)
    h5 = os.path.join(folder, "model.h5")
    model.save(h5)
    loaded = load(h5)
    tensors, meta = convert(loaded, SEED_KEYS, 10, frames, bgr=False)
    write(tensors, meta, os.path.join(folder, "model.safetensors"))
    x = rng.uniform(-1, 1, (2, frames, size, size, 3)).astype(np.float32)
    probs = loaded(x, training=False).numpy()
    encoder = find_mobilenet(loaded)
    feats = encoder(x.reshape(-1, size, size, 3), training=False).numpy()
    # A MobileNetV2 alone converts too (encoder only); with --bgr its stem takes R, G, B.
    t2, m2 = convert(encoder, SEED_KEYS, 10, frames, bgr=True)
    write(t2, m2, os.path.join(folder, "encoder_bgr.safetensors"))
    from safetensors.numpy import save_file
    save_file({"frames": x, "probabilities": probs.astype(np.float32), "features": feats.astype(np.float32)},
              os.path.join(folder, "check.safetensors"))
    print(f"self-test: wrote {folder}/model.h5, model.safetensors, encoder_bgr.safetensors, check.safetensors")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("model", nargs="?", help="Keras .h5 or .keras file (MobileNetV2 or whole seed model)")
    ap.add_argument("--out", help="PixelPilot model file to write (.safetensors)")
    ap.add_argument("--keys", default=",".join(SEED_KEYS), help="key names in output order (X keysyms)")
    ap.add_argument("--fps", type=int, default=10, help="frames per second the model was trained at")
    ap.add_argument("--window", type=int, default=20, help="frames per window (when the file does not fix it)")
    ap.add_argument("--bgr", action="store_true", help="the model was trained on B, G, R frames (the seed's)")
    ap.add_argument("--self-test", metavar="DIR", help="convert a random Keras model and write a check")
    a = ap.parse_args(argv)
    try:
        if a.self_test:
            self_test(a.self_test)
            return 0
        if not a.model or not a.out:
            ap.error("give MODEL and --out (or --self-test DIR)")
        keys = [s.strip() for s in a.keys.split(",") if s.strip()]
        if not keys:
            raise ConversionError("--keys: no key names")
        if a.fps <= 0 or a.window <= 0:
            raise ConversionError("--fps and --window must be positive")
        tensors, meta = convert(load(a.model), keys, a.fps, a.window, a.bgr)
        write(tensors, meta, a.out)
        n = sum(v.size for k, v in tensors.items() if not k.endswith(("num_batches_tracked", "bias_hh_l0")))
        print(f"wrote {a.out}: {len(tensors)} tensors, {n:,} values (Keras's count), keys {','.join(keys)}, "
              f"input {json.loads(meta['input_shape'])}, {a.fps} fps, "
              f"recurrent part {json.loads(meta['config'])['recurrent']}")
        return 0
    except ConversionError as e:
        print(f"keras_to_pixelpilot: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
