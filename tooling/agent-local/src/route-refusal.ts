/** How a protocol route says no: note it on the route's test-hook record, log it, answer the error body. */
import type { ServerResponse } from "node:http";
import { sendError } from "./http-io";
import type { Logger } from "./logger";

export type Refuse = (
  status: number,
  code: string,
  message: string,
  headers?: Record<string, string>,
) => void;

/** The fields a refusal writes or logs, common to the dispatch and cancel records. */
interface RefusableRecord {
  status: number;
  errorCode?: string;
  botRequestId?: string;
}

export function refusalFor(
  record: RefusableRecord,
  response: ServerResponse,
  logger: Logger,
  logMessage: string,
): Refuse {
  return (status, code, message, headers) => {
    Object.assign(record, { status, errorCode: code });
    logger.warn(logMessage, { status, code, botRequestId: record.botRequestId });
    sendError(response, status, code, message, headers);
  };
}
