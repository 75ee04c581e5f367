"""Language data (geo/lang/<lang>/), its loading, and an article's language.

- Every shipped language holds every file of ``geo.lang.FILES`` with every key the code reads:
  each module's compiler is run on it, and a copy of a language with one key or file missing
  fails with a message naming them. A copy with nothing missing is a new language the code
  reads unchanged (a Cyrillic trigger word in it types a sentence).
- Detection, on sentences written for these tests; the JSON Lines ``lang`` field and
  ``default_lang`` (``--lang``, the app's choice); the language passed down to the geoparser
  and to extraction.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
import shutil
from importlib import resources
from pathlib import Path

import pytest

from geo import lang
from geo.articles import Article, article_from_record, article_from_text, articles_from_jsonl
from geo.errors import InputError, LanguageDataError

from _geoparse_support import lexicon_cache_dir

LANG_DIR = Path(str(resources.files("geo.lang")))


def compile_all(code: str, cache_dir: str | None) -> None:
    """Run every compiler of language data on ``code``: what each module reads, it reads here."""
    from geo.articles import _datelines
    from geo.events.actors import actor_rules
    from geo.events.dates import date_rules
    from geo.events.numbers import number_rules
    from geo.events.places import place_rules
    from geo.events.sentences import sentence_rules
    from geo.events.triggers import _lexicon
    from geo.toponyms import Lexicon

    lex = Lexicon.load(cache_dir, lang=code)
    assert lex.lang == code and lex.titles and lex.function_words and lex.demonyms
    sentence_rules(code), actor_rules(code), place_rules(code), number_rules(code), date_rules(code)
    _lexicon(code), _datelines(code)


# --- the data is complete ---------------------------------------------------------------------

@pytest.mark.parametrize("code", lang.LANGUAGES)
def test_a_shipped_language_has_every_file_and_every_key(code):
    folder = LANG_DIR / code
    assert {p.name for p in folder.iterdir() if not p.name.startswith((".", "__"))} == set(lang.FILES)
    compile_all(code, lexicon_cache_dir())


def test_every_language_folder_is_an_article_language_with_detection_data():
    folders = {p.name for p in LANG_DIR.iterdir() if p.is_dir() and not p.name.startswith((".", "__"))}
    assert folders == set(lang.ARTICLE_LANGUAGES)
    assert set(lang.LANGUAGES) <= set(lang.ARTICLE_LANGUAGES) and lang.DEFAULT_LANGUAGE in lang.LANGUAGES
    for code in lang.ARTICLE_LANGUAGES:
        # a language without its full data has no file the code would silently half-read
        assert (LANG_DIR / code / "detect.toml").is_file()
        assert {p.name for p in (LANG_DIR / code).iterdir()} <= set(lang.FILES)
        assert code in lang.LANGUAGE_NAMES


_FAKE_CODES = itertools.count()


@pytest.fixture
def fake_language(monkeypatch, tmp_path):
    """A new language shipped as a copy of English's folder: ``(code, folder)``, a code no
    other test used (what each module compiled for a language stays cached); the large word
    lists come from tiny stand-ins (reading Webster's takes seconds)."""
    from geo import toponyms

    code = f"x{next(_FAKE_CODES)}"
    folder = tmp_path / code
    shutil.copytree(LANG_DIR / "en", folder)
    real_path = lang._path

    def path(c, name):
        return folder / name if c == code else real_path(c, name)

    monkeypatch.setattr(lang, "_path", path)
    monkeypatch.setattr(lang, "LANGUAGES", (*lang.LANGUAGES, code))
    monkeypatch.setattr(lang, "ARTICLE_LANGUAGES", (*lang.ARTICLE_LANGUAGES, code))
    monkeypatch.setattr(toponyms, "WORD_SOURCES", {"nam_dict": lambda key: {key("Volodymyr")},
                                                   "webster": lambda key: {key("the")}})
    return code, folder


def test_a_new_language_is_a_folder_the_code_reads_unchanged(fake_language):
    compile_all(fake_language[0], None)


@pytest.mark.parametrize("file, key, where", [
    ("actors.toml", "speaker_after", r"actors\.toml \[patterns\]"),
    ("toponyms.toml", "said", r"toponyms\.toml"),
    ("dates.toml", "dateline_day", r"dates\.toml \[patterns\]"),
    ("numbers.toml", "list_separator", r"numbers\.toml"),
    ("triggers.toml", "passive", r"triggers\.toml"),
])
def test_a_missing_key_fails_naming_the_file_and_the_key(fake_language, file, key, where):
    code, folder = fake_language
    path = folder / file
    text = path.read_text(encoding="utf-8")
    kept = re.sub(rf"(?m)^{key} = .*$", "", text)
    assert kept != text
    path.write_text(kept, encoding="utf-8")
    with pytest.raises(LanguageDataError, match=rf"^{code}/{where}: no key '{key}'$"):
        compile_all(code, None)


def test_a_missing_file_fails_naming_it(fake_language):
    code, folder = fake_language
    (folder / "numbers.toml").unlink()
    with pytest.raises(LanguageDataError, match=rf"{code}/numbers\.toml"):
        compile_all(code, None)


def test_an_unknown_word_source_is_named(fake_language):
    code, folder = fake_language
    path = folder / "toponyms.toml"
    path.write_text(path.read_text(encoding="utf-8").replace('common_words = ["webster"]',
                                                             'common_words = ["wordnet"]'), encoding="utf-8")
    with pytest.raises(LanguageDataError, match="unknown common_words source 'wordnet'"):
        compile_all(code, None)


def test_extraction_reads_the_articles_language_rules(fake_language):
    # the new language is English's data plus two Cyrillic trigger words: a sentence in them is
    # typed only when the article is in that language (and its gate opens on Cyrillic keys)
    from gazetteer.model import Place
    from geo.events import extract_events
    from geo.toponyms import Mention

    code, folder = fake_language
    path = folder / "triggers.toml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("[rules.drone]\n# a drone; drone_strike with an attack word\nany = [\n",
                        "[rules.drone]\n# a drone; drone_strike with an attack word\nany = [\n    'дрон\\w*',\n", 1)
    text = text.replace("[rules.attack]\n# an attack word; a type only with a weapon (drone, missile) or an energy"
                        " target\nany = [\n", "[rules.attack]\n# an attack word; a type only with a weapon (drone,"
                        " missile) or an energy target\nany = [\n    'атакува\\w*',\n", 1)
    assert text.count("дрон") == 1 and text.count("атакува") == 1
    path.write_text(text, encoding="utf-8")

    sumy = Place(id="gn:692194", name="Sumy", kind="settlement", country="UA", admin1="UA-59", admin1_name=None,
                 lat=50.9216, lon=34.8003, population=None, precision="point", source="test")
    body = "Вночі дрони атакували Суми."
    start = body.index("Суми")
    mention = Mention(start, start + 4, "Суми", sumy, 0.9, True, "name")

    def events(code):
        a = Article(id="a1", source="t", text=body, date=dt.date(2024, 12, 14), lang=code)
        return extract_events(a, [mention])

    got = events(code)
    assert [(e.event_type, e.place_name, e.lang, e.triggers) for e in got] == [
        ("drone_strike", "Sumy", code, ("дрони", "атакували"))]
    assert events("en") == []
    # Ukrainian ships its own data: its own rules read the sentence
    assert [(e.event_type, e.lang) for e in events("uk")] == [("drone_strike", "uk")]


# --- detection -----------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("Уночі російські дрони атакували енергетичний об'єкт на Харківщині, є пошкодження.", "uk"),
    ("Ночью российские беспилотники атаковали энергетический объект, есть повреждения.", "ru"),
    # no distinctive letter: the frequent words decide
    ("Ворог атакував Суми дронами.", "uk"),
    ("Под Суджей идут бои.", "ru"),
    # the two reports of issue 15
    ("Російські війська обстріляли Херсон та Нікополь. Під Покровськом тривають бої. Ворог атакував "
     "Сумську область дронами, в Курахове загинули двоє цивільних.", "uk"),
    ("ВСУ атаковали Белгородскую область беспилотниками. В Шебекино погиб мирный житель. Под Суджей идут "
     "бои, российские войска освободили Плехово.", "ru"),
    # a Russian report quoting a Ukrainian name is Russian, and the reverse
    ("Глава Київської області заявил, что ночью были сбиты двенадцать беспилотников.", "ru"),
    ("Губернатор повідомив, що в Белгороде ночью было тихо, але вранці почався обстріл.", "uk"),
    ("Russian drones struck Sumy overnight, the governor said.", "en"),
    # Latin text is English; an English report quoting a Cyrillic name is English
    ("The village of Новопокровка was shelled again on Sunday, officials in Kharkiv said.", "en"),
    ("Die Stadt wurde in der Nacht beschossen.", "en"),
    # no letters of either script: the default language
    ("القوات الروسية قصفت المدينة", "en"),
    ("2024-12-14 12:00", "en"),
    ("", "en"),
])
def test_detect(text, expected):
    assert lang.detect(text) == expected


def test_a_bare_name_is_read_as_one_of_the_cyrillic_languages():
    assert lang.detect("Херсон") in ("uk", "ru")


def test_detection_reads_a_bounded_sample():
    # a huge text costs no more than its first part (tens of thousands of characters)
    text = "Уночі дрони атакували Суми. " * 1_000 + "Ночью беспилотники атаковали Сумы. " * 100_000
    assert len(text) > 3_000_000 and lang.detect(text) == "uk"


def test_check_language():
    assert lang.check_language(None, "f:1") is None
    assert lang.check_language(" UK ", "f:1") == "uk"
    with pytest.raises(InputError, match=r"f:1: field 'lang' is 'de', not one of en, uk, ru$"):
        lang.check_language("de", "f:1")
    with pytest.raises(InputError, match=r"\(Ukrainian is 'uk'\)"):
        lang.check_language("ua", "f:1")
    with pytest.raises(InputError, match="must be a string"):
        lang.check_language(7, "f:1")


def test_data_language_falls_back_to_the_default():
    assert lang.data_language("en") == "en"
    assert lang.data_language("uk") == (lang.DEFAULT_LANGUAGE if "uk" not in lang.LANGUAGES else "uk")
    assert lang.data_language(None) == lang.DEFAULT_LANGUAGE


# --- the article's language ----------------------------------------------------------------------

def _jsonl(*records) -> list[bytes]:
    return [json.dumps(r, ensure_ascii=False).encode() + b"\n" for r in records]


def test_jsonl_lang_field_wins_over_default_and_detection():
    lines = _jsonl({"text": "Ворог атакував Суми дронами."},
                   {"text": "Ворог атакував Суми дронами.", "lang": "ru", "id": 2},
                   {"text": "Russian drones struck Sumy.", "lang": "UK", "id": 3},
                   {"text": "Russian drones struck Sumy.", "id": 4})
    assert [a.lang for a in articles_from_jsonl(lines, source="b.jsonl")] == ["uk", "ru", "uk", "en"]
    # --lang / the app's choice: for records that state none
    assert [a.lang for a in articles_from_jsonl(lines, source="b.jsonl", default_lang="ru")] == ["ru", "ru", "uk", "ru"]


@pytest.mark.parametrize("value, message", [
    ("de", r"b\.jsonl:2: field 'lang' is 'de', not one of en, uk, ru"),
    ("ua", r"b\.jsonl:2: field 'lang' is 'ua', not one of en, uk, ru \(Ukrainian is 'uk'\)"),
    (["uk"], r"b\.jsonl:2: field 'lang' must be a string \(en, uk, ru\)"),
    ("", r"b\.jsonl:2: field 'lang' is '', not one of en, uk, ru"),
])
def test_a_bad_jsonl_lang_field_is_a_clear_message_and_the_rest_goes_on(value, message):
    lines = _jsonl({"text": "Russian drones struck Sumy.", "id": 1},
                   {"text": "Russian drones struck Sumy.", "id": 2, "lang": value},
                   {"text": "Ворог атакував Суми.", "id": 3})
    errors: list[str] = []
    got = list(articles_from_jsonl(lines, source="b.jsonl", on_error=lambda e: errors.append(str(e))))
    assert [a.record_id for a in got] == ["1", "3"] and [a.lang for a in got] == ["en", "uk"]
    assert len(errors) == 1 and re.fullmatch(message, errors[0]), errors
    with pytest.raises(InputError, match=message):
        list(articles_from_jsonl(lines, source="b.jsonl"))


def test_pasted_and_read_text_is_detected_unless_chosen():
    assert article_from_text("Ночью ВСУ атаковали Белгород.").lang == "ru"
    assert article_from_text("Ночью ВСУ атаковали Белгород.", default_lang="uk").lang == "uk"
    assert article_from_record({"text": "Drones hit Sumy."}, where="r").lang == "en"


def test_an_english_dateline_still_dates_an_english_article():
    a = article_from_text("LONDON, December 14, 2024 — Drones hit Sumy overnight.")
    assert (a.dateline, a.date, a.lang) == ("LONDON", dt.date(2024, 12, 14), "en")
    b = article_from_text("Kyiv, Sept 3 (Reuters) - Drones hit Sumy overnight.")
    assert (b.dateline, b.date, b.text) == ("Kyiv", None, "Drones hit Sumy overnight.")


def test_the_geoparser_reads_with_the_articles_lexicon(monkeypatch):
    from geo.resolution import Geoparser
    from geo.toponyms import Lexicon
    from _geoparse_support import TinyGazetteer

    gp = Geoparser.build(TinyGazetteer(), lexicon=Lexicon.load(lexicon_cache_dir()))
    asked: list[str | None] = []
    real = gp.lexicon_for
    monkeypatch.setattr(gp, "lexicon_for", lambda code: asked.append(code) or real(code))
    text = "Russian forces shelled Kurakhove overnight."
    en = gp.parse(Article(id="1", source="t", text=text))
    uk = gp.parse(Article(id="2", source="t", text=text, lang="uk"))
    assert asked[:2] == ["en", "uk"]
    assert real("uk").lang == "uk" and real("en") is gp.lexicon
    # a text with no Cyrillic letter labelled Ukrainian is read with the English lexicon
    assert [(m.text, m.place and m.place.id) for m in uk] == [(m.text, m.place and m.place.id) for m in en]
    assert any(m.text == "Kurakhove" for m in en)
