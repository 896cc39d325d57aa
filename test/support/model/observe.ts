// What the invariants look at, read without running a command: BirdEye (the
// emulator's state) and each stack's checkpoint in the file backend
// (<backend>/.pulumi/stacks/<project>/<stack>.json), parsed loosely with zod:
// the engine's format is Pulumi's, not this project's.
import * as fs from "node:fs";
import * as path from "node:path";
import { z } from "zod";
import type { EmulatorState } from "../../../emulator";
import type { TempProject } from "../real-cli";

const resourceSchema = z.looseObject({
  urn: z.string(),
  type: z.string(),
  id: z.string().optional(),
  inputs: z.record(z.string(), z.unknown()).optional(),
  outputs: z.record(z.string(), z.unknown()).optional(),
});
const checkpointSchema = z.looseObject({
  checkpoint: z.looseObject({
    latest: z.looseObject({ resources: z.array(resourceSchema).nullish(), pending_operations: z.array(z.unknown()).nullish() }).nullish(),
  }),
});

const entrySchema = z.looseObject({ active: z.boolean().optional(), locationCode: z.string().optional(), nextRunDate: z.string().optional() });
const setOutputsSchema = z.looseObject({
  integrationGroupId: z.number().optional(),
  mappings: z.record(z.string(), entrySchema).optional(),
  unconfirmed: z.array(z.string()).optional(),
});
const groupOutputsSchema = z.looseObject({
  parentBusinessNumber: z.number().optional(),
  triggers: z.array(z.looseObject({ triggerId: z.number() })).optional(),
});
const stackOutputsSchema = z.looseObject({ names: z.looseObject({ client: z.looseObject({ clientId: z.string().optional() }).optional() }).optional() });

export interface StackState {
  readonly urns: { readonly group?: string; readonly set?: string };
  readonly pendingOperations: number;
  readonly group?: { readonly id: number; readonly parentBusinessNumber?: number; readonly triggers?: readonly number[] };
  readonly set?: { readonly integrationGroupId?: number; readonly mappings: Readonly<Record<string, z.infer<typeof entrySchema>>>; readonly unconfirmed: readonly string[] };
  /** The Client ID fingerprint the stack's outputs record (names.client.clientId). */
  readonly clientFingerprint?: string;
}

export interface Observation {
  readonly birdeye: EmulatorState;
  readonly stacks: ReadonlyMap<string, StackState>;
}

export function checkpointFile(project: TempProject, stack: string): string {
  return path.join(project.base, "backend", ".pulumi", "stacks", "birdeye-cloud9", `${stack}.json`);
}

export function readStackState(project: TempProject, stack: string): StackState {
  const file = checkpointFile(project, stack);
  if (!fs.existsSync(file)) return { urns: {}, pendingOperations: 0 };
  const parsed = checkpointSchema.parse(JSON.parse(fs.readFileSync(file, "utf8")));
  const latest = parsed.checkpoint.latest;
  const resources = latest?.resources ?? [];
  const group = resources.find((r) => r.type.endsWith(":IntegrationGroup"));
  const set = resources.find((r) => r.type.endsWith(":IntegrationMappingSet"));
  const stackResource = resources.find((r) => r.type === "pulumi:pulumi:Stack");
  const groupOut = groupOutputsSchema.safeParse(group?.outputs ?? {});
  const setOut = setOutputsSchema.safeParse(set?.outputs ?? {});
  const stackOut = stackOutputsSchema.safeParse(stackResource?.outputs ?? {});
  const fingerprint = stackOut.success ? stackOut.data.names?.client?.clientId : undefined;
  return {
    urns: { ...(group === undefined ? {} : { group: group.urn }), ...(set === undefined ? {} : { set: set.urn }) },
    pendingOperations: latest?.pending_operations?.length ?? 0,
    ...(group?.id === undefined
      ? {}
      : {
          group: {
            id: Number(group.id),
            ...(groupOut.success && groupOut.data.parentBusinessNumber !== undefined ? { parentBusinessNumber: groupOut.data.parentBusinessNumber } : {}),
            ...(groupOut.success && groupOut.data.triggers !== undefined ? { triggers: groupOut.data.triggers.map((t) => t.triggerId).sort() } : {}),
          },
        }),
    ...(set === undefined || !setOut.success
      ? {}
      : { set: { ...(setOut.data.integrationGroupId === undefined ? {} : { integrationGroupId: setOut.data.integrationGroupId }), mappings: setOut.data.mappings ?? {}, unconfirmed: setOut.data.unconfirmed ?? [] } }),
    ...(fingerprint === undefined ? {} : { clientFingerprint: fingerprint }),
  };
}

export function observe(project: TempProject, stacks: readonly string[]): Observation {
  return { birdeye: structuredClone(project.emulator.state), stacks: new Map(stacks.map((s) => [s, readStackState(project, s)])) };
}

/** Every file of the backend, as text (the secrets invariant searches them). */
export function backendFiles(project: TempProject): { file: string; text: string }[] {
  const root = path.join(project.base, "backend");
  return fs
    .readdirSync(root, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => ({ file: path.relative(root, path.join(e.parentPath, e.name)), text: fs.readFileSync(path.join(e.parentPath, e.name), "latin1") }));
}
