import type { EntityManager } from '@mikro-orm/postgresql';
import { ChannelEndpoint, type TemplateRef } from '../db/entities/index.ts';
import { AppError } from '../domain/errors.ts';
import type { TemplateArg } from './parse-command.ts';

/**
 * R7: a template typed without its language (`template:order_update`) takes the language the
 * sending number lists for it (`settings.templates`), when it lists exactly one. Sending still
 * checks the template against the number, as for any other caller.
 */
export async function templateRefFor(
  em: EntityManager,
  endpointId: string | null,
  arg: TemplateArg,
): Promise<TemplateRef> {
  if (arg.language) return { name: arg.name, language: arg.language, parameters: arg.parameters };
  const endpoint = endpointId ? await em.findOne(ChannelEndpoint, { id: endpointId }) : null;
  const languages = configuredLanguages(endpoint?.settings ?? {}, arg.name);
  if (languages.length === 1) return { name: arg.name, language: languages[0]!, parameters: arg.parameters };
  const known = languages.length > 1 ? ` It exists in ${languages.join(', ')}.` : '';
  throw new AppError(
    'bad_request',
    `Say which language of the template "${arg.name}" to send, e.g. \`template:${arg.name}:${languages[0] ?? 'en_US'}\`.${known}`,
  );
}

function configuredLanguages(settings: Record<string, unknown>, name: string): string[] {
  const templates = Array.isArray(settings.templates) ? (settings.templates as unknown[]) : [];
  const languages = templates.flatMap((t) => {
    if (typeof t !== 'object' || t === null) return [];
    const { name: n, language } = t as Record<string, unknown>;
    return n === name && typeof language === 'string' ? [language] : [];
  });
  return [...new Set(languages)];
}
