// The CI workflows' own commands, run locally against the emulator: every
// `run:` step of every job in .github/workflows/ runs here (in a git copy of
// the project, a file backend and a passphrase in place of the team's bucket or
// Pulumi Cloud) and its exit code is asserted, so a workflow cannot drift from
// the commands it calls. Steps that only make sense on GitHub (posting the
// comment, asking GitHub's API) are listed, not run; the artifact steps are
// done with a folder (test/support/workflow-runner.ts).
//
// The story: main deploys every stack (no earlier successful run); a pull
// request changes one stack file (preview of that stack only, its summary is
// the comment; a pull request with a broken stack file stops at validate);
// main deploys the changed stack only; nightly drift over 4 shards joins to
// "no drift", then fails once a trigger is changed in BirdEye (the emulator).
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PASSPHRASE, PROJECT_ROOT, describeRealEngine, initStacks, realCli, startProject, writesOf } from "./support/real-cli";
import type { TempProject } from "./support/real-cli";
import { killAfterWrite } from "./support/kill-rehearsal";
import { condition, describeJob, expressionsIn, matrixOf, readWorkflows, runJob, stepLabel } from "./support/workflow-runner";
import type { JobResult, Workflow, WorkflowStep } from "./support/workflow-runner";

const API_KEY = "e2e-birdeye-api-key-not-a-secret";
const ENTERPRISE = "enterprise-example";
const SMB = "smb-example";

/** What one local job run stands for (GitHub's contexts, reduced to what the workflows read). */
interface LocalRun {
  readonly backendUrl: string;
  readonly matrix?: Readonly<Record<string, string>>;
  readonly jobTotal?: number;
  readonly baseSha?: string;
  readonly lastRunSha?: string;
  readonly needsDrift?: string;
}

type Local = { readonly local: (run: LocalRun) => string | number | undefined } | { readonly githubOnly: string };
const none: Local = { local: () => "" };

/**
 * Every expression the workflows hold, and its local value. An expression
 * not here fails the test, and so does an entry no workflow uses any more.
 */
const EXPRESSIONS: Readonly<Record<string, Local>> = {
  // State backend and secrets provider: the test's file backend and passphrase.
  "vars.PULUMI_BACKEND_URL": { local: (run) => run.backendUrl },
  "secrets.PULUMI_CONFIG_PASSPHRASE": { local: () => PASSPHRASE },
  // Pulumi Cloud and the clouds' buckets and key services: not used here, empty as when unset.
  "secrets.PULUMI_ACCESS_TOKEN": none,
  "secrets.AWS_ACCESS_KEY_ID": none,
  "secrets.AWS_SECRET_ACCESS_KEY": none,
  "vars.AWS_REGION": none,
  "secrets.GOOGLE_CREDENTIALS": none,
  "vars.AZURE_STORAGE_ACCOUNT": none,
  "secrets.AZURE_STORAGE_KEY": none,
  "vars.AZURE_CLIENT_ID": none,
  "vars.AZURE_TENANT_ID": none,
  "secrets.AZURE_CLIENT_SECRET": none,
  // PostgreSQL's password (test/e2e/*.postgres.e2e.test.ts run on PostgreSQL).
  "secrets.PGPASSWORD": none,
  // The emulator requires this key: the stacks do not set one, so it must come through the environment.
  "secrets.BIRDEYE_API_KEY": { local: () => API_KEY },
  "github.event.pull_request.base.sha": { local: (run) => run.baseSha },
  "steps.github-last-run.outputs.sha": { local: (run) => run.lastRunSha },
  "matrix.shard": { local: (run) => run.matrix?.shard },
  "strategy.job-total": { local: (run) => run.jobTotal },
  "needs.drift.result": { local: (run) => run.needsDrift },
  "!cancelled()": { local: () => "true" }, // a local run is never cancelled
  "github.event.pull_request.number": { githubOnly: "the pull request's concurrency group" },
  "github.token": { githubOnly: "the token of the github-last-run step's gh call" },
  "github.workflow": { githubOnly: "the workflow name for the github-last-run step's gh call" },
  "!cancelled() && hashFiles('review.md') != ''": { githubOnly: "the condition of the comment step" },
};

/** `run:` commands the test provides itself, with why. */
const PROVIDED = {
  "npm ci": "node_modules is linked from this checkout (installed from the same package-lock.json)",
} as const;

function resolver(run: LocalRun): (expression: string) => string {
  return (expression) => {
    const entry = EXPRESSIONS[expression];
    if (entry === undefined) throw new Error(`unknown expression \${{ ${expression} }}: add it to EXPRESSIONS in test/workflows.e2e.test.ts with its local value`);
    if ("githubOnly" in entry) throw new Error(`\${{ ${expression} }} is GitHub-only (${entry.githubOnly}) but a step run locally uses it`);
    const value = entry.local(run);
    if (value === undefined) throw new Error(`\${{ ${expression} }} has no value in this job`);
    return String(value);
  };
}

function git(cwd: string, args: readonly string[]): string {
  return execFileSync("git", ["-c", "user.name=workflow test", "-c", "user.email=workflow-test@example.invalid", "-c", "commit.gpgsign=false", ...args], { cwd, encoding: "utf8" }).trim();
}

function commitAll(dir: string, message: string): string {
  git(dir, ["add", "-A"]);
  git(dir, ["commit", "--quiet", "--allow-empty", "-m", message]);
  return git(dir, ["rev-parse", "HEAD"]);
}

describeRealEngine("@long the CI workflows' commands, run locally against the emulator", function () {
  this.timeout(600_000);
  let project: TempProject;
  let workflows: Record<string, Workflow>;
  /** Per workflow file, job and step index: what happened to each step, every time. */
  const seen = new Map<string, Set<string>>();
  let runnerEnv: NodeJS.ProcessEnv;
  let base: string;
  let head: string;
  let runs = 0;

  function record(file: string, job: string, step: WorkflowStep, index: number, outcome: string): void {
    const key = `${file} › ${job} › ${index + 1}. ${stepLabel(step)}`;
    seen.set(key, (seen.get(key) ?? new Set()).add(outcome));
  }

  async function job(file: string, name: string, commit: string, run: Omit<LocalRun, "backendUrl">, artifacts = path.join(project.base, "artifacts", String(++runs))): Promise<JobResult> {
    const workflow = workflows[file];
    assert.ok(workflow !== undefined, file);
    return runJob({
      workflow,
      job: name,
      repo: project.dir,
      commit,
      artifacts,
      env: runnerEnv,
      resolve: resolver({ backendUrl: String(project.env.PULUMI_BACKEND_URL), ...run }),
      provided: PROVIDED,
      onStep: (step, index, result) => record(file, name, step, index, result.skipped === undefined ? "ran" : `not run: ${result.skipped}`),
    });
  }

  function ok(result: JobResult): void {
    assert.equal(result.failed, false, describeJob(result));
    for (const step of result.steps) if (step.skipped === undefined) assert.equal(step.code, 0, describeJob(result));
  }

  /** The drift workflow: every shard of the matrix, then the report job with what GitHub would tell it. */
  async function drift(commit: string): Promise<{ shards: JobResult[]; report: JobResult; artifacts: string }> {
    const workflow = workflows["drift.yml"];
    assert.ok(workflow?.jobs.drift !== undefined && workflow.jobs.report !== undefined);
    const artifacts = path.join(project.base, "artifacts", String(++runs));
    const matrix = matrixOf(workflow.jobs.drift);
    assert.equal(matrix.length, 4, "four shards");
    const shards: JobResult[] = [];
    for (const combo of matrix) shards.push(await job("drift.yml", "drift", commit, { matrix: combo, jobTotal: matrix.length }, artifacts));
    const needsDrift = shards.every((s) => s.result === "success") ? "success" : "failure";
    assert.ok(condition(workflow.jobs.report.if ?? "success()", resolver({ backendUrl: "", needsDrift })), "the report job runs after the shards");
    const report = await job("drift.yml", "report", commit, { needsDrift }, artifacts);
    return { shards, report, artifacts };
  }

  const stepOutput = (result: JobResult, label: RegExp): string => result.steps.find((s) => label.test(s.label))?.output ?? "";

  before(async function () {
    workflows = Object.fromEntries(readWorkflows(path.join(PROJECT_ROOT, ".github", "workflows")).map((w) => [w.file, w]));
    project = await startProject({ emulator: { apiKey: API_KEY } });
    // The team's backend already holds the stacks (stack init writes their encryption salt into the files).
    await initStacks(project);
    // The rest of a checkout: everything git would commit, as in the working tree.
    const files = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "-z"], { cwd: PROJECT_ROOT, encoding: "utf8" }).split("\0");
    for (const file of files) {
      const from = path.join(PROJECT_ROOT, file);
      const to = path.join(project.dir, file);
      if (file === "" || file.startsWith("stacks/") || fs.existsSync(to) || !fs.existsSync(from)) continue;
      fs.mkdirSync(path.dirname(to), { recursive: true });
      fs.cpSync(from, to);
    }
    git(project.dir, ["init", "--quiet", "--initial-branch", "main"]);
    base = commitAll(project.dir, "base: both example stacks");
    // The runner: the Pulumi CLI where pulumi/actions puts it (the tool cache,
    // <RUNNER_TOOL_CACHE>/pulumi/<version>/x64, on PATH: its pulumi and the
    // plugins beside it), this Node, the system's git and bash.
    const cli = realCli();
    assert.ok(cli !== undefined);
    const toolDir = path.join(project.base, "hostedtoolcache", "pulumi", cli.version, "x64");
    fs.mkdirSync(toolDir, { recursive: true });
    const cliDir = path.dirname(fs.realpathSync(cli.pulumi));
    for (const file of fs.readdirSync(cliDir)) fs.symlinkSync(path.join(cliDir, file), path.join(toolDir, file));
    runnerEnv = {
      PATH: [toolDir, path.dirname(process.execPath), "/usr/local/bin", "/usr/bin", "/bin"].join(path.delimiter),
      HOME: project.base,
      PULUMI_HOME: project.env.PULUMI_HOME,
    };
  });
  after(() => project?.close());

  it("every expression in the workflows is in the test's table, and every entry of the table is used", () => {
    const used = new Set(Object.values(workflows).flatMap((w) => expressionsIn(w.text)));
    assert.deepEqual([...used].filter((e) => !(e in EXPRESSIONS)), [], "expressions without a local value");
    assert.deepEqual(Object.keys(EXPRESSIONS).filter((e) => !used.has(e)), [], "table entries no workflow uses");
  });

  it("main, first run (no earlier successful run): `fleet up --yes` updates every stack; the step summary is the fleet's", async () => {
    const result = await job("main.yml", "up", base, { lastRunSha: "" });
    ok(result);
    assert.match(stepOutput(result, /^Update the stacks/), /No earlier successful run/);
    assert.equal(project.emulator.state.groups.length, 2);
    assert.equal(project.emulator.state.mappings.length, 3);
    assert.match(result.summary, new RegExp(ENTERPRISE));
    assert.match(result.summary, new RegExp(SMB));
  });

  it("pull request: validate, then review only the stack it changes; the comment's body is the review; nothing written to BirdEye", async () => {
    project.editCustomer(ENTERPRISE, (customer) => {
      customer.triggers = ["Cloud 9 Dismissed Appointments Trigger", 58];
    });
    head = commitAll(project.dir, "enterprise-example: add trigger 58");
    project.emulator.admin.clearRequests();
    const result = await job("pull-request.yml", "preview", head, { baseSha: base });
    ok(result);
    const comment = path.join(result.dir, "review.md");
    assert.ok(fs.existsSync(comment), "the file the comment step posts");
    const body = fs.readFileSync(comment, "utf8");
    assert.match(body, /^## BirdEye review: 1 stack\n[^]*### enterprise-example: Enterprise, Enterprise ID 150051042499080\n[^]*- trigger added: Cloud 9 Completed Appointments Trigger \(trigger 58\)\n/);
    assert.doesNotMatch(body, new RegExp(SMB), "only the changed stack is previewed");
    assert.deepEqual(writesOf(project.emulator), []);
  });

  it("pull request with a broken stack file: validate fails and nothing is previewed", async () => {
    git(project.dir, ["checkout", "--quiet", "-b", "broken", base]);
    project.editCustomer(SMB, (customer) => {
      customer.kind = "smb-typo";
    });
    const broken = commitAll(project.dir, "smb-example: a typo");
    git(project.dir, ["checkout", "--quiet", "main"]);
    const result = await job("pull-request.yml", "preview", broken, { baseSha: base });
    assert.equal(result.failed, true);
    const validate = result.steps.find((s) => s.label === "Validate every stack file");
    assert.ok(validate !== undefined);
    assert.equal(validate.code, 1, describeJob(result));
    assert.match(validate.output, /customer\.kind/);
    assert.match(result.steps.find((s) => /^Preview/.test(s.label))?.skipped ?? "", /if: success\(\) is false/);
  });

  it("main after the merge: `fleet up` only on the stack changed since the last successful run", async () => {
    project.emulator.admin.clearRequests();
    const result = await job("main.yml", "up", head, { lastRunSha: base });
    ok(result);
    assert.match(result.summary, new RegExp(ENTERPRISE));
    assert.doesNotMatch(result.summary, new RegExp(SMB));
    assert.deepEqual(writesOf(project.emulator), ["POST /integration/update/businessintegrationgroup?replaceTriggers=true"]);
    const group = project.emulator.state.groups.find((g) => g.parentBusinessNumber === 150051042499080);
    assert.deepEqual(group?.triggers.map((t) => t.triggerId).sort(), [57, 58]);
  });

  it("nightly drift: 4 shards each upload a report; the join passes with no drift, fails when a shard did not finish, and fails naming the stack once a trigger is changed in BirdEye", async () => {
    const clean = await drift(head);
    clean.shards.forEach(ok);
    ok(clean.report);
    assert.match(fs.readFileSync(path.join(clean.report.dir, "drift-report.md"), "utf8"), /\*\*0 of 2 stacks drifted\*\*/, "both stacks checked, across the shards");
    assert.deepEqual(fs.readdirSync(path.join(clean.report.dir, "reports")).filter((f) => f.endsWith(".json")).length, 4, "one result per shard");

    // GitHub tells the report job that a shard failed: the join fails even without drift.
    const shardFailed = await job("drift.yml", "report", head, { needsDrift: "failure" }, clean.artifacts);
    assert.equal(shardFailed.failed, true);
    assert.match(stepOutput(shardFailed, /^Join/), /a drift shard did not finish \(failure\)/);

    const group = project.emulator.state.groups.find((g) => g.parentBusinessNumber === 150051042499080);
    assert.ok(group !== undefined);
    project.emulator.admin.setGroupTriggers(group.groupId, [{ triggerId: 57, triggerTypeId: 1, actionIds: [1] }]);
    const drifted = await drift(head);
    drifted.shards.forEach(ok);
    assert.equal(drifted.report.failed, true);
    const join = drifted.report.steps.find((s) => /^Join/.test(s.label));
    assert.equal(join?.code, 1, describeJob(drifted.report));
    const report = fs.readFileSync(path.join(drifted.report.dir, "drift-report.md"), "utf8");
    assert.match(report, /\*\*1 of 2 stacks drifted\*\*/);
    assert.match(report, new RegExp(`### ${ENTERPRISE}`));
    assert.equal(drifted.report.summary, report, "the joined report is the run's summary");
  });

  it("main after an update killed at its time limit: the stack's pending operations are recovered first (the killed run's lock and another runner's, by --stale-lock-user), then it is updated", async () => {
    project.editCustomer(ENTERPRISE, (customer) => {
      (customer.locations as Record<string, unknown>[])[1] = { ...(customer.locations as Record<string, unknown>[])[1], nextRunDate: "2026-11-26T05:00:00Z" };
    });
    const redated = commitAll(project.dir, "enterprise-example: Benicia's NextRunDate");
    // The earlier job: killed right after its first write (a CI time limit).
    // The emulator wants the key the workflows pass (BIRDEYE_API_KEY).
    const key = { BIRDEYE_API_KEY: API_KEY };
    assert.ok(await killAfterWrite(project, 1, ["up", "--yes", "--skip-preview", "--non-interactive", "--stack", ENTERPRISE], key), "the up made its write");
    // And a lock as another runner of this workflow leaves it (same user, another host), as lock.go writes it.
    const locks = path.join(String(project.env.PULUMI_BACKEND_URL).replace(/^file:\/\//, ""), ".pulumi", "locks", "organization", "birdeye-cloud9", ENTERPRISE);
    fs.writeFileSync(path.join(locks, "0c9d8e7f-6a5b-4c3d-8e2f-1a2b3c4d5e6f.json"), JSON.stringify({ pid: 4242, username: os.userInfo().username, hostname: "fv-az-runner-7", timestamp: "2026-12-01T10:00:00Z" }));

    const result = await job("main.yml", "up", redated, { lastRunSha: head });
    ok(result);
    const said = stepOutput(result, /^Update the stacks/);
    assert.match(said, /enterprise-example: an interrupted run left 1 pending operation; recovering it first/);
    assert.match(said, /is released \(pulumi cancel, --stale-lock-user /);
    const group = project.emulator.state.groups.find((g) => g.parentBusinessNumber === 150051042499080);
    const benicia = project.emulator.state.mappings.find((m) => m.integrationGroupId === group?.groupId && m.businessNumber === 150051042499082);
    assert.equal(benicia?.nextRunDate, "2026-11-26T05:00:00Z");
    assert.equal(benicia?.active, true);
    await project.pulumiOk(["preview", "--expect-no-changes", "--non-interactive", "--stack", ENTERPRISE], { env: key });
  });

  it("every `run:` step of every job ran at least once, or is listed as not run here with why", () => {
    const notRun: string[] = [];
    for (const workflow of Object.values(workflows)) {
      for (const [name, definition] of Object.entries(workflow.jobs)) {
        for (const [index, step] of (definition.steps ?? []).entries()) {
          const key = `${workflow.file} › ${name} › ${index + 1}. ${stepLabel(step)}`;
          const outcomes = seen.get(key);
          assert.ok(outcomes !== undefined, `never reached: ${key}`);
          if (step.run !== undefined && !outcomes.has("ran")) {
            const why = [...outcomes].find((o) => o.startsWith("not run: ") && !o.includes(" is false"));
            assert.ok(why !== undefined, `a run: step that never ran: ${key} (${[...outcomes].join("; ")})`);
          }
          if (!outcomes.has("ran")) notRun.push(`${key}: ${[...outcomes].join("; ")}`);
        }
      }
    }
    console.log(`      not run locally:\n${notRun.map((line) => `        - ${line}`).join("\n")}`);
  });
});
