// Where a command is, without running it: the quick start, onboard and fleet
// each need to know whether the Pulumi CLI is installed before doing anything.
import * as fs from "node:fs";
import * as path from "node:path";

/** The first executable file named `name` on a PATH value (default: this process's PATH). */
export function findOnPath(name: string, pathVar: string | undefined = process.env.PATH): string | undefined {
  for (const dir of (pathVar ?? "").split(path.delimiter)) {
    if (dir === "") continue;
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}
