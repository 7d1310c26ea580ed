"""A small HTTP/1.1 load generator on asyncio streams, for conversations.

wrk cannot keep a USSD session's state per connection, and a Python HTTP library spends
more CPU per request than the server it measures. This keeps one persistent connection
per simulated phone, writes requests as bytes and reads responses by Content-Length (or
chunks), so the client costs a few tens of microseconds a request.
"""

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import numpy as np


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)  # seconds, of successful requests
    errors: int = 0
    statuses: dict[int, int] = field(default_factory=dict)

    def summary(self, seconds: float) -> dict:
        lat = np.array(self.latencies) * 1000 if self.latencies else np.zeros(1)
        return {"requests": len(self.latencies), "errors": self.errors,
                "per_second": len(self.latencies) / seconds,
                "p50_ms": float(np.percentile(lat, 50)), "p99_ms": float(np.percentile(lat, 99)),
                "max_ms": float(lat.max()), "statuses": self.statuses}


class Connection:
    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    async def request(self, method: str, path: str, body: bytes = b"",
                      headers: dict | None = None) -> tuple[int, bytes]:
        head = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}",
                f"Content-Length: {len(body)}"]
        head += [f"{k}: {v}" for k, v in (headers or {}).items()]
        self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
        status_line = await self.reader.readuntil(b"\r\n")
        status = int(status_line.split()[1])
        length, chunked = None, False
        while (line := await self.reader.readuntil(b"\r\n")) != b"\r\n":
            name, _, value = line.decode("latin-1").partition(":")
            name = name.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "transfer-encoding" and "chunked" in value.lower():
                chunked = True
        if chunked:
            data = b""
            while (size := int((await self.reader.readuntil(b"\r\n")).strip(), 16)):
                data += await self.reader.readexactly(size)
                await self.reader.readexactly(2)
            await self.reader.readexactly(2)
            return status, data
        return status, await self.reader.readexactly(length or 0)

    def close(self) -> None:
        if self.writer:
            self.writer.close()


async def _run(host: str, port: int, clients: int, seconds: float,
               script: Callable[[Connection, Callable[[], bool], Tally], Awaitable[None]]) -> dict:
    tally = Tally()
    connections = [Connection(host, port) for _ in range(clients)]
    await asyncio.gather(*(c.open() for c in connections))
    deadline = time.monotonic() + seconds
    started = time.monotonic()

    def going() -> bool:
        return time.monotonic() < deadline

    await asyncio.gather(*(script(c, going, tally) for c in connections))
    elapsed = time.monotonic() - started
    for c in connections:
        c.close()
    return tally.summary(elapsed)


def run(host: str, port: int, clients: int, seconds: float, script) -> dict:
    """Run ``script(connection, going, tally)`` on ``clients`` connections for ``seconds``."""
    return asyncio.run(_run(host, port, clients, seconds, script))


async def timed(conn: Connection, tally: Tally, method: str, path: str, body: bytes = b"",
                headers: dict | None = None) -> tuple[int, bytes] | None:
    """One request, its latency in ``tally``; None (counted an error) if it failed."""
    started = time.perf_counter()
    try:
        status, data = await conn.request(method, path, body, headers)
    except (OSError, asyncio.IncompleteReadError, ValueError):
        tally.errors += 1
        conn.close()
        await conn.open()
        return None
    tally.statuses[status] = tally.statuses.get(status, 0) + 1
    if status >= 400:
        tally.errors += 1
        return status, data
    tally.latencies.append(time.perf_counter() - started)
    return status, data
