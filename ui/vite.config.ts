// Vite build of the web UI (served by the Strata server from ui/dist) and its vitest unit tests.
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
  },
  server: {
    // `npx vite --config ui/vite.config.ts` during development, with the API on :8080.
    proxy: Object.fromEntries(['/api', '/v1', '/openapi.json'].map((p) => [p, 'http://127.0.0.1:8080'])),
  },
  test: {
    root,
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}'],
  },
});
