/**
 * Leader election on etcd behind ha-core's {@link io.ha4j.core.LeaderElection}: {@link io.ha4j.etcd.EtcdElection}
 * (a lease with keep-alive and a key ordered by create revision under a prefix; the fencing token is that
 * revision), for networks where VRRP adverts and gratuitous ARP do not reach every node, and for Java controllers
 * that need a leader whether or not a VIP exists. A VIP can follow the leader ({@link io.ha4j.etcd.VipAnnouncer}
 * says how it is announced).
 */
package io.ha4j.etcd;
