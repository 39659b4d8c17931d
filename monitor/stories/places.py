"""The countries a title names, in any script: part of an event's signature.

Two reports of one topic in two countries (a day's death toll in Spain and in France, a fire in
two towns of two states) share every topic word; the country they name is what tells them apart,
and across languages no spelling does: "İspanya'da", "l'Espagne", "España" and "إسبانيا" are one
country only through a gazetteer. Names come from pycountry's ISO 3166 translations (offline, in
the package), plus the everyday names its official ones miss ("USA", "Russland", "بريطانيا").

Matching is by whole words after casefolding: a word may carry up to three letters of inflection
after the name ("Spaniens", "Fransa'nın" splits at the apostrophe, "Iranian"), and an Arabic word
is also tried without its clitic prefixes ("وإسبانيا", "بروسيا"), as watchlist terms are. Slavic
names change their last letter when inflected ("w Chinach", "w Polsce", "в России", "в Китае"):
their stem without it matches too, but only with an ending after it ("chin" alone is no country).
"""

from __future__ import annotations

import gettext
from functools import cache

from monitor.stories.tokens import words
from monitor.watch.normalize import arabic_stems, arabic_term_key, is_arabic

# Languages whose names are loaded besides English: those the engine is tuned on and the larger ones
# of the wire services. Each more language adds short names that are common words elsewhere.
LANGUAGES = ("ar", "de", "es", "fa", "fr", "hi", "it", "nl", "pl", "pt", "ru", "tr", "uk")
_MIN_NAME = 4  # shorter names match only as the whole word ("UK", "USA", "Irak" inflected)
_INFLECTION = 3  # letters a word may carry after the name
# Languages whose names lose their last letter when inflected, and the letters they lose.
_SLAVIC = ("pl", "ru", "uk")
_FINAL_LETTERS = frozenset("ayаяйьиії")
# The Polish locative of a name in "-a" softens its consonant: Polska -> Polsce, Kanada -> Kanadzie.
# These forms are names of their own, since "-e" after any stem would make "grenade" Grenada.
_POLISH_LOCATIVE = {"k": "ce", "g": "dze", "d": "dzie", "t": "cie", "r": "rze", "n": "nie",
                    "w": "wie", "ł": "le", "s": "sie", "z": "zie", "m": "mie", "p": "pie", "b": "bie"}
# Case endings a stem may carry: "chin" + "ach" is China, "chin" + "ese" goes by the English name,
# and "dani" + "el" or "samo" + "lot" (a plane) is no country at all.
_SLAVIC_ENDINGS = frozenset((
    "a", "y", "i", "ii", "ie", "iej", "ich", "ą", "ę", "u", "om", "ach", "ami", "ów",
    "а", "я", "ы", "и", "е", "у", "ю", "ой", "ей", "ею", "ію", "і", "ії", "ів", "ях", "ам", "ям",
))

# Translated names that are common words of another language: French "Grenade" is a grenade.
_NOT_NAMES = frozenset(("grenade",))

# Everyday names the ISO names miss; many official names are long forms ("Russian Federation",
# "Syrian Arab Republic", "United Kingdom of Great Britain and Northern Ireland").
ALIASES = {
    "US": ("usa", "abd", "eeuu", "amerika", "ameryka", "ameryce", "america",
           "أمريكا", "أميركا", "امريكا", "अमेरिका",
           "الولايات المتحدة", "vereinigten staaten", "stany zjednoczone", "stanach zjednoczonych",
           "сша", "америка"),
    "GB": ("uk", "britain", "england", "großbritannien", "ingiltere", "angleterre", "inglaterra",
           "anglia", "brytania", "بريطانيا", "إنجلترا", "ब्रिटेन"),
    "RU": ("russia", "russland", "rusia", "russie", "rusya", "rosja", "россия", "росія", "روسيا", "रूस"),
    "IR": ("iran", "irán", "إيران", "ईरान"),
    "SY": ("syria", "syrien", "siria", "syrie", "suriye", "سوريا", "سورية", "सीरिया"),
    "KR": ("korea", "südkorea", "corée"),
    "KP": ("nordkorea",),
    "TR": ("turkey", "türkei", "türkiye", "turquie", "turquía", "turcja", "تركيا"),
    "VE": ("venezuela",),
    "BO": ("bolivia",),
    "TZ": ("tanzania",),
    "VN": ("vietnam",),
    "PS": ("palestine", "palästina", "palestina", "filistin", "فلسطين"),
    "TW": ("taiwan",),
    "CZ": ("tschechien", "czechia", "czechach"),
    # Polish locatives that change more than the last letter ("w Niemczech", "we Włoszech")
    "DE": ("niemczech",),
    "IT": ("włoszech",),
    "HU": ("węgrzech",),
    "IN": ("indiach",),
}


def countries(title: str) -> frozenset[str]:
    """ISO 3166 alpha-2 codes of the countries `title` names."""
    names, stems, long_names = _gazetteer()
    raw = words(title)
    tokens = [_key(word) for word in raw]
    found: set[str] = set()
    for i, (word, token) in enumerate(zip(raw, tokens, strict=True)):
        for form in (token, *arabic_stems(word)) if is_arabic(word) else (token,):
            code = _lookup(names, stems, form)
            if code is not None:
                found.add(code)
                break
        for sequence, code in long_names.get(token, ()):
            if tuple(tokens[i:i + len(sequence)]) == sequence:
                found.add(code)
    return frozenset(found)


def _lookup(names: dict[str, str], stems: dict[str, str], word: str) -> str | None:
    code = names.get(word)
    if code is not None:
        return code
    for cut in range(1, _INFLECTION + 1):
        stem = word[:-cut]
        if len(stem) < _MIN_NAME:
            return None
        code = names.get(stem)
        if code is None and word[-cut:] in _SLAVIC_ENDINGS:
            code = stems.get(stem)
        if code is not None:
            return code
    return None


def _key(word: str) -> str:
    word = word.replace("\u0307", "")  # Turkish "İ" casefolds to "i" and a combining dot
    return arabic_term_key(word) if word and is_arabic(word) else word


@cache
def _gazetteer() -> tuple[dict[str, str], dict[str, str], dict[str, list[tuple[tuple[str, ...], str]]]]:
    """One-word names -> code, Slavic stems -> code (matched only when inflected), and the first
    word of longer names -> (its words, code)."""
    import pycountry  # about 0.2 s to read: once, on the first article

    names: dict[str, str] = {}
    stems: dict[str, str] = {}
    long_names: dict[str, list[tuple[tuple[str, ...], str]]] = {}

    def add(name: str, code: str, slavic: str = "") -> None:
        """`slavic` is the name's language when its stem should match in cases too."""
        keys = tuple(map(_key, words(name.split(",")[0].split("(")[0])))
        if len(keys) == 1:
            if len(keys[0]) >= _MIN_NAME and keys[0] not in _NOT_NAMES:
                names.setdefault(keys[0], code)
            if slavic:
                add_stem(keys[0], code, polish=slavic == "pl")
        elif keys:
            long_names.setdefault(keys[0], []).append((keys, code))

    def add_stem(key: str, code: str, polish: bool) -> None:
        stem = key[:-1]
        if key[-1:] not in _FINAL_LETTERS or len(stem) < _MIN_NAME:
            return
        stems.setdefault(stem, code)
        if polish and key.endswith("a") and stem[-1] in _POLISH_LOCATIVE:
            names.setdefault(stem[:-1] + _POLISH_LOCATIVE[stem[-1]], code)

    kinds = ("name", "common_name", "official_name")
    english = [(name, country.alpha_2) for country in pycountry.countries
               for name in (getattr(country, kind, None) for kind in kinds) if name]
    for name, code in english:
        add(name, code)
    for language in LANGUAGES:
        translate = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language],
                                        fallback=True).gettext
        slavic = language if language in _SLAVIC else ""
        for name, code in english:
            add(translate(name), code, slavic)
    for code, aliases in ALIASES.items():
        for alias in aliases:
            if " " in alias:
                add(alias, code)
            else:
                names[_key(alias)] = code  # short ones too: they match as whole words only
                add_stem(_key(alias), code, polish=False)
    return names, stems, long_names
