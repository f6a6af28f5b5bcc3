"""batchai_compat.models exposes exactly the public names of azure-mgmt-batchai 2.0.0 (httpx style)."""

import subprocess
import sys

import azure.mgmt.batchai.models as genuine

import batchai_compat.models as models


def test_all_is_exactly_the_genuine_public_names():
    assert sorted(models.__all__) == sorted(genuine.__all__)
    assert len(models.__all__) == len(set(models.__all__))


def test_every_public_name_resolves_and_dir_lists_it():
    for name in models.__all__:
        value = getattr(models, name)
        assert value.__name__ == name
    assert set(models.__all__) <= set(dir(models))


def test_public_non_module_attributes_are_all_plus_documented_helpers():
    for name in models.__all__:
        getattr(models, name)
    public = {
        name
        for name in dir(models)
        if not name.startswith("_") and not isinstance(getattr(models, name), type(sys))
    }
    assert public == set(models.__all__) | {"strip_secrets"}


def test_building_cluster_parameters_does_not_define_job_classes():
    code = (
        "import sys, batchai_compat.models as m; "
        "m.ClusterCreateParameters(vm_size='STANDARD_NC6', "
        "user_account_settings=m.UserAccountSettings(admin_user_name='u')); "
        "print(' '.join(sorted(k for k in sys.modules if k.startswith(('batchai_compat.models.', 'pydantic')))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(out.stdout.split())
    assert "batchai_compat.models.clusters" in loaded
    assert not loaded & {
        "batchai_compat.models.jobs",
        "batchai_compat.models.toolkits",
        "batchai_compat.models.paged",
        "batchai_compat.models.file_servers",
    }
    # values of the exact declared types need no coercion: pydantic-core is not even loaded
    assert not {name for name in loaded if name.startswith("pydantic")}


def test_coercion_loads_pydantic_core():
    code = (
        "import sys, batchai_compat.models as m; "
        "r = m.ManualScaleSettings(target_node_count='3'); "
        "print(r.target_node_count, 'pydantic_core' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["3", "True"]
