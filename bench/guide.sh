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
# Step 7, verification: wait until the API answers, upload the qcow2, see it active, list it (and remove it,
# as the tool does).
for i in $(seq 300); do
  python3 -c 'import urllib.request; urllib.request.urlopen("http://controller:9292/healthcheck", timeout=2)' 2>/dev/null && break
  sleep 0.2
done
base64 -d > /tmp/verify.qcow2 <<'IMAGE'
@@VERIFY_IMAGE_BASE64@@
IMAGE
openstack image create --disk-format qcow2 --container-format bare --public --file /tmp/verify.qcow2 guide-verify
test "$(openstack image show -f value -c status guide-verify)" = active
openstack image list
openstack image delete guide-verify
