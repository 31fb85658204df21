// The slice view: the windowed slice, the objects' masks tinted in their colours, and the prompts of this slice.
import { api, loadImage } from './api.js';

const MAX_SIZE = 640;

export class Viewer {
  constructor(stage, onPrompt, onWindow) {
    this.image = stage.querySelector('#image');
    this.overlay = stage.querySelector('#overlay');
    this.markers = stage.querySelector('#markers');
    this.onPrompt = onPrompt;
    this.onWindow = onWindow;
    this.volume = null;
    this.generation = 0;
    this.drag = null;
    this.listen();
  }

  /** Sizes the canvases for a volume: one canvas pixel per voxel, shown at an integer zoom. */
  setVolume(volume) {
    this.volume = volume;
    this.scale = Math.max(1, Math.floor(MAX_SIZE / Math.max(volume.nx, volume.ny)));
    for (const c of [this.image, this.overlay]) {
      c.width = volume.nx;
      c.height = volume.ny;
    }
    this.markers.width = volume.nx * this.scale;
    this.markers.height = volume.ny * this.scale;
    for (const c of [this.image, this.overlay, this.markers]) {
      c.style.width = volume.nx * this.scale + 'px';
      c.style.height = volume.ny * this.scale + 'px';
    }
  }

  /** Draws slice k with window w and the given objects; stale draws (an older k) are dropped. */
  async draw(k, w, objects) {
    if (!this.volume) return;
    const gen = ++this.generation;
    const vid = this.volume.id;
    const img = await loadImage(api.sliceUrl(vid, k, w));
    const masks = await Promise.all(objects.filter((o) => o.maskSlices.includes(k))
      .map(async (o) => ({ o, img: await loadImage(api.maskUrl(vid, o.id, k) + '?v=' + gen) })));
    if (gen !== this.generation) return;
    this.image.getContext('2d').drawImage(img, 0, 0);
    const ctx = this.overlay.getContext('2d');
    ctx.clearRect(0, 0, this.overlay.width, this.overlay.height);
    for (const { o, img: m } of masks) {
      ctx.drawImage(tint(m, o.color), 0, 0);
    }
    this.drawMarkers(k, objects);
  }

  drawMarkers(k, objects) {
    const ctx = this.markers.getContext('2d');
    const s = this.scale;
    ctx.clearRect(0, 0, this.markers.width, this.markers.height);
    for (const o of objects) {
      const p = lastPromptOn(o, k);
      if (!p) continue;
      for (const pt of p.points) {
        ctx.beginPath();
        ctx.arc((pt.x + 0.5) * s, (pt.y + 0.5) * s, 5, 0, 2 * Math.PI);
        ctx.fillStyle = pt.positive ? '#30d158' : '#ff453a';
        ctx.strokeStyle = o.color;
        ctx.lineWidth = 2;
        ctx.fill();
        ctx.stroke();
      }
      if (p.box) {
        ctx.strokeStyle = o.color;
        ctx.lineWidth = 2;
        ctx.strokeRect(p.box.x0 * s, p.box.y0 * s, (p.box.x1 - p.box.x0) * s, (p.box.y1 - p.box.y0) * s);
      }
    }
  }

  /** The voxel (column, row) under a mouse event. */
  voxel(e) {
    const r = this.markers.getBoundingClientRect();
    const x = Math.floor((e.clientX - r.left) / this.scale);
    const y = Math.floor((e.clientY - r.top) / this.scale);
    return { x: Math.min(Math.max(x, 0), this.volume.nx - 1), y: Math.min(Math.max(y, 0), this.volume.ny - 1) };
  }

  listen() {
    const m = this.markers;
    m.addEventListener('contextmenu', (e) => e.preventDefault());
    m.addEventListener('mousedown', (e) => {
      if (!this.volume) return;
      this.drag = { button: e.button, start: this.voxel(e), x: e.clientX, y: e.clientY, shift: e.shiftKey };
    });
    m.addEventListener('mousemove', (e) => {
      if (!this.drag) return;
      if (this.drag.button === 2) {
        this.onWindow(e.clientX - this.drag.x, e.clientY - this.drag.y, false);
      } else if (this.drag.button === 0 && tool() === 'box') {
        const a = this.drag.start;
        const b = this.voxel(e);
        const ctx = m.getContext('2d');
        const s = this.scale;
        ctx.save();
        ctx.setLineDash([4, 3]);
        ctx.strokeStyle = '#ffffff';
        ctx.strokeRect(Math.min(a.x, b.x) * s, Math.min(a.y, b.y) * s, Math.abs(b.x - a.x) * s,
          Math.abs(b.y - a.y) * s);
        ctx.restore();
      }
    });
    window.addEventListener('mouseup', (e) => {
      const d = this.drag;
      this.drag = null;
      if (!d) return;
      if (d.button === 2) {
        this.onWindow(e.clientX - d.x, e.clientY - d.y, true);
        return;
      }
      if (d.button !== 0 || e.target !== m) return;
      const end = this.voxel(e);
      if (tool() === 'box') {
        const box = { x0: Math.min(d.start.x, end.x), y0: Math.min(d.start.y, end.y),
          x1: Math.max(d.start.x, end.x) + 1, y1: Math.max(d.start.y, end.y) + 1 };
        this.onPrompt({ box });
      } else {
        const positive = tool() === 'positive' && !d.shift;
        this.onPrompt({ point: { x: end.x, y: end.y, positive } });
      }
    });
  }
}

function tool() {
  return document.querySelector('input[name=tool]:checked').value;
}

function lastPromptOn(o, k) {
  const on = o.prompts.filter((p) => p.slice === k);
  return on.length ? on[on.length - 1] : null;
}

/** A mask image (255 inside) as a canvas in the object's colour, translucent, transparent outside. */
function tint(img, color) {
  const c = document.createElement('canvas');
  c.width = img.width;
  c.height = img.height;
  const ctx = c.getContext('2d');
  ctx.drawImage(img, 0, 0);
  const d = ctx.getImageData(0, 0, c.width, c.height);
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(color.substr(i, 2), 16));
  for (let i = 0; i < d.data.length; i += 4) {
    const inside = d.data[i] > 127;
    d.data[i] = r;
    d.data[i + 1] = g;
    d.data[i + 2] = b;
    d.data[i + 3] = inside ? 120 : 0;
  }
  ctx.putImageData(d, 0, 0);
  return c;
}
