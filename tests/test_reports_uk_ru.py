"""The two reports at the top of issue 15, end to end: read as articles (their language detected),
parsed, typed and located by the real pipeline. Each event is named by its place's name (the
English interface), while its excerpt keeps the report's own words."""

from __future__ import annotations

import pytest

from geo.articles import article_from_text
from geo.pipeline import Pipeline

UK = ("Російські війська обстріляли Херсон та Нікополь. Під Покровськом тривають бої. Ворог атакував "
      "Сумську область дронами, в Курахове загинули двоє цивільних.")
RU = ("ВСУ атаковали Белгородскую область беспилотниками. В Шебекино погиб мирный житель. Под Суджей идут "
      "бои, российские войска освободили Плехово.")


@pytest.fixture(scope="module")
def pipe(gazetteer) -> Pipeline:
    from geo.borders import load_border
    from geo.resolution import Geoparser

    return Pipeline(gazetteer=gazetteer, geoparser=Geoparser.build(gazetteer), border=load_border())


def events_of(pipe: Pipeline, text: str):
    article = article_from_text(text, source="report")
    return article, pipe.process(article)


def test_the_ukrainian_report_gives_its_five_events(pipe):
    article, events = events_of(pipe, UK)
    assert article.lang == "uk"
    got = {(e.place_name, e.admin1, e.event_type) for e in events}
    assert got == {("Kherson", "UA-65", "missile_strike"), ("Nikopol", "UA-12", "missile_strike"),
                   ("Pokrovsk", "UA-14", "ground_assault"), ("Sumy Oblast", "UA-59", "drone_strike"),
                   ("Kurakhove", "UA-14", "civilian_casualties")}
    by_name = {e.place_name: e for e in events}
    assert by_name["Pokrovsk"].precision == "hromada"            # "під Покровськом": near it
    assert by_name["Sumy Oblast"].precision == "region"
    assert by_name["Kherson"].actors.get("attacker") == "RU"
    # the excerpt is the report's own text, with the written form marked
    pk = by_name["Pokrovsk"]
    assert pk.excerpt[pk.place_start:pk.place_end] == "Покровськом"
    assert all(e.lang == "uk" for e in events)


def test_the_russian_report_gives_its_events_in_russia_and_none_in_poltava_oblast(pipe):
    article, events = events_of(pipe, RU)
    assert article.lang == "ru"
    got = {(e.place_name, e.admin1, e.event_type) for e in events}
    assert got == {("Belgorod Oblast", "RU-BEL", "drone_strike"), ("Shebekino", "RU-BEL", "civilian_casualties"),
                   ("Sudzha", "RU-KRS", "ground_assault"), ("Plekhovo", "RU-KRS", "territorial_change")}
    assert not any(e.admin1 == "UA-53" for e in events)          # Plekhiv, Poltava oblast: never
    pl = next(e for e in events if e.place_name == "Plekhovo")
    assert pl.excerpt[pl.place_start:pl.place_end] == "Плехово" and pl.side == "RU"


@pytest.mark.parametrize("text, place, admin1", [
    # the speaker follows the verb after a comma: the name before the comma is where it happened
    ("ВСУ обстреляли село Плехово Курской области, сообщил губернатор.", "Plekhovo", "RU-KRS"),
    ("Окупанти обстріляли Шостку, повідомив голова ОВА.", "Shostka", "UA-59"),
])
def test_a_report_attributed_after_a_comma_keeps_its_place(pipe, text, place, admin1):
    _, events = events_of(pipe, text)
    assert [(e.place_name, e.admin1, e.precision) for e in events] == [(place, admin1, "settlement")]



#: A General Staff style summary written for this test: directions, the villages fought over.
GENERAL_STAFF = ("На Куп'янському напрямку ворог атакував поблизу Синьківки та Петропавлівки. "
                 "На Лиманському напрямку наші захисники відбили 11 атак в районах Терен та Греківки.")


def test_a_general_staff_summary_places_its_fighting_at_the_villages_not_the_directions(pipe):
    _, events = events_of(pipe, GENERAL_STAFF)
    got = {(e.place_name, e.admin1, e.event_type) for e in events}
    assert got == {("Synkivka", "UA-63", "ground_assault"), ("Petropavlivka", "UA-63", "ground_assault"),
                   ("Terny", "UA-14", "ground_assault"), ("Hrekivka", "UA-09", "ground_assault")}


@pytest.mark.parametrize("text, places", [
    # a pipeline's name is no village of that name (Druzhba in Uzbekistan, in Bryansk oblast);
    # the unit it is struck in is the place
    ("Drones struck the Druzhba pipeline in the Bryansk region overnight.", {("Bryansk Oblast", "RU-BRY")}),
    ("Удар по нефтепроводу Дружба в Брянской области.", {("Bryansk Oblast", "RU-BRY")}),
    ("Drones struck the Druzhba pipeline overnight.", set()),
    # where supplies go is no scene of the strike that stopped them
    ("Сійярто заявив, що постачання нафти до Угорщини припинилося після удару по нафтопроводу «Дружба».", set()),
    ("Oil supplies to Hungary stopped after a drone strike on the Druzhba pipeline.", set()),
    # a village named Druzhba is still one
    ("Russian forces shelled near Druzhba, Sumy region, with mortars.", {("Druzhba", "UA-59")}),
])
def test_a_pipelines_name_and_a_supplys_destination_are_no_scene(pipe, text, places):
    _, events = events_of(pipe, text)
    assert {(e.place_name, e.admin1) for e in events} == places


@pytest.mark.parametrize("text, places", [
    # a weapon's name is no place (Măgura in Romania, Iskandar in Uzbekistan), the strike's is
    ("Ukrainian forces attacked with 5 Magura navy drones and sank a warship near Alupka.", {"Alupka"}),
    ("Russia launched an Iskander-M at Dnipro overnight.", {"Dnipro"}),
    ("Russia fired Iskander missiles and Geran drones at Kharkiv.", {"Kharkiv"}),
    # a place before its strike stays the place
    ("Five people were killed in the Kharkiv missile strike.", {"Kharkiv"}),
])
def test_a_weapons_name_is_no_scene(pipe, text, places):
    _, events = events_of(pipe, text)
    assert {e.place_name for e in events} == places
