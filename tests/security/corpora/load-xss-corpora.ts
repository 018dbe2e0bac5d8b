import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface XssVector {
  payload: string;
  source: { repo: string; path: string; ref: string };
}

export interface NumberedVector {
  file: CorpusFile;
  index: number;
  payload: string;
}

/** The corpus files, committed beside this module, with their README (attribution). */
export const CORPUS_FILES = ['xss-vectors.json', 'markdown-xss-vectors.json'] as const;
export type CorpusFile = (typeof CORPUS_FILES)[number];

// Tests read the committed copy so they run on a clone with nothing beside it.
export const committedCorporaDir = path.dirname(fileURLToPath(import.meta.url));

function isXssVector(value: unknown): value is XssVector {
  if (typeof value !== 'object' || value === null) return false;
  const { payload, source } = value as Record<string, unknown>;
  return typeof payload === 'string' && typeof source === 'object' && source !== null;
}

export function loadCorpus(file: CorpusFile): XssVector[] {
  const parsed: unknown = JSON.parse(readFileSync(path.join(committedCorporaDir, file), 'utf8'));
  // A malformed corpus must fail loudly: an empty list would pass every test.
  if (!Array.isArray(parsed) || !parsed.every(isXssVector)) {
    throw new Error(`${file} is not an array of {payload, source}`);
  }
  return parsed;
}

export function loadAllVectors(): NumberedVector[] {
  return CORPUS_FILES.flatMap((file) =>
    loadCorpus(file).map((vector, index) => ({ file, index, payload: vector.payload })),
  );
}

/** "xss-vectors.json #12: <first 40 characters, escaped>" — readable in a report. */
export function vectorName({ file, index, payload }: NumberedVector): string {
  const head = JSON.stringify(Array.from(payload).slice(0, 40).join(''));
  return `${file} #${index}: ${head}`;
}
