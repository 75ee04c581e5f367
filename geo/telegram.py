"""Telegram channel exports in: Telegram Desktop's "Export chat history" as JSON (``result.json``).

What Telegram Desktop writes, as its exporter's source says (tdesktop,
``Telegram/SourceFiles/export/output/export_output_json.cpp``, read at 3.7 of 2022 and at 6.1.2
of September 2025; the chat's ``id`` has been written since December 2018):

- One JSON object, its keys in this order: ``name`` (the channel's title; null when empty),
  ``type`` (``public_channel`` for a channel that has a username, ``private_channel`` for one
  that has none; other chats are ``personal_chat``, ``bot_chat``, ``private_group``,
  ``private_supergroup``, ``public_supergroup``, ``saved_messages``, ``replies``,
  ``verification_codes``), ``id`` (the channel's bare id, a number) and ``messages`` (a list,
  oldest first). An export of a whole account is another shape: ``about``,
  ``personal_information``, ``chats: {"about", "list": [...]}``.
- A message: ``id`` (a number, unique in its chat), ``type`` (``"message"``; ``"service"``
  for an action such as ``create_channel`` or ``pin_message``, with ``actor`` and ``action``;
  ``"unsupported"`` with nothing else, for media the exporter does not know), ``date``
  (``QDateTime::fromSecsSinceEpoch(...).toString(Qt::ISODate)``: the local time of the
  computer that exported, with no offset, ``"2024-12-14T08:15:02"``) and ``date_unixtime`` (the
  same instant as a string of seconds), ``edited``/``edited_unixtime``, ``from``/``from_id``
  (``"channel<id>"``), ``author`` (a post's signature), ``forwarded_from`` (the original's
  name, or null when hidden), ``saved_from``, ``reply_to_message_id``, ``via_bot``, media
  fields (``photo``, ``file``, ``thumbnail``, ``media_type``, ``mime_type``, ``width``,
  ``height``, ``duration_seconds``, ``poll``, ``location_information``, ``contact_information``
  ...; a file left out is ``"(File not included. Change data exporting settings to
  download.)"``), then ``text`` and ``text_entities``.
- ``text``: a string when the text is one plain run (``""`` when there is none: a photo without
  a caption; a caption *is* the text), else a list of plain strings and entity objects
  ``{"type", "text"}`` plus ``href`` (``text_link``), ``user_id`` (``mention_name``),
  ``language`` (``pre``), ``document_id`` (``custom_emoji``) or ``collapsed``
  (``blockquote``). Entity types: plain, bold, italic, underline, strikethrough, spoiler,
  code, pre, blockquote, link, text_link, mention, mention_name, hashtag, cashtag,
  bot_command, email, phone, bank_card, custom_emoji, unknown. ``text_entities`` holds the
  same runs, every one as an object.
- **No username.** No version of the exporter writes a channel's username (``public_channel``
  says only that it has one; a link to the channel is asked for in tdesktop issue #16890).
  So the message's address ``https://t.me/<username>/<id>`` is built only when the export
  names one: a top-level ``"username"`` (with or without ``@``) that the user adds beside
  ``name``, as the README says. It must be a Telegram username (4 to 32 letters, digits and
  underscores, starting with a letter), so the address always passes
  :func:`geo.articles.web_url`.
- The exporter writes control characters other than tab, newline and return as ``\\xHH``,
  which is not JSON: such an export (rare: it takes a control character in a post) is refused
  as invalid JSON, as Python's own ``json`` would refuse it.

How a message becomes an :class:`~geo.articles.Article` (through
:func:`geo.articles.article_from_record`, so every JSON Lines check applies): its text with
the entities flattened to the text a reader sees (a ``text_link``'s words, a ``link``'s
address as written, ``#hashtags`` and ``@mentions`` as text); its ``date``'s day, in the
exporter's local time; the channel's name as the source; the ``t.me`` address when there is
a username; identity ``telegram:<channel id>:<message id>``, so the same export read twice
adds nothing and a message edited later is the same record. A forwarded message keeps where
it came from as its title, "Forwarded from <name>" (the panel shows it over the whole
article). Edits and replies need nothing. Service messages, and messages with no text (a
photo, a sticker, a poll, an unsupported message), are skipped and counted
(:class:`SkippedMessages`, handed to ``on_skip`` once the file is read).

Reading is streamed with ``ijson`` (one message in memory at a time, never the whole export)
in two passes: the first (``basic_parse``, the depth bounded) checks the whole file is one
well-formed export and reads the channel (its keys may come in any order: a ``username``
appended after ``messages`` counts), the second (``items``) yields the messages. An export is at most
:data:`MAX_EXPORT_BYTES`; a message's text is at most the per-article bound; nesting is at
most :data:`MAX_DEPTH`. Every refusal is one line naming the file (and the message).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from geo.articles import DEFAULT_MAX_BYTES, Article, article_from_record
from geo.errors import InputError

__all__ = [
    "MAX_EXPORT_BYTES",
    "MAX_DEPTH",
    "CHANNEL_TYPES",
    "Channel",
    "SkippedMessages",
    "scan_export",
    "articles_from_export",
    "read_export",
    "count_messages",
    "flatten_text",
]

#: Largest export read, in bytes. A channel's text export takes 1 to 4 KB a post (the text is
#: written twice, as ``text`` and ``text_entities``), so this holds 130,000 to 500,000 posts,
#: years of the busiest war channels. Memory does not grow with it (one message at a time), except for
#: one hostile string, which the parser must hold whole: this bounds that.
MAX_EXPORT_BYTES = 512 * 1024 * 1024
#: Deepest nesting accepted. An export nests six levels at most (export, messages, message,
#: poll, answers, answer); a parser's running key paths grow with the square of the depth.
MAX_DEPTH = 32
#: Chat types read: channels. Groups are many people talking, not one outlet's reports.
CHANNEL_TYPES = frozenset({"public_channel", "private_channel"})
_OTHER_CHATS = frozenset({"personal_chat", "bot_chat", "private_group", "private_supergroup",
                          "public_supergroup", "saved_messages", "replies", "verification_codes"})
# Telegram's rule (5 to 32 characters; auctioned ones have 4): letters, digits and "_",
# starting with a letter, not ending with "_".
_USERNAME = re.compile(r"@?([A-Za-z][A-Za-z0-9_]{2,30}[A-Za-z0-9])", re.ASCII)
_HEADER_KEYS = frozenset({"name", "type", "id", "username"})
_OPEN = frozenset({"start_map", "start_array"})
_CLOSE = frozenset({"end_map", "end_array"})
_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True, slots=True)
class Channel:
    """The exported channel: ``username`` (no ``@``) only when the export names one."""

    id: int
    name: str
    type: str
    username: str | None = None

    def message_url(self, message_id: int) -> str | None:
        """``https://t.me/<username>/<id>``, or None without a username."""
        return None if self.username is None else f"https://t.me/{self.username}/{message_id}"


@dataclass(frozen=True, slots=True)
class SkippedMessages:
    """Messages of one export that are no article: service messages, and messages with no
    text (media alone, stickers, polls, unsupported ones)."""

    source: str
    service: int = 0
    no_text: int = 0

    @property
    def total(self) -> int:
        return self.service + self.no_text

    def line(self) -> str:
        """One line for the user: ``result.json: 3 Telegram messages skipped (1 service, 2 without text)``."""
        parts = [f"{n} {what}" for n, what in ((self.service, "service"), (self.no_text, "without text")) if n]
        plural = "" if self.total == 1 else "s"
        return f"{self.source}: {self.total} Telegram message{plural} skipped ({', '.join(parts)})"


# --- the stream ------------------------------------------------------------------------------

@contextlib.contextmanager
def _json_errors(source: str) -> Iterator[None]:
    """ijson's errors as one-line :class:`InputError` naming the file (yajl's own message is
    several lines, with an excerpt of the text: only its first line is kept)."""
    import ijson

    try:
        yield
    except ijson.JSONError as err:
        first = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise InputError(f"{source}: invalid JSON ({first.strip()[:100]})") from err


def _skip_bom(fh: IO[bytes]) -> None:
    start = fh.tell()
    if fh.read(len(_BOM)) != _BOM:
        fh.seek(start)


def _root_kind(event: str | None) -> str:
    return {"start_array": "a list", "start_map": "an object", None: "nothing"}.get(event, "a single value")


def scan_export(fh: IO[bytes], *, source: str) -> tuple[Channel, int]:
    """The channel an export is of and how many messages it holds, reading it all once (so a
    broken file is refused before any of it is used); ``fh`` is left where it was.

    Raises :class:`InputError` for anything that is not a well-formed Telegram channel export.
    One loop over ``ijson.basic_parse`` (no key paths: they grow with the square of the depth),
    tracking the depth itself: 1 is the top object, 2 the messages list."""
    import ijson

    start = fh.tell()
    header: dict[str, Any] = {}
    keys: set[str] = set()
    depth, key, in_messages, n = 0, None, False, 0
    _skip_bom(fh)
    with _json_errors(source):
        events = ijson.basic_parse(fh, use_float=True)
        first = next(events, (None, None))[0]
        if first != "start_map":
            raise InputError(f"{source}: not a Telegram channel export (the file holds {_root_kind(first)}, "
                             "not an object with 'messages')")
        depth = 1
        for event, value in events:
            if event in _OPEN:
                if depth == 2 and in_messages:
                    n += 1
                elif depth == 1 and key == "messages" and event == "start_array":
                    in_messages = True
                    keys.add("messages list")
                depth += 1
                if depth > MAX_DEPTH:
                    raise InputError(f"{source}: nested more than {MAX_DEPTH} levels deep; not a Telegram export")
            elif event in _CLOSE:
                depth -= 1
                if depth == 1:
                    in_messages = False
            elif depth == 1:
                if event == "map_key":
                    key = value
                    if value in _HEADER_KEYS or value in ("messages", "chats"):
                        keys.add(value)
                elif key in _HEADER_KEYS:
                    header[key] = value
            elif depth == 2 and in_messages:
                n += 1
    fh.seek(start)
    return _channel(header, keys, source), n


def _channel(header: dict[str, Any], keys: set[str], source: str) -> Channel:
    """The channel the header fields name, or why the file is not a channel export."""
    kind = header.get("type")
    if "messages list" not in keys:
        if "chats" in keys:
            raise InputError(f"{source}: a Telegram export of a whole account; export one channel with "
                             "'Export chat history' (JSON) and read its result.json")
        raise InputError(f"{source}: not a Telegram channel export (no 'messages' list); "
                         "JSON Lines files are read as .jsonl")
    if kind in _OTHER_CHATS:
        raise InputError(f"{source}: a Telegram export of a {kind} chat; only channel exports are read")
    if kind not in CHANNEL_TYPES:
        shown = kind[:40] if isinstance(kind, str) else kind
        raise InputError(f"{source}: not a Telegram channel export (its 'type' is {shown!r}, "
                         f"not one of {', '.join(sorted(CHANNEL_TYPES))})")
    cid = header.get("id")
    if not isinstance(cid, int) or isinstance(cid, bool):
        raise InputError(f"{source}: a Telegram export without the channel's numeric 'id'")
    name = header.get("name")
    name = " ".join(name.split()) if isinstance(name, str) else ""
    return Channel(id=cid, name=name[:200] or f"Telegram channel {cid}", type=kind,
                   username=_username(header.get("username"), source))


def _username(value: object, source: str) -> str | None:
    if value is None:
        return None
    m = _USERNAME.fullmatch(value.strip()) if isinstance(value, str) else None
    if m is None:
        shown = value[:40] if isinstance(value, str) else value
        raise InputError(f"{source}: 'username' {shown!r} is not a Telegram username "
                         "(4 to 32 letters, digits and underscores, starting with a letter)")
    return m.group(1)


def _messages(fh: IO[bytes], source: str) -> Iterator[object]:
    """Each item of the export's ``messages`` list, built one at a time. Only after
    :func:`scan_export` has checked the file: ``ijson.items`` keeps a key path per event,
    which is safe (and four times faster than building items here) once the depth is bounded."""
    import ijson

    _skip_bom(fh)
    with _json_errors(source):
        yield from ijson.items(fh, "messages.item", use_float=True)


# --- messages -----------------------------------------------------------------------------

def flatten_text(value: object, *, where: str) -> str:
    """A message's ``text`` (a string, or a list of strings and entity objects) as the text a
    reader sees: each entity's own ``text`` (a ``text_link``'s words, not its ``href``)."""
    if isinstance(value, str):
        return value
    if not isinstance(value, list):
        raise InputError(f"{where}: 'text' must be a string or a list of strings and entities")
    parts: list[str] = []
    for part in value:
        if isinstance(part, dict):
            part = part.get("text", "")
        if not isinstance(part, str):
            raise InputError(f"{where}: 'text' holds a part that is neither a string nor an entity with text")
        parts.append(part)
    return "".join(parts)


def _message_id(msg: dict, source: str, position: int) -> int:
    mid = msg.get("id")
    if not isinstance(mid, int) or isinstance(mid, bool) or mid < 0:
        raise InputError(f"{source}: message #{position} in the list: 'id' must be a whole number")
    return mid


def _message_date(msg: dict, where: str) -> dt.date:
    value = msg.get("date")
    if not isinstance(value, str):
        raise InputError(f"{where}: no 'date'")
    try:
        return dt.datetime.fromisoformat(value.strip()).date()
    except ValueError as err:
        raise InputError(f"{where}: bad date {value[:40]!r} (want Telegram's date and time, "
                         "2024-12-14T08:15:02)") from err


def _forwarded(msg: dict) -> str | None:
    if "forwarded_from" not in msg:
        return None
    name = msg["forwarded_from"]
    name = " ".join(name.split())[:200] if isinstance(name, str) else ""
    return f"Forwarded from {name}" if name else "Forwarded"


def _skip_reason(msg: dict) -> str | None:
    """"service" or "no_text" when the message is no article, else None."""
    kind = msg.get("type")
    if kind == "service":
        return "service"
    if kind != "message":
        return "no_text"        # "unsupported" media, or a type this reader does not know
    return None


def _message_article(msg: object, *, channel: Channel, source: str, position: int,
                     max_bytes: int, default_lang: str | None = None) -> Article | str:
    """The message's article, or the reason it is skipped ("service", "no_text")."""
    if not isinstance(msg, dict):
        raise InputError(f"{source}: message #{position} in the list is not a JSON object")
    reason = _skip_reason(msg)
    if reason is not None:
        return reason
    mid = _message_id(msg, source, position)
    where = f"{source}: message {mid}"
    raw = msg.get("text", msg.get("text_entities", ""))
    text = flatten_text(raw, where=where)
    if not text.strip():
        return "no_text"
    record = {"id": f"telegram:{channel.id}:{mid}", "text": text, "date": _message_date(msg, where),
              "source": channel.name, "title": _forwarded(msg), "url": channel.message_url(mid)}
    return article_from_record(record, where=where, max_bytes=max_bytes, default_lang=default_lang)


def articles_from_export(
    fh: IO[bytes],
    *,
    source: str,
    max_bytes: int = DEFAULT_MAX_BYTES,
    on_error: Callable[[InputError], None] | None = None,
    on_skip: Callable[[SkippedMessages], None] | None = None,
    default_lang: str | None = None,
) -> Iterator[Article]:
    """The articles of a Telegram channel export read from ``fh`` (seekable, binary; from its
    current position). ``max_bytes`` bounds each message's text; ``default_lang`` is the
    language of the messages (None: detected for each).

    A file that is not a well-formed channel export raises :class:`InputError` before anything
    is yielded. A bad message raises too, or with ``on_error`` is handed to it and reading goes
    on. Skipped messages are counted and, when there are any, handed to ``on_skip`` once the
    last message is read."""
    channel, _ = scan_export(fh, source=source)
    skipped = {"service": 0, "no_text": 0}
    for position, msg in enumerate(_messages(fh, source), 1):
        try:
            got = _message_article(msg, channel=channel, source=source, position=position, max_bytes=max_bytes,
                                   default_lang=default_lang)
        except InputError as err:
            if on_error is None:
                raise
            on_error(err)
            continue
        if isinstance(got, str):
            skipped[got] += 1
        else:
            yield got
    if on_skip is not None and sum(skipped.values()):
        on_skip(SkippedMessages(source, **skipped))


def _open_bounded(path: Path) -> IO[bytes]:
    try:
        size = path.stat().st_size
        if size == 0:
            raise InputError(f"{path.name}: empty file")
        if size > MAX_EXPORT_BYTES:
            raise InputError(f"{path.name}: too large for a Telegram export ({size:,} bytes; "
                             f"the limit is {MAX_EXPORT_BYTES:,})")
        return path.open("rb")
    except OSError as err:
        raise InputError(f"{path.name}: cannot read ({err.strerror or err})") from err


def read_export(path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES,
                on_error: Callable[[InputError], None] | None = None,
                on_skip: Callable[[SkippedMessages], None] | None = None,
                default_lang: str | None = None) -> Iterator[Article]:
    """The articles of the Telegram channel export at ``path``; as :func:`articles_from_export`,
    and the file is at most :data:`MAX_EXPORT_BYTES`. The source named in errors is the file
    name; the articles' source is the channel."""
    path = Path(path)
    with _open_bounded(path) as fh:
        yield from articles_from_export(fh, source=path.name, max_bytes=max_bytes, on_error=on_error,
                                        on_skip=on_skip, default_lang=default_lang)


def count_messages(path: str | Path) -> int:
    """How many messages the export at ``path`` holds (for a progress bar: each is read or
    skipped); 1 for a file that is not one (it will fail as one input)."""
    path = Path(path)
    try:
        with _open_bounded(path) as fh:
            return max(1, scan_export(fh, source=path.name)[1])
    except (InputError, OSError):
        return 1
