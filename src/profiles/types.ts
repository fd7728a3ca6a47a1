// What differs between Debian releases for the services this tool deploys: playbooks ask the profile instead
// of holding package names, paths, unit and template names as literals.
export interface ReleaseProfile {
  // Debian's code name, as /etc/os-release's VERSION_CODENAME gives it.
  release: string;
  versionId: string;
  packages: { mariadb: string[]; memcached: string[]; keystone: string[]; glance: string[] };
  units: { mariadb: string; memcached: string; keystone: string; glanceApi: string };
  paths: {
    // alembic migration scripts the packages ship (read to decide whether db_sync is due).
    keystoneMigrations: string;
    glanceMigrations: string;
    mariadbConfDir: string;
    glanceApiConf: string;
    keystoneConf: string;
    memcachedConf: string;
  };
  // Template file names under the template directory.
  templates: { glanceApiConf: string };
  // Known problems of this release's packages that the playbooks work around, one line each (for -v and docs).
  workarounds: string[];
}
