import type { ReleaseProfile } from "./types.js";

// Debian 12 "bookworm": keystone 22, glance 25 (OpenStack Zed), MariaDB 10.11, Python 3.11. Paths are where
// the packages put them (read from the installed packages on a lab host, not guessed).
export const bookworm: ReleaseProfile = {
  release: "bookworm",
  versionId: "12",
  packages: {
    mariadb: ["mariadb-server", "python3-pymysql"],
    memcached: ["memcached", "python3-memcache"],
    keystone: ["keystone", "python3-openstackclient"],
    glance: ["glance", "python3-glanceclient"],
  },
  units: { mariadb: "mariadb", memcached: "memcached", keystone: "keystone", glanceApi: "glance-api" },
  paths: {
    keystoneMigrations: "/usr/lib/python3/dist-packages/keystone/common/sql/migrations/versions",
    glanceMigrations: "/usr/lib/python3/dist-packages/glance/db/sqlalchemy/alembic_migrations/versions",
    mariadbConfDir: "/etc/mysql/mariadb.conf.d",
    glanceApiConf: "/etc/glance/glance-api.conf",
    keystoneConf: "/etc/keystone/keystone.conf",
    memcachedConf: "/etc/memcached.conf",
  },
  templates: { glanceApiConf: "glance-api.conf.hbs" },
  workarounds: [],
};
