// P7: uploading a 1 GiB image. The tool (a `glance_images` entry, `deploy --tags images`: connect, hash the file,
// stream it through the SSH tunnel) against `glance image-create` run on the controller itself with the same
// file. Figures: wall seconds of each, throughput, and the tool's peak RSS.
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { parseDocument } from "yaml";
import { convergedLab } from "../test/helpers/converged.js";

interface Figure {
  median: number;
  min: number;
  max: number;
  runs: number[];
}

export interface UploadBenchTools {
  cli(args: string[]): Promise<{ seconds: number; rssMb: number; stdout: string }>;
  figure(runs: number[]): Figure;
  log(line: string): void;
  // Waits until the lab's services are warm and the machine is quiet.
  prepare(inventory: string): Promise<void>;
  runs: number;
}

export interface UploadFigures {
  bytes: number;
  tool: Figure;
  // The catalogue task alone, from the report (hashing and upload, without connecting and preflight).
  toolTask: Figure;
  glanceCli: Figure;
  rssMb: Figure;
  // Throughput of the tool over that of glance image-create (medians; above 1 the tool is faster).
  ratio: number;
  taskRatio: number;
}

const SIZE = 1024 ** 3;

export async function uploadBench(tools: UploadBenchTools): Promise<UploadFigures> {
  const lab = await convergedLab(1);
  const local = join(lab.paths.state, "bench-1g.img");
  const host = lab.state.hosts[0]!;
  try {
    // Random data: nothing compresses it on the way, and as `raw` Glance takes it as it is.
    await execa("dd", ["if=/dev/urandom", `of=${local}`, "bs=1M", `count=${SIZE / 1024 ** 2}`, "status=none"]);
    const ssh = ["-i", lab.paths.key, "-o", `UserKnownHostsFile=${lab.paths.knownHosts}`, "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes"];
    await execa("scp", [...ssh, local, `root@${host.address}:/root/bench-1g.img`]);
    await tools.prepare(lab.inventory);
    const sh = async (command: string) => {
      const r = await lab.exec(host.name, command);
      if (r.code !== 0) throw new Error(`${command}: exited ${r.code}: ${r.stderr}`);
      return r.stdout.trim();
    };
    const admin = ". /root/admin-openrc &&";
    const inventory = join(lab.paths.state, "bench-upload.yaml");
    const tool: number[] = [];
    const task: number[] = [];
    const rss: number[] = [];
    const glanceCli: number[] = [];
    const runTool = async (i: number) => {
      const doc = parseDocument(readFileSync(lab.inventory, "utf8"));
      doc.setIn(["all", "vars", "glance_images"], [{ name: `bench-tool-${i}`, file: local, disk_format: "raw" }]);
      writeFileSync(inventory, doc.toString());
      const r = await tools.cli(["deploy", "--inventory", inventory, "--playbook", "glance", "--tags", "images", "--json"]);
      const report = JSON.parse(r.stdout) as { tasks: { name: string; status: string; durationMs: number }[] };
      const line = report.tasks.find((t) => t.name === "Glance image catalogue");
      if (line?.status !== "changed") throw new Error(`the catalogue did not upload: ${JSON.stringify(report.tasks)}`);
      tool.push(r.seconds);
      task.push(line.durationMs / 1000);
      rss.push(r.rssMb);
      await sh(`${admin} openstack image delete bench-tool-${i}`);
    };
    const runGlance = async (i: number) => {
      // Timed on the host, so the SSH session that starts it is not counted against the guide's command.
      const ms = await sh(
        `${admin} b=$(date +%s%N) && glance image-create --name bench-cli-${i} --disk-format raw --container-format bare --visibility public --file /root/bench-1g.img >/dev/null && e=$(date +%s%N) && echo $(( (e - b) / 1000000 ))`,
      );
      glanceCli.push(Number(ms) / 1000);
      await sh(`${admin} openstack image delete bench-cli-${i}`);
    };
    for (let i = 0; i < tools.runs; i++) {
      // Order alternates, so neither side always meets a cache the other warmed.
      if (i % 2 === 0) await runTool(i).then(() => runGlance(i));
      else await runGlance(i).then(() => runTool(i));
      tools.log(`P7 run ${i + 1}: tool ${tool.at(-1)!.toFixed(1)} s (task ${task.at(-1)!.toFixed(1)} s, ${rss.at(-1)!.toFixed(0)} MB), glance image-create ${glanceCli.at(-1)!.toFixed(1)} s`);
    }
    const [t, k, g] = [tools.figure(tool), tools.figure(task), tools.figure(glanceCli)];
    return { bytes: SIZE, tool: t, toolTask: k, glanceCli: g, rssMb: tools.figure(rss), ratio: g.median / t.median, taskRatio: g.median / k.median };
  } finally {
    rmSync(local, { force: true });
    await lab.down();
  }
}
