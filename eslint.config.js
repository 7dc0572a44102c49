import js from '@eslint/js';
import boundaries from 'eslint-plugin-boundaries';
import { importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

// The house, top floor first: a folder may import only folders on floors below its own (docs/architecture.md).
// Folders on one floor never import each other: the simulator and the consumer stay apart.
const FLOORS = [
  ['cli'],
  ['config'],
  ['analysis'],
  ['run'],
  ['sim', 'consumer'],
  ['bus'],
  ['db', 'services'],
  ['tracking'],
  ['contract'],
  ['shared'],
  ['errors'],
];
const below = (floor) => FLOORS.slice(floor + 1).flat();

export default tseslint.config(
  { ignores: ['node_modules/', 'reports/', 'dist/', 'bin/', 'eslint.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-restricted-properties': [
        'error',
        {
          object: 'Math',
          property: 'random',
          message: 'Use the seeded generator passed in as a dependency.',
        },
      ],
    },
  },
  {
    files: ['src/**/*.ts'],
    plugins: { boundaries, 'import-x': importX },
    settings: {
      'boundaries/elements': FLOORS.flat().map((folder) => ({ type: folder, pattern: `src/${folder}` })),
      // Imports name their .ts files, so Node's resolution finds them; the TypeScript parser reads them.
      'import-x/extensions': ['.ts'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
    },
    rules: {
      'boundaries/dependencies': [
        'error',
        {
          default: 'disallow',
          message:
            '{{from.type}} may not import {{to.type}}: imports point down the floors of eslint.config.js',
          policies: FLOORS.flatMap((folders, floor) =>
            folders.map((folder) => ({
              from: { element: { type: folder } },
              allow: { to: { element: { types: { anyOf: [folder, ...below(floor)] } } } },
            })),
          ),
        },
      ],
      'import-x/no-cycle': 'error',
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/cli/**', 'src/config/load-config.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name='process'][property.name='env']",
          message: 'Configuration is parsed once at an entry point (src/cli, tests/support); pass it down.',
        },
      ],
    },
  },
  // The dashboard's browser modules: plain ES modules the consumer bundles at start (one request),
  // outside the TypeScript project.
  {
    files: ['src/consumer/web/**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      sourceType: 'module',
      globals: Object.fromEntries(
        [
          'window',
          'document',
          'location',
          'history',
          'sessionStorage',
          'fetch',
          'performance',
          'requestAnimationFrame',
          'setTimeout',
          'setInterval',
          'URLSearchParams',
        ].map((name) => [name, 'readonly']),
      ),
    },
  },
);
