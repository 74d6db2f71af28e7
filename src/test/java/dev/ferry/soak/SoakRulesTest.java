package dev.ferry.soak;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.soak.SoakPlan.SoakUser;
import dev.ferry.soak.SoakPlan.Storage;
import dev.ferry.soak.SoakRules.Kind;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** The soak's rules on records as the worker writes them: the races they accept, and the bugs of #14 they must not. */
class SoakRulesTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final SoakUser PARTNER = new SoakUser("lteam", Storage.LOCAL, 2, true, 0, 0, 0);
    private static final SoakUser FILE_QUOTA = new SoakUser("lquota", Storage.LOCAL, 2, false, 6, 0, 0);
    private static final SoakUser S3_QUOTAS = new SoakUser("squota", Storage.S3, 2, false, 6, 1000, 0);

    @Test
    void anEntryVanishingMidListingIsABugButTheListedPoolDirectoryVanishingIsARace() {
        assertThat(kind(PARTNER, "{'op':'listdir','path':'/shared','ok':false,'status':'NO_SUCH_FILE',"
                + "'error':'No such file or directory','phase':'readdir'}")).isEqualTo(Kind.UNEXPECTED);
        assertThat(kind(PARTNER, "{'op':'listdir','path':'/shared/d1','ok':false,'status':'NO_SUCH_FILE',"
                + "'error':'No such file or directory','phase':'readdir'}")).isEqualTo(Kind.UNEXPECTED);
        assertThat(kind(PARTNER, "{'op':'listdir','path':'/shared/d1','ok':false,'status':'NO_SUCH_FILE',"
                + "'error':'No such file or directory: Non-existent directory','phase':'readdir'}")).isEqualTo(Kind.EXPECTED);
        assertThat(kind(PARTNER, "{'op':'listdir','path':'/shared/d1','ok':false,'status':'NO_SUCH_FILE',"
                + "'error':'No such file or directory','phase':'opendir'}")).isEqualTo(Kind.EXPECTED);
        assertThat(kind(PARTNER, "{'op':'listdir','path':'/shared','ok':false,'status':'NO_SUCH_FILE',"
                + "'error':'No such file or directory','phase':'opendir'}")).isEqualTo(Kind.UNEXPECTED);
    }

    @Test
    void aFileQuotaNeverRefusesTheOverwriteOfAnExistingFile() {
        String overwrite = "{'op':'put','path':'/shared/w2-0.bin','ok':false,'status':'FAILURE','own':true,'existed':true,"
                + "'oldSize':10,'size':%d,'error':'quota exceeded: the quota of 6 files is used up','phase':'open'}";
        assertThat(kind(FILE_QUOTA, overwrite.formatted(5000))).isEqualTo(Kind.UNEXPECTED);
        assertThat(kind(S3_QUOTAS, overwrite.formatted(5))).isEqualTo(Kind.UNEXPECTED);
        assertThat(kind(S3_QUOTAS, overwrite.formatted(5000))).as("it grows: the byte quota may refuse").isEqualTo(Kind.EXPECTED);
        assertThat(kind(FILE_QUOTA, "{'op':'put','path':'/shared/p1.bin','ok':false,'status':'FAILURE',"
                + "'error':'quota exceeded: the quota of 6 files is used up','phase':'open'}")).isEqualTo(Kind.EXPECTED);
        assertThat(kind(PARTNER, "{'op':'put','path':'/shared/p1.bin','ok':false,'status':'FAILURE',"
                + "'error':'quota exceeded: the quota of 6 files is used up','phase':'open'}")).as("no quota").isEqualTo(Kind.UNEXPECTED);
    }

    @Test
    void mkdirWithAttributesRefusedForLackOfSetstatIsABugAnExistingPoolDirectoryIsARace() {
        assertThat(kind(PARTNER, "{'op':'mkdir','path':'/shared/d0','ok':false,'status':'PERMISSION_DENIED',"
                + "'error':'permission denied: setstat is not granted on /shared/d0'}")).isEqualTo(Kind.UNEXPECTED);
        assertThat(kind(PARTNER, "{'op':'mkdir','path':'/shared/o1-0-1','ok':false,'status':'OPENSSH','via':'openssh',"
                + "'error':'remote mkdir \\\"/shared/o1-0-1\\\": Permission denied'}")).isEqualTo(Kind.UNEXPECTED);
        assertThat(kind(PARTNER, "{'op':'mkdir','path':'/shared/d0','ok':false,'status':'FAILURE',"
                + "'error':'File/Directory already exists: Target directory already exists'}")).isEqualTo(Kind.EXPECTED);
        assertThat(kind(PARTNER, "{'op':'mkdir','path':'/shared/o1-0-1','ok':false,'status':'FAILURE','via':'openssh',"
                + "'error':'File/Directory already exists'}")).as("OpenSSH's directories are new").isEqualTo(Kind.UNEXPECTED);
    }

    @Test
    void aVanishedPoolFileIsARaceAVanishedOwnFileIsNot() {
        assertThat(kind(PARTNER, "{'op':'get','path':'/shared/p3.bin','ok':false,'status':'NO_SUCH_FILE','phase':'open'}"))
                .isEqualTo(Kind.EXPECTED);
        assertThat(kind(PARTNER, "{'op':'get','path':'/shared/w0-1.bin','own':true,'expected':'ab','ok':false,"
                + "'status':'NO_SUCH_FILE','phase':'open'}")).isEqualTo(Kind.UNEXPECTED);
        assertThat(kind(PARTNER, "{'op':'stat','path':'/shared/w0-1.bin','own':true,'existed':false,'ok':false,"
                + "'status':'NO_SUCH_FILE'}")).isEqualTo(Kind.EXPECTED);
        assertThat(kind(PARTNER, "{'op':'stat','path':'/shared/w0-1.bin','own':true,'existed':true,'ok':false,"
                + "'status':'NO_SUCH_FILE'}")).isEqualTo(Kind.UNEXPECTED);
        assertThat(kind(PARTNER, "{'op':'get','path':'/shared/w0-1.bin','own':true,'expected':'ab','ok':true,'sha256':'cd'}"))
                .as("read back other content").isEqualTo(Kind.UNEXPECTED);
        assertThat(kind(PARTNER, "{'op':'put','path':'/shared/p3.bin','ok':false,'status':'NO_SUCH_FILE','phase':'open'}"))
                .as("/shared always exists").isEqualTo(Kind.UNEXPECTED);
        assertThat(kind(PARTNER, "{'op':'put','path':'/shared/d2/q0.bin','ok':false,'status':'NO_SUCH_FILE','phase':'close'}"))
                .isEqualTo(Kind.EXPECTED);
    }

    @Test
    void renamesMayLoseTheirSourceOrMeetATargetButNotWhenTheSourceIsTheWorkersOwn() {
        assertThat(kind(PARTNER, "{'op':'rename','path':'/shared/p1.bin','target':'/shared/p2.bin','ok':false,"
                + "'status':'FAILURE','error':'File/Directory already exists'}")).isEqualTo(Kind.EXPECTED);
        assertThat(kind(PARTNER, "{'op':'rename','path':'/shared/p1.bin','target':'/shared/p2.bin','posix':true,'ok':false,"
                + "'status':'FAILURE','error':'File/Directory already exists'}")).isEqualTo(Kind.UNEXPECTED);
        assertThat(kind(PARTNER, "{'op':'rename','path':'/shared/p1.bin.w0.part','target':'/shared/p1.bin','posix':true,"
                + "'temp':true,'ok':false,'status':'NO_SUCH_FILE'}")).isEqualTo(Kind.UNEXPECTED);
        assertThat(kind(PARTNER, "{'op':'rename','path':'/shared/d0/q1.bin.w0.part','target':'/shared/d0/q1.bin','posix':true,"
                + "'temp':true,'ok':false,'status':'NO_SUCH_FILE'}")).isEqualTo(Kind.EXPECTED);
    }

    @Test
    void failuresThatAreNeverRacesAreBugs() {
        assertThat(kind(PARTNER, "{'op':'put','path':'/shared/p1.bin','ok':false,'status':'FAILURE','phase':'close',"
                + "'error':'the file was stored but its audit record could not be written'}")).isEqualTo(Kind.UNEXPECTED);
        assertThat(kind(FILE_QUOTA, "{'op':'truncate','path':'/shared/w2-0.bin','own':true,'ok':false,'status':'FAILURE',"
                + "'error':'General failure'}")).isEqualTo(Kind.UNEXPECTED);
        assertThat(kind(S3_QUOTAS, "{'op':'truncate','path':'/shared/w6-0.bin','own':true,'ok':false,'status':'FAILURE',"
                + "'error':'General failure: truncating is not supported on S3 storage'}")).isEqualTo(Kind.EXPECTED);
        assertThat(kind(PARTNER, "{'op':'login','ok':false,'status':'SESSION','error':'AuthenticationException: failed'}"))
                .isEqualTo(Kind.UNEXPECTED);
        assertThat(kind(PARTNER, "{'op':'stat','path':'/shared/p1.bin','ok':false,'status':'TIMEOUT'}")).isEqualTo(Kind.UNEXPECTED);
        assertThat(kind(PARTNER, "{'op':'put','path':'/shared/w0-1.bin','own':true,'killed':true}")).isEqualTo(Kind.EXPECTED);
    }

    private static Kind kind(SoakUser user, String json) {
        return SoakRules.classify(OpRecord.parse(user, JSON.readTree(json.replace('\'', '"')))).kind();
    }
}
