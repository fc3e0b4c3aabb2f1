import type { InboundActivity } from '../ports.ts';
import { teamsHtmlToText } from '../teams-text.ts';
import { withoutQuote } from './activity.ts';

/**
 * What a person wrote in Teams, read two ways: the plain text a customer gets (Teams' HTML turned
 * into text, people as `@Name`), and the text the command grammar reads (`&<>` escaped, people as
 * `<@entra-id|Name>`, as parse-command.ts expects). A message that starts by mentioning the app
 * (`@Parley close`) is addressed to it; that mention is dropped from both.
 */

export interface TeamsMention {
  /** The Bot Framework id (`29:…` for a person, `28:…` for a bot). */
  id: string;
  aadObjectId: string | null;
  name: string;
  /** The app itself. */
  bot: boolean;
  /** A person (not a tag, a channel or the team). */
  person: boolean;
}

export interface ReadMessage {
  /** The message starts by mentioning the app. */
  addressed: boolean;
  /** The first word after that, lower-cased, without a leading `/`: a command name when it is one. */
  firstWord: string | null;
  /** What the customer reads. */
  plain: string;
  /** The text with each mention as a marker (MARK_OPEN index MARK_CLOSE), for commandText. */
  marked: string;
  mentions: TeamsMention[];
}

// Private-use characters stand for mentions while the HTML is read: they are no markup anywhere.
const MARK_OPEN = '\uE000';
const MARK_CLOSE = '\uE001';
const MARK = /\uE000(\d+)\uE001/g;
const AT_TAG = /<at\b[^>]*>([^<]*)<\/at>/gi;

/**
 * R41: the message is nothing but mentions of people ("@Bob @Ada?"): it calls teammates in, and
 * is never meant for the customer.
 */
export const onlyMentions = (read: ReadMessage): boolean =>
  read.mentions.some((m) => m.person && !m.bot) && !/[\p{L}\p{N}]/u.test(read.marked.replace(MARK, ''));

export function readMessage(a: InboundActivity): ReadMessage {
  const entities = mentionEntities(a);
  const mentions: TeamsMention[] = [];
  const used = new Set<number>();
  const html = withoutQuote(asHtml((a.text ?? '').replace(/[\uE000\uE001]/g, ''))).replace(
    AT_TAG,
    (whole, inner: string) => {
      const i = entities.findIndex((e, k) => !used.has(k) && sameTag(e.text, whole));
      if (i === -1) return inner;
      used.add(i);
      const e = entities[i]!;
      const same = mentions.findIndex((m) => m.id === e.mentioned.id);
      if (same !== -1) return `${MARK_OPEN}${same}${MARK_CLOSE}`;
      mentions.push({
        id: e.mentioned.id,
        aadObjectId: e.mentioned.aadObjectId ?? null,
        name: (e.mentioned.name ?? inner).trim() || 'someone',
        bot: e.mentioned.id === a.recipient.id,
        person: e.mentioned.id.startsWith('29:') && !e.mentioned.type,
      });
      return `${MARK_OPEN}${mentions.length - 1}${MARK_CLOSE}`;
    },
  );
  // New clients mention "Ada Lovelace" as `<at>Ada</at> <at>Lovelace</at>`: one mention.
  let text = teamsHtmlToText(html).replace(/\uE000(\d+)\uE001(?:[ \t]*\uE000\1\uE001)+/g, '\uE000$1\uE001');
  const lead = /^\s*\uE000(\d+)\uE001[\s,:]*/.exec(text);
  const addressed = !!lead && mentions[Number(lead[1])]!.bot;
  if (addressed) text = text.slice(lead![0].length);
  const marked = text.trim();
  const plain = marked.replace(MARK, (_, i: string) => `@${mentions[Number(i)]!.name}`);
  const first = /^\S+/.exec(plain)?.[0];
  return {
    addressed,
    firstWord: first ? first.toLowerCase().replace(/^\//, '') : null,
    plain,
    marked,
    mentions,
  };
}

/** Teams sends HTML; a client that sends bare text keeps its line breaks (HTML would fold them). */
const asHtml = (text: string) => (/<[a-z/!]/i.test(text) ? text : text.replace(/\r?\n/g, '<br>'));

interface MentionEntity {
  text?: string;
  mentioned: { id: string; name?: string; aadObjectId?: string; type?: string };
}

function mentionEntities(a: InboundActivity): MentionEntity[] {
  return (a.entities ?? []).flatMap((e) => {
    const m = e as unknown as Partial<MentionEntity> & { type: string };
    return m.type === 'mention' && typeof m.mentioned?.id === 'string' ? [m as MentionEntity] : [];
  });
}

const sameTag = (entityText: string | undefined, tag: string) =>
  !entityText || entityText.replace(/\s+/g, ' ') === tag.replace(/\s+/g, ' ');

const escapeMarkup = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * The text for parse-command.ts: `&<>` escaped, a person as `<@entra-id|Name>` (found by
 * `entraIdOf`), anything else mentioned as the plain `@Name` it reads as.
 */
export function commandText(read: ReadMessage, entraIds: ReadonlyMap<number, string | null>): string {
  return escapeMarkup(read.marked).replace(MARK, (_, i: string) => {
    const m = read.mentions[Number(i)]!;
    const id = entraIds.get(Number(i));
    return id ? `<@${id}|${m.name.replace(/[<>|]/g, '')}>` : escapeMarkup(`@${m.name}`);
  });
}

const COMMAND_REFERENCE = /<@([^\s<>|]+)(?:\|([^<>]*))?>|&(amp|lt|gt);/g;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>' };

/** Free text inside a command (a reply, a note) as plain text: mentions as `@Name`, escapes undone. */
export const commandPlainText = (raw: string): string =>
  raw.replace(COMMAND_REFERENCE, (_, _id: string | undefined, name: string | undefined, entity?: string) =>
    entity ? ENTITIES[entity]! : `@${name || 'someone'}`,
  );
