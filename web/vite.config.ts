import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The demo wizard. scripts/dev.sh serves it on WEB_PORT (5173) and points it at the API with
// VITE_API_URL (http://localhost:9000 by default), with its own VITE_CACHE_DIR.
export default defineConfig({
  root: 'demo',
  cacheDir: process.env.VITE_CACHE_DIR || 'node_modules/.vite',
  plugins: [react()],
  // Bundled at start-up rather than on the first page load, which would reload the page.
  optimizeDeps: { include: ['react', 'react-dom/client', 'react/jsx-dev-runtime'] },
  server: {
    port: Number(process.env.WEB_PORT ?? 5173),
    strictPort: true,
    host: '127.0.0.1',
  },
  // dist-demo/, not dist/: dist/ is the npm package that tsdown builds (tsdown.config.ts).
  build: { outDir: '../dist-demo', emptyOutDir: true },
});
