import { Document, isMap, isPair, isScalar, isSeq } from 'yaml';

/** A key written twice in one mapping, and where its second occurrence starts. */
export interface DuplicateKey {
  /** The key as written. */
  readonly key: string;
  /** Offset of the second occurrence in the parsed text. */
  readonly offset: number;
}

/**
 * Finds the first key written twice in one mapping of `document` (parsed with `uniqueKeys:
 * false`). The yaml package's own check compares each key with every earlier key of its map,
 * which takes hours for a 10 MB map; this keeps one set per map, so the cost is linear.
 *
 * Keys are equal as the yaml package compares them: scalars of the same value and type. Keys that
 * are collections are never equal to another (the package compares them by identity).
 */
export function findDuplicateKey(document: Document): DuplicateKey | undefined {
  const stack: unknown[] = [document.contents];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isMap(node)) {
      const seen = new Set<string>();
      for (const pair of node.items) {
        const key = pair.key;
        if (isScalar(key)) {
          const id = `${typeof key.value}:${String(key.value)}`;
          if (seen.has(id)) {
            return { key: String(key.value), offset: key.range?.[0] ?? 0 };
          }
          seen.add(id);
        }
        stack.push(pair.key, pair.value);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) {
        // A pair in a sequence is a single-pair mapping (`- a: 1` in flow style `[a: 1]`).
        stack.push(...(isPair(item) ? [item.key, item.value] : [item]));
      }
    }
  }
  return undefined;
}
