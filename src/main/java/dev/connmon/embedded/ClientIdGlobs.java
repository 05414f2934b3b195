package dev.connmon.embedded;

import java.util.Arrays;
import java.util.List;

/**
 * The client ids a device user may connect with ({@code connmon.embedded.client-ids.<user>}, docs/api.md §8): a
 * comma-separated list of ids, where {@code *} stands for any run of characters ({@code d:acme:pump:*}).
 */
record ClientIdGlobs(List<String> globs) {

    static ClientIdGlobs parse(String list) {
        List<String> globs = Arrays.stream(list.split(","))
                .map(String::trim)
                .filter(glob -> !glob.isEmpty())
                .toList();
        if (globs.isEmpty()) {
            throw new IllegalArgumentException("no client id in '" + list + "'");
        }
        return new ClientIdGlobs(globs);
    }

    boolean matches(String clientId) {
        for (String glob : globs) {
            if (matches(glob, clientId)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Wildcard matching that backtracks only to the last {@code *}: at most glob × id steps, whatever the id (a
     * regular expression of several {@code .*} could be made to take far longer by a hostile id).
     */
    static boolean matches(String glob, String id) {
        int g = 0;
        int i = 0;
        int star = -1;
        int resume = 0;
        while (i < id.length()) {
            if (g < glob.length() && glob.charAt(g) == '*') {
                star = g++;
                resume = i;
            } else if (g < glob.length() && glob.charAt(g) == id.charAt(i)) {
                g++;
                i++;
            } else if (star >= 0) {
                g = star + 1;
                i = ++resume;
            } else {
                return false;
            }
        }
        while (g < glob.length() && glob.charAt(g) == '*') {
            g++;
        }
        return g == glob.length();
    }
}
