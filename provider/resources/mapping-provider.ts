// IntegrationMapping lifecycle: one BirdEye business attached to an integration
// group (with its Cloud 9 location code for an Enterprise location). BirdEye
// offers only an upsert (PUT) for mappings: create and update put, delete puts
// active:false, and read cannot see BirdEye's side (no read call exists).
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { BirdEyeApiError, LOCATION_CODE_PROPERTY, businessNumberProblem, nextRunDateProblem } from "../api";
import type { PutMappingRequest } from "../api";
import { UNKNOWN, checkProps, describeFailures, once } from "./check";
import type { CheckFailure, Props } from "./check";
import { configureConnection, connectClient } from "./connection";
import { claimMapping, isMappingClaimed } from "./mapping-claims";

export interface MappingInputs {
  readonly businessNumber: number;
  readonly integrationGroupId: number;
  readonly active: boolean;
  readonly locationCode?: string;
  readonly nextRunDate?: string;
}

/** Properties that name a different mapping (BirdEye keys mappings by them). */
export const MAPPING_REPLACE_PROPERTIES = ["businessNumber", "integrationGroupId"] as const;

export const MAPPING_HINTS: Readonly<Record<string, string>> = {
  businessNumber: "use the Business ID of the BirdEye business (the SMB itself, or one Enterprise location), an integer like 150051042499080",
  integrationGroupId: "pass the IntegrationGroup's groupId output",
  active: "true (the default) to run the integration for this business, false to pause it",
  locationCode: 'use the Cloud 9 location code, a short string like "4", from GET /commonservices/cloud9/locations; leave it out for an SMB mapping',
  nextRunDate: "leave it out, or give an ISO 8601 UTC time inside the window",
};

/** The input schema (built once per process). */
export const mappingInputSchema = once(buildMappingInputSchema);

function buildMappingInputSchema() {
  return z
    .strictObject({
      businessNumber: z.number().superRefine((value, ctx) => {
        const problem = businessNumberProblem(value);
        if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
      }),
      integrationGroupId: z.number().int().positive(),
      active: z.boolean().default(true),
      locationCode: z
        .string()
        .trim()
        .min(1, { message: "is empty" })
        .max(64, { message: "is longer than any Cloud 9 location code" })
        .optional(),
      nextRunDate: z.string().optional(),
    });
}

/** NextRunDate's window depends on the kind of mapping: SMB without a location code, Enterprise with one. */
export function mappingWindowFailures(inputs: Props, unknownKeys: ReadonlySet<string>): CheckFailure[] {
  if (typeof inputs.nextRunDate !== "string" || unknownKeys.has("locationCode")) return [];
  const problem = nextRunDateProblem(inputs.nextRunDate, inputs.locationCode === undefined ? "smb" : "enterprise");
  return problem === undefined ? [] : [{ property: "nextRunDate", reason: `nextRunDate: ${problem}` }];
}

function checkMapping(props: Props): { inputs: Props; failures: CheckFailure[] } {
  return checkProps(mappingInputSchema(), props, MAPPING_HINTS, mappingWindowFailures);
}

/** The id of a mapping: BirdEye keys it by (group, business). */
export function mappingId(inputs: Pick<MappingInputs, "integrationGroupId" | "businessNumber">): string {
  return `${inputs.integrationGroupId}:${inputs.businessNumber}`;
}

/** The manual's SMB body, or its Enterprise body when there is a location code. */
export function mappingRequest(inputs: MappingInputs, active: boolean): PutMappingRequest {
  return {
    businessNumber: inputs.businessNumber,
    integrationGroupId: inputs.integrationGroupId,
    active,
    ...(inputs.locationCode === undefined ? {} : { integrationProperties: [{ propertyKey: LOCATION_CODE_PROPERTY, propertyValue: inputs.locationCode }] }),
    ...(inputs.nextRunDate === undefined ? {} : { nextRunDate: inputs.nextRunDate }),
  };
}

/** The inputs state holds, read loosely: only what a deactivation needs must be valid. */
function storedInputs(props: Props): MappingInputs {
  const businessNumber = props.businessNumber;
  const integrationGroupId = props.integrationGroupId;
  if (typeof businessNumber !== "number" || typeof integrationGroupId !== "number") return parseInputs(props);
  const locationCode = typeof props.locationCode === "string" && props.locationCode !== "" ? props.locationCode : undefined;
  // No nextRunDate: a deactivated mapping does not run, and a stored time
  // outside today's window would only make BirdEye refuse the deactivation.
  return { businessNumber, integrationGroupId, active: false, ...(locationCode === undefined ? {} : { locationCode }) } as MappingInputs;
}

function parseInputs(props: Props): MappingInputs {
  const { inputs, failures } = checkMapping(props);
  if (failures.length > 0) throw new Error(describeFailures("IntegrationMapping", failures));
  return inputs as unknown as MappingInputs;
}

/** Outputs: the inputs as applied (no undefined anywhere: the provider host rejects it). */
function outputsOf(inputs: MappingInputs): Props {
  return {
    businessNumber: inputs.businessNumber,
    integrationGroupId: inputs.integrationGroupId,
    active: inputs.active,
    ...(inputs.locationCode === undefined ? {} : { locationCode: inputs.locationCode }),
    ...(inputs.nextRunDate === undefined ? {} : { nextRunDate: inputs.nextRunDate }),
  };
}

export class IntegrationMappingProvider implements pulumi.dynamic.ResourceProvider {
  async configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
    await configureConnection(req);
  }

  async check(_olds: Props, news: Props): Promise<pulumi.dynamic.CheckResult> {
    const { inputs, failures } = checkMapping(news);
    return { inputs, failures: failures as CheckFailure[] };
  }

  async diff(_id: string, olds: Props, news: Props): Promise<pulumi.dynamic.DiffResult> {
    const differs = (key: string): boolean => news[key] === UNKNOWN || JSON.stringify(olds[key]) !== JSON.stringify(news[key]);
    const replaces = MAPPING_REPLACE_PROPERTIES.filter(differs);
    const changes = replaces.length > 0 || ["active", "locationCode", "nextRunDate"].some(differs);
    return { changes, replaces, deleteBeforeReplace: false };
  }

  async create(props: Props): Promise<pulumi.dynamic.CreateResult> {
    const inputs = parseInputs(props);
    await connectClient([], (line) => pulumi.log.info(line)).putMapping(mappingRequest(inputs, inputs.active));
    if (inputs.active) claimMapping(inputs.integrationGroupId, inputs.businessNumber);
    return { id: mappingId(inputs), outs: outputsOf(inputs) };
  }

  /** BirdEye has no read call for mappings: state is returned unchanged. */
  async read(id: string, props: Props): Promise<pulumi.dynamic.ReadResult> {
    return { id, props };
  }

  async update(_id: string, _olds: Props, news: Props): Promise<pulumi.dynamic.UpdateResult> {
    const inputs = parseInputs(news);
    await connectClient([], (line) => pulumi.log.info(line)).putMapping(mappingRequest(inputs, inputs.active));
    if (inputs.active) claimMapping(inputs.integrationGroupId, inputs.businessNumber);
    return { outs: outputsOf(inputs) };
  }

  /**
   * No delete call exists: the mapping is deactivated (active:false), unless
   * another resource of this deployment has just put the same BirdEye mapping
   * active (a replacement, a rename, a new parent): then it stays as it is.
   * State written by earlier versions is parsed loosely here (a stored
   * nextRunDate outside today's window must not block a destroy).
   */
  async delete(id: string, props: Props): Promise<void> {
    const inputs = storedInputs(props);
    if (isMappingClaimed(inputs.integrationGroupId, inputs.businessNumber)) {
      pulumi.log.info(`IntegrationMapping ${id}: another resource of this stack now holds this BirdEye mapping and has put it active, so it is left active`);
      return;
    }
    try {
      await connectClient([], (line) => pulumi.log.info(line)).putMapping(mappingRequest(inputs, false));
    } catch (error) {
      if (error instanceof BirdEyeApiError && error.status === 404) {
        pulumi.log.warn(`IntegrationMapping ${id}: its group ${inputs.integrationGroupId} no longer exists in BirdEye, so there is nothing to deactivate`);
        return;
      }
      throw error;
    }
  }
}

