// Preloaded into the Next server (NODE_OPTIONS=--require) by the callback profile: the first
// SIGUSR2 starts V8's sampling profiler, the next one writes the profile to
// BENCH_CPU_PROFILE_DIR. Node 20 refuses --cpu-prof in NODE_OPTIONS, and a signal-bounded window
// leaves start-up and warm-up out of the figures.
const inspector = require("node:inspector");
const fs = require("node:fs");
const path = require("node:path");

const SAMPLING_INTERVAL_US = 250;
/** Heap sampling: one sample per this many bytes allocated, on average. */
const HEAP_SAMPLING_INTERVAL_BYTES = 1024;
const dir = process.env.BENCH_CPU_PROFILE_DIR;
// "heap": the window samples allocations (HeapProfiler) instead of CPU time.
const heap = process.env.BENCH_PROFILE_KIND === "heap";

if (dir) {
  const session = new inspector.Session();
  session.connect();
  let running = false;
  let written = 0;
  const post = (method, params) =>
    new Promise((resolve, reject) =>
      session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))),
    );
  const toggle = async () => {
    if (!running) {
      running = true;
      if (heap) {
        await post("HeapProfiler.enable", {});
        // Collected objects too: the profile then says what was allocated, not what survived.
        await post("HeapProfiler.startSampling", {
          samplingInterval: HEAP_SAMPLING_INTERVAL_BYTES,
          includeObjectsCollectedByMajorGC: true,
          includeObjectsCollectedByMinorGC: true,
        });
      } else {
        await post("Profiler.enable", {});
        await post("Profiler.setSamplingInterval", { interval: SAMPLING_INTERVAL_US });
        await post("Profiler.start", {});
      }
      fs.writeFileSync(path.join(dir, `started-${process.pid}-${written}`), "");
      return;
    }
    const { profile } = await post(heap ? "HeapProfiler.stopSampling" : "Profiler.stop", {});
    running = false;
    const name = `server-${process.pid}-${written++}.${heap ? "heapprofile" : "cpuprofile"}`;
    // Written under a temporary name first: the benchmark waits for the final name.
    fs.writeFileSync(path.join(dir, `${name}.partial`), JSON.stringify(profile));
    fs.renameSync(path.join(dir, `${name}.partial`), path.join(dir, name));
  };
  process.on("SIGUSR2", () => {
    toggle().catch((error) => console.error("[cpu-profiler-preload]", error));
  });
}
