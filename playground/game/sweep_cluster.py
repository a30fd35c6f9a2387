"""The Dask side of :func:`playground.game.sweep.run_many` (the optional ``[cluster]`` extra).

A scheduler started with ``dask scheduler`` and workers started with ``dask worker ADDRESS``
(each with this package installed) run the same chunks of jobs the local pool would.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar
from urllib.parse import urlsplit

from playground.errors import PlaygroundError

Chunk = TypeVar("Chunk")
Result = TypeVar("Result")

#: Seconds to wait for the scheduler before saying it cannot be reached.
CONNECT_TIMEOUT_S = 10


class ClusterError(PlaygroundError, ValueError):
    """The cluster cannot be used (extra missing, scheduler unreachable, no workers)."""


@contextmanager
def connect(address: str) -> Iterator[Any]:
    """A Dask client of the scheduler at ``address``; raises :class:`ClusterError`."""
    try:
        from distributed import Client
    except ImportError:
        raise ClusterError("--cluster needs the cluster extra: "
                           "pip install 'distsys-playground[cluster]'") from None
    _probe(address)
    try:
        client = Client(address, timeout=CONNECT_TIMEOUT_S, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ClusterError(f"cannot reach the Dask scheduler at {address}: {reason}") from None
    try:
        if not client.scheduler_info().get("workers"):
            client.wait_for_workers(1, timeout=CONNECT_TIMEOUT_S)
        yield client
    except TimeoutError:
        raise ClusterError(f"the Dask scheduler at {address} has no workers") from None
    finally:
        client.close()


def _probe(address: str) -> None:
    """Fail at once, in words, if nothing listens at a ``tcp://HOST:PORT`` address (Dask
    itself would retry until its timeout and then say little)."""
    try:
        parts = urlsplit(address if "://" in address else f"tcp://{address}")
        host, port = parts.hostname, parts.port
    except ValueError as exc:
        raise ClusterError(f"{address} is not a scheduler address: {exc}") from None
    if parts.scheme != "tcp" or not host or port is None:
        return
    try:
        socket.create_connection((host, port), timeout=CONNECT_TIMEOUT_S).close()
    except OSError as exc:
        raise ClusterError(f"cannot reach the Dask scheduler at {address}: "
                           f"{exc.strerror or exc}") from None


def worker_threads(client: Any) -> int:
    """How many jobs the cluster runs at once (its workers' threads)."""
    workers = client.scheduler_info().get("workers", {})
    return max(1, sum(int(w.get("nthreads", 1)) for w in workers.values()))


def cluster_results(client: Any, task: Callable[[Chunk], Result],
                    plan: list[tuple[int, Chunk]]) -> Iterator[tuple[int, Result]]:
    """``(number, task(chunk))`` for every numbered chunk, as the cluster finishes them."""
    from distributed import as_completed

    futures = [client.submit(task, chunk, pure=False) for _, chunk in plan]
    index_of = {future.key: number for future, (number, _) in zip(futures, plan, strict=True)}
    for future in as_completed(futures, loop=client.loop):
        yield index_of[future.key], future.result()
