/**
 * What a Foxglove client may send the bridge, checked before the protocol library or the
 * bridge reads it: a malformed message (JSON null, a subscription that is not an object, an
 * id outside the protocol's uint32) is answered with a status message and goes no further, so
 * no client can throw inside the server.
 */

/** Subscriptions and ids in one message: more than any real client sends. */
const MAX_ITEMS = 1024;
const UINT32_MAX = 0xffff_ffff;

export type ParsedClientMessage =
  | { op: 'subscribe'; subscriptions: { id: number; channelId: number }[] }
  | { op: 'unsubscribe'; subscriptionIds: number[] }
  | { op: 'other' };

const isUint32 = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= UINT32_MAX;

/** The message, or why it is refused. Binary messages (client publishing) are not offered. */
export function parseFoxgloveClientMessage(data: unknown): ParsedClientMessage | string {
  if (typeof data !== 'string') return 'this server takes no binary messages (it offers no client publishing)';
  let raw: unknown;
  try {
    raw = JSON.parse(data);
  } catch {
    return 'messages must be JSON objects with an "op"';
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return 'a message must be a JSON object with an "op"';
  const message = raw as Record<string, unknown>;
  if (typeof message.op !== 'string') return 'a message needs an "op" string';
  switch (message.op) {
    case 'subscribe': {
      const list = message.subscriptions;
      if (!Array.isArray(list) || list.length > MAX_ITEMS) return `"subscribe" needs "subscriptions": a list of at most ${MAX_ITEMS} { id, channelId }`;
      for (const item of list) {
        if (item === null || typeof item !== 'object' || !isUint32((item as Record<string, unknown>).id) || !isUint32((item as Record<string, unknown>).channelId)) {
          return `each subscription must be { id, channelId } with integers from 0 to ${UINT32_MAX}, got ${JSON.stringify(item)?.slice(0, 100)}`;
        }
      }
      return { op: 'subscribe', subscriptions: list as { id: number; channelId: number }[] };
    }
    case 'unsubscribe': {
      const ids = message.subscriptionIds;
      if (!Array.isArray(ids) || ids.length > MAX_ITEMS || !ids.every(isUint32)) return `"unsubscribe" needs "subscriptionIds": at most ${MAX_ITEMS} integers from 0 to ${UINT32_MAX}`;
      return { op: 'unsubscribe', subscriptionIds: ids };
    }
    default:
      return { op: 'other' };
  }
}
