import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Where /api goes: http://backend:8000 in Compose, the default when run as a host process.
const backendUrl = process.env.BACKEND_URL ?? 'http://127.0.0.1:8000';

// Runs in the Vite (Node) process for every proxied request: a place for a Node
// debugger's breakpoint, and a log line that shows the proxy at work.
function logProxiedRequest(proxyReq, req) {
  console.log(`[proxy] ${req.method} ${req.url} -> ${backendUrl}${proxyReq.path}`);
}

export default defineConfig({
  plugins: [react()],
  server: {
    port: 5173,
    strictPort: true,
    proxy: {
      '/api': {
        target: backendUrl,
        changeOrigin: true,
        configure: (proxy) => proxy.on('proxyReq', logProxiedRequest),
      },
    },
  },
});
