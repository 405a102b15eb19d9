"""Client for the cameras-usb2 producer's clip API (seed 002), standard library only.

    from recorder import Recorder, RecorderConfig, ClipRequest, timebase_from_health_payload

    config = RecorderConfig("http://127.0.0.1:8765")
    health = Recorder(config).health()
    newest = int(health["segments"]["newest_pts_ns"])        # the newest frame on disk
    rec = Recorder(config, timebase=timebase_from_health_payload(health))
    clip = rec.request_clip(ClipRequest(start_pts_ns=newest - 3_000_000_000, stop_pts_ns=newest,
                                        label="motion_event"))
    print(clip.status, clip.path)
    rec.cancel(clip_id)   # DELETE /clip/{id}: stops a queued or running job (409 once it finished)

clip_example.py beside this file is that example as a script.

pts values are integers of nanoseconds; they are sent as decimal strings (the producer
accepts both and answers with strings, since they exceed 2^53 after 104 days of uptime).
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Optional, Union

__all__ = [
    "Timebase", "timebase_from_health_payload", "RecorderConfig", "recorder_config_from_cfg",
    "ClipRequest", "ClipResult", "Recorder",
    "ClipError", "ClipRequestError", "ClipHttpError", "ClipTimeoutError",
]


class ClipError(Exception):
    """Any failure to get a clip."""


class ClipRequestError(ClipError):
    """The request is invalid (mixed or missing window, stop <= start, negative mapped pts); nothing was sent."""


class ClipHttpError(ClipError):
    """Non-2xx answer, unreadable JSON, or the producer could not be reached (status None)."""

    def __init__(self, message: str, status: Optional[int] = None, body: Any = None):
        super().__init__(message)
        self.status = status
        self.body = body


class ClipTimeoutError(ClipError):
    """The job did not reach a terminal state within max_wait_ms."""

    def __init__(self, message: str, clip_id: str, last_status: Optional[str]):
        super().__init__(message)
        self.clip_id = clip_id
        self.last_status = last_status


@dataclass(frozen=True)
class Timebase:
    """The producer's pts -> epoch mapping (GET /health's timebase)."""

    base_pts_ns: int
    base_epoch_ms: float
    pts_units: str = "ns"

    def epoch_ms_to_pts(self, epoch_ms: float) -> int:
        return self.base_pts_ns + int(round((epoch_ms - self.base_epoch_ms) * 1000)) * 1000

    def pts_to_epoch_ms(self, pts_ns: int) -> float:
        return self.base_epoch_ms + (pts_ns - self.base_pts_ns) / 1e6


def timebase_from_health_payload(health: Mapping[str, Any]) -> Timebase:
    tb = health.get("timebase") if isinstance(health, Mapping) else None
    if not isinstance(tb, Mapping):
        raise ClipError("health payload has no timebase (the producer has seen no frame yet?)")
    if tb.get("pts_units") != "ns":
        raise ClipError("unsupported pts_units %r (expected 'ns')" % (tb.get("pts_units"),))
    try:
        return Timebase(base_pts_ns=int(tb["base_pts_ns"]), base_epoch_ms=float(tb["base_epoch_ms"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise ClipError("health timebase needs base_pts_ns and base_epoch_ms: %s" % exc) from exc


@dataclass
class RecorderConfig:
    producer_base_url: str
    default_out_dir: Optional[Path] = None
    default_label: Optional[str] = None
    max_wait_ms: int = 30000
    poll_interval_ms: int = 200
    default_preroll_ms: Optional[int] = None
    default_postroll_ms: Optional[int] = None
    token: Optional[str] = None
    finish_grace_ms: int = 5000
    request_timeout_s: float = 10.0


def recorder_config_from_cfg(cfg_module: Any) -> RecorderConfig:
    """Thin shim from an analysis config module (PRODUCER_BASE_URL or HEALTH_URL, CLIP_OUT_DIR, ...)."""
    base = getattr(cfg_module, "PRODUCER_BASE_URL", None)
    if base is None:
        health_url = getattr(cfg_module, "HEALTH_URL", None)
        if health_url is None:
            raise ClipError("config module needs PRODUCER_BASE_URL or HEALTH_URL")
        parts = urllib.parse.urlsplit(health_url)
        base = "%s://%s" % (parts.scheme, parts.netloc)
    out_dir = getattr(cfg_module, "CLIP_OUT_DIR", None)
    return RecorderConfig(
        producer_base_url=base,
        default_out_dir=Path(out_dir) if out_dir else None,
        default_label=getattr(cfg_module, "CLIP_LABEL", None),
        max_wait_ms=int(getattr(cfg_module, "CLIP_MAX_WAIT_MS", 30000)),
        poll_interval_ms=int(getattr(cfg_module, "CLIP_POLL_INTERVAL_MS", 200)),
        default_preroll_ms=getattr(cfg_module, "CLIP_PREROLL_MS", None),
        default_postroll_ms=getattr(cfg_module, "CLIP_POSTROLL_MS", None),
        token=getattr(cfg_module, "PRODUCER_TOKEN", None),
    )


@dataclass
class ClipRequest:
    start_pts_ns: Optional[int] = None
    stop_pts_ns: Optional[int] = None
    start_ms: Optional[float] = None
    stop_ms: Optional[float] = None
    label: Optional[str] = None
    out_dir: Optional[Path] = None
    filename: Optional[str] = None
    preroll_ms: Optional[int] = None
    postroll_ms: Optional[int] = None
    max_wait_ms: Optional[int] = None


@dataclass
class ClipResult:
    job_id: str
    status: str
    mode: str
    path: Optional[Path]
    start_pts_ns: Optional[int] = None
    stop_pts_ns: Optional[int] = None
    start_ms: Optional[float] = None
    stop_ms: Optional[float] = None
    raw: Optional[Mapping[str, Any]] = None


def _as_int(value: Union[int, str], field: str) -> int:
    if isinstance(value, bool):
        raise ClipRequestError("%s must be an integer number of ns" % field)
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    raise ClipRequestError("%s must be an integer number of ns, got %r" % (field, value))


class Recorder:
    """Turns clip requests into producer /clip jobs and waits for them."""

    def __init__(self, cfg: RecorderConfig, timebase: Optional[Timebase] = None):
        self.cfg = cfg
        self.timebase = timebase
        self._base = cfg.producer_base_url.rstrip("/")

    def normalize(self, req: ClipRequest) -> dict:
        """Validated window: {mode, start_pts_ns, stop_pts_ns, start_ms, stop_ms}. PTS wins over epoch-ms."""
        if req.start_pts_ns is not None or req.stop_pts_ns is not None:
            if req.start_pts_ns is None or req.stop_pts_ns is None:
                raise ClipRequestError("a PTS window needs both start_pts_ns and stop_pts_ns")
            start = _as_int(req.start_pts_ns, "start_pts_ns")
            stop = _as_int(req.stop_pts_ns, "stop_pts_ns")
            if start < 0 or stop < 0:
                raise ClipRequestError("pts must not be negative")
            if stop <= start:
                raise ClipRequestError("stop (%d) must be after start (%d)" % (stop, start))
            return {"mode": "pts", "start_pts_ns": start, "stop_pts_ns": stop, "start_ms": None, "stop_ms": None}
        if req.start_ms is None and req.stop_ms is None:
            raise ClipRequestError("give a PTS window (start_pts_ns, stop_pts_ns) or an epoch-ms window (start_ms, stop_ms)")
        if req.start_ms is None or req.stop_ms is None:
            raise ClipRequestError("an epoch window needs both start_ms and stop_ms")
        start_ms = float(req.start_ms)
        stop_ms = float(req.stop_ms)
        if stop_ms <= start_ms:
            raise ClipRequestError("stop (%s) must be after start (%s)" % (stop_ms, start_ms))
        if self.timebase is None:
            return {"mode": "epoch", "start_pts_ns": None, "stop_pts_ns": None, "start_ms": start_ms, "stop_ms": stop_ms}
        start_pts = self.timebase.epoch_ms_to_pts(start_ms)
        stop_pts = self.timebase.epoch_ms_to_pts(stop_ms)
        if start_pts < 0 or stop_pts < 0:
            raise ClipRequestError("epoch window %s..%s maps to a negative pts (%d..%d)" % (start_ms, stop_ms, start_pts, stop_pts))
        return {"mode": "epoch", "start_pts_ns": start_pts, "stop_pts_ns": stop_pts, "start_ms": start_ms, "stop_ms": stop_ms}

    def request_clip(self, req: ClipRequest) -> ClipResult:
        window = self.normalize(req)
        max_wait_ms = req.max_wait_ms if req.max_wait_ms is not None else self.cfg.max_wait_ms
        body: dict = {}
        if window["start_pts_ns"] is not None:
            body["start_pts_ns"] = str(window["start_pts_ns"])
            body["stop_pts_ns"] = str(window["stop_pts_ns"])
        else:
            body["start_epoch_ms"] = window["start_ms"]
            body["stop_epoch_ms"] = window["stop_ms"]
        label = req.label if req.label is not None else self.cfg.default_label
        out_dir = req.out_dir if req.out_dir is not None else self.cfg.default_out_dir
        preroll = req.preroll_ms if req.preroll_ms is not None else self.cfg.default_preroll_ms
        postroll = req.postroll_ms if req.postroll_ms is not None else self.cfg.default_postroll_ms
        if label is not None:
            body["label"] = label
        if out_dir is not None:
            body["out_dir"] = str(out_dir)
        if req.filename is not None:
            body["filename"] = req.filename
        if preroll is not None:
            body["preroll_ms"] = preroll
        if postroll is not None:
            body["postroll_ms"] = postroll
        body["max_wait_ms"] = max_wait_ms

        accepted = self._call("POST", "/clip", body)
        clip_id = accepted.get("clip_id") or accepted.get("id")
        if not isinstance(clip_id, str) or not clip_id:
            raise ClipHttpError("POST /clip answered without clip_id or id", None, accepted)

        deadline = time.monotonic() + (max_wait_ms + self.cfg.finish_grace_ms) / 1000.0
        last_status = None
        while True:
            payload = self._call("GET", "/clip/" + urllib.parse.quote(clip_id, safe=""))
            clip = payload.get("clip") if isinstance(payload.get("clip"), Mapping) else {}
            status = payload.get("status") or clip.get("status")
            last_status = status
            if status in ("error", "cancelled"):
                message = payload.get("message") or clip.get("message") or "clip job %s" % status
                raise ClipError("clip %s %s: %s" % (clip_id, "failed" if status == "error" else "was cancelled", message))
            if status == "done":
                path = payload.get("path") or clip.get("path")
                return ClipResult(
                    job_id=clip_id, status="done", mode=window["mode"], path=Path(path) if path else None,
                    start_pts_ns=window["start_pts_ns"], stop_pts_ns=window["stop_pts_ns"],
                    start_ms=window["start_ms"], stop_ms=window["stop_ms"], raw=payload,
                )
            if time.monotonic() >= deadline:
                raise ClipTimeoutError("clip %s still %s after %d ms" % (clip_id, status, max_wait_ms), clip_id, last_status)
            time.sleep(max(0.0, min(self.cfg.poll_interval_ms / 1000.0, deadline - time.monotonic())))

    def health(self) -> Mapping[str, Any]:
        return self._call("GET", "/health")

    def cancel(self, clip_id: str) -> Mapping[str, Any]:
        """DELETE /clip/{id}: cancels a queued or running job (its temp files are removed).

        Returns the job's status (``cancelled``); ClipHttpError 409 when it already finished, 404 when unknown.
        """
        return self._call("DELETE", "/clip/" + urllib.parse.quote(clip_id, safe=""), {})

    def force_rotate(self) -> Mapping[str, Any]:
        return self._call("POST", "/force_rotate", {})

    def _call(self, method: str, route: str, body: Optional[dict] = None) -> Mapping[str, Any]:
        data = None
        headers = {"accept": "application/json"}
        if body is not None:
            data = json.dumps(body).encode("utf-8")
            headers["content-type"] = "application/json"
        if self.cfg.token:
            headers["authorization"] = "Bearer " + self.cfg.token
        request = urllib.request.Request(self._base + route, data=data, method=method, headers=headers)
        status: Optional[int] = None
        try:
            with urllib.request.urlopen(request, timeout=self.cfg.request_timeout_s) as response:
                status = response.status
                text = response.read().decode("utf-8")
        except urllib.error.HTTPError as exc:
            text = exc.read().decode("utf-8", "replace")
            try:
                payload = json.loads(text) if text else {}
            except ValueError:
                payload = text[:500]
            message = payload.get("message") if isinstance(payload, Mapping) else None
            raise ClipHttpError("%s %s: HTTP %d%s" % (method, route, exc.code, ": " + message if message else ""), exc.code, payload) from exc
        except (urllib.error.URLError, OSError) as exc:
            raise ClipHttpError("%s %s failed: %s" % (method, route, exc), None, None) from exc
        try:
            payload = json.loads(text) if text else {}
        except ValueError as exc:
            raise ClipHttpError("%s %s: body is not JSON" % (method, route), status, text[:500]) from exc
        if not isinstance(payload, Mapping):
            raise ClipHttpError("%s %s: expected a JSON object" % (method, route), status, payload)
        return payload
