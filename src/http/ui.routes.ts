// Serves the web UI (ui/dist) at / with a single-page-app fallback that never shadows an API path.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyStatic from '@fastify/static';

/**
 * Paths owned by the APIs, the docs and the request-log ingestion routes. An unknown path under one of
 * these is a 404 in that face's error format, never the UI's HTML (a client expecting JSON must not get HTML).
 */
const RESERVED_PREFIXES = [
  '/api/',
  '/api',
  '/v1/',
  '/v1',
  '/rest/',
  '/rest',
  '/docs',
  '/openapi.json',
  '/healthz',
  '/readyz',
  '/log-request',
  '/library-',
  '/track-',
  '/create-group',
  '/prompt-templates',
];

export function isReservedPath(urlPath: string): boolean {
  return RESERVED_PREFIXES.some((p) =>
    p.endsWith('/') || p.endsWith('-')
      ? urlPath.startsWith(p)
      : urlPath === p || urlPath.startsWith(`${p}/`) || urlPath.startsWith(`${p}?`),
  );
}

/** ui/dist of this package, whether running from src/ (tsx) or dist/ (compiled). */
export function defaultUiDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return path.join(dir, 'ui', 'dist');
    dir = path.dirname(dir);
  }
  return path.resolve('ui', 'dist');
}

const MISSING_BUILD_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Strata</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#1f2933}code{background:#eef1f4;padding:.1rem .3rem;border-radius:4px}</style>
</head><body><h1>Strata</h1>
<p>The web UI has not been built on this server. Run <code>npm run build</code> (or <code>npm install</code>, which builds it) and restart.</p>
<p>The API is available: see <a href="/docs">/docs</a> and <a href="/openapi.json">/openapi.json</a>.</p>
</body></html>`;

export async function uiRoutes(app: FastifyInstance, opts: { uiDir?: string } = {}): Promise<void> {
  const root = opts.uiDir ?? defaultUiDir();
  // The build is looked up per request, so `npm run build:ui` on a running server takes effect without a restart.
  const built = () => fs.existsSync(path.join(root, 'index.html'));

  await app.register(fastifyStatic, { root, serve: false });

  const handler = async (req: FastifyRequest, reply: FastifyReply) => {
    const urlPath = decodeURIComponent(req.url.split('?')[0] ?? '/');
    if (isReservedPath(urlPath)) return reply.callNotFound();
    if (!built()) return reply.type('text/html; charset=utf-8').send(MISSING_BUILD_PAGE);

    const relative = urlPath.replace(/^\/+/, '');
    if (relative !== '' && !relative.split('/').includes('..')) {
      const file = path.join(root, relative);
      if (file.startsWith(root + path.sep) && fs.existsSync(file) && fs.statSync(file).isFile()) {
        // Vite names assets by content hash: they never change, so browsers may keep them.
        const immutable = relative.startsWith('assets/');
        return immutable
          ? reply.sendFile(relative, { maxAge: '365d', immutable: true })
          : reply.header('cache-control', 'no-cache').sendFile(relative, { cacheControl: false });
      }
    }
    // A missing file (a path with an extension) is a 404; any other path is a page of the SPA.
    const last = relative.split('/').pop() ?? '';
    if (last.includes('.')) return reply.callNotFound();
    return reply.header('cache-control', 'no-cache').sendFile('index.html', { cacheControl: false });
  };

  app.get('/', { config: { auth: 'public' }, schema: { hide: true } }, handler);
  app.get('/*', { config: { auth: 'public' }, schema: { hide: true } }, handler);
}
