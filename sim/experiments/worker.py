"""The function a worker process (local or Dask) runs for one simulation.

It is a plain module-level function of picklable arguments, so it works with the ``spawn`` start
method and on remote Dask workers. The worker writes the run folder itself and returns only a small
record, so the parent never holds a :class:`~sim.results.Result`.
"""

from __future__ import annotations

import os
import signal
import socket
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

from sim.experiments.plan import RunTask


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def error_text(exc: BaseException) -> str:
    """One line: exception type and message, and where it was raised (file:line in function)."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" (at {Path(frames[-1].filename).name}:{frames[-1].lineno} in {frames[-1].name})" if frames else ""
    message = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {message}{where}"


def execute_run(task: RunTask, runs_dir: str) -> dict:
    """Simulate ``task`` and write ``<runs_dir>/<run_id>/`` (atomically, via :meth:`Result.write`).

    Returns
    -------
    record : ``run_id, status ('done' | 'failed'), error, wall_s, started, finished, host`` (ISO-8601 UTC times).
    A run whose folder already exists is not simulated again.
    """
    from sim.config.loader import load_config
    from sim.simulation import run

    started, t0 = _now(), time.perf_counter()
    folder = Path(runs_dir) / task.run_id
    status, error = "done", ""
    if not folder.exists():
        try:
            result = run(load_config(task.config, task.overrides))
            try:
                result.write(folder)
            except OSError:
                if not folder.exists():  # else another worker finished the same run first
                    raise
        except Exception as exc:  # noqa: BLE001 - any failure is recorded and the sweep goes on
            status, error = "failed", error_text(exc)
    return {"run_id": task.run_id, "status": status, "error": error, "wall_s": round(time.perf_counter() - t0, 4),
            "started": started, "finished": _now(), "host": f"{socket.gethostname()}:{os.getpid()}"}


def ignore_sigint() -> None:
    """Pool initializer: Ctrl-C is handled by the parent, which stops the workers; a worker whose parent
    dies (killed, even with SIGKILL) is terminated too instead of running on (~300 MB each)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = os.getppid()
    if not _die_with_parent():
        import threading

        def watch() -> None:  # no prctl (not Linux): poll for the parent
            while os.getppid() == parent:
                time.sleep(1.0)
            os._exit(1)

        threading.Thread(target=watch, daemon=True, name="parent-watch").start()
    elif os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def _die_with_parent() -> bool:
    """Ask Linux to send SIGKILL to this process when its parent ends (``prctl(PR_SET_PDEATHSIG)``)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(1, signal.SIGKILL, 0, 0, 0) == 0  # PR_SET_PDEATHSIG = 1
    except (OSError, AttributeError):
        return False
