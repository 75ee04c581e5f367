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
                    *(rules[n].bit if n in rules else 0 for n in ("energy_site", "military_site", "site_harm")))


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


def _classify(sentence: str, gates: int, lang: str = DEFAULT_LANGUAGE) -> dict[str, list[tuple[str, int]]]:
    """Event types a sentence reports, each with the words that triggered it and where.

    ``sentence`` is lower-cased (:func:`_lower`) and ``gates`` are its :func:`_gates`;
    ``lang`` the language whose rules read it.
    """
    if not _may_trigger(gates, lang):
        return {}
    lx = _lexicon(lang)
    r, hedge, neg = lx.rules, lx.hedge, lx.negation
    found: dict[str, list[tuple[str, int]]] = {}
    attacks = _matches(r["attack"], sentence, gates, hedge, neg)
    if attacks:
        attacks = _outside(attacks, r["not_attack"].finditer(sentence, gates))     # "heart attack"
    drones, missiles = _matches(r["drone"], sentence, gates, hedge, neg), _matches(r["missile"], sentence, gates, hedge, neg)
    drone_self = _matches(r["drone_self"], sentence, gates, hedge, neg)
    missile_self = _matches(r["missile_self"], sentence, gates, hedge, neg)
    aircraft = _outside(_matches(r["aircraft"], sentence, gates, hedge, neg), r["air_source"].finditer(sentence, gates))
    air_self = _matches(r["air_self"], sentence, gates, hedge, neg)
    if drone_self or (drones and attacks):
        found["drone_strike"] = _words(drone_self or drones[:1] + attacks[:1])
    # one word is not both the weapon and the attack ("shells")
    missile_attacks = _outside(attacks, missiles) if missiles else attacks
    if missile_self or (missiles and missile_attacks):
        found["missile_strike"] = _words(missile_self or missiles[:1] + missile_attacks[:1])
    damage = _matches(r["damage"], sentence, gates, hedge, neg) if aircraft or attacks or drones or missiles else []
    if air_self or (aircraft and attacks):
        found["air_strike"] = _words(air_self or aircraft[:1] + attacks[:1])
    strikes = attacks or drone_self or missile_self or air_self
    # the rules below whose result matters only with others' matches run only then
    energy = _matches(r["energy"], sentence, gates, hedge, neg) if strikes else []
    if energy:
        found["energy_strike"] = _words(energy[:1] + strikes[:1])
    elif not strikes and gates & lx.energy_site and gates & lx.site_harm:
        found.update(_aftermath(sentence, gates, lx, "energy_site", "energy_strike"))
    # an interception needs something in the air to intercept ("intercepted a radio message")
    air = _matches(r["air_defense"], sentence, gates, hedge, neg)
    if air and r["aerial"].search(sentence, gates):
        found["air_defense"] = _words(air[:2])
    else:
        air = []
    # a weapon that destroyed something struck it ("air forces destroyed a depot"); in the
    # passive the weapon may be what was destroyed ("a helicopter was destroyed")
    done = [m for m in damage if not lx.passive.search(sentence, max(0, m.start() - 7), m.start())
            and not (lx.passive_form and lx.passive_form.fullmatch(m.group(0)))] if not air else []
    if done:
        for etype, means in (("air_strike", aircraft), ("drone_strike", drones), ("missile_strike", missiles)):
            if means and etype not in found:
                found[etype] = _words(means[:1] + done[:1])
    # "repelled a drone attack" is the interception's, not a ground battle's
    ground = _outside(_matches(r["ground"], sentence, gates, hedge, neg), air)
    casualties = _matches(r["casualty"], sentence, gates, hedge, neg)
    if casualties and r["no_casualties"].search(sentence, gates):
        casualties = []
    civilians = military = None
    if casualties:
        civilians, military = r["civilian"].search(sentence, gates), r["military"].search(sentence, gates)
        if military and not civilians and not found.keys() & {"missile_strike", "drone_strike", "air_strike"}:
            ground = ground + casualties[:1]    # soldiers killed with no strike named: a battle's
    if ground:
        found["ground_assault"] = _words(ground[:2])
    territory = _matches(r["territory"], sentence, gates, hedge, neg)
    if territory:
        territory = _outside(territory, r["captive"].finditer(sentence, gates) + r["attempt"].finditer(sentence, gates))
    if territory:
        found["territorial_change"] = _words(territory[:2])
    deploy = _matches(r["deploy"], sentence, gates, hedge, neg)
    if deploy:
        found["troop_deployment"] = _words(deploy[:2])
    if casualties and (civilians or not military and (attacks or drones or missiles or aircraft)):
        found["civilian_casualties"] = _words(casualties[:1] + r["civilian"].finditer(sentence, gates)[:1])
    elif not casualties:
        remains = _matches(r["mass_grave"], sentence, gates, hedge, neg)
        if not remains:
            remains = _matches(r["remains"], sentence, gates, hedge, neg)
            if remains and not r["armed"].search(sentence, gates):
                remains = []
        if remains and (r["civilian"].search(sentence, gates) or not r["military"].search(sentence, gates)):
            found["civilian_casualties"] = _words(remains[:1])      # "a mass grave found in X"
    explosive = _matches(r["explosive"], sentence, gates, hedge, neg)
    if explosive and not r["defused"].search(sentence, gates):
        found["explosive_device"] = _words(explosive[:1])
    # abduction, torture, execution; shooting at civilians where no explosive means is named
    abuse = _matches(r["abuse"], sentence, gates, hedge, neg)
    if not abuse and not (drones or missiles or aircraft or drone_self or missile_self or air_self or explosive):
        shooting = _matches(r["shooting"], sentence, gates, hedge, neg)
        if shooting and (civilians or r["civilian"].search(sentence, gates)):
            abuse = shooting
    if abuse and r["armed"].search(sentence, gates):
        found["violence_against_civilians"] = _words(abuse[:1])
    if not found and attacks and not ("accident" in r and r["accident"].search(sentence, gates)):
        # a strike whose means the text does not say: "a hospital damaged by a strike",
        # "Russian forces struck near X"; not where the text names an accident as the cause
        # ("детонація боєприпасів через порушення пожежної безпеки")
        verbs = _outside(_matches(r["strike_verb"], sentence, gates, hedge, neg), r["not_attack"].finditer(sentence, gates))
        if damage or (verbs and r["armed"].search(sentence, gates)):
            found["missile_strike"] = _words((verbs or attacks)[:1])
        elif site := _matches(r["struck_site"], sentence, gates, hedge, neg):
            found["missile_strike"] = _words(site[:1])
    if not found and not strikes and gates & lx.military_site and gates & lx.site_harm:
        # an ammunition depot or airfield destroyed or burning, the means unsaid: as above
        found.update(_aftermath(sentence, gates, lx, "military_site", "missile_strike"))
    political = _matches(r["political"], sentence, gates, hedge, neg)
    if political:
        found["political"] = _words(political[:2])
    if found:
        first = min(pos for words in found.values() for _, pos in words)
        before = _WORD.findall(sentence[max(0, first - 30):first])[-2:]
        if any(w in lx.habit for w in before):
            return {}                                   # a habit, not one incident
        protest = r["protest"].search(sentence, gates)
        if protest and protest.start() < first:
            # the sentence reports a protest; its harm words are what people protest about
            return {"political": found["political"]} if "political" in found else {}
    return found


def _aftermath(sentence: str, gates: int, lx: _Lexicon, site: str, etype: str) -> dict[str, list[tuple[str, int]]]:
    """A site damaged, destroyed or on fire with no strike and no cause named, in a language
    whose reports of this war tell a strike by its aftermath (optional ``energy_site``,
    ``military_site`` and ``site_harm`` rules in its triggers.toml: Ukraine's regional
    administrations and Russia's governors write "пошкоджено підстанцію", "пожар на нефтебазе",
    "знищеного складу боєприпасів" for the strike they do not name): ``etype`` (an energy site's
    ``energy_strike``; a military site's ``missile_strike``, a strike whose means is unsaid),
    unless the sentence names an accident (``accident``: a short circuit, a fault) as the cause."""
    r, hedge, neg = lx.rules, lx.hedge, lx.negation
    harm = _matches(r["site_harm"], sentence, gates, hedge, neg)
    if not harm:
        return {}
    sites = _matches(r[site], sentence, gates, hedge, neg)
    if not sites or ("accident" in r and r["accident"].search(sentence, gates)):
        return {}
    return {etype: _words(sites[:1] + harm[:1])}


def _primary(types: dict[str, list[str]]) -> str:
    return next(t for t in _PRIORITY if t in types)
