import { DeployError, ExitCode } from "../errors.js";

// The lab failed to build or run hosts (a command failed, a host did not boot): not bad input, not a bug.
export class LabError extends DeployError {
  readonly exitCode = ExitCode.taskFailed;
}
