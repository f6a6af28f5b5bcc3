"""The commands of ``batchai``, one module (or package) per top-level word (see :mod:`..tree`)."""
