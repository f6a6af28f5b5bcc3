"""A TensorFlow-shaped task for the runbook test: ps and workers, like the recipes' scripts.

``train.py --job_name=ps|worker --task_index=N --data_dir=D --output_dir=O``: a parameter server
waits to be stopped (the job ends when its workers do); a worker reads the dataset files,
prints a few "training" lines slowly (so `batchai job file stream` follows a growing log), and
worker 0 writes the model.
"""

import argparse
import os
import time

parser = argparse.ArgumentParser()
parser.add_argument("--job_name", required=True)
parser.add_argument("--task_index", type=int, required=True)
parser.add_argument("--data_dir", default="")
parser.add_argument("--output_dir", default="")
args = parser.parse_args()

if args.job_name == "ps":
    print(f"ps {args.task_index} serving on {os.environ['AZ_BATCHAI_PS_HOSTS']}", flush=True)
    while True:
        time.sleep(1)

samples = sorted(
    os.path.join(folder, name) for folder, _, names in os.walk(args.data_dir) for name in names
)
lines = 0
for path in samples:
    with open(path) as sample:
        lines += len(sample.read().split())
print(f"worker {args.task_index}: {len(samples)} files, {lines} samples", flush=True)
for step in range(1, 6):
    print(f"worker {args.task_index} step {step} loss {1.0 / step:.3f}", flush=True)
    time.sleep(0.3)
if args.task_index == 0:
    with open(os.path.join(args.output_dir, "model.txt"), "w") as out:
        out.write(f"trained on {lines} samples\n")
print(f"worker {args.task_index} done", flush=True)
