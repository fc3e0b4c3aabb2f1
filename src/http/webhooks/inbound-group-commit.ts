import {
  appendToOpenConversation,
  type FastAppend,
  type InboundFacts,
  type InboundShortcut,
} from '../../use-cases/append-inbound.ts';
import { appendBatchToOpenConversations } from '../../use-cases/append-inbound-batch.ts';
import { type ChannelGroupCommitOptions, perChannelGroupCommit } from './group-commit.ts';

interface Item {
  facts: InboundFacts;
  now: Date;
}

/** This message failed even written alone: it goes its own way, as without batching. */
const ALONE = 'alone' as const;

/**
 * receiveInbound's first path for webhooks, shared between requests: messages arriving together
 * are written by one statement (append-inbound-batch.ts). A message the batch does not take (a
 * new sender…) gets null and the full use-case. When the batch statement fails (a constraint,
 * a retry that raced it), its messages are written again one by one in arrival order, so a
 * conversation's messages keep their order; one that fails alone too takes the one-statement
 * path and then the full use-case, so each request still gets its own answer.
 */
export function createInboundGroupCommit(opts: ChannelGroupCommitOptions): InboundShortcut {
  const submit = perChannelGroupCommit<Item, FastAppend | null | typeof ALONE>(
    opts,
    'webhook messages',
    (channel, items) => {
      const now = new Date(Math.max(...items.map((i) => i.now.getTime())));
      return appendBatchToOpenConversations(
        opts.fork(),
        channel,
        items.map((i) => i.facts),
        now,
      );
    },
    ALONE,
  );
  return async (em, facts, now) => {
    const outcome = await submit(facts.channel, { facts, now });
    return outcome === ALONE ? appendToOpenConversation(em, facts, now) : outcome;
  };
}
