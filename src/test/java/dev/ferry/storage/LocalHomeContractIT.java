package dev.ferry.storage;

import dev.ferry.testsupport.FerryInstance;

/** The storage contract on local disk. */
class LocalHomeContractIT extends HomeContractIT {

    @Override
    FerryInstance startFerry() {
        return FerryInstance.start();
    }

    @Override
    String storageJson(String username) {
        return "{\"type\":\"local\"}";
    }

    @Override
    boolean supportsLinks() {
        return true;
    }

    @Override
    int churnRounds() {
        return 15;
    }
}
