import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // CLI and server tests start real processes and sockets; give them room on 2 shared cores.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
