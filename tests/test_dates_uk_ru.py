"""Event dates in Ukrainian and Russian, and their month and weekday forms against dateparser's.

Sentences written for these tests. The article is dated Saturday 14 December 2024 unless a test
says otherwise.
"""

from __future__ import annotations

import datetime as dt

import pytest

from geo import lang
from geo.events import resolve_date

SAT = dt.date(2024, 12, 14)          # a Saturday
MON = dt.date(2024, 12, 16)


@pytest.mark.parametrize("text, code, ref, expected", [
    # a day and month; a year; the numeric form
    ("14 грудня ворог атакував Суми дронами.", "uk", MON, ("2024-12-14", "day", True)),
    ("14 декабря противник атаковал Белгород.", "ru", MON, ("2024-12-14", "day", True)),
    ("Обстріл стався 3 березня 2023 року.", "uk", MON, ("2023-03-03", "day", True)),
    ("Удар нанесен 28 февраля 2023 г.", "ru", MON, ("2023-02-28", "day", True)),
    ("Обстріл 14.12.2024 пошкодив школу.", "uk", MON, ("2024-12-14", "day", True)),
    # a day of a month later than the article's is last year's
    ("20 грудня дрони атакували Суми.", "uk", SAT, ("2023-12-20", "day", True)),
    # yesterday, the day before
    ("Вчора ворог обстріляв Херсон.", "uk", SAT, ("2024-12-13", "day", True)),
    ("Учора дрони атакували Суми.", "uk", SAT, ("2024-12-13", "day", True)),
    ("Вчера беспилотники атаковали Белгород.", "ru", SAT, ("2024-12-13", "day", True)),
    ("Позавчора ворог обстріляв Херсон.", "uk", SAT, ("2024-12-12", "day", True)),
    ("Позавчера обстреляли Белгород.", "ru", SAT, ("2024-12-12", "day", True)),
    # a weekday: the latest one not after the article
    ("У суботу ворог обстріляв Херсон.", "uk", MON, ("2024-12-14", "day", True)),
    ("В субботу противник обстрелял Белгород.", "ru", MON, ("2024-12-14", "day", True)),
    ("У середу дрони атакували Суми.", "uk", MON, ("2024-12-11", "day", True)),
    ("Минулої п'ятниці ворог обстріляв Херсон.", "uk", MON, ("2024-12-13", "day", True)),
    ("Минулої п’ятниці ворог обстріляв Херсон.", "uk", MON, ("2024-12-13", "day", True)),
    # the night before a day is that day
    ("В ніч на 14 грудня ворог атакував Суми дронами.", "uk", MON, ("2024-12-14", "day", True)),
    ("У ніч з 13 на 14 грудня дрони атакували Суми.", "uk", MON, ("2024-12-14", "day", True)),
    ("В ночь на 14 декабря беспилотники атаковали Белгород.", "ru", MON, ("2024-12-14", "day", True)),
    ("В ночь с 13 на 14 декабря обстреляли Белгород.", "ru", MON, ("2024-12-14", "day", True)),
    ("В ніч на суботу дрони атакували Суми.", "uk", MON, ("2024-12-14", "day", True)),
    ("В ночь с пятницы на субботу обстреляли Белгород.", "ru", MON, ("2024-12-14", "day", True)),
    # tonight, overnight, this morning: the article's day; an explicit day after them wins
    ("Сьогодні вночі ворог атакував Суми.", "uk", SAT, ("2024-12-14", "day", True)),
    ("Вночі дрони атакували Суми.", "uk", SAT, ("2024-12-14", "day", True)),
    ("Сегодня ночью обстреляли Белгород.", "ru", SAT, ("2024-12-14", "day", True)),
    ("Вночі 12 грудня дрони атакували Суми.", "uk", SAT, ("2024-12-12", "day", True)),
    ("Ночью 12 декабря обстреляли Белгород.", "ru", SAT, ("2024-12-12", "day", True)),
    # a month, a year
    ("У грудні ворог посилив обстріли Херсона.", "uk", SAT, ("2024-12", "month", True)),
    ("В декабре противник усилил обстрелы.", "ru", SAT, ("2024-12", "month", True)),
    ("Минулого місяця ворог обстріляв Херсон.", "uk", SAT, ("2024-11", "month", True)),
    ("У 2023 році окупанти захопили село.", "uk", SAT, ("2023", "year", True)),
    ("В прошлом году оккупанты захватили село.", "ru", SAT, ("2023", "year", True)),
])
def test_dates(text, code, ref, expected):
    assert resolve_date(text, ref, lang=code) == expected


@pytest.mark.parametrize("text, code", [
    ("Станом на 08:00 14 грудня ворог атакував Суми.", "uk"),     # the report's date, not the event's
    ("По состоянию на 08:00 14 декабря противник атаковал Белгород.", "ru"),
    ("З 24 лютого ворог обстрілює Херсон.", "uk"),               # a bound, not a date
    ("С 24 февраля противник обстреливает Херсон.", "ru"),
    ("Ворог атакував Суми дронами.", "uk"),                        # nothing dates it
])
def test_what_dates_no_event(text, code):
    assert resolve_date(text, MON, lang=code) == ("2024-12-16", "day", False)


def test_a_report_dated_in_its_text_dates_its_relative_words():
    # the report is of 14 December: its "вночі" is the 14th, whenever it was published
    assert resolve_date("Станом на 14 грудня: вночі дрони атакували Суми.", MON, lang="uk") == \
        ("2024-12-14", "day", True)


def test_a_dateline_in_ukrainian_dates_the_article():
    from geo.articles import article_from_text

    a = article_from_text("КИЇВ, 14 грудня 2024 — Вночі дрони атакували Суми.", default_lang="uk")
    assert (a.dateline, a.date) == ("КИЇВ", dt.date(2024, 12, 14))
    b = article_from_text("МОСКВА, 14 декабря 2024 — Ночью беспилотники атаковали Белгород.", default_lang="ru")
    assert (b.dateline, b.date) == ("МОСКВА", dt.date(2024, 12, 14))


# --- the month and weekday forms against dateparser's data -----------------------------------

dateparser = pytest.importorskip("dateparser")


def _ours(code: str, table: str) -> dict[str, int]:
    names = lang.MONTH_NAMES if table == "months" else lang.WEEKDAY_NAMES
    return lang.calendar_forms(lang.load("dates", lang=code)[table], names, f"{code} {table}")


def _theirs(code: str, names: tuple[str, ...]) -> dict[str, int]:
    import importlib

    info = importlib.import_module(f"dateparser.data.date_translation_data.{code}").info
    return {form.lower(): n for n, name in enumerate(names, 1) for form in info[name]}


@pytest.mark.parametrize("code", ["uk", "ru"])
@pytest.mark.parametrize("table, names", [("months", lang.MONTH_NAMES), ("weekdays", lang.WEEKDAY_NAMES)])
def test_calendar_forms_are_dateparsers(code, table, names):
    ours, theirs = _ours(code, table), _theirs(code, names)
    # every form both know names the same month or weekday
    assert {f: n for f, n in ours.items() if f in theirs} == {f: theirs[f] for f in ours if f in theirs}
    # every full form dateparser knows is ours; not its abbreviations (a form of three letters or
    # fewer, or the start of a longer one), which are often words too: "лист", "сб", "серед"
    full = {f for f in theirs if len(f) > 3 and not any(g != f and g.startswith(f) for g in theirs)}
    assert full <= set(ours), sorted(full - set(ours))


@pytest.mark.parametrize("code", ["uk", "ru"])
def test_dateparser_reads_our_day_month_forms_as_we_do(code):
    base = dt.datetime(2024, 12, 20)
    months = _ours(code, "months")
    for form, month in months.items():
        if len(form) < 5:
            continue
        got = dateparser.parse(f"14 {form}", languages=[code], settings={"RELATIVE_BASE": base,
                                                                        "PREFER_DATES_FROM": "past"})
        if got is not None:                 # the locatives ("у грудні") are ours alone
            assert (got.month, got.day) == (month, 14), form
        ours = resolve_date(f"Обстріл 14 {form}.", base.date(), lang=code)
        assert ours[0].endswith(f"-{month:02d}-14"), (form, ours)
