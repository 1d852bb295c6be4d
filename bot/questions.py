"""Questions in plain English or French → the slash command that answers them.

"when does the Oracle contract end?" → `/contract status oracle`;
"what renews next month?" / "quels contrats arrivent à échéance en mars ?" → `/renewals next month` / `en mars`;
"open disputes for Oracle" → `/dispute list oracle open`; "obligations en retard" → `/obligation list overdue`.
Pure and small on purpose: the answer is the same card or list the slash command gives.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.dates import DateError, parse_window
from bot.text import fold

_RENEWAL_WORDS = re.compile(
    r"\b(renew\w*|renouvel\w*|reconduction|reconduit\w*|echeance\w*|deadline\w*|expir\w*|due|notice|preavis|"
    r"upcoming|a venir|arrivent|arrive|coming up|ending|ends?|se terminent|finissent)\b")
_PLURAL_QUESTION = re.compile(r"\b(what|which|quels?|quelles?|qu\W?est\W?ce|list|liste|show me|contracts|contrats|"
                              r"renewals|renouvellements|echeances)\b")
_STOP = set("""when what which is are does do did the a an of for to in on by about me my our please show tell give
status state contract contracts end ends ending expire expires renew renews renewal deadline notice card info
details detail quand quel quelle quels quelles est sont se termine terminent fin finit le la les l de du des
d un une contrat contrats pour sur statut etat echeance expire donne moi montre affiche avec what's whats it
renewals renouvellements echeances
""".split())


_DISPUTE_WORDS = re.compile(r"\b(disputes?|litiges?|contentieux)\b")
_INCIDENT_WORDS = re.compile(r"\b(incidents?)\b")
_OPEN_WORDS = re.compile(r"\b(open|opened|ouverts?|ouvertes?|en cours|current|ongoing|pending|list|liste|all|tous)\b")
_ALL_WORDS = {"all", "tous", "toutes"}
_LIST_STOP = _STOP | set("""open opened ouvert ouverts ouverte ouvertes en cours current ongoing pending all tous toutes
list liste any are there y a t il on sur with avec against contre dispute disputes litige litiges contentieux claim
claims incident incidents have has ai as avons""".split())
_OBLIGATION_WORDS = re.compile(r"\b(obligations?)\b")
_OVERDUE_WORDS = re.compile(r"\b(overdue|late|past due|en retard|retard|echues?|depassees?)\b")
_DUE_WORDS = re.compile(r"\b(due|upcoming|soon|next|a venir|prochaines?|proches?|bientot|arrivent|echeances?)\b")
_OBLIGATION_STOP = _LIST_STOP | set("""obligation obligations overdue late past due retard echue echues depassee
depassees upcoming soon next venir prochaine prochaines proche proches bientot arrivent arrive echeances""".split())


@dataclass(frozen=True, slots=True)
class Intent:
    command: str
    text: str


def _window_suffix(words: list[str], *, tz: ZoneInfo, now: datetime) -> str | None:
    for size in range(min(5, len(words)), 0, -1):
        candidate = " ".join(words[-size:])
        if not re.search(r"\d|month|mois|quarter|trimestre|year|annee|week|semaine|days?|jours?|" + _MONTH_NAMES,
                         candidate):
            continue
        try:
            parse_window(candidate, tz=tz, now=now)
            return candidate
        except DateError:
            continue
    return None


_MONTH_NAMES = ("january|february|march|april|may|june|july|august|september|october|november|december|janvier|"
                "fevrier|mars|avril|mai|juin|juillet|aout|septembre|octobre|novembre|decembre")


def understand(text: str, *, tz: ZoneInfo, now: datetime) -> Intent | None:
    """The command that answers `text`, or None when it is not understood."""
    folded = fold(text.lower()).replace("’", "'")
    folded = re.sub(r"<[@#!][a-z0-9^]+(\|[^>]*)?>", " ", folded)
    folded = re.sub(r"[?!.,;:\"]", " ", folded)
    words = folded.replace("'", " ").split()
    if not words:
        return None
    if words[0] in ("help", "aide", "hi", "hello", "bonjour", "salut"):
        return None
    if words[0].startswith("/") and len(words[0]) > 1:
        return Intent(words[0], " ".join(text.split()[1:]))
    listing = _list_intent(folded, words)
    if listing is not None:
        return listing
    if _RENEWAL_WORDS.search(folded) and _PLURAL_QUESTION.search(folded):
        window = _window_suffix(words, tz=tz, now=now)
        subject = [w for w in words if w not in _STOP and not _RENEWAL_WORDS.match(w)]
        if window is not None or not subject:
            return Intent("/renewals", window or "")
    subject = [w for w in words if w not in _STOP and len(w) > 1]
    if subject:
        return Intent("/contract", "status " + " ".join(subject))
    return None


def _obligation_intent(folded: str, words: list[str]) -> Intent:
    """"overdue obligations for Orange" → `/obligation list orange overdue`; "obligations à venir" → `… due`."""
    if any(w in _ALL_WORDS for w in words):
        scope = "all"
    elif _OVERDUE_WORDS.search(folded):
        scope = "overdue"
    elif _DUE_WORDS.search(folded):
        scope = "due"
    else:
        scope = "open"
    subject = [w for w in words if w not in _OBLIGATION_STOP and len(w) > 1]
    return Intent("/obligation", " ".join(["list", *subject, scope]))


def _list_intent(folded: str, words: list[str]) -> Intent | None:
    """"open disputes for Oracle", "litiges en cours", "incidents ouverts pour Orange", "obligations en retard"
    → the list command."""
    if _OBLIGATION_WORDS.search(folded):
        return _obligation_intent(folded, words)
    if _DISPUTE_WORDS.search(folded):
        command = "/dispute"
    elif _INCIDENT_WORDS.search(folded) and _OPEN_WORDS.search(folded):
        command = "/incident"
    else:
        return None
    subject = [w for w in words if w not in _LIST_STOP and len(w) > 1]
    scope = "all" if any(w in _ALL_WORDS for w in words) else "open"
    return Intent(command, " ".join(["list", *subject, scope]))
