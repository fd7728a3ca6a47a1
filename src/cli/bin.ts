#!/usr/bin/env node
// Kept tiny: everything heavy is imported by the command that needs it.
import { main } from "./main.js";

process.exitCode = await main(process.argv);
