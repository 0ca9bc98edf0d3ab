import { SaxesParser } from 'saxes';
import { UserError } from '../core/errors.js';

/**
 * A small element tree read with saxes, which reports the line of every tag, so that an
 * error in a map or scenario names `file:line`. Text content is kept only where present.
 */
export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
  line: number;
}

export function parseXml(source: string, file: string): XmlElement {
  const parser = new SaxesParser({ position: true });
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  let failure: UserError | null = null;
  parser.on('error', (error) => {
    failure ??= new UserError(`XML is not well-formed: ${error.message.replace(/^[^:]*:\d+:\d+: /, '')}`, `${file}:${parser.line}`);
  });
  parser.on('opentag', (tag) => {
    const element: XmlElement = { name: tag.name, attributes: { ...(tag.attributes as Record<string, string>) }, children: [], text: '', line: parser.line };
    if (stack.length > 0) stack[stack.length - 1].children.push(element);
    else root = element;
    stack.push(element);
  });
  parser.on('text', (text) => {
    if (stack.length > 0) stack[stack.length - 1].text += text;
  });
  parser.on('closetag', () => {
    stack.pop();
  });
  try {
    parser.write(source).close();
  } catch (error) {
    failure ??= new UserError(`XML is not well-formed: ${(error as Error).message}`, `${file}:${parser.line}`);
  }
  if (failure) throw failure;
  if (!root) throw new UserError('no XML root element found', `${file}:1`);
  return root;
}

/** Typed attribute access that names the file, line, element and attribute on failure. */
export class XmlReader {
  constructor(readonly file: string) {}

  where(element: XmlElement): string {
    return `${this.file}:${element.line}`;
  }

  fail(element: XmlElement, message: string): never {
    throw new UserError(message, this.where(element));
  }

  string(element: XmlElement, name: string): string {
    const value = element.attributes[name];
    if (value === undefined) this.fail(element, `<${element.name}> needs the attribute "${name}"`);
    return value;
  }

  optionalString(element: XmlElement, name: string): string | undefined {
    return element.attributes[name];
  }

  number(element: XmlElement, name: string, fallback?: number): number {
    const raw = element.attributes[name];
    if (raw === undefined) {
      if (fallback !== undefined) return fallback;
      this.fail(element, `<${element.name}> needs the numeric attribute "${name}"`);
    }
    const value = Number(raw.trim());
    if (raw.trim() === '' || !Number.isFinite(value)) {
      this.fail(element, `<${element.name}> attribute "${name}" must be a number, got "${raw}"`);
    }
    return value;
  }

  child(element: XmlElement, name: string): XmlElement {
    const found = element.children.find((c) => c.name === name);
    if (!found) this.fail(element, `<${element.name}> needs a <${name}> element`);
    return found;
  }

  optionalChild(element: XmlElement, name: string): XmlElement | undefined {
    return element.children.find((c) => c.name === name);
  }

  children(element: XmlElement, name: string): XmlElement[] {
    return element.children.filter((c) => c.name === name);
  }
}
