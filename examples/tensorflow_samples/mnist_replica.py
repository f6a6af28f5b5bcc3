"""Distributed MNIST training with a parameter server, in plain Python (no TensorFlow).

This stands in for TensorFlow's ``mnist_replica.py``, the script the Batch AI recipe
"TensorFlow-GPU-Distributed" (and the migration guide's walk-through) deployed to the cluster.
It keeps that script's command line and its between-graph-replication shape, so the Batch AI
job definition is unchanged:

* ``--job_name=ps``: the parameter server.  It holds the model parameters and serves them on its
  advertised ``host:port`` (``--ps_hosts[--task_index]``, i.e. ``$AZ_BATCHAI_PS_HOSTS``); it exits
  once every worker has said it is done (or after ``--ps_idle_timeout`` seconds of silence).
* ``--job_name=worker``: a worker.  It trains on its shard of the data (every
  ``len(worker_hosts)``-th example, starting at ``--task_index``): it pulls the parameters,
  computes the gradient of a mini-batch and pushes the update; the ps applies updates as they
  come (asynchronous SGD) and counts the global step.  Training stops at ``--train_steps``
  global steps.  Worker 0 is the chief: it logs the test accuracy and writes the checkpoint to
  ``--checkpoint_dir`` and the loss curve to ``--log_dir``.

The model is softmax regression over the images' pixels: small enough to train in seconds
with the standard library, real enough that the loss falls and the accuracy ends far above
chance.  ``--data_dir`` holds MNIST's four IDX files (any image size; the walk-through generates
8x8 digits).  ``--num_gpus`` is accepted and reported; this trainer runs on the CPU.

If ``--ps_hosts`` / ``--worker_hosts`` / ``--job_name`` / ``--task_index`` are not given, the
standard ``TF_CONFIG`` environment variable supplies them (as Azure ML sets it).

Wire protocol (TCP, one persistent connection per worker): every message is a 4-byte big-endian
length, then a 1-byte opcode and its payload; float vectors travel as little-endian doubles::

    P                -> step (u64) + parameters        pull
    U + update       -> step (u64) + parameters        add ``update`` to the parameters
    D + index (u32)  -> "OK"                           worker ``index`` is done
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import os
import random
import socket
import socketserver
import struct
import sys
import threading
import time
from array import array
from collections.abc import Iterable, Sequence
from operator import mul
from typing import Any

Image = tuple[float, ...]
Params = Sequence[float]

LOG_EVERY_STEPS = 250
LOSS_WINDOW = 200


# ----------------------------------------------------------------------------- data


def _read_idx(path: str) -> tuple[list[Any], int | None]:
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    magic, count = struct.unpack(">II", data[:8])
    if magic == 2049:  # labels
        return list(data[8 : 8 + count]), None
    if magic == 2051:  # images
        rows, cols = struct.unpack(">II", data[8:16])
        size = rows * cols
        body = data[16:]
        images = [tuple(b / 255.0 for b in body[i * size : (i + 1) * size]) for i in range(count)]
        return images, size
    raise ValueError(f"{path}: not an MNIST IDX file (magic {magic})")


def _find(data_dir: str, stem: str) -> str:
    for name in (stem + ".gz", stem):
        path = os.path.join(data_dir, name)
        if os.path.exists(path):
            return path
    raise FileNotFoundError(f"{data_dir}: no {stem}[.gz] (is --data_dir right?)")


def load_split(data_dir: str, prefix: str) -> tuple[list[Image], list[int], int]:
    """``(images, labels, pixels_per_image)`` of split ``train`` or ``t10k``."""
    images, size = _read_idx(_find(data_dir, prefix + "-images-idx3-ubyte"))
    labels, _ = _read_idx(_find(data_dir, prefix + "-labels-idx1-ubyte"))
    if len(images) != len(labels) or size is None:
        raise ValueError(f"{prefix}: {len(images)} images but {len(labels)} labels")
    return images, labels, size


# ----------------------------------------------------------------------------- model


class SoftmaxModel:
    """Softmax regression: ``classes`` rows of ``features`` weights, then ``classes`` biases."""

    def __init__(self, features: int, classes: int = 10) -> None:
        self.features = features
        self.classes = classes
        self.size = classes * features + classes

    def _rows(self, params: Params) -> list[Params]:
        f = self.features
        return [params[c * f : (c + 1) * f] for c in range(self.classes)]

    def _biases(self, params: Params) -> Params:
        return params[self.classes * self.features :]

    def probabilities(
        self,
        params: Params,
        image: Image,
        rows: list[Params] | None = None,
        biases: Params | None = None,
    ) -> list[float]:
        rows = rows if rows is not None else self._rows(params)
        biases = biases if biases is not None else self._biases(params)
        logits = [sum(map(mul, row, image)) + b for row, b in zip(rows, biases, strict=False)]
        top = max(logits)
        exps = [math.exp(v - top) for v in logits]
        total = sum(exps)
        return [e / total for e in exps]

    def gradient(
        self, params: Params, images: Sequence[Image], labels: Sequence[int]
    ) -> tuple[float, list[float]]:
        """Mean cross-entropy loss of the batch and its gradient (a list of ``size`` floats)."""
        rows, biases = self._rows(params), self._biases(params)
        n = len(images)
        coeffs = [[0.0] * n for _ in range(self.classes)]  # dloss/dlogit, per class, per example
        loss = 0.0
        for i, (image, label) in enumerate(zip(images, labels, strict=False)):
            probs = self.probabilities(params, image, rows, biases)
            loss -= math.log(max(probs[label], 1e-12))
            for c, p in enumerate(probs):
                coeffs[c][i] = (p - (1.0 if c == label else 0.0)) / n
        columns = list(zip(*images, strict=False))
        grad: list[float] = []
        for c in range(self.classes):
            grad.extend(sum(map(mul, coeffs[c], column)) for column in columns)
        grad.extend(sum(coeffs[c]) for c in range(self.classes))
        return loss / n, grad

    def accuracy(self, params: Params, images: Sequence[Image], labels: Sequence[int]) -> float:
        rows, biases = self._rows(params), self._biases(params)
        right = 0
        for image, label in zip(images, labels, strict=False):
            probs = self.probabilities(params, image, rows, biases)
            right += probs.index(max(probs)) == label
        return right / len(labels)


# ----------------------------------------------------------------------------- wire format


def _pack_floats(values: Iterable[float]) -> bytes:
    data = array("d", values)
    if sys.byteorder == "big":
        data.byteswap()
    return data.tobytes()


def _unpack_floats(payload: bytes) -> array[float]:
    data = array("d")
    data.frombytes(payload)
    if sys.byteorder == "big":
        data.byteswap()
    return data


def _send(sock: socket.socket, payload: bytes) -> None:
    sock.sendall(struct.pack(">I", len(payload)) + payload)


def _recv_exact(sock: socket.socket, size: int) -> bytes:
    chunks = []
    while size:
        chunk = sock.recv(min(size, 1 << 20))
        if not chunk:
            raise ConnectionError("connection closed by peer")
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def _recv(sock: socket.socket) -> bytes:
    (size,) = struct.unpack(">I", _recv_exact(sock, 4))
    return _recv_exact(sock, size)


def split_host_port(address: str) -> tuple[str, int]:
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        raise ValueError(f"{address!r} is not host:port")
    return host.strip("[]"), int(port)


# ----------------------------------------------------------------------------- parameter server


class ParameterServer(socketserver.ThreadingTCPServer):
    """Holds the parameters; applies updates; exits when all ``num_workers`` are done."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self, address: tuple[str, int], size: int, num_workers: int, seed: int = 0
    ) -> None:
        super().__init__(address, _ParameterServerHandler)
        rng = random.Random(seed)
        self.params = array("d", (rng.gauss(0.0, 0.01) for _ in range(size)))
        self.global_step = 0
        self.num_workers = num_workers
        self.done_workers: set[int] = set()
        self.lock = threading.Lock()
        self.last_activity = time.monotonic()
        self.timed_out = False

    def snapshot(self) -> bytes:
        return struct.pack(">Q", self.global_step) + _pack_floats(self.params)

    def apply(self, update: Sequence[float]) -> None:
        if len(update) != len(self.params):
            raise ValueError(f"update of {len(update)} values for {len(self.params)} parameters")
        params = self.params
        for i, value in enumerate(update):
            params[i] += value
        self.global_step += 1

    def worker_done(self, index: int) -> bool:
        """Record worker ``index`` as done; True when this made every worker done."""
        was_finished = len(self.done_workers) >= self.num_workers
        self.done_workers.add(index)
        print(
            f"{time.time():.3f}: ps: worker {index} done ({len(self.done_workers)}/{self.num_workers})",
            flush=True,
        )
        return not was_finished and len(self.done_workers) >= self.num_workers


class _ParameterServerHandler(socketserver.BaseRequestHandler):
    server: ParameterServer

    def handle(self) -> None:
        server = self.server
        sock = self.request
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        while True:
            try:
                message = _recv(sock)
            except ConnectionError:
                return
            op, payload = message[:1], message[1:]
            finished = False
            with server.lock:
                server.last_activity = time.monotonic()
                if op == b"P":
                    reply = server.snapshot()
                elif op == b"U":
                    server.apply(_unpack_floats(payload))
                    reply = server.snapshot()
                elif op == b"D":
                    (index,) = struct.unpack(">I", payload)
                    finished = server.worker_done(index)
                    reply = b"OK"
                else:
                    print(f"ps: unknown opcode {op!r}; closing", file=sys.stderr)
                    return
            _send(sock, reply)
            if finished:
                # Only once the last worker has its "OK": the ps process exits right after
                # serve_forever returns, and these handler threads are daemons.
                server.shutdown()


def run_ps(flags: argparse.Namespace, ps_hosts: list[str], worker_hosts: list[str]) -> int:
    host, port = split_host_port(ps_hosts[flags.task_index])
    # Only ps 0 holds the parameters; any other ps task just waits for the workers.
    size = SoftmaxModel(flags.features).size if flags.task_index == 0 else 0
    try:
        server = ParameterServer((host, port), size, len(worker_hosts))
    except OSError as error:
        if error.errno != 99:  # EADDRNOTAVAIL: the advertised name is not a local address
            raise
        server = ParameterServer(("", port), size, len(worker_hosts))
    print(
        f"{time.time():.3f}: ps {flags.task_index}: serving {size} parameters on {host}:{port} for {len(worker_hosts)} workers",
        flush=True,
    )

    def watchdog() -> None:
        while True:
            time.sleep(1.0)
            with server.lock:
                idle = time.monotonic() - server.last_activity
                finished = len(server.done_workers) >= server.num_workers
            if finished:
                return
            if idle > flags.ps_idle_timeout:
                print(
                    f"ps: no message from any worker for {idle:.0f} s; giving up",
                    file=sys.stderr,
                    flush=True,
                )
                server.timed_out = True
                server.shutdown()
                return

    threading.Thread(target=watchdog, daemon=True).start()
    with server:
        server.serve_forever(poll_interval=0.05)
    if server.timed_out:
        return 1
    print(
        f"{time.time():.3f}: ps {flags.task_index}: all workers done after {server.global_step} global steps; exiting",
        flush=True,
    )
    return 0


# ----------------------------------------------------------------------------- worker


class ParameterServerClient:
    def __init__(self, address: str, connect_timeout: float) -> None:
        host, port = split_host_port(address)
        deadline = time.monotonic() + connect_timeout
        while True:
            try:
                self.sock = socket.create_connection((host, port), timeout=60)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise ConnectionError(
                        f"parameter server {address} not reachable after {connect_timeout:.0f} s"
                    ) from None
                time.sleep(0.1)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _call(self, payload: bytes) -> tuple[int, array[float]]:
        _send(self.sock, payload)
        reply = _recv(self.sock)
        (step,) = struct.unpack(">Q", reply[:8])
        return step, _unpack_floats(reply[8:])

    def pull(self) -> tuple[int, array[float]]:
        return self._call(b"P")

    def push(self, update: Iterable[float]) -> tuple[int, array[float]]:
        return self._call(b"U" + _pack_floats(update))

    def done(self, index: int) -> None:
        _send(self.sock, b"D" + struct.pack(">I", index))
        _recv(self.sock)

    def close(self) -> None:
        self.sock.close()


def run_worker(flags: argparse.Namespace, ps_hosts: list[str], worker_hosts: list[str]) -> int:
    index, num_workers = flags.task_index, len(worker_hosts)
    is_chief = index == 0
    images, labels, features = load_split(flags.data_dir, "train")
    if features != flags.features:
        raise ValueError(f"images have {features} pixels: pass --features={features} to every task")
    shard = list(range(index, len(images), num_workers))
    model = SoftmaxModel(features)
    print(
        f"{time.time():.3f}: Worker {index}: {len(shard)} training examples in its shard of {len(images)}; "
        f"{model.size} parameters on ps {ps_hosts[0]}",
        flush=True,
    )
    if flags.num_gpus:
        print(
            f"Worker {index}: --num_gpus={flags.num_gpus} requested; this trainer runs on the CPU",
            flush=True,
        )

    # The first ps holds the parameters; every ps waits for the workers' "done".
    servers = [ParameterServerClient(address, flags.connect_timeout) for address in ps_hosts]
    ps = servers[0]
    rng = random.Random(1000 + index)
    losses: list[float] = []
    curve: list[tuple[int, float]] = []
    local_step = 0
    position = len(shard)
    started = time.time()
    step, params = ps.pull()
    while step < flags.train_steps:
        if position + flags.batch_size > len(shard):
            rng.shuffle(shard)
            position = 0
        batch = shard[position : position + flags.batch_size]
        position += flags.batch_size
        loss, grad = model.gradient(params, [images[i] for i in batch], [labels[i] for i in batch])
        step, params = ps.push([-flags.learning_rate * g for g in grad])
        local_step += 1
        losses.append(loss)
        if len(losses) > LOSS_WINDOW:
            losses.pop(0)
        if local_step == 1 or local_step % LOG_EVERY_STEPS == 0:
            mean_loss = sum(losses) / len(losses)
            curve.append((step, mean_loss))
            print(
                f"{time.time():.3f}: Worker {index}: training step {local_step} done (global step: {step}) "
                f"loss = {mean_loss:.4f}",
                flush=True,
            )
    elapsed = time.time() - started
    print(f"Training ends @ {time.time():.3f}")
    print(f"Training elapsed time: {elapsed:.3f} s; {local_step} local steps", flush=True)

    if is_chief:
        step, params = ps.pull()
        test_images, test_labels, _ = load_split(flags.data_dir, "t10k")
        train_accuracy = model.accuracy(params, images[:2000], labels[:2000])
        accuracy = model.accuracy(params, test_images, test_labels)
        loss, _ = model.gradient(params, test_images, test_labels)
        print(f"After {step} training step(s), test cross entropy = {loss:.4f}")
        print(f"Train accuracy: {train_accuracy:.4f}")
        print(f"Test accuracy: {accuracy:.4f} ({len(test_labels)} test images)", flush=True)
        if flags.checkpoint_dir:
            path = save_checkpoint(flags.checkpoint_dir, step, model, params, accuracy)
            print(f"Model saved in {path}", flush=True)
        if flags.log_dir:
            path = save_loss_curve(flags.log_dir, curve, index)
            print(f"Loss curve written to {path}", flush=True)
    for server in servers:
        server.done(index)
        server.close()
    return 0


def _write_atomically(path: str, text: str) -> None:
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def save_checkpoint(
    checkpoint_dir: str, step: int, model: SoftmaxModel, params: Params, accuracy: float
) -> str:
    """``model.ckpt-<step>.json`` plus TensorFlow's ``checkpoint`` index file naming it."""
    os.makedirs(checkpoint_dir, exist_ok=True)
    name = f"model.ckpt-{step}.json"
    path = os.path.join(checkpoint_dir, name)
    f = model.features
    _write_atomically(
        path,
        json.dumps(
            {
                "global_step": step,
                "model": "softmax_regression",
                "features": f,
                "classes": model.classes,
                "weights": [list(params[c * f : (c + 1) * f]) for c in range(model.classes)],
                "biases": list(params[model.classes * f :]),
                "test_accuracy": accuracy,
            }
        ),
    )
    _write_atomically(
        os.path.join(checkpoint_dir, "checkpoint"),
        f'model_checkpoint_path: "{name}"\nall_model_checkpoint_paths: "{name}"\n',
    )
    return path


def save_loss_curve(log_dir: str, curve: list[tuple[int, float]], index: int) -> str:
    os.makedirs(log_dir, exist_ok=True)
    path = os.path.join(log_dir, f"worker-{index}-loss.csv")
    _write_atomically(
        path, "global_step,loss\n" + "".join(f"{step},{loss:.6f}\n" for step, loss in curve)
    )
    return path


# ----------------------------------------------------------------------------- command line


def parse_flags(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--job_name", choices=("ps", "worker"))
    parser.add_argument("--task_index", type=int)
    parser.add_argument("--ps_hosts", help="comma-separated host:port list")
    parser.add_argument("--worker_hosts", help="comma-separated host:port list")
    parser.add_argument("--data_dir", default="/tmp/mnist-data")
    parser.add_argument("--checkpoint_dir", default=None)
    parser.add_argument("--log_dir", default=None)
    parser.add_argument("--train_steps", type=int, default=10000, help="global steps")
    parser.add_argument("--batch_size", type=int, default=16)
    parser.add_argument("--learning_rate", type=float, default=0.5)
    parser.add_argument("--num_gpus", type=int, default=0)
    parser.add_argument("--features", type=int, default=64, help="pixels per image")
    parser.add_argument("--connect_timeout", type=float, default=120.0)
    parser.add_argument("--ps_idle_timeout", type=float, default=300.0)
    flags = parser.parse_args(argv)

    for name in ("ps_hosts", "worker_hosts", "data_dir", "checkpoint_dir", "log_dir"):
        value = getattr(flags, name)
        if value and "$" in value:  # Batch AI expanded $AZ_BATCHAI_* before starting the task
            expanded = os.path.expandvars(value)
            if "$" in expanded:
                parser.error(f"--{name}={value}: environment variable not set")
            setattr(flags, name, expanded)

    if not (flags.ps_hosts and flags.worker_hosts and flags.job_name) or flags.task_index is None:
        tf_config = json.loads(os.environ.get("TF_CONFIG") or "{}")
        cluster, task = tf_config.get("cluster", {}), tf_config.get("task", {})
        flags.ps_hosts = flags.ps_hosts or ",".join(cluster.get("ps", []))
        flags.worker_hosts = flags.worker_hosts or ",".join(cluster.get("worker", []))
        flags.job_name = flags.job_name or task.get("type")
        if flags.task_index is None:
            flags.task_index = task.get("index")
    if (
        not flags.ps_hosts
        or not flags.worker_hosts
        or flags.job_name not in ("ps", "worker")
        or flags.task_index is None
    ):
        parser.error("need --job_name, --task_index, --ps_hosts and --worker_hosts (or TF_CONFIG)")
    return flags


def main(argv: list[str] | None = None) -> int:
    flags = parse_flags(argv)
    ps_hosts = flags.ps_hosts.split(",")
    worker_hosts = flags.worker_hosts.split(",")
    hosts = ps_hosts if flags.job_name == "ps" else worker_hosts
    if not 0 <= flags.task_index < len(hosts):
        print(
            f"--task_index={flags.task_index} out of range for {len(hosts)} {flags.job_name} task(s)",
            file=sys.stderr,
        )
        return 2
    print(f"job name = {flags.job_name}, task index = {flags.task_index}", flush=True)
    if flags.job_name == "ps":
        return run_ps(flags, ps_hosts, worker_hosts)
    return run_worker(flags, ps_hosts, worker_hosts)


if __name__ == "__main__":
    sys.exit(main())
