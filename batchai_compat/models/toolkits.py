"""Toolkit settings of a job: which framework runs it and how (one ``*_settings`` per job).

The node-side launcher turns each into processes: TensorFlow parameter servers and workers,
``mpirun`` for Horovod / custom MPI / CNTK / Chainer / Caffe, PyTorch with its communication
backend, or a plain command line.  On Azure ML they map to ``TensorflowConfiguration``,
``MpiConfiguration``, ``PyTorchConfiguration`` or a command.
"""

from ._base import Model, field

__all__ = [
    "CNTKsettings",
    "PyTorchSettings",
    "TensorFlowSettings",
    "CaffeSettings",
    "Caffe2Settings",
    "ChainerSettings",
    "CustomToolkitSettings",
    "CustomMpiSettings",
    "HorovodSettings",
]


class CNTKsettings(Model):
    """Microsoft Cognitive Toolkit: BrainScript config file or a Python script, under MPI."""

    language_type: str | None = field("languageType", default=None)
    config_file_path: str | None = field("configFilePath", default=None)
    python_script_file_path: str | None = field("pythonScriptFilePath", default=None)
    python_interpreter_path: str | None = field("pythonInterpreterPath", default=None)
    command_line_args: str | None = field("commandLineArgs", default=None)
    process_count: int | None = field("processCount", default=None)


class PyTorchSettings(Model):
    """PyTorch, distributed with ``communication_backend`` over ``process_count`` processes."""

    python_script_file_path: str = field("pythonScriptFilePath")
    python_interpreter_path: str | None = field("pythonInterpreterPath", default=None)
    command_line_args: str | None = field("commandLineArgs", default=None)
    process_count: int | None = field("processCount", default=None)
    communication_backend: str | None = field("communicationBackend", default=None)


class TensorFlowSettings(Model):
    """TensorFlow: ``parameter_server_count`` ps tasks and ``worker_count`` workers, each role
    with its own command line arguments."""

    python_script_file_path: str = field("pythonScriptFilePath")
    python_interpreter_path: str | None = field("pythonInterpreterPath", default=None)
    master_command_line_args: str | None = field("masterCommandLineArgs", default=None)
    worker_command_line_args: str | None = field("workerCommandLineArgs", default=None)
    parameter_server_command_line_args: str | None = field(
        "parameterServerCommandLineArgs", default=None
    )
    worker_count: int | None = field("workerCount", default=None)
    parameter_server_count: int | None = field("parameterServerCount", default=None)


class CaffeSettings(Model):
    """Caffe: a solver config file or a Python script, under MPI."""

    config_file_path: str | None = field("configFilePath", default=None)
    python_script_file_path: str | None = field("pythonScriptFilePath", default=None)
    python_interpreter_path: str | None = field("pythonInterpreterPath", default=None)
    command_line_args: str | None = field("commandLineArgs", default=None)
    process_count: int | None = field("processCount", default=None)


class Caffe2Settings(Model):
    """Caffe2: a Python script."""

    python_script_file_path: str = field("pythonScriptFilePath")
    python_interpreter_path: str | None = field("pythonInterpreterPath", default=None)
    command_line_args: str | None = field("commandLineArgs", default=None)


class ChainerSettings(Model):
    """Chainer (ChainerMN under MPI)."""

    python_script_file_path: str = field("pythonScriptFilePath")
    python_interpreter_path: str | None = field("pythonInterpreterPath", default=None)
    command_line_args: str | None = field("commandLineArgs", default=None)
    process_count: int | None = field("processCount", default=None)


class CustomToolkitSettings(Model):
    """Any command line, run with bash."""

    command_line: str | None = field("commandLine", default=None)


class CustomMpiSettings(Model):
    """A command line run under ``mpirun`` with ``process_count`` processes."""

    command_line: str = field("commandLine")
    process_count: int | None = field("processCount", default=None)


class HorovodSettings(Model):
    """Horovod: a Python script run under ``mpirun``."""

    python_script_file_path: str = field("pythonScriptFilePath")
    python_interpreter_path: str | None = field("pythonInterpreterPath", default=None)
    command_line_args: str | None = field("commandLineArgs", default=None)
    process_count: int | None = field("processCount", default=None)
