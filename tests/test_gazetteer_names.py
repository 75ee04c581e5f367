"""Name normalisation: pure functions, no gazetteer needed."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gazetteer.names import admin_form, name_key, token_key, tokens

# Each group: spellings that must meet (one key).
MEET = [
    ["Stal'noi Kon", "Stal’noi Kon", "Stalnoy Kon", "Стальной Конь", "Stal'noy Kon'", "STALNOJ KON"],
    ["Oryol", "Orel", "Orël", "Орёл", "Орел", "Orjol", "OREL"],
    ["Stari Terny", "Старі Терни", "Stari Terni"],
    ["Trudove", "Трудове"],
    ["Kurakhove", "Курахове"],
    ["Krasnoye", "Krasnoe", "Красное"],
    ["Krasnyy", "Krasnyi", "Krasny", "Krasniy", "Красный"],
    ["Yelets", "Elets", "Елец"],
    ["Kyiv", "Київ", "Kyyiv"],
    ["Kiev", "Киев", "Kijev", "Kiyev"],
    ["Marinka", "Мар'їнка", "Мар’їнка", "Марьинка"],
    ["Horlivka", "Горлівка"],
    ["Yasynuvata", "Iasynuvata", "Ясинувата"],
    ["Semyonovka", "Semenovka", "Semënovka", "Семёновка"],
    ["Alekseyevka", "Alekseevka", "Алексеевка"],
    ["Kursk", "Ку́рск", "KURSK", "Курск"],
    ["Zhytomyr", "Žytomyr", "Житомир"],
    ["Rostov-on-Don", "Rostov on Don", "ROSTOV-ON-DON"],
]

# Pairs of different places that must stay apart.
APART = [
    ("Orel", "Oral"), ("Bakhmut", "Bakhmach"), ("Izium", "Izmail"), ("Sumy", "Sudzha"),
    ("Kupiansk", "Kupino"), ("Donetsk", "Donetske"), ("Kursk", "Kurska"),
    ("Belgorod", "Belgorodka"), ("Kherson", "Khersones"), ("Rostov", "Rostovka"),
    ("region", "regen"), ("Mayorsk", "Maersk"),
]


@pytest.mark.parametrize("group", MEET, ids=lambda g: g[0])
def test_spellings_meet(group):
    keys = {name_key(n) for n in group}
    assert len(keys) == 1, {n: name_key(n) for n in group}


@pytest.mark.parametrize("a,b", APART)
def test_different_places_stay_apart(a, b):
    assert name_key(a) != name_key(b)


def test_cross_system_pairs_are_left_to_alternate_names():
    # A skeleton that joined these would also join many distinct places; the
    # gazetteer's alternate names join them instead (see test_gazetteer.py).
    assert name_key("Kiev") != name_key("Kyiv")
    assert name_key("Kharkov") != name_key("Kharkiv")


def test_tokens_keep_apostrophes_inside_and_split_on_hyphens():
    text = "Stal'noi Kon’ near Rostov-na-Donu, 12 km; Мар'їнка (Ку́рск)"
    got = tokens(text)
    assert [t for _, _, t in got] == ["Stal'noi", "Kon", "near", "Rostov", "na", "Donu", "12",
                                      "km", "Мар'їнка", "Ку́рск"]
    for start, end, tok in got:
        assert text[start:end] == tok


def test_tokens_split_on_underscores_and_quotes():
    assert [t for _, _, t in tokens("'Kyiv'_Kharkiv")] == ["Kyiv", "Kharkiv"]


def test_token_key_drops_soft_signs_and_apostrophes():
    assert token_key("Конь") == token_key("Kon'") == token_key("Kon") == "kon"
    assert token_key("Подъезд") == token_key("Podezd")


def test_ukrainian_letters_select_the_ukrainian_reading():
    # г is h in Ukrainian (Horlivka), g in Russian (Gorlovka).
    assert token_key("Горлівка") == token_key("Horlivka")
    assert token_key("Горловка") == token_key("Gorlovka")


def test_other_scripts_only_meet_themselves():
    assert token_key("庫拉霍韋") == "庫拉霍韋"
    assert name_key("Ντονέτσκ") == name_key("ΝΤΟΝΈΤΣΚ")


@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40))
def test_name_key_is_the_space_join_of_token_keys(text):
    assert name_key(text) == " ".join(token_key(t) for _, _, t in tokens(text))


@given(st.text(max_size=30))
def test_token_offsets_slice_the_text(text):
    for start, end, tok in tokens(text):
        assert text[start:end] == tok and tok


@pytest.mark.parametrize("phrase,stem", [
    ("Kursk region", "Kursk"),
    ("Kursk Oblast", "Kursk"),
    ("Kurskaya oblast'", "Kursk"),
    ("Donetsk region", "Donetsk"),
    ("Oryol regional", "Oryol"),
    ("Донецька область", "Донецьк"),
    ("Kharkivska oblast", "Kharkiv"),
    ("Krasnodar Krai", "Krasnodar"),
])
def test_admin_forms(phrase, stem):
    form = admin_form(phrase)
    assert form is not None
    assert name_key(stem) in {name_key(s) for s in form.stems}


@pytest.mark.parametrize("name", ["Kursk", "Region", "Stari Terny", "", "Donetsk city"])
def test_not_admin_forms(name):
    assert admin_form(name) is None


# --- Cyrillic keys ---------------------------------------------------------------------------

from gazetteer.names import cyrillic_key  # noqa: E402


@pytest.mark.parametrize("group", [
    ["Нехотеевка", "Нехотёевка", "НЕХОТЁЕВКА"],
    ["Мар'їнка", "Мар’їнка", "Марʼїнка", "Марїнка"],
    ["Ку́рск", "Курск", "КУРСК"],
    ["Ростов-на-Дону", "Ростов на Дону", "ростов  на-дону"],
    ["Стальной Конь", "стальной конь"],
])
def test_cyrillic_spellings_meet_under_one_cyrillic_key(group):
    assert len({cyrillic_key(n) for n in group}) == 1, [cyrillic_key(n) for n in group]


@pytest.mark.parametrize("a,b", [
    ("Горлівка", "Горловка"),   # Ukrainian and Russian forms stay apart (no romanisation)
    ("Київ", "Киев"),
    ("Ольговка", "Олговка"),    # ь is kept
    ("Подъём", "Подём"),        # and ъ
    ("Мирний", "Мирный"),       # и, і and ы are not folded
])
def test_cyrillic_keys_keep_distinct_spellings_apart(a, b):
    assert cyrillic_key(a) != cyrillic_key(b)


def test_cyrillic_key_form():
    assert cyrillic_key("Ростов-на-Дону") == "ростов на дону"
    assert cyrillic_key("Нехотёевка") == "нехотеевка"
    assert cyrillic_key("Йосипівка") == "йосипівка"  # й and ї survive the stress-mark removal
    assert cyrillic_key("Ї") == "ї"
    assert not cyrillic_key("Курахове").isascii()  # never meets a Latin name key
    assert cyrillic_key("  ") == ""


@given(st.text(alphabet="абвгдеёжзийклмнопрстуфхцчшщъыьэюяіїєґ'’ʼ- \u0301", max_size=30))
def test_cyrillic_key_is_idempotent_with_single_spaces(text):
    key = cyrillic_key(text)
    assert cyrillic_key(key) == key
    assert key == " ".join(key.split())
    assert "ё" not in key and "'" not in key and "\u0301" not in key
