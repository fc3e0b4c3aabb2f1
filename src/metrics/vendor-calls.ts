/**
 * What the vendor clients (Slack, Teams, WhatsApp, Twilio) report about their calls, as a port:
 * adapters get one through their deps (the process's metrics) or keep the quiet one.
 */
export interface VendorCalls {
  /**
   * One call that went out: `status` is the HTTP status the vendor answered, `network` when no
   * answer came, `refused` when Slack answered `ok: false`. `method` names the operation, never
   * an id (`chat.postMessage`, `createActivity`, `POST messages`).
   */
  called(vendor: string, method: string, status: number | 'network' | 'refused'): void;
  /** A call not made because the vendor asked to wait (`held`, after a 429) or a rate window is full (`paced`). */
  waited(vendor: string, reason: 'held' | 'paced'): void;
}

export const quietVendorCalls: VendorCalls = { called: () => {}, waited: () => {} };
