import { latin1, type Fail } from './pickle-values.js';

/** Protocol 0 writes numbers and strings as text lines; these read them back. */

/** INT and LONG lines: "42", "-7", "123L"; INT "00"/"01" are False/True. */
export function parseIntegerLine(line: Uint8Array, fail: Fail): number | bigint | boolean {
  const text = latin1(line).trim().replace(/L$/, '');
  if (text === '00') return false;
  if (text === '01') return true;
  if (!/^[+-]?\d{1,600}$/.test(text)) fail(`'${text.slice(0, 40)}' is not an integer (or too long)`);
  return shrink(BigInt(text));
}

/** A number where it is exact, a bigint where it is not. */
export function shrink(value: bigint): number | bigint {
  const max = BigInt(Number.MAX_SAFE_INTEGER);
  return value <= max && value >= -max ? Number(value) : value;
}

export function parseFloatLine(line: Uint8Array, fail: Fail): number {
  const text = latin1(line).trim();
  const value = Number(text.replace(/^([+-]?)inf$/i, '$1Infinity'));
  return Number.isNaN(value) && !/^[+-]?nan$/i.test(text) ? fail(`'${text}' is not a number`) : value;
}

const SIMPLE_ESCAPES: Record<string, number> = { '\\': 92, "'": 39, '"': 34, a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11 };

/** STRING: a quoted Python 2 string literal with backslash escapes, as bytes. */
export function parseQuotedString(line: Uint8Array, fail: Fail): Uint8Array {
  const text = latin1(line);
  const quote = text.charAt(0);
  if (text.length < 2 || (quote !== "'" && quote !== '"') || text.charAt(text.length - 1) !== quote) {
    fail('the STRING argument must be quoted');
  }
  const body = text.slice(1, -1);
  const out: number[] = [];
  for (let i = 0; i < body.length; i++) {
    const char = body.charAt(i);
    if (char !== '\\' || i + 1 >= body.length) {
      out.push(body.charCodeAt(i));
      continue;
    }
    const next = body.charAt(++i);
    const octal = /^[0-7]{1,3}/.exec(body.slice(i, i + 3));
    if (Object.hasOwn(SIMPLE_ESCAPES, next)) out.push(SIMPLE_ESCAPES[next]);
    else if (next === 'x' && /^[0-9a-f]{2}$/i.test(body.slice(i + 1, i + 3))) {
      out.push(Number.parseInt(body.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (octal) {
      out.push(Number.parseInt(octal[0], 8) & 0xff);
      i += octal[0].length - 1;
    } else out.push(92, body.charCodeAt(i));
  }
  return Uint8Array.from(out);
}

/** UNICODE: raw-unicode-escape text, where only \uXXXX and \UXXXXXXXX are escapes. */
export function parseRawUnicode(line: Uint8Array, fail: Fail): string {
  return latin1(line).replace(/\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g, (_match, short?: string, long?: string) => {
    const code = Number.parseInt(short ?? long ?? '', 16);
    return code <= 0x10ffff ? String.fromCodePoint(code) : fail(`\\U${long} is not a character`);
  });
}
