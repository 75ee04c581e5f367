"""Event dates: the report's issue date is not the event's, an explicit event date wins.

Sentences written for these tests.
"""

from __future__ import annotations

import datetime as dt

import pytest

from geo.events import resolve_date

APRIL_2 = dt.date(2025, 4, 2)


@pytest.mark.parametrize("text", [
    "As of 19:30, 1 April, Russian forces had shelled Kherson 40 times.",
    "As of 08:00 Kyiv time on 1 April, drones had struck Sumy twice.",
    "Updated 1 April: a missile hit a warehouse in Dnipro.",
    "Last updated on April 1, the map shows new strikes near Pokrovsk.",
    "In the situation report of 1 April the ministry listed new attacks.",
])
def test_an_issue_date_is_not_the_event_date(text):
    # nothing else dates these: the article's date stands
    assert resolve_date(text, APRIL_2) == ("2025-04-02", "day", False)


def test_an_issue_date_stands_in_for_a_missing_article_date():
    text = "As of 19:30, 1 April 2025, drones attacked Sumy overnight."
    assert resolve_date(text, None) == ("2025-04-01", "day", True)
    text = "As of 19:30, 1 April 2025, new strikes were reported."
    assert resolve_date(text, None) == ("2025-04-01", "day", False)


def test_an_explicit_event_date_wins_over_the_issue_and_article_dates():
    text = "As of 1 April, officials confirmed that a drone hit Sumy on 28 March."
    assert resolve_date(text, APRIL_2) == ("2025-03-28", "day", True)
    text = "On 30 March a missile struck Dnipro, the report updated 1 April says."
    assert resolve_date(text, APRIL_2) == ("2025-03-30", "day", True)


def test_an_issue_date_hides_the_month_inside_it():
    # "updated on June 5" is not an event "on June"
    assert resolve_date("The list was updated on June 5 after new shelling.", dt.date(2025, 6, 6)) == \
        ("2025-06-06", "day", False)


def test_relative_words_count_from_the_issue_date():
    # the report was issued on 1 April: its "overnight" is 1 April, whatever day it was published
    text = "As of 19:30, 1 April, drones had attacked Sumy overnight."
    assert resolve_date(text, APRIL_2) == ("2025-04-01", "day", True)


def test_a_datelines_date_is_the_reports():
    text = "Dec 13 (Reuters) - Drones attacked Bryansk overnight, the governor said."
    assert resolve_date(text, dt.date(2024, 12, 14)) == ("2024-12-13", "day", True)
    text = "Dec 13 (Reuters) - Officials met to discuss new strikes on Bryansk."
    assert resolve_date(text, dt.date(2024, 12, 14)) == ("2024-12-14", "day", False)


def test_an_event_date_not_after_an_issue_word_is_the_event_date():
    assert resolve_date("Drones attacked Sumy on 1 April.", APRIL_2) == ("2025-04-01", "day", True)
    assert resolve_date("The strikes of 1 April hit Sumy.", APRIL_2) == ("2025-04-01", "day", True)


def test_a_sentence_goes_on_with_the_date_its_paragraph_gave():
    from test_events import extract

    text = ("On 3 December officials toured Kherson. Later a missile hit a school in Kherson.\n\n"
            "A drone struck a depot in Sumy.")
    by_place = {e.place_name: e for e in extract(text, date=dt.date(2024, 12, 14))}
    assert by_place["Kherson"].date == "2024-12-03"
    # a new paragraph dates nothing itself: the article's date
    assert by_place["Sumy"].date == "2024-12-14"


def test_an_undated_article_dates_its_events_from_the_text():
    from test_events import extract

    ev = [e for e in extract("On 9 May 2023 troops gathered near Sumy. Shelling hit Sumy.", date=None)]
    assert ev and all(e.date == "2023-05-09" and e.date_precision == "day" for e in ev)
