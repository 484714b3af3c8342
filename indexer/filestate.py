"""Whether a page file can be skipped without reading it: its stat matches the file list.

An incremental run used to read and hash every page file to find the changed ones: at a
million articles (205k files) that was most of a two-minute no-op update. Like git's index,
the file list now keeps each file's size, modification and change times (ns) and inode as
they were when the file was read, and the time the read began (``seen_ns``). A file whose
stat still shows all four is not read again. The change time cannot be set by a user (a
copy that restores the modification time, ``cp -p`` / ``rsync -t``, still changes it), and
the inode changes when a file is replaced. A file that changed within RACY_NS before its
read began is never trusted (git's "racy" rule: a file system with coarse timestamps could
give a later write the same times), and a record without these fields (an older file list)
is hashed as before.
"""
from __future__ import annotations

import os

RACY_NS = 2_000_000_000     # a change this close before the read: read the file next time too
FIELDS = ("size", "mtime_ns", "ctime_ns", "ino", "seen_ns")


def record(st: os.stat_result, seen_ns: int) -> dict:
    """The stat fields of a file list entry for a file read from `seen_ns` on."""
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "ctime_ns": st.st_ctime_ns,
            "ino": st.st_ino, "seen_ns": int(seen_ns)}


def unchanged(st: os.stat_result, rec: dict | None) -> bool:
    """The file is as it was read for `rec` (a file list entry), by its stat alone."""
    if not rec or not rec.get("sha256") or any(f not in rec for f in FIELDS):
        return False
    if (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino) != (
            rec["size"], rec["mtime_ns"], rec["ctime_ns"], rec["ino"]):
        return False
    settled = rec["seen_ns"] - RACY_NS
    return rec["mtime_ns"] < settled and rec["ctime_ns"] < settled
