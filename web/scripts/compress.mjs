// After `vite build`: writes NAME.gz and NAME.br next to each text file of dist/ (the
// variants `hippocrate serve` sends to a browser that accepts them, docs/web.md), with
// Node's own zlib — gzip level 9 with no name and mtime 0 in its header, brotli quality 11 —
// so the same dist gives the same bytes. A variant that would not be smaller is not written.
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const dist = path.resolve(import.meta.dirname ?? path.dirname(new URL(import.meta.url).pathname), "../dist");
const compressible = /\.(html|js|mjs|css|svg|json|txt|webmanifest|wasm)$/;

function* files(dir) {
  for (const name of readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) yield* files(p);
    else yield p;
  }
}

let raw = 0;
let gz = 0;
let br = 0;
for (const file of [...files(dist)]) {
  if (file.endsWith(".gz") || file.endsWith(".br")) {
    rmSync(file);
    continue;
  }
  if (!compressible.test(file)) continue;
  const body = readFileSync(file);
  const g = gzipSync(body, { level: 9 });
  const b = brotliCompressSync(body, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: 11,
      [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
    },
  });
  raw += body.length;
  if (g.length < body.length) {
    writeFileSync(`${file}.gz`, g);
    gz += g.length;
  } else gz += body.length;
  if (b.length < body.length) {
    writeFileSync(`${file}.br`, b);
    br += b.length;
  } else br += body.length;
}
console.log(`compress: ${raw} bytes → gzip ${gz}, brotli ${br}`);
