package io.ha4j.examples.agent;

import io.ha4j.examples.agent.HaproxyConfig.CheckSpec;
import io.ha4j.examples.agent.HaproxyConfig.Header;
import io.ha4j.examples.agent.HaproxyConfig.StatusRange;
import io.ha4j.examples.agent.HaproxyLexer.Line;
import io.ha4j.examples.agent.HaproxyProxyDraft.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Health-check configuration of a backend: {@code http-check} lines as they are read, and at the end the
 * check that HAProxy would run ({@link #effectiveCheck}): the last of {@code option httpchk},
 * {@code ssl-hello-chk} and {@code tcp-check} wins, and {@code http-check} rules only count with
 * {@code option httpchk}; a warning says so whenever a line is overridden or ignored.
 */
final class HaproxyCheckSection {

    private final HaproxySyntax syntax;
    private final Diagnostics diagnostics;
    private final Values values;

    HaproxyCheckSection(HaproxySyntax syntax) {
        this.syntax = syntax;
        this.diagnostics = syntax.diagnostics;
        this.values = syntax.values;
    }

    /** An {@code http-check connect|send|expect} line. */
    void httpCheck(HaproxyProxyDraft p, Line line) {
        List<String> a = line.args();
        if (!syntax.allowedIn(p, line, Kind.DEFAULTS, Kind.BACKEND, Kind.LISTEN)) {
            return;
        }
        if (a.isEmpty()) {
            diagnostics.error(line, "needs connect, send or expect");
            return;
        }
        String keyword = "http-check " + a.get(0);
        switch (a.get(0)) {
            case "connect" -> {
                for (String w : a.subList(1, a.size())) {
                    if (!w.equals("ssl") && !w.equals("default")) {
                        diagnostics.error(line.file(), line.line(), keyword, "only 'http-check connect [ssl]' is supported, not '" + w + "'");
                        return;
                    }
                }
                p.httpConnectSsl = a.contains("ssl") ? line.origin() : null;
                p.httpConnect = line.origin();
            }
            case "send" -> {
                HttpSend send = new HttpSend(line.origin(), null, null, null, new ArrayList<>());
                for (int i = 1; i < a.size(); i++) {
                    String opt = a.get(i);
                    if (opt.equals("hdr") && i + 2 < a.size()) {
                        send.headers.add(new Header(a.get(i + 1), a.get(i + 2)));
                        i += 2;
                        continue;
                    }
                    if (i + 1 >= a.size()) {
                        diagnostics.error(line.file(), line.line(), keyword, "'" + opt + "' needs a value");
                        return;
                    }
                    String value = a.get(++i);
                    switch (opt) {
                        case "meth" -> send = send.withMethod(value);
                        case "uri" -> send = send.withUri(value);
                        case "ver" -> send = send.withVersion(value);
                        default -> {
                            diagnostics.error(line.file(), line.line(), keyword, "'" + opt + "' is not supported (meth, uri, ver, hdr)");
                            return;
                        }
                    }
                }
                p.httpSend = send;
            }
            case "expect" -> {
                if (a.size() != 3 || !a.get(1).equals("status")) {
                    diagnostics.error(line.file(), line.line(), keyword, "only 'http-check expect status CODE[-CODE]' is supported");
                    return;
                }
                statusRange(line, keyword, a.get(2)).ifPresent(r -> {
                    p.httpExpect = r;
                    p.httpExpectOrigin = line.origin();
                });
            }
            case "disable-on-404", "send-state" -> diagnostics.error(line.file(), line.line(), keyword, "not supported by ha4j");
            default -> diagnostics.error(line.file(), line.line(), keyword, "unknown http-check directive");
        }
    }

    private Optional<StatusRange> statusRange(Line line, String keyword, String text) {
        int dash = text.indexOf('-');
        OptionalInt from = values.integer(line.origin(), keyword, dash < 0 ? text : text.substring(0, dash), 100, 599);
        if (from.isEmpty()) {
            return Optional.empty();
        }
        OptionalInt to = dash < 0 ? from : values.integer(line.origin(), keyword, text.substring(dash + 1), from.getAsInt(), 599);
        return to.isEmpty() ? Optional.empty() : Optional.of(new StatusRange(from.getAsInt(), to.getAsInt()));
    }

    /** HAProxy: the last check option wins; http-check rules only count with option httpchk. */
    CheckSpec effectiveCheck(HaproxyProxyDraft p) {
        CheckOption last = p.checkOption;
        List<CheckOption> history = p.checkHistory;
        for (int i = 1; i < history.size(); i++) {
            CheckOption earlier = history.get(i - 1);
            CheckOption later = history.get(i);
            if (earlier.kind() == later.kind()) {
                continue;
            }
            StringBuilder m = new StringBuilder();
            m.append("replaces '").append(earlier.describe()).append("' (").append(earlier.origin()).append("): in HAProxy the last ")
                    .append("check option wins");
            if (earlier.kind() == CheckKind.HTTPCHK && later.kind() == CheckKind.SSL_HELLO) {
                m.append(", so ").append(earlier.uri()).append(" is never requested and the check only sees whether the "
                        + "server answers a TLS hello. ha4j does the same (a TLS handshake check). To check the apiserver's "
                        + "health over TLS, write 'option httpchk', 'http-check connect ssl', "
                        + "'http-check send meth GET uri /readyz', 'http-check expect status 200' and 'check verify none' on the "
                        + "servers (/readyz fails as soon as an apiserver shuts down; /healthz does not)");
            } else {
                m.append("; only '").append(later.describe()).append("' is used");
            }
            diagnostics.warn(later.origin(), "option " + later.kind().keyword, m.toString());
        }
        List<Origin> httpRules = new ArrayList<>();
        if (p.httpConnect != null) {
            httpRules.add(p.httpConnect);
        }
        if (p.httpSend != null) {
            httpRules.add(p.httpSend.origin());
        }
        if (p.httpExpectOrigin != null) {
            httpRules.add(p.httpExpectOrigin);
        }
        if ((last == null || last.kind() != CheckKind.HTTPCHK) && !httpRules.isEmpty()) {
            for (Origin o : httpRules) {
                diagnostics.warn(o, "http-check", "ignored: http-check rules only apply with 'option httpchk', and the effective check "
                        + "of '" + p.name + "' is " + (last == null ? "a plain connect check" : "'" + last.describe() + "' ("
                        + last.origin() + ")") + ", as in HAProxy");
            }
        }
        if (last == null) {
            return new HaproxyConfig.TcpConnect(Optional.empty());
        }
        return switch (last.kind()) {
            case SSL_HELLO -> new HaproxyConfig.SslHello(last.origin());
            case TCP_CHECK -> new HaproxyConfig.TcpConnect(Optional.of(last.origin()));
            case HTTPCHK -> {
                HttpSend send = p.httpSend;
                String method = send != null && send.method() != null ? send.method() : last.method();
                String uri = send != null && send.uri() != null ? send.uri() : last.uri();
                String version = send != null && send.version() != null ? send.version() : last.version();
                List<Header> headers = send != null ? send.headers() : List.of();
                yield new HaproxyConfig.Http(last.origin(), method, uri, version, headers, p.httpConnectSsl != null,
                        Optional.ofNullable(p.httpExpect));
            }
        };
    }

    enum CheckKind {
        HTTPCHK("httpchk"), SSL_HELLO("ssl-hello-chk"), TCP_CHECK("tcp-check");

        final String keyword;

        CheckKind(String keyword) {
            this.keyword = keyword;
        }
    }

    record CheckOption(CheckKind kind, Origin origin, String method, String uri, String version) {
        String describe() {
            return kind == CheckKind.HTTPCHK ? "option httpchk " + method + " " + uri : "option " + kind.keyword;
        }
    }

    record HttpSend(Origin origin, String method, String uri, String version, List<Header> headers) {
        HttpSend withMethod(String m) {
            return new HttpSend(origin, m, uri, version, headers);
        }

        HttpSend withUri(String u) {
            return new HttpSend(origin, method, u, version, headers);
        }

        HttpSend withVersion(String v) {
            return new HttpSend(origin, method, uri, v, headers);
        }
    }
}
