// Vite + Vitest configuration for the Cairn SPA: dev proxy to the local server,
// production build into dist/, and the jsdom unit-test environment.
import { fileURLToPath, URL } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

const backend = process.env.CAIRN_DEV_BACKEND ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react()],
  resolve: {
    alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
  },
  server: {
    proxy: {
      '/api': { target: backend, changeOrigin: false },
      '/healthz': backend,
      '/readyz': backend,
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1024,
  },
  test: {
    environment: 'jsdom',
    setupFiles: ['./src/test/setup.ts'],
    css: false,
    include: ['src/**/*.test.{ts,tsx}', 'eslint/**/*.test.js'],
    restoreMocks: true,
    unstubGlobals: true,
    // Typing into a filter re-renders a whole table per keystroke; on a loaded 2-core CI
    // machine that alone can pass 5 s. A broken test still fails, at 15 s.
    testTimeout: 15_000,
  },
});
