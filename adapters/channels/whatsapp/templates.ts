import { z } from 'zod';
import type { TemplateRef } from '../../../src/db/entities/index.ts';
import { AppError } from '../../../src/domain/errors.ts';

/**
 * Templates are approved per WhatsApp Business Account in WhatsApp Manager; Parley sends only
 * the ones listed on the endpoint (`settings.templates`), so a typo or a wrong parameter count
 * is refused with a clear reason before Meta is called. Example endpoint settings:
 *
 *   { "templates": [{ "name": "order_update", "language": "en_US", "parameters": ["name", "order"] }] }
 *
 * `parameters` names the body placeholders in order ({{1}}, {{2}}...). With
 * `"parameterFormat": "named"` they are the template's named placeholders ({{name}}).
 */
export const templateSettingSchema = z.object({
  name: z.string().min(1),
  language: z.string().min(2),
  parameters: z.array(z.string()).default([]),
  parameterFormat: z.enum(['positional', 'named']).default('positional'),
});
export type TemplateSetting = z.infer<typeof templateSettingSchema>;

const settingsSchema = z.object({ templates: z.array(templateSettingSchema).default([]) });

/** The templates configured on an endpoint; a malformed list is refused with the field at fault. */
export function endpointTemplates(settings: Record<string, unknown>): TemplateSetting[] {
  const parsed = settingsSchema.safeParse(settings);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AppError(
      'validation_failed',
      `The WhatsApp endpoint's settings.templates is not valid (${issue?.path.join('.')}: ${issue?.message}). Fix it in the workspace setup.`,
    );
  }
  return parsed.data.templates;
}

/** The Graph `template` object for a message, after checking it against the endpoint's list. */
export function templatePayload(ref: TemplateRef, settings: Record<string, unknown>) {
  const configured = endpointTemplates(settings);
  const sameName = configured.filter((t) => t.name === ref.name);
  const setting = sameName.find((t) => t.language === ref.language);
  if (!setting) {
    const offer = sameName.length
      ? `It exists in ${sameName.map((t) => t.language).join(', ')}.`
      : configured.length
        ? `Configured templates: ${configured.map((t) => `${t.name} (${t.language})`).join(', ')}.`
        : 'No templates are configured on this number yet.';
    throw new AppError(
      'channel_refused',
      `The WhatsApp template "${ref.name}" in ${ref.language} is not configured on this number. ${offer} Add it to the endpoint's settings.templates.`,
      { template: ref.name, language: ref.language },
    );
  }
  if (ref.parameters.length !== setting.parameters.length) {
    throw new AppError(
      'channel_refused',
      `The WhatsApp template "${ref.name}" takes ${setting.parameters.length} parameter(s) (${setting.parameters.join(', ') || 'none'}); ${ref.parameters.length} were given.`,
      { template: ref.name },
    );
  }
  const parameters = ref.parameters.map((text, i) =>
    setting.parameterFormat === 'named'
      ? { type: 'text', parameter_name: setting.parameters[i], text }
      : { type: 'text', text },
  );
  return {
    name: setting.name,
    language: { code: setting.language },
    ...(parameters.length > 0 ? { components: [{ type: 'body', parameters }] } : {}),
  };
}
