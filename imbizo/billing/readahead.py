"""Making the next items in a thread while the caller works on this one.

An import checks rows in Python and then waits for PostgreSQL to take them; with the
checking done ahead in a thread, the two overlap on two cores (the thread holds the
interpreter only while it computes, and the writer mostly waits on the database).
"""

import queue
import threading
from collections.abc import Iterator
from typing import TypeVar

T = TypeVar("T")
_END = object()


def read_ahead(items: Iterator[T], depth: int = 2) -> Iterator[T]:
    """The items of ``items``, up to ``depth`` of them made ahead in a thread. The thread
    must not use the database (it would have a connection, and transaction, of its own).
    An exception in it is raised here; leaving the loop early stops it."""
    made: queue.Queue = queue.Queue(depth)
    stop = threading.Event()

    def hand_over(item: object) -> bool:
        while not stop.is_set():
            try:
                made.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def run() -> None:
        try:
            for item in items:
                if not hand_over(item):
                    return
            hand_over(_END)
        except BaseException as exc:  # noqa: BLE001 - raised again in the caller's thread
            hand_over(exc)

    thread = threading.Thread(target=run, name="billing-read-ahead", daemon=True)
    thread.start()
    try:
        while (item := made.get()) is not _END:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        thread.join()
