import { readFileSync } from 'node:fs';
import os from 'node:os';
import { version_core } from '@tensorflow/tfjs-core';
import { version_layers } from '@tensorflow/tfjs-layers';
import { version_wasm } from '@tensorflow/tfjs-backend-wasm';

/** Facts about the machine and software that the numbers depend on. */
export interface MachineFacts {
  date: string;
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  tfjs: string;
  loadAverage: number[];
}

function cpuModel(): string {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    if (line) return line.split(':')[1].trim();
  } catch {
    // not Linux: fall through
  }
  return os.cpus()[0]?.model ?? 'unknown';
}

export function machineFacts(): MachineFacts {
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    cpu: cpuModel(),
    cores: os.availableParallelism(),
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    tfjs: `tfjs-core ${version_core}, tfjs-layers ${version_layers}, tfjs-backend-wasm ${version_wasm}`,
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
  };
}
