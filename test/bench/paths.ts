import { fileURLToPath } from 'node:url';

/** The bench runs compiled from dist/test/bench/; these resolve to the source tree. */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const TORCH_SCRIPT = fileURLToPath(new URL('../../../test/bench/torch_reference.py', import.meta.url));
export const REPORT_FILE = fileURLToPath(new URL('../../../docs/benchmarks.md', import.meta.url));
