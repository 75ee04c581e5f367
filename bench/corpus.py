"""The benchmark corpus: >= 10,000 articles of ~600 words, as JSON Lines, generated.

Articles are recombined from the sentences of the real texts in ``../shared``: the two
example war reports (``articles/``) and the 200 GeoWebNews articles (``eval/``). Each
article is a run of paragraphs; a paragraph is 2-5 consecutive sentences of one source
text (so place names keep their context), about a quarter of the paragraphs from the war
reports (so events are found and incidents merge across articles, as in a real backfill),
the rest from GeoWebNews (dense, varied place names). Every article gets an id, a date in
2024 and a source, deterministically from ``--seed``.

Written to ``bench/corpus/corpus-<n>-<seed>.jsonl`` (git-ignored; the texts are third-party
and are never committed). Run: ``.venv/bin/python bench/corpus.py [--n 10000] [--seed 0]``;
other benchmarks call :func:`ensure_corpus`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geo.articles import read_article  # noqa: E402
from geo.events import split_sentences  # noqa: E402

__all__ = ["SHARED", "CORPUS_DIR", "corpus_path", "ensure_corpus", "generate", "source_paragraphs"]

SHARED = ROOT.parent / "shared"
CORPUS_DIR = ROOT / "bench" / "corpus"
TARGET_WORDS = 600
WAR_SHARE = 0.25
#: Bump when the way articles are put together changes (old files are then regenerated).
VERSION = 1


def corpus_path(n: int, seed: int) -> Path:
    return CORPUS_DIR / f"corpus-v{VERSION}-{n}-{seed}.jsonl"


def _runs(text: str) -> list[list[str]]:
    """Each paragraph of ``text`` as its list of sentences (headings dropped)."""
    paras: dict[int, list[str]] = {}
    for s in split_sentences(text):
        if s.heading:
            continue
        sentence = " ".join(text[s.start:s.end].split())
        if len(sentence.split()) >= 4:
            paras.setdefault(s.paragraph, []).append(sentence)
    return [p for p in paras.values() if p]


def source_paragraphs(shared: Path = SHARED) -> tuple[list[list[str]], list[list[str]]]:
    """(war report paragraphs, GeoWebNews paragraphs), each a list of sentences."""
    war: list[list[str]] = []
    for path in sorted((shared / "articles").glob("*")):
        if path.suffix.lower() in (".txt", ".md", ".html", ".htm"):
            war += _runs(read_article(path).text)
    gwn: list[list[str]] = []
    with (shared / "eval" / "geowebnews.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                gwn += _runs(json.loads(line)["text"])
    if not war or not gwn:
        raise SystemExit(f"bench/corpus.py: no source texts under {shared}")
    return war, gwn


def _paragraph(rng: random.Random, pool: list[list[str]]) -> str:
    sentences = rng.choice(pool)
    k = min(len(sentences), rng.randint(2, 5))
    start = rng.randint(0, len(sentences) - k)
    return " ".join(sentences[start:start + k])


def generate(n: int, *, seed: int = 0, shared: Path = SHARED) -> list[dict[str, str]]:
    """``n`` distinct articles ``{"id", "text", "date", "source"}``, deterministic for ``seed``."""
    war, gwn = source_paragraphs(shared)
    rng = random.Random(seed)
    day0 = dt.date(2024, 1, 1)
    out: list[dict[str, str]] = []
    seen: set[str] = set()
    while len(out) < n:
        paragraphs: list[str] = []
        words = 0
        while words < TARGET_WORDS:
            para = _paragraph(rng, war if rng.random() < WAR_SHARE else gwn)
            paragraphs.append(para)
            words += len(para.split())
        text = "\n\n".join(paragraphs)
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        if digest in seen:
            continue
        seen.add(digest)
        i = len(out)
        out.append({"id": f"bench-{seed}-{i:06d}", "text": text,
                    "date": (day0 + dt.timedelta(days=rng.randrange(366))).isoformat(),
                    "source": "bench/corpus.py"})
    return out


def ensure_corpus(n: int = 10_000, *, seed: int = 0) -> Path:
    """The corpus file for (n, seed), generated once."""
    path = corpus_path(n, seed)
    if path.is_file():
        return path
    CORPUS_DIR.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        for record in generate(n, seed=seed):
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    tmp.replace(path)
    return path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=10_000, help="articles (default 10,000)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    if not (SHARED / "eval" / "geowebnews.jsonl").is_file():
        print(f"bench/corpus.py: {SHARED} not found; the corpus is built from its texts", file=sys.stderr)
        return 2
    path = ensure_corpus(args.n, seed=args.seed)
    n = words = 0
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            n += 1
            words += len(json.loads(line)["text"].split())
    print(f"{path}: {n:,} articles, {words / max(1, n):.0f} words on average, "
          f"{path.stat().st_size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
