/**
 * The agent's own memory of sessions: sessionId -> turns, in process memory. A follow-up dispatch
 * names a session and its executor sees the earlier turns; forgetting them all is how tests make
 * Baton meet `session_not_found`.
 */
export type TurnStatus = "running" | "completed" | "failed" | "cancelled" | "abandoned";

export interface SessionTurn {
  /** 1 for the first turn of a session. */
  number: number;
  botRequestId: string;
  executionId: string;
  prompt: string;
  status: TurnStatus;
  /** The answer of a completed turn. */
  answer?: string;
}

export interface Session {
  id: string;
  turns: SessionTurn[];
}

export interface SessionSummary {
  id: string;
  turns: number;
  running: boolean;
}

export interface SessionStore {
  create(id: string): Session;
  get(id: string): Session | undefined;
  /** Appends a running turn and returns it. */
  beginTurn(session: Session, turn: Omit<SessionTurn, "number" | "status">): SessionTurn;
  isBusy(session: Session): boolean;
  forgetAll(): void;
  summaries(): SessionSummary[];
}

export function createSessionStore(): SessionStore {
  const sessions = new Map<string, Session>();
  const isBusy = (session: Session) => session.turns.some((turn) => turn.status === "running");
  return {
    create(id) {
      const session: Session = { id, turns: [] };
      sessions.set(id, session);
      return session;
    },
    get(id) {
      return sessions.get(id);
    },
    beginTurn(session, turn) {
      const begun: SessionTurn = { ...turn, number: session.turns.length + 1, status: "running" };
      session.turns.push(begun);
      return begun;
    },
    isBusy,
    forgetAll() {
      sessions.clear();
    },
    summaries() {
      return [...sessions.values()].map((session) => ({
        id: session.id,
        turns: session.turns.length,
        running: isBusy(session),
      }));
    },
  };
}
