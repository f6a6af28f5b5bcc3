"""core/logs.py: a library logger that imports logging only when a record can be seen.

Each case runs in a fresh interpreter (this one has logging imported by pytest).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )


def test_info_before_logging_is_imported_costs_nothing_and_warnings_still_show():
    done = _run(
        """
        import sys
        from batchai_compat.core.logs import INFO, WARNING, LazyLogger
        log = LazyLogger("batchai_compat.x")
        log.debug("d"); log.info("i")
        print("imported" if "logging" in sys.modules else "not imported")
        print(log.isEnabledFor(INFO), log.isEnabledFor(WARNING))
        log.warning("careful %s", 1)
        print("imported" if "logging" in sys.modules else "not imported")
        """
    )
    assert done.stdout.splitlines() == ["not imported", "False True", "imported"]
    assert done.stderr == "careful 1\n"  # Python's last-resort handler, as a real logger's


def test_once_logging_is_configured_records_carry_the_callers_place():
    done = _run(
        """
        import logging, sys
        logging.basicConfig(stream=sys.stdout, level=logging.DEBUG,
                            format="%(levelname)s %(name)s %(funcName)s:%(lineno)d %(message)s")
        from batchai_compat.core.logs import INFO, LazyLogger
        log = LazyLogger("batchai_compat.x")
        def caller():
            log.info("i %s", 1)
            log.debug("d")
            try:
                1 / 0
            except ZeroDivisionError:
                log.exception("failed")
        caller()
        print(log.isEnabledFor(INFO))
        """
    )
    lines = done.stdout.splitlines()
    assert lines[0] == "INFO batchai_compat.x caller:8 i 1"
    assert lines[1] == "DEBUG batchai_compat.x caller:9 d"
    assert lines[2] == "ERROR batchai_compat.x caller:13 failed"
    assert "ZeroDivisionError" in done.stdout and lines[-1] == "True"
