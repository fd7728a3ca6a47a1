// Messages that must stay on one line (JSON error documents, inventory errors): line breaks become spaces, and
// the Unicode line and paragraph separators are written as escapes.
export function oneLine(text: string): string {
  return text.replace(/[\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`).replace(/[\r\n]+/g, " ");
}
