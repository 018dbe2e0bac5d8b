/** One-line text a person typed: Unicode NFC (so look-alike strings compare equal), trimmed. */
export function normaliseText(value: string): string {
  return value.normalize('NFC').trim();
}
