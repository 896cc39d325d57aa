// A killed run's provider host writes nothing more: `pulumi up` killed as a CI
// runner kills a job (SIGKILL to the CLI's process group only) while BirdEye
// has asked the provider to wait before retrying a deactivation. Pulumi's
// dynamic-provider host is in a process group of its own and outlives the
// engine; the provider ends it and sends nothing once the engine is gone
// (provider/resources/engine-watchdog.ts, test/support/kill-rehearsal.ts); a
// host killed before it loaded the provider is ended by the program's reaper
// (provider/resources/host-reaper.js).
import { rehearseKillDuringLookups, rehearseKillMidRetry } from "../support/kill-rehearsal";
import { describeRealEngine } from "../support/real-cli";

describeRealEngine("a killed run's provider host once its engine is gone", () => {
  it("killed mid-retry: every process of the run ends, the retry never reaches BirdEye, and the location put back converges", async function () {
    this.timeout(600_000); // a hang detector: a busy machine is several times slower
    await rehearseKillMidRetry();
  });

  it("@long killed during the program's lookups, before the host has loaded this package: every process of the run ends (the host through host-reaper.js), nothing is written, and recover then up converge", async function () {
    this.timeout(600_000); // a hang detector: a busy machine is several times slower
    await rehearseKillDuringLookups();
  });
});
