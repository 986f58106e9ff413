// Builds coopkit's Voilà page assets (npm run build): one script and one stylesheet,
// minified, each beside its gzip file, in the coopkit template's static folder. The
// files are committed, so installing coopkit needs no Node; tests/test_page_assets.py
// rebuilds them with --check and fails when the committed ones differ.
//
//   node coopkit/serving/frontend/build.mjs          write the assets
//   node coopkit/serving/frontend/build.mjs --check  compare, write nothing

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync, constants } from 'node:zlib';

import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', 'share', 'jupyter', 'voila', 'templates', 'coopkit', 'static');
const check = process.argv.includes('--check');
const target = check ? mkdtempSync(join(tmpdir(), 'coopkit-assets-')) : out;
const NAMES = ['coopkit.js', 'coopkit.css'];

await build({
  entryPoints: { coopkit: join(here, 'src', 'index.js') },
  outdir: target,
  bundle: true,
  minify: true,
  format: 'iife',
  platform: 'browser',
  target: 'es2020', // phones of the last five years
  legalComments: 'eof',
  logLevel: 'warning',
  // never called (see src/no-sanitizer.js); 'ws' is Node's websocket, not a browser's
  alias: { 'sanitize-html': join(here, 'src', 'no-sanitizer.js') },
  external: ['ws'],
  define: { 'process.env.NODE_ENV': '"production"' },
  loader: { '.svg': 'dataurl', '.woff': 'empty', '.woff2': 'empty', '.ttf': 'empty',
            '.eot': 'empty' },
});

let stale = [];
for (const name of NAMES) {
  const body = readFileSync(join(target, name));
  const gz = gzipSync(body, { level: constants.Z_BEST_COMPRESSION });
  if (check) {
    for (const [file, want] of [[name, body], [`${name}.gz`, gz]]) {
      let have = null;
      try { have = readFileSync(join(out, file)); } catch { /* missing: stale */ }
      if (!have || !have.equals(want)) stale.push(file);
    }
  } else {
    writeFileSync(join(target, `${name}.gz`), gz);
    console.log(`${name}: ${body.length} bytes, ${gz.length} gzipped`);
  }
}
if (check) {
  rmSync(target, { recursive: true, force: true });
  if (stale.length) {
    console.error(`stale page assets (run npm run build): ${stale.join(', ')}`);
    process.exit(1);
  }
  console.log('page assets up to date');
}
