#!/usr/bin/env python3
"""Writes the layout classifier's PyTorch parity fixtures (Tests/LayoutReaderTests/Fixtures).

Usage:  .venv-bench/bin/python tools/make_vit_fixtures.py     (or `make vit-fixtures`)

Everything is computed in float64 with PyTorch straight from the reference's formulas
(../shared/reference/layout-prediction.md §9-11), independently of the Swift code:

* vit_tokens: the seed's tokenizer, literally (pad so the origin is a patch corner with
  up = ceil(oy/32) ..., keep non-empty patches in scan order, stable sort by py^2 + px^2) on a
  random mask with an origin near its middle, plus the seed's position embedding of every token.
* vit_classifier: a small ViT of the seed's design (width 32, 2 pre-norm blocks x 4 heads, MLP 64,
  8 tokens, 9 classes) whose weights are stored under the seed's key names and (in, out) layout
  (§11.4). Three samples: 3 tokens (padded), 11 tokens (truncated to 8) and 1 token. Saved: the
  token pixels, patch coordinates, every weight, the logits, the masked cross-entropy (§14.5) with
  labels and a loss mask, and the gradient of that loss with respect to every weight.

The tests never run Python; they read the committed files.
"""
import math
import pathlib

import numpy as np
import torch
from safetensors.torch import save_file

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "Tests" / "LayoutReaderTests" / "Fixtures"
P = 32


def save(name, tensors):
    OUT.mkdir(parents=True, exist_ok=True)
    clean = {k: torch.as_tensor(v).detach().to(torch.float32).contiguous() for k, v in tensors.items()}
    save_file(clean, str(OUT / f"{name}.safetensors"))
    print(f"wrote {name}.safetensors ({len(clean)} tensors, {(OUT / f'{name}.safetensors').stat().st_size} bytes)")


def tokenize(mask, oy, ox):
    """The seed's §9 tokenizer: returns [(py, px, patch)] nearest first, ties in scan order."""
    h, w = mask.shape
    up, down = math.ceil(oy / P), math.ceil((h - oy) / P)
    left, right = math.ceil(ox / P), math.ceil((w - ox) / P)
    padded = np.pad(mask, ((up * P - oy, down * P - (h - oy)), (left * P - ox, right * P - (w - ox))))
    tokens = []
    for r in range(padded.shape[0] // P):
        for c in range(padded.shape[1] // P):
            patch = padded[r * P:(r + 1) * P, c * P:(c + 1) * P]
            if patch.any():
                tokens.append((r - up, c - left, patch.copy()))
    tokens.sort(key=lambda t: t[0] ** 2 + t[1] ** 2)  # Python's sort is stable: ties keep scan order
    return tokens


def position_embedding(py, px, d):
    k = torch.arange(d // 4, dtype=torch.float64)
    freqs = torch.exp(-(4 * k / d) * math.log(10000))
    e = torch.zeros(d, dtype=torch.float64)
    e[0::4] = torch.sin(py * freqs)
    e[1::4] = torch.cos(py * freqs)
    e[2::4] = torch.sin(px * freqs)
    e[3::4] = torch.cos(px * freqs)
    return e


def tokens_fixture():
    rng = np.random.default_rng(3)
    h, w = 100, 130
    mask = np.zeros((h, w), dtype=np.uint8)
    # Sparse lines and blobs, some patches empty.
    for _ in range(25):
        y, x = rng.integers(0, h), rng.integers(0, w)
        mask[y:y + rng.integers(1, 4), x:x + rng.integers(1, 30)] = 1
    oy, ox = 50, 45
    toks = tokenize(mask, oy, ox)
    rows = torch.tensor([t[0] for t in toks], dtype=torch.float64)
    cols = torch.tensor([t[1] for t in toks], dtype=torch.float64)
    pixels = torch.tensor(np.stack([t[2] for t in toks]), dtype=torch.float64)
    pos = torch.stack([position_embedding(r, c, 256) for r, c in zip(rows.tolist(), cols.tolist())])
    save("vit_tokens", {"mask": torch.tensor(mask, dtype=torch.float64), "origin": torch.tensor([oy, ox]),
                        "rows": rows, "cols": cols, "pixels": pixels, "positions": pos})


def layer_norm(x, g, b):
    mu = x.mean(-1, keepdim=True)
    var = ((x - mu) ** 2).mean(-1, keepdim=True)
    return (x - mu) / torch.sqrt(var + 1e-5) * g + b


def gelu_tanh(x):
    return 0.5 * x * (1 + torch.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))


def vit_forward(wt, samples, width, depth, heads, tokens):
    """The seed's ViT (§11) on a list of (pixels (N,32,32), rows, cols); returns logits (B, classes)."""
    seqs = []
    for pix, rows, cols in samples:
        x = torch.nn.functional.conv2d(pix[:, None], wt["embedding.l1.weight"], wt["embedding.l1.bias"], stride=16)
        x = torch.relu(x).flatten(1)  # channel-major: c*4 + qy*2 + qx
        x = x + torch.stack([position_embedding(r, c, width) for r, c in zip(rows, cols)])
        if x.shape[0] < tokens:
            x = torch.cat([x, wt["mask_token"].expand(tokens - x.shape[0], width)])
        else:
            x = x[:tokens]
        seqs.append(x)
    x = torch.stack(seqs)
    x = torch.cat([wt["cls_token"].expand(x.shape[0], 1, width), x], dim=1)
    b, l, _ = x.shape
    dh = width // heads
    for i in range(depth):
        p = f"tbs.{i}."
        h = layer_norm(x, wt[p + "ln1.0"], wt[p + "ln1.1"])
        q = (h @ wt[p + "query.0"] + wt[p + "query.1"]).view(b, l, heads, dh).transpose(1, 2)
        k = (h @ wt[p + "key.0"] + wt[p + "key.1"]).view(b, l, heads, dh).transpose(1, 2)
        v = (h @ wt[p + "value.0"] + wt[p + "value.1"]).view(b, l, heads, dh).transpose(1, 2)
        a = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(dh), dim=-1) @ v
        a = a.transpose(1, 2).reshape(b, l, width)
        x = x + (a @ wt[p + "out.0"] + wt[p + "out.1"])
        h = layer_norm(x, wt[p + "ln2.0"], wt[p + "ln2.1"])
        x = x + (gelu_tanh(h @ wt[p + "ff1.0"] + wt[p + "ff1.1"]) @ wt[p + "ff2.0"] + wt[p + "ff2.1"])
    x = layer_norm(x, wt["encoder_norm.0"], wt["encoder_norm.1"])
    return x[:, 0] @ wt["head.0"] + wt["head.1"]


def classifier_fixture():
    torch.manual_seed(11)
    width, depth, heads, mlp, tokens, classes = 32, 2, 4, 64, 8, 9
    c = width // 4
    shapes = {"embedding.l1.weight": (c, 1, 16, 16), "embedding.l1.bias": (c,), "cls_token": (1, 1, width),
              "mask_token": (1, width), "encoder_norm.0": (width,), "encoder_norm.1": (width,),
              "head.0": (width, classes), "head.1": (classes,)}
    for i in range(depth):
        p = f"tbs.{i}."
        for n in ("query", "key", "value", "out"):
            shapes[p + n + ".0"] = (width, width)
            shapes[p + n + ".1"] = (width,)
        shapes[p + "ff1.0"], shapes[p + "ff1.1"] = (width, mlp), (mlp,)
        shapes[p + "ff2.0"], shapes[p + "ff2.1"] = (mlp, width), (width,)
        for n in ("ln1", "ln2"):
            shapes[p + n + ".0"], shapes[p + n + ".1"] = (width,), (width,)
    wt = {}
    for k, s in shapes.items():
        t = torch.rand(s, dtype=torch.float64) * 2 - 1
        if k.endswith("ln1.0") or k.endswith("ln2.0"):
            t = 1 + 0.2 * t
        elif k == "embedding.l1.weight":
            t = t * 0.2
        else:
            t = t * 0.5
        wt[k] = t.requires_grad_(True)
    samples = []
    gen = torch.Generator().manual_seed(5)
    for n in (3, 11, 1):
        pix = (torch.rand(n, 32, 32, generator=gen) < 0.15).to(torch.float64)
        rows = torch.randint(-6, 7, (n,), generator=gen).tolist()
        cols = torch.randint(-6, 7, (n,), generator=gen).tolist()
        samples.append((pix, rows, cols))
    logits = vit_forward(wt, samples, width, depth, heads, tokens)
    labels = torch.tensor([4, 0, 7])
    weights = torch.tensor([1.0, 1.0, 0.0], dtype=torch.float64)  # the third is a pad sample (§14.5)
    ce = torch.nn.functional.cross_entropy(logits, labels, reduction="none")
    loss = (weights * ce).sum() / weights.sum()
    loss.backward()
    out = {k: v.detach() for k, v in wt.items()}
    out.update({f"grad.{k}": v.grad for k, v in wt.items()})
    for i, (pix, rows, cols) in enumerate(samples):
        out[f"sample{i}.pixels"] = pix
        out[f"sample{i}.rows"] = torch.tensor(rows)
        out[f"sample{i}.cols"] = torch.tensor(cols)
    out["logits"] = logits.detach()
    out["labels"] = labels
    out["loss_mask"] = weights
    out["loss"] = loss.detach().reshape(1)
    out["config"] = torch.tensor([width, depth, heads, mlp, tokens, classes])
    save("vit_classifier", out)


if __name__ == "__main__":
    torch.set_default_dtype(torch.float64)
    tokens_fixture()
    classifier_fixture()
