// One customer's Cloud 9 setup as written in its stack file, and the one zod
// schema that checks it. The program, the component and the offline validator
// all use this schema: it is the single source of truth for stack files.
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
import { z } from "zod";
import { DISMISSED_APPOINTMENTS_TRIGGER_ID, UUID_PATTERN, businessNumberProblem, nextRunDateProblem } from "../api/rules";
import { LOCATIONS_FILE_FIELD, locationsFilePathProblem, locationsFileShown, readLocationsFile } from "./locations-file";
import type { LocationsSource } from "./locations-file";

/** The project's config namespace (Pulumi.yaml `name`). */
export const CONFIG_NAMESPACE = "birdeye-cloud9";
/** Stack config key holding the customer (a structured value). */
export const CUSTOMER_KEY = `${CONFIG_NAMESPACE}:customer`;
/** Stack config key holding the Cloud9 Client ID (set with --secret). */
export const CLIENT_ID_KEY = `${CONFIG_NAMESPACE}:clientId`;

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

const triggerRef = z.union([z.number().int().positive(), z.string().trim().min(1)], {
  error: 'must be a trigger id (57), its display name ("Cloud 9 Dismissed Appointments Trigger") or its service name ("cloud9DismissedAppointmentsTriggerService")',
});

const location = z.strictObject({
  businessNumber,
  locationCode: locationCode.optional(),
  locationName: z.string().trim().min(1, { error: "is empty; write the Cloud 9 location name, or use locationCode" }).optional(),
  nextRunDate: isoUtc.optional(),
});

export const customerConfigSchema = z
  .strictObject({
    kind: z.enum(["smb", "enterprise"], { error: "must be smb (single-location business) or enterprise (multi-location)" }),
    businessNumber,
    awsHosted: z.boolean({ error: "must be true or false (is the practice's Cloud 9 AWS hosted?)" }).default(false),
    triggers: z.array(triggerRef).min(1, { error: "needs at least one trigger; leave triggers out for the Dismissed Appointments trigger (57)" }).default([DISMISSED_APPOINTMENTS_TRIGGER_ID]),
    adopt: z.boolean({ error: "must be true or false (take over a Cloud9 group the business already has?)" }).default(false),
    changedBySupport: z.boolean({ error: "must be true or false (has BirdEye support already changed the group's ClientID or is.aws.hosted to this stack's values?)" }).default(false),
    nextRunDate: isoUtc.optional(),
    locations: z.array(location).optional(),
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

/** One problem in a stack file: the key path as written there, and what to do. */
export interface ConfigProblem {
  /** e.g. `birdeye-cloud9:customer.locations[1].locationCode`; in a locations file, `locations[1].locationCode` */
  readonly keyPath: string;
  /** The same path as parts, for finding the line in the stack file's YAML. */
  readonly path: readonly (string | number)[];
  readonly message: string;
  /** Set when the problem is in a locations file, not the stack file: that file as shown, and the line. */
  readonly file?: string;
  readonly line?: number;
}

/** How a problem reads in a list under its stack file's name. */
export function problemText(problem: ConfigProblem): string {
  const where = problem.file === undefined ? "" : `${problem.file}${problem.line === undefined ? "" : `:${problem.line}`}: `;
  return `${where}${problem.keyPath}: ${problem.message}`;
}

export class CustomerConfigError extends Error {
  constructor(
    readonly stackFile: string,
    readonly problems: readonly ConfigProblem[],
  ) {
    super(`${stackFile}: ${problems.length} problem${problems.length === 1 ? "" : "s"}:\n${problems.map((p) => `  ${problemText(p)}`).join("\n")}`);
    this.name = "CustomerConfigError";
  }
}

export function keyPathText(key: string, path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, part) => (typeof part === "number" ? `${acc}[${part}]` : `${acc}.${String(part)}`), key);
}

const KIND_WORDS: Readonly<Record<string, string>> = { array: "a list (a YAML sequence)", object: "a mapping (key: value lines)", number: "a number", string: "text", boolean: "true or false", int: "a whole number" };

/** zod's own texts ("Invalid input: expected array, received string", "Too big: ...") in this project's words. */
function ownWords(issue: z.core.$ZodIssue): string {
  if (!/^(Invalid|Too (big|small)|Expected)/.test(issue.message)) return issue.message;
  switch (issue.code) {
    case "invalid_type":
      return `must be ${KIND_WORDS[issue.expected] ?? issue.expected}; see docs/stack-files.md for how to write it`;
    case "too_big":
      return `is too large (at most ${String(issue.maximum)}); see docs/stack-files.md`;
    case "too_small":
      return `is too small (at least ${String(issue.minimum)}); see docs/stack-files.md`;
    default:
      return "is not valid here; see docs/stack-files.md for how to write it";
  }
}

/** Problems with the customer value, or the parsed customer. */
export function checkCustomerConfig(value: unknown): { customer?: CustomerConfig; problems: ConfigProblem[] } {
  if (value === undefined) {
    return { problems: [{ keyPath: CUSTOMER_KEY, path: [CUSTOMER_KEY], message: "is missing; add the customer (kind, businessNumber, ...) to the stack file (see docs/stack-files.md)" }] };
  }
  const parsed = customerConfigSchema.safeParse(value);
  if (parsed.success) return { customer: parsed.data, problems: [] };
  return {
    problems: parsed.error.issues.map((issue) => {
      const path = issue.code === "unrecognized_keys" ? [...issue.path, issue.keys[0] ?? ""] : issue.path;
      const message =
        issue.code === "unrecognized_keys"
          ? `is not a customer key; the keys are ${Object.keys(issue.path.length === 0 ? customerConfigSchema.shape : location.shape).join(", ")}`
          : ownWords(issue);
      const parts = path.map((p) => (typeof p === "symbol" ? String(p) : p));
      return { keyPath: keyPathText(CUSTOMER_KEY, parts), path: [CUSTOMER_KEY, ...parts], message };
    }),
  };
}

/** Problems with the Client ID value; never repeats it. */
export function checkClientId(value: string | undefined): ConfigProblem[] {
  if (value === undefined || value === "") {
    return [{ keyPath: CLIENT_ID_KEY, path: [CLIENT_ID_KEY], message: "is missing; set it with `pulumi config set --secret clientId <Cloud9 Client ID>`" }];
  }
  if (!UUID_PATTERN.test(value.trim())) {
    return [{ keyPath: CLIENT_ID_KEY, path: [CLIENT_ID_KEY], message: "is not a UUID (value not shown: it is secret); set the Client ID Cloud 9 sent, of the form xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx, with `pulumi config set --secret clientId <uuid>`" }];
  }
  return [];
}

/** Where a stack file's relative paths (locationsFile) start: the folder on disk, and how messages name it. */
export interface StackFolder {
  readonly dir: string;
  readonly shown: string;
}

/**
 * The customer of a stack file, with its locations read from `locationsFile`
 * when it names one: the program and `npm run validate` both check a stack
 * this way, so they agree on every problem and its line.
 */
/** A stack's locations file as checkStackCustomer read it, for the callers' own checks (read once). */
export interface LocationsFileContents {
  /** As messages name it, e.g. stacks/locations/acme.yaml */
  readonly shown: string;
  readonly text: string;
  /** Present when the file holds a locations list. */
  readonly source?: LocationsSource;
}

export function checkStackCustomer(value: unknown, folder: StackFolder): { customer?: CustomerConfig; problems: ConfigProblem[]; locationsFile?: LocationsFileContents } {
  if (typeof value !== "object" || value === null || Array.isArray(value) || !(LOCATIONS_FILE_FIELD in value)) return checkCustomerConfig(value);
  const customer = value as Record<string, unknown>;
  const at = [CUSTOMER_KEY, LOCATIONS_FILE_FIELD];
  const here = (message: string): ConfigProblem => ({ keyPath: keyPathText(CUSTOMER_KEY, [LOCATIONS_FILE_FIELD]), path: at, message });
  const pathProblem = locationsFilePathProblem(customer[LOCATIONS_FILE_FIELD]);
  if (pathProblem !== undefined) return { problems: [here(pathProblem)] };
  // Read whenever it is named, so that callers can check its contents (validate: no Client ID in it) in every case.
  const relative = String(customer[LOCATIONS_FILE_FIELD]);
  const read = readLocationsFile(folder.dir, folder.shown, relative);
  const shown = locationsFileShown(folder.shown, relative);
  const contents = read.text === undefined ? {} : { locationsFile: { shown, text: read.text } };
  if (customer.locations !== undefined) return { problems: [here("is given with locations; keep the locations in one place: the file named here, or the stack file's locations list")], ...contents };
  if (customer.kind === "smb") return { ...checkCustomerConfig({ ...customer, locations: [] }), ...contents };
  if ("problems" in read) {
    return {
      problems: read.problems.map((p) => (p.file === undefined ? here(p.message) : { keyPath: p.keyPath, path: at, message: p.message, file: p.file, ...(p.line === undefined ? {} : { line: p.line }) })),
      ...contents,
    };
  }
  const checked = checkCustomerConfig({ ...customer, locations: read.locations });
  return {
    ...checked,
    locationsFile: { shown, text: read.text, source: read.source },
    problems: checked.problems.map((problem) => {
      const [, field, ...rest] = problem.path;
      if (field !== "locations" || rest.length === 0) return problem;
      const inFile = ["locations", ...rest];
      return { ...problem, keyPath: keyPathText("locations", rest), file: read.source.shown, line: read.source.lineOf(inFile) };
    }),
  };
}
