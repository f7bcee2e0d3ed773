// A unique-enough suffix for a new stored entry (time + randomness), so a new write never
// overwrites the entry readers currently follow.
export const stamp = () => `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
