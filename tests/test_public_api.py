"""The package root exposes exactly its curated public names (httpx style)."""

import inspect
import subprocess
import sys

import batchai_compat


def test_root_all_is_exactly_the_public_names():
    for name in batchai_compat.__all__:
        getattr(batchai_compat, name)  # resolve the lazy names first
    # Submodules (client, backends, ...) are importable but only models/exceptions are curated.
    public = {
        name
        for name in dir(batchai_compat)
        if not name.startswith("_") and not inspect.ismodule(getattr(batchai_compat, name))
    }
    public |= {"__version__", "models", "exceptions"}
    assert set(batchai_compat.__all__) == public
    for name in batchai_compat.__all__:
        assert getattr(batchai_compat, name) is not None


def test_import_is_light():
    code = (
        "import sys, batchai_compat; "
        "heavy = [m for m in ('pydantic', 'azure', 'azureml', 'msrest', 'requests') if m in sys.modules]; "
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_first_use_is_light():
    """Benchmark 1b's scenario: importing the client and building the guide's parameters loads
    no SDK (the exception classes that derive from azure-core / msrest load on first error)."""
    code = (
        "import sys\n"
        "from batchai_compat import BatchAIManagementClient\n"
        "import batchai_compat.models as models\n"
        "models.ClusterCreateParameters(vm_size='STANDARD_NC6', scale_settings="
        "models.ScaleSettings(manual=models.ManualScaleSettings(target_node_count=2)), "
        "user_account_settings=models.UserAccountSettings(admin_user_name='u'))\n"
        "models.JobCreateParameters(cluster=models.ResourceId(id='c'), node_count=2, "
        "std_out_err_path_prefix='$AZ_BATCHAI_JOB_MOUNT_ROOT/afs', "
        "custom_toolkit_settings=models.CustomToolkitSettings(command_line='echo'))\n"
        "heavy = ('azure', 'azureml', 'msrest', 'msrestazure', 'requests', 'pydantic')\n"
        "print(','.join(sorted({m.split('.')[0] for m in sys.modules} & set(heavy))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
