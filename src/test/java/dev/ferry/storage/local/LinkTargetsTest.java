package dev.ferry.storage.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class LinkTargetsTest {

    static final List<String> ROOT = List.of();
    static final List<String> D = List.of("d");
    static final List<String> DEEP = List.of("a", "b", "c");

    @Test
    void anAbsoluteTargetIsStoredRelativeWithTheMarkAndAnsweredAbsolute() {
        assertThat(LinkTargets.stored(D, "/d/target")).isEqualTo("./../d/target");
        assertThat(LinkTargets.answered(D, "./../d/target")).isEqualTo("/d/target");
        assertThat(LinkTargets.stored(DEEP, "/x/y")).isEqualTo("./../../../x/y");
        assertThat(LinkTargets.answered(DEEP, "./../../../x/y")).isEqualTo("/x/y");
        assertThat(LinkTargets.stored(ROOT, "/target")).isEqualTo("./target");
        assertThat(LinkTargets.answered(ROOT, "./target")).isEqualTo("/target");
        // the root itself, from the root and from below
        assertThat(LinkTargets.stored(ROOT, "/")).isEqualTo("./.");
        assertThat(LinkTargets.answered(ROOT, "./.")).isEqualTo("/");
        assertThat(LinkTargets.answered(D, LinkTargets.stored(D, "/"))).isEqualTo("/");
        // normalised on the way: the form (absolute) is kept, not the spelling
        assertThat(LinkTargets.answered(D, LinkTargets.stored(D, "//d/./x/../target/"))).isEqualTo("/d/target");
    }

    @Test
    void aRelativeTargetIsStoredAndAnsweredAsGivenNormalised() {
        assertThat(LinkTargets.stored(D, "target")).isEqualTo("target");
        assertThat(LinkTargets.stored(D, "../d/target")).isEqualTo("../d/target");
        assertThat(LinkTargets.stored(DEEP, "../../x")).isEqualTo("../../x");
        assertThat(LinkTargets.stored(D, "./sub/../target")).isEqualTo("target");
        assertThat(LinkTargets.stored(D, "a/../../x")).isEqualTo("../x");
        assertThat(LinkTargets.stored(D, ".")).isEqualTo(".");
        assertThat(LinkTargets.stored(D, "sub/..")).isEqualTo(".");
        for (String stored : List.of("target", "../d/target", ".", "..", "a/b")) {
            assertThat(LinkTargets.answered(D, stored)).isEqualTo(stored);
        }
    }

    @Test
    void aTargetAboveTheHomesRootIsRefused() {
        assertThat(LinkTargets.stored(D, "../..")).isNull();
        assertThat(LinkTargets.stored(D, "../../etc/passwd")).isNull();
        assertThat(LinkTargets.stored(ROOT, "..")).isNull();
        assertThat(LinkTargets.stored(DEEP, "x/../../../../../y")).isNull();
        assertThat(LinkTargets.stored(DEEP, "x/../../../../y")).isEqualTo("../../../y");
        assertThat(LinkTargets.stored(ROOT, "/../etc")).isNull();
        assertThat(LinkTargets.stored(DEEP, "../../..")).isEqualTo("../../..");
    }

    @Test
    void aLinkMovedToAnotherDepthIsAnsweredWithWhereItNowPoints() {
        String stored = LinkTargets.stored(D, "/d/target");
        // /d renamed to /e: an absolute link keeps naming /d/target, a relative one follows
        assertThat(LinkTargets.answered(List.of("e"), stored)).isEqualTo("/d/target");
        // moved one level deeper: the stored ".." now reaches /x, and readlink says so
        assertThat(LinkTargets.answered(List.of("x", "e"), stored)).isEqualTo("/x/d/target");
        // a link planted by another program: as it is, also when it climbs out (nothing on-disk is named)
        assertThat(LinkTargets.answered(D, "../../../etc/passwd")).isEqualTo("../../../etc/passwd");
        assertThat(LinkTargets.answered(D, "./../../../etc")).isEqualTo("./../../../etc");
    }
}
