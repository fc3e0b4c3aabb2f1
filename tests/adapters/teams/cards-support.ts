import { cardOf } from '../../../adapters/surfaces/teams/cards/card-kit.ts';
import type { OutboundActivity } from '../../../adapters/surfaces/teams/ports.ts';

/** Reading Parley's Teams cards in tests: what a person sees, and where it is. */

/** Customer or user data trying to become markdown, a link, a mention or HTML. */
export const INJECTIONS = [
  '**Boss** [pay here](https://evil.test/pay) _now_',
  '<at>Ada</at> <at>General</at> hello',
  '<a href="https://evil.test">bank</a> <img src=x onerror=alert(1)>',
  '# Heading\n- list\n1. one\n> quote',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template placeholder typed by a customer
  '{{DATE(2020-01-01T00:00:00Z, SHORT)}} ${secret} `code`',
];

// biome-ignore lint/suspicious/noExplicitAny: card JSON is read loosely
export type Node = Record<string, any>;

/** Every object in the card, depth first. */
export function nodes(a: OutboundActivity): Node[] {
  const out: Node[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      out.push(v as Node);
      Object.values(v).forEach(walk);
    }
  };
  walk(cardOf(a));
  return out;
}

/** The literal texts a person sees (TextRuns and TextBlocks), in order. */
export const shownTexts = (a: OutboundActivity): string[] =>
  nodes(a)
    .filter((n) => (n.type === 'TextRun' || n.type === 'TextBlock') && typeof n.text === 'string')
    .map((n) => n.text as string);

/** The texts Teams parses as markdown: only Parley's own words may be there. */
export const textBlockTexts = (a: OutboundActivity): string[] =>
  nodes(a)
    .filter((n) => n.type === 'TextBlock')
    .map((n) => n.text as string);

/** Whether any line of `data` reached a TextBlock (where Teams would parse it as markdown). */
export const inMarkdown = (a: OutboundActivity, data: string): boolean =>
  textBlockTexts(a).some((t) =>
    data
      .split('\n')
      .map((l) => l.trim())
      .some((l) => l.length > 3 && t.includes(l)),
  );
