import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** The web app: served by the hub at /app/ (locally by `npm start`, on AWS from S3 behind CloudFront). */
export default defineConfig({
  root: import.meta.dirname,
  base: '/app/',
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true },
  css: { preprocessorOptions: { scss: { quietDeps: true } } },
});
