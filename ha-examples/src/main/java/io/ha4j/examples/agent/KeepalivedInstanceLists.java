package io.ha4j.examples.agent;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The lines inside a {@code vrrp_instance}'s sub-blocks: {@code authentication}, one
 * {@code virtual_ipaddress} line, one {@code track_script} or {@code track_interface} line, and interface
 * names. Each returns empty (after reporting) when the line cannot be used.
 */
final class KeepalivedInstanceLists {

    private final Diagnostics diagnostics;
    private final Values values;
    private final KeepalivedSyntax syntax;

    KeepalivedInstanceLists(KeepalivedSyntax syntax) {
        this.syntax = syntax;
        this.diagnostics = syntax.diagnostics;
        this.values = syntax.values;
    }

    Optional<KeepalivedConfig.Authentication> authentication(KeepalivedStatement block) {
        String type = null;
        String password = null;
        for (KeepalivedStatement st : block.block()) {
            switch (st.keyword()) {
                case "auth_type" -> {
                    if (syntax.args(st, 1)) {
                        type = st.args().get(0);
                        if (type.equals("AH")) {
                            diagnostics.error(st, "auth_type AH is not supported (it is deprecated in keepalived too); use PASS or nothing");
                        } else if (!type.equals("PASS")) {
                            diagnostics.error(st, "must be PASS (or AH, unsupported), was '" + type + "'");
                        }
                    }
                }
                case "auth_pass" -> {
                    if (syntax.args(st, 1)) {
                        password = st.args().get(0);
                        if (password.length() > 8) {
                            diagnostics.warn(st, "a VRRPv2 password is at most 8 characters; only '" + password.substring(0, 8)
                                    + "' is used, as keepalived does");
                            password = password.substring(0, 8);
                        }
                    }
                }
                default -> diagnostics.error(st, "unknown or unsupported keyword in authentication");
            }
        }
        if (type == null || password == null) {
            diagnostics.error(block, "authentication needs both auth_type PASS and auth_pass");
            return Optional.empty();
        }
        if (!type.equals("PASS")) {
            return Optional.empty();
        }
        diagnostics.warn(block, "auth_type PASS is supported for interoperability only: the password travels in clear text and protects nothing");
        return Optional.of(new KeepalivedConfig.Authentication(password));
    }

    Optional<KeepalivedConfig.Vip> vip(KeepalivedStatement line) {
        List<String> w = line.words();
        String cidr = w.get(0);
        int slash = cidr.indexOf('/');
        Optional<InetAddress> address = values.address(line.origin(), "virtual_ipaddress", slash < 0 ? cidr : cidr.substring(0, slash));
        if (address.isEmpty()) {
            return Optional.empty();
        }
        int maxPrefix = address.get() instanceof Inet6Address ? 128 : 32;
        int prefix = maxPrefix;
        if (slash >= 0) {
            OptionalInt p = values.integer(line.origin(), "virtual_ipaddress", cidr.substring(slash + 1), 0, maxPrefix);
            if (p.isEmpty()) {
                return Optional.empty();
            }
            prefix = p.getAsInt();
        }
        Optional<String> dev = Optional.empty();
        Optional<String> label = Optional.empty();
        for (int i = 1; i < w.size(); i++) {
            String option = w.get(i);
            boolean hasValue = i + 1 < w.size();
            switch (option) {
                case "dev" -> {
                    if (!hasValue) {
                        diagnostics.error(line, "'dev' needs an interface name");
                        return Optional.empty();
                    }
                    dev = Optional.of(w.get(++i));
                }
                case "label" -> {
                    if (!hasValue) {
                        diagnostics.error(line, "'label' needs a name");
                        return Optional.empty();
                    }
                    label = Optional.of(w.get(++i));
                }
                case "scope" -> {
                    if (!hasValue || !w.get(++i).equals("global")) {
                        diagnostics.error(line, "only 'scope global' is supported (ha4j adds VIPs with global scope)");
                        return Optional.empty();
                    }
                }
                case "brd", "broadcast" -> {
                    if (!hasValue) {
                        diagnostics.error(line, "'" + option + "' needs an address");
                        return Optional.empty();
                    }
                    i++;
                    diagnostics.warn(line.file(), line.line(), "virtual_ipaddress " + option,
                            "ha4j adds VIPs without a broadcast address; ignored");
                }
                default -> {
                    diagnostics.error(line, "virtual_ipaddress option '" + option + "' is not supported (dev, label, scope global, brd)");
                    return Optional.empty();
                }
            }
        }
        if (line.hasBlock()) {
            diagnostics.error(line, "a virtual_ipaddress line takes no block");
            return Optional.empty();
        }
        return Optional.of(new KeepalivedConfig.Vip(line.origin(), address.get(), prefix, dev, label));
    }

    Optional<KeepalivedConfig.TrackedScript> trackedScript(KeepalivedStatement line, List<KeepalivedConfig.Script> scripts) {
        String name = line.keyword();
        List<String> rest = line.args();
        OptionalInt weight = OptionalInt.empty();
        boolean reverse = false;
        if (!rest.isEmpty()) {
            if (!rest.get(0).equals("weight") || rest.size() < 2 || rest.size() > 3
                    || (rest.size() == 3 && !rest.get(2).equals("reverse"))) {
                diagnostics.error(line, "a track_script line is 'NAME [weight N [reverse]]'");
                return Optional.empty();
            }
            weight = values.integer(line.origin(), "track_script weight", rest.get(1), -253, 253);
            if (weight.isEmpty()) {
                return Optional.empty();
            }
            reverse = rest.size() == 3;
        }
        if (scripts.stream().noneMatch(s -> s.name().equals(name))) {
            diagnostics.error(line, "no vrrp_script called '" + name + "' is defined");
            return Optional.empty();
        }
        return Optional.of(new KeepalivedConfig.TrackedScript(line.origin(), name, weight, reverse));
    }

    Optional<KeepalivedConfig.TrackedInterface> trackedInterface(KeepalivedStatement line) {
        List<String> rest = line.args();
        int weight = 0;
        if (!rest.isEmpty()) {
            if (rest.size() != 2 || !rest.get(0).equals("weight")) {
                diagnostics.error(line, "a track_interface line is 'IFACE [weight N]' ('reverse' is not supported)");
                return Optional.empty();
            }
            OptionalInt w = values.integer(line.origin(), "track_interface weight", rest.get(1), -253, 253);
            if (w.isEmpty()) {
                return Optional.empty();
            }
            weight = w.getAsInt();
        }
        String name = interfaceName(line, line.keyword());
        return name == null ? Optional.empty() : Optional.of(new KeepalivedConfig.TrackedInterface(line.origin(), name, weight));
    }

    /** {@code name} when it can be a Linux interface name, else null (reported). */
    String interfaceName(KeepalivedStatement st, String name) {
        if (name.isEmpty() || name.length() > 15 || name.contains("/") || name.contains("${")) {
            diagnostics.error(st, "'" + name + "' is not a Linux interface name (1-15 characters, no '/')" + Values.placeholderHint(name));
            return null;
        }
        return name;
    }
}
