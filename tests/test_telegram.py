"""Telegram channel exports (geo/telegram.py): the reader, and ``ingest``, ``events`` and the
app's upload on an export.

The fixture, tests/data/telegram/result.json, is an export made up for these tests (no real
channel): in Telegram Desktop's JSON as its exporter writes it, plus the top-level
``username`` the README asks the user to add. It holds English reports (events today),
one Ukrainian and one Russian report (events once those languages ship), a text with
entities, a forwarded message, an edited reply, a photo without caption, a sticker, an
unsupported message and two service messages.
"""

from __future__ import annotations

import copy
import datetime as dt
import html
import io
import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo import telegram
from geo.articles import article_id, read_article, read_articles
from geo.errors import InputError
from geo.telegram import SkippedMessages, articles_from_export, count_messages, scan_export

FIXTURE = Path(__file__).resolve().parent / "data" / "telegram" / "result.json"
CHANNEL = "Frontline Digest (test fixture)"
CHANNEL_ID = 1987654321
USERNAME = "frontline_digest_test"
WITH_TEXT = [2, 3, 5, 6, 7, 8, 9]          # the messages that are articles
ENGLISH_PLACES = {2: "Sumy", 3: "Kupiansk", 5: "Nikopol", 9: "Bryansk"}
UKRAINIAN = "Вночі російські війська обстріляли Херсон, загинули двоє цивільних, ще п'ятеро поранені."
RUSSIAN = "Утром ВСУ атаковали беспилотниками Белгород, ранены двое мирных жителей."


def fixture_export() -> dict:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def write_export(export: dict | list, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(export, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def read(path: Path):
    """(articles, errors, skip notes) of one file through the generic reader."""
    errors: list[InputError] = []
    notes: list[SkippedMessages] = []
    got = list(read_articles(path, on_error=errors.append, on_skip=notes.append))
    return got, [str(e) for e in errors], notes


def message_id(article) -> int:
    return int(article.record_id.rsplit(":", 1)[1])


# --- the reader ---------------------------------------------------------------------------

def test_each_message_with_text_is_an_article_of_the_channel():
    articles, errors, notes = read(FIXTURE)
    assert errors == []
    assert [message_id(a) for a in articles] == WITH_TEXT
    for a in articles:
        mid = message_id(a)
        assert a.source == CHANNEL
        assert a.record_id == f"telegram:{CHANNEL_ID}:{mid}"
        assert a.id == article_id(a.text, record_id=a.record_id)
        assert a.url == f"https://t.me/{USERNAME}/{mid}"
        assert a.date_precision == "day"
    by_id = {message_id(a): a for a in articles}
    assert by_id[2].date == dt.date(2024, 12, 14)
    # 00:40 local on the 15th is 22:40 UTC on the 14th: the day is the export's local day
    assert by_id[3].date == dt.date(2024, 12, 15)
    raw = next(m for m in fixture_export()["messages"] if m["id"] == 3)
    assert dt.datetime.fromtimestamp(int(raw["date_unixtime"]), dt.timezone.utc).date() == dt.date(2024, 12, 14)
    assert by_id[5].title == "Forwarded from Example Oblast Military Administration"
    assert all(a.title is None for k, a in by_id.items() if k != 5)
    assert by_id[6].text == UKRAINIAN and by_id[7].text == RUSSIAN
    # one summary of what was left out, once the file is read
    assert notes == [SkippedMessages("result.json", service=2, no_text=3)]
    assert notes[0].line() == "result.json: 5 Telegram messages skipped (2 service, 3 without text)"


def test_entities_are_flattened_to_the_text_a_reader_sees():
    by_id = {message_id(a): a for a in read(FIXTURE)[0]}
    assert by_id[3].text == ("Russian artillery shelled Kupiansk on Saturday, wounding three civilians, "
                             "the Kharkiv regional administration said. #Kupiansk")
    assert "example.org/kharkiv" not in by_id[3].text          # a text_link's words, not its address
    assert by_id[9].text.endswith("Video: https://example.org/video/9 via @example_source")
    assert telegram.flatten_text(["a ", {"type": "custom_emoji", "text": "🔥", "document_id": "x"},
                                  {"type": "bold"}], where="w") == "a 🔥"


def test_without_a_username_there_is_no_url_and_nothing_else_changes(tmp_path):
    export = fixture_export()
    del export["username"]
    plain = read(write_export(export, tmp_path / "result.json"))[0]
    named = read(FIXTURE)[0]
    assert [a.url for a in plain] == [None] * len(WITH_TEXT)
    assert [(a.id, a.text, a.date, a.source) for a in plain] == [(a.id, a.text, a.date, a.source) for a in named]
    export["type"] = "private_channel"
    assert [a.url for a in read(write_export(export, tmp_path / "private.json"))[0]] == [None] * len(WITH_TEXT)


@pytest.mark.parametrize("given_name", ["@frontline_digest_test", " frontline_digest_test "])
def test_a_username_may_carry_its_at_sign(tmp_path, given_name):
    export = fixture_export()
    export["username"] = given_name
    articles = read(write_export(export, tmp_path / "result.json"))[0]
    assert articles[0].url == f"https://t.me/{USERNAME}/2"


@pytest.mark.parametrize("bad", ["javascript:alert(1)", "x", "has space", "a" * 40, "1digitfirst",
                                 "https://t.me/x", "trailing_", 42])
def test_a_username_that_is_no_telegram_username_refuses_the_file(tmp_path, bad):
    export = fixture_export()
    export["username"] = bad
    path = write_export(export, tmp_path / "result.json")
    articles, errors, _ = read(path)
    assert articles == []
    assert len(errors) == 1 and errors[0].startswith("result.json: 'username'") and "\n" not in errors[0]


def test_identity_is_channel_and_message_so_an_edit_is_the_same_record(tmp_path):
    first = read(FIXTURE)[0]
    export = fixture_export()
    edited = next(m for m in export["messages"] if m["id"] == 2)
    edited["text"] = "Corrected: " + edited["text"]
    edited["edited"] = "2024-12-20T10:00:00"
    again = read(write_export(export, tmp_path / "result.json"))[0]
    assert [a.id for a in again] == [a.id for a in first]
    assert again[0].text != first[0].text
    export["id"] = CHANNEL_ID + 1                               # another channel: other records
    other = read(write_export(export, tmp_path / "other.json"))[0]
    assert not {a.id for a in other} & {a.id for a in first}


def _export_with(messages: list) -> dict:
    export = fixture_export()
    export["messages"] = messages
    return export


def test_a_bad_message_is_named_and_the_rest_go_on(tmp_path):
    export = fixture_export()
    by_id = {m["id"]: m for m in export["messages"]}
    by_id[5]["date"] = "2024-13-40T10:05:00"
    by_id[8]["text"] = 12345
    by_id[9]["text"] = ["ok ", 7]
    export["messages"].insert(3, "not an object")
    export["messages"].append({"id": "13", "type": "message", "date": "2024-12-19T10:00:00", "text": "Sumy."})
    path = write_export(export, tmp_path / "result.json")
    articles, errors, notes = read(path)
    assert [message_id(a) for a in articles] == [2, 3, 6, 7]
    assert len(errors) == 5 and all("\n" not in e for e in errors)
    assert any(e.startswith("result.json: message 5: bad date '2024-13-40T10:05:00'") for e in errors), errors
    assert any(e.startswith("result.json: message 8: 'text'") for e in errors), errors
    assert any(e.startswith("result.json: message 9: 'text'") for e in errors), errors
    assert any(e.startswith("result.json: message #4 in the list is not a JSON object") for e in errors), errors
    assert any(e.startswith("result.json: message #14 in the list: 'id'") for e in errors), errors
    assert notes[0].total == 5
    with pytest.raises(InputError, match=r"message #4 in the list"):   # without on_error, the first one raises
        list(read_articles(path))


@pytest.mark.parametrize(("content", "says"), [
    (b'{"name": "x", "type": "public_channel", "id": 1, "messages": [{"id": 1, "ty', "invalid JSON"),
    (b"", "empty file"),
    (b"[1, 2, 3]", "not a Telegram channel export (the file holds a list"),
    (b'"just a string"', "not a Telegram channel export (the file holds a single value"),
    (b'{"name": "borderline", "version": "1.0", "dependencies": {}}', "no 'messages' list"),
    (b'{"name": "x", "type": "public_channel", "id": 1, "messages": {"id": 1}}', "no 'messages' list"),
    (b'{"about": "x", "chats": {"about": "y", "list": []}}', "a Telegram export of a whole account"),
    (b'{"name": "Mum", "type": "personal_chat", "id": 5, "messages": []}', "a personal_chat chat; only channel"),
    (b'{"name": "x", "type": "public_supergroup", "id": 5, "messages": []}', "only channel exports"),
    (b'{"name": "x", "type": "<b>", "id": 5, "messages": []}', "its 'type' is '<b>'"),
    (b'{"name": "x", "type": "public_channel", "messages": []}', "without the channel's numeric 'id'"),
    (b'{"name": "x", "type": "public_channel", "id": "12", "messages": []}', "numeric 'id'"),
    (b'{"name": "x", "type": "public_channel", "id": 1, "messages": []} {}', "invalid JSON (parse error: trailing"),
    (b'{"id": NaN}', "invalid JSON"),
    (b'{"t": "\\x0B"}', "invalid JSON"),                 # what the exporter writes for a control character
    (b'{"name": "\xff\xfe", "messages": []}', "invalid JSON"),
    (b'{"messages": [' + b"[" * 200_000 + b"]" * 200_000 + b"]}", "nested more than"),
])
def test_a_file_that_is_no_channel_export_is_refused_in_one_line(tmp_path, content, says):
    path = tmp_path / "result.json"
    path.write_bytes(content)
    articles, errors, notes = read(path)
    assert articles == [] and notes == []
    assert len(errors) == 1, errors
    assert errors[0].startswith("result.json: ") and says in errors[0] and "\n" not in errors[0], errors[0]
    assert count_messages(path) == 1


def test_a_byte_order_mark_and_any_key_order_are_read(tmp_path):
    export = fixture_export()
    username = export.pop("username")
    reordered = {"messages": export.pop("messages"), **export, "username": username}   # jq '. + {username}'
    path = tmp_path / "result.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(reordered, ensure_ascii=False).encode("utf-8"))
    articles, errors, _ = read(path)
    assert errors == [] and [a.url for a in articles] == [a.url for a in read(FIXTURE)[0]]


def test_size_limits(tmp_path, monkeypatch):
    monkeypatch.setattr(telegram, "MAX_EXPORT_BYTES", 1000)
    articles, errors, _ = read(FIXTURE)
    assert articles == [] and errors[0].startswith("result.json: too large for a Telegram export")
    monkeypatch.undo()
    # a message's text is bounded like any article's
    errors = []
    got = list(articles_from_export(io.BytesIO(FIXTURE.read_bytes()), source="up.json", max_bytes=100,
                                    on_error=lambda e: errors.append(str(e))))
    sizes = {message_id(a): len(a.text.encode("utf-8")) for a in read(FIXTURE)[0]}
    assert [message_id(a) for a in got] == [m for m, n in sizes.items() if n <= 100]
    assert len(errors) == sum(n > 100 for n in sizes.values()) > 0
    assert any(e.startswith("up.json: message 2: text too large") for e in errors), errors


def test_scan_counts_messages_and_leaves_the_file_where_it_was():
    with FIXTURE.open("rb") as fh:
        channel, n = scan_export(fh, source="result.json")
        assert fh.tell() == 0
    assert (channel.id, channel.name, channel.type, channel.username, n) == (
        CHANNEL_ID, CHANNEL, "public_channel", USERNAME, 12)
    assert count_messages(FIXTURE) == 12


def test_a_channel_with_no_name_is_named_by_its_id(tmp_path):
    export = fixture_export()
    export["name"] = None                      # what the exporter writes for an empty name
    articles = read(write_export(export, tmp_path / "result.json"))[0]
    assert {a.source for a in articles} == {f"Telegram channel {CHANNEL_ID}"}


def test_read_article_points_to_read_articles():
    with pytest.raises(InputError, match="result.json: a Telegram export holds many articles"):
        read_article(FIXTURE)


_json_leaf = st.one_of(st.none(), st.booleans(), st.integers(-2**63, 2**63 - 1),
                       st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=40))
_json = st.recursive(_json_leaf, lambda inner: st.lists(inner, max_size=4)
                     | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=12)
_message = st.fixed_dictionaries(
    {}, optional={"id": st.one_of(st.integers(-5, 10**12), _json), "type": st.sampled_from(["message", "service",
                                                                                          "unsupported", "x"]),
                  "date": st.one_of(st.just("2024-12-14T08:15:02"), st.text(max_size=30), _json),
                  "text": st.one_of(st.text(max_size=200), st.lists(st.one_of(
                      st.text(max_size=30), st.fixed_dictionaries({"type": st.text(max_size=10),
                                                                   "text": st.one_of(st.text(max_size=30), _json)}),
                      _json), max_size=6), _json),
                  "forwarded_from": _json, "text_entities": _json})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(messages=st.lists(st.one_of(_message, _json), max_size=8), username=st.one_of(st.none(), st.text(max_size=12)))
def test_any_messages_give_articles_or_one_line_errors(messages, username):
    export = {"name": "Fuzz", "type": "public_channel", "id": 7, "messages": messages}
    if username is not None:
        export["username"] = username
    data = json.dumps(export).encode("utf-8")
    errors: list[str] = []
    try:
        got = list(articles_from_export(io.BytesIO(data), source="fuzz.json", on_error=lambda e: errors.append(str(e))))
    except InputError as err:
        got, errors = [], [str(err)]
    for e in errors:
        assert e.startswith("fuzz.json: ") and "\n" not in e, e
    for a in got:
        assert a.text.strip() and a.source == "Fuzz" and a.record_id.startswith("telegram:7:")
        assert a.url is None or re.fullmatch(r"https://t\.me/[A-Za-z][A-Za-z0-9_]{2,30}[A-Za-z0-9]/\d+", a.url)


# --- ingest, events and the app's upload --------------------------------------------------

@pytest.fixture(scope="module")
def ingested(tmp_path_factory):
    """The fixture ingested into a fresh store with the real gazetteer, in this process."""
    from geo.ingest import ingest
    from geo.store import EventStore

    path = tmp_path_factory.mktemp("telegram-store") / "events.gpkg"
    summary = ingest([FIXTURE], store=EventStore(path), workers=1, progress=False)
    return summary, path


def test_ingest_stores_the_english_reports_linked_to_their_messages(ingested):
    from geo.store import EventStore

    summary, path = ingested
    assert (summary.read, summary.processed, summary.failed) == (len(WITH_TEXT), len(WITH_TEXT), ())
    assert (summary.skipped_service, summary.skipped_no_text) == (2, 3)
    assert "failed, 5 Telegram messages skipped (2 service, 3 without text); " in summary.line()
    store = EventStore(path, create=False)
    events = store.read_events()
    assert set(events["sources"]) == {CHANNEL}
    by_place = {}
    for row in events.itertuples(index=False):
        by_place.setdefault(row.place_name, []).append(row)
    for mid, place in ENGLISH_PLACES.items():
        assert place in by_place, (place, sorted(by_place))
        assert {r.url for r in by_place[place]} == {f"https://t.me/{USERNAME}/{mid}"}
    kupiansk = by_place["Kupiansk"][0]
    assert "Kupiansk" in kupiansk.excerpt and "#Kupiansk" not in kupiansk.excerpt[:10]
    articles = store.read_articles()
    assert len(articles) == len(WITH_TEXT)
    assert set(articles["url"]) == {f"https://t.me/{USERNAME}/{m}" for m in WITH_TEXT}


def test_ingest_maps_the_ukrainian_and_russian_reports_with_their_cyrillic_excerpts(ingested):
    from geo.store import EventStore

    events = EventStore(ingested[1], create=False).read_events()
    for mid, word in ((6, "Херсон"), (7, "Белгород")):
        mine = events[events["url"] == f"https://t.me/{USERNAME}/{mid}"]
        assert len(mine) and mine["excerpt"].str.contains(word).all(), (mid, word)


def test_ingest_again_adds_nothing_and_an_edited_message_is_already_stored(ingested, tmp_path):
    from geo.ingest import ingest
    from geo.store import EventStore

    _, path = ingested
    store = EventStore(path)
    before = store.count_events()
    export = fixture_export()
    next(m for m in export["messages"] if m["id"] == 2)["text"] = "Edited: drones struck Sumy overnight."
    for inputs in ([FIXTURE], [write_export(export, tmp_path / "later" / "result.json")]):
        summary = ingest(inputs, store=store, workers=1, progress=False)
        assert (summary.skipped_stored, summary.processed, summary.events_added) == (len(WITH_TEXT), 0, 0)
    assert store.count_events() == before


def test_cli_ingest_and_events_on_an_export_among_bad_ones(tmp_path, capfd):
    from geo.cli import main
    from geo.store import EventStore

    inbox = tmp_path / "inbox"
    good = write_export(fixture_export(), inbox / "ChatExport_2024-12-18" / "result.json")
    write_export({"name": "borderline", "version": "1.0"}, inbox / "package.json")
    (inbox / "truncated.json").write_bytes(good.read_bytes()[:500])
    broken = fixture_export()
    broken["id"] = 5
    next(m for m in broken["messages"] if m["id"] == 9)["date"] = "yesterday"
    write_export(broken, inbox / "other" / "result.json")
    (inbox / "note.txt").write_text("date 2024-12-19\nRussian drones struck Kharkiv overnight.\n", encoding="utf-8")

    data = tmp_path / "data"
    code = main(["ingest", "--workers", "1", "--data", str(data), str(inbox)])
    err = capfd.readouterr().err
    assert code == 1
    assert "package.json: not a Telegram channel export (no 'messages' list)" in err
    assert "truncated.json: invalid JSON" in err
    assert "result.json: message 9: bad date 'yesterday'" in err
    last = err.strip().splitlines()[-1]
    # two exports of 7 articles (one message failed) and the note
    assert re.search(r"\b14 articles read, 0 skipped as already stored, 14 processed, 3 failed, "
                     r"10 Telegram messages skipped \(4 service, 6 without text\);", last), last
    assert "Traceback" not in err
    urls = set(EventStore(data / "events.gpkg", create=False).read_events()["url"].dropna())
    assert f"https://t.me/{USERNAME}/2" in urls

    code = main(["events", str(good)])
    out, err = capfd.readouterr()
    assert code == 0, err
    assert err.strip() == "borderline: result.json: 5 Telegram messages skipped (2 service, 3 without text)"
    props = [f["properties"] for f in json.loads(out)["features"]]
    assert {p["place_name"] for p in props} >= set(ENGLISH_PLACES.values())
    assert {p["url"] for p in props if p["place_name"] in ENGLISH_PLACES.values()} == {
        f"https://t.me/{USERNAME}/{m}" for m in ENGLISH_PLACES}


def test_count_inputs_counts_an_exports_messages(tmp_path):
    from geo.ingest import count_inputs

    (tmp_path / "bad.json").write_text("{", encoding="utf-8")
    assert count_inputs([FIXTURE, tmp_path / "bad.json"]) == 12 + 1


def test_upload_reads_an_export_and_says_what_it_skipped():
    from geo.view import articles_from_upload

    result = articles_from_upload("result.json", FIXTURE.read_bytes())
    assert [message_id(a) for a in result.articles] == WITH_TEXT and result.errors == ()
    assert result.notes == ("result.json: 5 Telegram messages skipped (2 service, 3 without text)",)
    bad = articles_from_upload("../settings.json", b'{"theme": "dark"}')
    assert bad.articles == () and bad.errors[0].startswith("settings.json: not a Telegram channel export")
    assert articles_from_upload("x.json", b"  ").errors == ("x.json: empty file",)


AppTest = pytest.importorskip("streamlit.testing.v1").AppTest
APP = str(Path(__file__).resolve().parents[1] / "streamlit_app.py")


def test_app_upload_stores_the_export_and_links_its_events_to_telegram(monkeypatch, tmp_path):
    monkeypatch.delenv("BORDERLINE_EVENTS", raising=False)
    monkeypatch.setenv("BORDERLINE_DATA", str(tmp_path / "data"))
    at = AppTest.from_file(APP, default_timeout=300)
    at.run()
    at.file_uploader(key="upload_files").set_value([
        ("result.json", FIXTURE.read_bytes(), "application/json"),
        ("settings.json", b'{"theme": "dark"}', "application/json")])
    at.form_submit_button[1].click().run()
    assert not at.exception, [e.value for e in at.exception]
    ok = [html.unescape(s.value) for s in at.success]
    assert any(s.startswith(f"result.json: {len(WITH_TEXT)} articles stored") for s in ok), ok
    notes = [html.unescape(i.value) for i in at.info]
    assert "result.json: 5 Telegram messages skipped (2 service, 3 without text)" in notes, notes
    errors = [html.unescape(e.value) for e in at.error]
    assert any(e.startswith("settings.json: not a Telegram channel export") for e in errors), errors
    table = at.dataframe[0].value
    assert set(table["article"]) == {CHANNEL}
    kupiansk = table[table["place_label"].astype(str).str.contains("Kupiansk")]
    assert list(kupiansk["url"]) == [f"https://t.me/{USERNAME}/3"]
    at.session_state["events_map"] = {"last_object_clicked_popup": f"Type\tx\nEvent id\t{kupiansk['event_id'].iloc[0]}"}
    at.run()
    assert not at.exception
    assert [b.proto.url for b in at.get("link_button")] == [f"https://t.me/{USERNAME}/3"]
    panel = "\n".join(m.value for m in at.markdown)
    assert "Russian artillery shelled <mark>Kupiansk</mark>" in panel


def test_messages_are_detected_in_their_language_unless_the_caller_names_one():
    detected = {message_id(a): a.lang for a in read_articles(FIXTURE)}
    assert (detected[5], detected[6], detected[7]) == ("en", "uk", "ru")
    # --lang / the app's choice is for input that states no language: it applies to every message
    given = {message_id(a): a.lang for a in read_articles(FIXTURE, default_lang="uk")}
    assert set(given.values()) == {"uk"}
