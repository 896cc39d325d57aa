// Pulumi's passphrase secrets, in process: the example stacks store their
// Client ID `secure:` (encrypted with the demo passphrase their
// encryptionsalt was written for), and tests that have no Pulumi CLI at hand
// (the in-process harness) or want to spare one (writing a new secure value)
// use the same scheme as Pulumi's passphrase secrets manager
// (sdk/go/common/resource/config/crypt.go): a key from PBKDF2-SHA256 (1,000,000
// rounds) of the passphrase and the salt in the stack file's
// `encryptionsalt: v1:<salt>:<check>`, AES-256-GCM, each value written as
// `v1:<nonce>:<ciphertext and tag>` in base64.
import { createCipheriv, createDecipheriv, pbkdf2Sync, randomBytes } from "node:crypto";
import { DEMO_PASSPHRASE } from "../../scripts/quickstart";

const TAG_BYTES = 16;
/** Derived keys by passphrase and salt: a derivation takes about a second. */
const keys = new Map<string, Buffer>();

function keyFor(encryptionSalt: string, passphrase: string): Buffer {
  const salt = encryptionSalt.split(":")[1];
  if (!encryptionSalt.startsWith("v1:") || salt === undefined) throw new Error(`not an encryptionsalt Pulumi writes: ${encryptionSalt}`);
  const id = `${passphrase}\0${salt}`;
  let key = keys.get(id);
  if (key === undefined) {
    key = pbkdf2Sync(passphrase, Buffer.from(salt, "base64"), 1_000_000, 32, "sha256");
    keys.set(id, key);
  }
  return key;
}

/** The plain text of a `secure:` value of a stack file with this encryptionsalt. */
export function decryptSecure(value: string, encryptionSalt: string, passphrase: string = DEMO_PASSPHRASE): string {
  const [version, nonce, sealed] = value.split(":");
  if (version !== "v1" || nonce === undefined || sealed === undefined) throw new Error("not a secure value Pulumi writes");
  const bytes = Buffer.from(sealed, "base64");
  const decipher = createDecipheriv("aes-256-gcm", keyFor(encryptionSalt, passphrase), Buffer.from(nonce, "base64"));
  decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
  return Buffer.concat([decipher.update(bytes.subarray(0, bytes.length - TAG_BYTES)), decipher.final()]).toString("utf8");
}

/** A `secure:` value for a stack file with this encryptionsalt, as `pulumi config set --secret` writes it. */
export function encryptSecure(plain: string, encryptionSalt: string, passphrase: string = DEMO_PASSPHRASE): string {
  const nonce = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", keyFor(encryptionSalt, passphrase), nonce);
  const sealed = Buffer.concat([cipher.update(plain, "utf8"), cipher.final(), cipher.getAuthTag()]);
  return `v1:${nonce.toString("base64")}:${sealed.toString("base64")}`;
}
