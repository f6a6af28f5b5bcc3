"""The generated MNIST-format dataset (examples/utilities/dataset.py)."""

from __future__ import annotations

import gzip
import struct
from collections import Counter


def test_generation_is_reproducible(dataset_module):
    first = dict(dataset_module.mnist_like_files(train_size=300, test_size=100))
    second = dict(dataset_module.mnist_like_files(train_size=300, test_size=100))
    assert first == second
    assert sorted(first) == sorted(dataset_module.MNIST_FILES)


def test_files_are_mnist_idx(dataset_module, tmp_path):
    paths = dataset_module.write_mnist_like_dataset(str(tmp_path), train_size=200, test_size=50)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(dataset_module.MNIST_FILES)
    raw = {
        name: gzip.decompress((tmp_path / name).read_bytes())
        for name in (p.rsplit("/", 1)[-1] for p in paths)
    }
    magic, count, rows, cols = struct.unpack(">IIII", raw["train-images-idx3-ubyte.gz"][:16])
    assert (magic, count, rows, cols) == (2051, 200, 8, 8)
    assert len(raw["train-images-idx3-ubyte.gz"]) == 16 + 200 * 64
    magic, count = struct.unpack(">II", raw["t10k-labels-idx1-ubyte.gz"][:8])
    assert (magic, count) == (2049, 50)
    labels = raw["t10k-labels-idx1-ubyte.gz"][8:]
    assert Counter(labels) == {label: 5 for label in range(10)}


def test_train_and_test_splits_differ(dataset_module):
    train, _ = dataset_module.generate_digits(100, dataset_module.TRAIN_SEED)
    test, _ = dataset_module.generate_digits(100, dataset_module.TEST_SEED)
    assert not set(train) & set(test)


def test_images_of_one_class_vary(dataset_module):
    images, labels = dataset_module.generate_digits(200, 7)
    sevens = [image for image, label in zip(images, labels, strict=True) if label == 7]
    assert len(set(sevens)) == len(sevens) == 20
    assert all(len(image) == 64 for image in images)


def test_dataset_is_small(dataset_module):
    total = sum(len(data) for _, data in dataset_module.mnist_like_files())
    assert total < 2_000_000
