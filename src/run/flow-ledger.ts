/**
 * Every flow a run sent, and which clients received it: what was lost is what some client never got.
 * Receipts of flows this run did not send (another producer's traffic) are counted, not judged.
 */
export function createFlowLedger(clients: number) {
  const sentAt = new Map<string, number>();
  const receipts = new Map<string, number>();
  const perClient = Array.from({ length: clients }, () => 0);
  let foreign = 0;
  let complete = 0;

  return {
    sent(flowId: string, intendedAtMs: number): void {
      sentAt.set(flowId, intendedAtMs);
    },
    /** False for a flow this run did not send, or one this client already had. */
    received(client: number, flowId: string): boolean {
      if (!sentAt.has(flowId)) {
        foreign += 1;
        return false;
      }
      const n = (receipts.get(flowId) ?? 0) + 1;
      receipts.set(flowId, n);
      perClient[client] = (perClient[client] ?? 0) + 1;
      if (n === clients) complete += 1;
      return true;
    },
    sentCount: (): number => sentAt.size,
    has: (flowId: string): boolean => sentAt.has(flowId),
    /** When the run meant to send it; undefined: not sent by this run. */
    intendedAt: (flowId: string): number | undefined => sentAt.get(flowId),
    /** Every flow sent so far has reached every client. */
    allDelivered: (): boolean => complete === sentAt.size,
    receivedPerClient: (): readonly number[] => [...perClient],
    foreign: (): number => foreign,
    /** Flows some client never received, in the order they were sent. */
    lost(): { readonly flowId: string; readonly intendedAtMs: number; readonly clientsReceived: number }[] {
      const out = [];
      for (const [flowId, intendedAtMs] of sentAt) {
        const clientsReceived = receipts.get(flowId) ?? 0;
        if (clientsReceived < clients) out.push({ flowId, intendedAtMs, clientsReceived });
      }
      return out;
    },
  };
}

export type FlowLedger = ReturnType<typeof createFlowLedger>;
