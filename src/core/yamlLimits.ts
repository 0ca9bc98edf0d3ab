/**
 * What a YAML or JSON file may ask of the parser and of everything that walks its data: a
 * bounded nesting depth (checked on the tokens, before the recursive parser sees them), and
 * aliases that name an anchor before them, do not contain themselves and do not multiply the
 * document (an "alias bomb": ten aliases of ten aliases of ... a few hundred bytes that
 * expand to billions of nodes).
 */
import { isAlias, isMap, isPair, isScalar, isSeq, Lexer, type Document, type LineCounter } from 'yaml';
import { UserError } from './errors.js';

/**
 * Deepest nesting of collections. Configs nest a handful of levels; the yaml parser and the
 * walks over the data recurse once per level, and a few thousand levels overflow the stack
 * (or abort V8 outright while it compiles a regular expression near the stack's end).
 */
export const MAX_YAML_DEPTH = 100;
/** Most nodes aliases may add to a document when expanded. */
export const MAX_ALIAS_EXPANSION = 1_000_000;

/**
 * Fails when collections nest deeper than MAX_YAML_DEPTH. Counted from the lexer's tokens,
 * which come without recursion: open flow brackets, block indentation levels, and the
 * `- ` and `? ` indicators of compact nested collections on one line. The count never falls
 * below the real depth (it may exceed it a little for flow collections spread over lines).
 */
export function checkYamlNesting(source: string, file: string): void {
  let flow = 0;
  let line = 1;
  let lineStart = true;
  let markers = 0;
  let scalar = false;
  const indents: number[] = [];
  for (const token of new Lexer().lex(source)) {
    // \x1f announces a scalar; the next token is its text, block scalars' lines included.
    if (scalar) {
      scalar = false;
      line += countNewlines(token);
      continue;
    }
    if (token === '\x1f') {
      scalar = true;
      continue;
    }
    if (token === '\n' || token === '\r\n') {
      line++;
      lineStart = true;
      markers = 0;
      continue;
    }
    if (lineStart) {
      lineStart = false;
      const indent = /^ +$/.test(token) ? token.length : 0;
      while (indents.length > 0 && indents[indents.length - 1] >= indent) indents.pop();
      indents.push(indent);
      if (indent > 0) continue;
    }
    if (token === '[' || token === '{') flow++;
    else if (token === ']' || token === '}') flow = Math.max(0, flow - 1);
    else if (token === '-' || token === '?') markers++;
    else line += countNewlines(token);
    if (indents.length + markers + flow > MAX_YAML_DEPTH) {
      throw new UserError(`collections are nested more than ${MAX_YAML_DEPTH} levels deep`, `${file}:${line}`);
    }
  }
}

function countNewlines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

type YamlNode = NonNullable<Document['contents']>;

/**
 * Fails on an alias without an anchor before it, an alias inside the node it names (its
 * value would contain itself), and aliases that expand the document by more than
 * MAX_ALIAS_EXPANSION nodes. One pass in document order: an anchor always comes before its
 * aliases, so each anchored node's expanded size is known when an alias names it.
 */
export function checkYamlAliases(document: Document, lines: LineCounter, file: string): void {
  const anchors = new Map<string, YamlNode>();
  const sizes = new Map<unknown, number>();
  const open = new Set<unknown>();
  let added = 0;
  const where = (node: { range?: [number, number, number] | null }): string => `${file}:${node.range ? lines.linePos(node.range[0]).line : 1}`;

  const size = (node: unknown): number => {
    if (node === null || node === undefined) return 0;
    if (isAlias(node)) {
      const source = anchors.get(node.source);
      if (!source) throw new UserError(`alias *${node.source} has no anchor &${node.source} before it`, where(node));
      if (open.has(source)) throw new UserError(`alias *${node.source} lies inside the node it names, so its value would contain itself`, where(node));
      const n = sizes.get(source) ?? 1;
      added += n;
      if (added > MAX_ALIAS_EXPANSION) {
        throw new UserError(`aliases expand the document by more than ${MAX_ALIAS_EXPANSION.toLocaleString('en-US')} nodes (an alias bomb?)`, where(node));
      }
      return n;
    }
    const anchor = (node as { anchor?: string }).anchor;
    if (anchor) anchors.set(anchor, node as YamlNode);
    let n = 1;
    if (isScalar(node)) {
      n = 1;
    } else if (isPair(node)) {
      n = size(node.key) + size(node.value);
    } else if (isMap(node) || isSeq(node)) {
      open.add(node);
      for (const item of node.items) n += size(item);
      open.delete(node);
    }
    sizes.set(node, n);
    return n;
  };
  size(document.contents);
}
