import type { Config } from './config.ts';
import type { AiModel } from './ports/ai-model.ts';

/**
 * A row of the model table. Its module (and the vendor SDK behind it) is loaded only when the
 * deployment configures it, as for surfaces (surfaces.ts).
 */
export interface AiModelTableRow {
  name: string;
  configured(config: Config): boolean;
  load(config: Config): Promise<AiModel>;
}

/**
 * The model table: which model the AI agent answers through (R36). OpenAI's Responses API also
 * serves Azure OpenAI and compatible gateways through OPENAI_BASE_URL; another vendor is a new
 * folder under adapters/ai/ and a row here, above OpenAI's.
 */
export const aiModelTable: AiModelTableRow[] = [
  {
    name: 'openai',
    configured: (c) => Boolean(c.OPENAI_API_KEY),
    load: async (c) =>
      (await import('../adapters/ai/openai/openai.model.ts')).createOpenAiModel({
        apiKey: c.OPENAI_API_KEY ?? '',
        baseURL: c.OPENAI_BASE_URL,
      }),
  },
];

/** The configured model, or null when none is (groups' AI agents then stay silent). */
export async function buildAiModel(config: Config, table = aiModelTable): Promise<AiModel | null> {
  const row = table.find((r) => r.configured(config));
  return row ? row.load(config) : null;
}
