/**
 * Who may use a port a run opens (the frame server's WebSocket and pages, the Foxglove
 * bridge). A web page the user happens to visit can open a WebSocket to 127.0.0.1 too, so:
 *
 * - Host: a server bound to loopback answers only requests that name a loopback host
 *   (localhost, 127.x.x.x, [::1]); a page that rebinds its own domain to 127.0.0.1 (DNS
 *   rebinding) still sends its domain as the Host, and is refused.
 * - Origin: a browser always says which page opened a WebSocket. Accepted: no Origin (command
 *   line clients), the server's own pages (same origin), and origins the user allows
 *   (`--allow-origin`; `*` allows every page). Every other page is refused: it could otherwise
 *   read every frame and drive the run (cross-site WebSocket hijacking).
 * - Token: with `--token`, every request for data (WebSocket, map) must carry it, as
 *   `?token=...` or `Authorization: Bearer ...`, compared in constant time.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

export interface AccessOptions {
  /** The address the server listens on. */
  host: string;
  token?: string;
  /** Page origins allowed besides the server's own (`https://app.example`), or `*`. */
  allowOrigins?: readonly string[];
}

export interface Refusal {
  status: number;
  message: string;
}

/** Whether an address or host name is this machine's loopback. */
export function isLoopback(host: string): boolean {
  const name = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  if (isIP(name) === 4) return name.startsWith('127.');
  if (isIP(name) === 6) return name === '::1' || name === '0:0:0:0:0:0:0:1' || name.startsWith('::ffff:127.');
  return false;
}

/** The host name of a Host header (`name:port`, `[v6]:port`). */
function hostName(header: string): string {
  if (header.startsWith('[')) return header.slice(0, header.indexOf(']') + 1);
  const colon = header.lastIndexOf(':');
  return colon >= 0 ? header.slice(0, colon) : header;
}

export class AccessPolicy {
  readonly #expected: Buffer | undefined;
  readonly #loopbackOnly: boolean;
  readonly #origins: Set<string>;

  constructor(options: AccessOptions) {
    this.#expected = options.token === undefined ? undefined : Buffer.from(options.token);
    this.#loopbackOnly = isLoopback(options.host);
    this.#origins = new Set((options.allowOrigins ?? []).map((o) => o.replace(/\/+$/, '').toLowerCase()));
  }

  /** Serving beyond this machine with nothing to keep strangers out: worth a warning. */
  get exposedWithoutToken(): boolean {
    return !this.#loopbackOnly && this.#expected === undefined;
  }

  /** Why the request is refused, or undefined when it may proceed; `data`: it needs the token. */
  check(request: IncomingMessage, data: boolean): Refusal | undefined {
    const host = request.headers.host ?? '';
    if (this.#loopbackOnly && !isLoopback(hostName(host))) {
      return { status: 403, message: `this server answers only to a loopback host name (localhost, 127.0.0.1), not "${host.slice(0, 100)}"` };
    }
    const origin = request.headers.origin;
    if (origin !== undefined && !this.#originAllowed(origin, host)) {
      return { status: 403, message: `pages from ${origin.slice(0, 100)} may not use this server; allow them with --allow-origin ${origin.slice(0, 100)}` };
    }
    if (data && this.#expected && !this.#tokenGiven(request)) {
      return { status: 401, message: 'this server needs a token: ?token=... or Authorization: Bearer ...' };
    }
    return undefined;
  }

  /** A ws `verifyClient` that applies the policy to the upgrade request. */
  verifyClient(): (info: { req: IncomingMessage }, callback: (result: boolean, code?: number, message?: string) => void) => void {
    return (info, callback) => {
      const refusal = this.check(info.req, true);
      if (refusal) callback(false, refusal.status, refusal.message);
      else callback(true);
    };
  }

  #originAllowed(origin: string, host: string): boolean {
    const normalised = origin.replace(/\/+$/, '').toLowerCase();
    if (this.#origins.has('*') || this.#origins.has(normalised)) return true;
    // Same origin: the server's own page (the viewer), whatever the scheme's default port.
    try {
      const url = new URL(origin);
      return (url.protocol === 'http:' || url.protocol === 'https:') && url.host.toLowerCase() === host.toLowerCase();
    } catch {
      return false;
    }
  }

  #tokenGiven(request: IncomingMessage): boolean {
    let given = '';
    try {
      given = new URL(request.url ?? '/', 'http://localhost').searchParams.get('token') ?? '';
    } catch {
      given = '';
    }
    const header = request.headers.authorization ?? '';
    if (!given && header.startsWith('Bearer ')) given = header.slice(7);
    const candidate = Buffer.from(given);
    return candidate.length === this.#expected!.length && timingSafeEqual(candidate, this.#expected!);
  }
}
