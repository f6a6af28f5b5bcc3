"""Cores and GPUs of the Azure VM sizes Batch AI recipes used.

Batch AI charged clusters against the subscription's core quota (``usages.list``) and told jobs
how many GPUs a node had (``$AZ_BATCHAI_NUM_GPUS``).  The local backend needs the same two
numbers for a ``vm_size`` string; this table holds the sizes found in the Batch AI recipes,
documentation and CLI examples (GPU series NC / NCv2 / NCv3 / ND / NV, the CPU D / DS / F / H / A
series used for small clusters and file servers).

A size that is not in the table is treated as :data:`UNKNOWN_SIZE` — one core and no GPU — so a
local cluster of any size works; :func:`lookup` says whether the size was known.  Names are
matched case-insensitively, as Azure does.
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["UNKNOWN_SIZE", "VmSize", "is_known", "lookup"]


class VmSize(NamedTuple):
    """What a node of one VM size brings: ``cores`` (vCPUs) and ``gpus``."""

    cores: int
    gpus: int = 0


UNKNOWN_SIZE = VmSize(cores=1, gpus=0)
"""Assumed for VM sizes missing from the table: one core, no GPU."""

_SIZES: dict[str, VmSize] = {
    # GPU: NC (K80), NCv2 (P100), NCv3 (V100), ND (P40), NV (M60)
    "standard_nc6": VmSize(6, 1),
    "standard_nc12": VmSize(12, 2),
    "standard_nc24": VmSize(24, 4),
    "standard_nc24r": VmSize(24, 4),
    "standard_nc6s_v2": VmSize(6, 1),
    "standard_nc12s_v2": VmSize(12, 2),
    "standard_nc24s_v2": VmSize(24, 4),
    "standard_nc24rs_v2": VmSize(24, 4),
    "standard_nc6s_v3": VmSize(6, 1),
    "standard_nc12s_v3": VmSize(12, 2),
    "standard_nc24s_v3": VmSize(24, 4),
    "standard_nc24rs_v3": VmSize(24, 4),
    "standard_nd6s": VmSize(6, 1),
    "standard_nd12s": VmSize(12, 2),
    "standard_nd24s": VmSize(24, 4),
    "standard_nd24rs": VmSize(24, 4),
    "standard_nv6": VmSize(6, 1),
    "standard_nv12": VmSize(12, 2),
    "standard_nv24": VmSize(24, 4),
    # CPU: general purpose, memory optimised, compute optimised, HPC, basic A series
    "standard_d1_v2": VmSize(1),
    "standard_d2_v2": VmSize(2),
    "standard_d3_v2": VmSize(4),
    "standard_d4_v2": VmSize(8),
    "standard_d5_v2": VmSize(16),
    "standard_d11_v2": VmSize(2),
    "standard_d12_v2": VmSize(4),
    "standard_d13_v2": VmSize(8),
    "standard_d14_v2": VmSize(16),
    "standard_ds1_v2": VmSize(1),
    "standard_ds2_v2": VmSize(2),
    "standard_ds3_v2": VmSize(4),
    "standard_ds4_v2": VmSize(8),
    "standard_ds5_v2": VmSize(16),
    "standard_ds12_v2": VmSize(4),
    "standard_ds13_v2": VmSize(8),
    "standard_ds14_v2": VmSize(16),
    "standard_ds14": VmSize(16),
    "standard_d2s_v3": VmSize(2),
    "standard_d4s_v3": VmSize(4),
    "standard_d8s_v3": VmSize(8),
    "standard_d16s_v3": VmSize(16),
    "standard_f2": VmSize(2),
    "standard_f4": VmSize(4),
    "standard_f8": VmSize(8),
    "standard_f16": VmSize(16),
    "standard_h16": VmSize(16),
    "standard_h16r": VmSize(16),
    "standard_h16mr": VmSize(16),
    "standard_a1": VmSize(1),
    "standard_a2": VmSize(2),
    "standard_a3": VmSize(4),
    "standard_a4": VmSize(8),
    "standard_a8": VmSize(8),
    "standard_a9": VmSize(16),
}


def lookup(vm_size: str | None) -> VmSize:
    """Cores and GPUs of ``vm_size`` (case-insensitive); :data:`UNKNOWN_SIZE` when unknown."""
    if not vm_size:
        return UNKNOWN_SIZE
    return _SIZES.get(vm_size.strip().lower(), UNKNOWN_SIZE)


def is_known(vm_size: str | None) -> bool:
    """Whether ``vm_size`` is in the table (otherwise :data:`UNKNOWN_SIZE` is assumed)."""
    return bool(vm_size) and vm_size.strip().lower() in _SIZES  # type: ignore[union-attr]
