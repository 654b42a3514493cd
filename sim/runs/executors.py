"""Where replications run: in this process, in local worker processes, or on a Dask cluster.

One function, :func:`map_chunks`, runs ``fn(chunk)`` for every chunk and returns the results in chunk order,
whatever order they finished in and wherever they ran; ``on_result(result)`` is called in the calling
thread as each finishes (for a progress bar). The model draws from streams keyed by (seed, replication)
only, so where a chunk runs does not change what it returns.

Executors:

``local``
    ``workers == 1`` (or a single chunk): in this process, one chunk after the other. Otherwise a
    :class:`concurrent.futures.ProcessPoolExecutor` with ``workers`` processes.
``dask``
    With ``scheduler`` (e.g. ``tcp://HOST:8786``): an existing Dask cluster (``dask scheduler`` and
    ``dask worker`` processes on machines where this package is installed). Without: a local Dask cluster of
    ``workers`` single-threaded worker processes, started and closed by :func:`map_chunks`.

``fn`` and the chunks travel to other processes by pickle, so ``fn`` must be a top-level function, or a
:func:`functools.partial` of one that fixes its other arguments (e.g. the scenario and the seed). On a
cluster, the scheduler and every worker must have the same version of boernesim installed: Dask's scheduler
unpickles the tasks too. A local Dask cluster starts its workers with the ``spawn`` method, so a script that
calls :func:`map_chunks` with it must do so under ``if __name__ == "__main__":``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Callable, Sequence
from typing import Any

from sim.errors import InputError

EXECUTORS = ("local", "dask")
CONNECT_TIMEOUT = 5.0  # seconds to reach a Dask scheduler
WORKER_TIMEOUT = 60.0  # seconds to wait for a Dask cluster to have at least one worker

INSTALL_HINT = 'the Dask executor needs the distributed package: pip install "dask[distributed]"'


def default_workers() -> int:
    """The number of cores of this machine."""
    return os.cpu_count() or 1


def map_chunks(
    fn: Callable[[Any], Any],
    chunks: Sequence[Any],
    *,
    executor: str = "local",
    workers: int | None = None,
    scheduler: str | None = None,
    on_result: Callable[[Any], None] | None = None,
    connect_timeout: float = CONNECT_TIMEOUT,
    keep: bool = True,
) -> list:
    """``[fn(c) for c in chunks]``, run by ``executor``; ``on_result(r)`` is called as each result arrives.

    ``workers`` defaults to the number of cores; it is ignored with a ``scheduler`` (the cluster has the
    workers it has). Raises :class:`~sim.errors.InputError` for an unknown executor, a ``scheduler`` without
    the Dask executor, a scheduler that cannot be reached within ``connect_timeout`` seconds, or a missing
    ``distributed`` package. An exception raised by ``fn`` is raised again here.

    ``keep=False``: results are only passed to ``on_result`` (which may write them to disk) and not kept, so
    memory does not grow with the number of chunks; the list returned then holds an empty list for each.
    """
    chunks = list(chunks)
    if executor not in EXECUTORS:
        raise InputError(f"unknown executor {executor!r}: choose one of {', '.join(EXECUTORS)}")
    if workers is not None and workers < 1:
        raise InputError("--workers must be at least 1")
    if scheduler is not None and executor != "dask":
        raise InputError("--scheduler needs --executor dask")
    workers = default_workers() if workers is None else workers
    if not keep:
        consume = on_result or (lambda _r: None)
        fn, on_result = _Forget(fn), (lambda r: consume(r.pop()))  # noqa: E731
    if executor == "dask":
        return _dask(fn, chunks, workers, scheduler, on_result, connect_timeout)
    if workers == 1 or len(chunks) <= 1:
        return _in_process(fn, chunks, on_result)
    return _process_pool(fn, chunks, workers, on_result)


class _Forget:
    """``fn`` whose result arrives wrapped in a one-item list that ``on_result`` empties, so the list of
    results that the executors fill in holds only empty lists."""

    def __init__(self, fn):
        self.fn = fn

    def __call__(self, chunk):
        return [self.fn(chunk)]


def _in_process(fn, chunks: list, on_result) -> list:
    results = []
    for chunk in chunks:
        result = fn(chunk)
        results.append(result)
        if on_result:
            on_result(result)
    return results


def _process_pool(fn, chunks: list, workers: int, on_result) -> list:
    from concurrent.futures import ProcessPoolExecutor, as_completed

    results: list = [None] * len(chunks)
    with ProcessPoolExecutor(max_workers=min(workers, len(chunks)), initializer=end_with_parent,
                             initargs=(os.getpid(),)) as pool:
        futures = {pool.submit(fn, chunk): i for i, chunk in enumerate(chunks)}
        try:
            for fut in as_completed(futures):
                result = fut.result()
                results[futures[fut]] = result
                if on_result:
                    on_result(result)
        except BaseException:
            # an error or Ctrl-C: stop now rather than after the chunks already running or queued
            _terminate_workers(pool)  # before shutdown(), which forgets the processes
            pool.shutdown(wait=False, cancel_futures=True)
            raise
    return results


PARENT_POLL_SECONDS = 1.0  # how often a worker without a parent-death signal checks that its parent lives


def end_with_parent(parent: int) -> None:
    """A worker process's initializer: the worker ends when ``parent`` (the command's process) ends, even when
    that is killed with SIGKILL and can clean nothing up, so no worker goes on computing, holding the caller's
    pipes. On Linux the kernel sends the worker SIGKILL (prctl PR_SET_PDEATHSIG); everywhere a daemon thread
    also checks every PARENT_POLL_SECONDS that the worker has not been handed to another parent."""
    _parent_death_signal()
    if os.getppid() != parent:  # the parent died before the signal was asked for
        os._exit(1)
    import threading

    threading.Thread(target=_watch_parent, args=(parent,), name="watch-parent", daemon=True).start()


def _parent_death_signal() -> bool:
    """Ask the Linux kernel for SIGKILL when the parent ends; False where there is no prctl."""
    import signal
    import sys

    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        return libc.prctl(pr_set_pdeathsig, int(signal.SIGKILL), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _watch_parent(parent: int) -> None:
    import time

    while os.getppid() == parent:
        time.sleep(PARENT_POLL_SECONDS)
    os._exit(1)


def _terminate_workers(pool) -> None:
    if hasattr(pool, "terminate_workers"):  # Python >= 3.14
        pool.terminate_workers()
        return
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        if process.is_alive():
            process.terminate()


def _import_distributed():
    try:
        import distributed
    except ImportError as e:
        raise InputError(INSTALL_HINT) from e
    return distributed


_shared: dict[str, str] = {}  # the address of the local Dask cluster a command shares, while it runs


@contextlib.contextmanager
def shared_local_cluster(executor: str, scheduler: str | None, workers: int | None):
    """For a command that calls :func:`map_chunks` many times (a calibration's batches of trials, the
    scenarios of a compare): with the Dask executor and no scheduler, start one local cluster for all of them
    instead of one per call (a start costs seconds). Otherwise does nothing."""
    if executor != "dask" or scheduler is not None or _shared:
        yield
        return
    distributed = _import_distributed()
    cluster = distributed.LocalCluster(
        n_workers=default_workers() if workers is None else workers,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        silence_logs=logging.ERROR,
    )
    _shared["address"] = cluster.scheduler_address
    try:
        yield
    finally:
        _shared.clear()
        cluster.close()


def _dask(fn, chunks: list, workers: int, scheduler: str | None, on_result, connect_timeout: float) -> list:
    distributed = _import_distributed()
    if not chunks:
        return []
    if scheduler is None and _shared:
        with distributed.Client(_shared["address"], set_as_default=False) as client:
            return _gather(distributed, client, fn, chunks, on_result)
    if scheduler is None:
        cluster = distributed.LocalCluster(
            n_workers=min(workers, len(chunks)),
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )
        with cluster, distributed.Client(cluster) as client:
            return _gather(distributed, client, fn, chunks, on_result)
    client = _connect(distributed, scheduler, connect_timeout)
    with client:
        try:
            client.wait_for_workers(1, timeout=WORKER_TIMEOUT)
        except (TimeoutError, asyncio.TimeoutError) as e:
            raise InputError(
                f"the Dask scheduler at {scheduler} has no workers after {WORKER_TIMEOUT:.0f} s; start some with "
                f"`dask worker {scheduler} --nworkers N --nthreads 1` on machines where boernesim is installed"
            ) from e
        _check_environment(client, scheduler)
        return _gather(distributed, client, fn, chunks, on_result, remote=scheduler)


def _connect(distributed, scheduler: str, timeout: float):
    try:
        return distributed.Client(scheduler, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError, ValueError, TypeError) as e:
        raise InputError(
            f"cannot reach the Dask scheduler at {scheduler!r} within {timeout:g} s ({e}); "
            "start one with `dask scheduler` and pass its address as --scheduler tcp://HOST:8786"
        ) from e


def _check_environment(client, scheduler: str) -> None:
    """The scheduler and every worker have the same boernesim as this machine.

    A Dask worker that cannot unpickle a task because a module is missing closes itself, and the run would
    then wait forever for workers; the scheduler unpickles the tasks too. So ask them first."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        ours = version("boernesim")
    except PackageNotFoundError:  # running from a source tree that is not installed: nothing to compare with
        return
    found: dict[str, object] = {}
    try:
        found["scheduler"] = client.run_on_scheduler(version, "boernesim")
    except Exception as e:  # noqa: BLE001 - whatever the scheduler answered, it is not our version
        found["scheduler"] = e
    for worker, v in client.run(version, "boernesim", on_error="return").items():
        found[f"worker {worker}"] = v
    wrong = {who: v for who, v in found.items() if v != ours}
    if wrong:
        listed = "; ".join(
            f"{who}: {'not installed' if isinstance(v, PackageNotFoundError) else v}" for who, v in wrong.items()
        )
        raise InputError(
            f"the Dask cluster at {scheduler} does not run boernesim {ours} like this machine ({listed}); install "
            "the same version of boernesim and its dependencies where `dask scheduler` and every `dask worker` run"
        )


def _gather(distributed, client, fn, chunks: list, on_result, remote: str | None = None) -> list:
    # pure=False: the keys are not hashes of the (large) arguments; each chunk runs exactly once
    futures = client.map(fn, chunks, pure=False)
    index = {fut.key: i for i, fut in enumerate(futures)}
    results: list = [None] * len(chunks)
    try:
        for fut in distributed.as_completed(futures, loop=client.loop):
            try:
                result = fut.result()
            except Exception as e:
                missing = _missing_module(e) if remote else None
                if missing is None:
                    raise
                raise InputError(
                    f"the Dask cluster at {remote} cannot import {missing.name!r}: install boernesim (the same "
                    "version, with the same versions of its dependencies) in the Python environment of the "
                    "`dask scheduler` and of every `dask worker`"
                ) from e
            results[index[fut.key]] = result
            fut.release()  # the result is here; the cluster need not keep it
            if on_result:
                on_result(result)
    except BaseException:
        client.cancel(futures)
        raise
    return results


def _missing_module(e: BaseException | None) -> ModuleNotFoundError | None:
    """The ModuleNotFoundError behind ``e``, if any: the scheduler or a worker lacks a package we have."""
    seen = set()
    while e is not None and id(e) not in seen:
        if isinstance(e, ModuleNotFoundError):
            return e
        seen.add(id(e))
        e = e.__cause__ or e.__context__
    return None
