"""Topic globs as the server matches them (src/io/TopicGlob.ts): ``*`` within one segment, ``**``
across segments, ``?`` one character other than ``/``. The client filters with the same rules, so
frames of an old subscription still in flight are dropped client-side after ``subscribe``.

Matched without regular expressions, by the same small state machine as the server: at most
pattern length × topic length steps, whatever the pattern.
"""

from __future__ import annotations

from typing import Callable, Dict, List, Sequence, Tuple

# Tokens: ("char", c), ("any", ""), ("star", ""), ("globstar", "").
_Token = Tuple[str, str]

MAX_PATTERNS = 64
MAX_PATTERN_LENGTH = 256


def _compile(pattern: str) -> List[_Token]:
    tokens: List[_Token] = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "*":
            globstar = i + 1 < len(pattern) and pattern[i + 1] == "*"
            while i + 1 < len(pattern) and pattern[i + 1] == "*":
                i += 1
            kind = "globstar" if globstar else "star"
            # Runs of stars collapse: `***` is `**`, and `*` next to `**` adds nothing.
            if tokens and tokens[-1][0] in ("star", "globstar"):
                if kind == "globstar":
                    tokens[-1] = ("globstar", "")
            else:
                tokens.append((kind, ""))
        elif c == "?":
            tokens.append(("any", ""))
        else:
            tokens.append(("char", c))
        i += 1
    return tokens


def _matches(tokens: Sequence[_Token], topic: str) -> bool:
    n = len(tokens)

    def close(states: List[bool]) -> None:
        # A state may stand before any run of stars: those match the empty string too.
        for i in range(n):
            if states[i] and tokens[i][0] in ("star", "globstar"):
                states[i + 1] = True

    current = [False] * (n + 1)
    current[0] = True
    close(current)
    for c in topic:
        following = [False] * (n + 1)
        for i in range(n):
            if not current[i]:
                continue
            kind, char = tokens[i]
            if kind == "char":
                if char == c:
                    following[i + 1] = True
            elif kind == "any":
                if c != "/":
                    following[i + 1] = True
            elif kind == "star":
                if c != "/":
                    following[i] = True
            else:
                following[i] = True
        close(following)
        if not any(following):
            return False
        current = following
    return current[n]


def topic_filter(patterns: Sequence[str]) -> Callable[[str], bool]:
    """A predicate over topic names from glob patterns; no patterns accepts every topic."""
    if not patterns:
        return lambda topic: True
    compiled = [_compile(p) for p in patterns]
    known: Dict[str, bool] = {}

    def accepts(topic: str) -> bool:
        result = known.get(topic)
        if result is None:
            result = any(_matches(tokens, topic) for tokens in compiled)
            # A run has few topics; the bound keeps a hostile stream from growing it.
            if len(known) < 4096:
                known[topic] = result
        return result

    return accepts


def check_patterns(patterns: Sequence[str]) -> List[str]:
    """The patterns as a list, or a ValueError saying what the server would refuse."""
    if isinstance(patterns, str):
        raise TypeError("topics must be a list of topic names or globs, such as ['lidar/*'], not a string")
    result = list(patterns)
    for pattern in result:
        if not isinstance(pattern, str) or pattern == "":
            raise ValueError(f"a topic pattern must be a non-empty string, got {pattern!r}")
        if len(pattern) > MAX_PATTERN_LENGTH:
            raise ValueError(f"a topic pattern has at most {MAX_PATTERN_LENGTH} characters, got one of {len(pattern)}")
    if len(result) > MAX_PATTERNS:
        raise ValueError(f"a subscription takes at most {MAX_PATTERNS} patterns, got {len(result)}")
    return result
