package io.ha4j.proxy;

import java.util.List;

/**
 * The stats page settings of the admin listener, HAProxy's {@code stats} keywords: resolved and validated by
 * {@link TcpBalancer.Builder#build()}; immutable.
 *
 * @param uri {@code stats uri}: the page's path; its JSON is at {@code uri;json} (HAProxy's form) and {@code uri.json}
 * @param refreshSeconds {@code stats refresh}; 0 for no refresh
 * @param credentials {@code stats auth}: {@code user:password} entries; empty for no authentication
 * @param realm {@code stats realm}: the realm of the basic authentication challenge
 * @param hideVersion {@code stats hide-version}
 * @param actionsFromLoopbackOnly {@code stats admin if LOCALHOST}: actions only from a loopback client
 * @param remoteWithoutAuth the owner accepted a listener on a non-loopback address without authentication
 */
record AdminPage(String uri, long refreshSeconds, List<String> credentials, String realm, boolean hideVersion,
                 boolean actionsFromLoopbackOnly, boolean remoteWithoutAuth) {

    static final String DEFAULT_URI = "/stats";
    static final String DEFAULT_REALM = "ha4j statistics";

    AdminPage {
        credentials = List.copyOf(credentials);
    }
}
