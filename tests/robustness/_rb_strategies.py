"""Hypothesis strategies for hostile article input: bytes, text, HTML, Markdown, JSON Lines."""

from __future__ import annotations

import json

from hypothesis import strategies as st

__all__ = ["raw_bytes", "hostile_text", "article_like", "html_docs", "markdown_docs", "jsonl_lines",
           "broken_utf8", "file_suffixes", "VOCAB"]

# Words that reach deep into the parser and the extractor: places on both sides of the
# border, their other spellings and scripts, trigger words, dates, numbers, metadata forms.
VOCAB = (
    "Kyiv", "Kiev", "Київ", "Киев", "Kursk", "Курск", "Belgorod", "Bryansk", "Kharkiv", "Харків",
    "Sumy", "Novoshakhtinsk", "Rostov region", "Kursk Oblast", "Donetsk", "Pokrovsk", "Crimea",
    "Moscow", "Washington", "Russia", "Ukraine", "North Korea", "Stari Terny", "Trudove",
    "Ukrainian", "Russian", "drones", "drone", "struck", "hit", "missile", "missiles", "shelling",
    "killed", "injured", "wounded", "shot down", "intercepted", "captured", "recaptured",
    "liberated", "deployed", "troops", "visited", "refinery", "oil depot", "power plant", "said",
    "the", "in", "near", "of", "overnight", "Saturday", "on Friday", "last month", "in June",
    "earlier this month", "December 14", "2024-12-14", "date 2024-12-14", "date 2024-99-99",
    "KYIV, UKRAINE —", "MOSCOW (AP) —", "132", "twelve", "1,000,000", "-1", "1e308",
    "St.", "Mr.", "U.S.", "e.g.", "...", "…", "!", "?", ",", ";", ":", "—", "-", "'s", "’s",
    "(", ")", "[", "]", "\"", "“", "”", "«", "»",
)

_SPECIAL_CHARS = (
    "\x00", "\x01", "\x07", "\x1b", "\x7f", "\u0085", "\u00a0", "\u200b", "\u200d", "\u200e",
    "\u200f", "\u202a", "\u202b", "\u202d", "\u202e", "\u2066", "\u2067", "\u2069", "\u2028",
    "\u2029", "\ufeff", "\ufffd", "\ufffe", "\U0001f4a5", "\U000e0041", "\u0301", "\u0336",
    "\r", "\r\n", "\t", "\v", "\f", "İ", "ß", "ﬁ", "Ⅻ", "٣", "𝟘", "ǅ",
)
_RTL = ("שלום", "מוסקבה", "كييف", "موسكو", "\u202eevil\u202c", "پوکروفسک", "ܐܒܓ")
_MIXED = ("Kyiv Київ Киев كييف", "Kиїв", "Курськ region", "Belgоrod", "Ｋｙｉｖ", "K\u0301yiv")


def raw_bytes(max_size: int = 4096) -> st.SearchStrategy[bytes]:
    """Anything: random bytes, magic numbers of binary formats, NULs, text with a few bad bytes."""
    magic = st.sampled_from([b"\x89PNG\r\n\x1a\n", b"\x7fELF\x02\x01\x01", b"PK\x03\x04", b"%PDF-1.7\n",
                             b"\x1f\x8b\x08", b"\xff\xd8\xff\xe0", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff",
                             b"GIF89a", b"SQLite format 3\x00"])
    return st.one_of(
        st.binary(max_size=max_size),
        st.builds(lambda m, b: m + b, magic, st.binary(max_size=max_size)),
        st.builds(lambda t, n: t.encode("utf-8") + b"\x00" * n, st.text(max_size=200), st.integers(1, 50)),
        st.builds(lambda t: t.encode("utf-16"), st.text(max_size=500)),
        st.builds(lambda t: t.encode("cp1251", "ignore"), st.text(alphabet="абвгдеёжзийклмнопрстуфхцчшщъыьэюяіїєґ "
                                                               "АБВГДЕЖЗИКЛМНОПРСТУФХЦЧШЩЭЮЯ.,—«»", max_size=500)),
        st.just(b""), st.just(b" \n\t\r\n"), st.just(b"\x00" * 100),
    )


def broken_utf8(max_size: int = 2000) -> st.SearchStrategy[bytes]:
    """Valid text encoded, then damaged: a multibyte sequence cut, bytes flipped, overlong forms."""

    def damage(text: str, cuts: list[int], junk: bytes) -> bytes:
        data = bytearray(text.encode("utf-8"))
        for c in cuts:
            if data:
                data[c % len(data)] = 0x80 | (c & 0x3F)
        return bytes(data) + junk

    junk = st.sampled_from([b"", b"\xc0\xaf", b"\xe0\x80\xaf", b"\xed\xa0\x80", b"\xf4\x90\x80\x80",
                            b"\xc3", b"\xe2\x82", b"\xff", b"\xf8\x88\x80\x80\x80"])
    return st.builds(damage, article_like(max_words=200), st.lists(st.integers(0, 10_000), max_size=5), junk)


def hostile_text(max_size: int = 3000) -> st.SearchStrategy[str]:
    """Unicode of every kind: all planes, control characters, bidi overrides, RTL scripts,
    confusables, combining marks, lone surrogates (as JSON can carry them)."""
    chars = st.characters(codec=None, exclude_categories=())
    return st.one_of(
        st.text(chars, max_size=max_size),
        st.lists(st.one_of(st.sampled_from(_SPECIAL_CHARS), st.sampled_from(_RTL), st.sampled_from(_MIXED),
                           st.sampled_from(VOCAB), st.text(chars, max_size=20)), max_size=300).map(" ".join),
    )


def article_like(max_words: int = 400) -> st.SearchStrategy[str]:
    """Text that looks enough like news to reach the extractor's deeper rules."""
    token = st.one_of(st.sampled_from(VOCAB), st.sampled_from(VOCAB), st.sampled_from(VOCAB),
                      st.sampled_from(_SPECIAL_CHARS), st.sampled_from(_RTL), st.sampled_from(_MIXED),
                      st.integers(-10, 10_000_000).map(str), st.text(max_size=12))
    sep = st.sampled_from([" ", " ", " ", " ", "\n", "\n\n", ". ", ", ", "", "\t"])
    return st.lists(st.tuples(token, sep), max_size=max_words).map(lambda xs: "".join(a + b for a, b in xs))


def html_docs() -> st.SearchStrategy[str]:
    """HTML with scripts, entities, references to remote resources, broken and deep markup."""
    body = article_like(max_words=120)
    piece = st.one_of(
        body.map(lambda t: f"<p>{t}</p>"),
        st.sampled_from([
            "<script>alert(1)</script>", "<script src='http://198.51.100.7/x.js'></script>",
            "<img src='http://198.51.100.7/x.png' onerror='alert(1)'>", "<link rel=stylesheet href=//198.51.100.7/s.css>",
            "<iframe src='http://198.51.100.7/'></iframe>", "<meta http-equiv=refresh content='0;url=http://198.51.100.7/'>",
            "<style>@import url(http://198.51.100.7/a.css); body{background:url(x)}</style>",
            "&#0; &#x110000; &#xD800; &#99999999999; &amp;lt;script&amp;gt; &nbsp; &NotAnEntity; &#x202E;",
            "<![CDATA[ <script>x</script> ]]>", "<!-- <script>alert(1)</script> -->", "<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]>&e;",
            "<svg onload=alert(1)><script>alert(2)</script></svg>", "<object data=http://198.51.100.7/x></object>",
            "<meta property='article:published_time' content='2024-13-45T00:00'>",
            "<meta name=date content='9999-99-99'>", "<time datetime='not a date'>x</time>",
            "<link rel=canonical href='javascript:alert(1)'>", "<title>" + "<img src=x onerror=alert(1)>" + "</title>",
            "<article><h1>Drones hit Kursk</h1><p>Ukrainian drones struck Kursk overnight.</p></article>",
            "<div>" * 300 + "Kyiv" + "</div>" * 300, "<p>unclosed <b>bold <i>italic", "</p></div></html>",
            "<table><tr><td>Kharkiv</td><td>shelled</td></tr></table>", "<br><br/><hr>",
        ]),
    )
    return st.lists(piece, max_size=12).map(lambda ps: "<html><head><title>t</title></head><body>"
                                            + "".join(ps) + "</body></html>")


def markdown_docs() -> st.SearchStrategy[str]:
    piece = st.one_of(
        article_like(max_words=80),
        st.sampled_from([
            "---\ntitle: <img src=x onerror=alert(1)>\ndate: 2024-12-14\nurl: javascript:alert(1)\n---\n",
            "---\nno closing front matter\n", "# Heading\n", "####### too deep\n", "```\ncode <script>\n",
            "[link](javascript:alert(1))", "![img](http://198.51.100.7/x.png)", "<http://198.51.100.7/>",
            "[ref]: http://198.51.100.7/", "> > > quoted Kyiv", "* * *", "| a | b |\n|---|---|\n| Kyiv | x |",
            "**bold *nested _under_ em***", "\\*escaped\\*", "`" * 50, "*" * 200, "_" * 200, "[" * 200,
        ]),
    )
    return st.lists(piece, max_size=10).map("\n\n".join)


def _json_line(record: object) -> bytes:
    return json.dumps(record, ensure_ascii=True).encode("utf-8")


def jsonl_lines() -> st.SearchStrategy[bytes]:
    """One JSON Lines file body: well-formed records with odd fields, and garbage lines."""
    scalar = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=30))
    record = st.fixed_dictionaries(
        {"text": st.one_of(article_like(max_words=150), hostile_text(300), scalar)},
        optional={"id": st.one_of(scalar, st.lists(st.integers(), max_size=2)),
                  "date": st.one_of(scalar, st.sampled_from(["2024-12-14", "2024-02-30", "14/12/2024", "2024-12-14T25:00"])),
                  "title": st.one_of(scalar, st.just("<script>alert(1)</script>")),
                  "url": st.one_of(scalar, st.just("javascript:alert(1)")),
                  "source": scalar, "spans": st.lists(st.lists(st.integers(-5, 50), max_size=3), max_size=3)},
    ).map(_json_line)
    garbage = st.one_of(
        st.binary(max_size=200).filter(lambda b: b"\n" not in b),
        st.sampled_from([b"not json", b"[1, 2, 3]", b"null", b'"just a string"', b"{}", b'{"text": ""}',
                         b'{"text": "Kyiv \\ud800 was hit"}', b'{"text": "Drones hit Kursk \\udfff."}',
                         b'{"text": "x", "id": ' + b"9" * 5000 + b"}", b"[" * 50_000, b'{"a":' * 20_000,
                         b'{"text": "Kyiv", "date": 1e999}', b"\xef\xbb\xbf{\"text\": \"BOM line about Kyiv\"}",
                         b'{"text": "' + b"Kyiv " * 2000 + b'"}']),
    )
    return st.lists(st.one_of(record, record, garbage), max_size=6).map(lambda ls: b"\n".join(ls) + b"\n")


def file_suffixes() -> st.SearchStrategy[str]:
    return st.sampled_from([".txt", ".md", ".html", ".htm", ".jsonl", ".markdown", ".json", ".TXT", ".exe", ""])
