import { quote } from "shlex";
import { urlComponent } from "../render/ini.js";

// One process-wide redactor: every resolved secret is registered here, and every path that prints,
// logs, reports, diffs or throws passes text through redact() before it leaves the process.

export const MASK = "***";

// Secrets shorter than this are too likely to match ordinary text; they are still kept out of argv.
const MIN_MASKABLE = 3;

export class Redactor {
  private readonly secrets = new Set<string>();
  private pattern: RegExp | undefined;

  // Registers a secret and the encoded forms it takes in configs and URLs, so those are masked too.
  add(secret: string): void {
    if (!secret || secret.length < MIN_MASKABLE) {
      if (secret) this.secrets.add(secret);
      this.pattern = undefined;
      return;
    }
    for (const form of encodedForms(secret)) this.secrets.add(form);
    this.pattern = undefined;
  }

  // True when the text holds any registered secret (used to refuse secrets in remote argv).
  contains(text: string): boolean {
    for (const s of this.secrets) if (s.length > 0 && text.includes(s)) return true;
    return false;
  }

  redact(text: string): string {
    if (this.secrets.size === 0 || !text) return text;
    this.pattern ??= buildPattern([...this.secrets].filter((s) => s.length >= MIN_MASKABLE));
    return this.pattern ? text.replace(this.pattern, MASK) : text;
  }

  // Deep-redacts strings inside JSON-like values (reports).
  redactValue<T>(value: T): T {
    if (typeof value === "string") return this.redact(value) as T;
    if (Array.isArray(value)) return value.map((v) => this.redactValue(v)) as T;
    if (value && typeof value === "object") {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = this.redactValue(v);
      return out as T;
    }
    return value;
  }

  clear(): void {
    this.secrets.clear();
    this.pattern = undefined;
  }
}

// The shapes a secret takes on its way into files: raw, percent-encoded (URLs), INI-escaped ($ → $$),
// shell-quoted.
function encodedForms(secret: string): string[] {
  const url = urlComponent(secret);
  // quote(): how a secret reads in a shell file such as admin-openrc ('…'"'"'…' when it holds a quote).
  // JSON.stringify(secret) without its quotes: how it reads inside a JSON body (e.g. a Keystone request listed
  // among a change's actions) when it holds `"`, `\` or a control character.
  const json = JSON.stringify(secret).slice(1, -1);
  return [...new Set([secret, encodeURIComponent(secret), url, url.replaceAll("%", () => "%%"), secret.replaceAll("$", () => "$$"), quote(secret), json])];
}

function buildPattern(secrets: string[]): RegExp | undefined {
  if (secrets.length === 0) return undefined;
  // Longest first so an encoded form is masked whole rather than leaving a tail.
  const alternatives = secrets
    .sort((a, b) => b.length - a.length)
    .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(alternatives.join("|"), "g");
}

export const redactor = new Redactor();
