import type { Root } from "chat";

/** The parts of a parsed mdast Root that only the parse can tell (a parse always sets both). */
const PARSED_FIELDS = ["children", "position"] as const;

/**
 * An mdast Root whose contents are parsed on first read. Resuming a request posts into the
 * thread without ever reading the triggering message's `formatted` tree, and parsing it was a
 * tenth of the callback route's CPU; whoever does read it gets exactly what `parse` returns.
 *
 * `type` is known without parsing. On the first read (or write) of any other field the tree is
 * parsed once and the accessors are replaced by plain data properties, so afterwards the object
 * is an ordinary Root (JSON.stringify, structuredClone and mutation behave as usual).
 */
export function lazyMarkdownRoot(parse: () => Root): Root {
  const root = { type: "root" } as Root;
  let parsed: Root | undefined;
  const materialize = () => {
    if (parsed) return;
    parsed = parse();
    for (const field of PARSED_FIELDS) delete root[field];
    for (const [field, value] of Object.entries(parsed)) defineData(root, field, value);
  };
  for (const field of PARSED_FIELDS) {
    Object.defineProperty(root, field, {
      get() {
        materialize();
        return root[field];
      },
      set(value: unknown) {
        materialize();
        defineData(root, field, value);
      },
      // Enumerable from the start, so a serializer listing the keys before reading them sees
      // the same keys as on a parsed tree.
      enumerable: true,
      configurable: true,
    });
  }
  return root;
}

function defineData(target: object, field: string, value: unknown) {
  Object.defineProperty(target, field, {
    value,
    writable: true,
    enumerable: true,
    configurable: true,
  });
}
