"""Words from free text: normalised, stemmed, and read through the shared word lists.

Both sides go through the same steps, so a rule and a question meet half way:

1. `normalise`: Unicode NFKC, case folded, apostrophes dropped ("don't" -> "dont"), every run of
   punctuation or white space made one space. Accents are then stripped ("rôle" -> "role").
2. `stem`: the Snowball English stemmer (PyStemmer), so that the forms people type of one word
   meet ("planning", "planned", "plans" -> "plan") without merging unrelated words (note and not,
   site and sit, care and car stay apart); other forms are listed in matching.yaml.
3. The shared lists (knowledge/data/matching.yaml): each listed alternative, of one word or
   several, is read as the single word it stands for ("local authority" -> "council", "co
   production" and "coproduction" -> "co-production"); stop words are marked.
"""

from __future__ import annotations

import gzip
import json
import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources
from typing import NamedTuple

import Stemmer

from knowledge._models import MatchingLists

_APOSTROPHES = re.compile(r"['’`´‘ʼ′]")  # ʼ and ′: phone keyboards type them too
_NOT_WORD = re.compile(r"[\W_]+")
_DOTTED = re.compile(r"(?<!\w)(?:[a-z]\.){2,}[a-z]?(?!\w)")  # "s.i.p.s", "n.h.s."
_STEMMER = Stemmer.Stemmer("english")
ENGLISH_MIN_CHARS = 4  # shorter words are never corrected, so need no look-up
# Words Snowball merges with an unrelated word, found by stemming pyspellchecker's common words
# and reading the groups that land on a rule word's stem: each is kept apart by its own stem.
_OWN_STEMS = {
    "authority": "authority",  # Snowball: "author", the review's author
    "authorities": "authority",
    "busy": "busy",  # "busi", as business
    "experiment": "experiment",  # "experi", as experience
    "experiments": "experiment",
    "experimental": "experiment",
    "competent": "competent",  # "compet", as compete
    "competence": "competent",
    "competency": "competent",
    "apartment": "apartment",  # "apart"
    "apartments": "apartment",
    "celebrity": "celebrity",  # "celebr", as celebrate
    "celebrities": "celebrity",
    "lonely": "loneli",  # "lone", as a lone champion; loneliness is "loneli"
    # ("died" keeps Snowball's "die", as dying: "I think he has died" is an emergency)
}


# A negative is read as two words, whatever way it was typed: "can't", "cant", "cannot",
# "can not", "can t" and "cnt" are all "can not"; "isn't breathing" is "is not breathing", so
# that a rule's "not breathing" hears it. Rules are read the same way, so "cant go on" meets
# "cannot go on". Text-speak that stands for several words is read as them too ("wanna" is
# "want to"); text-speak for one word is in matching.yaml (spellings).
_NEGATIVES = {
    "cant": "can", "cannot": "can", "wont": "will", "dont": "do", "doesnt": "does",
    "didnt": "did", "isnt": "is", "arent": "are", "wasnt": "was", "werent": "were",
    "hasnt": "has", "havent": "have", "hadnt": "had", "couldnt": "could", "wouldnt": "would",
    "shouldnt": "should", "mustnt": "must", "neednt": "need", "shant": "shall", "aint": "is",
    "cnt": "can", "dnt": "do", "wnt": "will", "cudnt": "could", "wudnt": "would",
    "shudnt": "should",
}  # fmt: skip
_IN_FULL = {
    **{word: (base, "not") for word, base in _NEGATIVES.items()},
    "wanna": ("want", "to"), "gonna": ("going", "to"), "gotta": ("got", "to"),
    "no1": ("no", "one"), "kms": ("kill", "myself"), "cba": ("can", "not", "be", "bothered"),
}  # fmt: skip
# A negative with the apostrophe typed as a space ("won t"): the first part, then a lone "t".
_SPLIT_NEGATIVES = {word[:-1]: base for word, base in _NEGATIVES.items() if word.endswith("nt")}
for _typed in ("cnt", "dnt", "wnt", "cudnt", "wudnt", "shudnt"):
    _SPLIT_NEGATIVES.pop(_typed[:-1], None)  # "cn t" is not a way to type it


def normalise(text: str) -> str:
    """Lower case, apostrophes and the dots of an acronym dropped ("s.i.p.s"), punctuation and runs
    of white space made single spaces."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _APOSTROPHES.sub("", text)
    text = _DOTTED.sub(lambda m: m.group().replace(".", ""), text)
    text = _NOT_WORD.sub(" ", text)
    return " ".join(text.split())


def words(text: str) -> list[str]:
    """The normalised words of a text, accents stripped ("Rôle-play" -> ["role", "play"])."""
    text = normalise(text)
    if not text.isascii():
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in decomposed if not unicodedata.combining(c))
    return text.split()


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The Snowball stem of one normalised word; numbers, mixed tokens and abbreviations of three
    letters or fewer (ICS, LAs, GP) are kept as typed; the few words Snowball merges with an
    unrelated one ("authority" and "author") keep their own stem."""
    if len(word) <= 3 or not word.isalpha():
        return word
    return _OWN_STEMS.get(word) or _STEMMER.stemWord(word)


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """English words as pyspellchecker lists them, so that a real word is never "corrected".

    Loaded once per process (about half a second); only words long enough to be corrected at
    all are kept, which halves the memory.
    """
    data = resources.files("spellchecker").joinpath("resources", "en.json.gz").read_bytes()
    listed = json.loads(gzip.decompress(data))
    return frozenset(w for w in listed if len(w) >= ENGLISH_MIN_CHARS and w.isalpha())


def stems(text: str) -> tuple[str, ...]:
    """The stems of a text's words, in order, with nothing else done to them."""
    return tuple(stem(w) for w in words(text))


class Token(NamedTuple):
    """One word of a question as the matcher sees it: its stem and how sure the reading is.

    A named tuple rather than a dataclass: a long message makes a thousand of them, and a
    frozen dataclass takes about twice as long to build (measured with timeit).
    """

    stem: str
    quality: float = 1.0  # below 1 when a typo was corrected to reach this stem
    generic: bool = False  # typed as an everyday word ("plan", not "planning"): only a hint


class Reader:
    """Reads text into the stems the rules are written in, through the shared word lists."""

    def __init__(self, lists: MatchingLists):
        self.stop_words = frozenset(stem(w) for text in lists.stop_words for w in words(text))
        # alternative (a tuple of stems) -> the one stem it is read as
        self.same: dict[tuple[str, ...], str] = {}
        for word in lists.hyphenated:
            joined = stem("".join(words(word)))
            for form in hyphen_forms(word):
                if form != (joined,):
                    self.same.setdefault(form, joined)
        for group in (lists.spellings, lists.word_forms, lists.sector_words):
            for canonical, alternatives in group.items():
                one = self.read_word(canonical)
                for text in (canonical, *alternatives):
                    form = negatives_apart(stems(text))
                    if form and form != (one,):
                        self.same.setdefault(form, one)
        lengths: dict[str, set[int]] = {}
        for k in self.same:
            if len(k) > 1:
                lengths.setdefault(k[0], set()).add(len(k))
        # first stem -> the lengths of the alternatives starting with it, longest first
        self._starts = {first: sorted(found, reverse=True) for first, found in lengths.items()}
        self._single = {k[0]: v for k, v in self.same.items() if len(k) == 1}

    def read_word(self, text: str) -> str:
        """The single stem a word or phrase from the lists stands for."""
        form = negatives_apart(stems(text))
        if len(form) > 1 and form in self.same:
            return self.same[form]
        joined = "".join(form)
        return self.same.get((joined,), joined)

    def read(self, text: str) -> list[str]:
        """The stems of a text, each listed alternative replaced by what it stands for."""
        return [t.stem for t in self.read_tokens(Token(s) for s in stems(text))]

    def read_tokens(self, tokens: Iterable[Token]) -> list[Token]:
        """Negatives as two words, then listed alternatives replaced, longest first, keeping the
        weakest quality of the parts."""
        tokens = _negatives_apart(list(tokens))
        starts, single = self._starts, self._single
        if not any(t.stem in starts or t.stem in single for t in tokens):
            return tokens  # most sentences: nothing listed in them
        found = []
        i = 0
        while i < len(tokens):
            first = tokens[i].stem
            for n in starts.get(first, ()):
                if i + n > len(tokens):
                    continue
                key = tuple(t.stem for t in tokens[i : i + n])
                if key in self.same:
                    quality = min(t.quality for t in tokens[i : i + n])
                    found.append(Token(self.same[key], quality))
                    i += n
                    break
            else:
                found.append(self._one(tokens[i]))
                i += 1
        return found

    def _one(self, token: Token) -> Token:
        canonical = self._single.get(token.stem)
        return Token(canonical, token.quality, token.generic) if canonical else token

    def content(self, text: str) -> list[str]:
        """The stems of a text that are not stop words."""
        return [s for s in self.read(text) if s not in self.stop_words]


_STEMMED_IN_FULL = {stem(word): tuple(stem(w) for w in full) for word, full in _IN_FULL.items()}
_STEMMED_SPLITS = {stem(word): (stem(base), stem("not")) for word, base in _SPLIT_NEGATIVES.items()}


def _negatives_apart(tokens: list[Token]) -> list[Token]:
    """Each negative as its verb and "not" ("cant" and "can t" -> "can", "not"), and text-speak
    for several words as those words ("wanna" -> "want", "to")."""
    if not any(t.stem in _STEMMED_IN_FULL or t.stem == "t" for t in tokens):
        return tokens
    found: list[Token] = []
    n = 0
    while n < len(tokens):
        token = tokens[n]
        split = n + 1 < len(tokens) and tokens[n + 1].stem == "t"
        full = _STEMMED_SPLITS.get(token.stem) if split else None
        if full is None:
            full = _STEMMED_IN_FULL.get(token.stem)
            split = False
        if full is None:
            found.append(token)
        else:
            found += [Token(s, token.quality) for s in full]
            n += split
        n += 1
    return found


def negatives_apart(found: tuple[str, ...]) -> tuple[str, ...]:
    """The same for stems alone."""
    return tuple(t.stem for t in _negatives_apart([Token(s) for s in found]))


def hyphen_forms(word: str) -> set[tuple[str, ...]]:
    """The ways people type a hyphenated word: spaced, and joined up ("co production")."""
    parts = words(word)
    return {tuple(stem(p) for p in parts), (stem("".join(parts)),)}
