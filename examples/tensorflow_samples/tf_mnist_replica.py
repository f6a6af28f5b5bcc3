"""Distributed MNIST training with TensorFlow 1.x parameter servers, for Azure ML runs.

The TensorFlow counterpart of ``mnist_replica.py`` beside it: same command line (the Batch AI
job's ``--job_name``, ``--task_index``, ``--ps_hosts``, ``--worker_hosts``, ``--data_dir``,
``--checkpoint_dir``, ``--log_dir``, ``--train_steps``, ``--num_gpus``), same data (MNIST's IDX
files, any image size), same model (softmax regression, optionally one hidden layer with
``--hidden_units``), but built with TensorFlow 1.x between-graph replication: variables placed
on the ps tasks by ``tf.train.replica_device_setter``, asynchronous updates, the chief writing
checkpoints and summaries through ``tf.train.MonitoredTrainingSession``.

Use it where TensorFlow 1.x is installed (e.g. an Azure ML environment based on a
``tensorflow/tensorflow:1.x`` image, with ``TensorflowConfiguration(parameter_server_count=1,
worker_count=2)``, which sets ``TF_CONFIG`` on the nodes: without the host flags this script
reads it).  It is not run by this repository's tests (no TensorFlow here); the stdlib trainer
is what the local walk-through runs.
"""

import argparse
import gzip
import json
import os
import struct
import sys
import time

import numpy as np
import tensorflow as tf  # TensorFlow 1.x API


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    magic, count = struct.unpack(">II", data[:8])
    if magic == 2049:
        return np.frombuffer(data, dtype=np.uint8, offset=8, count=count).astype(np.int64)
    if magic == 2051:
        rows, cols = struct.unpack(">II", data[8:16])
        pixels = np.frombuffer(data, dtype=np.uint8, offset=16, count=count * rows * cols)
        return pixels.reshape(count, rows * cols).astype(np.float32) / 255.0
    raise ValueError(f"{path}: not an MNIST IDX file (magic {magic})")


def load_split(data_dir, prefix):
    def find(stem):
        for name in (stem + ".gz", stem):
            path = os.path.join(data_dir, name)
            if os.path.exists(path):
                return path
        raise FileNotFoundError(f"{data_dir}: no {stem}[.gz]")

    images = read_idx(find(prefix + "-images-idx3-ubyte"))
    labels = read_idx(find(prefix + "-labels-idx1-ubyte"))
    return images, labels


def parse_flags(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--job_name", choices=("ps", "worker"))
    parser.add_argument("--task_index", type=int)
    parser.add_argument("--ps_hosts")
    parser.add_argument("--worker_hosts")
    parser.add_argument("--data_dir", default="/tmp/mnist-data")
    parser.add_argument("--checkpoint_dir", default=None)
    parser.add_argument("--log_dir", default=None)
    parser.add_argument("--train_steps", type=int, default=10000)
    parser.add_argument("--batch_size", type=int, default=16)
    parser.add_argument("--learning_rate", type=float, default=0.5)
    parser.add_argument("--hidden_units", type=int, default=0, help="0: softmax regression")
    parser.add_argument("--num_gpus", type=int, default=0)
    flags = parser.parse_args(argv)
    if not (flags.ps_hosts and flags.worker_hosts and flags.job_name) or flags.task_index is None:
        tf_config = json.loads(os.environ.get("TF_CONFIG") or "{}")
        cluster, task = tf_config.get("cluster", {}), tf_config.get("task", {})
        flags.ps_hosts = flags.ps_hosts or ",".join(cluster.get("ps", []))
        flags.worker_hosts = flags.worker_hosts or ",".join(cluster.get("worker", []))
        flags.job_name = flags.job_name or task.get("type")
        if flags.task_index is None:
            flags.task_index = task.get("index")
    if not (flags.ps_hosts and flags.worker_hosts and flags.job_name) or flags.task_index is None:
        parser.error("need --job_name, --task_index, --ps_hosts and --worker_hosts (or TF_CONFIG)")
    return flags


def build_model(features, classes, hidden_units):
    images = tf.placeholder(tf.float32, [None, features], name="images")
    labels = tf.placeholder(tf.int64, [None], name="labels")
    inputs = images
    if hidden_units:
        inputs = tf.layers.dense(inputs, hidden_units, activation=tf.nn.relu, name="hidden")
    logits = tf.layers.dense(inputs, classes, name="softmax")
    loss = tf.reduce_mean(
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    )
    accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1), labels), tf.float32))
    return images, labels, loss, accuracy


class TestAccuracyHook(tf.train.SessionRunHook):
    """Prints the test accuracy when training ends (the chief's last look at the parameters)."""

    def __init__(self, accuracy, feed_dict, count):
        self.accuracy = accuracy
        self.feed_dict = feed_dict
        self.count = count

    def end(self, session):
        value = session.run(self.accuracy, feed_dict=self.feed_dict)
        print(f"Test accuracy: {value:.4f} ({self.count} test images)", flush=True)


def main(argv=None):
    flags = parse_flags(argv)
    cluster = tf.train.ClusterSpec(
        {"ps": flags.ps_hosts.split(","), "worker": flags.worker_hosts.split(",")}
    )
    server = tf.train.Server(cluster, job_name=flags.job_name, task_index=flags.task_index)
    if flags.job_name == "ps":
        server.join()  # TensorFlow ps tasks serve until the job is stopped
        return 0

    is_chief = flags.task_index == 0
    train_images, train_labels = load_split(flags.data_dir, "train")
    test_images, test_labels = load_split(flags.data_dir, "t10k")
    num_workers = len(flags.worker_hosts.split(","))
    shard = np.arange(flags.task_index, len(train_images), num_workers)
    device = "/job:worker/task:{}/{}".format(
        flags.task_index, "gpu:0" if flags.num_gpus > 0 else "cpu:0"
    )
    with tf.device(tf.train.replica_device_setter(worker_device=device, cluster=cluster)):
        global_step = tf.train.get_or_create_global_step()
        images, labels, loss, accuracy = build_model(train_images.shape[1], 10, flags.hidden_units)
        train_op = tf.train.GradientDescentOptimizer(flags.learning_rate).minimize(
            loss, global_step=global_step
        )
        tf.summary.scalar("loss", loss)

    hooks = [tf.train.StopAtStepHook(last_step=flags.train_steps)]
    if is_chief:
        hooks.append(
            TestAccuracyHook(accuracy, {images: test_images, labels: test_labels}, len(test_labels))
        )
    rng = np.random.RandomState(1000 + flags.task_index)
    local_step = 0
    started = time.time()
    with tf.train.MonitoredTrainingSession(
        master=server.target,
        is_chief=is_chief,
        checkpoint_dir=flags.checkpoint_dir,
        summary_dir=flags.log_dir,
        hooks=hooks,
    ) as session:
        while not session.should_stop():
            batch = rng.choice(shard, flags.batch_size, replace=False)
            _, step, batch_loss = session.run(
                [train_op, global_step, loss],
                feed_dict={images: train_images[batch], labels: train_labels[batch]},
            )
            local_step += 1
            if local_step == 1 or local_step % 250 == 0:
                print(
                    f"{time.time():.3f}: Worker {flags.task_index}: training step {local_step} "
                    f"done (global step: {step}) loss = {batch_loss:.4f}",
                    flush=True,
                )
    print(f"Training elapsed time: {time.time() - started:.3f} s; {local_step} local steps")
    return 0


if __name__ == "__main__":
    sys.exit(main())
