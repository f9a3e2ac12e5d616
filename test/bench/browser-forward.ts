/**
 * `npm run bench:browser-forward`: forward passes in the page engine's worker, in headless Chromium: tfjs wasm,
 * tfjs WebGL (SwiftShader here: no GPU) and ONNX Runtime Web (wasm) on 1 thread and on every core (at most 4) in
 * serve's cross-origin isolated page (the engine takes half: webOrtThreads), on ResNet-20, the small VGG and
 * MobileNetV2 at batches 1 and 128, side by side in one run (test/browser/forward-harness.ts, built like the
 * engine worker). Prints a table and rewrites its section of
 * docs/benchmarks.md; core/browser/web-ort-runner.ts's decision rule comes from it. Options: --models=resnet20  --no-write
 */
import type { Browser } from 'playwright-core';
import { launchChromium } from '../browser/chromium.js';
import { loadavg } from 'node:os';
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
  const wins1: string[] = [];
  const winsN: string[] = [];
  let report = '';
  let threads = 0;
  try {
    // The worker served as pruneflow serve serves the engine (its CSP; COOP and COEP: cross-origin isolated).
    const harness = await serveForwardHarness(folder, browser as Browser, SECURITY_HEADERS);
    // Every core, at most 4 (and at least 2, to measure threads at all).
    const cores = Math.max(2, Math.min(4, (await harness.page.evaluate('navigator.hardwareConcurrency')) as number));
    const compare = async (key: string, backend: string, extra: { threads?: number; timeTfjs?: boolean; ort: boolean; warmups?: number }) =>
      harness.call({ kind: 'compare', model: key, backend, seed: 1, probes: false, batches: BATCHES, timeBudgetMs: 20_000, ...extra });
    for (const model of MODELS.filter((m) => keys.includes(m.key))) {
      const one = ok(await compare(model.key, 'wasm', { ort: true, threads: 1 }), `${model.key} on wasm, 1 thread`);
      // A fresh worker: ONNX Runtime takes its threads once. tfjs was timed with the first.
      const many = ok(await compare(model.key, 'wasm', { ort: true, timeTfjs: false, threads: cores }), `${model.key} on wasm, ${cores} threads`);
      if (!many.isolated) throw new Error("the harness page is not cross-origin isolated: serve's headers lost COOP or COEP");
      threads = many.ortThreads;
      report = many.report.replace(/ for evaluation.*/, '');
      const worst = Math.max(...one.relDiffs, ...many.relDiffs).toExponential(1);
      log(
        `${model.label}: ONNX Runtime Web conversion ${one.conversionMs.toFixed(0)} ms (1 thread), ${many.conversionMs.toFixed(0)} ms ` +
          `(${threads} threads), largest relative difference ${worst}`,
      );
      const webgl = await compare(model.key, 'webgl', { ort: false, warmups: 1 });
      const gl = webgl.ok && webgl.kind === 'compare' && webgl.backend === 'webgl' ? webgl.timings : undefined;
      if (!gl) log(`${model.label}: tfjs webgl did not run (${webgl.ok ? `active backend ${(webgl as Compared).backend}` : webgl.error})`);
      for (const t of one.timings) {
        const g: Timing | undefined = gl?.find((x) => x.batch === t.batch);
        const m: Timing | undefined = many.timings.find((x) => x.batch === t.batch);
        const [w, o1, on, s] = [rate(t.batch, t.tfjsMs), rate(t.batch, t.ortMs), rate(t.batch, m?.ortMs), rate(t.batch, g?.tfjsMs)];
        // Images after which converting has paid off (threads): conversion time over the time saved per image.
        const saved = t.tfjsMs / t.batch - (m?.ortMs ?? Infinity) / t.batch;
        const breakEven = saved > 0 ? Math.ceil(many.conversionMs / saved) : Number.NaN;
        log(
          `${model.label} b${t.batch}: tfjs wasm ${w.toFixed(0)}, ONNX Runtime Web ${o1.toFixed(0)} (1 thread) ${on.toFixed(0)} (${threads} threads), ` +
            `tfjs webgl ${s.toFixed(0)} img/s (${Math.min(t.runs, m?.runs ?? Infinity)} runs)`,
        );
        if (o1 > w) wins1.push(`${model.label} b${t.batch}`);
        if (on > w) winsN.push(`${model.label} b${t.batch}`);
        rows.push([
          model.label,
          String(t.batch),
          w.toFixed(0),
          o1.toFixed(0),
          on.toFixed(0),
          s.toFixed(s < 10 ? 1 : 0),
          (o1 / w).toFixed(2),
          (on / w).toFixed(2),
          many.conversionMs.toFixed(0),
          Number.isNaN(breakEven) ? 'never' : String(breakEven),
        ]);
      }
    }
    await harness.close();
  } finally {
    await browser.close();
  }
  const loadAfter = loadavg().map((l) => l.toFixed(2));
  log(`load average at the end: ${loadAfter.join(', ')}`);
  const header = [
    'model',
    'batch',
    'tfjs wasm img/s',
    'ORT Web 1 thread img/s',
    `ORT Web ${threads} threads img/s`,
    'tfjs webgl (SwiftShader) img/s',
    'ORT 1 / tfjs wasm',
    `ORT ${threads} / tfjs wasm`,
    `conversion ms (${threads} threads)`,
    `break-even images (${threads} threads)`,
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  console.log([header, ...rows].map((r) => r.map((c, i) => c.padEnd(widths[i])).join('  ')).join('\n'));
  if (!write) return;
  const md = [
    '## Forward passes in the page: ONNX Runtime Web against tfjs (issue 18)',
    '',
    `Measured by \`npm run bench:browser-forward\` on ${facts.date}: ${facts.cpu}, ${facts.cores} cores, load average ${facts.loadAverage.join(', ')} ` +
      `at the start and ${loadAfter.join(', ')} at the end; ` +
      `Debian's Chromium headless, a module worker built like the engine worker (test/browser/forward-harness.ts), served with \`pruneflow serve\`'s headers ` +
      `(its CSP; COOP and COEP, so cross-origin isolated). ${report}, and the same on 1 thread (the engine takes half the cores, ` +
      `at most 4: core/browser/web-ort-runner.ts, webOrtThreads); ` +
      `tfjs (${facts.tfjs}) with its wasm backend (XNNPACK, kept on 1 thread: core/browser/bundled-tfjs-wasm.ts) ` +
      'and WebGL, which is SwiftShader here (no GPU on this machine: a CPU drawing WebGL, not a GPU figure). ' +
      'Random weights; median of timed runs (up to 40 at batch 1, 12 at batch 128, within 20 s, at least 3) after 3 warm-up runs (1 for WebGL); ' +
      "each run includes the engine's copies in and out of tfjs tensors. Conversion is the ONNX export and session creation, " +
      `once per job; break-even is the images after which converting has paid off against tfjs wasm at that batch, on ${threads} threads. ` +
      `ONNX Runtime Web is faster than tfjs wasm on 1 thread in: ${wins1.length ? wins1.join(', ') : 'none of these'}; ` +
      `on ${threads} threads in: ${winsN.length ? winsN.join(', ') : 'none of these'}.`,
    '',
    `| ${header.join(' | ')} |`,
    `| ${header.map((_, i) => (i < 1 ? '---' : '---:')).join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
  writeReportSection('browser-forward', md, 'npm run bench:browser-forward');
  log('wrote docs/benchmarks.md (section browser-forward)');
}

await main();
