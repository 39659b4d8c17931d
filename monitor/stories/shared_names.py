"""The names and numbers behind a "similar" decision, as the new article writes them.

Shown beside the decision (`monitor cluster`, later `monitor stories show`): a reader sees at a
glance whether "Bochum, Neujahrsmorgen" or only "Polizei" tied the article to its story. Names
are matched as the signals match them (consonant skeletons, so across scripts too) and listed
rarest first: a word common in general news says less about which event this is.
"""

from __future__ import annotations

import numpy as np

from monitor.stories.features import DocFrequency, Signals, signal_text
from monitor.stories.names import name_forms, number_keys
from monitor.stories.tokens import token_id

SHOWN = 6  # names and numbers at most
_NUMBERS_SHOWN = 2


def shared_names(title: str, text: str, article: Signals, member: Signals, words: DocFrequency
                 ) -> tuple[str, ...]:
    """Up to SHOWN names (rarest first), then numbers, that the article shares with the member."""
    head = signal_text(title, text)
    carried = np.union1d(member.names, member.pool)
    forms = name_forms(head, lambda w: words.is_rare(w.casefold()))
    names = [(form, key) for key, form in forms.items() if _has(carried, token_id(key))]
    names.sort(key=lambda nk: (-float(words.idf(np.array([token_id(nk[0].casefold())]))[0]), -len(nk[1])))
    shown = list(dict.fromkeys(form for form, _ in names))[:SHOWN]
    numbers = [n for n in sorted(number_keys(head), key=len, reverse=True)
               if _has(member.numbers, token_id(n))][:_NUMBERS_SHOWN]
    return tuple((shown + numbers)[:SHOWN])


def _has(sorted_ids: np.ndarray, key: int) -> bool:
    i = int(np.searchsorted(sorted_ids, key))
    return i < len(sorted_ids) and int(sorted_ids[i]) == key
