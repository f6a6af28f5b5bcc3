"""Cores and GPUs of the Azure VM sizes Batch AI recipes used.

Batch AI charged clusters against the subscription's core quota (``usages.list``, per VM
family too) and told jobs how many GPUs a node had (``$AZ_BATCHAI_NUM_GPUS``).  The local
backend needs the same numbers for a ``vm_size`` string; this table holds the sizes found in the
Batch AI recipes, documentation, CLI examples and SDK tests (GPU series NC / NCv2 / NCv3 / ND /
NV, the CPU D / DS / F / H / A series used for small clusters and file servers), with the quota
family Azure counts each one in.

A size that is not in the table is treated as :data:`UNKNOWN_SIZE` — one core, no GPU, no
family — so a local cluster of any size works; :func:`is_known` says whether the size was known.  Names are
matched case-insensitively, as Azure does.
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["UNKNOWN_SIZE", "VmSize", "is_known", "lookup"]


class VmSize(NamedTuple):
    """What a node of one VM size brings: ``cores`` (vCPUs) and ``gpus``, and the ``family``
    its cores count in (``usages.list``: ``Standard <family> Family Cluster ... vCPUs``)."""

    cores: int
    gpus: int = 0
    family: str = ""


UNKNOWN_SIZE = VmSize(cores=1, gpus=0)
"""Assumed for VM sizes missing from the table: one core, no GPU, no family."""

_SIZES: dict[str, VmSize] = {
    # GPU: NC (K80), NCv2 (P100), NCv3 (V100), ND (P40), NV (M60)
    "standard_nc6": VmSize(6, 1, "NC"),
    "standard_nc12": VmSize(12, 2, "NC"),
    "standard_nc24": VmSize(24, 4, "NC"),
    "standard_nc24r": VmSize(24, 4, "NC"),
    "standard_nc6s_v2": VmSize(6, 1, "NCv2"),
    "standard_nc12s_v2": VmSize(12, 2, "NCv2"),
    "standard_nc24s_v2": VmSize(24, 4, "NCv2"),
    "standard_nc24rs_v2": VmSize(24, 4, "NCv2"),
    "standard_nc6s_v3": VmSize(6, 1, "NCv3"),
    "standard_nc12s_v3": VmSize(12, 2, "NCv3"),
    "standard_nc24s_v3": VmSize(24, 4, "NCv3"),
    "standard_nc24rs_v3": VmSize(24, 4, "NCv3"),
    "standard_nd6s": VmSize(6, 1, "ND"),
    "standard_nd12s": VmSize(12, 2, "ND"),
    "standard_nd24s": VmSize(24, 4, "ND"),
    "standard_nd24rs": VmSize(24, 4, "ND"),
    "standard_nv6": VmSize(6, 1, "NV"),
    "standard_nv12": VmSize(12, 2, "NV"),
    "standard_nv24": VmSize(24, 4, "NV"),
    # CPU: general purpose, memory optimised, compute optimised, HPC, basic A series
    "standard_d1": VmSize(1, 0, "D"),
    "standard_d2": VmSize(2, 0, "D"),
    "standard_d3": VmSize(4, 0, "D"),
    "standard_d4": VmSize(8, 0, "D"),
    "standard_d11": VmSize(2, 0, "D"),
    "standard_d12": VmSize(4, 0, "D"),
    "standard_d13": VmSize(8, 0, "D"),
    "standard_d14": VmSize(16, 0, "D"),
    "standard_d1_v2": VmSize(1, 0, "Dv2"),
    "standard_d2_v2": VmSize(2, 0, "Dv2"),
    "standard_d3_v2": VmSize(4, 0, "Dv2"),
    "standard_d4_v2": VmSize(8, 0, "Dv2"),
    "standard_d5_v2": VmSize(16, 0, "Dv2"),
    "standard_d11_v2": VmSize(2, 0, "Dv2"),
    "standard_d12_v2": VmSize(4, 0, "Dv2"),
    "standard_d13_v2": VmSize(8, 0, "Dv2"),
    "standard_d14_v2": VmSize(16, 0, "Dv2"),
    "standard_ds1_v2": VmSize(1, 0, "DSv2"),
    "standard_ds2_v2": VmSize(2, 0, "DSv2"),
    "standard_ds3_v2": VmSize(4, 0, "DSv2"),
    "standard_ds4_v2": VmSize(8, 0, "DSv2"),
    "standard_ds5_v2": VmSize(16, 0, "DSv2"),
    "standard_ds12_v2": VmSize(4, 0, "DSv2"),
    "standard_ds13_v2": VmSize(8, 0, "DSv2"),
    "standard_ds14_v2": VmSize(16, 0, "DSv2"),
    "standard_ds14": VmSize(16, 0, "DS"),
    "standard_d2s_v3": VmSize(2, 0, "DSv3"),
    "standard_d4s_v3": VmSize(4, 0, "DSv3"),
    "standard_d8s_v3": VmSize(8, 0, "DSv3"),
    "standard_d16s_v3": VmSize(16, 0, "DSv3"),
    "standard_f2": VmSize(2, 0, "F"),
    "standard_f4": VmSize(4, 0, "F"),
    "standard_f8": VmSize(8, 0, "F"),
    "standard_f16": VmSize(16, 0, "F"),
    "standard_h16": VmSize(16, 0, "H"),
    "standard_h16r": VmSize(16, 0, "H"),
    "standard_h16mr": VmSize(16, 0, "H"),
    "standard_a1": VmSize(1, 0, "A0-A7"),
    "standard_a2": VmSize(2, 0, "A0-A7"),
    "standard_a3": VmSize(4, 0, "A0-A7"),
    "standard_a4": VmSize(8, 0, "A0-A7"),
    "standard_a8": VmSize(8, 0, "A8-A11"),
    "standard_a9": VmSize(16, 0, "A8-A11"),
}


def lookup(vm_size: str | None) -> VmSize:
    """Cores and GPUs of ``vm_size`` (case-insensitive); :data:`UNKNOWN_SIZE` when unknown."""
    if not vm_size:
        return UNKNOWN_SIZE
    return _SIZES.get(vm_size.strip().lower(), UNKNOWN_SIZE)


def is_known(vm_size: str | None) -> bool:
    """Whether ``vm_size`` is in the table (otherwise :data:`UNKNOWN_SIZE` is assumed)."""
    return bool(vm_size) and vm_size.strip().lower() in _SIZES  # type: ignore[union-attr]
