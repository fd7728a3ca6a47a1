#!/bin/bash
# The install guide's Glance chapter as an operator would script it by hand: the baseline for P2.
# Run on the controller over one plain `ssh HOST bash -s`; the bench fills in the @@...@@ values.
set -e
mysql <<SQL
CREATE DATABASE glance;
GRANT ALL PRIVILEGES ON glance.* TO 'glance'@'localhost' IDENTIFIED BY '@@GLANCE_DBPASS_SQL@@';
GRANT ALL PRIVILEGES ON glance.* TO 'glance'@'%' IDENTIFIED BY '@@GLANCE_DBPASS_SQL@@';
SQL
. /root/admin-openrc
openstack user create --domain default --password '@@GLANCE_PASS_SH@@' glance
openstack role add --project service --user glance admin
openstack service create --name glance --description "OpenStack Image" image
openstack endpoint create --region RegionOne image public http://controller:9292
openstack endpoint create --region RegionOne image internal http://controller:9292
openstack endpoint create --region RegionOne image admin http://controller:9292
DEBIAN_FRONTEND=noninteractive apt-get update -q
DEBIAN_FRONTEND=noninteractive apt-get install -y -q glance
cat > /etc/glance/glance-api.conf <<'CONF'
[database]
connection = mysql+pymysql://glance:@@GLANCE_DBPASS_URL@@@controller/glance

[keystone_authtoken]
www_authenticate_uri = http://controller:5000
auth_url = http://controller:5000
memcached_servers = controller:11211
auth_type = password
project_domain_name = Default
user_domain_name = Default
project_name = service
username = glance
password = @@GLANCE_PASS_INI@@

[paste_deploy]
flavor = keystone

[glance_store]
stores = file,http
default_store = file
filesystem_store_datadir = /var/lib/glance/images/
CONF
su -s /bin/sh -c "glance-manage db_sync" glance
systemctl restart glance-api
