/** Deterministic ids for events, client message ids and block ids. */
export interface IdSource {
  eventId(): string;
  clientMsgId(): string;
  blockId(): string;
  dmChannelId(): string;
}

export function createIdSource(): IdSource {
  let counter = 0;
  const nextBase36 = (width: number) => {
    counter += 1;
    return counter.toString(36).toUpperCase().padStart(width, "0");
  };
  return {
    eventId: () => `Ev${nextBase36(10)}`,
    clientMsgId: () => {
      counter += 1;
      return `00000000-0000-4000-8000-${counter.toString(16).padStart(12, "0")}`;
    },
    blockId: () => nextBase36(5).toLowerCase(),
    dmChannelId: () => `D${nextBase36(10)}`,
  };
}
