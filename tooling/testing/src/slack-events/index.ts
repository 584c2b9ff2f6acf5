export * from "./fixture-workspace";
export * from "./sample-mentions";
export * from "./slack-test-bot";
