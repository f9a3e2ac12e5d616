import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cookieValue, hostFilter, isLoopback } from '../../../../core/node/serve/request-checks.js';
import { contentTypeOf, staticPathFor } from '../../../../core/node/serve/static-files.js';

// The pure parts of the browser host's guards, case by case (the served process is tested in serve-security).
describe('hostFilter', () => {
  it.each([
    { bound: '127.0.0.1', host: '127.0.0.1:8321', accepted: true },
    { bound: '127.0.0.1', host: 'localhost:8321', accepted: true },
    { bound: '127.0.0.1', host: 'LOCALHOST:8321', accepted: true },
    { bound: '127.0.0.1', host: '[::1]:8321', accepted: true },
    { bound: '127.0.0.1', host: '127.0.0.1:8322', accepted: false },
    { bound: '127.0.0.1', host: 'evil.example:8321', accepted: false },
    { bound: '127.0.0.1', host: undefined, accepted: false },
    { bound: '::1', host: '[::1]:8321', accepted: true },
    { bound: '127.0.0.2', host: '127.0.0.2:8321', accepted: true },
    { bound: '0.0.0.0', host: 'workstation.lan:8321', accepted: true },
    { bound: '0.0.0.0', host: '', accepted: false },
  ])('bound to $bound, Host $host: $accepted', ({ bound, host, accepted }) => {
    expect(hostFilter(bound, 8321)(host)).toBe(accepted);
  });

  it('knows loopback addresses', () => {
    expect(['127.0.0.1', '127.1.2.3', '::1', 'localhost'].map(isLoopback)).toEqual([true, true, true, true]);
    expect(['0.0.0.0', '::', '192.168.1.4', '127.0.0.1.evil.example'].map(isLoopback)).toEqual([false, false, false, false]);
  });
});

describe('cookieValue', () => {
  it('finds one cookie among several, by its exact name', () => {
    expect(cookieValue('a=1; pruneflow-token-8321=abc; b=2', 'pruneflow-token-8321')).toBe('abc');
    expect(cookieValue('pruneflow-token-83210=abc', 'pruneflow-token-8321')).toBeUndefined();
    expect(cookieValue(undefined, 'x')).toBeUndefined();
  });
});

describe('staticPathFor', () => {
  const root = '/srv/renderer';
  it.each([
    { url: '/', file: 'index.html' },
    { url: '/assets/index-1.js', file: 'assets/index-1.js' },
    { url: '/assets/a%20b.css', file: 'assets/a b.css' },
    { url: '/assets//x.js', file: 'assets/x.js' },
    { url: '/../etc/passwd', file: undefined },
    { url: '/assets/%2e%2e/%2e%2e/etc/passwd', file: undefined },
    { url: '/..%2fetc%2fpasswd', file: undefined },
    { url: '/..%5cetc', file: undefined },
    { url: '/.env', file: undefined },
    { url: '/index.html%00.js', file: undefined },
    { url: '/%E0%A4%A', file: undefined },
  ])('$url -> $file', ({ url, file }) => {
    expect(staticPathFor(root, url)).toBe(file && join(root, file));
  });

  it('names the types the renderer is made of, and nothing it would guess', () => {
    expect(contentTypeOf('index.html')).toBe('text/html; charset=utf-8');
    expect(contentTypeOf('a/b.JS')).toBe('text/javascript; charset=utf-8');
    expect(contentTypeOf('x.wasm')).toBe('application/wasm');
    expect(contentTypeOf('notes')).toBe('application/octet-stream');
  });
});
