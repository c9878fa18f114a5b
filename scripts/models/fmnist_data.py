"""fmnist_data.py - read Fashion-MNIST from Debian's dataset-fashion-mnist.

The package installs the four original IDX files, gzip-compressed, under
/usr/share/datasets/fashion-mnist/. IDX layout (all integers big-endian):
  images: u32 magic 0x00000803, u32 count, u32 rows (28), u32 cols (28),
          then count*rows*cols uint8 pixels, row-major, image after image
  labels: u32 magic 0x00000801, u32 count, then count uint8 labels 0..9
Only the standard library is needed here (numpy is optional).
"""
import gzip
import os
import struct

FMNIST_DIR = os.environ.get("FMNIST_DIR", "/usr/share/datasets/fashion-mnist")

CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
           "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]


def _read(name):
    path = os.path.join(FMNIST_DIR, name)
    if not os.path.exists(path):
        raise SystemExit(f"{path} not found: apt-get install dataset-fashion-mnist")
    with gzip.open(path, "rb") as f:
        return f.read()


def load_raw(split):
    """Return (images bytes, labels bytes, count) for split 'train' or 't10k'."""
    img = _read(f"{split}-images-idx3-ubyte.gz")
    lab = _read(f"{split}-labels-idx1-ubyte.gz")
    magic, n, rows, cols = struct.unpack(">IIII", img[:16])
    assert magic == 0x803 and rows == 28 and cols == 28, "bad IDX image file"
    magic2, n2 = struct.unpack(">II", lab[:8])
    assert magic2 == 0x801 and n2 == n, "bad IDX label file"
    return img[16:], lab[8:], n


def load(split):
    """Return (images uint8 [N,28,28], labels uint8 [N]) as numpy arrays."""
    import numpy as np
    img, lab, n = load_raw(split)
    x = np.frombuffer(img, dtype=np.uint8).reshape(n, 28, 28)
    y = np.frombuffer(lab, dtype=np.uint8)
    return x, y
