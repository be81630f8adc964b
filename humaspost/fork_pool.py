"""Many files worked on in several processes, as `check` and the daemon's first load do.

The items are cut into chunks, several per process so that folders of slow and fast
files even out. The chunks go in order to `workers - 1` forked processes, while this
process works on chunks from the end that no worker has begun: what it does itself is
never pickled, and a busy machine costs no more than one process.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

Item = TypeVar("Item")

CHUNKS_PER_PROCESS = 8


def in_processes(
    items: Sequence[Item],
    workers: int,
    *,
    start: Callable[..., None],
    start_args: tuple[Any, ...],
    in_worker: Callable[[list[Item]], list[Any]],
    here: Callable[[list[Item]], list[Any]],
) -> list[tuple[list[Item], list[Any], bool]]:
    """Every chunk in order: (its items, their results, whether a worker made them).

    Each worker process runs `start(*start_args)` once, then `in_worker(chunk)` for its
    chunks (both module-level functions); this process runs `here(chunk)`."""
    import multiprocessing  # only a large run needs these
    from concurrent.futures import ProcessPoolExecutor

    size = -(-len(items) // (workers * CHUNKS_PER_PROCESS))
    chunks = [list(items[i : i + size]) for i in range(0, len(items), size)]
    # fork: the workers start with what this process holds, nothing re-imported or
    # pickled; elsewhere the default start, which pickles `start_args` once a worker.
    context = multiprocessing.get_context("fork" if sys.platform == "linux" else None)
    with ProcessPoolExecutor(
        workers - 1, mp_context=context, initializer=start, initargs=start_args
    ) as pool:
        futures = [pool.submit(in_worker, chunk) for chunk in chunks]
        done_here: dict[int, list[Any]] = {}
        for n in reversed(range(len(chunks))):
            if not futures[n].cancel():
                break  # a worker has it, and every chunk before it
            done_here[n] = here(chunks[n])
        return [
            (chunk, done_here[n], False) if n in done_here else (chunk, future.result(), True)
            for n, (chunk, future) in enumerate(zip(chunks, futures, strict=True))
        ]
