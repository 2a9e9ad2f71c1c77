package io.ha4j.examples.agent;

import io.ha4j.examples.agent.HaproxyLexer.Line;
import io.ha4j.examples.agent.HaproxyProxyDraft.Kind;
import java.util.Locale;

/**
 * The checks every haproxy.cfg section makes on its lines (where a keyword is allowed, the number of words),
 * reported through the run's one {@link Diagnostics}. Each section parser holds one.
 */
final class HaproxySyntax {

    final Diagnostics diagnostics;
    final Values values;

    HaproxySyntax(Diagnostics diagnostics) {
        this.diagnostics = diagnostics;
        this.values = new Values(diagnostics);
    }

    boolean allowedIn(HaproxyProxyDraft p, Line line, Kind... kinds) {
        return allowedIn(p, line, line.keyword(), kinds);
    }

    /** Reports {@code keyword} when it is not allowed in {@code p}'s kind of section. */
    boolean allowedIn(HaproxyProxyDraft p, Line line, String keyword, Kind... kinds) {
        for (Kind k : kinds) {
            if (p.kind == k) {
                return true;
            }
        }
        diagnostics.error(line.file(), line.line(), keyword, "not allowed in a " + sectionName(p.kind) + " section");
        return false;
    }

    /** Reports a line whose keyword ({@code count} words long) is followed by more words. */
    boolean noMore(Line line, String keyword, int count) {
        if (line.args().size() > count) {
            diagnostics.error(line.file(), line.line(), keyword, "takes no argument");
            return false;
        }
        return true;
    }

    static String sectionName(Kind kind) {
        return kind.name().toLowerCase(Locale.ROOT);
    }
}
