package io.ha4j.vrrp;

/**
 * States of a VRRP instance: RFC 5798 §6.4's Initialize, Backup and Master, plus keepalived's FAULT (a
 * tracked check or interface failed, or a sync-group peer did) and STOP (closed).
 */
public enum VrrpState {
    /** Not started yet (RFC 5798 §6.4.1). */
    INITIALIZE,
    /** Listening for the master's adverts; takes over when they stop (§6.4.2). */
    BACKUP,
    /** Holds the virtual addresses and advertises them (§6.4.3). */
    MASTER,
    /** Cannot serve: a weight-0 tracked check or interface failed, or a sync-group member is in FAULT. */
    FAULT,
    /** Closed; sent priority 0 if it was master and released its addresses. Final. */
    STOP
}
