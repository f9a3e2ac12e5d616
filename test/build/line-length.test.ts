import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// The lint rule of `npm run check` that keeps every line within 160 characters, long strings and comments too.
const eslint = new ESLint({ cwd: process.cwd() });

async function problems(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result.messages.map((m) => m.message);
}

const long = 'x'.repeat(170);

describe('line length lint rule', () => {
  it.each([
    ['core/prune/x.ts', `export const message = '${long}';`],
    ['core/prune/x.ts', `export const message = \`${long}\`;`],
    ['core/prune/x.ts', `// ${long}`],
    ['test/bench/x.ts', `export const pattern = /${long}/;`],
    ['renderer/components/X.svelte', `<p>${long}</p>`],
  ])('%s: a line of 170 characters is refused', async (file, code) => {
    expect((await problems(file, code)).join('\n')).toMatch(/This line has a length of \d+\. Maximum allowed is 160/);
  });

  it('lets a line of 160 characters through', async () => {
    const code = `export const message = '${'x'.repeat(160 - "export const message = '';".length)}';`;
    expect(code).toHaveLength(160);
    expect(await problems('core/prune/x.ts', code)).toEqual([]);
  });
});
