package io.ha4j.core;

/**
 * One term of leadership held by this node: the fencing token that guards the leader's writes, and when the
 * term began on the election's {@link Clock}.
 *
 * <p>Tokens only grow: every term this node (or, for a shared store such as etcd, any node) starts later has a
 * larger token. A resource that remembers the highest token it has seen and refuses writes carrying a smaller
 * one is safe from a former leader that has not yet noticed it lost (a long GC pause, a cut link): the classic
 * fencing scheme.
 *
 * @param token     the fencing token of this term; see {@link LeaderElection} for what it is per backend
 * @param sinceNanos when this node became leader, on the election's clock
 */
public record Leadership(long token, long sinceNanos) {
}
