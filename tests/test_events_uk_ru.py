"""Events in Ukrainian and Russian: the issue's two reports, actors and sides, numbers, hedges and
negation, and excerpts that stay in their language through exports, the map and the app.

Every sentence was written for these tests. Places come as mentions (``tests/test_events.py``'s
fake geoparser, and a few more places here), so these test the events given the places; reading
inflected names is the geoparser's own tests'. Dates: tests/test_dates_uk_ru.py. One case per type
and language: tests/events/<type>.toml.
"""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from gazetteer.model import Place
from geo.articles import Article
from geo.events import events_to_frame, extract_events, frame_to_acled, frame_to_geojson
from geo.events.numbers import _numbers
from geo.events.sides import outlet_side, report_side
from geo.toponyms import Mention

from test_events import FakeGazetteer, extract, one


def _p(pid, name, kind, cc, admin1, lat, lon):
    return Place(id=pid, name=name, kind=kind, country=cc, admin1=admin1, admin1_name=None, lat=lat, lon=lon,
                 population=None, precision="point", source="test")


#: The places of the issue's two reports, by the words the reports write them with.
ISSUE_PLACES = {
    "Херсон": _p("gn:706448", "Kherson", "settlement", "UA", "UA-65", 46.6354, 32.6169),
    "Нікополь": _p("gn:700051", "Nikopol", "settlement", "UA", "UA-12", 47.5683, 34.3913),
    "Покровськом": _p("gn:708547", "Pokrovsk", "settlement", "UA", "UA-14", 48.2819, 37.1758),
    "Сумську область": _p("adm1:UA-59", "Sumy Oblast", "admin1", "UA", "UA-59", 50.9, 34.8),
    "Курахове": _p("gn:695357", "Kurakhove", "settlement", "UA", "UA-14", 47.9847, 37.2807),
    "Белгородскую область": _p("adm1:RU-BEL", "Belgorod Oblast", "admin1", "RU", "RU-BEL", 50.6, 36.6),
    "Шебекино": _p("gn:495112", "Shebekino", "settlement", "RU", "RU-BEL", 50.4134, 36.9254),
    "Суджей": _p("gn:485660", "Sudzha", "settlement", "RU", "RU-KRS", 51.1917, 35.2719),
    "Плехово": _p("rsr:32926", "Plekhovo", "settlement", "RU", "RU-KRS", 51.0997, 35.3306),
}
UK_REPORT = ("Російські війська обстріляли Херсон та Нікополь. Під Покровськом тривають бої. Ворог атакував "
             "Сумську область дронами, в Курахове загинули двоє цивільних.")
RU_REPORT = ("ВСУ атаковали Белгородскую область беспилотниками. В Шебекино погиб мирный житель. Под Суджей идут "
             "бои, российские войска освободили Плехово.")


def _issue_events(text: str, code: str, **kw) -> list:
    mentions = [Mention(m.start(), m.end(), name, place, 0.9, True, "name")
                for name, place in ISSUE_PLACES.items() for m in re.finditer(re.escape(name), text)]
    a = Article(id="a", source=kw.get("source", "report.txt"), text=text, date=dt.date(2024, 12, 14), lang=code,
                url=kw.get("url"))
    return extract_events(a, sorted(mentions, key=lambda m: m.start), gazetteer=FakeGazetteer())


def _by_place(events) -> dict[str, tuple]:
    """By place name: an event read in Ukrainian or Russian is named as its place (the written
    words are marked in its excerpt)."""
    return {e.place_name: (e.event_type, e.actors, e.numbers) for e in events}


# --- the issue's two reports ------------------------------------------------------------------

def test_the_ukrainian_report_gives_its_events():
    got = _by_place(_issue_events(UK_REPORT, "uk"))
    assert got == {
        "Kherson": ("missile_strike", {"attacker": "RU", "target": "UA"}, {}),
        "Nikopol": ("missile_strike", {"attacker": "RU", "target": "UA"}, {}),
        "Pokrovsk": ("ground_assault", {}, {}),
        # "Ворог" in a Ukrainian report is Russia
        "Sumy Oblast": ("drone_strike", {"attacker": "RU", "target": "UA"}, {}),
        # its own clause names no attacker (each clause's sides are its own words')
        "Kurakhove": ("civilian_casualties", {"target": "UA"}, {"killed": 2}),
    }


def test_the_russian_report_gives_its_events():
    got = _by_place(_issue_events(RU_REPORT, "ru"))
    assert got == {
        "Belgorod Oblast": ("drone_strike", {"attacker": "UA", "target": "RU"}, {}),
        "Shebekino": ("civilian_casualties", {"target": "RU"}, {"killed": 1}),
        "Sudzha": ("ground_assault", {}, {}),
        "Plekhovo": ("territorial_change", {"attacker": "RU"}, {}),
    }


def test_the_reports_events_keep_their_language_and_cyrillic_excerpts():
    for text, code in ((UK_REPORT, "uk"), (RU_REPORT, "ru")):
        for e in _issue_events(text, code):
            assert e.lang == code and e.excerpt in text and e.excerpt[e.place_start:e.place_end] in ISSUE_PLACES


# --- actors and sides -------------------------------------------------------------------------

@pytest.mark.parametrize("text, code, actors", [
    ("ЗСУ обстріляли Бєлгород.", "uk", {"attacker": "UA", "target": "RU"}),
    ("ВСУ обстреляли Белгород.", "ru", {"attacker": "UA", "target": "RU"}),
    ("ВС РФ обстреляли Херсон.", "ru", {"attacker": "RU", "target": "UA"}),
    ("Окупанти обстріляли Херсон.", "uk", {"attacker": "RU", "target": "UA"}),
    ("Рашисти атакували Харків дронами.", "uk", {"attacker": "RU", "target": "UA"}),
    ("Оккупанты обстреляли Херсон.", "ru", {"attacker": "RU", "target": "UA"}),
    ("Херсон обстріляли російські війська.", "uk", {"attacker": "RU", "target": "UA"}),
    ("Херсон обстріляно російськими військами.", "uk", {"attacker": "RU", "target": "UA"}),
    ("Белгород обстрелян украинскими военными.", "ru", {"attacker": "UA", "target": "RU"}),
    ("Обстріл Бєлгорода з боку ЗСУ.", "uk", {"attacker": "UA", "target": "RU"}),
    # the striker's own country: its strike hit the other side's forces there
    ("Украинский дрон атаковал склад у Курахово.", "ru", {"attacker": "UA", "target": "RU"}),
    ("ЗСУ знищили склад боєприпасів окупантів у Курахове.", "uk", {"attacker": "UA", "target": "RU"}),
    # who destroys in a strike struck; an institution before its country's genitive acts
    ("ВКС России высокоточными ракетами уничтожили склад в Запорожье.", "ru", {"attacker": "RU", "target": "UA"}),
    ("ВС России атаковали аэродром в Харькове.", "ru", {"attacker": "RU", "target": "UA"}),
])
def test_sides_named_in_each_case_and_order(text, code, actors):
    assert one(extract(text, lang=code)).actors == actors


@pytest.mark.parametrize("text, code, side", [
    # what of a side was hit follows its name ("по російських аеродромах"); a side before a
    # preposition and the thing hit is who struck, never the target
    ("Ракетний удар ЗСУ по аеродрому.", "uk", "UA"),
    ("Ракетный удар ВС РФ по аэродрому.", "ru", "RU"),
    ("Атака россиян на аэродром продолжалась час.", "ru", "RU"),
])
def test_a_side_before_a_preposition_is_not_the_target(text, code, side):
    assert [e.actors for e in extract(text, lang=code) if e.actors.get("target") == side] == []


def test_a_side_before_what_of_it_was_hit_is_the_target():
    assert one(extract("ЗСУ вдарили по російських аеродромах під Бєлгородом.", lang="uk")).actors["target"] == "RU"
    assert one(extract("Дроны атаковали российские аэродромы под Белгородом.", lang="ru")).actors["target"] == "RU"


def test_a_town_before_the_verb_is_its_object():
    # free word order: "Херсон обстріляли" is Kherson shelled, not Kherson shelling
    e = one(extract("Херсон обстріляли вночі.", lang="uk"))
    assert (e.event_type, e.place_name) == ("missile_strike", "Kherson")
    e = one(extract("Белгород атаковали беспилотники.", lang="ru"))
    assert (e.event_type, e.place_name) == ("drone_strike", "Belgorod")
    # a country in a case no subject is in is no attacker ("Росію атакували": Russia was attacked)
    e = one(extract("Росію атакували дрони, уламки впали в Брянську.", lang="uk"))
    assert e.actors == {"target": "RU"}


def test_the_enemy_of_a_ukrainian_report_is_russia():
    assert one(extract("Ворог атакував Суми дронами.", lang="uk")).actors == {"attacker": "RU", "target": "UA"}
    assert one(extract("Противник обстріляв Херсон.", lang="uk")).actors == {"attacker": "RU", "target": "UA"}
    # "our defenders" repelled an assault: the report's own side defended
    assert one(extract("Наші захисники відбили штурм біля Роботиного.", lang="uk")).actors == {"target": "UA"}


RU_SIDE = "Противник атаковал Белгород беспилотниками."
UA_SIDE = "Противник атаковал Сумы беспилотниками."


@pytest.mark.parametrize("kw, text, attacker", [
    ({"source": "Минобороны России"}, RU_SIDE, "UA"),                    # the outlet speaks for Russia
    ({"source": "mod_russia", "url": "https://t.me/mod_russia/4410"}, RU_SIDE, "UA"),
    ({"url": "https://ria.ru/20241214/udar.html"}, RU_SIDE, "UA"),
    ({"source": "Генштаб ВСУ"}, UA_SIDE, "RU"),                         # ... for Ukraine, in Russian
    ({"url": "https://t.me/GeneralStaffZSU/20101"}, UA_SIDE, "RU"),
    ({"url": "https://www.unian.net/war/udar.html"}, UA_SIDE, "RU"),
    ({}, RU_SIDE, None),                                                # no outlet: Russian has no default
    ({}, UA_SIDE, None),
])
def test_the_enemy_of_a_russian_report_is_its_outlets_other_side(kw, text, attacker):
    e = one(extract(text, lang="ru", **kw))
    assert e.actors.get("attacker") == attacker


def test_a_russian_report_without_an_outlet_goes_by_its_words():
    # "оккупанты" is written by Ukraine's side only: that report's enemy is Russia
    e = extract("Оккупанты снова обстреляли Херсон. Противник атаковал Сумы беспилотниками.", lang="ru")
    assert [(x.place_name, x.actors) for x in e] == [
        ("Kherson", {"attacker": "RU", "target": "UA"}), ("Sumy", {"attacker": "RU", "target": "UA"})]
    # "киевский режим" by Russia's: that report's enemy is Ukraine
    e = one(extract("Киевский режим продолжает атаки. Противник атаковал Белгород беспилотниками.", lang="ru"))
    assert e.actors == {"attacker": "UA", "target": "RU"}
    # the words of both sides: undecided
    e = one(extract("Оккупанты и киевский режим. Противник атаковал Белгород беспилотниками.", lang="ru"))
    assert "attacker" not in e.actors


def test_english_has_no_enemy_words():
    # the English data declares none: its output stays what it was
    assert "attacker" not in one(extract("The enemy attacked Sumy with drones.")).actors


@pytest.mark.parametrize("source, url, side", [
    ("Укрінформ", None, "UA"),
    ("УНИАН", None, "UA"),
    ("Інтерфакс-Україна", None, "UA"),              # not Russia's Interfax: the longer name wins
    ("Интерфакс", None, "RU"),
    ("ТАСС", None, "RU"),
    ("РИА Новости", None, "RU"),
    ("Meduza", None, None),
    ("2024-12-14-report.txt", None, None),
    (None, "https://news.liga.net/ua/politics/news/x", "UA"),   # a subdomain of a listed domain
    (None, "https://www.pravda.com.ua/news/2024/12/14/1/", "UA"),
    (None, "https://tass.ru/armiya-i-opk/1", "RU"),
    (None, "https://t.me/s/rybar/123", "RU"),                 # the web preview of a channel
    (None, "https://t.me/kpszsu/9000", "UA"),
    (None, "https://t.me/some_channel/1", None),
    (None, "https://example.org/ria.ru", None),                # a path is no domain
    ("ТАСС", "https://t.me/kpszsu/9000", "UA"),              # a channel is certain, a name in passing less so
])
def test_outlet_side(source, url, side):
    assert outlet_side(source, url) == side


def test_report_side_order():
    a = Article(id="a", source="x", text="Противник атакував.", lang="uk")
    assert report_side(a) == "UA"                                      # Ukrainian: Ukraine's
    a = Article(id="a", source="ТАСС", text="Противник атакував.", lang="uk")
    assert report_side(a) == "RU"                                      # an outlet wins over the language
    a = Article(id="a", source="x", text="Противник атаковал.", lang="ru")
    assert report_side(a) is None
    a = Article(id="a", source="x", text="Противник атаковал. Это СВО.", lang="ru")
    assert report_side(a) == "RU"


# --- numbers ------------------------------------------------------------------------------

@pytest.mark.parametrize("text, code, numbers", [
    ("Загинули двоє цивільних.", "uk", {"killed": 2}),
    ("Троє людей загинули, п'ятеро поранені.", "uk", {"killed": 3, "injured": 5}),
    ("Поранено п’ятеро мешканців.", "uk", {"injured": 5}),             # the apostrophe as ’
    ("Загинуло 7 людей, ще 12 отримали поранення.", "uk", {"killed": 7, "injured": 12}),
    ("Кількість загиблих зросла до 9.", "uk", {"killed": 9}),
    ("Загинула жінка.", "uk", {"killed": 1}),
    ("Поранено чоловіка та його сина.", "uk", {"injured": 2}),
    ("Сили ППО збили 40 з 50 дронів.", "uk", {"downed": 40, "drones": 50}),
    ("Ворог запустив 1 200 ударних БпЛА.", "uk", {"drones": 1200}),
    ("Погибли двое мирных жителей.", "ru", {"killed": 2}),
    ("Пятеро человек ранены.", "ru", {"injured": 5}),
    ("Погибли 7 человек.", "ru", {"killed": 7}),
    ("Погиб мирный житель.", "ru", {"killed": 1}),
    ("ПВО сбила 12 беспилотников.", "ru", {"downed": 12, "drones": 12}),
    ("Выпущено четыре ракеты.", "ru", {"missiles": 4}),
])
def test_numbers(text, code, numbers):
    assert _numbers(text, lang=code) == numbers


def test_a_placeless_clauses_toll_and_counts_are_the_place_befores():
    # the clauses after the strike's: its dead in one, its wounded in the next, then the speaker
    ev = one(extract("Росія атакувала Запоріжжя ракетами: загинули дві людини, ще 11 поранені, "
                     "повідомив голова ОВА.", lang="uk"))
    assert (ev.place_name, ev.event_type, ev.tags) == ("Zaporizhzhia", "civilian_casualties", ("missile_strike",))
    assert ev.numbers == {"killed": 2, "injured": 11}


# --- hedges, negation, habits -----------------------------------------------------------------

@pytest.mark.parametrize("text, code", [
    ("Херсон сьогодні не обстрілювали.", "uk"),                 # negation right before
    ("Окупанти могли б обстріляти Херсон.", "uk"),              # a hedge up to three words before
    ("Росія планує атакувати Суми дронами.", "uk"),
    ("Окупанти регулярно обстрілюють Херсон.", "uk"),          # a habit, not an incident
    ("Херсон сегодня не обстреливали.", "ru"),
    ("Оккупанты могли бы обстрелять Херсон.", "ru"),
    ("Россия планирует атаковать Сумы беспилотниками.", "ru"),
    ("Оккупанты регулярно обстреливают Херсон.", "ru"),
])
def test_hedged_negated_and_habitual_sentences_give_no_event(text, code):
    assert extract(text, lang=code) == []


def test_negation_drops_only_the_word_after_it():
    # "не лише" (not only): the negation is of "лише", the shelling stands
    e = one(extract("Окупанти не лише обстріляли Херсон, а й атакували його дронами.", lang="uk"))
    assert e.event_type in ("missile_strike", "drone_strike")


# --- excerpts stay in their language -----------------------------------------------------------

def _uk_events():
    return extract("Російські дрони атакували Харків уночі, пошкоджено житловий будинок «Сонячний».", lang="uk")


def test_excerpts_stay_cyrillic_in_every_export(tmp_path):
    from geo.store import EventStore

    events = _uk_events()
    excerpt = events[0].excerpt
    assert excerpt.startswith("Російські дрони") and events[0].place_name == "Kharkiv"
    frame = events_to_frame(events)
    geojson = json.loads(frame_to_geojson(frame))
    assert geojson["features"][0]["properties"]["excerpt"] == excerpt
    assert "Російські дрони" in frame_to_geojson(frame)            # written as UTF-8, not \u escapes
    acled = frame_to_acled(frame)
    assert excerpt in acled["notes"].iloc[0] and acled["location"].iloc[0] == "Kharkiv"
    store = EventStore(tmp_path / "events.gpkg")
    store.add([(Article(id="a1", source="t", text="Російські дрони атакували Харків", lang="uk"), events)])
    back = store.read_events()
    assert back["excerpt"].iloc[0] == excerpt and back["lang"].iloc[0] == "uk"
    path = store.export("csv", tmp_path / "events.csv")
    assert excerpt in (tmp_path / "events.csv").read_text(encoding="utf-8") or excerpt in (path or "")


def test_excerpts_stay_cyrillic_in_the_map_popup_and_the_panel():
    from geo.maps import build_map, popup_properties
    from geo.view import excerpt_markdown

    events = _uk_events()
    row = events_to_frame(events).drop(columns="geometry").iloc[0].to_dict()
    props = popup_properties(row)
    assert "<mark>Харків</mark>" in props["bl_excerpt"] and "Російські дрони атакували" in props["bl_excerpt"]
    assert "«Сонячний»" in props["bl_excerpt"]                      # escaped only where HTML needs it
    panel = excerpt_markdown(row["excerpt"], row["place_start"], row["place_end"])
    assert "<mark>Харків</mark>" in panel and "Російські дрони атакували" in panel
    html = build_map(events_to_frame(events), tiles=False).get_root().render()
    assert "Російські дрони атакували" in html
