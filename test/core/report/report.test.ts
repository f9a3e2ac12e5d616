import { launchChromium } from '../../browser/chromium.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { csvField } from '../../../core/report/escape.js';
import { CSV_HEADER } from '../../../core/report/csv-report.js';
import { renderReport } from '../../../core/report/render-report.js';
import { reportInput } from '../../../core/report/report-input.js';
import { compared, sessionRecord } from '../compare/compare-fixture.js';
import { parseCsv, unbalancedTags } from './report-checks.js';

const HOSTILE = '<script>alert("x")</script> & co, "quoted" | pipe\nnew line';
const input = reportInput(
  [
    compared('a.pruneflow', sessionRecord('s1', HOSTILE, 0.88, 100e6)),
    compared('a.pruneflow', sessionRecord('s2', 'cip 70%', 0.87, 60e6, 0.3)),
    compared('a.pruneflow', sessionRecord('s3', 'failed one')),
    compared('b <b>.pruneflow', sessionRecord('s1', 'random 50%', 0.8, 100e6)),
  ],
  `Comparison of ${HOSTILE}`,
  '2026-11-27T12:00:00.000Z',
);

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
});

describe('the HTML report', () => {
  const html = renderReport(input, 'html');

  it('is one well-formed page with nothing from outside and no scripts', () => {
    expect(unbalancedTags(html)).toEqual([]);
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).not.toMatch(/https?:|\/\/[a-z]|\bsrc=|<link|url\(/i);
    expect(html).not.toContain('<script');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co');
  });

  it('shows one circle per measured session, the front filled, and one square per baseline, in Chromium, offline', async () => {
    const page = await browser.newPage();
    const requests: string[] = [];
    const problems: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('pageerror', (e) => problems.push(e.message));
    await page.setContent(html);
    const count = (selector: string) => page.locator(selector).count();
    const counts = {
      points: await count('svg.scatter circle.point'),
      pareto: await count('svg.scatter circle.point.pareto'),
      baselines: await count('svg.scatter rect.baseline-point'),
      front: (await page.locator('svg.scatter polyline.front').getAttribute('points'))?.split(' ').length,
      keptBars: await count('svg.widths rect.kept-bar'),
      rows: await count('table.sessions tbody tr'),
      scripts: await count('script'),
      title: await page.title(),
      firstSession: await page.locator('table.sessions tbody tr').first().locator('td').nth(1).textContent(),
      plotted: await Promise.all((await page.locator('svg.scatter circle.point').all()).map(async (c) => ((await c.boundingBox())?.width ?? 0) > 0)),
    };
    expect(counts).toMatchObject({ points: 3, pareto: 2, baselines: 2, front: 2, rows: 4, scripts: 0, title: `Comparison of ${HOSTILE.replace('\n', ' ')}` });
    // Three layers in three measured sessions; the failed one has no bars.
    expect(counts.keptBars).toBe(9);
    expect(counts.firstSession).toBe(`${HOSTILE} (s1)`);
    expect(counts.plotted).toEqual([true, true, true]);
    expect(requests.filter((u) => u !== 'about:blank')).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });
});

describe('the CSV report', () => {
  it('parses back (RFC 4180) to one record per session with raw numbers', () => {
    const records = parseCsv(renderReport(input, 'csv'));
    expect(records[0]).toEqual(CSV_HEADER);
    expect(records).toHaveLength(5);
    const column = (name: string) => records.slice(1).map((r) => r[CSV_HEADER.indexOf(name)]);
    // The line break in the name is a space: a name never adds a line to the file.
    expect(column('session_name')).toEqual([HOSTILE.replace('\n', ' '), 'cip 70%', 'failed one', 'random 50%']);
    expect(column('project')[3]).toBe('b <b>.pruneflow');
    expect(column('top1')).toEqual(['0.88', '0.87', '', '0.8']);
    expect(column('flops')).toEqual(['100000000', '60000000', '', '100000000']);
    expect(column('pareto')).toEqual(['true', 'true', '', 'false']);
    // Sessions saved before paired timing have no spread; the FLOPs estimate is there for every measured one.
    expect(column('speedup_runs')).toEqual(['', '', '', '']);
    expect(column('flops_speedup_estimate')).toEqual(['2', String(200 / 60), '', '2']);
    expect(records.every((r) => r.length === CSV_HEADER.length)).toBe(true);
  });

  it('quotes only the fields that need it', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\r\nlines')).toBe('two lines');
    expect(csvField(undefined)).toBe('');
  });
});

describe('the Markdown report', () => {
  const md = renderReport(input, 'md');

  it('escapes names in the table so they neither break it nor become HTML', () => {
    const table = md.split('\n').filter((l) => l.startsWith('| a.pruneflow') || l.startsWith('| b '));
    expect(table).toHaveLength(4);
    // Every row has as many cells as the header: the pipe in the name is escaped.
    const cells = (line: string) => line.split(/(?<!\\)\|/).length;
    expect(table.every((line) => cells(line) === cells(md.split('\n').find((l) => l.startsWith('| project'))!))).toBe(true);
    expect(md).not.toContain('<script>');
    expect(md).toContain('&lt;script&gt;');
    expect(md).toContain('| conv2 | 16/32 | 10/32 | - | 16/32 |');
  });
});

describe('accuracy per class in the reports', () => {
  const record = sessionRecord('s1', 'with classes', 0.8);
  const scores = (correct: number[]) => ['T-shirt', '<Bag>', 'Sandal'].map((name, i) => ({ name, images: 10, correct: correct[i] }));
  record.result!.baseline.perClass = scores([9, 8, 10]);
  record.result!.pruned.perClass = scores([9, 5, 10]);
  const withClasses = reportInput([compared('c.pruneflow', record)], 'Classes', '2026-11-27T12:00:00.000Z');

  it('lists each class before and after, in Markdown and in HTML, names escaped', () => {
    const md = renderReport(withClasses, 'md');
    expect(md).toContain('| &lt;Bag&gt; | 10 | 80.00% | 50.00% | -30.00 pt |');
    const html = renderReport(withClasses, 'html');
    expect(html).toContain('<h3>Top-1 accuracy per class</h3>');
    expect(html).toContain(
      '<tr><td>&lt;Bag&gt;</td><td class="num">10</td><td class="num">80.00%</td><td class="num">50.00%</td><td class="num">-30.00 pt</td></tr>',
    );
    expect(unbalancedTags(html)).toEqual([]);
  });

  it('leaves the section out for sessions saved before classes were counted', () => {
    expect(renderReport(input, 'html')).not.toContain('accuracy per class');
  });
});

describe('settings in the reports', () => {
  it('read as a table of words, not a JSON dump', () => {
    const record = sessionRecord('s1', 'settings', 0.8);
    record.config = {
      ...record.config,
      criterion: 'cip',
      schedule: 'iterative',
      scheduleSteps: 3,
      softEpochs: 1,
      sample: { train: 300, test: 100 },
      distillation: { weight: 0.5, temperature: 4 },
    };
    const md = renderReport(reportInput([compared('d.pruneflow', record)], 'Settings', '2026-11-27T12:00:00.000Z'), 'md');
    expect(md).toContain('| Criterion | Importance propagation (CIP) |');
    expect(md).toContain('| Target | remove 50% of the FLOPs |');
    expect(md).toContain('| Pruning steps | 3 |');
    expect(md).toContain('| Fine-tuning between steps | 1 epoch |');
    expect(md).toContain('| Quick trial | a sample of 300 training and 100 test images |');
    expect(md).toContain('| Distillation | weight 0.5, temperature 4 |');
    // No raw objects, and settings of other schedules are left out.
    expect(md).not.toMatch(/\{"|scheduleMask|Gates/);
    // A run without a rounding says the one it chose; one asked for is said as asked.
    const { roundTo: _asked, ...unasked } = record.config;
    const chosen = { ...record, config: unasked, result: { ...record.result!, roundTo: 8 } };
    expect(renderReport(reportInput([compared('d.pruneflow', chosen)], 'Settings', '2026-11-27T12:00:00.000Z'), 'md')).toContain(
      '| Kept channels rounded to | multiples of 8 |',
    );
    const asked = { ...chosen, config: { ...unasked, roundTo: 1 } };
    expect(renderReport(reportInput([compared('d.pruneflow', asked)], 'Settings', '2026-11-27T12:00:00.000Z'), 'md')).toContain(
      '| Kept channels rounded to | exact counts |',
    );
  });
});
