import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { buildAiModel } from '../ai-models.ts';
import type { Config } from '../config.ts';
import type { AiAgentSettings } from '../db/entities/group.entity.ts';
import { AppError } from '../domain/errors.ts';
import { type AiAnswer, type AiModel, AiModelError } from '../ports/ai-model.ts';
import { cliActor } from '../setup/actor.ts';
import { findGroupByName, updateGroup } from '../setup/groups.ts';
import { aiRequestFor, capReply, DEFAULT_AI_NAME } from '../use-cases/ai-request.ts';
import { type CliIo, type OpenDatabase, processIo, withDatabase } from './io.ts';

/** How `ai set` changes a group's agent: each option given replaces that setting (R36). */
interface SetOptions {
  on?: boolean;
  off?: boolean;
  name?: string;
  instructions?: string;
  instructionsFile?: string;
  model?: string;
  mode?: string;
  maxTurns?: string;
  dailyTokenBudget?: string;
}

const fail = (message: string) => new AppError('validation_failed', message);

/** A whole number, or `none` to remove the cap. */
function cap(value: string | undefined, option: string): number | undefined | null {
  if (value === undefined) return undefined;
  if (value.trim().toLowerCase() === 'none') return null;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw fail(`${option} must be a whole number from 1 (or "none" for no cap)`);
  return n;
}

/** The agent with the options applied; '' clears a text setting, `none` a cap. */
async function changed(current: AiAgentSettings | null | undefined, o: SetOptions): Promise<AiAgentSettings> {
  if (o.on && o.off) throw fail('--on and --off cannot go together');
  if (o.instructions !== undefined && o.instructionsFile)
    throw fail('--instructions and --instructions-file cannot go together');
  const instructions = o.instructionsFile ? await readFile(o.instructionsFile, 'utf8') : o.instructions;
  const next: Record<string, unknown> = { ...(current ?? { enabled: false }) };
  if (o.on || o.off) next.enabled = Boolean(o.on);
  const texts = { name: o.name, instructions, model: o.model, mode: o.mode };
  for (const [key, value] of Object.entries(texts)) {
    if (value === undefined) continue;
    if (value.trim() === '') delete next[key];
    else next[key] = key === 'instructions' ? value.trim() : value;
  }
  const caps = {
    maxTurns: cap(o.maxTurns, '--max-turns'),
    dailyTokenBudget: cap(o.dailyTokenBudget, '--daily-token-budget'),
  };
  for (const [key, value] of Object.entries(caps)) {
    if (value === null) delete next[key];
    else if (value !== undefined) next[key] = value;
  }
  return next as unknown as AiAgentSettings;
}

/** The settings as `ai show` and `ai set` print them. */
function settingsLines(group: string, ai: AiAgentSettings | null | undefined, config: Config): string[] {
  if (!ai)
    return [
      `Group ${group} has no AI agent. Set one up with:`,
      `  parley ai set --group "${group}" --on --instructions-file instructions.txt`,
    ];
  const lines = [
    `AI agent of ${group}: ${ai.enabled ? 'on' : 'off'}${ai.enabled && !config.OPENAI_API_KEY ? ' (but OPENAI_API_KEY is not set: it stays silent)' : ''}`,
    `  name                ${ai.name ?? `${DEFAULT_AI_NAME} (default)`}`,
    `  mode                ${ai.mode === 'draft' ? 'draft (a person sends each answer)' : 'auto (answers the customer directly)'}`,
    `  model               ${ai.model ?? `${config.OPENAI_MODEL} (default)`}`,
    `  max turns           ${ai.maxTurns ?? 'no cap'}`,
    `  daily token budget  ${ai.dailyTokenBudget ?? 'no cap'}`,
  ];
  const instructions = ai.instructions?.trim();
  if (!instructions) return [...lines, '  instructions        (none)'];
  return [...lines, '  instructions:', ...instructions.split('\n').map((l) => `    ${l}`)];
}

/** What the agent would do, for a person to read. */
function answerLines(name: string, answer: AiAnswer, maxChars: number): string[] {
  if (answer.kind === 'reply') return [`${name} would answer:`, capReply(answer.text, maxChars)];
  return [
    `Would hand off to a person: ${answer.reason}`,
    ...(answer.text ? [`${name} would also tell the customer:`, capReply(answer.text, maxChars)] : []),
    `Summary for the colleague (a private note): ${answer.summary || '(none)'}`,
  ];
}

/**
 * `ai try|show|set`: an admin sets up a group's AI agent and sees what it would answer before
 * customers do. `try` calls the model and writes nothing.
 */
export function registerAiCommands(
  program: Command,
  open: OpenDatabase,
  config: () => Config,
  io: CliIo = processIo,
): void {
  const ai = program.command('ai').description("set up a group's AI agent and try it");

  ai.command('show')
    .description("show a group's AI agent settings")
    .requiredOption('--group <name>', 'the group')
    .action((o: { group: string }) =>
      withDatabase(open, io, async (em) => {
        const group = await findGroupByName(em, o.group);
        for (const line of settingsLines(group.name, group.aiAgent, config())) io.out(line);
      }),
    );

  ai.command('set')
    .description("change a group's AI agent (options not given stay as they are)")
    .requiredOption('--group <name>', 'the group')
    .option('--on', 'turn the agent on')
    .option('--off', 'turn the agent off')
    .option('--name <name>', "the agent's name ('' for the default)")
    .option('--instructions <text>', "the team's instructions ('' for none)")
    .option('--instructions-file <path>', "read the team's instructions from a file")
    .option('--model <model>', "the model ('' for OPENAI_MODEL)")
    .option('--mode <mode>', 'auto (answers the customer) or draft (a person sends each answer)')
    .option('--max-turns <n>', 'answers per conversation before it hands off ("none": no cap)')
    .option(
      '--daily-token-budget <n>',
      'model tokens per day for the group before it hands off ("none": no cap)',
    )
    .action((o: SetOptions & { group: string }) =>
      withDatabase(open, io, async (em) => {
        const group = await findGroupByName(em, o.group);
        const aiAgent = await changed(group.aiAgent, o);
        const updated = await updateGroup(em, group.id, { aiAgent }, cliActor);
        for (const line of settingsLines(updated.name, updated.aiAgent, config())) io.out(line);
      }),
    );

  ai.command('try')
    .description('show what the AI agent would answer a customer who wrote <text> (nothing is saved or sent)')
    .requiredOption('--group <name>', 'the group')
    .argument('<text...>', "the customer's message")
    .action(async (words: string[], o: { group: string }) => {
      const c = config();
      const model = await buildAiModel(c);
      if (!model) {
        io.err(
          'error: OPENAI_API_KEY is not set, so the AI agent has no model to answer with. Set it (and OPENAI_BASE_URL for Azure OpenAI or a gateway) and try again.',
        );
        return io.fail(1);
      }
      // Read, then closed before the model call: nothing is written, no connection waits on the model.
      const found: { group?: string; settings?: AiAgentSettings } = {};
      await withDatabase(open, io, async (em) => {
        const group = await findGroupByName(em, o.group);
        if (!group.aiAgent)
          throw fail(
            `Group ${group.name} has no AI agent; set one up with: parley ai set --group "${group.name}" --on --instructions-file instructions.txt`,
          );
        Object.assign(found, { group: group.name, settings: group.aiAgent });
      });
      if (found.group && found.settings)
        await tryAgent(io, c, model, found.group, found.settings, words.join(' '));
    });
}

/** One model call as if the customer wrote `text` in a new conversation; the database is closed by now. */
async function tryAgent(
  io: CliIo,
  c: Config,
  model: AiModel,
  group: string,
  settings: AiAgentSettings,
  text: string,
): Promise<void> {
  const name = settings.name ?? DEFAULT_AI_NAME;
  if (!settings.enabled)
    io.out(
      `Note: the AI agent of ${group} is off; this is what it would answer once on (parley ai set --on).`,
    );
  const request = aiRequestFor(settings, [{ role: 'customer', text }], c);
  try {
    const answer = await model.respond(request);
    for (const line of answerLines(name, answer, c.AI_MAX_REPLY_CHARS)) io.out(line);
    if (settings.mode === 'draft')
      io.out('(draft mode: this would wait in the thread for a person to send, edit or discard it)');
    io.out(
      `Model ${request.model}: ${answer.usage.inputTokens} tokens in, ${answer.usage.outputTokens} out (nothing was saved or sent).`,
    );
  } catch (e) {
    if (!(e instanceof AiModelError)) throw e;
    io.err(
      `error: the model did not answer: ${e.message}${e.retryable ? ' (this may pass: try again later)' : ''}`,
    );
    io.fail(1);
  }
}
