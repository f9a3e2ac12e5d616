import { describe, expect, it } from 'vitest';
import { CHROMIUM_CANDIDATES, ChromiumNotFoundError, findChromium } from './chromium.js';

// Which browser the browser tests start: a missing one fails them with what to install, never skips them.
describe('finding Chromium for the browser tests', () => {
  const only =
    (...paths: string[]) =>
    (path: string) =>
      paths.includes(path);

  it('takes CHROMIUM_PATH first, then the first system browser there is', () => {
    expect(findChromium({ CHROMIUM_PATH: '/opt/chrome/chrome' }, only('/opt/chrome/chrome', '/usr/bin/chromium'))).toBe('/opt/chrome/chrome');
    expect(findChromium({}, only('/usr/bin/google-chrome', '/usr/bin/chromium'))).toBe('/usr/bin/chromium');
    expect(findChromium({}, only('/usr/bin/google-chrome'))).toBe('/usr/bin/google-chrome');
  });

  it('says what to install when there is none, and names a CHROMIUM_PATH that is not there', () => {
    expect(() => findChromium({}, only())).toThrow(ChromiumNotFoundError);
    expect(() => findChromium({}, only())).toThrow(
      /need Chromium and found none \(looked at \/usr\/bin\/chromium, .*\)\. Install it with `sudo apt-get install chromium`/,
    );
    expect(() => findChromium({ CHROMIUM_PATH: '/nowhere/chrome' }, only(...CHROMIUM_CANDIDATES))).toThrow('CHROMIUM_PATH=/nowhere/chrome: no such file');
  });
});
