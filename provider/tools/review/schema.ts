// The facts `npm run review` reports per stack, declared once: the Markdown is
// rendered from them and `--json` prints them as they are.
import { z } from "zod";

export const triggerRefSchema = z.object({ id: z.number(), name: z.string().nullable() });
export type TriggerRef = z.infer<typeof triggerRefSchema>;

/** One mapping as it is (or will be): the BirdEye business and, for an Enterprise location, its Cloud 9 location. */
export const mappingFactSchema = z.object({
  businessNumber: z.number(),
  locationCode: z.string().nullable(),
  /** The Cloud 9 location name, from the program's locations lookup. */
  locationName: z.string().nullable(),
  nextRunDate: z.string().nullable(),
  /** The NextRunDate window of this kind of mapping, e.g. "03:00-10:00 UTC". */
  window: z.string(),
});
export type MappingFact = z.infer<typeof mappingFactSchema>;

export const groupChangeSchema = z.enum(["create", "update", "replace", "delete", "unchanged"]);
export type GroupChange = z.infer<typeof groupChangeSchema>;

export const stackReviewSchema = z.object({
  stack: z.string(),
  kind: z.enum(["smb", "enterprise"]).nullable(),
  /** Business ID (SMB) or Enterprise ID: the group's parentBusinessNumber. */
  businessNumber: z.number().nullable(),
  /** The preview's error, when it failed (then group and mappings say only what was seen). */
  error: z.string().nullable(),
  group: z.object({
    change: groupChangeSchema.nullable(),
    groupId: z.number().nullable(),
    /** create: with adopt: true an existing group of the business is taken over instead. */
    adopt: z.boolean(),
    triggers: z.array(triggerRefSchema),
    triggersAdded: z.array(triggerRefSchema),
    triggersRemoved: z.array(triggerRefSchema),
    /** Values are never shown. */
    clientIdChanged: z.boolean(),
    awsHostedChanged: z.boolean(),
    changedBySupport: z.boolean(),
  }),
  mappings: z.object({
    added: z.array(mappingFactSchema),
    deactivated: z.array(mappingFactSchema),
    changed: z.array(z.object({ before: mappingFactSchema, after: mappingFactSchema, replaced: z.boolean() })),
    unchanged: z.number(),
  }),
  /** What will not change, and why. */
  notChanged: z.array(z.string()),
  /** Pulumi's own step counts by operation (same, create, update, replace, delete, ...). */
  steps: z.record(z.string(), z.number()),
});
export type StackReview = z.infer<typeof stackReviewSchema>;

export const reviewSchema = z.object({
  review: z.literal(1),
  /** Why these stacks (--changed-since). */
  notes: z.array(z.string()),
  stacks: z.array(stackReviewSchema),
});
export type Review = z.infer<typeof reviewSchema>;
