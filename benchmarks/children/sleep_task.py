"""Measure 3's training task: a stand-in for one TensorFlow ps/worker task that runs ~1 s.

Run directly by the baseline (``python sleep_task.py``, three at once) and as the job's
``python_script_file_path`` by batchai_compat's local backend (ps and worker roles alike).
"""

import time

time.sleep(1.0)
