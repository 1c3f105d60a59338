import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const pkg = (p: string) => fileURLToPath(new URL(`./packages/${p}`, import.meta.url));

// Tests run against TypeScript sources, not dist: workspace imports are aliased to src.
export const alias = [
  { find: /^@xmscan\/miio-probe\/codec$/, replacement: pkg('miio-probe/src/codec/index.ts') },
  { find: /^@xmscan\/(report|miio-probe|scanner|simulator)$/, replacement: pkg('$1/src/index.ts') },
];

export default defineConfig({
  resolve: { alias },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**', 'test/fuzz/**', 'test/bench/**'],
    // Issue 8: every simulator request of the suite is logged under one directory and checked read-only.
    globalSetup: ['test/security/sim-log-global.ts'],
    setupFiles: ['test/security/sim-log-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Lab tests share kernel state (namespaces, bridges): files run one at a time.
    fileParallelism: false,
    pool: 'forks',
  },
});
