"""Issue 6, item 4: a fuzz folder of broken files beside good pages.

`newsearch index` runs over good pages and a fuzz folder holding random bytes, broken and
truncated UTF-8, mixed encodings, a 0-byte file, a 50 MB file, a 1 MB single line, repeated
boilerplate, symlink loops and unreadable files. Every file that cannot be read faithfully
is reported by path and skipped; the articles in the index are exactly the ones
`newsearch parse` finds in the readable files.

Unreadable files as root: root ignores file modes (capabilities CAP_DAC_OVERRIDE and
CAP_DAC_READ_SEARCH), so chmod 000 alone proves nothing. When the tests run as root, the
indexer and the parser are started with those two capabilities dropped from their bounding
set (prctl PR_CAPBSET_DROP before exec), so the kernel checks file modes for them as for
any unprivileged service account and chmod 000 really denies the read (EACCES). (Running
them as `nobody` is not possible here: the interpreter lives under /root, mode 700.) For
any other user chmod 000 works directly.

Odd but readable files are not errors (the reading contract, tests/test_parse_cli.py): a
0-byte page, a page of boilerplate only, a 1 MB line and a page cut inside its last
character are read, and their articles (if any) must be indexed like parse shows them.
"""
from __future__ import annotations

import json
import os
import random
import shutil
import time
from pathlib import Path

import pytest

from reliability_support import (EXIT_FILES_FAILED, describe, index_state, run_newsearch,
                                 seed_pages)

pytestmark = pytest.mark.slow

BOILERPLATE = "返回主页 | 郑州日报 | 版面导航\n\n第07版:县区新闻\n\nG07\n上一篇  下一篇\n"
HUGE_BYTES = 50 * 1024 * 1024


PR_CAPBSET_DROP = 24
CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH = 1, 2


def _without_dac_override():
    """preexec_fn that makes file modes apply to a root child (None when not root)."""
    if os.geteuid() != 0:
        return None
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)

    def drop():
        for cap in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
            if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
                raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")

    return drop


def _utf8_cut_inside(data: bytes, at: int) -> bytes:
    """Remove one continuation byte of the multi-byte character at or after `at`."""
    i = at
    while (data[i] & 0xC0) != 0x80:
        i += 1
    return data[:i] + data[i + 1:]


def _utf8_cut_at_end(data: bytes, at: int) -> bytes:
    """Cut the file inside a multi-byte character (as an interrupted copy does)."""
    i = at
    while data[i] < 0xC0:                # move to the lead byte of a multi-byte character
        i += 1
    return data[:i + 1]


def build_fuzz(fuzz: Path, big: Path, rng: random.Random) -> tuple[dict[str, str], list[Path]]:
    """Write the fuzz folders (`big` holds the 50 MB file, so that parse can be run over
    `fuzz` without it); returns (bad file -> kind) and the readable fuzz files."""
    pages = [p.read_bytes() for p in seed_pages()]
    fuzz.mkdir()
    big.mkdir()
    bad: dict[str, str] = {}
    readable: list[Path] = []

    def put(name: str, data: bytes, kind: str | None) -> Path:
        path = fuzz / name
        path.write_bytes(data)
        if kind:
            bad[str(path)] = kind
        else:
            readable.append(path)
        return path

    put("random-bytes.txt", rng.randbytes(64 * 1024), "random bytes")
    put("random-bytes-high.txt", bytes(rng.randrange(0x80, 0x100) for _ in range(32 * 1024)),
        "random high bytes (no NUL)")
    # One broken line: the rest is read, the line is reported (issue 10 item 8).
    put("utf8-broken-inside.txt", _utf8_cut_inside(pages[1], len(pages[1]) // 3), None)
    gbk = pages[2].decode("utf-8").encode("gb18030")
    put("mixed-encodings.txt", pages[0][:len(pages[0]) // 2].rsplit(b"\n", 1)[0] + b"\n" + gbk,
        "UTF-8 then GB18030 in one file")
    put("mixed-encodings-2.txt", gbk + b"\n" + pages[3], "GB18030 then UTF-8 in one file")
    put("utf16-broken.txt", b"\xff\xfe" + pages[4].decode("utf-8").encode("utf-16-le") + b"\x00\xd8"
        + "尾".encode("utf-16-le"), "UTF-16 with a lone surrogate")

    huge = big / "huge-50mb.txt"          # text: parse would split it (30k articles, ~15 s)
    with open(huge, "wb") as f:
        written = 0
        while written < HUGE_BYTES:
            chunk = pages[written // len(pages[1]) % len(pages)]
            f.write(chunk[:HUGE_BYTES - written])
            written += min(len(chunk), HUGE_BYTES - written)
    bad[str(huge)] = "50 MB file"

    # Odd but readable: must be indexed exactly as parse reads them.
    put("empty.txt", b"", None)
    line = pages[1].decode("utf-8").replace("\n", "")
    one = (line * (1_100_000 // len(line.encode("utf-8")) + 2)).encode("utf-8")[:1024 * 1024]
    put("one-megabyte-line.txt", one[:len(one.decode("utf-8", "ignore").encode("utf-8"))], None)
    put("boilerplate-only.txt", (BOILERPLATE * 20000).encode("utf-8"), None)
    put("page-buried-in-boilerplate.txt",
        (BOILERPLATE * 3000).encode("utf-8") + pages[3] + (BOILERPLATE * 3000).encode("utf-8"), None)
    put("utf8-truncated-at-end.txt", _utf8_cut_at_end(pages[0], len(pages[0]) * 2 // 3), None)

    # Links: a folder loop, a file loop, a dangling link.
    (fuzz / "nest").mkdir()
    (fuzz / "nest" / "loop").symlink_to(".", target_is_directory=True)
    bad[str(fuzz / "nest" / "loop")] = "symlink loop (folder)"
    (fuzz / "loop-a.txt").symlink_to("loop-b.txt")
    (fuzz / "loop-b.txt").symlink_to("loop-a.txt")
    bad[str(fuzz / "loop-a.txt")] = "symlink loop (file)"
    bad[str(fuzz / "loop-b.txt")] = "symlink loop (file)"
    (fuzz / "dangling.txt").symlink_to("no-such-page.txt")
    bad[str(fuzz / "dangling.txt")] = "dangling symlink"

    # Unreadable: a page and a folder with mode 000.
    locked = put("unreadable.txt", pages[2], "unreadable file (chmod 000)")
    locked.chmod(0)
    sealed = fuzz / "unreadable-folder"
    sealed.mkdir()
    (sealed / "page.txt").write_bytes(pages[3])
    sealed.chmod(0)
    bad[str(sealed)] = "unreadable folder (chmod 000)"
    return bad, readable


def reported_paths(stderr: str, prefix: str) -> set[str]:
    """Paths named on `prefix: <path>: <reason>` lines."""
    out = set()
    for line in stderr.splitlines():
        if line.startswith(prefix):
            rest = line[len(prefix):]
            for candidate in sorted({rest[:i] for i in range(len(rest)) if rest.startswith(": ", i)},
                                    key=len):
                if Path(candidate).is_symlink() or os.path.lexists(candidate):
                    out.add(candidate)
                    break
    return out


def parse_ids(*paths, preexec_fn=None) -> tuple[list[str], object]:
    result = run_newsearch("parse", "--json", *paths, preexec_fn=preexec_fn, timeout=600)
    ids = [json.loads(line)["id"] for line in result.stdout.splitlines() if line.strip()]
    return ids, result


def test_fuzz_folder_beside_good_pages(tmp_path):
    drop = _without_dac_override()
    base = tmp_path
    try:
        good = base / "good"
        good.mkdir()
        for copy in range(2):
            for p in seed_pages():
                shutil.copyfile(p, good / f"g{copy}_{p.name}")
        fuzz, big = base / "fuzz", base / "fuzz-big"
        bad, readable = build_fuzz(fuzz, big, random.Random(6))
        index_dir = base / "index"
        # The child really cannot read a mode-000 file (even when the tests run as root).
        probe = run_newsearch("index", fuzz / "unreadable.txt", "--index-dir", base / "probe", preexec_fn=drop)
        assert probe.returncode == EXIT_FILES_FAILED, describe(probe)
        assert f"失败: {fuzz / 'unreadable.txt'}: " in probe.stderr, describe(probe)
        assert "Permission denied" in probe.stderr, describe(probe)
        fuzzed = len(bad) + len(readable)

        t0 = time.monotonic()
        result = run_newsearch("index", good, fuzz, big, "--index-dir", index_dir,
                               preexec_fn=drop, timeout=600)
        seconds = time.monotonic() - t0
        assert result.returncode == EXIT_FILES_FAILED, describe(result)
        assert "Traceback" not in result.stderr, describe(result)
        failed = reported_paths(result.stderr, "失败: ")
        missing = {p: k for p, k in bad.items() if p not in failed}
        assert not missing, f"bad files not reported by path: {missing}\n{describe(result)}"
        wrongly = failed - set(bad)
        assert not wrongly, f"readable files reported as failed: {wrongly}\n{describe(result)}"
        assert f"失败 {len(bad)}" in result.stdout, describe(result)
        assert f"警告: {fuzz / 'utf8-broken-inside.txt'}: 第 " in result.stderr, describe(result)

        # The index holds exactly what parse finds in the readable files.
        want, parsed = parse_ids(good, *readable, preexec_fn=drop)
        assert parsed.returncode == 0, describe(parsed)
        state = index_state(index_dir)
        assert len(state.ids) == len(set(want)), (len(state.ids), len(set(want)))
        assert state.ids == frozenset(want)
        assert f"共 {len(set(want))} 篇" in result.stdout
        good_only, _ = parse_ids(good)
        assert set(good_only) < state.ids           # the fuzz pages added their own articles

        # parse reports the same bad files (all but the 50 MB one, which it would parse:
        # the size limit is the indexer's).
        small_bad = {p for p, k in bad.items() if k != "50 MB file"}
        check = run_newsearch("parse", fuzz, preexec_fn=drop)
        assert check.returncode == 1, describe(check)
        skipped = reported_paths(check.stderr, "跳过: ")
        assert small_bad == skipped, (small_bad - skipped, skipped - small_bad)

        # A second run changes nothing and reports the same files again.
        again = run_newsearch("index", good, fuzz, big, "--index-dir", index_dir,
                              preexec_fn=drop, timeout=600)
        assert again.returncode == EXIT_FILES_FAILED and reported_paths(again.stderr, "失败: ") == failed
        assert "新增 0" in again.stdout and index_state(index_dir) == state
        print(f"\n[bad files] {fuzzed} fuzz files ({len(bad)} bad, each reported by path; "
              f"{len(readable)} odd but readable) beside {len(good_only)} good articles; "
              f"{len(state.ids)} articles indexed = parse count; index run {seconds:.1f}s"
              + (" (root without CAP_DAC_OVERRIDE)" if drop else ""))
    finally:
        for p in (base / "fuzz" / "unreadable.txt", base / "fuzz" / "unreadable-folder"):
            if p.exists():
                p.chmod(0o755)
