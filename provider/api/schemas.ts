// Every BirdEye request and answer body, declared once as zod schemas; the
// TypeScript types below are inferred from them.
import { z } from "zod";
import { businessNumberProblem } from "./rules";

let built: ReturnType<typeof buildWireSchemas> | undefined;

/** The wire schemas, built on first use and shared by every client in a process. */
export function wireSchemas(): ReturnType<typeof buildWireSchemas> {
  built ??= buildWireSchemas();
  return built;
}

function buildWireSchemas() {
  const businessNumber = z.number().superRefine((value, ctx) => {
    const problem = businessNumberProblem(value);
    if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
  });
  const positiveId = z.number().int().positive();

  // ---- requests (strict: a typo in a key is a bug, not an extension) ----
  const groupProperty = z.strictObject({
    propertyKey: z.string().min(1),
    propertyValue: z.string(),
    isSecure: z.boolean(),
  });
  const groupTrigger = z.strictObject({
    triggerId: positiveId,
    triggerTypeId: positiveId,
    actionIds: z.array(positiveId).min(1),
  });
  const createGroupRequest = z.strictObject({
    parentBusinessNumber: businessNumber,
    integrationSourceId: positiveId,
    integrationGroupProperties: z.array(groupProperty).min(1),
    integrationGroupTriggers: z.array(groupTrigger).min(1),
  });
  // The manual's update body carries triggerId and triggerTypeId only;
  // actionIds is sent only when the caller gives it (assumption, see endpoints.ts).
  const updateTrigger = z.strictObject({
    triggerId: positiveId,
    triggerTypeId: positiveId,
    actionIds: z.array(positiveId).min(1).optional(),
  });
  const updateTriggersRequest = z.strictObject({
    groupId: positiveId,
    integrationGroupTriggers: z.array(updateTrigger).min(1),
  });
  const mappingProperty = z.strictObject({
    propertyKey: z.string().min(1),
    propertyValue: z.string(),
  });
  const putMappingRequest = z.strictObject({
    businessNumber,
    integrationGroupId: positiveId,
    active: z.boolean(),
    integrationProperties: z.array(mappingProperty).min(1).optional(),
    nextRunDate: z.string().optional(),
  });

  // ---- answers (loose: BirdEye may add fields; the ones we use must be right) ----
  const location = z.looseObject({
    locationGuid: z.string(),
    locationName: z.string(),
    // The manual shows a string ("4"); a numeric code is accepted and kept as text.
    locationCode: z.union([z.string().min(1), z.number().int().nonnegative()]).transform(String),
    locationCity: z.string().nullish(),
    locationState: z.string().nullish(),
  });
  const triggerType = z.looseObject({ id: positiveId, name: z.string() });
  const trigger = z.looseObject({
    id: positiveId,
    triggerService: z.string(),
    displayName: z.string(),
    description: z.string(),
    active: z.boolean(),
    integrationTriggerType: z.array(triggerType),
    actionGroupId: positiveId,
  });
  const integrationSourceType = z.looseObject({
    id: positiveId,
    integrationSource: z.string(),
    sourceCategory: z.string(),
    integrationType: z.string(),
    oauthEnabled: z.boolean(),
  });
  const liveTrigger = z.looseObject({
    triggerId: positiveId,
    triggerTypeId: positiveId,
    actionIds: z.array(positiveId).optional(),
  });
  const group = z.looseObject({
    groupId: positiveId,
    integrationSourceType,
    integrationGroupTriggers: z.array(liveTrigger),
  });
  // Not shown by the manual (assumption, see endpoints.ts): the created group,
  // of which only groupId is relied on; an empty answer is tolerated.
  const createGroupAnswer = z.looseObject({ groupId: positiveId });
  const errorBody = z.looseObject({
    code: z.number().optional(),
    errorCode: z.number().optional(),
    message: z.string().optional(),
    errorMessage: z.string().optional(),
  });

  return {
    businessNumber,
    groupProperty,
    groupTrigger,
    createGroupRequest,
    updateTrigger,
    updateTriggersRequest,
    mappingProperty,
    putMappingRequest,
    location,
    locations: z.array(location),
    trigger,
    triggers: z.array(trigger),
    integrationSourceType,
    liveTrigger,
    group,
    groups: z.array(group),
    createGroupAnswer,
    errorBody,
  };
}

export type WireSchemas = ReturnType<typeof buildWireSchemas>;
export type GroupProperty = z.infer<WireSchemas["groupProperty"]>;
export type GroupTrigger = z.infer<WireSchemas["groupTrigger"]>;
export type CreateGroupRequest = z.infer<WireSchemas["createGroupRequest"]>;
export type UpdateTrigger = z.infer<WireSchemas["updateTrigger"]>;
export type UpdateTriggersRequest = z.infer<WireSchemas["updateTriggersRequest"]>;
export type MappingProperty = z.infer<WireSchemas["mappingProperty"]>;
export type PutMappingRequest = z.infer<WireSchemas["putMappingRequest"]>;
export type Cloud9Location = z.output<WireSchemas["location"]>;
export type Trigger = z.infer<WireSchemas["trigger"]>;
export type IntegrationSourceType = z.infer<WireSchemas["integrationSourceType"]>;
export type LiveTrigger = z.infer<WireSchemas["liveTrigger"]>;
export type Group = z.infer<WireSchemas["group"]>;
export type ErrorBody = z.infer<WireSchemas["errorBody"]>;

/** "path.to[0].field: message; ..." for a zod error, path first, as people read it. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.reduce<string>(
        (acc, part) => (typeof part === "number" ? `${acc}[${part}]` : acc === "" ? String(part) : `${acc}.${String(part)}`),
        "",
      );
      return `${path === "" ? "(body)" : path}: ${issue.message}`;
    })
    .join("; ");
}
