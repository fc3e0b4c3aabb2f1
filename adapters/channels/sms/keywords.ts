/**
 * Twilio's standard SMS keywords. Twilio itself blocks sending to a number that texted an opt-out
 * keyword until it texts an opt-in keyword, and answers HELP; Parley mirrors the state so an agent
 * is told why before trying (R7). A keyword counts only as the whole message (trimmed, any case):
 * "stop please" is an ordinary message. REVOKE and OPTOUT joined Twilio's default list in 2025.
 */
export type KeywordAction = 'opt_out' | 'opt_in' | 'help';

const keywords: Record<string, KeywordAction> = {
  STOP: 'opt_out',
  STOPALL: 'opt_out',
  UNSUBSCRIBE: 'opt_out',
  CANCEL: 'opt_out',
  END: 'opt_out',
  QUIT: 'opt_out',
  REVOKE: 'opt_out',
  OPTOUT: 'opt_out',
  START: 'opt_in',
  YES: 'opt_in',
  UNSTOP: 'opt_in',
  HELP: 'help',
  INFO: 'help',
};

/** Twilio's Advanced Opt-Out (a Messaging Service setting) names what it matched, custom keywords included. */
const optOutTypes: Record<string, KeywordAction> = { STOP: 'opt_out', START: 'opt_in', HELP: 'help' };

export interface Keyword {
  /** The keyword as the customer wrote it, upper-cased (`STOP`), or Twilio's OptOutType. */
  keyword: string;
  action: KeywordAction;
}

export function smsKeyword(body: string, optOutType?: string | null): Keyword | null {
  const word = body.trim().toUpperCase();
  const byTwilio = optOutType ? optOutTypes[optOutType.trim().toUpperCase()] : undefined;
  if (byTwilio) return { keyword: word || optOutType!.trim().toUpperCase(), action: byTwilio };
  const action = Object.hasOwn(keywords, word) ? keywords[word] : undefined;
  return action ? { keyword: word, action } : null;
}
