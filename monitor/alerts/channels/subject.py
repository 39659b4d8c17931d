"""The Subject header, folded by us so that decoding it gives the headline back exactly.

RFC 2047 says whitespace between two adjacent encoded words is not part of the text. Python's
folder (3.11) sometimes ends an encoded word at a space and starts the next one after it
(`=?utf-8?q?=E2=80=98very?= =?utf-8?q?soon...`), so "'very soon'" arrives as "'verysoon'". It
would also decode anything in a title that looks like an encoded word (`=?utf-8?q?...?=`).

So we fold the subject ourselves: the leading ASCII words stay plain (mail filters on a
"[watchlist]" tag keep working), and everything from the first word that needs encoding onwards
is base64 encoded words. Spaces inside that part are inside the encoded text, where no decoder
drops them, and each word holds whole UTF-8 characters.
"""

from __future__ import annotations

import base64
from email.policy import Policy

from monitor.alerts.channels.base import flat_line

MAX_SUBJECT = 200  # characters; longer headlines are cut
_LINE = 78  # RFC 5322's recommended line length, header name included
_EW_BYTES = 42  # 42 bytes -> 56 base64 characters -> a 68-character encoded word (limit: 75)


def safe_subject(subject: str) -> FoldedSubject:
    """One printable line of at most MAX_SUBJECT characters, folded losslessly on output."""
    return FoldedSubject(flat_line(subject, MAX_SUBJECT))


class FoldedSubject(str):
    """A Subject the email policy stores as is (it has a `name`) and folds with our `fold`."""

    name = "Subject"

    def fold(self, *, policy: Policy) -> str:
        plain, rest = _split_plain(str(self))
        lines = [f"{self.name}:"]
        for word in plain:  # a space before a plain word is text; a fold there keeps it
            if len(lines[-1]) + 1 + len(word) > _LINE and lines[-1] != f"{self.name}:":
                lines.append("")
            lines[-1] += " " + word
        # The first encoded word stays on the line of the last plain word: a fold between the two is
        # read back without its space by some decoders (Python's legacy one after a ")" or "]").
        room = self._room(lines[-1]) if plain else _EW_BYTES
        if plain and rest and room < len(rest[0].encode("utf-8")) and " " in lines[-1].strip():
            head, last = lines[-1].rsplit(" ", 1)  # fold before the last plain word instead
            lines[-1:] = [head, f" {last}"]
            room = self._room(lines[-1])
        for index, chunk in enumerate(_utf8_chunks(rest, first=min(room, _EW_BYTES))):
            token = _encoded_word(chunk)
            if index > 0 and len(lines[-1]) + 1 + len(token) > _LINE:
                lines.append("")  # between two encoded words a fold is only a fold
            lines[-1] += " " + token
        return policy.linesep.join(lines) + policy.linesep

    @staticmethod
    def _room(line: str) -> int:
        """UTF-8 bytes an encoded word can carry at the end of `line` within the line length."""
        return (_LINE - len(line) - 1 - len(_encoded_word(""))) // 4 * 3


def _split_plain(subject: str) -> tuple[list[str], str]:
    """(leading words that can go out as they are, the rest, which is encoded)."""
    words = subject.split(" ")
    for index, word in enumerate(words):
        if not _is_plain(word):
            return words[:index], " ".join(words[index:])
    return words, ""


def _is_plain(word: str) -> bool:
    # Empty words (a subject of only spaces) cannot be written as a plain token; "=?" could be taken
    # for the start of an encoded word; long words would make an over-long line.
    return word.isascii() and word.isprintable() and "=?" not in word and 0 < len(word) <= _LINE - 10


def _utf8_chunks(text: str, *, first: int = _EW_BYTES) -> list[str]:
    """`text` cut between characters into pieces of at most _EW_BYTES UTF-8 bytes, the first of at
    most `first` (it may be empty when not even one character fits there)."""
    chunks: list[str] = []
    chunk, size, limit = "", 0, first
    for char in text:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            chunks.append(chunk)
            chunk, size, limit = "", 0, _EW_BYTES
        chunk += char
        size += width
    if chunk:
        chunks.append(chunk)
    return [c for i, c in enumerate(chunks) if c or i > 0]


def _encoded_word(chunk: str) -> str:
    return f"=?utf-8?b?{base64.b64encode(chunk.encode('utf-8')).decode('ascii')}?="
