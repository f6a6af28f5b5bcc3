"""The commands of ``batchai``, one module per top-level word (see :mod:`..tree`)."""
