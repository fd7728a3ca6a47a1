import { bookworm } from "./bookworm.js";
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
  // Package names, unit names and paths: what the trixie packages ship, checked as above, is what Debian 12's
  // ship, so the values are Debian 12's own (trixie.e2e checks each on a deployed trixie host). A change for
  // one release alone gives the other its own value here.
  packages: bookworm.packages,
  units: bookworm.units,
  paths: bookworm.paths,
  templates: { glanceApiConf: "glance-api.conf.hbs" },
  workarounds: [],
};
