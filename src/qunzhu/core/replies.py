"""Who answers whom, where the export does not say: reply inference.

Most exports carry no reply links (WeChat and QQ text exports, WhatsApp, IRC, Gitter), yet
tiers, link degree, centres and bridges and "newcomers unanswered" all stand on them.
:func:`infer` guesses, for every message, the earlier message it answers — or none, when
it opens a conversation — from what any chat has: who spoke when, whose turn it was, a name
at the start of the line or an @mention, a quote ("回复 XX："), a question before it,
shared words, and a speaker going on with their own thread.

**Candidates.** For each message: itself ("opens a conversation"), the ``NEAR`` messages
before it, and further back (up to ``WINDOW`` rows) the last message of every member who
spoke there — whoever is answered is usually answered on their latest line. At most
``SLOTS`` candidates, nearest first.

**Model.** Every candidate is described by a few small integer keys (distance, time gap
and length; turn-taking flags; naming and topic flags, shared words among them; what the
message itself is; and, for the "opens a conversation" candidate, whether it greets,
asks, names someone). A one hidden-layer network
scores each candidate, and a softmax over the candidates gives the confidence. The
network's first layer is stored as one table per key, so scoring is a handful of table
lookups per candidate (see :class:`Model`) — the same numbers as the dense network the
training script fits. The weights ship in ``reply_weights.npz`` beside this module;
``bench/reply_train.py`` rebuilds them from the training split of the Ubuntu IRC reply
corpus (Kummerfeld et al., ACL 2019) and ``bench/reply_eval.py`` measures them on its
development split. Nothing is downloaded at run time.

**Explicit links win.** Links the export recorded (Telegram, Discord, Slack threads, QQ
JSON) are never replaced: :func:`infer` only guesses where ``explicit`` is unknown.

Everything runs vectorised over ``messages × candidates`` arrays; the texts are read in one
pass over all of them joined (:func:`prepare`): Python runs once per distinct word and per
line that starts in Chinese, not per message. Shared words are Latin-script words only: a
Chinese line has no spaces, and character pairs were not measured on annotated Chinese
chat, so they are not guessed at.
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from .text import to_simplified

I64 = npt.NDArray[np.int64]
F32 = npt.NDArray[np.float32]
F64 = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]

WINDOW = 40  #: rows looked back for the last message of each member
NEAR = 12  #: rows just before a message that are always candidates
SLOTS = 16  #: candidates per message, itself included
BAG_WORDS = 8  #: 64-bit words of a message's bag of content words (512 bits)
CHUNK = 2048  #: messages scored at once (keeps the arrays in the processor's cache)
WEIGHTS = Path(__file__).with_name("reply_weights.npz")

DIST_EDGES = (1, 2, 3, 4, 5, 7, 10, 15, 25)  #: row distance buckets start here
GAP_EDGES = (0, 60, 120, 240, 480, 900, 1800)  #: seconds
LENGTH_EDGES = (0, 12, 40, 100)  #: characters

#: pair flags, in key order: turn-taking (key 2) and naming / topic (key 3)
TURN_FLAGS = ("same_sender", "names_it", "names_another", "it_names_me", "last_of_sender",
              "nearest_other", "i_spoke_since")
TOPIC_FLAGS = ("mentions_it", "it_mentions_me", "partner", "same_addressee", "it_asks",
               "i_thank", "it_greets", "its_first", "it_names_someone", "last_naming_me",
               "shares_a_word", "shares_words")
#: what the message itself is, seen from every earlier candidate (key 4)
OWN_FLAGS = ("names_someone", "asks", "greets", "thanks", "mentions_someone")
#: flags of the message itself (the "opens a conversation" candidate)
SELF_FLAGS = ("system", "names_someone", "asks", "first_in_window", "mentions_someone",
              "greets", "thanks", "named_absent", "no_other")
#: values of each key; the last value of each is "none" (all features zero)
KEY_SIZES = (len(DIST_EDGES) * len(GAP_EDGES) * len(LENGTH_EDGES) + 1,
             2 ** len(TURN_FLAGS) + 1, 2 ** len(TOPIC_FLAGS) + 1,
             2 ** len(SELF_FLAGS) * len(LENGTH_EDGES) + 1,
             2 ** len(OWN_FLAGS) * len(LENGTH_EDGES) + 1)
#: width of the dense feature vector the keys stand for (what training sees)
FEATURES = (len(DIST_EDGES) + len(GAP_EDGES) + len(LENGTH_EDGES) + len(TURN_FLAGS)
            + len(TOPIC_FLAGS) + 1 + len(SELF_FLAGS) + len(LENGTH_EDGES)
            + len(OWN_FLAGS) + len(LENGTH_EDGES))

_SEP = "\x00"
_SEP_TOKEN = " \x00 "  # noqa: S105 (a separator, not a secret)
#: a name followed by one of these, or after @, addresses that member ("nick:", "@张三")
_ADDRESS_MARKS = (":", ",", ">", ";", "：", "，", "；")
_MENTION_MARKS = ("", ".", "?", "!", ")", "'s", "。", "？", "！")
#: first words that quote or answer someone named next ("回复 张三：…")
_MARKERS = frozenset(("回复", "回覆", "re:", "引用", "答复", "@"))
_GREETING = frozenset(("hi", "hello", "hey", "hallo", "hiya", "anyone", "anybody", "somebody",
                       "someone", "help", "question",
                       "大家好", "请问", "求助", "有人", "有谁", "各位", "问一下"))
_THANKS = frozenset(("thanks", "thank", "thx", "ty", "cheers", "ok", "okay", "yes", "yeah",
                     "yep", "no", "nope", "great", "works", "worked",
                     "谢谢", "多谢", "感谢", "好的", "嗯", "对", "是的", "可以",
                     "收到", "明白", "懂了", "哈哈"))
_OPENERS = ("请问", "求助", "大家好", "有人", "有谁", "各位")
_THANKS_CJK = ("谢谢", "多谢", "感谢", "好的", "收到", "明白", "懂了", "哈哈")


def _first_words() -> dict[str, int]:
    """First words that greet (1), thank or agree (2), or quote someone named next (3),
    as people type them ("Hi", "thanks!", "回复")."""
    out: dict[str, int] = {}
    for value, words in ((3, _MARKERS), (1, _GREETING), (2, _THANKS)):
        for word in words:
            for form in {word, word.capitalize(), word.upper()}:
                for mark in ("", ",", "!", ".", ":", "?", "~", "，", "！", "。", "：", "？"):
                    out.setdefault(form + mark, value)
    return out


_FIRST_WORDS = _first_words()


class Vocabulary(dict[str, int]):
    """Word → what it says, packed in one integer: ``(code + 2) << 14 | first-word kind
    << 12 | not ASCII << 11 | asks << 10 | (bag bit + 1)``, with the name code of
    :func:`token_codes` (-1 none, -2 separator) and the kind of :func:`_first_words`.
    Each distinct word is described once, when first met; share one between the pieces
    of a group (:func:`prepare_all`)."""

    def __init__(self, names: Mapping[str, int]) -> None:
        super().__init__()
        self.codes = token_codes(names)

    def __missing__(self, word: str) -> int:
        code = self.codes.get(word, -1)
        asks = "?" in word or "？" in word or "吗" in word
        value = ((code + 2) << 14 | _FIRST_WORDS.get(word, 0) << 12
                 | int(not word.isascii()) << 11 | int(asks) << 10
                 | (_bag_bit(word, self.codes) + 1))
        self[word] = value
        return value


def _bag_bit(word: str, codes: Mapping[str, int]) -> int:
    """The bag bit of a word that carries topic (3+ letters, not a stop word, not a name,
    Latin script: a Chinese line without spaces is one "word" and says nothing here);
    -1 for any other word."""
    bare = word.strip(_PUNCT).casefold()
    if len(bare) < 3 or len(bare) > 30 or bare in _STOP or word in codes or not bare.isascii():
        return -1
    return zlib.crc32(bare.encode()) % (BAG_WORDS * 64)


_STOP = frozenset(("the", "and", "for", "you", "are", "but", "not", "with", "this", "that",
                   "have", "has", "was", "were", "can", "how", "what", "why", "when", "who",
                   "where", "which", "there", "their", "then", "than", "just", "its", "it's",
                   "your", "from", "they", "them", "will", "would", "should", "could", "all",
                   "any", "one", "get", "got", "out", "use", "using", "used", "about", "into",
                   "also", "more", "some", "like", "yes", "no", "ok", "okay", "thanks", "thank",
                   "don't", "i'm", "that's", "you're", "can't", "doesn't", "isn't"))
_PUNCT = "\"'“”‘’()[]{}<>.,;:!?，。；：！？、…~*`|/"
_CJK_HEAD = re.compile(r"@?([^:：,，;；>\s]{1,40})[:：,，;；>]")


@dataclass(frozen=True)
class Links:
    """Per message: the row it answers (``-1``: opens a conversation, or no guess) and how
    sure that is (0–1). Explicit links keep their row and confidence 1."""

    parent: I64
    confidence: F64
    inferred: Bools  #: True where the parent is a guess, False where the export said so

    def __len__(self) -> int:
        return len(self.parent)


def name_key(name: str) -> str:
    """How a name is compared when someone writes it: NFKC, Simplified, case-folded, and
    without IRC's away and clash decorations (``nick_``, ``nick^``, ``nick|away``)."""
    key = to_simplified(unicodedata.normalize("NFKC", name)).casefold().strip()
    key = key.split("|", 1)[0].lstrip("@")
    return key.rstrip("_^`-") or key


def name_index(names: Mapping[int, Sequence[str]] | Sequence[str]) -> dict[str, int]:
    """``name → sender`` for :func:`infer` from each sender's names (nickname, 群昵称,
    display name), or from one name per sender index. Names of one or two Latin letters
    are left out: "a" or "ok" at the start of a line is not an address."""
    items = (names.items() if isinstance(names, Mapping)
             else ((i, (n,)) for i, n in enumerate(names)))
    out: dict[str, int] = {}
    for sender, aliases in items:
        for alias in aliases:
            key = name_key(alias)
            if len(key) >= 3 or (key and not key.isascii()):
                out.setdefault(key, int(sender))
                out.setdefault(alias.casefold(), int(sender))
                out.setdefault(alias.strip(), int(sender))  # as written: "GnuHippy:"
    return out


@dataclass(frozen=True)
class Prepared:
    """What the candidate keys need from the texts (one entry per message)."""

    addressee: I64  #: sender named at the start of the line or quoted, -1 none
    mention_a: I64  #: other senders named in the text (up to two), -1 none
    mention_b: I64
    question: Bools
    greeting: Bools
    thanks: Bools
    length: I64
    words: npt.NDArray[np.uint64]  #: (rows, 8): a 512-bit bag of its content words

    @classmethod
    def join(cls, parts: Sequence[Prepared]) -> Prepared:
        """Consecutive pieces as one (:func:`prepare` reads each row on its own)."""
        return cls(*(np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(cls)))


def token_codes(names: Mapping[str, int]) -> dict[str, int]:
    """Every way a name is written as one word, ``→ sender * 2 + 1`` when it addresses
    ("nick:", "@nick", "张三：") and ``→ sender * 2`` when it only names ("nick", "nick?")."""
    codes: dict[str, int] = {}
    for key, sender in names.items():
        forms = {key, key.capitalize(), key.upper()}
        for form in forms:
            for mark in _MENTION_MARKS:
                codes.setdefault(form + mark, sender * 2)
                codes.setdefault("@" + form + mark, sender * 2 + 1)
            for mark in _ADDRESS_MARKS:
                codes.setdefault(form + mark, sender * 2 + 1)
                codes.setdefault("@" + form + mark, sender * 2 + 1)
    codes[_SEP] = -2
    return codes


def prepare(texts: Sequence[str], sender: I64, names: Mapping[str, int],
            vocabulary: Vocabulary | None = None) -> Prepared:
    """Read all texts at once: whom each addresses and names, whether it asks, greets or
    thanks.

    ``names`` is :func:`name_index`. The texts are joined and split on white space in one
    go and every word is looked up once in a table of the ways each name is written; the
    rest is NumPy passes over the word codes, and a Python step per message only for its
    first word."""
    n = len(texts)
    sender = np.asarray(sender, np.int64)
    length = np.fromiter(map(len, texts), np.int64, n)
    tokens = _SEP_TOKEN.join(texts).split()
    if tokens.count(_SEP) != n - 1:  # a text held the separator itself
        tokens = _SEP_TOKEN.join(t.replace(_SEP, " ") for t in texts).split()
    # one lookup per word; a word not seen before is described once (Vocabulary.__missing__)
    words = vocabulary if vocabulary is not None else Vocabulary(names)
    packed = np.fromiter(map(words.__getitem__, tokens), np.int64, len(tokens))
    code = (packed >> 14) - 2
    bit = (packed & 1023) - 1
    bags = np.zeros((n, BAG_WORDS), np.uint64)
    is_sep = code == -2
    row = np.cumsum(is_sep) - is_sep
    question = np.zeros(n, bool)
    question[row[(packed & 1024) != 0]] = True
    # the first word of each row: greeting, thanks, whom the line addresses
    first = np.flatnonzero(~is_sep & np.concatenate([[True], is_sep[:-1]]))
    r_first = row[first]
    addressee = np.full(n, -1, np.int64)
    greeting = np.zeros(n, bool)
    thanks = np.zeros(n, bool)
    c_first = code[first]
    addressing = (c_first >= 0) & (c_first % 2 == 1)
    addressee[r_first[addressing]] = c_first[addressing] // 2
    kind = (packed[first] >> 12) & 3
    greeting[r_first] = kind == 1
    thanks[r_first] = kind == 2
    quoting = np.flatnonzero((kind == 3) & (c_first < 0))
    after = np.minimum(first[quoting] + 1, len(code) - 1)
    ok = code[after] >= 0
    addressee[r_first[quoting[ok]]] = code[after[ok]] // 2  # 回复 张三：…
    for k in np.flatnonzero(packed[first] & 2048).tolist():
        word = tokens[first[k]]  # Chinese openers, and 张三：你好 with no space after the name
        if word.startswith(_OPENERS):
            greeting[r_first[k]] = True
        elif word.startswith(_THANKS_CJK):
            thanks[r_first[k]] = True
        if c_first[k] < 0 and kind[k] == 3 and first[k] + 1 < len(tokens):
            word = tokens[first[k] + 1]  # 回复 张三：下午三点 (the name runs into the text)
        if c_first[k] < 0 and addressee[r_first[k]] < 0:
            found = _CJK_HEAD.match(word)
            if found is not None:
                head = names.get(name_key(found.group(1)), -1)
                if head >= 0:
                    addressee[r_first[k]] = head
    addressee[addressee == sender] = -1
    content = np.flatnonzero(bit >= 0)
    np.bitwise_or.at(bags.reshape(-1), row[content] * BAG_WORDS + (bit[content] >> 6),
                     np.uint64(1) << (bit[content] & 63).astype(np.uint64))
    # names anywhere else in the line
    named = np.flatnonzero(code >= 0)
    who = code[named] // 2
    r = row[named]
    keep = (who != sender[r]) & (who != addressee[r])
    named, who, r = named[keep], who[keep], r[keep]
    mention_a = np.full(n, -1, np.int64)
    mention_b = np.full(n, -1, np.int64)
    if len(named):
        lead_row = np.concatenate([[True], r[1:] != r[:-1]])
        mention_a[r[lead_row]] = who[lead_row]
        second = ~lead_row & (who != mention_a[r])
        sr = r[second]
        if len(sr):
            first_second = np.concatenate([[True], sr[1:] != sr[:-1]])
            mention_b[sr[first_second]] = who[second][first_second]
    length[sender < 0] = 0
    return Prepared(addressee, mention_a, mention_b, question, greeting, thanks, length,
                    bags)


PREPARE_ROWS = 25_000  #: texts read at once (their words are Python objects: memory)


def prepare_all(texts: Sequence[str], sender: I64, names: Mapping[str, int]) -> Prepared:
    """:func:`prepare` in pieces of PREPARE_ROWS texts, so that a group of millions of
    messages never holds all its words at once (every row stands alone here)."""
    if len(texts) <= PREPARE_ROWS:
        return prepare(texts, sender, names)
    vocabulary = Vocabulary(names)
    return Prepared.join([
        prepare(texts[lo:lo + PREPARE_ROWS], sender[lo:lo + PREPARE_ROWS], names, vocabulary)
        for lo in range(0, len(texts), PREPARE_ROWS)])


def _bucket(values: I64, edges: Sequence[int]) -> I64:
    return np.asarray(np.searchsorted(np.asarray(edges), values, side="right") - 1, np.int64)


def _neighbours(sender: I64) -> tuple[I64, I64]:
    """Per row, the previous and the next row by the same sender (-1 none)."""
    n = len(sender)
    prev = np.full(n, -1, np.int64)
    nxt = np.full(n, -1, np.int64)
    if n == 0:
        return prev, nxt
    order = np.lexsort((np.arange(n), sender))
    s = sender[order]
    same = s[1:] == s[:-1]
    prev[order[1:][same]] = order[:-1][same]
    nxt[order[:-1][same]] = order[1:][same]
    prev[sender < 0] = -1
    nxt[sender < 0] = -1
    return prev, nxt


def _partners(sender: I64, addressee: I64) -> I64:
    """Per message, the member its sender last talked with (named, or was named by)."""
    n = len(sender)
    out = np.full(n, -1, np.int64)
    rows = np.flatnonzero((sender >= 0) & (addressee >= 0))
    if len(rows) == 0:
        return out
    # events: at row r, the speaker talked with the addressee and the addressee with him
    person = np.concatenate([sender[rows], addressee[rows]])
    partner = np.concatenate([addressee[rows], sender[rows]])
    at = np.concatenate([rows, rows])
    key = person * (n + 1) + at
    order = np.argsort(key, kind="stable")
    key, person, partner = key[order], person[order], partner[order]
    speaking = np.flatnonzero(sender >= 0)
    query = sender[speaking] * (n + 1) + speaking
    idx = np.searchsorted(key, query, "left") - 1
    ok = (idx >= 0) & (person[np.maximum(idx, 0)] == sender[speaking])
    out[speaking[ok]] = partner[idx[ok]]
    return out


@dataclass(frozen=True)
class Context:
    """Per-row facts the candidate keys of any chunk need."""

    ts: I64
    sender: I64
    p: Prepared
    prev: I64
    nxt: I64
    partner: I64


def context(ts: I64, sender: I64, p: Prepared) -> Context:
    sender = np.asarray(sender, np.int64)
    prev, nxt = _neighbours(sender)
    return Context(np.asarray(ts, np.int64), sender, p, prev, nxt, _partners(sender, p.addressee))


def candidates(c: Context, rows: I64) -> tuple[I64, I64, Bools]:
    """Candidate rows ``(len(rows), SLOTS)`` (slot 0: the row itself), their keys
    ``(len(rows), SLOTS, 5)`` and the mask of real candidates."""
    i = np.asarray(rows, np.int64)
    m = len(i)
    d = np.arange(1, WINDOW, dtype=np.int64)
    j = i[:, None] - d[None, :]
    valid = j >= 0
    jj = np.where(valid, j, 0)
    s_j = np.where(valid, c.sender[jj], -1)
    nxt_j = c.nxt[jj]
    keep = (s_j >= 0) & ((d[None, :] <= NEAR) | (nxt_j >= i[:, None]) | (nxt_j < 0))
    slot = np.cumsum(keep, axis=1)
    keep &= slot < SLOTS
    chosen = np.repeat(i[:, None], SLOTS, axis=1)
    mask = np.zeros((m, SLOTS), bool)
    r_idx, c_idx = np.nonzero(keep)
    chosen[r_idx, slot[r_idx, c_idx]] = j[r_idx, c_idx]
    mask[r_idx, slot[r_idx, c_idx]] = True
    mask[:, 0] = c.sender[i] >= 0
    s_i = c.sender[i]
    seen = keep & (s_j == s_i[:, None])
    addressee = c.p.addressee[i]
    named_present = (keep & (s_j == addressee[:, None])).any(axis=1)
    has_other = (keep & ~seen).any(axis=1)
    return chosen, _keys(c, i, chosen, mask, seen.any(axis=1), named_present, has_other), mask


def _keys(c: Context, i: I64, j: I64, mask: Bools, seen: Bools, named_present: Bools,
          has_other: Bools) -> I64:
    p = c.p
    other = mask.copy()
    other[:, 0] = False
    s_i = c.sender[i][:, None]
    s_j = c.sender[j]
    same = other & (s_j == s_i)
    nxt_j = c.nxt[j]
    not_me = other & ~same
    nearest = np.argmax(not_me, axis=1)
    nearest_other = np.zeros_like(other)
    nearest_other[np.arange(len(i)), nearest] = not_me[np.arange(len(i)), nearest]
    addr_i = p.addressee[i][:, None]
    addr_j = p.addressee[j]
    named = addr_i >= 0
    turn = _pack((same, named & (addr_i == s_j), named & (addr_i != s_j), addr_j == s_i,
                  (nxt_j >= i[:, None]) | (nxt_j < 0), nearest_other, c.prev[i][:, None] > j))
    prev_j = c.prev[j]
    shared = np.bitwise_count(p.words[i][:, None, :] & p.words[j]).sum(axis=-1)
    names_me = other & (addr_j == s_i)
    first_naming = np.argmax(names_me, axis=1)
    last_naming_me = np.zeros_like(other)
    last_naming_me[np.arange(len(i)), first_naming] = names_me[np.arange(len(i)), first_naming]
    topic = _pack(((p.mention_a[i][:, None] == s_j) | (p.mention_b[i][:, None] == s_j),
                   (p.mention_a[j] == s_i) | (p.mention_b[j] == s_i),
                   c.partner[i][:, None] == s_j, named & (addr_j == addr_i), p.question[j],
                   np.broadcast_to(p.thanks[i][:, None], j.shape), p.greeting[j],
                   (prev_j < 0) | (prev_j < j - WINDOW), addr_j >= 0, last_naming_me,
                   shared >= 1, shared >= 2))
    d = i[:, None] - j
    gap = np.maximum(c.ts[i][:, None] - c.ts[j], 0)
    k1 = ((_DIST_OF[np.minimum(d, len(_DIST_OF) - 1)] * len(GAP_EDGES) + _bucket(gap, GAP_EDGES))
          * len(LENGTH_EDGES) + _bucket(p.length[j], LENGTH_EDGES))
    addressee = p.addressee[i]
    own = _pack((c.sender[i] < 0, addressee >= 0, p.question[i], ~seen, p.mention_a[i] >= 0,
                 p.greeting[i], p.thanks[i], (addressee >= 0) & ~named_present, ~has_other))
    length_i = _bucket(p.length[i], LENGTH_EDGES)
    me = _pack((addressee >= 0, p.question[i], p.greeting[i], p.thanks[i],
                p.mention_a[i] >= 0)) * len(LENGTH_EDGES) + length_i
    keys = np.empty((*j.shape, 5), np.int64)
    for g, k in enumerate((k1, turn, topic)):
        keys[..., g] = np.where(other, k, KEY_SIZES[g] - 1)
    keys[..., 3] = KEY_SIZES[3] - 1
    keys[:, 0, 3] = own * len(LENGTH_EDGES) + length_i
    keys[..., 4] = np.where(other, me[:, None], KEY_SIZES[4] - 1)
    return keys


_DIST_OF = np.searchsorted(np.asarray(DIST_EDGES), np.arange(WINDOW + 1), "right") - 1


def _pack(flags: Sequence[Bools]) -> I64:
    """Boolean arrays as the bits of one integer key (the first is bit 0)."""
    out = np.zeros(np.shape(flags[0]), np.int64)
    for bit, flag in enumerate(flags):
        out |= np.asarray(flag, np.int64) << bit
    return out


def _unpack(values: I64, width: int) -> F32:
    return ((values[..., None] >> np.arange(width)) & 1).astype(np.float32)


def dense(keys: I64) -> F32:
    """The dense feature vectors the keys stand for, ``(..., FEATURES)``: what the network
    is trained on. A key's "none" value (the last of its range) is all zeros."""

    def onehot(index: I64, size: int, live: Bools) -> F32:
        return (np.eye(size, dtype=np.float32)[np.clip(index, 0, size - 1)]
                * live[..., None].astype(np.float32))

    k1, k2, k3, k4, k5 = (keys[..., g] for g in range(5))
    lengths, gaps = len(LENGTH_EDGES), len(GAP_EDGES)
    live = k1 < KEY_SIZES[0] - 1
    self_live = k4 < KEY_SIZES[3] - 1
    me_live = k5 < KEY_SIZES[4] - 1
    return np.concatenate([
        onehot(k1 // (gaps * lengths), len(DIST_EDGES), live),
        onehot(k1 // lengths % gaps, gaps, live),
        onehot(k1 % lengths, lengths, live),
        _unpack(k2, len(TURN_FLAGS)) * (k2 < KEY_SIZES[1] - 1)[..., None],
        _unpack(k3, len(TOPIC_FLAGS)) * (k3 < KEY_SIZES[2] - 1)[..., None],
        self_live[..., None].astype(np.float32),
        _unpack(k4 // lengths, len(SELF_FLAGS)) * self_live[..., None],
        onehot(k4 % lengths, lengths, self_live),
        _unpack(k5 // lengths, len(OWN_FLAGS)) * me_live[..., None],
        onehot(k5 % lengths, lengths, me_live),
    ], axis=-1)


@dataclass(frozen=True)
class Model:
    """The network: ``score = w2 · relu(W1 x + b1) + b2`` over a candidate's dense
    features ``x``. Scoring adds up the rows of ``W1 x`` stored per value of each key
    (:attr:`tables`): four lookups for an earlier message, one for the message itself."""

    w1: F32
    b1: F32
    w2: F32
    b2: float

    @cached_property
    def tables(self) -> tuple[F32, ...]:
        """``W1 x`` for every value of each key (bias folded into keys 0 and 3: an earlier
        candidate uses keys 0, 1, 2 and 4, the message itself key 3 alone), and last the
        turn-taking and own-flags tables summed in advance (one lookup for both)."""
        out = []
        for g, size in enumerate(KEY_SIZES):
            keys = np.tile(np.array(KEY_SIZES, np.int64) - 1, (size, 1))
            keys[:, g] = np.arange(size)
            table = dense(keys) @ self.w1
            if g in (0, 3):
                table = table + self.b1
            out.append(np.ascontiguousarray(table, np.float32))
        out.append(np.ascontiguousarray(
            (out[1][:, None, :] + out[4][None, :, :]).reshape(-1, out[1].shape[1])))
        return tuple(out)

    def score(self, keys: I64) -> F32:
        """Scores ``(rows, SLOTS)`` for keys from :func:`candidates`."""
        t = self.tables
        z = t[0][keys[:, 1:, 0]]
        z += t[5][keys[:, 1:, 1] * KEY_SIZES[4] + keys[:, 1:, 4]]
        z += t[2][keys[:, 1:, 2]]
        np.maximum(z, 0, out=z)
        own = np.maximum(t[3][keys[:, 0, 3]], 0)
        out = np.empty(keys.shape[:2], np.float32)
        out[:, 1:] = z @ self.w2
        out[:, 0] = own @ self.w2
        return out + np.float32(self.b2)


@lru_cache(maxsize=1)
def model() -> Model:
    with np.load(WEIGHTS) as z:
        if int(z["features"]) != FEATURES:
            raise RuntimeError(f"{WEIGHTS.name} was trained on {int(z['features'])} features, "
                               f"the code has {FEATURES}: run bench/reply_train.py")
        return Model(z["w1"], z["b1"], z["w2"], float(z["b2"]))


def infer(ts: I64, sender: I64, texts: Sequence[str] | Prepared, names: Mapping[str, int],
          explicit: I64 | None = None, net: Model | None = None) -> Links:
    """Parent row per message (see :class:`Links`).

    ``ts`` ascending seconds; ``sender`` indices (-1 for system lines, which never answer
    and are never answered); ``texts``, or what :func:`prepare` read from them (a caller
    that streams rows reads them piece by piece); ``names`` from :func:`name_index`;
    ``explicit`` parent rows the export recorded (-1 unknown), which win over any guess."""
    net = net or model()
    ts = np.asarray(ts, np.int64)
    sender = np.asarray(sender, np.int64)
    n = len(ts)
    parent = np.full(n, -1, np.int64)
    confidence = np.zeros(n, np.float64)
    if n:
        read = texts if isinstance(texts, Prepared) else prepare_all(texts, sender, names)
        c = context(ts, sender, read)
        for lo in range(0, n, CHUNK):
            rows = np.arange(lo, min(n, lo + CHUNK), dtype=np.int64)
            chosen, keys, mask = candidates(c, rows)
            score = np.where(mask, net.score(keys), -np.inf)
            best = score.argmax(axis=1)
            top = score[np.arange(len(rows)), best]
            with np.errstate(invalid="ignore"):
                prob = 1.0 / np.exp(score - top[:, None]).sum(axis=1)
            parent[rows] = np.where(best == 0, -1, chosen[np.arange(len(rows)), best])
            confidence[rows] = np.nan_to_num(prob)
        parent[sender < 0] = -1
        confidence[sender < 0] = 0.0
    inferred = np.ones(n, bool)
    if explicit is not None:
        known = np.asarray(explicit, np.int64) >= 0
        parent[known] = np.asarray(explicit, np.int64)[known]
        confidence[known] = 1.0
        inferred[known] = False
    return Links(parent, confidence, inferred)


SURE = 0.5  #: an inferred reply this sure counts as an answer (newcomers, threads)


def inferred_senders(ts: I64, sender: npt.NDArray[np.integer[Any]],
                     texts: Sequence[str] | Prepared, names: Mapping[int, Sequence[str]],
                     speech: Bools) -> tuple[npt.NDArray[np.int32], F32, I64]:
    """For a history's columns: per row, the sender of the message it answers (-1 none),
    the confidence, and when someone else first answered the row itself with at least
    SURE confidence (-1 never), from :func:`infer`. ``texts`` as :func:`infer` takes them
    (what :func:`prepare` read from them needs no ``names``); ``names``: each sender's
    names; ``speech``: the rows that are something a member said (join lines and notices
    answer nobody and are answered by nobody)."""
    sender = np.asarray(sender, np.int64)
    ts = np.asarray(ts, np.int64)
    links = infer(ts, np.where(speech, sender, -1), texts, name_index(names))
    to = np.where(links.parent >= 0, sender[np.maximum(links.parent, 0)], -1)
    answer = np.flatnonzero((links.parent >= 0) & (links.confidence >= SURE) & (to != sender))
    return (to.astype(np.int32), links.confidence.astype(np.float32),
            first_answers(links.parent[answer], ts[answer], len(ts)))


def first_answers(parent: I64, when: I64, n: int) -> I64:
    """Per row of ``n``, the earliest time among the answers (``parent`` row, ``when``)
    that point at it; -1 for rows nobody answered."""
    out = np.full(n, np.iinfo(np.int64).max, np.int64)
    np.minimum.at(out, np.asarray(parent, np.int64), np.asarray(when, np.int64))
    return np.where(out == np.iinfo(np.int64).max, -1, out)
