import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
  type AttributeValue,
  type CreateTableCommandInput,
  type DynamoDBClient,
  type QueryCommandInput,
} from '@aws-sdk/client-dynamodb';
import { DocumentCaseStore } from './document-case-store.js';
import { AuditRecordOverwriteError, CREATE_ONLY, type Mutator, type RecordKind, type RecordTable } from './record-table.js';

/**
 * Single-table layout (the infra's table must match):
 *   record   pk = INC#<incident>   sk = <KIND>#<key>   doc (JSON)  ver (N)
 *            gsi1pk = <KIND>#<flag>   gsi1sk = <incident>#<key>   only while flagged (sparse index)
 *   counter  pk = ACCT#<account>   sk = HOUR#<YYYY-MM-DDTHH>   count (N)
 * Writes are conditional: a new record requires `attribute_not_exists(pk)`, a change requires the
 * version read (`ver = :ver`), so a lost race is retried on fresh data and never overwrites.
 */
export const CASE_TABLE_INDEX = 'gsi1';

export function caseTableDefinition(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: ['pk', 'sk', 'gsi1pk', 'gsi1sk'].map((AttributeName) => ({ AttributeName, AttributeType: 'S' })),
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: CASE_TABLE_INDEX,
        KeySchema: [
          { AttributeName: 'gsi1pk', KeyType: 'HASH' },
          { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
  };
}

const MAX_ATTEMPTS = 100;

/** The partition of an incident's records (infra scopes IAM conditions by it). */
export const recordPk = (incident: string) => `INC#${incident}`;
const recordSk = (kind: RecordKind, key: string) => `${kind.toUpperCase()}#${key}`;
const S = (s: string): AttributeValue => ({ S: s });
const N = (n: number): AttributeValue => ({ N: String(n) });

function docOf<T>(item: Record<string, AttributeValue>): T {
  const doc = item.doc;
  if (!doc || doc.S === undefined) throw new Error(`case table item ${item.pk?.S ?? '?'} / ${item.sk?.S ?? '?'} has no doc`);
  return JSON.parse(doc.S) as T;
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class DynamoRecordTable implements RecordTable {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  private async read(kind: RecordKind, incident: string, key: string) {
    const { Item } = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: { pk: S(recordPk(incident)), sk: S(recordSk(kind, key)) }, ConsistentRead: true }),
    );
    return Item;
  }

  private async queryAll(input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>) {
    const items: Record<string, AttributeValue>[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.client.send(new QueryCommand({ ...input, TableName: this.tableName, ExclusiveStartKey: start }));
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  }

  async get<T>(kind: RecordKind, incident: string, key: string) {
    const item = await this.read(kind, incident, key);
    return item ? docOf<T>(item) : undefined;
  }

  async listByIncident<T>(kind: RecordKind, incident: string) {
    const items = await this.queryAll({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :kind)',
      ExpressionAttributeValues: { ':pk': S(recordPk(incident)), ':kind': S(recordSk(kind, '')) },
      ConsistentRead: true,
    });
    return items.map((i) => docOf<T>(i));
  }

  async listByFlag<T>(kind: RecordKind, flag: string) {
    const items = await this.queryAll({
      IndexName: CASE_TABLE_INDEX,
      KeyConditionExpression: 'gsi1pk = :flag',
      ExpressionAttributeValues: { ':flag': S(`${kind.toUpperCase()}#${flag}`) },
    });
    return items.map((i) => docOf<T>(i));
  }

  async mutate<T>(kind: RecordKind, incident: string, key: string, fn: Mutator<T>) {
    for (let attempt = 1; ; attempt++) {
      const item = await this.read(kind, incident, key);
      const current = item ? docOf<T>(item) : undefined;
      const next = fn(current);
      if (!next) return { changed: false, body: current };
      if (item && CREATE_ONLY.has(kind)) throw new AuditRecordOverwriteError(incident, key);
      const version = item?.ver?.N !== undefined ? Number(item.ver.N) : 0;
      try {
        await this.client.send(
          new PutItemCommand({
            TableName: this.tableName,
            Item: {
              pk: S(recordPk(incident)),
              sk: S(recordSk(kind, key)),
              doc: S(JSON.stringify(next.body)),
              ver: N(version + 1),
              ...(next.flag !== undefined ? { gsi1pk: S(`${kind.toUpperCase()}#${next.flag}`), gsi1sk: S(`${incident}#${key}`) } : {}),
            },
            ...(item
              ? { ConditionExpression: '#ver = :ver', ExpressionAttributeNames: { '#ver': 'ver' }, ExpressionAttributeValues: { ':ver': N(version) } }
              : { ConditionExpression: 'attribute_not_exists(pk)' }),
          }),
        );
        return { changed: true, body: next.body };
      } catch (e) {
        if (!(e instanceof ConditionalCheckFailedException) || attempt >= MAX_ATTEMPTS) throw e;
        // Someone else wrote first: back off a little (jittered) and decide again on their result.
        await pause(Math.random() * Math.min(50, attempt * 2));
      }
    }
  }

  async addActions(account: string, hour: string, count: number) {
    await this.client.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: { pk: S(`ACCT#${account}`), sk: S(`HOUR#${hour}`) },
        UpdateExpression: 'ADD #count :n',
        ExpressionAttributeNames: { '#count': 'count' },
        ExpressionAttributeValues: { ':n': N(count) },
      }),
    );
  }

  async reserveActions(account: string, hour: string, count: number, cap: number) {
    if (count > cap) return false;
    try {
      // One conditional update: DynamoDB applies it only while the counter leaves room, whoever else is writing.
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { pk: S(`ACCT#${account}`), sk: S(`HOUR#${hour}`) },
          UpdateExpression: 'ADD #count :n',
          ConditionExpression: 'attribute_not_exists(#count) OR #count <= :room',
          ExpressionAttributeNames: { '#count': 'count' },
          ExpressionAttributeValues: { ':n': N(count), ':room': N(cap - count) },
        }),
      );
      return true;
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) return false;
      throw e;
    }
  }

  async sumActions(account: string, fromHour: string) {
    const items = await this.queryAll({
      KeyConditionExpression: 'pk = :pk AND sk >= :from',
      ExpressionAttributeValues: { ':pk': S(`ACCT#${account}`), ':from': S(`HOUR#${fromHour}`) },
      ConsistentRead: true,
    });
    return items.reduce((sum, i) => sum + Number(i.count?.N ?? 0), 0);
  }

  async close() {
    // The client belongs to the caller, who may share it; nothing to release here.
  }
}

export interface DynamoCaseStoreOptions {
  client: DynamoDBClient;
  tableName: string;
}

/** The cloud case store: one DynamoDB table (see the layout above). */
export class DynamoCaseStore extends DocumentCaseStore {
  constructor(options: DynamoCaseStoreOptions) {
    super(new DynamoRecordTable(options.client, options.tableName));
  }

  /** Creates the table (tests and the simulated estate; in the cloud the infra owns it). */
  static async createTable(client: DynamoDBClient, tableName: string): Promise<void> {
    await client.send(new CreateTableCommand(caseTableDefinition(tableName)));
  }
}
