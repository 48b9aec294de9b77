// Vite config for the studio SPA. Vite 8 bundles this file as ESM: use import.meta.dirname.
import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';
import { resolve } from 'node:path';

const root = import.meta.dirname;

export default defineConfig({
  root,
  base: '/',
  plugins: [vue()],
  build: {
    outDir: resolve(root, 'dist'),
    emptyOutDir: true,
  },
  server: {
    // `npx vite studio` during development talks to a locally running `npm start`.
    proxy: { '/api': `http://localhost:${process.env.PORT ?? 3000}` },
  },
});
