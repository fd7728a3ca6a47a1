// Minimal INI handling in oslo.config's dialect: enough to set keys inside sections of an existing file
// without disturbing the rest (Debian's commented defaults stay), and to escape values safely.

export type IniValues = Record<string, Record<string, string | number | boolean>>;

// oslo.config expands $name, strips surrounding blanks and one pair of matching quotes: undo all three.
// Percent-encodes every character outside RFC 3986's unreserved set (encodeURIComponent leaves !'()*),
// so a password inside `connection =` needs neither quotes nor `$` escaping.
export function urlComponent(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());
}

export function iniValue(value: string | number | boolean): string {
  const s = String(value);
  if (/[\r\n\0]/.test(s)) throw new Error("INI values must be a single line");
  // A replacer function: in a replacement *string*, "$$" would mean a single "$".
  const escaped = s.replaceAll("$", () => "$$");
  const needsQuotes = /^\s|\s$/.test(s) || (s.length >= 2 && s[0] === s.at(-1) && (s[0] === '"' || s[0] === "'"));
  return needsQuotes ? `"${escaped}"` : escaped;
}

const sectionLine = /^\s*\[([^\]]+)\]\s*$/;
const keyLine = (key: string) => new RegExp(`^\\s*${key.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\s*=`);

// Sets every key (replacing the first active line for it in its section, else appending to the section,
// creating the section at the end when missing). Returns the new text; nothing to set returns it untouched.
export function setIniValues(text: string, values: IniValues): string {
  const lines = text.split("\n");
  const trailingNewline = text.endsWith("\n");
  if (trailingNewline) lines.pop();
  if (Object.values(values).every((keys) => Object.keys(keys).length === 0)) return text;
  for (const [section, keys] of Object.entries(values)) {
    for (const [key, raw] of Object.entries(keys)) {
      const line = `${key} = ${iniValue(raw)}`;
      const { start, end } = sectionBounds(lines, section);
      if (start < 0) {
        if (lines.length && lines.at(-1) !== "") lines.push("");
        lines.push(`[${section}]`, line);
        continue;
      }
      const match = lines.slice(start + 1, end).findIndex((l) => keyLine(key).test(l));
      if (match >= 0) lines[start + 1 + match] = line;
      else {
        // Insert after the section's last non-blank line so blank separators stay between sections.
        let at = end;
        while (at > start + 1 && lines[at - 1]!.trim() === "") at--;
        lines.splice(at, 0, line);
      }
    }
  }
  return lines.join("\n") + (trailingNewline || lines.length ? "\n" : "");
}

// Reads the active value of a key (for checks), undoing iniValue's escaping.
export function getIniValue(text: string, section: string, key: string): string | undefined {
  const lines = text.split("\n");
  const { start, end } = sectionBounds(lines, section);
  if (start < 0) return undefined;
  const line = lines.slice(start + 1, end).find((l) => keyLine(key).test(l));
  if (line === undefined) return undefined;
  let v = line.slice(line.indexOf("=") + 1).trim();
  if (v.length >= 2 && v[0] === v.at(-1) && (v[0] === '"' || v[0] === "'")) v = v.slice(1, -1);
  return v.replaceAll("$$", () => "$");
}

// First occurrence of [section] (DEFAULT is case-sensitive in oslo) and where the next section starts.
function sectionBounds(lines: string[], section: string): { start: number; end: number } {
  const start = lines.findIndex((l) => sectionLine.exec(l)?.[1]?.trim() === section);
  if (start < 0) return { start, end: -1 };
  let end = start + 1;
  while (end < lines.length && !sectionLine.test(lines[end]!)) end++;
  return { start, end };
}
