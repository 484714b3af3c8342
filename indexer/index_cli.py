"""`newsearch index`: build or update the index (a thin layer over indexer.indexing)."""
from __future__ import annotations

import errno
import os
import sys
from pathlib import Path

import click

from indexer.indexing import IndexWriteError, default_index_dir, index_paths
from indexer.store import IndexBusy

EXIT_OK, EXIT_FILES_FAILED, EXIT_USAGE, EXIT_WRITE = 0, 1, 2, 3


class _Fail(click.ClickException):
    def __init__(self, message: str, exit_code: int):
        super().__init__(message)
        self.exit_code = exit_code


class _Progress:
    """A click progress bar on stderr, shown only when stderr is a terminal."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.bar = None
        self.shown = 0

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        if self.bar is None:
            self.bar = click.progressbar(length=total, label="索引 indexing", file=sys.stderr,
                                         show_pos=True, show_eta=True)
            self.bar.__enter__()
        self.bar.update(done - self.shown)
        self.shown = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


# Below this much free space a write error without an errno is reported as a full disk.
LOW_SPACE_BYTES = 16 * 1024 * 1024


def _write_diagnosis(index_dir: Path, cause: BaseException | None) -> str:
    """What the file system of the index dir says, so that a write error names its cause
    even when the library that failed gave no errno (numpy: "N requested and M written")."""
    path = Path(index_dir)
    while not path.exists() and path != path.parent:
        path = path.parent
    try:
        st = os.statvfs(path)
    except OSError:
        return ""
    code = getattr(cause, "errno", None)
    free = st.f_bavail * st.f_frsize
    if st.f_flag & os.ST_RDONLY or code == errno.EROFS:
        return "\n文件系统只读 (read-only file system): " + str(path)
    if code in (errno.ENOSPC, errno.EDQUOT) or (code is None and free < LOW_SPACE_BYTES):
        return f"\n磁盘空间不足 (disk full): {path} 仅剩 {free / 1048576:.1f} MB 可用 (free)"
    if code == errno.EFBIG:
        return "\n文件大小超出限制 (file size limit reached, see ulimit -f)"
    return ""


@click.command("index")
@click.argument("paths", nargs=-1, required=True,
                type=click.Path(path_type=Path, readable=False))   # unreadable: reported, not a usage error
@click.option("--index-dir", type=click.Path(file_okay=False, path_type=Path),
              envvar="NEWSEARCH_INDEX_DIR", show_envvar=True,
              help="Index directory [default: ~/.local/share/newsearch/index].")
@click.option("--rebuild", is_flag=True,
              help="Build a fresh index of PATH... beside the live one and swap it in atomically.")
@click.option("--wait", type=click.FloatRange(min=0), default=0, show_default=True,
              metavar="SECONDS", help="Wait this long for another running index job to finish.")
@click.option("--procs", type=click.IntRange(min=1), default=None,
              help="Worker processes for parsing and tokenising [default: CPU count].")
def index(paths, index_dir, rebuild, wait, procs):
    """Index the page files (*.txt, *.htm, *.html, *.pdf) under PATH... (files or folders).

    Incremental by default: unchanged files (same content hash) are skipped, a changed
    file's articles are replaced, and articles of files that were removed from a given
    folder are deleted. When the analyzer or dictionary changed since the index was
    built, the whole index is rebuilt. Broken files are reported and skipped.

    \b
    Examples:
      newsearch index seeds/
      newsearch index /archive/2022 /archive/2023 --index-dir var/index
      newsearch index --rebuild seeds/

    \b
    Exit status:
      0  all files indexed (or unchanged)
      1  some files could not be read or parsed (listed on stderr); the rest is indexed
      2  usage error, or another index job is running (see --wait)
      3  the index directory cannot be written (full disk, read-only); live index intact
    """
    index_dir = index_dir or default_index_dir()
    progress = _Progress(sys.stderr.isatty())
    notices = []

    def notice(message: str) -> None:
        progress.close()
        click.echo(message, err=True)
        notices.append(message)

    try:
        report = index_paths(paths, index_dir, rebuild=rebuild, progress=progress,
                             procs=procs, wait=wait, notice=notice)
    except IndexBusy as e:
        raise _Fail(str(e), EXIT_USAGE) from e
    except IndexWriteError as e:
        raise _Fail(f"{e}{_write_diagnosis(index_dir, e.__cause__)}", EXIT_WRITE) from e
    finally:
        progress.close()

    for path, reason in report.files_failed:
        click.echo(f"失败 failed: {path}: {reason}", err=True)
    mode = "重建 rebuilt" if report.rebuilt else "增量更新 updated"
    click.echo(f"索引 index: {index_dir} ({mode}, 共 {report.doc_count} 篇 articles)")
    click.echo(f"文件 files:    读取 read {report.files_read}, 未变 skipped {report.files_skipped}, "
               f"失败 failed {len(report.files_failed)}")
    click.echo(f"文章 articles: 新增 added {report.added}, 更新 updated {report.updated}, "
               f"删除 deleted {report.deleted}")
    click.echo(f"用时 time:     {report.seconds:.1f} s")
    if report.files_failed:
        sys.exit(EXIT_FILES_FAILED)
