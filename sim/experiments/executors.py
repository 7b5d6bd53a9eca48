"""Where runs execute: this process, local worker processes, or a Dask cluster; with retries.

All executors share one small interface (``submit``, ``wait_any``, ``capacity``, ``cancel``, ``close``)
so :func:`drive` can keep a bounded number of runs in flight, retry failures and yield one record per
run as it finishes, whatever runs them.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor
from concurrent.futures import wait as cf_wait
from concurrent.futures.process import BrokenProcessPool
from datetime import UTC, datetime
from typing import Any

from sim.config.loader import ConfigError
from sim.experiments.optional import optional_import
from sim.experiments.plan import RunTask
from sim.experiments.worker import error_text, ignore_sigint


def available_cores() -> int:
    """CPU cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


class SerialExecutor:
    """Runs each task in the calling process as it is submitted (``workers=1``; easiest to debug)."""

    description = "this process"

    def submit(self, fn: Callable, task: Any, key: str) -> Future:
        fut: Future = Future()
        try:
            fut.set_result(fn(task))
        except Exception as exc:  # noqa: BLE001 - surfaces as a failed attempt
            fut.set_exception(exc)
        return fut

    def wait_any(self, futures: list) -> set:
        return set(futures)

    def capacity(self) -> int:
        return 1

    def cancel(self, futures: list) -> None:
        pass

    def close(self) -> None:
        pass


#: runs per worker process before it is replaced: keeps worker memory bounded (Mesa 3.3 keeps every finished
#: model alive through ``Agent._ids``, mesa/mesa#3179, fixed upstream) at about 1 s of start-up per replacement
TASKS_PER_CHILD = 16


class LocalExecutor:
    """A pool of ``workers`` local processes (``spawn`` start method), each replaced after
    ``tasks_per_child`` runs; a crashed pool is replaced."""

    def __init__(self, workers: int | None = None, tasks_per_child: int | None = TASKS_PER_CHILD):
        self.workers = workers or available_cores()
        self.tasks_per_child = tasks_per_child
        self.description = f"{self.workers} local processes"
        self._pool: ProcessPoolExecutor | None = None

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=ignore_sigint, max_tasks_per_child=self.tasks_per_child)

    def submit(self, fn: Callable, task: Any, key: str) -> Future:
        if self._pool is None:
            self._pool = self._new_pool()
        try:
            return self._pool.submit(fn, task)
        except BrokenProcessPool:  # a worker died (e.g. out of memory): its runs fail, the sweep goes on
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = self._new_pool()
            return self._pool.submit(fn, task)

    def wait_any(self, futures: list) -> set:
        return cf_wait(futures, return_when=FIRST_COMPLETED)[0]

    def capacity(self) -> int:
        return 2 * self.workers

    def cancel(self, futures: list) -> None:
        """Stop everything now: pending runs are dropped and running workers terminated."""
        if self._pool is None:
            return
        # concurrent.futures has no public way to stop running workers; terminating them leaves at most a
        # temporary run folder, which the next sweep start removes.
        processes = list((getattr(self._pool, "_processes", None) or {}).values())
        self._pool.shutdown(wait=False, cancel_futures=True)
        for p in processes:
            p.terminate()
        for p in processes:
            p.join(timeout=5)
        self._pool = None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None


class DaskExecutor:
    """Runs on a Dask cluster given a scheduler address, a ``Client`` or a cluster object.

    Workers must share the sweep's output folder (a shared file system on a cluster) and have countysim
    installed. A client created here is closed at the end; one passed in is left open.
    """

    def __init__(self, scheduler: Any):
        distributed = optional_import("dask.distributed", "the Dask executor")
        self._wait = distributed.wait
        self._own = not isinstance(scheduler, distributed.Client)
        if self._own:
            try:
                self.client = distributed.Client(scheduler)
            except (OSError, TimeoutError, ValueError) as exc:
                raise ConfigError(f"--scheduler {scheduler}: cannot connect to a Dask scheduler ({exc})") from None
        else:
            self.client = scheduler
        self.description = f"Dask {self.client.scheduler.address}"
        self._threads, self._checked = 0, -1e9

    def submit(self, fn: Callable, task: Any, key: str) -> Any:
        return self.client.submit(fn, task, key=key, pure=False)

    def wait_any(self, futures: list) -> set:
        return set(self._wait(futures, return_when="FIRST_COMPLETED").done)

    def capacity(self) -> int:
        """Twice the cluster's worker threads (re-read every 5 s, as adaptive clusters grow), at least 16."""
        if time.monotonic() - self._checked > 5:
            self._threads = sum(self.client.nthreads().values())
            self._checked = time.monotonic()
        return max(16, 2 * self._threads)

    def cancel(self, futures: list) -> None:
        self.client.cancel(futures)

    def close(self) -> None:
        if self._own:
            self.client.close()


def make_executor(workers: int | None = None, scheduler: Any = None):
    """An executor: Dask if ``scheduler`` is given (address, Client or cluster), else ``workers`` local
    processes (default: all cores); ``workers=1`` runs in this process."""
    if scheduler is not None:
        return DaskExecutor(scheduler)
    if workers is not None and workers < 1:
        raise ConfigError(f"--workers {workers}: expected a positive number of processes")
    return SerialExecutor() if workers == 1 else LocalExecutor(workers)


def _outcome(fut: Any, task: RunTask) -> dict:
    try:
        return fut.result()
    except Exception as exc:  # noqa: BLE001 - the worker itself was lost (crash, killed, cancelled)
        now = datetime.now(UTC).isoformat(timespec="milliseconds")
        return {"run_id": task.run_id, "status": "failed", "error": f"worker lost: {error_text(exc)}",
                "wall_s": float("nan"), "started": None, "finished": now, "host": ""}


def drive(executor, fn: Callable[[RunTask], dict], tasks: Iterable[RunTask], retries: int) -> Iterator[dict]:
    """Run ``fn(task)`` for every task and yield each run's final record as it finishes.

    At most ``executor.capacity()`` runs are in flight, so memory stays flat however many tasks there
    are. A failed run is resubmitted up to ``retries`` times; its record then carries ``attempts``.
    If the consumer stops or an exception (Ctrl-C) arrives, runs in flight are cancelled.
    """
    queue = iter(tasks)
    inflight: dict[Any, tuple[RunTask, int]] = {}

    def submit(task: RunTask, attempt: int) -> None:
        inflight[executor.submit(fn, task, f"countysim-{task.run_id}-a{attempt}")] = (task, attempt)

    def fill() -> None:
        while len(inflight) < executor.capacity():
            task = next(queue, None)
            if task is None:
                return
            submit(task, 1)

    try:
        fill()
        while inflight:
            for fut in executor.wait_any(list(inflight)):
                task, attempt = inflight.pop(fut)
                record = _outcome(fut, task)
                if record["status"] == "failed" and attempt <= retries:
                    submit(task, attempt + 1)
                    continue
                yield {**record, "attempts": attempt}
            fill()
    except BaseException:
        executor.cancel(list(inflight))
        raise
