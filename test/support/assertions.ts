import { strict as assert } from "node:assert";
import { BirdEyeApiError } from "../../provider/api";

/** Await a promise that must fail with an error of `type`, and return the error. */
export async function rejectionOf<E extends Error>(promise: Promise<unknown>, type: abstract new (...args: never[]) => E, what: string = type.name): Promise<E> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof type, `expected ${what}, got ${String(error)}`);
    return error;
  }
  assert.fail("expected the call to fail");
}

/** Await a promise that must fail with BirdEyeApiError, and return the error. */
export function rejection(promise: Promise<unknown>): Promise<BirdEyeApiError> {
  return rejectionOf(promise, BirdEyeApiError);
}

/** Fail if any secret occurs in the text (case-insensitive: a UUID may come back upper-cased). */
export function assertNoSecret(text: string, ...secrets: string[]): void {
  for (const secret of secrets) {
    assert.ok(!text.toLowerCase().includes(secret.toLowerCase()), `found a secret in: ${text.slice(0, 400)}`);
  }
}

/**
 * Drop every `clientId` property, at any depth: the one place a Client ID may
 * travel (the resource input and output the engine encrypts).
 */
export function withoutClientIdProperty(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutClientIdProperty);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).filter(([key]) => key !== "clientId").map(([key, v]) => [key, withoutClientIdProperty(v)]));
  }
  return value;
}
