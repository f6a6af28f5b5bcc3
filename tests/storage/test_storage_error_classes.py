"""Failures raised from upload threads are the same CloudError classes callers catch."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def test_first_cloud_errors_raised_concurrently_share_one_class_family():
    # A fresh interpreter: the classes are built on first use, here by 16 threads at once.
    code = textwrap.dedent(
        """
        import threading
        from batchai_compat import exceptions
        barrier = threading.Barrier(17)
        seen = []
        def worker():
            barrier.wait()
            seen.append(type(exceptions.cloud_error(404, "BlobNotFound", "missing")))
        threads = [threading.Thread(target=worker) for _ in range(16)]
        for t in threads:
            t.start()
        barrier.wait()
        caught = exceptions.ResourceNotFoundError
        for t in threads:
            t.join()
        print(len(set(seen)), all(cls is caught for cls in seen))
        """
    )
    for _ in range(3):
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
        )
        assert out.stdout.split() == ["1", "True"]
