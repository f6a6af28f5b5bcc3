"""Backend selection: backend= › $BATCHAI_COMPAT_BACKEND › 'local'; lazy imports; clear errors."""

import subprocess
import sys

import pytest

from batchai_compat import BatchAIManagementClient
from batchai_compat.backends import registry
from batchai_compat.backends.base import Backend
from batchai_compat.exceptions import (
    BackendNotInstalledError,
    UnknownBackendError,
    ValidationError,
)

SUB = "00000000-0000-0000-0000-000000000000"


class RecordingBackend(Backend):
    """A registered backend class: records the config it was built with."""

    name = "recording"

    def __init__(self, config):
        self.config = config

    def close(self):
        pass


@pytest.fixture
def recording_backend():
    registry.register_backend("recording", RecordingBackend)
    yield RecordingBackend
    registry.unregister_backend("recording")


def test_unknown_name_says_did_you_mean():
    with pytest.raises(UnknownBackendError) as info:
        BatchAIManagementClient(object(), SUB, backend="azurml")
    assert "Did you mean 'azureml'?" in str(info.value)
    assert isinstance(info.value, LookupError)
    with pytest.raises(UnknownBackendError, match="Did you mean 'local'"):
        registry.resolve_backend_class("lokal")


def test_unknown_name_without_a_close_match_lists_the_registered_ones():
    with pytest.raises(UnknownBackendError) as info:
        registry.resolve_backend_class("kubernetes")
    assert "Did you mean" not in str(info.value)
    for name in registry.available_backends():
        assert name in str(info.value)


def test_env_variable_selects_the_backend(monkeypatch, recording_backend):
    monkeypatch.setenv(registry.ENV_BACKEND, "recording")
    client = BatchAIManagementClient(object(), SUB)
    assert isinstance(client.backend, recording_backend)
    # the backend is built as Cls(config) with the client's config
    assert client.backend.config is client.config


def test_argument_wins_over_env(monkeypatch, recording_backend):
    monkeypatch.setenv(registry.ENV_BACKEND, "no-such-backend")
    client = BatchAIManagementClient(object(), SUB, backend="recording")
    assert isinstance(client.backend, recording_backend)


def test_env_typo_is_reported(monkeypatch):
    monkeypatch.setenv(registry.ENV_BACKEND, "loacl")
    with pytest.raises(UnknownBackendError, match="Did you mean 'local'"):
        BatchAIManagementClient(object(), SUB)


def test_default_is_local():
    assert registry.selected_backend_name() == "local"
    assert registry.DEFAULT_BACKEND == "local"


def test_backend_instance_is_used_as_is():
    backend = RecordingBackend(config=None)
    client = BatchAIManagementClient(object(), SUB, backend=backend)
    assert client.backend is backend


def test_object_that_is_not_a_backend_is_refused():
    with pytest.raises(ValidationError, match="missing: .*create_cluster"):
        BatchAIManagementClient(object(), SUB, backend=object())


def test_missing_extra_gives_the_install_hint():
    # A backend whose optional dependency is honestly absent from this environment.
    registry.register_backend(
        "fancy",
        "batchai_compat_fancy_backend:FancyBackend",
        extra="fancy",
        probe_module="batchai_compat_no_such_sdk.core",
    )
    try:
        with pytest.raises(BackendNotInstalledError) as info:
            BatchAIManagementClient(object(), SUB, backend="fancy")
        assert 'pip install "batchai-compat[fancy]"' in str(info.value)
        assert isinstance(info.value, ImportError)
    finally:
        registry.unregister_backend("fancy")


def test_module_missing_without_extra_is_also_not_installed():
    registry.register_backend("ghost", "batchai_compat_ghost_backend:Ghost")
    try:
        with pytest.raises(BackendNotInstalledError, match="batchai_compat_ghost_backend"):
            registry.resolve_backend_class("ghost")
    finally:
        registry.unregister_backend("ghost")


def test_azureml_spec_names_its_extra_and_probe():
    spec = registry._spec("azureml")
    assert spec.target == "batchai_compat.backends.azureml:AzureMLBackend"
    assert spec.probe_module == "azureml.core"
    assert spec.install_hint == 'pip install "batchai-compat[azureml]"'


def test_register_by_import_string_is_lazy(tmp_path, monkeypatch):
    package = tmp_path / "my_lazy_backend.py"
    package.write_text(
        "import sys\n"
        "from batchai_compat.backends.base import Backend\n"
        "class MyBackend(Backend):\n"
        "    name = 'mine'\n"
        "    def __init__(self, config):\n"
        "        self.config = config\n"
        "    def close(self):\n"
        "        pass\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    registry.register_backend("mine", "my_lazy_backend:MyBackend")
    try:
        assert "my_lazy_backend" not in sys.modules
        assert "mine" in registry.available_backends()
        client = BatchAIManagementClient(object(), SUB, backend="MINE")
        assert type(client.backend).__name__ == "MyBackend"
        assert "my_lazy_backend" in sys.modules
    finally:
        registry.unregister_backend("mine")
        sys.modules.pop("my_lazy_backend", None)


def test_registering_twice_needs_replace(recording_backend):
    with pytest.raises(ValidationError, match="already registered"):
        registry.register_backend("recording", RecordingBackend)
    registry.register_backend("recording", RecordingBackend, replace=True)


@pytest.mark.parametrize("target", ["no_colon_here", ":Cls", "module:", 42])
def test_bad_targets_are_refused(target):
    with pytest.raises(ValidationError, match="target"):
        registry.register_backend("bad", target)
    assert "bad" not in registry.available_backends()


def test_unregister_unknown_name():
    with pytest.raises(UnknownBackendError):
        registry.unregister_backend("never-registered")


def test_choosing_a_backend_does_not_import_the_others():
    code = (
        "import sys\n"
        "from batchai_compat.backends import registry\n"
        "registry.resolve_backend_class('local')\n"
        "print('azureml' in sys.modules, 'batchai_compat.backends.azureml' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
