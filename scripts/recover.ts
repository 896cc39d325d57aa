// `npm run recover -- --stack <name> [--project <dir>] [--force] [--stale-lock-user <user>]`:
// after a killed run, record what Pulumi could not know. --force cancels a
// lock whose run may still be alive; --stale-lock-user cancels one that user
// holds on any host. See tools/recover.ts.
import { recoverStack } from "../tools/recover";
import { runStackTool } from "./stack-tool";

runStackTool(
  "recover",
  (target) => {
    const user = target.flags["stale-lock-user"];
    return recoverStack({ ...target, force: target.flags.force === true, ...(typeof user === "string" ? { staleLockUser: user } : {}) });
  },
  { force: "boolean", "stale-lock-user": "string" },
);
