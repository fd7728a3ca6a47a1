import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { mysqlCommand, parseMysqlState, sqlHex } from "../../src/facts/mysql.js";
import { DB_PRIVS } from "../tasks/mysqlFake.js";
import { hostVars } from "../tasks/runTask.js";

const grantHeader = `tag\tHost\tDb\tUser\t${DB_PRIVS.join("\t")}`;
// A mysql.db row with every privilege but the listed ones.
const grantRow = (host: string, without: string[] = ["Grant_priv"]) =>
  `grant\t${host}\tglance\tglance\t${DB_PRIVS.map((p) => (without.includes(p) ? "N" : "Y")).join("\t")}`;
const HASH = "*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19";

describe("parseMysqlState: tagged result sets of mysql --batch", () => {
  const cases: { title: string; stdout: string; code: number; reachable: boolean; error?: RegExp; databases: string[]; accounts: Record<string, { plugin: string; hash: string; allOnDb: boolean }> }[] = [
    { title: "nothing exists: no result sets at all", stdout: "", code: 0, reachable: true, databases: [], accounts: {} },
    {
      title: "database, two accounts, full grants",
      stdout: ["tag\tSCHEMA_NAME", "schema\tglance", "tag\tHost\tplugin\tauthentication_string", `user\tlocalhost\tmysql_native_password\t${HASH}`, `user\t%\tmysql_native_password\t${HASH}`, grantHeader, grantRow("localhost"), grantRow("%"), ""].join("\n"),
      code: 0,
      reachable: true,
      databases: ["glance"],
      accounts: { localhost: { plugin: "mysql_native_password", hash: HASH, allOnDb: true }, "%": { plugin: "mysql_native_password", hash: HASH, allOnDb: true } },
    },
    {
      title: "one missing privilege column is not ALL",
      stdout: ["tag\tHost\tplugin\tauthentication_string", `user\tlocalhost\tmysql_native_password\t${HASH}`, grantHeader, grantRow("localhost", ["Grant_priv", "Delete_history_priv"])].join("\n"),
      code: 0,
      reachable: true,
      databases: [],
      accounts: { localhost: { plugin: "mysql_native_password", hash: HASH, allOnDb: false } },
    },
    {
      title: "Grant_priv is not needed for ALL PRIVILEGES",
      stdout: ["tag\tHost\tplugin\tauthentication_string", `user\t%\tmysql_native_password\t${HASH}`, grantHeader, grantRow("%", ["Grant_priv"])].join("\n"),
      code: 0,
      reachable: true,
      databases: [],
      accounts: { "%": { plugin: "mysql_native_password", hash: HASH, allOnDb: true } },
    },
    {
      title: "a grant row without an account is ignored; socket account with empty hash",
      stdout: ["tag\tHost\tplugin\tauthentication_string", "user\tlocalhost\tunix_socket\t", grantHeader, grantRow("%")].join("\n"),
      code: 0,
      reachable: true,
      databases: [],
      accounts: { localhost: { plugin: "unix_socket", hash: "", allOnDb: false } },
    },
    { title: "client error: unreachable with its text", stdout: "ERROR 2002 (HY000): Can't connect to local server\n", code: 1, reachable: false, error: /^ERROR 2002/, databases: [], accounts: {} },
    { title: "client error without output: exit code", stdout: "", code: 127, reachable: false, error: /^mysql exited 127$/, databases: [], accounts: {} },
  ];
  for (const c of cases) {
    it(c.title, () => {
      const state = parseMysqlState(c.stdout, c.code);
      assert.equal(state.reachable, c.reachable);
      if (c.error) assert.match(state.error ?? "", c.error);
      assert.deepEqual(state.databases, c.databases);
      assert.deepEqual(Object.fromEntries([...state.accounts].map(([k, a]) => [k, { plugin: a.plugin, hash: a.hash, allOnDb: a.allOnDb }])), c.accounts);
    });
  }
});

describe("mysqlCommand and sqlHex", () => {
  it("socket auth: a plain client, admin user quoted", () => {
    assert.equal(mysqlCommand(hostVars()), "mysql --batch --column-names --connect-timeout=5 -u 'root'");
    assert.match(mysqlCommand(hostVars({ mysql_admin_user: "o'neil" })), /-u 'o'\\''neil'$/);
  });

  it("with an admin password, the password comes from stdin, not argv", () => {
    const command = mysqlCommand(hostVars({ mysql_admin_password: "adm1n-secret" }));
    assert.match(command, /^IFS= read -r MYSQL_PWD && export MYSQL_PWD && mysql /);
    assert.ok(!command.includes("adm1n-secret"));
  });

  it("sqlHex needs no escaping for any text", () => {
    assert.equal(sqlHex("glance"), "X'676c616e6365'");
    assert.equal(sqlHex("a'`\\ü"), `X'${Buffer.from("a'`\\ü").toString("hex")}'`);
  });
});
