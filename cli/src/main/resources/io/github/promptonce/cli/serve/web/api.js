// The JSON API (docs/serve.md). The page's requests carry the token cookie the server set on its first load.
async function call(method, url, body) {
  const init = { method, credentials: 'same-origin', headers: {} };
  if (body instanceof Blob) {
    init.body = body;
  } else if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const res = await fetch(url, init);
  const type = res.headers.get('Content-Type') || '';
  const data = type.startsWith('application/json') ? await res.json() : null;
  if (!res.ok) {
    throw new Error(data && data.error ? data.error : `${method} ${url}: HTTP ${res.status}`);
  }
  return data;
}

export const api = {
  info: () => call('GET', '/api/info'),
  files: (dir) => call('GET', '/api/files?dir=' + encodeURIComponent(dir || '')),
  open: (path) => call('POST', '/api/volumes', { path }),
  // the server takes plain names only: other characters become '_'
  upload: (file) => call('POST', '/api/volumes/upload?name='
    + encodeURIComponent(file.name.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^[._-]+/, '')), file),
  volume: (vid) => call('GET', `/api/volumes/${vid}`),
  addObject: (vid) => call('POST', `/api/volumes/${vid}/objects`),
  prompt: (vid, oid, body) => call('POST', `/api/volumes/${vid}/objects/${oid}/prompts`, body),
  propagate: (vid, oid, mode) => call('POST', `/api/volumes/${vid}/objects/${oid}/propagate`, { mode }),
  undo: (vid, oid) => call('POST', `/api/volumes/${vid}/objects/${oid}/undo`),
  object: (vid, oid) => call('GET', `/api/volumes/${vid}/objects/${oid}`),
  sliceUrl: (vid, k, w) => `/api/volumes/${vid}/slices/${k}?level=${w.level}&width=${w.width}`,
  maskUrl: (vid, oid, k) => `/api/volumes/${vid}/objects/${oid}/masks/${k}`,
  events: (vid) => new EventSource(`/api/volumes/${vid}/events`),
};

/** Loads an image URL (same origin, cookie) as a decoded <img>. */
export function loadImage(url) {
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => resolve(img);
    img.onerror = () => reject(new Error('cannot load ' + url));
    img.src = url;
  });
}
