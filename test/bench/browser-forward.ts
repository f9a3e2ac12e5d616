/**
 * `npm run bench:browser-forward`: forward passes in the page engine's worker, in headless Chromium: tfjs wasm,
 * tfjs WebGL (SwiftShader here: no GPU) and ONNX Runtime Web (wasm, 1 thread: the page is not cross-origin
 * isolated), on ResNet-20, the small VGG and MobileNetV2 at batches 1 and 128, side by side in one run
 * (test/browser/forward-harness.ts, built like the engine worker). Prints a table and rewrites its section of
 * docs/benchmarks.md; core/browser/web-ort-runner.ts's decision rule comes from it. Options: --models=resnet20  --no-write
 */
import type { Browser } from 'playwright-core';
import { launchChromium } from '../browser/chromium.js';
import type { ForwardReply, Timing } from '../browser/forward-harness.js';
import { buildForwardHarness, SECURITY_HEADERS, serveForwardHarness } from '../browser/forward-harness-page.js';
import { machineFacts } from './machine.js';
import { ROOT } from './paths.js';
import { writeReportSection } from './report-file.js';

const MODELS = [
  { key: 'resnet20', label: 'ResNet-20' },
  { key: 'small-vgg', label: 'small VGG' },
  { key: 'mobilenetv2', label: 'MobileNetV2' },
];
const BATCHES = [1, 128];
const started = performance.now();
const log = (line: string) => console.log(`[${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);
const option = (name: string) =>
  process.argv
    .find((a) => a.startsWith(`--${name}=`))
    ?.slice(name.length + 3)
    .split(',');

type Compared = Extract<ForwardReply, { ok: true; kind: 'compare' }>;

function ok(reply: ForwardReply, what: string): Compared {
  if (!reply.ok) throw new Error(`${what}: ${reply.error}`);
  return reply as Compared;
}

const rate = (batch: number, ms: number | undefined) => (ms === undefined ? Number.NaN : (batch * 1000) / ms);

async function main(): Promise<void> {
  const write = !process.argv.includes('--no-write');
  const keys = option('models') ?? MODELS.map((m) => m.key);
  const facts = machineFacts();
  log(`browser forward bench: ${facts.cpu}, ${facts.cores} cores, load ${facts.loadAverage.join(', ')}`);
  const [folder, browser] = await Promise.all([buildForwardHarness(ROOT), launchChromium({ gpu: 'software' })]);
  const rows: string[][] = [];
  const wins: string[] = [];
  let report = '';
  try {
    // The worker served as pruneflow serve serves the engine (its CSP).
    const harness = await serveForwardHarness(folder, browser as Browser, SECURITY_HEADERS);
    for (const model of MODELS.filter((m) => keys.includes(m.key))) {
      const wasm = ok(
        await harness.call({ kind: 'compare', model: model.key, backend: 'wasm', seed: 1, probes: false, batches: BATCHES, timeBudgetMs: 20_000, ort: true }),
        `${model.key} on wasm`,
      );
      report = wasm.report.replace(/ for evaluation.*/, '');
      const worst = Math.max(...wasm.relDiffs).toExponential(1);
      log(`${model.label}: ONNX Runtime Web conversion ${wasm.conversionMs.toFixed(0)} ms, largest relative difference ${worst}`);
      const webgl = await harness.call({
        kind: 'compare',
        model: model.key,
        backend: 'webgl',
        seed: 1,
        probes: false,
        batches: BATCHES,
        timeBudgetMs: 20_000,
        warmups: 1,
        ort: false,
      });
      const gl = webgl.ok && webgl.kind === 'compare' && webgl.backend === 'webgl' ? webgl.timings : undefined;
      if (!gl) log(`${model.label}: tfjs webgl did not run (${webgl.ok ? `active backend ${(webgl as Compared).backend}` : webgl.error})`);
      for (const t of wasm.timings) {
        const g: Timing | undefined = gl?.find((x) => x.batch === t.batch);
        const [w, o, s] = [rate(t.batch, t.tfjsMs), rate(t.batch, t.ortMs), rate(t.batch, g?.tfjsMs)];
        // Images after which converting has paid off: conversion time over the time saved per image.
        const saved = t.tfjsMs / t.batch - (t.ortMs ?? Infinity) / t.batch;
        const breakEven = saved > 0 ? Math.ceil(wasm.conversionMs / saved) : Number.NaN;
        log(`${model.label} b${t.batch}: tfjs wasm ${w.toFixed(0)}, ONNX Runtime Web ${o.toFixed(0)}, tfjs webgl ${s.toFixed(0)} img/s (${t.runs} runs)`);
        if (o > w) wins.push(`${model.label} b${t.batch}`);
        rows.push([
          model.label,
          String(t.batch),
          w.toFixed(0),
          o.toFixed(0),
          s.toFixed(s < 10 ? 1 : 0),
          (o / w).toFixed(2),
          wasm.conversionMs.toFixed(0),
          Number.isNaN(breakEven) ? 'never' : String(breakEven),
        ]);
      }
    }
    await harness.close();
  } finally {
    await browser.close();
  }
  const header = [
    'model',
    'batch',
    'tfjs wasm img/s',
    'ORT Web img/s',
    'tfjs webgl (SwiftShader) img/s',
    'ORT Web / tfjs wasm',
    'conversion ms',
    'break-even images',
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  console.log([header, ...rows].map((r) => r.map((c, i) => c.padEnd(widths[i])).join('  ')).join('\n'));
  if (!write) return;
  const md = [
    '## Forward passes in the page: ONNX Runtime Web against tfjs (issue 18)',
    '',
    `Measured by \`npm run bench:browser-forward\` on ${facts.date}: ${facts.cpu}, ${facts.cores} cores, load average ${facts.loadAverage.join(', ')}; ` +
      `Debian's Chromium headless, a module worker built like the engine worker (test/browser/forward-harness.ts). ${report}; ` +
      `tfjs (${facts.tfjs}) with its wasm backend (XNNPACK, 1 thread: the page is not cross-origin isolated) ` +
      'and WebGL, which is SwiftShader here (no GPU on this machine: a CPU drawing WebGL, not a GPU figure). ' +
      'Random weights; median of timed runs (up to 40 at batch 1, 12 at batch 128, within 20 s, at least 3) after 3 warm-up runs (1 for WebGL); ' +
      "each run includes the engine's copies in and out of tfjs tensors. Conversion is the ONNX export and session creation, " +
      'once per job; break-even is the images after which converting has paid off against tfjs wasm at that batch. ' +
      `ONNX Runtime Web is faster than tfjs wasm in: ${wins.length ? wins.join(', ') : 'none of these'}.`,
    '',
    `| ${header.join(' | ')} |`,
    `| ${header.map((_, i) => (i < 1 ? '---' : '---:')).join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
  writeReportSection('browser-forward', md, 'npm run bench:browser-forward');
  log('wrote docs/benchmarks.md (section browser-forward)');
}

await main();
