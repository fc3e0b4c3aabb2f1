import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

/**
 * Slack's rules the fakes enforce, from Slack's documentation: which scope each Web API method
 * Parley calls needs, what the app's manifest grants, and Block Kit's limits, refused with the
 * error bodies Slack answers.
 */

const MANIFEST_URL = new URL('../../adapters/surfaces/slack/manifest.yaml', import.meta.url);

/** The bot scopes `adapters/surfaces/slack/manifest.yaml` asks for: what an installed app's xoxb- token has. */
export function manifestBotScopes(): string[] {
  const manifest = parse(readFileSync(MANIFEST_URL, 'utf8')) as {
    oauth_config?: { scopes?: { bot?: string[] } };
  };
  return manifest.oauth_config?.scopes?.bot ?? [];
}

/**
 * The user scopes an admin's SLACK_USER_TOKEN carries: the manifest's comment (and the README's
 * Slack section) has the admin add `user: [chat:write, files:write]` for it.
 */
export const USER_TOKEN_SCOPES = ['chat:write', 'files:write'];

/** The kind of conversation a channel id names: Slack's scopes for reading history differ by kind. */
export function conversationKind(channel: string): 'public' | 'private' | 'im' | 'mpim' {
  if (channel.startsWith('D')) return 'im';
  if (channel.startsWith('G')) return 'private';
  return 'public';
}

const HISTORY_SCOPE = {
  public: 'channels:history',
  private: 'groups:history',
  im: 'im:history',
  mpim: 'mpim:history',
} as const;

/**
 * Every Slack Web API method Parley calls (`api.call(` / `call<` under adapters/surfaces/slack and
 * src) with the bot-token scope Slack's reference page for the method lists (docs.slack.dev/
 * reference/methods/<method>, "Scopes"). Where the scope depends on the arguments (history by
 * conversation kind), it is worked out from them. `null`: no scope needed.
 *
 * Message metadata needs no scope of its own to be read back: `conversations.replies` with
 * `include_all_metadata` is covered by the history scopes (the method's reference lists only
 * those), while `metadata.message:read` is the scope for the metadata *events*
 * (message_metadata_posted/updated/deleted; docs.slack.dev/reference/scopes/metadata.message.read
 * lists compatible events and no methods).
 */
export const METHOD_SCOPES: Record<string, (args: Record<string, unknown>) => string | null> = {
  'auth.test': () => null,
  'chat.postMessage': () => 'chat:write',
  'chat.update': () => 'chat:write',
  'chat.delete': () => 'chat:write',
  'chat.postEphemeral': () => 'chat:write',
  // A one-to-one DM (`users` names one person): im:write. Parley opens no other kind.
  'conversations.open': () => 'im:write',
  'conversations.replies': (a) => HISTORY_SCOPE[conversationKind(String(a.channel ?? ''))],
  'conversations.history': (a) => HISTORY_SCOPE[conversationKind(String(a.channel ?? ''))],
  'users.info': () => 'users:read',
  'reactions.add': () => 'reactions:write',
  'reactions.remove': () => 'reactions:write',
  'reactions.get': () => 'reactions:read',
  'views.publish': () => null,
  'views.open': () => null,
  'files.getUploadURLExternal': () => 'files:write',
  'files.completeUploadExternal': () => 'files:write',
  'files.delete': () => 'files:write',
};

// ---- Block Kit ----------------------------------------------------------------------------------

/** Where blocks are shown: a message takes 50 blocks, a Home tab or a modal 100. */
export type Surface = 'message' | 'home' | 'modal';
const MAX_BLOCKS: Record<Surface, number> = { message: 50, home: 100, modal: 100 };
/** Slack refuses a `text` longer than this with msg_too_long. */
export const MAX_MESSAGE_TEXT = 40_000;

const BLOCK_TYPES = new Set([
  'actions',
  'context',
  'divider',
  'file',
  'header',
  'image',
  'input',
  'markdown',
  'rich_text',
  'section',
  'table',
  'video',
]);
const ELEMENT_TYPES = new Set([
  'button',
  'channels_select',
  'checkboxes',
  'conversations_select',
  'datepicker',
  'datetimepicker',
  'email_text_input',
  'external_select',
  'file_input',
  'image',
  'multi_channels_select',
  'multi_conversations_select',
  'multi_external_select',
  'multi_static_select',
  'multi_users_select',
  'number_input',
  'overflow',
  'plain_text_input',
  'radio_buttons',
  'rich_text_input',
  'static_select',
  'timepicker',
  'url_text_input',
  'users_select',
  'workflow_button',
]);

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The errors Slack's Block Kit schema reports for these blocks, in its words: `<what>
 * [json-pointer:<where>]`. Limits per docs.slack.dev/reference/block-kit (blocks, elements,
 * composition objects). Empty: Slack takes them.
 */
export function blockErrors(blocks: unknown, surface: Surface, at = '/blocks'): string[] {
  const errors: string[] = [];
  const err = (what: string, where: string): void => {
    errors.push(`${what} [json-pointer:${where}]`);
  };
  const str = (v: unknown, where: string, max: number, opts: { required?: boolean } = {}): void => {
    if (v === undefined && !opts.required) return;
    if (typeof v !== 'string') {
      err('must provide a string', where);
      return;
    }
    if (v.length === 0) {
      err('must be more than 0 characters', where);
      return;
    }
    if (v.length > max) err(`must be less than ${max + 1} characters`, where);
  };
  const text = (
    t: unknown,
    where: string,
    max: number,
    opts: { required?: boolean; plainOnly?: boolean } = {},
  ): void => {
    if (t === undefined && !opts.required) return;
    if (!isObj(t)) {
      err('must provide an object', where);
      return;
    }
    const allowed = opts.plainOnly ? ['plain_text'] : ['plain_text', 'mrkdwn'];
    if (!allowed.includes(String(t.type))) {
      err('failed to match all allowed schemas', where);
      return;
    }
    str(t.text, `${where}/text`, max, { required: true });
  };
  const list = (v: unknown, where: string, max: number, min = 0): unknown[] => {
    if (!Array.isArray(v)) {
      err('must provide an array', where);
      return [];
    }
    if (v.length > max) err(`no more than ${max} items allowed`, where);
    if (v.length < min) err(`must provide at least ${min} items`, where);
    return v;
  };
  const option = (o: unknown, where: string): void => {
    if (!isObj(o)) {
      err('must provide an object', where);
      return;
    }
    text(o.text, `${where}/text`, 75, { required: true });
    str(o.value, `${where}/value`, 150);
    text(o.description, `${where}/description`, 75);
  };
  const element = (e: unknown, where: string): void => {
    if (!isObj(e) || !ELEMENT_TYPES.has(String(e.type))) {
      err('failed to match all allowed schemas', where);
      return;
    }
    str(e.action_id, `${where}/action_id`, 255);
    text(e.placeholder, `${where}/placeholder`, 150, { plainOnly: true });
    switch (e.type) {
      case 'button':
        text(e.text, `${where}/text`, 75, { required: true, plainOnly: true });
        str(e.value, `${where}/value`, 2000);
        str(e.url, `${where}/url`, 3000);
        break;
      case 'static_select':
      case 'multi_static_select':
        if (e.options !== undefined)
          list(e.options, `${where}/options`, 100).forEach((o, i) => {
            option(o, `${where}/options/${i}`);
          });
        if (e.option_groups !== undefined) list(e.option_groups, `${where}/option_groups`, 100);
        if (e.initial_option !== undefined) option(e.initial_option, `${where}/initial_option`);
        break;
      case 'radio_buttons':
      case 'checkboxes':
        list(e.options, `${where}/options`, 10, 1).forEach((o, i) => {
          option(o, `${where}/options/${i}`);
        });
        if (e.initial_option !== undefined) option(e.initial_option, `${where}/initial_option`);
        break;
      case 'overflow':
        list(e.options, `${where}/options`, 5, 1).forEach((o, i) => {
          option(o, `${where}/options/${i}`);
        });
        break;
      case 'plain_text_input':
        if (typeof e.max_length === 'number' && e.max_length > 3000)
          err('must be less than 3001', `${where}/max_length`);
        break;
    }
  };
  const contextElement = (e: unknown, where: string): void => {
    if (isObj(e) && e.type === 'image') {
      str(e.alt_text, `${where}/alt_text`, 2000, { required: true });
      return;
    }
    text(e, where, 3000, { required: true });
  };

  const all = list(blocks, at, MAX_BLOCKS[surface]);
  all.forEach((b, i) => {
    const where = `${at}/${i}`;
    if (!isObj(b) || !BLOCK_TYPES.has(String(b.type))) {
      err('failed to match all allowed schemas', where);
      return;
    }
    str(b.block_id, `${where}/block_id`, 255);
    switch (b.type) {
      case 'section':
        if (b.text === undefined && b.fields === undefined)
          err('must provide at least one of text or fields', where);
        text(b.text, `${where}/text`, 3000);
        if (b.fields !== undefined)
          list(b.fields, `${where}/fields`, 10, 1).forEach((f, n) => {
            text(f, `${where}/fields/${n}`, 2000);
          });
        if (b.accessory !== undefined) element(b.accessory, `${where}/accessory`);
        break;
      case 'header':
        text(b.text, `${where}/text`, 150, { required: true, plainOnly: true });
        break;
      case 'context':
        list(b.elements, `${where}/elements`, 10, 1).forEach((e, n) => {
          contextElement(e, `${where}/elements/${n}`);
        });
        break;
      case 'actions':
        list(b.elements, `${where}/elements`, 25, 1).forEach((e, n) => {
          element(e, `${where}/elements/${n}`);
        });
        break;
      case 'input':
        text(b.label, `${where}/label`, 2000, { required: true, plainOnly: true });
        text(b.hint, `${where}/hint`, 2000, { plainOnly: true });
        element(b.element, `${where}/element`);
        break;
      case 'image':
        str(b.image_url, `${where}/image_url`, 3000);
        str(b.alt_text, `${where}/alt_text`, 2000, { required: true });
        text(b.title, `${where}/title`, 2000, { plainOnly: true });
        break;
      case 'markdown':
        str(b.text, `${where}/text`, 12_000, { required: true });
        break;
    }
  });
  return errors;
}

/** A view's errors (views.publish: a Home tab; views.open: a modal), pointers under `/view`. */
export function viewErrors(view: unknown, want: 'home' | 'modal'): string[] {
  if (!isObj(view)) return ['must provide an object [json-pointer:/view]'];
  const errors: string[] = [];
  const err = (what: string, where: string): void => {
    errors.push(`${what} [json-pointer:${where}]`);
  };
  if (view.type !== want) err('failed to match all allowed schemas', '/view/type');
  if (view.blocks === undefined) err('missing required field: blocks', '/view');
  const plain = (t: unknown, where: string, required: boolean): void => {
    if (t === undefined) {
      if (required) err(`missing required field: ${where.split('/').at(-1)}`, '/view');
      return;
    }
    if (!isObj(t) || t.type !== 'plain_text') {
      err('failed to match all allowed schemas', where);
      return;
    }
    const s = t.text;
    if (typeof s !== 'string' || s.length === 0) {
      err('must be more than 0 characters', `${where}/text`);
      return;
    }
    if (s.length > 24) err('must be less than 25 characters', `${where}/text`);
  };
  if (want === 'modal') {
    plain(view.title, '/view/title', true);
    plain(view.submit, '/view/submit', false);
    plain(view.close, '/view/close', false);
  }
  for (const [k, max] of [
    ['private_metadata', 3000],
    ['callback_id', 255],
    ['external_id', 255],
  ] as const) {
    const v = view[k];
    if (typeof v === 'string' && v.length > max) err(`must be less than ${max + 1} characters`, `/view/${k}`);
  }
  if (view.blocks !== undefined) errors.push(...blockErrors(view.blocks, want, '/view/blocks'));
  return errors;
}
