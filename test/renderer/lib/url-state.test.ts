import { describe, expect, it } from 'vitest';
import { formatAddress, parseAddress } from '../../../renderer/lib/url-state.js';

describe('the page address', () => {
  it('keeps the screen and the selections, any characters in paths included', () => {
    const address = { screen: 'results' as const, project: '/home/me/a b&c#1.pruneflow', session: 's2', data: 'C:\\data\\cifar?x=1', model: 'resnet20' };
    const hash = formatAddress(address);
    expect(hash.startsWith('#/results?')).toBe(true);
    expect(hash.slice(1)).not.toMatch(/[# ]/);
    expect(parseAddress(hash)).toEqual(address);
    expect(new URL(`http://h/?token=t${hash}`).searchParams.get('token')).toBe('t');
  });

  it('writes a bare screen with no query; reads one with or without its #', () => {
    expect(formatAddress({ screen: 'start' })).toBe('#/start');
    expect(parseAddress('/data')).toEqual({ screen: 'data' });
  });

  it('reads nothing from an empty hash, an unknown screen or another shape', () => {
    for (const hash of ['', '#', '#/', '#/nowhere', '#setup', '#/setup/extra']) expect(parseAddress(hash)).toBeUndefined();
  });
});
