import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';

// Three bundles: main (Electron entry + CLI + engine host, all Node), preload (one sandbox-safe CJS file),
// renderer (React). Native and heavy packages stay external so node_modules resolves them at run time.
const external = [
  'electron',
  'onnxruntime-node',
  'better-sqlite3',
  'sharp',
  'ws',
  '@huggingface/tokenizers',
];

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: {
        external,
        input: {
          index: resolve(__dirname, 'src/main/index.ts'),
          cli: resolve(__dirname, 'src/main/cli/main.ts'),
          engineHost: resolve(__dirname, 'src/main/engine/host/entry.ts'),
        },
        // Shared chunks sit next to the entries: paths.ts finds the project root two folders above its own file.
        output: { format: 'cjs', entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js' },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      rollupOptions: {
        input: { index: resolve(__dirname, 'src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].js', inlineDynamicImports: true },
      },
    },
  },
  renderer: {
    root: resolve(__dirname, 'src/renderer'),
    plugins: [react()],
    build: {
      outDir: 'out/renderer',
      // Monaco makes the bundle large; minified it loads noticeably faster in the window and in serve mode.
      minify: true,
      rollupOptions: { input: { index: resolve(__dirname, 'src/renderer/index.html') } },
    },
  },
});
