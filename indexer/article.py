"""The article record that every later stage (index, search, web, export) consumes."""
from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from pathlib import PurePath

# Keys of `newsearch parse --json`, in output order.
JSON_KEYS = (
    "id", "source", "ordinal", "title", "subtitle", "body", "date", "district",
    "districts", "reporters", "correspondents", "photographers", "project_types",
    "page_date", "line_start", "line_end",
)


def article_id(source: str, title: str, body: str) -> str:
    """A stable id: the same page file name and article text give the same id.

    Only the file's base name is used, so moving an archive folder or calling the
    CLI with an absolute instead of a relative path keeps every id.
    """
    key = "\x1f".join((PurePath(str(source)).name, title, body))
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Article:
    id: str
    source: str                 # path of the page file, as given
    ordinal: int                # 1-based position of the article on its page
    title: str                  # main headline ("" for untitled photo news)
    subtitle: str               # kicker and subheads, joined by " "
    body: str                   # clean paragraphs separated by blank lines
    date: str | None            # YYYY-MM-DD, --MM-DD (no year known) or None
    district: str | None        # short official name, or 郑州市 for city news
    districts: tuple[str, ...] = ()
    reporters: tuple[str, ...] = ()
    correspondents: tuple[str, ...] = ()
    photographers: tuple[str, ...] = ()
    project_types: tuple[str, ...] = ()
    page_date: str | None = None    # YYYY-MM-DD taken from the path, if any
    line_start: int = 0             # 1-based line range of the article on the page
    line_end: int = 0
    extra: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def year(self) -> int | None:
        if self.date and not self.date.startswith("--"):
            return int(self.date[:4])
        return None

    @property
    def month(self) -> str | None:
        """YYYY-MM when the full date is known."""
        if self.date and not self.date.startswith("--"):
            return self.date[:7]
        return None

    def to_dict(self) -> dict:
        d = asdict(self)
        d.pop("extra", None)
        return {k: (list(d[k]) if isinstance(d[k], tuple) else d[k]) for k in JSON_KEYS}

    @classmethod
    def from_dict(cls, d: dict) -> "Article":
        kw = {k: d.get(k) for k in JSON_KEYS if k in d}
        for k in ("districts", "reporters", "correspondents", "photographers", "project_types"):
            kw[k] = tuple(kw.get(k) or ())
        return cls(**kw)
