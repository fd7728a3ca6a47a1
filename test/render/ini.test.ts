import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { getIniValue, iniValue, setIniValues } from "../../src/render/ini.js";

// Values an operator may legitimately use as passwords or paths; each must read back exactly.
const hostile = [
  "plain",
  `it's`,
  `"double"`,
  `'single'`,
  `"mixed'`,
  `"`,
  `''`,
  "$dollar",
  "$$",
  "a$b$$c$",
  "${name}",
  "# not a comment",
  "; not a comment either",
  "value # trailing hash",
  "100%",
  "%(interp)s",
  "back\\slash\\",
  " leading space",
  "trailing space ",
  "  both  ",
  "\ttab-led",
  ` "quoted with blanks" `,
  "{{ handlebars }}",
  "{{{triple}}}",
  "= equals = sign",
  "[section]",
  "ünïcødé ✓ 密码",
  "emoji 🔑",
  "",
];

describe("iniValue / getIniValue round-trip for hostile values", () => {
  for (const value of hostile) {
    it(JSON.stringify(value), () => {
      const text = setIniValues("[DEFAULT]\n\n[keystone_authtoken]\n#password = <None>\n", { keystone_authtoken: { password: value } });
      assert.equal(getIniValue(text, "keystone_authtoken", "password"), value, text);
      assert.equal(text.split("\n").length, 6, "one line per value");
      // oslo.config would interpolate a lone `$`: every `$` written must be doubled.
      const written = text.split("\n").find((l) => l.startsWith("password = "))!.slice("password = ".length);
      assert.doesNotMatch(written.replaceAll("$$", ""), /\$/);
      assert.equal(setIniValues(text, { keystone_authtoken: { password: value } }), text, "setting it again changes nothing");
    });
  }

  for (const bad of ["a\nb", "a\rb", "a\0b", "\n", "x\r\n[database]\nconnection = sqlite://"]) {
    it(`rejects ${JSON.stringify(bad)}`, () => {
      assert.throws(() => iniValue(bad), /single line/);
      assert.throws(() => setIniValues("[s]\n", { s: { k: bad } }), /single line/);
    });
  }

  it("numbers and booleans are written as oslo.config reads them", () => {
    assert.equal(iniValue(2), "2");
    assert.equal(iniValue(true), "true");
    assert.equal(getIniValue(setIniValues("", { DEFAULT: { workers: 2, show_image_direct_url: true } }), "DEFAULT", "workers"), "2");
  });
});

describe("setIniValues: edits in place, leaves the rest", () => {
  const cases: { title: string; before: string; values: Record<string, Record<string, string>>; after: string }[] = [
    { title: "replaces the active line, keeps the commented default", before: "[database]\n#connection = <None>\nconnection = sqlite:////x.db\n", values: { database: { connection: "mysql://a" } }, after: "[database]\n#connection = <None>\nconnection = mysql://a\n" },
    { title: "appends inside the section, before the blank separator", before: "[a]\nx = 1\n\n[b]\ny = 2\n", values: { a: { z: "3" } }, after: "[a]\nx = 1\nz = 3\n\n[b]\ny = 2\n" },
    { title: "a key of the same name in another section is not touched", before: "[a]\nk = 1\n[b]\nk = 2\n", values: { b: { k: "9" } }, after: "[a]\nk = 1\n[b]\nk = 9\n" },
    { title: "a longer key with the same prefix is not the key", before: "[database]\nconnection_recycle_time = 10\n", values: { database: { connection: "c" } }, after: "[database]\nconnection_recycle_time = 10\nconnection = c\n" },
    { title: "a missing section is created at the end", before: "[DEFAULT]\ndebug = false\n", values: { glance_store: { stores: "file,http" } }, after: "[DEFAULT]\ndebug = false\n\n[glance_store]\nstores = file,http\n" },
    { title: "section names are case-sensitive (DEFAULT vs default)", before: "[default]\nk = 1\n", values: { DEFAULT: { k: "2" } }, after: "[default]\nk = 1\n\n[DEFAULT]\nk = 2\n" },
    { title: "spaces around = and indentation are matched", before: "[s]\n  key=old\n", values: { s: { key: "new" } }, after: "[s]\nkey = new\n" },
    { title: "key names with regex characters are literal", before: "[s]\na.b = 1\naxb = 2\n", values: { s: { "a.b": "3" } }, after: "[s]\na.b = 3\naxb = 2\n" },
    { title: "no values: text unchanged", before: "[s]\nk = v\n", values: {}, after: "[s]\nk = v\n" },
    { title: "no values, no final newline: text unchanged", before: "[s]\nk = v", values: {}, after: "[s]\nk = v" },
  ];
  for (const c of cases) {
    it(c.title, () => {
      const after = setIniValues(c.before, c.values);
      assert.equal(after, c.after);
      assert.equal(setIniValues(after, c.values), after, "idempotent");
    });
  }

  it("getIniValue: absent section, absent key, commented key", () => {
    const text = "[a]\n#k = commented\n";
    assert.equal(getIniValue(text, "b", "k"), undefined);
    assert.equal(getIniValue(text, "a", "k"), undefined);
    assert.equal(getIniValue(text, "a", "other"), undefined);
  });
});
