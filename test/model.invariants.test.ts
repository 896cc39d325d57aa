// The model-based test's invariants (test/support/model/invariants.ts) on
// hand-made observations: each one reports what it must, and stays quiet on a
// converged world, so a passing model run means something.
import { strict as assert } from "node:assert";
import { loadSeed } from "../emulator/state";
import type { EmulatorState } from "../emulator";
import { PLAIN_SECRET_REFUSAL, PROTECTED_REFUSAL, convergenceProblems, guardrailProblems, namesExactCommand, ownershipProblems, stateClaimProblems, unchangedProblems } from "./support/model/invariants";
import { initialModel, stackModel } from "./support/model/model";
import type { Model } from "./support/model/model";
import type { Observation, StackState } from "./support/model/observe";

const ENT = 150051042499300;
const GROUP = 9001;

/** BirdEye holding m-ent's group with both locations of its initial file, active or not. */
function birdeye(active: [boolean, boolean], triggers: number[] = [57]): EmulatorState {
  const state = loadSeed();
  state.groups = [{ groupId: GROUP, parentBusinessNumber: ENT, integrationSourceId: 34, properties: [], triggers: triggers.map((triggerId) => ({ triggerId, triggerTypeId: 1, actionIds: [1] })) }];
  state.mappings = [
    { businessNumber: ENT + 1, integrationGroupId: GROUP, active: active[0], integrationProperties: [{ propertyKey: "location.code", propertyValue: "1" }] },
    { businessNumber: ENT + 2, integrationGroupId: GROUP, active: active[1], integrationProperties: [{ propertyKey: "location.code", propertyValue: "2" }], nextRunDate: "2026-11-25T04:00:00Z" },
  ];
  state.nextGroupId = GROUP + 1;
  return state;
}

const recorded: StackState = {
  urns: {},
  pendingOperations: 0,
  group: { id: GROUP, parentBusinessNumber: ENT, triggers: [57] },
  set: { integrationGroupId: GROUP, mappings: { [ENT + 1]: { active: true, locationCode: "1" }, [ENT + 2]: { active: true, locationCode: "2" } }, unconfirmed: [] },
};

const observation = (state: EmulatorState, stacks: Record<string, StackState> = { "m-ent": recorded }): Observation => ({ birdeye: state, stacks: new Map(Object.entries(stacks)) });

describe("the model-based test's invariants", () => {
  let model: Model;
  beforeEach(() => {
    model = initialModel();
  });

  it("convergence: quiet when BirdEye equals the file; names a wanted mapping left inactive and a trigger missing", () => {
    const s = stackModel(model, "m-ent");
    assert.deepEqual(convergenceProblems(s, recorded, birdeye([true, true]), { afterRefresh: false }), []);
    assert.deepEqual(convergenceProblems(s, recorded, birdeye([true, false]), { afterRefresh: false }), [`m-ent: business ${ENT + 2} is wanted active on group ${GROUP}; BirdEye holds it inactive`]);
    assert.match(convergenceProblems(s, recorded, birdeye([true, true], [58]), { afterRefresh: false }).join(), /has triggers \[58\], the file wants \[57\]/);
    // Switched off in BirdEye behind the stack's back: no read shows it, so nothing is expected of the stack.
    s.switchedOff.add(ENT + 2);
    assert.deepEqual(convergenceProblems(s, recorded, birdeye([true, false]), { afterRefresh: false }), []);
  });

  it("guardrails: 2 of 2 deactivated needs approve.deactivate naming exactly them", () => {
    const before = observation(birdeye([true, true]));
    const after = observation(birdeye([false, false]));
    assert.match(guardrailProblems(model, before, after, ["m-ent"], { destroy: false, upExitedZero: [] }).join(), /2 of 2 active mappings of group 9001 were deactivated/);
    assert.deepEqual(guardrailProblems(model, before, after, ["m-ent"], { destroy: true, upExitedZero: [] }), [], "destroy is not stopped by a guardrail");
    const s = stackModel(model, "m-ent");
    s.file = { ...s.file, approve: { deactivate: [ENT + 2, ENT + 1] } };
    assert.deepEqual(guardrailProblems(model, before, after, ["m-ent"], { destroy: false, upExitedZero: [] }), []);
    // One of two is within the default limits (more than 1 and more than 20%).
    s.file = { ...s.file, approve: {} };
    assert.deepEqual(guardrailProblems(model, before, observation(birdeye([true, false])), ["m-ent"], { destroy: false, upExitedZero: [] }), []);
  });

  it("ownership: a group recorded by two stacks", () => {
    assert.deepEqual(ownershipProblems(observation(birdeye([true, true]))), []);
    assert.deepEqual(ownershipProblems(observation(birdeye([true, true]), { "m-ent": recorded, "m-two": recorded })), [`group ${GROUP} is recorded by stacks m-ent and m-two`]);
  });

  it("state claims: a mapping state calls active that BirdEye holds inactive, unless unconfirmed or pending", () => {
    assert.deepEqual(stateClaimProblems(model, observation(birdeye([true, true]))), []);
    assert.deepEqual(stateClaimProblems(model, observation(birdeye([false, true]))), [`m-ent: state claims business ${ENT + 1} active on group ${GROUP}; BirdEye holds it inactive`]);
    const unconfirmed: StackState = { ...recorded, set: { ...(recorded.set ?? { mappings: {} }), unconfirmed: [String(ENT + 1)] } };
    assert.deepEqual(stateClaimProblems(model, observation(birdeye([false, true]), { "m-ent": unconfirmed })), []);
    assert.deepEqual(stateClaimProblems(model, observation(birdeye([false, true]), { "m-ent": { ...recorded, pendingOperations: 1 } })), []);
  });

  it("a failed command names the exact command to run", () => {
    assert.ok(namesExactCommand("error: the stack is locked; run `pulumi cancel` to release it", false));
    assert.ok(namesExactCommand("Next: npm run recover -- --stack m-ent", false));
    assert.ok(!namesExactCommand("error: something went wrong", false));
    assert.ok(namesExactCommand("set birdeye-cloud9:approve.deactivate to [1, 2]", true));
    assert.ok(!namesExactCommand("set birdeye-cloud9:approve.deactivate to [1, 2]", false));
  });

  it("a refusal changed nothing: quiet when BirdEye and the stack's state are as before; names a mapping switched off, a group added and a state change", () => {
    const before = observation(birdeye([true, true]));
    assert.deepEqual(unchangedProblems("m-ent", before, observation(birdeye([true, true])), "refused"), []);
    assert.deepEqual(unchangedProblems("m-ent", before, observation(birdeye([true, false])), "refused"), ["m-ent: refused, yet BirdEye's mappings changed"]);
    const more = birdeye([true, true]);
    more.groups = [...more.groups, ...more.groups.map((g) => ({ ...g, groupId: GROUP + 1 }))];
    assert.deepEqual(unchangedProblems("m-ent", before, observation(more), "refused"), ["m-ent: refused, yet BirdEye's groups changed"]);
    assert.deepEqual(unchangedProblems("m-ent", before, observation(birdeye([true, true]), { "m-ent": { ...recorded, pendingOperations: 1 } }), "refused"), ["m-ent: refused, yet what its state records changed"]);
  });

  it("the refusals the model expects are Pulumi's own words", () => {
    // pkg/resource/deploy/step_generator.go and pkg/workspace/config.go of Pulumi v3.274.1.
    assert.match('error: unable to replace resource "urn:pulumi:m-ent::birdeye-cloud9::x$y::cloud9-mappings"\nas it is currently marked for protection. To unprotect the resource, remove the `protect` flag', PROTECTED_REFUSAL);
    assert.match("error: Stack 'm-smb' with configuration key 'birdeye-cloud9:clientId' must be encrypted as it's secret", PLAIN_SECRET_REFUSAL);
    assert.doesNotMatch("error: Stack 'm-smb' with configuration key 'birdeye:apiKey' must be encrypted as it's secret", PLAIN_SECRET_REFUSAL);
  });
});
