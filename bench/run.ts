// `npm run bench`: whole-process timings of the CLI on lab hosts (issue targets P1–P5), printed as a table
// and written to bench/results.json. Not a test: numbers on a shared machine are observations, not verdicts.
import { readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { quote } from "shlex";
import { convergedLab, type ConvergedLab } from "../test/helpers/converged.js";
import { urlComponent } from "../src/render/ini.js";
import { uploadBench } from "./upload.js";

const ROOT = new URL("../", import.meta.url).pathname;
const BIN = join(ROOT, "dist/src/cli/bin.js");
const RSS_HOOK = join(ROOT, "bench/peak-rss.mjs");
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const FLEET = Number(process.env.BENCH_HOSTS ?? 10);

interface Figure {
  median: number;
  min: number;
  max: number;
  runs: number[];
}

function figure(runs: number[]): Figure {
  const sorted = [...runs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted.at(-1)!, runs };
}

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

// One CLI run as a separate process: wall seconds, the tool's peak RSS (MB, from a preloaded exit hook that
// only reads process.resourceUsage()), and the JSON report when asked for.
async function cli(args: string[], env: Record<string, string> = {}) {
  const rssFile = join(tmpdir(), `gd-bench-rss-${process.pid}`);
  const begin = performance.now();
  const r = await execa("node", ["--import", RSS_HOOK, BIN, ...args], {
    reject: false,
    env: { CI: "1", GD_BENCH_RSS_FILE: rssFile, ...env },
  });
  const seconds = (performance.now() - begin) / 1000;
  if (r.exitCode !== 0) throw new Error(`glance-deploy ${args.join(" ")} exited ${r.exitCode}\n${r.stderr}\n${r.stdout.slice(0, 2000)}`);
  const [rssKb, cpuMs] = readFileSync(rssFile, "utf8").split(" ").map(Number);
  return { seconds, rssMb: rssKb! / 1024, cpuS: cpuMs! / 1000, stdout: r.stdout };
}

// A converged deploy must change nothing; otherwise the timing measures something else.
async function convergedRun(inventory: string, extra: string[] = []) {
  const r = await cli(["deploy", "--inventory", inventory, "--playbook", "glance", "--json", ...extra]);
  const report = JSON.parse(r.stdout) as { hosts: Record<string, { changed: number }> };
  const changed = Object.values(report.hosts).reduce((n, h) => n + h.changed, 0);
  if (changed !== 0) throw new Error(`expected a converged run, ${changed} task(s) changed`);
  return r;
}

// Freshly booted clones start Keystone and Glance at once (8 uwsgi workers each on shared cores): preparing
// the hosts means repeating the warm-up run until every host answers, before anything is measured.
async function warmUp(inventory: string): Promise<void> {
  const deadline = Date.now() + 10 * 60_000;
  for (let delay = 2000; ; delay = Math.min(delay * 2, 30_000)) {
    try {
      await convergedRun(inventory);
      return;
    } catch (error) {
      if (Date.now() + delay > deadline) throw error;
      log(`hosts not ready yet (${String((error as Error).message).split("\n")[0]}); again in ${delay / 1000} s`);
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

// The machine's CPU counters (all cores together, in clock ticks of 1/100 s), from /proc/stat.
function cpuTicks(): { idle: number; total: number } {
  const f = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
  return { idle: f[3]! + f[4]!, total: f.reduce((a, b) => a + b, 0) };
}

// Busy share of the machine's CPU time over `ms`.
async function cpuBusy(ms: number): Promise<number> {
  const a = cpuTicks();
  await new Promise((r) => setTimeout(r, ms));
  const b = cpuTicks();
  return 1 - (b.idle - a.idle) / Math.max(1, b.total - a.total);
}

// A converged run plus the CPU seconds the whole machine (tool and lab hosts) spent during it.
async function measuredRun(inventory: string, extra: string[] = []) {
  const a = cpuTicks();
  const r = await convergedRun(inventory, extra);
  const b = cpuTicks();
  return { ...r, machineCpuS: (b.total - b.idle - (a.total - a.idle)) / 100 };
}

// Freshly booted hosts keep loading their services' workers for a while after they first answer; the lab
// shares the tool's cores, so figures are taken once the machine has gone quiet (or after 5 minutes).
async function settle(): Promise<void> {
  const deadline = Date.now() + 5 * 60_000;
  let busy = 1;
  while (Date.now() < deadline && (busy = await cpuBusy(3000)) > 0.15) log(`waiting for the lab to go quiet (CPU ${Math.round(busy * 100)}% busy)`);
  log(`lab quiet enough: CPU ${Math.round(busy * 100)}% busy`);
}

async function p1(): Promise<Figure> {
  const lab = await convergedLab(1);
  try {
    await warmUp(lab.inventory); // also warms the host's page cache and the cached token, like any repeat run
    await settle();
    const runs: number[] = [];
    for (let i = 0; i < RUNS; i++) runs.push((await convergedRun(lab.inventory)).seconds);
    return figure(runs);
  } finally {
    await lab.down();
  }
}

interface FleetFigures {
  one: Figure;
  fleet: Figure;
  ratio: number;
  rss: Figure;
  // CPU seconds per run, for the breakdown: the tool's own, and the whole machine's (tool + every lab host).
  cpu: { toolOne: Figure; machineOne: Figure; toolFleet: Figure; machineFleet: Figure };
}

async function p3(): Promise<FleetFigures> {
  const lab = await convergedLab(FLEET);
  try {
    await warmUp(lab.inventory);
    await settle();
    // One more run per host after the quiet: every Keystone worker's cache and the admin token are warm.
    await convergedRun(lab.inventory);
    const ones: Awaited<ReturnType<typeof measuredRun>>[] = [];
    const alls: Awaited<ReturnType<typeof measuredRun>>[] = [];
    for (let i = 0; i < RUNS; i++) {
      ones.push(await measuredRun(lab.inventory, ["--limit", lab.state.hosts[0]!.name]));
      alls.push(await measuredRun(lab.inventory));
    }
    const f1 = figure(ones.map((r) => r.seconds));
    const fN = figure(alls.map((r) => r.seconds));
    const cpu = {
      toolOne: figure(ones.map((r) => r.cpuS)),
      machineOne: figure(ones.map((r) => r.machineCpuS)),
      toolFleet: figure(alls.map((r) => r.cpuS)),
      machineFleet: figure(alls.map((r) => r.machineCpuS)),
    };
    log(`CPU seconds per run, tool / whole machine: 1 host ${cpu.toolOne.median} / ${cpu.machineOne.median}; ${FLEET} hosts ${cpu.toolFleet.median} / ${cpu.machineFleet.median}`);
    return { one: f1, fleet: fN, ratio: fN.median / f1.median, rss: figure(alls.map((r) => r.rssMb)), cpu };
  } finally {
    await lab.down();
  }
}

// Two controllers (the second an API node using the first's MariaDB and Keystone) against the first alone:
// the same converged glance play over both hosts, and limited to the first.
async function p6(): Promise<{ one: Figure; two: Figure; ratio: number }> {
  const lab = await convergedLab(2, ["site"], { fromHosts: 1, controllers: 2 });
  try {
    await cli(["deploy", "--inventory", lab.inventory, "--playbook", "glance"]); // installs glance-api on the second host
    await warmUp(lab.inventory);
    await settle();
    await convergedRun(lab.inventory);
    const one: number[] = [];
    const two: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      one.push((await convergedRun(lab.inventory, ["--limit", lab.state.hosts[0]!.name])).seconds);
      two.push((await convergedRun(lab.inventory)).seconds);
    }
    const [f1, f2] = [figure(one), figure(two)];
    return { one: f1, two: f2, ratio: f2.median / f1.median };
  } finally {
    await lab.down();
  }
}

// The guide's commands with the lab's passwords filled in for each quoting layer they meet.
function guideScript(lab: ConvergedLab): string {
  const secret = (name: string) => readFileSync(join(lab.paths.secrets, name), "utf8").replace(/\n$/, "");
  const db = secret("glance_db_password");
  const ks = secret("glance_keystone_password");
  return readFileSync(join(ROOT, "bench/guide.sh"), "utf8")
    .replaceAll("@@GLANCE_DBPASS_SQL@@", db.replace(/\\/g, "\\\\").replace(/'/g, "''"))
    .replaceAll("@@GLANCE_DBPASS_URL@@", urlComponent(db))
    .replaceAll("@@GLANCE_PASS_SH@@", ks.replace(/'/g, `'\\''`))
    .replaceAll("@@GLANCE_PASS_INI@@", ks.replaceAll("$", () => "$$"))
    .replaceAll("@@VERIFY_IMAGE_BASE64@@", readFileSync(lab.paths.verifyImage).toString("base64").replace(/.{76}/g, "$&\n"));
}

async function p2(): Promise<{ tool: Figure; script: Figure; ratio: number }> {
  const tool: number[] = [];
  const script: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const lab = await convergedLab(2, ["mariadb", "memcached", "keystone"]);
    try {
      const [a, b] = lab.state.hosts;
      // Both runs install from the lab's one repository: read it once first, so that whichever runs first does
      // not pay alone for a cold page cache (seen: the first run of a pair was up to 40% slower, either side).
      await settle();
      const warm = await lab.exec(a!.name, "find /srv/labrepo -name '*.deb' -exec cat {} + > /dev/null");
      if (warm.code !== 0) throw new Error(`reading the lab repository: ${warm.stderr}`);
      // The tool deploys one host; the script runs on the other, identical clone. Order alternates per run.
      const inventory = join(lab.paths.state, "bench-one.yaml");
      const runTool = async () => {
        const text = readFileSync(lab.inventory, "utf8");
        writeFileSync(inventory, text);
        tool.push((await cli(["deploy", "--inventory", inventory, "--playbook", "glance", "--limit", a!.name])).seconds);
      };
      const runScript = async () => {
        const begin = performance.now();
        const ssh = ["-i", lab.paths.key, "-o", `UserKnownHostsFile=${lab.paths.knownHosts}`, "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes", `root@${b!.address}`, "bash -s"];
        const r = await execa("ssh", ssh, { input: guideScript(lab), reject: false });
        if (r.exitCode !== 0) throw new Error(`guide script exited ${r.exitCode}: ${r.stderr.slice(-1500)}`);
        script.push((performance.now() - begin) / 1000);
      };
      if (i % 2 === 0) {
        await runTool();
        await runScript();
      } else {
        await runScript();
        await runTool();
      }
      log(`P2 run ${i + 1}: tool ${tool.at(-1)!.toFixed(1)} s, script ${script.at(-1)!.toFixed(1)} s`);
    } finally {
      await lab.down();
    }
  }
  const t = figure(tool);
  const s = figure(script);
  return { tool: t, script: s, ratio: t.median / s.median };
}

async function p4(): Promise<Figure> {
  const env = { ADMIN_PASS: "a", KEYSTONE_DBPASS: "b", GLANCE_DBPASS: "c", GLANCE_PASS: "d" };
  const out = join(tmpdir(), `gd-bench-render-${process.pid}`);
  await cli(["render", "--inventory", join(ROOT, "inventory/example.yaml"), "--out", out], env);
  const runs: number[] = [];
  for (let i = 0; i < Math.max(RUNS, 7); i++) runs.push((await cli(["render", "--inventory", join(ROOT, "inventory/example.yaml"), "--out", out], env)).seconds);
  await execa("rm", ["-rf", out]);
  return figure(runs);
}

const fmt = (f: Figure, unit = "s") => `${f.median.toFixed(unit === "MB" ? 0 : 3)} ${unit} (min ${f.min.toFixed(unit === "MB" ? 0 : 3)}, max ${f.max.toFixed(unit === "MB" ? 0 : 3)})`;

const only = process.argv.slice(2);
const want = (p: string) => only.length === 0 || only.includes(p);
// Figures not measured in this run (e.g. `npm run bench -- P1`) keep their earlier values.
const resultsFile = join(ROOT, "bench/results.json");
const earlier = (() => {
  try {
    return JSON.parse(readFileSync(resultsFile, "utf8")) as Record<string, unknown>;
  } catch {
    return {};
  }
})();
const results: Record<string, unknown> = { ...earlier, date: new Date().toISOString(), runs: RUNS, fleet: FLEET, node: process.version };
const rows: string[][] = [];
// Saved after each figure: a later failure (a lab that will not boot) keeps what was measured.
let logged = 0;
const save = () => {
  writeFileSync(resultsFile, JSON.stringify(results, null, 2) + "\n");
  for (; logged < rows.length; logged++) log(rows[logged]!.join(" | "));
};
// Runs one figure when asked for, records it and its table rows, and saves at once.
async function measure<T>(name: string, intro: string, run: () => Promise<T>, rowsOf: (r: T) => string[][]): Promise<void> {
  if (!want(name)) return;
  log(intro);
  const r = await run();
  results[name] = r;
  rows.push(...rowsOf(r));
  save();
}

await measure("P4", "P4: render of inventory/example.yaml", p4, (f) => [["P4", "render of inventory/example.yaml", fmt(f), "<= 0.3 s"]]);
await measure("P1", "P1: converged glance deploy, one host", p1, (f) => [["P1", "converged deploy --playbook glance, 1 host", fmt(f), "<= 0.5 s"]]);
await measure("P3", `P3: converged glance deploy, ${FLEET} hosts vs 1`, p3, (r) => {
  results.P5 = r.rss;
  return [
    ["P3", `converged glance deploy, ${FLEET} hosts / 1 host`, `${r.ratio.toFixed(2)}x (${fmt(r.fleet)} vs ${fmt(r.one)})`, "<= 2.0x"],
    ["P5", `peak RSS of the tool during P3`, fmt(r.rss, "MB"), "<= 200 MB"],
  ];
});
await measure("P6", "P6: converged glance deploy, two controllers vs the first alone", p6, (r) => [
  ["P6", "converged glance deploy, 2 controllers (API node beside the first) / the first alone", `${r.ratio.toFixed(2)}x (${fmt(r.two)} vs ${fmt(r.one)})`, "<= 1.3x"],
]);
await measure("P7", "P7: uploading a 1 GiB image, the tool vs glance image-create on the controller", () => uploadBench({ cli, figure, log, runs: Math.min(RUNS, 3), prepare: async (inventory) => (await warmUp(inventory), await settle()) }), (r) => {
  const mbps = (s: number) => `${(r.bytes / 1024 ** 2 / s).toFixed(0)} MiB/s`;
  return [
    ["P7", "1 GiB upload: tool (deploy --tags images) / glance image-create on the controller, throughput", `${r.ratio.toFixed(2)}x (${mbps(r.tool.median)} vs ${mbps(r.glanceCli.median)}; task alone ${r.taskRatio.toFixed(2)}x)`, ">= 0.9x"],
    ["P7", "peak RSS of the tool during the 1 GiB upload", fmt(r.rssMb, "MB"), "<= 150 MB"],
  ];
});
await measure("P2", "P2: fresh glance deploy vs the guide's commands over one ssh", p2, (r) => [
  ["P2", "fresh deploy --playbook glance / bare guide script", `${r.ratio.toFixed(2)}x (${fmt(r.tool)} vs ${fmt(r.script)})`, "<= 1.0x"],
]);
const table = ["| | What | Median (min, max) | Target |", "|---|---|---|---|", ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");
process.stdout.write(table + "\n");
