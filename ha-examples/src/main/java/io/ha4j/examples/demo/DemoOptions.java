package io.ha4j.examples.demo;

import java.time.Duration;
import java.util.List;

/**
 * The demo's settings, from its command line.
 *
 * @param preempt      whether a returning higher-priority node takes the VIP back (keepalived's default;
 *                     {@code --nopreempt} turns it off)
 * @param simulate     run the in-process simulation even when network namespaces are available
 * @param quick        the shortened timeline the tests use (shorter steady phases)
 * @param prefix       network namespace prefix of this run; {@code null} picks {@code h4j<pid>d}
 * @param advertInterval VRRP advertisement interval
 */
record DemoOptions(boolean preempt, boolean simulate, boolean quick, String prefix, Duration advertInterval) {

    static final String USAGE = """
            usage: ControlPlaneDemo [--nopreempt] [--simulate] [--quick] [--prefix NAME] [--advert-int SECONDS]

              --nopreempt        the old master stays backup when it comes back (keepalived nopreempt)
              --simulate         run in-process on a simulated LAN even if network namespaces are available
              --quick            shorter steady phases (what the tests run)
              --prefix NAME      network namespace prefix for this run, 4-9 of [a-z0-9] (default h4j<pid>d)
              --advert-int S     VRRP advertisement interval in seconds, 1-10 (default 1)
            """;

    /** Parses the command line; throws {@link IllegalArgumentException} naming the bad option. */
    static DemoOptions parse(List<String> args) {
        boolean preempt = true;
        boolean simulate = false;
        boolean quick = false;
        String prefix = null;
        int advert = 1;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "--nopreempt" -> preempt = false;
                case "--preempt" -> preempt = true;
                case "--simulate" -> simulate = true;
                case "--quick" -> quick = true;
                case "--prefix" -> {
                    prefix = value(args, ++i, a);
                    if (!prefix.matches("[a-z][a-z0-9]{3,8}")) {
                        throw new IllegalArgumentException("--prefix must be 4-9 characters of [a-z0-9] starting with a letter, was '" + prefix + "'");
                    }
                }
                case "--advert-int" -> {
                    String v = value(args, ++i, a);
                    try {
                        advert = Integer.parseInt(v);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("--advert-int must be a whole number of seconds in [1, 10], was '" + v + "'");
                    }
                    if (advert < 1 || advert > 10) {
                        throw new IllegalArgumentException("--advert-int must be in [1, 10] seconds, was " + advert);
                    }
                }
                case "-h", "--help" -> throw new IllegalArgumentException("help requested");
                default -> throw new IllegalArgumentException("unknown option '" + a + "'");
            }
        }
        if (prefix == null) {
            prefix = "h4j" + (ProcessHandle.current().pid() % 100000) + "d";
        }
        return new DemoOptions(preempt, simulate, quick, prefix, Duration.ofSeconds(advert));
    }

    private static String value(List<String> args, int i, String option) {
        if (i >= args.size()) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args.get(i);
    }

    /** How long the story lets traffic run between events. */
    Duration steady() {
        return quick ? Duration.ofSeconds(2) : Duration.ofSeconds(5);
    }
}
