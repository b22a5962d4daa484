#!/usr/bin/env python3
"""Makes the Keras fixtures that KerasConversionTests converts with tools/keras_to_pixelpilot.py
(which needs no TensorFlow) and compares with what Keras itself computed.

  make_keras_fixtures.py [--out Tests/AutopilotTests/Fixtures/keras]

Needs tf_keras (Keras 2) and tensorflow: `.venv-bench/bin/python` has them (Benchmarks/setup_peers.sh).
Writes, from a randomly initialised seed model (reference 8.2) of 3 frames of 32x32:
  seed.keras     the same network and weights saved by Keras 3 (its .keras zip format)
  seed.h5        the whole model as tf_keras's model.save writes it (datasets re-stored gzip-compressed,
                 which h5py and Keras read as before), TimeDistributed MobileNetV2 -> LSTM -> LSTM -> Dense
  encoder.h5     the MobileNetV2 alone (the encoder-only path, converted with --bgr in the test)
  check.safetensors  frames (2 windows in [-1, 1]), Keras's key probabilities, Keras's per-frame features
Weights are drawn from {-s, 0, +s} (s a Glorot-like scale per tensor) so the files compress to about
a megabyte, and every batch norm's moving statistics are those of its input on a fixed random batch,
so the activations keep a realistic scale.

seed_model and set_batch_norm_statistics are also the policy benchmark's (Benchmarks/policy_peers.py).
"""
import argparse
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
import numpy as np  # noqa: E402

HIDDEN = 128


def keras():
    import tf_keras
    return tf_keras


def seed_model(frames, size, batch=None, k=None):
    """The seed's network in tf_keras (or the Keras module `k`), taking preprocessed frames
    (resizing and x/127.5-1 left out)."""
    k = k or keras()
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


def ternary(shape, fan, rng):
    """Values from {-s, 0, s} (half zeros, s the power of two nearest sqrt(3 / fan), so the low bytes
    of every float are zero): random, and compressible."""
    s = 2.0 ** np.round(np.log2(np.sqrt(3.0 / max(fan, 1))))
    return (rng.choice([-1.0, 0.0, 0.0, 1.0], shape) * s).astype(np.float32)


def ternary_weights(layers, rng):
    """Kernels and biases from {-s, 0, s}, batch-norm scales and shifts from three levels each (the
    moving statistics are set afterwards), so every transpose and gate matters and the file is small."""
    for layer in layers:
        ws = layer.get_weights()
        if not ws:
            continue
        if type(layer).__name__ == "BatchNormalization":
            gamma, beta, mean, var = ws
            layer.set_weights([rng.choice([0.75, 1.0, 1.25], gamma.shape).astype(np.float32),
                               rng.choice([-0.25, 0.0, 0.25], beta.shape).astype(np.float32), mean, var])
        else:
            layer.set_weights([ternary(w.shape, int(np.prod(w.shape[:-1])) if w.ndim > 1 else 16, rng) for w in ws])


def find_base(model):
    """The MobileNetV2 inside a tf_keras seed model (wrapped in TimeDistributed)."""
    for layer in model.layers:
        inner = getattr(layer, "layer", None)
        if inner is not None and hasattr(inner, "layers"):
            return inner
    raise ValueError("no MobileNetV2 in the model")


def recompress(path):
    """Rewrites an HDF5 file with every dataset gzip-compressed in one chunk (same groups, attributes
    and values), in the HDF5 1.10 object format (half the size of the default one for
    hundreds of small groups; Debian 12's h5py reads it)."""
    import h5py
    tmp = path + ".tmp"
    with h5py.File(path, "r") as src, h5py.File(tmp, "w", libver=("v110", "v110")) as dst:
        def copy_attrs(a, b):
            for k, v in a.attrs.items():
                b.attrs[k] = v

        def walk(g, out):
            copy_attrs(g, out)
            for k, item in g.items():
                if isinstance(item, h5py.Group):
                    walk(item, out.create_group(k))
                else:
                    d = out.create_dataset(k, data=item[()],
                                           **({"compression": "gzip", "compression_opts": 9, "shuffle": True,
                                               "chunks": item.shape}
                                              if item.shape else {}))
                    copy_attrs(item, d)
        walk(src, dst)
    os.replace(tmp, path)


def keras3_copy(model, base, frames, size, path):
    """The same network and weights in Keras 3, saved as a .keras file (a zip, re-stored deflated)."""
    import zipfile
    import keras as k3
    model3, base3 = seed_model(frames, size, k=k3)
    for layer in base3.layers:
        if layer.weights:
            layer.set_weights(base.get_layer(layer.name).get_weights())
    for kind in ("LSTM", "Dense"):
        for mine, theirs in zip([l for l in model3.layers if type(l).__name__ == kind],
                                [l for l in model.layers if type(l).__name__ == kind]):
            mine.set_weights(theirs.get_weights())
    tmp = path + ".tmp"
    model3.save(tmp + ".keras")
    with zipfile.ZipFile(tmp + ".keras") as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as dst:
        for item in src.infolist():
            dst.writestr(item.filename, src.read(item.filename))
    os.remove(tmp + ".keras")
    os.replace(tmp, path)
    return model3


def main(argv=None):
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=os.path.join(here, "..", "Tests", "AutopilotTests", "Fixtures", "keras"))
    a = ap.parse_args(argv)
    k = keras()
    os.makedirs(a.out, exist_ok=True)
    frames, size = 3, 32
    k.utils.set_random_seed(1)
    rng = np.random.default_rng(2)
    model, base = seed_model(frames, size)
    ternary_weights(base.layers, rng)
    ternary_weights([l for l in model.layers if type(l).__name__ in ("LSTM", "Dense")], rng)
    set_batch_norm_statistics(base, size)
    seed_h5, encoder_h5 = os.path.join(a.out, "seed.h5"), os.path.join(a.out, "encoder.h5")
    model.save(seed_h5)
    base.save(encoder_h5)
    for p in (seed_h5, encoder_h5):
        recompress(p)
    # What Keras computes, from the files as written (so the check covers the saved weights).
    loaded = k.models.load_model(seed_h5, compile=False)
    encoder = k.models.load_model(encoder_h5, compile=False)
    x = rng.uniform(-1, 1, (2, frames, size, size, 3)).astype(np.float32)
    probs = loaded(x, training=False).numpy()
    feats = encoder(x.reshape(-1, size, size, 3), training=False).numpy()
    model3 = keras3_copy(loaded, find_base(loaded), frames, size, os.path.join(a.out, "seed.keras"))
    gap = float(np.abs(np.asarray(model3(x, training=False)) - probs).max())
    if gap > 1e-5:
        sys.exit(f"make_keras_fixtures: the Keras 3 copy computes other probabilities (max difference {gap:.2e})")
    spread = float(probs.std())
    if spread < 0.02:
        sys.exit(f"make_keras_fixtures: the random model's probabilities barely vary (std {spread:.4f}); pick another seed")
    from safetensors.numpy import save_file
    save_file({"frames": x, "probabilities": probs.astype(np.float32), "features": feats.astype(np.float32)},
              os.path.join(a.out, "check.safetensors"))
    sizes = ", ".join(f"{n} {os.path.getsize(os.path.join(a.out, n)) / 1e6:.2f} MB"
                      for n in ("seed.h5", "seed.keras", "encoder.h5", "check.safetensors"))
    print(f"wrote {a.out}: {sizes}; probabilities {probs.round(3).tolist()}, feature std {feats.std():.3f}")


if __name__ == "__main__":
    main()
