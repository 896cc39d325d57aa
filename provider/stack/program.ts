// The Pulumi program (the project's entry, index.ts): read the stack's file,
// check its customer and Client ID, resolve names against BirdEye, declare the
// component.
// Nothing is written to BirdEye before every check has passed.
// The SDK by module, not its index: the index loads the automation API and the TypeScript compiler (~0.5 s a run).
import { Config } from "@pulumi/pulumi/config";
import { RunError } from "@pulumi/pulumi/errors";
import * as log from "@pulumi/pulumi/log";
import { getStack } from "@pulumi/pulumi/metadata";
import type { Output } from "@pulumi/pulumi/output";
import { allConfig, getConfig } from "@pulumi/pulumi/runtime/config";
import { BirdEyeClient } from "../api/client";
import { BirdEyeApiError } from "../api/errors";
import { apiUrlViolation, formatViolation } from "../guardrails/rules";
import { secretStorageViolationsHere } from "../guardrails/client-id-storage";
import { checkGuardrailConfig } from "../guardrails/guardrail-config";
import { runError } from "./run-error";
import { CONFIG_SCHEMAS } from "../config/schemas";
import { CLIENT_ID_KEY, CONFIG_KEYS, CUSTOMER_KEY, keyParts, unknownConfigKeyProblem } from "../config/keys";
import * as path from "node:path";
import { CustomerConfigError, checkClientId, checkStackCustomer, stackFileRefusals } from "./customer-config";
import type { ConfigProblem } from "./customer-config";
import { Cloud9Integration } from "./component";
import type { MappingSummary } from "./component";
import type { ClientIdSource } from "../resources/group-provider";
import { NameResolutionError, resolveCustomerWithNames } from "./resolve";
import type { LookupNames } from "./resolve";

export interface StackOutputs {
  readonly groupId: Output<number>;
  /** How many mappings BirdEye holds for this stack, active and inactive. */
  readonly mappings: Output<MappingSummary>;
  /** Trigger and Cloud 9 location names from the program's lookups (read by `npm run review`). */
  readonly names: LookupNames;
  /**
   * Who set the Client ID state records: "birdeye-cloud9" (this stack created
   * the group with it), "support" (recorded on changedBySupport's word: BirdEye
   * cannot show a group's ClientID, so nothing confirms it), "adopted"; null:
   * state from before it was recorded.
   */
  readonly clientIdSetBy: Output<ClientIdSource | null>;
  /** The UTC date clientIdSetBy was recorded, like 2026-12-03. */
  readonly clientIdSetAt: Output<string | null>;
}

/** The stack file of the current stack (Pulumi.yaml keeps them in stacks/). */
export function stackFileName(stack: string = getStack()): string {
  return `stacks/Pulumi.${stack}.yaml`;
}

/** The program's own BirdEye client (name lookups): stack config, then environment, as the provider does. */
function lookupClient(secrets: readonly string[]): BirdEyeClient {
  const url = getConfig(CONFIG_KEYS.apiUrl.key) ?? process.env.BIRDEYE_API_URL;
  // getConfig returns the decrypted value of a secure key; it is only sent as a header.
  const key = getConfig(CONFIG_KEYS.apiKey.key) ?? process.env.BIRDEYE_API_KEY;
  return new BirdEyeClient({
    baseUrl: url === undefined || url === "" ? CONFIG_KEYS.apiUrl.default : url,
    ...(key === undefined || key === "" ? {} : { apiKey: key }),
    secrets,
    log: (line) => log.info(line),
  });
}

/** Keys of this project's namespaces that it does not know (a misspelt birdeye:apiUrl would send calls elsewhere). */
function unknownKeyProblems(): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const raw of Object.keys(allConfig())) {
    const key = raw.replace(":config:", ":"); // the SDK's internal form is <namespace>:config:<name>
    const message = unknownConfigKeyProblem(key);
    if (message !== undefined) problems.push({ keyPath: key, path: [key], message });
  }
  return problems;
}

/** birdeye:maxConcurrency, read by the provider only once BirdEye has been called: judged here, before the program's lookups. */
function providerKeyProblems(): ConfigProblem[] {
  const key = CONFIG_KEYS.maxConcurrency.key;
  const text = getConfig(key);
  if (text === undefined || text === "") return [];
  const parsed = CONFIG_SCHEMAS.maxConcurrency.safeParse(text);
  return parsed.success ? [] : [{ keyPath: key, path: [key], message: parsed.error.issues[0]?.message ?? "is not valid; see docs/stack-files.md" }];
}

export async function runCustomerStack(): Promise<StackOutputs> {
  const stackFile = stackFileName();
  const customerKey = keyParts(CUSTOMER_KEY);
  const clientIdKey = keyParts(CLIENT_ID_KEY);
  // The raw value, only to check its form before anything runs; the resources
  // get the secret Output from requireSecret below.
  const rawClientId = getConfig(CLIENT_ID_KEY)?.trim();
  let customerValue: unknown;
  try {
    customerValue = new Config(customerKey.namespace).getObject<unknown>(customerKey.name);
  } catch {
    throw new RunError(new CustomerConfigError(stackFile, [{ keyPath: CUSTOMER_KEY, path: [CUSTOMER_KEY], message: "is not a structured value; write it as a YAML mapping (see docs/stack-files.md)" }]).message);
  }
  // A locationsFile is relative to the stack file's folder; the program runs in the project's.
  const { customer, problems } = checkStackCustomer(customerValue, { dir: path.resolve(path.dirname(stackFile)), shown: path.posix.dirname(stackFile) });
  const guardrails = checkGuardrailConfig();
  const refused = stackFileRefusals(stackFile);
  const refusedPaths = new Set(refused.map((p) => p.keyPath));
  const all = [...refused, ...[...problems, ...checkClientId(rawClientId), ...unknownKeyProblems(), ...providerKeyProblems(), ...guardrails.problems].filter((p) => !refusedPaths.has(p.keyPath))];
  if (customer === undefined || rawClientId === undefined || all.length > 0) {
    throw new RunError(new CustomerConfigError(stackFile, all).message);
  }
  // The API URL and how the Client ID and the API key are stored (the secret
  // keys the engine gives every program), before the program's own lookups
  // send the API key or the Client ID anywhere. The rules about what a run
  // changes are the resources' own check.
  const violations = [
    apiUrlViolation(getStack(), ["cloud9-group", "cloud9-mappings"], getConfig(CONFIG_KEYS.apiUrl.key), process.env),
    ...secretStorageViolationsHere([{ name: "cloud9-group", clientId: rawClientId }]),
  ].filter((v) => v !== undefined);
  if (violations.length > 0) {
    const count = violations.length === 1 ? "1 guardrail violation" : `${violations.length} guardrail violations`;
    throw runError(`${stackFile}: ${count}; nothing was changed:\n${violations.map((v) => `  ${formatViolation(v)}`).join("\n")}`);
  }
  const clientId = new Config(clientIdKey.namespace).requireSecret(clientIdKey.name);

  const { customer: resolved, names } = await resolveCustomerWithNames(customer, lookupClient([rawClientId]), rawClientId).catch((error: unknown) => {
    if (error instanceof NameResolutionError) throw runError(`${stackFile}: ${error.message}`);
    // BirdEye unreachable or failing: its message names the call and what to do; a stack trace adds nothing.
    if (error instanceof BirdEyeApiError) throw runError(error.message);
    throw error;
  });
  const integration = new Cloud9Integration("cloud9", {
    customer: resolved,
    clientId,
    guardrails: { stack: getStack(), ...guardrails.limits, approve: guardrails.approvals },
  });
  return { groupId: integration.groupId, mappings: integration.mappingSummaries, names, clientIdSetBy: integration.clientIdSetBy, clientIdSetAt: integration.clientIdSetAt };
}
