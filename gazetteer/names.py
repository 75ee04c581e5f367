"""Matching forms of place names: pure functions, no I/O.

The gazetteer is indexed by :func:`name_key`; the geoparser computes :func:`token_key`
over text tokens and joins runs of keys with single spaces, so for every name
``name_key(name) == " ".join(token_key(t) for _, _, t in tokens(name))`` holds.

A key is a *skeleton*, not a transliteration: it keeps just enough of a name for the
spellings news actually uses to meet (Orël/Oryol/Orjol/Orel/Орёл, Stal'noi/Stalnoy/Стальной,
Krasnoye/Krasnoe, -iy/-yi/-y, ya/ia, ye/e) while distinct names stay apart.  The
cross-system pairs a skeleton cannot join (Kiev/Kyiv, Kharkov/Kharkiv, g/h) meet
through the alternate names stored with each entry instead.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

__all__ = [
    "tokens",
    "token_key",
    "name_key",
    "cyrillic_key",
    "admin_form",
    "AdminForm",
    "ADMIN_WORDS",
    "is_cyrillic",
]

#: Apostrophe-like marks that stay inside a token (Stal'noi, Мар'їнка, Kon’).  Some of
#: them are Unicode letters (ʼ ʹ ʻ), so they are listed for both tokenising and removal.
_APOSTROPHES = "'’ʼ`‘ʹʻ′´"

# A token is a run of letters, digits and combining marks, possibly joined by internal
# apostrophes.  Combining marks are included so that stress marks (Ку́рск) and
# decomposed diacritics do not split a word.
# (One character class, not an alternation: tokenising is on every hot path.  The
# underscore, a \w character, is blanked before matching instead.)
_WORD = r"[\w\u0300-\u036f\u0483-\u0489\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]"
_TOKEN_RE = re.compile(rf"{_WORD}+(?:[{_APOSTROPHES}]{_WORD}+)*")

# Soft and hard signs carry no sound of their own in any romanisation that news uses.
_DROP = {ord(c): None for c in _APOSTROPHES + "ьъЬЪ\u00ad"}

_CYRILLIC_RE = re.compile(r"[\u0400-\u04ff\u0500-\u052f]")
_UKRAINIAN_LETTERS = frozenset("іїєґ")

# Russian and Ukrainian letters to a plain Latin that the skeleton rules below then
# fold: й/и/ы all become y or i (folded together), ё becomes yo (folded to e after a
# consonant).  г is h in Ukrainian (Horlivka) and g in Russian (Gorlovka): a token is
# read as Ukrainian when it contains a letter only Ukrainian has.
_COMMON = {
    "а": "a", "б": "b", "в": "v", "д": "d", "е": "e", "ж": "zh", "з": "z", "й": "i",
    "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s",
    "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ю": "iu", "я": "ia",
    # Belarusian and South Slavic letters that turn up in alternate names.
    "ў": "u", "ј": "i", "љ": "lj", "њ": "nj", "ђ": "dj", "ћ": "c", "џ": "dzh",
    "ѓ": "g", "ќ": "k", "ѕ": "dz",
}
_RUSSIAN = str.maketrans({**_COMMON, "г": "g", "и": "i", "ы": "y", "э": "e", "ё": "yo",
                          "і": "i", "ї": "i", "є": "ie", "ґ": "g"})
_UKRAINIAN = str.maketrans({**_COMMON, "г": "h", "ґ": "g", "и": "y", "і": "i", "ї": "i",
                            "є": "ie", "ы": "y", "э": "e", "ё": "yo"})

# Latin letters that NFKD does not decompose, and scholarly transliteration letters
# whose English spelling is a digraph (Žytomyr -> Zhytomyr, Černihiv -> Chernihiv).
_LATIN = str.maketrans({
    "č": "ch", "š": "sh", "ž": "zh", "ł": "l", "ø": "o", "đ": "d", "ð": "d", "æ": "ae",
    "œ": "oe", "þ": "th", "ı": "i", "ŀ": "l", "ħ": "h",
})

_CONSONANT_YO = re.compile(r"(?<=[bcdfghklmnpqrstvwxz])[yj]o")


def tokens(text: str) -> list[tuple[int, int, str]]:
    """Word tokens of ``text`` with their offsets: ``[(start, end, token), ...]``.

    Letters and digits of any script make tokens; internal apostrophes (' ’ ʼ `) and
    soft or hard signs stay inside one; hyphens, spaces and punctuation split them.
    Short strings (names) are cached; article-length texts are not, so the cache never
    pins whole articles.
    """
    if len(text) <= 80:
        return list(_short_tokens(text))
    return _tokens(text)


@lru_cache(maxsize=1 << 14)
def _short_tokens(text: str) -> tuple[tuple[int, int, str], ...]:
    return tuple(_tokens(text))


def _tokens(text: str) -> list[tuple[int, int, str]]:
    if "_" in text:
        text = text.replace("_", " ")  # same length: offsets are unchanged
    # findall and str.find: a third faster than a match object per word. Every word
    # character belongs to some token, so nothing between two tokens can start the next
    # token's text: its first occurrence after the previous token is where it stands.
    out = []
    append = out.append
    find = text.find
    pos = 0
    for word in _TOKEN_RE.findall(text):
        start = find(word, pos)
        pos = start + len(word)
        append((start, pos, word))
    return out


def is_cyrillic(text: str) -> bool:
    return _CYRILLIC_RE.search(text) is not None


_MARKS_RE = re.compile("[\u0300-\u036f\u0483-\u0489\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")


def _strip_marks(text: str) -> str:
    return _MARKS_RE.sub("", unicodedata.normalize("NFKD", text))


_II = re.compile("i{2,}")


def _skeleton(text: str) -> str:
    # ё: Oryol, Orjol, Orël, Orel (and Орёл, read as "oryol"); only after a consonant,
    # so Mayorsk and Yordan keep their y, and only y/j + o, so "region" is untouched.
    if "yo" in text or "jo" in text:
        text = _CONSONANT_YO.sub("e", text)
    # j, y and i are the same sound in every romanisation of й, и, ы, ї, ю, я, є.
    text = text.replace("j", "i").replace("y", "i")
    if "ii" in text:
        text = _II.sub("i", text)
    # е/є: Yelets/Elets, Alekseyevka/Alekseevka, Krasnoye/Krasnoe.
    return text.replace("ie", "e")


@lru_cache(maxsize=1 << 18)
def token_key(token: str) -> str:
    """The matching form of one token (see the module docstring)."""
    if token.isascii():
        text = token.lower()
        if "'" in text or "`" in text:
            text = text.replace("'", "").replace("`", "")
        return _skeleton(text)
    text = unicodedata.normalize("NFC", token).casefold().translate(_DROP)
    if _CYRILLIC_RE.search(text):
        table = _UKRAINIAN if _UKRAINIAN_LETTERS.intersection(text) else _RUSSIAN
        text = text.translate(table)
    if not text.isascii():
        text = _strip_marks(text.translate(_LATIN))
    if text.isascii():
        return _skeleton(text)
    # Other scripts are kept as they are: they only ever meet their own spelling.
    return text


@lru_cache(maxsize=1 << 16)
def name_key(name: str) -> str:
    """The key a name is indexed by: its tokens' keys joined by single spaces."""
    if "_" in name:
        name = name.replace("_", " ")
    # findall yields exactly the tokens of tokens(name), without building offsets.
    return " ".join([token_key(t) for t in _TOKEN_RE.findall(name)])


# --- Cyrillic keys ----------------------------------------------------------------------

# Stress marks (Ку́рск, Харкі́в): dropped.  Other combining marks are letters' own (й, ї, ё
# decompose into a base and a mark), so only these two go.
_STRESS = {ord("\u0301"): None, ord("\u0300"): None}
_CYRILLIC_FOLD = {ord(c): None for c in _APOSTROPHES + "\u00ad"} | {ord("ё"): "е"}


@lru_cache(maxsize=1 << 16)
def cyrillic_key(name: str) -> str:
    """The key a Cyrillic name is indexed by besides its :func:`name_key`: Cyrillic kept.

    NFC, case folded, ё read as е (Russian writes both: Нехотеевка / Нехотёевка),
    apostrophes (' ’ ʼ, Мар'їнка) and stress marks dropped, tokens (split at hyphens,
    spaces and punctuation, as :func:`tokens` splits them) joined by single spaces:
    "Ростов-на-Дону" -> "ростов на дону".  Ь and ъ are kept: Cyrillic spelling always
    writes them, so they never differ between a text and the entry, and dropping them
    would merge distinct names (Ольговка / Олговка) for nothing.  Unlike
    :func:`name_key` it never guesses a romanisation: Ukrainian г and Russian г stay г,
    и, і and ы stay apart.  The gazetteer indexes every name that holds a Cyrillic letter
    under this key too (its keys are never ASCII, so they never meet a Latin key);
    :meth:`gazetteer.Gazetteer.candidates` takes either kind.
    """
    text = unicodedata.normalize("NFD", name).translate(_STRESS)
    text = unicodedata.normalize("NFC", text).casefold()
    if "_" in text:
        text = text.replace("_", " ")
    folded = (t.translate(_CYRILLIC_FOLD) for t in _TOKEN_RE.findall(text))
    return " ".join(t for t in folded if t)  # a token of apostrophes alone is no token


# --- admin forms ------------------------------------------------------------------------

#: Words that, after a stem, name a first-level unit ("Kursk region", "Kursk Oblast",
#: "Kurskaya oblast'", "Oryol regional", "Донецька область"), by their token keys.
ADMIN_WORDS = frozenset(token_key(w) for w in (
    "region", "regions", "regional", "oblast", "oblast'", "oblasti", "obl", "province",
    "krai", "kray", "territory", "oblasts",
    "область", "області", "области", "обл", "регион", "регіон", "край", "краю",
))

# Adjectival forms of a stem (Kurskaya, Kurska, Kurskoy, Донецька, Курской) -> the stem.
_ADJECTIVE_ENDINGS = re.compile(
    r"(?i)(?<=[skцк])(?:aya|aia|aja|oye|oe|oy|oi|oj|iy|yi|ij|a|ая|ой|ий|ій|ої|а)$")
# Ukrainian adjectives add -s'k- to the town's name (Kharkivska <- Kharkiv), Russian ones
# often to a stem that already ends in -sk (Kurskaya <- Kursk): both are tried.
_SK_SUFFIX = re.compile(r"(?i)(?:s['’ʼ]?k|ськ|ск)$")


@dataclass(frozen=True, slots=True)
class AdminForm:
    """An admin-unit phrase: "Kharkivska oblast" -> stems ("Kharkivsk", "Kharkiv")."""

    text: str
    word: str
    stems: tuple[str, ...]

    @property
    def stem(self) -> str:
        return self.stems[0]


@lru_cache(maxsize=8192)
def admin_form(name: str) -> AdminForm | None:
    """Recognise an admin-unit phrase; return its stem(s) and admin word, else ``None``.

    "Kursk region", "Kursk Oblast", "Kurskaya oblast'", "Donetsk region",
    "Oryol regional", "Донецька область" -> stems "Kursk", "Kursk", "Kursk",
    "Donetsk", "Oryol", "Донецьк".  Stems are returned as written, ready for
    :func:`name_key`; the most likely first.
    """
    toks = tokens(name)
    if len(toks) < 2 or token_key(toks[-1][2]) not in ADMIN_WORDS:
        # "Oblast of Kursk" is rare in news and not handled.
        return None
    stem = name[toks[0][0]:toks[-2][1]]
    stems = [stem]
    bare = _ADJECTIVE_ENDINGS.sub("", stem)
    if bare != stem and bare:
        stems = [bare, stem]
        shorter = _SK_SUFFIX.sub("", bare)
        if shorter and shorter != bare:
            stems.insert(1, shorter)
    return AdminForm(text=name, word=toks[-1][2], stems=tuple(stems))
