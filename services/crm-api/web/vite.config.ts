/// <reference types="vitest/config" />
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The bundle goes into crm-api's package, which serves it at / (hashed files under /assets/).
const API = process.env.CRM_API_URL ?? "http://127.0.0.1:8000";

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: "../src/crm_api/static",
    emptyOutDir: true,
    sourcemap: false,
    // .vite/manifest.json: which chunks each route loads (the bundle budget test and bench/web.py).
    manifest: true,
    // The first screen's budget is 250 KB gzipped; the rest is split by route.
    chunkSizeWarningLimit: 600,
  },
  server: {
    proxy: {
      "/api": { target: API, ws: true, changeOrigin: false },
    },
  },
  test: {
    environment: "jsdom",
    setupFiles: ["./vitest.setup.ts"],
    include: ["src/**/*.test.{ts,tsx}"],
  },
});
