package dev.ferry.usercas;

/**
 * What a KRL revokes, counted: certificate sections (one per CA, or for every CA), serial rules
 * (single serials, ranges and bitmaps), key ids, plain keys, and key fingerprints (SHA1 and SHA256).
 */
public record KrlContents(int certificateSections, int serialRules, int keyIds, int keys, int fingerprints) {
}
