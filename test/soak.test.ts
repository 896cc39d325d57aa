import { strict as assert } from "node:assert";
import { soakPassed } from "../scripts/soak";
import { beyondRetryBudget, runCliSoak, runSoak } from "./support/soak";
import { describeRealEngine } from "./support/real-cli";

describe("fault soak (10 stacks; npm run soak runs 100)", function () {
  this.timeout(600_000); // a hang detector: a busy machine is several times slower

  it("under 5xx, 429, lost answers and resets, every stack converges to exactly its desired state, with no duplicate and no leaked secret", async () => {
    // One of each kind is scripted (on top of the random 18%), so this small run meets them all.
    const report = await runSoak({
      stacks: 10,
      seed: 11,
      scriptedFaults: [
        { fault: "lost-answer", method: "PUT", path: "/integration/add/businessintegrationgroup" },
        { fault: "reset", method: "PUT", path: "/integration/add/businessintegrationmapping" },
        { fault: "rate-limit", retryAfterSeconds: 1, method: "PUT", path: "/integration/add/businessintegrationmapping" },
        { fault: "server-error", method: "GET", path: "/integration/businessintegrationgroup/" },
        // Beyond the retry budget: that run fails, and the soak runs pulumi up again as a user would.
        ...beyondRetryBudget(),
      ],
    });
    assert.ok((report.runsToConverge["2"] ?? 0) >= 1, `a stack needed a second run: ${JSON.stringify(report.runsToConverge)}`);
    assert.deepEqual(report.unconverged, []);
    assert.deepEqual(report.mismatches, []);
    assert.deepEqual([report.duplicateGroups, report.extraGroups, report.duplicateMappings, report.strayMappings], [0, 0, 0, 0]);
    assert.deepEqual(report.secretLeaks, []);
    assert.equal(report.clientIdsInSecretProperty, report.stacks, "the search looked where Client IDs travel");
    for (const fault of ["server-error", "rate-limit", "lost-answer", "reset"]) {
      assert.ok((report.faultsInjected[fault] ?? 0) > 0, `${fault} faults were injected: ${JSON.stringify(report.faultsInjected)}`);
    }
    assert.ok(report.enterprise > 0 && report.smb > 0);
    assert.equal(soakPassed(report), true);
  });
});

// Long tier (@long: npm run test:long): a dozen CLI runs; the in-process soak above meets the same faults in npm test.
describeRealEngine("@long fault soak through the real CLI (3 stacks; npm run soak -- --engine cli runs 20)", () => {
  it("a run that fails beyond the retry budget is run again until it converges; BirdEye equals every stack, no duplicate, no leaked secret", async () => {
    const report = await runCliSoak({ stacks: 3, seed: 5, scriptedFaults: beyondRetryBudget() });
    assert.deepEqual(report.unconverged, []);
    assert.ok((report.runsToConverge["2"] ?? 0) >= 1, `a stack needed a second run: ${JSON.stringify(report.runsToConverge)}`);
    assert.deepEqual(report.mismatches, []);
    assert.deepEqual([report.duplicateGroups, report.extraGroups, report.duplicateMappings, report.strayMappings], [0, 0, 0, 0]);
    assert.deepEqual(report.secretLeaks, []);
    assert.equal(report.clientIdsInSecretProperty, 1, "the state holds the Client ID, encrypted: the search was not blind");
    assert.equal(soakPassed(report), true);
  });
});
