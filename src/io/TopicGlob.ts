/**
 * Topic globs a client subscribes with: `*` matches within one path segment, `**` across
 * segments, `?` one character other than `/`. Matched without regular expressions: a pattern
 * is compiled to a small state machine whose states are pattern positions, and a topic is run
 * through it once, so matching costs at most (pattern length × topic length) steps whatever
 * the pattern (a regular expression of forty `*` backtracks for ever on a miss).
 */

/** Longest pattern accepted, and most patterns in one subscription. */
export const MAX_PATTERN_LENGTH = 256;
export const MAX_PATTERNS = 64;

type Token = { kind: 'char'; char: string } | { kind: 'any' } | { kind: 'star' } | { kind: 'globstar' };

function compile(pattern: string): Token[] {
  const tokens: Token[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') {
      const globstar = pattern[i + 1] === '*';
      if (globstar) while (pattern[i + 1] === '*') i++;
      const kind = globstar ? 'globstar' : 'star';
      // Runs of stars collapse: `***` is `**`, and `*` next to `**` adds nothing.
      const last = tokens[tokens.length - 1];
      if (last && (last.kind === 'star' || last.kind === 'globstar')) {
        if (kind === 'globstar') last.kind = 'globstar';
        continue;
      }
      tokens.push({ kind });
    } else if (c === '?') tokens.push({ kind: 'any' });
    else tokens.push({ kind: 'char', char: c });
  }
  return tokens;
}

/** Whether the topic matches the compiled pattern: one pass over the topic, a set of states. */
function matches(tokens: readonly Token[], topic: string): boolean {
  const n = tokens.length;
  let current = new Uint8Array(n + 1);
  let next = new Uint8Array(n + 1);
  // A state may stand before any run of stars: those match the empty string too.
  const close = (states: Uint8Array): void => {
    for (let i = 0; i < n; i++) if (states[i] && (tokens[i].kind === 'star' || tokens[i].kind === 'globstar')) states[i + 1] = 1;
  };
  current[0] = 1;
  close(current);
  for (const c of topic) {
    next.fill(0);
    let any = false;
    for (let i = 0; i < n; i++) {
      if (!current[i]) continue;
      const token = tokens[i];
      switch (token.kind) {
        case 'char':
          if (token.char === c) next[i + 1] = 1;
          break;
        case 'any':
          if (c !== '/') next[i + 1] = 1;
          break;
        case 'star':
          if (c !== '/') next[i] = 1;
          break;
        case 'globstar':
          next[i] = 1;
          break;
      }
    }
    close(next);
    for (let i = 0; i <= n; i++) if (next[i]) any = true;
    if (!any) return false;
    [current, next] = [next, current];
  }
  return current[n] === 1;
}

/**
 * A topic filter from glob patterns; no patterns means every topic. Results are remembered per
 * topic (a run has few), so a subscription costs its matching once per topic.
 */
export function topicFilter(patterns: readonly string[]): (topic: string) => boolean {
  if (patterns.length === 0) return () => true;
  const compiled = patterns.map(compile);
  const known = new Map<string, boolean>();
  return (topic) => {
    let result = known.get(topic);
    if (result === undefined) {
      result = compiled.some((tokens) => matches(tokens, topic));
      if (known.size < 4096) known.set(topic, result);
    }
    return result;
  };
}

/** Why a subscription is refused (too many or too long patterns), or undefined. */
export function subscriptionProblem(patterns: readonly string[]): string | undefined {
  if (patterns.length > MAX_PATTERNS) return `a subscription takes at most ${MAX_PATTERNS} patterns, got ${patterns.length}`;
  const long = patterns.find((p) => p.length > MAX_PATTERN_LENGTH);
  if (long !== undefined) return `a topic pattern has at most ${MAX_PATTERN_LENGTH} characters, got one of ${long.length}`;
  return undefined;
}
