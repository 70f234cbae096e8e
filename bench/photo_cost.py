"""What one hostile photo costs the server: CPU time, peak memory and stored bytes of clean_photo.

The photo is a 7000×7000 WebP of noise (about 8 MB), the shape of the attack in issue 16. Each run is
a fresh process so that its peak memory is the photo's own.

    uv run --frozen python bench/photo_cost.py
    PHOTO_EDGE=6300 uv run --frozen python bench/photo_cost.py   # the largest still accepted
"""

from __future__ import annotations

import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

EDGE = int(os.environ.get("PHOTO_EDGE", "7000"))
SAMPLE = Path(tempfile.gettempdir()) / f"lantern-hostile-{EDGE}.webp"


def make_sample() -> bytes:
    if not SAMPLE.exists():
        from PIL import Image

        noise = Image.frombytes("RGB", (EDGE, EDGE), os.urandom(EDGE * EDGE * 3))
        out = io.BytesIO()
        noise.save(out, format="WEBP", quality=2, method=0)
        SAMPLE.write_bytes(out.getvalue())
    return SAMPLE.read_bytes()


def measure() -> None:
    from web.cases.photos import PhotoRejected, clean_photo

    raw = SAMPLE.read_bytes()
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.process_time()
    try:
        outcome = f"stored {len(clean_photo(raw, 10 * 1024 * 1024).data)} bytes"
    except PhotoRejected as rejected:
        outcome = f"refused: {rejected.message}"
    cpu = time.process_time() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "cpu_s": round(cpu, 2),
                "peak_mib": round(peak / 1024),
                "added_mib": round((peak - base) / 1024),
                "outcome": outcome,
            }
        )
    )


if __name__ == "__main__":
    if sys.argv[1:] == ["--make"]:
        raw = make_sample()
        print(f"input: {SAMPLE.name}, {EDGE}×{EDGE}, {len(raw) / 1e6:.1f} MB")
    elif sys.argv[1:] == ["--child"]:
        measure()
    else:
        # Separate processes: Linux keeps a process's peak memory across exec, so the sample is made
        # in one and measured in another.
        subprocess.run([sys.executable, __file__, "--make"], check=True)
        subprocess.run([sys.executable, __file__, "--child"], check=True)
