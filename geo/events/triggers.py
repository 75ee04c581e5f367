"""Event types of a sentence: the trigger rules and how they combine.

The rules are data: ``geo/lang/<lang>/triggers.toml`` holds one regular expression per rule
name (and the hedge and habit words); :func:`_lexicon` compiles them on first use. How the
rules combine into types is :func:`_classify`, which refers to rules by those names:

- a strike is an attack word with its means: a drone (``drone_strike``), a missile, shell,
  mortar or MLRS (``missile_strike``), an aircraft or its bombs (``air_strike``), or the rule
  that names both at once ("shelling", "airstrikes"); one word is not both means and attack;
  a strike whose means is unsaid ("a hospital damaged by a strike", "forces struck near X")
  is a ``missile_strike``, ACLED's most common code for one;
- some rules only cancel others' matches: ``not_attack`` ("heart attack", "on strike"),
  ``air_source`` ("the air force said"), ``captive`` and ``attempt`` (captured soldiers, an
  attempt to seize), ``defused``; some decide between types: ``aerial`` (an interception needs
  something in the air, else "repelled" is a ground battle), ``civilian`` / ``military``
  (whose casualties), ``armed`` (violence against civilians needs an armed side);
- a sentence whose first trigger comes after a protest word reports a protest: no war type.

Which type is primary when several fire is the registry's order (:mod:`geo.event_types`).

A language may also declare ``negation`` (words that drop a trigger right after them: "не", where
three words back would drop "не лише обстріляли") and ``passive_forms`` (a damage word passive by
its own form, "знищено", "уничтожен", read as one after a passive auxiliary). English declares
neither. A language may declare ``energy_site``, ``military_site``, ``site_harm`` and ``accident``
rules: an energy site damaged or on fire with no strike and no accident named is an
``energy_strike``, an ammunition depot or airfield a ``missile_strike`` (its reports tell a
strike by its aftermath so: :func:`_aftermath`); English declares none.

Adding a type (after its :mod:`geo.event_types` entry): its rules under ``[rules.<name>]`` in
the TOML; a few lines in :func:`_classify` that put ``found["<type id>"]`` from their matches;
the id in :data:`_TRIGGERED` (and the rule in :data:`_ALONE` if it can type a sentence on its
own, else :func:`_may_trigger` skips the sentence before it runs); the type in
:data:`_FALLBACK_TYPES` / :data:`_STRIKE_TYPES` if it is a strike; its cases in
``tests/events/<type id>.toml`` without ``untriggered``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from geo import lang
from geo.event_types import TYPE_IDS
from geo.events.gates import _Gated, _on_first_build
from geo.lang import DEFAULT_LANGUAGE

__all__: list[str] = []

#: The types :func:`_classify` can give (a registered type missing here has no triggers yet;
#: tests/test_event_types.py holds the two lists together).
_TRIGGERED = frozenset({"civilian_casualties", "violence_against_civilians", "energy_strike",
                        "territorial_change", "air_defense", "explosive_device", "air_strike", "missile_strike",
                        "drone_strike", "ground_assault", "troop_deployment", "political"})

#: Rules without which no type can fire (a sentence with none of them open is skipped);
#: most type a sentence alone, a few need a companion (air_defense an aerial object, shooting a
#: civilian); an attack word needs a weapon, an aircraft, an energy target or damage (see
#: :func:`_classify`).
_ALONE = ("drone_self", "missile_self", "air_self", "air_defense", "ground", "casualty", "remains", "mass_grave", "territory",
          "deploy", "political", "explosive", "abuse", "shooting")
_ATTACK_OBJECTS = ("drone", "missile", "aircraft", "energy", "damage", "struck_site", "strike_verb")
#: Weapons that with damage alone make a strike ("artillery destroyed a column").
_WEAPONS = ("drone", "missile", "aircraft")
#: Rules a language declares all together or not at all: those of reports that tell a strike by
#: its aftermath (:func:`_aftermath`). Ukrainian and Russian declare them; English does not.
_AFTERMATH_RULES = ("energy_site", "military_site", "site_harm", "accident")


@dataclass(frozen=True, slots=True)
class _Lexicon:
    rules: dict[str, _Gated]
    hedge: frozenset[str]
    habit: frozenset[str]
    passive: re.Pattern[str]     # an auxiliary of the passive right before a position
    passive_form: re.Pattern[str] | None    # a damage word that is itself passive ("знищено")
    negation: frozenset[str]     # words that drop a trigger right after them ("не обстрілювали")
    can_trigger: int             # bits of the rules in _ALONE
    attack_objects: int          # bits of the rules in _ATTACK_OBJECTS
    attack: int                  # bit of the attack rule
    damage: int                  # bit of the damage rule
    weapons: int                 # bits of the rules in _WEAPONS
    energy_site: int             # bit of the optional energy_site rule (0: the language has none)
    military_site: int           # bit of the optional military_site rule (0: the language has none)
    site_harm: int               # bit of the site_harm rule that goes with them


def _pattern(name: str, rule: dict[str, object]) -> str:
    if "any" in rule:
        return r"(?<!\w)(?:" + "|".join(rule["any"]) + r")\b"          # type: ignore[arg-type]
    pattern = rule.get("pattern")
    if isinstance(pattern, list):
        return "|".join(pattern)
    if isinstance(pattern, str):
        return pattern
    raise ValueError(f"trigger rule {name!r} has neither `any` nor `pattern`")


@lang.per_data_language
def _lexicon(code: str) -> _Lexicon:
    """The trigger rules of a language (its data's: :func:`geo.lang.data_language`), compiled
    and gated (once per process)."""
    data = lang.load("triggers", lang=code)
    rules = {name: _Gated(_pattern(name, rule)) for name, rule in data["rules"].items()}
    declared = [n for n in _AFTERMATH_RULES if n in rules]
    if declared and len(declared) < len(_AFTERMATH_RULES):
        raise ValueError(f"{code} triggers declare {declared} without the rest of {list(_AFTERMATH_RULES)}")

    def bits(names: Iterable[str]) -> int:
        out = 0
        for n in names:
            out |= rules[n].bit
        return out

    passive = re.compile(r"\b(?:" + "|".join(map(re.escape, data["passive"])) + r")\s+$")
    # optional: languages whose passive is a form of the verb itself (Ukrainian "знищено",
    # Russian "уничтожен"), and whose negation is a particle right before the verb ("не")
    form = data.get("passive_forms")
    return _Lexicon(rules, frozenset(data["hedge"]), frozenset(data["habit"]), passive,
                    re.compile(form) if form else None, frozenset(data.get("negation", ())),
                    bits(_ALONE), bits(_ATTACK_OBJECTS), rules["attack"].bit, rules["damage"].bit, bits(_WEAPONS),
                    *(rules[n].bit if declared else 0 for n in ("energy_site", "military_site", "site_harm")))


# the gate automaton must know these rules' keys before it first runs
_on_first_build(_lexicon)


def _may_trigger(gates: int, lang: str = DEFAULT_LANGUAGE) -> bool:
    """Whether any type rule of :func:`_classify` can fire with these gates open (most
    sentences: no, and they are skipped without running a regex)."""
    lx = _lexicon(lang)
    return bool(gates & lx.can_trigger or (gates & lx.attack and gates & lx.attack_objects)
                or (gates & lx.damage and gates & lx.weapons)
                or (gates & lx.site_harm and gates & (lx.energy_site | lx.military_site)))


#: Primary type when a sentence triggers several (first wins); the rest become tags: the
#: registry's order.
_PRIORITY = TYPE_IDS
#: Types that, without a named place, become country-level events at the target's country.
_FALLBACK_TYPES = frozenset({"drone_strike", "missile_strike", "air_strike", "energy_strike", "air_defense"})
#: Types whose attacker/target sides are worth stating.
_SIDED_TYPES = frozenset(_PRIORITY) - {"political"}
#: Types whose target side is the side the place is on (a strike lands where it lands).
_STRIKE_TYPES = frozenset({"drone_strike", "missile_strike", "air_strike", "energy_strike", "air_defense",
                           "civilian_casualties", "explosive_device"})

_WORD = re.compile(r"[\w][\w’'\-]*")


def _hedged(low: str, pos: int, hedge: frozenset[str], negation: frozenset[str] = frozenset()) -> bool:
    before = _WORD.findall(low[max(0, pos - 40):pos])[-3:]
    return any(w in hedge for w in before) or bool(negation and before and before[-1] in negation)


def _matches(rx: _Gated, low: str, gates: int, hedge: frozenset[str],
             negation: frozenset[str] = frozenset()) -> list[re.Match[str]]:
    if not gates & rx.bit:
        return []
    return [m for m in rx.rx.finditer(low) if not _hedged(low, m.start(), hedge, negation)]


def _outside(ms: list[re.Match[str]], cancel: list[re.Match[str]]) -> list[re.Match[str]]:
    """The matches of ``ms`` that overlap none of ``cancel``."""
    return [m for m in ms if not any(c.start() < m.end() and m.start() < c.end() for c in cancel)]


def _words(ms: Iterable[re.Match[str]]) -> list[tuple[str, int]]:
    return [(" ".join(m.group(0).split()), m.start()) for m in ms]


@dataclass(frozen=True, slots=True)
class _Reader:
    """One sentence read with one language's rules: its matches, hedged and negated ones left out."""

    sentence: str
    gates: int
    lx: _Lexicon

    def matches(self, name: str) -> list[re.Match[str]]:
        return _matches(self.lx.rules[name], self.sentence, self.gates, self.lx.hedge, self.lx.negation)

    def all(self, name: str) -> list[re.Match[str]]:
        """Every match of a rule that only cancels or decides (no hedge applies)."""
        return self.lx.rules[name].finditer(self.sentence, self.gates)

    def search(self, name: str) -> re.Match[str] | None:
        return self.lx.rules[name].search(self.sentence, self.gates)

    def has(self, *bits: int) -> bool:
        """Whether every one of ``bits`` has a gate open (a rule the language lacks has bit 0)."""
        return all(self.gates & b for b in bits)

    def accident(self) -> bool:
        """Whether the sentence names an accident as a cause (a language without the aftermath
        rules names none)."""
        return bool(self.lx.site_harm) and self.search("accident") is not None


@dataclass(frozen=True, slots=True)
class _Means:
    """The attack words and weapons of a sentence."""

    attacks: list[re.Match[str]]
    drones: list[re.Match[str]]
    missiles: list[re.Match[str]]
    aircraft: list[re.Match[str]]
    drone_self: list[re.Match[str]]
    missile_self: list[re.Match[str]]
    air_self: list[re.Match[str]]
    damage: list[re.Match[str]]

    @property
    def strikes(self) -> list[re.Match[str]]:
        return self.attacks or self.drone_self or self.missile_self or self.air_self

    @property
    def weapons(self) -> bool:
        return bool(self.drones or self.missiles or self.aircraft)


def _classify(sentence: str, gates: int, lang: str = DEFAULT_LANGUAGE) -> dict[str, list[tuple[str, int]]]:
    """Event types a sentence reports, each with the words that triggered it and where.

    ``sentence`` is lower-cased (:func:`_lower`) and ``gates`` are its :func:`_gates`;
    ``lang`` the language whose rules read it.
    """
    if not _may_trigger(gates, lang):
        return {}
    rd = _Reader(sentence, gates, _lexicon(lang))
    found: dict[str, list[tuple[str, int]]] = {}
    means = _means(rd)
    _strike_types(rd, means, found)
    air = _interception(rd, found)
    _weapon_damage(rd, means, air, found)
    civilians = _fighting_and_casualties(rd, means, air, found)
    explosive = _explosive(rd, found)
    _violence(rd, means, explosive, civilians, found)
    _means_unsaid(rd, means, found)
    political = rd.matches("political")
    if political:
        found["political"] = _words(political[:2])
    return _incident(rd, found)


def _means(rd: _Reader) -> _Means:
    attacks = rd.matches("attack")
    if attacks:
        attacks = _outside(attacks, rd.all("not_attack"))     # "heart attack"
    drones, missiles = rd.matches("drone"), rd.matches("missile")
    aircraft = _outside(rd.matches("aircraft"), rd.all("air_source"))
    damage = rd.matches("damage") if aircraft or attacks or drones or missiles else []
    return _Means(attacks, drones, missiles, aircraft, rd.matches("drone_self"), rd.matches("missile_self"),
                  rd.matches("air_self"), damage)


def _strike_types(rd: _Reader, m: _Means, found: dict[str, list[tuple[str, int]]]) -> None:
    """A strike is an attack word with its means (or a word that names both), an energy strike
    one with an energy target."""
    if m.drone_self or (m.drones and m.attacks):
        found["drone_strike"] = _words(m.drone_self or m.drones[:1] + m.attacks[:1])
    # one word is not both the weapon and the attack ("shells")
    missile_attacks = _outside(m.attacks, m.missiles) if m.missiles else m.attacks
    if m.missile_self or (m.missiles and missile_attacks):
        found["missile_strike"] = _words(m.missile_self or m.missiles[:1] + missile_attacks[:1])
    if m.air_self or (m.aircraft and m.attacks):
        found["air_strike"] = _words(m.air_self or m.aircraft[:1] + m.attacks[:1])
    strikes = m.strikes
    # the rules below whose result matters only with others' matches run only then
    energy = rd.matches("energy") if strikes else []
    if energy:
        found["energy_strike"] = _words(energy[:1] + strikes[:1])
    elif not strikes and rd.has(rd.lx.energy_site, rd.lx.site_harm):
        found.update(_aftermath(rd, "energy_site", "energy_strike"))


def _interception(rd: _Reader, found: dict[str, list[tuple[str, int]]]) -> list[re.Match[str]]:
    """An interception needs something in the air to intercept ("intercepted a radio message")."""
    air = rd.matches("air_defense")
    if air and rd.search("aerial"):
        found["air_defense"] = _words(air[:2])
        return air
    return []


def _weapon_damage(rd: _Reader, m: _Means, air: list[re.Match[str]], found: dict[str, list[tuple[str, int]]]) -> None:
    """A weapon that destroyed something struck it ("air forces destroyed a depot"); in the
    passive the weapon may be what was destroyed ("a helicopter was destroyed")."""
    lx, sentence = rd.lx, rd.sentence
    done = [d for d in m.damage if not lx.passive.search(sentence, max(0, d.start() - 7), d.start())
            and not (lx.passive_form and lx.passive_form.fullmatch(d.group(0)))] if not air else []
    if done:
        for etype, weapon in (("air_strike", m.aircraft), ("drone_strike", m.drones), ("missile_strike", m.missiles)):
            if weapon and etype not in found:
                found[etype] = _words(weapon[:1] + done[:1])


def _fighting_and_casualties(rd: _Reader, m: _Means, air: list[re.Match[str]],
                             found: dict[str, list[tuple[str, int]]]) -> re.Match[str] | None:
    """Ground fighting, territory, deployments and casualties; the civilians' match, if any."""
    # "repelled a drone attack" is the interception's, not a ground battle's
    ground = _outside(rd.matches("ground"), air)
    casualties = rd.matches("casualty")
    if casualties and rd.search("no_casualties"):
        casualties = []
    civilians = military = None
    if casualties:
        civilians, military = rd.search("civilian"), rd.search("military")
        if military and not civilians and not found.keys() & {"missile_strike", "drone_strike", "air_strike"}:
            ground = ground + casualties[:1]    # soldiers killed with no strike named: a battle's
    if ground:
        found["ground_assault"] = _words(ground[:2])
    territory = rd.matches("territory")
    if territory:
        territory = _outside(territory, rd.all("captive") + rd.all("attempt"))
    if territory:
        found["territorial_change"] = _words(territory[:2])
    deploy = rd.matches("deploy")
    if deploy:
        found["troop_deployment"] = _words(deploy[:2])
    if casualties and (civilians or not military and (m.attacks or m.weapons)):
        found["civilian_casualties"] = _words(casualties[:1] + rd.all("civilian")[:1])
    elif not casualties:
        remains = rd.matches("mass_grave")
        if not remains:
            remains = rd.matches("remains")
            if remains and not rd.search("armed"):
                remains = []
        if remains and (rd.search("civilian") or not rd.search("military")):
            found["civilian_casualties"] = _words(remains[:1])      # "a mass grave found in X"
    return civilians


def _explosive(rd: _Reader, found: dict[str, list[tuple[str, int]]]) -> list[re.Match[str]]:
    explosive = rd.matches("explosive")
    if explosive and not rd.search("defused"):
        found["explosive_device"] = _words(explosive[:1])
    return explosive


def _violence(rd: _Reader, m: _Means, explosive: list[re.Match[str]], civilians: re.Match[str] | None,
              found: dict[str, list[tuple[str, int]]]) -> None:
    """Abduction, torture, execution; shooting at civilians where no explosive means is named."""
    abuse = rd.matches("abuse")
    if not abuse and not (m.weapons or m.drone_self or m.missile_self or m.air_self or explosive):
        shooting = rd.matches("shooting")
        if shooting and (civilians or rd.search("civilian")):
            abuse = shooting
    if abuse and rd.search("armed"):
        found["violence_against_civilians"] = _words(abuse[:1])


def _means_unsaid(rd: _Reader, m: _Means, found: dict[str, list[tuple[str, int]]]) -> None:
    """A strike whose means the text does not say ("a hospital damaged by a strike", "Russian
    forces struck near X"), or a military site's aftermath: a missile_strike, ACLED's most common
    code for one; not where the text names an accident as the cause ("детонація боєприпасів через
    порушення пожежної безпеки")."""
    if found:
        return
    if m.attacks and not rd.accident():
        verbs = _outside(rd.matches("strike_verb"), rd.all("not_attack"))
        if m.damage or (verbs and rd.search("armed")):
            found["missile_strike"] = _words((verbs or m.attacks)[:1])
        elif site := rd.matches("struck_site"):
            found["missile_strike"] = _words(site[:1])
    if not found and not m.strikes and rd.has(rd.lx.military_site, rd.lx.site_harm):
        # an ammunition depot or airfield destroyed or burning
        found.update(_aftermath(rd, "military_site", "missile_strike"))


def _incident(rd: _Reader, found: dict[str, list[tuple[str, int]]]) -> dict[str, list[tuple[str, int]]]:
    """``found``, unless the sentence tells a habit or a protest rather than one incident."""
    if not found:
        return found
    sentence = rd.sentence
    first = min(pos for words in found.values() for _, pos in words)
    before = _WORD.findall(sentence[max(0, first - 30):first])[-2:]
    if any(w in rd.lx.habit for w in before):
        return {}                                   # a habit, not one incident
    protest = rd.search("protest")
    if protest and protest.start() < first:
        # the sentence reports a protest; its harm words are what people protest about
        return {"political": found["political"]} if "political" in found else {}
    return found


def _aftermath(rd: _Reader, site: str, etype: str) -> dict[str, list[tuple[str, int]]]:
    """A site damaged, destroyed or on fire with no strike and no cause named, in a language
    whose reports of this war tell a strike by its aftermath (optional ``energy_site``,
    ``military_site`` and ``site_harm`` rules in its triggers.toml: Ukraine's regional
    administrations and Russia's governors write "пошкоджено підстанцію", "пожар на нефтебазе",
    "знищеного складу боєприпасів" for the strike they do not name): ``etype`` (an energy site's
    ``energy_strike``; a military site's ``missile_strike``, a strike whose means is unsaid),
    unless the sentence names an accident (``accident``: a short circuit, a fault) as the cause."""
    harm = rd.matches("site_harm")
    if not harm:
        return {}
    sites = rd.matches(site)
    if not sites or rd.accident():
        return {}
    return {etype: _words(sites[:1] + harm[:1])}


def _primary(types: dict[str, list[str]]) -> str:
    return next(t for t in _PRIORITY if t in types)
