"""The segmenter gives exactly jieba's cuts (jieba_tokenizer().cut(text, HMM=True)), only
faster: on the seeds, on a generated benchmark corpus, on layouts written to break it, and on
random strings over an alphabet chosen to hit every special case. Speed is measured by the
benchmark, never here."""
from __future__ import annotations

import importlib.util
import random
import sys
from pathlib import Path

import jieba
import pytest
from jieba import finalseg

from indexer import analysis as an
from indexer.pages import parse_file
from indexer.segmenter import Segmenter, finalseg_cut

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def seg() -> Segmenter:
    s = an.segmenter()
    assert s.fast is not None, "rjieba is a dependency: the fast path must be in use"
    return s


def jieba_cut(text: str) -> list[str]:
    return list(an.jieba_tokenizer().cut(text, HMM=True))


def assert_same(seg: Segmenter, texts) -> int:
    chars = 0
    for text in texts:
        norm = an.normalize(text)
        assert seg.cut_fast(norm) == jieba_cut(norm), norm[:80]
        assert seg.cut_fast(text) == jieba_cut(text), text[:80]  # raw text too
        assert seg.cut(norm) == jieba_cut(norm)
        chars += len(norm)
    return chars


def test_seeds_are_cut_exactly_as_jieba_cuts_them(seg):
    texts = []
    for page in sorted((ROOT / "seeds").iterdir()):
        if page.is_file():
            articles, _ = parse_file(page)
            texts += [t for a in articles for t in (a.title, a.subtitle, a.body)]
            texts.append(page.read_text(encoding="utf-8", errors="replace"))  # chrome and all
    assert assert_same(seg, texts) > 20_000


def test_a_generated_benchmark_corpus_is_cut_exactly_as_jieba_cuts_it(seg, tmp_path):
    path = ROOT / "benchmarks" / "generate.py"
    spec = importlib.util.spec_from_file_location("benchmarks_generate_seg", path)
    generate = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = generate
    spec.loader.exec_module(generate)
    generate.generate(tmp_path, 300, seed=11)
    texts = [t for p in sorted(tmp_path.rglob("*.txt")) for a in parse_file(p)[0]
             for t in (a.title, a.subtitle, a.body)]
    assert assert_same(seg, texts) > 200_000


LAYOUTS = [
    "惠济区召开经济运行分析会,安排部署惠济区下一步工作。",
    "郑东新区管委会推进“三个一批”项目,总投资216.8亿元,上线WMS系统。",
    "增长12.5%,同比下降3.0个百分点;PM2.5浓度;3D打印;T恤;B超;5G基站",
    "2-9月 b.a Z_b 1_1 8-8 X-3 a-b_c.d%e#f&g+h C++ C# AT&T 1.5.6 v2.0-rc1",
    "电话:0371-12345678 网址:www.example.gov.cn/news_1.html 邮箱:a.b@c.cn",
    "哈哈哈 开开开工 日日日 人人人平 登登登展 谢谢谢谢 一一一一一",
    "方登登登展 济济济金 州金开开开亿 会一的发月１（人人人平",
    "第一行\r\n第二行\n\n第三行\t制表\u3000全角空格  两个空格",
    "𠀀𪚥 表情😀符号 \u9fd6\u9fff\u3400 鿿 㐀 兀 﨎",
    "ＡＢＣ１２３全角字母 ａｂｃ （全角括号） 【方括号】 《书名号》 …… —— ·",
    "鄭州市金水區舉行簽約儀式 惠濟區 登封市嵩山少林寺景区",
    "",
    " ",
    "。",
    "a",
    "惠",
]


def test_layouts_written_to_break_it(seg):
    assert_same(seg, LAYOUTS)


def test_every_rule_is_needed(seg):
    """Raw jieba-rs differs from jieba on exactly the cases the rules handle, so the tests
    above would fail without them."""
    fast = seg.fast
    for text in ("州金开开开亿+和元封万年,月建亿", "登Z济济济金封8登议人的开5元《",      # ties
                 "市年登3日日日1议2司Y", "方登登登展",
                 "2-9开工", "工1-5年方议２", "Z_b", "b.a是", "8.a：",                 # runs
                 "𠀀𪚥",                                                             # blocks
                 "时候常在个捎美国", "仆人常在几无尽乡"):                                   # HMM
        assert list(fast.cut(text, True)) != jieba_cut(text), text
        assert seg.cut_fast(text) == jieba_cut(text), text
    assert "公行义" in seg.ties                      # f(公行)·f(义) = 3·5628 = f(公)·f(行义)
    text = " 水…步传(:开下市Y步展公行义变开区签头建中专生步司"
    assert list(fast.cut(text, True)) != jieba_cut(text) and seg.cut_fast(text) == jieba_cut(text)


def test_random_strings_over_a_hostile_alphabet(seg):
    rng = random.Random(20261202)
    cjk = "惠济区下一步工作郑州市金水经开登封召开会议项目建设的了是在和有大中人民发展公司年月日亿元万平方米"
    ties = "".join(sorted(seg.ties)[::50])           # characters of tying trigrams
    alphabet = (cjk * 3 + ties + "abcXYZ0123456789.%-_#&+ \n\t\r,。、()“”《》:;!?·—…"
                + "ａｂ１２\u3000" + "𠀀𪚥😀" + "\u9fd6\u9fff\u3400")
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40))) for _ in range(20_000)]
    for text in texts:
        assert seg.cut_fast(text) == jieba_cut(text), repr(text)


def test_without_rjieba_jieba_cuts_everything():
    slow = Segmenter(an.jieba_tokenizer(), fast=False)
    assert slow.fast is None
    long = "惠济区下一步开开开" * 40
    assert slow.cut(long) == jieba_cut(long) and slow.fast is None


def test_word_tokens_and_segment_follow_the_segmenter():
    text = "惠济区召开经济运行分析会,216.8亿元"
    norm = an.normalize(text)
    assert an.segment(norm) == jieba_cut(norm)
    want, start = [], 0
    for w in jieba_cut(norm):
        if an._WORD_RE.search(w):
            want.append((w, start, start + len(w)))
        start += len(w)
    assert an.word_tokens(text) == want


def test_finalseg_cut_is_jiebas_finalseg():
    """The unrolled HMM gives jieba.finalseg.cut's words: near-ties (常在个捎 differs by 1e-7
    between two paths), characters the model lacks (捎 has no M or E emission, so whole paths
    tie at MIN_FLOAT and the tie-breaks decide), ASCII runs and punctuation."""
    rng = random.Random(7)
    alphabet = ("常在个捎美国的一是了我不人他有这上们来到时大地为子中你说生年着就那和要她出也得里后自以"
                "会家可下而过天去能对小多然于心学么之都好看起发当没成只如事把还用第样道想作种开总从无情己"
                "面最女但现前" + "薡鄏郢閆鑫𠀀" + "aZ19.%_-+#& \n,。")
    texts = ["常在个捎", "时候常在个捎美国"] + [
        "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 14))) for _ in range(30_000)]
    for text in texts:
        assert finalseg_cut(text) == list(finalseg.cut(text)), repr(text)


def test_force_split_words_are_left_to_jieba(monkeypatch):
    monkeypatch.setattr(finalseg, "Force_Split_Words", {"常在"})
    assert finalseg_cut("常在个捎") == list(finalseg.cut("常在个捎")) == ["常", "在", "个", "捎"]


def test_an_ascii_dictionary_word_makes_the_block_jiebas():
    """Without HMM jieba joins single letters and digits into one token, so an ASCII token
    that is also a dictionary word cannot be read back as route or as characters: that block
    is cut by jieba."""
    tk = jieba.Tokenizer()
    tk.initialize()
    tk.add_word("ab12", 2000)
    own = Segmenter(tk)
    assert own.fast is not None
    assert own._with_hmm(list(own.fast.cut("xab12中国", False))) is None
    assert own._with_hmm(["中国", "xy12"]) == ["中国"] + finalseg_cut("xy12")
    for text in ("xab12中国", "ab12常在个捎", "常在ab1x2个", "一ab12二ab13三"):
        assert own.cut_fast(text) == list(tk.cut(text, HMM=True)), text
