/**
 * {@link io.ha4j.examples.agent.HaAgent}: a drop-in agent that reads an existing {@code keepalived.conf} and
 * {@code haproxy.cfg} and runs the same cluster through ha4j's builder API.
 *
 * <p>The pipeline has three stages, each testable on its own: the parsers
 * ({@link io.ha4j.examples.agent.KeepalivedParser}, {@link io.ha4j.examples.agent.HaproxyParser}) turn text
 * into an immutable model ({@link io.ha4j.examples.agent.KeepalivedConfig},
 * {@link io.ha4j.examples.agent.HaproxyConfig}) while collecting {@link io.ha4j.examples.agent.Diagnostic}s;
 * {@link io.ha4j.examples.agent.AgentMapper} turns the model into ha4j builders; {@link
 * io.ha4j.examples.agent.HaAgent} is the command line around them. Each parser is split by section (one class
 * per section, named {@code Keepalived...Section} and {@code Haproxy...Section}), files are read through
 * {@link io.ha4j.examples.agent.ConfigFiles}, and every stage reports through one
 * {@link io.ha4j.examples.agent.Diagnostics}.
 *
 * <p>Rules every stage follows: a keyword ha4j does not support is an error naming the file, the line and
 * the keyword; a keyword that is understood but has no effect in ha4j is a warning saying why; never
 * silence. Where a configuration does not do what it seems to (HAProxy's "last check option wins"), the
 * agent does what the original daemon would do and warns.
 */
package io.ha4j.examples.agent;
