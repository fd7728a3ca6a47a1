// Migration scripts as glance and keystone ship them, and what the alembic probe prints for them: shared by
// the parser's tests (test/facts) and the schema-sync task's tests (test/tasks).

export const GLANCE_DIR = "/usr/lib/python3/dist-packages/glance/db/sqlalchemy/alembic_migrations/versions";
export const KEYSTONE_DIR = "/usr/lib/python3/dist-packages/keystone/common/sql/migrations/versions";

// [file, revision, down_revision, depends_on] of the scripts glance 22–25 (Wallaby to Zed) ships.
export const glanceScripts: [string, string, string | null, string | null][] = [
  ["liberty_initial.py", "liberty", null, null],
  ["mitaka01_add_image_created_updated_idx.py", "mitaka01", "liberty", null],
  ["mitaka02_update_metadef_os_nova_server.py", "mitaka02", "mitaka01", null],
  ["ocata_expand01_add_visibility.py", "ocata_expand01", "mitaka02", null],
  ["ocata_contract01_drop_is_public.py", "ocata_contract01", "mitaka02", "ocata_expand01"],
  ["pike_expand01_empty.py", "pike_expand01", "ocata_expand01", null],
  ["pike_contract01_drop_artifacts_tables.py", "pike_contract01", "ocata_contract01", "pike_expand01"],
  ["queens_expand01_empty.py", "queens_expand01", "pike_expand01", null],
  ["queens_contract01_empty.py", "queens_contract01", "pike_contract01", "queens_expand01"],
  ["rocky_expand01_add_os_hidden.py", "rocky_expand01", "queens_expand01", null],
  ["rocky_expand02_add_os_hash_.py", "rocky_expand02", "rocky_expand01", null],
  ["rocky_contract01_empty.py", "rocky_contract01", "queens_contract01", "rocky_expand01"],
  ["rocky_contract02_empty.py", "rocky_contract02", "rocky_contract01", "rocky_expand02"],
  ["train_expand01_empty.py", "train_expand01", "rocky_expand02", null],
  ["train_contract01_empty.py", "train_contract01", "rocky_contract02", "train_expand01"],
  ["ussuri_expand01_empty.py", "ussuri_expand01", "train_expand01", null],
  ["ussuri_contract01_empty.py", "ussuri_contract01", "train_contract01", "ussuri_expand01"],
  ["wallaby_expand01_add_user_imageid_requestid_to_tasks.py", "wallaby_expand01", "ussuri_expand01", null],
  ["wallaby_contract01_empty.py", "wallaby_contract01", "ussuri_contract01", "wallaby_expand01"],
];

// Keystone 22 (Zed): the initial revision and the two branches' initial no-ops in subdirectories.
export const keystoneScripts: [string, string, string | null, string | null][] = [
  ["27e647c0fad4_initial_version.py", "27e647c0fad4", null, null],
  ["yoga/contract/e25ffa003242_initial.py", "e25ffa003242", "27e647c0fad4", null],
  ["yoga/expand/29e87d24a316_initial.py", "29e87d24a316", "27e647c0fad4", null],
];

const py = (v: string | null) => (v === null ? "None" : `'${v}'`);
// The script's real header lines (docstring and branch_labels included), as they sit in the installed files.
export function scriptText([file, rev, down, dep]: [string, string, string | null, string | null]): string {
  return [
    `"""${rev}\n\nRevision ID: ${rev}\nRevises: ${down ?? ""}\n"""`,
    "from alembic import op",
    "# revision identifiers, used by Alembic.",
    `revision = '${rev}'`,
    `down_revision = ${py(down)}`,
    "branch_labels = None",
    // Keystone's branch scripts (in subdirectories) have no depends_on line at all.
    ...(dep === null && file.includes("/") ? [] : [`depends_on = ${py(dep)}`]),
    "",
    "def upgrade():",
    "    pass",
    "",
  ].join("\n");
}

// What `grep -rE --include='*.py' '^(revision|down_revision|depends_on) *= ' DIR` prints for these scripts.
function grepOutput(dir: string, scripts: typeof glanceScripts): string {
  return scripts
    .flatMap((s) => scriptText(s).split("\n").filter((l) => /^(revision|down_revision|depends_on) *= /.test(l)).map((l) => `${dir}/${s[0]}:${l}`))
    .join("\n") + "\n";
}

export const probe = (dir: string, scripts: typeof glanceScripts, applied: string[]) => `${grepOutput(dir, scripts)}@@applied\n${applied.map((a) => `${a}\n`).join("")}`;
