import { plainText } from '../data/write-policy.js';

/** Text for HTML or SVG element content and quoted attribute values: the five characters that could open markup. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/**
 * One CSV field per RFC 4180: quoted when it holds a comma or a quote; quotes doubled. Text from users
 * (session and project names) never adds a line: line breaks and other control characters become spaces,
 * so a name cannot smuggle a record into the file, nor a line into whatever else reads it line by line.
 * Text that a spreadsheet would run as a formula (=, +, -, @ first) gets a leading apostrophe.
 */
export function csvField(value: string | number | boolean | undefined | null): string {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  let text = plainText(value ?? '');
  if (/^[=+\-@]/.test(text) && !/^[+-]?\d/.test(text)) text = `'${text}`;
  return /[",]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Rows as CSV text: fields separated by commas, records by CRLF (RFC 4180), a final CRLF. */
export function csvText(rows: readonly (readonly (string | number | boolean | undefined | null)[])[]): string {
  return rows.map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}

/**
 * Text for a Markdown table cell: pipes and backslashes escaped, line breaks flattened, and the characters
 * Markdown or inline HTML would act on escaped, so a session named "<script>" reads as that text.
 */
export function markdownCell(text: string): string {
  return plainText(text)
    .replace(/[\\`*_[\]|#]/g, (c) => `\\${c}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}
