package io.ha4j.vrrp;

import java.net.InetAddress;
import java.net.UnknownHostException;

final class Hex {
    private Hex() {
    }

    static byte[] bytes(String hex) {
        String s = hex.replaceAll("\\s+", "");
        byte[] out = new byte[s.length() / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
        }
        return out;
    }

    static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
