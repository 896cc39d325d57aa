// The journal and the mapping set together, against the emulator: random
// sequences of desired mappings (added, removed, paused, re-dated, moved to
// another group), some runs killed after their k-th write the way the engine
// sees a kill: the journal's step was saved, the set's update was not (its
// pending update is dropped at the next run, so the set keeps its old
// outputs). After every run that finished, BirdEye must hold exactly what the
// file wants, whatever came before. fast-check prints the seed and shrinks a
// failure to a minimal sequence (BIRDEYE_MODEL_SEED / _RUNS to replay or widen).
import { strict as assert } from "node:assert";
import fc from "fast-check";
import { IntegrationMappingSetProvider, lifecycles, nextJournal, planRun, storedOutputs } from "../provider/resources";
import type { JournalState, MappingEntries } from "../provider/resources";
import { locationsText, mappingsDigest } from "../provider/resources/mapping-journal-provider";
import { connectClient } from "../provider/resources/connection";
import { runWrites } from "../provider/resources/mapping-set-provider";
import { startEmulator } from "../emulator";
import type { Emulator } from "../emulator";
import { MANUAL } from "./fixtures/manual";
import { resetConnection, useBirdEye } from "./support/connection";

const BUSINESSES = ["150051042499081", "150051042499082", "150051042499083", "150051042499084"];
const CODES: Readonly<Record<string, string>> = { "150051042499081": "4", "150051042499082": "6", "150051042499083": "8", "150051042499084": "4" };
/** A second business with a Cloud9 group of its own, for moves. */
const OTHER_BUSINESS = 150051042499099;
const NO_LIMITS = { stack: "model", maxDeactivations: 1000, maxDeactivationShare: 1 };
const PROVIDER_TEXT = "exports.handler = function () {}";

describe("nextJournal and planRun", () => {
  const args = (entries: MappingEntries, group = 1595) => ({ integrationGroupId: group, digest: mappingsDigest(entries), locations: locationsText(entries) });
  const a = { "150051042499081": { locationCode: "4", active: true } };
  const ab = { ...a, "150051042499082": { locationCode: "6", active: true } };

  it("a new journal is generation 1; an unchanged one keeps its generation; any change of mappings, dates or group is one more", () => {
    const first = nextJournal(undefined, args(a));
    assert.equal(first.generation, 1);
    assert.equal(nextJournal({ ...first }, args(a)).generation, 1);
    assert.equal(nextJournal({ ...first }, args(ab)).generation, 2);
    assert.equal(nextJournal({ ...first }, args({ "150051042499081": { locationCode: "4", nextRunDate: "2026-11-25T04:00:00Z", active: true } })).generation, 2);
    assert.equal(nextJournal({ ...first }, args(a, 1596)).generation, 2);
  });

  it("departed lists what was desired under a group and is not any more, and forgets a business desired there again", () => {
    const two = nextJournal(undefined, args(ab));
    const one = nextJournal({ ...two }, args(a));
    assert.deepEqual(one.departed, { "1595": { "150051042499082": "6" } });
    assert.deepEqual(nextJournal({ ...one }, args(ab)).departed, {});
    assert.deepEqual(nextJournal({ ...one }, args(a, 1596)).departed, { "1595": { "150051042499081": "4", "150051042499082": "6" } });
  });

  it("planRun: the journal one generation ahead is this run (the usual plan); further ahead, everything is written again, departed businesses included", () => {
    const held = { integrationGroupId: 1595, mappings: ab, appliedGeneration: 4 };
    const stamp = (generation: number) => ({ generation, digest: mappingsDigest(a), departed: { "1595": { "150051042499083": "8" } } });
    const line = (w: { kind: string; business: string; integrationGroupId: number }) => `${w.kind} ${w.business} in ${w.integrationGroupId}`;
    assert.deepEqual(planRun(held, { integrationGroupId: 1595, mappings: a, journal: stamp(5) }, false).writes.map(line), ["deactivate 150051042499082 in 1595"]);
    assert.deepEqual(planRun(held, { integrationGroupId: 1595, mappings: ab, journal: stamp(4) }, false).writes.map(line), []);
    const full = planRun(held, { integrationGroupId: 1595, mappings: a, journal: stamp(6) }, false);
    assert.ok(full.full);
    assert.deepEqual(full.writes.map(line), ["deactivate 150051042499082 in 1595", "put 150051042499081 in 1595", "deactivate 150051042499083 in 1595"]);
    assert.deepEqual(planRun({ integrationGroupId: 1595, mappings: {} }, { integrationGroupId: 1595, mappings: a, journal: stamp(1) }, true).writes.map(line), ["put 150051042499081 in 1595", "deactivate 150051042499083 in 1595"], "a create deactivates departed ones too");
  });
});

describe("the set's diff says why it writes when no input differs", () => {
  it("after a cut-off run (the journal ahead of what the set applied) and for unconfirmed writes, an info line names the cause", async () => {
    const lines: string[] = [];
    const log = console.log;
    const info = console.info;
    console.log = console.info = (...args: unknown[]) => void lines.push(args.map(String).join(" "));
    try {
      const provider = new IntegrationMappingSetProvider();
      const mappings = { "150051042499081": { locationCode: "4" } };
      const entries = { "150051042499081": { locationCode: "4", active: true } };
      const journal = (generation: number) => ({ generation, digest: mappingsDigest(entries), departed: {} });
      const held = { integrationGroupId: 1595, mappings, appliedGeneration: 3, __provider: PROVIDER_TEXT };
      assert.equal((await provider.diff("set", held, { integrationGroupId: 1595, mappings, journal: journal(5) })).changes, true);
      assert.equal((await provider.diff("set", { ...held, appliedGeneration: 5, unconfirmed: ["150051042499081"] }, { integrationGroupId: 1595, mappings, journal: journal(5) })).changes, true);
      assert.equal((await provider.diff("set", { ...held, appliedGeneration: 5 }, { integrationGroupId: 1595, mappings, journal: journal(5) })).changes, false);
    } finally {
      console.log = log;
      console.info = info;
    }
    assert.equal(lines.length, 2, lines.join("\n"));
    assert.match(lines[0] ?? "", /an earlier run was cut off while writing \(journal generation 5, last applied 3\): pulumi up writes every mapping again/);
    assert.match(lines[1] ?? "", /1 mapping\(s\) whose last write got no answer \(150051042499081\) are written again/);
  });
});

/** One step of a sequence: the file's desired mappings (and group), and whether the run is killed after its k-th write. */
interface Step {
  readonly desired: Readonly<Record<string, { readonly active: boolean; readonly nextRunDate?: string }>>;
  readonly moved: boolean;
  readonly killAfter?: number;
}

const stepArb: fc.Arbitrary<Step> = fc.record(
  {
    // A file maps each Cloud 9 location once: 081 and 084 share code 4, so a file has one of them (a code moves between them).
    desired: fc
      .dictionary(fc.constantFrom(...BUSINESSES), fc.record({ active: fc.boolean(), nextRunDate: fc.option(fc.constantFrom("2026-11-25T04:00:00Z", "2026-11-25T06:00:00Z"), { nil: undefined }) }, { requiredKeys: ["active"] }), { maxKeys: 4 })
      .filter((d) => !(BUSINESSES[0] in d && BUSINESSES[3] in d)),
    moved: fc.boolean(),
    killAfter: fc.option(fc.nat({ max: 5 }), { nil: undefined }),
  },
  { requiredKeys: ["desired", "moved"] },
);

describe("the journal and the mapping set against the emulator, with runs killed mid-write (model-based)", function () {
  this.timeout(600_000);
  const provider = new IntegrationMappingSetProvider();
  let emulator: Emulator;
  let groups: number[] = [];
  before(async () => {
    emulator = await startEmulator({});
    await useBirdEye(emulator.url);
  });
  after(async () => {
    resetConnection();
    await emulator.close();
  });

  const seed = Number(process.env.BIRDEYE_MODEL_SEED ?? 20261207);
  const numRuns = Number(process.env.BIRDEYE_MODEL_RUNS ?? 60);

  it(`after every run that finished, BirdEye holds exactly what the file wants, whatever runs were killed before (seed ${seed}, ${numRuns} sequences)`, async () => {
    const initial = emulator.state;
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { minLength: 1, maxLength: 8 }), async (steps) => {
        emulator.admin.setState(initial);
        groups = [];
        for (const business of [MANUAL.businessNumber, OTHER_BUSINESS]) {
          const { id } = await lifecycles.group.create({ parentBusinessNumber: business, clientId: MANUAL.clientId, triggers: [{ triggerId: 57 }] });
          groups.push(Number(id));
        }
        let journal: JournalState | undefined;
        let set: Record<string, unknown> | undefined;
        let group = groups[0] ?? 0;
        for (const step of steps) {
          if (step.moved) group = group === groups[0] ? (groups[1] ?? 0) : (groups[0] ?? 0);
          const mappings: MappingEntries = {};
          for (const [business, e] of Object.entries(step.desired)) mappings[business] = { locationCode: CODES[business] ?? "4", ...(e.nextRunDate === undefined ? {} : { nextRunDate: e.nextRunDate }), active: e.active };
          // The journal's step: always saved before the set's.
          journal = nextJournal(journal === undefined ? undefined : { ...journal }, { integrationGroupId: group, digest: mappingsDigest(mappings), locations: locationsText(mappings) });
          const news = { integrationGroupId: group, mappings, guardrails: NO_LIMITS, journal: { generation: journal.generation, digest: journal.digest, departed: journal.departed }, __provider: PROVIDER_TEXT };
          if (step.killAfter !== undefined) {
            // Killed after its k-th write: the writes so far land, the set's outputs stay as they were.
            const held = set === undefined ? { integrationGroupId: group, mappings: {} } : storedOutputs(set);
            const { writes } = planRun(held, { integrationGroupId: group, mappings, journal }, set === undefined);
            await runWrites(connectClient([], () => undefined), writes.slice(0, step.killAfter));
            continue;
          }
          const before: Record<string, unknown> | undefined = set;
          const after: Record<string, unknown> =
            before === undefined
              ? { ...(await provider.create(news)).outs, __provider: PROVIDER_TEXT }
              : (await provider.diff("set", before, news)).changes === true
                ? { ...(await provider.update("set", before, news)).outs, __provider: PROVIDER_TEXT }
                : before;
          set = after;
          // BirdEye holds exactly the file: each wanted mapping as wanted under the group, nothing else active.
          const live = emulator.state.mappings.filter((m) => m.active).map((m) => `${m.businessNumber} in ${m.integrationGroupId}`).sort();
          const want = Object.entries(mappings).filter(([, e]) => e.active).map(([b]) => `${b} in ${group}`).sort();
          assert.deepEqual(live, want, `BirdEye's active mappings after ${JSON.stringify(step)}`);
          for (const business of Object.keys(mappings)) {
            const m = emulator.state.mappings.find((x) => String(x.businessNumber) === business && x.integrationGroupId === group);
            const e = mappings[business];
            if (e?.active === true) assert.equal(m?.nextRunDate ?? undefined, e.nextRunDate, `${business}'s run time`);
          }
          const stored = storedOutputs(after);
          // State claims nothing BirdEye lacks: what it holds active is wanted active (a removed paused one may stay, inactive).
          for (const [business, e] of Object.entries(stored.mappings)) assert.equal(e.active, mappings[business]?.active ?? false, `state's ${business}`);
        }
      }),
      { seed, numRuns },
    );
  });
});
