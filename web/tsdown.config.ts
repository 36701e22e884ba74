import { defineConfig } from 'tsdown';

// The npm package (`npm run build:package`): ESM and bundled .d.ts into dist/, one file per entry,
// plus shared chunks, so that ./react imports the core rather than carrying a copy of it.
// The demo's `vite build` writes dist-demo/ instead (vite.config.ts).
export default defineConfig({
  entry: {
    index: 'src/index.ts', // "."       the core: no React in its graph (test/package.test.ts)
    react: 'src/react.ts', // "./react" 'use client' hooks
    'react-hook-form': 'src/react-hook-form.ts', // "./react-hook-form" 'use client' adapter
  },
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  fixedExtension: false, // dist/*.js and *.d.ts: the package is "type": "module"
  dts: true,
  outDir: 'dist',
  clean: true,
});
