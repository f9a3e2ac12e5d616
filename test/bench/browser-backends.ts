// The engine inside Chromium (a worker of the app's page, served by `pruneflow serve`): training throughput
// of each backend this machine's Chromium offers, side by side in one run. Headless Chromium here has no
// GPU: WebGL is SwiftShader (a CPU implementation) and WebGPU has no adapter, so this says how slow a
// software GPU is next to wasm (why automatic choice passes it by), not how fast a GPU is.
import type { PruneConfig } from '../../core/api/contract.js';
import { launchChromium } from '../browser/chromium.js';
import { runInWorker } from '../browser/page-session.js';
import { startServe } from '../core/node/serve/serve-process.js';
import { machineFacts } from './machine.js';
import { writeReportSection } from './report-file.js';

const SESSION: Partial<PruneConfig> & Pick<PruneConfig, 'model' | 'data'> = {
  model: 'demo-cnn',
  data: 'builtin:fashion-mnist',
  trainEpochs: 1,
  fineTuneEpochs: 0,
  batchSize: 32,
  calibrationBatches: 1,
  sample: { train: 320, test: 20 },
  seed: 1,
};

async function main(): Promise<void> {
  const facts = machineFacts();
  const [serve, browser] = await Promise.all([startServe(), launchChromium({ gpu: 'software' })]);
  const rows: string[] = [];
  const speeds = new Map<string, number>();
  try {
    const page = await browser.newPage();
    await page.goto(serve.url.href);
    for (const backend of ['webgpu', 'webgl', 'wasm']) {
      const run = await runInWorker(page, backend, SESSION, 1).catch((error: Error) => error);
      const row =
        run instanceof Error
          ? `| ${backend} | not available: ${new RegExp(`${backend}: ([^;)]+)`).exec(run.message)?.[1] ?? run.message.split('\n')[0]} | |`
          : `| ${backend} | ${run.details.join('; ') || '-'} | ${run.imagesPerSecond.toFixed(1)} |`;
      if (!(run instanceof Error)) speeds.set(backend, run.imagesPerSecond);
      console.log(row);
      rows.push(row);
    }
  } finally {
    await browser.close();
    await serve.interrupt();
  }
  const body = `## The engine in Chromium: WebGPU, WebGL, wasm (issue 9)

Last run: ${facts.date}, ${facts.cpu}, ${facts.cores} cores, Debian's Chromium headless, the engine as a worker of
the app's page (\`?engine=page\`). Training throughput of the demo CNN (batch 32, ${SESSION.sample!.train} images of the built-in
sample, one epoch, images/s over the epoch including the first steps' shader compilation).

| backend | device | training images/s |
| --- | --- | --- |
${rows.join('\n')}

**No GPU machine was lent to this task, so there are no GPU images/s figures here**, and none is estimated: this
machine has no GPU, and no device was available to measure on. WebGL above is SwiftShader, Chromium's WebGL
drawn on the CPU: ${figures(speeds)} Those figures say nothing about a real GPU; they show that a
software WebGL is far slower than wasm on the same CPU, which is why automatic choice passes software renderers
by (SwiftShader, llvmpipe, WebGPU fallback adapters) and says so, while a user can still force them. The order
tfjs-node-gpu, WebGPU, WebGL, tfjs-node, wasm, cpu for real GPUs is the tfjs authors' and remains to be measured
on a machine with a GPU.
`;
  console.log(body);
  if (!process.argv.includes('--no-write')) writeReportSection('browser-backends', body);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

/** SwiftShader WebGL against wasm in words, from the measured rows. */
function figures(speeds: Map<string, number>): string {
  const webgl = speeds.get('webgl');
  const wasm = speeds.get('wasm');
  if (webgl === undefined || wasm === undefined) return 'one of the two did not run, so they are not compared.';
  return `${webgl.toFixed(1)} training images/s against ${wasm.toFixed(1)} for wasm in the same page, ${(wasm / webgl).toFixed(0)} times slower.`;
}
