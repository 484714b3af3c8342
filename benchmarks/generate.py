"""Seeded, reproducible synthetic corpus of district news pages (the benchmark's input).

Pages are written in the layouts of seeds/*.txt: several articles per page, `# ` headings,
multi-line headline blocks, `本报讯(记者 X 通讯员 Y)` datelines, trailing `记者 X` bylines,
photo news signed `本报记者 X 摄`, now and then a headline printed after its body, and
column breaks in the middle of a sentence. The page date is in the file name or in an
e-paper folder (2016-2025).

Body text is not reshuffled seed text. Words are drawn from jieba's own dict.txt by their
frequencies (vectorised with numpy), mixed with generated person names, company names,
district/street names, project names, slogans and numbers, so that document frequencies
range from rare (a person or company named once) to common (发展, 工作).

Each page depends only on (seed, page number, variant), so a page can be rewritten for the
incremental-update benchmark (variant 1) and restored (variant 0) without touching the rest.

    python benchmarks/generate.py OUT_DIR --articles 2000 [--seed 20240601]
"""
from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import re
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

GENERATOR_VERSION = "1"
DEFAULT_SEED = 20240601
DATA_FILE = Path(__file__).with_name("data") / "generator.json"
MANIFEST = "manifest.json"
FIRST_DAY = dt.date(2016, 1, 1)
LAST_DAY = dt.date(2025, 12, 31)

_CJK_WORD = re.compile(r"^[\u4e00-\u9fff]{1,4}$")

# Kinds of text units in a body, with their share of units.
UNIT_KINDS = ("word", "person", "company", "place", "number", "slogan", "org", "event", "project")
UNIT_SHARES = (0.875, 0.014, 0.012, 0.030, 0.030, 0.010, 0.015, 0.006, 0.008)
# What follows a unit: nothing, a comma, an enumeration comma, a full stop, a paragraph
# end, or a column break in the middle of a sentence (as in scanned e-paper text).
SEPARATORS = ("", ",", "、", "。", ";", "。\n\n", "\n\n")
SEPARATOR_SHARES = (0.800, 0.120, 0.016, 0.050, 0.004, 0.0096, 0.0004)
STYLES = ("hash", "block", "plain", "photo", "after")
STYLE_SHARES = (0.25, 0.36, 0.28, 0.08, 0.03)
ENCODINGS = (("utf-8", 0.90), ("utf-8-sig", 0.03), ("gb18030", 0.05), ("utf-16", 0.02))


def jieba_dict_path() -> Path:
    spec = importlib.util.find_spec("jieba")
    if spec is None or spec.origin is None:
        raise SystemExit("jieba is not installed: its dict.txt is the word source")
    return Path(spec.origin).parent / "dict.txt"


def load_reference(path: Path = DATA_FILE) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Dictionary:
    words: np.ndarray      # object array of str
    cdf: np.ndarray        # cumulative frequency, last element 1.0
    mean_len: float        # expected characters per drawn word

    @classmethod
    def load(cls, path: Path | None = None, min_len: int = 1) -> "Dictionary":
        words, freqs = [], []
        with open(path or jieba_dict_path(), encoding="utf-8") as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 2 and _CJK_WORD.match(parts[0]) and len(parts[0]) >= min_len:
                    words.append(parts[0])
                    freqs.append(float(parts[1]))
        p = np.asarray(freqs)
        p /= p.sum()
        lens = np.fromiter((len(w) for w in words), dtype=np.float64, count=len(words))
        cdf = np.cumsum(p)
        cdf[-1] = 1.0
        return cls(np.asarray(words, dtype=object), cdf, float((p * lens).sum()))

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return self.words[np.searchsorted(self.cdf, rng.random(n), side="right")]

    def probability(self) -> dict[str, float]:
        p = np.diff(np.concatenate(([0.0], self.cdf)))
        return dict(zip(self.words.tolist(), p.tolist()))


def _zipf_cdf(n: int, s: float = 1.05, offset: float = 2.0) -> np.ndarray:
    w = 1.0 / (np.arange(n) + offset) ** s
    cdf = np.cumsum(w / w.sum())
    cdf[-1] = 1.0
    return cdf


@dataclass(frozen=True)
class Pool:
    """Generated names drawn with Zipf weights: a few are everywhere, most are rare."""
    names: np.ndarray
    cdf: np.ndarray

    @classmethod
    def of(cls, names: list[str], s: float = 1.05) -> "Pool":
        return cls(np.asarray(names, dtype=object), _zipf_cdf(len(names), s))

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return self.names[np.searchsorted(self.cdf, rng.random(n), side="right")]

    def one(self, rng: np.random.Generator) -> str:
        return self.draw(rng, 1)[0]


def _dedupe(names: np.ndarray, n: int) -> list[str]:
    """The first n distinct names, in drawing order."""
    return list(dict.fromkeys(names.tolist()))[:n]


@dataclass(frozen=True)
class PagePlan:
    number: int          # 0-based page number (with the seed, decides the page's text)
    path: str            # relative to the corpus folder
    date: str            # page date YYYY-MM-DD
    edition: str         # district of the edition ("郑州市" for city news)
    articles: int
    encoding: str
    newline: str


class CorpusGenerator:
    def __init__(self, seed: int = DEFAULT_SEED, reference: dict | None = None,
                 dictionary: Dictionary | None = None):
        self.seed = seed
        self.ref = reference or load_reference()
        self.dict = dictionary or Dictionary.load()
        rng = np.random.default_rng([seed, 0xC0FFEE])
        ref = self.ref
        self.districts = list(ref["districts"])
        self.city = ref["city"]
        surnames = np.asarray(ref["surnames"], dtype=object)
        chars = np.asarray(list(ref["given_chars"]), dtype=object)
        cchars = np.asarray(list(ref["company_chars"]), dtype=object)
        regions = np.asarray(ref["company_regions"], dtype=object)
        industries = np.asarray(ref["industries"], dtype=object)
        kinds = np.asarray(ref["project_kinds"], dtype=object)
        suffixes = np.asarray([s for s, _ in ref["company_suffixes"]], dtype=object)
        suf_p = np.array([w for _, w in ref["company_suffixes"]], float)

        def pick(arr, n, p=None):
            return arr[rng.choice(len(arr), size=n, p=None if p is None else p / p.sum())]

        m = 45000
        sur_w = 1.0 / (np.arange(len(surnames)) + 3.0) ** 0.9
        given = pick(chars, m) + np.where(rng.random(m) < 0.3, "", pick(chars, m))
        people = _dedupe(pick(surnames, m, sur_w) + given, 30000)
        companies = _dedupe(pick(regions, m) + pick(cchars, m) + pick(cchars, m) + pick(industries, m)
                            + pick(suffixes, m, suf_p), 30000)
        m = 12000
        projects = _dedupe(pick(cchars, m) + pick(cchars, m) + pick(industries, m) + pick(kinds, m), 8000)
        self.people = Pool.of(people[1000:])                    # officials, interviewees
        self.reporters = Pool.of(people[:300], 0.8)             # a newsroom: few, frequent
        self.correspondents = Pool.of(people[300:1000], 0.9)
        self.companies = Pool.of(companies)
        self.projects = Pool.of(projects)
        self.slogans = Pool.of(ref["slogans"], 0.9)
        self.events = Pool.of(ref["events"], 0.7)
        self.orgs = Pool.of(ref["orgs"], 0.7)
        # Headline words: frequent words of two or more characters.
        multi = np.fromiter((len(w) >= 2 for w in self.dict.words), bool, len(self.dict.words))
        p = np.diff(np.concatenate(([0.0], self.dict.cdf)))[multi]
        top = np.argsort(-p)[:20000]
        hp = p[top] / p[top].sum()
        self.head_words = self.dict.words[multi][top]
        self.head_cdf = np.cumsum(hp)
        self.head_cdf[-1] = 1.0
        self.unit_cdf = np.cumsum(UNIT_SHARES) / sum(UNIT_SHARES)
        self.sep_cdf = np.cumsum(SEPARATOR_SHARES) / sum(SEPARATOR_SHARES)
        self.seps = np.asarray(SEPARATORS, dtype=object)
        entity_len = 6.0
        sep_len = float(np.dot([len(s) for s in SEPARATORS], SEPARATOR_SHARES))
        self.mean_unit_len = UNIT_SHARES[0] * self.dict.mean_len + (1 - UNIT_SHARES[0]) * entity_len + sep_len

    # ----------------------------------------------------------------- planning
    def plan(self, n_articles: int) -> list[PagePlan]:
        """Which pages exist: dates, editions, paths, article counts (from the seed only)."""
        rng = np.random.default_rng([self.seed, 0x9A9E])
        counts: list[int] = []
        total = 0
        while total < n_articles:
            k = int(min(n_articles - total, rng.choice([2, 3, 4, 5, 6, 7, 8],
                                                       p=[.06, .14, .22, .24, .18, .1, .06])))
            counts.append(k)
            total += k
        editions = self.districts + [self.city]
        days = (LAST_DAY - FIRST_DAY).days + 1
        slots = rng.choice(days * len(editions), size=len(counts), replace=len(counts) > days * len(editions))
        styles = rng.choice(3, size=len(counts), p=[0.6, 0.2, 0.2])
        enc_names = [e for e, _ in ENCODINGS]
        encs = rng.choice(len(ENCODINGS), size=len(counts), p=[w for _, w in ENCODINGS])
        crlf = rng.random(len(counts)) < 0.05
        plans, used = [], set()
        for i, k in enumerate(counts):
            day = FIRST_DAY + dt.timedelta(days=int(slots[i]) // len(editions))
            ed = int(slots[i]) % len(editions)
            g = ed + 1
            if styles[i] == 0:
                path = f"{day.year}/{day.isoformat()}_G{g:02d}.txt"
            elif styles[i] == 1:
                path = f"{day.year}/{day:%Y%m%d}_{g:02d}.txt"
            else:
                path = f"epaper/{day:%Y-%m}/{day:%d}/node_G{g:02d}.txt"
            base, n = path[:-4], 2
            while path in used:                      # only when slots were drawn with replacement
                path, n = f"{base}_{n}.txt", n + 1
            used.add(path)
            plans.append(PagePlan(i, path, day.isoformat(), editions[ed], k,
                                  enc_names[int(encs[i])], "\r\n" if crlf[i] else "\n"))
        return plans

    # ----------------------------------------------------------------- text
    def _head_word(self, rng) -> str:
        return self.head_words[int(np.searchsorted(self.head_cdf, rng.random(), side="right"))]

    def _numbers(self, rng, n: int) -> list[str]:
        kinds = rng.integers(0, 9, n)
        a = rng.random(n)
        out = []
        for k, x in zip(kinds.tolist(), a.tolist()):
            if k == 0:
                out.append(f"{x * 300:.1f}亿元")
            elif k == 1:
                out.append(f"{int(x * 9000) + 10}万元")
            elif k == 2:
                out.append(f"{x * 30:.1f}%")
            elif k == 3:
                out.append(f"{int(x * 200) + 2}个")
            elif k == 4:
                out.append(f"{int(x * 2000) + 5}亩")
            elif k == 5:
                out.append(f"{x * 80:.1f}万平方米")
            elif k == 6:
                out.append(f"{int(x * 900) + 3}家企业")
            elif k == 7:
                out.append(f"{2016 + int(x * 10)}年")
            else:
                out.append(f"{int(x * 12) + 1}月{int(x * 997) % 28 + 1}日")
        return out

    def _places(self, rng, n: int, district: str) -> list[str]:
        out = []
        streets = self.ref["districts"].get(district, [])
        for r in rng.random(n).tolist():
            if r < 0.55 or not streets:
                out.append(district)
            elif r < 0.88:
                out.append(streets[int(r * 1000) % len(streets)])
            else:
                other = self.districts[int(r * 7919) % len(self.districts)]
                out.append(other)
        return out

    def body(self, rng, district: str, n_chars: int) -> str:
        """Paragraphs of words drawn by dictionary frequency with entities mixed in."""
        n = max(20, int(n_chars / self.mean_unit_len))
        units = self.dict.draw(rng, n)
        kinds = np.searchsorted(self.unit_cdf, rng.random(n), side="right")
        for k in range(1, len(UNIT_KINDS)):
            mask = kinds == k
            m = int(mask.sum())
            if not m:
                continue
            kind = UNIT_KINDS[k]
            if kind == "person":
                vals = self.people.draw(rng, m)
            elif kind == "company":
                vals = self.companies.draw(rng, m)
            elif kind == "place":
                vals = np.asarray(self._places(rng, m, district), dtype=object)
            elif kind == "number":
                vals = np.asarray(self._numbers(rng, m), dtype=object)
            elif kind == "slogan":
                vals = self.slogans.draw(rng, m)
                quote = rng.random(m) < 0.5
                vals = np.where(quote, "“" + vals + "”", vals)
            elif kind == "org":
                vals = self.orgs.draw(rng, m)
            elif kind == "event":
                vals = self.events.draw(rng, m)
            else:
                vals = self.projects.draw(rng, m)
            units[mask] = vals
        seps = self.seps[np.searchsorted(self.sep_cdf, rng.random(n), side="right")]
        seps[-1] = "。"
        seps[0] = ""            # never a break right after the first unit
        parts = np.empty(2 * n, dtype=object)
        parts[0::2] = units
        parts[1::2] = seps
        return "".join(parts.tolist())

    def _fill(self, template: str, rng, district: str, page_date: dt.date) -> str:
        def sub(m):
            key = m.group(1)
            if key == "w":
                return self._head_word(rng)
            if key == "district":
                return district
            if key == "place":
                return self._places(rng, 1, district)[0]
            if key == "event":
                return self.events.one(rng)
            if key == "n":
                return str(int(rng.integers(3, 40)))
            if key == "money":
                return f"{int(rng.integers(2, 120))}亿元"
            if key == "company":
                name = self.companies.one(rng)
                return re.sub(r"(股份|集团)?有限公司$", "", name)
            if key == "kind":
                return self.ref["project_kinds"][int(rng.integers(len(self.ref["project_kinds"])))]
            if key == "slogan":
                return "“" + self.slogans.one(rng) + "”"
            if key == "year":
                return str(page_date.year)
            if key == "org":
                return self.orgs.one(rng)
            if key == "section":
                return self.ref["sections"][int(rng.integers(len(self.ref["sections"])))]
            raise KeyError(key)
        return re.sub(r"\{(\w+)\}", sub, template)

    def headline(self, rng, district, page_date) -> str:
        t = self.ref["headline_templates"]
        return self._fill(t[int(rng.integers(len(t)))], rng, district, page_date)

    def kicker(self, rng, district, page_date) -> str:
        t = self.ref["kicker_templates"]
        return self._fill(t[int(rng.integers(len(t)))], rng, district, page_date)

    def _dateline(self, rng, page_date: dt.date) -> str:
        r = rng.random()
        if r < 0.6:
            d = page_date - dt.timedelta(days=int(rng.integers(0, 4)))
            tod = ("", "", "", "上午", "下午")[int(rng.integers(5))]
            return f"{d.month}月{d.day}日{tod},"
        if r < 0.7:
            return "记者昨日获悉,"
        if r < 0.9:
            return ("近日,", "日前,", "春节过后,")[int(rng.integers(3))]
        return ""

    def _credit(self, rng, who: str = "记者") -> tuple[str, str]:
        rep = " ".join(self.reporters.draw(rng, 1 + int(rng.random() < 0.2)))
        cor = ""
        if rng.random() < 0.6:
            cor = " ".join(self.correspondents.draw(rng, 1 + int(rng.random() < 0.25)))
        return rep, cor

    def article(self, rng, page_date: dt.date, edition: str) -> str:
        """One article in one of the seeds' layouts (without surrounding blank lines)."""
        district = edition if edition != self.city and rng.random() < 0.8 else \
            self.districts[int(rng.integers(len(self.districts)))]
        style = STYLES[int(np.searchsorted(np.cumsum(STYLE_SHARES), rng.random(), side="right"))]
        if style == "photo":
            text = self.body(rng, district, int(rng.integers(90, 260))).replace("\n\n", "")
            lead = f"{self._dateline(rng, page_date)}{district}"
            photo = f"本报记者 {self.reporters.one(rng)} 摄"
            if rng.random() < 0.3:
                return f"{self.headline(rng, district, page_date)}\n\n{lead}{text}\n\n{photo}"
            return f"{lead}{text}\n\n{photo}"
        n_chars = int(np.clip(rng.normal(1560, 380), 500, 3200))
        body = self.body(rng, district, n_chars)
        rep, cor = self._credit(rng)
        title = self.headline(rng, district, page_date)
        dateline = self._dateline(rng, page_date)
        start = f"{dateline}{district}"
        in_paren = style in ("block", "after") or (style == "plain" and rng.random() < 0.4)
        if in_paren:
            pre = "郑报全媒体记者" if rng.random() < 0.15 else "记者"
            credit = f"{pre} {rep}" + (f" 通讯员 {cor}" if cor else "")
            lead = f"本报讯({credit}){start}{body}"
            tail = ""
        else:
            lead = f"本报讯 {start}{body}"
            r = rng.random()
            tag = " 文/图" if rng.random() < 0.15 else ""
            if r < 0.55:
                tail = f"\n\n记者 {rep}" + (f" 通讯员 {cor}" if cor else "") + tag
            elif r < 0.7:
                tail = f"\n\n记者 {rep}\n通讯员 {cor or self.correspondents.one(rng)}{tag.strip()}"
            elif r < 0.9:
                tail = f"记者 {rep}{tag}"          # inline after the last full stop
            else:
                tail = ""
        if style == "hash":
            head = f"# {title}"
            if rng.random() < 0.3:
                head = f"# {self.kicker(rng, district, page_date)} {title}"
        elif style == "block":
            lines = [title]
            if rng.random() < 0.4:
                lines.insert(0, self.kicker(rng, district, page_date))
            if rng.random() < 0.4:
                lines.append(self.kicker(rng, district, page_date))
            head = "\n\n".join(lines)
        elif style == "after":
            return f"{lead}{tail}\n\n{title}\n\n{self.kicker(rng, district, page_date)}"
        else:
            head = title
        return f"{head}\n\n{lead}{tail}"

    def page_text(self, plan: PagePlan, variant: int = 0) -> str:
        rng = np.random.default_rng([self.seed, plan.number, variant])
        day = dt.date.fromisoformat(plan.date)
        parts = ["", ""]
        if rng.random() < 0.1:
            parts.append("■" + self.ref["sections"][int(rng.integers(len(self.ref["sections"])))])
        for _ in range(plan.articles):
            parts.append(self.article(rng, day, plan.edition))
        text = "\n\n".join(parts) + "\n"
        if rng.random() < 0.2:                      # trailing spaces, as in scanned pages
            text = text.replace("。\n", "。  \n", 1)
        return text

    def write_page(self, root: Path, plan: PagePlan, variant: int = 0) -> int:
        text = self.page_text(plan, variant)
        if plan.newline != "\n":
            text = text.replace("\n", plan.newline)
        path = root / plan.path
        path.parent.mkdir(parents=True, exist_ok=True)
        data = text.encode(plan.encoding)
        path.write_bytes(data)
        return len(text)


_WORKER_GEN: "CorpusGenerator | None" = None


def _write_pages(job: tuple[str, int, list[dict]]) -> int:
    """Worker: write a slice of the pages (every page has its own seeded random stream, so
    the corpus is the same whatever the number of processes)."""
    global _WORKER_GEN
    root, seed, plans = job
    if _WORKER_GEN is None or _WORKER_GEN.seed != seed:
        _WORKER_GEN = CorpusGenerator(seed)
    return sum(_WORKER_GEN.write_page(Path(root), PagePlan(**p)) for p in plans)


def generate(out_dir, n_articles: int, seed: int = DEFAULT_SEED, progress=None,
             procs: int | None = None) -> dict:
    """Write the corpus and its manifest.json (on `procs` processes, default: usable cores);
    returns the manifest."""
    import os
    from multiprocessing import get_context

    root = Path(out_dir)
    root.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    gen = CorpusGenerator(seed)
    plans = gen.plan(n_articles)
    procs = procs or len(os.sched_getaffinity(0))
    chars = 0
    if procs <= 1 or len(plans) < 2000:
        for i, plan in enumerate(plans):
            chars += gen.write_page(root, plan)
            if progress and i % 500 == 0:
                progress(i, len(plans))
    else:
        step = 500
        jobs = [(str(root), seed, [asdict(p) for p in plans[i:i + step]]) for i in range(0, len(plans), step)]
        with get_context("fork").Pool(procs) as pool:
            for i, n in enumerate(pool.imap(_write_pages, jobs)):
                chars += n
                if progress:
                    progress(min(len(plans), (i + 1) * step), len(plans))
    manifest = {
        "generator_version": GENERATOR_VERSION,
        "seed": seed,
        "articles": n_articles,
        "pages": len(plans),
        "chars": chars,
        "seconds": round(time.perf_counter() - t0, 2),
        "people": gen.people.names.tolist(),
        "companies": gen.companies.names.tolist(),
        "projects": gen.projects.names.tolist(),
        "reporters": gen.reporters.names.tolist(),
        "slogans": gen.ref["slogans"],
        "districts": gen.districts,
        "files": [asdict(p) for p in plans],
    }
    (root / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    return manifest


def read_manifest(out_dir) -> dict | None:
    p = Path(out_dir) / MANIFEST
    try:
        return json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def rewrite_pages(out_dir, numbers, variant: int, seed: int | None = None) -> int:
    """Rewrite the given pages with another variant of their text (1 = changed, 0 = original)."""
    root = Path(out_dir)
    manifest = read_manifest(root)
    if manifest is None:
        raise SystemExit(f"{root}: no {MANIFEST}; generate the corpus first")
    gen = CorpusGenerator(manifest["seed"] if seed is None else seed)
    plans = {p["number"]: PagePlan(**p) for p in manifest["files"]}
    return sum(gen.write_page(root, plans[n], variant) for n in numbers)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out_dir")
    ap.add_argument("--articles", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = ap.parse_args(argv)
    m = generate(args.out_dir, args.articles, args.seed,
                 progress=lambda i, n: print(f"\r{i}/{n} pages", end="", file=sys.stderr))
    print(f"\n{m['articles']} articles on {m['pages']} pages, {m['chars']} chars "
          f"in {m['seconds']} s -> {args.out_dir}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
