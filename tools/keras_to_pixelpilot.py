#!/usr/bin/env python3
"""Converts a Keras MobileNetV2, or a whole seed model (TimeDistributed MobileNetV2 -> LSTM(128)
-> LSTM(128) -> Dense sigmoid, reference section 8.2), into a PixelPilot seed-policy model file
that `pixelpilot train policy --architecture seed` and `pixelpilot play` read.

Usage:
  keras_to_pixelpilot.py MODEL.h5|MODEL.keras --out seed.safetensors [--keys Up,Left,Right,Down]
                         [--fps 10] [--window 20] [--bgr]

Needs only numpy and h5py (Debian: apt install python3-numpy python3-h5py; `make deps` installs
them), not TensorFlow: the file is read as what it is, an HDF5 file (.h5, Keras 2 or Keras 3's
legacy format) or a zip of config.json and model.weights.h5 (.keras, Keras 3), and the
safetensors file is written directly. tools/make_keras_fixtures.py (which needs tf_keras) makes
the random Keras models the tests convert.

A MobileNetV2 alone (for example an ImageNet one saved with `model.save("mnv2.h5")`) becomes the
encoder; the LSTMs and the output layer are then initialised as Keras would (Glorot kernels,
orthogonal recurrent kernels, unit forget bias), ready for training. Keras LSTMs keep gates in the
order i, f, c, o as PyTorch (and TensorKit) do, so kernels are transposed and bias_hh is zero.
The seed's frames were B, G, R (reference section 2); --bgr swaps the first convolution's input
channels so the converted model takes PixelPilot's R, G, B frames and computes the same outputs.
"""
import argparse
import io
import json
import os
import re
import struct
import sys
import zipfile

import numpy as np

ARCHITECTURE = "pixelpilot.seed-policy"
SEED_KEYS = ["Up", "Left", "Right", "Down"]
HIDDEN = 128
# (expansion, channels, repeats, first stride) of MobileNetV2, alpha 1.
STAGES = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]
CONTAINERS = ("Functional", "Model", "Sequential")
# Each layer kind's variables in Keras's order (what Keras 3's .keras files number 0, 1, ...).
VARIABLES = {
    "Conv2D": ["kernel", "bias"],
    "DepthwiseConv2D": ["depthwise_kernel", "bias"],
    "BatchNormalization": ["gamma", "beta", "moving_mean", "moving_variance"],
    "LSTM": ["kernel", "recurrent_kernel", "bias"],
    "Dense": ["kernel", "bias"],
}


class ConversionError(Exception):
    pass


class Layer:
    """A Keras layer as read from the file: its class, configuration, named weights and, for a
    nested model or a TimeDistributed wrapper, the layers inside."""

    def __init__(self, class_name, config, weights=None, layers=None):
        self.class_name = class_name
        self.config = config
        self.name = config.get("name", "")
        self.weights = weights or {}
        self.layers = layers or []

    @property
    def inner(self):
        """The wrapped layer of a TimeDistributed, else the layer itself."""
        return self.layers[0] if self.class_name == "TimeDistributed" and self.layers else self

    def weight(self, name):
        if name not in self.weights:
            raise ConversionError(f"layer {self.name} has no weight '{name}' (it has {sorted(self.weights) or 'none'})")
        return self.weights[name]

    def get_layer(self, name):
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise ConversionError(f"no layer named {name} in {self.name}")

    @property
    def input_shape(self):
        """The batch input shape of a model (from its InputLayer), e.g. [None, 20, 96, 96, 3]."""
        for layer in self.layers:
            if layer.class_name == "InputLayer":
                shape = layer.config.get("batch_input_shape") or layer.config.get("batch_shape")
                if shape is not None:
                    return list(shape)
        shape = self.config.get("build_input_shape")  # a Sequential without an InputLayer
        if shape is not None:
            return list(shape)
        raise ConversionError(f"model {self.name}: no input shape in its configuration")


def text(value):
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def build_layer(entry, weights_for):
    """A Layer from one configuration entry; `weights_for(layer)` gives its named weights."""
    class_name, config = entry["class_name"], dict(entry.get("config", {}))
    if "name" not in config and "name" in entry:
        config["name"] = entry["name"]
    layer = Layer(class_name, config)
    if class_name in CONTAINERS:
        layer.layers = [build_layer(e, weights_for) for e in config.get("layers", [])]
    elif class_name == "TimeDistributed":
        layer.layers = [build_layer(config["layer"], weights_for)]
    else:
        layer.weights = weights_for(layer)
    return layer


def all_layers(layer):
    yield layer
    for inner in layer.layers:
        yield from all_layers(inner)


def read_h5(path):
    """A whole model saved by `model.save("x.h5")` (HDF5: model_config and model_weights)."""
    import h5py
    try:
        f = h5py.File(path, "r")
    except OSError as e:
        raise ConversionError(f"{path}: not an HDF5 file ({e})") from e
    with f:
        if "model_config" not in f.attrs:
            raise ConversionError(f"{path}: an HDF5 file without a Keras model configuration; save the whole model "
                                  "(model.save('model.h5')), not only its weights")
        config = json.loads(text(f.attrs["model_config"]))
        group = f["model_weights"] if "model_weights" in f else f
        # Every variable in the file, keyed by the chain of names in its path ("Conv1/kernel:0",
        # "lstm/lstm_cell/kernel:0"): a layer's variables are those whose path names the layer.
        found = {}
        for top in (text(n) for n in group.attrs.get("layer_names", [])):
            g = group[top]
            for wname in (text(n) for n in g.attrs.get("weight_names", [])):
                parts = wname.split(":")[0].split("/")
                found.setdefault(top, []).append((parts, np.asarray(g[wname])))

    def weights_for(layer):
        # A top-level layer owns its group; a layer inside a nested model or a TimeDistributed
        # is named in its variables' paths inside the container's group.
        if layer.name in found:
            return {parts[-1]: value for parts, value in found[layer.name]}
        return {parts[-1]: value for variables in found.values() for parts, value in variables
                if layer.name in parts[:-1]}

    return build_layer(config, weights_for)


def snake_case(name):
    """Keras 3's naming.to_snake_case: the group name of a layer of that class in a .keras file."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def read_keras(path):
    """A Keras 3 `.keras` file: a zip of config.json and model.weights.h5. In the weights file a
    container's layers are groups named after their class, numbered in layer order (conv2d,
    conv2d_1, ...; not the layers' own names), under layers/; a TimeDistributed's layer under
    layer/; a layer's variables in vars/0, 1, ... (an LSTM's under cell/vars)."""
    import h5py
    try:
        with zipfile.ZipFile(path) as z:
            config = json.loads(z.read("config.json"))
            blob = z.read("model.weights.h5")
    except (zipfile.BadZipFile, KeyError, ValueError) as e:
        raise ConversionError(f"{path}: not a Keras 3 .keras file (a zip of config.json and model.weights.h5: {e})")
    model = build_layer(config, lambda layer: {})
    with h5py.File(io.BytesIO(blob), "r") as h5:
        def values(group_path):
            if group_path not in h5:
                return []
            g = h5[group_path]
            return [np.asarray(g[k]) for k in sorted(g.keys(), key=int)]

        def assign(layer, where):
            if layer.class_name in CONTAINERS:
                used = {}
                for child in layer.layers:
                    base = snake_case(child.class_name)
                    n = used.get(base, 0)
                    used[base] = n + 1
                    assign(child, f"{where}layers/{base}" + (f"_{n}" if n else ""))
                return
            if layer.class_name == "TimeDistributed":
                assign(layer.layers[0], f"{where}/layer/")
                return
            found = values(f"{where}/cell/vars" if layer.class_name == "LSTM" else f"{where}/vars")
            kinds = list(VARIABLES.get(layer.class_name, []))
            if layer.class_name == "BatchNormalization":
                kinds = [k for k in kinds if (k != "gamma" or layer.config.get("scale", True))
                         and (k != "beta" or layer.config.get("center", True))]
            if layer.class_name in ("Conv2D", "DepthwiseConv2D", "Dense") and not layer.config.get("use_bias", True):
                kinds = kinds[:1]
            if found and len(found) != len(kinds):
                raise ConversionError(f"{path}: layer {layer.name} has {len(found)} variables, expected {len(kinds)} "
                                      f"({', '.join(kinds)})")
            layer.weights = dict(zip(kinds, found))

        assign(model, "")
    return model


def load(path):
    if not os.path.exists(path):
        raise ConversionError(f"{path}: no such file")
    if zipfile.is_zipfile(path):
        return read_keras(path)
    return read_h5(path)


def find_mobilenet(model):
    """The MobileNetV2 inside `model` (itself, a nested model, or one wrapped in TimeDistributed)."""
    def is_mnv2(m):
        names = {l.name for l in m.layers}
        return {"Conv1", "bn_Conv1", "Conv_1", "Conv_1_bn", "block_16_project"} <= names
    if is_mnv2(model):
        return model
    for layer in model.layers:
        if is_mnv2(layer.inner):
            return layer.inner
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
        layer = m.get_layer(conv_name)
        if layer.config.get("use_bias", False) or "bias" in layer.weights:
            raise ConversionError(f"layer {conv_name} has a bias; MobileNetV2's convolutions have none")
        kernel = layer.weight("depthwise_kernel" if dw else "kernel")
        out[prefix + ".conv.weight"] = depthwise(kernel) if dw else conv(kernel)
        bn = m.get_layer(bn_name)
        c = bn.config
        if not (c.get("center", True) and c.get("scale", True)) or abs(float(c.get("epsilon", 1e-3)) - 1e-3) > 1e-9:
            raise ConversionError(f"{bn_name}: expected center, scale and epsilon 1e-3 (Keras's MobileNetV2)")
        out[prefix + ".bn.weight"] = bn.weight("gamma")
        out[prefix + ".bn.bias"] = bn.weight("beta")
        out[prefix + ".bn.running_mean"] = bn.weight("moving_mean")
        out[prefix + ".bn.running_var"] = bn.weight("moving_variance")
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


def activation(config, key):
    value = config.get(key)
    if isinstance(value, dict):  # Keras 3 may serialise an activation as an object
        value = value.get("config", {}).get("name", value.get("class_name"))
    return value


def lstm_tensors(layer, name, expect_in):
    cfg = layer.config
    problems = []
    if cfg.get("units") != HIDDEN:
        problems.append(f"{cfg.get('units')} units (expected {HIDDEN})")
    if activation(cfg, "activation") != "tanh":
        problems.append(f"activation {activation(cfg, 'activation')} (expected tanh)")
    if activation(cfg, "recurrent_activation") != "sigmoid":
        problems.append(f"recurrent activation {activation(cfg, 'recurrent_activation')} (expected sigmoid)")
    if not cfg.get("use_bias", True):
        problems.append("no bias")
    if problems:
        raise ConversionError(f"LSTM '{layer.name}': " + ", ".join(problems))
    kernel, recurrent, bias = layer.weight("kernel"), layer.weight("recurrent_kernel"), layer.weight("bias")
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
    for layer in all_layers(model):
        if layer.class_name == "Rescaling":
            scale, offset = float(layer.config.get("scale", 1)), float(layer.config.get("offset", 0))
            if abs(scale - 1 / 127.5) > 1e-6 or abs(offset + 1) > 1e-6:
                raise ConversionError(
                    f"Rescaling '{layer.name}' maps x to x*{scale}+{offset}; the seed's network takes 0-255 "
                    "pixels scaled by 1/127.5 - 1 (retrain, or remove the layer and scale the frames yourself)")


def convert(model, keys, fps, window, bgr):
    mnv2 = find_mobilenet(model)
    in_shape = mnv2.input_shape
    if len(in_shape) != 4 or in_shape[1] is None or in_shape[1] != in_shape[2] or in_shape[3] != 3:
        raise ConversionError(f"MobileNetV2 input is {in_shape}; a square RGB size such as 96 is needed")
    size = int(in_shape[1])
    if mnv2.layers[-1].class_name != "GlobalAveragePooling2D":
        raise ConversionError("the MobileNetV2 must end in global average pooling (include_top=False, pooling='avg')")
    tensors = encoder_tensors(mnv2, bgr)
    check_rescaling(model)
    lstms = [l for l in model.layers if l.class_name == "LSTM"]
    dense = [l for l in model.layers if l.class_name == "Dense"]
    recurrent = "converted"
    if mnv2 is model or not lstms:
        tensors.update(fresh_recurrent(keys))
        recurrent = "initialised"
    else:
        if len(lstms) != 2 or len(dense) != 1:
            raise ConversionError(
                f"expected 2 LSTM layers and 1 Dense layer after the encoder, found {len(lstms)} and {len(dense)}")
        if not lstms[0].config.get("return_sequences") or lstms[1].config.get("return_sequences"):
            raise ConversionError("the first LSTM must return sequences and the second only its last state")
        tensors.update(lstm_tensors(lstms[0], "lstm1", 1280))
        tensors.update(lstm_tensors(lstms[1], "lstm2", HIDDEN))
        kernel, bias = dense[0].weight("kernel"), dense[0].weight("bias")
        if activation(dense[0].config, "activation") != "sigmoid":
            raise ConversionError(f"Dense '{dense[0].name}' must use a sigmoid (independent per-key probabilities)")
        if kernel.shape[1] != len(keys):
            raise ConversionError(
                f"the model has {kernel.shape[1]} outputs but {len(keys)} key names were given ({','.join(keys)})")
        tensors["output.weight"] = np.ascontiguousarray(kernel.T)
        tensors["output.bias"] = bias
        top = model.input_shape
        if len(top) == 5 and top[1] is not None:
            window = int(top[1])
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
    """A safetensors file (8-byte little-endian header size, JSON header, raw little-endian data),
    written to a temporary name first so a failed run leaves no half file."""
    header, offset, blobs = {}, 0, []
    for name in sorted(tensors):
        data = np.ascontiguousarray(tensors[name], dtype="<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensors[name].shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    header["__metadata__"] = {str(k): str(v) for k, v in meta.items()}
    raw = json.dumps(header, separators=(",", ":")).encode("utf-8")
    raw += b" " * (-len(raw) % 8)
    tmp = out + ".tmp"
    try:
        with open(tmp, "wb") as f:
            f.write(struct.pack("<Q", len(raw)))
            f.write(raw)
            for blob in blobs:
                f.write(blob)
        os.replace(tmp, out)
    except OSError as e:
        raise ConversionError(f"{out}: cannot write it ({e.strerror})") from e


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("model", help="Keras .h5 or .keras file (MobileNetV2 or whole seed model)")
    ap.add_argument("--out", required=True, help="PixelPilot model file to write (.safetensors)")
    ap.add_argument("--keys", default=",".join(SEED_KEYS), help="key names in output order (X keysyms)")
    ap.add_argument("--fps", type=int, default=10, help="frames per second the model was trained at")
    ap.add_argument("--window", type=int, default=20, help="frames per window (when the file does not fix it)")
    ap.add_argument("--bgr", action="store_true", help="the model was trained on B, G, R frames (the seed's)")
    a = ap.parse_args(argv)
    try:
        try:
            import h5py  # noqa: F401
        except ImportError as e:
            raise ConversionError("h5py is not installed (Debian: apt install python3-h5py; or pip install h5py)") from e
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
