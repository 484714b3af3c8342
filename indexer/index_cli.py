"""`newsearch index`: build or update the index (a thin layer over indexer.indexing)."""
from __future__ import annotations

import errno
import os
import sys
from pathlib import Path

import click

from indexer.indexing import IndexWriteError, RebuildWouldLose, default_index_dir, index_paths
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
        return "\n文件系统只读: " + str(path)
    if code in (errno.ENOSPC, errno.EDQUOT) or (code is None and free < LOW_SPACE_BYTES):
        return f"\n磁盘空间不足: {path} 仅剩 {free / 1048576:.1f} MB 可用"
    if code == errno.EFBIG:
        return "\n文件大小超出限制"
    return ""


@click.command("index")
@click.argument("paths", nargs=-1, required=True, metavar="路径...",
                type=click.Path(path_type=Path, readable=False))   # unreadable: reported, not a usage error
@click.option("--index-dir", type=click.Path(file_okay=False, path_type=Path),
              envvar="NEWSEARCH_INDEX_DIR", show_envvar=True,
              help="索引目录［默认：~/.local/share/newsearch/index］。")
@click.option("--rebuild", is_flag=True,
              help="在现有索引旁重建一份新索引，建好后原子地替换。")
@click.option("--wait", type=click.FloatRange(min=0), default=0, show_default=True,
              metavar="秒", help="另一个索引任务在运行时，最多等待这么多秒。")
@click.option("--procs", type=click.IntRange(min=1), default=None, metavar="进程数",
              help="切分和分词的工作进程数［默认：CPU 核数］。")
@click.option("--watch", is_flag=True,
              help="索引完成后继续监视“路径”，文件有增、改、删就更新索引（Ctrl+C 停止）。")
@click.option("--rescan", type=click.FloatRange(min=1), default=300, show_default=True,
              metavar="秒", help="与 --watch 一起用：每隔这么多秒再完整扫描一遍“路径”。")
@click.option("--debounce", type=click.FloatRange(min=0), default=1.0, show_default=True,
              metavar="秒", help="与 --watch 一起用：文件静止这么多秒后，把这一批变化编入索引。")
def index(paths, index_dir, rebuild, wait, procs, watch, rescan, debounce):
    """为“路径”下的版面文件（*.txt、*.htm、*.html、*.pdf；文件或文件夹）建立或更新索引。

    默认增量更新：未变的文件跳过（大小、修改时间、变更时间和 inode 都与上次读取时相同的
    文件不再读取；其余文件读取后比较内容哈希），改过的文件替换其文章，从给定文件夹中
    删掉的文件，其文章也从索引删除。分词器或词典自建索引后有变化时，整个索引重建。
    读不了的文件会报告并跳过。

    \b
    示例：
      newsearch index seeds/
      newsearch index /archive/2022 /archive/2023 --index-dir var/index
      newsearch index --rebuild seeds/
      newsearch index --watch /archive/inbox --index-dir var/index

    加 --watch 时命令一直运行：文件事件（以及每 --rescan 秒一次的完整扫描）把每一批
    变化做一次增量更新，与普通运行用同一把锁、同样的原子提交，每批一行日志。

    \b
    退出状态：
      0  所有文件已索引（或未变）
      1  有文件读不了或切分失败（列在 stderr），其余已索引
      2  用法错误，或另一个索引任务正在运行（见 --wait）
      3  索引目录无法写入（磁盘满、只读）；现有索引完好
    """
    index_dir = index_dir or default_index_dir()
    if watch:
        _watch(paths, index_dir, rebuild=rebuild, wait=wait, procs=procs, rescan=rescan,
               debounce=debounce)
        return
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
    except RebuildWouldLose as e:
        raise _Fail(str(e), EXIT_FILES_FAILED) from e
    finally:
        progress.close()

    for path, reason in report.files_failed:
        click.echo(f"失败: {path}: {reason}", err=True)
    for path, reason in report.files_warned:
        click.echo(f"警告: {path}: {reason}", err=True)
    mode = "重建" if report.rebuilt else "增量更新"
    click.echo(f"索引: {index_dir} ({mode}, 共 {report.doc_count} 篇)")
    click.echo(f"文件: 读取 {report.files_read}, 未变 {report.files_skipped}, "
               f"失败 {len(report.files_failed)}")
    click.echo(f"文章: 新增 {report.added}, 更新 {report.updated}, "
               f"删除 {report.deleted}")
    click.echo(f"用时: {report.seconds:.1f} s")
    if report.files_failed:
        sys.exit(EXIT_FILES_FAILED)


def _watch(paths, index_dir, **options) -> None:
    """`index --watch`: runs until SIGINT/SIGTERM, then exits 0."""
    import signal
    import warnings

    from indexer.watch import Watcher

    # watchdog warns when a folder and its subfolder appear at once (a harmless double watch)
    warnings.filterwarnings("ignore", message="Callback with id", category=RuntimeWarning)

    watcher = Watcher(paths, index_dir, **options)

    def stop(signum, frame):
        watcher.stop.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    watcher.run()
