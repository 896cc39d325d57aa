// The value of a stack file's birdeye-cloud9:customer key (declared with the
// others in ./keys.ts): one customer, a practice's Cloud 9 setup, and the one
// zod schema that checks it. The program, the component and the offline
// validator all use this schema: it is the single source of truth for a
// customer.
//
//   config:
//     birdeye-cloud9:clientId:            # Cloud9 Client ID: pulumi config set --secret clientId <uuid>
//       secure: v1:...
//     birdeye-cloud9:customer:
//       kind: enterprise                  # smb | enterprise
//       businessNumber: 150051042499080   # Enterprise ID (enterprise) or Business ID (smb)
//       awsHosted: false                  # is.aws.hosted
//       triggers: [Cloud 9 Dismissed Appointments Trigger]   # id, display name or service name
//       locations:                        # enterprise only
//         - { businessNumber: 150051042499081, locationCode: "4" }
//         - { businessNumber: 150051042499082, locationName: S Corp Benicia, nextRunDate: 2026-11-25T04:00:00Z }
//         - { businessNumber: 150051042499083, locationCode: "8", active: false }   # paused: kept, deactivated in BirdEye
import { z } from "zod";
import { DISMISSED_APPOINTMENTS_TRIGGER_ID, businessNumberProblem, nextRunDateProblem } from "../api/rules";

const businessNumber = z.number({ error: "must be a number (the Business ID from the BirdEye dashboard)" }).superRefine((value, ctx) => {
  const problem = businessNumberProblem(value);
  if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
});

// YAML reads `locationCode: 4` as a number; Cloud 9 codes are text ("4").
const locationCode = z
  .union([z.string(), z.number().int().nonnegative()], { error: 'must be the Cloud 9 location code as text, like "4"' })
  .transform((value) => String(value).trim())
  .pipe(z.string().min(1, { error: 'is empty; write the Cloud 9 location code, like "4"' }));

const isoUtc = z.string({ error: "must be an ISO 8601 UTC date-time like 2026-11-25T06:30:00Z" });

/** The names BirdEye's manual gives trigger 57, so one trigger named twice in different forms is caught offline. */
const KNOWN_TRIGGER_NAMES: Readonly<Record<string, number>> = {
  "cloud 9 dismissed appointments trigger": DISMISSED_APPOINTMENTS_TRIGGER_ID,
  cloud9dismissedappointmentstriggerservice: DISMISSED_APPOINTMENTS_TRIGGER_ID,
};

const TRIGGER_EXAMPLE = 'like 57, "Cloud 9 Dismissed Appointments Trigger" or "cloud9DismissedAppointmentsTriggerService"';
const triggerRef = z.union([z.number().int().positive({ error: `is not a trigger id: ids are whole numbers from 1; write a trigger's id or name, ${TRIGGER_EXAMPLE}` }), z.string().trim().min(1, { error: `is empty; write a trigger's id or name, ${TRIGGER_EXAMPLE}` })], {
  error: 'must be a trigger id (57), its display name ("Cloud 9 Dismissed Appointments Trigger") or its service name ("cloud9DismissedAppointmentsTriggerService")',
});

/** One Enterprise location: a BirdEye business and the Cloud 9 location it maps to. */
export const locationSchema = z.strictObject({
  businessNumber,
  locationCode: locationCode.optional(),
  locationName: z.string().trim().min(1, { error: "is empty; write the Cloud 9 location name, or use locationCode" }).optional(),
  nextRunDate: isoUtc.optional(),
  /** false pauses the location: kept in the file, its mapping deactivated in BirdEye (counted by the mass-deactivation guardrail). */
  active: z.boolean({ error: "must be true or false (false pauses the location: its mapping is deactivated in BirdEye and kept in the file)" }).optional(),
});

export const customerConfigSchema = z
  .strictObject({
    kind: z.enum(["smb", "enterprise"], { error: "must be smb (single-location business) or enterprise (multi-location)" }),
    businessNumber,
    awsHosted: z.boolean({ error: "must be true or false (is the practice's Cloud 9 AWS hosted?)" }).default(false),
    triggers: z.array(triggerRef).min(1, { error: "needs at least one trigger; leave triggers out for the Dismissed Appointments trigger (57)" }).default([DISMISSED_APPOINTMENTS_TRIGGER_ID]),
    adopt: z.boolean({ error: "must be true or false (take over a Cloud9 group the business already has?)" }).default(false),
    changedBySupport: z.boolean({ error: "must be true or false (has BirdEye support already changed the group's ClientID or is.aws.hosted to this stack's values?)" }).default(false),
    offboard: z.boolean({ error: "must be true or false (is the practice leaving: deactivate every mapping, then allow pulumi destroy?)" }).default(false),
    nextRunDate: isoUtc.optional(),
    locations: z.array(locationSchema).optional(),
    /** The locations in a file beside the stack file (locations-file.ts); the loader puts them into `locations`. */
    locationsFile: z.string().optional(),
  })
  .superRefine((customer, ctx) => {
    const issue = (path: (string | number)[], message: string): void => ctx.addIssue({ code: "custom", path, message });
    if (customer.kind === "smb") {
      if (customer.locations !== undefined) {
        issue([customer.locationsFile === undefined ? "locations" : "locationsFile"], `an SMB stack has no locations: remove ${customer.locationsFile === undefined ? "locations" : "locationsFile"} (the SMB business itself is mapped), or set kind: enterprise`);
      }
      if (customer.nextRunDate !== undefined) {
        const problem = nextRunDateProblem(customer.nextRunDate, "smb");
        if (problem !== undefined) issue(["nextRunDate"], problem);
      }
    } else {
      if (customer.locations === undefined || customer.locations.length === 0) {
        issue(["locations"], "an Enterprise stack needs its locations: add locations with one { businessNumber, locationCode } per BirdEye business (or name a file of them in locationsFile), or set kind: smb");
      }
      if (customer.nextRunDate !== undefined) {
        issue(["nextRunDate"], "an Enterprise stack sets nextRunDate per location: move it into each location");
      }
    }
    const seenBusiness = new Map<number, number>([[customer.businessNumber, -1]]);
    const seenCode = new Map<string, number>();
    const seenName = new Map<string, number>();
    (customer.locations ?? []).forEach((loc, i) => {
      const before = seenBusiness.get(loc.businessNumber);
      if (before === -1) issue(["locations", i, "businessNumber"], `${loc.businessNumber} is the Enterprise ID itself; write the Business ID of this location`);
      else if (before !== undefined) issue(["locations", i, "businessNumber"], `business ${loc.businessNumber} is already mapped at locations[${before}]; each business once`);
      seenBusiness.set(loc.businessNumber, before ?? i);
      if ((loc.locationCode === undefined) === (loc.locationName === undefined)) {
        issue(["locations", i], "give exactly one of locationCode (like \"4\") or locationName (the Cloud 9 location name)");
      }
      if (loc.locationCode !== undefined) {
        const at = seenCode.get(loc.locationCode);
        if (at !== undefined) issue(["locations", i, "locationCode"], `location code "${loc.locationCode}" is already used at locations[${at}]; each Cloud 9 location maps to one business`);
        else seenCode.set(loc.locationCode, i);
      }
      if (loc.locationName !== undefined) {
        const at = seenName.get(loc.locationName.toLowerCase());
        if (at !== undefined) issue(["locations", i, "locationName"], `location "${loc.locationName}" is already used at locations[${at}]; each Cloud 9 location maps to one business`);
        else seenName.set(loc.locationName.toLowerCase(), i);
      }
      if (loc.nextRunDate !== undefined) {
        const problem = nextRunDateProblem(loc.nextRunDate, "enterprise");
        if (problem !== undefined) issue(["locations", i, "nextRunDate"], problem);
      }
    });
    const seenTrigger = new Map<string, number>();
    customer.triggers.forEach((trigger, i) => {
      const text = String(trigger).toLowerCase();
      const key = String(KNOWN_TRIGGER_NAMES[text] ?? text);
      const at = seenTrigger.get(key);
      if (at === undefined) seenTrigger.set(key, i);
      else if (String(customer.triggers[at]).toLowerCase() === text) issue(["triggers", i], `trigger ${JSON.stringify(trigger)} is listed twice; list each trigger once`);
      else issue(["triggers", i], `${JSON.stringify(trigger)} is trigger ${key}, already listed at triggers[${at}] as ${JSON.stringify(customer.triggers[at])}; list each trigger once`);
    });
  });

export type CustomerConfigInput = z.input<typeof customerConfigSchema>;
export type CustomerConfig = z.output<typeof customerConfigSchema>;
