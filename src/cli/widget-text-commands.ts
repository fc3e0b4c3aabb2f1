import type { Command } from 'commander';
import { shippedStrings, stringKeys } from '../../adapters/channels/webchat/widget-strings.ts';
import { AppError } from '../domain/errors.ts';
import { cliActor } from '../setup/actor.ts';
import { listEndpoints, updateEndpoint } from '../setup/endpoints.ts';
import { type CliIo, collect, type OpenDatabase, table, withDatabase } from './io.ts';

/**
 * `endpoints texts <widget>`: the webchat widget's texts in one language, and changing them
 * (issue 15). Changes go through updateEndpoint, so the widget's settings schema (known keys,
 * language tags) and the audit trail apply as in the admin API and the workspace file.
 */
export function registerWidgetTextCommands(endpoints: Command, open: OpenDatabase, io: CliIo): void {
  endpoints
    .command('texts')
    .description("show or change a webchat widget's texts in one language (English and German ship)")
    .argument('<widget>', 'the widget key (the endpoint address)')
    .option('--lang <tag>', 'the language, e.g. de, fr or pt-BR', 'en')
    .option('--set <key=text>', 'use this text for a key (repeat for several)', collect, [])
    .option('--unset <key>', 'go back to the shipped text for a key (repeat for several)', collect, [])
    .action((widget: string, o: { lang: string; set: string[]; unset: string[] }) =>
      withDatabase(open, io, async (em) => {
        const endpoint = (await listEndpoints(em)).find(
          (e) => e.channel === 'webchat' && e.address === widget,
        );
        if (!endpoint)
          throw new AppError(
            'not_found',
            `There is no webchat widget "${widget}"; see parley endpoints list.`,
          );
        const lang = o.lang.toLowerCase();
        // A row written without settings may hold the column's default as a JSON string.
        const settings = typeof endpoint.settings === 'object' && endpoint.settings ? endpoint.settings : {};
        const strings = { ...((settings.strings ?? {}) as Record<string, Record<string, string>>) };
        const own = { ...(strings[lang] ?? {}) };
        for (const spec of o.set) {
          const at = spec.indexOf('=');
          if (at < 1) throw bad(`--set "${spec}" is not key=text; write it like --set title="Talk to us".`);
          own[spec.slice(0, at).trim()] = spec.slice(at + 1);
        }
        for (const key of o.unset) delete own[key];
        if (o.set.length > 0 || o.unset.length > 0) {
          if (Object.keys(own).length > 0) strings[lang] = own;
          else delete strings[lang];
          await updateEndpoint(em, endpoint.id, { settings: { ...settings, strings } }, cliActor);
        }
        const shipped = shippedStrings[lang.split('-')[0] ?? 'en'] ?? {};
        const rows = stringKeys.map((key) => [
          key,
          own[key] ?? shipped[key] ?? shippedStrings.en?.[key] ?? '',
          own[key] ? 'this widget' : shipped[key] ? 'shipped' : 'English',
        ]);
        for (const line of table(['KEY', `TEXT (${lang})`, 'FROM'], rows)) io.out(line);
      }),
    );
}

const bad = (message: string) => new AppError('validation_failed', message);
