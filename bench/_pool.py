"""Baseline for bench/overhead.py: a plain 2-slot asyncio pool running the same processes.

200 independent ``true`` processes plus a chain of 50 (each starts after the previous one
ended), never more than 2 at a time — what any engine must do at minimum.
"""

from __future__ import annotations

import asyncio
import sys


async def main(independent: int, chain: int, slots: int) -> None:
    gate = asyncio.Semaphore(slots)

    async def one() -> None:
        async with gate:
            proc = await asyncio.create_subprocess_exec("true")
            await proc.wait()

    async def chained() -> None:
        for _ in range(chain):
            await one()

    await asyncio.gather(chained(), *(one() for _ in range(independent)))


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])))
