/**
 * Breakpoint conditions over a recorded event's fields: a small expression language, parsed
 * once and evaluated without `eval`. Errors name the bad part and its column.
 *
 *   op == "put"            pid == 4242 && waited > 10        channel == "queue" || kind == "process.exit"
 *   preview contains "42"  !ok                               (op == "get" or op == "recv") and pid != 4242
 *
 * Values are numbers, strings ("…" or '…'), true, false and null; a field an event does not have
 * is null. == and != compare numbers with numbers (a numeric string counts as a number), else
 * exactly; < <= > >= compare two numbers or two strings (otherwise false); `contains` is a
 * substring test on strings. A bare value is true unless it is false, null, 0 or "".
 *
 * No `vscode` import here, ever.
 */

export type Value = string | number | boolean | null;

/** A condition that could not be parsed, or that names a field no event has. */
export class ConditionError extends Error {}

type Node =
  | { readonly type: 'literal'; readonly value: Value }
  | { readonly type: 'field'; readonly name: string }
  | { readonly type: 'not'; readonly operand: Node }
  | { readonly type: 'and' | 'or'; readonly left: Node; readonly right: Node }
  | { readonly type: 'compare'; readonly op: CompareOp; readonly left: Node; readonly right: Node };

type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=' | 'contains';

interface Token {
  readonly kind: 'number' | 'string' | 'ident' | 'op' | 'paren' | 'end';
  readonly text: string;
  readonly value?: Value;
  /** 1-based column in the condition. */
  readonly col: number;
}

const OPERATORS = ['==', '!=', '<=', '>=', '&&', '||', '<', '>', '!', '='];
const WORDS: Readonly<Record<string, string>> = { and: '&&', or: '||', not: '!' };

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    const col = i + 1;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '"' || c === "'") {
      let j = i + 1;
      let text = '';
      while (j < src.length && src[j] !== c) {
        if (src[j] === '\\' && j + 1 < src.length) {
          const e = src[j + 1]!;
          text += e === 'n' ? '\n' : e === 't' ? '\t' : e;
          j += 2;
        } else text += src[j++];
      }
      if (j >= src.length) throw new ConditionError(`The string starting at column ${col} is not closed: add ${c} after ${src.slice(i)}`);
      out.push({ kind: 'string', text: src.slice(i, j + 1), value: text, col });
      i = j + 1;
      continue;
    }
    const num = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?/.exec(src.slice(i));
    if (num && (c !== '-' || out.length === 0 || out[out.length - 1]!.kind === 'op' || out[out.length - 1]!.text === '(')) {
      out.push({ kind: 'number', text: num[0], value: Number(num[0]), col });
      i += num[0].length;
      continue;
    }
    const ident = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(src.slice(i));
    if (ident) {
      const word = ident[0];
      if (WORDS[word]) out.push({ kind: 'op', text: WORDS[word]!, col });
      else if (word === 'contains') out.push({ kind: 'op', text: 'contains', col });
      else if (word === 'true' || word === 'false') out.push({ kind: 'number', text: word, value: word === 'true', col });
      else if (word === 'null' || word === 'None') out.push({ kind: 'number', text: word, value: null, col });
      else if (word === 'True' || word === 'False') out.push({ kind: 'number', text: word, value: word === 'True', col });
      else out.push({ kind: 'ident', text: word, col });
      i += word.length;
      continue;
    }
    if (c === '(' || c === ')') {
      out.push({ kind: 'paren', text: c, col });
      i++;
      continue;
    }
    const op = OPERATORS.find((o) => src.startsWith(o, i));
    if (op) {
      if (op === '=') throw new ConditionError(`Use == to compare (a single = at column ${col})`);
      out.push({ kind: 'op', text: op, col });
      i += op.length;
      continue;
    }
    throw new ConditionError(`Unexpected character ${JSON.stringify(c)} at column ${col}`);
  }
  out.push({ kind: 'end', text: '', col: src.length + 1 });
  return out;
}

class Parser {
  private i = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly fields: ReadonlySet<string>,
  ) {}

  parse(): Node {
    const n = this.or();
    const t = this.peek();
    if (t.kind !== 'end') throw new ConditionError(`Unexpected ${describe(t)} at column ${t.col}: expected && or || or the end`);
    return n;
  }

  private peek(): Token {
    return this.tokens[this.i]!;
  }

  private next(): Token {
    return this.tokens[this.i++]!;
  }

  private or(): Node {
    let left = this.and();
    while (this.peek().text === '||' && this.peek().kind === 'op') {
      this.next();
      left = { type: 'or', left, right: this.and() };
    }
    return left;
  }

  private and(): Node {
    let left = this.not();
    while (this.peek().text === '&&' && this.peek().kind === 'op') {
      this.next();
      left = { type: 'and', left, right: this.not() };
    }
    return left;
  }

  private not(): Node {
    if (this.peek().kind === 'op' && this.peek().text === '!') {
      this.next();
      return { type: 'not', operand: this.not() };
    }
    return this.compare();
  }

  private compare(): Node {
    const left = this.primary();
    const t = this.peek();
    if (t.kind === 'op' && ['==', '!=', '<', '<=', '>', '>=', 'contains'].includes(t.text)) {
      this.next();
      const right = this.primary(t);
      return { type: 'compare', op: t.text as CompareOp, left, right };
    }
    return left;
  }

  private primary(after?: Token): Node {
    const t = this.next();
    switch (t.kind) {
      case 'number':
      case 'string':
        return { type: 'literal', value: t.value ?? null };
      case 'ident': {
        if (!this.fields.has(t.text)) {
          const hint = after ? ` (a string needs quotes: "${t.text}")` : '';
          throw new ConditionError(`Unknown field ${JSON.stringify(t.text)} at column ${t.col}${hint}; fields: ${[...this.fields].join(', ')}`);
        }
        return { type: 'field', name: t.text };
      }
      case 'paren':
        if (t.text === '(') {
          const inner = this.or();
          const close = this.next();
          if (close.kind !== 'paren' || close.text !== ')') throw new ConditionError(`Expected ) at column ${close.col} to close the ( at column ${t.col}`);
          return inner;
        }
        break;
      default:
        break;
    }
    const what = after ? `a value after ${after.text} (column ${after.col})` : 'a value';
    throw new ConditionError(`Expected ${what} at column ${t.col}, found ${describe(t)}`);
  }
}

function describe(t: Token): string {
  return t.kind === 'end' ? 'the end of the condition' : JSON.stringify(t.text);
}

export interface Condition {
  readonly source: string;
  /** Fields the condition reads (so a caller can compute only those). */
  readonly reads: readonly string[];
  test(get: (field: string) => Value): boolean;
  /** Its value (a watch expression: `preview`, `waited > 10`). */
  value(get: (field: string) => Value): Value;
}

/** Parse a condition; throws ConditionError with the bad part and its column. */
export function parseCondition(source: string, fields: ReadonlySet<string>): Condition {
  if (source.trim() === '') throw new ConditionError('The condition is empty');
  const root = new Parser(tokenize(source), fields).parse();
  const reads = new Set<string>();
  const walk = (n: Node): void => {
    if (n.type === 'field') reads.add(n.name);
    else if (n.type === 'not') walk(n.operand);
    else if (n.type !== 'literal') {
      walk(n.left);
      walk(n.right);
    }
  };
  walk(root);
  return { source, reads: [...reads], test: (get) => truthy(evaluate(root, get)), value: (get) => evaluate(root, get) };
}

function evaluate(n: Node, get: (field: string) => Value): Value {
  switch (n.type) {
    case 'literal':
      return n.value;
    case 'field':
      return get(n.name) ?? null;
    case 'not':
      return !truthy(evaluate(n.operand, get));
    case 'and':
      return truthy(evaluate(n.left, get)) && truthy(evaluate(n.right, get));
    case 'or':
      return truthy(evaluate(n.left, get)) || truthy(evaluate(n.right, get));
    case 'compare':
      return compare(n.op, evaluate(n.left, get), evaluate(n.right, get));
  }
}

function truthy(v: Value): boolean {
  return v !== null && v !== false && v !== 0 && v !== '';
}

function asNumber(v: Value): number | null {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) return Number(v);
  return null;
}

function compare(op: CompareOp, a: Value, b: Value): boolean {
  if (op === 'contains') return typeof a === 'string' && typeof b === 'string' && a.includes(b);
  if (op === '==' || op === '!=') {
    let eq: boolean;
    if (typeof a === 'number' || typeof b === 'number') {
      const x = asNumber(a);
      const y = asNumber(b);
      eq = x !== null && y !== null ? x === y : a === b;
    } else eq = a === b;
    return op === '==' ? eq : !eq;
  }
  let x: number | string;
  let y: number | string;
  if (typeof a === 'string' && typeof b === 'string') [x, y] = [a, b];
  else {
    const nx = asNumber(a);
    const ny = asNumber(b);
    if (nx === null || ny === null) return false;
    [x, y] = [nx, ny];
  }
  switch (op) {
    case '<':
      return x < y;
    case '<=':
      return x <= y;
    case '>':
      return x > y;
    case '>=':
      return x >= y;
  }
}

/** A DAP hit condition: "3" or "== 3" (only the 3rd hit), ">= 3", "> 3", "< 3", "<= 3", "% 3" (every 3rd). */
export function parseHitCondition(source: string): (hit: number) => boolean {
  const m = /^\s*(==|>=|<=|>|<|%)?\s*(\d+)\s*$/.exec(source);
  if (!m) throw new ConditionError(`The hit count ${JSON.stringify(source)} is not understood: write a number (3), or >= 3, > 3, < 3, <= 3, == 3, % 3`);
  const n = Number(m[2]);
  switch (m[1]) {
    case undefined:
    case '==':
      return (hit) => hit === n;
    case '>=':
      return (hit) => hit >= n;
    case '>':
      return (hit) => hit > n;
    case '<':
      return (hit) => hit < n;
    case '<=':
      return (hit) => hit <= n;
    default:
      if (n === 0) throw new ConditionError('% 0: every 0th hit is not a hit count; use % 1 or more');
      return (hit) => hit % n === 0;
  }
}
