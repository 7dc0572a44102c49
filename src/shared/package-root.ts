import { fileURLToPath } from 'node:url';

/**
 * The package's root directory. Two levels up from this file, and from the compiled CLI in
 * dist/cli/ as well, so files shipped beside the code (package.json, the dashboard, migrations) are
 * found from either.
 */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));
