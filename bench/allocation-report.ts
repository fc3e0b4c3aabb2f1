import { readFileSync } from 'node:fs';

/**
 * Sums a heap profile written by allocation-probe.ts: bytes allocated per library, and per entry
 * into a library from Parley's own code (the frame where a call leaves src/ or adapters/ for
 * node_modules), which is what names the call to change. Usage:
 * `node bench/allocation-report.ts <file.heapprofile> [rows]`.
 */
interface ProfileNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children?: ProfileNode[];
}

const [file, rows = '15'] = process.argv.slice(2);
if (!file) throw new Error('usage: node bench/allocation-report.ts <file.heapprofile> [rows]');
const { head } = JSON.parse(readFileSync(file, 'utf8')) as { head: ProfileNode };

const byLibrary = new Map<string, number>();
const byEntry = new Map<string, number>();
let total = 0;
const add = (m: Map<string, number>, k: string, n: number) => m.set(k, (m.get(k) ?? 0) + n);
const frameName = (n: ProfileNode) =>
  `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.split('/').at(-1)}:${n.callFrame.lineNumber}`;
const library = (url: string) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];

// Iterative walk: async stacks are deep.
const stack: { node: ProfileNode; entry: string | null }[] = [{ node: head, entry: null }];
while (stack.length > 0) {
  const { node, entry: above } = stack.pop()!;
  const lib = library(node.callFrame.url);
  const entry = above ?? (lib ? frameName(node) : null);
  total += node.selfSize;
  add(byLibrary, lib ?? (node.callFrame.url ? 'parley and node' : '(native)'), node.selfSize);
  add(byEntry, entry ?? '(no library)', node.selfSize);
  for (const child of node.children ?? []) stack.push({ node: child, entry });
}

const top = (m: Map<string, number>) =>
  [...m]
    .sort((a, b) => b[1] - a[1])
    .slice(0, Number(rows))
    .map(([k, n]) => `${((100 * n) / total).toFixed(1).padStart(5)} %  ${k}`)
    .join('\n');
console.log(`${(total / 2 ** 20).toFixed(1)} MiB allocated\n\nby library:\n${top(byLibrary)}`);
console.log(`\nby first library frame:\n${top(byEntry)}`);
