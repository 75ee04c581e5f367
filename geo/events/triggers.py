"""Event types of a sentence: the trigger rules and how they combine."""

from __future__ import annotations

import re
from collections.abc import Iterable

from geo.event_types import TYPE_IDS
from geo.events.gates import _Gated

__all__: list[str] = []

_ATTACK = _Gated(r"(?<!\w)(?:attack(?:s|ed|ing)?|strik(?:e|es|ing)|struck|hit(?:s|ting)?|target(?:s|ed|ing)"
              r"|shell(?:s|ed|ing)|bomb(?:s|ed|ing|ardments?)|launch(?:es|ed|ing)?|fired\s+(?:at|on|upon)"
              r"|raids?|explosions?|blasts?|barrage)\b",
    ('attack', 'strik', 'struck', 'hit', 'target', 'shell', 'bomb', 'launch', 'fired', 'raid', 'explos', 'blast', 'barrage'))
_DRONE = _Gated(r"(?<!\w)(?:drones?|uavs?|shaheds?|geran(?:-2)?s?|unmanned\s+aerial\s+vehicles?|loitering\s+munitions?"
             r"|kamikaze)\b",
    ('drone', 'uav', 'shahed', 'geran', 'unmanned', 'loitering', 'kamikaze'))
_DRONE_SELF = _Gated(r"\bdrone\s+(?:attacks?|strikes?|raids?)\b",
    ('drone',))
_MISSILE = _Gated(r"(?<!\w)(?:missiles?|rockets?|ballistic|artillery|shells|mlrs|glide\s+bombs?|guided\s+bombs?"
               r"|atacms|iskanders?|kinzhals?|kalibrs?|storm\s+shadows?|himars|grads?|s-300s?|kh-\d+)\b",
    ('missile', 'rocket', 'ballistic', 'artillery', 'shells', 'mlrs', 'bomb', 'atacms', 'iskander', 'kinzhal', 'kalibr', 'storm shadow', 'himars', 'grad', 's-300', 'kh-'))
_MISSILE_SELF = _Gated(r"(?<!\w)(?:shelling|shelled|airstrikes?|air\s+strikes?|bombardments?|missile\s+(?:attacks?|strikes?)"
                    r"|artillery\s+(?:fire|attacks?|strikes?))\b",
    ('shell', 'strike', 'bombard', 'missile', 'artillery'))
_ENERGY = _Gated(r"(?<!\w)(?:(?:oil|fuel|gas|petroleum)\s+(?:refiner(?:y|ies)|depots?|terminals?|facilit(?:y|ies)|storage"
              r"|tanks?|pipelines?|plants?)|refiner(?:y|ies)|depots?\s+of\s+fuel|power\s+(?:plants?|stations?|lines?"
              r"|grid|supply|facilit(?:y|ies))|thermal\s+power|substations?|energy\s+(?:infrastructure|facilit(?:y|ies)"
              r"|systems?|sites?|grid)|electricity|power\s+grid|fuel|pipelines?|hydroelectric|heat(?:ing)?\s+and\s+power"
              r"|oil\s+terminals?|tank\s+farms?)\b",
    ('oil', 'fuel', 'gas', 'petroleum', 'refiner', 'depot', 'power', 'thermal', 'substation', 'energy', 'electric', 'pipeline', 'hydro', 'heat', 'terminal', 'tank farm'))
_AIR_DEFENSE = _Gated(r"(?<!\w)(?:shot\s+down|shoots?\s+down|shooting\s+down|downed|intercept(?:ed|s|ions?|ing|ors?)?"
                   r"|repelled|neutrali[sz]ed|destroyed\s+(?:\S+\s+){0,3}?(?:drones|missiles|uavs)"
                   r"|failed\s+to\s+reach)\b",
    ('down', 'intercept', 'repel', 'neutrali', 'destroyed', 'failed to reach'))
_GROUND = _Gated(r"(?<!\w)(?:assaults?|storm(?:ed|ing)?|offensives?|battles?|fighting|clash(?:es|ed)?|combat"
              r"|counter-?attacks?|counter-?offensives?|incursions?|skirmish(?:es)?|advanc(?:e|ed|es|ing)"
              r"|operations|attack(?:s|ed)?\s+(?:on\s+)?(?:\S+\s+){0,2}?positions|losses)\b",
    ('assault', 'storm', 'offensive', 'battle', 'fighting', 'clash', 'combat', 'counter', 'incursion', 'skirmish', 'advanc', 'operations', 'positions', 'losses'))
_TERRITORY = _Gated(r"(?<!\w)(?:captur(?:e|ed|es|ing)|recaptur(?:e|ed|es|ing)|retook|retak(?:e|en|ing)|seiz(?:e|ed|es|ing)"
                 r"|liberat(?:e|ed|es|ing|ion)|took\s+control|taken\s+control|tak(?:e|es|ing)\s+control"
                 r"|in\s+control\s+of|controll?(?:ed|s|ing)|clawed\s+back|regain(?:ed|s|ing)?"
                 r"|withdr(?:ew|awn|awal)|pulled\s+back|fell\s+to|occupied)\b",
    ('captur', 'retook', 'retak', 'seiz', 'liberat', 'control', 'clawed', 'regain', 'withdr', 'pulled back', 'fell to', 'occupied'))
_DEPLOY = _Gated(r"(?<!\w)(?:deploy(?:s|ed|ing|ments?)?|redeploy\w*|reinforcements?|stationed|massing|build-?up"
              r"|sen(?:t|ds|ding)\s+(?:\S+\s+){0,4}?(?:troops|soldiers|forces|units|servicemen)"
              r"|(?:troops|soldiers|servicemen)\s+(?:were|are|arrived)\s+(?:in|at)"
              r"|transferr?(?:ed|ing)\s+(?:\S+\s+){0,3}?(?:troops|soldiers))\b",
    ('deploy', 'reinforcement', 'stationed', 'massing', 'build', 'sent', 'send', 'troops', 'soldiers', 'servicemen', 'transfer'))
_CASUALTY = _Gated(r"(?<!\w)(?:kill(?:ed|s|ing)?|dead|died|deaths?|wound(?:ed|ing|s)?|injur(?:ed|ing|ies|y)|hurt"
                r"|casualt(?:y|ies))\b",
    ('kill', 'dead', 'died', 'death', 'wound', 'injur', 'hurt', 'casualt'))
_CIVILIAN = _Gated(r"(?<!\w)(?:civilians?|residents?|child(?:ren)?|boys?|girls?|teen(?:ager)?s?|wom[ae]n|m[ae]n"
                r"|mothers?|fathers?|sisters?|brothers?|sons?|daughters?|famil(?:y|ies)|person|people"
                r"|pensioners?|elderly|bab(?:y|ies)|infants?|passengers?|workers?|journalists?|medics?"
                r"|volunteers?|\d+-year-old|locals|inhabitants)\b",
    ('civilian', 'resident', 'child', 'boy', 'girl', 'teen', 'wom', 'man', 'men', 'mother', 'father', 'sister', 'brother', 'son', 'daughter', 'famil', 'person', 'people', 'pensioner', 'elderly', 'bab', 'infant', 'passenger', 'worker', 'journalist', 'medic', 'volunteer', 'year-old', 'locals', 'inhabitant'))
_MILITARY = _Gated(r"(?<!\w)(?:troops|soldiers|servicem[ae]n|fighters|militants|personnel|marines|paratroopers"
                r"|mercenaries|combatants)\b",
    ('troops', 'soldier', 'servicem', 'fighters', 'militants', 'personnel', 'marines', 'paratroopers', 'mercenaries', 'combatants'))
_NO_CASUALTIES = _Gated(r"(?<!\w)(?:no|without)\s+(?:\w+\s+)?(?:casualties|injuries|deaths|victims)\b"
                     r"|\bno\s+one\s+(?:was|were)\s+(?:\w+\s+)?(?:killed|injured|hurt|wounded)\b"
                     r"|\bnobody\s+(?:was\s+)?(?:killed|injured|hurt)\b",
    ('no ', 'without', 'nobody'))
_POLITICAL = _Gated(r"(?<!\w)(?:visit(?:ed|s|ing)?|signed|treaty|pact|agreement|summit|talks|negotiations?|met\s+with"
                 r"|sanctions|peace\s+(?:deal|plan|talks)|ceasefire\s+(?:deal|agreement))\b",
    ('visit', 'signed', 'treaty', 'pact', 'agreement', 'summit', 'talks', 'negotiat', 'met with', 'sanctions', 'peace', 'ceasefire'))

#: Rules of which one alone can give a sentence a type; an attack word also needs a weapon
#: or an energy target (see :func:`_classify`).
_CAN_TRIGGER = (_DRONE_SELF.bit | _MISSILE_SELF.bit | _AIR_DEFENSE.bit | _GROUND.bit | _CASUALTY.bit
                | _TERRITORY.bit | _DEPLOY.bit | _POLITICAL.bit)
_ATTACK_OBJECTS = _DRONE.bit | _MISSILE.bit | _ENERGY.bit


def _may_trigger(gates: int) -> bool:
    """Whether any type rule of :func:`_classify` can fire with these gates open (most
    sentences: no, and they are skipped without running a regex)."""
    return bool(gates & _CAN_TRIGGER or (gates & _ATTACK.bit and gates & _ATTACK_OBJECTS))


_HEDGE = frozenset("not no never unable close could would may might plans plan planned threatens threatened "
                   "threaten prepare preparing prepared ready if whether aims aim intends intend intended "
                   "hoped hopes hope want wants failed fail".split())
_HABIT = frozenset("regularly often repeatedly routinely frequently usually sometimes constantly "
                   "occasionally typically".split())

#: Primary type when a sentence triggers several (first wins); the rest become tags: the
#: registry's order.
_PRIORITY = TYPE_IDS
#: Types that, without a named place, become country-level events at the target's country.
_FALLBACK_TYPES = frozenset({"drone_strike", "missile_strike", "energy_strike", "air_defense"})
#: Types whose attacker/target sides are worth stating.
_SIDED_TYPES = frozenset(_PRIORITY) - {"political"}
#: Types whose target side is the side the place is on (a strike lands where it lands).
_STRIKE_TYPES = frozenset({"drone_strike", "missile_strike", "energy_strike", "air_defense", "civilian_casualties"})

_WORD = re.compile(r"[\w][\w’'\-]*")


def _hedged(low: str, pos: int) -> bool:
    before = _WORD.findall(low[max(0, pos - 40):pos])[-3:]
    return any(w in _HEDGE for w in before)


def _matches(rx: _Gated, low: str, gates: int) -> list[re.Match[str]]:
    if not gates & rx.bit:
        return []
    return [m for m in rx.rx.finditer(low) if not _hedged(low, m.start())]


def _words(ms: Iterable[re.Match[str]]) -> list[tuple[str, int]]:
    return [(" ".join(m.group(0).split()), m.start()) for m in ms]


def _classify(sentence: str, gates: int) -> dict[str, list[tuple[str, int]]]:
    """Event types a sentence reports, each with the words that triggered it and where.

    ``sentence`` is lower-cased (:func:`_lower`) and ``gates`` are its :func:`_gates`.
    """
    if not _may_trigger(gates):
        return {}
    found: dict[str, list[tuple[str, int]]] = {}
    attacks = _matches(_ATTACK, sentence, gates)
    drones, missiles = _matches(_DRONE, sentence, gates), _matches(_MISSILE, sentence, gates)
    drone_self, missile_self = _matches(_DRONE_SELF, sentence, gates), _matches(_MISSILE_SELF, sentence, gates)
    if drone_self or (drones and attacks):
        found["drone_strike"] = _words(drone_self or drones[:1] + attacks[:1])
    if missile_self or (missiles and attacks):
        found["missile_strike"] = _words(missile_self or missiles[:1] + attacks[:1])
    # the rules below whose result matters only with others' matches run only then
    energy = _matches(_ENERGY, sentence, gates) if attacks or drone_self or missile_self else []
    if energy:
        found["energy_strike"] = _words(energy[:1] + (attacks or drone_self or missile_self)[:1])
    air = _matches(_AIR_DEFENSE, sentence, gates)
    if air:
        found["air_defense"] = _words(air[:2])
    ground = _matches(_GROUND, sentence, gates)
    casualties = _matches(_CASUALTY, sentence, gates)
    if casualties and _NO_CASUALTIES.search(sentence, gates):
        casualties = []
    civilians = military = None
    if casualties:
        civilians, military = _CIVILIAN.search(sentence, gates), _MILITARY.search(sentence, gates)
        if military and not civilians:
            ground = ground + casualties[:1]
    if ground:
        found["ground_assault"] = _words(ground[:2])
    territory = _matches(_TERRITORY, sentence, gates)
    if territory:
        found["territorial_change"] = _words(territory[:2])
    deploy = _matches(_DEPLOY, sentence, gates)
    if deploy:
        found["troop_deployment"] = _words(deploy[:2])
    if casualties and (civilians or not military and (attacks or drones or missiles)):
        found["civilian_casualties"] = _words(casualties[:1] + _CIVILIAN.finditer(sentence, gates)[:1])
    political = _matches(_POLITICAL, sentence, gates)
    if political:
        found["political"] = _words(political[:2])
    if found:
        first = min(pos for words in found.values() for _, pos in words)
        before = _WORD.findall(sentence[max(0, first - 30):first])[-2:]
        if any(w in _HABIT for w in before):
            return {}                                   # a habit, not one incident
    return found


def _primary(types: dict[str, list[str]]) -> str:
    return next(t for t in _PRIORITY if t in types)
