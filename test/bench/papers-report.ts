import { writeFile } from 'node:fs/promises';
import { FULL_PROTOCOL, type PapersProtocol, papersJobs, TORCH_PRUNING_COUNTERPART } from './papers-config.js';
import type { PapersResults, PapersRun } from './papers-store.js';
import { writeReportSection } from './report-file.js';

/** A mean over seeds, in points (accuracy x 100), with its standard error. */
export interface Stat {
  mean: number;
  se: number;
  n: number;
}

/**
 * Mean and standard error of accuracies given in points. One run has no spread of its own, so its error is the test
 * set's sampling error, sqrt(p(1-p)/testImages); with several seeds it is the sample standard deviation / sqrt(n).
 */
export function stat(values: readonly number[], testImages: number): Stat | undefined {
  const n = values.length;
  if (n === 0) return undefined;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n === 1) {
    const p = Math.min(Math.max(mean / 100, 0), 1);
    return { mean, se: 100 * Math.sqrt((p * (1 - p)) / testImages), n };
  }
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1);
  return { mean, se: Math.sqrt(variance / n), n };
}

export const difference = (a: Stat, b: Stat): Stat => ({ mean: a.mean - b.mean, se: Math.hypot(a.se, b.se), n: Math.min(a.n, b.n) });

const points = (fraction: number) => fraction * 100;

/** The change in top-1 (points) from each run's own baseline, by engine, method and cut. */
export function changes(results: PapersResults, engine: PapersRun['engine'], method: string, cut: number): Stat | undefined {
  const runs = results.runs.filter((r) => r.engine === engine && r.method === method && r.cut === cut);
  const testImages = results.baseline?.testImages ?? 1;
  const change = stat(
    runs.map((r) => points(r.accuracy - r.baselineAccuracy)),
    testImages,
  );
  // The error of a change is the error of the accuracy: the baseline is one fixed model.
  return (
    change && {
      ...change,
      se: stat(
        runs.map((r) => points(r.accuracy)),
        testImages,
      )!.se,
    }
  );
}

export interface Verdict {
  target: string;
  status: 'met' | 'not met' | 'not measured';
  detail: string;
  /** Seeds measured, of the protocol's: a verdict on fewer is provisional. */
  seeds?: { have: number; want: number };
}

const fmt = (s: Stat) => `${s.mean >= 0 ? '+' : ''}${s.mean.toFixed(2)} ± ${s.se.toFixed(2)} (n=${s.n})`;

const seedsAt = (results: PapersResults, cut: number) => results.protocol.seeds[String(cut)] ?? 1;

/** A verdict as the report prints it: on fewer seeds than the protocol's, it says it is provisional. */
export const verdictText = (v: Verdict) =>
  `**${v.status}**${v.seeds && v.seeds.have < v.seeds.want ? ` (provisional: ${v.seeds.have} of ${v.seeds.want} seeds)` : ''}`;

/** Issue 21's targets, computed from the runs there are. */
export function verdicts(results: PapersResults): Verdict[] {
  const out: Verdict[] = [];
  for (const cut of [0.5, 0.7]) {
    const pct = `${cut * 100}%`;
    // Like for like: Torch-Pruning's L1 scores the whole group, as Pruneflow's group-l1 does; Pruneflow's l1 (the
    // producers' filters alone) is reported beside it.
    const target = `L1 within 0.5 points of Torch-Pruning's L1 at ${pct}`;
    const pf = changes(results, 'pruneflow', 'group-l1', cut);
    const tp = changes(results, 'torch-pruning', 'l1', cut);
    if (!pf || !tp) out.push({ target, status: 'not measured', detail: 'runs missing' });
    else {
      const d = difference(pf, tp);
      const filters = changes(results, 'pruneflow', 'l1', cut);
      out.push({
        target,
        status: Math.abs(d.mean) <= 0.5 ? 'met' : 'not met',
        detail:
          `Pruneflow group-l1 (Torch-Pruning's definition) − Torch-Pruning l1: ${fmt(d)} points` +
          (filters ? `; Pruneflow l1 (filters alone) − Torch-Pruning l1: ${fmt(difference(filters, tp))}` : ''),
        seeds: { have: d.n, want: seedsAt(results, cut) },
      });
    }
    const cip = changes(results, 'pruneflow', 'cip', cut);
    const best = results.protocol.torchPruning
      .map((m) => ({ m, s: changes(results, 'torch-pruning', m, cut) }))
      .filter((x): x is { m: string; s: Stat } => x.s !== undefined)
      .sort((a, b) => b.s.mean - a.s.mean)[0];
    if (!cip || !best) out.push({ target: `CIP at or above the best Torch-Pruning criterion at ${pct}`, status: 'not measured', detail: 'runs missing' });
    else {
      const d = difference(cip, best.s);
      out.push({
        target: `CIP at or above the best Torch-Pruning criterion at ${pct}`,
        status: d.mean >= 0 ? 'met' : 'not met',
        detail: `CIP − Torch-Pruning ${best.m}: ${fmt(d)} points`,
        seeds: { have: d.n, want: seedsAt(results, cut) },
      });
    }
  }
  const pairs = parityPairs(results);
  const target = "Fine-tuning parity: the same pruned network, same recipe, Pruneflow's recovery within 0.5 points of PyTorch's or above";
  if (pairs.length === 0) out.push({ target, status: 'not measured', detail: 'runs missing' });
  else {
    const testImages = results.baseline?.testImages ?? 1;
    const accuracies = (side: 'pruneflow' | 'torch') =>
      stat(
        pairs.map((p) => points(p[side].accuracy)),
        testImages,
      )!;
    const d = difference(accuracies('pruneflow'), accuracies('torch'));
    out.push({
      target,
      // The question is whether Pruneflow's fine-tuning costs accuracy: recovering more than PyTorch is no miss.
      status: d.mean >= -0.5 ? 'met' : 'not met',
      detail: `Pruneflow − PyTorch: ${fmt(d)} points${pairs.length === 1 ? " (one seed: the error is the test set's)" : ''}`,
      seeds: { have: pairs.length, want: seedsAt(results, results.protocol.cuts[0]) },
    });
  }
  return out;
}

/** The parity pairs, one per seed where both engines finished. */
function parityPairs(results: PapersResults): { seed: number; pruneflow: PapersRun; torch: PapersRun }[] {
  return results.runs.flatMap((pruneflow) => {
    const torch = pruneflow.engine === 'parity-pruneflow' && results.runs.find((r) => r.engine === 'parity-torch' && r.seed === pruneflow.seed);
    return torch ? [{ seed: pruneflow.seed, pruneflow, torch }] : [];
  });
}

const cell = (s: Stat | undefined) => (s ? fmt(s) : '–');
const pruneOnly = (results: PapersResults, engine: PapersRun['engine'], method: string, cut: number) => {
  const runs = results.runs.filter((r) => r.engine === engine && r.method === method && r.cut === cut);
  return runs.length ? `${(runs.reduce((a, r) => a + points(r.pruneOnlyAccuracy), 0) / runs.length).toFixed(2)}%` : '–';
};
const flopsCut = (results: PapersResults, engine: PapersRun['engine'], method: string, cut: number) => {
  const runs = results.runs.filter((r) => r.engine === engine && r.method === method && r.cut === cut);
  return runs.length ? `${(runs.reduce((a, r) => a + points(1 - r.flops / r.baselineFlops), 0) / runs.length).toFixed(1)}%` : '–';
};

/**
 * Wall time of the full protocol (FULL_PROTOCOL, 10,000 training images) at the training rates the stored runs
 * measured (medians): PyTorch's baseline epochs, Pruneflow's fine-tuning epochs, Torch-Pruning's (PyTorch) fine-tuning epochs.
 * Training only: evaluation, latency timing and Torch-Pruning's ratio search add a few minutes per run.
 */
export function estimateFullHours(results: PapersResults): { hours: number; baseline: number; pruneflow: number; torch: number } | undefined {
  const b = results.baseline;
  const perImage = (engines: PapersRun['engine'][]) => {
    // The median: one run slowed by the shared machine's other work must not set the estimate.
    const rates = results.runs
      .filter((r) => engines.includes(r.engine) && r.secondsPerEpoch)
      .map((r) => r.secondsPerEpoch! / b!.trainImages)
      .sort((x, y) => x - y);
    return rates.length ? (rates[(rates.length - 1) >> 1] + rates[rates.length >> 1]) / 2 : undefined;
  };
  const pf = perImage(['pruneflow', 'parity-pruneflow']);
  const tp = perImage(['torch-pruning', 'parity-torch']);
  if (!b || pf === undefined || tp === undefined) return undefined;
  const images = 10_000;
  const jobs = papersJobs(FULL_PROTOCOL);
  const ft = FULL_PROTOCOL.fineTune.epochs * images;
  const baseline = ((b.secondsPerEpoch ?? 0) / b.trainImages) * images * FULL_PROTOCOL.baseline.epochs;
  const pruneflow = jobs.filter((j) => j.engine === 'pruneflow' || j.engine === 'parity-pruneflow').length * ft * pf;
  const torch = jobs.filter((j) => j.engine === 'torch-pruning' || j.engine === 'parity-torch').length * ft * tp;
  return { hours: (baseline + pruneflow + torch) / 3600, baseline: baseline / 3600, pruneflow: pruneflow / 3600, torch: torch / 3600 };
}

export function estimateLine(results: PapersResults): string {
  const e = estimateFullHours(results);
  return e
    ? `about ${e.hours.toFixed(1)} h of training (baseline ${e.baseline.toFixed(1)} h, ` +
        `Pruneflow runs ${e.pruneflow.toFixed(1)} h, Torch-Pruning runs ${e.torch.toFixed(1)} h)`
    : 'not known yet (no rates measured)';
}

/** The section's markdown: baseline, side-by-side table, parity row, verdicts, progress. */
export function papersMarkdown(results: PapersResults, totalJobs: number, command: string): string {
  const p: PapersProtocol = results.protocol;
  const b = results.baseline;
  const lines = [
    `## Pruning quality on the papers' protocol (issue 21)${p.mode === 'tiny' ? ' — TINY harness check, not a measurement' : ''}`,
    '',
    `ResNet-20 with 1x1-conv shortcuts (zoo \`resnet20-b\`), CIFAR-10 subset ` +
      `(${b ? `${b.trainImages} training, ${b.testImages} test images` : 'not trained yet'}). ` +
      `Baseline: PyTorch ${p.baseline.epochs} epochs, SGD nesterov lr ${p.baseline.learningRate} ` +
      `cosine per epoch, weight decay ${p.weightDecay}, batch ${p.batchSize}, crops and flips` +
      (b
        ? `: ${(b.torchAccuracy * 100).toFixed(2)}% in PyTorch ${b.torch}, ${(b.pruneflowAccuracy * 100).toFixed(2)}% converted (logits ` +
          `within ${b.maxLogitDifference.toExponential(1)}), ${b.parameters} parameters, ${(b.flops / 1e6).toFixed(2)}M FLOPs (MACs).`
        : '.'),
    `Every run: that baseline pruned with global ranking to the FLOPs cut, fine-tuned ${p.fineTune.epochs} epochs (SGD nesterov lr ` +
      `${p.fineTune.learningRate} cosine per epoch, weight decay ${p.weightDecay} on every weight, batch ${p.batchSize}), kept channels ` +
      "exact as Torch-Pruning keeps them (`--round-to 1`; not the default's blocks), Pruneflow's defaults otherwise; " +
      'Torch-Pruning (from source, MetaPruner, global pruning, its defaults, pruning ' +
      'ratio bisected to the FLOPs cut) fine-tuned by PyTorch with the same recipe. ' +
      "Change = top-1 after fine-tuning − baseline, in points, mean ± standard error over seeds (one seed: the test set's sampling error). " +
      'Each row pairs a Pruneflow criterion with the Torch-Pruning importance that scores channels the same way: `group-l1 / l1` is ' +
      "Pruneflow's group-l1 beside Torch-Pruning's `MagnitudeImportance(p=1)` (both the mean of every group member's sum |w|, " +
      "consumers' input weights included); Pruneflow's `l1` (Li et al. 2017: the producers' filters alone) and CIP have no counterpart there. " +
      "`cip` is CIP at Pruneflow's defaults (since session 11 `groupKernel` on, beta 1 and `writerSpread` on, since session 13 " +
      'tau 0.25; docs/cip.md sections 6-7); a row `cip (switch=value, ...)` changes those switches: `cip (groupKernel=off, ' +
      "writerSpread=off, beta=0.5, tau=1)` is CIP-SPEC's own defaults, `cip (tau=1)` Pruneflow's from session 11 to 12; " +
      '`schedule=continuous` runs CIP on the continuous schedule in the same epochs (half of them soft-gated), ' +
      '`schedule=iterative, gap=2` in 3 steps with 2 of the epochs spread between them.',
    '',
    '| criterion | FLOPs cut | Pruneflow: cut reached | after pruning | change | ' +
      'Torch-Pruning: cut reached | after pruning | change | Pruneflow − Torch-Pruning |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  // One row per Pruneflow criterion beside the Torch-Pruning importance that scores as it does; then the rest of Torch-Pruning's.
  const counterparts = p.pruneflow.map((m) => TORCH_PRUNING_COUNTERPART[m]);
  const rows: Array<{ label: string; pf?: string; tp?: string }> = [
    ...p.pruneflow.map((m) => {
      const tp = TORCH_PRUNING_COUNTERPART[m];
      return { label: tp && tp !== m ? `${m} / ${tp}` : m, pf: m, tp: tp && p.torchPruning.includes(tp) ? tp : undefined };
    }),
    ...p.torchPruning.filter((m) => !counterparts.includes(m)).map((m) => ({ label: m, tp: m })),
    // Variants run with `--methods cip:switch=value` (CIP with switches changed): a row each.
    ...[...new Set(results.runs.filter((r) => r.engine === 'pruneflow' && !p.pruneflow.includes(r.method)).map((r) => r.method))]
      .sort()
      .map((m) => ({ label: `${m.replace(':', ' (')})`.replaceAll('+', ', '), pf: m })),
  ];
  for (const cut of [...p.cuts].sort()) {
    for (const row of rows) {
      const pf = row.pf ? changes(results, 'pruneflow', row.pf, cut) : undefined;
      const tp = row.tp ? changes(results, 'torch-pruning', row.tp, cut) : undefined;
      if (!pf && !tp) continue;
      const side = (engine: PapersRun['engine'], m: string | undefined) =>
        m ? `${flopsCut(results, engine, m, cut)} | ${pruneOnly(results, engine, m, cut)}` : '– | –';
      lines.push(
        `| ${row.label} | ${cut * 100}% | ${side('pruneflow', row.pf)} | ${cell(pf)} | ${side('torch-pruning', row.tp)} ` +
          `| ${cell(tp)} | ${pf && tp ? cell(difference(pf, tp)) : '–'} |`,
      );
    }
  }
  const pairs = parityPairs(results);
  lines.push(
    '',
    `Fine-tuning parity (Pruneflow's L1 at ${p.cuts[0] * 100}%, seed 1, exported before ` +
      'fine-tuning; the same weights fine-tuned by each engine with the recipe above, the seed moving shuffling and augmentation):',
    '',
  );
  lines.push('| engine | seed | start | after fine-tuning | s/epoch |', '|---|---:|---:|---:|---:|');
  const replicas = pairs[0]?.pruneflow.replicas;
  const engines = replicas ? `, ${replicas} training engine${replicas > 1 ? 's' : ''}` : '';
  const row = (label: string, r: PapersRun | undefined, seed: number | string) =>
    r
      ? `| ${label} | ${seed} | ${(r.pruneOnlyAccuracy * 100).toFixed(2)}% | ${(r.accuracy * 100).toFixed(2)}% | ${r.secondsPerEpoch?.toFixed(0) ?? '–'} |`
      : `| ${label} | ${seed} | – | – | – |`;
  if (pairs.length === 0) lines.push(row(`Pruneflow (\`trainModel\`, wasm${engines})`, undefined, '–'), row('PyTorch (1 thread)', undefined, '–'));
  for (const pair of pairs)
    lines.push(row(`Pruneflow (\`trainModel\`, wasm${engines})`, pair.pruneflow, pair.seed), row('PyTorch (1 thread)', pair.torch, pair.seed));
  lines.push('', '| target | verdict | measured |', '|---|---|---|', ...verdicts(results).map((v) => `| ${v.target} | ${verdictText(v)} | ${v.detail} |`));
  lines.push(
    '',
    'Latency target (latency cut ≥ 0.7 of the FLOPs cut at the default settings): measured by `npm run bench:rounding` ' +
      '(the default rounding on each engine) and `npm run bench` (pruned-latency), not here.',
  );
  if (p.mode === 'tiny') lines.push('', `The full protocol at the training rates measured here: ${estimateLine(results)}.`);
  const failures = results.failures.map((f) => `${f.engine}/${f.method}@${f.cut}#${f.seed}: ${f.error}`);
  // Variants (`cip:...`) are runs beyond the protocol's jobs.
  const variants = results.runs.filter((r) => r.method.includes(':')).length;
  lines.push(
    '',
    `Progress: ${results.runs.length - variants} of ${totalJobs} runs finished` +
      `${variants ? ` (and ${variants} runs of variants)` : ''}` +
      `${failures.length ? `; failed (retried by the next start): ${failures.join('; ')}` : ''}. Resume or rerun: \`${command}\`.`,
  );
  return lines.join('\n');
}

/** Writes the section into docs/benchmarks.md (full protocol) or its own file (tiny). */
export async function writePapersReport(results: PapersResults, target: 'docs' | string, totalJobs: number): Promise<void> {
  const command = results.protocol.mode === 'tiny' ? 'npm run bench:papers -- --budget tiny' : 'npm run bench:papers';
  const body = papersMarkdown(results, totalJobs, command);
  if (target === 'docs') writeReportSection('papers', body, 'npm run bench:papers');
  else await writeFile(target, `${body}\n`);
}
