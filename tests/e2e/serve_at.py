"""Run `lantern` with its clock starting at another moment, for stories that happen at a given hour:
`python tests/e2e/serve_at.py "2026-12-05 08:00:00+00:00" path/to/lantern serve ...`.

time-machine moves the wall clock (datetime.now, time.time) of this process only and lets it run on;
the monotonic clock asyncio and uvicorn time out with stays real.
"""

from __future__ import annotations

import sys

import time_machine

from web.cli import main

if __name__ == "__main__":
    moment, _lantern, *arguments = sys.argv[1:]
    sys.argv = ["lantern", *arguments]
    with time_machine.travel(moment, tick=True):
        main()
