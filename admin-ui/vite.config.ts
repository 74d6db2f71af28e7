/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// `npm run dev` serves the UI on :5173 and proxies the API to a running Ferry (FERRY_URL, default
// http://localhost:8080). The proxy keeps the browser's Host, so Ferry's same-origin check passes.
const ferry = process.env.FERRY_URL ?? 'http://localhost:8080';

export default defineConfig({
  plugins: [react()],
  build: {
    // Maven adds this directory to the jar's resources: Spring Boot serves it from classpath:/static/.
    outDir: '../target/generated-resources/admin-ui/static',
    emptyOutDir: true,
    assetsDir: 'assets',
    // No data: URLs for fonts or images inlined into CSS; everything is a file under 'self'.
    assetsInlineLimit: 0,
  },
  server: {
    proxy: {
      '/api': { target: ferry },
      '/actuator': { target: ferry },
    },
  },
  test: {
    environment: 'jsdom',
    setupFiles: ['./src/test/setup.ts'],
    include: ['src/**/*.test.{ts,tsx}'],
    env: { TZ: 'UTC' },
    // The build machines are shared and busy: generous limits, so slowness never reads as a failure.
    testTimeout: 30_000,
  },
});
