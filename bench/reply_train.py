"""Train the reply-inference weights that ship in ``src/qunzhu/core/reply_weights.npz``.

    python bench/reply_train.py [TRAIN_DIR] [--epochs N] [--hidden H] [--out FILE]

TRAIN_DIR defaults to the training split of the Ubuntu IRC reply corpus
(``../shared/data/replies/train``). The model is the one :mod:`qunzhu.core.replies`
runs: a one hidden-layer network over each candidate's features, trained with a softmax
over the candidates of a message (loss: minus the log of the probability given to the
annotated parents). Plain NumPy, fixed seed, a few minutes on one core; the development
split is never read here (``bench/reply_eval.py`` measures on it).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from reply_eval import logs  # noqa: E402

from qunzhu.core import replies  # noqa: E402

DEFAULT = ROOT.parent / "shared" / "data" / "replies" / "train"


def dataset(folder: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Dense features, candidate mask and annotated-parent mask per annotated message
    (messages whose annotated parents are all outside the candidates are left out)."""
    xs, masks, golds = [], [], []
    for log in logs(folder):
        rows = np.array(sorted(log.links), np.int64)
        c = replies.context(log.ts, log.sender, replies.prepare(log.texts, log.sender, log.names))
        chosen, keys, mask = replies.candidates(c, rows)
        gold = np.zeros(mask.shape, bool)
        for k, child in enumerate(rows.tolist()):
            for parent in log.links[child]:
                gold[k] |= mask[k] & (chosen[k] == parent)
        keep = gold.any(axis=1)
        xs.append(replies.dense(keys[keep]))
        masks.append(mask[keep])
        golds.append(gold[keep])
    return np.concatenate(xs), np.concatenate(masks), np.concatenate(golds)


def train(x: np.ndarray, mask: np.ndarray, gold: np.ndarray, hidden: int, epochs: int,
          seed: int = 7, rate: float = 0.003, batch: int = 256) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    f = x.shape[-1]
    params = {"w1": (rng.standard_normal((f, hidden)) * np.sqrt(2 / f)).astype(np.float32),
              "b1": np.zeros(hidden, np.float32),
              "w2": (rng.standard_normal(hidden) * np.sqrt(1 / hidden)).astype(np.float32),
              "b2": np.zeros((), np.float32)}
    moment = {k: np.zeros_like(v) for k, v in params.items()}
    square = {k: np.zeros_like(v) for k, v in params.items()}
    step = 0
    n = len(x)
    for epoch in range(epochs):
        order = rng.permutation(n)
        total = 0.0
        for lo in range(0, n, batch):
            idx = order[lo:lo + batch]
            xb, mb, gb = x[idx], mask[idx], gold[idx]
            z = xb @ params["w1"] + params["b1"]
            h = np.maximum(z, 0)
            s = h @ params["w2"] + params["b2"]
            s = np.where(mb, s, -1e9)
            s = s - s.max(axis=1, keepdims=True)
            e = np.exp(s) * mb
            p = e / e.sum(axis=1, keepdims=True)
            pg = (p * gb).sum(axis=1, keepdims=True)
            total += float(-np.log(np.maximum(pg, 1e-12)).sum())
            q = p * gb / np.maximum(pg, 1e-12)
            ds = ((p - q) * mb).astype(np.float32) / len(idx)
            grads = {"w2": np.einsum("bk,bkh->h", ds, h), "b2": np.asarray(ds.sum(), np.float32)}
            dz = ds[..., None] * params["w2"] * (z > 0)
            grads["w1"] = np.einsum("bkf,bkh->fh", xb, dz)
            grads["b1"] = dz.sum(axis=(0, 1))
            step += 1
            lr = rate * (0.5 ** (epoch / max(epochs / 3, 1)))
            for k in params:
                g = grads[k] + (1e-5 * params[k] if k.startswith("w") else 0)
                moment[k] = 0.9 * moment[k] + 0.1 * g
                square[k] = 0.999 * square[k] + 0.001 * g * g
                mhat = moment[k] / (1 - 0.9 ** step)
                vhat = square[k] / (1 - 0.999 ** step)
                params[k] = (params[k] - lr * mhat / (np.sqrt(vhat) + 1e-8)).astype(np.float32)
        print(f"epoch {epoch + 1}/{epochs}: loss {total / n:.4f}", flush=True)
    return params


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=replies.WEIGHTS)
    args = parser.parse_args()
    start = time.perf_counter()
    x, mask, gold = dataset(args.folder)
    print(f"{len(x)} annotated messages, {x.shape[-1]} features per candidate "
          f"({time.perf_counter() - start:.0f} s to read)", flush=True)
    params = train(x, mask, gold, args.hidden, args.epochs, seed=args.seed)
    np.savez_compressed(args.out, features=np.int64(x.shape[-1]), **params)
    print(f"wrote {args.out} ({time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
