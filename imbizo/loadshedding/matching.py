"""Matching the metadata's municipality slugs to the municipalities loaded in ``geo``.

A slug matches a metro or local municipality when it is its code ("nw397"), or when both
names agree without the words for the kind of municipality (names.municipality_key:
"city-of-tshwane" and "City of Tshwane Metropolitan Municipality" are both "tshwane") in
the same province ("emalahleni" is in the Eastern Cape and in Mpumalanga), or, failing
that, in the only municipality of that name in the country. Names from before the 2016
mergers ("lukanji", "tlokwe-city-council") match nothing: the slug is kept as text.
"""

from imbizo.geo.models import Municipality

from .names import municipality_key, normalise


class MunicipalityMatcher:
    def __init__(self) -> None:
        rows = Municipality.objects.filter(category__in=["A", "B"]).values_list(
            "pk", "code", "name", "province__name")
        self.by_code: dict[str, int] = {}
        self.by_place: dict[tuple[str, str], int] = {}
        self.by_name: dict[str, list[int]] = {}
        for pk, code, name, province in rows:
            key = municipality_key(name)
            self.by_code[code.lower()] = pk
            self.by_place[(normalise(province), key)] = pk
            self.by_name.setdefault(key, []).append(pk)

    def match(self, province: str, slug: str) -> int | None:
        """The matched municipality's pk, or None."""
        if slug.lower() in self.by_code:
            return self.by_code[slug.lower()]
        key = municipality_key(slug)
        if not key:
            return None
        found = self.by_place.get((normalise(province), key))
        if found is None and len(self.by_name.get(key, ())) == 1:
            found = self.by_name[key][0]
        return found

    def operator(self, provider: str, matched: set[int]) -> int | None:
        """The municipality that runs a schedule: none for Eskom's direct customers; the
        one municipality the area covers, else the one its provider is named after."""
        if not provider or normalise(provider) == "eskom":
            return None
        if len(matched) == 1:
            return next(iter(matched))
        candidates = self.by_name.get(municipality_key(provider), [])
        return candidates[0] if len(candidates) == 1 else None
