"""Stories per request: which articles are versions of the same story (indexer/stories.py
computed that at index time), one card per story (ranked by searchapp.service's result set), the 只看首发 filter, and the
character-level diff of a version against the story's earliest article.

``StoryTable.build`` maps the stories file of the searcher's commit (by article key,
dockey) onto Whoosh document numbers once per index state: ``label`` (a story number, or
-1 for an article the file does not know yet, which is a story of its own), ``first`` and
``size``. When the file of the very commit is not written yet (the few seconds between an
incremental commit and the end of the run), the newest earlier one is used.
"""
from __future__ import annotations

from dataclasses import dataclass
from html import escape
from pathlib import Path

import numpy as np

from indexer import stories as ix_stories

MAX_OTHERS = 50             # other versions listed under one card
DIFF_TIMEOUT = 1.0          # seconds diff-match-patch may spend on one diff


@dataclass
class StoryTable:
    label: np.ndarray       # int64[size]: story number, or -(docnum + 1) for a story of its own
    first: np.ndarray       # bool[size]: earliest version of its story (own stories: True)
    size: np.ndarray        # int32[size]: versions of the article's story in the index
    story_ids: np.ndarray   # story number -> story id (id of the earliest article)
    source: str = ""        # file it came from ("" : none)
    _by_label: tuple | None = None      # (sorted labels, document numbers in that order)

    @classmethod
    def build(cls, folder, generation: int, docmap, size: int) -> "StoryTable":
        own = -(np.arange(size, dtype=np.int64) + 1)
        table = cls(label=own.copy(), first=np.ones(size, dtype=bool), size=np.ones(size, dtype=np.int32),
                    story_ids=np.zeros(0, dtype="<U64"))
        path = ix_stories.latest(Path(folder), generation) if folder else None
        if path is None:
            return table
        try:
            st = ix_stories.Stories.load(path)
        except (OSError, ValueError, KeyError):
            return table
        docs = docmap.docnums(st.dockeys)
        ok = (docs >= 0) & (docs < size)
        docs = docs[ok]
        table.label[docs] = st.story[ok]
        table.first[docs] = st.first[ok]
        table.size[docs] = st.sizes[st.story[ok]]
        table.story_ids = st.story_ids
        table.source = path.name
        return table

    def story_id(self, docnum: int, article_id: str) -> str:
        lab = int(self.label[docnum])
        return str(self.story_ids[lab]) if lab >= 0 and self.story_ids[lab] else article_id

    def members(self, docnum: int) -> np.ndarray:
        """Document numbers of every version of the article's story (itself included)."""
        lab = self.label[docnum]
        if lab < 0:
            return np.asarray([docnum], dtype=np.int64)
        if self._by_label is None:          # once per index state (a race computes it twice)
            order = np.argsort(self.label, kind="stable")
            self._by_label = (self.label[order], order)
        labels, order = self._by_label
        lo, hi = np.searchsorted(labels, lab, side="left"), np.searchsorted(labels, lab, side="right")
        return order[lo:hi]


def diff_html(earliest: str, body: str) -> tuple[str, dict]:
    """HTML of `body` against `earliest`: unchanged text plain, <del> what the earliest had,
    <ins> what this version added (diff-match-patch, semantic cleanup); and the counts of
    characters kept / deleted / inserted."""
    from diff_match_patch import diff_match_patch

    dmp = diff_match_patch()
    dmp.Diff_Timeout = DIFF_TIMEOUT
    diffs = dmp.diff_main(earliest or "", body or "")
    dmp.diff_cleanupSemantic(diffs)
    parts, stats = [], {"same": 0, "deleted": 0, "inserted": 0}
    for op, text in diffs:
        html = escape(text).replace("\n", "<br>")
        if op == 0:
            parts.append(html)
            stats["same"] += len(text)
        elif op < 0:
            parts.append(f'<del class="d-del">{html}</del>')
            stats["deleted"] += len(text)
        else:
            parts.append(f'<ins class="d-ins">{html}</ins>')
            stats["inserted"] += len(text)
    return "".join(parts), stats
