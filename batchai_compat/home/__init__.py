"""``BATCHAI_COMPAT_HOME``: the folders and the loopback file server of this machine.

Batch AI's storage accounts (blob containers, file shares), file servers and job outputs are, on
this machine, folders under ``$BATCHAI_COMPAT_HOME`` (:mod:`.layout`); their download URLs and
SAS URLs are served over loopback HTTP (:mod:`.fileserver`).  Two layers share them: the legacy
storage faces (:mod:`batchai_compat.storage`, when they write to local folders) and the ``local``
backend (:mod:`batchai_compat.backends.local`, whose jobs mount those folders and list their
outputs), which is why they sit below both.  Standard library only.
"""
