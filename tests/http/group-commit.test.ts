import { describe, expect, it } from 'vitest';
import { createGroupCommit } from '../../src/http/webhooks/group-commit.ts';

/** A write whose batches the test finishes (or fails) by hand. */
function controlledWrite() {
  const calls: { items: string[]; finish: () => void; fail: (err: Error) => void }[] = [];
  const write = (items: string[]) =>
    new Promise<string[]>((resolve, reject) => {
      calls.push({ items, finish: () => resolve(items.map((i) => `${i}!`)), fail: reject });
    });
  return { calls, write };
}

describe('group commit', () => {
  it('a lone item on an idle server is written at once, alone: no batch window delays it', async () => {
    const w = controlledWrite();
    const gc = createGroupCommit({ write: w.write, maxBatch: 64, maxInFlight: 1 });
    const answer = gc.submit('a');
    // Handed to the write in the same turn, before anything else runs: no timer, no wait.
    expect(w.calls.map((c) => c.items)).toEqual([['a']]);
    w.calls[0]!.finish();
    expect(await answer).toBe('a!');
    await new Promise((r) => setImmediate(r));
    expect(gc.pending).toBe(0);
  });

  it('items arriving while a batch is written go together in the next one, each caller getting its own answer', async () => {
    const w = controlledWrite();
    const sizes: number[] = [];
    const gc = createGroupCommit({
      write: w.write,
      maxBatch: 3,
      maxInFlight: 1,
      onBatch: (n) => sizes.push(n),
    });
    const answers = ['a', 'b', 'c', 'd', 'e'].map((i) => gc.submit(i));
    expect(w.calls.map((c) => c.items)).toEqual([['a']]);
    expect(gc.pending).toBe(5);
    w.calls[0]!.finish();
    await answers[0];
    await Promise.resolve();
    // The line had grown to four: the next batch takes as many as maxBatch allows, in order.
    expect(w.calls.map((c) => c.items)).toEqual([['a'], ['b', 'c', 'd']]);
    w.calls[1]!.finish();
    await answers[3];
    await Promise.resolve();
    w.calls[2]!.finish();
    expect(await Promise.all(answers)).toEqual(['a!', 'b!', 'c!', 'd!', 'e!']);
    expect(sizes).toEqual([1, 3, 1]);
  });

  it('up to maxInFlight batches run side by side', () => {
    const w = controlledWrite();
    const gc = createGroupCommit({ write: w.write, maxBatch: 64, maxInFlight: 2 });
    for (const i of ['a', 'b', 'c', 'd']) void gc.submit(i).catch(() => {});
    expect(w.calls.map((c) => c.items)).toEqual([['a'], ['b']]);
  });

  it("a failed write fails only its own batch's callers; the next batch is written", async () => {
    const w = controlledWrite();
    const gc = createGroupCommit({ write: w.write, maxBatch: 64, maxInFlight: 1 });
    const a = gc.submit('a');
    const b = gc.submit('b');
    w.calls[0]!.fail(new Error('connection lost'));
    await expect(a).rejects.toThrow('connection lost');
    await Promise.resolve();
    w.calls[1]!.finish();
    expect(await b).toBe('b!');
  });

  it('a write that answers for fewer items than it got fails the batch instead of mixing answers up', async () => {
    const gc = createGroupCommit({
      write: async (items: string[]) => items.slice(1),
      maxBatch: 64,
      maxInFlight: 1,
    });
    await expect(gc.submit('a')).rejects.toThrow('0 results for 1 items');
  });
});
