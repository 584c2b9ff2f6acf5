export * from "./app-mention-event";
export * from "./rich-text-blocks";
export * from "./sample-mentions";
