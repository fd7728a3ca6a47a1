// Prints the README's inventory variable table (npm run docs:vars) from src/inventory/vars.ts.
import { varsMarkdownTable } from "../src/inventory/varsDoc.js";

process.stdout.write(varsMarkdownTable() + "\n");
