// The birdeye-cloud9 policy pack: the guardrails about the desired state,
// checked at `pulumi preview --policy-pack policy` (and `up`) for any program
// that declares IntegrationGroup / IntegrationMapping resources. policy/ is the
// pack's folder (PulumiPolicy.yaml); its index.js loads this module, compiled
// when bin/ is fresh. Loading it starts the pack's server: nothing else
// imports it. Both rules are
// mandatory: a violation fails the preview. Rules about what a run changes
// against the last state (deactivations, Client ID / awsHosted changes, group
// replacement) are not here: a policy pack sees only the new resources, not
// what a run removes or replaces; the program checks those
// (the resources' own check, provider/guardrails/resource-rules.ts).
//
// Stack config reaches the pack through the engine (ConfigureStack) and the
// language host as PULUMI_CONFIG: enough for https-api-url. Which keys are
// stored `secure:` does not: Pulumi's own Node.js host (and this project's,
// which passes exactly what it passes: docs/pulumi-cli.md) gives a pack no
// PULUMI_CONFIG_SECRET_KEYS. secure-client-id is therefore the
// IntegrationGroup's own check, made in the program, which is given them
// (./client-id-storage.ts): a group with a Client ID in plain text is refused
// there before it registers. The pack judges it too when a host does pass the
// keys, and never reads a stack file.
import * as pulumi from "@pulumi/pulumi";
import { PolicyPack } from "@pulumi/policy";
import type { PolicyResource, ReportViolation, StackValidationArgs } from "@pulumi/policy";
import { CONFIG_KEYS } from "../config/keys";
import { GUARDRAIL_RULES, apiUrlViolation, clientIdStorageViolation, formatViolation } from "./rules";
import type { Violation } from "./rules";
import { dynamicTypeToken } from "../resources/type-tokens";
import { stackSecretKeys } from "./stack-secrets";

const GROUP_TYPE = dynamicTypeToken("IntegrationGroup");
const BIRDEYE_TYPES: ReadonlySet<string> = new Set([GROUP_TYPE, dynamicTypeToken("IntegrationMappingSet"), dynamicTypeToken("IntegrationMapping")]);

function report(violation: Violation | undefined, reportViolation: ReportViolation): void {
  if (violation !== undefined) reportViolation(formatViolation(violation));
}

/** The stack's IntegrationGroup, IntegrationMappingSet (and retired IntegrationMapping) resources, by name (the engine's order varies). */
const birdeye = (args: StackValidationArgs): PolicyResource[] => args.resources.filter((r) => BIRDEYE_TYPES.has(r.type)).sort((a, b) => a.name.localeCompare(b.name));

new PolicyPack("birdeye-cloud9", {
  enforcementLevel: "mandatory",
  policies: [
    {
      name: GUARDRAIL_RULES.httpsApiUrl,
      description: `The BirdEye API URL (${CONFIG_KEYS.apiUrl.key}, else BIRDEYE_API_URL) is https://, or http:// on a loopback host (the emulator).`,
      validateStack: (args, reportViolation) => {
        const resources = birdeye(args).map((r) => r.name);
        report(apiUrlViolation(pulumi.getStack(), resources, pulumi.runtime.getConfig(CONFIG_KEYS.apiUrl.key), process.env), reportViolation);
      },
    },
    {
      name: GUARDRAIL_RULES.secureClientId,
      description: "The Cloud9 Client ID is stored secure: in the stack file (pulumi config set --secret), never in plain text.",
      validateStack: (args, reportViolation) => {
        const groups = birdeye(args)
          .filter((r) => r.type === GROUP_TYPE)
          .map((r) => {
            const clientId: unknown = r.props.clientId;
            return { name: r.name, clientId };
          });
        const secretKeys = stackSecretKeys(process.env);
        // Without the keys the group's own check (in the program) has judged it already.
        if (secretKeys !== undefined) report(clientIdStorageViolation(pulumi.getStack(), groups, pulumi.runtime.allConfig(), secretKeys), reportViolation);
      },
    },
  ],
});
