import type { SimRequest, SimResponse, SimService } from '../../../functions/sim/server.js';

/**
 * DynamoDB on the simulated estate: the JSON 1.0 protocol (`X-Amz-Target: DynamoDB_20120810.<Op>`)
 * for the subset the DynamoDB case store uses — CreateTable, DescribeTable, PutItem, GetItem,
 * UpdateItem, DeleteItem, Query (table or global secondary index, Limit/ExclusiveStartKey) — with
 * condition, key-condition and update expressions (comparisons, AND/OR/NOT, parentheses,
 * attribute_exists, attribute_not_exists, begins_with, BETWEEN; SET with + / - and
 * if_not_exists, ADD, REMOVE) on top-level attributes. Errors use DynamoDB's `__type` shapes.
 */

export type AttributeValue =
  | { S: string }
  | { N: string }
  | { BOOL: boolean }
  | { NULL: true }
  | { L: AttributeValue[] }
  | { M: Record<string, AttributeValue> }
  | { SS: string[] }
  | { NS: string[] };
export type Item = Record<string, AttributeValue>;

interface KeySchema {
  hash: string;
  range?: string;
}
interface Table {
  name: string;
  key: KeySchema;
  indexes: Map<string, KeySchema>;
  items: Map<string, Item>;
  attributeDefinitions: unknown[];
  createdAt: number;
}

const TARGET_PREFIX = 'DynamoDB_20120810.';
const ERROR_NS = 'com.amazonaws.dynamodb.v20120810#';

class DynamoError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}
const validation = (message: string) => new DynamoError('ValidationException', message);

// ---------- expressions ----------

type Token = { kind: 'name' | 'value' | 'ident' | 'op' | 'punct'; text: string };

function tokenize(expr: string): Token[] {
  const tokens: Token[] = [];
  const re = /\s*(?:(#[A-Za-z0-9_]+)|(:[A-Za-z0-9_]+)|(<>|<=|>=|=|<|>|\+|-)|([(),])|([A-Za-z_][A-Za-z0-9_]*))/y;
  let pos = 0;
  while (pos < expr.length) {
    if (/^\s*$/.test(expr.slice(pos))) break;
    re.lastIndex = pos;
    const m = re.exec(expr);
    if (!m) throw validation(`Invalid expression: syntax error near "${expr.slice(pos, pos + 10)}"`);
    pos = re.lastIndex;
    if (m[1]) tokens.push({ kind: 'name', text: m[1] });
    else if (m[2]) tokens.push({ kind: 'value', text: m[2] });
    else if (m[3]) tokens.push({ kind: 'op', text: m[3] });
    else if (m[4]) tokens.push({ kind: 'punct', text: m[4] });
    else if (m[5]) tokens.push({ kind: 'ident', text: m[5] });
  }
  return tokens;
}

interface ExpressionContext {
  names: Record<string, string>;
  values: Record<string, AttributeValue>;
}

class Parser {
  private i = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly ctx: ExpressionContext,
  ) {}

  peek(offset = 0): Token | undefined {
    return this.tokens[this.i + offset];
  }
  next(): Token {
    const t = this.tokens[this.i++];
    if (!t) throw validation('Invalid expression: unexpected end of expression');
    return t;
  }
  expect(text: string): void {
    const t = this.next();
    if (t.text.toUpperCase() !== text) throw validation(`Invalid expression: expected ${text}, got ${t.text}`);
  }
  atEnd(): boolean {
    return this.i >= this.tokens.length;
  }
  isKeyword(word: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t?.kind === 'ident' && t.text.toUpperCase() === word;
  }

  /** An attribute path (top-level only): `#name` or a bare name. */
  path(): string {
    const t = this.next();
    if (t.kind === 'name') {
      const resolved = this.ctx.names[t.text];
      if (resolved === undefined) throw validation(`Value provided in ExpressionAttributeNames unused or undefined: ${t.text}`);
      return resolved;
    }
    if (t.kind === 'ident') return t.text;
    throw validation(`Invalid expression: expected an attribute name, got ${t.text}`);
  }

  value(): AttributeValue {
    const t = this.next();
    const v = t.kind === 'value' ? this.ctx.values[t.text] : undefined;
    if (!v) throw validation(`An expression attribute value used in expression is not defined: ${t.text}`);
    return v;
  }

  /** An operand in a condition: a value placeholder or an attribute path. */
  operand(item: Item): AttributeValue | undefined {
    return this.peek()?.kind === 'value' ? this.value() : item[this.path()];
  }

  // condition := or ; or := and (OR and)* ; and := not (AND not)* ; not := NOT not | primary
  condition(item: Item): boolean {
    let result = this.conjunction(item);
    while (this.isKeyword('OR')) {
      this.next();
      const rhs = this.conjunction(item);
      result = result || rhs;
    }
    return result;
  }
  private conjunction(item: Item): boolean {
    let result = this.negation(item);
    while (this.isKeyword('AND')) {
      this.next();
      const rhs = this.negation(item);
      result = result && rhs;
    }
    return result;
  }
  private negation(item: Item): boolean {
    if (this.isKeyword('NOT')) {
      this.next();
      return !this.negation(item);
    }
    return this.primary(item);
  }
  private primary(item: Item): boolean {
    const t = this.peek();
    if (t?.kind === 'punct' && t.text === '(') {
      this.next();
      const r = this.condition(item);
      this.expect(')');
      return r;
    }
    if (t?.kind === 'ident' && this.peek(1)?.text === '(') {
      const fn = this.next().text;
      this.expect('(');
      const attr = this.path();
      let result: boolean;
      if (fn === 'attribute_exists') result = item[attr] !== undefined;
      else if (fn === 'attribute_not_exists') result = item[attr] === undefined;
      else if (fn === 'begins_with') {
        this.expect(',');
        const prefix = this.value();
        const v = item[attr];
        result = v !== undefined && 'S' in v && 'S' in prefix && v.S.startsWith(prefix.S);
      } else throw validation(`Invalid function name; function: ${fn}`);
      this.expect(')');
      return result;
    }
    const left = this.operand(item);
    if (this.isKeyword('BETWEEN')) {
      this.next();
      const low = this.operand(item);
      this.expect('AND');
      const high = this.operand(item);
      return compare(left, low, '>=') && compare(left, high, '<=');
    }
    const op = this.next();
    if (op.kind !== 'op') throw validation(`Invalid expression: expected a comparator, got ${op.text}`);
    return compare(left, this.operand(item), op.text);
  }
}

function scalar(v: AttributeValue | undefined): string | number | undefined {
  if (!v) return undefined;
  if ('S' in v) return v.S;
  if ('N' in v) return Number(v.N);
  return undefined;
}

function compare(a: AttributeValue | undefined, b: AttributeValue | undefined, op: string): boolean {
  if (op === '=' || op === '<>') {
    const equal = a !== undefined && b !== undefined && JSON.stringify(normalize(a)) === JSON.stringify(normalize(b));
    return op === '=' ? equal : !equal;
  }
  const x = scalar(a);
  const y = scalar(b);
  if (x === undefined || y === undefined || typeof x !== typeof y) return false;
  switch (op) {
    case '<':
      return x < y;
    case '<=':
      return x <= y;
    case '>':
      return x > y;
    case '>=':
      return x >= y;
    default:
      throw validation(`Invalid comparator ${op}`);
  }
}

/** Numbers compare by value, not spelling ("1" = "1.0"). */
function normalize(v: AttributeValue): AttributeValue {
  return 'N' in v ? { N: String(Number(v.N)) } : v;
}

function evaluateCondition(expr: string | undefined, item: Item, ctx: ExpressionContext): boolean {
  if (!expr) return true;
  const parser = new Parser(tokenize(expr), ctx);
  const result = parser.condition(item);
  if (!parser.atEnd()) throw validation(`Invalid ConditionExpression: unexpected ${parser.peek()?.text}`);
  return result;
}

function applyUpdate(expr: string, item: Item, ctx: ExpressionContext): Item {
  const out: Item = { ...item };
  const parser = new Parser(tokenize(expr), ctx);
  const numeric = (v: AttributeValue | undefined, what: string): number => {
    if (!v || !('N' in v)) throw validation(`An operand in the update expression has an incorrect data type: ${what}`);
    return Number(v.N);
  };
  const operand = (): AttributeValue | undefined => {
    if (parser.isKeyword('if_not_exists') || parser.isKeyword('IF_NOT_EXISTS')) {
      parser.next();
      parser.expect('(');
      const attr = parser.path();
      parser.expect(',');
      const fallback = operand();
      parser.expect(')');
      return item[attr] ?? fallback;
    }
    return parser.operand(item);
  };
  while (!parser.atEnd()) {
    const clause = parser.next().text.toUpperCase();
    do {
      if (parser.peek()?.text === ',') parser.next();
      const attr = parser.path();
      if (clause === 'SET') {
        parser.expect('=');
        let value = operand();
        const op = parser.peek();
        if (op?.kind === 'op' && (op.text === '+' || op.text === '-')) {
          parser.next();
          const rhs = operand();
          const n = op.text === '+' ? numeric(value, attr) + numeric(rhs, attr) : numeric(value, attr) - numeric(rhs, attr);
          value = { N: String(n) };
        }
        if (!value) throw validation(`The provided expression refers to an attribute that does not exist in the item: ${attr}`);
        out[attr] = value;
      } else if (clause === 'ADD') {
        const delta = parser.value();
        out[attr] = { N: String((out[attr] ? numeric(out[attr], attr) : 0) + numeric(delta, attr)) };
      } else if (clause === 'REMOVE') {
        delete out[attr];
      } else throw validation(`Invalid UpdateExpression: unsupported clause ${clause}`);
    } while (parser.peek()?.text === ',');
  }
  return out;
}

// ---------- tables ----------

function keyString(key: KeySchema, item: Item): string | undefined {
  const h = item[key.hash];
  const r = key.range ? item[key.range] : undefined;
  if (!h || (key.range && !r)) return undefined;
  return JSON.stringify([h, r ?? null]);
}

function keyOf(key: KeySchema, item: Item): Item {
  const out: Item = {};
  for (const attr of [key.hash, key.range]) if (attr && item[attr]) out[attr] = item[attr];
  return out;
}

function schemaOf(elements: unknown): KeySchema {
  const list = Array.isArray(elements) ? (elements as { AttributeName: string; KeyType: string }[]) : [];
  const hash = list.find((e) => e.KeyType === 'HASH')?.AttributeName;
  if (!hash) throw validation('KeySchema must have a HASH key');
  return { hash, range: list.find((e) => e.KeyType === 'RANGE')?.AttributeName };
}

function sortValue(v: AttributeValue | undefined): string | number {
  return scalar(v) ?? '';
}

export class DynamoDbSimService implements SimService {
  readonly name = 'dynamodb';
  private readonly tables = new Map<string, Table>();

  identify(req: SimRequest): string | undefined {
    const target = req.headers['x-amz-target'];
    if (req.method !== 'POST' || typeof target !== 'string' || !target.startsWith(TARGET_PREFIX)) return undefined;
    return `dynamodb:${target.slice(TARGET_PREFIX.length)}`;
  }

  handle(req: SimRequest, operation: string): SimResponse {
    try {
      const input = JSON.parse(req.body.toString('utf8') || '{}') as Record<string, unknown>;
      return json(200, this.dispatch(operation.slice('dynamodb:'.length), input));
    } catch (e) {
      if (e instanceof DynamoError) return json(e.status, { __type: ERROR_NS + e.type, message: e.message });
      if (e instanceof SyntaxError) return json(400, { __type: ERROR_NS + 'SerializationException', message: e.message });
      throw e;
    }
  }

  throttled(): SimResponse {
    return json(400, { __type: ERROR_NS + 'ThrottlingException', message: 'Rate of requests exceeds the allowed throughput.' });
  }

  internalError(): SimResponse {
    return json(500, { __type: ERROR_NS + 'InternalServerError', message: 'Internal server error' });
  }

  accessDenied(_req: SimRequest, operation: string): SimResponse {
    return json(400, { __type: ERROR_NS + 'AccessDeniedException', message: `User: arn:aws:sts::000000000000:assumed-role/cordon-responder/cordon is not authorized to perform: ${operation}` });
  }

  private table(input: Record<string, unknown>): Table {
    const name = String(input.TableName ?? '');
    const table = this.tables.get(name);
    if (!table) throw new DynamoError('ResourceNotFoundException', 'Requested resource not found');
    return table;
  }

  private dispatch(op: string, input: Record<string, unknown>): unknown {
    const ctx: ExpressionContext = {
      names: (input.ExpressionAttributeNames as Record<string, string> | undefined) ?? {},
      values: (input.ExpressionAttributeValues as Record<string, AttributeValue> | undefined) ?? {},
    };
    switch (op) {
      case 'CreateTable':
        return this.createTable(input);
      case 'DescribeTable':
        return { Table: describe(this.table(input)) };
      case 'PutItem': {
        const table = this.table(input);
        const item = input.Item as Item;
        const key = keyString(table.key, item);
        if (!key) throw validation('One of the required keys was not given a value');
        this.checked(table, key, input, ctx);
        const old = table.items.get(key);
        table.items.set(key, item);
        return input.ReturnValues === 'ALL_OLD' && old ? { Attributes: old } : {};
      }
      case 'GetItem': {
        const table = this.table(input);
        const key = keyString(table.key, input.Key as Item);
        if (!key) throw validation('The provided key element does not match the schema');
        const item = table.items.get(key);
        return item ? { Item: item } : {};
      }
      case 'UpdateItem': {
        const table = this.table(input);
        const keyItem = input.Key as Item;
        const key = keyString(table.key, keyItem);
        if (!key) throw validation('The provided key element does not match the schema');
        const current = this.checked(table, key, input, ctx);
        const updated = applyUpdate(String(input.UpdateExpression ?? ''), current ?? { ...keyItem }, ctx);
        table.items.set(key, updated);
        return input.ReturnValues === 'ALL_NEW' ? { Attributes: updated } : {};
      }
      case 'DeleteItem': {
        const table = this.table(input);
        const key = keyString(table.key, input.Key as Item);
        if (!key) throw validation('The provided key element does not match the schema');
        this.checked(table, key, input, ctx);
        table.items.delete(key);
        return {};
      }
      case 'Query':
        return this.query(input, ctx);
      default:
        throw new DynamoError('UnknownOperationException', `the simulated estate does not implement DynamoDB ${op}`);
    }
  }

  /** Evaluates ConditionExpression against the stored item; returns it. */
  private checked(table: Table, key: string, input: Record<string, unknown>, ctx: ExpressionContext): Item | undefined {
    const current = table.items.get(key);
    if (!evaluateCondition(input.ConditionExpression as string | undefined, current ?? {}, ctx)) {
      throw new DynamoError('ConditionalCheckFailedException', 'The conditional request failed');
    }
    return current;
  }

  private createTable(input: Record<string, unknown>): unknown {
    const name = String(input.TableName ?? '');
    if (this.tables.has(name)) throw new DynamoError('ResourceInUseException', `Table already exists: ${name}`);
    const indexes = new Map<string, KeySchema>();
    for (const gsi of (input.GlobalSecondaryIndexes as { IndexName: string; KeySchema: unknown }[] | undefined) ?? []) {
      indexes.set(gsi.IndexName, schemaOf(gsi.KeySchema));
    }
    const table: Table = {
      name,
      key: schemaOf(input.KeySchema),
      indexes,
      items: new Map(),
      attributeDefinitions: (input.AttributeDefinitions as unknown[] | undefined) ?? [],
      createdAt: Date.now() / 1000,
    };
    this.tables.set(name, table);
    return { TableDescription: describe(table) };
  }

  private query(input: Record<string, unknown>, ctx: ExpressionContext): unknown {
    const table = this.table(input);
    const indexName = input.IndexName as string | undefined;
    const schema = indexName ? table.indexes.get(indexName) : table.key;
    if (!schema) throw validation(`The table does not have the specified index: ${indexName}`);
    const keyCondition = String(input.KeyConditionExpression ?? '');
    // Sparse index: only items carrying the index's key attributes are in it.
    let matches = [...table.items.values()].filter((item) => keyString(schema, item) !== undefined && evaluateCondition(keyCondition, item, ctx));
    matches = matches.filter((item) => evaluateCondition(input.FilterExpression as string | undefined, item, ctx));
    const rangeAttr = schema.range;
    if (rangeAttr) {
      matches.sort((a, b) => {
        const x = sortValue(a[rangeAttr]);
        const y = sortValue(b[rangeAttr]);
        return x < y ? -1 : x > y ? 1 : 0;
      });
    }
    if (input.ScanIndexForward === false) matches.reverse();
    const fullKey = (item: Item) => ({ ...keyOf(table.key, item), ...keyOf(schema, item) });
    const start = input.ExclusiveStartKey as Item | undefined;
    if (start) {
      const startKey = JSON.stringify(start, Object.keys(start).sort());
      const at = matches.findIndex((item) => {
        const k = fullKey(item);
        return JSON.stringify(k, Object.keys(k).sort()) === startKey;
      });
      matches = matches.slice(at + 1);
    }
    const limit = typeof input.Limit === 'number' ? input.Limit : undefined;
    const page = limit !== undefined ? matches.slice(0, limit) : matches;
    const more = limit !== undefined && matches.length > limit;
    const last = page[page.length - 1];
    return { Items: page, Count: page.length, ScannedCount: page.length, ...(more && last ? { LastEvaluatedKey: fullKey(last) } : {}) };
  }
}

function describe(table: Table) {
  const schema = (k: KeySchema) => [
    { AttributeName: k.hash, KeyType: 'HASH' },
    ...(k.range ? [{ AttributeName: k.range, KeyType: 'RANGE' }] : []),
  ];
  return {
    TableName: table.name,
    TableStatus: 'ACTIVE',
    KeySchema: schema(table.key),
    AttributeDefinitions: table.attributeDefinitions,
    ItemCount: table.items.size,
    CreationDateTime: table.createdAt,
    TableArn: `arn:aws:dynamodb:us-east-1:000000000000:table/${table.name}`,
    BillingModeSummary: { BillingMode: 'PAY_PER_REQUEST' },
    GlobalSecondaryIndexes: [...table.indexes].map(([IndexName, k]) => ({
      IndexName,
      KeySchema: schema(k),
      Projection: { ProjectionType: 'ALL' },
      IndexStatus: 'ACTIVE',
    })),
  };
}

function json(status: number, body: unknown): SimResponse {
  return { status, headers: { 'content-type': 'application/x-amz-json-1.0' }, body: JSON.stringify(body) };
}
