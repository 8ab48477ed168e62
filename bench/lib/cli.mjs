// What every benchmark script needs from its command line and its rounds.

/** The value after `--name` on the command line, or `def` when it is not given. */
export const arg = (name, def) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : def;
};

/** The median of a list of numbers (the upper one of the middle two); the list is left as it was. */
export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
