/** A minimal XML element builder for the OpenDRIVE files roadcast writes: stable attribute order, two-space indent. */
export interface XmlNode {
  name: string;
  attributes?: Record<string, string | number>;
  children?: XmlNode[];
}

export function xml(name: string, attributes: Record<string, string | number> = {}, children: XmlNode[] = []): XmlNode {
  return { name, attributes, children };
}

/**
 * Numbers are written with 15 significant digits: exact enough that a curvature such as
 * 1/600 keeps headings right to 1e-12 over a long road, short enough to drop float noise
 * such as 0.30000000000000004, and the same on every platform.
 */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`cannot write ${value} to XML`);
  const rounded = Number(value.toPrecision(15));
  return Object.is(rounded, -0) ? '0' : String(rounded);
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function serializeXml(root: XmlNode): string {
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const write = (node: XmlNode, depth: number): void => {
    const attrs = Object.entries(node.attributes ?? {})
      .map(([k, v]) => ` ${k}="${escape(typeof v === 'number' ? formatNumber(v) : v)}"`)
      .join('');
    const pad = '  '.repeat(depth);
    const children = node.children ?? [];
    if (children.length === 0) {
      lines.push(`${pad}<${node.name}${attrs}/>`);
      return;
    }
    lines.push(`${pad}<${node.name}${attrs}>`);
    for (const child of children) write(child, depth + 1);
    lines.push(`${pad}</${node.name}>`);
  };
  write(root, 0);
  return lines.join('\n') + '\n';
}
