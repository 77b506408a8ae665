/*
 * Builds the <offer-panel> element into one self-contained ES module, dist/public/offer-panel.js
 * (Lit bundled in, no other chunk or asset), which the API serves at /offer-panel.js.
 * dist/public is shared with the console's build (dist/public/console), so it is not emptied.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, transformWithEsbuild } from 'vite';

const appDir = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(appDir, '../..');

export default defineConfig({
  root: appDir,
  plugins: [
    {
      // library builds keep the whitespace of ES output: squeeze the one chunk fully
      name: 'minify-offer-panel',
      apply: 'build',
      enforce: 'post',
      async generateBundle(_options, bundle) {
        for (const output of Object.values(bundle)) {
          if (output.type !== 'chunk') continue;
          const result = await transformWithEsbuild(output.code, output.fileName, { minify: true, format: 'esm', target: 'es2022', legalComments: 'none' });
          output.code = result.code;
        }
      },
    },
  ],
  publicDir: false,
  logLevel: 'warn',
  build: {
    outDir: resolve(repoRoot, 'dist/public'),
    emptyOutDir: false,
    copyPublicDir: false,
    target: 'es2022',
    minify: 'esbuild',
    sourcemap: false,
    reportCompressedSize: false,
    lib: {
      entry: resolve(appDir, 'src/offer-panel.ts'),
      formats: ['es'],
      fileName: () => 'offer-panel.js',
    },
    rollupOptions: {
      output: { inlineDynamicImports: true },
    },
  },
});
