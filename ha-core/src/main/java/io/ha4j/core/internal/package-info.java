/**
 * <em>Internal use only.</em> Helpers shared by the ha4j modules; not API, may change in any release.
 */
package io.ha4j.core.internal;
