import { strict as assert } from "node:assert";
import { BirdEyeApiError } from "../../provider/api";

/** Await a promise that must fail with BirdEyeApiError, and return the error. */
export async function rejection(promise: Promise<unknown>): Promise<BirdEyeApiError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof BirdEyeApiError, `expected BirdEyeApiError, got ${String(error)}`);
    return error;
  }
  assert.fail("expected the call to fail");
}

/** Fail if any secret occurs in the text (case-insensitive: a UUID may come back upper-cased). */
export function assertNoSecret(text: string, ...secrets: string[]): void {
  for (const secret of secrets) {
    assert.ok(!text.toLowerCase().includes(secret.toLowerCase()), `found a secret in: ${text.slice(0, 400)}`);
  }
}
