// Copies the engine's bundled assets (the built-in sample data set) beside the compiled engine,
// so dist/ is self-contained for the CLI and the packaged app; marks the CLI executable.
import { chmodSync, cpSync } from 'node:fs';

cpSync('core/assets', 'dist/core/assets', { recursive: true });
chmodSync('dist/core/node/cli.js', 0o755);
