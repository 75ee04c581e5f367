"""Resolution: context decides which entry a name means; the automaton cache; the CLI; seeds."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from geo.resolution import Geoparser, haversine_km
from geo.toponyms import Lexicon
from _geoparse_support import KURAKHOVE, SHARED, TinyGazetteer, lexicon_cache_dir


@pytest.fixture(scope="module")
def lex() -> Lexicon:
    return Lexicon.load(lexicon_cache_dir())


@pytest.fixture(scope="module")
def gp(lex) -> Geoparser:
    return Geoparser.build(TinyGazetteer(), lexicon=lex)


def resolved(gp, text, surface):
    return next(m.place for m in gp.parse_text(text) if m.text == surface)


def test_nearby_anchor_and_admin_hint_pick_the_right_trudove(gp):
    text = ("Russia claimed the capture of Trudove in the Donetsk region of east Ukraine. "
            "It lies near the industrial town of Kurakhove.")
    p = resolved(gp, text, "Trudove")
    assert p.id == "katottg:trudove-kurakhove"
    assert haversine_km(p.lat, p.lon, *KURAKHOVE) < 15


def test_without_context_the_prior_decides_and_context_can_overrule_it(gp):
    assert resolved(gp, "Trudove was quiet.", "Trudove").id == "gn:trudove-crimea"  # largest
    assert resolved(gp, "Trudove, Odesa oblast, was quiet. Trudove lies in the Odesa region.",
                    "Trudove").country == "UA"
    assert resolved(gp, "In Crimea, Trudove was shelled.", "Trudove").id == "gn:trudove-crimea"


def test_bare_city_name_is_the_city_not_its_region(gp):
    assert resolved(gp, "Drones hit Kursk overnight.", "Kursk").kind == "settlement"
    assert resolved(gp, "Drones hit the Kursk region.", "Kursk region").kind == "admin1"


def test_capital_wins_for_washington(gp):
    assert resolved(gp, "Officials in Washington said so.", "Washington").id == "gn:4140963"


def test_country_mentions_resolve_to_the_gazetteers_country_entry(gp):
    p = resolved(gp, "Fighting goes on in Ukraine.", "Ukraine")
    assert p == gp.gazetteer.country("UA")


def test_resolve_spans_one_mention_per_span_in_order(gp):
    text = "From Kyiv to Zzyzx and the Ukrainian capital."
    spans = [(text.index("Zzyzx"), text.index("Zzyzx") + 5), (5, 9),
             (text.index("Ukrainian"), text.index("Ukrainian") + 9)]
    got = gp.resolve_spans(text, spans)
    assert [(m.start, m.end) for m in got] == spans
    assert got[0].place is None and got[1].place.id == "gn:703448"
    assert got[2].role == "demonym" and got[2].place.id == "country:UA"


class _CachedTiny(TinyGazetteer):
    def __init__(self, path, fingerprint):
        super().__init__()
        self.path = path
        self._fp = fingerprint

    def meta(self):
        return {"fingerprint": self._fp}


def test_automaton_is_cached_next_to_the_gazetteer_by_fingerprint(tmp_path, lex):
    db = tmp_path / "gazetteer.sqlite"
    db.write_bytes(b"")
    first = Geoparser.build(_CachedTiny(db, "fp-1"), lexicon=lex)
    cached = list(tmp_path.glob("geoparser-*.automaton"))
    assert len(cached) == 1
    again = Geoparser.build(_CachedTiny(db, "fp-1"), lexicon=lex)
    assert len(again.index) == len(first.index)
    text = "Trudove near Kurakhove in the Donetsk region."
    assert [m.place.id for m in again.parse_text(text)] == [m.place.id for m in first.parse_text(text)]
    Geoparser.build(_CachedTiny(db, "fp-2"), lexicon=lex)  # a rebuilt gazetteer
    now = list(tmp_path.glob("geoparser-*.automaton"))
    assert len(now) == 1 and now != cached


def test_cli_parse_refuses_binary_with_one_line(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x00\x01\x02")
    r = subprocess.run([sys.executable, "-m", "geo", "parse", str(bad)], capture_output=True, text=True)
    assert r.returncode == 2
    assert r.stderr.strip().count("\n") == 0 and "bad.txt" in r.stderr and "Traceback" not in r.stderr


# --- with the real gazetteer ---------------------------------------------------------------

@pytest.fixture(scope="module")
def real_gp():
    from gazetteer import Gazetteer
    from gazetteer.errors import GazetteerNotBuilt

    try:
        gaz = Gazetteer.open()
    except GazetteerNotBuilt:
        pytest.skip("the gazetteer is not built (borderline gazetteer build)")
    return Geoparser.build(gaz)


@pytest.mark.parametrize("text, surface, admin1", [
    # another unit named in the article does not make a city of 100,000 its hamlet namesake
    ("A drone attack on Belgorod hurt three. Over the Bryansk region, 12 drones were downed.", "Belgorod", "RU-BEL"),
    # ... but a unit still decides a name no such city bears as its own ("Novooleksandrivka" was Melitopol)
    ("The OSCE SMM observed explosions near Novooleksandrivka in the Luhansk region.", "Novooleksandrivka", "UA-09"),
])
def test_a_unit_named_elsewhere_lifts_no_hamlet_over_a_city_of_its_name(real_gp, text, surface, admin1):
    got = {m.text: m for m in real_gp.parse_text(text)}
    assert got[surface].place.admin1 == admin1


@pytest.mark.parametrize("text, lang", [
    # an armed side's demonym says who acted, not where: no vote for Russia, whose Engels was once Pokrovsk
    ("Russian forces continued offensive operations near Pokrovsk.", "en"),
    ("Російські війська наступають біля Покровська.", "uk"),
])
def test_an_armed_sides_demonym_is_no_clue_to_where(real_gp, text, lang):
    got = [m for m in real_gp.parse_text(text, lang=lang) if m.role != "demonym"]
    assert [(m.place.name, m.place.admin1) for m in got] == [("Pokrovsk", "UA-14")]


@pytest.mark.skipif(not (SHARED / "gold" / "seeds.json").is_file(), reason="../shared is absent")
def test_seeds_places_resolved_and_not_places_not(real_gp):
    from geo.articles import read_article

    seeds = json.loads((SHARED / "gold" / "seeds.json").read_text(encoding="utf-8"))
    for art in seeds["articles"]:
        article = read_article(SHARED / art["file"])
        mentions = real_gp.parse(article)
        for want in art["places"]:
            same = [m for m in mentions if m.text == want["surface"]]
            assert same or want.get("optional"), (art["file"], want["surface"])
            for m in same:
                assert m.place is not None, want["surface"]
                if "near" in want:
                    d = haversine_km(m.place.lat, m.place.lon, *want["near"])
                    assert d <= want["within_km"], (want["surface"], m.place, d)
                else:
                    assert m.place.country == want["country"], (want["surface"], m.place)
        for bad in art["not_places"]:
            start = article.text.find(bad)
            while start >= 0:
                end = start + len(bad)
                hits = [m for m in mentions if m.start < end and start < m.end and m.place is not None]
                assert not hits, (bad, hits)
                start = article.text.find(bad, end)
        filed = real_gp.dateline_place(article)
        if art.get("dateline"):
            assert filed is not None and filed.name == art["dateline"]


def test_cli_parse_jsonl_batch_goes_on_after_a_bad_line(real_gp, tmp_path):
    f = tmp_path / "in.jsonl"
    f.write_text("\n".join([
        json.dumps({"id": "a", "text": "Drones hit Kharkiv.", "spans": [[11, 18]]}),
        "{broken",
        json.dumps({"id": "c", "text": "KYIV — Drones hit Kharkiv."}),
    ]), encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "geo", "parse", "--jsonl", str(f)],
                       capture_output=True, text=True)
    assert r.returncode == 1 and "in.jsonl:2" in r.stderr
    out = [json.loads(line) for line in r.stdout.splitlines()]
    assert [o["id"] for o in out] == ["a", "c"]
    assert out[0]["mentions"][0]["name"] == "Kharkiv"
    m = out[1]["mentions"][0]
    text = "KYIV — Drones hit Kharkiv."
    assert text[m["start"]:m["end"]] == "Kharkiv"  # offsets into the input text
    assert set(m) >= {"start", "end", "text", "lat", "lon", "place_id", "name", "kind", "country",
                      "admin1", "score", "literal"}


def test_unit_named_beside_a_name_decides(gp):
    # Crimea is named in the same sentence too; the unit beside the name decides.
    assert resolved(gp, "Drones hit Crimea and shells hit Trudove, Donetsk region, overnight.",
                    "Trudove").id == "katottg:trudove-kurakhove"
    assert resolved(gp, "Shelling hit Trudove (Crimea) overnight.", "Trudove").id == "gn:trudove-crimea"


# --- undecided homonyms: rivals ---------------------------------------------------------

def _homonyms_gp(lex) -> Geoparser:
    from _geoparse_support import PLACES, place

    # three invented villages of one name in one oblast: two 8 km apart, one 90 km away,
    # and one at Kurakhove (a nearby place the text can name)
    extra = [
        place("gn:zh-west", "Zhovtoklynivka", "settlement", "UA", 48.30, 37.00, admin1="UA-14"),
        place("gn:zh-west-2", "Zhovtoklynivka", "settlement", "UA", 48.35, 37.08, admin1="UA-14"),
        place("gn:zh-north", "Zhovtoklynivka", "settlement", "UA", 49.10, 37.40, admin1="UA-14"),
        place("gn:zh-kurakhove", "Zhovtoklynivka", "settlement", "UA", KURAKHOVE[0] + 0.03,
              KURAKHOVE[1] + 0.02, admin1="UA-14", hromada="Kurakhivska hromada"),
    ]
    return Geoparser.build(TinyGazetteer([*PLACES, *extra]), lexicon=lex)


def _mention(gp, text, surface):
    return next(m for m in gp.parse_text(text) if m.text == surface)


def test_undecided_homonyms_far_apart_are_named_as_rivals(lex):
    gp = _homonyms_gp(lex)
    m = _mention(gp, "Shelling hit Zhovtoklynivka, Donetsk region, overnight.", "Zhovtoklynivka")
    assert m.place is not None and m.place.id.startswith("gn:zh-")
    # nothing tells the four apart: every other one over 25 km from the chosen reading is a
    # rival; one nearer is the same place for a map and is not listed
    others = [p for p in gp.candidates_for("Zhovtoklynivka") if p.id != m.place.id]
    far = {p.id for p in others if haversine_km(m.place.lat, m.place.lon, p.lat, p.lon) > 25}
    assert {r.id for r in m.rivals} == far
    assert len(far) >= 2
    m2 = _mention(gp, "Shelling hit Zhovtoklynivka, Donetsk region, overnight.", "Zhovtoklynivka")
    assert m2.rivals == m.rivals  # deterministic


def test_a_homonym_within_25_km_is_no_rival(lex):
    from _geoparse_support import PLACES, place

    pair = [place("gn:zh-a", "Zhovtoklynivka", "settlement", "UA", 48.30, 37.00, admin1="UA-14"),
            place("gn:zh-b", "Zhovtoklynivka", "settlement", "UA", 48.35, 37.08, admin1="UA-14")]
    gp = Geoparser.build(TinyGazetteer([*PLACES, *pair]), lexicon=lex)
    m = _mention(gp, "Shelling hit Zhovtoklynivka, Donetsk region, overnight.", "Zhovtoklynivka")
    assert m.place.id in ("gn:zh-a", "gn:zh-b")
    assert m.rivals == ()


def test_a_nearby_place_decides_and_leaves_no_rivals(lex):
    gp = _homonyms_gp(lex)
    text = "Shelling hit Zhovtoklynivka, Donetsk region, near the town of Kurakhove."
    m = _mention(gp, text, "Zhovtoklynivka")
    assert m.place.id == "gn:zh-kurakhove"
    assert m.rivals == ()


def test_a_name_put_near_a_town_keeps_only_the_readings_near_it(lex):
    from _geoparse_support import PLACES, place

    # a big namesake far away would outrank the village near Kurakhove by size alone, and stay
    # its rival for other reports to decide; "near Kurakhove" says which is meant
    gp = Geoparser.build(TinyGazetteer([*PLACES,
                                        place("gn:zh-city", "Zhovtoklynivka", "settlement", "UA", 50.40, 30.50,
                                              admin1="UA-32", population=900_000),
                                        place("gn:zh-near", "Zhovtoklynivka", "settlement", "UA",
                                              KURAKHOVE[0] + 0.15, KURAKHOVE[1] + 0.10, admin1="UA-14")]),
                         lexicon=lex)
    m = _mention(gp, "Shelling hit Zhovtoklynivka near Kurakhove overnight.", "Zhovtoklynivka")
    assert (m.place.id, m.rivals) == ("gn:zh-near", ())
    alone = _mention(gp, "Shelling hit Zhovtoklynivka overnight.", "Zhovtoklynivka")
    assert alone.place.id == "gn:zh-city"


def test_qualifiers_and_single_readings_have_no_rivals(lex):
    gp = _homonyms_gp(lex)
    got = {m.text: m for m in gp.parse_text("Shelling hit Zhovtoklynivka, Donetsk region, and Kurakhove.")}
    assert got["Donetsk region"].role == "qualifier" and got["Donetsk region"].rivals == ()
    assert got["Kurakhove"].place.id == "gn:695357" and got["Kurakhove"].rivals == ()


def test_a_homonym_the_size_prior_decides_has_no_rivals(lex):
    from _geoparse_support import PLACES, place

    two = [place("gn:zh-town", "Zhovtoklynivka", "settlement", "UA", 48.30, 37.00, admin1="UA-14",
                 population=60_000),
           place("gn:zh-village", "Zhovtoklynivka", "settlement", "UA", 49.10, 37.40, admin1="UA-14")]
    gp = Geoparser.build(TinyGazetteer([*PLACES, *two]), lexicon=lex)
    m = _mention(gp, "Shelling hit Zhovtoklynivka, Donetsk region, overnight.", "Zhovtoklynivka")
    assert m.place.id == "gn:zh-town"
    assert m.rivals == ()


def test_an_event_at_an_undecided_homonym_says_so_in_its_confidence(lex):
    import datetime as dt

    from geo.articles import article_from_text
    from geo.events import extract_events

    gp = _homonyms_gp(lex)

    def event_for(text: str):
        article = article_from_text(text, source="test", date=dt.date(2024, 5, 3))
        events = [e for e in extract_events(article, gp.parse(article), gazetteer=gp.gazetteer)
                  if e.place_name == "Zhovtoklynivka"]
        assert len(events) == 1
        return events[0]

    undecided = event_for("Russian forces shelled Zhovtoklynivka, Donetsk region, with artillery.")
    decided = event_for("Russian forces shelled Zhovtoklynivka near Kurakhove with artillery.")
    assert decided.place_id == "gn:zh-kurakhove"
    assert undecided.confidence <= 0.5 < decided.confidence


@pytest.mark.parametrize("text, expected", [
    ("DPR forces shelled Zhovtoklynivka overnight.", "gn:zh-2-donetsk"),
    ("The OSCE SMM recorded explosions near Zhovtoklynivka.", "gn:zh-2-donetsk"),
    ("LPR forces shelled Zhovtoklynivka overnight.", "gn:zh-3-luhansk"),
])
def test_a_party_that_names_the_region_decides_a_bare_homonym(lex, text, expected):
    from _geoparse_support import PLACES, place

    # one invented village name in three oblasts; the text names no oblast, only a party
    three = [place("gn:zh-2-donetsk", "Zhovtoklynivka", "settlement", "UA", 48.30, 37.90, admin1="UA-14"),
             place("gn:zh-3-luhansk", "Zhovtoklynivka", "settlement", "UA", 48.80, 39.20, admin1="UA-09"),
             place("gn:zh-1-vinnytsia", "Zhovtoklynivka", "settlement", "UA", 49.20, 28.40, admin1="UA-05")]
    gp = Geoparser.build(TinyGazetteer([*PLACES, *three]), lexicon=lex)
    got = {m.text: m for m in gp.parse_text(text)}
    assert got["Zhovtoklynivka"].place.id == expected
    assert not ({"DPR", "LPR", "OSCE", "SMM", "OSCE SMM"} & set(got)), "a party is no place"


# --- a name written in its Russian form, inside the unit the text names ----------------

def _one_village_gp(lex) -> Geoparser:
    from _geoparse_support import PLACES, place

    village = place("gn:hl-14", "Zhovtohorivka", "settlement", "UA", 48.30, 37.00, admin1="UA-14")
    return Geoparser.build(TinyGazetteer([*PLACES, village]), lexicon=lex)


def test_russian_form_found_by_context_resolves_inside_the_named_unit(lex):
    gp = _one_village_gp(lex)
    m = _mention(gp, "Artillery fired near Zhovtogorovka, Donetsk region, overnight.", "Zhovtogorovka")
    assert m.place is not None and m.place.id == "gn:hl-14"
    assert m.role == "name"


def test_russian_form_is_not_moved_outside_the_named_unit(lex):
    gp = _one_village_gp(lex)
    got = [m for m in gp.parse_text("Artillery fired near Zhovtogorovka, Crimea, overnight.")
           if m.text == "Zhovtogorovka"]
    assert all(m.place is None for m in got)


def test_ukrainian_forms_of_russian_spellings():
    from geo.resolution import _ukrainian_forms

    assert "lohvinove" in _ukrainian_forms("Logvinovo")
    assert _ukrainian_forms("Krasnoye") == ["krasne"]
    assert "novotroitske" in _ukrainian_forms("Novotroitskoye")
    assert _ukrainian_forms("Kyiv") == []
