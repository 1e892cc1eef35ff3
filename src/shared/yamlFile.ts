/** Reads a YAML file, validates it against a JSON Schema and reports problems as `file:line: message`. */
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { Document, LineCounter, Node } from 'yaml';
import { configError, MycliError } from './errors';

// yaml and ajv load on first use: most runs read no YAML file, and the CLI starts faster without them.
const yaml = (): typeof import('yaml') => require('yaml') as typeof import('yaml');
let ajvInstance: import('ajv').default | undefined;
function ajv(): import('ajv').default {
  const Ajv = (require('ajv') as typeof import('ajv')).default;
  return (ajvInstance ??= new Ajv({ allErrors: false, strict: true }));
}

export interface YamlSource {
  file: string;
  doc: Document.Parsed;
  lines: LineCounter;
}

const compiled = new Map<object, ValidateFunction>();

export function parseYaml(file: string, text: string): YamlSource {
  const { LineCounter, parseDocument } = yaml();
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const first = doc.errors[0];
  if (first) {
    const line = first.linePos?.[0]?.line ?? lines.linePos(first.pos[0]).line;
    throw configError(`${file}:${line}: invalid YAML: ${first.message.split('\n')[0]}`);
  }
  return { file, doc, lines };
}

/** The line of the key at `path` (or of its value when keyOnly is false). */
export function lineOf(src: YamlSource, path: (string | number)[]): number {
  const { isMap, isScalar } = yaml();
  let node: unknown = src.doc.contents;
  let offset = 0;
  for (const segment of path) {
    if (!isMap(node)) break;
    const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment));
    if (!pair) break;
    offset = (pair.key as Node).range?.[0] ?? offset;
    node = pair.value;
  }
  return src.lines.linePos(offset).line;
}

function describe(err: ErrorObject, schema: { properties?: Record<string, unknown> }): { path: string[]; message: string } {
  const path = err.instancePath.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  const where = path.length ? `"${path.join('.')}"` : 'the file';
  switch (err.keyword) {
    case 'additionalProperties': {
      const key = String(err.params.additionalProperty);
      const parentSchema = path.length === 0 ? schema : undefined;
      const allowed = parentSchema?.properties ? ` (allowed keys: ${Object.keys(parentSchema.properties).join(', ')})` : '';
      return { path: [...path, key], message: `unknown key "${[...path, key].join('.')}"${allowed}` };
    }
    case 'type':
      return { path, message: `${where} must be ${err.params.type === 'object' ? 'a mapping of key: value' : `${/^[aeiou]/.test(String(err.params.type)) ? 'an' : 'a'} ${err.params.type}`}` };
    case 'enum':
      return { path, message: `${where} must be one of ${(err.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}` };
    case 'minimum':
    case 'maximum':
      return { path, message: `${where} must be ${err.keyword === 'minimum' ? 'at least' : 'at most'} ${err.params.limit}` };
    default:
      return { path, message: `${where} ${err.message ?? 'is invalid'}` };
  }
}

function plainValue(src: YamlSource): unknown {
  try {
    return src.doc.toJS();
  } catch (err) {
    const { visit } = yaml();
    let offset = 0;
    visit(src.doc, {
      Alias(_, node) {
        if (node.resolve(src.doc) === undefined) {
          offset = node.range?.[0] ?? 0;
          return visit.BREAK;
        }
        return undefined;
      },
    });
    throw configError(`${src.file}:${src.lines.linePos(offset).line}: invalid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
}

/** Validates the document against the schema; returns its plain value. An empty file is an empty mapping. */
export function validateYaml<T>(src: YamlSource, schema: object): T {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv().compile(schema);
    compiled.set(schema, validate);
  }
  const value = plainValue(src) ?? {};
  if (!validate(value)) {
    const { path, message } = describe(validate.errors![0]!, schema as { properties?: Record<string, unknown> });
    throw configError(`${src.file}:${lineOf(src, path)}: ${message}`, path.join('.'));
  }
  return value as T;
}

/** Re-throws a validation error of one key with the file and line of that key. */
export function atKey<T>(src: YamlSource, path: string[], check: () => T): T {
  try {
    return check();
  } catch (err) {
    if (err instanceof MycliError) throw configError(`${src.file}:${lineOf(src, path)}: ${err.message}`, path.join('.'));
    throw err;
  }
}
