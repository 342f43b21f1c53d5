// Vite builds web/dist for `hippocrate serve` (docs/web.md). Reproducible: the same sources
// and package-lock.json give the same bytes (hashed names come from the content; no
// timestamps, no absolute paths), checked by scripts/web-build.sh --check-reproducible.
import { defineConfig } from "vite";

export default defineConfig({
  base: "/",
  // No public/ files are copied but favicon.svg, whose name the server treats as a
  // plain file (not hashed, so index.html can name it).
  publicDir: "public",
  oxc: {
    jsx: { runtime: "automatic", importSource: "preact" },
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    // A small app: one script and one style sheet, both as files (the CSP allows
    // 'self' only: no inline script, no inline style, no data: URLs).
    assetsInlineLimit: 0,
    cssCodeSplit: false,
    modulePreload: { polyfill: false },
    sourcemap: false,
    reportCompressedSize: true,
  },
});
