import type { EntityManager } from '@mikro-orm/postgresql';
import { describe, expect, it } from 'vitest';
import { createGroupCommit, perChannelGroupCommit } from '../../src/http/webhooks/group-commit.ts';
import type { Logger } from '../../src/logger.ts';

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

  it('a batch that fails together is written again item by item in arrival order; only the bad one is left to go alone', async () => {
    const writes: string[][] = [];
    const logged: string[] = [];
    const stored: string[] = [];
    const submit = perChannelGroupCommit<string, string>(
      {
        fork: () => ({}) as EntityManager,
        logger: { info: (_o: unknown, msg: string) => logged.push(msg) } as unknown as Logger,
        maxBatch: 64,
        maxInFlight: 1,
      },
      'messages',
      async (_channel, items) => {
        writes.push(items);
        // Each write takes a different time: a retry that ran side by side would finish out of order.
        await new Promise((r) => setTimeout(r, items[0] === 'a1' ? 20 : 1));
        if (items.includes('poison')) throw new Error('check constraint');
        stored.push(...items);
        return items.map((i) => `${i} stored`);
      },
      'alone',
    );
    const first = submit('whatsapp', 'x');
    const answers = Promise.all(['a1', 'poison', 'a2', 'a3'].map((i) => submit('whatsapp', i)));
    await first;
    expect(await answers).toEqual(['a1 stored', 'alone', 'a2 stored', 'a3 stored']);
    expect(stored).toEqual(['x', 'a1', 'a2', 'a3']);
    expect(writes).toEqual([['x'], ['a1', 'poison', 'a2', 'a3'], ['a1'], ['poison'], ['a2'], ['a3']]);
    expect(logged).toEqual(['a batch of messages failed together; each is written alone']);
  });

  it('a lone item that fails is not written twice: it goes alone at once', async () => {
    let writes = 0;
    const submit = perChannelGroupCommit<string, string>(
      {
        fork: () => ({}) as EntityManager,
        logger: { info: () => {} } as unknown as Logger,
        maxBatch: 64,
      },
      'messages',
      async () => {
        writes += 1;
        throw new Error('lost connection');
      },
      'alone',
    );
    expect(await submit('sms', 'a')).toBe('alone');
    expect(writes).toBe(1);
  });
});
