// Pulumi program entry (Pulumi.yaml `main`): one customer per stack, read from
// stacks/Pulumi.<stack>.yaml. See provider/stack/program.ts.
import { startHostReaper } from "./provider/resources/engine-watchdog";
import { startProviderHost } from "./provider/stack/provider-host-start";

// Before the host starts: what ends it if this run is killed before it loads this package.
startHostReaper();

// First, before the program's own modules load: Pulumi's provider host starts
// while they load, check the stack file and look names up.
void startProviderHost();

// The program on the next turn of the event loop, so that the request above is sent first.
const outputs = new Promise<void>((resolve) => setImmediate(resolve))
  .then(() => import("./provider/stack/program"))
  .then(({ runCustomerStack }) => runCustomerStack());
// Pulumi awaits this promise once it has imported the entry. Marked handled
// here, so that a stack file the program refuses is reported once, not also by
// Node as a rejection handled late. (An exported function instead keeps a failed
// run's program alive for ~20 s.)
outputs.catch(() => undefined);

export = outputs;
