package dev.ferry.sftp.session;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The one registry of a session's open transfers. */
class OpenTransfersTest {

    record Open(String virtualPath, boolean isUpload, long quotaReservation) implements OpenTransfer {
    }

    @Test
    void namesTheLatestTransferStillOpen() {
        OpenTransfers transfers = new OpenTransfers();
        Open first = new Open("/a.bin", false, 0);
        Open second = new Open("/b.bin", true, 7);
        assertThat(transfers.current()).isNull();
        transfers.opened(first);
        transfers.opened(second);
        assertThat(transfers.current()).isEqualTo("/b.bin");
        transfers.ended(second);
        assertThat(transfers.current()).isEqualTo("/a.bin");
        transfers.ended(first);
        assertThat(transfers.current()).isNull();
        assertThat(transfers.isEmpty()).isTrue();
    }

    @Test
    void endingTwiceOrSomethingNeverOpenedChangesNothing() {
        OpenTransfers transfers = new OpenTransfers();
        Open open = new Open("/a.bin", true, 0);
        transfers.opened(open);
        transfers.ended(new Open("/other", true, 0));
        assertThat(transfers.isEmpty()).isFalse();
        transfers.ended(open);
        transfers.ended(open);
        assertThat(transfers.isEmpty()).isTrue();
    }

    @Test
    void uploadingAndReservationsCountOnlyWhatHoldsThem() {
        OpenTransfers transfers = new OpenTransfers();
        transfers.opened(new Open("/in.bin", true, 11));
        transfers.opened(new Open("/out.bin", false, 0));
        transfers.opened(new Open("/free.bin", true, 0));
        assertThat(transfers.uploading("/in.bin")).isTrue();
        assertThat(transfers.uploading("/out.bin")).as("a download creates nothing").isFalse();
        assertThat(transfers.quotaReservations().boxed()).containsExactly(11L);
    }
}
