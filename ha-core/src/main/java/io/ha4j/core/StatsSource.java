package io.ha4j.core;

/**
 * The stats SPI: a component that has numbers for operators implements it, and whatever shows a cluster's
 * numbers (the balancer's admin listener renders the HTML page, {@code /stats.json} and {@code /metrics} of every
 * source of its cluster; {@code HaClusterMetrics} binds them to Micrometer) reads them from here, so that
 * ha-core never depends on ha-proxy or ha-vrrp. {@code TcpBalancer} and {@code VrrpInstance} implement it, and so
 * can a user's own {@link HaComponent}; {@link HaCluster#statsSources()} lists a cluster's sources.
 *
 * <p>Called from any thread (the admin listener's event loop, a metrics scraper), at human or scrape rates, never
 * on a hot path: an implementation reads its live counters and allocates its snapshot freely, and must not block.
 */
public interface StatsSource {

    /** A snapshot of this component's numbers now. */
    ComponentStats componentStats();
}
