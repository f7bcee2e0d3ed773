// What a wrong argument was, for typed errors' messages: 'null', 'an array', a class name
// ('Map', 'Object'), or typeof ('number', 'undefined').

/** A short description of a value's kind. */
export function describeValue(x) {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'an array';
  return typeof x === 'object' ? (x.constructor?.name ?? 'object') : typeof x;
}
