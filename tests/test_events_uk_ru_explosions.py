"""Explosions told with a verb of happening or of saying, in every gender and number the past
tense takes ("стався/сталася/сталося/сталися вибух", "відбулася серія вибухів", "заявляв про
вибух", "заявил о взрыве"): a strike whose means is unsaid (missile_strike). And hits told as
arrivals ("прилетіли ракети", "прилетевшие ракеты"), not a person flying in ("прилетів").

Every sentence was written for these tests; places come as mentions (tests/test_events.py).
"""

from __future__ import annotations

import pytest

from test_events import extract, one


@pytest.mark.parametrize("text, code", [
    ("У Херсоні стався вибух.", "uk"),                          # masculine
    ("У Херсоні сталася серія вибухів.", "uk"),                  # feminine, "серія" between
    ("У Херсоні сталося два вибухи.", "uk"),                     # neuter
    ("У Херсоні вибухи сталися близько опівночі.", "uk"),        # after the noun
    ("У Дніпрі відбувся потужний вибух.", "uk"),
    ("Вибух у Дніпрі відбувся о третій ночі.", "uk"),
    ("Мер заявив про вибух у Запоріжжі.", "uk"),
    ("Голова ОВА розповів про вибухи в Сумах.", "uk"),
    ("Губернатор заявил о взрыве в Белгороде.", "ru"),
    ("Мэр рассказал о взрывах в Брянске.", "ru"),
])
def test_an_explosion_that_happened_or_was_reported_is_a_strike(text, code):
    e = one(extract(text, lang=code))
    assert e.event_type == "missile_strike"


@pytest.mark.parametrize("text, code", [
    ("У Херсоні не стався вибух.", "uk"),
    ("У Херсоні може статися вибух.", "uk"),
    ("Губернатор не заявлял о взрыве в Белгороде.", "ru"),
])
def test_a_negated_or_hedged_explosion_is_none(text, code):
    assert extract(text, lang=code) == []


# --- a hit told as an arrival ------------------------------------------------------------------

@pytest.mark.parametrize("text, code", [
    ("У Харків прилетіли дві ракети.", "uk"),
    ("У Дніпро вночі прилетіло кілька ракет.", "uk"),
    ("В Белгород прилетело несколько ракет.", "ru"),
    ("Прилетевшие в Брянск ракеты повредили депо.", "ru"),
])
def test_missiles_that_arrived_struck(text, code):
    assert one(extract(text, lang=code)).event_type == "missile_strike"


@pytest.mark.parametrize("text, code", [
    ("Прем'єр прилетів до Харкова.", "uk"),
    ("Президент прилетел в Белгород.", "ru"),
    ("Вони прилетіли до Харкова , у це холодне осіннє місто , одним літаком .", "uk"),
    ("Министры прилетели в Белгород с визитом.", "ru"),
])
def test_a_person_flying_in_is_no_strike(text, code):
    # a visit may be a political event; never a strike
    assert [e.event_type for e in extract(text, lang=code) if e.event_type != "political"] == []
