// JSON text for the request bodies, laid out exactly as BirdEye's manual prints
// them (spacing and key order included), so that for the manual's inputs the
// bytes on the wire are the manual's bytes. Every leaf goes through
// JSON.stringify, so any value is still correctly escaped JSON; a test checks
// that each encoding parses back to its input.
import type {
  CreateGroupRequest,
  GroupProperty,
  GroupTrigger,
  MappingProperty,
  PutMappingRequest,
  UpdateTrigger,
  UpdateTriggersRequest,
} from "./schemas";

const j = (value: string | number | boolean): string => JSON.stringify(value);
const ids = (values: readonly number[]): string => `[${values.map(j).join(",")}]`;

// {"propertyKey": "ClientID","propertyValue": "608a...","isSecure": true}
function groupProperty(p: GroupProperty): string {
  return `{"propertyKey": ${j(p.propertyKey)},"propertyValue": ${j(p.propertyValue)},"isSecure": ${j(p.isSecure)}}`;
}

// {"triggerId":57,"triggerTypeId":1,"actionIds":[1]}
function groupTrigger(t: GroupTrigger | UpdateTrigger): string {
  const actions = t.actionIds === undefined ? "" : `,"actionIds":${ids(t.actionIds)}`;
  return `{"triggerId":${j(t.triggerId)},"triggerTypeId":${j(t.triggerTypeId)}${actions}}`;
}

// {"propertyKey": "location.code","propertyValue": "4"}
function mappingProperty(p: MappingProperty): string {
  return `{"propertyKey": ${j(p.propertyKey)},"propertyValue": ${j(p.propertyValue)}}`;
}

/** Manual, "Create Integration Group". */
export function encodeCreateGroup(body: CreateGroupRequest): string {
  return (
    `{ "parentBusinessNumber": ${j(body.parentBusinessNumber)}, "integrationSourceId": ${j(body.integrationSourceId)}, ` +
    `"integrationGroupProperties": [${body.integrationGroupProperties.map(groupProperty).join(", ")}], ` +
    `"integrationGroupTriggers":[${body.integrationGroupTriggers.map(groupTrigger).join(",")}]}`
  );
}

/** Manual, "Update Triggers Information". */
export function encodeUpdateTriggers(body: UpdateTriggersRequest): string {
  return `{ "groupId": ${j(body.groupId)} ,"integrationGroupTriggers":[${body.integrationGroupTriggers.map(groupTrigger).join(",")}]}`;
}

/**
 * Manual, "Integration Mapping" (SMB) and "Integration Mapping (For Enterprise
 * businesses)": the two bodies differ in spacing, and both are reproduced.
 * nextRunDate, which the manual never shows on the wire, is appended last.
 */
export function encodePutMapping(body: PutMappingRequest): string {
  const next = body.nextRunDate === undefined ? "" : `, "nextRunDate": ${j(body.nextRunDate)}`;
  if (body.integrationProperties === undefined) {
    return `{"businessNumber": ${j(body.businessNumber)},"integrationGroupId" : ${j(body.integrationGroupId)},"active": ${j(body.active)}${next}}`;
  }
  return (
    `{"businessNumber": ${j(body.businessNumber)},"integrationGroupId" : ${j(body.integrationGroupId)} , "active": ${j(body.active)}, ` +
    `"integrationProperties": [${body.integrationProperties.map(mappingProperty).join(", ")}]${next}}`
  );
}
