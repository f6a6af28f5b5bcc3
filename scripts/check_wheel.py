"""CI step: the package as a user installs it -- built, then installed from its wheel.

1. ``python -m build`` makes the sdist and the wheel (in a temporary folder);
2. the wheel holds every file of ``batchai_compat/`` (``py.typed``, every module the azureml node
   zip application is built from at run time) and the sdist the sources and the README;
3. a fresh virtualenv installs the wheel -- not editable -- with only the ``legacy`` extra, and
   its ``batchai`` console script starts;
4. from a copy of ``examples/`` outside this checkout, that interpreter runs the migration
   guide's walk-through, and then ``tests/install/old_style_script.py`` (which imports
   ``azure.common.credentials`` and ``msrestazure.azure_exceptions`` after
   ``import batchai_compat.install``) against a loopback Active Directory.

Run with the development environment's Python: ``.venv/bin/python scripts/check_wheel.py``
(``--keep`` leaves the temporary folder for a look).  Exits non-zero on the first failure.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGE = "batchai_compat"


def step(text: str) -> None:
    print(f"check_wheel: {text}", flush=True)


def run(argv: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(argv, text=True, capture_output=True, **kwargs)  # type: ignore[call-overload]
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-4000:] + proc.stderr[-4000:])
        raise SystemExit(f"check_wheel: failed ({proc.returncode}): {' '.join(argv)}")
    return proc


def package_files() -> set[str]:
    """Every file of the package in this checkout, as the wheel names it."""
    return {
        path.relative_to(REPO).as_posix()
        for path in (REPO / PACKAGE).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }


def check_archives(dist: Path) -> Path:
    wheels = list(dist.glob("*.whl"))
    sdists = list(dist.glob("*.tar.gz"))
    if len(wheels) != 1 or len(sdists) != 1:
        raise SystemExit(f"check_wheel: expected one wheel and one sdist in {dist}")
    with zipfile.ZipFile(wheels[0]) as wheel:
        in_wheel = {name for name in wheel.namelist() if name.startswith(f"{PACKAGE}/")}
    missing = sorted(package_files() - in_wheel)
    if missing:
        raise SystemExit(f"check_wheel: the wheel lacks {missing}")
    with tarfile.open(sdists[0]) as sdist:
        in_sdist = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    for needed in ("README.md", "pyproject.toml", f"{PACKAGE}/py.typed"):
        if needed not in in_sdist:
            raise SystemExit(f"check_wheel: the sdist lacks {needed}")
    step(f"{wheels[0].name}: {len(in_wheel)} package files; {sdists[0].name}")
    return wheels[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    options = parser.parse_args()
    started = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="check-wheel-"))
    try:
        step("python -m build (sdist + wheel)")
        run([sys.executable, "-m", "build", "--outdir", str(tmp / "dist"), str(REPO)])
        wheel = check_archives(tmp / "dist")

        step("fresh virtualenv, wheel installed with only [legacy]")
        venv = tmp / "venv"
        run([sys.executable, "-m", "venv", str(venv)])
        python = str(venv / "bin" / "python")
        run([python, "-m", "pip", "install", "-q", "--disable-pip-version-check",
             f"{wheel}[legacy]"])  # fmt: skip
        run([python, "-m", "pip", "check"])
        where = run(
            [python, "-c", f"import {PACKAGE}, sys; print({PACKAGE}.__file__)"], cwd=tmp
        ).stdout.strip()
        if not where.startswith(str(venv)):
            raise SystemExit(f"check_wheel: {PACKAGE} imported from {where}, not the wheel")

        batchai = run([str(venv / "bin" / "batchai"), "--version"], cwd=tmp).stdout.strip()
        step(f"the batchai console script: {batchai}")

        examples = tmp / "examples"
        shutil.copytree(REPO / "examples", examples)
        env = {**os.environ, "BATCHAI_COMPAT_HOME": str(tmp / "home-walkthrough")}
        env.pop("PYTHONPATH", None)
        step("the walk-through, from the installed wheel")
        walk = run([python, "migration_walkthrough.py"], cwd=examples, env=env, timeout=600)
        last = walk.stdout.strip().splitlines()[-1]
        if "succeeded" not in last:
            raise SystemExit(f"check_wheel: the walk-through ended with {last!r}")
        step(f"walk-through: {last}")

        step("an old-style script (azure.common.credentials, msrestazure.azure_exceptions)")
        sys.path.insert(0, str(REPO / "tests" / "install"))
        from fake_aad import run_old_style_script

        out = run_old_style_script(python, tmp / "home-old-style", examples)
        if not out["library"].startswith(str(venv)) or out["missing_job_status"] != 404:
            raise SystemExit(f"check_wheel: the old-style script saw {out}")
        step(f"old-style script: {out}")
        step(f"ok in {time.monotonic() - started:.0f} s")
        return 0
    finally:
        if options.keep:
            step(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
