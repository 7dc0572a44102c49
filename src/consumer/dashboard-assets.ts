import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { extname, join } from 'node:path';
import { build, type Plugin } from 'esbuild';
import { CachedBody } from './cached-body.ts';
import { ERROR_ROUTES } from '../contract/error-routing.ts';
import { CATEGORIES, SEVERITIES } from '../contract/schemas/error-message.ts';
import { lazy } from '../shared/lazy.ts';
import { PACKAGE_ROOT } from '../shared/package-root.ts';

export interface Asset {
  readonly type: string;
  readonly body: CachedBody;
  /** The body's hash: a browser that has it revalidates (If-None-Match) and gets a 304. */
  readonly etag: string;
}

/** The dashboard's files by URL path. */
export type DashboardAssets = ReadonlyMap<string, Asset>;

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

const WEB = join(PACKAGE_ROOT, 'src/consumer/web');
const tagged = (type: string, body: Uint8Array): Asset => ({
  type,
  body: new CachedBody(Buffer.from(body)),
  etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
});
const asset = (file: string): Asset => tagged(TYPES[extname(file)] ?? 'text/plain', readFileSync(file));

const CONTRACT_MODULE = [
  `export const CATEGORIES = ${JSON.stringify(CATEGORIES)};`,
  `export const STORED_SEVERITIES = ${JSON.stringify(SEVERITIES.filter((s) => ERROR_ROUTES[s].stored))};`,
  '',
].join('\n');

// The page takes these from the contract, the one place they are defined.
const contractModule: Plugin = {
  name: 'contract',
  setup(build) {
    build.onResolve({ filter: /^\.\/contract\.js$/ }, () => ({ path: 'contract', namespace: 'contract' }));
    build.onLoad({ filter: /.*/, namespace: 'contract' }, () => ({
      contents: CONTRACT_MODULE,
      loader: 'js',
    }));
  },
};

/**
 * `js/dashboard.js` and all it imports, Socket.IO's client and uPlot from node_modules (never a CDN: the
 * page works offline and its policy names this origin only), as one script and its source map. One
 * request instead of 23: over HTTP/1.1's six connections the modules queued, and the first API call
 * left ~200 ms after navigation on this machine.
 */
async function bundledScript(): Promise<{ script: Uint8Array; map: Uint8Array }> {
  const { outputFiles } = await build({
    entryPoints: [join(WEB, 'js/dashboard.js')],
    bundle: true,
    format: 'esm',
    target: 'es2022',
    minify: true,
    sourcemap: 'linked',
    outfile: join(WEB, 'dashboard.js'),
    write: false,
    logLevel: 'silent',
    plugins: [contractModule],
  });
  const output = (suffix: string) => outputFiles.find((f) => f.path.endsWith(suffix))!.contents;
  return { script: output('.js'), map: output('.js.map') };
}

/**
 * Every file the dashboard loads, by URL path, read and bundled once per process (its consumers share
 * them): a path not listed is a 404, so no request can name a file outside them.
 */
export const dashboardAssets = lazy(async (): Promise<DashboardAssets> => {
  const { script, map } = await bundledScript();
  const page = asset(join(WEB, 'dashboard.html'));
  const favicon = asset(join(WEB, 'favicon.svg'));
  const uplotCss = createRequire(import.meta.url).resolve('uplot/dist/uPlot.min.css');
  return new Map<string, Asset>([
    ['/', page],
    ['/dashboard', page],
    ['/favicon.ico', favicon],
    ['/web/favicon.svg', favicon],
    ['/web/layout.css', asset(join(WEB, 'layout.css'))],
    ['/web/panels.css', asset(join(WEB, 'panels.css'))],
    ['/web/uPlot.min.css', asset(uplotCss)],
    ['/web/dashboard.js', tagged(TYPES['.js']!, script)],
    ['/web/dashboard.js.map', tagged('application/json', map)],
  ]);
});
