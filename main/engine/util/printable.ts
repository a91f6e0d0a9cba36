/**
 * Text from outside (user names, hand-edited config, request fields) may
 * hold control characters: `\r\n` forges a log line, ESC sequences repaint a
 * terminal, bidi overrides (U+202E …) make `gatehouse users list` show a
 * name reversed. Everything the engine or the CLI prints goes through
 * `printable()`, which writes such characters as visible escapes.
 */

/** C0 controls, DEL, C1 controls, bidi embeddings/overrides/isolates and marks, line/paragraph separators. */
// eslint-disable-next-line no-control-regex
export const UNSAFE_CHARS = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** True when `s` holds no character that `printable()` would escape. */
export function isPrintable(s: string): boolean {
  UNSAFE_CHARS.lastIndex = 0;
  const bad = UNSAFE_CHARS.test(s);
  UNSAFE_CHARS.lastIndex = 0;
  return !bad;
}

/** `s` with every unsafe character written as an escape (`\r`, `\n`, `\t`, `\x1b`, `\u202e`). */
export function printable(s: string): string {
  return s.replace(UNSAFE_CHARS, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    const code = c.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
