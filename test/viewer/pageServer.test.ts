/**
 * The frame server's HTTP side: the viewer page and the static scene on the WebSocket's port.
 */
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { FrameServer } from '../../src/io/FrameServer.js';
import { roadScene } from '../../src/io/foxglove/staticScene.js';
import { readOpenDrive } from '../../src/map/OpenDriveReader.js';

function fakeViewer(): string {
  const dir = mkdtempSync(join(tmpdir(), 'roadcast-viewer-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>roadcast viewer</title>');
  writeFileSync(join(dir, 'assets', 'main.js'), 'console.log(1)');
  return dir;
}

describe('FrameServer over HTTP', () => {
  it('serves the page, its assets and the map on the WebSocket port', async () => {
    const network = readOpenDrive('maps/straight_two_lane.xodr');
    let builds = 0;
    const server = new FrameServer({ port: 0, viewerDir: fakeViewer(), scene: () => (builds++, roadScene(network)) });
    const { url, pageUrl, port } = await server.start();
    try {
      expect(pageUrl).toBe(`http://127.0.0.1:${port}/`);
      const page = await fetch(pageUrl);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await page.text()).toContain('roadcast viewer');
      const script = await fetch(`${pageUrl}assets/main.js`);
      expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
      expect((await fetch(`${pageUrl}assets/nope.js`)).status).toBe(404);
      expect((await fetch(`${pageUrl}..%2f..%2fetc%2fpasswd`)).status).toBe(404);
      expect((await fetch(pageUrl, { method: 'POST' })).status).toBe(405);

      const glb = new Uint8Array(await (await fetch(`${pageUrl}map.glb`)).arrayBuffer());
      const view = new DataView(glb.buffer);
      expect(view.getUint32(0, true)).toBe(0x46546c67); // "glTF"
      expect(view.getUint32(8, true)).toBe(glb.byteLength);
      const json = JSON.parse(new TextDecoder().decode(glb.subarray(20, 20 + view.getUint32(12, true))));
      expect(json.meshes.map((m: { name: string }) => m.name)).toContain('road');
      await fetch(`${pageUrl}map.glb`);
      expect(builds).toBe(1);

      // The WebSocket shares the port.
      const socket = new WebSocket(url);
      const hello = await new Promise<string>((resolve, reject) => {
        socket.once('message', (data) => resolve(data.toString()));
        socket.once('error', reject);
      });
      expect(JSON.parse(hello).type).toBe('hello');
      socket.close();
    } finally {
      await server.close();
    }
  });

  it('answers 404 for the map when it has none, and asks for the token when one is set', async () => {
    const server = new FrameServer({ port: 0, viewerDir: fakeViewer(), token: 's3cret' });
    const { pageUrl } = await server.start();
    try {
      expect((await fetch(pageUrl)).status).toBe(401);
      expect((await fetch(`${pageUrl}?token=s3cret`)).status).toBe(200);
      expect((await fetch(`${pageUrl}map.glb`, { headers: { authorization: 'Bearer s3cret' } })).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});

describe('roadcast replay serves the viewer', () => {
  it('serves the page and the roads of the map the recording carries', async () => {
    const { execFileSync } = await import('node:child_process');
    const { startServing } = await import('../helpers.js');
    const dir = mkdtempSync(join(tmpdir(), 'roadcast-replay-viewer-'));
    const recording = join(dir, 'run.mcap');
    execFileSync(process.execPath, ['dist/cli/main.js', 'run', 'scenarios/straight-road.yaml', '--duration', '0.3', '--record', recording]);
    const { child, url, output } = await startServing(['replay', recording, '--port', '0', '--loop']);
    try {
      const pageUrl = `${url.replace('ws://', 'http://')}/`;
      await expect.poll(output).toContain(`Viewer: ${pageUrl}`);
      const page = await fetch(pageUrl);
      expect(page.status).toBe(200);
      expect(await page.text()).toMatch(/<script type="module"[^>]+src="\.\/assets\/[^"]+\.js"/);
      const glb = new Uint8Array(await (await fetch(`${pageUrl}map.glb`)).arrayBuffer());
      const view = new DataView(glb.buffer);
      expect(view.getUint32(0, true)).toBe(0x46546c67);
      const json = JSON.parse(new TextDecoder().decode(glb.subarray(20, 20 + view.getUint32(12, true))));
      // Roads only: a recording does not say how its roadside was dressed.
      expect(json.meshes.map((m: { name: string }) => m.name)).toContain('road');
      expect(json.meshes.map((m: { name: string }) => m.name)).not.toContain('building');
    } finally {
      child.kill('SIGINT');
    }
  });
});
