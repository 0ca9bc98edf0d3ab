/**
 * The side panel: connection, simulation time, run state and pacing badges, frame counts, the
 * topic table with rates, and the events as they fire. It holds the page's view of the
 * stream; main.ts feeds it what the worker and the server say.
 */
import type { ConnectionState, EventsFrame, RealtimeStats, ServerMessage } from './protocol.js';
import { TopicRate } from './TopicRate.js';

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

interface TopicRow {
  kind: string;
  count: number;
  rate: TopicRate;
  row: HTMLTableRowElement;
}

export class Panel {
  readonly topics = new Map<string, TopicRow>();
  connection: ConnectionState = 'connecting';
  /** Attempts to connect that failed since the last connection closed. */
  retries = 0;
  received = 0;
  skipped = 0;
  dropped = 0;
  simTimeNs = -1;
  paused = false;
  /** Where the server last said the run stopped, when it says. */
  pausedAtNs: number | undefined;
  realtime: RealtimeStats | undefined;
  lastError = '';
  #lastUpdate = 0;

  status(state: ConnectionState, detail: string, retries: number): void {
    this.retries = retries;
    const element = $('connection');
    element.textContent = detail;
    element.dataset.state = state;
    element.dataset.connected = String(state === 'connected');
    // A new connection is a new session: the counts start afresh for what it sends.
    if (state === 'connected' && this.connection !== 'connected') this.dropped = 0;
    // How the run kept up is stale once it is over.
    if (state === 'ended') this.realtime = undefined;
    this.connection = state;
  }

  /** A topic's row, made (in topic order) on first sight. */
  noteTopic(topic: string, kind: string): TopicRow {
    let row = this.topics.get(topic);
    if (!row) {
      const tr = document.createElement('tr');
      tr.dataset.topic = topic;
      tr.innerHTML = '<td></td><td></td><td></td><td></td>';
      tr.cells[0].textContent = topic;
      tr.cells[1].textContent = kind;
      tr.cells[2].textContent = '–';
      const body = ($('topics') as HTMLTableElement).tBodies[0];
      const after = [...body.rows].find((r) => (r.dataset.topic ?? '') > topic);
      body.insertBefore(tr, after ?? null);
      row = { kind, count: 0, rate: new TopicRate(), row: tr };
      this.topics.set(topic, row);
    }
    if (kind && row.kind === '') {
      row.kind = kind;
      row.row.cells[1].textContent = kind;
    }
    return row;
  }

  frame(topic: string, kind: string, tNs: number): void {
    this.received++;
    this.simTimeNs = Math.max(this.simTimeNs, tNs);
    const row = this.noteTopic(topic, kind);
    row.count++;
    row.rate.add(tNs, performance.now());
  }

  events(frame: EventsFrame): void {
    const list = $('events');
    for (const text of frame.events) {
      let type = 'event';
      let detail = text;
      try {
        const event = JSON.parse(text) as Record<string, unknown>;
        type = String(event.type ?? 'event');
        const rest = Object.entries(event).filter(([key]) => key !== 'type' && key !== 't_ns');
        detail = rest.map(([key, value]) => `${key}: ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`).join(', ');
      } catch {
        // Shown as it came.
      }
      const item = document.createElement('li');
      item.className = type;
      item.textContent = `${(frame.t_ns / 1e9).toFixed(2)} s  ${type}  ${detail}`;
      list.prepend(item);
    }
    while (list.children.length > 200) list.lastElementChild!.remove();
  }

  server(message: ServerMessage): void {
    const reply = $('control-reply');
    switch (message.type) {
      case 'hello':
        for (const topic of message.topics) this.noteTopic(topic, '');
        reply.textContent = `roadcast ${message.version}`;
        break;
      case 'stats':
        this.dropped = message.dropped;
        if (message.realtime) this.realtime = message.realtime;
        break;
      case 'state':
        this.paused = message.paused;
        if (message.paused) this.pausedAtNs = message.t_ns;
        break;
      case 'ack':
        // Servers that do not tell their state (a replay): the ack is the best sign there is.
        if (message.request === 'pause' || message.request === 'step') this.paused = true;
        if (message.request === 'resume') this.paused = false;
        reply.textContent = `${message.request}: ok`;
        break;
      case 'error':
        reply.textContent = `${typeof message.request === 'string' ? message.request : 'error'}: ${message.message}`;
        break;
    }
  }

  badFrame(error: string): void {
    this.lastError = error;
    $('control-reply').textContent = `bad frame: ${error}`;
  }

  /** Redraws the panel, at most four times a second. */
  update(now: number, pointsDrawn: number | undefined): void {
    if (now - this.#lastUpdate < 250) return;
    this.#lastUpdate = now;
    const time = $('sim-time');
    time.textContent = this.simTimeNs < 0 ? '–' : (this.simTimeNs / 1e9).toFixed(2);
    time.dataset.tNs = String(this.simTimeNs);
    const badge = $('paused-badge');
    badge.dataset.paused = String(this.paused);
    badge.dataset.tNs = String(this.pausedAtNs ?? -1);
    const behind = $('realtime-badge');
    const realtime = this.realtime;
    behind.dataset.behind = String(realtime?.behind ?? false);
    behind.dataset.factor = realtime ? String(realtime.factor) : '';
    behind.textContent = realtime?.behind ? `behind real time: ${realtime.factor.toFixed(2)}x${realtime.target === 1 ? '' : ` (${realtime.target}x asked)`}` : '';
    const count = (id: string, n: number): void => {
      $(id).textContent = String(n);
      $(id).dataset.count = String(n);
    };
    count('frames-received', this.received);
    count('frames-dropped', this.dropped);
    count('frames-skipped', this.skipped);
    $('points-drawn').textContent = pointsDrawn === undefined ? 'no 3D view' : pointsDrawn.toLocaleString('en');
    for (const topic of this.topics.values()) {
      const hz = topic.rate.hz(now);
      topic.row.cells[2].textContent = hz === undefined ? '–' : hz.toFixed(1);
      topic.row.cells[3].textContent = String(topic.count);
    }
  }
}
