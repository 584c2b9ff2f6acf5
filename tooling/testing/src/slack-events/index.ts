export * from "./fixture-workspace";
export * from "./realistic-requests";
export * from "./sample-mentions";
export * from "./slack-test-bot";
