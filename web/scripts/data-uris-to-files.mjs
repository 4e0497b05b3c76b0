// Vite plugin: moves `url(data:...)` images out of emitted CSS into files of their own.
// Why: the platform sends `Content-Security-Policy: default-src 'self'`, which refuses
// data: images; swagger-ui's stylesheet carries its icons that way.
import { createHash } from 'node:crypto';

const EXT = { 'image/svg+xml': 'svg', 'image/png': 'png', 'image/jpeg': 'jpg', 'image/gif': 'gif', 'image/webp': 'webp' };

/** Every `url(data:...)` in `css`: [start, end, uri]. Handles quoted URIs holding `)`. */
function findDataUrls(css) {
  const found = [];
  let at = 0;
  for (;;) {
    const start = css.indexOf('url(', at);
    if (start < 0) return found;
    let i = start + 4;
    while (css[i] === ' ') i++;
    const quote = css[i] === '"' || css[i] === "'" ? css[i] : '';
    if (quote) i++;
    if (!css.startsWith('data:', i)) { at = i; continue; }
    let raw = '';
    for (; i < css.length; i++) {
      const c = css[i];
      if (c === '\\') { raw += css[++i]; continue; } // a CSS escape: keep the next char
      if (quote ? c === quote : c === ')') break;
      raw += c;
    }
    if (quote) i++;
    while (css[i] === ' ') i++;
    found.push([start, i + 1, raw]);
    at = i + 1;
  }
}

function decode(uri) {
  const comma = uri.indexOf(',');
  const meta = uri.slice(5, comma);
  const payload = uri.slice(comma + 1);
  const mime = meta.split(';')[0] || 'text/plain';
  if (meta.endsWith(';base64')) return { mime, bytes: Buffer.from(payload, 'base64') };
  let text = payload;
  try { text = decodeURIComponent(payload); } catch { /* already plain text */ }
  return { mime, bytes: Buffer.from(text, 'utf8') };
}

export default function dataUrisToFiles() {
  return {
    name: 'data-uris-to-files',
    apply: 'build',
    generateBundle(_options, bundle) {
      const emitted = new Map(); // content hash -> file name, so a repeated icon is one file
      for (const asset of Object.values(bundle)) {
        if (asset.type !== 'asset' || !asset.fileName.endsWith('.css')) continue;
        const css = String(asset.source);
        let out = '';
        let last = 0;
        for (const [start, end, uri] of findDataUrls(css)) {
          const { mime, bytes } = decode(uri);
          const ext = EXT[mime];
          if (!ext) continue;
          const key = createHash('sha256').update(bytes).digest('hex');
          if (!emitted.has(key)) {
            const ref = this.emitFile({ type: 'asset', name: `icon.${ext}`, source: bytes });
            emitted.set(key, this.getFileName(ref));
          }
          out += css.slice(last, start) + `url(/${emitted.get(key)})`;
          last = end;
        }
        asset.source = out + css.slice(last);
      }
    },
  };
}
