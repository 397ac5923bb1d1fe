"""The words a case uses for what it counts: the force, its units, who reported the counts.

Every sentence, title and label the suite writes about a force takes its nouns from here, so a case
about regiments or brigades reads as such; nothing else in the package names a unit type.
"""

from __future__ import annotations

from dataclasses import dataclass


def plural(word: str) -> str:
    """An English plural for a carrier or a unit noun.

    >>> plural("ship"), plural("battery"), plural("barge"), plural("bus"), plural("convoy")
    ('ships', 'batteries', 'barges', 'buses', 'convoys')
    """
    if word.endswith("y") and word[-2:-1] not in tuple("aeiou"):
        return word[:-1] + "ies"
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    return word + "s"


@dataclass(frozen=True)
class Vocabulary:
    """Nouns of one case.

    >>> words = Vocabulary("the northern army", "regiment", "regiments", "regt", "the defence ministry")
    >>> words.count(1), words.count(17), words.per_unit
    ('1 regiment', '17 regiments', 'per regiment')
    >>> words.Subject
    'The northern army'
    """

    subject: str
    unit_singular: str
    unit_plural: str
    unit_short: str
    reporting: str

    def count(self, n: float) -> str:
        """``n`` units in words: "1 regiment", "17 regiments"."""
        return f"{n:g} {self.unit_singular if n == 1 else self.unit_plural}"

    def units(self, n: float) -> str:
        """The unit noun that goes with ``n``, without the number."""
        return self.unit_singular if n == 1 else self.unit_plural

    @property
    def per_unit(self) -> str:
        return f"per {self.unit_singular}"

    @property
    def equivalents(self) -> str:
        """What capability is counted in: "regt-equivalents" for a case whose short unit is "regt"."""
        return f"{self.unit_short}-equivalents"

    @property
    def Subject(self) -> str:
        """The subject at the start of a sentence."""
        return self.subject[:1].upper() + self.subject[1:]

    @property
    def Reporting(self) -> str:
        return self.reporting[:1].upper() + self.reporting[1:]

    def to_dict(self) -> dict[str, str]:
        return {"subject": self.subject, "unit_singular": self.unit_singular, "unit_plural": self.unit_plural,
                "unit_short": self.unit_short, "reporting": self.reporting}
