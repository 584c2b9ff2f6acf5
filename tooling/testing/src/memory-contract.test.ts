import { createMemoryState } from "@chat-adapter/state-memory";
import { describeStateAdapterContract, MEMORY_ADAPTER_DEVIATIONS } from "./index";

// The memory adapter is for unit tests only; its differences from Redis are asserted, not hidden.
describeStateAdapterContract("memory (@chat-adapter/state-memory)", {
  async create() {
    const state = createMemoryState();
    await state.connect();
    return state;
  },
  deviations: MEMORY_ADAPTER_DEVIATIONS,
});
