import { randomUUID } from "node:crypto";
import type { NewBotRequest } from "../request/bot-request-store";

export function newBotRequest(overrides: Partial<NewBotRequest> = {}): NewBotRequest {
  return {
    id: randomUUID(),
    platform: "slack",
    threadId: "slack:C0GENERAL1:1700000000.000100",
    channelId: "slack:C0GENERAL1",
    messageId: "1700000000.000100",
    author: { userId: "U0HUMAN001", userName: "ada" },
    deadlineAt: Date.now() + 60_000,
    ...overrides,
  };
}
