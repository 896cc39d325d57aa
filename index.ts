// Pulumi program entry (Pulumi.yaml `main`): one customer per stack, read from
// stacks/Pulumi.<stack>.yaml. See provider/stack/program.ts.
import { runCustomerStack } from "./provider/stack/program";

export = runCustomerStack();
