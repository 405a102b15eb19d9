"""Cut a clip of the last three seconds a running producer recorded, and print its path.

    python3 clients/python/clip_example.py [http://127.0.0.1:8765]

The window comes from the producer's own /health (its newest frame), so it always lies
inside the segments the producer still holds, however long it has been running.
"""

from __future__ import annotations

import sys
from pathlib import Path

# The client is one file beside this one; no installation needed.
sys.path.insert(0, str(Path(__file__).resolve().parent))

from recorder import ClipError, ClipRequest, Recorder, RecorderConfig, timebase_from_health_payload  # noqa: E402

WINDOW_NS = 3_000_000_000


def main(argv: list[str]) -> int:
    url = argv[1] if len(argv) > 1 else "http://127.0.0.1:8765"
    config = RecorderConfig(url)
    try:
        health = Recorder(config).health()
        newest_pts_ns = health["segments"]["newest_pts_ns"]
        if newest_pts_ns is None:
            raise ClipError("the producer has no segment yet (is --segments on?)")
        newest_pts_ns = int(newest_pts_ns)
        recorder = Recorder(config, timebase=timebase_from_health_payload(health))
        clip = recorder.request_clip(ClipRequest(
            start_pts_ns=newest_pts_ns - WINDOW_NS, stop_pts_ns=newest_pts_ns, label="python_example"))
    except ClipError as exc:
        print("clip failed: %s" % exc, file=sys.stderr)
        return 1
    print(clip.path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
