import { flag, text, url, type VarSpec } from "./schemas.js";

// The image `verify` uploads to prove Glance stores and serves images.
export const verifyVars = {
  verify_image_file: { schema: text, doc: "Local qcow2 file uploaded by verify." },
  verify_image_url: { schema: url, doc: "URL of the qcow2 verify uploads (when no file is set); fetched by the tool." },
  verify_image_name: { schema: text, default: "glance-deploy-verify", doc: "Name of the verification image." },
  keep_verify_image: { schema: flag, default: false, doc: "Keep the verification image instead of deleting it." },
} satisfies Record<string, VarSpec>;
