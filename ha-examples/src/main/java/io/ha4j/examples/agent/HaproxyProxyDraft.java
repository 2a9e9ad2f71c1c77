package io.ha4j.examples.agent;

import io.ha4j.examples.agent.HaproxyCheckSection.CheckOption;
import io.ha4j.examples.agent.HaproxyCheckSection.HttpSend;
import io.ha4j.examples.agent.HaproxyConfig.Balance;
import io.ha4j.examples.agent.HaproxyConfig.Bind;
import io.ha4j.examples.agent.HaproxyConfig.StatusRange;
import io.ha4j.examples.agent.HaproxyServerSection.ServerDraft;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * A proxy section (or {@code defaults}) being parsed: what its lines set so far. A proxy starts as a copy of
 * the {@code defaults} above it ({@link #copyFor}), as in HAProxy.
 */
final class HaproxyProxyDraft {

    /** The kind of section a line is in. */
    enum Kind { GLOBAL, DEFAULTS, FRONTEND, BACKEND, LISTEN, IGNORED }

    final Kind kind;
    final String name;
    final Origin origin;
    String mode = "tcp";
    Origin modeOrigin;
    final Map<String, Duration> timeouts = new LinkedHashMap<>();
    int retries = 3;
    boolean redispatch;
    boolean allBackups;
    Balance balance = Balance.ROUNDROBIN;
    OptionalInt maxConn = OptionalInt.empty();
    String defaultBackend;
    Origin defaultBackendOrigin;
    final List<Bind> binds = new ArrayList<>();
    final List<ServerDraft> servers = new ArrayList<>();
    final Set<String> serverNames = new HashSet<>();
    ServerDraft defaultServer = new ServerDraft();
    CheckOption checkOption;
    final List<CheckOption> checkHistory = new ArrayList<>();
    Origin httpConnect;
    Origin httpConnectSsl;
    HttpSend httpSend;
    StatusRange httpExpect;
    Origin httpExpectOrigin;
    Origin statsEnabled;
    String statsUri;
    Duration statsRefresh;
    final List<String> statsAuth = new ArrayList<>();
    List<String> statsAdmin = List.of();
    String statsRealm;
    boolean statsHideVersion;
    boolean tcpLog;

    HaproxyProxyDraft(Kind kind, String name, Origin origin) {
        this.kind = kind;
        this.name = name;
        this.origin = origin;
    }

    void setCheckOption(CheckOption option) {
        checkOption = option;
        checkHistory.add(option);
    }

    /** A proxy starting from these defaults (HAProxy copies the defaults section into each proxy). */
    HaproxyProxyDraft copyFor(Kind proxyKind, String proxyName, Origin proxyOrigin) {
        HaproxyProxyDraft d = new HaproxyProxyDraft(proxyKind, proxyName, proxyOrigin);
        d.mode = mode;
        d.modeOrigin = modeOrigin;
        d.timeouts.putAll(timeouts);
        d.retries = retries;
        d.redispatch = redispatch;
        d.allBackups = allBackups;
        d.tcpLog = tcpLog;
        d.balance = balance;
        d.maxConn = maxConn;
        if (proxyKind != Kind.BACKEND) {
            d.defaultBackend = defaultBackend;
            d.defaultBackendOrigin = defaultBackendOrigin;
        }
        d.defaultServer = defaultServer.copy();
        d.checkOption = checkOption;
        d.checkHistory.addAll(checkHistory);
        d.httpConnect = httpConnect;
        d.httpConnectSsl = httpConnectSsl;
        d.httpSend = httpSend;
        d.httpExpect = httpExpect;
        d.httpExpectOrigin = httpExpectOrigin;
        d.statsEnabled = statsEnabled;
        d.statsUri = statsUri;
        d.statsRefresh = statsRefresh;
        d.statsAuth.addAll(statsAuth);
        d.statsAdmin = statsAdmin;
        d.statsRealm = statsRealm;
        d.statsHideVersion = statsHideVersion;
        return d;
    }

    HaproxyConfig.Timeouts timeoutsRecord() {
        return new HaproxyConfig.Timeouts(t("connect"), t("client"), t("server"), t("tunnel"), t("client-fin"),
                t("server-fin"), t("queue"), t("check"));
    }

    private Optional<Duration> t(String name) {
        return Optional.ofNullable(timeouts.get(name));
    }
}
