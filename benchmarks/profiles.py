"""Sampling profiles with py-spy (`benchmarks/run --profile`) and their top functions.

py-spy writes collapsed stacks ("frame;frame;frame count" per line); the summary ranks
functions by own time (the frame on top of the stack) and by inclusive time.
"""
from __future__ import annotations

import re
import shutil
import sys
from collections import Counter
from pathlib import Path

_LINE = re.compile(r"^(.*) (\d+)$")
_FRAME = re.compile(r"^(.*?) \((.*?)(?::\d+)?\)$")


def py_spy() -> str | None:
    exe = Path(sys.executable).with_name("py-spy")
    return str(exe) if exe.exists() else shutil.which("py-spy")


def wrap(cmd: list[str], out_path: Path, rate: int = 67) -> list[str]:
    """The command under `py-spy record` (with its subprocesses), writing collapsed stacks."""
    exe = py_spy()
    if exe is None:
        raise SystemExit("--profile needs py-spy (pip install py-spy)")
    return [exe, "record", "--subprocesses", "--rate", str(rate), "--format", "raw",
            "--output", str(out_path), "--"] + cmd


def _short(frame: str) -> str:
    m = _FRAME.match(frame.strip())
    if not m:
        return frame.strip()
    func, path = m.groups()
    parts = Path(path).parts
    for anchor in ("site-packages", "main", "lib"):
        if anchor in parts:
            parts = parts[len(parts) - parts[::-1].index(anchor):]
            break
    return f"{func} ({'/'.join(parts[-3:])})"


def summarize(path: Path, top: int = 12) -> dict:
    own, incl, total = Counter(), Counter(), 0
    try:
        lines = Path(path).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return {"samples": 0, "own": [], "inclusive": []}
    for line in lines:
        m = _LINE.match(line)
        if not m:
            continue
        stack, n = m.group(1), int(m.group(2))
        frames = [f for f in stack.split(";") if f and not f.startswith("process ")]
        if not frames:
            continue
        frames = [_short(f) for f in frames]
        total += n
        own[frames[-1]] += n
        for f in set(frames):
            incl[f] += n
    # inclusive ranking without the trivially-everything frames (module entry, main loops)
    skip = {f for f, c in incl.items() if c >= 0.97 * total}
    return {"samples": total,
            "own": [(f, c / total) for f, c in own.most_common(top)] if total else [],
            "inclusive": [(f, c / total) for f, c in incl.most_common(top + len(skip)) if f not in skip][:top]
            if total else []}
