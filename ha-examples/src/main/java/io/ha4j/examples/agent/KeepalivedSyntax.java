package io.ha4j.examples.agent;

import java.util.HashMap;
import java.util.Map;

/**
 * The checks every keepalived.conf section makes on its statements (a block where one belongs, the number
 * of words, a keyword given twice), reported through the run's one {@link Diagnostics}. Each section parser
 * ({@link KeepalivedParser}, {@link KeepalivedScriptSection}, {@link KeepalivedInstanceSection},
 * {@link KeepalivedInstanceLists}) holds one.
 */
final class KeepalivedSyntax {

    final Diagnostics diagnostics;
    final Values values;

    KeepalivedSyntax(Diagnostics diagnostics) {
        this.diagnostics = diagnostics;
        this.values = new Values(diagnostics);
    }

    /** A section header: a block, and exactly {@code argCount} names before it. */
    boolean requireBlock(KeepalivedStatement st, int argCount) {
        if (!st.hasBlock()) {
            diagnostics.error(st, "needs a '{ ... }' block");
            return false;
        }
        if (st.args().size() != argCount) {
            diagnostics.error(st, argCount == 0 ? "takes no argument before '{'" : "needs exactly one name before '{'");
            return false;
        }
        return true;
    }

    /** A scalar keyword: no block, and exactly {@code count} words after the keyword. */
    boolean args(KeepalivedStatement st, int count) {
        if (st.hasBlock()) {
            diagnostics.error(st, "takes no '{ ... }' block");
            return false;
        }
        return diagnostics.expectArgs(st, count);
    }

    /** Remembers the keywords of one block, to warn when a scalar one repeats. */
    Seen newSeen() {
        return new Seen();
    }

    /** Warns when a scalar keyword repeats in one block: keepalived keeps the last value. */
    final class Seen {
        private final Map<String, Integer> lines = new HashMap<>();

        void check(KeepalivedStatement st) {
            if (st.hasBlock() && !st.keyword().equals("authentication")) {
                return; // lists (virtual_ipaddress, track_script...) may be split over several blocks
            }
            Integer first = lines.put(st.keyword(), st.line());
            if (first != null) {
                diagnostics.warn(st, "also set on line " + first + "; the last value is used");
            }
        }

        boolean contains(String keyword) {
            return lines.containsKey(keyword);
        }
    }
}
