// The page: files, one open volume, its objects, live propagation (Server-Sent Events), downloads.
import { api } from './api.js';
import { Viewer } from './viewer.js';

const $ = (id) => document.getElementById(id);
const state = { info: null, dir: '', volume: null, objects: [], selected: null, slice: 0, window: null,
  dragBase: null, events: null, busy: false };
window.promptonce = state; // read-only handle for the browser test and curious users

const viewer = new Viewer($('stage'), prompt, dragWindow);

function status(text, kind) {
  $('status').textContent = text;
  document.body.dataset.state = kind || 'ready';
}

function fail(e) {
  status(e.message || String(e), 'error');
}

async function start() {
  // the token now lives in a cookie: drop it from the address bar (and from the history)
  if (location.search.includes('token=')) history.replaceState(null, '', '/');
  state.info = await api.info();
  $('model').textContent = state.info.models.map((m) => m.name).join(', ');
  await listFiles('');
  status('open a volume', 'ready');
}

async function listFiles(dir) {
  const r = await api.files(dir);
  state.dir = r.dir;
  const crumbs = $('breadcrumbs');
  crumbs.textContent = '/' + r.dir;
  crumbs.onclick = () => listFiles(r.dir.split('/').slice(0, -1).join('/')).catch(fail);
  const ul = $('files');
  ul.replaceChildren();
  for (const e of r.entries) {
    const li = document.createElement('li');
    li.dataset.path = e.path;
    const name = document.createElement('span');
    name.textContent = e.name + (e.type === 'dir' ? '/' : '');
    if (e.type === 'dir') {
      name.className = 'dir';
      name.onclick = () => listFiles(e.path).catch(fail);
    }
    const open = document.createElement('button');
    open.textContent = 'open';
    open.className = 'open';
    open.onclick = () => openVolume(() => api.open(e.path), e.name);
    li.append(name, open);
    ul.append(li);
  }
}

async function openVolume(opener, name) {
  try {
    status('opening ' + name + '…', 'busy');
    const v = await opener();
    if (state.events) state.events.close();
    state.volume = v;
    state.objects = v.objects;
    state.window = { ...v.modelWindow };
    viewer.setVolume(v);
    $('slice').max = v.nz - 1;
    state.slice = Math.floor(v.nz / 2);
    $('slice').value = state.slice;
    fillPresets(v);
    follow(v.id);
    if (state.objects.length === 0) await addObject();
    state.selected = state.objects[0].id;
    renderObjects();
    await redraw();
    status(`${v.name}: ${v.nx}×${v.ny}×${v.nz}, click the object`, 'ready');
  } catch (e) {
    fail(e);
  }
}

function fillPresets(v) {
  const sel = $('window-preset');
  sel.replaceChildren();
  const add = (label, w) => {
    const o = document.createElement('option');
    o.textContent = label;
    o.value = JSON.stringify(w);
    sel.append(o);
  };
  add('model window', v.modelWindow);
  add('full range', { level: (v.min + v.max) / 2, width: Math.max(v.max - v.min, 1e-6) });
  for (const p of state.info.windowPresets) add(p.id, { level: p.level, width: p.width });
  sel.onchange = () => {
    state.window = JSON.parse(sel.value);
    redraw();
  };
}

function dragWindow(dx, dy, done) {
  if (!state.dragBase) state.dragBase = { ...state.window };
  const b = state.dragBase;
  const step = Math.max(b.width / 200, 1e-6);
  state.window = { level: b.level - dy * step, width: Math.max(b.width + dx * step, 1e-6) };
  if (done) state.dragBase = null;
  redraw();
}

let drawing = null;
let again = false;
/** Redraws the current slice; while a draw runs, at most one more is queued (scrolling stays smooth). */
async function redraw() {
  if (drawing) {
    again = true;
    return drawing;
  }
  drawing = (async () => {
    do {
      again = false;
      $('slice-readout').textContent = `slice ${state.slice} / ${state.volume.nz - 1}`;
      $('window-readout').textContent = `L ${state.window.level.toFixed(0)} W ${state.window.width.toFixed(0)}`;
      await viewer.draw(state.slice, state.window, state.objects).catch(fail);
    } while (again);
  })();
  await drawing;
  drawing = null;
}

function setSlice(k) {
  if (!state.volume) return;
  state.slice = Math.min(Math.max(k, 0), state.volume.nz - 1);
  $('slice').value = state.slice;
  redraw();
}

$('slice').addEventListener('input', () => setSlice(Number($('slice').value)));
$('stage').addEventListener('wheel', (e) => {
  e.preventDefault();
  setSlice(state.slice + Math.sign(e.deltaY));
}, { passive: false });

async function addObject() {
  const o = await api.addObject(state.volume.id);
  state.objects.push(o);
  state.selected = o.id;
  renderObjects();
}

function update(o) {
  const i = state.objects.findIndex((x) => x.id === o.id);
  if (i >= 0 && state.objects[i].revision > o.revision) return; // an older description than the one shown
  if (i >= 0) state.objects[i] = o; else state.objects.push(o);
  renderObjects();
}

function renderObjects() {
  const ul = $('objects');
  ul.replaceChildren();
  for (const o of state.objects) {
    const li = document.createElement('li');
    li.dataset.object = o.id;
    li.className = o.id === state.selected ? 'selected' : '';
    const sw = document.createElement('span');
    sw.className = 'swatch';
    sw.style.background = o.color;
    const detail = document.createElement('span');
    detail.className = 'detail';
    const extent = o.extent ? `slices ${o.extent.first}–${o.extent.last}` : 'no mask yet';
    detail.textContent = `${o.volumeMl.toFixed(2)} ml, ${extent}, ${o.prompts.length} prompt(s)`
      + (o.busy ? ', working…' : o.propagated ? `, propagated (${o.propagated})` : '');
    li.append(sw, document.createTextNode('Object ' + o.id), detail);
    li.onclick = () => {
      state.selected = o.id;
      renderObjects();
    };
    ul.append(li);
  }
  const sel = selected();
  const v = state.volume;
  $('add-object').disabled = !v;
  $('propagate').disabled = !sel || sel.busy || sel.prompts.length === 0;
  $('undo').disabled = !sel || sel.busy || sel.prompts.length === 0;
  link($('download-nifti'), v && `/api/volumes/${v.id}/mask.nii.gz`);
  link($('download-object'), v && sel && `/api/volumes/${v.id}/mask.nii.gz?object=${sel.id}`);
  link($('download-seg'), v && v.dicom && `/api/volumes/${v.id}/mask.dcm`);
}

function link(a, href) {
  a.hidden = !href;
  if (href) a.href = href;
}

function selected() {
  return state.objects.find((o) => o.id === state.selected);
}

async function prompt(p) {
  const o = selected();
  if (!o || o.busy) return;
  try {
    status('segmenting slice ' + state.slice + '…', 'busy');
    const r = await api.prompt(state.volume.id, o.id, { slice: state.slice, ...p });
    update(r);
    await redraw();
    status(`slice ${state.slice}: score ${r.result.objectScore.toFixed(2)}; propagate when ready`, 'ready');
  } catch (e) {
    fail(e);
  }
}

/** Follows the volume's events: progress updates the bar and the masks as slices are tracked. */
function follow(vid) {
  const es = api.events(vid);
  state.events = es;
  const data = (e) => JSON.parse(e.data);
  es.addEventListener('started', (e) => {
    const d = data(e);
    const o = state.objects.find((x) => x.id === d.object);
    if (o) { o.busy = true; renderObjects(); }
    $('progress').hidden = false;
    $('progress').value = 0;
    status(`${d.operation} object ${d.object}…`, 'busy');
  });
  es.addEventListener('progress', (e) => {
    const d = data(e);
    $('progress').value = d.done / d.total;
    const o = state.objects.find((x) => x.id === d.object);
    if (o && !o.maskSlices.includes(d.slice)) o.maskSlices.push(d.slice); // may be empty: drawn as nothing
    if ($('follow').checked) setSlice(d.slice); else if (d.slice === state.slice) redraw();
  });
  es.addEventListener('done', (e) => {
    const d = data(e);
    update(d);
    $('progress').hidden = true;
    redraw();
    status(`object ${d.id}: ${d.volumeMl.toFixed(2)} ml` + (d.extent ? `, slices ${d.extent.first}–${d.extent.last}` : ''),
      'done');
  });
  es.addEventListener('failed', (e) => {
    const d = data(e);
    $('progress').hidden = true;
    api.object(vid, d.object).then(update).catch(() => {});
    status(`${d.operation} object ${d.object} failed: ${d.message}`, 'error');
  });
  es.addEventListener('resync', () => api.volume(vid).then((v) => { state.objects = v.objects; renderObjects(); redraw(); }));
  es.addEventListener('closed', () => { es.close(); status('this volume was closed (idle too long): open it again', 'error'); });
}

$('add-object').onclick = () => addObject().catch(fail);
$('propagate').onclick = async () => {
  const o = selected();
  try {
    update(await api.propagate(state.volume.id, o.id, $('mode').value));
  } catch (e) {
    fail(e);
  }
};
$('undo').onclick = async () => {
  const o = selected();
  try {
    update(await api.undo(state.volume.id, o.id));
  } catch (e) {
    fail(e);
  }
};
$('upload').onchange = () => {
  const f = $('upload').files[0];
  if (f) openVolume(() => api.upload(f), f.name);
};

start().catch(fail);
