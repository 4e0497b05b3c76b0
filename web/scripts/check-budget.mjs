// Gzipped size of the JS and CSS each built page references, against its budget.
// Run after `npm run build`. Exits 1 when a page is over budget.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const KB = 1024;
const PAGES = [
  { html: 'index.html', budget: 150 * KB },
  { html: 'admin.html', budget: 150 * KB },
  { html: 'docs.html', budget: null }, // Swagger UI: exempt, size printed only
];

/** Every /assets/*.js and *.css a page's HTML names (scripts, stylesheets, module preloads). */
function assetsOf(html) {
  const found = new Set();
  for (const m of html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)) found.add(m[1]);
  return [...found];
}

/** Follows static imports between chunks, so shared chunks count for each page. */
function withImports(files) {
  const seen = new Set(files);
  const queue = [...files];
  while (queue.length) {
    const file = queue.pop();
    if (!file.endsWith('.js')) continue;
    const code = readFileSync(join(dist, file), 'utf8');
    for (const m of code.matchAll(/(?:import|from)\s*["']\.\/([^"']+\.js)["']/g)) {
      const dep = `assets/${m[1]}`;
      if (!seen.has(dep)) {
        seen.add(dep);
        queue.push(dep);
      }
    }
  }
  return [...seen];
}

let failed = false;
for (const { html, budget } of PAGES) {
  const files = withImports(assetsOf(readFileSync(join(dist, html), 'utf8')));
  let raw = 0;
  let gz = 0;
  console.log(`${html}`);
  for (const f of files.sort()) {
    const bytes = readFileSync(join(dist, f));
    const g = gzipSync(bytes, { level: 9 }).length;
    raw += bytes.length;
    gz += g;
    console.log(`  ${f.padEnd(48)} ${(bytes.length / KB).toFixed(1).padStart(8)} KB  ${(g / KB).toFixed(1).padStart(7)} KB gzip`);
  }
  const verdict = budget === null ? 'exempt' : gz <= budget ? `ok (budget ${budget / KB} KB)` : `OVER BUDGET (${budget / KB} KB)`;
  console.log(`  total ${(raw / KB).toFixed(1)} KB, ${(gz / KB).toFixed(1)} KB gzip: ${verdict}\n`);
  if (budget !== null && gz > budget) failed = true;
}
process.exit(failed ? 1 : 0);
