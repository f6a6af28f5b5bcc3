"""Datasets for the recipes: the Batch AI helper ``download_and_upload_mnist_dataset_to_blob``.

The Batch AI recipes downloaded MNIST (about 55 MB of zip) from a public blob and uploaded its
files to the user's container.  This machine has no internet, so the dataset is *generated*
instead: seeded synthetic 8x8 digit glyphs (a 5x7 font drawn at random one-pixel shifts, with stroke
intensity jitter, background noise and flipped pixels), 10 classes, written in MNIST's own IDX
format under MNIST's own file names.  Code that reads MNIST's IDX files reads these unchanged;
only the image size (8x8 instead of 28x28) differs.  A linear model cannot learn it perfectly
(shifts and noise), random guessing scores 10 %.

Only the standard library is used, so the training script's tests can load this module by path
without the Azure SDK.
"""

from __future__ import annotations

import gzip
import os
import random
import struct
import time
from collections.abc import Iterator, Sequence
from typing import Any

IMAGE_SIDE = 8
NUM_CLASSES = 10
#: Glyphs (5x7) are drawn shifted by up to this many pixels right and down.
MAX_SHIFT = 1

#: Default sizes of the generated splits: small enough to train in seconds in pure Python.
TRAIN_SIZE = 6000
TEST_SIZE = 1000
#: Fixed seeds, so that every run of the walk-through trains on the same data.
TRAIN_SEED = 20180501
TEST_SEED = 20190331

#: The files the recipe uploaded (MNIST's IDX names), in upload order.
MNIST_FILES = (
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
)

# A 5x7 font for the digits 0-9 ('#' is ink).
_FONT = {
    0: (" ### ", "#   #", "#  ##", "# # #", "##  #", "#   #", " ### "),
    1: ("  #  ", " ##  ", "  #  ", "  #  ", "  #  ", "  #  ", " ### "),
    2: (" ### ", "#   #", "    #", "   # ", "  #  ", " #   ", "#####"),
    3: ("#####", "   # ", "  #  ", "   # ", "    #", "#   #", " ### "),
    4: ("   # ", "  ## ", " # # ", "#  # ", "#####", "   # ", "   # "),
    5: ("#####", "#    ", "#### ", "    #", "    #", "#   #", " ### "),
    6: ("  ## ", " #   ", "#    ", "#### ", "#   #", "#   #", " ### "),
    7: ("#####", "    #", "   # ", "  #  ", " #   ", " #   ", " #   "),
    8: (" ### ", "#   #", "#   #", " ### ", "#   #", "#   #", " ### "),
    9: (" ### ", "#   #", "#   #", " ####", "    #", "   # ", " ##  "),
}


def render_digit(label: int, rng: random.Random) -> bytes:
    """One 8x8 greyscale image (64 bytes, row-major, 0 = background) of digit ``label``."""
    glyph = _FONT[label]
    dx = rng.randint(0, MAX_SHIFT)
    dy = rng.randint(0, MAX_SHIFT)
    ink = rng.uniform(0.6, 1.0)
    pixels = [rng.uniform(0.0, 0.25) for _ in range(IMAGE_SIDE * IMAGE_SIDE)]
    for row, line in enumerate(glyph):
        for col, char in enumerate(line):
            if char == "#":
                pixels[(row + dy) * IMAGE_SIDE + col + dx] = ink * rng.uniform(0.8, 1.0)
    for _ in range(3):  # a few flipped pixels
        i = rng.randrange(len(pixels))
        pixels[i] = 1.0 - pixels[i]
    return bytes(min(255, max(0, round(p * 255))) for p in pixels)


def generate_digits(count: int, seed: int) -> tuple[list[bytes], list[int]]:
    """``count`` images and their labels, balanced over the 10 classes, reproducible by seed."""
    rng = random.Random(seed)
    labels = [i % NUM_CLASSES for i in range(count)]
    rng.shuffle(labels)
    return [render_digit(label, rng) for label in labels], labels


def idx_images(images: Sequence[bytes]) -> bytes:
    """MNIST IDX3 (magic 2051) bytes for ``images``, uncompressed."""
    header = struct.pack(">IIII", 2051, len(images), IMAGE_SIDE, IMAGE_SIDE)
    return header + b"".join(images)


def idx_labels(labels: Sequence[int]) -> bytes:
    """MNIST IDX1 (magic 2049) bytes for ``labels``, uncompressed."""
    return struct.pack(">II", 2049, len(labels)) + bytes(labels)


def _gzip(data: bytes) -> bytes:
    # mtime=0: the same dataset always gives the same bytes.
    return gzip.compress(data, compresslevel=9, mtime=0)


def mnist_like_files(
    train_size: int = TRAIN_SIZE, test_size: int = TEST_SIZE
) -> Iterator[tuple[str, bytes]]:
    """``(file name, gzipped IDX bytes)`` for the four MNIST files, generated deterministically."""
    train_images, train_labels = generate_digits(train_size, TRAIN_SEED)
    test_images, test_labels = generate_digits(test_size, TEST_SEED)
    yield MNIST_FILES[0], _gzip(idx_images(train_images))
    yield MNIST_FILES[1], _gzip(idx_labels(train_labels))
    yield MNIST_FILES[2], _gzip(idx_images(test_images))
    yield MNIST_FILES[3], _gzip(idx_labels(test_labels))


def write_mnist_like_dataset(
    directory: str, train_size: int = TRAIN_SIZE, test_size: int = TEST_SIZE
) -> list[str]:
    """Write the four files into ``directory`` (created if needed); returns their paths."""
    os.makedirs(directory, exist_ok=True)
    paths = []
    for name, data in mnist_like_files(train_size, test_size):
        path = os.path.join(directory, name)
        with open(path, "wb") as f:
            f.write(data)
        paths.append(path)
    return paths


def download_and_upload_mnist_dataset_to_blob(
    blob_service: Any, azure_blob_container_name: str, mnist_dataset_directory: str
) -> None:
    """Put the MNIST-format dataset into ``<container>/<mnist_dataset_directory>/``.

    The recipe helper of the same name downloaded MNIST and uploaded it with the legacy
    ``BlockBlobService``; this one generates the dataset offline (see the module docstring) and
    uploads it through the same ``blob_service`` the caller created.
    """
    print("Generating the MNIST-format dataset (synthetic 8x8 digits, offline)...")
    started = time.monotonic()
    for name, data in mnist_like_files():
        blob_service.create_blob_from_bytes(
            azure_blob_container_name, mnist_dataset_directory + "/" + name, data
        )
    print(
        f"Uploaded {len(MNIST_FILES)} files to {azure_blob_container_name}/{mnist_dataset_directory} in {time.monotonic() - started:.1f} s"
    )


def download_file(sas: str, destination: str) -> None:
    """Download ``sas`` (any HTTP(S) URL, e.g. a job output file's download URL) to a path.

    Only ``destination`` is printed: download URLs carry their access token.
    """
    import requests

    dir_name = os.path.dirname(destination)
    if dir_name:
        os.makedirs(dir_name, exist_ok=True)
    print(f"Downloading {destination} ...", end="")
    with requests.get(sas, stream=True, timeout=60) as response:
        response.raise_for_status()
        with open(destination, "wb") as f:
            for chunk in response.iter_content(chunk_size=512 * 1024):
                f.write(chunk)
    print("Done")
