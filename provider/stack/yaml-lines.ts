// Lines of key paths in a YAML document, so that a problem found in a parsed
// value points at the line a reviewer edits.
import { isMap, isPair, isScalar, isSeq } from "yaml";
import type { Document, LineCounter, Node, Pair } from "yaml";

/**
 * The line of a key path: the key's own line when the path ends in a map key,
 * the item's line in a sequence; a path that does not exist (a missing key)
 * points at the deepest part that does.
 */
export function lineOf(doc: Document, lines: LineCounter, keys: readonly (string | number)[]): number {
  let node: unknown = doc.contents;
  let line = 1;
  for (const key of keys) {
    if (isMap(node)) {
      const pair = node.items.find((item): item is Pair<unknown, unknown> => isPair(item) && isScalar(item.key) && String(item.key.value) === String(key));
      if (pair === undefined) break;
      const keyNode = pair.key as Node;
      if (keyNode.range) line = lines.linePos(keyNode.range[0]).line;
      node = pair.value;
    } else if (isSeq(node) && typeof key === "number") {
      const item = node.items[key] as Node | undefined;
      if (item === undefined) break;
      if (item.range) line = lines.linePos(item.range[0]).line;
      node = item;
    } else {
      break;
    }
  }
  return line;
}
