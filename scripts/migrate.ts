// `npm run migrate -- --stack <name> [--project <dir>]`: move a stack's state
// from one resource per mapping (earlier releases) to one IntegrationMappingSet,
// without any call to BirdEye. See tools/migrate.ts.
import { migrateStack } from "../tools/migrate";
import { runStackTool } from "./stack-tool";

runStackTool("migrate", migrateStack);
