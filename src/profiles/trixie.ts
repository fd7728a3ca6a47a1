import type { ReleaseProfile } from "./types.js";

// Debian 13 "trixie": keystone 2:27.0.0, glance 2:30.0.0 (OpenStack 2025.1), MariaDB 11.8, memcached 1.6.38,
// Python 3.13. Read from the trixie packages themselves (`dpkg-deb -c` and their maintainer scripts, 13.x archive):
// - units: keystone.service, glance-api.service, mariadb.service, memcached.service under /usr/lib/systemd/system;
//   keystone and glance-api start through their init scripts (`systemd-start`), glance-api still as the
//   eventlet /usr/bin/glance-api (the script's uwsgi lines are commented out), keystone under uwsgi.
// - configs: glance-common and keystone ship theirs in /usr/share/{glance-common,keystone}/ and their postinst
//   copies each into /etc/glance, /etc/keystone only when it is missing (root:<service> 0640); memcached copies
//   /usr/share/memcached/memcached.conf.default to /etc/memcached.conf the same way; mariadb-server ships
//   /etc/mysql/mariadb.conf.d/50-server.cnf.
// - migrations: the same directories as Debian 12; glance adds 2024_1_expand01_add_cache_tables, keystone the
//   2024.01 branch.
export const trixie: ReleaseProfile = {
  release: "trixie",
  versionId: "13",
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
