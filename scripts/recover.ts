// `npm run recover -- --stack <name> [--project <dir>]`: after a killed run,
// record what Pulumi could not know. See provider/tools/recover.ts.
import { recoverStack } from "../provider/tools/recover";
import { runStackTool } from "./stack-tool";

runStackTool("recover", recoverStack);
