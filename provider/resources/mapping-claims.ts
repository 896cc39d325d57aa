// Which BirdEye mappings this deployment has put active. BirdEye keeps one
// mapping per (group, business), so two Pulumi resources can stand for the
// same record: after `pulumi up --replace`, a rename of the component, or a
// move to another parent without an alias, the engine creates the new resource
// first and then deletes the old one, and a delete that deactivated the record
// would switch off the mapping the new resource had just put. The engine starts
// one provider process per deployment, so this process-wide record is exactly
// "put active by this deployment"; the group's diff (which every deployment
// makes for an existing group before it writes any of its mappings) forgets
// what earlier deployments recorded for that group, for hosts that serve
// several (the test harness).
//
// Lifecycle code: loaded at run time, never serialized into state.

const claimed = new Set<string>();

const key = (integrationGroupId: number, businessNumber: number): string => `${integrationGroupId}:${businessNumber}`;

/** A create or update put this mapping active. */
export function claimMapping(integrationGroupId: number, businessNumber: number): void {
  claimed.add(key(integrationGroupId, businessNumber));
}

/** Did a resource of this deployment put this mapping active? */
export function isMappingClaimed(integrationGroupId: number, businessNumber: number): boolean {
  return claimed.has(key(integrationGroupId, businessNumber));
}

/** A new deployment reached this group: forget earlier deployments' claims on it. */
export function forgetClaims(integrationGroupId: number): void {
  const prefix = `${integrationGroupId}:`;
  for (const entry of claimed) if (entry.startsWith(prefix)) claimed.delete(entry);
}
