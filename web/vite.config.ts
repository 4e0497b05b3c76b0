import { defineConfig } from 'vite';
import dataUrisToFiles from './scripts/data-uris-to-files.mjs';

// The API the dev server and preview forward to (a local stack from local/up.sh).
const API = process.env.SHOP_API ?? 'http://127.0.0.1:9000';
const API_PATHS = [
  '/register', '/login', '/logout', '/token', '/profile', '/products', '/sales', '/reviews',
  '/recommendations', '/health', '/customers/health', '/inventory/health', '/openapi.yaml',
];
const proxy = Object.fromEntries(API_PATHS.map((p) => [p, { target: API, changeOrigin: false }]));

// The same policy the platform sends, so `vite preview` shows what CSP would refuse.
const CSP = "default-src 'self'; img-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

export default defineConfig({
  base: '/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  plugins: [dataUrisToFiles()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    assetsInlineLimit: 0, // never data: URIs (CSP)
    sourcemap: false,
    modulePreload: { polyfill: false }, // every browser that runs ES modules preloads them
    chunkSizeWarningLimit: 2000, // swagger-ui is one big chunk, on /docs only
    rolldownOptions: {
      input: { index: 'index.html', admin: 'admin.html', docs: 'docs.html' },
      output: {
        // Flat: the platform serves exactly /assets/<file>.
        entryFileNames: 'assets/[name]-[hash].js',
        chunkFileNames: 'assets/[name]-[hash].js',
        assetFileNames: 'assets/[name]-[hash][extname]',
        // What the storefront and the console share (Preact, api, ui, the stylesheet): one chunk.
        codeSplitting: { groups: [{ name: 'common', test: /node_modules[\\/]preact|[\\/]src[\\/](?!shop|admin|docs)[^\\/]+$/ }] },
      },
    },
  },
  server: { proxy },
  preview: { proxy, headers: { 'Content-Security-Policy': CSP } },
});
