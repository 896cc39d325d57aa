// `npm run recover -- --stack <name> [--project <dir>] [--force]`: after a
// killed run, record what Pulumi could not know. --force cancels a lock whose
// run may still be alive. See tools/recover.ts.
import { recoverStack } from "../tools/recover";
import { runStackTool } from "./stack-tool";

runStackTool("recover", (target) => recoverStack({ ...target, force: target.flags.has("force") }), ["force"]);
