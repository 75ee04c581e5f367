"""A site damaged, destroyed or on fire with no strike and no cause named, in Ukrainian and
Russian (the way regional administrations and governors report a strike's aftermath): at an
energy site an energy_strike, at an ammunition depot or airfield a missile_strike (a strike whose
means is unsaid); not when the sentence names an accident, nor in English, whose rules have no
such reading.

Every sentence was written for these tests; places come as mentions (tests/test_events.py).
"""

from __future__ import annotations

import pytest

from geo.events.triggers import _lexicon

from test_events import extract, one


@pytest.mark.parametrize("text, code", [
    ("У Харкові горить нафтобаза.", "uk"),
    ("Уночі в Дніпрі пошкоджено електропідстанцію, частина міста без світла.", "uk"),
    ("Рятувальники загасили пожежу на НПЗ у Запоріжжі.", "uk"),
    ("У Сумах зруйновано лінію електропередачі.", "uk"),
    ("В Брянске горит нефтебаза.", "ru"),
    ("В Белгороде повреждена электроподстанция, без света остались жители нескольких районов.", "ru"),
    ("Пожарные ликвидировали возгорание на нефтехранилище в Белгороде.", "ru"),
])
def test_harm_to_an_energy_site_is_an_energy_strike(text, code):
    e = one(extract(text, lang=code))
    assert e.event_type == "energy_strike"


@pytest.mark.parametrize("text, code", [
    ("Пожежа на підстанції в Харкові сталася через коротке замикання.", "uk"),     # an accident
    ("У Дніпрі через несправність обладнання загорілася електропідстанція.", "uk"),
    ("У Харкові горить житловий будинок.", "uk"),                                  # no energy site
    ("У Сумах подорожчало пальне.", "uk"),                                        # fuel, not a site
    ("Нафтобаза в Харкові може загорітися від спеки.", "uk"),                      # a hedge
    ("В Брянске из-за короткого замыкания загорелась подстанция.", "ru"),
    ("В Белгороде сгорел жилой дом.", "ru"),
    ("Подстанция в Брянске не повреждена.", "ru"),                                 # negation
    ("У Дніпрі встановили пожежні гідранти біля нафтобази.", "uk"),                # fire hydrants: no fire
    ("В Белгороде пожарные провели учения на подстанции.", "ru"),
    ("У Харкові пошкоджено трубопровід, частина будинків без води.", "uk"),        # a pipe may carry water
    ("Нафтобаза в Харкові загорілася через спеку.", "uk"),                        # the heat
])
def test_no_energy_strike_without_harm_to_a_site_or_with_an_accident(text, code):
    assert [e for e in extract(text, lang=code) if e.event_type == "energy_strike"] == []


def test_a_hot_night_is_no_heat():
    # "спекотна ніч" (a hot night) is what reports call a night of heavy strikes, not a heatwave
    e = one(extract("ЗСУ влаштували окупантам спекотну ніч у Херсоні: знищено склади з боєприпасами.", lang="uk"))
    assert e.event_type == "missile_strike"


def test_an_attack_named_keeps_its_own_reading():
    # with a strike named, the drone strike stands as before: the aftermath reading is only
    # for the sentence that names no strike
    e = one(extract("Дрони атакували нафтобазу в Брянську, там пожежа.", lang="uk"))
    assert e.event_type == "energy_strike" and "атакували" in " ".join(e.triggers)


def test_english_has_no_aftermath_reading():
    assert _lexicon("en").energy_site == 0
    assert extract("A fire broke out at an oil depot in Kharkiv.", lang="en") == []


@pytest.mark.parametrize("text, code", [
    ("З'явилися фото знищеного складу боєприпасів окупантів у Херсоні.", "uk"),
    ("Супутникові знімки знищених літаків на авіабазі у Дніпрі.", "uk"),
    ("У Сумах пошкоджено командний пункт.", "uk"),
    ("В Белгороде уничтожен склад с боеприпасами.", "ru"),
    ("На аэродроме в Брянске горят ангары.", "ru"),
])
def test_harm_to_a_military_site_is_a_strike_whose_means_is_unsaid(text, code):
    assert one(extract(text, lang=code)).event_type == "missile_strike"


@pytest.mark.parametrize("text, code", [
    ("Склад боєприпасів у Херсоні знищено через порушення правил пожежної безпеки.", "uk"),
    ("Детонація боєприпасів на аеродромі в Херсоні сталася через необережне поводження з вогнем.", "uk"),
    ("На аэродроме под Брянском произошла детонация боеприпасов из-за нарушения требований пожарной безопасности.", "ru"),
    ("У Харкові пошкоджено склад меблів.", "uk"),                    # not a military site
])
def test_no_strike_where_the_text_names_an_accident_or_the_site_is_not_military(text, code):
    assert extract(text, lang=code) == []
