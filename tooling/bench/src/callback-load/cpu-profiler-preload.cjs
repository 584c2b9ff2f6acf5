// Preloaded into the Next server (NODE_OPTIONS=--require) by the callback profile: the first
// SIGUSR2 starts V8's sampling profiler, the next one writes the profile to
// BENCH_CPU_PROFILE_DIR. Node 20 refuses --cpu-prof in NODE_OPTIONS, and a signal-bounded window
// leaves start-up and warm-up out of the figures.
const inspector = require("node:inspector");
const fs = require("node:fs");
const path = require("node:path");

const SAMPLING_INTERVAL_US = 250;
const dir = process.env.BENCH_CPU_PROFILE_DIR;

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
      await post("Profiler.enable", {});
      await post("Profiler.setSamplingInterval", { interval: SAMPLING_INTERVAL_US });
      await post("Profiler.start", {});
      fs.writeFileSync(path.join(dir, `started-${process.pid}-${written}`), "");
      return;
    }
    const { profile } = await post("Profiler.stop", {});
    running = false;
    const name = `server-${process.pid}-${written++}.cpuprofile`;
    // Written under a temporary name first: the benchmark waits for the final name.
    fs.writeFileSync(path.join(dir, `${name}.partial`), JSON.stringify(profile));
    fs.renameSync(path.join(dir, `${name}.partial`), path.join(dir, name));
  };
  process.on("SIGUSR2", () => {
    toggle().catch((error) => console.error("[cpu-profiler-preload]", error));
  });
}
