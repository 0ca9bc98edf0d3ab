import type { XmlElement, XmlReader } from './xml.js';

/**
 * Parts of a map that were read but not modelled. Each warning names the element and
 * `file:line`; repeats of the same element within one road collapse into one warning that
 * counts them, so a large map gives a readable list rather than thousands of lines.
 */
export class MapWarnings {
  private readonly entries: { key: string; text: string; count: number }[] = [];
  private readonly byKey = new Map<string, { key: string; text: string; count: number }>();

  constructor(private readonly xml: XmlReader) {}

  /** Warn about `element`; with a key, later warnings with the same key only add to a count. */
  add(element: XmlElement, message: string, key?: string): void {
    if (key !== undefined) {
      const existing = this.byKey.get(key);
      if (existing) {
        existing.count++;
        return;
      }
    }
    const entry = { key: key ?? '', text: `${this.xml.where(element)}: ${message}`, count: 1 };
    this.entries.push(entry);
    if (key !== undefined) this.byKey.set(key, entry);
  }

  /** Warn that an element is not supported and is ignored, once per scope (a road, the file). */
  unsupported(element: XmlElement, scope: string, what = 'is not supported and is ignored'): void {
    this.add(element, `${scope}<${element.name}> ${what}`, `${scope}|${element.name}|${what}`);
  }

  list(): string[] {
    return this.entries.map((e) => (e.count > 1 ? `${e.text} (${e.count} times)` : e.text));
  }
}
