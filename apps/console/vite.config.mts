// Builds the operations console (served by the API at /console) into dist/public/console.
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const appDir = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/**
 * codemirror-json-schema renders its messages with markdown-it and Shiki, and parses JSON5 and YAML
 * too; the console gives it a small escaping renderer (src/schema-markdown.ts) and no JSON5 or YAML
 * parser (src/schema-other-modes.ts), which keeps the editor chunk to what JSON editing needs.
 */
function jsonOnlySchemaSupport(): Plugin {
  const replacements: Record<string, string> = {
    '../utils/markdown': `${appDir}src/schema-markdown.ts`,
    './json5-parser': `${appDir}src/schema-other-modes.ts`,
    './yaml-parser': `${appDir}src/schema-other-modes.ts`,
  };
  return {
    name: 'console:json-only-schema-support',
    enforce: 'pre',
    resolveId(source, importer) {
      if (!importer?.includes('/codemirror-json-schema/')) return null;
      return replacements[source] ?? null;
    },
  };
}

export default defineConfig({
  root: appDir,
  base: '/console/',
  publicDir: false,
  plugins: [jsonOnlySchemaSupport()],
  build: {
    outDir: `${repoRoot}dist/public/console`,
    emptyOutDir: true,
    target: 'es2022',
    // every supported browser has <link rel="modulepreload">: no polyfill in the entry
    modulePreload: { polyfill: false },
    // the editor and chart pages are lazy chunks, large by nature; the first load is measured by the build script
    chunkSizeWarningLimit: 2000,
    reportCompressedSize: false,
  },
  // pre-bundling would skip the plugin above
  optimizeDeps: { exclude: ['codemirror-json-schema'] },
  server: { fs: { allow: [repoRoot] } },
});
