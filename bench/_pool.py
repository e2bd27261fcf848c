"""Baseline for bench/overhead.py and bench/peers.py: a plain asyncio pool running ``true``.

``_pool.py INDEPENDENT CHAIN SLOTS [AFTER]``: INDEPENDENT ``true`` processes plus a chain
of CHAIN (each starts after the previous one ended), never more than SLOTS at a time, then
AFTER more once all of those ended (a fan-in) — what any engine must do at minimum.
"""

from __future__ import annotations

import asyncio
import sys


async def main(independent: int, chain: int, slots: int, after: int = 0) -> None:
    gate = asyncio.Semaphore(slots)

    async def one() -> None:
        async with gate:
            proc = await asyncio.create_subprocess_exec("true")
            await proc.wait()

    async def chained() -> None:
        for _ in range(chain):
            await one()

    await asyncio.gather(chained(), *(one() for _ in range(independent)))
    await asyncio.gather(*(one() for _ in range(after)))


if __name__ == "__main__":
    asyncio.run(main(*(int(arg) for arg in sys.argv[1:5])))
