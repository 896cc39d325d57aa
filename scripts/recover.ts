// `npm run recover -- --stack <name> [--project <dir>]`: after a killed run,
// record what Pulumi could not know. See tools/recover.ts.
import { recoverStack } from "../tools/recover";
import { runStackTool } from "./stack-tool";

runStackTool("recover", recoverStack);
