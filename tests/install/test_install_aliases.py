"""batchai_compat.install in fresh interpreters, with the genuine azure-mgmt-batchai and v12 installed."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest


def run(code: str, home) -> dict:
    """Run ``code`` in a fresh interpreter; it prints one JSON object as its last line."""
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**__import__("os").environ, "BATCHAI_COMPAT_HOME": str(home)},
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_genuine_packages_are_installed_in_this_environment():
    """The tests below are only meaningful with the real packages present to be shadowed/kept."""
    import importlib.util

    for name in ("azure.mgmt.batchai", "azure.storage.blob", "azure.storage.fileshare"):
        assert importlib.util.find_spec(name) is not None, name


def test_old_names_resolve_to_this_library_and_v12_names_keep_working(batchai_home):
    out = run(
        """
        import json
        import batchai_compat.install
        import azure.mgmt.batchai as training
        from azure.mgmt.batchai import BatchAIManagementClient
        import azure.mgmt.batchai.models as models
        from azure.storage.blob import BlockBlobService
        from azure.storage.file import FileService, FilePermissions
        import azure.storage.file.models
        import azure.storage.blob.models
        # v12 names, imported the way other code does:
        from azure.storage.blob import BlobServiceClient, ContainerClient, BlobClient, generate_blob_sas
        from azure.storage.fileshare import ShareServiceClient
        import batchai_compat, batchai_compat.models, batchai_compat.storage.blob, batchai_compat.storage.file
        print(json.dumps({
            "training": training is batchai_compat,
            "client": BatchAIManagementClient is batchai_compat.BatchAIManagementClient,
            "models": models is batchai_compat.models,
            "model_class": models.JobCreateParameters is batchai_compat.models.JobCreateParameters,
            "blob": BlockBlobService is batchai_compat.storage.blob.BlockBlobService,
            "file": FileService is batchai_compat.storage.file.FileService,
            "file_models": azure.storage.file.models.File is batchai_compat.storage.file.models.File,
            "blob_models": azure.storage.blob.models.Blob is batchai_compat.storage.blob.models.Blob,
            "perm": str(FilePermissions.READ),
            "v12_module": BlobServiceClient.__module__,
            "v12_share": ShareServiceClient.__module__,
            "genuine_loaded": any(
                getattr(m, "__file__", "") and "site-packages/azure/mgmt/batchai" in m.__file__
                for m in list(__import__("sys").modules.values())
            ),
        }))
        """,
        batchai_home,
    )
    assert out == {
        "training": True,
        "client": True,
        "models": True,
        "model_class": True,
        "blob": True,
        "file": True,
        "file_models": True,
        "blob_models": True,
        "perm": "r",
        "v12_module": "azure.storage.blob._blob_service_client",
        "v12_share": "azure.storage.fileshare._share_service_client",
        "genuine_loaded": False,
    }


def test_v12_still_uploads_after_install(batchai_home, azurite):
    out = run(
        f"""
        import json
        import batchai_compat.install
        from azure.storage.blob import BlobServiceClient, BlockBlobService
        v12 = BlobServiceClient.from_connection_string({azurite.connection_string!r})
        v12.create_container("install-check")
        v12.get_blob_client("install-check", "a.txt").upload_blob(b"from v12")
        legacy = BlockBlobService(connection_string={azurite.connection_string!r})
        text = legacy.get_blob_to_text("install-check", "a.txt").content
        legacy.delete_container("install-check")
        print(json.dumps({{"text": text}}))
        """,
        batchai_home,
    )
    assert out == {"text": "from v12"}


def test_install_is_idempotent_callable_and_wins_over_an_earlier_genuine_import(batchai_home):
    out = run(
        """
        import json, sys
        import azure.mgmt.batchai as genuine            # the retired client, imported first
        import azure.storage.blob as real_blob
        genuine_file = genuine.__file__
        import batchai_compat.install
        import batchai_compat
        batchai_compat.install()                         # callable, and harmless twice
        batchai_compat.install.install()
        import azure.mgmt.batchai as training
        import azure.mgmt.batchai.models as models
        from azure.storage.blob import BlockBlobService
        finders = [type(f).__name__ for f in sys.meta_path].count("BatchAIAliasFinder")
        print(json.dumps({
            "replaced": training is batchai_compat and "site-packages" in genuine_file,
            "models": models is batchai_compat.models,
            "blob_patched": real_blob.BlockBlobService is BlockBlobService,
            "same_blob_module": sys.modules["azure.storage.blob"] is real_blob,
            "finders": finders,
        }))
        """,
        batchai_home,
    )
    assert out == {
        "replaced": True,
        "models": True,
        "blob_patched": True,
        "same_blob_module": True,
        "finders": 1,
    }


def test_install_is_callable_from_the_package_root_without_importing_it_first(batchai_home):
    out = run(
        """
        import json, sys
        import batchai_compat
        before = "azure.mgmt.batchai" in sys.modules
        batchai_compat.install()
        from azure.mgmt.batchai import BatchAIManagementClient
        star = {}
        exec("from batchai_compat import *", star)
        print(json.dumps({
            "before": before,
            "client": BatchAIManagementClient is batchai_compat.BatchAIManagementClient,
            "star_has_install": "install" in star,
        }))
        """,
        batchai_home,
    )
    assert out == {"before": False, "client": True, "star_has_install": False}


def test_recipe_helper_module_imports_at_load_time(batchai_home, tmp_path):
    """A utilities/ helper that imports the legacy names at module level, as job_factory.py does."""
    helper = tmp_path / "helper_mod.py"
    helper.write_text(
        textwrap.dedent(
            """
            import azure.mgmt.batchai.models as models
            import azure.storage.file.models
            from azure.storage.blob import BlockBlobService
            from azure.storage.file import FileService

            def list_files(service, share):
                return [f.name for f in service.list_directories_and_files(share)
                        if isinstance(f, azure.storage.file.models.File)]
            """
        )
    )
    out = run(
        f"""
        import json, sys
        sys.path.insert(0, {str(tmp_path)!r})
        import batchai_compat.install
        import helper_mod
        fs = helper_mod.FileService("acct", "a2V5")
        fs.create_share("share")
        fs.create_directory("share", "d")
        fs.create_file_from_text("share", None, "x.txt", "x")
        print(json.dumps({{"files": helper_mod.list_files(fs, "share"), "storage": fs.storage}}))
        """,
        batchai_home,
    )
    assert out == {"files": ["x.txt"], "storage": "local"}


@pytest.mark.parametrize("missing", ["azure.storage.blob", "azure.mgmt"])
def test_without_the_real_packages_the_legacy_modules_stand_alone(batchai_home, missing):
    """Simulate a machine without azure-storage-blob v12 / any azure-mgmt package."""
    out = run(
        f"""
        import json, sys, importlib.abc, importlib.machinery

        class Hiding(importlib.abc.MetaPathFinder):
            # The path finder, blind to one installed package (as if it were not installed).

            def find_spec(self, name, path, target=None):
                if name == {missing!r} or name.startswith({missing!r} + "."):
                    return None
                return importlib.machinery.PathFinder.find_spec(name, path, target)

        sys.meta_path[:] = [Hiding() if f is importlib.machinery.PathFinder else f for f in sys.meta_path]
        import batchai_compat.install
        for name in [n for n in sys.modules if n.startswith({missing!r})]:
            del sys.modules[name]
        from azure.storage.blob import BlockBlobService
        import azure.mgmt.batchai as training
        import batchai_compat
        print(json.dumps({{"blob": BlockBlobService.__module__, "training": training is batchai_compat}}))
        """,
        batchai_home,
    )
    assert out == {"blob": "batchai_compat.storage.blob.blockblobservice", "training": True}


def test_install_leaves_this_package_whole(batchai_home):
    """Aliasing gives old names this package's module objects without changing those modules:
    their spec, their resources and reload behave as without the install."""
    out = run(
        """
        import importlib, importlib.resources, json, sys
        import batchai_compat.install
        import batchai_compat
        import azure.mgmt.batchai as training
        import azure.mgmt.batchai.models as models
        import azure.mgmt.batchai.operations as operations
        files = sorted(p.name for p in importlib.resources.files("batchai_compat").iterdir())
        reloaded = importlib.reload(models)
        reloaded_root = importlib.reload(training)
        print(json.dumps({
            "specs": [batchai_compat.__spec__.name, batchai_compat.models.__spec__.name,
                      batchai_compat.operations.__spec__.name],
            "names": [training.__name__, models.__name__],
            "same_objects": [training is batchai_compat, models is batchai_compat.models,
                             operations is sys.modules["batchai_compat.operations"]],
            "files": [name for name in ("client.py", "py.typed", "models") if name in files],
            "typed": importlib.resources.files("batchai_compat").joinpath("py.typed").is_file(),
            "reload": [reloaded is models, reloaded.__name__, reloaded.__spec__.name,
                       sys.modules["azure.mgmt.batchai.models"] is reloaded,
                       reloaded_root is batchai_compat],
            "still_works": reloaded.JobCreateParameters.__module__,
        }))
        """,
        batchai_home,
    )
    assert out == {
        "specs": ["batchai_compat", "batchai_compat.models", "batchai_compat.operations"],
        "names": ["batchai_compat", "batchai_compat.models"],
        "same_objects": [True, True, True],
        "files": ["client.py", "py.typed", "models"],
        "typed": True,
        "reload": [True, "batchai_compat.models", "batchai_compat.models", True, True],
        "still_works": "batchai_compat.models.jobs",
    }


def test_genuine_modules_imported_before_install_are_replaced_not_dropped(batchai_home):
    """install()'s docstring says why the old entries are replaced: a helper's later
    ``import azure.mgmt.batchai`` must find this library.  The user's own references keep
    working, and genuine submodules with no counterpart here stay in sys.modules."""
    out = run(
        """
        import json, sys
        import azure.mgmt.batchai as genuine
        import azure.mgmt.batchai.models as genuine_models
        from azure.mgmt.batchai.operations import jobs_operations
        before = set(sys.modules)
        import batchai_compat.install
        import batchai_compat
        dropped = sorted(name for name in before - set(sys.modules))
        print(json.dumps({
            "dropped": dropped,
            "now_ours": [sys.modules["azure.mgmt.batchai"] is batchai_compat,
                         sys.modules["azure.mgmt.batchai.models"] is batchai_compat.models,
                         sys.modules["azure.mgmt"].batchai is batchai_compat],
            "genuine_still_usable": type(genuine_models.ResourceId(id="x")).__module__,
            "genuine_only_kept": sys.modules["azure.mgmt.batchai.operations.jobs_operations"]
                                 is jobs_operations,
            "genuine_untouched": genuine.__spec__.name,
        }))
        """,
        batchai_home,
    )
    assert out["dropped"] == []
    assert out["now_ours"] == [True, True, True]
    assert out["genuine_still_usable"].startswith("azure.mgmt.batchai.models.")
    assert out["genuine_only_kept"] is True
    assert out["genuine_untouched"] == "azure.mgmt.batchai"
