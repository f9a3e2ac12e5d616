// The layering rules that keep the engine portable and the UI host-agnostic (npm run check).
// One direction of imports: renderer -> core/api <- electron -> core -> tfjs.
import { builtinModules } from 'node:module';
import svelte from 'eslint-plugin-svelte';
import svelteParser from 'svelte-eslint-parser';
import tseslint from 'typescript-eslint';

const nodeBuiltins = [...builtinModules.filter((m) => !m.startsWith('_')), 'node:*'];
const bad = (message) => `Bad layering: ${message}`;

const electron = { group: ['electron', 'electron/*'], message: bad('only electron/ may use Electron.') };
const node = { group: nodeBuiltins, message: bad('Node built-ins are for core/node/ and electron/ only.') };
// Native add-ons load only where Node runs: the engine reaches ONNX Runtime through core/backend/forward-runner.ts.
const addons = { group: ['onnxruntime-node', 'onnxruntime-node/*'], message: bad('onnxruntime-node is for core/node/ only (a ForwardEngine).') };
// ONNX Runtime Web (wasm, its own worker glue) runs only in the page engine: core/browser/web-ort-runner.ts.
const webOrt = { group: ['onnxruntime-web', 'onnxruntime-web/*'], message: bad('onnxruntime-web is for core/browser/ only (a ForwardEngine).') };
const upward = (from) => ({
  group: ['**/electron/**', '**/renderer/**'],
  message: bad(`${from} may not import the desktop host or the UI.`),
});

// DOM-only globals: the engine also runs in a browser worker, where these do not exist.
const domGlobals = [
  'window',
  'document',
  'localStorage',
  'sessionStorage',
  'alert',
  'confirm',
  'HTMLElement',
  'HTMLCanvasElement',
  'HTMLImageElement',
  'Image',
  'DOMParser',
].map((name) => ({ name, message: bad('core/ must not touch the DOM.') }));

export default tseslint.config(
  { ignores: ['dist/**', 'release/**', 'node_modules/**', '.venv/**', '.cache/**', '**/*.cjs'] },
  {
    files: ['**/*.ts', '**/*.js', '**/*.mjs'],
    languageOptions: { parser: tseslint.parser, ecmaVersion: 2022, sourceType: 'module' },
  },
  {
    files: ['renderer/**/*.svelte', 'renderer/**/*.svelte.ts'],
    plugins: { svelte },
    languageOptions: { parser: svelteParser, parserOptions: { parser: tseslint.parser } },
  },
  {
    // No line past 160 characters, strings, templates and comments included: Prettier breaks code, people break words.
    files: ['**/*.ts', '**/*.js', '**/*.mjs', 'renderer/**/*.svelte'],
    // Generated from the pinned schema.fbs by build/make-tflite-schema.mjs, one table per line: rerun it, do not edit.
    ignores: ['core/models/io/tflite/tflite-schema.ts'],
    rules: {
      'max-len': [
        'error',
        { code: 160, ignoreUrls: false, ignoreStrings: false, ignoreTemplateLiterals: false, ignoreRegExpLiterals: false, ignoreComments: false },
      ],
    },
  },
  {
    files: ['core/**/*.ts'],
    ignores: ['core/node/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [electron, node, addons, webOrt, upward('core/')] }],
      'no-restricted-globals': ['error', ...domGlobals, { name: 'process', message: bad('process is Node-only; keep it in core/node/.') }],
    },
  },
  {
    files: ['core/browser/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [electron, node, addons, upward('core/')] }] },
  },
  {
    // The contract owns its wire types: an engine file's change cannot change what crosses to the UI unseen.
    files: ['core/api/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            electron,
            node,
            upward('core/'),
            { group: ['../*', '../**'], message: bad('core/api owns the wire types and imports nothing but itself (and zod).') },
          ],
        },
      ],
    },
  },
  {
    files: ['core/node/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [electron, webOrt, upward('core/node/')] }],
      'no-restricted-globals': ['error', ...domGlobals],
    },
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.svelte'],
    ignores: ['renderer/vite.config.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            electron,
            { group: nodeBuiltins, message: bad('the UI runs in a browser: no Node built-ins.') },
            { group: ['**/electron/**'], message: bad('the UI reaches the desktop host only through EngineApi.') },
            { group: ['**/core/**', '!**/core/api/**', '!**/core/api'], message: bad('the UI may import only core/api/ from the engine.') },
          ],
        },
      ],
    },
  },
);
