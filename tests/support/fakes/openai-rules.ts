/**
 * What the Responses API refuses in a `POST /responses` body, with its error shape
 * (`{ error: { message, type: 'invalid_request_error', param, code } }`) and wording: the parts
 * Parley sends (model, instructions, message items, a strict function tool, limits).
 */
export interface OpenAiError {
  message: string;
  type: string;
  param: string | null;
  code: string | null;
}

const invalid = (message: string, param: string | null, code: string | null): OpenAiError => ({
  message,
  type: 'invalid_request_error',
  param,
  code,
});
const missing = (param: string) =>
  invalid(`Missing required parameter: '${param}'.`, param, 'missing_required_parameter');
const typeName = (v: unknown) =>
  v === null
    ? 'null'
    : Array.isArray(v)
      ? 'an array'
      : Number.isInteger(v)
        ? 'an integer'
        : typeof v === 'number'
          ? 'a decimal'
          : typeof v === 'string'
            ? 'a string'
            : typeof v === 'boolean'
              ? 'a boolean'
              : 'an object';
const wrongType = (param: string, expected: string, v: unknown) =>
  invalid(
    `Invalid type for '${param}': expected ${expected}, but got ${typeName(v)} instead.`,
    param,
    'invalid_type',
  );
const listed = (values: string[]) =>
  values.length === 1
    ? `'${values[0]}'`
    : `${values
        .slice(0, -1)
        .map((v) => `'${v}'`)
        .join(', ')} and '${values.at(-1)}'`;
const badValue = (param: string, value: unknown, supported: string[]) =>
  invalid(
    `Invalid value: '${String(value)}'. Supported values are: ${listed(supported)}.`,
    param,
    'invalid_value',
  );

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The body parameters of `POST /responses` (anything else: unknown_parameter). */
const KNOWN = new Set(
  'background conversation include input instructions max_output_tokens max_tool_calls metadata model parallel_tool_calls previous_response_id prompt prompt_cache_key prompt_cache_retention reasoning safety_identifier service_tier store stream stream_options temperature text tool_choice tools top_logprobs top_p truncation user'.split(
    ' ',
  ),
);
const ROLES = ['assistant', 'system', 'developer', 'user'];
const USER_PARTS = ['input_text', 'input_image', 'input_file'];
const ASSISTANT_PARTS = ['output_text', 'refusal'];

function contentProblem(role: string, content: unknown, at: string): OpenAiError | null {
  if (typeof content === 'string') return null;
  if (!Array.isArray(content)) return wrongType(at, 'one of a string or array of objects', content);
  const supported = role === 'assistant' ? ASSISTANT_PARTS : USER_PARTS;
  for (const [j, part] of content.entries()) {
    const p = `${at}[${j}]`;
    if (!isObject(part)) return wrongType(p, 'an object', part);
    if (part.type === undefined) return missing(`${p}.type`);
    if (!supported.includes(String(part.type))) return badValue(`${p}.type`, part.type, supported);
    const key = part.type === 'refusal' ? 'refusal' : 'text';
    if (part.type === 'input_text' || part.type === 'output_text' || part.type === 'refusal') {
      if (part[key] === undefined) return missing(`${p}.${key}`);
      if (typeof part[key] !== 'string') return wrongType(`${p}.${key}`, 'a string', part[key]);
    }
  }
  return null;
}

function inputProblem(input: unknown): OpenAiError | null {
  if (typeof input === 'string') return null;
  if (!Array.isArray(input)) return wrongType('input', 'one of a string or array of input items', input);
  for (const [i, item] of input.entries()) {
    const at = `input[${i}]`;
    if (!isObject(item)) return wrongType(at, 'an object', item);
    // Parley sends messages only; other item kinds are a gap of this fake, refused as unknown.
    if (item.type !== undefined && item.type !== 'message')
      return badValue(`${at}.type`, item.type, ['message']);
    if (item.role === undefined) return missing(`${at}.role`);
    if (!ROLES.includes(String(item.role))) return badValue(`${at}.role`, item.role, ROLES);
    if (item.content === undefined) return missing(`${at}.content`);
    const problem = contentProblem(String(item.role), item.content, `${at}.content`);
    if (problem) return problem;
  }
  return null;
}

/** A strict function's schema: every object closed (`additionalProperties: false`) and every property required. */
function strictSchemaProblem(
  name: string,
  schema: Record<string, unknown>,
  param: string,
): OpenAiError | null {
  const refuse = (why: string) =>
    invalid(
      `Invalid schema for function '${name}': In context=(), ${why}`,
      param,
      'invalid_function_parameters',
    );
  if (schema.type !== 'object')
    return refuse(
      'schema must be a JSON Schema of \'type: "object"\', got \'type: "' + String(schema.type) + '"\'.',
    );
  if (schema.additionalProperties !== false)
    return refuse("'additionalProperties' is required to be supplied and to be false.");
  const keys = Object.keys(isObject(schema.properties) ? schema.properties : {});
  const required = Array.isArray(schema.required) ? schema.required : [];
  const absent = keys.find((k) => !required.includes(k));
  if (absent)
    return refuse(
      `'required' is required to be supplied and to be an array including every key in properties. Missing '${absent}'.`,
    );
  return null;
}

function toolsProblem(tools: unknown): OpenAiError | null {
  if (!Array.isArray(tools)) return wrongType('tools', 'an array of objects', tools);
  for (const [i, tool] of tools.entries()) {
    const at = `tools[${i}]`;
    if (!isObject(tool)) return wrongType(at, 'an object', tool);
    // Parley offers function tools only; hosted tools are a gap of this fake.
    if (tool.type !== 'function') return badValue(`${at}.type`, tool.type, ['function']);
    if (tool.name === undefined) return missing(`${at}.name`);
    if (typeof tool.name !== 'string' || !/^[a-zA-Z0-9_-]{1,64}$/.test(tool.name))
      return invalid(
        `Invalid '${at}.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.`,
        `${at}.name`,
        'invalid_value',
      );
    if (tool.parameters !== undefined && tool.parameters !== null && !isObject(tool.parameters))
      return wrongType(`${at}.parameters`, 'an object', tool.parameters);
    if (tool.strict === true && isObject(tool.parameters)) {
      const problem = strictSchemaProblem(tool.name, tool.parameters, `${at}.parameters`);
      if (problem) return problem;
    }
  }
  return null;
}

/** The first thing the API would refuse in this body, or null when it takes it. */
export function responsesRequestProblem(body: unknown): OpenAiError | null {
  if (!isObject(body)) return wrongType('body', 'an object', body);
  const unknown = Object.keys(body).find((k) => !KNOWN.has(k));
  if (unknown) return invalid(`Unknown parameter: '${unknown}'.`, unknown, 'unknown_parameter');
  if (body.model === undefined) return missing('model');
  if (typeof body.model !== 'string') return wrongType('model', 'a string', body.model);
  if (body.input !== undefined) {
    const problem = inputProblem(body.input);
    if (problem) return problem;
  }
  if (body.instructions !== undefined && body.instructions !== null && typeof body.instructions !== 'string')
    return wrongType('instructions', 'a string', body.instructions);
  const max = body.max_output_tokens;
  if (max !== undefined && max !== null) {
    if (!Number.isInteger(max)) return wrongType('max_output_tokens', 'an integer', max);
    if ((max as number) < 16)
      return invalid(
        `Invalid 'max_output_tokens': integer below minimum value. Expected a value >= 16, but got ${max} instead.`,
        'max_output_tokens',
        'integer_below_min_value',
      );
  }
  for (const flag of ['store', 'parallel_tool_calls', 'stream'] as const)
    if (body[flag] !== undefined && body[flag] !== null && typeof body[flag] !== 'boolean')
      return wrongType(flag, 'a boolean', body[flag]);
  if (body.tools !== undefined) {
    const problem = toolsProblem(body.tools);
    if (problem) return problem;
  }
  const choice = body.tool_choice;
  if (choice !== undefined && !isObject(choice) && !['auto', 'none', 'required'].includes(String(choice)))
    return badValue('tool_choice', choice, ['none', 'auto', 'required']);
  return null;
}
