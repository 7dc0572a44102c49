import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { extname, join, relative } from 'node:path';
import { ERROR_ROUTES } from '../contract/error-routing.ts';
import { CATEGORIES, SEVERITIES } from '../contract/schemas/error-message.ts';
import { PACKAGE_ROOT } from '../shared/package-root.ts';

export interface Asset {
  readonly type: string;
  readonly body: string | Buffer;
}

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

const WEB = join(PACKAGE_ROOT, 'src/consumer/web');
const filesUnder = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)],
  );
const asset = (file: string): Asset => ({
  type: TYPES[extname(file)] ?? 'text/plain',
  body: readFileSync(file),
});
// uPlot from node_modules, never a CDN: the page works offline and its policy names this origin only.
const uplot = (name: string) => createRequire(import.meta.url).resolve(`uplot/dist/${name}`);

const CONTRACT_MODULE = [
  `export const CATEGORIES = ${JSON.stringify(CATEGORIES)};`,
  `export const STORED_SEVERITIES = ${JSON.stringify(SEVERITIES.filter((s) => ERROR_ROUTES[s].stored))};`,
  '',
].join('\n');

/**
 * Every file the dashboard loads, by URL path, read once at start: a path not listed is a 404, so no
 * request can name a file outside them.
 */
export function dashboardAssets(): ReadonlyMap<string, Asset> {
  const page = asset(join(WEB, 'dashboard.html'));
  const favicon = asset(join(WEB, 'favicon.svg'));
  return new Map<string, Asset>([
    ['/', page],
    ['/dashboard', page],
    ['/favicon.ico', favicon],
    ...filesUnder(WEB).map((file): [string, Asset] => [`/web/${relative(WEB, file)}`, asset(file)]),
    ['/web/uPlot.iife.min.js', asset(uplot('uPlot.iife.min.js'))],
    ['/web/uPlot.min.css', asset(uplot('uPlot.min.css'))],
    // The page takes these from the contract, the one place they are defined.
    ['/web/js/contract.js', { type: TYPES['.js']!, body: CONTRACT_MODULE }],
  ]);
}
