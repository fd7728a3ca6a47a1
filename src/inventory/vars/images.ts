import { z } from "zod";
import { flag, text, url } from "./schemas.js";

// One entry of `glance_images`, the image catalogue deploy makes true. Defaults are the guide's upload
// (`--disk-format qcow2 --container-format bare --visibility=public`).

// Image attributes Glance manages itself or sets through their own fields: not writable as properties.
const coreAttributes = new Set([
  "id", "name", "status", "visibility", "disk_format", "container_format", "checksum", "os_hash_algo", "os_hash_value",
  "size", "virtual_size", "min_disk", "min_ram", "protected", "owner", "tags", "locations", "direct_url", "created_at",
  "updated_at", "file", "schema", "self", "os_hidden", "stores",
]);

const propertyName = z
  .string()
  .regex(/^[A-Za-z0-9_.:-]{1,255}$/, "must be letters, digits, '_', '.', ':' or '-'")
  .refine((k) => !coreAttributes.has(k), "is an image attribute set by its own field (or by Glance), not a property");

const entry = z
  .strictObject({
    name: text,
    // Relative paths are read from the working directory, like verify_image_file.
    file: text.optional(),
    url: url.optional(),
    disk_format: z.enum(["qcow2", "raw", "vmdk", "vdi", "vhd", "vhdx", "iso", "ploop", "aki", "ari", "ami"]).default("qcow2"),
    container_format: z.enum(["bare", "ovf", "ova", "aki", "ari", "ami", "docker", "compressed"]).default("bare"),
    visibility: z.enum(["public", "private", "shared", "community"]).default("public"),
    // Glance keeps extra properties as strings; numbers and booleans are written as their text.
    properties: z.record(propertyName, z.union([text, z.number(), z.boolean()]).transform(String)).default({}),
    // The sha512 (Glance's os_hash_value) or md5 (its checksum) the data must have.
    checksum: z
      .string()
      .regex(/^([0-9a-fA-F]{32}|[0-9a-fA-F]{128})$/, "must be a hex md5 (32 digits) or sha512 (128 digits)")
      .transform((v) => v.toLowerCase())
      .optional(),
    state: z.enum(["present", "absent"]).default("present"),
    // A new upload of a name deletes that name's other images once the new one is active.
    replace: flag.default(false),
  })
  .superRefine((e, issue) => {
    if (e.state === "present" && (e.file === undefined) === (e.url === undefined)) {
      issue.addIssue({ code: "custom", message: "give exactly one of `file` and `url`", path: [] });
    }
  });

export const glanceImagesSchema = z.array(entry).superRefine((entries, issue) => {
  const seen = new Set<string>();
  entries.forEach((e, i) => {
    if (seen.has(e.name)) issue.addIssue({ code: "custom", message: `image \`${e.name}\` is listed twice`, path: [i, "name"] });
    seen.add(e.name);
  });
});

export type GlanceImageEntry = z.output<typeof entry>;
