import { CronExpressionParser } from 'cron-parser';

/** The time zone digest schedules run in (the BullMQ job scheduler's `tz`). */
export const CRON_TIME_ZONE = 'UTC';

const FIELDS = ['minute', 'hour', 'day of month', 'month', 'day of week'];
const FIELDS_WITH_SECONDS = ['second', ...FIELDS];

/**
 * Parses a cron expression exactly as BullMQ's repeat strategy does when it sets a job scheduler
 * (cron-parser with the scheduler's options: `tz`, not strict), so what this accepts BullMQ can
 * schedule. Throws cron-parser's error.
 */
function parseAsBullmq(expression: string, tz: string, currentDate = new Date()) {
  return CronExpressionParser.parse(expression, { tz, currentDate });
}

/** cron-parser's messages, said the way an admin reads them after the field's name. */
function readable(message: string, fieldText: string): string {
  const value = /got value (\S+) expected range (\d+-\d+)/.exec(message);
  if (value) return `${value[1]} is out of range (${value[2]})`;
  const range = /got range \S+ expected range (\d+-\d+)/.exec(message);
  if (range) return `"${fieldText}" is out of range (${range[1]})`;
  if (/cannot repeat at every 0/.test(message)) return `"${fieldText}" repeats every 0, which never comes`;
  if (/Invalid range: .*min\(\d+\) > max\(\d+\)/.test(message))
    return `"${fieldText}" is a range that runs backwards`;
  const stripped = message.replace(/^(Constraint|Validation) error, /, '').replace(/\.$/, '');
  return `"${fieldText}": ${stripped.charAt(0).toLowerCase()}${stripped.slice(1)}`;
}

/** Which fields cron-parser refuses on their own (the others set to `*`), each said readably. */
function fieldProblems(fields: string[], tz: string): string[] {
  const names = fields.length === 6 ? FIELDS_WITH_SECONDS : FIELDS;
  const problems: string[] = [];
  fields.forEach((field, i) => {
    const alone = fields.map((f, j) => (j === i ? f : '*')).join(' ');
    try {
      parseAsBullmq(alone, tz);
    } catch (err) {
      problems.push(`${names[i]} ${readable((err as Error).message, field)}`);
    }
  });
  return problems;
}

/**
 * Why BullMQ could not run this cron expression, or null when it can: e.g.
 * `"61 25 * * 9": minute 61 is out of range (0-59); hour 25 is out of range (0-23); …`.
 * Five fields (minute hour day-of-month month day-of-week), or six with seconds first.
 */
export function cronProblem(expression: string, tz = CRON_TIME_ZONE): string | null {
  const quoted = JSON.stringify(expression);
  const fields = expression.trim().split(/\s+/).filter(Boolean);
  if (fields.length !== 5 && fields.length !== 6) {
    return (
      `${quoted}: a cron expression has 5 fields (minute hour day-of-month month day-of-week, in ${tz}), ` +
      `or 6 with seconds first, e.g. "0 8 * * 1-5"; this has ${fields.length}`
    );
  }
  // cron-parser reads H as "a random value", drawn again each time BullMQ computes the next run.
  const hashed = fields.find((f) => /(^|,)H($|[/,(])/.test(f));
  if (hashed) return `${quoted}: "${hashed}" (H, a random value) is not supported; write the value itself`;
  try {
    parseAsBullmq(fields.join(' '), tz).next();
    return null;
  } catch (err) {
    const problems = fieldProblems(fields, tz);
    // Each field is fine alone but not together, e.g. 31 February.
    if (problems.length === 0) return `${quoted}: ${readableWhole((err as Error).message)}`;
    return `${quoted}: ${problems.join('; ')}`;
  }
}

function readableWhole(message: string): string {
  if (/day of month/i.test(message)) return 'that day of the month never occurs in the months given';
  return `never occurs (${message.replace(/\.$/, '')})`;
}
