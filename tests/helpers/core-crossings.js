// Counts calls from JS into the wasm core: wraps every function the core module exports (wasm
// exports such as _malloc, Embind free functions such as poolRows) and every method of its Embind
// classes (prototype and static), plus the `delete()` all Embind objects share. Reads and writes
// of the HEAP views are not calls and are not counted. restore() puts the originals back.
export function countCrossings(core) {
  const counts = new Map();
  const undo = [];
  const wrap = (obj, key, label) => {
    const f = obj[key];
    obj[key] = function counted(...args) {
      counts.set(label, (counts.get(label) ?? 0) + 1);
      return f.apply(this, args);
    };
    undo.push(() => { obj[key] = f; });
  };
  const isClass = (f) => f.prototype && Object.getOwnPropertyNames(f.prototype).length > 1;
  let handleBase = null;
  for (const key of Object.keys(core)) {
    const v = core[key];
    if (typeof v !== 'function') continue;
    if (!isClass(v)) { wrap(core, key, key); continue; }
    for (const m of Object.getOwnPropertyNames(v.prototype)) {
      if (m !== 'constructor' && typeof v.prototype[m] === 'function') wrap(v.prototype, m, `${key}.${m}`);
    }
    for (const m of Object.getOwnPropertyNames(v)) {
      if (!['prototype', 'length', 'name', 'arguments', 'caller'].includes(m) && typeof v[m] === 'function') wrap(v, m, `${key}.${m}`);
    }
    // The Embind object base (ClassHandle) owns delete(); a derived class has it further up.
    for (let p = Object.getPrototypeOf(v.prototype); p && !handleBase; p = Object.getPrototypeOf(p)) {
      if (Object.prototype.hasOwnProperty.call(p, 'delete')) handleBase = p;
    }
  }
  if (handleBase && typeof handleBase.delete === 'function') wrap(handleBase, 'delete', 'delete');
  return {
    /** Calls counted so far, in total. */
    get total() { let n = 0; for (const c of counts.values()) n += c; return n; },
    /** Calls of one function or method (e.g. 'poolRows', 'BatchEncoder.pack'). */
    of: (label) => counts.get(label) ?? 0,
    /** Label -> count, for messages. */
    snapshot: () => Object.fromEntries(counts),
    reset: () => counts.clear(),
    restore: () => { while (undo.length) undo.pop()(); },
  };
}
