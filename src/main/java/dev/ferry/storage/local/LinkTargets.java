package dev.ferry.storage.local;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * How the target of a symbolic link made over SFTP is written on disk, and read back for READLINK.
 * <p>
 * On disk every link is relative, so it resolves inside the home for any program that follows it
 * (the home's on-disk location never appears in it). READLINK must still answer the target in the
 * form the client gave it, because sync tools compare link targets. A relative target is stored as
 * given, normalised ({@code a/./b/../c} is {@code a/c}; leading {@code ..} kept). An absolute one,
 * a path of the home, is stored as {@code ./} followed by one {@code ..} per directory between the
 * link and the home's root and then the path: {@code /d/target} linked from {@code /d/link} is
 * {@code ./../d/target}. It resolves on disk exactly as the plain {@code ../d/target} would, and a
 * normalised relative target never starts with {@code ./}, so READLINK tells the two apart
 * without guessing: a stored target that starts with {@code ./} is answered as the absolute path
 * it resolves to, any other as it is. (A link planted on disk by another program that happens to
 * start with {@code ./} is therefore shown as the absolute path it points to: the same place.)
 */
final class LinkTargets {

    private static final String ABSOLUTE_MARK = "./";

    private LinkTargets() {
    }

    /**
     * The text to store for a link in {@code linkDir} (the names of its directory from the home's
     * root, links resolved) to {@code target} as the client gave it; null if the target would
     * lead above the home's root.
     */
    static String stored(List<String> linkDir, String target) {
        if (target.startsWith("/")) {
            List<String> absolute = normalised(List.of(), target);
            if (absolute == null) {
                return null;
            }
            StringBuilder text = new StringBuilder(".");
            linkDir.forEach(name -> text.append("/.."));
            absolute.forEach(name -> text.append('/').append(name));
            // "./." for the root from the root: "." alone is the relative target "."
            return text.length() == 1 ? "./." : text.toString();
        }
        if (normalised(linkDir, target) == null) {
            return null;
        }
        List<String> relative = new ArrayList<>();
        for (String name : target.split("/")) {
            if (name.isEmpty() || name.equals(".")) {
                continue;
            }
            if (name.equals("..") && !relative.isEmpty() && !relative.get(relative.size() - 1).equals("..")) {
                relative.remove(relative.size() - 1);
            } else {
                relative.add(name);
            }
        }
        return relative.isEmpty() ? "." : String.join("/", relative);
    }

    /** The target READLINK answers for {@code stored}, the text of a link in {@code linkDir}. */
    static String answered(List<String> linkDir, String stored) {
        if (!stored.startsWith(ABSOLUTE_MARK)) {
            return stored;
        }
        List<String> absolute = normalised(linkDir, stored);
        return absolute == null ? stored : "/" + String.join("/", absolute);
    }

    /** {@code base} followed by {@code path}'s names, "." and ".." resolved; null if ".." climbs above the root. */
    private static List<String> normalised(List<String> base, String path) {
        Deque<String> names = new ArrayDeque<>(base);
        for (String name : path.split("/")) {
            if (name.isEmpty() || name.equals(".")) {
                continue;
            }
            if (name.equals("..")) {
                if (names.pollLast() == null) {
                    return null;
                }
                continue;
            }
            names.addLast(name);
        }
        return List.copyOf(names);
    }
}
