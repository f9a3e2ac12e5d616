import { type Browser, chromium } from 'playwright-core';

/** Debian's Chromium, headless, offline and quiet (see ../shared/docs/TOOLCHAIN.md). */
const QUIET = ['--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/**
 * `gpu: 'software'` keeps WebGL on, drawn by SwiftShader on the CPU: the WebGL engine path runs for
 * real without a GPU. Otherwise the GPU is off, as for the UI tests.
 */
export function launchChromium({ gpu = 'off' }: { gpu?: 'off' | 'software' } = {}): Promise<Browser> {
  const graphics = gpu === 'software' ? ['--use-angle=swiftshader', '--enable-unsafe-swiftshader'] : ['--disable-gpu'];
  return chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: [...QUIET, ...graphics] });
}
