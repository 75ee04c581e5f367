"""Reading articles: formats, metadata, and refusing bad input with one clear line."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest

from geo.articles import (
    NameDate, article_from_bytes, article_from_record, article_from_text, article_id, date_from_name,
    read_article, read_articles, split_metadata,
)
from geo.errors import InputError
from _geoparse_support import SHARED


def test_date_line_and_dateline_on_one_line_are_metadata(tmp_path):
    f = tmp_path / "a.txt"
    f.write_text(" date 2024-12-14 KYIV, UKRAINE — Troops moved near Kurakhove.\n\nMore text.",
                 encoding="utf-8")
    a = read_article(f)
    assert a.date == dt.date(2024, 12, 14)
    assert a.dateline == "KYIV, UKRAINE"
    assert a.text.startswith("Troops moved near Kurakhove.")
    assert a.source == "a.txt"
    assert a.id == hashlib.sha256(a.text.encode()).hexdigest()[:16]
    assert read_article(f).id == a.id  # re-read: same id


@pytest.mark.parametrize("head, place, body", [
    ("MOSCOW (AP) — Russia said", "MOSCOW", "Russia said"),
    ("Kyiv, Dec 14 (Reuters) - Ukraine struck", "Kyiv", "Ukraine struck"),
    ("LONDON, December 14, 2024 — talks", "LONDON", "talks"),
    ("Ukraine - the country said", None, "Ukraine - the country said"),
    ("Russia attacked Kyiv overnight.", None, "Russia attacked Kyiv overnight."),
])
def test_datelines(head, place, body):
    meta = split_metadata(head)
    assert meta.dateline == place
    assert head[meta.body_start:] == body


def test_default_date_applies_only_without_one():
    a = article_from_text("Kyiv was quiet.", default_date=dt.date(2024, 1, 2))
    assert a.date == dt.date(2024, 1, 2)
    b = article_from_text("date 2024-12-14\nKyiv was quiet.", default_date=dt.date(2024, 1, 2))
    assert b.date == dt.date(2024, 12, 14) and b.text == "Kyiv was quiet."


def test_bad_date_line_is_refused():
    with pytest.raises(InputError, match="bad date line"):
        article_from_text("date 2024-13-45\nText", source="x.txt")


def test_markdown_is_reduced_to_text(tmp_path):
    f = tmp_path / "m.md"
    f.write_text("---\ntitle: Strikes\ndate: 2024-12-01\n---\n# Heading one\n\n"
                 "Drones hit **Kursk** and [Belgorod](http://example.com/b) _overnight_.\n\n"
                 "- item in `Sumy`\n> quoted Kharkiv\n", encoding="utf-8")
    a = read_article(f)
    assert a.title == "Strikes"
    assert a.date == dt.date(2024, 12, 1)
    assert "Drones hit Kursk and Belgorod overnight." in a.text
    assert "item in Sumy" in a.text and "quoted Kharkiv" in a.text
    assert "http" not in a.text and "*" not in a.text and "#" not in a.text


def test_html_text_only_nothing_fetched(tmp_path):
    f = tmp_path / "p.html"
    f.write_text(
        "<html><head><title>Refinery hit</title>"
        "<meta property='article:published_time' content='2024-12-14T08:00:00Z'>"
        "<script>alert('x')</script><style>p{}</style></head><body>"
        "<nav>Menu Home</nav><article><p>KYIV — Drones struck <b>Novoshakhtinsk</b>&rsquo;s "
        "refinery.</p><img src='http://example.com/x.png'><p>Second &amp; last.</p></article>"
        "</body></html>", encoding="utf-8")
    a = read_article(f)
    assert a.title == "Refinery hit" and a.date == dt.date(2024, 12, 14)
    assert a.dateline == "KYIV"
    assert a.text == "Drones struck Novoshakhtinsk’s refinery.\n\nSecond & last."
    assert "alert" not in a.text and "Menu" not in a.text


@pytest.mark.parametrize("data, problem", [
    (b"\x00\x01\x02binary", "NUL"),
    (b"   \n\t ", "empty"),
    (b"\xff\xfe\xfa\x80\x81 latin garbage \x9f\x8d", "UTF-8"),
    ("café résumé naïve".encode("latin-1"), "UTF-8"),
])
def test_bad_bytes_are_refused_naming_the_file(data, problem):
    with pytest.raises(InputError) as err:
        article_from_bytes(data, source="upload.txt")
    msg = str(err.value)
    assert msg.startswith("upload.txt:") and problem in msg and "\n" not in msg


def test_cp1251_cyrillic_is_read():
    a = article_from_bytes("Бои у Курахово продолжаются.".encode("cp1251"), source="ru.txt")
    assert a.text == "Бои у Курахово продолжаются."


def test_size_limit_is_configurable(tmp_path):
    f = tmp_path / "big.txt"
    f.write_text("Kyiv " * 100, encoding="utf-8")
    with pytest.raises(InputError, match="big.txt: too large"):
        read_article(f, max_bytes=100)
    assert read_article(f, max_bytes=10_000).text.startswith("Kyiv")


def test_unsupported_type_and_missing_file(tmp_path):
    with pytest.raises(InputError, match="unsupported file type"):
        read_article(tmp_path / "a.pdf")
    with pytest.raises(InputError, match="missing.txt: cannot read"):
        read_article(tmp_path / "missing.txt")


def test_jsonl_lines_and_errors(tmp_path):
    f = tmp_path / "batch.jsonl"
    f.write_text("\n".join([
        json.dumps({"id": "a1", "text": "Kyiv, Dec 14 (Reuters) - Sumy was hit.", "date": "2024-12-14",
                    "title": "T", "url": "http://example.com"}),
        "{not json",
        json.dumps({"id": "a3"}),
        json.dumps({"id": 4, "text": "Kharkiv."}),
    ]), encoding="utf-8")
    with pytest.raises(InputError, match=r"batch.jsonl:2: invalid JSON"):
        list(read_articles(f))
    errors: list[InputError] = []
    got = list(read_articles(f, on_error=errors.append))
    assert [a.source for a in got] == ["a1", "4"]
    assert got[0].dateline == "Kyiv" and got[0].text == "Sumy was hit."
    assert got[0].date == dt.date(2024, 12, 14) and got[0].title == "T"
    assert [str(e).split(":")[1] for e in errors] == ["2", "3"]


@pytest.mark.skipif(not (SHARED / "articles").is_dir(), reason="../shared is absent")
def test_shared_example_articles():
    a = read_article(SHARED / "articles" / "2024-12-14-north-korean-troops-kursk.txt")
    assert a.date == dt.date(2024, 12, 14) and a.dateline == "KYIV, UKRAINE"
    assert a.text.startswith("Ukrainian President")
    assert a.date_precision == "day"
    b = read_article(SHARED / "articles" / "2024-12-novoshakhtinsk-refinery-strike.txt")
    # no date in the text: the file name dates it to the month
    assert (b.date, b.date_precision) == (dt.date(2024, 12, 1), "month")
    assert b.dateline is None and b.id != a.id


# --- identity -------------------------------------------------------------------------------

def test_identity_is_the_record_id_when_given_else_the_text(tmp_path):
    text = "Shelling hit the school in Testivka this morning."
    one = article_from_record({"id": "n-1", "text": text, "date": "2024-03-01"}, where="f:1")
    two = article_from_record({"id": "n-2", "text": text, "date": "2024-03-02"}, where="f:2")
    again = article_from_record({"id": "n-1", "text": text + " Updated.", "date": "2024-03-05"}, where="f:3")
    assert one.id != two.id                       # same text, two reports
    assert one.id == again.id                     # the same record, even if its text was edited
    assert (one.record_id, two.record_id) == ("n-1", "n-2")
    assert article_from_record({"id": 7, "text": text}, where="f:4").id == \
        article_from_record({"id": "7", "text": text}, where="f:5").id
    # no id: the text is the identity, and it is the same id a plain file gets (and always got)
    plain = article_from_record({"text": text, "date": "2024-03-09"}, where="f:6")
    f = tmp_path / "note.txt"
    f.write_text(text, encoding="utf-8")
    assert plain.id == read_article(f).id == hashlib.sha256(text.encode()).hexdigest()[:16] == article_id(text)
    assert plain.record_id is None
    # a record id never takes the id of a text that reads the same
    assert article_from_record({"id": text, "text": "Other words."}, where="f:7").id != article_id(text)


@pytest.mark.parametrize("rid", [True, "", "  ", [1], {"a": 1}, 1.5])
def test_bad_record_ids_are_refused(rid):
    with pytest.raises(InputError, match="f:1: field 'id'"):
        article_from_record({"id": rid, "text": "Kharkiv."}, where="f:1")


def test_record_source_is_shown_and_the_id_kept():
    a = article_from_record({"id": "x-9", "text": "Kharkiv was shelled.", "source": " Example Wire ",
                             "url": "https://example.org/x-9"}, where="f:1")
    assert (a.source, a.record_id, a.url) == ("Example Wire", "x-9", "https://example.org/x-9")
    assert article_from_record({"text": "Kharkiv.", "source": "Desk"}, where="f:2").source == "Desk"
    assert article_from_record({"text": "Kharkiv."}, where="f:3").source == "f:3"


@pytest.mark.parametrize("url, kept", [
    ("https://example.org/a?b=1&c=<2>", None),
    ("https://example.org/a?b=1&c=2", "https://example.org/a?b=1&c=2"),
    ("  HTTP://Example.org/x  ", "HTTP://Example.org/x"),
    ("javascript:alert(1)", None),
    ("data:text/html,<b>x</b>", None),
    ("//example.org/x", None),
    ("https://example.org/a b", None),
    ("", None),
])
def test_only_web_urls_are_kept(url, kept):
    assert article_from_record({"text": "Kharkiv.", "url": url}, where="f:1").url == kept
    assert article_from_text("---\nurl: x\n---\nKharkiv.", fmt="md", url=url).url == kept


# --- dates from the file name and their precedence ----------------------------------------

@pytest.mark.parametrize("name, expected", [
    ("2024-12-14-north-korean-troops.txt", NameDate(dt.date(2024, 12, 14), "day")),
    ("report_2024_12_14.md", NameDate(dt.date(2024, 12, 14), "day")),
    ("20241214-strike.html", NameDate(dt.date(2024, 12, 14), "day")),
    ("2024-12-refinery-strike.txt", NameDate(dt.date(2024, 12, 1), "month")),
    ("notes-2023-02.txt", NameDate(dt.date(2023, 2, 1), "month")),
    ("2024-13-40-bad.txt", None),                # impossible: no date
    ("2024-1214.txt", None),                     # neither form
    ("ukr-10558.txt", None),
    ("id-202412145.txt", None),                  # nine digits: an id, not a date
    ("1812-06-24-invasion.txt", None),           # only 19xx and 20xx
    ("plain.txt", None),
])
def test_date_from_name(name, expected):
    assert date_from_name(name) == expected


def test_date_precedence(tmp_path):
    typed = dt.date(2025, 1, 5)
    named = tmp_path / "2024-12-14-report.txt"
    named.write_text("Kyiv was quiet.", encoding="utf-8")
    a = read_article(named)
    assert (a.date, a.date_precision) == (dt.date(2024, 12, 14), "day")        # file name
    assert read_article(named, default_date=typed).date == typed               # --date beats the name
    named.write_text("date 2024-11-30\nKyiv was quiet.", encoding="utf-8")
    assert read_article(named, default_date=typed).date == dt.date(2024, 11, 30)   # the text beats both
    month = tmp_path / "2024-12-report.md"
    month.write_text("---\ndate: 2024-10-02\n---\nKyiv was quiet.", encoding="utf-8")
    assert read_article(month).date == dt.date(2024, 10, 2)                    # front matter beats the name
    month.write_text("Kyiv was quiet.", encoding="utf-8")
    b = read_article(month)
    assert (b.date, b.date_precision) == (dt.date(2024, 12, 1), "month")
    undated = tmp_path / "report.txt"
    undated.write_text("Kyiv was quiet.", encoding="utf-8")
    assert read_article(undated).date is None                                  # undated stays undated
    # an upload is named like a file; a JSON Lines file's name dates none of its records
    assert article_from_bytes(b"Kyiv was quiet.", source="2024-12-14.txt").date == dt.date(2024, 12, 14)
    batch = tmp_path / "2024-12-14-batch.jsonl"
    batch.write_text(json.dumps({"id": "r1", "text": "Kyiv was quiet."}) + "\n" +
                     json.dumps({"id": "r2", "text": "Kyiv was quiet.", "date": "2024-01-02"}) + "\n",
                     encoding="utf-8")
    assert [r.date for r in read_articles(batch)] == [None, dt.date(2024, 1, 2)]
    assert [r.date for r in read_articles(batch, default_date=typed)] == [typed, dt.date(2024, 1, 2)]


@pytest.mark.parametrize("head, date", [
    ("LONDON, December 14, 2024 — Talks went on.", dt.date(2024, 12, 14)),
    ("Kyiv, Sept. 3, 2023 (AP) - Drones hit Kyiv.", dt.date(2023, 9, 3)),
    ("Kyiv, Dec 14 (Reuters) - Drones hit Kyiv.", None),         # no year: nothing to anchor it
    ("MOSCOW, Feb 30, 2024 — Talks went on.", None),             # no such day
    ("KYIV, UKRAINE — Drones hit Kyiv.", None),
])
def test_a_dateline_with_its_year_dates_the_article(head, date):
    assert article_from_text(head).date == date
    # below the text's own date line, above what the user typed and the file name
    assert article_from_text("date 2024-01-02\n" + head).date == dt.date(2024, 1, 2)
    typed = dt.date(2025, 5, 5)
    assert article_from_text(head, default_date=typed).date == (date or typed)
    named = article_from_bytes(head.encode(), source="2020-01-01-x.txt")
    assert named.date == (date or dt.date(2020, 1, 1))


@pytest.mark.parametrize("fmt", ["txt", "md", "html"])
def test_a_lone_surrogate_in_pasted_text_reads_as_a_question_mark(fmt):
    # a paste or a JSON "\ud800" holds a code point UTF-8 cannot encode: the article is still
    # read, hashed and stored, not a crash
    a = article_from_text("\ud800 Shelling hit Kharkiv.", fmt=fmt)
    assert a.text == "? Shelling hit Kharkiv." and len(a.id) == 16


def test_control_characters_class_is_unicode_cc_less_the_allowed_ones():
    import sys
    import unicodedata

    from geo.articles import _CONTROL_BAD, _CONTROL_OK, _control_ratio

    every = "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF)
    want = [c for c in every if unicodedata.category(c) == "Cc" and c not in _CONTROL_OK]
    assert _CONTROL_BAD.findall(every) == want
    assert _control_ratio("ab\x00\x1b\tc\n\x85\u200b") == 3 / 9      # NUL, ESC, NEL; not tab, line feed, ZWSP
