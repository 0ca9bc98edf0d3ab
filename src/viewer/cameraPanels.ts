import type { CameraFrame } from './protocol.js';

// Cameras: one panel per camera topic, its layer chosen in the panel.

interface CameraPanel {
  canvas: HTMLCanvasElement;
  select: HTMLSelectElement;
}
const cameraPanels = new Map<string, CameraPanel>();

/** Draws a camera frame's chosen layer and its 2D boxes into the topic's panel in `box`, made on first use. */
export function updateCamera(box: HTMLElement, frame: CameraFrame): void {
  let panel = cameraPanels.get(frame.topic);
  if (!panel) {
    if (cameraPanels.size === 0) box.textContent = '';
    const div = document.createElement('div');
    div.className = 'camera';
    const title = document.createElement('div');
    title.className = 'title';
    title.textContent = frame.topic;
    const select = document.createElement('select');
    for (const layer of frame.layers) select.add(new Option(layer.name, layer.name));
    title.appendChild(select);
    const canvas = document.createElement('canvas');
    div.append(title, canvas);
    box.appendChild(div);
    panel = { canvas, select };
    cameraPanels.set(frame.topic, panel);
  }
  const layer = frame.layers.find((l) => l.name === panel.select.value) ?? frame.layers[0];
  if (!layer) return;
  const { canvas } = panel;
  if (canvas.width !== layer.width || canvas.height !== layer.height) {
    canvas.width = layer.width;
    canvas.height = layer.height;
  }
  const context = canvas.getContext('2d')!;
  context.putImageData(new ImageData(layer.rgba as Uint8ClampedArray<ArrayBuffer>, layer.width, layer.height), 0, 0);
  context.strokeStyle = '#00ff66';
  context.lineWidth = Math.max(1, layer.width / 400);
  for (let i = 0; i + 3 < frame.boxes2d.length; i += 4) {
    const [x0, y0, x1, y1] = frame.boxes2d.slice(i, i + 4);
    // Inclusive pixel indices: the box covers x0..x1, y0..y1.
    context.strokeRect(x0, y0, x1 - x0 + 1, y1 - y0 + 1);
  }
}
