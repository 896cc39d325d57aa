// The facts `npm run review` reports per stack, declared once: the Markdown is
// rendered from them and `--json` prints them as they are.
import { z } from "zod";
import { CLIENT_ID_SOURCES } from "../../provider/resources/group-provider";

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
  active: z.boolean(),
  /** The integration group the mapping is written under; null: a new group, whose id is known once it exists. */
  groupId: z.number().nullable(),
});
export type MappingFact = z.infer<typeof mappingFactSchema>;

/**
 * Why a mapping goes inactive: removed from the stack file; `active: false`;
 * its group moves (the former group's mappings); left active under a former
 * group by an earlier, unfinished move; the set deleted; or a pending delete
 * (a set an interrupted run left in state marked for deletion).
 */
export const deactivationCauseSchema = z.enum(["removed", "inactive", "group-move", "earlier-move", "delete", "pending-delete"]);

export const deactivationSchema = mappingFactSchema.extend({ cause: deactivationCauseSchema });
export type Deactivation = z.infer<typeof deactivationSchema>;

export const changedFieldSchema = z.enum(["locationCode", "nextRunDate", "active"]);

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
    /**
     * Who set the Client ID that state records before this run, and the date:
     * "support" was recorded on changedBySupport's word and nothing confirms
     * BirdEye holds it; null: not recorded (state from before issue 19, or no group yet).
     */
    clientIdSetBy: z.enum(CLIENT_ID_SOURCES).nullable(),
    clientIdSetAt: z.string().nullable(),
  }),
  /** Per business, from the mapping set's steps: what BirdEye holds (its old outputs) against the new inputs. */
  mappings: z.object({
    added: z.array(mappingFactSchema),
    deactivated: z.array(deactivationSchema),
    /** fields: what differs; unconfirmed: put again because its last write got no answer. */
    changed: z.array(z.object({ before: mappingFactSchema, after: mappingFactSchema, fields: z.array(changedFieldSchema), unconfirmed: z.boolean() })),
    unchanged: z.number(),
    /** The set moves to another group: the former group's active mappings go inactive, every mapping is put under the new one (toGroupId null: not created yet). */
    groupMove: z.object({ fromGroupId: z.number(), toGroupId: z.number().nullable(), deactivated: z.number(), put: z.number() }).nullable(),
    /** Sets an interrupted run left in state marked for deletion: `pulumi up` deletes them, deactivating what they hold. */
    pendingDeletes: z.array(z.object({ id: z.string(), deactivated: z.number() })),
    /** Resources of the retired IntegrationMapping (one per mapping) still in state. */
    legacyResources: z.number(),
    /** The new mappings depend on values the preview does not know: what is written is known only when `pulumi up` runs. */
    unknown: z.boolean(),
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
