// Ctrl-C on the fleet. A terminal sends SIGINT to the whole foreground process
// group: the fleet and every `pulumi` command it runs (the Automation API
// starts them in the fleet's group). Pulumi's own answer to one SIGINT is to
// finish the steps in flight and stop, leaving no pending operation; the
// fleet must then only stay alive (Node's default is to exit at once, and the
// Automation API's child-process cleanup then kills each pulumi outright),
// start no other stack, and say what happened. A second Ctrl-C stops harder:
// each pulumi command gets SIGINT once more, which Pulumi takes as "terminate
// now".
//
// `npm run` forwards the terminal's SIGINT to its script once more
// (@npmcli/run-script's signal manager), so one press can arrive twice: a
// SIGINT within SAME_PRESS_MS of the first is the same press.
export const SAME_PRESS_MS = 1500;

export type PressMeaning = "stop" | "same press" | "stop now";

export class Interrupt {
  private firstAt: number | undefined;
  private readonly hard = new AbortController();
  private readonly stopListeners: (() => void)[] = [];

  /** Whether Ctrl-C was pressed: start nothing more. */
  get requested(): boolean {
    return this.firstAt !== undefined;
  }

  /** Aborted on the second press: the Automation API sends SIGINT to each running pulumi command. */
  get signal(): AbortSignal {
    return this.hard.signal;
  }

  /** Called once, on the first press. */
  onStop(listener: () => void): void {
    if (this.requested) listener();
    else this.stopListeners.push(listener);
  }

  /** A SIGINT arrived (`now`: performance.now()). */
  press(now: number = performance.now()): PressMeaning {
    if (this.firstAt === undefined) {
      this.firstAt = now;
      for (const listener of this.stopListeners.splice(0)) listener();
      return "stop";
    }
    if (now - this.firstAt < SAME_PRESS_MS) return "same press";
    this.hard.abort();
    return "stop now";
  }
}

/** What the fleet prints on each press. */
export function pressMessage(meaning: PressMeaning): string | undefined {
  if (meaning === "stop") return "Ctrl-C: each running pulumi command finishes the step in flight and stops; no other stack starts. Ctrl-C again stops them at once (that may leave pending operations, which the next `npm run fleet -- up` recovers first).";
  if (meaning === "stop now") return "Ctrl-C again: every running pulumi command is told to stop at once.";
  return undefined;
}
