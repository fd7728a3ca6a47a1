import { z } from "zod";
import type { Vars } from "./schemas.js";

// glance_backends: Glance's multi-store form (`enabled_backends = id:type, ...`, one `[id]` section each). Ids are
// stored with every image's location, so they are checked here and never derived from anything that may change.
const id = z
  .string()
  .regex(/^[a-z][a-z0-9_-]*$/, "a backend id is lower-case letters, digits, '_' and '-'")
  .refine((v) => !v.startsWith("os_glance_"), "ids starting with os_glance_ are Glance's own (staging and tasks stores)");
const file = z.strictObject({ id, type: z.literal("file"), datadir: z.string().regex(/^\/[^\r\n\0]*$/, "an absolute path").optional() });
const http = z.strictObject({ id, type: z.literal("http") });
export const backendList = z
  .array(z.discriminatedUnion("type", [file, http]))
  .min(1)
  .refine((list) => new Set(list.map((b) => b.id)).size === list.length, "backend ids must be unique");

export type Backend = z.output<typeof backendList>[number];

// The id the deprecated single-store variables stand for: the 2025.1 install guide's `fs` for the file store.
export const storeId = (type: string) => (type === "file" ? "fs" : type);

// The default list: glance_stores (deprecated) when set, else the guide's file store plus the read-only http.
export function backendsFromStores(v: Vars): Backend[] {
  const types = String(v.glance_stores ?? "file,http").split(",").map((s) => s.trim()).filter(Boolean);
  return types.map((type) => (type === "file" ? { id: "fs", type: "file", datadir: String(v.glance_filesystem_store_datadir) } : ({ id: storeId(type), type } as Backend)));
}
